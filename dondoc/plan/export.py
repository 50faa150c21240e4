"""A plan out of the store: JSON for machines, the appendix back as xlsx for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from dondoc.db.models import Area, Assignment, Occurrence, Plan, Report, Role, Status, Task, Unit
from dondoc.db.queries import latest_reports
from dondoc.i18n import _, current_language, use_language
from dondoc.plan.progress import restored_reports
from dondoc.tz import TZ


@dataclass
class TaskView:
    """A task with its area, units and due dates, loaded in a handful of queries for a whole plan."""

    task: Task
    area: Area | None
    lead: list[Unit] = field(default_factory=list)
    support: list[Unit] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    assignments: list[tuple[Assignment, Unit, Report | None]] = field(default_factory=list)


def load_tasks(session: Session, plan: Plan) -> list[TaskView]:
    """Active tasks of ``plan`` in appendix order (no query per task)."""
    tasks = session.exec(
        select(Task).where(Task.plan_id == plan.id, col(Task.active)).order_by(col(Task.position))
    ).all()
    areas = {a.id: a for a in session.exec(select(Area).where(Area.plan_id == plan.id))}
    views = {t.id: TaskView(task=t, area=areas.get(t.area_id)) for t in tasks}
    occurrences = session.exec(
        select(Occurrence)
        .join(Task, col(Task.id) == Occurrence.task_id)
        .where(Task.plan_id == plan.id)
        .order_by(col(Occurrence.due))
    ).all()
    for occurrence in occurrences:
        if occurrence.task_id in views:
            views[occurrence.task_id].dates.append(occurrence.due)
    rows = session.exec(
        select(Assignment, Unit)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(Task.plan_id == plan.id, col(Assignment.active))
        .order_by(col(Assignment.position))
    ).all()
    latest = {r.assignment_id: r for r in latest_reports(session, [assignment.id for assignment, unit in rows])}
    # A report that hủy appended to restore the one before is shown as that one (its date and note).
    restored = restored_reports(
        session, [(r.id, r.assignment_id, r.corrects_report_id, r.note) for r in latest.values()]
    )
    latest = {aid: restored.get(r.id or 0, r) for aid, r in latest.items()}
    for assignment, unit in sorted(rows, key=lambda pair: (pair[0].role != Role.LEAD, pair[0].position)):
        view = views.get(assignment.task_id)
        if view is not None:
            (view.lead if assignment.role == Role.LEAD else view.support).append(unit)
            view.assignments.append((assignment, unit, latest.get(assignment.id or 0)))
    return list(views.values())


def plan_json(session: Session, plan: Plan) -> dict[str, Any]:
    """The plan as the documented JSON export."""
    return {
        "plan": {"title": plan.title, "year": plan.year},
        "tasks": [task_json(view) for view in load_tasks(session, plan)],
    }


def task_json(view: TaskView) -> dict[str, Any]:
    task = view.task
    return {
        "code": task.code,
        "area": view.area.code if view.area else "",
        "number": task.number,
        "title": task.title,
        "product": task.product,
        "lead": [u.code for u in view.lead],
        "support": [u.code for u in view.support],
        "source_row": task.source_row,
        "deadline": {
            "text": task.deadline_text,
            "kind": task.deadline_kind.value,
            "every": task.deadline_every,
            "dates": [d.isoformat() for d in view.dates],
        },
        "assignments": [
            {
                "unit": unit.code,
                "role": assignment.role.value,
                "status": report.status.value if report else Status.NOT_STARTED.value,
                "percent": report.percent if report else 0,
                "note": report.note if report else "",
                "reported_at": report.reported_at.astimezone(TZ).isoformat() if report else None,
            }
            for assignment, unit, report in view.assignments
        ],
    }


def write_plan_xlsx(session: Session, plan: Plan, path: Path) -> None:
    """The appendix in the standard layout: title, two-row header, areas, tasks, units by name."""
    rows: list[SheetRow] = []
    area_code: str | None = None
    for view in load_tasks(session, plan):
        code = view.area.code if view.area else ""
        if code != area_code and code:
            rows.append(SheetRow(code, view.area.title if view.area else "", area=True))
        area_code = code
        task = view.task
        rows.append(
            SheetRow(
                task.number,
                task.title,
                "; ".join(u.name for u in view.lead),
                "; ".join(u.name for u in view.support),
                task.product,
                task.deadline_text,
                task.note,
            )
        )
    write_appendix_xlsx(path, plan.title, plan.year, rows)


@dataclass
class SheetRow:
    """One row of the standard appendix layout: an area heading (number and title) or a task."""

    number: str
    title: str
    lead: str = ""
    support: str = ""
    product: str = ""
    deadline: str = ""
    note: str = ""
    area: bool = False
    review: list[str] = field(default_factory=list)  # what to look at again (the review workbook)
    has_error: bool = False  # the review colours errors apart from warnings

    def cells(self) -> list[str]:
        return [self.number, self.title, self.lead, self.support, self.product, self.deadline, self.note]


ERROR_FILL = "FFC7CE"  # light red
WARNING_FILL = "FFEB9C"  # light yellow


def write_appendix_xlsx(
    path: Path,
    title: str,
    year: int,
    rows: list[SheetRow],
    *,
    notes: list[tuple[str, str, bool]] | None = None,
    layout_language: str | None = None,
) -> None:
    """Write ``rows`` in the standard appendix layout, which the importer reads back.

    With ``notes`` (the review workbook) a last column "Cần xem lại" holds each row's warnings and
    errors, coloured, and a second sheet lists the problems of no single row: (where, what, error).
    ``layout_language`` writes the title rows and the header in that language (the importer reads
    Vietnamese headers) whatever the language of the notes.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    reviewing = notes is not None
    width = 8 if reviewing else 7
    wb = Workbook()
    ws = wb.active
    ws.title = _("Appendix")[:31]
    font = Font(name="Times New Roman", size=12)
    bold = Font(name="Times New Roman", size=12, bold=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    fills = {error: PatternFill("solid", fgColor=ERROR_FILL if error else WARNING_FILL) for error in (True, False)}

    with use_language(layout_language or current_language()):
        heading = _("APPENDIX"), _("(Plan of the year {year})").format(year=year)
        header_top = [_("No."), _("Task"), _("Implementing units"), "", _("Product"), _("Deadline"), _("Note")]
        header_bottom = ["", "", _("Lead"), _("Support"), "", "", ""]
        if reviewing:
            header_top.append(_("To review"))
            header_bottom.append("")
    ws.append([heading[0]])
    ws.append([title])
    ws.append([heading[1]])
    for row in (1, 2, 3):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        ws.cell(row, 1).font, ws.cell(row, 1).alignment = bold, center
    ws.append(header_top)
    ws.append(header_bottom)
    ws.merge_cells(start_row=4, start_column=3, end_row=4, end_column=4)
    for column in (1, 2, 5, 6, 7, *((8,) if reviewing else ())):
        ws.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    for row in (4, 5):
        for column in range(1, width + 1):
            cell = ws.cell(row, column)
            cell.font, cell.alignment, cell.border = bold, center, border

    for entry in rows:
        if entry.area:
            ws.append([entry.number, entry.title] + [""] * (width - 2))
        else:
            ws.append(entry.cells() + (["\n".join(entry.review)] if reviewing else []))
        for column in range(1, width + 1):
            cell = ws.cell(ws.max_row, column)
            cell.font, cell.border, cell.alignment = (bold if entry.area else font), border, wrap
        if entry.review:
            ws.cell(ws.max_row, width).fill = fills[entry.has_error]
    for letter, column_width in zip("ABCDEFGH", (6, 48, 22, 26, 20, 16, 14, 48)[:width], strict=False):
        ws.column_dimensions[letter].width = column_width
    ws.freeze_panes = "A6"
    ws.print_title_rows = "4:5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # one page wide, as many tall as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)  # without it Excel ignores the fit
    if notes:
        sheet = wb.create_sheet(_("To review")[:31])
        sheet.append([_("Where"), _("What to review")])
        for column in (1, 2):
            sheet.cell(1, column).font = bold
        for where, what, error in notes:
            sheet.append([where, what])
            sheet.cell(sheet.max_row, 2).fill = fills[error]
            for column in (1, 2):
                sheet.cell(sheet.max_row, column).alignment = wrap
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 90
    keep_text(wb)
    wb.save(path)


# What Excel reads as the start of a formula when the cell is typed or edited.
FORMULA_START = ("=", "+", "-", "@")


def keep_text(wb: Any) -> None:
    """Every cell of an openpyxl workbook written here is text someone typed or imported, never a
    formula: openpyxl makes a formula of any string starting with "=" (a task given as "=1+2 …" or
    "=HYPERLINK(…)" would be live in the file), and Excel would make one of "+84 …" or "- Đã …" once
    the cell is edited. Such cells are stored as text with Excel's quote prefix."""
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True
