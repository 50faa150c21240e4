"""The unit registry: ``dondoc units import FILE.yaml``.

The file names the organisation, its units (code, name, aliases, groups) and collective names
(groups) that expand to units. Re-importing updates units by code and never deletes a unit that
still has history (assignments or memberships): such a unit is kept, marked inactive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import delete
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Invite,
    Membership,
    Organization,
    Unit,
    UnitGroup,
    UnitGroupMember,
    ZaloBot,
)
from dondoc.i18n import _
from dondoc.plan.channels import BotEntry, ChannelSection, channel_problems, stored_channels
from dondoc.plan.policy import Policy, PolicyError
from dondoc.plan.problems import InputError, Problem, read_yaml, refusal, validate
from dondoc.plan.units import Target, UnitMatcher, expand
from dondoc.plan.zalo_bots import BOT_NAME, ENV_NAME, ZALO_BOT_USERS
from dondoc.text import match_key, strip_controls

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass
class UnitSpec:
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@dataclass
class GroupSpec:
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    all_units: bool = False


@dataclass
class ZaloBotSpec:
    """A Zalo bot of ``channels: zalo: bots``; ``units`` as written (codes, names, groups) until
    :func:`parse_registry` expands them to unit codes."""

    name: str
    display_name: str
    token_env: str
    units: list[str] = field(default_factory=list)


@dataclass
class Registry:
    organization: str
    coordinator: str | None
    units: list[UnitSpec]
    groups: list[GroupSpec]
    reminders: dict[str, Any] = field(default_factory=dict)  # overrides of the reminder policy
    channels: dict[str, Any] = field(default_factory=dict)  # per channel family: budget, reminders, bots
    zalo_bots: list[ZaloBotSpec] = field(default_factory=list)  # channels: zalo: bots
    parent: str | None = None  # the organisation this one belongs to (a district's province), by name
    extensions: dict[str, Any] = field(default_factory=dict)  # extensions: judge_against: original
    ranking: dict[str, Any] = field(default_factory=dict)  # ranking: weights, reminder_days, bands

    def members(self, group: GroupSpec) -> tuple[str, ...]:
        if group.all_units:
            return tuple(u.code for u in self.units)
        return tuple(u.code for u in self.units if group.code in u.groups)


@dataclass
class RegistryChanges:
    organization: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)  # dropped from the file but kept for history
    groups: int = 0
    parent: str | None = None  # the organisation it now belongs to (``parent:``)
    parent_changed: bool = False  # set, changed or taken away by this import


def read_registry(path: Path) -> Registry:
    """Parse and validate a registry file; raises :class:`InputError` naming every problem."""
    return parse_registry(read_yaml(path))


def _text(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise refusal(_("expected text"))
    return " ".join(strip_controls(str(value)).split())


def _required_text(value: Any) -> str:
    if value is None or value == "":
        raise refusal(_("required field is missing"))
    return _text(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None or value == "" else _text(value) or None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise refusal(_("expected a list of text"))
    return [" ".join(strip_controls(str(v)).split()) for v in value]


def _members(value: Any) -> bool:
    if value not in (None, "all"):
        raise refusal(_("only 'all' is allowed here; units list their groups"))
    return bool(value == "all")


RequiredText = Annotated[str, BeforeValidator(_required_text)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
Strings = Annotated[list[str], BeforeValidator(_strings)]


class _UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: RequiredText
    name: RequiredText
    aliases: Strings = []
    groups: Strings = []


class _GroupEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: RequiredText
    name: RequiredText
    aliases: Strings = []
    members: Annotated[bool, BeforeValidator(_members)] = False


class _ZaloBotEntry(BotEntry):
    model_config = ConfigDict(extra="forbid")

    name: RequiredText
    display_name: RequiredText
    token_env: RequiredText
    units: Strings = Field(default_factory=list)


class _ZaloChannel(ChannelSection):
    """``channels: zalo:``: the budget and reminder policy of every Zalo bot, and the bots."""

    bots: Sequence[_ZaloBotEntry] | None = None
    # The users one bot takes: Zalo's free plan allows 50; a paid plan more.
    users_per_bot: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class _Channels(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zalo: _ZaloChannel | None = None
    telegram: ChannelSection | None = None


class _Extensions(BaseModel):
    """``extensions:``: what the categories judge an extended deadline against (gia hạn)."""

    model_config = ConfigDict(extra="forbid")

    judge_against: Literal["extended", "original"] = "extended"


class RegistryFile(BaseModel):
    """The layout of a registry file; what its entries mean is checked afterwards (:func:`parse_registry`)."""

    model_config = ConfigDict(extra="forbid")

    organization: RequiredText
    parent: OptionalText = None
    coordinator: OptionalText = None
    units: list[_UnitEntry]
    groups: list[_GroupEntry] | None = None
    reminders: dict[str, Any] | None = None
    channels: _Channels | None = None
    extensions: _Extensions | None = None
    ranking: Any = None  # checked by dondoc.plan.ranking.Scheme


def _messages(loc: tuple[int | str, ...], kind: str) -> str | None:
    mapping = kind in ("model_type", "dict_type")
    if not loc and mapping:
        return _("expected a mapping with organization, units and groups")
    if len(loc) == 2 and loc[0] in ("units", "groups") and mapping:
        return _("expected a mapping with code and name")
    return None


def parse_registry(raw: Any) -> Registry:
    found = validate(RegistryFile, raw, _messages)
    problems: list[Problem] = []
    units = [UnitSpec(u.code, u.name, u.aliases, u.groups) for u in found.units]
    groups = [GroupSpec(g.code, g.name, g.aliases, g.members) for g in found.groups or ()]
    reminders = found.reminders or {}
    try:
        Policy.from_settings(reminders)
    except PolicyError as exc:
        problems += [Problem("reminders", f"{p.where}: {p.message}", p.value) for p in exc.problems]
    channels: dict[str, ChannelSection] = {
        name: section for name, section in (found.channels or _Channels()) if section is not None
    }
    problems += channel_problems(channels, reminders)
    zalo = found.channels.zalo if found.channels else None
    bots = [ZaloBotSpec(b.name, b.display_name, b.token_env, b.units) for b in (zalo.bots or () if zalo else ())]
    registry = Registry(
        found.organization,
        found.coordinator,
        units,
        groups,
        dict(reminders),
        stored_channels(channels),
        bots,
        parent=found.parent or None,
        extensions=found.extensions.model_dump() if found.extensions else {},
    )
    if found.ranking is not None:
        from dondoc.plan.ranking import Scheme, SchemeError  # ranking reads progress, which reads this module

        try:
            Scheme.from_settings(found.ranking)
        except SchemeError as exc:
            problems += exc.problems
        else:
            registry.ranking = dict(found.ranking)
    if registry.parent is not None and registry.parent == registry.organization:
        problems.append(Problem("parent", _("an organisation cannot be its own parent"), registry.parent))
    _check_consistency(registry, problems)
    _check_zalo_bots(registry, problems, zalo.users_per_bot if zalo and zalo.users_per_bot else ZALO_BOT_USERS)
    if problems:
        raise InputError(problems)
    return registry


def check_registry(registry: Registry) -> None:
    """The checks a registry file gets (codes, groups, names pointing to one unit or group, Zalo bots),
    for a registry put together otherwise (a list of units merged with what the store keeps); raises
    :class:`InputError` naming every problem."""
    problems: list[Problem] = []
    _check_consistency(registry, problems)
    zalo = registry.channels.get("zalo")
    users = zalo.get("users_per_bot") if isinstance(zalo, dict) else None
    _check_zalo_bots(registry, problems, users or ZALO_BOT_USERS)
    if problems:
        raise InputError(problems)


def _check_consistency(registry: Registry, problems: list[Problem]) -> None:
    codes = [("units", i, u.code) for i, u in enumerate(registry.units)]
    codes += [("groups", i, g.code) for i, g in enumerate(registry.groups)]
    for kind, i, code in codes:
        if not _CODE.match(code):
            message = _("a code may only hold letters, digits, _ and -")
            problems.append(Problem(f"{kind}[{i + 1}].code", message, code))
    unit_codes: dict[str, int] = {}
    for i, unit in enumerate(registry.units):
        if unit.code and unit.code.upper() in unit_codes:
            problems.append(Problem(f"units[{i + 1}].code", _("duplicate unit code"), unit.code))
        unit_codes[unit.code.upper()] = i
    group_codes = {g.code for g in registry.groups}
    for i, group in enumerate(registry.groups):
        if group.code.upper() in unit_codes:
            problems.append(Problem(f"groups[{i + 1}].code", _("a unit already has this code"), group.code))
    for i, unit in enumerate(registry.units):
        for name in unit.groups:
            if name not in group_codes:
                problems.append(Problem(f"units[{i + 1}].groups", _("no group has this code"), name))
    if registry.coordinator and registry.coordinator.upper() not in unit_codes:
        problems.append(Problem("coordinator", _("no unit has this code"), registry.coordinator))
    # Every name must point to one unit or group, or the appendix could not be read unambiguously.
    matcher = UnitMatcher()
    owners: dict[Target, str] = {}
    for i, unit in enumerate(registry.units):
        target = Target(unit.code, (unit.code,), is_group=False)
        owners.setdefault(target, f"units[{i + 1}]")
        _add_name(matcher, unit.code, target, owners, f"units[{i + 1}]", problems, code=True)
        for name in (unit.name, *unit.aliases):
            _add_name(matcher, name, target, owners, f"units[{i + 1}]", problems)
    for i, group in enumerate(registry.groups):
        target = Target(group.code, registry.members(group), is_group=True)
        owners.setdefault(target, f"groups[{i + 1}]")
        _add_name(matcher, group.code, target, owners, f"groups[{i + 1}]", problems, code=True)
        for name in (group.name, *group.aliases):
            _add_name(matcher, name, target, owners, f"groups[{i + 1}]", problems)


def _check_zalo_bots(registry: Registry, problems: list[Problem], users: int = ZALO_BOT_USERS) -> None:
    """Each bot's name makes a channel key, its token variable is its own, and its units (codes, names
    or groups, expanded) exist, have no other bot and are no more than a bot takes ``users`` (each unit
    has at least its focal point). ``units`` become unit codes."""
    matcher = build_matcher(registry)
    names: set[str] = set()
    variables: set[str] = set()
    served: dict[str, int] = {}  # unit code → the bot serving it (its index)
    for i, bot in enumerate(registry.zalo_bots):
        where = f"channels.zalo.bots[{i + 1}]"
        if not BOT_NAME.match(bot.name):
            message = _(
                "a bot name may only hold lowercase letters, digits and - (it makes the channel key zalo:<name>)"
            )
            problems.append(Problem(f"{where}.name", message, bot.name))
        elif bot.name in names:
            problems.append(Problem(f"{where}.name", _("another bot has this name"), bot.name))
        names.add(bot.name)
        if not ENV_NAME.match(bot.token_env):
            problems.append(Problem(f"{where}.token_env", _("not an environment variable name"), bot.token_env))
        elif bot.token_env in variables:
            message = _("another bot has this token variable")
            problems.append(Problem(f"{where}.token_env", message, bot.token_env))
        variables.add(bot.token_env)
        targets: list[Target] = []
        for entry in bot.units:
            found, unknown = matcher.match(entry)
            fits = matcher.ambiguous(entry) if unknown or not found else []
            if fits:
                # "UBND xa Binh Thanh" when "… Bình Thành" and "… Bình Thạnh" are registered: neither is guessed.
                message = _("the name fits several units: {names}; write the one meant").format(names="; ".join(fits))
                problems.append(Problem(f"{where}.units", message, entry))
            elif unknown or not found:
                problems.append(Problem(f"{where}.units", _("no unit or group has this name"), entry))
            elif not expand(found):
                message = _("this group has no unit: list the units the bot serves, or give the group members")
                problems.append(Problem(f"{where}.units", message, entry))
            targets += found
        codes = expand(targets)
        if not bot.units:
            message = _("this bot serves no unit: list the codes, names or groups of the units whose people use it")
            problems.append(Problem(f"{where}.units", message, bot.name))
        if len(codes) > users:
            message = _(
                "this bot serves {count} units, but a Zalo bot takes {users} users and each unit has at least "
                "its focal point: give some of its units to another bot (a paid Zalo plan that takes more: "
                "set channels: zalo: users_per_bot)"
            ).format(count=len(codes), users=users)
            problems.append(Problem(f"{where}.units", message, bot.name))
        taken: dict[int, list[str]] = {}  # the other bot (its index) → the units of this one it serves
        for code in codes:
            other = served.setdefault(code, i)
            if other != i:
                taken.setdefault(other, []).append(code)
        for other, shared in taken.items():
            name = registry.zalo_bots[other].name
            if len(shared) == 1:
                message = _("this unit is already served by bot {bot}").format(bot=name)
            else:
                message = _("these {count} units are already served by bot {bot}: a unit has one bot").format(
                    count=len(shared), bot=name
                )
            problems.append(Problem(f"{where}.units", message, ", ".join(shared)))
        bot.units = codes


def _add_name(
    matcher: UnitMatcher,
    name: str,
    target: Target,
    owners: dict[Target, str],
    where: str,
    problems: list[Problem],
    *,
    code: bool = False,
) -> None:
    clash = matcher.add(name, target, code=code)
    if clash is not None:
        problems.append(Problem(where, _("this name already belongs to {other}").format(other=owners[clash]), name))


def build_matcher(registry: Registry) -> UnitMatcher:
    matcher = UnitMatcher()
    for unit in registry.units:
        target = Target(unit.code, (unit.code,), is_group=False)
        matcher.add(unit.code, target, code=True)
        for name in (unit.name, *unit.aliases):
            matcher.add(name, target)
    for group in registry.groups:
        target = Target(group.code, registry.members(group), is_group=True)
        matcher.add(group.code, target, code=True)
        for name in (group.name, *group.aliases):
            matcher.add(name, target)
    # "Văn phòng UBND tỉnh Quảng Trị": the organisation's own place (and its parent's) is part of a name.
    for place in (registry.organization, registry.parent):
        if place:
            matcher.add_place(place)
    return matcher


def load_registry(session: Session, organization: Organization) -> Registry:
    """The registry as stored (active units only), for matching appendix cells."""
    assert organization.id is not None
    units = session.exec(
        select(Unit).where(Unit.organization_id == organization.id, col(Unit.active)).order_by(col(Unit.position))
    ).all()
    groups = session.exec(
        select(UnitGroup).where(UnitGroup.organization_id == organization.id).order_by(col(UnitGroup.id))
    ).all()
    members = session.exec(
        select(UnitGroupMember.group_id, Unit.code)
        .join(Unit, col(Unit.id) == UnitGroupMember.unit_id)
        .where(Unit.organization_id == organization.id)
    ).all()
    by_unit: dict[str, list[str]] = {}
    group_code = {g.id: g.code for g in groups}
    for group_id, unit_code in members:
        by_unit.setdefault(unit_code, []).append(group_code[group_id])
    bots = session.exec(
        select(ZaloBot).where(ZaloBot.organization_id == organization.id).order_by(col(ZaloBot.position))
    ).all()
    parent = session.get(Organization, organization.parent_id) if organization.parent_id is not None else None
    return Registry(
        organization=organization.name,
        parent=parent.name if parent is not None else None,
        coordinator=organization.coordinator_code,
        units=[UnitSpec(u.code, u.name, list(u.aliases), by_unit.get(u.code, [])) for u in units],
        groups=[GroupSpec(g.code, g.name, list(g.aliases), g.all_units) for g in groups],
        zalo_bots=[ZaloBotSpec(b.name, b.display_name, b.token_env, list(b.units)) for b in bots],
    )


def apply_registry(session: Session, registry: Registry, *, new_organization: bool = False) -> RegistryChanges:
    """Write ``registry`` to the store: units updated by code, groups replaced.

    A registry naming an organisation the store does not hold is refused (:class:`InputError`) when
    the store already holds one, unless ``new_organization``: a mistyped name must not silently
    start a second organisation."""
    org = session.exec(select(Organization).where(Organization.name == registry.organization)).first()
    if org is None:
        names = list(session.exec(select(Organization.name).order_by(col(Organization.id))))
        if names and not new_organization:
            raise InputError([_other_organization(registry.organization, names)])
        org = Organization(name=registry.organization)
        session.add(org)
    org.coordinator_code = registry.coordinator
    parent_before = org.parent_id
    org.parent_id = _parent_id(session, registry, org)
    org.settings = {
        **org.settings,
        "reminders": registry.reminders,
        "channels": registry.channels,
        "extensions": registry.extensions,
        "ranking": registry.ranking,
    }
    session.flush()
    assert org.id is not None
    changes = RegistryChanges(
        organization=org.name, parent=registry.parent, parent_changed=org.parent_id != parent_before
    )

    existing = {u.code: u for u in session.exec(select(Unit).where(Unit.organization_id == org.id))}
    units: dict[str, Unit] = {}
    for position, spec in enumerate(registry.units):
        unit = existing.pop(spec.code, None)
        if unit is None:
            unit = Unit(organization_id=org.id, code=spec.code, name=spec.name)
            changes.added.append(spec.code)
        elif (unit.name, unit.aliases, unit.position, unit.active) != (
            spec.name,
            spec.aliases,
            position,
            True,
        ):
            changes.updated.append(spec.code)
        unit.name, unit.aliases, unit.position, unit.active = spec.name, list(spec.aliases), position, True
        session.add(unit)
        units[spec.code] = unit
    session.flush()

    # Groups are rebuilt: memberships go first (foreign keys), in explicit statements, because the
    # unit of work does not know that a member row depends on its group.
    old_groups = select(UnitGroup.id).where(UnitGroup.organization_id == org.id)
    session.exec(delete(UnitGroupMember).where(col(UnitGroupMember.group_id).in_(old_groups)))
    session.exec(delete(UnitGroup).where(col(UnitGroup.organization_id) == org.id))

    for dropped in existing.values():
        if _has_history(session, dropped):
            if dropped.active:
                changes.deactivated.append(dropped.code)
            dropped.active = False
            session.add(dropped)
        else:
            changes.removed.append(dropped.code)
            session.delete(dropped)

    for gspec in registry.groups:
        group = UnitGroup(
            organization_id=org.id,
            code=gspec.code,
            name=gspec.name,
            aliases=list(gspec.aliases),
            all_units=gspec.all_units,
        )
        session.add(group)
        session.flush()
        assert group.id is not None
        for code in registry.members(gspec):
            unit_id = units[code].id
            assert unit_id is not None
            session.add(UnitGroupMember(group_id=group.id, unit_id=unit_id))
    changes.groups = len(registry.groups)
    _write_zalo_bots(session, org.id, registry.zalo_bots)
    session.flush()
    return changes


def _write_zalo_bots(session: Session, organization_id: int, bots: list[ZaloBotSpec]) -> None:
    """The organisation's Zalo bots become the file's: updated by name, the others deleted."""
    existing = {b.name: b for b in session.exec(select(ZaloBot).where(ZaloBot.organization_id == organization_id))}
    for position, spec in enumerate(bots):
        bot = existing.pop(spec.name, None) or ZaloBot(
            organization_id=organization_id, name=spec.name, display_name="", token_env=""
        )
        bot.display_name, bot.token_env, bot.units, bot.position = (
            spec.display_name,
            spec.token_env,
            list(spec.units),
            position,
        )
        session.add(bot)
    for dropped in existing.values():
        session.delete(dropped)


def _parent_id(session: Session, registry: Registry, org: Organization) -> int | None:
    """The id of the organisation ``parent:`` names: it must be in the store already (its registry
    imported first) and must not be under ``org`` (no circle)."""
    if registry.parent is None:
        return None
    from dondoc.db.queries import organization_tree

    parent = session.exec(select(Organization).where(Organization.name == registry.parent)).first()
    if parent is None:
        names = ", ".join(session.exec(select(Organization.name).order_by(col(Organization.id))))
        message = _("no organisation named {name} in the store: import its registry first (known: {names})").format(
            name=registry.parent, names=names or "—"
        )
        raise InputError([Problem("parent", message, registry.parent)])
    assert parent.id is not None
    if org.id is not None and parent.id in organization_tree(session, [org.id]):
        message = _("{name} is already under {organization}: an organisation cannot be under itself").format(
            name=registry.parent, organization=registry.organization
        )
        raise InputError([Problem("parent", message, registry.parent)])
    return parent.id


def _other_organization(name: str, existing: list[str]) -> Problem:
    near = [other for other in existing if _likeness(name, other) > 0]
    if not near:  # an unrelated name: most likely a new organisation (a commune under its district)
        message = _(
            "the store holds another organisation ({names}): to add this one, give --new-organization; "
            "if the file means one of those, correct its name"
        ).format(names=", ".join(f"«{n}»" for n in existing))
        return Problem("organization", message, name)
    nearest = max(near, key=lambda other: _likeness(name, other))
    message = _(
        "the store holds another organisation ({names}); the nearest is «{nearest}». Correct the name, "
        "or give --new-organization to create a second organisation"
    ).format(names=", ".join(f"«{n}»" for n in existing), nearest=nearest)
    return Problem("organization", message, name)


_SHORT_FORMS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan"}


def _likeness(name: str, other: str) -> float:
    """How alike two organisations' names are, 0 when not near enough to mean the same one: the same
    name but for a typo ("Long Mĩ"), a short form ("UBND") or words added at either end. Names of one
    kind share much ("Ủy ban nhân dân huyện …", "… tỉnh Hậu Giang"): what differs between them must
    be alike too ("huyện Long Mỹ" is not "tỉnh Hậu Giang")."""
    first, second = (
        " ".join(_SHORT_FORMS.get(w, w) for w in match_key(text).split()).split() for text in (name, other)
    )
    whole = SequenceMatcher(None, " ".join(first), " ".join(second)).ratio()
    while first and second and first[0] == second[0]:
        first, second = first[1:], second[1:]
    while first and second and first[-1] == second[-1]:
        first, second = first[:-1], second[:-1]
    if not first or not second:  # one is the other with words added
        return max(whole, 0.01)
    middle = SequenceMatcher(None, " ".join(first), " ".join(second)).ratio()
    return whole if whole >= 0.9 or middle >= 0.75 else 0.0


def _has_history(session: Session, unit: Unit) -> bool:
    """Whether rows point at ``unit``: assignments, memberships or invites (used or pending)."""
    return any(
        session.exec(select(model.id).where(model.unit_id == unit.id).limit(1)).first() is not None
        for model in (Assignment, Membership, Invite)
    )
