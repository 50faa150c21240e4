"""From the store to the outbox: which reminders every assignment needs, and writing them.

:func:`schedule_reminders` applies the policy (:mod:`dondoc.scheduler.planner`) to every active assignment in
a fixed number of queries. :func:`replan` writes the next weeks of it into the ``reminder`` table:
rows are unique per (assignment, due date, kind, day), so running it again — after an import, a
report, a restart, or from a second process — inserts nothing twice; pending rows the plan no
longer wants (the task was completed, its deadline moved) are cancelled.

A reminder a person asked for again (**Nhắc lại sau**) is a row of kind :attr:`ReminderKind.SNOOZE` written by
:func:`add_snooze`: the plan never wants it and replanning never cancels it, so it survives the daily
replan, restarts and other processes; only a report that makes it moot cancels it (a completion of its
deadline, see :func:`add_report`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, insert, not_, null, type_coerce, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    DeadlineKind,
    MemberRole,
    Occurrence,
    Organization,
    Plan,
    Reminder,
    ReminderDue,
    ReminderKind,
    ReminderState,
    Report,
    Role,
    Status,
    Task,
    Unit,
)
from dondoc.db.queries import (
    cancel_reminders,
    cancel_snoozes,
    closed_occurrence,
    correction_target,
    ids_in,
    reachable_members,
    standing,
)
from dondoc.plan.channels import channel_policies, family
from dondoc.plan.extensions import approved_extensions, current_extension
from dondoc.plan.policy import Policy
from dondoc.scheduler import personal
from dondoc.scheduler.calendar import WorkCalendar, calendar_from_env
from dondoc.scheduler.outbox import claimed_before, was_claimed
from dondoc.scheduler.planner import Planned, planned_send_time, schedule_checkins, schedule_occurrence
from dondoc.scheduler.requests import RequestReminder, request_reminders
from dondoc.tz import TZ, in_vietnam

HORIZON = timedelta(days=35)
INSERT_BATCH = 5000  # new outbox rows a statement
# A replan that writes at least this many rows has PostgreSQL analyse the outbox at once. Its
# autovacuum analyses a table once a tenth of it has changed, and a year's outbox grows by a few per
# cent a morning: until then the statistics still count the few rows pending the evening before, and
# the pass that follows was planned for those (a nation's 08:00 pass, its 110,000 rows, in the
# benchmark that replans just before it: 8.0 s instead of 4.5–5.3, the sent rows' record reading the
# whole outbox for each batch).
ANALYZE_AFTER = 1000


@dataclass(frozen=True, slots=True)
class PlannedItem:
    assignment_id: int
    unit_id: int
    unit_code: str
    role: Role
    task_code: str
    task_position: int
    planned: Planned


def schedule_reminders(
    session: Session,
    calendar: WorkCalendar,
    *,
    after: datetime,
    until: date,
    reports_until: datetime | None = None,
    assignment_ids: Collection[int] | None = None,
    plan_id: int | None = None,
) -> Iterator[PlannedItem]:
    """Every reminder due after ``after`` and on or before ``until`` (yielded: a province's year is
    over a million reminders, which are consumed as they come), counting reports made up to
    ``reports_until`` (default ``after``): the n-th completion report of an assignment (not counting
    completions corrected since, see :mod:`dondoc.plan.progress`) closes its n-th deadline, and a
    closed deadline needs no reminder."""
    reports_until = reports_until or after
    if assignment_ids is None and plan_id is None:
        # Every plan: one after the other, so that only one plan's assignments are in memory at a
        # time (a nation's 34 provinces hold 330,000); the order is the same (by plan).
        plan_ids = list(session.connection().execute(sa_select(col(Plan.id)).order_by(col(Plan.id))).scalars())
        if len(plan_ids) > 1:
            for one in plan_ids:
                yield from schedule_reminders(
                    session, calendar, after=after, until=until, reports_until=reports_until, plan_id=one
                )
            return
    # Plain columns, not ORM objects: this runs for every assignment of every plan, every day.
    query = (
        sa_select(
            col(Assignment.id),
            col(Assignment.role),
            col(Task.id),
            col(Task.code),
            col(Task.position),
            col(Task.deadline_kind),
            col(Unit.id),
            col(Unit.code),
            col(Plan.year),
            col(Plan.organization_id),
        )
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(col(Assignment.active), col(Task.active), col(Unit.active))
    )
    if assignment_ids is not None:
        query = query.where(ids_in(session, col(Assignment.id), assignment_ids))
    if plan_id is not None:
        query = query.where(col(Task.plan_id) == plan_id)
    connection = session.connection()  # core rows, read in the session's transaction
    rows = connection.execute(query.order_by(col(Task.plan_id), col(Task.position), col(Unit.position))).all()
    if not rows:
        return
    task_ids = {row[2] for row in rows}
    dates: dict[int, list[date]] = defaultdict(list)
    for occurrence_task, due in connection.execute(
        sa_select(col(Occurrence.task_id), col(Occurrence.due))
        .where(ids_in(session, col(Occurrence.task_id), task_ids))
        .order_by(col(Occurrence.due))
    ):
        dates[occurrence_task].append(due)
    # Of the reports, the planner needs each assignment's number of completions (not counting those
    # corrected since) and, for a continuous task's check-ins, the day of its newest report: both
    # counted by the database (a nation's 3,000,000 reports are never read into memory).
    ids = [row[0] for row in rows]
    fix = aliased(Report)  # a report correcting a done one: that done one closes no deadline
    moment = Report.__table__.c.reported_at.type  # type: ignore[attr-defined]
    completions = (
        sa_select(col(Report.assignment_id), func.count(), type_coerce(null(), moment))
        .where(col(Report.status) == Status.DONE, col(Report.reported_at) <= reports_until)
        .where(
            ~exists().where(
                col(fix.corrects_report_id).is_not(None),
                col(fix.corrects_report_id) == Report.id,
                col(fix.reported_at) <= reports_until,
            )
        )
        .group_by(col(Report.assignment_id))
    )
    if assignment_ids is not None:
        completions = completions.where(ids_in(session, col(Report.assignment_id), ids))
    elif plan_id is not None:  # the plan's assignments, named by the database (a province: 30,000)
        in_plan = sa_select(col(Assignment.id)).join(Task, col(Task.id) == Assignment.task_id)
        completions = completions.where(col(Report.assignment_id).in_(in_plan.where(col(Task.plan_id) == plan_id)))
    checkins = [row[0] for row in rows if row[5] == DeadlineKind.CONTINUOUS and row[1] == Role.LEAD]
    newest = (  # one statement with the completions; an undone first report and its undoing were never made
        sa_select(col(Report.assignment_id), null(), func.max(col(Report.reported_at)))
        .where(ids_in(session, col(Report.assignment_id), checkins), col(Report.reported_at) <= reports_until)
        .where(standing(Report, through=reports_until))
        .group_by(col(Report.assignment_id))
    )
    closed_count: dict[int, int] = {}
    last_report: dict[int, date] = {}
    for aid, count, last in connection.execute(union_all(completions, newest) if checkins else completions):
        if last is not None:
            last_report[aid] = last.astimezone(TZ).date()
        else:
            closed_count[aid] = count
    extended = approved_extensions(connection, assignment_ids=assignment_ids, plan_id=plan_id)
    orgs = list(session.exec(select(Organization).where(col(Organization.id).in_({row[9] for row in rows}))))
    policies = {org.id: Policy.from_settings(org.settings.get("reminders", {})) for org in orgs}
    by_channel = {org.id: found for org in orgs if (found := channel_policies(org.settings))}
    unit_policies = _unit_policies(session, {row[6] or 0 for row in rows if row[9] in by_channel}, by_channel)
    # The receivers' own settings (/nhacviec): the one place they change what a unit is sent
    own = personal.unit_plans(session, {row[6] for row in rows if row[6] is not None})
    for assignment_id, role, task_id, task_code, position, kind, unit_id, unit_code, year, org_id in rows:
        assert assignment_id is not None and unit_id is not None and task_id is not None  # primary keys
        unit_policy = unit_policies.get(unit_id) or policies[org_id]
        chosen = own.get(unit_id)
        policy = personal.personal_policy(unit_policy, chosen, calendar)
        planned: list[Planned] = []
        escalations: list[Planned] = []
        if kind == DeadlineKind.CONTINUOUS:
            if role == Role.LEAD:
                planned = schedule_checkins(
                    year, calendar, policy, after=after, until=until, last_report_on=last_report.get(assignment_id)
                )
        else:
            closed = closed_count.get(assignment_id, 0)
            for due in dates.get(task_id, [])[closed:]:
                due = extended.get((assignment_id, due), due)  # an approved extension moves the deadline
                planned += schedule_occurrence(due, role, calendar, policy, after=after, until=until)
                if chosen is not None and role == Role.LEAD:  # escalations keep the unit's policy
                    escalations += schedule_occurrence(due, role, calendar, unit_policy, after=after, until=until)
        if chosen is not None:
            planned = personal.adjust(planned, escalations, chosen, calendar, after=after)
        for p in planned:
            yield PlannedItem(assignment_id, unit_id, unit_code, role, task_code, position, p)


def policy_times(session: Session, unit_ids: Collection[int], calendar: WorkCalendar) -> dict[int, time]:
    """Each unit's send time as its policy sets it (the organisation's, or its channel family's), as
    :func:`schedule_reminders` plans by it: the time of its receivers who chose none (``/nhacviec``)."""
    return {
        unit_id: planned_send_time(calendar, policy) for unit_id, policy in unit_policies(session, unit_ids).items()
    }


def unit_send_times(session: Session, unit_ids: Collection[int], calendar: WorkCalendar) -> dict[int, time]:
    """Each unit's send time as :func:`schedule_reminders` plans its focal reminders: its policy's, or
    the earliest its receivers chose (``/nhacviec``, :func:`personal.personal_policy`)."""
    policies = unit_policies(session, unit_ids)
    own = personal.unit_plans(session, set(policies))
    return {
        unit_id: planned_send_time(calendar, personal.personal_policy(policy, own.get(unit_id), calendar))
        for unit_id, policy in policies.items()
    }


def unit_policies(session: Session, unit_ids: Collection[int]) -> dict[int, Policy]:
    """Each unit's reminder policy: its organisation's, or its channel family's (:func:`_unit_policies`)."""
    if not unit_ids:
        return {}
    units = {
        unit_id: org_id
        for unit_id, org_id in session.exec(select(Unit.id, Unit.organization_id).where(col(Unit.id).in_(unit_ids)))
        if unit_id is not None
    }
    orgs = list(session.exec(select(Organization).where(col(Organization.id).in_(set(units.values())))))
    policies = {org.id: Policy.from_settings(org.settings.get("reminders", {})) for org in orgs}
    by_channel = {org.id: found for org in orgs if (found := channel_policies(org.settings))}
    own = _unit_policies(session, {u for u, org in units.items() if org in by_channel}, by_channel)
    return {unit_id: own.get(unit_id) or policies[org_id] for unit_id, org_id in units.items() if org_id in policies}


