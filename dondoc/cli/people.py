"""``dondoc people …`` and ``dondoc forget``: who is bound, removing someone who left, erasing a
person's personal data and showing a person what is stored about them (Decree 13/2023/NĐ-CP).
Also ``dondoc invite list | revoke | attempts``, the invites' side of the same work."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import typer
from sqlmodel import Session, col, select

from dondoc.cli.common import (
    JsonOption,
    calendar,
    clock,
    current,
    fail,
    global_options,
    organization,
    print_json,
    registry_unit,
    store,
    usage,
)
from dondoc.db.models import Invite, MemberRole, Organization, Status, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.onboarding import channel_name, hash_code, role_name
from dondoc.handlers.personal import describe_settings, weekday_name
from dondoc.handlers.reminders import kind_label
from dondoc.i18n import N_, _, format_date, format_datetime, use_language
from dondoc.plan import invite_guard
from dondoc.plan.people import (
    PendingInvite,
    PersonInfo,
    administrators_left,
    bound_people,
    export_person,
    find_invite,
    find_people,
    forget_person,
    left_without_reporter,
    named_in_part,
    pending_invites,
    remove_person,
    revoke_invite,
)
from dondoc.plan.policy import Policy
from dondoc.plan.progress import status_label
from dondoc.plan.zalo_bots import stored_zalo_bots
from dondoc.scheduler import personal
from dondoc.text import match_key
from dondoc.tz import stored_in_vietnam

people_app = typer.Typer(help="The people bound to units, and their personal data.", no_args_is_help=True)

PersonArgument = Annotated[str, typer.Argument(help="Person id (12 or #12), name typed any way, or chat id.")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Unit code or name.")]


def _unit(session: Session, org_id: int | None, typed: str | None) -> Unit | None:
    if typed is None:
        return None
    return registry_unit(session, org_id, typed)


def _when(moment: datetime | None) -> str:
    return format_datetime(stored_in_vietnam(moment)) if moment is not None else "—"


def _print_invites(invites: list[PendingInvite]) -> None:
    """The pending invites and link codes, one line each (never their codes)."""
    typer.echo(_("Pending invites: {count}").format(count=len(invites)))
    for pending in invites:
        kind = (
            _("link code for #{person}").format(person=pending.invite.link_person_id)
            if pending.invite.link_person_id is not None
            else role_name(pending.invite.role)
        )
        typer.echo(
            f"  i{pending.id:<5} {kind} — {pending.unit.name} ({pending.unit.code}), "
            + _("valid until {date}").format(date=_when(pending.invite.expires_at))
        )


def _describe(info: PersonInfo) -> str:
    """``#12 Nguyễn Văn An`` and their roles, one line."""
    roles = "; ".join(f"{role_name(m.role)} — {u.name} ({u.code})" for m, u in info.memberships)
    return f"#{info.id} {info.person.full_name}" + (f": {roles}" if roles else "")


def _holding(people: list[PersonInfo], unit: Unit | None) -> list[PersonInfo]:
    """Those of ``people`` holding a role (in ``unit`` when given)."""
    return [info for info in people if any(unit is None or u.id == unit.id for _m, u in info.memberships)]


def _one_person(
    session: Session,
    org_id: int,
    typed: str,
    *,
    bound: bool = False,
    unit: Unit | None = None,
    every_role: bool = False,
) -> PersonInfo:
    """The one person ``typed`` names (among those holding a role in ``unit`` when given), with their
    roles in the organisation (in every organisation with ``every_role``: what ``forget`` erases and
    ``people export`` shows of the whole person); none or several end the command, listing the
    candidates."""
    found = find_people(session, org_id, typed, bound=bound, every_role=every_role)
    if unit is not None:
        found = _holding(found, unit)
    if len(found) == 1:
        return found[0]
    if not found:
        fail(_("nobody called {person}: give an id, a name or a chat id (see dondoc people list)").format(person=typed))
    lines = [
        _("{person} may be any of {count} people; nothing was changed. Give the id:").format(
            person=typed, count=len(found)
        )
    ]
    lines += [f"  {_describe(info)}" for info in found]
    fail("\n".join(lines))


