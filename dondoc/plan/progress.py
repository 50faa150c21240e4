"""Where a plan stands at a date: the official categories, defined once and used by every view.

An *item* is one deadline of one lead unit on one task: (task, lead unit, occurrence). Reports are
read per assignment in time order; each counts for the earliest occurrence of that assignment that is
not yet done when the report arrives, and a "Hoàn thành" (done) report closes that occurrence, so the
next report starts on the next one. At a date ``T`` (reports made after the end of ``T`` in Vietnam
time are ignored) an item is:

- ``done_on_time`` — closed by a done report whose completion date (``completed_on``, else the day of
  the report in Vietnam time) is on or before the due date;
- ``done_late`` — closed, completion date after the due date;
- ``in_progress`` — open, ``T`` on or before the due date, and its latest report says in progress or
  blocked;
- ``not_started`` — open, ``T`` on or before the due date, and no report, or the latest report says
  not started (a correction: reports are append-only, so the latest one is the unit's word);
- ``overdue`` — open and ``T`` after the due date, reported or not.

A mistaken "Hoàn thành" is corrected by a newer report that *corrects* it (``Report.corrects_report_id``,
set by :func:`dondoc.scheduler.schedule.add_report`): from the correction's time on, the corrected done report
no longer closes anything — its deadline is open again and the correction (and every later report)
attaches to it, so "Đang thực hiện 30 %" after a mistaken "Hoàn thành" puts the item back in progress,
and a second "Hoàn thành" with another date replaces the first date. The history keeps both reports.
A new report corrects the assignment's newest report when that one is a done report and

- the person says so (``corrects=<report id>``, for instance from the command line), or
- that done report closed the assignment's last deadline (a single-deadline task, or the last period
  of a recurring one): a later report has no other deadline to be about, or
- it is made within :data:`~dondoc.db.queries.CORRECTION_DAYS` days after that done report and on or before the due date
  the done report closed (the deadline is not past yet, so it cannot be the next period's news).

A one-line report undone with ``hủy`` (:mod:`dondoc.handlers.oneline`) is followed by a report that
restores the state before it. When nothing stood before it on its deadline (the unit's first report,
or its first after a done report closed the deadline before), that report *withdraws* it
(``Report.withdraws``): both count as never made, so the deadline is unreported again (a
non-responder, with no report time) rather than answered with "not started". A withdrawal is always
"not started", 0 %, and the report it withdraws was the newest before it: read as the newest report,
it stands for *no report* (:func:`_decisive_reports` leaves it out; the database's counts, which read
only the newest report's status, get "not started" from it, the same as from no report).

``blocked`` (Vướng mắc) is a flag beside the category: the item's latest report says blocked.
Continuous tasks ("Thường xuyên", no due dates) have no category: they are listed apart with their
last check-in. So are *undated* tasks (``DeadlineKind.UNDATED``: counted from the plan's issue date,
which the import was not given): "no date yet", never overdue. Supporting units' reports are attached to the lead units' items as details and never
counted. The on-time rate is ``done_on_time / (done_on_time + done_late + overdue)``.

Everything is computed in Python from a handful of queries for the whole plan, never a query per
item. Only the reports that can decide something are read: every done report that no report made by
then corrects (each closes a deadline) and each assignment's newest report (the latest word on the one deadline left open); the reports in
between are overwritten by a later one on the same deadline and change nothing. :func:`plan_status`
builds every item with its details; :func:`plan_summary` only counts, for ``/status``, through the
same :func:`attach_reports` and :func:`categorize`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any, Literal, NamedTuple, Protocol, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Date,
    DateTime,
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    text,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy import cast as cast_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Area,
    Assignment,
    DeadlineKind,
    Extension,
    ExtensionState,
    Occurrence,
    Organization,
    Plan,
    Report,
    Role,
    Status,
    Task,
    Unit,
)
from dondoc.db.queries import standing
from dondoc.i18n import _
from dondoc.plan.extensions import ExtensionKey, approved_extensions, judge_against_original
from dondoc.plan.registry import Registry, UnitSpec, build_matcher
from dondoc.plan.units import expand
from dondoc.text import match_key
from dondoc.tz import TZ, stored_in_vietnam

Category = Literal["done_on_time", "done_late", "in_progress", "not_started", "overdue"]
CATEGORIES: tuple[Category, ...] = ("done_on_time", "done_late", "in_progress", "not_started", "overdue")


def category_label(category: Category) -> str:
    """The category's official name in the current language."""
    labels: dict[Category, str] = {
        "done_on_time": _("Done on time"),
        "done_late": _("Done late"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
        "overdue": _("Overdue"),
    }
    return labels[category]


def status_label(status: Status) -> str:
    """A reported status's official name in the current language."""
    labels = {
        Status.NOT_STARTED: _("Not started"),
        Status.IN_PROGRESS: _("In progress"),
        Status.DONE: _("Done"),
        Status.BLOCKED: _("Blocked"),
    }
    return labels[status]


def match_units(registry: Registry, text: str) -> list[str] | None:
    """The unit codes that ``text`` names, typed any way ("XP", "xa phien", "Xà Phiên"); a group
    name gives its units. ``None`` when part of the text names no unit or group of the registry."""
    codes = [u.code for u in registry.units]
    if text.strip() in codes:
        return [text.strip()]
    targets, unknown = build_matcher(registry).match(text)
    if not targets or unknown:
        return None
    return expand(targets)


def units_named_in_part(registry: Registry, text: str) -> list[str]:
    """The units whose name has the words of ``text`` in a row, typed any way ("hanh chinh cong" for
    "Trung tâm Phục vụ hành chính công xã"): what a person means by part of a name that
    :func:`match_units` does not read; none for fewer than two letters."""
    wanted = match_key(text)
    if len(wanted.replace(" ", "")) < 2:
        return []
    return [unit.code for unit in registry.units if f" {wanted} " in f" {match_key(unit.name)} "]


def diacritic_twins(registry: Registry, codes: Collection[str]) -> list[UnitSpec]:
    """The units of ``codes`` when they are several whose names are one but for their diacritics
    ("Ủy ban nhân dân xã Bình Thành", "… Bình Thạnh": two communes): a name typed without diacritics
    that fits them all names none of them (never their sum). Empty otherwise."""
    found = [unit for unit in registry.units if unit.code in codes]
    return found if len(found) > 1 and len({match_key(unit.name) for unit in found}) == 1 else []


class _Named(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


def several_units(typed: str, units: Sequence[_Named], shown: Callable[[str], str] = str) -> str:
    """What every surface says when ``typed`` fits several units (names that differ only in their
    diacritics), naming each with its code; ``shown`` escapes typed and stored text for a chat."""
    return _("«{typed}» fits several units: {names}. Type the name with its diacritics, or its code.").format(
        typed=shown(typed), names="; ".join(f"{shown(u.name)} ({shown(u.code)})" for u in units)
    )


def empty_counts() -> dict[Category, int]:
    """A zero for every category, in the official order."""
    return dict.fromkeys(CATEGORIES, 0)


@dataclass(slots=True)
class SupportReport:
    """A supporting unit's latest report on the same deadline (a detail: never counted)."""

    unit: str
    unit_name: str
    status: Status
    percent: int
    reported_at: datetime
    note: str = ""


@dataclass(slots=True)
class Item:
    """One deadline of one lead unit on one task, and where it stands."""

    task: str  # task code, "III.4"
    area: str  # area code, "" when the task has none
    unit: str  # lead unit code
    unit_name: str
    due: date
    category: Category
    percent: int  # 100 once done; else the latest report's, 0 without a report
    blocked: bool  # the latest report says "Vướng mắc"
    reported_at: datetime | None  # the latest report's time, in Vietnam time
    note: str
    completed_on: date | None  # for a done item: the completion date used for the category
    position: int  # the task's order in the appendix
    blocked_reason: str = ""
    support: list[SupportReport] = field(default_factory=list)
    extended_to: date | None = None  # an approved extension's new due date (the original stays ``due``)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "task": self.task,
            "unit": self.unit,
            "due": self.due.isoformat(),
            "category": self.category,
            "percent": self.percent,
            "blocked": self.blocked,
            "reported_at": _iso(self.reported_at),
        }
        if self.extended_to is not None:
            found["extended_to"] = self.extended_to.isoformat()
        return found


@dataclass(slots=True)
class ContinuousItem:
    """A lead unit on a continuous task ("Thường xuyên"): its last check-in, no category."""

    task: str
    area: str
    unit: str
    unit_name: str
    last_report_at: datetime | None
    status: Status | None  # None: never reported
    percent: int
    note: str
    position: int = 0
    support: list[SupportReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "unit": self.unit,
            "last_report_at": _iso(self.last_report_at),
            "status": self.status.value if self.status is not None else None,
            "percent": self.percent,
        }


@dataclass
class PlanStatus:
    """A plan's state at ``as_of``: items, continuous tasks, and counts by category."""

    as_of: date
    items: list[Item]  # appendix order, then unit registry order, then due date
    continuous: list[ContinuousItem]
    totals: dict[Category, int]
    by_area: dict[str, dict[Category, int]]  # every area of the plan, in area order
    by_unit: dict[str, dict[Category, int]]  # units with items only, in registry order
    on_time_rate: float
    undated: list[ContinuousItem] = field(default_factory=list)  # no date yet: listed apart, never counted

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "totals": dict(self.totals),
            "on_time_rate": self.on_time_rate,
            "by_area": {code: dict(counts) for code, counts in self.by_area.items()},
            "by_unit": {code: dict(counts) for code, counts in self.by_unit.items()},
            "items": [item.to_json() for item in self.items],
            "continuous": [item.to_json() for item in self.continuous],
            "undated": [item.to_json() for item in self.undated],
        }


