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
from datetime import date
from enum import StrEnum
from pathlib import Path

from dondoc.i18n import N_, _, ngettext
from dondoc.plan.deadlines import Deadline, DeadlineError, MissingYear, find_plan_year, parse_deadline
from dondoc.plan.problems import InputError, Problem, errors_of, warnings_of
from dondoc.plan.relative import (
    Offset,
    dated_offset,
    duration_days,
    is_vague,
    relative_deadline,
    relative_offset,
)
from dondoc.plan.tables import DEFAULT_MAX_ROWS, Row, Table, column_letter, read_tables, too_many_rows
from dondoc.plan.units import UnitMatcher, expand
from dondoc.text import match_key, one_line

HEADER_SCAN_ROWS = 40
SUGGESTED = 100  # unknown unit names of one file that get suggestions


class Column(StrEnum):
    NUMBER = "number"
    TITLE = "title"
    LEAD = "lead"
    SUPPORT = "support"
    PRODUCT = "product"
    DEADLINE = "deadline"
    NOTE = "note"
    DAYS = "days"  # a duration in days counted from the plan's issue date ("Số ngày")


COLUMN_LABELS = {
    Column.NUMBER: N_("No."),
    Column.TITLE: N_("Task"),
    Column.LEAD: N_("Lead unit"),
    Column.SUPPORT: N_("Supporting units"),
    Column.PRODUCT: N_("Product"),
    Column.DEADLINE: N_("Deadline"),
    Column.NOTE: N_("Note"),
    Column.DAYS: N_("Number of days"),
}

# Header words, folded (no diacritics). Checked in this order: the first that matches wins, so
# "Cơ quan thực hiện / Phối hợp" is support and "Thời gian hoàn thành" is a deadline.
_HEADER_PATTERNS: list[tuple[Column, re.Pattern[str]]] = [
    (Column.NOTE, re.compile(r"\bghi chu\b")),
    (Column.DAYS, re.compile(r"^(?:so ngay\b.*|(?:thoi gian|thoi han)(?: \w+){0,3} (?:so )?ngay(?: lam viec)?)$")),
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
_WRITTEN_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
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
    problems: list[Problem] = field(default_factory=list, repr=False)  # the row's warnings (and errors)
    sequence: int = field(default=0, repr=False)  # order among every row read (tasks and refused rows)


@dataclass
class RefusedRow:
    """A task row that cannot be imported as it is: what was read of it and its problems (for the
    review workbook; the file is refused while any remains)."""

    code: str
    area: str
    number: str
    title: str
    product: str
    note: str
    lead: list[str]  # unit codes recognised
    support: list[str]
    cells: dict[Column, str]  # the lead, support and deadline cells as written
    bad: set[Column]  # the columns with an error
    source_row: int
    problems: list[Problem]
    sequence: int


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
    warnings: list[Problem] = field(default_factory=list)  # every warning, file-level ones first
    refused: list[RefusedRow] = field(default_factory=list)  # rows with errors (the file is refused)
    file_problems: list[Problem] = field(default_factory=list)  # problems of no single row


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
    issued: date | None = None,
) -> Appendix:
    """Parse ``path`` into an :class:`Appendix`; raises :class:`InputError` naming every error (with
    the warnings beside them, and what was read as its ``partial`` appendix).

    Warnings (vague unit phrases, unknown supporting units, undated relative deadlines, assumptions)
    do not refuse the file: they are in ``Appendix.warnings``. ``issued`` (the plan's issue date)
    dates the deadlines counted from it. A file with more than ``max_rows`` tasks is refused;
    ``progress`` is told how many rows were read from time to time (see :func:`read_tables`)."""
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
    title_year = _title_year(titles)
    plan_year = year or title_year or _year_in_name(path.stem)
    problems: list[Problem] = []
    if plan_year is None:
        problems.append(Problem(path.name, _("the plan year is not in the title; give it with --year")))
    appendix = Appendix(title=_plan_title(titles) or path.stem, year=plan_year or 0)
    year_from = "" if year or plan_year is None else ("title" if title_year else "name")
    parser = _BodyParser(appendix, matcher, problems, source=path.name, issued=issued, year_from=year_from)
    for table, header in found:
        problems.extend(_ambiguous_columns(table, header))
        parser.parse(table, header)
    parser.finish()
    if len(appendix.tasks) > max_rows:
        problems.insert(0, too_many_rows(path.name, max_rows))
    appendix.file_problems = [problem for problem in problems if problem.row is None]
    appendix.warnings = warnings_of([p for p in problems if p.row is None]) + warnings_of(
        [p for p in problems if p.row is not None]
    )
    errors = errors_of(problems)
    if errors:
        raise InputError(errors, appendix.warnings, appendix)
    return appendix