def _named_fully(info: PersonInfo, typed: str) -> None:
    """End the command when ``typed`` named ``info`` by part of their name only: what is done without a
    question must name its person by id, chat id or whole name."""
    if named_in_part(info, typed):
        fail(
            _(
                "{typed} is only part of the name of {person}; nothing was changed. To go ahead without a "
                "question, give the id (#{id}), a chat id or the whole name."
            ).format(typed=typed, person=_describe(info), id=info.id)
        )


def _warn_last_administrator(session: Session, org: Organization, info: PersonInfo, unit: Unit | None) -> None:
    """Say so when ``info`` is the organisation's last administrator (in ``unit`` when given)."""
    assert org.id is not None
    holds = any(
        m.role == MemberRole.ADMIN and u.organization_id == org.id and (unit is None or u.id == unit.id)
        for m, u in info.memberships
    )
    if holds and not administrators_left(session, org.id, info, unit.id if unit is not None else None):
        typer.echo(
            _(
                "Note: #{id} {name} is the only administrator of {org}: without them, nobody can use /invite "
                "or /people in chat until another is invited (dondoc invite UNIT --role admin)."
            ).format(id=info.id, name=info.person.full_name, org=org.name),
            err=True,
        )


def _person_to_remove(session: Session, org_id: int, typed: str, unit: Unit | None, org_name: str) -> PersonInfo:
    """The one person ``typed`` names who holds a role (in ``unit`` when given) to end. A person found
    who holds none there is told apart from nobody found: nothing to do, exit 1 (like revoking an
    invite already revoked)."""
    holders = _holding(find_people(session, org_id, typed, bound=True), unit)
    if len(holders) == 1:
        return holders[0]
    found = [] if holders else find_people(session, org_id, typed)
    if not found:  # several holders, or nobody at all: listed, or "nobody called …"
        return _one_person(session, org_id, typed, bound=True, unit=unit)
    where = unit.code if unit is not None else org_name
    if len(found) == 1:
        fail(
            _("#{id} {name} has no role in {unit}; nothing was changed.").format(
                id=found[0].id, name=found[0].person.full_name, unit=where
            )
        )
    lines = [
        _("None of the {count} people called {person} has a role in {unit}; nothing was changed:").format(
            count=len(found), person=typed, unit=where
        )
    ]
    lines += [f"  {_describe(info)}" for info in found]
    fail("\n".join(lines))


@people_app.command("list")
@global_options
def people_list(unit: UnitOption = None, as_json: JsonOption = False) -> None:
    """Who is bound to which unit and role, their chats (with last use) and language; pending invites."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        chosen = _unit(session, org.id, unit)
        unit_id = chosen.id if chosen is not None else None
        people = bound_people(session, org.id, unit_id)
        invites = pending_invites(session, org.id, clock().now(), unit_id)
        if as_json:
            print_json({"people": [p.as_json() for p in people], "invites": [i.as_json() for i in invites]})
            return
        typer.echo(_("People bound: {count}").format(count=len(people)))
        bots = stored_zalo_bots(session, org.id)  # a Zalo account is named by its bot
        for info in people:
            typer.echo(f"#{info.id:<5} {info.person.full_name}  [{info.language}]")
            for membership, member_unit in info.memberships:
                typer.echo(f"        {role_name(membership.role)} — {member_unit.name} ({member_unit.code})")
            for account in info.accounts:
                typer.echo(
                    "        "
                    + _("{channel} {id}, last used {when}").format(
                        channel=channel_name(account.channel, bots),
                        id=account.external_id,
                        when=_when(account.last_used_at),
                    )
                )
        _print_invites(invites)


@people_app.command("remove")
@global_options
def people_remove(person: PersonArgument, unit: UnitOption = None) -> None:
    """End a person's memberships (all, or in one unit): no more reminders or commands for them; their
    reports stay."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        chosen = _unit(session, org.id, unit)
        info = _person_to_remove(session, org.id, person, chosen, org.name)
        _named_fully(info, person)  # removed without a question
        _warn_last_administrator(session, org, info, chosen)
        ended = remove_person(session, info, clock().now(), chosen.id if chosen is not None else None)
        for membership, ended_unit in ended:
            typer.echo(
                _("Removed #{id} {name}: {role} of {unit}.").format(
                    id=info.id, name=info.person.full_name, role=role_name(membership.role), unit=ended_unit.name
                )
            )
        for left in left_without_reporter(session, ended):
            typer.echo(
                _(
                    "{unit} has no focal point or deputy now: its reminders are held until someone is invited "
                    "({command})."
                ).format(unit=left.name, command=f"dondoc invite {left.code} --role focal")
            )


