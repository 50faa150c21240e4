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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.db.models import Area, Assignment, Organization, Person, Plan, Report, Role, Status, Task, Unit
from dondoc.i18n import _, format_date
from dondoc.plan.progress import (
    CATEGORIES,
    Category,
    PlanStatus,
    _decisive_reports,
    _load_dues,
    attach_reports,
    category_label,
    end_of_day,
    on_time_rate,
    plan_status,
    status_label,
)
from dondoc.scheduler.clock import TZ

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


@dataclass(frozen=True)
class ReportInfo:
    """The report that stands for an assignment on one deadline, with evidence and reporter."""

    status: Status
    percent: int
    note: str
    blocked_reason: str
    evidence: str  # "15/KH-UBND", "ảnh", "15/KH-UBND; tệp", or ""
    reporter: str  # the person's full name, or "do quản trị viên nhập"
    reported_at: datetime  # Vietnam time


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
        unit = unit_of[unit_id]
        task_of[assignment_id] = task_id
        if role == Role.LEAD:
            index.leads[(task_id, unit.code)] = assignment_id
        else:
            index.supports.setdefault(task_id, []).append((assignment_id, unit))

    infos: dict[int, ReportInfo] = {}  # by report id: each report made into a ReportInfo once

    def info(row: Any) -> ReportInfo:
        found = infos.get(row.id)
        if found is None:
            found = infos[row.id] = _info(row, row.full_name)
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


def _detail_reports(connection: Connection, plan: Plan, as_of: date) -> Iterable[Any]:
    """The reports :func:`plan_status` reads at ``as_of`` (its decisive reports), in its order, each
    with what the categories do not carry: the evidence, who entered it and the reporter's name."""
    decisive = _decisive_reports(plan, end_of_day(as_of)).subquery("decisive")
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
    )
    return connection.execute(query)


