"""Free-form appendix tables, drawn as people lay them out in Word and Excel.

:mod:`tests.plan.layouts` builds appendices of one family from a few switches. Published plans come
in shapes that family does not cover (an identifier column, "Nhiệm vụ" merged over "TT" | "Chi
tiết", group rows carrying units and deadlines), so here a test draws the table itself, row by row,
with two marks for merged cells:

- :data:`LEFT` (``"<"``): this cell is merged with the cell on its left;
- :data:`UP` (``"^"``): this cell is merged with the cell above.

``write_xlsx`` and ``write_docx`` turn a :class:`Sheet` into a real file with real merged cells
(openpyxl, python-docx), the title lines above the table and the notes under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

LEFT = "<"
UP = "^"


@dataclass(frozen=True)
class Sheet:
    """A table: title lines, header rows and body rows (cells may be :data:`LEFT` or :data:`UP`)."""

    title_lines: Sequence[str]
    header: Sequence[Sequence[str]]
    body: Sequence[Sequence[str]]
    notes: Sequence[str] = ()

    @property
    def rows(self) -> list[list[str]]:
        rows = [list(row) for row in (*self.header, *self.body)]
        width = max(len(row) for row in rows)
        for row in rows:
            if len(row) != width:
                raise ValueError(f"every row needs {width} cells: {row}")
        return rows


@dataclass(frozen=True)
class Span:
    """A merged range, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


def spans(rows: list[list[str]]) -> list[Span]:
    """The merged ranges the marks draw: runs of :data:`LEFT` to the right of a cell, runs of
    :data:`UP` under it."""
    found: list[Span] = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value in (LEFT, UP):
                continue
            last_col = c
            while last_col + 1 < len(row) and row[last_col + 1] == LEFT:
                last_col += 1
            last_row = r
            while last_row + 1 < len(rows) and rows[last_row + 1][c] == UP:
                last_row += 1
            if (last_row, last_col) != (r, c):
                found.append(Span(r, c, last_row, last_col))
    return found


def write_xlsx(sheet: Sheet, path: Path) -> Path:
    """An Excel workbook: merged title lines, a blank row, the table with merged cells, the notes."""
    rows = sheet.rows
    width = len(rows[0])
    workbook = Workbook()
    ws: Any = workbook.active
    ws.title = "Phụ lục"
    line = 1
    for text in sheet.title_lines:
        ws.cell(row=line, column=1, value=text).font = Font(bold=True)
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        line += 1
    top = line + 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value and value not in (LEFT, UP):
                cell = ws.cell(row=top + r, column=c + 1, value=value)
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    for span in spans(rows):
        ws.merge_cells(
            start_row=top + span.first_row,
            start_column=span.first_col + 1,
            end_row=top + span.last_row,
            end_column=span.last_col + 1,
        )
    line = top + len(rows) + 1
    for note in sheet.notes:
        ws.cell(row=line, column=1, value=note)
        line += 1
    workbook.save(path)
    return path


def _fill(cell: Any, value: str) -> None:
    lines = value.split("\n")
    cell.text = lines[0]
    for text in lines[1:]:
        cell.add_paragraph(text)


def write_docx(sheet: Sheet, path: Path, *, split_after: int | None = None) -> Path:
    """A Word document: the document header as a layout table, the title lines as paragraphs, the
    table with merged cells, the notes and the closing lines. ``split_after``: the table breaks into
    two after that many body rows, the second without a header (as a page break leaves it)."""
    rows = sheet.rows
    document: Any = Document()
    layout = document.add_table(rows=1, cols=2)
    _fill(layout.cell(0, 0), "CƠ QUAN BAN HÀNH\nSố: 01/KH")
    _fill(layout.cell(0, 1), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    for text in sheet.title_lines:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = True
    cut = len(rows) if split_after is None else len(sheet.header) + split_after
    for part in (rows[:cut], rows[cut:]):
        if not part:
            continue
        table = document.add_table(rows=len(part), cols=len(part[0]))
        table.style = "Table Grid"
        for span in spans(part):
            table.cell(span.first_row, span.first_col).merge(table.cell(span.last_row, span.last_col))
        for r, row in enumerate(part):
            for c, value in enumerate(row):
                if value and value not in (LEFT, UP):
                    _fill(table.cell(r, c), value)
        document.add_paragraph("")
    for text in [*sheet.notes, "Nơi nhận:", "- Như trên;", "- Lưu: VT."]:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_docx_sections(title_lines: Sequence[str], sections: Sequence[tuple[str, Sheet]], path: Path) -> Path:
    """A Word document with one table per section, each under its heading paragraph ("I. …")."""
    document: Any = Document()
    for text in title_lines:
        document.add_paragraph().add_run(text).bold = True
    for heading, sheet in sections:
        document.add_paragraph().add_run(heading).bold = True
        rows = sheet.rows
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for span in spans(rows):
            table.cell(span.first_row, span.first_col).merge(table.cell(span.last_row, span.last_col))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value and value not in (LEFT, UP):
                    _fill(table.cell(r, c), value)
    document.save(str(path))
    return path


WRITERS = {"xlsx": write_xlsx, "docx": write_docx}
