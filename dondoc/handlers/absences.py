"""``/vangmat``: absences (vắng mặt). While a focal point or deputy is away, the reminders they would
get go to whoever stands in for them (:mod:`dondoc.plan.absences`), and come back afterwards.

- ``/vangmat 10/06 20/06 nghỉ phép`` records one for oneself (dates as people type them: ``10/06``,
  ``10/6/2022``, ``10/06-20/06``, ``từ 10/06 đến 20/06``; one date is one day);
- ``/vangmat`` shows one's absences to come (and, to an administrator or a manager, those in their
  units), each with a **Hủy** button (numbered on Zalo); ``/vangmat hủy 12`` cancels no. 12 in one line;
- ``/vangmat NAME 10/06 20/06 [lý do]``: an administrator (anyone in the organisation) or a manager
  (anyone in their units) records one for someone; several people answering to NAME are offered as
  choices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from dondoc.db.models import Absence, ChannelAccount, MemberRole, Membership, Person, Unit
from dondoc.db.queries import organization_unit_ids
from dondoc.handlers.context import Context, split_action
from dondoc.handlers.events import Address, Attachment, esc
from dondoc.i18n import _, format_date
from dondoc.plan import absences
from dondoc.plan.absences import AbsenceError, AbsenceProblem, Cover
from dondoc.plan.dates import DateProblem, describe_day, read_date
from dondoc.plan.people import find_people
from dondoc.text import match_key
from dondoc.tz import in_vietnam

FLOW_NAME = "absence"
MAX_SHOWN = 10  # absences listed with a cancel button
MAX_LISTED = 30  # absences listed at all (a Zalo message holds 2,000 characters)
_RANGE = re.compile(r"^(\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?)[-–](\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?)$")
_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?$")
_YEAR_TYPED = re.compile(r"[/.-]\d{1,4}[/.-]\d{2,4}$")
# A day typed without its year that is this long past is meant in the next year ("05/01" in December).
ROLL_OVER_DAYS = 60
_CONNECTORS = {"tu", "den", "toi", "-", "–", "→"}
_CANCEL_WORDS = {"huy", "cancel", "xoa"}


def usage() -> str:
    return _(
        "Usage: /vangmat 10/06 20/06 REASON — your reminders go to your unit's deputy focal point meanwhile. "
        "/vangmat alone lists your absences (to cancel one). Administrators and managers: "
        "/vangmat NAME 10/06 20/06 REASON for someone else."
    )


@dataclass
class Typed:
    """What ``/vangmat`` was given: whose absence (a name, "" for oneself), the days and the reason."""

    name: str
    start: date
    end: date
    reason: str


def command(ctx: Context, args: str) -> None:
    assert ctx.person is not None
    text = args.strip()
    if not text:
        show(ctx)
        return
    first, _sep, rest = text.partition(" ")
    if match_key(first) in _CANCEL_WORDS:
        number = rest.strip().lstrip("#").rstrip(".")
        if number.isascii() and number.isdigit() and len(number) <= 9:
            _cancel(ctx, int(number))
        else:
            show(ctx)
        return
    typed = parse(ctx, text)
    if typed is None:
        return
    if not typed.name:
        _record(ctx, ctx.person, typed)
        return
    if not _may_record_for_others(ctx):
        ctx.reply(_("Only an administrator or a manager can record an absence for someone else.") + "\n" + usage())
        return
    candidates = _candidates(ctx, typed.name)
    if not candidates:
        ctx.reply(_("Nobody called {name} in your units.").format(name=esc(typed.name)) + "\n" + usage())
        return
    if len(candidates) == 1:
        _record(ctx, candidates[0], typed)
        return
    ctx.go(
        FLOW_NAME,
        "who",
        start=typed.start.isoformat(),
        end=typed.end.isoformat(),
        reason=typed.reason,
    )
    options = [[(_label(ctx, person), f"p:{person.id}")] for person in candidates[:MAX_SHOWN]]
    options.append([(_("Cancel"), "cancel")])
    ctx.reply(
        _("Several people answer to {name}: whose absence is it?").format(name=esc(typed.name)), ctx.offer(options)
    )


# ---------------------------------------------------------------------- reading what was typed


def _split(text: str) -> list[str]:
    tokens: list[str] = []
    for token in text.split():
        found = _RANGE.match(token)
        tokens += [found.group(1), "-", found.group(2)] if found else [token]
    return tokens


def parse(ctx: Context, text: str) -> Typed | None:
    """The absence typed after ``/vangmat``; on a problem, say what is wrong and return None."""
    today = in_vietnam(ctx.now).date()
    tokens = _split(text)
    index = next((i for i, t in enumerate(tokens) if _DATE_LIKE.match(t)), None)
    if index is None:
        ctx.reply(_("Which days? Type the first and the last day, e.g. 10/06 20/06.") + "\n" + usage())
        return None
    name_words = tokens[:index]
    while name_words and _connector(name_words[-1]):
        name_words.pop()
    start = _read(ctx, tokens[index], today.year)
    if start is None:
        return None
    if not _YEAR_TYPED.search(tokens[index]) and (today - start).days > ROLL_OVER_DAYS:
        start = _next_year(start)  # "05/01" typed in December: next January
    rest = tokens[index + 1 :]
    while rest and _connector(rest[0]):
        rest = rest[1:]
    end = start
    if rest and _DATE_LIKE.match(rest[0]):
        read = _read(ctx, rest[0], start.year)
        if read is None:
            return None
        end = read
        rolled = _next_year(end)
        if end < start and not _YEAR_TYPED.search(rest[0]) and (rolled - start).days <= ROLL_OVER_DAYS:
            end = rolled  # "28/12 05/01": no year typed, the last day is in the next year
        rest = rest[1:]
    return Typed(" ".join(name_words), start, end, " ".join(rest).strip(" :,-"))


def _connector(token: str) -> bool:
    return token in _CONNECTORS or match_key(token) in _CONNECTORS


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29/02
        return day


def _read(ctx: Context, token: str, year: int) -> date | None:
    found = read_date(token, year)
    if isinstance(found, DateProblem):
        ctx.reply(describe_day(found, esc(token), year))
        return None
    return found


# ---------------------------------------------------------------------- recording


def _record(ctx: Context, person: Person, typed: Typed) -> None:
    assert ctx.person is not None and person.id is not None
    today = in_vietnam(ctx.now).date()
    mine = person.id == ctx.person.id
    try:
        row = absences.record_absence(
            ctx.session,
            person,
            start=typed.start,
            end=typed.end,
            reason=typed.reason,
            at=ctx.now,
            today=today,
            by=ctx.person.id,
            organization_id=None if mine else _organization_for(ctx, person),
        )
    except AbsenceError as error:
        ctx.end()
        ctx.reply(_problem(error, person, typed, today))
        return
    ctx.end()
    assert row.id is not None
    days = _days(row.starts_on, row.ends_on)
    where = stand_in_text(ctx, person.id, row.starts_on)
    back = format_date(row.ends_on + timedelta(days=1))
    if mine:
        text = _("Recorded: you are away {days} (no. {number}).").format(days=days, number=row.id)
    else:
        text = _("Recorded: {name} is away {days} (no. {number}).").format(
            name=esc(person.full_name), days=days, number=row.id
        )
    reason = "\n" + _("Reason: {reason}").format(reason=esc(row.reason)) if row.reason else ""
    if mine:
        after = _("From {date} they come to you again. To cancel: /vangmat").format(date=back)
    else:
        after = _("From {date} they go to {name} again. To cancel: /vangmat").format(
            date=back, name=esc(person.full_name)
        )
    ctx.reply(f"{text}{reason}\n{where}\n{after}")
    if not mine:
        told = _("{by} recorded an absence for you {days} (no. {number}).").format(
            by=esc(ctx.person.full_name), days=days, number=row.id
        )
        for account in _accounts(ctx, person.id):
            ctx.reply(f"{told}{reason}\n{where}", to=Address(channel=account.channel, chat_id=account.chat_id))


def _problem(error: AbsenceError, person: Person, typed: Typed, today: date) -> str:
    if error.problem == AbsenceProblem.END_BEFORE_START:
        return _("The last day ({end}) is before the first day ({start}): type the first day, then the last.").format(
            end=format_date(typed.end), start=format_date(typed.start)
        )
    if error.problem == AbsenceProblem.IN_THE_PAST:
        return _("{start} is in the past: an absence starts today ({today}) at the earliest.").format(
            start=format_date(typed.start), today=format_date(today)
        )
    if error.problem == AbsenceProblem.TOO_LONG:
        return _("An absence lasts at most {limit} days; {days} is {count} days.").format(
            limit=absences.MAX_DAYS, days=_days(typed.start, typed.end), count=(typed.end - typed.start).days + 1
        )
    existing = error.existing
    assert existing is not None
    return _(
        "{name} is already away {days} (no. {number}), which overlaps: cancel it first (/vangmat) or choose other days."
    ).format(name=esc(person.full_name), days=_days(existing.starts_on, existing.ends_on), number=existing.id)


def _days(start: date, end: date) -> str:
    if start == end:
        return _("on {date}").format(date=format_date(start))
    return _("from {start} to {end}").format(start=format_date(start), end=format_date(end))


def stand_in_text(ctx: Context, person_id: int, day: date) -> str:
    """Where a person's reminders go while they are away (``day``: a day of the absence)."""
    found = absences.stand_ins(ctx.session, person_id, day)
    if not found:
        return _("No unit reminders come to them as a focal point: nothing is redirected.")
    parts = []
    names = {u.id: u.name for u in ctx.session.exec(select(Unit).where(col(Unit.id).in_(list(found))))}
    for unit_id, people in found.items():
        unit = esc(names.get(unit_id, ""))
        if not people:
            parts.append(_("reminders for {unit} stay with the person: nobody else can receive them").format(unit=unit))
        elif people[0].manager and people[0].coordinator:
            who = ", ".join(esc(r.person.full_name) for r in people)
            parts.append(
                _(
                    "reminders for {unit} go to comrade {names}, manager of {coordinator} (the coordinating "
                    "unit): the unit has no deputy, nor a manager of its own who can receive them"
                ).format(unit=unit, names=who, coordinator=esc(people[0].manager_of))
            )
        elif people[0].manager:
            who = ", ".join(esc(r.person.full_name) for r in people)
            parts.append(
                _("reminders for {unit} go to comrade {names}, manager of the unit (the unit has no deputy)").format(
                    unit=unit, names=who
                )
            )
        else:
            who = ", ".join(esc(r.person.full_name) for r in people)
            parts.append(_("reminders for {unit} go to {names}").format(unit=unit, names=who))
    return _("While away, {where}.").format(where="; ".join(parts))