def _info(report: Any, reporter_name: str | None) -> ReportInfo:
    return ReportInfo(
        status=report.status,
        percent=100 if report.status == Status.DONE else report.percent,
        note=report.note,
        blocked_reason=report.blocked_reason,
        evidence=evidence_text(report),
        reporter=reporter_text(reporter_name, report.entered_by_admin),
        reported_at=local_time(report.reported_at),
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


def local_time(moment: datetime) -> datetime:
    """A stored instant in Vietnam time (a naive value is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ)


# ---------------------------------------------------------------- the detail, row by row


@dataclass
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

    @property
    def continuous(self) -> bool:
        return self.due is None


def detail_rows(index: PlanIndex, status: PlanStatus) -> list[DetailRow]:
    """The detail in the appendix's order: each lead unit's items (the order of ``status.items``),
    each deadline followed by the supporting units' parts in it, then the continuous tasks."""
    rows: list[DetailRow] = []
    last_of_deadline = {(item.task, item.due): n for n, item in enumerate(status.items)}
    for n, item in enumerate(status.items):
        task = index.tasks[item.task]
        rows.append(
            DetailRow(
                task=item.task,
                title=task.title,
                area=item.area,
                unit=item.unit,
                unit_name=item.unit_name,
                role=Role.LEAD,
                due=item.due,
                deadline_text=task.deadline_text,
                category=item.category,
                percent=item.percent,
                report=index.report(index.lead_assignment(item.task, item.unit), item.due),
                blocked=item.blocked,
                completed_on=item.completed_on,
            )
        )
        if last_of_deadline[(item.task, item.due)] == n:
            rows.extend(_support_rows(index, task, item.area, item.due))
    last_of_task = {citem.task: n for n, citem in enumerate(status.continuous)}
    for n, citem in enumerate(status.continuous):
        task = index.tasks[citem.task]
        report = index.report(index.lead_assignment(citem.task, citem.unit), None)
        rows.append(
            DetailRow(
                task=citem.task,
                title=task.title,
                area=citem.area,
                unit=citem.unit,
                unit_name=citem.unit_name,
                role=Role.LEAD,
                due=None,
                deadline_text=task.deadline_text,
                category=None,
                percent=report.percent if report else None,
                report=report,
                blocked=report is not None and report.status == Status.BLOCKED,
            )
        )
        if last_of_task[citem.task] == n:
            rows.extend(_support_rows(index, task, citem.area, None))
    return rows


def _support_rows(index: PlanIndex, task: Task, area: str, due: date | None) -> list[DetailRow]:
    rows = []
    for assignment_id, unit in index.supports.get(task.id or 0, []):
        report = index.report(assignment_id, due)
        rows.append(
            DetailRow(
                task=task.code,
                title=task.title,
                area=area,
                unit=unit.code,
                unit_name=unit.name,
                role=Role.SUPPORT,
                due=due,
                deadline_text=task.deadline_text,
                category=None,
                percent=report.percent if report else None,
                report=report,
                blocked=report is not None and report.status == Status.BLOCKED,
            )
        )
    return rows


def role_text(role: Role) -> str:
    """chủ trì / phối hợp."""
    return _("lead") if role == Role.LEAD else _("support")


# ---------------------------------------------------------------- the workbook


def write_status_xlsx(session: Session, plan: Plan, as_of: date, path_or_buffer: PathOrBuffer) -> PlanStatus:
    """Write the plan's status at the end of ``as_of`` as an xlsx workbook; returns the status written.

    Sheet 1 (summary): title, date, the five categories with their official names, the on-time rate,
    a table by area and one by lead unit. Sheet 2 (detail): one row per item and per supporting unit's
    part, in the appendix's order, continuous tasks last; coloured by category, filterable, printable
    on A4 landscape.
    """
    from openpyxl import Workbook

    status = plan_status(session, plan, as_of)
    index = load_plan_index(session, plan, as_of)
    # Write-only: rows stream to the file as they are made, so a province's detail (70,000 rows)
    # costs neither minutes nor hundreds of megabytes.
    wb = Workbook(write_only=True)
    _write_summary(wb.create_sheet(), plan, index, status)
    _write_detail(wb.create_sheet(), detail_rows(index, status))
    heading = _("Status at {date}").format(date=format_date(as_of))
    wb.properties.title = f"{plan.title} — {heading}"
    wb.properties.creator = "dondoc"
    # Saved to memory first: a write-only workbook that fails to save (a folder that cannot be
    # written) would leave its sheets' streams open.
    data = io.BytesIO()
    wb.save(data)
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(data.getvalue())
    else:
        path_or_buffer.write(data.getvalue())
    return status


_FONT_NAME = "Times New Roman"


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    return {
        "font": Font(name=_FONT_NAME, size=12),
        "bold": Font(name=_FONT_NAME, size=12, bold=True),
        "title": Font(name=_FONT_NAME, size=14, bold=True),
        "muted": Font(name=_FONT_NAME, size=12, italic=True, color="595959"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(wrap_text=True, vertical="center", horizontal="center"),
        "number": Alignment(vertical="top", horizontal="right"),
        "header_fill": PatternFill("solid", fgColor="D9E1F2"),
    }


def category_fill(category: Category) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=CATEGORY_COLOURS[category])


def category_font(category: Category, bold: bool = False) -> Any:
    from openpyxl.styles import Font

    return Font(name=_FONT_NAME, size=12, bold=bold, color=CATEGORY_TEXT_COLOURS[category])


def _print_setup(ws: Any, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; write-only sheets lack the constant)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&P / &N"


def _cell(ws: Any, value: Any, **style: Any) -> Any:
    """A cell of a write-only sheet with ``style`` (font, fill, border, alignment, number_format)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _write_summary(ws: Any, plan: Plan, index: PlanIndex, status: PlanStatus) -> None:
    from openpyxl.utils import get_column_letter

    st = _styles()
    ws.title = _("Summary")[:31]
    width = 4 + len(CATEGORIES)  # code, name, the categories, total, on-time rate
    last = get_column_letter(width)
    # A write-only sheet takes its columns and print settings before its first row.
    for column, size in enumerate((10, 52, *([14] * len(CATEGORIES)), 9, 12), start=1):
        ws.column_dimensions[get_column_letter(column)].width = size
    _print_setup(ws, None)
    row = 0

    def append(cells: list[Any], height: float | None = None) -> None:
        nonlocal row
        row += 1
        if height is not None:
            ws.row_dimensions[row].height = height
        ws.append(cells)

    def merged_line(text: str, font: Any) -> None:
        ws.merged_cells.add(f"A{row + 1}:{last}{row + 1}")
        append([_cell(ws, text, font=font, alignment=st["center"])])

    if index.organization:
        merged_line(index.organization, st["bold"])
    merged_line(plan.title, st["title"])
    merged_line(_("Status at {date}").format(date=format_date(status.as_of)), st["bold"])
    append([])

    def header(first: str, second: str) -> None:
        fills = {column: category for column, category in enumerate(CATEGORIES, start=3)}
        labels = [first, second, *(category_label(c) for c in CATEGORIES), _("Total"), _("On-time rate")]
        cells = []
        for column, label in enumerate(labels, start=1):
            category = fills.get(column)
            cells.append(
                _cell(
                    ws,
                    label,
                    font=st["bold"] if category is None else category_font(category, bold=True),
                    alignment=st["center"],
                    border=st["border"],
                    fill=st["header_fill"] if category is None else category_fill(category),
                )
            )
        append(cells, height=33)

    def counts_row(first: str, second: str, counts: Mapping[Category, int], bold: bool = False) -> None:
        values = [counts[c] for c in CATEGORIES]
        font = st["bold"] if bold else st["font"]
        cells = [
            _cell(ws, value, font=font, border=st["border"], alignment=st["wrap"] if column <= 2 else st["number"])
            for column, value in enumerate([first, second, *values, sum(values), on_time_rate(dict(counts))], start=1)
        ]
        cells[-1].number_format = "0.0%"
        append(cells)

    def section(text: str) -> None:
        append([])
        append([_cell(ws, text, font=st["title"])])

    header("", "")
    counts_row(_("Total"), "", status.totals, bold=True)
    append([])
    append(
        [
            _cell(ws, _("On-time rate"), font=st["bold"]),
            _cell(ws, status.on_time_rate, font=st["bold"], number_format="0.0%", alignment=st["number"]),
        ]
    )
    append([_cell(ws, _("On-time rate = done on time ÷ (done on time + done late + overdue)."), font=st["muted"])])
    append(
        [
            _cell(
                ws,
                _(
                    "Figures count items: one deadline of one lead unit. Supporting units' reports are shown in "
                    "the details and not counted. Continuous tasks (not counted): {count}."
                ).format(count=len(status.continuous)),
                font=st["muted"],
            )
        ]
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
    ]


DETAIL_COLUMNS = 12
DATE_FORMAT = "dd/mm/yyyy"


def _detail_styles(wb: Any) -> None:
    """The detail's cell styles, registered once as named styles: a cell then takes a whole style by
    name instead of a new font, border, alignment and fill each (which openpyxl compares one by one
    against every style of the workbook; that made the detail of a province take minutes)."""
    from openpyxl.styles import NamedStyle

    st = _styles()
    for muted in (False, True):
        font, prefix = (st["muted"], _MUTED) if muted else (st["font"], _PLAIN)
        for suffix, alignment, number_format in (
            ("", st["wrap"], "General"),
            (" number", st["number"], "General"),
            (" date", st["wrap"], DATE_FORMAT),
        ):
            wb.add_named_style(
                NamedStyle(
                    prefix + suffix, font=font, border=st["border"], alignment=alignment, number_format=number_format
                )
            )
    for category in CATEGORIES:
        wb.add_named_style(
            NamedStyle(
                _CATEGORY_STYLE + category,
                font=category_font(category),
                fill=category_fill(category),
                border=st["border"],
                alignment=st["wrap"],
            )
        )


_PLAIN, _MUTED, _CATEGORY_STYLE = "dondoc detail", "dondoc detail support", "dondoc "


def _write_detail(ws: Any, rows: Iterable[DetailRow]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    st = _styles()
    _detail_styles(ws.parent)
    ws.title = _("Details")[:31]
    columns = _detail_columns()
    # A write-only sheet takes its columns, panes, outline and print settings before its first row.
    for column, (_name, size) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(column)].width = size
    ws.freeze_panes = "A2"
    ws.sheet_properties.outlinePr.summaryBelow = False
    ws.sheet_format.outlineLevelRow = 1
    _print_setup(ws, "1:1")
    ws.row_dimensions[1].height = 33
    ws.append(
        [
            _cell(ws, name, font=st["bold"], alignment=st["center"], border=st["border"], fill=st["header_fill"])
            for name, _width in columns
        ]
    )
    del ws.row_dimensions[1]

    # Each named style resolved once: assigning ``cell.style`` looks the name up for every cell.
    arrays: dict[str, Any] = {}
    for name in [n.name for n in ws.parent._named_styles if n.name.startswith("dondoc ")]:
        probe = WriteOnlyCell(ws)
        probe.style = name
        arrays[name] = probe._style
    no_report, continuous = _("no report yet"), _("continuous")
    roles = {role: role_text(role) for role in Role}
    categories = {category: category_label(category) for category in CATEGORIES}
    r = 1  # the last row written
    for row in rows:
        report = row.report
        note = ""
        if report is not None:
            note = report.note
            if report.status == Status.BLOCKED and report.blocked_reason and report.blocked_reason != note:
                note = _("Blocked by: {reason}").format(reason=report.blocked_reason) + (f"\n{note}" if note else "")
        reported = status_label(report.status) if report is not None else no_report
        values = (
            row.task,
            row.title,
            row.unit_name,
            roles[row.role],
            row.due if row.due is not None else (row.deadline_text or continuous),
            categories[row.category] if row.category is not None else "",
            reported,
            row.percent,
            note,
            report.evidence if report else "",
            report.reporter if report else "",
            report.reported_at.date() if report else None,
        )
        r += 1
        support = row.role == Role.SUPPORT
        plain = _MUTED if support else _PLAIN
        cells = []
        for column, value in enumerate(values, start=1):
            style = plain
            if column in (5, 12):
                style = plain + " date"
            elif column == 8:
                style = plain + " number"
            elif column == 6 and row.category is not None:
                style = _CATEGORY_STYLE + row.category
            cell = WriteOnlyCell(ws, value)
            cell._style = arrays[style]  # the named style's resolved ids, shared (never changed)
            cells.append(cell)
        if support:
            # Supporting parts fold under their lead item (Excel's outline "-" / "+").
            ws.row_dimensions[r].outlineLevel = 1
            ws.append(cells)
            del ws.row_dimensions[r]  # written with the row; not kept for 70,000 rows
        else:
            ws.append(cells)

    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(r, 2)}"
