"""Reading a plan's appendix (phụ lục): tasks with their areas, units and deadlines.

Real appendices vary, so nothing here depends on positions: the header row is found by its column
names (in any order, some absent, possibly two rows with merged cells and a numbering row under
it), Roman numerals start areas, heading-only rows are sub-headings, and every defect of the file is
collected with its row, column and text before anything is written.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path

from dondoc.i18n import N_, _, ngettext
from dondoc.plan.deadlines import (
    FIRST_PLAN_YEAR,
    LAST_PLAN_YEAR,
    Deadline,
    DeadlineError,
    MissingYear,
    find_plan_year,
    parse_deadline,
)
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
from dondoc.text import fold, match_key, one_line, written_case

HEADER_SCAN_ROWS = 40
HEADER_ROWS = 4  # header rows stacked at most ("Thời gian thực hiện" over "Năm 2026" over "Quý I" …)
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
    ID = "id"  # a task identifier such as "Mã nhiệm vụ": the number when there is no STT column
    AREA = "area"  # the area a task belongs to ("Lĩnh vực"), written beside it rather than above it


COLUMN_LABELS = {
    Column.NUMBER: N_("No."),
    Column.TITLE: N_("Task"),
    Column.LEAD: N_("Lead unit"),
    Column.SUPPORT: N_("Supporting units"),
    Column.PRODUCT: N_("Product"),
    Column.DEADLINE: N_("Deadline"),
    Column.NOTE: N_("Note"),
    Column.DAYS: N_("Number of days"),
    Column.ID: N_("Task ID"),
    Column.AREA: N_("Area"),
}

# The columns every task needs, what a header row lacking one is told (once, not on every row), and
# header words each is found by (the file's words, as appendices write them; each reads as that
# column, or for the deadline as a number of days): the refusal lists them.
MISSING_COLUMN = {
    Column.TITLE: N_("the header row has no task content column"),
    Column.LEAD: N_("the header row has no lead unit column"),
    Column.DEADLINE: N_("the header row has no deadline column"),
}
ACCEPTED_HEADERS: dict[Column, tuple[str, ...]] = {
    Column.TITLE: ("Nội dung", "Nhiệm vụ", "Tên nhiệm vụ", "Công việc", "Nội dung công việc"),
    Column.LEAD: ("Chủ trì", "Cơ quan chủ trì", "Đơn vị chủ trì", "Đơn vị thực hiện", "Trách nhiệm thực hiện"),
    Column.DEADLINE: ("Thời hạn", "Thời gian hoàn thành", "Tiến độ", "Hạn hoàn thành", "Số ngày"),
}
SHOWN_HEADERS = 20  # header labels a missing column's refusal lists
SHOWN_ROWS = 5  # rows a file-level warning names before "and N more rows"

# Header words, folded (no diacritics), with a rank. Checked in this order: the first pattern that
# matches a label classifies it, so "Cơ quan thực hiện / Phối hợp" is support, "Thời gian hoàn thành"
# a deadline, "Thời gian thực hiện (ngày)" a duration and "Mã nhiệm vụ" an identifier, not the task.
# When several labels fall in one column kind, the lowest rank wins, then the leftmost: "Sản phẩm"
# beats "Kết quả cần đạt" wherever it stands.
_HEADER_PATTERNS: list[tuple[Column, int, re.Pattern[str]]] = [
    (Column.NOTE, 0, re.compile(r"\bghi chu\b")),
    (Column.DAYS, 0, re.compile(r"^(?:so ngay\b.*|(?:thoi gian|thoi han)(?: \w+){0,3} (?:so )?ngay(?: lam viec)?)$")),
    # The end of a period is the deadline ("Thời gian hoàn thành", "Hạn"), before any other time column.
    (
        Column.DEADLINE,
        0,
        re.compile(r"^(han|thoi han|han chot)\b|\b(thoi gian|thoi diem|ngay|moc|han)\b.*\b(hoan thanh|ket thuc)\b"),
    ),
    (Column.DEADLINE, 1, re.compile(r"\b(thoi gian|thoi han|tien do|han hoan thanh|thoi diem|moc thoi gian)\b")),
    (Column.SUPPORT, 0, re.compile(r"\bphoi hop\b")),
    # The area a task belongs to, in a column of its own, written once over its tasks (merged down):
    # "Lĩnh vực", "Lĩnh vực công tác", "Nhóm nhiệm vụ" beside "Nhiệm vụ".
    (Column.AREA, 0, re.compile(r"^(?:linh vuc(?: cong tac| quan ly)?|nhom (?:nhiem vu|linh vuc|cong viec))$")),
    (Column.ID, 0, re.compile(r"^(ma|ma so|ky hieu|so hieu)( (nhiem vu|cong viec|hoat dong|de an|du an))?$")),
    (Column.PRODUCT, 0, re.compile(r"\b(san pham|hinh thuc)\b")),
    (Column.PRODUCT, 1, re.compile(r"\bket qua\b")),
    (Column.TITLE, 0, re.compile(r"^(noi dung|(ten )?nhiem vu|(ten )?cong viec|(ten )?hoat dong|ten (de an|du an))\b")),
    (Column.LEAD, 0, re.compile(r"\bchu tri\b")),
    (Column.LEAD, 1, re.compile(r"\b(thuc hien|trach nhiem)\b")),
    (Column.NUMBER, 0, re.compile(r"^(s?tt|so tt|so thu tu|thu tu)( (s?tt|so tt|so thu tu|thu tu))*$")),
    (Column.TITLE, 1, re.compile(r"\b(noi dung|nhiem vu|cong viec|ten)\b")),
    (Column.LEAD, 2, re.compile(r"^(don vi|co quan)\b")),
]
# A label marked as superseded ("Thời hạn (cũ)", "Thời hạn cũ", "(đã thay)", "Thời hạn dự kiến ban
# đầu", "trước điều chỉnh"): it loses to a plain label of the same kind, wherever it stands. Matched
# with diacritics, lower-case: folded, "cũ" would be "cụ" of "cụ thể".
_SUPERSEDED = re.compile(r"\b(?:cũ|đã thay(?: thế)?|đã được thay(?: thế)?|ban đầu|trước điều chỉnh|đã hủy|đã huỷ)\b")
SUPERSEDED_RANK = 10  # added to a superseded label's rank
# Columns the importer does not read, whose labels share words with those it reads: "Kinh phí thực
# hiện" is no lead unit, "Tình hình thực hiện" no lead unit either.
_NOT_A_COLUMN = re.compile(r"\b(kinh phi|nguon von|nguon luc|du toan|ngan sach|tong muc|tinh hinh|dia diem|quy mo)\b")
# Sub-headings of a second header row that say nothing on their own ("Chi tiết" under "Nhiệm vụ")
# or that mark the start of a period ("Bắt đầu" | "Kết thúc" under "Thời gian"), and the end.
_SUBLABEL_SAME = re.compile(r"^(chi tiet|cu the|mo ta|tom tat|ten|tong so|so luong)$")
_SUBLABEL_START = re.compile(r"^(bat dau|khoi cong|tu ngay|tu)$")
_SUBLABEL_END = re.compile(r"^(ket thuc|hoan thanh|den ngay|den)$")
_START_WORDS = re.compile(r"\b(bat dau|khoi cong|khoi dau|tu ngay)\b")
_END_WORDS = re.compile(r"\b(ket thuc|hoan thanh|den ngay|han)\b")
# Footnote marks in header labels: "Nội dung (1)", "Sản phẩm(*)", "Chủ trì [2]".
_FOOTNOTE = re.compile(r"\(\s*(?:\d{1,2}|\*+|[a-z])\s*\)|\[\s*\d{1,2}\s*\]|\*+")
# A cell that holds data rather than a label: a number, an area numeral, a date, or a numbered text.
_DATA_CELL = re.compile(r"^\s*(?:\(?\d|[IVXL]+\s*[.)/:-]|[IVXL]+$|[a-zđ]\s*\)|[-+•–]\s)")
_ROMAN = re.compile(r"^(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_HEADING = re.compile(r"^(?:(?i:ph[aầ]n)\s+)?([IVXL]+)\s*[.:/)\-–]\s*(.*)$|^([IVXL]+)\s+(\S.*)$", re.DOTALL)
_AREA_LETTER = re.compile(r"[A-Z]")
_LETTER_HEADING = re.compile(r"^(?:(?i:ph[aầ]n)\s+)?([A-Z])\s*[.:)\-–]\s*(\S.*)$", re.DOTALL)
_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*|[a-zđ])[.)]\s*(.*)$", re.DOTALL)
_NUMBERING_CELL = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")
_BULLET = re.compile(r"^[-+•*–]$")
_TEXT_BULLET = re.compile(r"^([-+•*–])\s")
# The bullet opening a task's text ("- Rà soát …", "-  Kiểm tra", "–Tổng kết", "• Tuyên truyền"), which
# its title leaves out; not a sign before a number ("-5%", "+2 điểm").
_TITLE_BULLET = re.compile(r"^[-+•*–—·▪●◦]+(?:\s+|(?=[^\W\d_]))")
# How the title of a group of tasks starts: "Nhóm nhiệm vụ về …", "Lĩnh vực …", "Về hạ tầng số".
_GROUP_WORDS = re.compile(r"^(?:nhom|linh vuc|ve) ")
_NOTE_ROW = re.compile(r"^(ghi chu|luu y|chu thich|chu y)\b")
# The total under the table, its first cell (matching key): "Tổng cộng: 25 nhiệm vụ", "Tổng cộng |
# 25 nhiệm vụ", "Tổng số nhiệm vụ: 25", "Cộng: 25" — never "Cộng đồng …".
_TOTAL_ROW = re.compile(r"^(?:tong cong|tong so(?: nhiem vu)?|cong)(?: \d|$)")
_WRITTEN_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# A date written with a two-digit year, "31/12/26", "31.12.26": it gives its year (20yy) too.
_SHORT_YEAR_DATE = re.compile(r"(?<![\w/.-])\d{1,2}([/.-])\d{1,2}\1\d{2}(?![\w/-]|\.\w)")
# The problem of "các xã có đồng bào dân tộc": a collective name narrowed by a qualifier names only
# some of the group's units, which the registry cannot tell.
QUALIFIED_COLLECTIVE = N_("a collective name narrowed by a qualifier: not every unit of the group; name the units")
# Lines above the table that are not its title: the letterhead (the issuing body, the national motto,
# "Số: 15/KH-UBND", "Tân Phú, ngày 10 tháng 01 năm 2022"), "PHỤ LỤC" or "Phụ lục II" alone, and the
# adoption line ("Kèm theo Kế hoạch số …"). "PHỤ LỤC KẾ HOẠCH CCHC NĂM 2025" names the content: a title.
_SKIP_TITLE_LINES = re.compile(
    r"^(?:phu luc(?: so)?(?: [ivxl]+| \d{1,2})?(?: [a-z])?$|phu luc (?:so )?(?:[ivxl]+ |\d{1,2} )?kem theo\b"
    r"|cong hoa xa hoi chu nghia viet nam|doc lap tu do hanh phuc|so\b|kem theo|ban hanh kem theo"
    r"|uy ban nhan dan\b|ubnd\b|hoi dong nhan dan\b|hdnd\b|bo\b|(?:tinh|thanh|huyen|quan|thi|dang) uy\b"
    r"|dang bo\b|van phong (?:uy ban|ubnd|hdnd|doan)\b|ban chi dao\b)"
    r"|\bngay \d{1,2} thang \d{1,2} nam \d{4}$"
)


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
    group: str = field(default="", repr=False)  # the unnumbered heading above: its place among the area's
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
    subheading: str = ""  # as ParsedTask's: its number may take its heading's (see _BodyParser.finish)
    group: str = ""


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
    numbers: tuple[int, ...] = ()  # every number column, first the one in ``columns``
    # Period columns marked "x" ("Quý I" … "Quý IV" under "Thời gian thực hiện") read as the deadline
    # when the table has no deadline column of its own (``columns[DEADLINE]`` is the first of them).
    periods: tuple[_Period, ...] = ()
    period_group: str = ""  # the group title over them ("Thời gian thực hiện"), if any
    # Task rows found before the header (its first page's header lost, an image, or typed under the
    # tasks): their first and last row, read under the header at ``early_row`` of ``early_table``
    # (this table when ``None``), which a warning says.
    early: tuple[int, int] | None = None
    early_table: Table | None = None
    early_row: int = 0


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
    found = _task_tables(tables)
    # The joined parts of a table split in two are tables of their own.
    _uncount_layout([*tables, *(table for table, _found in found)], found[0][0] if found else None)
    if not found:
        near = _header_without_title(tables)
        if near is not None:
            _uncount_layout(tables, near[0])
            raise InputError([_missing_column(near[0], near[1], near[2], Column.TITLE)])
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
    written = _written_deadline_year(found)
    dated = _title_date(titles)
    # No "năm 2025" in the title: the deadlines' year when every one written with a year agrees (a
    # plan for 2023 is often issued in December 2022), else the year of the title's date.
    found_year, year_from = title_year, "title"
    if found_year is None and written is not None:
        found_year, year_from = written, "deadlines"
    if found_year is None and dated is not None:
        found_year = dated.year
    if found_year is None:
        found_year, year_from = _year_in_name(path.stem), "name"
    plan_year = year or found_year
    problems: list[Problem] = []
    if plan_year is None:
        problems.append(Problem(path.name, _("the plan year is not in the title; give it with --year")))
    appendix = Appendix(title=_plan_title(titles) or path.stem, year=plan_year or 0)
    if year or plan_year is None:
        year_from = ""
    # Deadlines counted from the issue date ("100 ngày kể từ ngày ban hành") are dated by --issued,
    # else by the date the title gives the plan ("Kèm theo Kế hoạch số 15/KH-UBND ngày 10/01/2022"),
    # which a warning names. A Word letterhead is a layout table of its own above the title.
    first = next((n for n, table in enumerate(tables) if table is found[0][0]), 0)
    letterhead = [cell for table in tables[:first] for row in table.rows for cell in row.cells if cell]
    from_title = None if issued else _issue_date(titles + letterhead)
    parser = _BodyParser(
        appendix,
        matcher,
        problems,
        source=path.name,
        issued=issued or from_title,
        year_from=year_from,
        given_year=year,
    )
    parser.issued_from_title = from_title is not None
    parser.not_before = _not_before(titles, appendix.year, issued)
    parts = _parts(tables, found)
    chosen: set[tuple[str, str]] = set()  # a choice said once, though tables repeat the header
    for table, header in found:
        for problem in _ambiguous_columns(table, header):
            if (problem.message, problem.value) not in chosen:
                chosen.add((problem.message, problem.value))
                problems.append(problem)
        if header.periods:
            read = Problem(path.name, _periods_read(table, header, appendix.year), severity="warning")
            if (read.message, read.value) not in chosen:
                chosen.add((read.message, read.value))
                problems.append(read)
        if header.early is not None:
            first_row, last_row = header.early
            message = _(
                "the rows from here to {last} come before the table's header ({header}): they were read under "
                "its columns; check that they are tasks of the plan"
            ).format(last=table.where(last_row), header=(header.early_table or table).where(header.early_row))
            problems.append(Problem(table.where(first_row), message, severity="warning", row=first_row))
        if id(table) in parts:
            parser.start_area(*parts[id(table)])
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


def _uncount_layout(tables: list[Table], first: Table | None) -> None:
    """Word: the tables above ``first`` (the first task table) are layout (a letterhead), not counted when a
    message names a table — "bảng 1" is the first task table, as the clerk counts the tables they see."""
    if first is None or first.table_number is None:
        return
    for table in tables:
        table.uncounted = first.table_number - 1


def _ambiguous_columns(table: Table, header: _Header) -> list[Problem]:
    """A warning for each header label that could be a column already read from another one (two
    "Thời gian …" columns): the importer chose, and says which."""
    top, below = _header_top(table, header.first_index, header.row_index), table.rows[header.row_index].cells
    if header.first_index == header.row_index:
        labels, kinds = list(top), [_classified(cell) for cell in top]
    else:
        labels, kinds = _stack_labels(top, below), _stacked_kinds(top, below)
    row = table.rows[header.row_index].number
    # Every number column is read ("STT" | "TT"), and the start of a period is no deadline.
    chosen = {*header.columns.values(), *header.numbers}
    # Period columns are read together (or not at all, beside a deadline column of the table's own).
    chosen |= {period.index for period in _periods(top, None if header.first_index == header.row_index else below)}
    problems: list[Problem] = []
    for index, (label, kind) in enumerate(zip(labels, kinds, strict=False)):
        column = kind[0] if kind else None
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


_DATE_IN_TITLE = re.compile(
    r"\bngay\s*(\d{1,2})\s*(?:[/.-]\s*|\s+thang\s+)(\d{1,2})\s*(?:[/.-]\s*|\s+nam\s+)((?:19|20)\d\d)(?!\d)"
)


def _title_date(lines: list[str]) -> date | None:
    """The first date of the title lines: "(Kèm theo Kế hoạch số 15/KH-UBND ngày 10/7/2025 …)", "…,
    ngày 10 tháng 7 năm 2025"."""
    for line in lines:
        for match in _DATE_IN_TITLE.finditer(fold(one_line(line))):
            try:
                return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            except ValueError:
                continue
    return None