def absence_lines(ctx: Context) -> list[str]:
    """For /whoami: the person's absences now or to come, and where their reminders go meanwhile; and
    whom they stand in for today."""
    assert ctx.person is not None and ctx.person.id is not None
    today = in_vietnam(ctx.now).date()
    lines = []
    units = [u.id for u in ctx.reporting_units() if u.id is not None]
    for people in absences.focal_recipients(ctx.session, units, today).values():
        for recipient in people:
            if recipient.person.id == ctx.person.id:
                lines += [
                    _("You receive the reminders of {name} ({unit}), away until {until}.").format(
                        name=esc(cover.name), unit=esc(cover.unit_name), until=format_date(cover.until)
                    )
                    for cover in recipient.covering
                ]
    for row in absences.upcoming(ctx.session, [ctx.person.id], today):
        where = stand_in_text(ctx, ctx.person.id, max(row.starts_on, today))
        lines.append(
            _("Away from {start} to {end}; {where}").format(
                start=format_date(row.starts_on), end=format_date(row.ends_on), where=where[:1].lower() + where[1:]
            )
        )
    return lines


def cover_lines(covering: Sequence[Cover]) -> list[str]:
    """Why someone receives reminders meant for another: one line per person away."""
    return [
        "ℹ "
        + _("Comrade {name} ({unit}) is away until {until}; you receive their reminders instead.").format(
            name=esc(cover.name), unit=esc(cover.unit_name), until=format_date(cover.until)
        )
        for cover in covering
    ]


