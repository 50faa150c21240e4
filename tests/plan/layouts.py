"""Builders for action-plan appendices as public bodies actually send them.

A test describes an appendix in a few lines — the title lines above the table, the header style
(one row, or two rows with "Cơ quan thực hiện" merged over "Chủ trì" | "Phối hợp"), the column order
and labels, an optional numbering row, then the body rows (areas, sub-headings, tasks, blank rows) and
the notes under the table — and a writer turns the description into a real ``.xlsx`` (openpyxl, with
merged cells), ``.csv`` (UTF-8, with or without BOM) or ``.docx`` (python-docx, with merged cells,
a layout table for the document header and paragraphs around the table).

``header="none"`` leaves the header out (a broken appendix). Every writer returns a :class:`Built`, which knows the row where each task landed: the sheet row as
Excel shows it (1-based) for xlsx and csv, the 1-based row of the main table for docx.

:func:`commune_registry` describes a small commune (xã Tân Phú) — deliberately not a district — and
:func:`write_registry` writes it in the YAML layout of ``dondoc units import``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from dondoc.plan.registry import GroupSpec, UnitSpec
from dondoc.plan.registry import Registry as RegistryFile
from dondoc.plan.registry_table import registry_document

Column = Literal["stt", "content", "lead", "support", "product", "deadline", "note"]
HeaderStyle = Literal["one-row", "two-row", "none"]
Numbering = Literal["none", "parenthesised", "plain"]
Value = str | int | date
"""A cell value: text, a number as Excel stores it, or a date cell (xlsx)."""

STANDARD_COLUMNS: tuple[Column, ...] = ("stt", "content", "product", "lead", "support", "deadline", "note")

STANDARD_LABELS: Mapping[Column, str] = {
    "stt": "STT",
    "content": "Nội dung",
    "lead": "Chủ trì",
    "support": "Phối hợp",
    "product": "Sản phẩm",
    "deadline": "Thời gian hoàn thành",
    "note": "Ghi chú",
}

EXECUTOR_LABEL = "Cơ quan thực hiện"

SAME_AS_ABOVE = "<merged with the cell above>"
"""A task value meaning "this cell is vertically merged with the same column of the row above"."""

TITLE_LINES_2022: tuple[str, ...] = (
    "PHỤ LỤC",
    "KẾ HOẠCH CHUYỂN ĐỔI SỐ CỦA XÃ TÂN PHÚ NĂM 2022",
    "(Kèm theo Kế hoạch số 15/KH-UBND ngày 10/01/2022 của Ủy ban nhân dân xã Tân Phú)",
)

DOCUMENT_HEADER_LEFT = "ỦY BAN NHÂN DÂN\nXÃ TÂN PHÚ\nSố: 15/KH-UBND"
DOCUMENT_HEADER_RIGHT = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nTân Phú, ngày 10 tháng 01 năm 2022"
)


# --------------------------------------------------------------------------- rows of the table


@dataclass(frozen=True)
class Task:
    """One task row; ``stt`` as written ("4.", "2)", or the number 4 as Excel stores it).

    ``deadline`` may be a :class:`~datetime.date` (a date cell, as Excel makes of "15/12/2022"); any
    value may be :data:`SAME_AS_ABOVE` to merge the cell with the one above.
    """

    stt: Value
    content: str
    lead: str = ""
    support: str = ""
    product: str = ""
    deadline: str | date = ""
    note: str = ""

    def value(self, column: Column) -> Value:
        return {
            "stt": self.stt,
            "content": self.content,
            "lead": self.lead,
            "support": self.support,
            "product": self.product,
            "deadline": self.deadline,
            "note": self.note,
        }[column]


@dataclass(frozen=True)
class Area:
    """An area row: numeral in STT and heading in the content column, or one merged cell "I. HEADING"."""

    numeral: str
    heading: str
    merged: bool = False


@dataclass(frozen=True)
class SubHeading:
    """A heading-only row such as "1. Hạ tầng và ứng dụng" (content column, or merged across the row)."""

    text: str
    merged: bool = False


@dataclass(frozen=True)
class Blank:
    """An empty row inside the table."""


Row = Task | Area | SubHeading | Blank


@dataclass(frozen=True)
class Appendix:
    """What an appendix looks like; the writers below turn it into a file."""

    rows: Sequence[Row]
    title_lines: Sequence[str] = TITLE_LINES_2022
    columns: Sequence[Column] = STANDARD_COLUMNS
    header: HeaderStyle = "one-row"
    numbering: Numbering = "none"
    labels: Mapping[Column, str] = field(default_factory=dict)
    executor_label: str = EXECUTOR_LABEL
    notes: Sequence[str] = ()
    blank_rows_before_table: int = 1
    start_column: int = 1
    """xlsx/csv: 1-based column where the title and the table start (2 = the table begins in column B)."""

    def label(self, column: Column) -> str:
        return self.labels.get(column, STANDARD_LABELS[column])

    @property
    def width(self) -> int:
        return len(self.columns)


@dataclass(frozen=True)
class Built:
    """A written appendix and the row (1-based) where each task landed, keyed by its content."""

    path: Path
    rows: Mapping[str, int]

    def row_of(self, content: str) -> int:
        return self.rows[content]


# --------------------------------------------------------------------------- neutral grid


@dataclass(frozen=True)
class Merge:
    """A merged range of the table grid, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class Grid:
    """The table as a rectangle of values plus its merged ranges; the writers only render this."""

    cells: list[list[Value]]
    merges: list[Merge]
    task_rows: dict[str, int]
    """Task content → 0-based grid row."""