@dataclass
class StatusSummary:
    """The counts of :class:`PlanStatus` without the items (what ``/status`` shows)."""

    as_of: date
    items: int  # how many items are counted
    totals: dict[Category, int]
    by_area: dict[str, dict[Category, int]]  # every area of the plan, in area order
    by_unit: dict[str, dict[Category, int]]  # units with items only, in registry order
    on_time_rate: float
    blocked: int  # items whose latest report says "Vướng mắc"
    continuous: int  # continuous tasks' lead units (listed apart, never counted)
    unit_names: dict[str, str]  # code → name of the units with items or continuous tasks
    undated: int = 0  # undated tasks' lead units (no date yet: listed apart, never counted)


def summarize(status: PlanStatus) -> StatusSummary:
    """The summary of a full status (what :func:`plan_summary` computes without building items)."""
    names = {item.unit: item.unit_name for item in status.items}
    names.update((entry.unit, entry.unit_name) for entry in (*status.continuous, *status.undated))
    return StatusSummary(
        as_of=status.as_of,
        items=len(status.items),
        totals=dict(status.totals),
        by_area={code: dict(counts) for code, counts in status.by_area.items()},
        by_unit={code: dict(counts) for code, counts in status.by_unit.items()},
        on_time_rate=status.on_time_rate,
        blocked=sum(1 for item in status.items if item.blocked),
        continuous=len(status.continuous),
        unit_names=names,
        undated=len(status.undated),
    )


SILENT_WITHIN = timedelta(days=7)  # how far ahead an unreported deadline makes its unit a non-responder


def silent_by(today: date) -> date:
    """The last due date that counts when looking for units that have not answered on ``today``."""
    return today + SILENT_WITHIN


def silent_items(items: Iterable[Item], today: date) -> list[Item]:
    """The items whose unit has not answered (``/nonresponders``, the managers' weekly digest): overdue,
    or not started and due within a week of ``today`` or earlier (by its extended date when more time
    was granted: a deadline moved past the week is not owed yet), and never reported on."""
    last = silent_by(today)
    return [
        item
        for item in items
        if item.reported_at is None
        and (item.category == "overdue" or (item.category == "not_started" and (item.extended_to or item.due) <= last))
    ]


def on_time_rate(counts: dict[Category, int]) -> float:
    """done_on_time ÷ (done_on_time + done_late + overdue), 0.0 when nothing is due yet."""
    denominator = counts["done_on_time"] + counts["done_late"] + counts["overdue"]
    return round(counts["done_on_time"] / denominator, 4) if denominator else 0.0


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in Vietnam: reports at or after it are not yet known."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=TZ)


# ---------------------------------------------------------------- computation