# ---------------------------------------------------------------------- listing and cancelling


def _may_record_for_others(ctx: Context) -> bool:
    return ctx.has_role(MemberRole.ADMIN, MemberRole.MANAGER)


def _managed_unit_ids(ctx: Context) -> set[int]:
    """The units whose people this person may record absences for: every unit of the organisations
    they administer, and the units they manage."""
    units = set(organization_unit_ids(ctx.session, ctx.organizations(MemberRole.ADMIN)))
    units |= {u.id for m, u in ctx.memberships if m.role == MemberRole.MANAGER and u.id is not None}
    return units


def _people_in_scope(ctx: Context) -> set[int]:
    units = _managed_unit_ids(ctx)
    if not units:
        return set()
    return set(ctx.session.exec(select(Membership.person_id).where(col(Membership.unit_id).in_(units))))


def _candidates(ctx: Context, typed: str) -> list[Person]:
    allowed = _people_in_scope(ctx)
    found: dict[int, Person] = {}
    for org_id in ctx.organizations(MemberRole.ADMIN, MemberRole.MANAGER):
        for info in find_people(ctx.session, org_id, typed, bound=True):
            if info.id in allowed:
                found.setdefault(info.id, info.person)
    return sorted(found.values(), key=lambda p: p.id or 0)


def _organization_for(ctx: Context, person: Person) -> int:
    """The organisation in which the recorder may act for ``person`` (where the absence is listed)."""
    units = _managed_unit_ids(ctx)
    org = ctx.session.exec(
        select(Unit.organization_id)
        .join(Membership, col(Membership.unit_id) == Unit.id)
        .where(Membership.person_id == person.id, col(Unit.id).in_(units))
    ).first()
    return org if org is not None else absences.home_organization(ctx.session, person)


def _label(ctx: Context, person: Person) -> str:
    units = ctx.session.exec(
        select(Unit.code).join(Membership, col(Membership.unit_id) == Unit.id).where(Membership.person_id == person.id)
    ).all()
    return f"{person.full_name} ({', '.join(sorted(set(units)))})"


