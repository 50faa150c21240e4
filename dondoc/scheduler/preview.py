"""What the reminder job would send in a period, sending nothing (``dondoc reminders preview``).

The same planning as the outbox (:func:`dondoc.scheduler.schedule.replan`: the deadlines' reminders and
those of requests waiting for an answer) and the figures reminders of the plan targets, grouped the way
messages go out: one entry per recipient unit, role, send time and items, each receiver at their own
send time (``/nhacviec``), as the sweeper sends them; and the managers' weekly summary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from dondoc.db.models import (
    Absence,
    Audience,
    ChannelAccount,
    MemberRole,
    Organization,
    Person,
    Plan,
    ReminderKind,
    Unit,
)
from dondoc.db.queries import current_plan, reachable_members
from dondoc.plan.absences import focal_recipients
from dondoc.scheduler import personal
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.figures import SEND_TIME as FIGURES_TIME
from dondoc.scheduler.figures import owed_on_days
from dondoc.scheduler.planner import Planned
from dondoc.scheduler.schedule import policy_times, requests_at_unit_times, schedule_reminders
from dondoc.scheduler.weekly import weekly_managers, weekly_moment
from dondoc.tz import TZ

_AUDIENCE = {MemberRole.FOCAL: Audience.FOCAL, MemberRole.DEPUTY: Audience.FOCAL, MemberRole.MANAGER: Audience.MANAGER}
_KINDS = list(ReminderKind)

# The projection of each month's messages estimates that every reminder message to a focal point
# is answered by one one-line report ("I.2 60"): one message in and the bot's read-back out.
REPLY_IN = 1
REPLY_OUT = 1


# An item of an entry, sortable: what the reminder is about. A deadline's or a request's:
# (0, task position, due, kind's order, task code, ""); a target's figures not sent:
# (1, target position, due, kind's order, target code, period key).
Item = tuple[int, int, date, int, str, str]
# The messages: the digest of reminders, a unit's figures reminder, a manager's weekly summary.
DIGEST, FIGURES, WEEKLY = 0, 1, 2


def reminder_preview(
    session: Session, org: Organization, plan: Plan, calendar: WorkCalendar, at: datetime, start: date, end: date
) -> list[dict[str, Any]]:
    """Entries sent from ``start`` to ``end`` as if now were ``at`` and no report (nor figures) came
    after it: the deadlines' reminders, those of the plan's explanation requests and pending requests
    for more time (:func:`dondoc.scheduler.requests.request_reminders`, as replanning adds them), and
    the reminders of the organisation's targets' figures (:mod:`dondoc.scheduler.figures`).
    Escalations and requests for more time go to the unit's managers and to the coordinating unit's
    managers; on a day someone is away (``/vangmat``), a unit's focal-point reminders list who stands
    in for them. A unit's receivers each get its reminders at their own send time and without the
    check-ins they muted (``/nhacviec``), as the sweeper sends them: one entry per time and items.
    When ``plan`` is the organisation's current plan, the managers' weekly summaries
    (:mod:`dondoc.scheduler.weekly`) are entries too, one item of kind ``weekly``: to the coordinating
    unit's managers (the whole organisation) and to each other manager's units."""
    assert plan.id is not None
    items = schedule_reminders(session, calendar, after=at, until=end, reports_until=at, plan_id=plan.id)
    first = datetime.combine(start, time.min, tzinfo=TZ)
    kind_order = {kind: i for i, kind in enumerate(_KINDS)}
    raw: dict[tuple[datetime, str, str, int], set[Item]] = {}

    def add(planned: Planned, unit_code: str, position: int, task_code: str) -> None:
        if planned.send_at < first:
            return
        entry: Item = (DIGEST, position, planned.due, kind_order[planned.kind], task_code, "")
        targets = [unit_code]
        if planned.audience == Audience.MANAGER and org.coordinator_code and org.coordinator_code != unit_code:
            targets.append(org.coordinator_code)
        for unit in targets:
            raw.setdefault((planned.send_at, unit, planned.audience, DIGEST), set()).add(entry)

    for item in items:
        add(item.planned, item.unit_code, item.task_position, item.task_code)
    for _aid, _uid, unit_code, task_code, position, planned in requests_at_unit_times(
        session, calendar, after=at, until=end, plan_id=plan.id
    ):  # explanations and requests for more time waiting for an answer
        add(planned, unit_code, position, task_code)
    _add_figures(session, org, calendar, at, start, end, raw, kind_order)
    reachable = _reachable(session, org)
    standing_in = _standing_in(session, org, start, end, {key[0].date() for key in raw})
    recipients = {
        key: standing_in[key[0].date()].get(key[1], set())
        if key[2] == Audience.FOCAL and key[0].date() in standing_in
        else reachable.get((key[1], key[2]), set())
        for key in raw
    }
    entries = _per_receiver(session, org, calendar, raw, recipients)
    entries.update(_weekly(session, org, plan, calendar, at, start, end))
    return [
        {
            "send_at": send_at.isoformat(),
            "to": {"unit": unit, "role": audience},
            "recipients": [str(i) for i in sorted(people)],
            "items": [_item_json(item) for item in found],
        }
        for (send_at, unit, audience, _message, found), people in sorted(entries.items())
    ]


def _item_json(item: Item) -> dict[str, Any]:
    message, _position, due, kind, code, period = item
    if message == WEEKLY:
        return {"kind": "weekly", "week": period, "due": due.isoformat()}
    if message == FIGURES:
        return {"kind": "figures", "target": code, "period": period, "due": due.isoformat(), "stage": _KINDS[kind]}
    return {"task": code, "due": due.isoformat(), "kind": _KINDS[kind]}


def _add_figures(
    session: Session,
    org: Organization,
    calendar: WorkCalendar,
    at: datetime,
    start: date,
    end: date,
    raw: dict[tuple[datetime, str, str, int], set[Item]],
    kind_order: dict[ReminderKind, int],
) -> None:
    """The figures reminders of the working days from ``start`` to ``end`` whose sending time is after
    ``at``: one message a day to each unit that owes figures (:func:`dondoc.scheduler.figures.owed_on_days`,
    the sweeper's rule), counting only the figures sent by ``at``."""
    days = [
        date.fromordinal(n)
        for n in range(max(start, at.astimezone(TZ).date()).toordinal(), end.toordinal() + 1)
        if datetime.combine(date.fromordinal(n), FIGURES_TIME, tzinfo=TZ) > at
    ]
    owed = owed_on_days(session, org, calendar, days, reported_until=at)
    if not owed:
        return
    codes = {u.id: u.code for u in session.exec(select(Unit).where(Unit.organization_id == org.id))}
    times = policy_times(session, {unit_id for units in owed.values() for unit_id in units}, calendar)
    for day, units in owed.items():
        for unit_id, found in units.items():
            send_at = datetime.combine(day, times.get(unit_id, FIGURES_TIME), tzinfo=TZ)  # (figures.send_times)
            bucket = raw.setdefault((send_at, codes[unit_id], Audience.FOCAL, FIGURES), set())
            for owed_item in found:
                bucket.add(
                    (
                        FIGURES,
                        owed_item.target.position,
                        owed_item.due,
                        kind_order[ReminderKind(owed_item.kind)],
                        owed_item.target.code,
                        owed_item.period.key,
                    )
                )


def _per_receiver(
    session: Session,
    org: Organization,
    calendar: WorkCalendar,
    raw: dict[tuple[datetime, str, str, int], set[Item]],
    recipients: dict[tuple[datetime, str, str, int], set[int]],
) -> dict[tuple[datetime, str, str, int, tuple[Item, ...]], set[int]]:
    """Each entry's receivers with what they get when: a unit's reminder planned at the earliest send
    time among its receivers reaches each at their own (:func:`dondoc.scheduler.personal.receiver_moment`,
    as the sweeper defers it), and a receiver who muted check-ins is left out of them
    (:func:`dondoc.scheduler.personal.mutes`); a figures reminder reaches each at their own time too
    (:func:`dondoc.scheduler.figures.send_times`). Escalations and requests to managers are unchanged.
    Entries nobody can receive yet stay as planned."""
    focal_people = {p for key, people in recipients.items() if key[2] == Audience.FOCAL for p in people}
    chosen = personal.load_many(session, focal_people)
    entries: dict[tuple[datetime, str, str, int, tuple[Item, ...]], set[int]] = {}
    if not chosen:
        for key, found in raw.items():
            entries[(*key, tuple(sorted(found)))] = set(recipients[key])
        return entries
    unit_ids = {
        u.code: u.id for u in session.exec(select(Unit).where(Unit.organization_id == org.id)) if u.id is not None
    }
    policy = policy_times(session, set(unit_ids.values()), calendar)
    split: dict[tuple[datetime, str, str, int, int], set[Item]] = {}
    for key, found in raw.items():
        send_at, unit, audience, message = key
        people = recipients[key]
        if audience != Audience.FOCAL or message == WEEKLY or not people:
            entries[(*key, tuple(sorted(found)))] = set(people)
            continue
        unit_time = policy.get(unit_ids.get(unit, 0))
        for person in people:
            settings = chosen.get(person)
            own = personal.own_send_time(settings, calendar)
            if message == FIGURES:
                moment = datetime.combine(send_at.date(), own, tzinfo=TZ) if own else send_at
                split.setdefault((moment, unit, audience, message, person), set()).update(found)
                continue
            for item in found:
                kind = _KINDS[item[3]]
                if personal.mutes(settings, kind):
                    continue
                moment = personal.receiver_moment(kind, send_at, own, unit_time) or send_at
                split.setdefault((moment, unit, audience, message, person), set()).add(item)
    for (moment, unit, audience, message, person), found in split.items():
        entries.setdefault((moment, unit, audience, message, tuple(sorted(found))), set()).add(person)
    return entries


def _weekly(
    session: Session, org: Organization, plan: Plan, calendar: WorkCalendar, at: datetime, start: date, end: date
) -> dict[tuple[datetime, str, str, int, tuple[Item, ...]], set[int]]:
    """The managers' weekly summaries from ``start`` to ``end`` after ``at`` (the organisation's
    digest day, :func:`dondoc.scheduler.weekly.weekly_moment`), each to the managers who can receive it
    (:func:`dondoc.scheduler.weekly.weekly_managers`), grouped by the units they see; the coordinating
    unit's entry is listed even when none of its managers can receive it yet."""
    assert org.id is not None
    current = current_plan(session, org.id)
    if current is None or current.id != plan.id:
        return {}
    moments = [
        moment
        for n in range(start.toordinal(), end.toordinal() + 1)
        if (moment := weekly_moment(org, date.fromordinal(n), calendar)) is not None and moment > at
    ]
    if not moments:
        return {}
    scopes: dict[str, set[int]] = {org.coordinator_code: set()} if org.coordinator_code else {}
    for person, _account, units in weekly_managers(session, org):
        assert person.id is not None
        scope = org.coordinator_code if units is None else ", ".join(sorted(units))
        scopes.setdefault(scope or "", set()).add(person.id)
    found: dict[tuple[datetime, str, str, int, tuple[Item, ...]], set[int]] = {}
    for moment in moments:
        year, week, _day = moment.isocalendar()
        item: Item = (WEEKLY, 0, moment.date(), 0, "", f"{year}-W{week:02d}")
        for scope, people in scopes.items():
            found[(moment, scope, Audience.MANAGER, WEEKLY, (item,))] = set(people)
    return found


def _standing_in(
    session: Session, org: Organization, start: date, end: date, days: set[date]
) -> dict[date, dict[str, set[int]]]:
    """For each day of ``days`` on which someone of ``org`` is away (``/vangmat``): unit code → ids of
    the people who receive its focal points' reminders that day, as the sweeper will pick them
    (:func:`dondoc.plan.absences.focal_recipients`). Days with nobody away are left out."""
    absences = session.exec(
        select(Absence).where(
            Absence.organization_id == org.id,
            col(Absence.cancelled_at).is_(None),
            col(Absence.starts_on) <= end,
            col(Absence.ends_on) >= start,
        )
    ).all()
    if not absences:
        return {}
    units = {u.id: u.code for u in session.exec(select(Unit).where(Unit.organization_id == org.id)) if u.id is not None}
    found: dict[date, dict[str, set[int]]] = {}
    for day in sorted(days):
        if not any(a.starts_on <= day <= a.ends_on for a in absences):
            continue
        found[day] = {
            units[unit_id]: {r.person.id for r in receivers if r.person.id is not None}
            for unit_id, receivers in focal_recipients(session, units, day).items()
        }
    return found


def _reachable(session: Session, org: Organization) -> dict[tuple[str, str], set[int]]:
    """(unit code, focal | manager) → ids of people who can receive messages."""
    found: dict[tuple[str, str], set[int]] = {}
    for member in reachable_members(session, tuple(_AUDIENCE), organization_id=org.id):
        assert member.person.id is not None
        found.setdefault((member.unit_code, _AUDIENCE[member.role]), set()).add(member.person.id)
    return found


def message_count(entries: list[dict[str, Any]]) -> int:
    """How many messages the ``entries`` of :func:`reminder_preview` make: one per recipient, send time
    and message (a person's reminders of several units at one time go in one digest)."""
    return len({(person, entry["send_at"], _message(entry)) for entry in entries for person in entry["recipients"]})


def _message(entry: dict[str, Any]) -> str:
    """Which message of its recipients an entry goes in (see :func:`message_count`)."""
    kinds = {item.get("kind") for item in entry["items"]}
    if "figures" in kinds:
        return f"figures:{entry['to']['unit']}"
    if "weekly" in kinds:
        return "weekly"
    return str(entry["to"]["role"])


def budget_projection(
    session: Session, org: Organization, entries: list[dict[str, Any]], budgets: Callable[[str], int | None]
) -> list[dict[str, Any]]:
    """Each month's messages per channel key for the ``entries`` of :func:`reminder_preview`: one
    message per recipient, send time and role (a person's reminders of several units at one time go
    in one digest, as the sweeper composes them) plus one a day for each unit's figures not sent and
    each weekly summary, on the recipient's channel key, plus the replies estimated for those to focal points
    (:data:`REPLY_IN` in and :data:`REPLY_OUT` out each), against the key's monthly budget (``over``
    when the estimate exceeds it). Only the reminders are projected: the other conversations
    (``/status``, ``/report``) come on top."""
    channels = _channel_keys(session, org)
    found: dict[tuple[str, str], list[int]] = {}
    seen: set[tuple[str, str, str]] = set()
    for entry in entries:
        month = entry["send_at"][:7]  # written in Vietnam time
        message = _message(entry)
        for person in entry["recipients"]:
            key = channels.get(int(person))
            if key is None or (person, entry["send_at"], message) in seen:
                continue
            seen.add((person, entry["send_at"], message))
            counts = found.setdefault((month, key), [0, 0])
            counts[0] += 1
            if entry["to"]["role"] == Audience.FOCAL:
                counts[1] += 1
    rows = []
    for (month, key), (reminders, answered) in sorted(found.items()):
        replies_in, replies_out = answered * REPLY_IN, answered * REPLY_OUT
        total = reminders + replies_in + replies_out
        budget = budgets(key)
        rows.append(
            {
                "month": month,
                "channel": key,
                "reminders": reminders,
                "replies_in": replies_in,
                "replies_out": replies_out,
                "total": total,
                "budget": budget,
                "over": budget is not None and total > budget,
            }
        )
    return rows


def _channel_keys(session: Session, org: Organization) -> dict[int, str]:
    """Person id → the channel key reminders reach them on (their first account, as the sweeper picks it)."""
    found: dict[int, str] = {}
    for person_id, channel in session.exec(
        select(ChannelAccount.person_id, ChannelAccount.channel)
        .join(Person, col(Person.id) == ChannelAccount.person_id)
        .where(Person.organization_id == org.id)
        .order_by(col(ChannelAccount.person_id), col(ChannelAccount.id))
    ):
        found.setdefault(person_id, channel)
    return found