class ReportRow(NamedTuple):
    """The columns of a report that the categories need (no ORM object per report)."""

    assignment_id: int
    status: Status
    percent: int
    note: str
    blocked_reason: str
    completed_on: date | None
    reported_at: datetime
    id: int | None = None  # the report's id and the done report it corrects: see attach_reports
    corrects: int | None = None


@dataclass(slots=True)
class _Slot:
    """An occurrence of one assignment, with the reports attached to it."""

    due: date
    latest: ReportRow | None = None
    done: bool = False
    extended: date | None = None  # the approved new due date (gia hạn), None when not extended
    judged: date | None = None  # the date the categories judge against, when not ``due``


def attach_reports(dues: Sequence[date], reports: Iterable[ReportRow]) -> list[_Slot]:
    """Attach reports (one assignment's, in time order) to its occurrences (``dues``, ascending).

    Each report goes to the earliest occurrence not yet done; a done report closes it. A done report
    that a later one among ``reports`` corrects (its ``id`` is that one's ``corrects``) closes nothing:
    it is skipped, and the correction attaches where it was. Reports after the last occurrence was
    closed have nothing left to attach to and are dropped.
    """
    rows = reports if isinstance(reports, list) else list(reports)
    corrected = {row.corrects for row in rows if row.corrects is not None}
    slots = [_Slot(due) for due in dues]
    index = 0
    for row in rows:
        if index >= len(slots):
            break
        if corrected and row.status == Status.DONE and row.id in corrected:
            continue
        slot = slots[index]
        slot.latest = row
        if row.status == Status.DONE:
            slot.done = True
            index += 1
    return slots


def completion_date(row: ReportRow) -> date:
    """The completion date of a done report: ``completed_on``, else the report's day in Vietnam."""
    return row.completed_on or stored_in_vietnam(row.reported_at).date()


def completed_by(row: ReportRow, due: date) -> bool:
    """Whether a done report's :func:`completion_date` is on or before ``due``.

    Without ``completed_on``, the report's instant is compared with the end of ``due`` in Vietnam
    (as UTC) rather than converted to a Vietnamese day: the same answer, without a time-zone
    conversion per report.
    """
    if row.completed_on is not None:
        return row.completed_on <= due
    moment = row.reported_at
    if moment.tzinfo is None:  # SQLite: naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment < _end_of_day_utc(due)


def categorize(slot: _Slot, as_of: date) -> Category:
    """The category of one occurrence at ``as_of`` — the one definition every view uses."""
    latest = slot.latest
    deadline = slot.judged or slot.due
    if slot.done and latest is not None:
        return "done_on_time" if completed_by(latest, deadline) else "done_late"
    if as_of > deadline:
        return "overdue"
    if latest is not None and latest.status != Status.NOT_STARTED:
        return "in_progress"
    return "not_started"


def plan_status(
    session: Session,
    plan: Plan,
    as_of: date,
    unit_codes: Collection[str] | None = None,
    *,
    support: bool = True,
) -> PlanStatus:
    """Where ``plan`` stands at the end of ``as_of``, optionally for some lead units only.

    Inactive tasks and assignments are left out; ``unit_codes`` keeps the items (and continuous
    tasks) whose lead unit is one of those codes, and every count follows. ``support=False`` leaves
    the items' ``support`` empty (the status workbook reads the supporting units' reports itself).
    """
    assert plan.id is not None
    wanted = set(unit_codes) if unit_codes is not None else None

    tasks = {
        t.id: t
        for t in session.exec(
            select(Task).where(Task.plan_id == plan.id, col(Task.active)).order_by(col(Task.position))
        )
    }
    areas = session.exec(select(Area).where(Area.plan_id == plan.id).order_by(col(Area.position))).all()
    area_code: dict[int | None, str] = {a.id: a.code for a in areas}
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.organization_id == plan.organization_id))}
    dues = _load_dues(session.connection(), plan)
    assignments = session.exec(
        select(col(Assignment.id), col(Assignment.task_id), col(Assignment.unit_id), col(Assignment.role))
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(Task.plan_id == plan.id, col(Task.active), col(Assignment.active))
    ).all()
    reports = _load_reports(session, plan, end_of_day(as_of), lead_only=not support)
    _show_restored(session, reports)
    extensions = approved_extensions(session.connection(), plan_id=plan.id, before=end_of_day(as_of))
    original = _judges_original(session.connection(), plan) if extensions else False

    lead_units: dict[int, set[int]] = {}  # task → lead unit ids kept by the filter
    for _assignment_id, task_id, unit_id, role in assignments:
        if role == Role.LEAD and (wanted is None or units[unit_id].code in wanted):
            lead_units.setdefault(task_id, set()).add(unit_id)
    unit_order = {u.id: (u.position, u.code) for u in units.values()}
    kept = sorted(
        ((a_id, t_id, u_id, role) for a_id, t_id, u_id, role in assignments if a_id and t_id in lead_units),
        key=lambda a: (tasks[a[1]].position, unit_order[a[2]]),
    )

    # Supporting units first: their latest report per deadline becomes a detail of the lead items.
    supports: dict[tuple[int, date | None], list[SupportReport]] = {}
    for assignment_id, task_id, unit_id, role in kept:
        if role != Role.SUPPORT or not support:
            continue
        rows = reports.get(assignment_id, [])
        if _is_continuous(tasks[task_id].deadline_kind, dues.get(task_id)):
            if rows:
                supports.setdefault((task_id, None), []).append(_support(units[unit_id], rows[-1]))
            continue
        for slot in attach_reports(dues[task_id], rows):
            if slot.latest is not None:
                supports.setdefault((task_id, slot.due), []).append(_support(units[unit_id], slot.latest))

    items: list[Item] = []
    continuous: list[ContinuousItem] = []
    undated: list[ContinuousItem] = []
    for assignment_id, task_id, unit_id, role in kept:
        if role != Role.LEAD or unit_id not in lead_units[task_id]:
            continue
        task, unit = tasks[task_id], units[unit_id]
        area = area_code.get(task.area_id, "")
        rows = reports.get(assignment_id, [])
        if _is_continuous(task.deadline_kind, dues.get(task_id)):
            last = rows[-1] if rows else None
            (undated if task.deadline_kind == DeadlineKind.UNDATED else continuous).append(
                ContinuousItem(
                    task=task.code,
                    area=area,
                    unit=unit.code,
                    unit_name=unit.name,
                    last_report_at=stored_in_vietnam(last.reported_at) if last else None,
                    status=last.status if last else None,
                    percent=last.percent if last else 0,
                    note=last.note if last else "",
                    position=task.position,
                    support=list(supports.get((task_id, None), [])),
                )
            )
            continue
        for slot in _extend(attach_reports(dues[task_id], rows), assignment_id, extensions, original):
            item = _item(task, area, unit, slot, as_of)
            item.support = list(supports.get((task_id, slot.due), []))
            items.append(item)

    totals = empty_counts()
    by_area: dict[str, dict[Category, int]] = {a.code: empty_counts() for a in areas}
    by_unit_unsorted: dict[str, dict[Category, int]] = {}
    for item in items:
        totals[item.category] += 1
        by_area.setdefault(item.area, empty_counts())[item.category] += 1
        by_unit_unsorted.setdefault(item.unit, empty_counts())[item.category] += 1
    position = {u.code: unit_order[u.id] for u in units.values()}
    by_unit = {code: by_unit_unsorted[code] for code in sorted(by_unit_unsorted, key=position.__getitem__)}
    return PlanStatus(
        as_of=as_of,
        items=items,
        continuous=continuous,
        totals=totals,
        by_area=by_area,
        by_unit=by_unit,
        on_time_rate=on_time_rate(totals),
        undated=undated,
    )


