"""What the reminder job would send in a period, sending nothing (``dondoc reminders preview``).

The same planning as the outbox (:func:`dondoc.scheduler.schedule.schedule_reminders`), grouped the way
messages go out: one entry per recipient unit, role and send time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session

from dondoc.db.models import Audience, MemberRole, Organization, Plan, ReminderKind
from dondoc.db.queries import reachable_members
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.schedule import schedule_reminders
from dondoc.tz import TZ

_AUDIENCE = {MemberRole.FOCAL: Audience.FOCAL, MemberRole.DEPUTY: Audience.FOCAL, MemberRole.MANAGER: Audience.MANAGER}
_KINDS = list(ReminderKind)


def reminder_preview(
    session: Session, org: Organization, plan: Plan, calendar: WorkCalendar, at: datetime, start: date, end: date
) -> list[dict[str, Any]]:
    """Entries sent from ``start`` to ``end`` as if now were ``at`` and no report came after it.
    Escalations go to the late unit's managers and to the coordinating unit's managers."""
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
    return [
        {
            "send_at": send_at.isoformat(),
            "to": {"unit": unit, "role": audience},
            "recipients": [str(i) for i in sorted(reachable.get((unit, audience), set()))],
            "items": [
                {"task": task, "due": due.isoformat(), "kind": _KINDS[kind]} for _pos, due, kind, task in sorted(found)
            ],
        }
        for (send_at, unit, audience), found in sorted(entries.items())
    ]


def _reachable(session: Session, org: Organization) -> dict[tuple[str, str], set[int]]:
    """(unit code, focal | manager) → ids of people who can receive messages."""
    found: dict[tuple[str, str], set[int]] = {}
    for member in reachable_members(session, tuple(_AUDIENCE), organization_id=org.id):
        assert member.person.id is not None
        found.setdefault((member.unit_code, _AUDIENCE[member.role]), set()).add(member.person.id)
    return found
