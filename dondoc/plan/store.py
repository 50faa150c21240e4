"""Writing an imported appendix to the store, and finding plans again.

Tasks are matched by code, so re-importing a corrected appendix updates them in place and keeps
every report; importing the same file twice changes nothing. A task or assignment that disappears
from the file is deleted if nobody reported on it, otherwise kept inactive with its history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Area,
    Assignment,
    DeadlineKind,
    Occurrence,
    Organization,
    Plan,
    Reminder,
    Report,
    Role,
    Task,
    Unit,
)
from dondoc.db.queries import current_plan
from dondoc.i18n import _
from dondoc.plan.adhoc import adhoc_task_ids
from dondoc.plan.appendix import Appendix, ParsedTask


class NotFound(LookupError):
    """A plan, organisation or unit the user named does not exist (message translated)."""


class WouldRetire(Exception):
    """Saving would retire tasks the file lacks, and pruning was not asked for; nothing was written."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


@dataclass
class PlanChanges:
    plan_key: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)  # dropped from the file, kept for its reports


def find_organization(session: Session, name: str | None = None) -> Organization:
    """The organisation called ``name``, or the only one in the store."""
    if name:
        org = session.exec(select(Organization).where(Organization.name == name)).first()
        if org is None:
            raise NotFound(_("no organisation named {name}").format(name=name))
        return org
    orgs = session.exec(select(Organization).limit(2)).all()
    if not orgs:
        raise NotFound(_("no unit registry yet: run `dondoc units import FILE.yaml` first"))
    if len(orgs) > 1:
        raise NotFound(_("several organisations in this database: choose one with --org"))
    return orgs[0]


def find_plan(session: Session, org: Organization, key: str | None = None) -> Plan:
    """The plan with ``key``, or the organisation's newest plan."""
    query = select(Plan).where(Plan.organization_id == org.id)
    if key:
        plan = session.exec(query.where(Plan.key == key)).first()
        if plan is None:
            raise NotFound(_("no plan {key}").format(key=key))
        return plan
    assert org.id is not None
    plan = current_plan(session, org.id)
    if plan is None:
        raise NotFound(_("no plan imported yet: run `dondoc plan import FILE` first"))
    return plan


def save_appendix(
    session: Session,
    org: Organization,
    appendix: Appendix,
    *,
    key: str,
    source_file: str,
    source_sha256: str,
    now: datetime,
    prune: bool = False,
) -> PlanChanges:
    """Create or update plan ``key`` from ``appendix`` (one transaction, owned by the caller).

    Tasks of the plan that the file lacks are retired (deleted, or kept inactive when reported on)
    only with ``prune``; otherwise :class:`WouldRetire` names them before anything is written, so
    a partial or wrong file cannot silently remove tasks and their reminders."""
    assert org.id is not None
    changes = PlanChanges(plan_key=key)
    plan = session.exec(select(Plan).where(Plan.organization_id == org.id, Plan.key == key)).first()
    adhoc = adhoc_task_ids(session, plan.id) if plan is not None and plan.id is not None else set()
    if plan is not None and not prune:
        wanted = {t.code for t in appendix.tasks}
        active = (
            select(Task.code)
            .where(Task.plan_id == plan.id, col(Task.active), col(Task.id).not_in(adhoc))
            .order_by(col(Task.position))
        )
        dropped = [code for code in session.exec(active) if code not in wanted]
        if dropped:
            raise WouldRetire(dropped)
    if plan is None:
        plan = Plan(organization_id=org.id, key=key, title=appendix.title, year=appendix.year)
        changes.created = True
    if plan.source_sha256 != source_sha256:
        plan.source_file, plan.source_sha256, plan.imported_at = source_file, source_sha256, now
    plan.title, plan.year = appendix.title, appendix.year
    plan.warnings = [warning.to_json() for warning in appendix.warnings]  # the last import's
    session.add(plan)
    session.flush()
    assert plan.id is not None

    areas = _save_areas(session, plan.id, appendix)
    units = {u.code: u.id for u in session.exec(select(Unit).where(Unit.organization_id == org.id))}
    existing = {t.code: t for t in session.exec(select(Task).where(Task.plan_id == plan.id)) if t.id not in adhoc}
    # What the plan's tasks already have, read once rather than per task: an appendix of
    # thousands of tasks is saved in seconds.
    plan_tasks = select(Task.id).where(Task.plan_id == plan.id)
    occurrences: dict[int, dict[date, Occurrence]] = defaultdict(dict)
    for occurrence in session.exec(select(Occurrence).where(col(Occurrence.task_id).in_(plan_tasks))):
        occurrences[occurrence.task_id][occurrence.due] = occurrence
    assignments: dict[int, dict[int, Assignment]] = defaultdict(dict)
    for assignment in session.exec(select(Assignment).where(col(Assignment.task_id).in_(plan_tasks))):
        assignments[assignment.task_id][assignment.unit_id] = assignment
    plan_assignments = select(Assignment.id).where(col(Assignment.task_id).in_(plan_tasks))
    reported = set(session.exec(select(Report.assignment_id).where(col(Report.assignment_id).in_(plan_assignments))))

    staged: list[tuple[Task, ParsedTask, bool, bool]] = []
    for position, parsed in enumerate(appendix.tasks):
        task = existing.pop(parsed.code, None)
        created = task is None
        if task is None:
            task = Task(plan_id=plan.id, code=parsed.code, number=parsed.number, title=parsed.title)
            changes.added.append(parsed.code)
        dirty = _set_task_fields(task, parsed, areas.get(parsed.area), position)
        session.add(task)
        staged.append((task, parsed, created, dirty))
    session.flush()  # new tasks get their ids, in one round of inserts

    new_rows = _NewRows()
    for task, parsed, created, dirty in staged:
        assert task.id is not None
        dirty |= _sync_occurrences(session, task.id, parsed, occurrences[task.id], new_rows)
        dirty |= _sync_assignments(session, task.id, parsed, units, assignments[task.id], reported, new_rows)
        if created:
            continue
        if dirty:
            changes.updated.append(parsed.code)
        else:
            changes.unchanged += 1
    session.flush()
    new_rows.insert(session)
    for task in existing.values():
        _drop_task(session, task, changes)
    session.flush()
    return changes


