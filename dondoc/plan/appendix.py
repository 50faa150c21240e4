"""Reading a plan's appendix (phụ lục): tasks with their areas, units and deadlines.

Real appendices vary, so nothing here depends on positions: the header row is found by its column
names (in any order, some absent, possibly two rows with merged cells and a numbering row under
it), Roman numerals start areas, heading-only rows are sub-headings, and every defect of the file is
collected with its row, column and text before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from dondoc.i18n import N_, _
from dondoc.plan.deadlines import Deadline, DeadlineError, MissingYear, find_plan_year, parse_deadline
from dondoc.plan.problems import InputError, Problem
from dondoc.plan.tables import DEFAULT_MAX_ROWS, Row, Table, read_tables, too_many_rows
from dondoc.plan.units import UnitMatcher, expand
from dondoc.text import match_key, one_line

HEADER_SCAN_ROWS = 40


class Column(StrEnum):
    NUMBER = "number"
    TITLE = "title"
    LEAD = "lead"
    SUPPORT = "support"
    PRODUCT = "product"
    DEADLINE = "deadline"
    NOTE = "note"


COLUMN_LABELS = {
    Column.NUMBER: N_("No."),
    Column.TITLE: N_("Task"),
    Column.LEAD: N_("Lead unit"),
    Column.SUPPORT: N_("Supporting units"),
    Column.PRODUCT: N_("Product"),
    Column.DEADLINE: N_("Deadline"),
    Column.NOTE: N_("Note"),
}

# Header words, folded (no diacritics). Checked in this order: the first that matches wins, so
# "Cơ quan thực hiện / Phối hợp" is support and "Thời gian hoàn thành" is a deadline.
_HEADER_PATTERNS: list[tuple[Column, re.Pattern[str]]] = [
    (Column.NOTE, re.compile(r"\bghi chu\b")),
    (Column.DEADLINE, re.compile(r"\b(thoi gian|thoi han|tien do|han hoan thanh|thoi diem|moc thoi gian)\b")),
    (Column.SUPPORT, re.compile(r"\bphoi hop\b")),
    (Column.PRODUCT, re.compile(r"\b(san pham|ket qua|hinh thuc)\b")),
    (Column.LEAD, re.compile(r"\b(chu tri|thuc hien|trach nhiem)\b")),
    (Column.NUMBER, re.compile(r"^(s?tt|so tt|so thu tu|thu tu)( (s?tt|so tt|so thu tu|thu tu))*$")),
    (Column.TITLE, re.compile(r"\b(noi dung|nhiem vu|cong viec|ten)\b")),
]
_ROMAN = re.compile(r"^(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_HEADING = re.compile(r"^(?:phan\s+)?([IVXL]+)\s*[.:/)\-–]\s*(.*)$|^([IVXL]+)\s+(\S.*)$", re.DOTALL)
_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*|[a-zđ])[.)]\s*(.*)$", re.DOTALL)
_NUMBERING_CELL = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")
_BULLET = re.compile(r"^[-+•*–]$")
_NOTE_ROW = re.compile(r"^(ghi chu|luu y|chu thich|chu y)\b")
_SKIP_TITLE_LINES = re.compile(r"^(phu luc|cong hoa xa hoi chu nghia viet nam|doc lap tu do hanh phuc|so\b|kem theo)")


@dataclass
class ParsedTask:
    code: str
    area: str
    number: str
    title: str
    product: str
    note: str
    lead: list[str]
    support: list[str]
    deadline: Deadline
    source_row: int
    subheading: str = field(default="", repr=False)  # number of the sub-heading above, if any
    where: str = field(default="", repr=False)  # location of the number cell, for messages


@dataclass
class ParsedArea:
    code: str
    title: str


@dataclass
class Appendix:
    title: str
    year: int
    areas: list[ParsedArea] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class _Header:
    first_index: int  # index in table.rows of the (first) header row
    row_index: int  # index in table.rows of the last header row
    columns: dict[Column, int]
    labels: dict[Column, str]


def read_appendix(
    path: Path,
    matcher: UnitMatcher,
    year: int | None = None,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Callable[[int], None] | None = None,
) -> Appendix:
    """Parse ``path`` into an :class:`Appendix`; raises :class:`InputError` naming every defect.

    A file with more than ``max_rows`` tasks is refused; ``progress`` is told how many rows were read
    from time to time (see :func:`read_tables`)."""
    tables = read_tables(path, max_rows=max_rows, progress=progress)
    found = [(table, header) for table in tables if (header := _find_header(table)) is not None]
    if not found:
        raise InputError(
            [
                Problem(
                    path.name,
                    _(
                        "no task table found: expected a header row with columns such as "
                        "STT, Nội dung, Chủ trì, Phối hợp, Thời hạn"
                    ),
                )
            ]
        )
    titles = _title_lines(found[0][0], found[0][1])
    plan_year = year or _title_year(titles) or _year_in_name(path.stem)
    problems: list[Problem] = []
    if plan_year is None:
        problems.append(Problem(path.name, _("the plan year is not in the title; give it with --year")))
    appendix = Appendix(title=_plan_title(titles) or path.stem, year=plan_year or 0)
    parser = _BodyParser(appendix, matcher, problems)
    for table, header in found:
        parser.parse(table, header)
    parser.finish()
    if len(appendix.tasks) > max_rows:
        problems.insert(0, too_many_rows(path.name, max_rows))
    if problems:
        raise InputError(problems)
    return appendix


def _title_year(lines: list[str]) -> int | None:
    """The plan's year from its title, not from the adoption line above it ("(Kèm theo Kế hoạch số
    120/KH-UBND ngày 20/12/2022 …)" heads a 2023 plan): headline lines first, then any."""
    headline = [line for line in lines if not _is_reference_line(line)]
    return find_plan_year("\n".join(headline)) or find_plan_year("\n".join(lines))


