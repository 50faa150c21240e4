"""Deadlines: the "Thời gian / Thời hạn hoàn thành" cell of a plan appendix turned into due dates.

Cells are free text written by many hands: "Quý II/2022", "Trước ngày 15/12/2022", "Tháng 6 và
tháng 12/2022", "Hằng quý", "Thường xuyên", with or without diacritics, on one line or several.
Matching runs over the folded text (no diacritics, lower case, single spaces). Each kind of phrase
is found by one regex; the passes run from the most specific to the loosest and blank out what they
consumed, so "Quý II/2022" is never reread as the bare month "2/2022", nor "ngày 15 tháng 12" as
"tháng 12".

A period (month, quarter, half-year, year) is due on its last day; a span ("Giai đoạn 2021–2025",
"01/3 - 30/6/2025") on the last day of its end. Work with no end of its own ("Thường xuyên",
"Liên tục", "Theo tiến độ", "Theo chỉ đạo", "Từ ngày ban hành Kế hoạch trở đi") is continuous. A period written without a year
takes the next year written after it in the cell ("Quý II và Quý IV/2022"), else the plan year,
else any year written in the cell.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from dondoc.i18n import _
from dondoc.text import fold, one_line

# "undated": counted from an event the file does not date, the plan's issue date (see relative.py).
DeadlineKind = Literal["fixed", "recurring", "continuous", "undated"]
Every = Literal["month", "quarter", "half-year", "year"]


@dataclass(frozen=True)
class Deadline:
    text: str  # the cell text as given (stripped)
    kind: DeadlineKind
    every: Every | None  # recurring only
    dates: tuple[date, ...]  # sorted, unique; empty for continuous and undated
    offset_days: int | None = None  # relative deadlines: days after the plan's issue date


class DeadlineError(ValueError):
    """A cell that is not a deadline; ``str(err)`` is a short message, already translated.

    The message does not repeat the cell: whoever reports it shows the cell beside it."""


class MissingYear(DeadlineError):
    """The cell needs a year and neither the cell nor the plan gives one."""


# --- patterns (over folded text) -------------------------------------------------------------

# An optional year after a period: "/2022", "-2022", ", 2022", " năm 2022".
_YEAR_TAIL = r"(?:\s*[/,-]?\s*(?:nam\s*)?(?P<year>\d{4})(?!\d))?"
# Between the items of a list ("6, 9 và 12") or the ends of a range ("I - IV", "3 đến 6").
_SEP = r"\s*(?:,|;|&|\+|\bva\b|\bden\b|\btoi\b|-|–)\s*"
_RANGE_SEP = re.compile(r"-|–|den|toi")
_QUARTER_VALUE = r"(?:iv|i{1,3}|[1-4])"
# A month in a list must not be the day of a date: the "15" of "tháng 6, 15/12/2022".
_MONTH_VALUE = r"\d{1,2}(?!\d|\s*[/.-]\s*\d{1,2}(?!\d))"

_CONTINUOUS = re.compile(
    r"(?:\b(?:thuong\s*xuyen|lien\s*tuc|hang\s*ngay|hang\s*tuan)\b"
    # "Thường xuyên trong năm" is still continuous, not a year-end deadline.
    r"(?:\s*,?\s*(?:trong|ca)\s*nam\b(?:\s*\d{4}(?!\d))?)?"
    # Work that follows something else's pace: "Theo tiến độ (dự án)", "Theo chỉ đạo (của UBND tỉnh)".
    r"|\btheo\s*(?:tien\s*do|chi\s*dao|lo\s*trinh)\b"
    # "Từ ngày ban hành Kế hoạch trở đi", "Từ năm 2023 trở đi": a start, and no end.
    r"|\btu\b[^;()]{0,80}?\btro\s*di\b)"
)

# Recurring schedules, tried in this order at each position (group name, period).
_REPEATS: tuple[tuple[str, Every, str], ...] = (
    (
        "half",
        "half-year",
        r"\b(?:dinh\s*ky|hang|moi)\s*0?6\s*thang\b"
        r"|\b0?6\s*thang\s*(?:/|mot|1)\s*lan\b"
        r"|\b(?:dinh\s*ky|hang|moi)\s*nua\s*nam\b"
        r"|\b0?6\s*thang\s*(?:,|va|&)\s*(?:hang\s*)?nam\b(?!\s*\d)",  # "6 tháng, năm" (reports)
    ),
    (
        "quarter",
        "quarter",
        r"\b(?:hang|moi)\s*quy\b|\bdinh\s*ky\s*(?:theo\s*)?quy\b"
        r"|\b(?:dinh\s*ky|hang|moi)\s*0?3\s*thang\b|\b0?3\s*thang\s*(?:/|mot|1)\s*lan\b",
    ),
    ("month", "month", r"\b(?:hang|moi)\s*thang\b|\bdinh\s*ky\s*thang\b"),
    ("annual", "year", r"\b(?:hang|moi)\s*nam\b|\bdinh\s*ky\s*nam\b"),
)
_REPEAT = re.compile("(?:" + "|".join(f"(?P<{g}>{rx})" for g, _e, rx in _REPEATS) + ")" + _YEAR_TAIL)

# "ngày 15 tháng 12 năm 2022", "trước 15 tháng 12"; without such a word only when a year follows
# ("15 tháng 12 năm 2022").
_WORD_DATE = re.compile(
    r"(?P<ngay>\b(?:ngay|truoc|cham\s*nhat(?:\s*la)?)\s*)?"
    r"\b(?P<day>\d{1,2})\s*thang\s*(?P<month>\d{1,2})(?!\d)" + _YEAR_TAIL
)
# "6 tháng đầu năm", "6 tháng cuối năm", "9 tháng".
_PART_YEAR = re.compile(r"\b0?(?P<months>[69])\s*thang\b(?:\s*(?P<part>dau|cuoi))?(?:\s*nam\b)?" + _YEAR_TAIL)
_QUARTER = re.compile(
    # The first value also admits "v" and two digits so that "Quý V" is reported, not skipped.
    rf"\bquy\s*(?P<first>iv|v|i{{1,3}}|\d{{1,2}})\b(?P<rest>(?:{_SEP}(?:quy\s*)?{_QUARTER_VALUE}\b)*)" + _YEAR_TAIL
)
_QUARTER_ITEM = re.compile(rf"(?P<sep>{_SEP})(?:quy\s*)?(?P<value>{_QUARTER_VALUE})\b")
_MONTH = re.compile(
    rf"\bthang\s*(?P<first>\d{{1,2}})(?!\d)(?P<rest>(?:{_SEP}(?:thang\s*)?{_MONTH_VALUE})*)" + _YEAR_TAIL
)
_MONTH_ITEM = re.compile(rf"(?P<sep>{_SEP})(?:thang\s*)?(?P<value>{_MONTH_VALUE})")
# "15/12/2022", "15-12-2022", "15.12.22", "31/3". Not glued to other digits or codes, so neither
# "61/2018/NĐ-CP" nor "15/12/KH-UBND" is a date.
_NUMERIC_DATE = re.compile(
    r"(?<![\w/.-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})"
    r"(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?![\w/-]|\.\w)"
)
_MONTH_YEAR = re.compile(r"(?<![\w/.-])(?P<month>\d{1,2})[/-](?P<year>\d{4})(?![\w/-]|\.\w)")
# "Năm 2022", "cả năm", "cuối năm"; not "đầu năm 2022", whose due date is unclear.
_WHOLE_YEAR = re.compile(
    r"\b(?:(?:trong|ca|cuoi)\s*nam\b(?:\s*(?P<year>\d{4})(?!\d))?|(?<!dau )nam\s*(?P<year2>\d{4})(?!\d))"
)

# A span of years: "2022-2030", "Giai đoạn 2021–2025", "2023 - 2025", "từ năm 2022 đến năm 2025".
_YEARS = r"(?:19|20)\d\d"
_YEAR_RANGE = re.compile(
    rf"(?<![\w/.-])(?P<first>{_YEARS})\s*(?:-|–|—|−|\bden\b|\btoi\b)\s*(?:nam\s*)?(?P<year>{_YEARS})(?![\w/-]|[.,]\d)"
)
# A year alone ("2024", "2024, 2025"), once every other phrase is read; "đầu năm 2022" stays unclear.
_BARE_YEAR = re.compile(rf"(?<![\w/.-])(?<!dau nam )(?P<year>{_YEARS})(?![\w/-]|[.,]\d)")
# Between the two ends of a range of dates ("01/3/2022 - 30/6/2022", "Tháng 6/2022 đến tháng 12/2022").
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|−|den|toi|den\s*het)\s*(?:ngay\s*)?")

# Text just before a number that makes it part of a document reference: "số 15/2022", or the
# issue date in "Kế hoạch 15/KH-UBND (của UBND tỉnh) ngày 20/01/2022".
_DOCUMENT_BEFORE = re.compile(r"(?:\bso\s*|\d/[a-z][\w.-]*(?:\s+cua\s+[^,;()\d]*?)?\s*,?\s*(?:ngay\s*)?)$")
# "từ <period> đến <period>": only the end of a range is a deadline.
_FROM_BEFORE = re.compile(r"\btu\s*(?:ngay\s*)?$")
# "Việt Nam" is no year; "_" joins words in file names ("KH_nam_2022").
_PLAN_YEAR = re.compile(r"(?<!viet )(?<![a-z])nam[\s_.-]*(?P<year>\d{4})(?!\d)")
_SPACE = re.compile(r"\s+")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_PERIOD_MONTHS: dict[Every, tuple[int, ...]] = {
    "month": tuple(range(1, 13)),
    "quarter": (3, 6, 9, 12),
    "half-year": (6, 12),
    "year": (12,),
}
_FINEST_FIRST: tuple[Every, ...] = ("month", "quarter", "half-year", "year")


# --- scanning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    """One due date found in the cell, possibly still without its year."""

    start: int  # position in the folded text, to order the dues and find the year after them
    month: int
    day: int | None = None  # None: the last day of the month
    year: int | None = None
    opens_range: bool = False  # the "từ …" end of a range, dropped when a later due follows
    end: int = -1  # where its phrase ends in the folded text


@dataclass(frozen=True)
class _Repeat:
    start: int
    every: Every
    year: int | None


def _normalise(text: str) -> str:
    """Folded text on one line; "ð" (Icelandic eth) stands in for "đ" in some converted files."""
    return _SPACE.sub(" ", fold(text).replace("ð", "d")).strip()


def _year(match: re.Match[str], group: str = "year") -> int | None:
    value = match.group(group)
    return int(value) if value else None


def _listed(first: str, rest: str, item: re.Pattern[str]) -> list[str]:
    """The values of "6, 9 và 12" or "I - IV"; a range keeps only its end, which is the deadline."""
    values = [first]
    for match in item.finditer(rest):
        if _RANGE_SEP.fullmatch(match.group("sep").strip()):
            values[-1] = match.group("value")
        else:
            values.append(match.group("value"))
    return values


def _day_label(day: int, month: int, year: int | None) -> str:
    return f"{day:02d}/{month:02d}" + (f"/{year}" if year else "")


class _Scanner:
    """Collects the dues, recurring schedules and "continuous" markers of one folded cell."""

    def __init__(self, folded: str) -> None:
        self.source = folded
        self.rest = folded  # ``source`` with consumed phrases blanked; positions stay the same
        self.dues: list[_Due] = []
        self.repeats: list[_Repeat] = []
        self.spans: list[tuple[int, int]] = []  # spans of years ("2024-2026"): first and last
        self.continuous = False

    def scan(self) -> _Scanner:
        self._take(_CONTINUOUS, self._on_continuous)
        self._take(_REPEAT, self._on_repeat)
        self._take(_YEAR_RANGE, self._on_year_range)
        self._take(_WORD_DATE, self._on_word_date)
        self._take(_PART_YEAR, self._on_part_year)
        self._take(_QUARTER, self._on_quarter)
        self._take(_MONTH, self._on_month)
        self._take(_NUMERIC_DATE, self._on_numeric_date)
        self._take(_MONTH_YEAR, self._on_month_year)
        self._take(_WHOLE_YEAR, self._on_whole_year)
        self._take(_BARE_YEAR, self._on_bare_year)
        return self

    def _take(self, pattern: re.Pattern[str], handle: Callable[[re.Match[str]], bool]) -> None:
        """Run ``handle`` on each match; blank the matches it accepts (returns True)."""

        def blank(match: re.Match[str]) -> str:
            return " " * len(match.group()) if handle(match) else match.group()

        self.rest = pattern.sub(blank, self.rest)

    def _add(
        self, match: re.Match[str], month: int, day: int | None = None, year: int | None = None, *, start: int = -1
    ) -> None:
        start = match.start() if start < 0 else start
        opens_range = bool(_FROM_BEFORE.search(self.source, 0, start))
        self.dues.append(_Due(start, month, day, year, opens_range, match.end()))

    def _in_document_reference(self, start: int) -> bool:
        return bool(_DOCUMENT_BEFORE.search(self.source, 0, start))

    def _on_continuous(self, match: re.Match[str]) -> bool:
        self.continuous = True
        return True

    def _on_repeat(self, match: re.Match[str]) -> bool:
        every = next(e for group, e, _rx in _REPEATS if match.group(group) is not None)
        self.repeats.append(_Repeat(match.start(), every, _year(match)))
        return True

    def _on_word_date(self, match: re.Match[str]) -> bool:
        year = _year(match)
        if match.group("ngay") is None and year is None:
            return False  # "6 tháng 9" alone is too loose to be a date
        if self._in_document_reference(match.start()):
            return False
        day, month = int(match.group("day")), int(match.group("month"))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            raise DeadlineError(_("invalid date: {date}").format(date=_day_label(day, month, year)))
        self._add(match, month, day, year)
        return True

    def _on_part_year(self, match: re.Match[str]) -> bool:
        month = 12 if match.group("part") == "cuoi" else int(match.group("months"))
        self._add(match, month, year=_year(match))
        return True

    def _on_quarter(self, match: re.Match[str]) -> bool:
        year = _year(match)
        for value in _listed(match.group("first"), match.group("rest"), _QUARTER_ITEM):
            quarter = _ROMAN.get(value) or (int(value) if value.isdigit() else 0)
            if not 1 <= quarter <= 4:
                raise DeadlineError(_("invalid quarter: {quarter}").format(quarter=value.upper()))
            self._add(match, 3 * quarter, year=year)
        return True

    def _on_month(self, match: re.Match[str]) -> bool:
        year = _year(match)
        for value in _listed(match.group("first"), match.group("rest"), _MONTH_ITEM):
            if not 1 <= int(value) <= 12:
                raise DeadlineError(_("invalid month: {month}").format(month=value))
            self._add(match, int(value), year=year)
        return True

    def _on_numeric_date(self, match: re.Match[str]) -> bool:
        day, month = int(match.group("day")), int(match.group("month"))
        written_year = match.group("year")
        if not (1 <= day <= 31 and 1 <= month <= 12) or self._in_document_reference(match.start()):
            return False
        if written_year is None and match.group("sep") != "/":
            return False  # "1.5" or "15-20" are not dates; a day/month without year needs "/"
        year = int(written_year) + (2000 if len(written_year) == 2 else 0) if written_year else None
        self._add(match, month, day, year)
        return True

    def _on_month_year(self, match: re.Match[str]) -> bool:
        month = int(match.group("month"))
        if not 1 <= month <= 12 or self._in_document_reference(match.start()):
            return False
        self._add(match, month, year=_year(match))
        return True

    def _on_whole_year(self, match: re.Match[str]) -> bool:
        self._add(match, 12, year=_year(match) or _year(match, "year2"))
        return True

    def _on_year_range(self, match: re.Match[str]) -> bool:
        if int(match.group("year")) < int(match.group("first")) or self._in_document_reference(match.start()):
            return False
        self.spans.append((int(match.group("first")), int(match.group("year"))))
        self._add(match, 12, year=_year(match))
        return True

    def _on_bare_year(self, match: re.Match[str]) -> bool:
        if self._in_document_reference(match.start()):
            return False
        self._add(match, 12, year=_year(match))
        return True


# --- resolving -------------------------------------------------------------------------------


def _opens_range(due: _Due, following: _Due, source: str) -> bool:
    """Whether only a dash or "đến" stands between ``due`` and the next: "01/3/2022 - 30/6/2022"."""
    return 0 <= due.end <= following.start and bool(_RANGE_GAP.fullmatch(source, due.end, following.start))


def _dates(dues: list[_Due], plan_year: int | None, cell_year: int | None, source: str) -> set[date]:
    """The due dates, each with the year after it in the cell, else the plan year, else the cell's;
    the start of a range ("từ …", "… - …") is dropped: only its end is a deadline."""
    dues = sorted(dues, key=lambda due: due.start)
    dues = [due for i, due in enumerate(dues) if not (due.opens_range and i < len(dues) - 1)]
    dues = [due for i, due in enumerate(dues) if not (i + 1 < len(dues) and _opens_range(due, dues[i + 1], source))]
    found: set[date] = set()
    for i, due in enumerate(dues):
        later = (other.year for other in dues[i:] if other.year is not None)
        year = next(later, None) or plan_year or cell_year
        if year is None:
            raise MissingYear(_("no year given for this deadline"))
        if due.day is None:
            found.add(_last_day(year, due.month))
            continue
        try:
            found.add(date(year, due.month, due.day))
        except ValueError:
            label = _day_label(due.day, due.month, year)
            raise DeadlineError(_("invalid date: {date}").format(date=label)) from None
    return found


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _schedule(every: Every, year: int, written: set[date]) -> set[date]:
    """One date per period of ``year``: a date written in the cell for it, else the period's end.

    So "Trước ngày 15/12 hằng năm" is due on 15/12, and "Hằng quý; tổng kết trước 15/12" on
    31/03, 30/06, 30/09 and 15/12.
    """
    dates = set(written)
    first = 1
    for last in _PERIOD_MONTHS[every]:
        if not any(d.year == year and first <= d.month <= last for d in written):
            dates.add(_last_day(year, last))
        first = last + 1
    return dates


def parse_deadline(text: str, year: int | None) -> Deadline:
    """Read a deadline cell; ``year`` is the plan year, used when the cell leaves the year out.

    Concrete dates win over "continuous" ("Thường xuyên; báo cáo hằng quý" is recurring). A
    recurring schedule with dates written beside it stays recurring; a written date stands for
    the period it falls in (see ``_schedule``).
    Raises DeadlineError (translated message) when the cell is not understood.
    """
    stripped = text.strip()
    shown = one_line(stripped)
    if not shown:
        raise DeadlineError(_("no deadline given"))
    scan = _Scanner(_normalise(stripped)).scan()
    written = sorted(
        [(due.start, due.year) for due in scan.dues if due.year]
        + [(repeat.start, repeat.year) for repeat in scan.repeats if repeat.year]
    )
    cell_year = written[0][1] if written else None
    dates = _dates(scan.dues, year, cell_year, scan.source)
    if scan.repeats:
        every = min((repeat.every for repeat in scan.repeats), key=_FINEST_FIRST.index)
        repeat_year = next((r.year for r in scan.repeats if r.year), None) or year or cell_year
        if repeat_year is None:
            raise MissingYear(_("no year given for this deadline"))
        # "Hằng năm, giai đoạn 2024-2026": every year of the span.
        years = range(scan.spans[0][0], scan.spans[0][1] + 1) if scan.spans else (repeat_year,)
        schedule = set().union(*(_schedule(every, y, dates) for y in years))
        return Deadline(stripped, "recurring", every, tuple(sorted(schedule)))
    if dates:
        return Deadline(stripped, "fixed", None, tuple(sorted(dates)))
    if scan.continuous:
        return Deadline(stripped, "continuous", None, ())
    raise DeadlineError(_("unrecognised deadline"))


# The years a plan can be of: its title's "năm 2022", its file name's year, ``plan import --year``.
FIRST_PLAN_YEAR, LAST_PLAN_YEAR = 1990, 2100


def find_plan_year(text: str) -> int | None:
    """The first "năm 2022" style year (:data:`FIRST_PLAN_YEAR` to :data:`LAST_PLAN_YEAR`) in a title
    or file name, else None."""
    for match in _PLAN_YEAR.finditer(_normalise(text)):
        found = int(match.group("year"))
        if FIRST_PLAN_YEAR <= found <= LAST_PLAN_YEAR:
            return found
    return None