# The date a title gives the plan itself: "(Kèm theo Kế hoạch số 15/KH-UBND ngày 10/01/2022 …)" —
# the document the appendix goes with — or the dateline "Tân Phú, ngày 10 tháng 01 năm 2022". Not a
# date the plan cites ("Thực hiện Quyết định số 1/QĐ-UBND ngày …"): that is another document's.
_WITH_DOCUMENT = re.compile(
    r"\bkem theo\s+(?:ke hoach|quyet dinh|cong van|chuong trinh|thong bao|van ban)\b[^()]*?\bso\b[^()]*?"
    r"(?P<date>\bngay\b.*)$"
)
_DATELINE = re.compile(r"^[^\d,]{2,40},\s*(?P<date>ngay\b.*)$")


def _issue_date(lines: list[str]) -> date | None:
    """The plan's issue date as its title lines give it (see :data:`_WITH_DOCUMENT`), else None."""
    for pattern in (_WITH_DOCUMENT, _DATELINE):
        for line in lines:
            for part in line.split("\n"):
                found = pattern.search(fold(one_line(part)).strip(" ()"))
                day = _title_date([found.group("date")]) if found else None
                if day is not None:
                    return day
    return None


def _written_deadline_year(found: list[tuple[Table, _Header]]) -> int | None:
    """The year every deadline cell written with a year gives ("Quý II/2025", "30/9/2025"), when
    they all agree; None when they disagree or none writes one."""
    years: set[int] = set()
    for table, header in found:
        index = header.columns.get(Column.DEADLINE)
        if index is None:
            continue
        years.update(period.year for period in header.periods if period.year is not None)
        if len(years) > 1:
            return None
        if header.periods:
            continue
        for row in table.rows[header.row_index + 1 :]:
            cell = row.cells[index] if index < len(row.cells) else ""
            years.update(int(y) for y in _WRITTEN_YEAR.findall(cell) if FIRST_PLAN_YEAR <= int(y) <= LAST_PLAN_YEAR)
            if len(years) > 1:
                return None
    return years.pop() if years else None


# The period a plan covers, from its headline: "6 tháng cuối năm 2025", "quý III", "tháng 9 năm 2025",
# "giai đoạn 2025-2026"; the month it starts in (a year for "giai đoạn").
_HALF = re.compile(r"\b6 thang (dau|cuoi)\b")
_QUARTER_TITLE = re.compile(r"\bquy (iv|i{1,3}|[1-4])\b")
_MONTH_TITLE = re.compile(r"(?<!\d )\bthang (\d{1,2}) (?:nam )?(?:19|20)\d\d\b")
_SPAN_TITLE = re.compile(r"\bgiai doan ((?:19|20)\d\d)\b")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _period_start(lines: list[str], year: int) -> date | None:
    """The first day of the period the plan's headline names, in the plan year; None for a year."""
    text = match_key(" ".join(line for line in lines if not _is_reference_line(line)))
    half = _HALF.search(text)
    if half:
        return date(year, 7 if half.group(1) == "cuoi" else 1, 1)
    quarter = _QUARTER_TITLE.search(text)
    if quarter:
        return date(year, 3 * _QUARTERS[quarter.group(1)] - 2, 1)
    month = _MONTH_TITLE.search(text)
    if month and 1 <= int(month.group(1)) <= 12:
        return date(year, int(month.group(1)), 1)
    span = _SPAN_TITLE.search(text)
    if span and FIRST_PLAN_YEAR <= int(span.group(1)) <= LAST_PLAN_YEAR:
        return date(int(span.group(1)), 1, 1)
    return None


def _not_before(lines: list[str], year: int, issued: date | None) -> tuple[date, date | None] | None:
    """The first day a repeating deadline may fall on (the later of the plan's start and its issue
    date: ``--issued``, else the date in the title lines), and the issue date."""
    issued = issued or _title_date(lines)
    start = _period_start(lines, year) if year else None
    bounds = [day for day in (start, issued) if day is not None]
    return (max(bounds), issued) if bounds else None


_PART_NUMBER = re.compile(r"^phu luc\s+(?:so\s+)?([ivxl]+|\d{1,2})$")


def _roman(number: int) -> str:
    values = ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, letters in values:
        while number >= value:
            text, number = text + letters, number - value
    return text


def _parts(tables: list[Table], found: list[tuple[Table, _Header]]) -> dict[int, tuple[str, str]]:
    """Tables that are parts of one appendix, each with a header of its own and its tasks numbered
    from 1 (Phụ lục I and Phụ lục II on two sheets, or two Word tables), and no areas: each is read as
    an area, its code the part's numeral ("PHỤ LỤC II" above it) or its place, its title the line
    above it or the sheet's name. By ``id`` of the table: (code, title). Tables whose numbers do not
    repeat (a table going on after a page break, under its header again) are left as they are."""
    own = [(table, header) for table, header in found if any(table is t for t in tables)]
    plain = [(table, header) for table, header in own if not _has_areas(table, header)]
    if len(own) < 2 or not plain:
        return {}
    numbers = [_task_numbers(table, header) for table, header in plain]
    if not any(numbers[i] & numbers[j] for i in range(len(numbers)) for j in range(i + 1, len(numbers))):
        return {}
    named: list[str] = []
    for table, header in plain:
        lines = [match_key(line) for line in _title_lines(table, header)]
        numeral = next((m.group(1) for m in map(_PART_NUMBER.match, lines) if m), "")
        named.append(_roman(int(numeral)) if numeral.isdigit() else numeral.upper())
    if not all(named) or len(set(named)) < len(named):
        places = [place for place, (table, _header) in enumerate(own, 1) if any(table is t for t, _h in plain)]
        named = [_roman(place) for place in places]
    parts: dict[int, tuple[str, str]] = {}
    for (table, header), code in zip(plain, named, strict=True):
        title = _plan_title(_title_lines(table, header)) or table.sheet or _("Appendix {part}").format(part=code)
        parts[id(table)] = (code, title)
    return parts


def _has_areas(table: Table, header: _Header) -> bool:
    """Whether a table's body (or the paragraph right above it) has area rows ("I", "II. …")."""
    area = header.columns.get(Column.AREA)  # "I. Cải cách thể chế" in a "Lĩnh vực" column is no area row
    lines = table.preamble[-1:] + [
        next((c for i, c in enumerate(row.cells) if c and i != area), "") for row in table.rows[header.row_index + 1 :]
    ]
    for line in lines:
        heading = _ROMAN_HEADING.match(line)
        if heading and _ROMAN.match(heading.group(1) or heading.group(3)):
            return True
    index = header.numbers[0] if header.numbers else header.columns.get(Column.NUMBER)
    if index is None:
        return False
    return any(
        _ROMAN.match(row.cells[index].strip().rstrip("."))
        for row in table.rows[header.row_index + 1 :]
        if index < len(row.cells) and row.cells[index]
    )


def _task_numbers(table: Table, header: _Header) -> set[str]:
    index = header.numbers[0] if header.numbers else header.columns.get(Column.NUMBER)
    if index is None:
        return set()
    return {
        _plain_number(row.cells[index])
        for row in table.rows[header.row_index + 1 :]
        if _task_shaped(row, header) and _plain_number(row.cells[index])
    }


def _is_reference_line(line: str) -> bool:
    text = one_line(line)
    return text.startswith("(") or bool(_SKIP_TITLE_LINES.match(match_key(text)))


def _year_in_name(stem: str) -> int | None:
    """A year in the file name ("phu-luc-cchc-2022.csv"), when the file has no title rows."""
    for match in re.finditer(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)", stem):
        if FIRST_PLAN_YEAR <= int(match.group(1)) <= LAST_PLAN_YEAR:
            return int(match.group(1))
    return None


def _header_labels(table: Table, first: int, last: int) -> list[str]:
    """The column labels of the header rows ``first`` to ``last``, as one line each."""
    top = _header_top(table, first, last)
    labels = list(top) if first == last else _stack_labels(top, table.rows[last].cells)
    return [one_line(label) for label in labels]


def _rows_named(rows: list[tuple[str, str]]) -> str:
    """The rows a file-level warning is about, each with its cell: "row 5 «Quý II»; row 7 «30/6»",
    the first :data:`SHOWN_ROWS` of them, then how many more."""
    named = "; ".join(f"{where} «{text}»" for where, text in rows[:SHOWN_ROWS])
    more = len(rows) - SHOWN_ROWS
    if more > 0:
        named += " " + ngettext("and {count} more row", "and {count} more rows", more).format(count=more)
    return named


def _missing_column(table: Table, first: int, last: int, column: Column) -> Problem:
    """The error of a header row (rows ``first`` to ``last``) lacking a column every task needs: the
    labels it has and the ones accepted for that column, said once for the whole file."""
    labels = [label for label in _header_labels(table, first, last) if label]
    found = ", ".join(f"«{label}»" for label in labels[:SHOWN_HEADERS])
    if len(labels) > SHOWN_HEADERS:
        more = len(labels) - SHOWN_HEADERS
        found += " " + ngettext("… and {count} more", "… and {count} more", more).format(count=more)
    message = _("{missing} (headers found: {found}); headers accepted for it: {accepted}").format(
        missing=_(MISSING_COLUMN[column]),
        found=found or "—",
        accepted=", ".join(ACCEPTED_HEADERS[column]),
    )
    return Problem(table.where(table.rows[first].number), message)


def _header_top(table: Table, first: int, last: int) -> list[str]:
    """The labels of the header rows ``first`` to ``last`` but the last, stacked as one row over it
    (the first row alone for a header of one or two rows)."""
    top = table.rows[first].cells
    for index in range(first + 1, last):
        top = _stack_labels(top, table.rows[index].cells)
    return top


def _header_rows(table: Table, index: int) -> tuple[int, list[str], list[str] | None]:
    """The header starting at row ``index``: its last row, the labels of the rows above that one
    stacked (see :func:`_header_top`) and that row's cells (None for a header of one row). Each row
    under the header holding sub-labels of the rows above (:func:`_is_header_continuation`) is one
    of its rows, up to :data:`HEADER_ROWS`."""
    last, top, below = index, table.rows[index].cells, None
    while last + 1 < len(table.rows) and last - index + 1 < HEADER_ROWS:
        above = top if below is None else _stack_labels(top, below)
        candidate = table.rows[last + 1].cells
        if _is_header_continuation(above, candidate):
            last, top, below = last + 1, above, candidate
            continue
        # A row of group titles under group titles ("Năm 2026" under "Thời gian thực hiện", "Cơ quan
        # thực hiện" under "Tổ chức thực hiện"), known by the sub-labels of the row under it.
        if last + 2 >= len(table.rows) or last - index + 2 >= HEADER_ROWS or not _is_group_row(above, candidate):
            break
        stacked = _stack_labels(above, candidate)
        if not _is_header_continuation(stacked, table.rows[last + 2].cells):
            break
        last, top, below = last + 2, stacked, table.rows[last + 2].cells
    return last, top, below