@people_app.command("settings")
@global_options
def people_settings(
    person: PersonArgument,
    send_time: Annotated[
        str | None, typer.Option("--time", help="Send time of their reminders, HH:MM within office hours.")
    ] = None,
    weekly: Annotated[
        str | None,
        typer.Option("--weekly", help="A weekly digest on this working day: monday … friday (thu-2 … thu-6)."),
    ] = None,
    daily: Annotated[bool, typer.Option("--daily", help="Daily reminders (the organisation's way).")] = False,
    mute_checkins: Annotated[
        bool | None,
        typer.Option("--mute-checkins/--no-mute-checkins", help="Mute the check-ins of continuous tasks, or not."),
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the organisation's policy for everything.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show or change a person's own reminder settings (what /nhacviec changes in chat): send time,
    weekly digest, muted check-ins. Due-day and overdue reminders and escalations are never muted."""
    changes = send_time is not None or weekly is not None or daily or mute_checkins is not None
    if weekly is not None and daily:
        usage(_("--weekly and --daily exclude each other"))
    if reset and changes:
        usage(_("--reset changes everything back: give it alone"))
    cal = calendar()
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        info = _one_person(session, org.id, person, bound=True)
        chosen = personal.load(session, info.id)
        if send_time is not None:
            found = personal.read_time(send_time)
            if found is None:
                fail(_("--time {value}: expected a time of day such as 14:00").format(value=send_time))
            chosen = replace(chosen, send_time=found)
        if weekly is not None:
            day = personal.read_weekday(weekly.replace("-", " "))
            if day is None:
                fail(_("--weekly {value}: expected a working weekday, monday to friday").format(value=weekly))
            chosen = replace(chosen, frequency=personal.WEEKLY, digest_weekday=day)
        if daily:
            chosen = replace(chosen, frequency=personal.DAILY, digest_weekday=None)
        if mute_checkins is not None:
            chosen = replace(chosen, mute_checkins=mute_checkins)
        if reset:
            chosen = personal.Personal()
        now = clock().now()
        if changes or reset:
            try:
                chosen = personal.save(session, info.id, chosen, now, cal)
            except personal.SettingError as error:
                fail(str(error))
            personal.replan_for(session, info.id, cal, now)
        policy = Policy.from_settings(org.settings.get("reminders", {}))
        lines = describe_settings(chosen, policy)
        if as_json:
            print_json(
                {
                    "person": info.id,
                    "name": info.person.full_name,
                    "send_time": f"{chosen.send_time:%H:%M}" if chosen.send_time else None,
                    "frequency": chosen.frequency,
                    "digest_weekday": chosen.digest_weekday,
                    "mute_checkins": chosen.mute_checkins,
                    "effective": {
                        "send_time": f"{chosen.send_time or policy.send_time:%H:%M}",
                        "frequency": personal.WEEKLY if chosen.weekly else personal.DAILY,
                        "digest_weekday": chosen.weekday if chosen.weekly else None,
                        "mute_checkins": chosen.muted,
                    },
                    "office_hours": personal.office_window(cal),
                }
            )
            return
        typer.echo(f"#{info.id} {info.person.full_name}")
        for line in lines:
            typer.echo(f"  {line}")


@people_app.command("export")
@global_options
def people_export(person: PersonArgument, as_json: JsonOption = False) -> None:
    """Everything stored about a person (person row, chats, memberships, invites, reports, conversation
    state, reminders delivered), to hand to them when they ask: readable text in the language of the
    command, or JSON with --json."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        info = _one_person(session, org.id, person, every_role=True)
        data = export_person(session, info)
        names = _export_names(session, data)
        heading = _("Personal data stored about #{id} {name} (Decree 13/2023/NĐ-CP), as of {time}").format(
            id=info.id, name=info.person.full_name, time=format_datetime(clock().now())
        )
    if as_json:
        print_json(data)
        return
    typer.echo(heading)
    for line in _export_lines(data, names):
        typer.echo(line)


# What ``people export`` prints, section by section: (key in the export, heading, label of one item
# or None for a single row, its fields in order). A field not listed (a column added later) still
# shows, after them, under its own name; the ones in _DERIVED repeat another field and are left out.
_SECTIONS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    (
        "person",
        N_("Person"),
        None,
        ("id", "full_name", "language", "organization_id", "unreachable", "created_at"),
    ),
    (
        "channel_accounts",
        N_("Chat accounts"),
        N_("Chat account {number}"),
        ("channel", "external_id", "chat_id", "language_code", "last_used_at", "id", "person_id"),
    ),
    ("memberships", N_("Roles"), N_("Role {number}"), ("role", "unit_id", "created_at", "id", "person_id")),
    (
        "invites",
        N_("Invites and link codes (never the codes)"),
        N_("Invite {number}"),
        (
            "role",
            "unit_id",
            "created_at",
            "expires_at",
            "used_at",
            "used_by_person_id",
            "link_person_id",
            "created_by_person_id",
            "revoked_at",
            "id",
        ),
    ),
    (
        "reports",
        N_("Reports"),
        N_("Report {number}"),
        (
            "task",
            "unit",
            "reported_at",
            "status",
            "percent",
            "note",
            "blocked_reason",
            "completed_on",
            "evidence_ref",
            "evidence_kind",
            "evidence_file_id",
            "entered_by_admin",
            "corrects_report_id",
            "withdraws",
            "restores_report_id",
            "reporter_person_id",
            "assignment_id",
            "id",
        ),
    ),
    (
        "conversations",
        N_("Conversations in progress"),
        N_("Conversation {number}"),
        ("channel", "chat_id", "user_id", "flow", "step", "data", "updated_at", "version", "id"),
    ),
    (
        "invite_attempts",
        N_("Wrong invite codes sent from their chats (never the codes)"),
        N_("Wrong code {number}"),
        ("channel", "chat_id", "attempted_at", "id"),
    ),
    (
        "reminders_received",
        N_("Reminders delivered to them"),
        N_("Reminder {number}"),
        ("sent_at", "kind", "due", "task", "unit", "message_id", "reminder_id", "person_id"),
    ),
    (
        "reminder_settings",
        N_("Their own reminder settings (/nhacviec)"),
        N_("Setting {number}"),
        ("send_time", "frequency", "digest_weekday", "mute_checkins", "updated_at", "id", "person_id"),
    ),
    (
        "absences",
        N_("Absences (/vangmat)"),
        N_("Absence {number}"),
        (
            "starts_on",
            "ends_on",
            "reason",
            "recorded_at",
            "recorded_by_person_id",
            "cancelled_at",
            "cancelled_by_person_id",
            "organization_id",
            "id",
            "person_id",
        ),
    ),
)
_DERIVED = frozenset({"unit_code", "unit_name"})  # a membership's unit, shown by its unit_id
_LABELS: dict[str, str] = {
    "id": N_("Id"),
    "full_name": N_("Full name"),
    "language": N_("Language"),
    "organization_id": N_("Organisation"),
    "unreachable": N_("Unreachable by chat"),
    "created_at": N_("Created"),
    "channel": N_("Chat app"),
    "external_id": N_("Account id"),
    "chat_id": N_("Chat id"),
    "language_code": N_("Language of the chat app"),
    "last_used_at": N_("Last used"),
    "person_id": N_("Person id"),
    "role": N_("Role"),
    "unit_id": N_("Unit"),
    "unit": N_("Unit"),
    "expires_at": N_("Valid until"),
    "used_at": N_("Used"),
    "used_by_person_id": N_("Used by"),
    "link_person_id": N_("Link code for"),
    "created_by_person_id": N_("Made by"),
    "revoked_at": N_("Revoked"),
    "task": N_("Task code"),
    "reported_at": N_("Reported"),
    "status": N_("Status"),
    "percent": N_("Percent done"),
    "note": N_("Note"),
    "blocked_reason": N_("Reason blocked"),
    "completed_on": N_("Completed on"),
    "evidence_ref": N_("Evidence"),
    "evidence_kind": N_("Kind of evidence"),
    "evidence_file_id": N_("Evidence file"),
    "entered_by_admin": N_("Entered by an administrator"),
    "corrects_report_id": N_("Corrects report"),
    "withdraws": N_("Withdraws the report it corrects"),
    "restores_report_id": N_("Brings back report"),
    "reporter_person_id": N_("Reported by"),
    "assignment_id": N_("Assignment id"),
    "user_id": N_("User id"),
    "flow": N_("Conversation"),
    "step": N_("Step"),
    "data": N_("Conversation data"),
    "updated_at": N_("Updated"),
    "version": N_("Version"),
    "attempted_at": N_("Sent"),
    "sent_at": N_("Sent"),
    "kind": N_("Kind"),
    "due": N_("Deadline"),
    "message_id": N_("Message id"),
    "reminder_id": N_("Reminder id"),
    "send_time": N_("Send time"),
    "frequency": N_("Frequency"),
    "digest_weekday": N_("Weekly digest day"),
    "mute_checkins": N_("Check-ins muted"),
    "starts_on": N_("From"),
    "ends_on": N_("To"),
    "reason": N_("Reason"),
    "recorded_at": N_("Recorded"),
    "recorded_by_person_id": N_("Recorded by"),
    "cancelled_at": N_("Cancelled"),
    "cancelled_by_person_id": N_("Cancelled by"),
}
_LANGUAGE_NAMES = {"vi": N_("Vietnamese"), "en": N_("English")}
_FREQUENCIES = {personal.DAILY: N_("Daily reminders"), personal.WEEKLY: N_("Weekly digest")}
_PERSON_FIELDS = frozenset(
    {
        "person_id",
        "used_by_person_id",
        "link_person_id",
        "created_by_person_id",
        "reporter_person_id",
        "recorded_by_person_id",
        "cancelled_by_person_id",
    }
)
_NOTHING = "—"


def _export_names(session: Session, data: dict[str, Any]) -> dict[tuple[str, int], str]:
    """The names of the units and organisations the export refers to by id, for its text."""
    names: dict[tuple[str, int], str] = {}
    unit_ids = {row["unit_id"] for key in ("memberships", "invites") for row in data[key]}
    units = list(session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))))
    # Units of several organisations (a person who redeemed another one's invite) may share a name:
    # each is then named with its organisation.
    org_ids = {unit.organization_id for unit in units}
    orgs = {org.id: org.name for org in session.exec(select(Organization).where(col(Organization.id).in_(org_ids)))}
    for unit in units:
        where = f", {orgs[unit.organization_id]}" if len(org_ids) > 1 and unit.organization_id in orgs else ""
        names["unit_id", unit.id or 0] = f"{unit.name} ({unit.code}){where}"
    found = session.get(Organization, data["person"]["organization_id"])
    if found is not None:
        names["organization_id", found.id or 0] = found.name
    return names


