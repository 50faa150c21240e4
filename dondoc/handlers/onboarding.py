"""Getting in: invites, /start, and the small commands everyone has (/whoami, /help, /lang, /cancel).

An invite is a one-time code bound to a unit and role. Only its SHA-256 is stored; it expires, and it
is short and unambiguous enough to type on a phone (``K7QM-3FXP``: no 0/O or 1/I), in the characters
a Telegram deep link allows. On Zalo each unit is served by one bot (:mod:`dondoc.plan.zalo_bots`):
invites name it, and a code sent to another Zalo bot is refused and stays valid.

A *link code* (``/link``) is an invite that adds a chat account to the person who asked for it (their
Telegram and their Zalo, say) instead of registering someone new: hashed, single use, valid
:data:`LINK_VALIDITY`, and only from a chat that is not registered yet.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    ChannelAccount,
    Invite,
    MemberRole,
    Membership,
    Organization,
    Person,
    Role,
    Task,
    Unit,
)
from dondoc.db.queries import current_plan
from dondoc.handlers import figures, oneline, report
from dondoc.handlers.absences import absence_lines
from dondoc.handlers.context import MANAGING_ROLES, REPORTING_ROLES, Context, MenuFlow
from dondoc.handlers.events import channel_family, esc, shown_length
from dondoc.handlers.personal import summary as reminder_summary
from dondoc.handlers.reminders import PLAIN_MESSAGE_LIMIT, compact_unit_name
from dondoc.i18n import LANGUAGES, N_, _, format_datetime, set_language
from dondoc.plan import invite_guard
from dondoc.plan.progress import several_units
from dondoc.plan.registry import build_matcher, load_registry
from dondoc.plan.units import expand
from dondoc.plan.zalo_bots import ZaloBotInfo, is_zalo, stored_zalo_bots, zalo_bot_serving
from dondoc.plan.zalo_users import full_bot_warning
from dondoc.scheduler.outbox import release_held
from dondoc.text import match_key

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_VALIDITY = timedelta(minutes=15)  # a link code is typed at once, on the person's other phone app
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$")

ROLE_NAMES = {
    MemberRole.FOCAL: N_("focal point"),
    MemberRole.DEPUTY: N_("deputy focal point"),
    MemberRole.MANAGER: N_("manager"),
    MemberRole.ADMIN: N_("administrator"),
    # Held over the organisations under one's own: a province's, a ministry's or a department's (the
    # stored value stays "province"), so its name says no level.
    MemberRole.PROVINCE: N_("overall follow-up"),
}


@dataclass(frozen=True)
class NewInvite:
    code: str
    unit: Unit
    role: MemberRole
    expires_at: datetime

    def link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.code}"


def hash_code(code: str) -> str:
    """What the store keeps of an invite code: its SHA-256, dash and case ignored."""
    normal = code.replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def create_invite(
    session: Session,
    unit: Unit,
    role: MemberRole,
    now: datetime,
    valid_for: timedelta,
    *,
    link_person: Person | None = None,
    created_by: Person | None = None,
) -> NewInvite:
    """A new one-time code for ``unit`` and ``role`` (with ``link_person``: a link code adding a chat
    account to that person, who holds ``role`` in ``unit``), made by ``created_by`` (None: the command
    line); the caller commits."""
    assert unit.id is not None
    raw = "".join(secrets.choice(CODE_ALPHABET) for position in range(CODE_LENGTH))
    code = f"{raw[:4]}-{raw[4:]}"
    expires = now + valid_for
    session.add(
        Invite(
            code_hash=hash_code(code),
            unit_id=unit.id,
            role=role,
            created_at=now,
            expires_at=expires,
            link_person_id=link_person.id if link_person is not None else None,
            created_by_person_id=created_by.id if created_by is not None else None,
        )
    )
    return NewInvite(code=code, unit=unit, role=role, expires_at=expires)


def zalo_instructions(bot: ZaloBotInfo, code: str) -> str:
    """How to send ``code`` to ``bot`` on Zalo, in plain text ("Mở Zalo, tìm Bot CCHC Long Mỹ 1, gửi mã …")."""
    if bot.display_name:
        return _("Open Zalo, find {bot} and send the code {code}").format(bot=bot.display_name, code=code)
    return _("Open Zalo, find the plan's bot and send the code {code}").format(code=code)


def find_unit(session: Session, organization_id: int | None, typed: str) -> Unit | None:
    """A unit typed by code or name, any case, with or without diacritics; None when none or several
    fit (:func:`units_typed`)."""
    found = units_typed(session, organization_id, typed)
    return found[0] if len(found) == 1 else None


def units_typed(session: Session, organization_id: int | None, typed: str) -> list[Unit]:
    """The units ``typed`` names by code or name, any case, with or without diacritics: one — or, when
    names differ only in their diacritics ("Bình Thành", "Bình Thạnh": two communes), the one whose
    name it spells, each of them when it spells none alone ("xa binh thanh"); none when none fits."""
    wanted = match_key(typed)
    query = select(Unit).where(col(Unit.active))
    if organization_id is not None:
        query = query.where(Unit.organization_id == organization_id)
    units = session.exec(query.order_by(col(Unit.position))).all()
    by_code = [unit for unit in units if match_key(unit.code) == wanted]
    if by_code:  # the code always works
        return by_code[:1]
    named = {unit.id: [n for n in (unit.name, *unit.aliases) if match_key(n) == wanted] for unit in units}
    fits = [unit for unit in units if named[unit.id]]
    if len(fits) < 2:
        return fits
    written = _written_words(typed)
    exact = [unit for unit in fits if any(_written_words(n) == written for n in named[unit.id])]
    if len(exact) == 1:
        return exact
    spelt = [unit for unit in fits if any(_spells(written, _written_words(n)) for n in named[unit.id])]
    return spelt if len(spelt) == 1 else fits


_NAME_WORD = re.compile(r"[^\W_]+")


def _written_words(text: str) -> list[str]:
    """The words of ``text`` as written, in lower case (NFC)."""
    return [w for w in _NAME_WORD.findall(unicodedata.normalize("NFC", text).lower()) if match_key(w)]


def _spells(written: list[str], name: list[str]) -> bool:
    """Whether words typed spell a name's words: each as the name writes it, or without diacritics."""
    return len(written) == len(name) and all(w == n or w == match_key(w) for w, n in zip(written, name, strict=True))