def _unit_policies(
    session: Session, unit_ids: set[int], by_channel: dict[int | None, dict[str, Policy]]
) -> dict[int, Policy]:
    """The channel policy of each unit whose focal points and deputies all receive on one channel
    family that has a reminder policy of its own in the registry (``channels: zalo: reminders:``).
    A unit with people on several families keeps the organisation's policy: nobody misses a reminder."""
    if not unit_ids:
        return {}
    families: dict[int, set[str]] = defaultdict(set)
    org_of: dict[int, int] = {}
    for unit_id, org_id in session.exec(select(Unit.id, Unit.organization_id).where(col(Unit.id).in_(unit_ids))):
        assert unit_id is not None
        org_of[unit_id] = org_id
    for member in reachable_members(session, (MemberRole.FOCAL, MemberRole.DEPUTY), unit_ids=unit_ids, bound=True):
        assert member.account is not None
        families[member.unit_id].add(family(member.account.channel))
    found: dict[int, Policy] = {}
    for unit_id, names in families.items():
        if len(names) == 1:
            policy = by_channel.get(org_of.get(unit_id), {}).get(next(iter(names)))
            if policy is not None:
                found[unit_id] = policy
    return found


def replan(
    session: Session,
    calendar: WorkCalendar,
    now: datetime,
    *,
    horizon: timedelta = HORIZON,
    assignment_ids: Collection[int] | None = None,
) -> tuple[int, int]:
    """Bring the outbox in line with the plan for the next ``horizon``; returns (added, cancelled)."""
    until = (now + horizon).date()
    wanted = _wanted(session, calendar, after=now, until=until, assignment_ids=assignment_ids)
    query = select(Reminder).where(
        col(Reminder.send_at) > now,
        col(Reminder.send_on) <= until,
        col(Reminder.state).in_([ReminderState.PENDING, ReminderState.HELD]),
        Reminder.kind != ReminderKind.SNOOZE,
        # A row already claimed waits for a retry or for a receiver's own time (deferred): its send_at
        # is no longer its planned time, and its slot, past, is not in ``items`` (a process starting
        # then would cancel it).
        not_(claimed_before()),
    )
    if assignment_ids is not None:
        query = query.where(ids_in(session, col(Reminder.assignment_id), assignment_ids))
    unwanted = [
        reminder
        for reminder in session.exec(query)
        if (reminder.assignment_id, reminder.due, reminder.kind, reminder.send_on) not in wanted
    ]
    passed = _passed_today(session, calendar, now, [r for r in unwanted if r.send_on == in_vietnam(now).date()])
    cancelled = 0
    for reminder in unwanted:
        if (reminder.assignment_id, reminder.due, reminder.kind, reminder.send_on) in passed:
            reminder.send_at = now  # today's, whose new time has passed (/nhacviec): at once, not lost
        else:
            reminder.state = ReminderState.CANCELLED
            cancelled += 1
        session.add(reminder)
    existing_query = select(Reminder).where(col(Reminder.send_on) >= now.date(), col(Reminder.send_on) <= until)
    if assignment_ids is not None:
        existing_query = existing_query.where(ids_in(session, col(Reminder.assignment_id), assignment_ids))
    existing = {(r.assignment_id, r.due, r.kind, r.send_on): r for r in session.exec(existing_query)}
    added = 0
    fresh: list[PlannedItem] = []  # the rows to write
    for key, item in wanted.items():
        row = existing.get(key)
        if row is not None:
            if row.state == ReminderState.CANCELLED and row.send_at > now:
                row.state = ReminderState.PENDING  # wanted again (e.g. a completion report was corrected)
                session.add(row)
                added += 1
            if (
                row.state == ReminderState.PENDING
                and not was_claimed(row)
                and row.send_at != item.planned.send_at
                and row.send_at > now
                and item.planned.send_at >= now  # (now: an explanation whose unit's time has passed today)
            ):
                row.send_at = item.planned.send_at  # the same day at another time (a person's own send time)
                session.add(row)
            continue
        fresh.append(item)
        added += 1
    del existing, wanted
    if session.get_bind().dialect.name == "sqlite":
        # Written in the order a pass records them: by send time, then unit. A pass marks sent, batch
        # by batch, the reminders of the digests it sent (each one unit's, or a few units', reminders
        # of one send time), and SQLite writes each page a batch changed to its log whole: in the
        # plan's order a unit's rows lie in as many pages as it has tasks, and each batch rewrote
        # most of the slot's pages (a province's 08:00 pass: 61,842 writes to the log; now 5,755).
        # Not on PostgreSQL, which writes a row's new version beside the old one in its page: one
        # batch updating every row of a page fills it, and the rest go to other pages with an entry
        # in each index (heap-only updates 98 % → 69 % of a nation's pass); spread over many pages,
        # each page takes a few rows a batch and is pruned before the next.
        fresh.sort(key=lambda i: (i.planned.send_at, i.unit_id, i.assignment_id, i.planned.due))
    new_rows = [  # inserted in batches, not as ORM objects (a nation: 110,000 a morning)
        {
            "assignment_id": item.assignment_id,
            "due": item.planned.due,
            "kind": item.planned.kind,
            "send_on": item.planned.send_on,
            "send_at": item.planned.send_at,
            "audience": item.planned.audience,
        }
        for item in fresh
    ]
    del fresh
    try:
        session.flush()
        insert_rows = insert(Reminder.__table__)  # type: ignore[attr-defined]
        for start in range(0, len(new_rows), INSERT_BATCH):
            session.connection().execute(insert_rows, new_rows[start : start + INSERT_BATCH])
        if len(new_rows) >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
            for table in (Reminder.__tablename__, ReminderDue.__tablename__):
                session.connection().exec_driver_sql(f"ANALYZE {table}")
    except IntegrityError:
        # Another process planned the same rows at the same moment: theirs stand, ours are redundant.
        session.rollback()
        return 0, 0
    return added, cancelled