def _export_lines(data: dict[str, Any], names: dict[tuple[str, int], str]) -> list[str]:
    """``people export``'s text: each section under its heading, each item numbered, each field
    labelled, in the current language."""
    lines: list[str] = []
    for key, heading, item, fields in _SECTIONS:
        section = data.get(key)
        rows = section if isinstance(section, list) else [section]
        if not rows or rows == [None]:
            lines += ["", _(heading) + ": " + _("(none)")]
            continue
        lines += ["", f"{_(heading)}:"]
        for number, row in enumerate(rows, 1):
            pad = "  "
            if item is not None:
                lines.append(f"  {_(item).format(number=number)}:")
                pad = "    "
            extra = [name for name in row if name not in fields and name not in _DERIVED]
            for name in [*(f for f in fields if f in row), *extra]:
                label = _(_LABELS[name]) if name in _LABELS else name
                lines.append(f"{pad}{label}: {_export_value(name, row[name], names)}")
    for key in data:  # a section added later: its raw data
        if key not in {s[0] for s in _SECTIONS}:
            lines += ["", f"{key}: {json.dumps(data[key], ensure_ascii=False)}"]
    return lines


def _stored_data(value: Any) -> str:
    """A conversation's stored data (what it asked, what it keeps for ``hủy``) as people read it:
    ``key: value`` pairs, times in the current language's way."""
    if isinstance(value, dict):
        return "{" + "; ".join(f"{key}: {_stored_data(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_stored_data(item) for item in value) + "]"
    if isinstance(value, str) and len(value) > 18 and value[4:5] == "-" and "T" in value:
        try:
            return format_datetime(stored_in_vietnam(datetime.fromisoformat(value)))
        except ValueError:
            return value
    return _NOTHING if value is None else str(value)


