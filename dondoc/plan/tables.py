"""Reading appendix files (xlsx, csv, docx) into plain grids of cell text.

Merged cells are normalised the same way for every format, so the parser sees one shape:
a horizontally merged cell keeps its text in its first column only (a heading spanning the row
must count once), and a vertically merged cell repeats its text down the rows it covers (a lead
unit written once for several tasks applies to each of them).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dondoc.i18n import _
from dondoc.plan.problems import InputError, Problem
from dondoc.text import clean_cell

SUPPORTED = (".xlsx", ".xlsm", ".csv", ".docx")


@dataclass
class Row:
    number: int  # the row as a person finds it: sheet row (xlsx, csv line) or table row (docx)
    cells: list[str]


@dataclass
class Table:
    rows: list[Row]
    table_number: int | None = None  # docx: which table of the document (1-based)
    sheet: str | None = None  # xlsx: sheet name when the workbook has several
    preamble: list[str] = field(default_factory=list)  # docx paragraphs before the table

    def where(self, row: int, column: int | None = None, label: str = "") -> str:
        """A translated location such as "dòng 12, cột E (Thời hạn)" or "bảng 2, dòng 5, cột 3"."""
        if self.table_number is not None:
            text = _("table {table}, row {row}").format(table=self.table_number, row=row)
            if column is not None:
                text += ", " + _("column {column}").format(column=column + 1)
        else:
            text = _("row {row}").format(row=row)
            if column is not None:
                text += ", " + _("column {column}").format(column=column_letter(column))
            if self.sheet:
                text = _("sheet {sheet}").format(sheet=self.sheet) + ", " + text
        if label:
            text += f" ({label})"
        return text


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_tables(path: Path) -> list[Table]:
    """Every table of the file, merged cells normalised; raises :class:`InputError` if unreadable."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError([Problem(path.name, _("unsupported file type; use xlsx, docx or csv"), path.suffix)])
    try:
        if suffix == ".csv":
            return [_read_csv(path)]
        if suffix == ".docx":
            return _read_docx(path)
        return _read_xlsx(path)
    except InputError:
        raise
    except Exception as exc:  # a corrupt file: name it rather than show a traceback
        raise InputError([Problem(path.name, _("cannot read the file"), f"{type(exc).__name__}: {exc}")]) from exc


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_cell(value)


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(path.name, _("the file is not UTF-8 text"))]) from exc
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    for record in reader:
        # A quoted cell may span lines; the row is where it starts, as a spreadsheet shows it.
        rows.append(Row(number=len(rows) + 1, cells=[_cell_text(v) for v in record]))
    return Table(rows=rows)


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, data_only=True)
    tables: list[Table] = []
    several = len(workbook.worksheets) > 1
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        width = sheet.max_column
        grid = [
            [_cell_text(cell.value) for cell in row]
            for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=width)
        ]
        for merged in sheet.merged_cells.ranges:
            top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else ""
            for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    grid[r - 1][c - 1] = top if c == merged.min_col else ""
        rows = [Row(number=i + 1, cells=cells) for i, cells in enumerate(grid)]
        tables.append(Table(rows=rows, sheet=sheet.title if several else None))
    return tables


def _read_docx(path: Path) -> list[Table]:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    tables: list[Table] = []
    preamble: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = clean_cell(block.text)
            if text:
                preamble.append(text)
        elif isinstance(block, DocxTable):
            tables.append(_docx_table(block, len(tables) + 1, preamble))
            preamble = []
    return tables


def _docx_table(table: Any, number: int, preamble: list[str]) -> Table:
    rows: list[Row] = []
    for index, row in enumerate(table.rows):
        texts: list[str] = []
        previous_tc: Any = None
        # python-docx repeats a merged cell across the grid columns it spans (and down the rows
        # of a vertical merge), which is exactly the normal form once horizontal repeats are blanked.
        for cell in row.cells:
            same = cell._tc is previous_tc
            texts.append("" if same else clean_cell("\n".join(p.text for p in cell.paragraphs)))
            previous_tc = cell._tc
        rows.append(Row(number=index + 1, cells=texts))
    return Table(rows=rows, table_number=number, preamble=list(preamble))