def _ambiguous_columns(table: Table, header: _Header) -> list[Problem]:
    """A warning for each header label that could be a column already read from another one (two
    "Thời gian …" columns): the importer chose, and says which."""
    if header.first_index == header.row_index:
        labels = list(table.rows[header.row_index].cells)
    else:
        labels = _stack_labels(table.rows[header.first_index].cells, table.rows[header.row_index].cells)
    row = table.rows[header.row_index].number
    chosen = set(header.columns.values())
    problems: list[Problem] = []
    for index, label in enumerate(labels):
        column = _classify(label)
        if column is None or index in chosen or column not in header.columns:
            continue
        read = header.columns[column]
        if read < len(labels) and one_line(labels[read]) == one_line(label):
            continue  # one label repeated by merged cells
        message = _("two columns could be the {column} column: column {read} «{label}» was read").format(
            column=_(COLUMN_LABELS[column]).lower(), read=_column_name(table, read), label=header.labels[column]
        )
        problems.append(
            Problem(
                table.where(row, index, one_line(label)),
                message,
                one_line(label),
                severity="warning",
                column=_column_name(table, index),
                header=one_line(label),
            )
        )
    return problems


def _column_name(table: Table, index: int | None) -> str:
    """A column as the file shows it: a sheet letter, or a Word table's column number."""
    if index is None:
        return ""
    return str(index + 1) if table.table_number is not None else column_letter(index)


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

    def __init__(
        self,
        appendix: Appendix,
        matcher: UnitMatcher,
        problems: list[Problem],
        *,
        source: str = "",
        issued: date | None = None,
        year_from: str = "",
    ) -> None:
        self.appendix = appendix
        self.matcher = matcher
        self.problems = problems
        self.source = source  # the file's name, where file-level warnings are
        self.issued = issued
        self.year_from = year_from  # "title" or "name" when the plan year was read there, not given
        self.area = ""
        self.subheading = ""
        self.auto_number = 0
        self.sequence = 0
        self.undated = 0  # relative deadlines left undated (no --issued)
        self.yearless = 0  # deadlines given the plan year read from the title or the file name
        self.nearest: dict[str, list[str]] = {}  # fragment key → registry names suggested for it

    def suggest(self, fragment: str) -> list[str]:
        """The registry names nearest to an unknown name, for the first :data:`SUGGESTED` distinct
        names of the file (comparing names takes time: a file of thousands must still read quickly)."""
        key = match_key(fragment)
        if key not in self.nearest:
            self.nearest[key] = self.matcher.suggest(fragment) if len(self.nearest) < SUGGESTED else []
        return self.nearest[key]

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

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
                twice = Problem(task.where, message, task.number, row=task.source_row)
                self.problems.append(twice)
                task.problems.append(twice)
        self._file_warnings()

    def _file_warnings(self) -> None:
        """One warning for the whole file per assumption, however many rows it concerns."""
        if self.undated:
            message = ngettext(
                "{count} deadline counts from the plan's issue date: re-run with --issued DATE to date it",
                "{count} deadlines count from the plan's issue date: re-run with --issued DATE to date them",
                self.undated,
            ).format(count=self.undated)
            self.problems.append(Problem(self.source, message, severity="warning"))
        if self.yearless and self.year_from:
            if self.year_from == "title":
                message = ngettext(
                    "{count} deadline gives no year: the plan year {year} was taken from the title",
                    "{count} deadlines give no year: the plan year {year} was taken from the title",
                    self.yearless,
                )
            else:
                message = ngettext(
                    "{count} deadline gives no year: the plan year {year} was taken from the file name",
                    "{count} deadlines give no year: the plan year {year} was taken from the file name",
                    self.yearless,
                )
            text = message.format(count=self.yearless, year=self.appendix.year)
            self.problems.append(Problem(self.source, text, severity="warning"))