def _export_value(name: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    """One stored value as people read it: dates and times in the current language's way, roles,
    statuses and kinds by their names, yes or no, "—" for nothing."""
    if value is None or value == "" or value == {}:
        return _NOTHING
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict | list):
        return _stored_data(value)
    text = str(value)
    if name == "channel":  # the chat app by its name, as the chat shows it
        return channel_name(text)
    try:
        if name.endswith("_at"):
            return format_datetime(stored_in_vietnam(datetime.fromisoformat(text)))
        if name in ("due", "completed_on", "starts_on", "ends_on"):
            return format_date(date.fromisoformat(text))
        if name == "send_time":
            return text[:5]
        if name == "role":
            return role_name(MemberRole(text))
        if name == "status":
            return status_label(Status(text))
        if name == "kind":
            return kind_label(text)
    except ValueError:  # a value these do not know (a kind added later): as stored
        return text
    if name in ("unit_id", "organization_id"):
        return names.get((name, int(value)), f"#{value}")
    if name in _PERSON_FIELDS:
        return f"#{value}"
    if name in ("language", "language_code") and text in _LANGUAGE_NAMES:
        return _(_LANGUAGE_NAMES[text])
    if name == "frequency" and text in _FREQUENCIES:
        return _(_FREQUENCIES[text])
    if name == "digest_weekday" and isinstance(value, int):
        return weekday_name(value)
    if name == "percent":
        return f"{value}%"
    return text


