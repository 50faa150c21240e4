"""Reminders about requests waiting for an answer, planned into the same outbox as the deadlines'.

- An explanation asked of a unit (giải trình, :mod:`dondoc.plan.explanations`) and not answered is
  reminded to its focal points and deputies like a deadline whose date is the explanation's due day:
  on the working day before it, on the day, then on the 1st, 3rd, 5th … working day after it (the
  organisation's ``overdue_every``, weekly after ``overdue_weekly_after_days``), at the policy's send
  time, in office hours. Kind :attr:`ReminderKind.EXPLANATION`, the row's ``due`` is the explanation's
  due day.
- A request for more time (gia hạn, :mod:`dondoc.plan.extensions`) still pending on the 1st and the
  2nd working day after it was made is reminded to the unit's managers and the coordinating unit's
  (kind :attr:`ReminderKind.EXTENSION`, audience managers, ``due`` the deadline it would move).

Both are rows of the ``reminder`` table, unique per (assignment, due, kind, day) like every reminder,
so replanning (:func:`dondoc.scheduler.schedule.replan`, which merges these into what it wants) from
any process writes each once, and cancels them once the request is answered. The sweeper merges them
into the person's digest of the day.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Audience,
    Explanation,
    Extension,
    ExtensionState,
    Organization,
    ReminderKind,
    Role,
    Task,
    Unit,
)
from dondoc.plan.policy import Policy
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.planner import Planned, _first_ordinal, _send_time, schedule_occurrence
from dondoc.tz import TZ, in_vietnam, stored_in_vietnam

DEFAULT_WORKING_DAYS = 3  # an explanation is due on the 3rd working day after it was asked
EXTENSION_REMINDER_DAYS = (1, 2)  # working days after a request for more time that it is reminded on

# (assignment id, unit id, unit code, task code, task position, what to send)
RequestReminder = tuple[int, int, str, str, int, Planned]


def default_answer_due(calendar: WorkCalendar, at: datetime, days: int = DEFAULT_WORKING_DAYS) -> date:
    """The day an explanation asked at ``at`` is due: the ``days``-th working day after that day."""
    return calendar.working_day_after(at.astimezone(TZ).date(), days)


def _notice_at(calendar: WorkCalendar, asked: datetime, send_time: time) -> datetime:
    """When the unit hears of a request recorded from the command line: at once in office hours of a
    working day, else at the send time of the next working day."""
    if calendar.in_office_hours(asked):
        return asked
    day = calendar.next_office_time(asked).date()
    return datetime.combine(day, send_time, tzinfo=TZ)


def request_reminders(
    session: Session,
    calendar: WorkCalendar,
    *,
    after: datetime,
    until: date,
    assignment_ids: Collection[int] | None = None,
    plan_id: int | None = None,
) -> list[RequestReminder]:
    """The reminders of open explanation requests and pending extension requests sent after ``after``
    and on or before ``until`` (of the tasks of plan ``plan_id`` only, when given)."""
    base = (
        sa_select(
            col(Assignment.id),
            col(Unit.id),
            col(Unit.code),
            col(Task.code),
            col(Task.position),
            col(Unit.organization_id),
        )
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(col(Assignment.active), col(Task.active), col(Unit.active))
    )
    if assignment_ids is not None:
        base = base.where(col(Assignment.id).in_(list(assignment_ids)))
    if plan_id is not None:
        base = base.where(col(Task.plan_id) == plan_id)
    connection = session.connection()
    explained = connection.execute(
        base.add_columns(col(Explanation.answer_due), col(Explanation.requested_at), col(Explanation.entered_by_admin))
        .join(Explanation, col(Explanation.assignment_id) == Assignment.id)
        .where(col(Explanation.answered_at).is_(None))
    ).all()
    pending = connection.execute(
        base.add_columns(col(Extension.due), col(Extension.requested_at))
        .join(Extension, col(Extension.assignment_id) == Assignment.id)
        .where(col(Extension.state) == ExtensionState.PENDING)
    ).all()
    if not explained and not pending:
        return []
    orgs = {row[5] for row in [*explained, *pending]}
    policies = {
        org.id: Policy.from_settings(org.settings.get("reminders", {}))
        for org in session.exec(select(Organization).where(col(Organization.id).in_(orgs)))
    }
    found: list[RequestReminder] = []
    for assignment_id, unit_id, unit_code, task_code, position, org_id, answer_due, asked_at, on_paper in explained:
        policy = policies[org_id].model_copy(update={"lead_days_before": (), "escalate_on_working_day": 0})
        days: set[date] = set()
        for planned in schedule_occurrence(answer_due, Role.LEAD, calendar, policy, after=after, until=until):
            moved = Planned(planned.send_at, ReminderKind.EXPLANATION, answer_due, Audience.FOCAL)
            found.append((assignment_id, unit_id, unit_code, task_code, position, moved))
            days.add(in_vietnam(planned.send_at).date())
        if on_paper:  # asked on paper, recorded from the command line: nobody told the unit in chat yet
            told = _notice_at(calendar, stored_in_vietnam(asked_at), _send_time(calendar, policies[org_id]))
            if after <= told and told.date() <= until and told.date() not in days and told.date() < answer_due:
                notice = Planned(told, ReminderKind.EXPLANATION, answer_due, Audience.FOCAL)
                found.append((assignment_id, unit_id, unit_code, task_code, position, notice))
    for assignment_id, unit_id, unit_code, task_code, position, org_id, due, requested_at in pending:
        send_time = _send_time(calendar, policies[org_id])
        first, last = _first_ordinal(after, send_time), until.toordinal()
        asked = requested_at.astimezone(TZ).date().toordinal()
        for n in EXTENSION_REMINDER_DAYS:
            day = calendar.ordinal_working_day_after(asked, n)
            if first <= day <= last:
                at = datetime.combine(date.fromordinal(day), send_time, tzinfo=TZ)
                planned = Planned(at, ReminderKind.EXTENSION, due, Audience.MANAGER)
                found.append((assignment_id, unit_id, unit_code, task_code, position, planned))
    return found
