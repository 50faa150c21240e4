"""The plan's status as a workbook for people: a summary sheet and the detail, item by item.

Every figure comes from :func:`dondoc.plan.progress.plan_status`, the one definition of the official
categories, so the workbook says exactly what ``dondoc status`` and ``/status`` say at the same date.
The detail adds what the categories do not carry (the evidence, who reported, the supporting units'
part) from one query over the same reports, attached to deadlines by the same rule
(:func:`dondoc.plan.progress.attach_reports`).

Nothing here knows about typer or chat: functions take ``(session, plan, as_of)`` and write to a path
or a binary buffer, so the CLI and the bot share them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Area,
    Assignment,
    DeadlineKind,
    Organization,
    Person,
    Plan,
    Report,
    Role,
    Status,
    Task,
    Unit,
)
from dondoc.i18n import _, current_language, format_date
from dondoc.plan.explanations import write_explanations_sheet
from dondoc.plan.export import FORMULA_START
from dondoc.plan.progress import (
    CATEGORIES,
    STREAMED,
    Category,
    PlanStatus,
    _decisive_reports,
    _load_dues,
    attach_reports,
    category_label,
    end_of_day,
    on_time_rate,
    plan_status,
    restored_reports,
    status_label,
)
from dondoc.tz import in_vietnam, stored_in_vietnam

PathOrBuffer = str | Path | IO[bytes]

# The categories' colours, shared by the workbook and the chart (hex RGB, no "#").
CATEGORY_COLOURS: dict[Category, str] = {
    "done_on_time": "2E7D32",  # green
    "done_late": "A5D6A7",  # light green
    "in_progress": "1E88E5",  # blue
    "not_started": "BDBDBD",  # grey
    "overdue": "E53935",  # red
}
# Text on a category's fill: white on the dark fills, black on the light ones.
CATEGORY_TEXT_COLOURS: dict[Category, str] = {
    "done_on_time": "FFFFFF",
    "done_late": "000000",
    "in_progress": "FFFFFF",
    "not_started": "000000",
    "overdue": "FFFFFF",
}


# ---------------------------------------------------------------- what the categories do not carry


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """The report that stands for an assignment on one deadline, with evidence and reporter."""

    status: Status
    percent: int
    note: str
    blocked_reason: str
    evidence: str  # "15/KH-UBND", "ảnh", "15/KH-UBND; tệp", or ""
    reporter: str  # the person's full name, or "do quản trị viên nhập"
    reported_at: datetime  # Vietnam time
    completed_on: date | None = None  # a done report's completion date (its day when none was given)


@dataclass
class PlanIndex:
    """A plan's tasks, areas and units, its assignments, and each assignment's report per deadline."""

    organization: str
    areas: list[Area]
    tasks: dict[str, Task]  # by code
    units: dict[str, Unit]  # by code
    leads: dict[tuple[int, str], int] = field(default_factory=dict)  # (task id, unit code) → assignment id
    supports: dict[int, list[tuple[int, Unit]]] = field(default_factory=dict)  # by task id: (assignment id, unit)
    dues: dict[int, list[date]] = field(default_factory=dict)  # by task id, ascending
    # (assignment id, due) → the report attached to that deadline; (assignment id, None) → the last one.
    reports: dict[tuple[int, date | None], ReportInfo] = field(default_factory=dict)

    def area_title(self, code: str) -> str:
        return next((a.title for a in self.areas if a.code == code), "")

    def unit_name(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.name if unit is not None else code

    def lead_assignment(self, task_code: str, unit_code: str) -> int | None:
        task = self.tasks[task_code]
        return self.leads.get((task.id or 0, unit_code))

    def report(self, assignment_id: int | None, due: date | None) -> ReportInfo | None:
        if assignment_id is None:
            return None
        return self.reports.get((assignment_id, due))


def load_plan_index(session: Session, plan: Plan, as_of: date) -> PlanIndex:
    """Everything the detail needs besides the categories, in a fixed number of queries.

    The reports are the very ones :func:`plan_status` reads (its decisive reports, made before the end
    of ``as_of``) and attach to deadlines by its rule (:func:`attach_reports`), so the report shown
    for an item is the one that decided its category. Plain columns, not ORM objects, for the
    assignments and reports (a province has tens of thousands of each).
    """
    assert plan.id is not None
    session.flush()  # the core queries below bypass the ORM's autoflush
    connection = session.connection()
    organization = session.get(Organization, plan.organization_id)
    areas = list(session.exec(select(Area).where(Area.plan_id == plan.id).order_by(col(Area.position))))
    tasks = list(
        session.exec(select(Task).where(Task.plan_id == plan.id, col(Task.active)).order_by(col(Task.position)))
    )
    units = list(
        session.exec(
            select(Unit)
            .where(Unit.organization_id == plan.organization_id)
            .order_by(col(Unit.position), col(Unit.code))
        )
    )
    index = PlanIndex(
        organization=organization.name if organization is not None else "",
        areas=areas,
        tasks={t.code: t for t in tasks},
        units={u.code: u for u in units},
        dues=_load_dues(connection, plan),
    )
    unit_of = {u.id: u for u in units}
    task_of: dict[int, int] = {}
    for assignment_id, task_id, unit_id, role in connection.execute(
        sa_select(col(Assignment.id), col(Assignment.task_id), col(Assignment.unit_id), col(Assignment.role))
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(col(Task.plan_id) == plan.id, col(Task.active), col(Assignment.active))
        .order_by(col(Assignment.task_id), col(Assignment.position), col(Unit.position))
    ):
        assert assignment_id is not None
        unit = unit_of[unit_id]
        task_of[assignment_id] = task_id
        if role == Role.LEAD:
            index.leads[(task_id, unit.code)] = assignment_id
        else:
            index.supports.setdefault(task_id, []).append((assignment_id, unit))

    infos: dict[int, ReportInfo] = {}  # by report id: each report made into a ReportInfo once
    texts: dict[str, str] = {}  # equal notes, names and evidence kept once: a province repeats them a lot
    # A report that hủy appended to restore the one before: shown as that one (its date, note, evidence
    # and reporter), as if the undone report and its undoing had never been made.
    restored = _restored(session, plan, as_of)
    names = _names(session, {r.reporter_person_id for r in restored.values() if r.reporter_person_id is not None})

    def info(row: Any) -> ReportInfo:
        found = infos.get(row.id)
        if found is None:
            shown = restored.get(row.id)
            if shown is not None:
                found = infos[row.id] = _info(shown, names.get(shown.reporter_person_id or 0), texts)
            else:
                found = infos[row.id] = _info(row, row.full_name, texts)
        return found

    for assignment_id, group in groupby(_detail_reports(connection, plan, as_of), itemgetter(0)):
        rows = list(group)
        index.reports[(assignment_id, None)] = info(rows[-1])
        dues = index.dues.get(task_of.get(assignment_id, 0))
        if not dues:
            continue
        # The same attachment rule as the categories, on the same reports.
        for slot in attach_reports(dues, rows):
            if slot.latest is not None:
                index.reports[(assignment_id, slot.due)] = info(slot.latest)
    return index


def _restored(session: Session, plan: Plan, as_of: date) -> dict[int, Report]:
    """The plan's restoring ``hủy`` reports made by the end of ``as_of``, each with the report it
    restored (:func:`restored_reports`); one query for the candidates (reports correcting another),
    a second only when there are some."""
    candidates = session.exec(
        select(Report.id, Report.assignment_id, Report.corrects_report_id, Report.note)
        .join(Assignment, col(Assignment.id) == Report.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(
            col(Task.plan_id) == plan.id,
            col(Report.corrects_report_id).is_not(None),
            col(Report.withdraws).is_(False),
            col(Report.reported_at) < end_of_day(as_of),
        )
    ).all()
    return restored_reports(session, candidates)


def _names(session: Session, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    return {
        person_id: name
        for person_id, name in session.exec(
            select(Person.id, Person.full_name).where(col(Person.id).in_(person_ids))
        ).all()
        if person_id is not None
    }


def _detail_reports(connection: Connection, plan: Plan, as_of: date) -> Iterable[Any]:
    """The reports :func:`plan_status` reads at ``as_of`` (its decisive reports), in its order, each
    with what the categories do not carry: the evidence, who entered it and the reporter's name."""
    decisive = _decisive_reports(plan, end_of_day(as_of), dialect=connection.dialect.name).subquery("decisive")
    query = (
        sa_select(
            *decisive.c,
            col(Report.evidence_ref),
            col(Report.evidence_file_id),
            col(Report.evidence_kind),
            col(Report.entered_by_admin),
            col(Person.full_name),
        )
        .select_from(decisive)
        .join(Report, col(Report.id) == decisive.c.id)
        .outerjoin(Person, col(Person.id) == Report.reporter_person_id)
        .order_by(decisive.c.assignment_id, col(Report.reported_at), decisive.c.id)
        .execution_options(yield_per=STREAMED)  # not the whole result in the driver at once
    )
    return connection.execute(query)