def _is_group_row(header: list[str], below: list[str]) -> bool:
    """Whether the row under a header row holds group titles only: short labels, no data (a year
    aside: "2026"), each under a label spanning several columns (merged across, the cells on its
    right empty) or under an empty cell."""
    new = [(i, cell) for i, cell in enumerate(below) if cell and (i >= len(header) or cell != header[i])]
    if not new:
        return False
    for i, cell in new:
        if len(match_key(cell).split()) > 6 or (_DATA_CELL.match(cell) and not _BARE_YEAR.match(match_key(cell))):
            return False
        spans = i >= len(header) or not header[i] or (i + 1 < len(header) and not header[i + 1])
        if not spans:
            return False
    return True


def _header_without_title(tables: list[Table]) -> tuple[Table, int, int] | None:
    """The row that reads as a task table's header but for its task content column (STT | Chủ trì |
    Phối hợp | Thời hạn): at least three columns of other kinds, every one a short label, among them a
    lead unit or a deadline. The row naming the most columns, with the row under it when that one
    holds its sub-labels."""
    best: tuple[int, Table, int, int] | None = None
    for table in tables:
        for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
            kinds = [_classified(cell) for cell in row.cells]
            labels = [cell for cell, kind in zip(row.cells, kinds, strict=True) if kind is not None]
            if any(_DATA_CELL.match(label) or len(match_key(label).split()) > 8 for label in labels):
                continue
            last, top, below = _header_rows(table, index)
            if below is not None:
                kinds = _stacked_kinds(top, below)
            columns, _numbers = _choose(kinds)
            if Column.TITLE in columns or len(columns) < 3 or not {Column.LEAD, Column.DEADLINE} & columns.keys():
                continue
            if best is None or len(columns) > best[0]:
                best = (len(columns), table, index, last)
    return None if best is None else best[1:]


def _classified(label: str) -> tuple[Column, int] | None:
    """The column kind of a header label and its rank (lower wins), footnote marks ignored."""
    key = match_key(_FOOTNOTE.sub(" ", label))
    if not key or _NOT_A_COLUMN.search(key):
        return None
    for column, rank, pattern in _HEADER_PATTERNS:
        if pattern.search(key):
            if column is Column.DEADLINE and _is_start_label(key):
                return None  # "Thời gian bắt đầu": when the work starts, never its deadline
            if _SUPERSEDED.search(one_line(label).lower()):
                rank += SUPERSEDED_RANK
            return column, rank
    return None


def _is_start_label(key: str) -> bool:
    """Whether a folded time label names the start of a period only ("Thời gian bắt đầu", "Ngày
    khởi công", "Từ ngày"), not its end ("Thời gian thực hiện (từ … đến …)" names both)."""
    return bool(_START_WORDS.search(key)) and not _END_WORDS.search(key)


def _classify(label: str) -> Column | None:
    found = _classified(label)
    return found[0] if found else None


def _choose(kinds: list[tuple[Column, int] | None]) -> tuple[dict[Column, int], tuple[int, ...]]:
    """The column read for each kind (lowest rank, then leftmost), and every number column in order
    ("STT" and a sub-number "TT"). A task identifier ("Mã nhiệm vụ") numbers tasks only when there is
    no STT column."""
    best: dict[Column, tuple[int, int]] = {}
    numbers: list[int] = []
    for index, kind in enumerate(kinds):
        if kind is None:
            continue
        column, rank = kind
        if column is Column.NUMBER:
            numbers.append(index)
        if column not in best or rank < best[column][0]:
            best[column] = (rank, index)
    columns = {column: index for column, (_rank, index) in sorted(best.items(), key=lambda item: item[1][1])}
    if Column.NUMBER not in columns and Column.ID in columns:
        columns[Column.NUMBER] = columns[Column.ID]
        numbers = [columns[Column.ID]]
    return columns, tuple(numbers)


def _find_header(table: Table) -> _Header | None:
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        kinds = [_classified(cell) for cell in row.cells]
        columns, numbers = _choose(kinds)
        if Column.TITLE not in columns or len(columns) < 3:
            continue
        labels = list(row.cells)
        # Header rows under merged cells ("Cơ quan thực hiện" over "Chủ trì" | "Phối hợp", "Nhiệm vụ"
        # over "TT" | "Chi tiết", "Thời gian thực hiện" over "Năm 2026" over "Quý I" … "Quý IV").
        last, top, below = _header_rows(table, index)
        if below is not None:
            labels = _stack_labels(top, below)
            kinds = _stacked_kinds(top, below)
            columns, numbers = _choose(kinds)
        periods = _periods(top, below)
        group = ""
        if periods:
            # Period columns are never a deadline column of their own: read only when there is none.
            indexes = {period.index for period in periods}
            columns, numbers = _choose([None if i in indexes else kind for i, kind in enumerate(kinds)])
            if Column.DEADLINE in columns or Column.DAYS in columns:
                periods = ()
            else:
                spread = _spread(top, below) if below is not None else list(top)
                group = one_line(spread[periods[0].index]) if below is not None else ""
                if match_key(group) == match_key(periods[0].label):
                    group = ""
                columns = dict(sorted({**columns, Column.DEADLINE: periods[0].index}.items(), key=lambda c: c[1]))
        found = {column: one_line(labels[i]) for column, i in columns.items()}
        if periods:
            span = f"{periods[0].label} – {periods[-1].label}"
            found[Column.DEADLINE] = f"{group} ({span})" if group else span
        return _Header(
            first_index=index,
            row_index=last,
            columns=columns,
            labels=found,
            numbers=numbers,
            periods=periods,
            period_group=group,
        )
    return None


def _task_tables(tables: list[Table]) -> list[tuple[Table, _Header]]:
    """The tables holding tasks, with their headers. A Word table split in two (a page break, a
    section) goes on without a header: a header-less table right after a task table, as wide, whose
    first row is numbered, is read under the same header."""
    found: list[tuple[Table, _Header]] = []
    waiting: list[Table] = []  # Word: the tables before the first header
    for table in tables:
        header = _find_header(table)
        if header is not None:
            if not found:
                found.extend(_tables_before_header(waiting, table, header))
            found.append((table, _rows_before_header(table, header)))
            continue
        if not found:
            waiting.append(table)
        if not found or table.table_number is None or found[-1][0].table_number != table.table_number - 1:
            continue
        previous, above = found[-1]
        labels = previous.rows[above.first_index : above.row_index + 1]
        filled = [row for row in table.rows if any(row.cells)]
        first = filled[0] if filled else None
        if first is None or len(first.cells) != len(labels[0].cells):
            continue
        # The rest of a task's text opening the part after a page break, its number cell empty: the
        # row under it opens the body.
        if not _opens_body(first.cells, above) and not (
            len(filled) > 1 and _text_only(first.cells, above) and _opens_body(filled[1].cells, above)
        ):
            continue
        joined = Table(rows=[*labels, *table.rows], table_number=table.table_number, preamble=table.preamble)
        span = above.row_index - above.first_index
        found.append((joined, replace(above, first_index=0, row_index=span)))
    return found


def _reads_as_task(row: Row, header: _Header) -> bool:
    """Whether a row found outside a header's table body is a task: numbered, with its text and a lead
    unit or a deadline (a title line or a summary above the table is not)."""
    title = header.columns.get(Column.TITLE)
    named = [header.columns.get(Column.LEAD), header.columns.get(Column.DEADLINE)]
    filled = [i for i, cell in enumerate(row.cells) if cell]
    return _task_shaped(row, header) and title in filled and any(i in filled for i in named if i is not None)


def _rows_before_header(table: Table, header: _Header) -> _Header:
    """Task rows above the header row (the first page's header an image, or lost): moved under the
    header, in their order, so they are read as the rows after it are; the header says where they are."""
    above = table.rows[: header.first_index]
    tasks = [i for i, row in enumerate(above) if _task_shaped(row, header)]
    if not any(_reads_as_task(above[i], header) for i in tasks):
        return header
    first = tasks[0]
    labels = table.rows[header.first_index : header.row_index + 1]
    early = [row for row in above[first:] if any(row.cells)]
    table.rows = [*above[:first], *labels, *above[first:], *table.rows[header.row_index + 1 :]]
    return replace(
        header,
        first_index=first,
        row_index=first + header.row_index - header.first_index,
        early=(early[0].number, early[-1].number),
        early_row=labels[0].number,
    )


def _tables_before_header(waiting: list[Table], table: Table, header: _Header) -> list[tuple[Table, _Header]]:
    """Word: tables right before the first one with a header, as wide as it, opening with a task (the
    table's first page, its header an image or lost): read under that header, which a warning says."""
    labels = table.rows[header.first_index : header.row_index + 1]
    width = len(labels[0].cells)
    run: list[Table] = []
    number = table.table_number
    for before in reversed(waiting):
        filled = [row for row in before.rows if any(row.cells)]
        if number is None or before.table_number != number - 1 or not filled:
            break
        if any(len(row.cells) != width for row in filled) or not _reads_as_task(filled[0], header):
            break
        run.insert(0, before)
        number = before.table_number
    span = header.row_index - header.first_index
    joined: list[tuple[Table, _Header]] = []
    for before in run:
        filled = [row for row in before.rows if any(row.cells)]
        part = Table(rows=[*labels, *before.rows], table_number=before.table_number, preamble=before.preamble)
        early = (filled[0].number, filled[-1].number)
        joined.append(
            (
                part,
                replace(
                    header, first_index=0, row_index=span, early=early, early_table=table, early_row=labels[0].number
                ),
            )
        )
    return joined


def _opens_body(cells: list[str], header: _Header) -> bool:
    """Whether a row reads as the first of a table's body: numbered ("1", "2.", "a)", "-"), or an area
    ("II", "II. PHÁT TRIỂN …" merged across)."""
    index = header.numbers[0] if header.numbers else None
    number = _plain_number(cells[index]) if index is not None and index < len(cells) else ""
    if _NUMBER_SHAPE.fullmatch(number) or _ROMAN.match(number):
        return True
    first = next((cell for cell in cells if cell), "")
    heading = _ROMAN_HEADING.match(first)
    return bool(heading and _ROMAN.match(heading.group(1) or heading.group(3)))


def _text_only(cells: list[str], header: _Header) -> bool:
    """Whether a row fills the task content cell and no other."""
    title = header.columns.get(Column.TITLE)
    return title is not None and all(bool(cell) == (i == title) for i, cell in enumerate(cells))


def _spread(top: list[str], bottom: list[str]) -> list[str]:
    """The top row of a two-row header with each horizontally merged label repeated over the columns
    it spans (a merged cell keeps its text in its first column only): an empty top cell over a
    sub-label belongs to the label on its left when that one has sub-labels too."""
    width = max(len(top), len(bottom))
    top, bottom = top + [""] * (width - len(top)), bottom + [""] * (width - len(bottom))
    spread = list(top)
    for i in range(1, width):
        if not top[i] and bottom[i] and spread[i - 1] and bottom[i - 1] and bottom[i - 1] != spread[i - 1]:
            spread[i] = spread[i - 1]
    return spread


def _stack_labels(top: list[str], bottom: list[str]) -> list[str]:
    """Column labels of a two-row header, as messages name the columns: a label repeated by a vertical
    merge taken once; a sub-label that names a column by itself under a group title over several
    columns ("Cơ quan thực hiện" over "Cơ quan chủ trì" | "Cơ quan phối hợp") alone; else both
    ("Thời gian" + "Kết thúc")."""
    top = _spread(top, bottom)
    bottom = bottom + [""] * (len(top) - len(bottom))
    labels = []
    for i, (t, b) in enumerate(zip(top, bottom, strict=True)):
        grouped = bool(t) and any(
            0 <= j < len(top) and top[j] == t and bottom[j] not in ("", t) for j in (i - 1, i + 1)
        )
        if b in ("", t):
            labels.append(t)
        elif grouped and _classified(b) is not None:
            labels.append(b)
        else:
            labels.append(f"{t} {b}".strip())
    return labels


def _stacked_kinds(top: list[str], bottom: list[str]) -> list[tuple[Column, int] | None]:
    """The kind of each column of a two-row header: the sub-label's when it names a column ("Chủ trì",
    "Phối hợp", "TT"), else the label above it ("Nhiệm vụ" over "Chi tiết"); under a period ("Thời
    gian" over "Bắt đầu" | "Kết thúc") only its end is the deadline."""
    top = _spread(top, bottom)
    bottom = bottom + [""] * (len(top) - len(bottom))
    kinds: list[tuple[Column, int] | None] = []
    for t, b in zip(top, bottom, strict=True):
        above = _classified(t)
        if not b or b == t:
            kinds.append(above)
            continue
        key = match_key(_FOOTNOTE.sub(" ", b))
        is_period = above is not None and above[0] is Column.DEADLINE
        if _SUBLABEL_START.match(key):
            kinds.append(None if is_period else above)
        elif _SUBLABEL_END.match(key):
            kinds.append(above if is_period else None)
        elif _SUBLABEL_SAME.match(key):
            kinds.append(above)
        else:
            kind = _classified(b) or above
            if kind is not None and kind[1] < SUPERSEDED_RANK and _SUPERSEDED.search(one_line(b).lower()):
                kind = (kind[0], kind[1] + SUPERSEDED_RANK)  # "Thời hạn" over "Cũ" | "Mới"
            kinds.append(kind)
    return kinds