def layout(appendix: Appendix) -> Grid:
    """Lay the appendix's table out as a grid (header rows, numbering row, body rows)."""
    columns = list(appendix.columns)
    width = appendix.width
    if len(set(columns)) != width:
        raise ValueError(f"a column appears twice: {columns}")
    for required in ("stt", "content"):
        if required not in columns:
            raise ValueError(f"the builders need a {required!r} column")
    cells: list[list[Value]] = []
    merges: list[Merge] = []

    if appendix.header == "one-row":
        cells.append([appendix.label(c) for c in columns])
    elif appendix.header == "two-row":
        if "lead" not in columns or "support" not in columns:
            raise ValueError("a two-row header needs both the lead and the support column")
        pair = sorted((columns.index("lead"), columns.index("support")))
        if pair[1] - pair[0] != 1:
            raise ValueError("a two-row header needs the lead and support columns side by side")
        top: list[Value] = []
        bottom: list[Value] = []
        for i, column in enumerate(columns):
            if i == pair[0]:
                top.append(appendix.executor_label)
                bottom.append(appendix.label(column))
            elif i == pair[1]:
                top.append("")
                bottom.append(appendix.label(column))
            else:
                top.append(appendix.label(column))
                bottom.append("")
                merges.append(Merge(0, i, 1, i))
        merges.append(Merge(0, pair[0], 0, pair[1]))
        cells += [top, bottom]

    if appendix.numbering == "parenthesised":
        cells.append([f"({i + 1})" for i in range(width)])
    elif appendix.numbering == "plain":
        cells.append([i + 1 for i in range(width)])

    stt = columns.index("stt")
    content = columns.index("content")
    task_rows: dict[str, int] = {}
    for row in appendix.rows:
        values: list[Value] = [""] * width
        r = len(cells)
        if isinstance(row, Task):
            values = [row.value(c) for c in columns]
            for c, value in enumerate(values):
                if value == SAME_AS_ABOVE:
                    values[c] = ""
                    _merge_down(merges, r, c)
            if row.content in task_rows:
                raise ValueError(f"two tasks with the same content: {row.content!r}")
            task_rows[row.content] = r
        elif isinstance(row, Area):
            if row.merged:
                values[0] = f"{row.numeral}. {row.heading}"
                merges.append(Merge(r, 0, r, width - 1))
            else:
                values[stt] = row.numeral
                values[content] = row.heading
        elif isinstance(row, SubHeading):
            if row.merged:
                values[0] = row.text
                merges.append(Merge(r, 0, r, width - 1))
            else:
                values[content] = row.text
        cells.append(values)
    return Grid(cells=cells, merges=merges, task_rows=task_rows)