def _info(report: Any, reporter_name: str | None, texts: dict[str, str]) -> ReportInfo:
    """The report's details; each text is the equal one already in ``texts`` when there is one."""
    return ReportInfo(
        status=report.status,
        percent=100 if report.status == Status.DONE else report.percent,
        note=texts.setdefault(report.note, report.note),
        blocked_reason=texts.setdefault(report.blocked_reason, report.blocked_reason),
        evidence=texts.setdefault(evidence := evidence_text(report), evidence),
        reporter=texts.setdefault(reporter := reporter_text(reporter_name, report.entered_by_admin), reporter),
        reported_at=(reported_at := stored_in_vietnam(report.reported_at)),
        completed_on=(report.completed_on or reported_at.date()) if report.status == Status.DONE else None,
    )


def evidence_text(report: Any) -> str:
    """The evidence as people cite it: the document number, and "ảnh" / "tệp" for an attached file."""
    parts = [report.evidence_ref.strip()] if report.evidence_ref.strip() else []
    if report.evidence_file_id:
        parts.append(_("photo") if report.evidence_kind == "photo" else _("file"))
    return "; ".join(parts)


def reporter_text(name: str | None, entered_by_admin: bool) -> str:
    """Who reported: the person's full name, or that an administrator entered it on the unit's behalf."""
    name = (name or "").strip()
    if not entered_by_admin:
        return name
    admin = _("entered by an administrator")
    return f"{name} ({admin})" if name else admin


