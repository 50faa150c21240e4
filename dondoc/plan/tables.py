"""Reading appendix files (xlsx, csv, docx) into plain grids of cell text.

Merged cells are normalised the same way for every format, so the parser sees one shape:
a horizontally merged cell keeps its text in its first column only (a heading spanning the row
must count once), and a vertically merged cell repeats its text down the rows it covers (a lead
unit written once for several tasks applies to each of them).

Files come from anywhere, so reading is bounded whatever they hold: spreadsheets are streamed
(only cells that exist are read, up to :data:`MAX_COLUMNS` columns, and a sheet ends after
:data:`MAX_BLANK_RUN` empty rows), archives that unpack to more than a plan's appendix could fill are
refused, and a file with more rows than the task limit is refused once the limit is passed.
Control characters (NUL and the like; PostgreSQL refuses NUL) are removed from every cell.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from dondoc.i18n import _
from dondoc.plan.problems import InputError, Problem
from dondoc.text import clean_cell, strip_controls

SUPPORTED = (".xlsx", ".xlsm", ".csv", ".docx")

DEFAULT_MAX_ROWS = 5000  # tasks per import (--max-rows, DONDOC_MAX_TASKS)
ROW_HEADROOM = 1000  # filled rows beyond the task limit for titles, headers, areas and sub-headings
MAX_COLUMNS = 64  # columns read from a sheet (BL); an appendix has about ten
MAX_BLANK_RUN = 200  # a sheet or CSV ends after this many empty rows in a row
MAX_UNPACKED_MB = 256  # an xlsx or docx that unpacks to more is refused (a zip bomb)
# Parts that are parsed, in MB for DEFAULT_MAX_ROWS tasks (more when the limit is raised): the docx
# body and the xlsx string table are held in memory whole (about 16 bytes per byte of XML for the
# docx), a worksheet is streamed but parsed through.
PART_LIMITS_MB = {"word/document.xml": 16, "sharedstrings.xml": 16, "xl/worksheets/": 64}
MAX_LINE = 1_000_000  # characters in one CSV line
PROGRESS_EVERY = 1000  # filled rows between progress calls

# The tags of a sheet's XML read besides its cells: merged ranges, column widths and rows (their
# attributes say whether they are hidden: a clerk does not see them, so they are not read).
_LAYOUT_TAG = re.compile(rb"<(?:[\w.-]+:)?(mergeCell|col|row)\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'\b([A-Za-z]+)="([^"]*)"')
_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
# A cell holding a formula and no saved value (a file written by a program, never opened in Excel):
# read-only mode gives it no value, though Excel would show one.
_UNSAVED_FORMULA = re.compile(
    rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*'
    rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>([^<]{0,200})</(?:[\w.-]+:)?f>)\s*"
    rb"(?:<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)?\s*</(?:[\w.-]+:)?c>"
)
MAX_CELL_XML = 4096  # characters of one cell's XML kept across the chunks a sheet is read in
_TASK_NUMBER = re.compile(r"^\s*(?:\d{1,4}(?:\.\d{1,3})*|[IVXL]{1,6})[.)]?\s*$")


def too_many_rows(where: str, limit: int) -> Problem:
    """The problem of a file with more than ``limit`` tasks."""
    message = _(
        "more than {limit} tasks: the limit of one import is {limit}; raise it with --max-rows "
        "or DONDOC_MAX_TASKS if the plan really is that large"
    ).format(limit=limit)
    return Problem(where, message)


class _Budget:
    """Counts the filled rows read from a file: progress calls, and refusal past the limit."""

    def __init__(self, name: str, max_rows: int, progress: Callable[[int], None] | None) -> None:
        self.name, self.max_rows, self.progress = name, max_rows, progress
        self.filled = 0

    def row(self, cells: list[str]) -> bool:
        """Count one row; whether it holds anything."""
        if not any(cells):
            return False
        self.filled += 1
        if self.filled > self.max_rows + ROW_HEADROOM:
            raise InputError([too_many_rows(self.name, self.max_rows)])
        if self.progress is not None and self.filled % PROGRESS_EVERY == 0:
            self.progress(self.filled)
        return True


@dataclass
class Row:
    number: int  # the row as a person finds it: sheet row (xlsx, csv line) or table row (docx)
    cells: list[str]
    # Columns (0-based) whose cell is the lower part of a vertically merged cell: its text repeats
    # the one above, it was not written again.
    continued: frozenset[int] = frozenset()
    # Columns (0-based) whose cell is a formula with no saved value, with the formula ("=A7+1", or
    # "=" for a shared one): the file shows nothing there until Excel computes and saves it.
    unsaved: dict[int, str] = field(default_factory=dict)


@dataclass
class Table:
    rows: list[Row]
    table_number: int | None = None  # docx: which table of the document (1-based)
    # docx: the layout tables above the first task table (a letterhead), which messages do not count: a
    # clerk sees no table there (no borders), and calls the first task table "bảng 1".
    uncounted: int = 0
    sheet: str | None = None  # xlsx: sheet name when the workbook has several
    preamble: list[str] = field(default_factory=list)  # docx paragraphs before the table

    def where(self, row: int, column: int | None = None, label: str = "") -> str:
        """A translated location such as "dòng 12, cột E (Thời hạn)" or "bảng 2, dòng 5, cột 3"."""
        if self.table_number is not None:
            text = _("table {table}, row {row}").format(table=self.table_number - self.uncounted, row=row)
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


def read_tables(
    path: Path, *, max_rows: int = DEFAULT_MAX_ROWS, progress: Callable[[int], None] | None = None
) -> list[Table]:
    """Every table of the file, merged cells normalised; raises :class:`InputError` if unreadable.

    ``progress`` is called with the number of filled rows read every :data:`PROGRESS_EVERY` rows; a
    file with far more filled rows than ``max_rows`` tasks is refused without reading it all."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError([Problem(path.name, _("unsupported file type; use xlsx, docx or csv"), path.suffix)])
    budget = _Budget(path.name, max_rows, progress)
    try:
        if suffix == ".csv":
            return [_read_csv(path, budget)]
        _check_archive(path, max_rows)
        if suffix == ".docx":
            return _read_docx(path, budget)
        return _read_xlsx(path, budget)
    except InputError:
        raise
    except Exception as exc:  # a corrupt file: name it rather than show a traceback
        raise InputError([Problem(path.name, _("cannot read the file"), f"{type(exc).__name__}: {exc}")]) from exc


