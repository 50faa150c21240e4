"""The review workbook (``dondoc plan import FILE --review review.xlsx``): what the importer read.

One row per task in the standard appendix layout (the one ``dondoc plan export --format xlsx``
writes), with the codes, the units by their registry names and the deadline as read — its dates, or
the phrase of a recurring, continuous or undated one — and a last column "Cần xem lại" holding the
row's warnings and errors, coloured. Rows that could not be read keep their cells as written. The
problems of no single row are on a second sheet. The coordinator corrects the workbook and imports
it: it reads back to the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dondoc.i18n import _
from dondoc.plan.appendix import Appendix, Column, ParsedTask, RefusedRow
from dondoc.plan.deadlines import Deadline
from dondoc.plan.export import SheetRow, write_appendix_xlsx
from dondoc.plan.problems import Problem
from dondoc.plan.relative import relative_offset

# How an undated deadline is written back when its cell was a bare number of days: the phrase a plan
# writes (file content, read by the importer in any language, like the header labels).
_DAYS_PHRASE = "{days} ngày kể từ ngày ban hành Kế hoạch"


def write_review(path: Path, appendix: Appendix, unit_names: Mapping[str, str]) -> None:
    """Write the review workbook of ``appendix`` (read, or refused with its partial reading)."""
    titles = {area.code: area.title for area in appendix.areas}
    entries: list[ParsedTask | RefusedRow] = sorted([*appendix.tasks, *appendix.refused], key=lambda e: e.sequence)
    rows: list[SheetRow] = []
    area_code: str | None = None
    for entry in entries:
        if entry.area != area_code and entry.area:
            rows.append(SheetRow(entry.area, titles.get(entry.area, ""), area=True))
        area_code = entry.area
        rows.append(_task_row(entry, unit_names) if isinstance(entry, ParsedTask) else _refused_row(entry, unit_names))
    notes = [(problem.where, _note(problem, where=False), not problem.is_warning) for problem in appendix.file_problems]
    # The table in Vietnamese, as appendices are written (the importer reads Vietnamese headers).
    write_appendix_xlsx(path, appendix.title, appendix.year, rows, notes=notes, layout_language="vi")


def _names(codes: list[str], unit_names: Mapping[str, str]) -> str:
    return "; ".join(unit_names.get(code, code) for code in codes)


def deadline_as_read(deadline: Deadline) -> str:
    """A fixed deadline's dates; the phrase of the other kinds (each reads back to the same)."""
    if deadline.kind == "fixed":
        return "; ".join(day.strftime("%d/%m/%Y") for day in deadline.dates)
    if deadline.kind == "undated" and relative_offset(deadline.text) is None and deadline.offset_days is not None:
        return _DAYS_PHRASE.format(days=deadline.offset_days)
    return deadline.text


def _note(problem: Problem, *, where: bool = True) -> str:
    """A row's note, such as "cảnh báo — Phối hợp: … «…»" (the column's header is enough there)."""
    label = _("warning") if problem.is_warning else _("error")
    if where:
        text = str(Problem(problem.header or problem.where, problem.message, problem.value))
    else:
        text = f"{problem.message}: «{problem.value}»" if problem.value else problem.message
    return f"{label} — {text}"


def _task_row(task: ParsedTask, unit_names: Mapping[str, str]) -> SheetRow:
    review = [_note(problem) for problem in task.problems]
    if task.deadline.kind == "undated":
        review.append(_("warning") + " — " + _("no date yet: it counts from the plan's issue date (--issued DATE)"))
    return SheetRow(
        task.number,
        task.title,
        _names(task.lead, unit_names),
        _names(task.support, unit_names),
        task.product,
        deadline_as_read(task.deadline),
        task.note,
        review=review,
        has_error=any(not problem.is_warning for problem in task.problems),
    )


def _refused_row(row: RefusedRow, unit_names: Mapping[str, str]) -> SheetRow:
    def units(column: Column, codes: list[str]) -> str:
        return row.cells[column] if column in row.bad else _names(codes, unit_names)

    deadline = row.cells[Column.DEADLINE] or row.cells[Column.DAYS]
    return SheetRow(
        row.number,
        row.title,
        units(Column.LEAD, row.lead),
        units(Column.SUPPORT, row.support),
        row.product,
        deadline,
        row.note,
        review=[_note(problem) for problem in row.problems],
        has_error=True,
    )