# --------------------------------------------------------------------------- period columns
# A Gantt-like layout: the timing as a row of period columns ("Quý I | Quý II | Quý III | Quý IV",
# "Tháng 1" … "Tháng 12", "T1" … "T12", "6 tháng đầu năm | 6 tháng cuối năm"), usually under a group
# title ("Thời gian thực hiện"), a task's cells marked "x" in the periods it is done in.


@dataclass(frozen=True)
class _Period:
    index: int  # the column
    kind: str  # "quarter", "month", "half" or "year"
    number: int  # 1–4, 1–12, 1–2, or the year
    year: int | None  # written in its label or its group title; else the plan year
    label: str  # as written ("Quý I", "T1", "I" under "Quý")


_PERIOD_YEAR = r"(?: (?:nam )?((?:19|20)\d\d))?"
_PERIOD_LABELS = (
    ("quarter", re.compile(r"^(?:quy|qui|q)\s*(iv|i{1,3}|[1-4])" + _PERIOD_YEAR + "$")),
    ("month", re.compile(r"^(?:thang|t)\s*0?([1-9]|1[0-2])" + _PERIOD_YEAR + "$")),
    ("half", re.compile(r"^(?:(?:6|sau) thang|nua) (dau|cuoi)(?: nam)?" + _PERIOD_YEAR + "$")),
)
# A whole year: "Năm 2025" (alone or under a time title), or "2025" under a time title ("Thời gian
# thực hiện", "Lộ trình", "Tiến độ", "Năm thực hiện"); never under another one ("Kinh phí", "Chỉ tiêu").
_YEAR_LABEL = re.compile(r"^nam ((?:19|20)\d\d)$")
_BARE_YEAR = re.compile(r"^((?:19|20)\d\d)$")
_YEAR_GROUP = re.compile(r"\b(?:thoi gian|thoi han|thoi diem|tien do|lo trinh|moc|giai doan|nam)\b")
# A bare numeral under a group title naming the period: "I" … "IV" under "Quý", "1" … "12" under "Tháng".
_BARE_PERIOD = re.compile(r"^(iv|i{1,3}|0?[1-9]|1[0-2])" + _PERIOD_YEAR + "$")
_QUARTER_GROUP = re.compile(r"\b(?:quy|qui)\b")
_MONTH_GROUP = re.compile(r"(?<!\b6 )\bthang\b")
# What marks a period: "x", "X", "✓", "•" and the like. A dash, an empty circle or box is how a table
# writes "nothing".
_MARK = re.compile(r"^[xX×✓✔✗✘•●▪■√vV+*☑☒⊠✕✖]$")
_NO_MARK = re.compile(r"^(?:[-–—]+|[○◦□☐])$")
# What a task marked in every period of the table is: work repeated each period.
_EVERY_PERIOD = {"quarter": "Hằng quý", "month": "Hằng tháng", "half": "Định kỳ 6 tháng", "year": "Hằng năm"}


def _period_label(label: str, group: str) -> tuple[str, int, int | None] | None:
    """The period a column label names: (kind, number, year written or None)."""
    key = match_key(_FOOTNOTE.sub(" ", label))
    for kind, pattern in _PERIOD_LABELS:
        found = pattern.match(key)
        if found:
            value = found.group(1)
            if kind == "quarter":
                number = _QUARTERS[value]
            elif kind == "month":
                number = int(value)
            else:
                number = 1 if value == "dau" else 2
            return kind, number, int(found.group(2)) if found.group(2) else None
    above = match_key(_FOOTNOTE.sub(" ", group))
    year_label = _YEAR_LABEL.match(key) or (_BARE_YEAR.match(key) if above else None)
    if year_label and (not above or (_YEAR_GROUP.search(above) and not _NOT_A_COLUMN.search(above))):
        whole = int(year_label.group(1))
        return ("year", whole, whole) if FIRST_PLAN_YEAR <= whole <= LAST_PLAN_YEAR else None
    bare = _BARE_PERIOD.match(key)
    if bare is None or not above:
        return None
    year = int(bare.group(2)) if bare.group(2) else None
    if _QUARTER_GROUP.search(above) and bare.group(1) in _QUARTERS:
        return "quarter", _QUARTERS[bare.group(1)], year
    if _MONTH_GROUP.search(above) and bare.group(1).isdigit():
        return "month", int(bare.group(1)), year
    return None


def _periods(top: list[str], bottom: list[str] | None) -> tuple[_Period, ...]:
    """The period columns of a header (one row, or two with the group title above): two at least side
    by side, of one kind; several such runs of that kind ("Năm 2025" and "Năm 2026" over quarters)."""
    if bottom is None:
        labels, groups = list(top), [""] * len(top)
    else:
        spread = _spread(top, bottom)
        bottom = bottom + [""] * (len(spread) - len(bottom))
        labels = [b or t for t, b in zip(spread, bottom, strict=True)]
        groups = [t if b and b != t else "" for t, b in zip(spread, bottom, strict=True)]
    found: list[_Period] = []
    for index, (label, group) in enumerate(zip(labels, groups, strict=True)):
        read = _period_label(label, group) if label else None
        if read is None:
            continue
        years = [int(y) for y in _WRITTEN_YEAR.findall(fold(group)) if FIRST_PLAN_YEAR <= int(y) <= LAST_PLAN_YEAR]
        year = read[2] or (years[0] if len(set(years)) == 1 else None)
        found.append(_Period(index, read[0], read[1], year, one_line(label)))
    runs: list[list[_Period]] = []
    for period in found:
        if runs and runs[-1][-1].index == period.index - 1 and runs[-1][-1].kind == period.kind:
            runs[-1].append(period)
        else:
            runs.append([period])
    runs = [run for run in runs if len(run) >= 2]
    if not runs:
        return ()
    return tuple(period for run in runs if run[0].kind == runs[0][0].kind for period in run)


def _period_bounds(period: _Period, year: int) -> tuple[date, date]:
    """The first and last day of a period in ``year`` (its own when its label gives one)."""
    year = period.year or year
    if period.kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    months = {"quarter": 3, "month": 1, "half": 6}[period.kind]
    first = (period.number - 1) * months + 1
    last = first + months - 1
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _period_text(periods: tuple[_Period, ...], marked: list[_Period], year: int | None) -> str:
    """The deadline the marks of a row say, as a deadline cell would write it: each run of periods
    marked one after the other is due at the end of its last ("Quý II - III/2026"); marked in every
    period of the table, the work repeats each period ("Hằng quý")."""
    if not marked:
        return ""
    if len(marked) == len(periods):
        return _EVERY_PERIOD[marked[0].kind]
    runs: list[list[_Period]] = []
    for period in marked:
        if runs and _follows(runs[-1][-1], period, year):
            runs[-1].append(period)
        else:
            runs.append([period])
    return "; ".join(_run_text(run, year) for run in runs)


def _follows(before: _Period, period: _Period, year: int | None) -> bool:
    """Whether ``period`` is the next column after ``before`` and starts the day after it ends."""
    if period.index != before.index + 1:
        return False
    known = year or 2000  # any year tells which periods follow one another when none is written
    return _period_bounds(before, known)[1].toordinal() + 1 == _period_bounds(period, known)[0].toordinal()


def _run_text(run: list[_Period], year: int | None) -> str:
    first, last = run[0], run[-1]
    end_year = last.year or year
    if last.kind == "year":
        return f"Năm {first.number} - {last.number}" if len(run) > 1 else f"Năm {last.number}"
    if last.kind == "half":
        text = "6 tháng đầu năm" if last.number == 1 else "6 tháng cuối năm"
        return f"{text} {end_year}" if end_year else text
    name, numeral = ("Quý", _roman) if last.kind == "quarter" else ("Tháng", str)
    tail = f"/{end_year}" if end_year else ""
    if len(run) > 1 and (first.year or year) == end_year:
        return f"{name} {numeral(first.number)} - {numeral(last.number)}{tail}"
    return f"{name} {numeral(last.number)}{tail}"


def _period_columns(table: Table, header: _Header) -> str:
    """The period columns as a message names them: "E–H («Thời gian thực hiện»: Quý I – Quý IV)"."""
    first, last = header.periods[0], header.periods[-1]
    span = f"{first.label} – {last.label}"
    labels = f"«{header.period_group}»: {span}" if header.period_group else span
    columns = f"{_column_name(table, first.index)}–{_column_name(table, last.index)}"
    return f"{columns} ({labels})"


def _periods_read(table: Table, header: _Header, year: int) -> str:
    """The warning, said once for the file, that the deadlines were read from period columns."""
    message = _(
        "the deadlines were read from the marks in the period columns {columns}: a task is due at the end of"
        " each run of periods marked one after another, a task marked in every period repeats each period"
        " («{every}»); check them"
    ).format(columns=_period_columns(table, header), every=_EVERY_PERIOD[header.periods[0].kind])
    if year and any(period.year is None for period in header.periods):
        message += " " + _("(the periods are of the plan year {year})").format(year=year)
    return message


def _is_sublabel(label: str) -> bool:
    key = match_key(_FOOTNOTE.sub(" ", label))
    return any(pattern.match(key) for pattern in (_SUBLABEL_SAME, _SUBLABEL_START, _SUBLABEL_END))


def _is_header_continuation(header: list[str], below: list[str]) -> bool:
    """Whether the row under a header row holds its sub-labels: short labels, at least one under a
    merged (empty) cell of the header, mostly known words — not numbers, numerals or task text."""
    filled = [(i, cell) for i, cell in enumerate(below) if cell]
    new = [(i, cell) for i, cell in filled if i >= len(header) or cell != header[i]]
    # Sub-labels under a column the importer does not read ("Kinh phí" over "Ngân sách tỉnh" |
    # "Nguồn khác") belong to the header all the same, and so do years under it or under a time
    # title ("Kinh phí" or "Lộ trình" over "2025" | "2026").
    above = _spread(header, below)
    unread = {i for i, label in enumerate(above) if _NOT_A_COLUMN.search(match_key(_FOOTNOTE.sub(" ", label)))}

    def year(i: int, cell: str) -> bool:
        group = match_key(_FOOTNOTE.sub(" ", above[i])) if i < len(above) else ""
        return bool(_BARE_YEAR.match(match_key(cell))) and (i in unread or bool(_YEAR_GROUP.search(group)))

    # Period labels under a group title ("Quý I" … "Quý IV", or "I" … "IV" under "Quý"), the other
    # cells sub-labels if any.
    periods = {period.index for period in _periods(header, below) if period.index < len(below) and below[period.index]}
    if len(periods) >= 2 and all(
        i in periods
        or year(i, cell)
        or (not _DATA_CELL.match(cell) and (_classified(cell) is not None or _is_sublabel(cell)))
        for i, cell in new
    ):
        return True
    if not new or any(
        (_DATA_CELL.match(cell) and not year(i, cell)) or len(match_key(cell).split()) > 6 for i, cell in new
    ):
        return False
    known = [
        cell
        for i, cell in new
        if _classified(cell) is not None or _is_sublabel(cell) or i in unread or _NOT_A_COLUMN.search(match_key(cell))
    ]
    if len(new) >= 2 and len(known) == len(new):
        return True  # "Chủ trì" | "Phối hợp" under a label written twice
    under_merge = any(i >= len(header) or not header[i] for i, _cell in new)
    return under_merge and 2 * len(known) >= len(new) and bool(known)


def _title_lines(table: Table, header: _Header) -> list[str]:
    """Text above the table: the document's paragraphs and the sheet's title rows."""
    lines = list(table.preamble)
    for row in table.rows[: header.first_index]:
        lines.extend(cell for cell in row.cells if cell)
    return lines


# The place line of a letterhead, under the issuing body ("ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NGÃI"): a
# level and a name of at most four words, nothing else ("Xã hội hóa …" is no place).
_LETTERHEAD_PLACE = re.compile(
    r"(?!xa hoi\b)(?:tinh|thanh pho|tp|huyen|quan|thi xa|xa|phuong|thi tran|dac khu)(?: [a-z]+){1,4}"
)