def units_refused(units: Sequence[Unit], typed: str) -> str:
    """Why ``typed`` names no unit: none does, or it fits several (names differing only in diacritics)."""
    if len(units) > 1:
        return several_units(typed, units, esc)
    return _("No unit called {unit}.").format(unit=esc(typed))


def role_name(role: MemberRole) -> str:
    return _(ROLE_NAMES[role])


# ---------------------------------------------------------------------- several units at once


def units_named(session: Session, organization: Organization, typed: str) -> tuple[list[Unit], bool]:
    """The units ``typed`` names, and whether it names several on purpose (a group, a list): a unit by
    code or name (:func:`units_typed`: several only for names differing in their diacritics, never a
    guess), else a group or a list read as the appendix reads its cells ("xa", "UBND các xã, phường",
    "Xà Phiên, Lương Nghĩa"); none when any part of it names nothing."""
    assert organization.id is not None
    fits = units_typed(session, organization.id, typed)
    if fits:
        return fits, False
    reading = build_matcher(load_registry(session, organization)).read(typed)
    if not reading.targets or reading.unknown or reading.qualified:
        return [], False
    codes = expand(reading.targets)
    active = session.exec(
        select(Unit).where(Unit.organization_id == organization.id, col(Unit.active), col(Unit.code).in_(codes))
    ).all()
    by_code = {unit.code: unit for unit in active}
    units = [by_code[code] for code in codes if code in by_code]
    return units, len(reading.targets) > 1 or any(target.is_group for target in reading.targets)