# What a number format shows besides its date parts: quoted text, [colour] and [$-42A] codes, escapes.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _cell_text(value: Any, number_format: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        # A date shown without its day ("mm/yyyy": "06/2026", "mmmm yyyy") is the month the clerk
        # typed, due at its end, not on its first day; one shown as "yyyy" is that year.
        shown = _FORMAT_LITERALS.sub("", number_format or "").lower()
        if "y" in shown and "d" not in shown:
            return value.strftime("%m/%Y" if "m" in shown else "%Y")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(value)


def _clean(value: object) -> str:
    return "" if value is None else clean_cell(strip_controls(str(value)))


def _check_archive(path: Path, max_rows: int) -> None:
    """Refuse an xlsx or docx that is not one (damaged, cut short, another file renamed), or that
    unpacks to more than an appendix of ``max_rows`` tasks needs."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError([_not_office(path)]) from exc
    if not any(info.filename == "[Content_Types].xml" for info in infos):  # every Office Open XML file has it
        raise InputError([_not_office(path)])
    scale = max(1.0, max_rows / DEFAULT_MAX_ROWS)
    parts = [("", sum(info.file_size for info in infos), MAX_UNPACKED_MB)]
    for info in infos:
        name = info.filename.lower()
        for part, limit in PART_LIMITS_MB.items():
            if name.startswith(part) or (part == "sharedstrings.xml" and name.endswith(part)):
                parts.append((info.filename, info.file_size, round(limit * scale)))
    for name, size, limit in parts:
        if size > limit << 20:
            message = _("{part} unpacks to {size} MB, more than an appendix needs (at most {limit} MB)").format(
                part=name or _("the file"), size=size >> 20, limit=limit
            )
            raise InputError([Problem(path.name, message)])


def _not_office(path: Path) -> Problem:
    kind = path.suffix.lower().lstrip(".")
    message = _("the file is not a valid {kind} file: it is damaged, cut short, or another kind of file renamed")
    return Problem(path.name, message.format(kind=kind))


# ------------------------------------------------------------------------------------------ csv


class _Lines:
    """The lines of a CSV file, each at most :data:`MAX_LINE` characters, remembering where the
    current record started (a quoted cell may span lines)."""

    def __init__(self, handle: IO[str], name: str) -> None:
        self.handle, self.name = handle, name
        self.number = 0
        self.record_start = ""  # the first line of the record being read

    def __iter__(self) -> Iterator[str]:
        while line := self.handle.readline(MAX_LINE):
            self.number += 1
            if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
                where = _("row {row}").format(row=self.number)
                raise InputError(
                    [Problem(where, _("the line is longer than {limit} characters").format(limit=MAX_LINE))]
                )
            if not self.record_start:
                self.record_start = line
            yield line


_SEP_LINE = re.compile(r"^sep=([,;\t|])\r?\n?$")


def _read_csv(path: Path, budget: _Budget) -> Table:
    rows: list[Row] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            # Excel's "sep=;" first line names the delimiter, and Excel does not show it as a row.
            declared = _SEP_LINE.match(handle.readline(MAX_LINE))
            start = handle.tell() if declared else 0
            handle.seek(start)
            sample = handle.read(4096)
            dialect: Any = csv.excel
            if declared:
                dialect = type("Declared", (csv.excel,), {"delimiter": declared.group(1)})
            else:
                try:
                    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
                except csv.Error:
                    dialect = _widest_dialect(sample)
            handle.seek(start)
            lines = _Lines(handle, path.name)
            lines.number = 1 if declared else 0
            # Quotes are doubled inside quoted cells, whatever the sniffer guessed from a sample without any.
            _read_records(csv.reader(lines, dialect, strict=True, doublequote=True), lines, rows, budget)
    except UnicodeDecodeError as exc:
        # Excel's plain "CSV" is in the Windows code page (1258 on a Vietnamese Windows): say the way out.
        message = _('the file is not UTF-8 text: in Excel, save it again as "CSV UTF-8 (Comma delimited)"')
        raise InputError([Problem(path.name, message)]) from exc
    return Table(rows=rows)


def _widest_dialect(sample: str) -> Any:
    """The delimiter the sniffer could not tell (title lines above the table have none): the one of
    ",", ";" and tab splitting the most lines of the sample into the same number of cells, three at
    least (a table's rows); a comma when none does."""
    lines = sample.splitlines()[:-1] or sample.splitlines()  # the last line may be cut short
    best, rows = ",", 0
    for delimiter in ",;\t":
        widths = Counter(
            len(cells) for cells in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if len(cells) >= 3
        )
        count = max(widths.values(), default=0)
        if count > rows:
            best, rows = delimiter, count
    return type("Guessed", (csv.excel,), {"delimiter": best})


def _read_records(reader: Any, lines: _Lines, rows: list[Row], budget: _Budget) -> None:
    blank_run = 0
    width = 0
    while True:
        # A quoted cell may span lines; the row is where it starts, as a spreadsheet shows it.
        start = lines.number + 1
        lines.record_start = ""
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError([_bad_quote(len(rows) + 1, start, lines.record_start, str(exc))]) from exc
        cells = [_cell_text(v) for v in record[:MAX_COLUMNS]]
        if lines.number > start and _swallows_rows(record, width, reader.dialect):
            raise InputError([_bad_quote(len(rows) + 1, start, lines.record_start, "")])
        width = max(width, len(record))
        if budget.row(cells):
            blank_run = 0
        else:
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                return
        rows.append(Row(number=len(rows) + 1, cells=cells))


def _bad_quote(row: int, line_number: int, line: str, error: str) -> Problem:
    """A quote left open at ``row`` (the spreadsheet's row; ``line_number`` counts the file's lines)."""
    where = _("row {row}").format(row=row)
    if line_number != row:
        where += " " + _("(line {line} of the file)").format(line=line_number)
    if "field larger than field limit" in error:
        message = _("a cell starting on this row is longer than {limit} characters: is a quote left open?").format(
            limit=csv.field_size_limit()
        )
    else:
        message = _("a quote opened on this row is not closed properly, so the rows below would be swallowed")
    return Problem(where, message, _clean(line)[:80])


def _swallows_rows(record: list[str], width: int, dialect: Any) -> bool:
    """Whether a cell spanning lines holds whole rows of the table ("6,Task,Unit,…"): the sign of an
    unbalanced quote that a later quote happened to close."""
    if width < 3:
        return False
    for value in record:
        for line in value.splitlines()[1:]:
            fields = next(csv.reader([line], dialect), [])
            if len(fields) >= width - 1 and _TASK_NUMBER.match(fields[0]):
                return True
    return False


# ----------------------------------------------------------------------------------------- xlsx


def _read_xlsx(path: Path, budget: _Budget) -> list[Table]:
    from openpyxl import load_workbook

    # Read-only mode streams the sheet: only the cells the file holds are read, so a stray cell at
    # XFD1048576 costs one cell, not the 17 billion of the rectangle up to it.
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        tables: list[Table] = []
        several = len(workbook.worksheets) > 1
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue
            grid = _sheet_grid(sheet, budget)
            layout = _sheet_layout(workbook, sheet)
            continued = _apply_merges(grid, layout.merges, path.name)
            # Hidden rows and columns are not what the clerk sees: a cancelled task hidden, not
            # deleted, is no task; an old deadline column hidden beside the new one is not read.
            _hide(grid, layout, continued)
            unsaved: dict[int, dict[int, str]] = {}
            for (r, c), formula in layout.unsaved.items():
                if c not in layout.hidden_columns:
                    unsaved.setdefault(r, {})[c - 1] = formula
            rows = [
                Row(
                    number=i + 1,
                    cells=cells,
                    continued=frozenset(continued.get(i, ())),
                    unsaved=unsaved.get(i + 1, {}),
                )
                for i, cells in enumerate(grid)
                if i + 1 not in layout.hidden_rows
            ]
            tables.append(Table(rows=rows, sheet=sheet.title if several else None))
        return tables
    finally:
        workbook.close()


def _sheet_grid(sheet: Any, budget: _Budget) -> list[list[str]]:
    grid: list[list[str]] = []
    blank_run = 0
    sheet.reset_dimensions()  # the size the file declares may be wrong: read the rows it holds
    for values in sheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS):
        cells = [_cell_text(cell.value, getattr(cell, "number_format", None)) for cell in values]
        while cells and not cells[-1]:
            cells.pop()
        if budget.row(cells):
            blank_run = 0
        else:
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
        grid.append(cells)
    while grid and not grid[-1]:
        grid.pop()
    width = max((len(cells) for cells in grid), default=0)
    for cells in grid:
        cells.extend([""] * (width - len(cells)))
    return grid