class _RowReader:
    """One row under the header, read against its table's columns."""

    def __init__(self, parser: _BodyParser, table: Table, header: _Header, row: Row) -> None:
        self.parser, self.table, self.header, self.row = parser, table, header, row
        self.problems: list[Problem] = []  # this row's
        self.bad: set[Column] = set()  # columns with an error

    def get(self, column: Column) -> str:
        index = self.header.columns.get(column)
        return self.row.cells[index] if index is not None and index < len(self.row.cells) else ""

    def where(self, column: Column) -> str:
        label = self.header.labels.get(column) or _(COLUMN_LABELS[column])
        return self.table.where(self.row.number, self.header.columns.get(column), label)

    def problem(self, column: Column, message: str, value: str = "", *, warning: bool = False) -> None:
        found = Problem(
            self.where(column),
            message,
            one_line(value),
            severity="warning" if warning else "error",
            row=self.row.number,
            column=_column_name(self.table, self.header.columns.get(column)),
            header=self.header.labels.get(column) or _(COLUMN_LABELS[column]),
        )
        self.parser.problems.append(found)
        self.problems.append(found)
        if not warning:
            self.bad.add(column)

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
        if not any(self.get(c) for c in (Column.LEAD, Column.SUPPORT, Column.DEADLINE, Column.PRODUCT, Column.DAYS)):
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
        if not title:
            self.problem(Column.TITLE, _("the task has no content"))
        lead = self._units(Column.LEAD)
        support = self._units(Column.SUPPORT)
        deadline = self._deadline()
        number = self.parser.task_number(number)
        if self.bad or deadline is None:
            area = self.parser.area
            self.parser.appendix.refused.append(
                RefusedRow(
                    code=f"{area}.{number}" if area else number,
                    area=area,
                    number=number,
                    title=one_line(title),
                    product=one_line(self.get(Column.PRODUCT)),
                    note=one_line(self.get(Column.NOTE)),
                    lead=lead,
                    support=[unit for unit in support if unit not in lead],
                    cells={c: self.get(c) for c in (Column.LEAD, Column.SUPPORT, Column.DEADLINE, Column.DAYS)},
                    bad=set(self.bad),
                    source_row=self.row.number,
                    problems=self.problems,
                    sequence=self.parser.next_sequence(),
                )
            )
            return
        self.parser.appendix.tasks.append(
            ParsedTask(
                code="",  # given once the whole table is read (see _BodyParser.finish)
                area=self.parser.area,
                number=number,
                title=one_line(title),
                product=one_line(self.get(Column.PRODUCT)),
                note=one_line(self.get(Column.NOTE)),
                lead=lead,
                support=[unit for unit in support if unit not in lead],
                deadline=deadline,
                source_row=self.row.number,
                subheading=self.parser.subheading,
                where=self.where(Column.NUMBER),
                problems=self.problems,
                sequence=self.parser.next_sequence(),
            )
        )

    def _units(self, column: Column) -> list[str]:
        """The units a cell names. Vague phrases ("các đơn vị liên quan") and unknown names are left
        out with a warning, unless the cell is a lead cell naming no unit at all: that is an error."""
        text = self.get(column)
        targets, fragments = self.parser.matcher.match(text) if text else ([], [])
        vague = [fragment for fragment in fragments if is_vague(fragment)]
        unknown = [fragment for fragment in fragments if not is_vague(fragment)]
        no_lead = column is Column.LEAD and not targets
        for fragment in unknown:
            self.problem(column, self._unknown(fragment, left_out=not no_lead), fragment, warning=not no_lead)
        if no_lead and not unknown:
            if vague:
                self.problem(column, _("no lead unit: the cell names no unit of the registry"), text)
            else:
                self.problem(column, _("no lead unit"), text)
        elif not no_lead:
            for fragment in vague:
                self.problem(
                    column, _("vague phrase left out: it names no unit of the registry"), fragment, warning=True
                )
        return expand(targets)

    def _unknown(self, fragment: str, *, left_out: bool) -> str:
        message = _("unknown unit, left out") if left_out else _("unknown unit")
        nearest = self.parser.suggest(fragment)
        if nearest:
            message += " " + _("(nearest in the registry: {names})").format(names="; ".join(nearest))
        return message

    def _relative(self, text: str, offset: Offset) -> Deadline:
        if self.parser.issued is None:
            self.parser.undated += 1
        return relative_deadline(text, offset, self.parser.issued)

    def _read(self, text: str, year: int | None) -> Deadline:
        deadline = parse_deadline(text, year)
        if self.parser.year_from and deadline.kind == "fixed" and not _WRITTEN_YEAR.search(text):
            self.parser.yearless += 1
        return deadline

    def _deadline(self) -> Deadline | None:
        year = self.parser.appendix.year or None
        text = self.get(Column.DEADLINE)
        if not text and self.get(Column.DAYS):
            cell = self.get(Column.DAYS)
            days = duration_days(cell)
            if days is None:
                self.problem(Column.DAYS, _("not a number of days"), cell)
                return None
            label = self.header.labels.get(Column.DAYS) or _(COLUMN_LABELS[Column.DAYS])
            return self._relative(f"{label}: {one_line(cell)}", Offset(days))
        if not text:
            # Some appendices put the deadline in the note column ("Ghi chú: Quý II/2022").
            try:
                return parse_deadline(self.get(Column.NOTE), year)
            except DeadlineError:
                self.problem(Column.DEADLINE, _("no deadline"))
                return None
        offset = relative_offset(text)
        if offset is not None:
            return self._relative(text, offset)
        try:
            dated = dated_offset(text)
            if dated is not None:  # "Sau 30 ngày kể từ ngày 15/01/2022": the event's date, then the offset
                event = self._read(dated[1], year)
                if event.kind == "fixed" and len(event.dates) == 1:
                    day = dated[0].after(event.dates[0])
                    return Deadline(one_line(text), "fixed", None, (day,), offset_days=None)
            return self._read(text, year)
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