_YES = frozenset({"y", "yes", "c", "co", "dong y"})  # as match_key reads them: "có", "đồng ý" too


def _confirmed(question: str) -> bool:
    """Ask ``question`` on standard error in the current language, default no; yes is y, yes, c, có
    (or đồng ý). No answer (end of input, no input at all, Ctrl-C) is no."""
    typer.echo(_("{question} [y/N]: ").format(question=question), nl=False, err=True)
    typed = sys.stdin
    try:
        answer = typed.readline() if typed is not None else ""
    except KeyboardInterrupt:
        answer = ""
    if not answer.endswith("\n") or typed is None or not typed.isatty():
        typer.echo("", err=True)  # the answer's line break, when no one typed it
    return match_key(answer) in _YES


@global_options
def forget(
    person: PersonArgument,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Erase a person's personal data and chat ids (Decree 13/2023/NĐ-CP); their reports stay with
    their unit."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        info = _one_person(session, org.id, person, every_role=True)
        if yes:
            _named_fully(info, person)
        _warn_last_administrator(session, org, info, None)
        if not yes:
            question = _("Erase the personal data of {person}? Their reports stay with their unit.").format(
                person=_describe(info)
            )
            if not _confirmed(question):
                fail(_("Cancelled. Nothing was changed."))
        with use_language("vi"):  # what the store keeps is in the deployment's language
            placeholder = _("Deleted person #{id}").format(id=info.id)
        result = forget_person(session, info, clock().now(), placeholder)
    if as_json:
        print_json(result.as_json())
        return
    typer.echo(
        _(
            "Erased the personal data of #{id}: now «{name}»; {accounts} chat account(s) and {conversations} "
            "conversation(s) deleted, {memberships} membership(s) ended, {invites} invite(s) revoked; "
            "{reports} report(s) kept for their units."
        ).format(
            id=result.person_id,
            name=result.placeholder,
            accounts=result.accounts,
            conversations=result.conversations,
            memberships=result.memberships,
            invites=result.invites_revoked,
            reports=result.reports_kept,
        )
    )
    if result.absence_reasons:
        typer.echo(
            _("The reasons given for {count} absence(s) were erased too; their days stay.").format(
                count=result.absence_reasons
            )
        )


# ---------------------------------------------------------------------- dondoc invite list | revoke | attempts


def invite_list(as_json: JsonOption = False) -> None:
    """Pending invites and link codes (never their codes), with the id that revokes them."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        invites = pending_invites(session, org.id, clock().now())
        if as_json:
            print_json({"invites": [i.as_json() for i in invites]})
            return
        _print_invites(invites)


def _refuse_invite(invite: Invite | None, typed: str) -> NoReturn:
    if invite is None:
        fail(_("no invite {code}: give the code or the id that dondoc invite list shows (i12)").format(code=typed))
    if invite.used_at is not None:
        fail(
            _("the invite {code} was already used; remove the person instead (dondoc people remove)").format(code=typed)
        )
    if invite.revoked_at is not None:
        fail(_("the invite {code} was already revoked").format(code=typed))
    fail(_("the invite {code} has expired already").format(code=typed))


def invite_revoke(
    code: Annotated[str, typer.Argument(help="The invite code, or its id from dondoc invite list (i12).")],
) -> None:
    """Withdraw a pending invite or link code: it can no longer be used."""
    typed = code.strip()
    number = typed.lower().removeprefix("i").removeprefix("#")
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        invite = find_invite(session, org.id, code_hash=hash_code(typed))
        if invite is None and number.isascii() and number.isdigit():
            invite = find_invite(session, org.id, invite_id=int(number))
        if invite is None or not revoke_invite(session, invite, clock().now()):
            _refuse_invite(invite, typed)
        unit = session.get(Unit, invite.unit_id)
        assert unit is not None
        typer.echo(
            _("Revoked invite i{id} ({role} of {unit}).").format(
                id=invite.id, role=role_name(invite.role), unit=unit.name
            )
        )


def invite_attempts(as_json: JsonOption = False) -> None:
    """Chats that sent wrong invite codes (last 30 days) and the ones locked out now, on the whole
    deployment: a wrong code names no organisation, so --org does not filter them."""
    # What is stored of a wrong code is the chat and the time: nothing ties it to an organisation
    # (an expired or revoked code is not counted as wrong), so every organisation's administrator sees
    # the same deployment-wide list, and the header says so.
    with session_scope(store()) as session:
        found = invite_guard.attempts(session, clock().now())
        org = organization(session).name if current().org else None
    if as_json:
        print_json({"scope": "deployment", "attempts": [a.as_json() for a in found]})
        return
    if org is None:
        head = _("Chats that sent wrong invite codes, on the whole deployment: {count}")
    else:
        head = _(
            "Chats that sent wrong invite codes, on the whole deployment (not only {org}: a wrong code names "
            "no organisation, so --org does not filter them): {count}"
        )
    typer.echo(head.format(count=len(found), org=org))
    for chat in found:
        locked = (
            ", " + _("locked until {time}").format(time=format_datetime(chat.locked_until)) if chat.locked_until else ""
        )
        typer.echo(
            f"  {_chat_of(chat.channel, chat.chat_id)} — "
            + _("{wrong} wrong, last {when}").format(wrong=chat.wrong, when=_when(chat.last_at))
            + locked
        )


def _chat_of(channel: str, chat_id: str) -> str:
    """A chat as people read it: "Telegram 100000003"; on a channel with no name for people, its key
    and chat id ("test:666")."""
    name = channel_name(channel)
    return f"{name} {chat_id}" if name != channel else f"{channel}:{chat_id}"


class InviteGroup(typer.core.TyperGroup):
    """``dondoc invite UNIT …`` makes an invite as before; ``list``, ``revoke`` and ``attempts`` are
    subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's own (vendored) click Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["create", *args]
        return super().parse_args(ctx, args)