def _plan_title(lines: list[str]) -> str:
    """The first title line that is not a reference (letterhead, "PHỤ LỤC", "Kèm theo …"), passing over
    a letterhead's place line when a title line follows it; one written in capitals as a sentence
    writes it ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026" → "Kế hoạch cải cách hành chính năm 2026")."""
    titles = [one_line(line) for line in lines if match_key(line) and not _is_reference_line(line)]
    named = [line for line in titles if not _LETTERHEAD_PLACE.fullmatch(match_key(line))]
    return written_case(next(iter(named or titles), ""))


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
        given_year: int | None = None,
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
        self.last_number = ""  # the number written on the last task of the current area or heading
        self.sequence = 0
        self.undated = 0  # relative deadlines left undated (no --issued)
        self.issued_from_title = False  # ``issued`` is the title's date, not --issued
        self.dated_from_title = 0  # relative deadlines dated by the title's date
        # Deadlines given the plan year read from the title, the file name or the other deadlines:
        # (row, cell text) of each, named by the warning.
        self.yearless: list[tuple[str, str]] = []
        # Tasks read as continuous from a deadline cell that gives no date, only a phrase ("Khi có yêu
        # cầu", "Theo chỉ đạo của UBND tỉnh"): (row, cell text) of each, named by the warning.
        self.phrased: list[tuple[str, str]] = []
        self.nearest: dict[str, list[str]] = {}  # fragment key → registry names suggested for it
        # Columns every task needs that a header lacks: the first header (table, first and last
        # row) where a task needed it; one error for the file, not one a row.
        self.missing: dict[Column, tuple[Table, int, int]] = {}
        self.given_year = given_year  # --year
        # The first day a repeating deadline may fall on: the plan's start ("6 tháng cuối năm 2025"
        # starts on 01/07) or its issue date, whichever is later; one-off deadlines before the issue
        # date are counted for a warning (with the first such cell).
        self.not_before: tuple[date, date | None] | None = None
        self.early: list[tuple[str, str]] = []
        # Deadlines written with a year (all of a task's dates in one year): how many fall in each
        # year, and the first such cell of each (where, text).
        self.written_years: Counter[int] = Counter()
        self.year_example: dict[int, tuple[str, str]] = {}

        self.groups: list[_Group] = []  # the headings the next row is under, outermost first
        self.letter_areas = False  # whether "A", "B" rows are areas (the table has no Roman numerals)
        self.group = ""  # the unnumbered heading above, counted in the area ("" when numbered)
        self.headings = 0  # headings met in the area
        self.area_defaults: dict[Column, str] = {}  # the area row's unit, product and deadline cells
        self.table_areas = False  # whether the table has area rows ("I", "II. …")
        self.column_areas: list[str] = []  # the areas a "Lĩnh vực" column named, in order
        # The task (or refused row) the last row read was, whose text a row under it may go on with.
        self.last_task: ParsedTask | RefusedRow | None = None

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
        # Word: "II. NHIỆM VỤ CỤ THỂ" as the paragraph right above a table starts its area.
        above = _ROMAN_HEADING.match(table.preamble[-1]) if table.preamble else None
        if above and _ROMAN.match(above.group(1) or above.group(3)):
            self.start_area(above.group(1) or above.group(3), above.group(2) or above.group(4))
        body = table.rows[header.row_index + 1 :]
        # "A", "B" heading parts of a table without Roman numerals are its areas.
        self.letter_areas = not _has_areas(table, header)
        self.table_areas = not self.letter_areas  # area rows: a "Lĩnh vực" column starts none
        body = body[: _body_end(body, header)]
        # The header written again after a page break (its rows merged down as at the top) is no row.
        labels = table.rows[header.first_index : header.row_index + 1]
        body = _join_spread_tasks(header, [row for row in body if not _repeats_header(row, labels)])
        readers = [_RowReader(self, table, header, row) for row in body]
        following: _RowReader | None = None  # the next row that is not blank, a note or numbering
        after: list[_RowReader | None] = []
        for reader in reversed(readers):
            after.append(following)
            if not reader.skipped():
                following = reader
        for reader, next_row in zip(readers, reversed(after), strict=True):
            reader.read(next_row)

    def is_letter_area(self, number: str) -> bool:
        """Whether a number cell is an upper-case letter heading a part ("A", "B.") of a table that
        has no Roman numerals: the top level of the table, read as an area."""
        return self.letter_areas and bool(_AREA_LETTER.fullmatch(_plain_number(number)))

    def start_area(self, code: str, title: str, defaults: dict[Column, str] | None = None) -> None:
        """An area row ("II | PHÁT TRIỂN HẠ TẦNG"); cells it fills are defaults for its tasks."""
        self.area, self.subheading, self.auto_number, self.last_number = code, "", 0, ""
        self.close_groups()
        self.group, self.headings = "", 0
        self.area_defaults = defaults or {}
        if all(area.code != code for area in self.appendix.areas):
            self.appendix.areas.append(ParsedArea(code=code, title=one_line(title)))

    def start_subheading(
        self,
        number: str,
        defaults: dict[Column, str] | None = None,
        *,
        code: str = "",
        row: _RowReader | None = None,
    ) -> None:
        """A heading row: the rows under it are its tasks, and take its unit, product and deadline
        cells when they leave theirs empty. It closes the headings above that it is not under. A
        heading written as a bullet or a letter ("- Rà soát …" under "3", "a)") is numbered in its
        place, as a task there would be ("3.1", "3.a"; ``code`` when that task was read), and the rows
        under it are numbered under that ("3.1.1"). ``row``: the heading row, told when it closes
        with a lead unit or deadline of its own that no row under it took."""
        while self.groups and not self.is_under(self.groups[-1].number, number):
            self.close_group()
        outer = None
        if code or _BULLET.match(number) or _LETTER.fullmatch(number):
            code = code or self.task_number(number)
            outer = (self.subheading, self.auto_number, self.last_number)
        self.groups.append(_Group(number, defaults or {}, outer, row))
        self.subheading, self.auto_number, self.last_number = code or number, 0, ""
        self.headings += 1
        self.group = "" if number else str(self.headings)

    def close_group(self) -> None:
        """Close the innermost heading: after a bullet's or a letter's, its siblings are numbered on."""
        group = self.groups.pop()
        if group.outer is not None:
            self.subheading, self.auto_number, self.last_number = group.outer
        cells = [group.defaults[c] for c in _OWN_TASK if group.defaults.get(c)]
        if group.row is not None and cells and not group.used:
            group.row.unused_heading(cells)

    def close_groups(self) -> None:
        """Close every heading open (at a new area, at the end)."""
        while self.groups:
            self.close_group()

    def leave_groups(self, number: str) -> None:
        """A task numbered beside a heading with cells rather than under it ("2." after "1." and its
        "1.1", "1.2") is out of it: that heading's cells are no defaults for it nor for the rows after.
        So is a bullet or a letter beside a heading written so ("- Kiểm tra" after "- Rà soát" and its "+")."""
        while (
            number
            and self.groups
            and (self.groups[-1].defaults or self.groups[-1].outer is not None)
            and not self.is_under(self.groups[-1].number, number)
        ):
            self.close_group()

    def is_under(self, parent: str, child: str) -> bool:
        """:func:`_is_under`, bullets by their level among the headings open: once "-" heads "+" rows,
        a "-" after them is beside the "-" above, not under a "+" (nor is a "*" that heads them)."""
        if not _is_under(parent, child):
            return False
        if not (_BULLET.match(parent) and _BULLET.match(child)):
            return True
        levels = [group.number for group in self.groups if _BULLET.match(group.number)]
        if child in levels:
            return parent in levels and levels.index(parent) < levels.index(child)
        return True

    def default(self, column: Column) -> str:
        """The cell of the nearest heading above that fills ``column``, if any."""
        group = next((group for group in reversed(self.groups) if group.defaults.get(column)), None)
        if group is None:
            return self.area_defaults.get(column, "")
        group.used = group.used or column in _OWN_TASK
        return group.defaults[column]

    def task_number(self, written: str) -> str:
        """The task's number as written without trailing punctuation; bullets are numbered in order,
        and letters ("a)") are numbered under their heading ("1.a")."""
        number = _plain_number(written)
        if number and _LETTER.fullmatch(number) and self.subheading and not _LETTER.fullmatch(self.subheading):
            return f"{self.subheading}.{number}"
        if number and not _BULLET.match(number):
            return number
        self.auto_number += 1
        return f"{self.subheading}.{self.auto_number}" if self.subheading else str(self.auto_number)

    def finish(self) -> None:
        """Give every task its code ``<area>.<number>``; numbers that restart under each numbered
        sub-heading ("1. Hạ tầng": 1, 2 … "2. Dữ liệu": 1, 2 …) take the sub-heading's number."""
        self.close_groups()
        by_area: dict[str, list[ParsedTask | RefusedRow]] = {}
        rows: list[ParsedTask | RefusedRow] = [*self.appendix.tasks, *self.appendix.refused]  # for the review
        for task in rows:
            by_area.setdefault(task.area, []).append(task)
        for tasks in by_area.values():
            numbers = [t.number for t in tasks]
            # Unnumbered headings ("Nhóm nhiệm vụ về thể chế") count in their area for this.
            if len(set(numbers)) < len(numbers) and all(t.subheading or t.group for t in tasks):
                for task in tasks:
                    prefix = task.subheading or task.group
                    if not task.number.startswith(prefix + "."):
                        task.number = f"{prefix}.{task.number}"
        for row in self.appendix.refused:
            row.code = f"{row.area}.{row.number}" if row.area else row.number
        first_at: dict[str, str] = {}
        for task in self.appendix.tasks:
            task.code = f"{task.area}.{task.number}" if task.area else task.number
            first = first_at.setdefault(task.code, task.where)
            if first != task.where:
                message = _("task number {code} is used twice (first at {first})").format(code=task.code, first=first)
                twice = Problem(task.where, message, task.number, row=task.source_row)
                self.problems.append(twice)
                task.problems.append(twice)
        missing = [_missing_column(table, first, last, column) for column, (table, first, last) in self.missing.items()]
        self.problems[:0] = missing
        self._file_warnings()

    def lacks(self, table: Table, header: _Header, column: Column) -> bool:
        """Whether ``header`` lacks ``column``, one that every task needs (a deadline may also be a
        number of days): then a task needing it is refused by one error for the file (recorded here)."""
        if column in header.columns or (column is Column.DEADLINE and Column.DAYS in header.columns):
            return False
        self.missing.setdefault(column, (table, header.first_index, header.row_index))
        return True

    def bounded(self, deadline: Deadline, where: str) -> Deadline:
        """A repeating deadline without its occurrences before the plan starts or is issued ("Hằng
        tháng" in a plan for the last six months of 2025 is due from July); a one-off deadline before
        the issue date is kept as written and counted for a warning."""
        if self.not_before is None or not deadline.dates:
            return deadline
        start, issued = self.not_before
        if deadline.kind == "recurring":
            kept = tuple(day for day in deadline.dates if day >= start)
            return replace(deadline, dates=kept) if kept else deadline
        if deadline.kind == "fixed" and issued is not None and max(deadline.dates) < issued:
            self.early.append((where, one_line(deadline.text)))
        return deadline

    def written_year(self, deadline: Deadline, where: str) -> None:
        """Count a fixed deadline whose cell writes its year, by that year (all its dates in one)."""
        years = {day.year for day in deadline.dates}
        if deadline.kind != "fixed" or len(years) != 1 or not _WRITTEN_YEAR.search(deadline.text):
            return
        year = years.pop()
        self.written_years[year] += 1
        self.year_example.setdefault(year, (where, deadline.text))

    def _file_warnings(self) -> None:
        """One warning for the whole file per assumption, however many rows it concerns."""
        self._year_mismatch()
        if self.early and self.not_before is not None and self.not_before[1] is not None:
            where, text = self.early[0]
            message = ngettext(
                "{count} one-off deadline falls before the plan's issue date {issued} (for example {where}: "
                "«{text}»): check it",
                "{count} one-off deadlines fall before the plan's issue date {issued} (for example {where}: "
                "«{text}»): check them",
                len(self.early),
            ).format(count=len(self.early), issued=self.not_before[1].strftime("%d/%m/%Y"), where=where, text=text)
            self.problems.append(Problem(self.source, message, severity="warning"))
        if self.undated:
            message = ngettext(
                "{count} deadline counts from the plan's issue date: re-run with --issued DATE to date it",
                "{count} deadlines count from the plan's issue date: re-run with --issued DATE to date them",
                self.undated,
            ).format(count=self.undated)
            self.problems.append(Problem(self.source, message, severity="warning"))
        if self.dated_from_title and self.issued is not None:
            message = ngettext(
                "{count} deadline counts from the plan's issue date: dated from {issued}, the date in the "
                "title; if the plan was issued on another day, re-run with --issued DATE",
                "{count} deadlines count from the plan's issue date: dated from {issued}, the date in the "
                "title; if the plan was issued on another day, re-run with --issued DATE",
                self.dated_from_title,
            ).format(count=self.dated_from_title, issued=self.issued.strftime("%d/%m/%Y"))
            self.problems.append(Problem(self.source, message, severity="warning"))
        if self.phrased:
            message = ngettext(
                "{count} task was read as continuous work (followed up, never overdue) from a deadline cell that"
                " gives no date, only a phrase ({rows}): if it has a deadline, write its date",
                "{count} tasks were read as continuous work (followed up, never overdue) from deadline cells that"
                " give no date, only a phrase ({rows}): if they have deadlines, write their dates",
                len(self.phrased),
            ).format(count=len(self.phrased), rows=_rows_named(self.phrased))
            self.problems.append(Problem(self.source, message, severity="warning"))
        if self.yearless and self.year_from:
            count = len(self.yearless)
            if self.year_from == "deadlines":
                message = ngettext(
                    "{count} deadline gives no year: the plan year {year} was taken from the deadlines that give "
                    "one ({rows})",
                    "{count} deadlines give no year: the plan year {year} was taken from the deadlines that give "
                    "one ({rows})",
                    count,
                )
            elif self.year_from == "title":
                message = ngettext(
                    "{count} deadline gives no year: the plan year {year} was taken from the title ({rows})",
                    "{count} deadlines give no year: the plan year {year} was taken from the title ({rows})",
                    count,
                )
            else:
                message = ngettext(
                    "{count} deadline gives no year: the plan year {year} was taken from the file name ({rows})",
                    "{count} deadlines give no year: the plan year {year} was taken from the file name ({rows})",
                    count,
                )
            text = message.format(count=count, year=self.appendix.year, rows=_rows_named(self.yearless))
            self.problems.append(Problem(self.source, text, severity="warning"))

    def _year_mismatch(self) -> None:
        """A warning when most deadlines written with a year fall in another year than ``--year``."""
        if self.given_year is None or not self.written_years:
            return
        year, count = self.written_years.most_common(1)[0]
        total = self.written_years.total()
        if year == self.given_year or 2 * count <= total:
            return
        where, text = self.year_example[year]
        message = ngettext(
            "{count} of {total} deadline written with a year falls in {other}, not in the plan year {year} "
            "given with --year (for example {where}: «{text}»): check --year",
            "{count} of {total} deadlines written with a year fall in {other}, not in the plan year {year} "
            "given with --year (for example {where}: «{text}»): check --year",
            count,
        ).format(count=count, total=total, other=year, year=self.given_year, where=where, text=one_line(text))
        self.problems.append(Problem(self.source, message, severity="warning"))


