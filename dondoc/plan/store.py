"""Writing an imported appendix to the store, and finding plans again.

Re-importing a corrected appendix updates its tasks in place and keeps every report; importing the
same file twice changes nothing. A task is matched by its text before its code (:func:`match_tasks`):
a task inserted in the middle renumbers the ones after it, and their reports follow them rather than
the numbers. A task or assignment that disappears from the file is deleted if nobody reported on
it, otherwise kept inactive with its history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
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
from dondoc.text import match_key

# A task whose text was edited and that moved to another number is recognised by a text this close
# to its old one (difflib's ratio of the folded texts), the best on both sides. Compared only while
# the unmatched tasks are few (the pairs are compared one by one).
SIMILAR_TEXT = 0.8
MAX_FUZZY_PAIRS = 250_000
# A reported task whose number comes with a text less alike than this is another task: its reports do
# not pass to the new text.
REWRITTEN_TEXT = 0.5


class NotFound(LookupError):
    """A plan, organisation or unit the user named does not exist (message translated)."""


class WouldRetire(Exception):
    """Saving would retire tasks the file lacks, and pruning was not asked for; nothing was written.
    ``replaced``: (code, old text, new text) of those the file has a wholly other text for."""

    def __init__(self, codes: list[str], replaced: list[tuple[str, str, str]]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes
        self.replaced = replaced


@dataclass
class PlanChanges:
    plan_key: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)  # dropped from the file, kept for its reports
    renumbered: list[tuple[str, str]] = field(default_factory=list)  # (old code, new code): reports follow
    # (code, old text, new text): a reported task whose number the file gives a wholly other text: the
    # old one is retired with its reports (in ``deactivated``), the new one starts unreported
    replaced: list[tuple[str, str, str]] = field(default_factory=list)


def find_organization(session: Session, name: str | None = None) -> Organization:
    """The organisation called ``name``, or the only one in the store."""
    if name:
        org = session.exec(select(Organization).where(Organization.name == name)).first()
        if org is None:
            raise NotFound(_("no organisation named {name}").format(name=name))
        return org
    orgs = session.exec(select(Organization).limit(2)).all()
    if not orgs:
        raise NotFound(
            _(
                "no unit registry yet: run `dondoc units import FILE` first (a list of units in xlsx or csv, or a registry in YAML)"
            )
        )
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
    known = (
        list(session.exec(select(Task).where(Task.plan_id == plan.id).order_by(col(Task.position))))
        if plan is not None
        else []
    )
    known = [t for t in known if t.id not in adhoc]
    reported_tasks: set[int] = set()
    if plan is not None:
        reported_tasks = set(
            session.exec(
                select(Assignment.task_id)
                .where(col(Assignment.task_id).in_(select(Task.id).where(Task.plan_id == plan.id)))
                .where(col(Assignment.id).in_(select(Report.assignment_id)))
                .distinct()
            )
        )
    matches, replaced = match_tasks(known, appendix.tasks, reported_tasks)
    old_codes = {t.id: t.code for t in known}
    changes.replaced = replaced
    if plan is not None and not prune:
        kept = {t.id for t in matches.values()}
        dropped = [t.code for t in known if t.active and t.id not in kept]
        if dropped:
            raise WouldRetire(dropped, [r for r in replaced if r[0] in dropped])
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
    wanted_codes = {t.code for t in appendix.tasks}
    matched_ids = {t.id for t in matches.values()}
    leftover = [t for t in known if t.id not in matched_ids]
    # Codes change hands (II.1 becomes II.2 and a new II.1 comes): the moving and leaving tasks first
    # take a code no task has, so the plan's unique codes hold at every flush.
    moving = [t for i, t in matches.items() if t.code != appendix.tasks[i].code]
    moving += [t for t in leftover if t.code in wanted_codes]
    for task in moving:
        task.code = f"~{task.id}~"  # (no appendix code has this shape)
        session.add(task)
    if moving:
        session.flush()
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
        found = matches.get(position)
        created = found is None
        if found is None:
            task = Task(plan_id=plan.id, code=parsed.code, number=parsed.number, title=parsed.title)
            changes.added.append(parsed.code)
        else:
            task = found
            if old_codes[task.id] != parsed.code:
                changes.renumbered.append((old_codes[task.id], parsed.code))
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
    for task in leftover:
        _drop_task(session, task, changes, old_codes[task.id], wanted_codes)
    session.flush()
    return changes


def match_tasks(
    known: Sequence[Task], parsed: Sequence[ParsedTask], reported: set[int]
) -> tuple[dict[int, Task], list[tuple[str, str, str]]]:
    """Which stored task each task of the file (by position) is, and the reported tasks whose number
    the file gives a wholly other text (code, old text, new text). In this order, each step among the
    tasks still unmatched on both sides:

    1. the same code and the same text (folded: case, diacritics, spaces);
    2. the same text under another code, when that text is unique on both sides (a task moved);
    3. a text this close (:data:`SIMILAR_TEXT`), each the other's best (edited and moved);
    4. the same code: a text edited in place — unless the task has reports (in ``reported``) and the
       texts are less alike than :data:`REWRITTEN_TEXT`: another task took the number, and the
       reports must not pass to it (the old task is retired with them)."""
    matches: dict[int, Task] = {}
    free: dict[int, Task] = {t.id or 0: t for t in known}
    keys = [match_key(p.title) for p in parsed]
    known_keys = {t.id or 0: match_key(t.title) for t in known}
    by_code = {t.code: t for t in known}

    def take(position: int, task: Task) -> None:
        matches[position] = task
        free.pop(task.id or 0)

    for position, task in ((i, by_code.get(p.code)) for i, p in enumerate(parsed)):
        if task is not None and known_keys[task.id or 0] == keys[position]:
            take(position, task)
    waiting: dict[str, list[int]] = defaultdict(list)
    for position in range(len(parsed)):
        if position not in matches:
            waiting[keys[position]].append(position)
    stored: dict[str, list[Task]] = defaultdict(list)
    for task in free.values():
        stored[known_keys[task.id or 0]].append(task)
    for key, positions in waiting.items():
        if len(positions) == 1 and len(stored.get(key, ())) == 1:
            take(positions[0], stored[key][0])
    open_positions = [i for i in range(len(parsed)) if i not in matches]
    if open_positions and free and len(open_positions) * len(free) <= MAX_FUZZY_PAIRS:
        for position, task in _similar_pairs(open_positions, keys, list(free.values()), known_keys):
            take(position, task)
    replaced: list[tuple[str, str, str]] = []
    for position, p in enumerate(parsed):
        task = by_code.get(p.code)
        if position in matches or task is None or (task.id or 0) not in free:
            continue
        if task.id in reported and (
            SequenceMatcher(None, known_keys[task.id or 0], keys[position], autojunk=False).ratio() < REWRITTEN_TEXT
        ):
            replaced.append((p.code, task.title, p.title))
            continue
        take(position, task)
    return matches, replaced


def _similar_pairs(
    positions: list[int], keys: list[str], tasks: list[Task], known_keys: dict[int, str]
) -> list[tuple[int, Task]]:
    """Pairs of (position, stored task) whose texts are at least :data:`SIMILAR_TEXT` alike, each
    the other's best match."""
    best_task: dict[int, tuple[float, int]] = {}
    best_position: dict[int, tuple[float, int]] = {}
    for position in positions:
        matcher = SequenceMatcher(None, "", keys[position], autojunk=False)  # (b is the one it indexes)
        for index, task in enumerate(tasks):
            matcher.set_seq1(known_keys[task.id or 0])
            if matcher.real_quick_ratio() < SIMILAR_TEXT or matcher.quick_ratio() < SIMILAR_TEXT:
                continue
            ratio = matcher.ratio()
            if ratio < SIMILAR_TEXT:
                continue
            if ratio > best_task.get(position, (0.0, -1))[0]:
                best_task[position] = (ratio, index)
            if ratio > best_position.get(index, (0.0, -1))[0]:
                best_position[index] = (ratio, position)
    return [
        (position, tasks[index])
        for position, (_ratio, index) in best_task.items()
        if best_position.get(index, (0.0, -1))[1] == position
    ]


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
        "code": parsed.code,
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
            # (a row moved down the sheet, a task before it inserted: written, but not a change to show)
            dirty = dirty or name not in ("source_row", "position")
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


def _drop_task(session: Session, task: Task, changes: PlanChanges, code: str, taken: set[str]) -> None:
    """Retire a task the file no longer has (``code``: its code before this import); kept inactive
    with its reports under its own code, or ``code#id`` when a task of the file now has it."""
    assignments = session.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    if any(_has_reports(session, a) for a in assignments):
        task.code = code if code not in taken else f"{code}#{task.id}"
        session.add(task)
        if task.active:
            changes.deactivated.append(code)
            task.active = False
            for assignment in assignments:
                assignment.active = False
                session.add(assignment)
        return
    for assignment in assignments:
        _delete_assignment(session, assignment)
    for occurrence in session.exec(select(Occurrence).where(Occurrence.task_id == task.id)):
        session.delete(occurrence)
    session.flush()
    session.delete(task)
    changes.removed.append(code)