@dataclass
class _Layout:
    """What a sheet's XML says besides its cells: merged ranges (min_row, min_col, max_row, max_col),
    and the rows and columns (1-based) hidden, outline-collapsed or sized to nothing."""

    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 1-based → formula


def _sheet_layout(workbook: Any, sheet: Any) -> _Layout:
    """The sheet's merged ranges and hidden rows and columns, scanned from its XML: read-only mode
    reads neither. Only columns up to :data:`MAX_COLUMNS` are kept."""
    from openpyxl.utils.cell import column_index_from_string

    layout = _Layout()
    tail = b""
    row_number = 0  # rows may leave out their number: each then follows the one before
    with workbook._archive.open(sheet._worksheet_path) as source:
        while True:
            chunk = source.read(1 << 20)
            data = tail + chunk
            cut = data.rfind(b"<") if chunk else len(data)  # at the end, what is left is read whole
            cell = data.rfind(b"<c ", 0, cut + 1)  # a cell cut short is read whole with the next chunk
            if chunk and cell >= 0 and len(data) - cell < MAX_CELL_XML:
                cut = cell
            for match in _UNSAVED_FORMULA.finditer(data, 0, max(cut, 0)):
                column = column_index_from_string(match.group(1).decode())
                if column <= MAX_COLUMNS:
                    formula = _clean((match.group(3) or b"").decode("utf-8", "replace"))
                    layout.unsaved[(int(match.group(2)), column)] = "=" + formula
            for match in _LAYOUT_TAG.finditer(data, 0, max(cut, 0)):
                tag, attributes = match.group(1), dict(_ATTRIBUTE.findall(match.group(2)))
                if tag == b"mergeCell":
                    _add_merge(layout, attributes.get(b"ref", b""))
                elif tag == b"row":
                    number = attributes.get(b"r", b"")
                    row_number = int(number) if number.isdigit() else row_number + 1
                    if _hidden(attributes, b"ht"):
                        layout.hidden_rows.add(row_number)
                elif _hidden(attributes, b"width"):
                    first, last = attributes.get(b"min", b""), attributes.get(b"max", b"")
                    if first.isdigit() and last.isdigit():
                        layout.hidden_columns.update(range(int(first), min(int(last), MAX_COLUMNS) + 1))
            if not chunk:
                return layout
            tail = data[cut:] if cut >= 0 and len(data) - cut < MAX_CELL_XML else b""