Key = tuple[int, date, str, date]  # an outbox row's unique key: (assignment, due, kind, day)


def _wanted(
    session: Session,
    calendar: WorkCalendar,
    *,
    after: datetime,
    until: date,
    assignment_ids: Collection[int] | None,
    reports_until: datetime | None = None,
) -> dict[Key, PlannedItem]:
    """What the outbox should hold from ``after`` to ``until``, by unique key: the plan's reminders,
    and those of the explanations and requests for more time waiting for an answer (an explanation at
    the unit's own send time when its receivers chose one, as its other focal reminders)."""
    items = schedule_reminders(
        session, calendar, after=after, until=until, reports_until=reports_until, assignment_ids=assignment_ids
    )
    wanted: dict[Key, PlannedItem] = {
        (i.assignment_id, i.planned.due, i.planned.kind, i.planned.send_on): i for i in items
    }
    for aid, unit_id, unit_code, task_code, position, planned in requests_at_unit_times(
        session, calendar, after=after, until=until, assignment_ids=assignment_ids
    ):
        item = PlannedItem(aid, unit_id, unit_code, Role.LEAD, task_code, position, planned)
        wanted[(aid, planned.due, planned.kind, planned.send_on)] = item
    return wanted


def requests_at_unit_times(
    session: Session,
    calendar: WorkCalendar,
    *,
    after: datetime,
    until: date,
    assignment_ids: Collection[int] | None = None,
    plan_id: int | None = None,
) -> list[RequestReminder]:
    """The reminders of the requests waiting for an answer (:func:`request_reminders`), an explanation's
    at its unit's send time when the unit's receivers chose one (``/nhacviec``, as the unit's other
    focal reminders): the same day at that time, or at once (``after``) when that has passed."""
    requests = request_reminders(
        session, calendar, after=after, until=until, assignment_ids=assignment_ids, plan_id=plan_id
    )
    explained = {r[1] for r in requests if r[5].kind == ReminderKind.EXPLANATION}
    own = personal.unit_plans(session, explained) if explained else {}
    if not own:
        return requests
    times = unit_send_times(session, set(own), calendar)
    moved: list[RequestReminder] = []
    for aid, unit_id, unit_code, task_code, position, planned in requests:
        if planned.kind == ReminderKind.EXPLANATION and unit_id in times:
            at = max(datetime.combine(planned.send_on, times[unit_id], tzinfo=TZ), after)
            planned = Planned(at, planned.kind, planned.due, planned.audience)
        moved.append((aid, unit_id, unit_code, task_code, position, planned))
    return moved