def plan_summary(session: Session, plan: Plan, as_of: date, unit_codes: Collection[str] | None = None) -> StatusSummary:
    """The counts of :func:`plan_status` (what ``/status`` shows), without building the items.

    The categories are counted by the database (:func:`plan_summaries`); ``summarize(plan_status(...))
    == plan_summary(...)`` always (the tests hold both to it).
    """
    assert plan.id is not None
    codes = {plan.id: list(unit_codes)} if unit_codes is not None else None
    return plan_summaries(session, [plan], as_of, codes)[plan.id]


def plan_summaries(
    session: Session, plans: Sequence[Plan], as_of: date, unit_codes: dict[int, list[str]] | None = None
) -> dict[int, StatusSummary]:
    """:func:`plan_summary` of several plans (a province's roll-up) in one statement, by plan id.

    ``unit_codes`` keeps, per plan id, the lead units with those codes (every unit of a plan it does
    not name). The database attaches the reports and categorises each deadline (:func:`_slot_counts`,
    the same rules as :func:`attach_reports` and :func:`categorize`) and returns counts by plan, area
    and category and by plan, unit and category: a few hundred rows a plan however many reports it has.
    """
    if not plans:
        return {}
    session.flush()  # the core queries below bypass the ORM's autoflush
    connection = session.connection()
    plan_ids = [plan.id for plan in plans if plan.id is not None]
    org_of = {plan.id: plan.organization_id for plan in plans if plan.id is not None}
    units: dict[int | None, tuple[str, str, tuple[int, str]]] = {}
    unit_ids: dict[tuple[int, str], int] = {}  # (organisation id, code) → unit id
    for unit_id, org_id, code, name, position in connection.execute(
        sa_select(col(Unit.id), col(Unit.organization_id), col(Unit.code), col(Unit.name), col(Unit.position)).where(
            col(Unit.organization_id).in_(set(org_of.values()))
        )
    ):
        units[unit_id] = (code, name, (position, code))
        unit_ids[org_id, code] = cast(int, unit_id)
    areas: dict[int, dict[int | None, str]] = {plan_id: {} for plan_id in plan_ids}
    for area_id, area_plan, code in connection.execute(
        sa_select(col(Area.id), col(Area.plan_id), col(Area.code))
        .where(col(Area.plan_id).in_(plan_ids))
        .order_by(col(Area.plan_id), col(Area.position))
    ):
        areas[area_plan][area_id] = code
    settings: dict[int | None, dict[str, Any]] = dict(
        connection.execute(
            sa_select(col(Organization.id), col(Organization.settings)).where(
                col(Organization.id).in_(set(org_of.values()))
            )
        ).all()
    )
    original = {plan_id: judge_against_original(settings.get(org_id) or {}) for plan_id, org_id in org_of.items()}
    summaries: dict[int, _Counting] = {
        plan_id: _Counting(by_area={code: empty_counts() for code in areas[plan_id].values()}) for plan_id in plan_ids
    }
    kept: dict[int, list[int]] | None = None  # per plan ``unit_codes`` names: the ids of the units it keeps
    if unit_codes is not None:
        kept = {
            plan_id: [unit_ids[key] for code in codes if (key := (org_of[plan_id], code)) in unit_ids]
            for plan_id, codes in unit_codes.items()
            if plan_id in org_of
        }
    if connection.dialect.name == "postgresql":
        # Compiling the statement to machine code (its estimated cost passes PostgreSQL's JIT threshold
        # on a province) takes longer than running it: off for the rest of this transaction.
        connection.execute(text("SET LOCAL jit = off"))
    rows = connection.execute(_slot_counts(plan_ids, as_of, original, connection.dialect.name, kept))
    for by_unit, plan_id, place, state, count in rows:
        counting = summaries[plan_id]
        if by_unit:  # a unit's counts (and its name): the unit-level rows
            code, name, _order = units[place]
            counting.names[code] = name
            if state == _CONTINUOUS:
                counting.continuous += count
            elif state == _UNDATED:
                counting.undated += count
            else:
                if code not in counting.by_unit:
                    counting.by_unit[code] = empty_counts()
                counting.by_unit[code][CATEGORIES[state % _BLOCKED]] += count
            continue
        category = CATEGORIES[state % _BLOCKED]  # an area's counts: the totals, the items, the blocked ones
        counting.totals[category] += count
        area = areas[plan_id].get(place, "")
        if area not in counting.by_area:
            counting.by_area[area] = empty_counts()
        counting.by_area[area][category] += count
        counting.items += count
        if state >= _BLOCKED:
            counting.blocked += count
    order = {code: key for code, _name, key in units.values()}
    return {
        plan_id: StatusSummary(
            as_of=as_of,
            items=counting.items,
            totals=counting.totals,
            by_area=counting.by_area,
            by_unit={code: counting.by_unit[code] for code in sorted(counting.by_unit, key=order.__getitem__)},
            on_time_rate=on_time_rate(counting.totals),
            blocked=counting.blocked,
            continuous=counting.continuous,
            unit_names=counting.names,
            undated=counting.undated,
        )
        for plan_id, counting in summaries.items()
    }