def _merge_down(merges: list[Merge], row: int, col: int) -> None:
    """Extend the vertical merge ending just above (row, col), or start one from the row above."""
    for i, merge in enumerate(merges):
        if merge.last_row == row - 1 and merge.first_col == merge.last_col == col:
            merges[i] = Merge(merge.first_row, col, row, col)
            return
    merges.append(Merge(row - 1, col, row, col))


# --------------------------------------------------------------------------- xlsx


def write_xlsx(appendix: Appendix, path: Path, *, sheet_title: str = "Phụ lục") -> Built:
    """An Excel workbook: merged title lines, a blank row, then the table with real merged cells."""
    grid = layout(appendix)
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = sheet_title
    col0 = appendix.start_column
    last_col = col0 + appendix.width - 1
    row = 1
    for line in appendix.title_lines:
        if line:
            sheet.cell(row=row, column=col0, value=line).font = Font(bold=True)
            sheet.merge_cells(start_row=row, start_column=col0, end_row=row, end_column=last_col)
        row += 1
    row += appendix.blank_rows_before_table
    top = row
    for r, values in enumerate(grid.cells):
        for c, value in enumerate(values):
            if value == "":
                continue
            cell = sheet.cell(row=top + r, column=col0 + c, value=value)
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
    for merge in grid.merges:
        sheet.merge_cells(
            start_row=top + merge.first_row,
            start_column=col0 + merge.first_col,
            end_row=top + merge.last_row,
            end_column=col0 + merge.last_col,
        )
    row = top + len(grid.cells)
    if appendix.notes:
        row += 1
        for note in appendix.notes:
            sheet.cell(row=row, column=col0, value=note)
            row += 1
    workbook.save(path)
    return Built(path, {content: top + r for content, r in grid.task_rows.items()})


# --------------------------------------------------------------------------- csv


def write_csv(appendix: Appendix, path: Path, *, bom: bool = True) -> Built:
    """A comma-separated file as Excel saves it: merged cells keep their text in the first cell only.

    ``bom=True`` writes "CSV UTF-8" (with byte-order mark), ``bom=False`` plain UTF-8. Cells with line
    breaks are quoted, so one record can span several physical lines; rows are counted as records.
    """
    grid = layout(appendix)
    pad: list[Value] = [""] * (appendix.start_column - 1)
    records: list[list[Value]] = []

    def padded(values: Sequence[Value]) -> list[Value]:
        return [*pad, *values, *[""] * (appendix.width - len(values))]

    for line in appendix.title_lines:
        records.append(padded([line]))
    records += [padded([]) for _ in range(appendix.blank_rows_before_table)]
    top = len(records) + 1
    records += [padded(values) for values in grid.cells]
    if appendix.notes:
        records.append(padded([]))
        records += [padded([note]) for note in appendix.notes]
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(records)
    return Built(path, {content: top + r for content, r in grid.task_rows.items()})


# --------------------------------------------------------------------------- docx