def _hidden(attributes: dict[bytes, bytes], size: bytes) -> bool:
    """Whether a row or column tag hides it: hidden (as a collapsed outline group's are too), or a
    height or width of zero."""
    if attributes.get(b"hidden", b"").lower() in (b"1", b"true"):
        return True
    try:
        return size in attributes and float(attributes[size]) == 0
    except ValueError:
        return False


def _add_merge(layout: _Layout, ref: bytes) -> None:
    from openpyxl.utils.cell import column_index_from_string

    corners = _CELL_REF.findall(ref)
    if not corners or len(corners) > 2:
        return
    (first_col, first_row), (last_col, last_row) = corners[0], corners[-1]
    layout.merges.append(
        (
            int(first_row),
            column_index_from_string(first_col.decode()),
            int(last_row),
            column_index_from_string(last_col.decode()),
        )
    )


def _hide(grid: list[list[str]], layout: _Layout, continued: dict[int, set[int]]) -> None:
    """Blank the hidden columns (their letters stay those of the sheet). A merged cell starting in a
    hidden column shows its text in its first visible one."""
    hidden = layout.hidden_columns
    if not hidden or not grid:
        return
    width = len(grid[0])
    for min_row, min_col, max_row, max_col in layout.merges:
        if min_col not in hidden or min_row > len(grid):
            continue
        shown = next((c for c in range(min_col + 1, min(max_col, width) + 1) if c not in hidden), None)
        if shown is None:
            continue
        for r in range(min_row, min(max_row, len(grid)) + 1):
            grid[r - 1][shown - 1] = grid[r - 1][min_col - 1]
            if r - 1 in continued and min_col - 1 in continued[r - 1]:
                continued[r - 1].add(shown - 1)
    for cells in grid:
        for column in hidden:
            if column <= len(cells):
                cells[column - 1] = ""