def _may_change(ctx: Context, row: Absence, scope: set[int] | None = None) -> bool:
    """One's own absences; those of the people in one's units, recorded in one's organisations."""
    assert ctx.person is not None
    if row.person_id == ctx.person.id:
        return True
    people = _people_in_scope(ctx) if scope is None else scope
    return row.person_id in people and row.organization_id in ctx.organizations(MemberRole.ADMIN, MemberRole.MANAGER)


def show(ctx: Context) -> None:
    """``/vangmat`` alone: absences now and to come (one's own; those of one's units for managers and
    administrators), each with a cancel button."""
    assert ctx.person is not None and ctx.person.id is not None
    today = in_vietnam(ctx.now).date()
    scope = _people_in_scope(ctx) if _may_record_for_others(ctx) else set()
    people = {ctx.person.id} | scope
    rows = [row for row in absences.upcoming(ctx.session, people, today) if _may_change(ctx, row, scope)]
    if not rows:
        ctx.end()
        ctx.reply(_("No absence is recorded.") + "\n" + usage())
        return
    names = {p.id: p.full_name for p in ctx.session.exec(select(Person).where(col(Person.id).in_(people)))}
    lines = ["<b>" + _("Absences now and to come") + "</b>"]
    for row in rows[:MAX_LISTED]:
        now_mark = " — " + _("away now") if row.starts_on <= today else ""
        reason = f" ({esc(row.reason)})" if row.reason else ""
        number = _("no. {number}").format(number=row.id)
        name = esc(names.get(row.person_id, ""))
        lines.append(f"• {number}: {name} {_days(row.starts_on, row.ends_on)}{reason}{now_mark}")
    if len(rows) > MAX_LISTED:
        lines.append(_("… and {count} more (dondoc absence list shows them all).").format(count=len(rows) - MAX_LISTED))
    lines += ["", usage()]
    ctx.go(FLOW_NAME, "list")
    options = [[(_("Cancel no. {number}").format(number=row.id), f"c:{row.id}")] for row in rows[:MAX_SHOWN]]
    ctx.reply("\n".join(lines), ctx.offer(options))


def _cancel(ctx: Context, number: int) -> None:
    assert ctx.person is not None
    row = ctx.session.get(Absence, number)
    ctx.end()
    if row is None or not _may_change(ctx, row):
        ctx.reply(_("There is no absence no. {number} for you to cancel.").format(number=number))
        return
    person = ctx.session.get(Person, row.person_id)
    name = esc(person.full_name if person else "")
    if not absences.cancel_absence(ctx.session, number, at=ctx.now, by=ctx.person.id):
        ctx.reply(_("Absence no. {number} was already cancelled.").format(number=number))
        return
    ctx.reply(
        _("Cancelled absence no. {number} ({name}, {days}): reminders go to {name} again.").format(
            number=number, name=name, days=_days(row.starts_on, row.ends_on)
        )
    )
    if person is not None and person.id != ctx.person.id and person.id is not None:
        told = _("{by} cancelled your absence no. {number} ({days}): reminders come to you again.").format(
            by=esc(ctx.person.full_name), number=number, days=_days(row.starts_on, row.ends_on)
        )
        for account in _accounts(ctx, person.id):
            ctx.reply(told, to=Address(channel=account.channel, chat_id=account.chat_id))


def _accounts(ctx: Context, person_id: int) -> list[ChannelAccount]:
    """The account a person is reached on: the one used last."""
    return list(
        ctx.session.exec(
            select(ChannelAccount)
            .where(ChannelAccount.person_id == person_id)
            .order_by(col(ChannelAccount.last_used_at).desc().nulls_last(), col(ChannelAccount.id))
            .limit(1)
        )
    )


class _AbsenceFlow:
    """The buttons of ``/vangmat``: cancel an absence, or choose whose absence it is."""

    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        if kind == "c" and value.isdigit():
            _cancel(ctx, int(value))
        elif kind == "p" and value.isdigit() and ctx.step == "who":
            data = ctx.data
            person = ctx.session.get(Person, int(value))
            if person is None or person.id not in _people_in_scope(ctx):
                ctx.end()
                ctx.reply(_("Nobody called {name} in your units.").format(name=value))
                return
            typed = Typed("", date.fromisoformat(data["start"]), date.fromisoformat(data["end"]), data["reason"])
            _record(ctx, person, typed)
        else:
            ctx.end()
            ctx.reply(_("Cancelled. Nothing was saved."))

    def on_text(self, ctx: Context, text: str) -> None:
        action = ctx.resolve_typed(text)
        if action is not None:
            self.on_action(ctx, action)
            return
        ctx.end()
        ctx.reply(_("Type /help to see what you can do."))

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        ctx.reply(_("Please answer the question above first."))


FLOW = _AbsenceFlow()