def _fill(cell: Any, value: Value) -> None:
    """Write ``value`` into a Word cell, one paragraph per line as typed with Enter."""
    lines = str(value).split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def write_docx(
    appendix: Appendix,
    path: Path,
    *,
    layout_table: bool = True,
    header_left: str = DOCUMENT_HEADER_LEFT,
    header_right: str = DOCUMENT_HEADER_RIGHT,
    closing: Sequence[str] = ("Nơi nhận:", "- Như trên;", "- Lưu: VT."),
) -> Built:
    """A Word document: optional layout table for the document header ("ỦY BAN NHÂN DÂN … / CỘNG HÒA
    XÃ HỘI CHỦ NGHĨA VIỆT NAM"), the title lines as paragraphs, the table with real merged cells,
    then the notes and the closing lines as paragraphs."""
    grid = layout(appendix)
    document: Any = Document()
    if layout_table:
        header = document.add_table(rows=1, cols=2)
        _fill(header.cell(0, 0), header_left)
        _fill(header.cell(0, 1), header_right)
    for line in appendix.title_lines:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).bold = True
    table = document.add_table(rows=len(grid.cells), cols=appendix.width)
    table.style = "Table Grid"
    for merge in grid.merges:
        table.cell(merge.first_row, merge.first_col).merge(table.cell(merge.last_row, merge.last_col))
    for r, values in enumerate(grid.cells):
        for c, value in enumerate(values):
            if value != "":
                _fill(table.cell(r, c), value)
    for line in [*appendix.notes, *closing]:
        document.add_paragraph(line)
    document.save(str(path))
    return Built(path, {content: r + 1 for content, r in grid.task_rows.items()})


# --------------------------------------------------------------------------- unit registry


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    aliases: Sequence[str] = ()
    groups: Sequence[str] = ()


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    aliases: Sequence[str] = ()
    all_units: bool = False
    """``members: all`` — every unit of the organisation."""


@dataclass(frozen=True)
class Registry:
    organization: str
    coordinator: str
    units: Sequence[Unit]
    groups: Sequence[Group]


def commune_registry() -> Registry:
    """Ủy ban nhân dân xã Tân Phú: six commune offices and three hamlets (ấp), plus three groups.

    Names were chosen to exercise matching: the DC alias and two group names contain commas, "Văn
    phòng" is a prefix of "Văn phòng UBND xã", and the hamlets share words with the commune's name.
    """
    return Registry(
        organization="Ủy ban nhân dân xã Tân Phú",
        coordinator="VP",
        units=(
            Unit("VP", "Văn phòng HĐND và UBND xã", ("Văn phòng", "Văn phòng UBND xã")),
            Unit("TCKT", "Công chức Tài chính - Kế toán", ("Tài chính - Kế toán", "Kế toán"), ("cc",)),
            Unit("TP", "Công chức Tư pháp - Hộ tịch", ("Tư pháp - Hộ tịch", "Tư pháp"), ("cc",)),
            Unit("VHXH", "Công chức Văn hóa - Xã hội", ("Văn hóa - Xã hội",), ("cc",)),
            Unit(
                "DC",
                "Công chức Địa chính - Xây dựng",
                ("Địa chính - Xây dựng", "Địa chính, Xây dựng, Nông nghiệp và Môi trường"),
                ("cc",),
            ),
            Unit("CA", "Công an xã"),
            Unit("AP1", "Ấp Phú Lợi", groups=("thon",)),
            Unit("AP2", "Ấp Phú Thạnh", groups=("thon",)),
            Unit("AP3", "Ấp Tân Long", groups=("thon",)),
        ),
        groups=(
            Group("cc", "Công chức chuyên môn", ("Các công chức chuyên môn",)),
            Group("thon", "Các ấp", ("Ban nhân dân các ấp", "Các ấp, khu dân cư")),
            Group("all", "Tất cả bộ phận, đơn vị", ("Các bộ phận, đơn vị thuộc UBND xã",), all_units=True),
        ),
    )


COMMUNE_UNITS: tuple[str, ...] = ("VP", "TCKT", "TP", "VHXH", "DC", "CA", "AP1", "AP2", "AP3")
"""The commune's unit codes in registry order."""


def write_registry(path: Path, registry: Registry | None = None) -> Path:
    """Write ``registry`` (the commune by default) as YAML, UTF-8, Vietnamese left readable."""
    built = registry or commune_registry()
    document = registry_document(
        RegistryFile(
            built.organization,
            built.coordinator,
            [UnitSpec(u.code, u.name, list(u.aliases), list(u.groups)) for u in built.units],
            [GroupSpec(g.code, g.name, list(g.aliases), g.all_units) for g in built.groups],
        )
    )
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