def nearest_names(session: Session, organization: Organization, typed: str) -> list[str]:
    """The registered unit and group names nearest to ``typed`` (for "did you mean …?")."""
    return build_matcher(load_registry(session, organization)).suggest(typed)


def already_invited(
    session: Session, units: Sequence[Unit], role: MemberRole, now: datetime
) -> tuple[set[int], set[int]]:
    """Of ``units``, the ids of those where someone holds ``role``, and of the others that have a pending
    invite for it (unused, unexpired, not withdrawn; link codes are not invites)."""
    ids = [unit.id for unit in units]
    bound = set(
        session.exec(select(Membership.unit_id).where(col(Membership.unit_id).in_(ids), Membership.role == role))
    )
    pending = set(
        session.exec(
            select(Invite.unit_id).where(
                col(Invite.unit_id).in_(ids),
                Invite.role == role,
                col(Invite.used_at).is_(None),
                col(Invite.revoked_at).is_(None),
                col(Invite.link_person_id).is_(None),
                col(Invite.expires_at) > now,
            )
        )
    )
    return bound, pending - bound


# ---------------------------------------------------------------------- strangers and /start


def start(ctx: Context, args: str) -> None:
    """``/start CODE`` binds the account; plain ``/start`` greets or explains how to get in."""
    if args:
        redeem(ctx, args)
        return
    if ctx.known:
        ctx.reply(_("Welcome back. Type /help to see what you can do."))
        return
    stranger(ctx, "")


def stranger(ctx: Context, text: str) -> None:
    """Someone not bound to any unit: a typed invite code works, anything else gets the explanation."""
    if text and _CODE_SHAPE.match(text.strip()):
        redeem(ctx, text.strip())
        return
    ctx.reply(
        _(
            "Greetings. This bot follows up the tasks of an action plan with each unit's focal point.\n"
            "To use it you need an invite code from the office that follows up the plan. "
            "Open the invite link, or type the code here (for example <code>K7QM-3FXP</code>)."
        )
    )


def typed_code(ctx: Context, text: str) -> bool:
    """Redeem a code that someone already bound typed on its own — on Zalo the only way to use one: the
    invite to a new role, a code sent twice; whether ``text`` was one. Eight letters without a dash
    are a code only when an invite has it (a word is not counted as a wrong code)."""
    typed = text.strip()
    if not _CODE_SHAPE.match(typed):
        return False
    if (
        "-" not in typed
        and ctx.session.exec(select(Invite.id).where(Invite.code_hash == hash_code(typed))).first() is None
    ):
        return False
    redeem(ctx, typed)
    return True


def _already_theirs(ctx: Context, invite: Invite) -> str | None:
    """What to tell someone who sends again the code they used and still hold its role (None when they
    do not): that they are registered, not to ask for a new code."""
    if ctx.person is None or invite.used_by_person_id != ctx.person.id:
        return None
    for membership, unit in ctx.memberships:
        if membership.unit_id == invite.unit_id and membership.role == invite.role:
            return (
                _("You have already used this code: you are {role} of {unit}.").format(
                    role=role_name(membership.role), unit=f"<b>{esc(unit.name)}</b>"
                )
                + " "
                + _("Type /help to see what you can do.")
            )
    return None