def _passed_today(session: Session, calendar: WorkCalendar, now: datetime, rows: list[Reminder]) -> set[Key]:
    """The keys of ``rows`` (pending today, later than ``now``, which the plan from ``now`` no longer
    wants) that the day's plan wants at a time already past: their receivers' send time moved earlier
    than ``now`` (``/nhacviec``, or the policy's). Those go out at once, not lost."""
    if not rows:
        return set()
    today = in_vietnam(now).date()
    wanted = _wanted(
        session,
        calendar,
        after=datetime.combine(today, time(0), tzinfo=TZ),
        until=today,
        reports_until=now,
        assignment_ids={r.assignment_id for r in rows},
    )
    return {key for key, item in wanted.items() if item.planned.send_at <= now}


def add_snooze(session: Session, assignment_id: int, *, due: date, send_at: datetime, audience: str) -> Reminder:
    """Remind again about ``due`` at ``send_at`` (a press on **Nhắc lại sau**): one :attr:`ReminderKind.SNOOZE` row
    per assignment, deadline and day, so pressing twice, or from two processes, asks once. A row of
    that key cancelled earlier (its deadline was completed, then the completion corrected) is pending
    again."""
    send_on = send_at.astimezone(TZ).date()
    row = session.exec(
        select(Reminder).where(
            Reminder.assignment_id == assignment_id,
            Reminder.due == due,
            Reminder.kind == ReminderKind.SNOOZE,
            Reminder.send_on == send_on,
        )
    ).first()
    if row is None:
        row = Reminder(
            assignment_id=assignment_id,
            due=due,
            kind=ReminderKind.SNOOZE,
            send_on=send_on,
            send_at=send_at,
            audience=audience,
        )
    elif row.state in (ReminderState.CANCELLED, ReminderState.FAILED):
        row.state = ReminderState.PENDING
        row.send_at = send_at
        row.attempts = 0
        row.claimed_at = row.claimed_by = None
    session.add(row)
    session.flush()
    return row