@dataclass
class _NewRows:
    """Rows to insert in one statement each (building thousands of ORM objects takes seconds)."""

    occurrences: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)

    def insert(self, session: Session) -> None:
        connection = session.connection()
        if self.occurrences:
            connection.execute(insert(Occurrence), self.occurrences)
        if self.assignments:
            connection.execute(insert(Assignment), self.assignments)


def _save_areas(session: Session, plan_id: int, appendix: Appendix) -> dict[str, int]:
    existing = {a.code: a for a in session.exec(select(Area).where(Area.plan_id == plan_id))}
    codes = [a.code for a in appendix.areas]
    if any(not t.area for t in appendix.tasks) and "" not in codes:
        codes.insert(0, "")
    titles = {a.code: a.title for a in appendix.areas}
    ids: dict[str, int] = {}
    for position, code in enumerate(codes):
        area = existing.pop(code, None) or Area(plan_id=plan_id, code=code, title="")
        area.title, area.position = titles.get(code, ""), position
        session.add(area)
        session.flush()
        assert area.id is not None
        ids[code] = area.id
    for area in existing.values():
        used = session.exec(select(Task.id).where(Task.area_id == area.id).limit(1)).first()
        if used is None:
            session.delete(area)
    return ids


def _set_task_fields(task: Task, parsed: ParsedTask, area_id: int | None, position: int) -> bool:
    values = {
        "area_id": area_id,
        "number": parsed.number,
        "title": parsed.title,
        "product": parsed.product,
        "note": parsed.note,
        "deadline_text": parsed.deadline.text,
        "deadline_kind": DeadlineKind(parsed.deadline.kind),
        "deadline_every": parsed.deadline.every,
        "source_row": parsed.source_row,
        "position": position,
        "active": True,
    }
    dirty = False
    for name, value in values.items():
        if getattr(task, name) != value:
            setattr(task, name, value)
            dirty = True
    return dirty


def _sync_occurrences(
    session: Session, task_id: int, parsed: ParsedTask, current: dict[date, Occurrence], new_rows: _NewRows
) -> bool:
    wanted = set(parsed.deadline.dates)
    for due, occurrence in current.items():
        if due not in wanted:
            session.delete(occurrence)
    new_rows.occurrences.extend({"task_id": task_id, "due": due} for due in sorted(wanted - current.keys()))
    return wanted != current.keys()


def _sync_assignments(
    session: Session,
    task_id: int,
    parsed: ParsedTask,
    units: dict[str, int | None],
    current: dict[int, Assignment],
    reported: set[int],
    new_rows: _NewRows,
) -> bool:
    wanted: dict[int, tuple[Role, int]] = {}
    for codes, role in ((parsed.lead, Role.LEAD), (parsed.support, Role.SUPPORT)):
        for position, code in enumerate(codes):
            unit_id = units[code]
            assert unit_id is not None
            wanted.setdefault(unit_id, (role, position))
    dirty = False
    for unit_id, assignment in current.items():
        if unit_id in wanted:
            role, position = wanted[unit_id]
            if (assignment.role, assignment.position, assignment.active) != (role, position, True):
                assignment.role, assignment.position, assignment.active = role, position, True
                session.add(assignment)
                dirty = True
        elif assignment.id in reported:
            if assignment.active:
                assignment.active = False
                session.add(assignment)
                dirty = True
        else:
            _delete_assignment(session, assignment)
            dirty = True
    for unit_id, (role, position) in wanted.items():
        if unit_id not in current:
            new_rows.assignments.append(
                {"task_id": task_id, "unit_id": unit_id, "role": role, "position": position, "active": True}
            )
            dirty = True
    return dirty


def _has_reports(session: Session, assignment: Assignment) -> bool:
    return session.exec(select(Report.id).where(Report.assignment_id == assignment.id).limit(1)).first() is not None


def _delete_assignment(session: Session, assignment: Assignment) -> None:
    """An assignment nobody reported on, with its planned reminders (they go first: foreign keys)."""
    session.exec(delete(Reminder).where(col(Reminder.assignment_id) == assignment.id))
    session.delete(assignment)
    session.flush()


def _drop_task(session: Session, task: Task, changes: PlanChanges) -> None:
    assignments = session.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    if any(_has_reports(session, a) for a in assignments):
        if task.active:
            changes.deactivated.append(task.code)
            task.active = False
            for assignment in assignments:
                assignment.active = False
                session.add(assignment)
            session.add(task)
        return
    for assignment in assignments:
        _delete_assignment(session, assignment)
    for occurrence in session.exec(select(Occurrence).where(Occurrence.task_id == task.id)):
        session.delete(occurrence)
    session.flush()
    session.delete(task)
    changes.removed.append(task.code)