def redeem(ctx: Context, code: str) -> None:
    chat = (ctx.inbound.channel, ctx.inbound.chat_id)
    until = invite_guard.locked_until(ctx.session, *chat, ctx.now)
    if until is not None:  # not even checked: a right code would make the lockout useless
        ctx.reply(_locked_out(until))
        return
    invite = ctx.session.exec(select(Invite).where(Invite.code_hash == hash_code(code.strip()))).first()
    usable = invite is not None and invite.used_at is None and invite.revoked_at is None
    if invite is not None and usable and invite.expires_at > ctx.now:
        refusal = _not_here(ctx, invite)
        if refusal is not None:  # refused before it is claimed: the code stays valid
            ctx.reply(refusal)
            return
    if invite is None or not usable or invite.expires_at <= ctx.now or not _claim(ctx, invite):
        again = _already_theirs(ctx, invite) if invite is not None and invite.used_at is not None else None
        if again is not None:
            ctx.reply(again)
            return
        reason = (
            _("This invite code has already been used.")
            if invite is not None and invite.used_at is not None
            else _("This invite code has been withdrawn.")
            if invite is not None and invite.revoked_at is not None
            else _("This invite code has expired.")
            if invite is not None
            else _("This invite code is not valid.")
        )
        lockout = invite_guard.record_wrong(ctx.session, *chat, ctx.now) if invite is None else None
        ctx.reply(
            reason
            + " "
            + (_locked_out(lockout) if lockout else _("Please ask the office that follows up the plan for a new one."))
        )
        return
    invite_guard.redeemed(ctx.session, *chat)
    if invite.link_person_id is not None:
        _link(ctx, invite)
        return
    unit = ctx.session.get(Unit, invite.unit_id)
    assert unit is not None
    person = ctx.person
    if person is None:
        inbound = ctx.inbound
        person = Person(
            organization_id=unit.organization_id,
            full_name=inbound.display_name,
            created_at=ctx.now,
        )
        ctx.session.add(person)
        ctx.session.flush()
        _add_account(ctx, person)
    assert person.id is not None and unit.id is not None
    exists = ctx.session.exec(
        select(Membership).where(
            Membership.person_id == person.id, Membership.unit_id == unit.id, Membership.role == invite.role
        )
    ).first()
    if exists is None:
        membership = Membership(person_id=person.id, unit_id=unit.id, role=invite.role, created_at=ctx.now)
        ctx.session.add(membership)
        ctx.memberships.append((membership, unit))
    person.unreachable = False
    invite.used_by_person_id = person.id
    if invite.role in (MemberRole.FOCAL, MemberRole.DEPUTY):
        release_held(ctx.session, unit.id, ctx.now)  # reminders kept while the unit had nobody
    ctx.session.add_all([person, invite])
    ctx.reply(
        _("Greetings, comrade {name}. You are now registered as {role} of {unit}.").format(
            name=esc(person.full_name or ctx.inbound.display_name or ""),
            role=role_name(invite.role),
            unit=f"<b>{esc(unit.name)}</b>",
        )
        + "\n"
        + _help_text(ctx)
    )


def _locked_out(until: datetime) -> str:
    return _("Too many wrong invite codes were sent from this chat. Please try again after {time}.").format(
        time=format_datetime(until)
    )


def _add_account(ctx: Context, person: Person) -> None:
    """This chat account, for ``person``."""
    assert person.id is not None
    inbound = ctx.inbound
    account = ChannelAccount(
        person_id=person.id,
        channel=inbound.channel,
        external_id=inbound.user_id,
        chat_id=inbound.chat_id,
        language_code=inbound.language_code,
    )
    ctx.session.add(account)
    ctx.account, ctx.person = account, person


def _not_here(ctx: Context, invite: Invite) -> str | None:
    """Why a valid code cannot be used from this chat (None when it can): a link code from a chat
    already registered, or a code sent to a Zalo bot that does not serve its unit."""
    if invite.link_person_id is not None and ctx.person is not None:
        if ctx.person.id == invite.link_person_id:
            return _("This chat is already linked to you.")
        return _("A link code works only from a chat that is not registered yet. The code is still valid.")
    if not is_zalo(ctx.inbound.channel):
        return None
    unit = ctx.session.get(Unit, invite.unit_id)
    assert unit is not None
    bot = zalo_bot_serving(ctx.session, unit, ctx.settings.zalo)
    if bot is None or bot.key == ctx.inbound.channel:
        return None  # served by this bot, or by no bot in particular
    if bot.display_name:
        return _(
            "This code is for {bot} on Zalo, not for this bot. Please send it to {bot}: the code is still valid."
        ).format(bot=f"<b>{esc(bot.display_name)}</b>")
    return _("This code is not for this bot: please send it to the plan's other Zalo bot. The code is still valid.")


