"""Reads and writes that several features share: a unit's assignments with their latest report,
what recording a report changes (:func:`dondoc.scheduler.schedule.add_report` records it), and who
manages a unit. Each runs a fixed number of queries, never one per item."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    ChannelAccount,
    MemberRole,
    Membership,
    Occurrence,
    Organization,
    Person,
    Plan,
    Reminder,
    ReminderKind,
    ReminderState,
    Report,
    Status,
    Task,
    Unit,
)
from dondoc.tz import stored_in_vietnam


def ids_in(session: Session, column: Any, ids: Collection[int | None]) -> ColumnElement[bool]:
    """``column IN (ids)``. On PostgreSQL one array parameter (``= ANY(:ids)``) rather than one
    parameter per id: for thousands of ids (a sweep's claimed reminders) building, sending and parsing
    the long list costs more than the query itself."""
    found: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        found = column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    else:
        found = column.in_(ids)
    return found


def ids_among(session: Session, column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """``column IN (ids)`` for thousands of ids (a sweep's claimed reminders): the list goes as one text
    parameter that the database expands — ``unnest`` of an :func:`int_array` on PostgreSQL (a subquery
    the planner can hash, and no per-element dumping in Python), ``json_each`` on SQLite (not one
    parameter per id, which SQLite builds may limit to 32,766)."""
    dialect = session.get_bind().dialect.name
    found: ColumnElement[bool]
    if dialect == "postgresql":
        found = column.in_(sa_select(func.unnest(int_array(ids))).scalar_subquery())
    elif dialect == "sqlite":
        listed = "[" + ",".join(map(str, ids)) + "]"
        found = column.in_(sa_select(literal_column("value")).select_from(func.json_each(listed)).scalar_subquery())
    else:
        found = column.in_(ids)
    return found


def int_array(ids: Iterable[int]) -> ColumnElement[Any]:
    """An ``integer[]`` for PostgreSQL to ``unnest``, sent as the one text ``{1,2,3}``: a Python list is
    dumped element by element (each checked for quoting), which for thousands of ids costs more than
    the statement. Not for ``= ANY(…)``: the cast is made as the statement runs, so the planner cannot
    hash the array, and each row would search it from the start."""
    return cast(bindparam(None, int_array_text(ids), type_=String), ARRAY(Integer))


def int_array_text(ids: Iterable[int]) -> str:
    """Integers as PostgreSQL's array text, ``{1,2,3}`` (read as an ``integer[]`` where it is cast to one)."""
    return "{" + ",".join(map(str, ids)) + "}"


@dataclass
class AssignmentView:
    """A unit's part in a task, with what a focal point needs to see about it."""

    assignment: Assignment
    task: Task
    unit: Unit
    dates: list[date] = field(default_factory=list)
    latest: Report | None = None

    @property
    def id(self) -> int:
        assert self.assignment.id is not None
        return self.assignment.id

    def next_due(self, today: date) -> date | None:
        """The due date to show: the next one from today, else the last one (overdue)."""
        upcoming = [d for d in self.dates if d >= today]
        if upcoming:
            return upcoming[0]
        return self.dates[-1] if self.dates else None


def unit_assignments(session: Session, unit_ids: Collection[int], plan_id: int | None = None) -> list[AssignmentView]:
    """Active assignments of ``unit_ids`` with task, due dates and latest report, in appendix order."""
    if not unit_ids:
        return []
    query = (
        select(Assignment, Task, Unit)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(col(Assignment.unit_id).in_(unit_ids), col(Assignment.active), col(Task.active))
    )
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    rows = session.exec(query.order_by(col(Task.plan_id), col(Task.position), col(Unit.position))).all()
    views = {a.id: AssignmentView(assignment=a, task=t, unit=u) for a, t, u in rows}
    if not views:
        return []
    by_task: dict[int, list[AssignmentView]] = {}
    for view in views.values():
        by_task.setdefault(view.task.id or 0, []).append(view)
    for occurrence in session.exec(
        select(Occurrence).where(col(Occurrence.task_id).in_(by_task)).order_by(col(Occurrence.due))
    ):
        for view in by_task[occurrence.task_id]:
            view.dates.append(occurrence.due)
    for report in latest_reports(session, list(views)):
        views[report.assignment_id].latest = report
    return list(views.values())


def latest_reports(session: Session, assignment_ids: Sequence[int | None]) -> list[Report]:
    """The newest report of each assignment that has one, among the reports that stand
    (:func:`standing`: an undone first report and its undoing are as if never made)."""
    newest = (
        select(Report.assignment_id, func.max(Report.id).label("id"))
        .where(col(Report.assignment_id).in_(assignment_ids), standing(Report))
        .group_by(col(Report.assignment_id))
        .subquery()
    )
    return list(session.exec(select(Report).join(newest, col(Report.id) == newest.c.id)).all())


def standing(report: Any, *, before: datetime | None = None, through: datetime | None = None) -> ColumnElement[bool]:
    """Whether ``report`` (:class:`Report` or an alias of it) counts as made: it withdraws nothing
    (``Report.withdraws``: the ``hủy`` of a report that nothing stood before on its deadline) and no
    such withdrawal made before ``before`` (or at or before ``through``; any, without either)
    withdraws it. Reading the newest report, it is enough to take a withdrawing one for "no report"
    (the report it withdraws was the newest before it, with nothing standing before that on its
    deadline); the reads that look at every report (the latest report that stands, a continuous
    task's last check-in, the answers to reminders) leave out both with this."""
    fix = aliased(Report)
    withdrawn = [col(fix.corrects_report_id) == report.id, col(fix.withdraws)]
    if before is not None:
        withdrawn.append(col(fix.reported_at) < before)
    if through is not None:
        withdrawn.append(col(fix.reported_at) <= through)
    return and_(col(report.withdraws).is_(False), ~exists().where(*withdrawn))


def assignment_history(session: Session, assignment_ids: Sequence[int]) -> list[tuple[Report, Person | None]]:
    """Every report on these assignments, oldest first, with who made it."""
    return list(
        session.exec(
            select(Report, Person)
            .join(Person, col(Person.id) == Report.reporter_person_id, isouter=True)
            .where(col(Report.assignment_id).in_(assignment_ids))
            .order_by(col(Report.reported_at), col(Report.id))
        ).all()
    )


CORRECTION_DAYS = 7  # a report this soon after a "Hoàn thành" on a deadline not yet past corrects it


def correction_target(session: Session, assignment: Assignment, reported_at: datetime) -> Report | None:
    """The done report that a new report on ``assignment`` at ``reported_at`` corrects, if any.

    That is the assignment's newest report when it is a "Hoàn thành" and either it closed the
    assignment's last deadline (a later report has no other deadline to be about), or the new report
    comes within ``CORRECTION_DAYS`` days after it and on or before the due date it closed. The rule is
    described in :mod:`dondoc.plan.progress`.
    """
    previous = session.exec(
        select(Report)
        .where(Report.assignment_id == assignment.id, col(Report.reported_at) <= reported_at)
        .order_by(col(Report.reported_at).desc(), col(Report.id).desc())
    ).first()
    if previous is None or previous.status != Status.DONE:
        return None
    dues = _dues(session, assignment)
    if not dues:
        return None  # a continuous task: no deadline to reopen
    closed = closed_occurrence(session, assignment, previous)
    if closed is None or closed == dues[-1]:
        return previous
    day, previous_day = _local_day(reported_at), _local_day(previous.reported_at)
    if (day - previous_day).days <= CORRECTION_DAYS and day <= closed:
        return previous
    return None


def _local_day(moment: datetime) -> date:
    return stored_in_vietnam(moment).date()


def _dues(session: Session, assignment: Assignment) -> list[date]:
    return [
        o.due
        for o in session.exec(
            select(Occurrence).where(Occurrence.task_id == assignment.task_id).order_by(col(Occurrence.due))
        )
    ]


def closed_occurrence(session: Session, assignment: Assignment, report: Report | None = None) -> date | None:
    """The due date a "done" report (default: the newest done report) closes: the earliest occurrence
    that earlier done reports, not corrected since, have not closed (the rule of the progress categories).
    ``None`` when it closes none (every deadline was closed before it, or it was itself corrected)."""
    rows = session.exec(
        select(Report.id, Report.status, Report.corrects_report_id)
        .where(Report.assignment_id == assignment.id)
        .order_by(col(Report.reported_at), col(Report.id))
    ).all()
    corrected = {fix for _id, _status, fix in rows if fix is not None}
    done = [rid for rid, status, _fix in rows if status == Status.DONE and rid not in corrected]
    if report is None:
        target = next((rid for rid, status, _fix in reversed(rows) if status == Status.DONE), None)
    else:
        target = report.id
    if target not in done:
        return None
    dues = _dues(session, assignment)
    index = done.index(target)
    return dues[index] if index < len(dues) else None


def cancel_snoozes(session: Session, assignment_id: int) -> None:
    """A report answered the check-in a person asked to be reminded of again."""
    session.exec(
        update(Reminder)
        .where(
            col(Reminder.assignment_id) == assignment_id,
            col(Reminder.kind) == ReminderKind.SNOOZE,
            col(Reminder.state).in_([ReminderState.PENDING, ReminderState.HELD]),
        )
        .values(state=ReminderState.CANCELLED)
    )


def cancel_reminders(session: Session, assignment_id: int, due: date | None) -> None:
    """A completion stops every pending reminder for that occurrence (all of them for a one-off)."""
    query = update(Reminder).where(
        col(Reminder.assignment_id) == assignment_id,
        col(Reminder.state).in_([ReminderState.PENDING, ReminderState.HELD]),
    )
    if due is not None:
        query = query.where(col(Reminder.due) == due)
    session.exec(query.values(state=ReminderState.CANCELLED))


@dataclass(frozen=True)
class Reachable:
    """A member the bot can message: someone holding ``role`` in the unit whom the channel has not
    refused (not marked unreachable)."""

    unit_id: int
    unit_code: str
    role: MemberRole
    person: Person
    # The account to write to (the one they wrote from last; the oldest when none has written since
    # that was recorded); None unless asked ``bound``.
    account: ChannelAccount | None


def reachable_members(
    session: Session,
    roles: Collection[MemberRole],
    *,
    organization_id: int | None = None,
    unit_ids: Collection[int] | None = None,
    unit_codes: Collection[str] | None = None,
    bound: bool = False,
    channels: Collection[str] | None = None,
) -> list[Reachable]:
    """The reachable people holding one of ``roles`` in the units chosen (an organisation's, or by id,
    or by code), once per unit and role, by person id. With ``bound``, only people with a channel
    account, each with the account they used last (reminders and alerts go where the person is), among
    the accounts on ``channels`` when given (the channels this process can send on). One query."""
    chosen: list[ColumnElement[bool]] = [col(Membership.role).in_(roles), col(Person.unreachable).is_(False)]
    if organization_id is not None:
        chosen.append(col(Unit.organization_id) == organization_id)
    if unit_ids is not None:
        # (as one parameter: a nation's pass asks for thousands of units at once, and a list of that
        # many parameters cost more to build and parse than the query)
        chosen.append(ids_among(session, col(Membership.unit_id), unit_ids))
    if unit_codes is not None:
        chosen.append(col(Unit.code).in_(unit_codes))
    found: dict[tuple[int, MemberRole, int | None], Reachable] = {}
    if bound:
        # (the membership's unit and role as plain columns: no Membership object for each row)
        for unit_id, role, code, person, account in session.execute(
            sa_select(col(Membership.unit_id), col(Membership.role), col(Unit.code), Person, ChannelAccount)
            .join(Unit, col(Unit.id) == Membership.unit_id)
            .join(Person, col(Person.id) == Membership.person_id)
            .join(ChannelAccount, col(ChannelAccount.person_id) == Person.id)
            .where(*chosen, *([col(ChannelAccount.channel).in_(channels)] if channels is not None else []))
            .order_by(col(Person.id), col(ChannelAccount.last_used_at).desc().nulls_last(), col(ChannelAccount.id))
        ):
            found.setdefault((unit_id, role, person.id), Reachable(unit_id, code, role, person, account))
    else:
        for unit_id, role, code, person in session.execute(
            sa_select(col(Membership.unit_id), col(Membership.role), col(Unit.code), Person)
            .join(Unit, col(Unit.id) == Membership.unit_id)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(*chosen)
            .order_by(col(Person.id))
        ):
            found.setdefault((unit_id, role, person.id), Reachable(unit_id, code, role, person, None))
    return list(found.values())


def managers_of(session: Session, unit: Unit) -> list[tuple[Person, ChannelAccount]]:
    """The people to alert about ``unit``: its managers and the coordinating unit's managers."""
    org = session.get(Organization, unit.organization_id)
    codes = {unit.code}
    if org is not None and org.coordinator_code:
        codes.add(org.coordinator_code)
    seen: dict[int | None, tuple[Person, ChannelAccount]] = {}
    for member in reachable_members(
        session, (MemberRole.MANAGER,), organization_id=unit.organization_id, unit_codes=codes, bound=True
    ):
        assert member.account is not None
        seen.setdefault(member.person.id, (member.person, member.account))
    return list(seen.values())


def organization_tree(session: Session, roots: Collection[int]) -> list[int]:
    """``roots`` and every organisation under them (children, their children…), roots first, then
    level by level in id order; each once. One query per level."""
    found: dict[int, None] = dict.fromkeys(roots)
    level = list(found)
    while level:
        children = session.exec(
            select(Organization.id).where(col(Organization.parent_id).in_(level)).order_by(col(Organization.id))
        ).all()
        level = [i for i in children if i is not None and i not in found]
        found.update(dict.fromkeys(level))
    return list(found)


def organization_unit_ids(session: Session, organization_id: int | Collection[int]) -> list[int]:
    ids = [organization_id] if isinstance(organization_id, int) else list(organization_id)
    return [i for i in session.exec(select(Unit.id).where(col(Unit.organization_id).in_(ids), col(Unit.active))) if i]


def current_plan(session: Session, organization_id: int) -> Plan | None:
    """The organisation's newest plan."""
    return session.exec(
        select(Plan).where(Plan.organization_id == organization_id).order_by(col(Plan.year).desc(), col(Plan.id).desc())
    ).first()


def current_plans(session: Session, organization_ids: Collection[int]) -> dict[int, Plan]:
    """Each organisation's newest plan (:func:`current_plan`), by organisation id, in one query."""
    if not organization_ids:
        return {}
    newest = (
        select(
            col(Plan.id).label("id"),
            func.row_number()
            .over(partition_by=col(Plan.organization_id), order_by=(col(Plan.year).desc(), col(Plan.id).desc()))
            .label("rank"),
        )
        .where(col(Plan.organization_id).in_(list(organization_ids)))
        .subquery()
    )
    plans = session.exec(select(Plan).join(newest, newest.c.id == Plan.id).where(newest.c.rank == 1)).all()
    return {plan.organization_id: plan for plan in plans}


def active_assignment(session: Session, plan_id: int, task_code: str, unit_id: int) -> Assignment | None:
    """The unit's active part in the plan's task with this code, None when the task is not assigned to it."""
    return session.exec(
        select(Assignment)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(Task.plan_id == plan_id, Task.code == task_code, Assignment.unit_id == unit_id, col(Assignment.active))
    ).first()


def has_plan(session: Session) -> bool:
    """Whether the store holds any plan yet."""
    return session.exec(select(Plan.id).limit(1)).first() is not None