class _RowReader:
    """One row under the header, read against its table's columns."""

    def __init__(self, parser: _BodyParser, table: Table, header: _Header, row: Row) -> None:
        self.parser, self.table, self.header, self.row = parser, table, header, row
        self.problems: list[Problem] = []  # this row's
        self.bad: set[Column] = set()  # columns with an error
        self._read_roles: tuple[str, tuple[str, str]] | None = None  # the lead cell and its roles

    def own(self, column: Column) -> str:
        """The row's own cell in ``column``; for the number, the first number column that is filled."""
        if column is Column.DEADLINE and self.header.periods:
            return self._marked()[0]
        indexes = self.header.numbers if column is Column.NUMBER and self.header.numbers else ()
        if not indexes:
            index = self.header.columns.get(column)
            indexes = (index,) if index is not None else ()
        cells = self.row.cells
        return next((cells[i] for i in indexes if i < len(cells) and cells[i]), "")

    def _marked(self) -> tuple[str, list[tuple[_Period, str]]]:
        """The deadline the row's marks in the period columns say ("Quý II - III/2026"), and the cells
        that hold something else than a mark, read as marks all the same (a warning names them)."""
        cells = self.row.cells
        marked: list[_Period] = []
        odd: list[tuple[_Period, str]] = []
        for period in self.header.periods:
            cell = one_line(cells[period.index]) if period.index < len(cells) else ""
            if not cell or _NO_MARK.match(cell):
                continue
            marked.append(period)
            if not _MARK.match(cell):
                odd.append((period, cell))
        return _period_text(self.header.periods, marked, self.parser.appendix.year or None), odd

    def get(self, column: Column) -> str:
        """The row's cell, or the one of the heading it is under when the row leaves it empty. A lead
        cell naming its supporting units ("Sở Nội vụ chủ trì, phối hợp với các sở, ngành") gives them
        to the support column."""
        if column is Column.LEAD:
            return self._roles()[0]
        if column is Column.SUPPORT:
            return "; ".join(part for part in (self._cell(Column.SUPPORT), self._roles()[1]) if part)
        return self._cell(column)

    def _roles(self) -> tuple[str, str]:
        """The lead cell's lead part and the supporting units it marks (see :func:`_roles`)."""
        cell = self._cell(Column.LEAD)
        if self._read_roles is None or self._read_roles[0] != cell:
            self._read_roles = (cell, _roles(cell, self.parser.matcher))
        return self._read_roles[1]

    def _cell(self, column: Column) -> str:
        return self.own(column) or (self.parser.default(column) if column in _INHERITED else "")

    def skipped(self) -> bool:
        """Blank rows, notes under the table ("Ghi chú: …"), its total ("Tổng cộng: 25 nhiệm vụ") and
        the numbering row "(1) (2) (3)"."""
        filled = [cell for cell in self.row.cells if cell]
        if not filled or (len(filled) == 1 and _NOTE_ROW.match(match_key(filled[0]))):
            return True
        if _TOTAL_ROW.match(match_key(filled[0])):
            return True
        return _is_numbering_row(self.own(Column.TITLE), filled)

    def heading_number(self) -> str:
        """The number this row would have as a heading: its number cell, else "1." opening its text."""
        number = _plain_number(self.own(Column.NUMBER))
        if _NUMBER_SHAPE.fullmatch(number):
            return number
        # "1. Hạ tầng" written in the number cell (a merged row) or opening the text.
        numbered = _NUMBERED_HEADING.match(number or self.own(Column.TITLE))
        if numbered:
            return numbered.group(1)
        # "- Khảo sát …", "+ Số hóa …": a bullet opening the text of a row with no number is its number.
        bulleted = None if number else _TEXT_BULLET.match(self.own(Column.TITLE))
        return bulleted.group(1) if bulleted else ""

    def is_area(self) -> bool:
        number = self.own(Column.NUMBER)
        return bool(_ROMAN.match(number.rstrip("."))) or self.parser.is_letter_area(number)

    def where(self, column: Column) -> str:
        label = self.header.labels.get(column) or _(COLUMN_LABELS[column])
        return self.table.where(self.row.number, self.header.columns.get(column), label)

    def problem(
        self, column: Column, message: str, value: str = "", *, warning: bool = False, row_only: bool = False
    ) -> None:
        """A problem of the row in ``column``. ``row_only``: said in the row's review note only, the
        file's refusal saying it once (a column the header lacks)."""
        if column is Column.SUPPORT and value and match_key(value) not in match_key(self._cell(Column.SUPPORT)):
            column = Column.LEAD  # a supporting unit the lead cell names ("X (chủ trì), Y"): that cell
        found = Problem(
            self.where(column),
            message,
            one_line(value),
            severity="warning" if warning else "error",
            row=self.row.number,
            column=_column_name(self.table, self.header.columns.get(column)),
            header=self.header.labels.get(column) or _(COLUMN_LABELS[column]),
        )
        if not row_only:
            self.parser.problems.append(found)
        self.problems.append(found)
        if not warning:
            self.bad.add(column)

    def read(self, following: _RowReader | None = None) -> None:
        """Read the row; ``following`` is the next row that is not skipped (a heading is known by the
        numbered rows under it)."""
        if self.skipped():
            return
        previous, self.parser.last_task = self.parser.last_task, None
        if previous is not None and self._goes_on(following):
            # The rest of the task's text after a page break: its number again, or none and the text
            # going on in lower case ("… kết nối" | "với Cổng dịch vụ công quốc gia").
            previous.title = f"{previous.title} {_task_title(self.own(Column.TITLE))}"
            self.parser.last_task = previous
            return
        area = self.header.columns.get(Column.AREA)
        if self._starts_area() is None:
            return  # the area's name on a row of its own
        self._unsaved_formulas()
        filled = [cell for i, cell in enumerate(self.row.cells) if cell and i != area] or [
            cell for cell in self.row.cells if cell
        ]
        number, title = self.own(Column.NUMBER), self.own(Column.TITLE)
        if self.is_area():
            defaults = {c: self.own(c) for c in _INHERITED if self.own(c)}
            name = title or next(c for c in self.row.cells if c and c != number)
            self.parser.start_area(_plain_number(number), name, defaults)
            return
        if not any(self.own(c) for c in _INHERITED):
            if self._inherits(following):
                self._task(number, title)  # "1.1 | Nâng cấp …" with every cell left to its heading
            else:
                self._heading(filled[0], number, title)
            return
        if following is not None and not following.is_area():
            heading = self.heading_number()
            if self.parser.is_under(heading, following.heading_number()) and not self._unnumbered_between(following):
                defaults = {c: self.own(c) for c in _INHERITED if self.own(c)}
                if (_BULLET.match(heading) or _LETTER.fullmatch(heading)) and self._states_task(following):
                    # "- | Rà soát văn bản | Phòng Tư pháp | Quý II" over "+" rows of their own: a task,
                    # and the "+" rows its sub-tasks (3.1, then 3.1.1, 3.1.2).
                    self.parser.start_subheading(heading, defaults, code=self._task(number, title))
                    return
                # "1. Hoàn thiện thể chế | Sở Tư pháp | … | 2025" over "1.1", "1.2": a heading whose
                # cells are defaults for its rows.
                self.parser.start_subheading(heading, defaults, row=self)
                return
        self._task(number, title)

    def _starts_area(self) -> bool | None:
        """A "Lĩnh vực" column naming an area other than the current one starts it, numbered by its
        place ("II") unless it writes its numeral ("II. Cải cách thủ tục hành chính"); an empty cell
        (a CSV writes the area once over its tasks) stays in it. Whether the row started one; None
        when the row holds nothing else (the area's name on a row of its own)."""
        name = one_line(self.own(Column.AREA))
        if name and not any(self.own(c) for c in (Column.NUMBER, Column.TITLE, *_INHERITED)):
            self._start_area(name)
            return None
        return self._start_area(name)

    def _start_area(self, name: str) -> bool:
        areas = self.parser.column_areas
        if not name or self.parser.table_areas or (areas and areas[-1] == name):
            return False
        areas.append(name)
        heading = _ROMAN_HEADING.match(name)
        if heading and _ROMAN.match(heading.group(1) or heading.group(3)):
            self.parser.start_area(heading.group(1) or heading.group(3), heading.group(2) or heading.group(4))
        else:
            self.parser.start_area(_roman(len(areas)), name)
        return True

    def _goes_on(self, following: _RowReader | None) -> bool:
        """Whether the row, right under a task, is the rest of that task's text (a row split by a page
        break, or typed on): text only, its number the task's own or none and the text going on in lower
        case, and the row under it the next task ("3" after "2", "2" after "1.2"), an area or none."""
        title = self.own(Column.TITLE)
        text = (self.header.columns.get(Column.TITLE), self.header.columns.get(Column.AREA))
        others = [i for i, cell in enumerate(self.row.cells) if cell and i not in text]
        if not title or any(
            i not in self.header.numbers and i != self.header.columns.get(Column.NUMBER) for i in others
        ):
            return False
        number, before = _plain_number(self.own(Column.NUMBER)), self.parser.last_number
        if number:
            if number != before or not _DOTTED.fullmatch(number):
                return False
        elif self.heading_number() or not title.lstrip()[:1].islower():
            return False
        if following is None or following.is_area():
            return True
        return _next_number(before, following.heading_number())

    def unused_heading(self, cells: list[str]) -> None:
        """The warning of a heading row naming its own lead unit or deadline that no row under it took
        (each names its own): nobody is chased for what it says."""
        column = next(c for c in _OWN_TASK if self.own(c))
        message = _(
            "read as a heading over the rows under it, which each name their own lead unit and deadline: its"
            " cells ({cells}) go to no task and nobody is chased for them; if this row is also a task, write it"
            " again as a row of its own under the heading"
        ).format(cells=", ".join(f"«{one_line(cell)}»" for cell in cells))
        self.problem(column, message, self.own(Column.TITLE) or self.own(Column.NUMBER), warning=True)

    def _states_task(self, following: _RowReader) -> bool:
        """Whether the row, a bullet or a letter over rows under it, is a task of its own: it names its
        lead unit or deadline, and so does the row under it (rows with text only are its parts)."""
        return any(self.own(c) for c in _OWN_TASK) and any(following.own(c) for c in _OWN_TASK)

    def _unsaved_formulas(self) -> None:
        """An error for each cell read that is a formula with no saved value (a file a program wrote
        and Excel never saved): what Excel would show there is unknown, so it is not guessed."""
        columns: list[tuple[Column, int]] = [(c, i) for c, i in self.header.columns.items() if c is not Column.NUMBER]
        numbers = self.header.numbers or tuple(i for c, i in self.header.columns.items() if c is Column.NUMBER)
        columns += [(Column.NUMBER, index) for index in numbers]
        for column, index in columns:
            formula = self.row.unsaved.get(index)
            if formula is None:
                continue
            where = self.table.where(self.row.number, index, self.header.labels.get(column, ""))
            message = _(
                "the cell is a formula with no saved value: open the file in Excel, save it and import it again"
            )
            found = Problem(
                where,
                message,
                formula,
                row=self.row.number,
                column=_column_name(self.table, index),
                header=self.header.labels.get(column) or _(COLUMN_LABELS[column]),
            )
            self.parser.problems.append(found)
            self.problems.append(found)
            self.bad.add(column)

    def _inherits(self, following: _RowReader | None) -> bool:
        """Whether a row with text only is a task taking every cell from the heading it is under: the
        heading (or area row) fills some, the row is numbered under it, and no numbered row of its own
        follows."""
        groups = self.parser.groups
        # Under a heading, or straight under an area row that fills some cells.
        parent = groups[-1] if groups else _Group("", self.parser.area_defaults)
        if not parent.defaults or not self.own(Column.TITLE):
            return False
        number = self.heading_number()
        if not self.parser.is_under(parent.number, number):
            return False
        return following is None or following.is_area() or not self.parser.is_under(number, following.heading_number())

    def _heading(self, first: str, number: str, title: str) -> None:
        """A row with only a heading: an area ("I. CÔNG TÁC …") or a sub-heading ("1. Hạ tầng")."""
        match = _ROMAN_HEADING.match(first)
        if match and _ROMAN.match(match.group(1) or match.group(3)):
            self.parser.start_area(match.group(1) or match.group(3), match.group(2) or match.group(4))
            return
        lettered = _LETTER_HEADING.match(first)
        if lettered and self.parser.letter_areas:  # "A. NHIỆM VỤ CHUNG" merged across the row
            self.parser.start_area(lettered.group(1), lettered.group(2))
            return
        if number and title:  # "1" | "Hạ tầng và ứng dụng"
            self.parser.start_subheading(number.rstrip(".)"))
            return
        numbered = _NUMBERED_HEADING.match(first)  # "1. Hạ tầng và ứng dụng" in one cell
        # "- Nhóm văn bản" over "+" rows: numbered in its place, as the bullet in the number cell would be.
        bulleted = None if number else _TEXT_BULLET.match(title)
        self.parser.start_subheading(numbered.group(1) if numbered else bulleted.group(1) if bulleted else "")

    def _unnumbered_between(self, following: _RowReader | None) -> bool:
        """Whether the row is a task left without a number among numbered ones: no number nor bullet,
        after a numbered task, and before the next number of that task ("2", this row, "3") that
        takes none of its cells, or before another row without a number. Such a row opens no group
        (a heading over "1", "2", or over a "3" leaving its lead to it, does)."""
        before, title = self.parser.last_number, self.own(Column.TITLE)
        if self.heading_number() or not title or not _DOTTED.fullmatch(before):
            return False
        if title.isupper() or _GROUP_WORDS.match(match_key(title)):  # "Nhóm nhiệm vụ về …": a heading
            return False
        if following is None or following.is_area() or not following.heading_number():
            return True
        successor = before.rsplit(".", 1)
        successor[-1] = str(int(successor[-1]) + 1)
        takes = any(self.own(c) and not following.own(c) for c in _INHERITED)
        return following.heading_number() == ".".join(successor) and not takes

    def _task(self, number: str, title: str) -> str:
        """Read the row as a task (or a refused row); its number."""
        self.parser.leave_groups(self.heading_number())
        if not title:
            self.problem(Column.TITLE, _("the task has no content"))
        if title and not number and self.parser.last_number and not self.heading_number():
            message = _(
                "a task without a number (STT) after task {before}: write its number in the cell, or a"
                " bullet «-» before its text if it is part of the task above"
            ).format(before=".".join(part for part in (self.parser.area, self.parser.last_number) if part))
            self.problem(Column.NUMBER, message, title)
        elif number:
            self.parser.last_number = _plain_number(number)
        lead = self._units(Column.LEAD)
        support = self._units(Column.SUPPORT)
        deadline = self._deadline()
        if deadline is not None:
            deadline = self.parser.bounded(deadline, self.table.where(self.row.number))
        if deadline is not None and not self.header.periods:  # not a year the row writes
            self.parser.written_year(deadline, self.table.where(self.row.number))
        # "a) Rà soát …", "1.2. Rà soát …" with no number cell is numbered as if "a)", "1.2" were in it
        # (I.1.a, 1.2), and its title leaves the number out. A number restarting under a heading
        # numbered in the STT column ("1" | "Cải cách thể chế" over "1. Rà soát …", "2. Kiểm tra …")
        # counts under it (1.1, 1.2): its own would be the next headings' numbers.
        written = None if number else _TEXT_NUMBER.match(one_line(title))
        if written:
            title = written.group(2)
        own = written.group(1) if written else ""
        if _DOTTED.fullmatch(own) and Column.NUMBER in self.header.columns:
            own = own if self.parser.is_under(self.parser.subheading, own) else ""
        number = self.parser.task_number(number or own)
        if self.bad or deadline is None:
            area = self.parser.area
            refused = RefusedRow(
                code=f"{area}.{number}" if area else number,
                area=area,
                number=number,
                title=_task_title(title),
                product=one_line(self.get(Column.PRODUCT)),
                note=one_line(self.get(Column.NOTE)),
                lead=lead,
                support=[unit for unit in support if unit not in lead],
                cells={
                    Column.LEAD: self.get(Column.LEAD),
                    Column.SUPPORT: self.get(Column.SUPPORT),
                    **dict(zip((Column.DEADLINE, Column.DAYS), self._deadline_cells(), strict=True)),
                },
                bad=set(self.bad),
                source_row=self.row.number,
                problems=self.problems,
                sequence=self.parser.next_sequence(),
                subheading=self.parser.subheading,
                group=self.parser.group,
            )
            self.parser.appendix.refused.append(refused)
            self.parser.last_task = refused
            return number
        task = ParsedTask(
            code="",  # given once the whole table is read (see _BodyParser.finish)
            area=self.parser.area,
            number=number,
            title=_task_title(title),
            product=one_line(self.get(Column.PRODUCT)),
            note=one_line(self.get(Column.NOTE)),
            lead=lead,
            support=[unit for unit in support if unit not in lead],
            deadline=deadline,
            source_row=self.row.number,
            subheading=self.parser.subheading,
            group=self.parser.group,
            where=self.where(Column.NUMBER),
            problems=self.problems,
            sequence=self.parser.next_sequence(),
        )
        self.parser.appendix.tasks.append(task)
        self.parser.last_task = task
        if deadline.kind == "continuous" and _phrase_only(deadline.text):
            self.parser.phrased.append((self.table.where(self.row.number), one_line(deadline.text)))
        return number

    def _units(self, column: Column) -> list[str]:
        """The units a cell names. Vague phrases ("các đơn vị liên quan") and unknown names are left
        out with a warning, unless the cell is a lead cell naming no unit at all: that is an error."""
        text = self.get(column)
        reading = self.parser.matcher.read(text)
        targets = reading.targets
        # "các sở, ngành khác" may read as a group narrowed by "khác": vague all the same.
        vague = [fragment for fragment in reading.unknown + reading.qualified if is_vague(fragment)]
        unknown = [fragment for fragment in reading.unknown if not is_vague(fragment)]
        qualified = [fragment for fragment in reading.qualified if not is_vague(fragment)]
        no_lead = column is Column.LEAD and not targets
        for fragment in unknown:
            self.problem(column, self._unknown(fragment, left_out=not no_lead), fragment, warning=not no_lead)
        # "các xã có đồng bào dân tộc": some of the group's units, which the registry cannot tell.
        for fragment in qualified:
            hint = _(
                "or, if it means every unit of a group, add it to that group's aliases in the YAML registry file"
                " (dondoc units import --write-yaml FILE writes one from a list of units)"
            )
            self.problem(column, f"{_(QUALIFIED_COLLECTIVE)} ({hint})", fragment, warning=True)
        # "Các đơn vị trực thuộc Bộ" when the registry has only "Các đơn vị thuộc Bộ": another set in law.
        for fragment, written, group, declared in reading.read_as:
            message = _(
                "read as the registry's group «{group}», although the cell says «{written}» where the group's"
                " name says «{declared}»; check that this group is meant, or register the name as written"
                " (a group of its own, or an alias of the group meant in the YAML registry file) and import the"
                " registry again"
            ).format(group=group, written=written, declared=declared)
            self.problem(column, message, fragment, warning=True)
        # "Các sở, ban, ngành, địa phương": the local governments under the deployment, which the clerk checks.
        local = self.parser.matcher.local() if reading.local else None
        if local is not None:
            message = _(
                "«địa phương» (the localities) read as «{local}» ({count} units): the local governments under"
                " this organisation; check that they are meant, or write the units meant in the cell"
            ).format(local=local[1], count=len(local[0].units))
            for fragment in reading.local:
                self.problem(column, message, fragment, warning=True)
        if no_lead and not text and self.parser.lacks(self.table, self.header, Column.LEAD):
            self.problem(column, _("no lead unit"), row_only=True)
        elif no_lead and not unknown:
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
        if self.parser.matcher.names_organisation(fragment):
            # "UBND xã" in a commune's own plan: the body itself, which the registry lists no unit for.
            if left_out:
                return _(
                    "the organisation itself, not one of its units: left out (to count it, add this name to the"
                    " «Tên gọi khác» column of the unit that does the work in the list of units, or to its aliases"
                    " in the YAML registry file, and import it again)"
                )
            return _(
                "the organisation itself, not one of its units: write the unit that leads the task in the"
                " cell, or add this name to the «Tên gọi khác» column of that unit (e.g. the coordinator) in the"
                " list of units (or to its aliases in the YAML registry file) and import it again"
            )
        fits = self.parser.matcher.ambiguous(fragment)
        if fits:
            # "Sở Nội vụ" when the registry has "Sở Nội vụ tỉnh Quảng Trị" and "Sở Nội vụ tỉnh Hà Tĩnh".
            names = "; ".join(fits)
            if left_out:
                return _(
                    "the name fits several units of the registry, left out: {names}; write the one meant, or"
                    " add the name to its «Tên gọi khác» column in the list of units (or to its aliases in the"
                    " YAML registry file) and import it again"
                ).format(names=names)
            return _(
                "the name fits several units of the registry: {names}; write the one meant in the cell, or"
                " add the name to its «Tên gọi khác» column in the list of units (or to its aliases in the"
                " YAML registry file) and import it again"
            ).format(names=names)
        groups = self.parser.matcher.group_names() if self.parser.matcher.names_collective(fragment) else []
        if groups:
            # "Các cơ quan chuyên môn thuộc UBND tỉnh": a group's name the registry words otherwise.
            message = (
                _("unknown unit (a collective name), left out") if left_out else _("unknown unit (a collective name)")
            )
            message += self._localities_note(fragment)
            nearest = self.parser.suggest(fragment)
            if nearest:
                message += " " + _("(nearest in the registry: {names})").format(names="; ".join(nearest))
            if left_out:
                hint = _(
                    "to count it, add the name to the aliases of the group it means (its groups: {names}) in the"
                    " YAML registry file (dondoc units import --write-yaml FILE writes one from a list of units)"
                    " and import that file"
                )
            else:
                hint = _(
                    "correct the cell, or add the name to the aliases of the group it means (its groups: {names})"
                    " in the YAML registry file (dondoc units import --write-yaml FILE writes one from a list of"
                    " units) and import that file"
                )
            return message + "; " + hint.format(names="; ".join(groups))
        message = _("unknown unit, left out") if left_out else _("unknown unit")
        message += self._localities_note(fragment)
        nearest = self.parser.suggest(fragment)
        if nearest:
            message += " " + _("(nearest in the registry: {names})").format(names="; ".join(nearest))
        if not left_out:
            message += "; " + _(
                "correct the cell, or add the name to the «Tên gọi khác» column of the unit it means in the list"
                " of units (or to its aliases in the YAML registry file) and import it again"
            )
        return message

    def _localities_note(self, fragment: str) -> str:
        """What to tell of "địa phương" in ``fragment`` where the registry has no local governments under the
        organisation to read it as (a ministry's or a commune's plan)."""
        words = match_key(fragment).split()
        if not any(words[k : k + 2] == ["dia", "phuong"] for k in range(len(words))) or self.parser.matcher.local():
            return ""
        return ": " + _(
            "«địa phương» (the localities) names no unit of this registry, which lists no local"
            " governments (xã, phường, đặc khu) under this organisation"
        )

    def _relative(self, text: str, offset: Offset) -> Deadline:
        if self.parser.issued is None:
            self.parser.undated += 1
        elif self.parser.issued_from_title:
            self.parser.dated_from_title += 1
        return relative_deadline(text, offset, self.parser.issued)

    def _read(self, text: str, year: int | None, cell: str = "") -> Deadline:
        """``text`` read as a deadline; one given the plan year is noted with its row and ``cell`` (the
        whole cell, when ``text`` is a part of it)."""
        deadline = parse_deadline(text, year)
        writes_year = _WRITTEN_YEAR.search(text) or _SHORT_YEAR_DATE.search(text)
        if self.parser.year_from and deadline.kind == "fixed" and not writes_year:
            self.parser.yearless.append((self.table.where(self.row.number), one_line(cell or text)))
        return deadline

    def _deadline_cells(self) -> tuple[str, str]:
        """The deadline and number-of-days cells the task's deadline is read from: the row's own when
        it fills either (its "30" days is not overridden by its heading's "Quý II"), else the heading's."""
        own = self.own(Column.DEADLINE), self.own(Column.DAYS)
        return own if any(own) else (self.get(Column.DEADLINE), self.get(Column.DAYS))

    def _deadline(self) -> Deadline | None:
        if not self.header.periods:
            return self._cell_deadline()
        text, odd = self._marked()
        for period, cell in odd:
            label = f"{self.header.period_group} {period.label}".strip()
            message = _("not a mark: read as one (the task is done in {period}); check it").format(period=period.label)
            found = Problem(
                self.table.where(self.row.number, period.index, label),
                message,
                cell,
                severity="warning",
                row=self.row.number,
                column=_column_name(self.table, period.index),
                header=label,
            )
            self.parser.problems.append(found)
            self.problems.append(found)
        deadline = self._cell_deadline()
        year = self.parser.appendix.year
        if deadline is None or not year or deadline.kind != "recurring" or text not in _EVERY_PERIOD.values():
            return deadline
        # Marked in every period: each period of the table is due at its end, in its own year.
        ends = sorted({_period_bounds(period, year)[1] for period in self.header.periods})
        return replace(deadline, dates=tuple(ends))

    def _cell_deadline(self) -> Deadline | None:
        year = self.parser.appendix.year or None
        text, cell = self._deadline_cells()
        if not text and cell:
            days = duration_days(cell)
            if days is None:
                self.problem(Column.DAYS, _("not a number of days"), cell)
                return None
            label = self.header.labels.get(Column.DAYS) or _(COLUMN_LABELS[Column.DAYS])
            return self._relative(f"{label}: {one_line(cell)}", Offset(days))
        if not text:
            # Some appendices put the deadline in the note column ("Ghi chú: Quý II/2022"): a date or
            # a period there, never a "continuous" reading of what a note says ("Thực hiện theo Kế
            # hoạch số …", "Khi có yêu cầu"): an empty deadline cell stays a missing deadline.
            try:
                noted = parse_deadline(self.get(Column.NOTE), year)
                if noted.kind in ("fixed", "recurring"):
                    return noted
            except DeadlineError:
                pass
            lacking = self.parser.lacks(self.table, self.header, Column.DEADLINE)
            if self.header.periods:  # as an empty deadline cell: the row says when in no period
                self.problem(Column.DEADLINE, _("no deadline: no period is marked"))
            else:
                self.problem(Column.DEADLINE, _("no deadline"), row_only=lacking)
            return None
        offset = relative_offset(text)
        if offset is not None:
            return self._relative(text, offset)
        try:
            dated = dated_offset(text)
            if dated is not None:  # "Sau 30 ngày kể từ ngày 15/01/2022": the event's date, then the offset
                event = self._read(dated[1], year, text)
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