def restore_reminders(
    session: Session, calendar: WorkCalendar, now: datetime, assignment_id: int, due: date | None
) -> int:
    """A completion was corrected: the reminders it cancelled that the plan wants again, and the
    snoozes of the reopened deadline ``due``, are pending again; returns how many. Rows the plan
    never wrote are added by the next :func:`replan` (nothing is inserted here, so this cannot clash
    with another process planning the same rows)."""
    until = (now + HORIZON).date()
    wanted = {
        (i.assignment_id, i.planned.due, i.planned.kind, i.planned.send_on)
        for i in schedule_reminders(session, calendar, after=now, until=until, assignment_ids=[assignment_id])
    }
    restored = 0
    for row in session.exec(
        select(Reminder).where(
            Reminder.assignment_id == assignment_id,
            Reminder.state == ReminderState.CANCELLED,
            col(Reminder.send_at) > now,
        )
    ):
        key = (row.assignment_id, row.due, row.kind, row.send_on)
        if key in wanted or (row.kind == ReminderKind.SNOOZE and row.due == due):
            row.state = ReminderState.PENDING
            session.add(row)
            restored += 1
    session.flush()
    return restored


def add_report(
    session: Session,
    assignment: Assignment,
    *,
    status: Status,
    percent: int,
    reported_at: datetime,
    note: str = "",
    completed_on: date | None = None,
    blocked_reason: str = "",
    evidence_ref: str = "",
    evidence_file_id: str = "",
    evidence_kind: str = "",
    reporter_person_id: int | None = None,
    entered_by_admin: bool = False,
    corrects: int | None = None,
    withdraws: bool = False,
    restores: int | None = None,
    calendar: WorkCalendar | None = None,
) -> Report:
    """Append a report (reports are never edited: a correction is a newer report).

    The new report corrects an earlier one of the same assignment when ``corrects`` names it, or by
    the rule of :func:`correction_target` (a re-report soon after a "Hoàn thành"): a corrected done
    report no longer closes its deadline (:mod:`dondoc.plan.progress`), and the reminders its
    completion cancelled are pending again. A done report cancels its deadline's pending reminders.
    ``withdraws`` (with ``corrects``: the assignment's newest report, nothing standing before it on
    its deadline) makes it a withdrawal, "not started" 0 %: both count as never made
    (``Report.withdraws``). ``restores`` (with ``corrects``): the report whose state this ``hủy``
    brings back, which views show in its place (``Report.restores_report_id``).
    """
    assert assignment.id is not None
    if withdraws:
        if corrects is None:
            raise ValueError("a withdrawal names the report it withdraws")
        status, percent, completed_on, blocked_reason = Status.NOT_STARTED, 0, None, ""
    if status == Status.DONE:
        percent = 100
        completed_on = completed_on or reported_at.date()
    if corrects is not None:
        target = session.get(Report, corrects)
        if target is None or target.assignment_id != assignment.id:
            raise ValueError(f"report {corrects} is not a report on this assignment")
    else:
        target = correction_target(session, assignment, reported_at)
    reopened = closed_occurrence(session, assignment, target) if target and target.status == Status.DONE else None
    report = Report(
        assignment_id=assignment.id,
        status=status,
        percent=max(0, min(100, percent)),
        note=note,
        completed_on=completed_on if status == Status.DONE else None,
        blocked_reason=blocked_reason,
        evidence_ref=evidence_ref,
        evidence_file_id=evidence_file_id,
        evidence_kind=evidence_kind,
        reported_at=reported_at,
        reporter_person_id=reporter_person_id,
        entered_by_admin=entered_by_admin,
        corrects_report_id=target.id if target is not None else None,
        withdraws=withdraws,
        restores_report_id=restores,
    )
    session.add(report)
    session.flush()
    task = session.get(Task, assignment.task_id)
    if status == Status.DONE:
        closed = closed_occurrence(session, assignment, report)
        cancel_reminders(session, assignment.id, closed)
        moved = current_extension(session, assignment.id, closed) if closed is not None else None
        if moved is not None:  # its reminders were planned around the extension's date
            cancel_reminders(session, assignment.id, moved)
    elif target is not None and target.status == Status.DONE:
        restore_reminders(session, calendar or calendar_from_env(), reported_at, assignment.id, reopened)
    if task is not None and task.deadline_kind == DeadlineKind.CONTINUOUS:
        cancel_snoozes(session, assignment.id)  # any report answers a check-in
    return report