def _apply_merges(grid: list[list[str]], ranges: list[tuple[int, int, int, int]], name: str) -> dict[int, set[int]]:
    """Horizontal merges keep their text in the first column; vertical ones repeat it down. Returns,
    by row index, the columns whose text was repeated from the row above."""
    continued: dict[int, set[int]] = {}
    width = len(grid[0]) if grid else 0
    budget = len(grid) * width  # merged ranges do not overlap: together they cover the grid at most once
    for min_row, min_col, max_row, max_col in ranges:
        if min_row > len(grid) or min_col > width:
            continue
        last_row, last_col = min(max_row, len(grid)), min(max_col, width)
        budget -= (last_row - min_row + 1) * (last_col - min_col + 1)
        if budget < 0:
            raise InputError([Problem(name, _("merged cells overlap"))])
        top = grid[min_row - 1][min_col - 1]
        for r in range(min_row, last_row + 1):
            for c in range(min_col, last_col + 1):
                grid[r - 1][c - 1] = top if c == min_col else ""
            if r > min_row:
                continued.setdefault(r - 1, set()).add(min_col - 1)
    return continued


# ----------------------------------------------------------------------------------------- docx


def _read_docx(path: Path, budget: _Budget) -> list[Table]:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    tables: list[Table] = []
    preamble: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = _clean(block.text)
            if text:
                preamble.append(text)
        elif isinstance(block, DocxTable):
            tables.append(_docx_table(block, len(tables) + 1, preamble, budget))
            preamble = []
    return tables


def _docx_table(table: Any, number: int, preamble: list[str], budget: _Budget) -> Table:
    rows: list[Row] = []
    above: list[Any] = []
    for index, row in enumerate(table.rows):
        texts: list[str] = []
        continued: set[int] = set()
        previous_tc: Any = None
        # python-docx repeats a merged cell across the grid columns it spans (and down the rows
        # of a vertical merge), which is exactly the normal form once horizontal repeats are blanked.
        tcs = [cell._tc for cell in row.cells[:MAX_COLUMNS]]
        for column, (cell, tc) in enumerate(zip(row.cells[:MAX_COLUMNS], tcs, strict=True)):
            same = tc is previous_tc
            texts.append("" if same else _clean("\n".join(p.text for p in cell.paragraphs)))
            if not same and column < len(above) and above[column] is tc:
                continued.add(column)
            previous_tc = tc
        above = tcs
        budget.row(texts)
        rows.append(Row(number=index + 1, cells=texts, continued=frozenset(continued)))
    return Table(rows=rows, table_number=number, preamble=list(preamble))