def _link(ctx: Context, invite: Invite) -> None:
    """A claimed link code: this chat account joins the person who asked for the code."""
    person = ctx.session.get(Person, invite.link_person_id)
    assert person is not None
    _add_account(ctx, person)
    invite.used_by_person_id = person.id
    was_unreachable, person.unreachable = person.unreachable, False
    ctx.session.add_all([person, invite])
    ctx.session.flush()
    ctx.load_identity()
    if was_unreachable:  # reminders kept while the person could not be reached go out again
        for unit in ctx.reporting_units():
            assert unit.id is not None
            release_held(ctx.session, unit.id, ctx.now)
    ctx.reply(_("Linked: you can work from this chat too.") + "\n\n" + _registration(ctx))


def _claim(ctx: Context, invite: Invite) -> bool:
    """Mark ``invite`` used, atomically: one conditional UPDATE, and only the redeemer whose UPDATE
    changed the row goes on. Others redeeming the same code at the same moment find it used (the
    database serialises the UPDATEs and re-checks the condition on the row as committed)."""
    claimed = ctx.session.connection().execute(
        update(Invite).where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None)).values(used_at=ctx.now)
    )
    if claimed.rowcount == 1:
        invite.used_at = ctx.now
        return True
    ctx.session.refresh(invite)  # someone else's redemption committed first: tell why it is refused
    return False


# ---------------------------------------------------------------------- everyone's commands


def whoami(ctx: Context, _args: str) -> None:
    ctx.reply(_registration(ctx))


def _registration(ctx: Context) -> str:
    """The person's units and roles, and the chats linked to them."""
    lines = [_("You are registered as:")]
    for membership, unit in ctx.memberships:
        lines.append(f"• {role_name(membership.role)} — <b>{esc(unit.name)}</b> ({esc(unit.code)})")
    assert ctx.person is not None
    accounts = ctx.session.exec(
        select(ChannelAccount).where(ChannelAccount.person_id == ctx.person.id).order_by(col(ChannelAccount.id))
    ).all()
    lines += ["", _("Your chats:")]
    this_chat = _("this chat")
    for account in accounts:
        here = f" ({this_chat})" if ctx.account is not None and account.id == ctx.account.id else ""
        lines.append(f"• {channel_label(ctx, account)}{here}")
    lines.append(_("Reminders go to the chat you wrote from last. To use another chat too: /link"))
    away = absence_lines(ctx)
    if away:
        lines += ["", *away]
    if ctx.has_role(*REPORTING_ROLES):
        lines.append(reminder_summary(ctx))
    return "\n".join(lines)


def channel_label(ctx: Context, account: ChannelAccount) -> str:
    """The chat app of ``account`` as the person reads it in chat (HTML): :func:`channel_name`."""
    bots: list[ZaloBotInfo] = []
    if channel_family(account.channel) == "zalo":
        bots = [
            b for org in {u.organization_id for _m, u in ctx.memberships} for b in stored_zalo_bots(ctx.session, org)
        ]
        if ctx.settings.zalo is not None:
            bots.append(ctx.settings.zalo)
    return esc(channel_name(account.channel, bots))


def channel_name(channel: str, bots: Iterable[ZaloBotInfo] = ()) -> str:
    """A channel key as people read it (plain text), in chat and on the command line alike:
    "Telegram", "Zalo" (with the display name of the bot among ``bots`` that the key is, when it has
    one); a key of another family as it is. Output for programs (``--json``) keeps the key."""
    family = channel_family(channel)
    if family == "telegram":
        return "Telegram"
    if family == "zalo":
        bot = next((b for b in bots if b.key == channel and b.display_name), None)
        return "Zalo" + (f" — {bot.display_name}" if bot else "")
    return channel