@dataclass
class _Counting:
    """One plan's counts as :func:`plan_summaries` adds them up."""

    by_area: dict[str, dict[Category, int]]
    totals: dict[Category, int] = field(default_factory=empty_counts)
    by_unit: dict[str, dict[Category, int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    items: int = 0
    blocked: int = 0
    continuous: int = 0
    undated: int = 0


# The "state" of a deadline as _slot_counts answers it: its category's index in CATEGORIES, plus
# _BLOCKED when its latest report says blocked; a lead assignment with no deadline to count is one
# more row per unit, _CONTINUOUS or _UNDATED.
_BLOCKED = len(CATEGORIES)
_CONTINUOUS, _UNDATED = -1, -2


def _vietnam_day(moment: Any, dialect: str) -> Any:
    """The day of a stored instant in Vietnam (UTC+7 all year; :func:`completion_date` in SQL)."""
    if dialect == "postgresql":
        return cast_(func.timezone("Asia/Ho_Chi_Minh", moment), Date)
    return func.date(moment, "+7 hours")  # SQLite keeps naive UTC text, and answers an ISO date


def _slot_counts(
    plan_ids: Sequence[int],
    as_of: date,
    original: dict[int, bool],
    dialect: str,
    kept: dict[int, list[int]] | None = None,
) -> CompoundSelect[Any]:
    """Each deadline of the plans' lead assignments categorised by the database, counted twice: by
    (plan, area, state) and by (plan, unit, state) — rows ``(by_unit, plan_id, area or unit id,
    state, count)``, ``by_unit`` 0 for the first, 1 for the second (a few thousand rows for a nation,
    where counting by area and unit at once would give a hundred thousand). The state is the
    category's index in :data:`CATEGORIES`, plus :data:`_BLOCKED` when the deadline is blocked. The
    lead assignments without a deadline to count (continuous or undated tasks) are unit rows too,
    state :data:`_CONTINUOUS` or :data:`_UNDATED`. ``kept``: per plan id, the only units counted.

    The rules are :func:`attach_reports` and :func:`categorize`'s: the done reports made before the
    end of ``as_of`` that no report made by then corrects, numbered in time order, close the
    assignment's deadlines in due order (the n-th closes the n-th); the first deadline left open
    carries the assignment's newest report when that one is not a done one (it came after every
    done report); later deadlines carry nothing. A closed deadline is done on time when its closing
    report's completion date (``completed_on``, else its day in Vietnam) is on or before the deadline
    judged (the newest approved extension's date, unless the organisation judges against the
    original); an open one is overdue after that date, else in progress when its report is not
    "not started", else not started; blocked when its report says so. The newest report is read
    (one backward index step) for the first open deadline of an assignment only.
    """
    before = end_of_day(as_of)
    lead_where = [
        col(Task.plan_id).in_(plan_ids),
        col(Task.active),
        col(Assignment.active),
        col(Assignment.role) == Role.LEAD,
    ]
    if kept:
        lead_where.append(
            or_(
                col(Task.plan_id).not_in(list(kept)),
                *(
                    and_(col(Task.plan_id) == plan_id, col(Assignment.unit_id).in_(ids))
                    for plan_id, ids in kept.items()
                ),
            )
        )
    lead = (
        sa_select(
            col(Assignment.id).label("aid"),
            col(Assignment.task_id).label("task_id"),
            col(Assignment.unit_id).label("unit_id"),
            col(Task.plan_id).label("plan_id"),
            col(Task.area_id).label("area_id"),
            col(Task.deadline_kind).label("kind"),
        )
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(*lead_where)
        .cte("lead")
    )
    fix = aliased(Report)  # a report correcting a done one: that done one no longer closes a deadline

    def slots() -> Any:
        """Each deadline of the plans' dated tasks, numbered in due order: (task_id, due, n). Written
        out where it is joined (not a CTE), so the planner knows its size and hashes it."""
        return (
            sa_select(
                col(Occurrence.task_id).label("task_id"),
                col(Occurrence.due).label("due"),
                func.row_number().over(partition_by=col(Occurrence.task_id), order_by=col(Occurrence.due)).label("n"),
            )
            .join(Task, col(Task.id) == Occurrence.task_id)
            .where(
                col(Task.plan_id).in_(plan_ids), col(Task.active), col(Task.deadline_kind) != DeadlineKind.CONTINUOUS
            )
            .subquery("slot")
        )

    correcting = (col(fix.corrects_report_id).is_not(None), col(fix.reported_at) < before)
    if dialect == "postgresql":  # a filter on the index scan: a hashed set of the corrected reports
        uncorrected: ColumnElement[bool] = col(Report.id).not_in(
            sa_select(col(fix.corrects_report_id)).where(*correcting)
        )
    else:  # SQLite looks each one up in the corrections' index
        uncorrected = ~exists().where(*correcting, col(fix.corrects_report_id) == Report.id)
    by_assignment = col(Report.assignment_id)
    done = (  # the done reports that close deadlines, numbered, with their assignment's count of them
        sa_select(
            col(Report.assignment_id).label("aid"),
            lead.c.task_id,
            lead.c.plan_id,
            lead.c.area_id,
            lead.c.unit_id,
            col(Report.completed_on).label("completed_on"),
            col(Report.reported_at).label("reported_at"),
            func.row_number()
            .over(partition_by=by_assignment, order_by=(col(Report.reported_at), col(Report.id)))
            .label("n"),
            func.count().over(partition_by=by_assignment).label("k"),
        )
        .join(lead, lead.c.aid == Report.assignment_id)
        .where(col(Report.status) == Status.DONE, col(Report.reported_at) < before)
        .where(uncorrected)
        .cte("done")
    )
    extension = (
        sa_select(
            col(Extension.assignment_id).label("aid"),
            col(Extension.due).label("due"),
            col(Extension.new_due).label("new_due"),
            func.row_number()
            .over(
                partition_by=(col(Extension.assignment_id), col(Extension.due)),
                order_by=(col(Extension.answered_at).desc(), col(Extension.id).desc()),
            )
            .label("newest"),
        )
        .where(col(Extension.state) == ExtensionState.APPROVED, col(Extension.answered_at) < before)
        .cte("approved")
    )
    judges_original = [plan_id for plan_id, yes in original.items() if yes]

    def judged(plan_id: Any, slot: Any) -> Any:
        """The date a deadline is judged against: the newest approved extension's, unless its
        organisation judges against the original."""
        extended = func.coalesce(extension.c.new_due, slot.c.due)
        return case((plan_id.in_(judges_original), slot.c.due), else_=extended) if judges_original else extended

    def extended(aid: Any, slot: Any) -> Any:
        return and_(extension.c.aid == aid, extension.c.due == slot.c.due, extension.c.newest == 1)

    # The closed deadlines: the n-th done report closes the n-th deadline.
    slot = slots()
    completed = func.coalesce(done.c.completed_on, _vietnam_day(done.c.reported_at, dialect))
    on_time = case(
        (completed <= judged(done.c.plan_id, slot), _CATEGORY["done_on_time"]), else_=_CATEGORY["done_late"]
    ).label("state")
    pairs = and_(slot.c.task_id == done.c.task_id, slot.c.n == done.c.n)
    if dialect == "sqlite":  # SQLite finds the done rows from each slot and lead (automatic indexes) this way
        numbered = lead.join(slot, slot.c.task_id == lead.c.task_id).join(done, and_(done.c.aid == lead.c.aid, pairs))
    else:  # PostgreSQL hashes the slots and reads the done rows once
        numbered = done.join(slot, pairs)
    closed = (
        sa_select(done.c.plan_id, done.c.area_id, done.c.unit_id, on_time, func.count().label("count"))
        .select_from(numbered)
        .outerjoin(extension, extended(done.c.aid, slot))
        .group_by(done.c.plan_id, done.c.area_id, done.c.unit_id, on_time)
    )
    # The open ones: every deadline after the assignment's k-th (k done reports; its last one found
    # as the done row numbered k).
    slot = slots()
    last = aliased(done, name="last")
    k = func.coalesce(last.c.k, 0)
    other = aliased(Report)
    newest = (  # the status of the assignment's newest report (one backward index scan)
        sa_select(col(other.status))
        .where(col(other.assignment_id) == lead.c.aid, col(other.reported_at) < before)
        .order_by(col(other.reported_at).desc(), col(other.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    reported = Report.__table__.c.status.type  # type: ignore[attr-defined]
    late = literal(as_of, Date) > judged(lead.c.plan_id, slot)

    def open_state(reported_state: int) -> Any:
        return case((late, _CATEGORY["overdue"]), else_=reported_state)

    state = case(
        (slot.c.n != k + 1, open_state(_CATEGORY["not_started"])),
        else_=case(  # the first open deadline: the newest report's word (read here only, and once)
            (literal(Status.BLOCKED, reported), open_state(_CATEGORY["in_progress"]) + _BLOCKED),
            (literal(Status.IN_PROGRESS, reported), open_state(_CATEGORY["in_progress"])),
            value=newest,
            else_=open_state(_CATEGORY["not_started"]),
        ),
    ).label("state")
    still_open = (
        sa_select(lead.c.plan_id, lead.c.area_id, lead.c.unit_id, state, func.count().label("count"))
        .select_from(lead)
        .outerjoin(last, and_(last.c.aid == lead.c.aid, last.c.n == last.c.k))
        .join(slot, and_(slot.c.task_id == lead.c.task_id, slot.c.n > k))
        .outerjoin(extension, extended(lead.c.aid, slot))
        .where(lead.c.kind != DeadlineKind.CONTINUOUS)
        .group_by(lead.c.plan_id, lead.c.area_id, lead.c.unit_id, state)
    )
    counted = union_all(closed, still_open).cte("counted")
    total = cast_(func.sum(counted.c.count), Integer)
    by_area = sa_select(literal(0), counted.c.plan_id, counted.c.area_id, counted.c.state, total).group_by(
        counted.c.plan_id, counted.c.area_id, counted.c.state
    )
    by_unit = sa_select(literal(1), counted.c.plan_id, counted.c.unit_id, counted.c.state, total).group_by(
        counted.c.plan_id, counted.c.unit_id, counted.c.state
    )
    has_dues = exists().where(col(Occurrence.task_id) == lead.c.task_id)
    apart = case((lead.c.kind == DeadlineKind.UNDATED, _UNDATED), else_=_CONTINUOUS)
    continuous = (
        sa_select(literal(1), lead.c.plan_id, lead.c.unit_id, apart, func.count())
        .where(or_(lead.c.kind == DeadlineKind.CONTINUOUS, ~has_dues))
        .group_by(lead.c.plan_id, lead.c.unit_id, apart)
    )
    return union_all(by_area, by_unit, continuous)


_CATEGORY: dict[Category, int] = {category: number for number, category in enumerate(CATEGORIES)}


def _load_dues(connection: Connection, plan: Plan) -> dict[int, list[date]]:
    """The due dates of the plan's active tasks, by task, ascending."""
    dues: dict[int, list[date]] = {}
    for task_id, due in connection.execute(
        sa_select(col(Occurrence.task_id), col(Occurrence.due))
        .join(Task, col(Task.id) == Occurrence.task_id)
        .where(col(Task.plan_id) == plan.id, col(Task.active))
        .order_by(col(Occurrence.task_id), col(Occurrence.due))
    ):
        dues.setdefault(task_id, []).append(due)
    return dues


def _load_reports(
    session: Session, plan: Plan, before: datetime, *, lead_only: bool = False
) -> dict[int, list[ReportRow]]:
    """The reports that decide the plan's deadlines, made before ``before``, by assignment, in time order.

    Those are every done report not corrected by then and each assignment's newest report:
    :func:`attach_reports` gives the same slots from them as from all reports, since a corrected done
    report closes nothing, a closed deadline's latest report is the done one that closed it and the open deadline's is the newest report overall (a report between two others
    on the same deadline is overwritten by the later one). Active tasks and assignments only.

    One query (the newest report found per assignment through ``ix_report_assignment_time``); plain
    column tuples rather than ORM objects. ``lead_only``: the lead units' assignments only.
    """
    session.flush()  # the query below bypasses the ORM's autoflush
    connection = session.connection()
    # Streamed (a server-side cursor on PostgreSQL, some thousand rows at a time): the driver does not
    # hold the whole result beside the rows kept. SQLAlchemy rows are tuples with these named fields
    # already: no copy into ReportRow objects.
    rows = connection.execute(
        _decisive_reports(plan, before, lead_only=lead_only, dialect=connection.dialect.name).execution_options(
            yield_per=STREAMED
        )
    )
    return {key: cast("list[ReportRow]", list(group)) for key, group in groupby(rows, itemgetter(0))}


STREAMED = 5000  # rows fetched at a time from a streamed query


def _decisive_reports(plan: Plan, before: datetime, *, lead_only: bool = False, dialect: str = "sqlite") -> Select[Any]:
    """Done reports that no report made before ``before`` corrects, and the newest report of each assignment when it is not a done one (a done one
    is among the first part already) nor a withdrawal (which stands for no report: see the module's
    docstring), made before ``before``, as :class:`ReportRow` columns, ordered
    by assignment, time and id (the order of the full list); with ``lead_only``, on the lead units'
    assignments only. ``dialect`` is the store's (``connection.dialect.name``): PostgreSQL finds each
    newest report with a LATERAL join (one backward index scan per assignment), SQLite with a
    correlated subquery in the join (which it runs the same way; it has no LATERAL)."""

    # Core rather than ORM rows, and the timestamp read as a plain DateTime (naive UTC on SQLite, aware
    # on PostgreSQL; ``stored_in_vietnam`` and ``completed_by`` read both): the per-row ORM and UTCDateTime
    # processing would double the time.
    def columns(report: Any) -> tuple[Any, ...]:
        return (
            report.assignment_id.label("assignment_id"),
            report.status.label("status"),
            report.percent.label("percent"),
            report.note.label("note"),
            report.blocked_reason.label("blocked_reason"),
            report.completed_on.label("completed_on"),
            type_coerce(report.reported_at, DateTime(timezone=True)).label("reported_at"),
            report.id.label("id"),
            report.corrects_report_id.label("corrects"),
            report.reported_at.label("sort_at"),
            report.id.label("sort_id"),
        )

    kept = [col(Task.plan_id) == plan.id, col(Task.active), col(Assignment.active)]
    if lead_only:
        kept.append(col(Assignment.role) == Role.LEAD)
    fix = aliased(Report)  # a report correcting a done one: that done one no longer closes a deadline
    done = (
        sa_select(*columns(Report))
        .select_from(Report)
        .join(Assignment, col(Assignment.id) == Report.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(*kept, col(Report.reported_at) < before, col(Report.status) == Status.DONE)
        # ``IS NOT NULL`` lets PostgreSQL read the few corrections from their index instead of hashing
        # every report of the store.
        .where(
            ~exists().where(
                col(fix.corrects_report_id).is_not(None),
                col(fix.corrects_report_id) == Report.id,
                col(fix.reported_at) < before,
            )
        )
    )
    other = aliased(Report)
    latest_first = (col(other.reported_at).desc(), col(other.id).desc())
    if dialect == "postgresql":
        newest_row = (
            sa_select(other)
            .where(col(other.assignment_id) == Assignment.id, col(other.reported_at) < before)
            .order_by(*latest_first)
            .limit(1)
            .lateral("newest")
        )
        newest = (
            sa_select(*columns(newest_row.c))
            .select_from(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(newest_row, true())
            .where(*kept, newest_row.c.status != Status.DONE, newest_row.c.withdraws.is_(False))
        )
    else:
        newest_id = (
            sa_select(col(other.id))
            .where(col(other.assignment_id) == Assignment.id, col(other.reported_at) < before)
            .order_by(*latest_first)
            .limit(1)
            .scalar_subquery()
        )
        newest = (
            sa_select(*columns(Report))
            .select_from(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Report, col(Report.id) == newest_id)
            .where(*kept, col(Report.status) != Status.DONE, col(Report.withdraws).is_(False))
        )
    both = union_all(done, newest).subquery()
    return sa_select(*(both.c[name] for name in ReportRow._fields)).order_by(
        both.c.assignment_id, both.c.sort_at, both.c.sort_id
    )


# ---------------------------------------------------------------- undone reports, as people see them


def restored_reports(
    session: Session, candidates: Iterable[tuple[int | None, int, int | None, str]]
) -> dict[int, Report]:
    """For each report among ``candidates`` (id, assignment id, the report it corrects, note) that a
    ``hủy`` appended to restore the report before the one it undid (``Report.restores_report_id``):
    that restored report (followed back when it was such a restoring report too). Views show the
    restored report's own date, note, evidence and reporter: the undone report and its undoing count
    as never made (:func:`dondoc.db.queries.standing` does the same for withdrawals). Only reports
    that correct another can be one: no query when there are none."""
    wanted = {rid for rid, _aid, corrects, _note in candidates if rid is not None and corrects}
    if not wanted:
        return {}
    session.flush()
    restores: dict[int, int] = {
        rid: target
        for rid, target in session.exec(
            select(Report.id, Report.restores_report_id).where(
                col(Report.id).in_(wanted), col(Report.restores_report_id).is_not(None)
            )
        ).all()
        if rid is not None and target is not None
    }
    found: dict[int, Report] = {}
    for rid, target in restores.items():
        restored = session.get(Report, target)
        for _depth in range(50):  # (a restored report that restored another in its turn)
            if restored is None or restored.restores_report_id is None:
                break
            restored = session.get(Report, restored.restores_report_id)
        if restored is not None:
            found[rid] = restored
    return found


def shown_row(row: ReportRow, restored: Report) -> ReportRow:
    """``row`` (a restoring ``hủy``) with the date and note of the report it restored."""
    return row._replace(note=restored.note, reported_at=restored.reported_at, blocked_reason=restored.blocked_reason)


def _show_restored(session: Session, reports: dict[int, list[ReportRow]]) -> None:
    """Replace, in ``reports``, each restoring ``hủy`` by what it restored (:func:`restored_reports`)."""
    candidates = [
        (row.id, row.assignment_id, row.corrects, row.note)
        for rows in reports.values()
        for row in rows
        if row.corrects is not None
    ]
    restored = restored_reports(session, candidates)
    if not restored:
        return
    for assignment_id, rows in reports.items():
        if any(row.id in restored for row in rows):
            reports[assignment_id] = [
                shown_row(ReportRow(*row), restored[row.id]) if row.id in restored else row for row in rows
            ]


@dataclass(frozen=True, slots=True)
class Chased:
    """The deadline of one assignment that is being chased at a date: its earliest deadline not
    closed by a done report (the one reminders are about), or the last one when every one is closed."""

    due: date  # the original due date
    extended_to: date | None  # an approved extension's new date
    judged: date  # the date the categories judge against
    category: Category
    latest: ReportRow | None  # the report attached to this deadline (a restoring hủy shown as what it restored)
    previous: ReportRow | None  # the newest report on an earlier deadline, when this one has none
    closed: bool  # every deadline is closed
    overdue: int = 0  # how many of the assignment's deadlines are overdue (this one the earliest)

    def days_late(self, as_of: date) -> int:
        return (as_of - self.judged).days if self.category == "overdue" else 0


def chased_deadlines(
    session: Session, dues: dict[int, list[date]], as_of: date
) -> tuple[dict[int, Chased], dict[int, ReportRow]]:
    """For each assignment id in ``dues`` (its task's due dates, ascending): the deadline being
    chased at the end of ``as_of`` (:class:`Chased`; none for a task without due dates), by the same
    rules as the categories (:func:`attach_reports`, :func:`categorize`, approved extensions), and
    the newest report that stands (every assignment that has one). A handful of queries."""
    session.flush()
    ids = list(dues)
    if not ids:
        return {}, {}
    reports: dict[int, list[ReportRow]] = {}
    for report in session.exec(
        select(Report)
        .where(col(Report.assignment_id).in_(ids), col(Report.reported_at) < end_of_day(as_of), standing(Report))
        .order_by(col(Report.reported_at), col(Report.id))
    ):
        reports.setdefault(report.assignment_id, []).append(
            ReportRow(
                report.assignment_id,
                report.status,
                report.percent,
                report.note,
                report.blocked_reason,
                report.completed_on,
                report.reported_at,
                report.id,
                report.corrects_report_id,
            )
        )
    _show_restored(session, reports)
    connection = session.connection()
    extensions = approved_extensions(connection, assignment_ids=ids, before=end_of_day(as_of))
    originals: dict[int, bool] = {}
    if extensions:
        for assignment_id, settings in connection.execute(
            sa_select(col(Assignment.id), col(Organization.settings))
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .join(Organization, col(Organization.id) == Unit.organization_id)
            .where(col(Assignment.id).in_(ids))
        ):
            originals[assignment_id] = judge_against_original(settings or {})
    chased: dict[int, Chased] = {}
    for assignment_id, days in dues.items():
        rows = reports.get(assignment_id, [])
        if not days:
            continue
        slots = _extend(attach_reports(days, rows), assignment_id, extensions, originals.get(assignment_id, False))
        index = next((i for i, slot in enumerate(slots) if not slot.done), None)
        closed = index is None
        slot = slots[-1] if index is None else slots[index]
        previous = None
        if slot.latest is None:
            previous = next((s.latest for s in reversed(slots[: index or 0]) if s.latest is not None), None)
        chased[assignment_id] = Chased(
            due=slot.due,
            extended_to=slot.extended,
            judged=slot.judged or slot.due,
            category=categorize(slot, as_of),
            latest=slot.latest,
            previous=previous,
            closed=closed,
            overdue=sum(1 for s in slots if categorize(s, as_of) == "overdue"),
        )
    newest = {aid: rows[-1] for aid, rows in reports.items() if rows}
    return chased, newest


def _item(task: Task, area: str, unit: Unit, slot: _Slot, as_of: date) -> Item:
    category = categorize(slot, as_of)
    latest = slot.latest
    done = category in ("done_on_time", "done_late")
    return Item(
        task=task.code,
        area=area,
        unit=unit.code,
        unit_name=unit.name,
        due=slot.due,
        category=category,
        percent=100 if done else (latest.percent if latest else 0),
        blocked=latest is not None and latest.status == Status.BLOCKED,
        reported_at=stored_in_vietnam(latest.reported_at) if latest else None,
        note=latest.note if latest else "",
        completed_on=completion_date(latest) if done and latest else None,
        position=task.position,
        blocked_reason=latest.blocked_reason if latest and latest.status == Status.BLOCKED else "",
        extended_to=slot.extended,
    )


def _extend(
    slots: list[_Slot], assignment_id: int, extensions: dict[ExtensionKey, date], original: bool
) -> list[_Slot]:
    """Mark the slots whose deadline was extended (approved requests for more time): they are judged
    against the new date, unless the organisation judges against the original one."""
    if extensions:
        for slot in slots:
            new = extensions.get((assignment_id, slot.due))
            if new is not None:
                slot.extended = new
                slot.judged = None if original else new
    return slots


def _judges_original(connection: Connection, plan: Plan) -> bool:
    settings = connection.execute(
        sa_select(col(Organization.settings)).where(col(Organization.id) == plan.organization_id)
    ).scalar_one_or_none()
    return judge_against_original(settings or {})


def _support(unit: Unit, row: ReportRow) -> SupportReport:
    return SupportReport(
        unit=unit.code,
        unit_name=unit.name,
        status=row.status,
        percent=100 if row.status == Status.DONE else row.percent,
        reported_at=stored_in_vietnam(row.reported_at),
        note=row.note,
    )


def _is_continuous(kind: DeadlineKind, dues: list[date] | None) -> bool:
    """A continuous task ("Thường xuyên"), or one without any due date (an undated one among them):
    listed apart, never counted."""
    return kind == DeadlineKind.CONTINUOUS or not dues


@lru_cache(maxsize=4096)
def _end_of_day_utc(day: date) -> datetime:
    """:func:`end_of_day` in UTC (comparisons between datetimes of the same ``tzinfo`` are the fastest)."""
    return end_of_day(day).astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(TZ).isoformat(timespec="seconds") if moment is not None else None