# ---------------------------------------------------------------- the detail, row by row


@dataclass(slots=True)
class DetailRow:
    """One row of the detail: a lead unit's item, a supporting unit's part in it, or a continuous task."""

    task: str
    title: str
    area: str
    unit: str  # code
    unit_name: str
    role: Role
    due: date | None  # None for a continuous task
    deadline_text: str
    category: Category | None  # lead items only: supporting parts and continuous tasks are not counted
    percent: int | None  # None: a supporting unit that has not reported
    report: ReportInfo | None
    blocked: bool = False
    completed_on: date | None = None
    undated: bool = False  # a task counted from the plan's issue date, not known yet ("no date yet")
    extended_to: date | None = None  # an approved extension's new due date (gia hạn): both dates are shown

    @property
    def continuous(self) -> bool:
        return self.due is None


def detail_rows(index: PlanIndex, status: PlanStatus) -> Iterator[DetailRow]:
    """The detail in the appendix's order: each lead unit's items (the order of ``status.items``),
    each deadline followed by the supporting units' parts in it, then the continuous tasks; made one
    at a time (the workbook streams them: a province has 70,000)."""
    last_of_deadline = {(item.task, item.due): n for n, item in enumerate(status.items)}
    for n, item in enumerate(status.items):
        task = index.tasks[item.task]
        yield DetailRow(
            task=item.task,
            title=task.title,
            area=item.area,
            unit=item.unit,
            unit_name=item.unit_name,
            role=Role.LEAD,
            due=item.due,
            deadline_text=task.deadline_text,
            extended_to=item.extended_to,
            category=item.category,
            percent=item.percent,
            report=index.report(index.lead_assignment(item.task, item.unit), item.due),
            blocked=item.blocked,
            completed_on=item.completed_on,
        )
        if last_of_deadline[(item.task, item.due)] == n:
            yield from _support_rows(index, task, item.area, item.due)
    apart = [*status.continuous, *status.undated]  # neither has a due date; undated ones last
    last_of_task = {citem.task: n for n, citem in enumerate(apart)}
    for n, citem in enumerate(apart):
        task = index.tasks[citem.task]
        report = index.report(index.lead_assignment(citem.task, citem.unit), None)
        undated = task.deadline_kind == DeadlineKind.UNDATED
        yield _uncounted(task, citem.area, citem.unit, citem.unit_name, Role.LEAD, None, report, undated)
        if last_of_task[citem.task] == n:
            yield from _support_rows(index, task, citem.area, None)


def _support_rows(index: PlanIndex, task: Task, area: str, due: date | None) -> list[DetailRow]:
    rows = []
    for assignment_id, unit in index.supports.get(task.id or 0, []):
        report = index.report(assignment_id, due)
        rows.append(_uncounted(task, area, unit.code, unit.name, Role.SUPPORT, due, report))
    return rows


def _uncounted(
    task: Task,
    area: str,
    unit: str,
    unit_name: str,
    role: Role,
    due: date | None,
    report: ReportInfo | None,
    undated: bool = False,
) -> DetailRow:
    """A row no category counts (a supporting unit's part, a continuous or undated task): its percent
    and whether it is blocked come from its latest report."""
    return DetailRow(
        task=task.code,
        title=task.title,
        area=area,
        unit=unit,
        unit_name=unit_name,
        role=role,
        due=due,
        deadline_text=task.deadline_text,
        category=None,
        percent=report.percent if report else None,
        report=report,
        blocked=report is not None and report.status == Status.BLOCKED,
        completed_on=report.completed_on if report is not None else None,
        undated=undated,
    )


def role_text(role: Role) -> str:
    """chủ trì / phối hợp."""
    return _("lead") if role == Role.LEAD else _("support")


# ---------------------------------------------------------------- the workbook