def link(ctx: Context, args: str) -> None:
    """``/link``: a code that, sent from another chat (Zalo, Telegram), adds that chat to this person;
    ``/link CODE`` from that chat uses it."""
    if args:
        redeem(ctx, args)
        return
    assert ctx.person is not None and ctx.memberships
    membership, unit = ctx.memberships[0]
    new = create_invite(
        ctx.session, unit, membership.role, ctx.now, LINK_VALIDITY, link_person=ctx.person, created_by=ctx.person
    )
    minutes = int(LINK_VALIDITY.total_seconds() // 60)
    lines = [
        _("To use another chat too (Zalo or Telegram), send this code from it within {minutes} minutes:").format(
            minutes=minutes
        ),
        f"<code>{new.code}</code>",
    ]
    bot = zalo_bot_serving(ctx.session, unit, ctx.settings.zalo)
    if bot is not None and bot.key != ctx.inbound.channel:
        lines.append(esc(zalo_instructions(bot, new.code)))
    lines.append(_("Reminders go to the chat you wrote from last."))
    ctx.reply("\n".join(lines))


def help_command(ctx: Context, _args: str) -> None:
    ctx.reply(_help_text(ctx))


def _help_text(ctx: Context) -> str:
    from dondoc.handlers.dispatcher import commands_for  # the command table imports this module

    lines = [_("What you can do:")]
    examples = _examples(ctx)
    lines += [f"/{c.name} — {_own_codes(_help_line(ctx, c.name, c.help), examples)}" for c in commands_for(ctx)]
    if ctx.has_role(*REPORTING_ROLES):
        views = report.my_assignments(ctx)
        lines += ["", oneline.syntax(esc(views[0].task.code) if views else "I.1", report.issuer(ctx))]
        lines += figures.due_lines(ctx)
    return "\n".join(lines)


def _help_line(ctx: Context, name: str, text: str) -> str:
    """A command's line of /help: /invite names the province role to whom it means something."""
    if name == "invite" and _invites_a_province(ctx):
        return _("invite someone: /invite UNIT focal|deputy|manager|admin|province")
    if name == "giaitrinh":  # each side's own form only, both for someone who is both
        managing, reporting = ctx.has_role(*MANAGING_ROLES), ctx.has_role(*REPORTING_ROLES)
        if reporting and not managing:
            return _("explain an overdue item asked of your unit: /giaitrinh III.4 TEXT; /giaitrinh lists the requests")
        if managing and not reporting:
            return _("ask a unit to explain an overdue item: /giaitrinh XP III.4")
    return _(text)


# The example codes of the commands' help (the sample plan's), replaced by the person's own: a commune
# whose plan has no task III.4 and no unit XP is not told to type them.
_EXAMPLE_CODES = re.compile(r"(?<![\w.])(III\.4|I\.2|XP|LN)(?![\w.])")


def _examples(ctx: Context) -> dict[str, str]:
    """The person's own codes for the help's examples: two units of their organisation (others than
    their own first), and a task of their plan (one they report on first); the units alone before
    the plan is imported (an administrator invites people first); none for a lone unit."""
    org_ids = [unit.organization_id for _membership, unit in ctx.memberships]
    if not org_ids:
        return {}
    own = {unit.code for _membership, unit in ctx.memberships}
    units = sorted(
        ctx.session.exec(select(Unit.code, Unit.position).where(Unit.organization_id == org_ids[0], col(Unit.active))),
        key=lambda row: (row[0] in own, row[1]),
    )
    if len(units) < 2:
        return {}
    examples = {"XP": units[0][0], "LN": units[1][0]}
    plan = current_plan(ctx.session, org_ids[0])
    if plan is None:
        return examples
    mine = report.my_assignments(ctx) if ctx.has_role(*REPORTING_ROLES) else []
    tasks = [view.task.code for view in mine] or list(
        ctx.session.exec(
            select(Task.code).where(Task.plan_id == plan.id, col(Task.active)).order_by(col(Task.position)).limit(2)
        )
    )
    if not mine:
        # A manager's "/giaitrinh XP III.4": a task and a unit that leads it (another than their own), so
        # that the example, typed as it is, asks something that can be asked.
        led = ctx.session.exec(
            select(Unit.code, Task.code)
            .join(Assignment, col(Assignment.unit_id) == Unit.id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(
                Task.plan_id == plan.id,
                col(Task.active),
                col(Assignment.active),
                Assignment.role == Role.LEAD,
                col(Unit.code).not_in(own),
            )
            .order_by(col(Task.position), col(Assignment.position))
            .limit(1)
        ).first()
        if led is not None:
            unit, task = led
            others = [code for code, _position in units if code != unit]
            examples |= {"XP": unit, "LN": others[0]}
            tasks = [task, *(code for code in tasks if code != task)]
    if tasks:
        examples |= {"III.4": tasks[0], "I.2": tasks[1] if len(tasks) > 1 else tasks[0]}
    return examples


def with_own_codes(ctx: Context, line: str) -> str:
    """``line`` (a usage message) with the sample's example codes replaced by the person's own."""
    return _own_codes(line, _examples(ctx))


def _own_codes(line: str, examples: dict[str, str]) -> str:
    """``line`` with the sample's example codes replaced by ``examples`` (escaped: codes come from files)."""
    if not examples:
        return line
    return _EXAMPLE_CODES.sub(lambda found: esc(examples.get(found.group(1), found.group(1))), line)


def _invites_a_province(ctx: Context) -> bool:
    """Whether an organisation this person administers has organisations under it (a province): only
    there does the province role see more than the organisation's own plans."""
    administered = ctx.organizations(MemberRole.ADMIN)
    return bool(administered) and (
        ctx.session.exec(select(Organization.id).where(col(Organization.parent_id).in_(administered))).first()
        is not None
    )


def cancel(ctx: Context, _args: str) -> None:
    if ctx.flow:
        ctx.end()
        ctx.reply(_("Cancelled. Nothing was saved."))
    else:
        ctx.reply(_("There is nothing to cancel."))


def language(ctx: Context, args: str) -> None:
    choice = args.strip().lower()
    if choice in LANGUAGES:
        _set_language(ctx, choice)
        return
    ctx.go("lang", "choose")
    ctx.reply(_("Choose a language:"), ctx.offer([[("Tiếng Việt", "vi"), ("English", "en")]]))


def _set_language(ctx: Context, choice: str) -> None:
    assert ctx.person is not None
    ctx.person.language = choice
    ctx.session.add(ctx.person)
    set_language(choice)
    ctx.end()
    ctx.reply(_("From now on I will write to you in English."))


class _LanguageFlow(MenuFlow):
    def on_action(self, ctx: Context, action: str) -> None:
        _set_language(ctx, action)

    def on_text(self, ctx: Context, text: str) -> None:
        typed = text.strip().lower()
        if typed in LANGUAGES:
            _set_language(ctx, typed)
        elif ctx.resolve_typed(text) is None:
            ctx.reply(_("Please choose vi or en."))
        else:
            super().on_text(ctx, text)


LANG_FLOW = _LanguageFlow()


def invite(ctx: Context, args: str) -> None:
    """``/invite UNIT ROLE`` (admins): a code and link for someone else to join."""
    parts = args.rsplit(" ", 1)
    roles = {r.value: r for r in MemberRole}
    if len(parts) != 2 or parts[1].lower() not in roles:
        if _invites_a_province(ctx):
            line = _("Usage: /invite UNIT focal|deputy|manager|admin|province — for example /invite XP focal")
        else:
            line = _("Usage: /invite UNIT focal|deputy|manager|admin — for example /invite XP focal")
        ctx.reply(with_own_codes(ctx, line))
        return
    # Only into the organisations where this person is an administrator, never another's by naming it.
    fits = [units_typed(ctx.session, org, parts[0]) for org in ctx.organizations(MemberRole.ADMIN)]
    unit = next((found[0] for found in fits if len(found) == 1), None)
    if unit is None and not any(fits):  # a group ("/invite UBND các xã focal"): a code for each unit
        for org_id in ctx.organizations(MemberRole.ADMIN):
            org = ctx.session.get(Organization, org_id)
            assert org is not None
            units, several = units_named(ctx.session, org, parts[0])
            if units and several:
                _invite_many(ctx, parts[0], units, roles[parts[1].lower()])
                return
    if unit is None:
        ctx.reply(units_refused([u for found in fits for u in found], parts[0]))
        return
    new = create_invite(ctx.session, unit, roles[parts[1].lower()], ctx.now, timedelta(days=7), created_by=ctx.person)
    lines = [
        _("Invite for {role} of {unit}, valid until {date}:").format(
            role=role_name(new.role),
            unit=f"<b>{esc(unit.name)}</b>",
            date=new.expires_at.strftime("%d/%m/%Y"),
        ),
        f"<code>{new.code}</code>",
    ]
    bot = zalo_bot_serving(ctx.session, unit, ctx.settings.zalo)
    if bot is not None:
        lines.append(esc(zalo_instructions(bot, new.code)))
    if ctx.settings.bot_username:  # the Telegram bot's link: none made up for a bot that is not ours
        lines.append(new.link(ctx.settings.bot_username))
    if bot is not None and (full := full_bot_warning(ctx.session, bot)):
        lines.append(esc(full))
    ctx.reply("\n".join(lines))


_PLACEHOLDER_CODE = "X" * (CODE_LENGTH + 1)  # a code's length, dash included: the reply measured before


def _invite_many(ctx: Context, typed: str, units: Sequence[Unit], role: MemberRole) -> None:
    """``/invite GROUP ROLE``: a code for each unit that has nobody in ``role`` and no pending code for
    it, one line a unit, in one message — or, when they would not fit in one (Zalo: 2,000 characters),
    none made and the command line named."""
    bound, pending = already_invited(ctx.session, units, role, ctx.now)
    todo = [unit for unit in units if unit.id not in bound and unit.id not in pending]
    skipped = [unit for unit in units if unit.id in bound or unit.id in pending]
    bots = {unit.id: zalo_bot_serving(ctx.session, unit, ctx.settings.zalo) for unit in todo}
    expires = ctx.now + timedelta(days=7)

    def message(codes: Sequence[str]) -> str:
        lines = [
            _("Invites for {role}, {count} units, valid until {date}:").format(
                role=role_name(role), count=len(todo), date=expires.strftime("%d/%m/%Y")
            )
        ]
        for unit, code in zip(todo, codes, strict=True):
            bot = bots[unit.id]
            on = f" — {esc(bot.display_name)}" if bot is not None and bot.display_name else ""
            lines.append(f"• {esc(compact_unit_name(unit.name))} ({esc(unit.code)}): <code>{code}</code>{on}")
        if any(bot is not None and bot.display_name for bot in bots.values()):
            lines.append(_("On Zalo, each unit sends its code to the bot named on its line."))
        if ctx.settings.bot_username:
            lines.append(
                _("On Telegram: open {link} and send the code.").format(
                    link=f"https://t.me/{ctx.settings.bot_username}"
                )
            )
        if skipped:
            lines.append(_skipped_line(role, len(bound), len(pending)))
        return "\n".join(lines)

    if not todo:
        ctx.reply(
            _("No invite made: every unit named already has one.") + " " + _skipped_line(role, len(bound), len(pending))
        )
        return
    if shown_length(message([_PLACEHOLDER_CODE] * len(todo))) > PLAIN_MESSAGE_LIMIT:
        ctx.reply(
            _(
                "{count} units: more codes than one message holds. Nothing was made. On the command line: "
                "dondoc invite create {group} --role {role} -o invites.xlsx"
            ).format(count=len(todo), group=esc(f'"{typed}"'), role=role.value)
        )
        return
    codes = [
        create_invite(ctx.session, unit, role, ctx.now, timedelta(days=7), created_by=ctx.person).code for unit in todo
    ]
    lines = [message(codes)]
    for bot in {bot.key: bot for bot in bots.values() if bot is not None}.values():
        if full := full_bot_warning(ctx.session, bot):
            lines.append(esc(full))
    ctx.reply("\n".join(lines))


def _skipped_line(role: MemberRole, bound: int, pending: int) -> str:
    return _("Skipped — already has a {role}: {bound}; already has a pending code: {pending}.").format(
        role=role_name(role), bound=bound, pending=pending
    )