# The closing lines under a table: "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", a signer's
# title alone ("PHÓ CHỦ TỊCH", "GIÁM ĐỐC"), "(đã ký)", "(Ký, ghi rõ họ tên)", "Người lập biểu".
_SIGNATURE = re.compile(
    r"^(?:noi nhan\b|(?:tm|kt|tl|tuq|q)\s*[./]\s*\w|t/m\b|k/t\b|nguoi lap\b|nguoi ky\b|nguoi duyet\b"
    r"|thu truong (?:don vi|co quan)\b|xac nhan cua\b)"
    r"|^(?:pho )?(?:chu tich|giam doc|truong ban|truong phong|chanh van phong|thu truong|bi thu|tong giam doc)$"
    r"|^\((?:da ky|ky|ky ten|ky,? ghi ro ho ten|ky,? dong dau)\b"
)


def _is_signature(cell: str) -> bool:
    return bool(_SIGNATURE.search(fold(one_line(cell)).rstrip(" :;.")))


def _task_shaped(row: Row, header: _Header) -> bool:
    """Whether a row reads as a task or an area: a number ("1", "1.2", "a)", "-", "II") in its number
    column and some other cell filled."""
    indexes = header.numbers or tuple(i for c, i in header.columns.items() if c is Column.NUMBER)
    for index in indexes:
        number = _plain_number(row.cells[index]) if index < len(row.cells) else ""
        if number and (_NUMBER_SHAPE.fullmatch(number) or _ROMAN.match(number)):
            return any(cell for i, cell in enumerate(row.cells) if cell and i != index)
    return False