def write_status_xlsx(
    session: Session,
    plan: Plan,
    as_of: date,
    path_or_buffer: PathOrBuffer,
    *,
    calendar: Any = None,
    now: datetime | None = None,
) -> PlanStatus:
    """Write the plan's status at the end of ``as_of`` as an xlsx workbook; returns the status written.
    ``now``: the caller's clock when ``as_of`` is today, so that the titles say the time as well
    ("Tình hình đến 09:15 ngày 05/04/2022": a later export the same day may count more reports).

    Sheet 1 (summary): title, date, the five categories with their official names, the on-time rate,
    a table by area and one by lead unit. Sheet 2 (detail): one row per item and per supporting unit's
    part, in the appendix's order, continuous tasks last; coloured by category, filterable, printable
    on A4 landscape.
    """
    import xlsxwriter

    status = plan_status(session, plan, as_of, support=False)  # the detail reads the supporting units' own
    index = load_plan_index(session, plan, as_of)
    # XlsxWriter writes the workbook but the detail's rows (its cells' formats included), which are
    # then streamed into it as XML (a province's detail: 70,000 rows, 800,000 cells).
    frame = io.BytesIO()
    wb = xlsxwriter.Workbook(frame, {"in_memory": True})
    formats = _Formats(wb)
    heading = status_heading(as_of, now)
    _write_summary(wb.add_worksheet(_("Summary")[:31]), formats, plan, index, status, heading)
    # The detail's rows are made as they are written (not all held at once); counted first, for the
    # sheet's filter range and dimension.
    count = sum(1 for _row in detail_rows(index, status))
    probe = _write_detail(wb.add_worksheet(_("Details")[:31]), formats, count)
    _write_ranking(wb, formats, session, plan, as_of, calendar, status)
    written_here = len(wb.worksheets())
    targets_top = _write_targets(wb, formats, session, plan, as_of, heading)
    write_explanations_sheet(  # giải trình
        wb, formats.header, formats.table, session, plan, as_of, date_format=formats.detail[False]["date"]
    )
    for ws in wb.worksheets()[written_here:]:  # the targets' and explanations' sheets: a header row, then rows
        _print_setup(ws, title_rows=True)
    if targets_top:  # the targets' title and period above their header: on every printed page too
        wb.worksheets()[written_here].repeat_rows(0, targets_top - 1)
    for ws in wb.worksheets():  # every printed page says whose plan, which plan and as of when
        ws.set_header(_page_header(index.organization, plan.title, heading))
    wb.set_properties({"title": f"{plan.title} — {heading}", "author": "dondoc"})
    wb.close()
    rows = detail_rows(index, status)
    if not isinstance(path_or_buffer, str | Path):
        _insert_detail_rows(frame.getvalue(), probe, rows, count, path_or_buffer)
        return status
    # To a file: made in memory first, so a workbook that fails half-way leaves nothing behind.
    data = io.BytesIO()
    _insert_detail_rows(frame.getvalue(), probe, rows, count, data)
    Path(path_or_buffer).write_bytes(data.getbuffer())
    return status


def _write_targets(wb: Any, formats: _Formats, session: Session, plan: Plan, as_of: date, heading: str) -> int | None:
    """The targets sheet (after the detail), when the organisation has targets; returns how many rows
    stand above the targets (title, period, header)."""
    from dondoc.plan.targets import write_targets_sheet

    organization = session.get(Organization, plan.organization_id)
    if organization is None:
        return None
    return write_targets_sheet(
        wb,
        formats.header,
        formats.table,
        session,
        organization,
        as_of,
        plan_title=plan.title,
        heading=heading,
        title_format=formats.title,
        line_format=formats.bold,
    )


def _write_ranking(
    wb: Any, formats: _Formats, session: Session, plan: Plan, as_of: date, calendar: Any, status: PlanStatus
) -> None:
    """The ranking sheet ("Xếp loại"): each unit's score for the year so far, its band, rank and each
    criterion's part (:mod:`dondoc.plan.ranking`); ``calendar`` counts the working days a reminder may
    wait (None: Monday to Friday)."""
    from dondoc.plan.ranking import CRITERIA, criterion_label, describe_weights, period_label, rank_plan

    result = rank_plan(session, plan, "year", as_of, calendar, status=status)
    ws = wb.add_worksheet(_("Ranking")[:31])
    heads = [_("Rank"), _("Code"), _("Unit"), _("Score"), _("Band"), *(criterion_label(c) for c in CRITERIA)]
    heads.append(_("Items counted"))
    title = _("Ranking for the {period} (items due by {end}), as of {date}").format(
        period=period_label(result.period, result.year), end=format_date(result.end), date=format_date(as_of)
    )
    ws.write_string(0, 0, title, formats.title)
    for column, head in enumerate(heads):
        ws.write_string(2, column, head, formats.header)
    row = 3
    for entry in result.units:
        cells: list[Any] = [
            entry.rank if entry.rank is not None else "",
            entry.unit,
            entry.name,
            entry.score if entry.score is not None else "",
            entry.band.label() if entry.band else _("not rated"),
            *(entry.criteria[c].part if entry.criteria[c].part is not None else "" for c in CRITERIA),
            entry.items,
        ]
        for column, value in enumerate(cells):  # text as text: a name such as "=1+1" is no formula
            look = formats.table[(column == 3, "text" if column in (1, 2, 4) else "number")]
            if isinstance(value, str) and value.startswith(FORMULA_START):  # quoted: stays text once edited
                look = formats.table[(False, "quoted")]
            if isinstance(value, str) and value:
                ws.write_string(row, column, value, look)
            elif isinstance(value, int | float):
                ws.write_number(row, column, value, look)
            else:
                ws.write_blank(row, column, None, look)
        row += 1
    ws.write_string(row + 1, 0, describe_weights(result.scheme), formats.muted)
    ws.set_column(0, 1, 8)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 4, 12)
    ws.set_column(5, len(heads) - 1, 14)
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, max(row - 1, 3), len(heads) - 1)  # the header and the units, not the weights below
    _print_setup(ws, title_rows=False)
    ws.repeat_rows(0, 2)  # the title and the header on every printed page