def _is_reference_line(line: str) -> bool:
    text = one_line(line)
    return text.startswith("(") or bool(_SKIP_TITLE_LINES.match(match_key(text)))


def _year_in_name(stem: str) -> int | None:
    """A year in the file name ("phu-luc-cchc-2022.csv"), when the file has no title rows."""
    match = re.search(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", stem)
    return int(match.group(1)) if match else None


def _classify(label: str) -> Column | None:
    key = match_key(label)
    if not key:
        return None
    for column, pattern in _HEADER_PATTERNS:
        if pattern.search(key):
            return column
    return None


def _classify_row(cells: list[str]) -> dict[Column, int]:
    columns: dict[Column, int] = {}
    for index, cell in enumerate(cells):
        column = _classify(cell)
        if column is not None and column not in columns:
            columns[column] = index
    return columns


def _find_header(table: Table) -> _Header | None:
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        columns = _classify_row(row.cells)
        if Column.TITLE not in columns or len(columns) < 3:
            continue
        last, labels = index, list(row.cells)
        # A second header row under merged cells ("Cơ quan thực hiện" over "Chủ trì" | "Phối hợp").
        if index + 1 < len(table.rows) and _is_header_continuation(row.cells, table.rows[index + 1].cells):
            last, labels = index + 1, _stack_labels(row.cells, table.rows[index + 1].cells)
            columns = _classify_row(labels)
        return _Header(
            first_index=index,
            row_index=last,
            columns=columns,
            labels={column: one_line(labels[i]) for column, i in columns.items()},
        )
    return None


def _stack_labels(top: list[str], bottom: list[str]) -> list[str]:
    """Column labels of a two-row header: "Cơ quan thực hiện" + "Chủ trì", or a label repeated by a
    vertical merge taken once."""
    width = max(len(top), len(bottom))
    top, bottom = top + [""] * (width - len(top)), bottom + [""] * (width - len(bottom))
    return [t if b in ("", t) else f"{t} {b}".strip() for t, b in zip(top, bottom, strict=True)]


def _is_header_continuation(header: list[str], below: list[str]) -> bool:
    filled = [(i, cell) for i, cell in enumerate(below) if cell]
    if not filled:
        return False
    new_labels = [cell for i, cell in filled if i >= len(header) or cell != header[i]]
    return bool(new_labels) and all(_classify(cell) is not None for cell in new_labels)


def _title_lines(table: Table, header: _Header) -> list[str]:
    """Text above the table: the document's paragraphs and the sheet's title rows."""
    lines = list(table.preamble)
    for row in table.rows[: header.first_index]:
        lines.extend(cell for cell in row.cells if cell)
    return lines


def _plan_title(lines: list[str]) -> str:
    return next((one_line(line) for line in lines if match_key(line) and not _is_reference_line(line)), "")


class _BodyParser:
    """Walks the rows under a header: areas, sub-headings, tasks and what to skip."""

    def __init__(self, appendix: Appendix, matcher: UnitMatcher, problems: list[Problem]) -> None:
        self.appendix = appendix
        self.matcher = matcher
        self.problems = problems
        self.area = ""
        self.subheading = ""
        self.auto_number = 0

    def parse(self, table: Table, header: _Header) -> None:
        for row in table.rows[header.row_index + 1 :]:
            _RowReader(self, table, header, row).read()

    def start_area(self, code: str, title: str) -> None:
        self.area, self.subheading, self.auto_number = code, "", 0
        if all(area.code != code for area in self.appendix.areas):
            self.appendix.areas.append(ParsedArea(code=code, title=one_line(title)))

    def start_subheading(self, number: str) -> None:
        self.subheading, self.auto_number = number, 0

    def task_number(self, written: str) -> str:
        """The task's number as written without trailing punctuation; bullets are numbered in order."""
        number = written.strip().rstrip(".):").strip()
        if number and not _BULLET.match(number):
            return number
        self.auto_number += 1
        return f"{self.subheading}.{self.auto_number}" if self.subheading else str(self.auto_number)

    def finish(self) -> None:
        """Give every task its code ``<area>.<number>``; numbers that restart under each numbered
        sub-heading ("1. Hạ tầng": 1, 2 … "2. Dữ liệu": 1, 2 …) take the sub-heading's number."""
        by_area: dict[str, list[ParsedTask]] = {}
        for task in self.appendix.tasks:
            by_area.setdefault(task.area, []).append(task)
        for tasks in by_area.values():
            numbers = [t.number for t in tasks]
            if len(set(numbers)) < len(numbers) and all(t.subheading for t in tasks):
                for task in tasks:
                    if not task.number.startswith(task.subheading + "."):
                        task.number = f"{task.subheading}.{task.number}"
        first_at: dict[str, str] = {}
        for task in self.appendix.tasks:
            task.code = f"{task.area}.{task.number}" if task.area else task.number
            first = first_at.setdefault(task.code, task.where)
            if first != task.where:
                message = _("task number {code} is used twice (first at {first})").format(code=task.code, first=first)
                self.problems.append(Problem(task.where, message, task.number))


class _RowReader:
    """One row under the header, read against its table's columns."""

    def __init__(self, parser: _BodyParser, table: Table, header: _Header, row: Row) -> None:
        self.parser, self.table, self.header, self.row = parser, table, header, row

    def get(self, column: Column) -> str:
        index = self.header.columns.get(column)
        return self.row.cells[index] if index is not None and index < len(self.row.cells) else ""

    def where(self, column: Column) -> str:
        label = self.header.labels.get(column) or _(COLUMN_LABELS[column])
        return self.table.where(self.row.number, self.header.columns.get(column), label)

    def problem(self, column: Column, message: str, value: str = "") -> None:
        self.parser.problems.append(Problem(self.where(column), message, one_line(value)))

    def read(self) -> None:
        filled = [cell for cell in self.row.cells if cell]
        if not filled or (len(filled) == 1 and _NOTE_ROW.match(match_key(filled[0]))):
            return  # blank rows, and notes under the table ("Ghi chú: …")
        number, title = self.get(Column.NUMBER), self.get(Column.TITLE)
        if _is_numbering_row(title, filled):
            return
        if _ROMAN.match(number.rstrip(".")):
            self.parser.start_area(number.rstrip("."), title or next(c for c in filled if c != number))
            return
        if not any(self.get(c) for c in (Column.LEAD, Column.SUPPORT, Column.DEADLINE, Column.PRODUCT)):
            self._heading(filled[0], number, title)
            return
        self._task(number, title)

    def _heading(self, first: str, number: str, title: str) -> None:
        """A row with only a heading: an area ("I. CÔNG TÁC …") or a sub-heading ("1. Hạ tầng")."""
        match = _ROMAN_HEADING.match(first)
        if match and _ROMAN.match(match.group(1) or match.group(3)):
            self.parser.start_area(match.group(1) or match.group(3), match.group(2) or match.group(4))
            return
        if number and title:  # "1" | "Hạ tầng và ứng dụng"
            self.parser.start_subheading(number.rstrip(".)"))
            return
        numbered = _NUMBERED_HEADING.match(first)  # "1. Hạ tầng và ứng dụng" in one cell
        self.parser.start_subheading(numbered.group(1) if numbered else "")

    def _task(self, number: str, title: str) -> None:
        before = len(self.parser.problems)
        if not title:
            self.problem(Column.TITLE, _("the task has no content"))
        lead = self._units(Column.LEAD)
        support = self._units(Column.SUPPORT)
        deadline = self._deadline()
        if len(self.parser.problems) > before or deadline is None:
            return
        self.parser.appendix.tasks.append(
            ParsedTask(
                code="",  # given once the whole table is read (see _BodyParser.finish)
                area=self.parser.area,
                number=self.parser.task_number(number),
                title=one_line(title),
                product=one_line(self.get(Column.PRODUCT)),
                note=one_line(self.get(Column.NOTE)),
                lead=lead,
                support=[unit for unit in support if unit not in lead],
                deadline=deadline,
                source_row=self.row.number,
                subheading=self.parser.subheading,
                where=self.where(Column.NUMBER),
            )
        )

    def _units(self, column: Column) -> list[str]:
        text = self.get(column)
        targets, unknown = self.parser.matcher.match(text) if text else ([], [])
        for fragment in unknown:
            self.problem(column, _("unknown unit"), fragment)
        if column is Column.LEAD and not targets and not unknown:
            self.problem(column, _("no lead unit"), text)
        return expand(targets)

    def _deadline(self) -> Deadline | None:
        year = self.parser.appendix.year or None
        text = self.get(Column.DEADLINE)
        if not text:
            # Some appendices put the deadline in the note column ("Ghi chú: Quý II/2022").
            try:
                return parse_deadline(self.get(Column.NOTE), year)
            except DeadlineError:
                self.problem(Column.DEADLINE, _("no deadline"))
                return None
        try:
            return parse_deadline(text, year)
        except MissingYear:
            if year is not None:
                self.problem(Column.DEADLINE, _("no year given for this deadline"), text)
            return None  # else the file-level "give the year with --year" says it once
        except DeadlineError as exc:
            self.problem(Column.DEADLINE, str(exc), text)
            return None


def _is_numbering_row(title: str, filled: list[str]) -> bool:
    """The "(1) (2) (3)…" row under a header: every filled cell is a small number."""
    return (
        len(filled) >= 2
        and all(_NUMBERING_CELL.match(cell) for cell in filled)
        and (not title or bool(_NUMBERING_CELL.match(title)))
    )