def _repeats_header(row: Row, labels: list[Row]) -> bool:
    """Whether ``row`` is one of the header rows ``labels`` again: two cells at least, each the label
    of its column in that header row (case, diacritics and punctuation aside)."""
    filled = [(i, match_key(cell)) for i, cell in enumerate(row.cells) if match_key(cell)]
    if len(filled) < 2:
        return False
    return any(all(i < len(label.cells) and match_key(label.cells[i]) == key for i, key in filled) for label in labels)


def _join_spread_tasks(header: _Header, rows: list[Row]) -> list[Row]:
    """One task written over several rows: its number and text cells merged down them, a unit (or a
    product) per row. Each lower row's own cells are joined to the first row's, line by line. A row
    whose number cell is merged with the one above and whose text cell is left empty (not merged) is
    the same task: the number says so."""
    keys = list(header.numbers[:1])
    if not keys and Column.NUMBER in header.columns:
        keys.append(header.columns[Column.NUMBER])
    numbers = list(keys)
    title = header.columns.get(Column.TITLE)
    if title is not None:
        keys.append(title)
    if not keys:
        return rows
    joined: list[Row] = []
    for row in rows:
        merged = all(i in row.continued for i in keys)
        if not merged and numbers and all(i in row.continued for i in numbers):
            merged = title is not None and title < len(row.cells) and not row.cells[title].strip()
        spread = joined and merged and any(row.cells[i] for i in keys)
        if not spread:
            joined.append(row)
            continue
        first = joined[-1]
        cells = list(first.cells) + [""] * max(0, len(row.cells) - len(first.cells))
        for index, cell in enumerate(row.cells):
            if cell and index not in row.continued and cell not in cells[index].split("\n"):
                cells[index] = f"{cells[index]}\n{cell}" if cells[index] else cell
        joined[-1] = replace(first, cells=cells)
    return joined


def _body_end(rows: list[Row], header: _Header) -> int:
    """Where the table's body ends: at the first closing line ("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH", a signer's name under it …) after the last task-shaped row; what follows is not read."""
    last = max((i for i, row in enumerate(rows) if _task_shaped(row, header)), default=-1)
    for index in range(last + 1, len(rows)):
        if any(_is_signature(cell) for cell in rows[index].cells if cell):
            return index
    return len(rows)


def _is_numbering_row(title: str, filled: list[str]) -> bool:
    """The "(1) (2) (3)…" row under a header: every filled cell is a small number."""
    return (
        len(filled) >= 2
        and all(_NUMBERING_CELL.match(cell) for cell in filled)
        and (not title or bool(_NUMBERING_CELL.match(title)))
    )


@dataclass
class _Group:
    number: str  # as written without trailing punctuation; "" for an unnumbered heading
    defaults: dict[Column, str]  # its unit, product and deadline cells
    # A bullet's or a letter's: the numbering around it (sub-heading, last auto number, last number
    # written), taken up again when it closes.
    outer: tuple[str, int, str] | None = None
    row: _RowReader | None = None  # the heading row, when its own cells may go to no task
    used: bool = False  # whether a row under it took its lead unit, deadline or number of days


# The cells a task takes from the heading it is under when it leaves them empty (a deadline and a
# number of days are one: a row filling either takes neither from its heading, see _deadline_cells).
_INHERITED = (Column.LEAD, Column.SUPPORT, Column.DEADLINE, Column.PRODUCT, Column.DAYS)
_OWN_TASK = (Column.LEAD, Column.DEADLINE, Column.DAYS)  # the cells that make a row a task of its own
_LETTER = re.compile(r"[a-zđ]")
_DOTTED = re.compile(r"\d+(?:\.\d+)*")
_NUMBER_SHAPE = re.compile(r"\d+(?:\.\d+)*|[a-zđ]|[-+•*–]")
# The number opening a task's text when its number cell is empty: "1.2. Rà soát …", "a) Kiểm tra …",
# "b.Tổng kết"; not a figure ("30.000 hồ sơ", "2025 là năm …", "100% hồ sơ").
_TEXT_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*|[a-zđ])\s?[.)](?:\s+|(?=[^\W\d_]))(\S.*)$", re.DOTALL)


# Role marks in a unit cell, folded: "chủ trì", "phối hợp (với)", in parentheses or followed by a
# colon, and their initials in parentheses ("(CT)", "(PH)"). Before the names they name ("Chủ trì:
# X", "phối hợp với Y") or after them ("X (chủ trì)", "Y, Z phối hợp", "X (CT)").
_ROLE_MARK = re.compile(
    r"(?<![a-z0-9])(\(\s*)?((?:(?:dong|cung)\s*)?chu\s*tri|phoi\s*hop(?:\s*voi)?|(?<=\()ct(?=\s*\))|(?<=\()ph(?=\s*\)))"
    r"\b(\s*\))?(\s*:)?"
)
# A lead mark shared by every name before it: "Sở A, Sở B (đồng chủ trì)", "A, B cùng chủ trì".
_JOINT_LEAD = re.compile(r"^(?:dong|cung)\b")
_CLAUSE_BREAK = re.compile(r"[;\n]")
_HAS_NAME = re.compile(r"[a-z0-9]")


def _is_lead(mark: re.Match[str]) -> bool:
    return mark.group(2).startswith(("chu", "ct", "dong", "cung"))


def _roles(cell: str, matcher: UnitMatcher | None = None) -> tuple[str, str]:
    """A lead cell split into its lead part and the supporting units it marks: "X chủ trì, phối hợp
    với Y", "Chủ trì: X; phối hợp: Y, Z", "X (chủ trì); Y, Z (phối hợp)", "X chủ trì; Y phối hợp",
    on one line or several. Names no mark claims are leads, but for those after a lead marked behind
    its names ("X (chủ trì), Y"), which support it, and for those before the name a lead mark
    follows ("Y, X (chủ trì)", "Y\nX (CT)"): the mark names the one it follows, the others support
    it (unless it is shared: "Y, X (đồng chủ trì)"). ``matcher`` tells where that name starts
    (registered names may hold commas: "UBND các xã, phường (chủ trì)" is one name)."""
    folded = fold(cell)
    if len(folded) != len(cell):
        return cell, ""
    marks = [mark for mark in _ROLE_MARK.finditer(folded) if len(mark.group(2)) > 2 or mark.group(3)]
    if not marks:
        return cell, ""
    # The text between marks, each piece split into clauses at ";" and line breaks.
    bounds = [0, *(edge for mark in marks for edge in (mark.start(), mark.end())), len(cell)]
    pieces = [_clauses(cell[bounds[2 * i] : bounds[2 * i + 1]]) for i in range(len(marks) + 1)]
    roles: list[list[Column]] = [[Column.LEAD] * len(clauses) for clauses in pieces]
    claimed = [False] * len(pieces)
    for i, mark in enumerate(marks):
        role = Column.LEAD if _is_lead(mark) else Column.SUPPORT
        if _is_suffix(marks, i, folded):  # the clauses before it, but one a mark before it claims
            claimed_first = i > 0 and not _is_suffix(marks, i - 1, folded)
            roles[i] = [roles[i][0] if claimed_first and k == 0 else role for k in range(len(roles[i]))]
            claimed[i] = True
        else:  # the clauses after it (a suffix mark after them takes all but the first)
            roles[i + 1] = [role] * len(roles[i + 1])
            claimed[i + 1] = True
    # Names after a lead marked behind them that no mark claims support it: "X (chủ trì), Y".
    for i, mark in enumerate(marks):
        if _is_lead(mark) and _is_suffix(marks, i, folded) and not claimed[i + 1]:
            roles[i + 1] = [Column.SUPPORT] * len(roles[i + 1])
    # Names before the one a lead mark follows support it: "Y, X (chủ trì)", "Y\nX (CT)".
    for i, mark in enumerate(marks):
        if not _is_lead(mark) or _JOINT_LEAD.match(mark.group(2)) or not _is_suffix(marks, i, folded):
            continue
        first = 1 if i > 0 and not _is_suffix(marks, i - 1, folded) else 0  # a mark before claims it
        marked = [k for k in range(first, len(pieces[i])) if roles[i][k] is Column.LEAD]
        for k in marked[:-1]:
            roles[i][k] = Column.SUPPORT
        if marked and matcher is not None:
            split = _last_name(pieces[i][marked[-1]], matcher)
            if split is not None:
                k = marked[-1]
                pieces[i][k : k + 1] = split
                roles[i][k : k + 1] = [Column.SUPPORT, Column.LEAD]
    read = [
        (clause, kind)
        for clauses, kinds in zip(pieces, roles, strict=True)
        for clause, kind in zip(clauses, kinds, strict=True)
    ]
    lead = "; ".join(clause for clause, kind in read if kind is Column.LEAD)
    return lead, "; ".join(clause for clause, kind in read if kind is Column.SUPPORT)


def _last_name(clause: str, matcher: UnitMatcher) -> list[str] | None:
    """A clause of names split before its last one, at a comma ("Sở Tư pháp, Sở Nội vụ" → "Sở Tư
    pháp" | "Sở Nội vụ"; "Sở A, Sở B và Sở C" → "Sở A" | "Sở B và Sở C"), when the part after the
    comma reads as registered names only and the two parts read as the whole clause does: a comma
    inside a registered name ("UBND các xã, phường") splits nothing. None when there is no such comma."""
    whole = matcher.read(clause)
    for cut in reversed([at for at, char in enumerate(clause) if char == ","]):
        head, tail = clause[:cut].strip(" ,;:.-–\t"), clause[cut + 1 :].strip(" ,;:.-–\t")
        if not _HAS_NAME.search(fold(head)):
            continue
        after = matcher.read(tail)
        if not after.targets or after.unknown or after.qualified:
            continue
        before = matcher.read(head)
        if before.targets + after.targets == whole.targets and before.unknown + after.unknown == whole.unknown:
            return [head, tail]
    return None


def _is_suffix(marks: list[re.Match[str]], i: int, folded: str) -> bool:
    """Whether role mark ``i`` follows the names it marks: in parentheses, or with no name after it
    before the clause ends ("X chủ trì; …", "X chủ trì, phối hợp với Y") or before a comma ("X chủ
    trì, Y và Z phối hợp"); a colon says it precedes."""
    mark = marks[i]
    if mark.group(1) and mark.group(3):
        return True
    after = folded[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(folded)]
    if mark.group(4):
        return False
    return after.lstrip().startswith(",") or not _HAS_NAME.search(_CLAUSE_BREAK.split(after, maxsplit=1)[0])


def _clauses(text: str) -> list[str]:
    """The clauses of a piece of a unit cell that name something, trimmed of punctuation."""
    parts = (part.strip(" ,;:.()-–\t") for part in _CLAUSE_BREAK.split(text))
    return [part for part in parts if _HAS_NAME.search(fold(part))]


# Deadline cells that say continuous work plainly ("Thường xuyên", "Liên tục", "Hằng ngày"), or write a
# date or a period ("Từ tháng 3/2026"): not a phrase standing for a deadline (folded).
_PLAIN_CONTINUOUS = re.compile(
    r"\b(?:thuong\s*xuyen|lien\s*tuc|hang\s*(?:ngay|tuan|thang|quy|nam)|ca\s*nam|trong\s*nam)\b"
    r"|\d\s*/\s*\d|(?<!\d)(?:19|20)\d\d(?!\d)|\bthang\s*\d|\bquy\s*(?:iv|i{1,3}|[1-4])\b"
)


def _phrase_only(text: str) -> bool:
    """Whether a deadline cell read as continuous gives no date, only a phrase: "Khi có yêu cầu", "Theo
    chỉ đạo của UBND tỉnh", "Theo tiến độ của Trung ương" — not "Thường xuyên", "Liên tục"."""
    return not _PLAIN_CONTINUOUS.search(fold(one_line(text)))


def _task_title(text: str) -> str:
    """A task's text as its title: on one line, without the bullet opening it ("- Rà soát …")."""
    title = one_line(text)
    return _TITLE_BULLET.sub("", title, count=1) or title


def _plain_number(written: str) -> str:
    """A number cell without trailing punctuation nor a word naming what it counts: "1." → "1", "a)"
    → "a", "Bước 2" → "2"."""
    plain = written.strip().rstrip(".):").strip()
    worded = _WORDED_NUMBER.match(fold(plain)) if len(fold(plain)) == len(plain) else None
    return plain[worded.start(1) :] if worded else plain


# A number after the word for what it counts, in a number cell: "Bước 1", "Nhiệm vụ 2", "Mục 3".
_WORDED_NUMBER = re.compile(r"^(?:buoc|nhiem\s*vu|nv|muc|noi\s*dung|hoat\s*dong|giai\s*doan|viec)\s*(\d+(?:\.\d+)*)$")


def _next_number(before: str, after: str) -> bool:
    """Whether ``after`` is the number right after ``before`` at its level or one above it: "3" or
    "1.3" after "1.2", "2" after "1.2"."""
    if not (_DOTTED.fullmatch(before) and _DOTTED.fullmatch(after)):
        return False
    first, then = [int(part) for part in before.split(".")], [int(part) for part in after.split(".")]
    return len(then) <= len(first) and then[:-1] == first[: len(then) - 1] and then[-1] == first[len(then) - 1] + 1


def _is_under(parent: str, child: str) -> bool:
    """Whether a row numbered ``child`` belongs under a heading numbered ``parent`` ("" when it has
    none): "1.1" under "1", "a" under "1" or "1.2", a bullet under any numbered heading or "+" under
    "-", and any numbered row under an unnumbered heading."""
    if not child:
        return False
    if _BULLET.match(child):
        return parent != child
    if not parent:
        return True
    if _BULLET.match(parent):
        return False
    if _LETTER.fullmatch(child):
        return bool(_DOTTED.fullmatch(parent))
    return child.startswith(parent + ".")