_FONT_NAME = "Times New Roman"
DATE_FORMAT = "dd/mm/yyyy"
# The cells' dates as the reader writes them: 31/01/2022 in Vietnamese; "31 Jan 2022" in English, where
# 31/01 or 01/02 could be read month first (as the chat and the titles write them).
_DATE_FORMATS = {"vi": DATE_FORMAT, "en": "d mmm yyyy"}
_BORDER_COLOUR = "#808080"
_HEADER_FILL = "#D9E1F2"
_MUTED_COLOUR = "#595959"


class _Formats:
    """The workbook's cell formats, each made once (XlsxWriter keeps one per distinct look)."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        base = {"font_name": _FONT_NAME, "font_size": 12}
        boxed = {**base, "border": 1, "border_color": _BORDER_COLOUR}
        wrap = {"text_wrap": True, "valign": "top"}
        center = {"text_wrap": True, "valign": "vcenter", "align": "center"}
        number = {"valign": "top", "align": "right"}
        self.bold = wb.add_format({**base, "bold": True})
        self.title = wb.add_format({**base, "font_size": 14, "bold": True})
        self.muted = wb.add_format({**base, "italic": True, "font_color": _MUTED_COLOUR})
        # The summary's title lines; "quoted": an organisation or plan typed "=…", "-…": stays text once edited.
        self.line = {
            (size, quoted): wb.add_format(
                {**base, **center, "bold": True, "font_size": size} | ({"quote_prefix": True} if quoted else {})
            )
            for size in (12, 14)
            for quoted in (False, True)
        }
        self.header = wb.add_format({**boxed, **center, "bold": True, "bg_color": _HEADER_FILL, "pattern": 1})
        self.category_header = {
            category: wb.add_format({**boxed, **center, "bold": True, **_category_colours(category)})
            for category in CATEGORIES
        }
        # Summary tables: (bold?, text or number or rate) → format; "quoted": text Excel would take for
        # a formula once edited ("- Do chờ …", "=…"), quote-prefixed (typed names and texts on every sheet).
        self.table = {
            (bold, kind): wb.add_format(
                {**boxed, **(wrap if kind in ("text", "quoted") else number), "bold": bold}
                | ({"num_format": "0.0%"} if kind == "rate" else {})
                | ({"quote_prefix": True} if kind == "quoted" else {})
            )
            for bold in (False, True)
            for kind in ("text", "quoted", "number", "rate")
        }
        self.rate = wb.add_format({**base, **number, "bold": True, "num_format": "0.0%"})
        # The detail: plain for lead rows, muted (grey italics) for supporting units' parts.
        self.detail: dict[bool, dict[str, Any]] = {}
        for muted in (False, True):
            look = {**boxed, **({"italic": True, "font_color": _MUTED_COLOUR} if muted else {})}
            self.detail[muted] = {
                "text": wb.add_format({**look, **wrap}),
                # Text that Excel would take for a formula once edited ("- Đã …", "+84 …", "=…"): quote-prefixed.
                "quoted": wb.add_format({**look, **wrap, "quote_prefix": True}),
                "number": wb.add_format({**look, **number}),
                "date": wb.add_format(
                    {**look, **wrap, "num_format": _DATE_FORMATS.get(current_language(), DATE_FORMAT)}
                ),
            }
        self.category: dict[str, Any] = {
            category: wb.add_format({**boxed, **wrap, **_category_colours(category)}) for category in CATEGORIES
        }


def _category_colours(category: Category) -> dict[str, Any]:
    """A category's fill and text colour (solid fill: Excel's foreground colour)."""
    return {
        "bg_color": "#" + CATEGORY_COLOURS[category],
        "pattern": 1,
        "font_color": "#" + CATEGORY_TEXT_COLOURS[category],
    }


def _print_setup(ws: Any, title_rows: bool) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.center_horizontally()
    if title_rows:
        ws.repeat_rows(0)
    ws.set_footer("&C&P / &N")


def _page_header(organization: str, title: str, heading: str) -> str:
    """The printed pages' header: the organisation on the left, the plan in the middle, the date on the
    right; "&" doubled (Excel's codes start with it) and the whole within Excel's 255 characters."""

    def part(text: str, limit: int) -> str:
        text = " ".join(text.split()).replace("&", "&&")
        if len(text) <= limit:
            return text
        text = text[: limit - 1]
        if (len(text) - len(text.rstrip("&"))) % 2:  # half of a doubled "&" cut off
            text = text[:-1]
        return text.rstrip() + "…"

    return f"&L{part(organization, 60)}&C{part(title, 110)}&R{part(heading, 50)}"


NO_RATE = "—"  # the on-time rate of an area or unit with nothing due yet


def anything_due(counts: Mapping[Category, int]) -> bool:
    """Whether the on-time rate has a denominator: something done or overdue."""
    return bool(counts["done_on_time"] + counts["done_late"] + counts["overdue"])


def status_heading(as_of: date, now: datetime | None = None) -> str:
    """The status's date as titles say it, "Tình hình đến ngày 05/04/2022"; with the time when ``now``
    (any time zone: shown in Vietnam time) falls on ``as_of``: "Tình hình đến 09:15 ngày 05/04/2022"."""
    if now is not None and (moment := in_vietnam(now)).date() == as_of:
        return _("Status at {time} on {date}").format(time=f"{moment:%H:%M}", date=format_date(as_of))
    return _("Status at {date}").format(date=format_date(as_of))


def _write_summary(ws: Any, formats: _Formats, plan: Plan, index: PlanIndex, status: PlanStatus, heading: str) -> None:
    width = 4 + len(CATEGORIES)  # code, name, the categories, total, on-time rate
    for column, size in enumerate((10, 52, *([14] * len(CATEGORIES)), 9, 12)):
        ws.set_column(column, column, size)
    _print_setup(ws, title_rows=False)
    row = -1  # the last row written (zero-based)

    def next_row(height: float | None = None) -> int:
        nonlocal row
        row += 1
        if height is not None:
            ws.set_row(row, height)
        return row

    def merged_line(text: str, size: int) -> None:
        r = next_row()
        # A title typed "=…", "+…", "-…" or "@…" is text, not a live formula, and stays text once edited.
        look = formats.line[(size, text.startswith(FORMULA_START))]
        ws.merge_range(r, 0, r, width - 1, "", look)
        ws.write_string(r, 0, text, look)

    if index.organization:
        merged_line(index.organization, 12)
    merged_line(plan.title, 14)
    merged_line(heading, 12)
    next_row()

    def header(first: str, second: str) -> None:
        r = next_row(height=33)
        ws.write_string(r, 0, first, formats.header)
        ws.write_string(r, 1, second, formats.header)
        for column, category in enumerate(CATEGORIES, start=2):
            ws.write_string(r, column, category_label(category), formats.category_header[category])
        ws.write_string(r, width - 2, _("Total"), formats.header)
        ws.write_string(r, width - 1, _("On-time rate"), formats.header)

    def counts_row(first: str, second: str, counts: Mapping[Category, int], bold: bool = False) -> None:
        r = next_row()
        values = [counts[c] for c in CATEGORIES]
        for column, text in enumerate((first, second)):  # an area's or unit's name as typed: quoted if need be
            ws.write_string(
                r, column, text, formats.table[(bold, "quoted" if text.startswith(FORMULA_START) else "text")]
            )
        for column, value in enumerate([*values, sum(values)], start=2):
            ws.write_number(r, column, value, formats.table[(bold, "number")])
        if anything_due(counts):
            ws.write_number(r, width - 1, on_time_rate(dict(counts)), formats.table[(bold, "rate")])
        else:  # nothing due yet: no rate, rather than a 0% that reads as a failure
            ws.write_string(r, width - 1, NO_RATE, formats.table[(bold, "number")])

    def section(text: str) -> None:
        next_row()
        ws.write_string(next_row(), 0, text, formats.title)

    header("", "")
    counts_row(_("Total"), "", status.totals, bold=True)
    next_row()
    r = next_row()
    ws.write_string(r, 0, _("On-time rate"), formats.bold)
    if anything_due(status.totals):
        ws.write_number(r, 1, status.on_time_rate, formats.rate)
    else:
        ws.write_string(r, 1, NO_RATE, formats.bold)
    ws.write_string(
        next_row(), 0, _("On-time rate = done on time ÷ (done on time + done late + overdue)."), formats.muted
    )
    ws.write_string(
        next_row(),
        0,
        _(
            "Figures count items: one deadline of one lead unit. Supporting units' reports are shown in "
            "the details and not counted. Continuous tasks (not counted): {count}."
        ).format(count=len(status.continuous)),
        formats.muted,
    )
    if status.undated:
        ws.write_string(
            next_row(),
            0,
            _("No date yet (not counted: they count from the plan's issue date): {count}.").format(
                count=len(status.undated)
            ),
            formats.muted,
        )

    section(_("By area"))
    header(_("Code"), _("Area"))
    for code, counts in status.by_area.items():
        counts_row(code or "-", index.area_title(code), counts)
    section(_("By unit"))
    header(_("Code"), _("Unit"))
    for code, counts in status.by_unit.items():
        counts_row(code, index.unit_name(code), counts)


# The detail's columns: (header, width).
def _detail_columns() -> list[tuple[str, float]]:
    return [
        (_("Code"), 8),
        (_("Task"), 50),
        (_("Unit"), 26),
        (_("Role"), 10),
        (_("Deadline"), 12),
        (_("Category"), 17),
        (_("Reported status"), 15),
        ("%", 6),
        (_("Last note"), 36),
        (_("Evidence"), 18),
        (_("Reported by"), 20),
        (_("Report date"), 12),
        # What the category is judged on, the deadline as the signed plan words it, an extension's date.
        (_("Completed on"), 12),
        (_("Deadline in the plan"), 18),
        (_("Extended to"), 12),
    ]


DETAIL_COLUMNS = 15
_LAST_DETAIL_COLUMN = chr(ord("A") + DETAIL_COLUMNS - 1)  # "O"


def _write_detail(ws: Any, formats: _Formats, rows: int) -> dict[str, str]:
    """The detail sheet's frame for ``rows`` data rows: columns, header, panes, outline, filter and
    print settings, and one probe row where the data goes (see :func:`_insert_detail_rows`).

    Returns the name of the format each cell of the probe row carries, by the cell's column letter."""
    columns = _detail_columns()
    for column, (_name, size) in enumerate(columns):
        ws.set_column(column, column, size)
    ws.freeze_panes(1, 0)
    ws.outline_settings(True, False, True, False)  # the "-" / "+" above the folded rows
    _print_setup(ws, title_rows=True)
    ws.set_row(0, 33)
    for column, (name, _width) in enumerate(columns):
        ws.write_string(0, column, name, formats.header)
    ws.autofilter(0, 0, max(rows, 1), len(columns) - 1)
    # The probe: a blank cell in each detail format; the style ids are read back from the sheet written.
    probe: dict[str, Any] = {
        **{
            f"{kind} {muted}": cell_format
            for muted, looks in formats.detail.items()
            for kind, cell_format in looks.items()
        },
        **formats.category,
    }
    ws.set_row(1, None, None, {"level": 1})  # the sheet then declares its outline level
    letters: dict[str, str] = {}
    for column, (name, cell_format) in enumerate(probe.items()):
        ws.write_blank(1, column, None, cell_format)
        letters[_COLUMN_LETTERS[column]] = name
    return letters


_COLUMN_LETTERS = "ABCDEFGHIJKLMNO"  # the probe's cells in row 2, one per detail format (13), then the rows
_OUTLINED = ' outlineLevel="1"'  # a supporting unit's part, folded under its lead item
_DETAIL_SHEET = "xl/worksheets/sheet2.xml"  # XlsxWriter names the worksheets' parts in order
_PROBE_ROW = re.compile(rb'<row r="2"[ >].*?</row>', re.DOTALL)
_PROBE_CELL = re.compile(rb'<c r="([A-Z]+)2" s="([0-9]+)"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Characters XML 1.0 cannot carry, written as Excel's _xHHHH_ escapes (as XlsxWriter does).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _insert_detail_rows(
    workbook: bytes, probe: dict[str, str], rows: Iterable[DetailRow], count: int, out: IO[bytes]
) -> None:
    """Copy the workbook to ``out`` with the detail sheet's probe row replaced by the detail's rows
    (``count`` of them).

    XlsxWriter spends some 10 µs on a cell and a province's detail has 800,000; the rows are made here
    as XML text (the cells XlsxWriter would write: inline strings, date serials, its formats' style
    ids) and streamed into the archive a thousand rows at a time.
    """
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            info.compress_type = zipfile.ZIP_DEFLATED
            if info.filename != _DETAIL_SHEET:
                target.writestr(info, data)
                continue
            found = _PROBE_ROW.search(data)
            assert found is not None, "the detail's probe row is missing"
            styles = {probe[letter.decode()]: style.decode() for letter, style in _PROBE_CELL.findall(found.group())}
            dimension = f'<dimension ref="A1:{_LAST_DETAIL_COLUMN}{count + 1}"/>'.encode()
            with target.open(info, "w") as stream:
                stream.write(_DIMENSION.sub(dimension, data[: found.start()], count=1))
                lines = _detail_rows_xml(rows, styles)
                while chunk := "".join(islice(lines, 1000)):
                    stream.write(chunk.encode())
                stream.write(data[found.end() :])


def _detail_rows_xml(rows: Iterable[DetailRow], styles: dict[str, str]) -> Iterator[str]:
    """The detail's rows as worksheet XML from row 2 on; ``styles``: a format's name → its style id."""
    no_report, continuous, undated = _("no report yet"), _("continuous"), _text(_("no date yet"))
    roles = {role: _text(role_text(role)) for role in Role}
    categories = {c: (f' s="{styles[c]}" t="inlineStr"', _text(category_label(c))) for c in CATEGORIES}
    statuses = {status: _text(status_label(status)) for status in Status}
    texts: dict[str, str] = {}  # a value → its <is> element: titles, units and reporters repeat a lot

    def text(value: str) -> str:
        found = texts.get(value)
        if found is None:
            found = texts[value] = _text(value)
        return found

    for n, row in enumerate(rows, start=2):
        support = row.role == Role.SUPPORT
        plain, number, day = styles[f"text {support}"], styles[f"number {support}"], styles[f"date {support}"]
        report = row.report
        string = f' s="{plain}" t="inlineStr"'
        quoted = f' s="{styles[f"quoted {support}"]}" t="inlineStr"'  # typed text Excel would read as a formula
        level = _OUTLINED if support else ""
        cells = [
            f'<row r="{n}"{level}>',
            f'<c r="A{n}"{quoted if row.task.startswith(FORMULA_START) else string}>{text(row.task)}</c>',
            f'<c r="B{n}"{quoted if row.title.startswith(FORMULA_START) else string}>{text(row.title)}</c>',
            f'<c r="C{n}"{quoted if row.unit_name.startswith(FORMULA_START) else string}>{text(row.unit_name)}</c>',
            f'<c r="D{n}"{string}>{roles[row.role]}</c>',
        ]
        # The deadline the plan gives, a real date even when extended: the extension's date is column O's
        # alone, so that the clerk sorting or filtering by either column meets dates, not "…, gia hạn đến …".
        if row.due is not None:
            cells.append(f'<c r="E{n}" s="{day}"><v>{row.due.toordinal() - _EXCEL_EPOCH}</v></c>')
        else:
            cells.append(f'<c r="E{n}" s="{day}" t="inlineStr">{text(row.deadline_text or continuous)}</c>')
        if row.category is not None:
            attributes, label = categories[row.category]
            cells.append(f'<c r="F{n}"{attributes}>{label}</c>')
        elif row.undated:
            cells.append(f'<c r="F{n}"{string}>{undated}</c>')
        else:
            cells.append(f'<c r="F{n}" s="{plain}"/>')
        if report is None:
            cells.append(f'<c r="G{n}"{string}>{text(no_report)}</c>')
        else:
            cells.append(f'<c r="G{n}"{string}>{statuses[report.status]}</c>')
        if row.percent is not None:
            cells.append(f'<c r="H{n}" s="{number}"><v>{row.percent}</v></c>')
        else:
            cells.append(f'<c r="H{n}" s="{number}"/>')
        if report is None:
            cells.append(f'<c r="I{n}" s="{plain}"/><c r="J{n}" s="{plain}"/><c r="K{n}" s="{plain}"/>')
            cells.append(f'<c r="L{n}" s="{day}"/>')
        else:
            note = report.note
            if report.status == Status.BLOCKED and report.blocked_reason and report.blocked_reason != note:
                note = _("Blocked by: {reason}").format(reason=report.blocked_reason) + (f"\n{note}" if note else "")
            # Notes and document numbers are mostly one of a kind: escaped as they come, not kept.
            for letter, value, escape in (
                ("I", note, _text),
                ("J", report.evidence, _text),
                ("K", report.reporter, text),
            ):
                if value:
                    look = quoted if value.startswith(FORMULA_START) else string
                    cells.append(f'<c r="{letter}{n}"{look}>{escape(value)}</c>')
                else:
                    cells.append(f'<c r="{letter}{n}" s="{plain}"/>')
            cells.append(f'<c r="L{n}" s="{day}"><v>{report.reported_at.toordinal() - _EXCEL_EPOCH}</v></c>')
        # The completion date (what the category is judged on), the deadline as the plan words it, and an
        # approved extension's date: real dates, so that the clerk can sort and filter by them.
        cells.append(_date_cell(f"M{n}", day, row.completed_on))
        if row.deadline_text:
            look = quoted if row.deadline_text.startswith(FORMULA_START) else string
            cells.append(f'<c r="N{n}"{look}>{text(row.deadline_text)}</c>')
        else:
            cells.append(f'<c r="N{n}" s="{plain}"/>')
        cells.append(_date_cell(f"O{n}", day, row.extended_to))
        cells.append("</row>")
        yield "".join(cells)


def _date_cell(reference: str, style: str, value: date | None) -> str:
    """A date cell (Excel's day serial), or a blank one in the same format."""
    if value is None:
        return f'<c r="{reference}" s="{style}"/>'
    return f'<c r="{reference}" s="{style}"><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>'


def _text(value: str) -> str:
    """An inline string's ``<is>`` element: XML-escaped, control characters as _xHHHH_, and spaces kept."""
    escaped = value.translate(_XML_ESCAPES)
    if _CONTROL.search(escaped):
        escaped = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", escaped)
    if escaped != escaped.strip() or "\n" in escaped:
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"
