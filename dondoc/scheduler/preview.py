"""What the reminder job would send in a period, sending nothing (``dondoc reminders preview``).

The same planning as the outbox (:func:`dondoc.scheduler.schedule.schedule_reminders`), grouped the way
messages go out: one entry per recipient unit, role and send time.
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
from dondoc.db.queries import reachable_members
from dondoc.plan.absences import focal_recipients
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.schedule import schedule_reminders
from dondoc.tz import TZ

_AUDIENCE = {MemberRole.FOCAL: Audience.FOCAL, MemberRole.DEPUTY: Audience.FOCAL, MemberRole.MANAGER: Audience.MANAGER}
_KINDS = list(ReminderKind)

# The projection of each month's messages estimates that every reminder message to a focal point
# is answered by one one-line report ("I.2 60"): one message in and the bot's read-back out.
REPLY_IN = 1
REPLY_OUT = 1


def reminder_preview(
    session: Session, org: Organization, plan: Plan, calendar: WorkCalendar, at: datetime, start: date, end: date
) -> list[dict[str, Any]]:
    """Entries sent from ``start`` to ``end`` as if now were ``at`` and no report came after it.
    Escalations go to the late unit's managers and to the coordinating unit's managers; on a day
    someone is away (``/vangmat``), a unit's focal-point reminders list who stands in for them."""
    assert plan.id is not None
    items = schedule_reminders(session, calendar, after=at, until=end, reports_until=at, plan_id=plan.id)
    first = datetime.combine(start, time.min, tzinfo=TZ)
    kind_order = {kind: i for i, kind in enumerate(_KINDS)}
    entries: dict[tuple[datetime, str, str], set[tuple[int, date, int, str]]] = {}
    for item in items:
        planned = item.planned
        if planned.send_at < first:
            continue
        entry = (item.task_position, planned.due, kind_order[planned.kind], item.task_code)
        targets = [item.unit_code]
        if planned.audience == Audience.MANAGER and org.coordinator_code and org.coordinator_code != item.unit_code:
            targets.append(org.coordinator_code)
        for unit in targets:
            entries.setdefault((planned.send_at, unit, planned.audience), set()).add(entry)
    reachable = _reachable(session, org)
    standing_in = _standing_in(session, org, start, end, {send_at.date() for send_at, _u, _a in entries})
    return [
        {
            "send_at": send_at.isoformat(),
            "to": {"unit": unit, "role": audience},
            "recipients": [
                str(i)
                for i in sorted(
                    standing_in[send_at.date()].get(unit, set())
                    if audience == Audience.FOCAL and send_at.date() in standing_in
                    else reachable.get((unit, audience), set())
                )
            ],
            "items": [
                {"task": task, "due": due.isoformat(), "kind": _KINDS[kind]} for _pos, due, kind, task in sorted(found)
            ],
        }
        for (send_at, unit, audience), found in sorted(entries.items())
    ]


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


def budget_projection(
    session: Session, org: Organization, entries: list[dict[str, Any]], budgets: Callable[[str], int | None]
) -> list[dict[str, Any]]:
    """Each month's messages per channel key for the ``entries`` of :func:`reminder_preview`: one
    reminder message per recipient and send time on the recipient's channel key, plus the replies
    estimated for those to focal points (:data:`REPLY_IN` in and :data:`REPLY_OUT` out each), against
    the key's monthly budget (``over`` when the estimate exceeds it). Only the reminders are
    projected: the other conversations (``/status``, ``/report``) come on top."""
    channels = _channel_keys(session, org)
    found: dict[tuple[str, str], list[int]] = {}
    for entry in entries:
        month = entry["send_at"][:7]  # written in Vietnam time
        for person in entry["recipients"]:
            key = channels.get(int(person))
            if key is None:
                continue
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
