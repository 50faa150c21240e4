"""Deadlines: the "Thời gian / Thời hạn hoàn thành" cell of a plan appendix turned into due dates.

Cells are free text written by many hands: "Quý II/2022", "Trước ngày 15/12/2022", "Tháng 6 và
tháng 12/2022", "Hằng quý", "Thường xuyên", with or without diacritics, on one line or several.
Matching runs over the folded text (no diacritics, lower case, single spaces). Each kind of phrase
is found by one regex; the passes run from the most specific to the loosest and blank out what they
consumed, so "Quý II/2022" is never reread as the bare month "2/2022", nor "ngày 15 tháng 12" as
"tháng 12".

A period (month, quarter, half-year, year) is due on its last day; a span ("Giai đoạn 2021–2025",
"01/3 - 30/6/2025") on the last day of its end — but a span of years that ends after the plan year
("Giai đoạn 2026 - 2030" in a plan for 2026) at the end of each of its years from the plan's (see
``_span_years``). A year and the ones after it ("Năm 2026 và các năm tiếp theo", "Từ năm 2026 trở
đi") is due at the end of each year from it, as "Hằng năm" is. A period written without a year takes the next
year written after it in the cell ("Quý II và Quý IV/2022"), else the plan year, else any year
written in the cell. "Quí", "quí" and "qúy" are read as "Quý" (the old spelling, as in "qui định").

The start, middle and end of a period ("đầu / giữa / cuối"), one rule for month, quarter and year:

- a month: "Đầu tháng 7" 10/07 (the end of its first ten days, "thượng tuần"), "Giữa tháng 7"
  15/07, "Cuối tháng 7" 31/07; "thượng / trung / hạ tuần tháng 7" 10/07, 20/07, 31/07;
- a quarter or a year: the end of its first month, of its middle month, of its last month:
  "Đầu quý III" 31/07, "Giữa quý III" 31/08, "Cuối quý III" 30/09; "Đầu năm" 31/01, "Giữa năm"
  30/06, "Cuối năm" 31/12;
- a week of a month counts seven days from the 1st, whatever the weekday: "Tuần đầu tháng 7" is
  due on 07/07, "tuần thứ hai" on 14/07, "tuần thứ ba" 21/07, "tuần thứ tư" 28/07, "tuần cuối" 31/07.

Repeating deadlines ("Hằng tháng", "Định kỳ hằng quý", "6 tháng một lần", "Hằng năm") are due at
the end of each period of the plan year, unless the cell names the day in the period: "Trước ngày
25 hằng tháng", "Hằng tháng (trước ngày 20)" (the 25th, the 20th of each month, cut to the month's
length); "trước ngày 15 (của) tháng cuối quý", "ngày 10 tháng đầu quý sau", "ngày 5 tháng sau"
(the month of the period, or of the next one). A bare day in a longer period ("Hằng quý, trước
ngày 20") falls in the period's last month: periodic reports close their figures mid-way through
it (Nghị định 09/2019/NĐ-CP) and are sent before it ends. A day with a position and no
repeat word ("Trước ngày 15 tháng cuối quý") repeats over the period it names.

"Trước Tết Nguyên đán", "Trước Tết", "Dịp Tết" are due the day before the first day of the lunar
year (the Vietnamese calendar of the ``holidays`` package): the Tết that falls in the plan year
(January or February of it), unless the cell names its year ("Tết Bính Ngọ 2026", or the lunar
year's name alone, "Tết Ất Tỵ", the year of that name nearest to the plan year). "Sau Tết (Nguyên
đán)", "Ra Tết", "Qua Tết", "Hết Tết", "Sau kỳ nghỉ Tết" — work taken up again once offices reopen
— are due at the end of the solar month after the one Tết begins in: Tết Ất Tỵ began on 29/01/2025,
so 28/02/2025; Tết Bính Ngọ on 17/02/2026, so 31/03/2026 (at least a month's work after the
holiday, whichever month Tết falls in).

A crop season is due at the end of its harvest: "Vụ Đông Xuân 2026" (or "2025-2026") on 30/04,
"Vụ Hè Thu" on 31/08, "Vụ Thu Đông" and "Vụ Mùa" on 30/11 — not at the end of the year. "Trước / Đầu vụ …" (when a season
starts, which varies by region) is not read.

A period that only names what a date is for is no second deadline: a parenthesis made of nothing
but a report's period ("(báo cáo 6 tháng)", "(quý II)", "(số liệu năm 2025)") is dropped when the
cell has a deadline outside it ("Trước ngày 20/7/2025 (báo cáo 6 tháng)": 20/07 only), and a period
right after "báo cáo" when the cell gives a day ("Báo cáo năm 2025 trước 15/12": 15/12 only). So is the end of a period when the cell
writes a day in its last month: "Quý IV/2026; báo cáo trước 15/12" is due on 15/12 only (a day in
another month, "Năm 2026; sơ kết trước 30/6", is a deadline of its own beside the year's end).

Work with no end or date of its own is continuous (checked in on, never overdue): "Thường xuyên",
"Liên tục", "Từ ngày ban hành Kế hoạch trở đi", a start with no end ("Từ tháng 3/2026"); work at someone else's pace ("Theo tiến độ",
"Theo chỉ đạo", "Theo kế hoạch", "Theo quy định", "Theo lộ trình", "Theo hướng dẫn", "Theo yêu
cầu (của cấp trên)"); work on demand or on an event that may come any time ("Khi có yêu cầu",
"Khi (có) phát sinh", "Khi cần thiết", "Mỗi khi …", "Ngay sau mỗi đợt thiên tai"); and, the same,
work once an event the file does not date has come: guidance or direction ("(Ngay) sau khi có (văn
bản) hướng dẫn (của tỉnh)", "Khi có văn bản chỉ đạo") or an approval or issuance ("Sau khi Kế hoạch
được phê duyệt", "Sau khi Đề án được UBND tỉnh ban hành"). Any other "sau khi …" (the end of other
work, "Sau khi hoàn thành …") is not read.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

import holidays

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
    # Work that follows something else's pace: "Theo tiến độ (dự án)", "Theo chỉ đạo (của UBND tỉnh)",
    # "Theo kế hoạch", "Theo quy định", "Theo yêu cầu (của cấp trên)".
    # Not "(Kèm theo Kế hoạch số …)", the line under an appendix's title.
    r"|(?<!kem )\btheo\s*(?:tien\s*do|chi\s*dao|lo\s*trinh|ke\s*hoach|kh|quy\s*dinh|yeu\s*cau|huong\s*dan|de\s*nghi"
    r"|thong\s*bao|thuc\s*te|nhu\s*cau)\b"
    # On demand, or on an event that may come any time: "Khi có yêu cầu (của …)", "Khi (có) phát sinh",
    # "Khi cần thiết", "Mỗi khi …", "Ngay sau mỗi đợt thiên tai"; and once the event has come, the file
    # not dating it: "(Ngay) sau khi có (văn bản) hướng dẫn", "Khi nhận được văn bản chỉ đạo", "30 ngày
    # kể từ ngày nhận được hướng dẫn".
    r"|\b(?:khi|(?:ke\s*tu|tinh\s*tu|tu|sau)\s*ngay)\s*(?:co\s*|duoc\s*|nhan\s*duoc\s*|xay\s*ra\s*)?(?:(?:van\s*ban|y\s*kien|quyet\s*dinh)\s*)?"
    r"(?:yeu\s*cau|phat\s*sinh|can(?:\s*thiet)?|chi\s*dao|huong\s*dan|de\s*nghi"
    r"|nhu\s*cau|su\s*co|thien\s*tai|dich\s*benh|vu\s*viec|su\s*viec)\b"
    # "Sau khi Kế hoạch được (UBND tỉnh) phê duyệt", "sau khi có Quyết định phê duyệt", "sau khi ban hành
    # Đề án": once an approval or issuance the file does not date has come (a few words, no number).
    r"|\bsau\s*khi\s*(?:(?:[a-z]+\s+){0,8}?duoc\s+(?:[a-z]+\s+){0,6}?|co\s*(?:quyet\s*dinh|van\s*ban)\s*)?"
    r"(?:phe\s*duyet|ban\s*hanh|thong\s*qua)\b"
    r"|\bmoi\s*khi\b|\bsau\s*(?:moi|tung)\s*(?:dot|lan|vu|tran|cuoc|dip|ky)\b"
    # "Từ ngày ban hành Kế hoạch trở đi", "Từ quý II/2026 trở đi": a start, and no end ("Từ năm 2026 trở
    # đi" is read before, by _ONWARDS).
    r"|\btu\b[^;()]{0,80}?\btro\s*di\b)"
)

# A year and the ones after it, "Năm 2026 và các năm tiếp theo", "Từ năm 2026 trở đi", "(Bắt đầu) từ năm
# 2026": the work of each year from then, due at the end of each year as "Hằng năm" is (a year is the unit
# the plan names; "Từ tháng 3/2026", a start within a year, stays continuous). Not the start of a span
# ("Từ năm 2022 đến năm 2025"), so no "đến", "tới" or dash after it.
_ONWARDS = re.compile(
    r"(?:\b(?:bat\s*dau\s*|ke\s*)?tu\s*(?:nam\s*)?(?P<start>(?:19|20)\d\d)(?![\w/.-])"
    r"(?:\s*(?:tro\s*di|tro\s*ve\s*sau|ve\s*sau)\b)?(?![^;]*(?:\bden\b|\btoi\b|[-–—]))"
    r"|(?:(?<![\w/.-])(?:nam\s*)?(?P<first>(?:19|20)\d\d)\s*(?:,|va)\s*(?:cac\s*|nhung\s*)?"
    # "Tháng 6/2026 và các năm tiếp theo": the period, each year.
    r"|(?:,|;|\bva\b)\s*(?:cac|nhung)\s*)nam\s*(?:tiep\s*theo|ke\s*tiep|tiep|sau(?:\s*do)?)\b)"
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
# "Cuối mỗi quý", "Đầu hằng tháng": the position applies to each period.
_POSITION_WORD = r"(?P<pos>dau|giua|cuoi)"
_REPEAT = re.compile(
    rf"(?:\b{_POSITION_WORD}\s*)?(?:" + "|".join(f"(?P<{g}>{rx})" for g, _e, rx in _REPEATS) + ")" + _YEAR_TAIL
)
# The day inside a repeating period: "(trước) ngày 25 (hằng tháng)", "trước ngày 15 (của) tháng cuối quý",
# "ngày 10 tháng đầu quý sau", "trước ngày 5 tháng sau", "chậm nhất ngày 20 của tháng cuối kỳ báo cáo".
# Never the day of a date ("ngày 20/6", "ngày 20 tháng 6") nor a count ("trước 30 ngày").
_NEXT = r"(?:sau|tiep\s*theo|ke\s*tiep)"
_PERIOD_DAY = re.compile(
    r"(?:\b(?:truoc|cham\s*nhat(?:\s*la)?|khong\s*qua|vao)\s*(?:ngay\s*)?|\bngay\s*)(?P<day>\d{1,2})"
    r"(?!\d|\s*[/.-]\s*\d|\s*thang\s*\d|\s*(?:ngay|tuan|nam|lam\s*viec)\b)"
    r"(?:\s*(?:cua\s*|trong\s*)?(?:"
    rf"thang\s*(?P<pos>dau|giua|cuoi)(?:\s*(?:cua\s*|moi\s*|hang\s*)?(?P<of>quy|ky(?:\s*bao\s*cao)?|nua\s*nam"
    rf"|0?6\s*thang|nam)\b)?(?:\s*(?P<next>{_NEXT})\b)?"
    rf"|thang\s*(?P<next_month>{_NEXT})\b"
    r"|(?:thang|ky)(?:\s*(?:do|nay|bao\s*cao))?\b(?!\s*\d)"
    r"))?"
)
_PERIOD_OF: dict[str, Every] = {"quy": "quarter", "nua nam": "half-year", "6 thang": "half-year", "nam": "year"}

# "ngày 15 tháng 12 năm 2022", "trước 15 tháng 12"; without such a word only when a year follows
# ("15 tháng 12 năm 2022").
_WORD_DATE = re.compile(
    r"(?P<ngay>\b(?:ngay|truoc|cham\s*nhat(?:\s*la)?)\s*)?"
    r"\b(?P<day>\d{1,2})\s*thang\s*(?P<month>\d{1,2})(?!\d)" + _YEAR_TAIL
)
# "Tuần đầu tháng 7", "tuần thứ hai của tháng 7", "tuần cuối tháng 12/2025": seven days from the 1st.
_WEEK = re.compile(
    r"\btuan\s*(?P<which>dau(?:\s*tien)?|cuoi(?:\s*cung)?|thu\s*(?:nhat|hai|ba|tu|[1-4])|[1-4])\s*"
    r"(?:cua\s*|trong\s*)?thang\s*(?P<month>\d{1,2})(?!\d)" + _YEAR_TAIL
)
_WEEK_END = {"dau": 7, "nhat": 7, "1": 7, "hai": 14, "2": 14, "ba": 21, "3": 21, "tu": 28, "4": 28}
# "Đầu / giữa / cuối tháng 7", "thượng / trung / hạ tuần tháng 7", "đầu quý III/2025", "giữa năm".
_POSITION = re.compile(
    r"\b(?P<pos>dau|giua|cuoi|thuong\s*tuan|trung\s*tuan|ha\s*tuan)\s*(?:cua\s*)?(?:"
    r"thang\s*(?P<month>\d{1,2})(?!\d)"
    r"|quy\s*(?P<quarter>iv|i{1,3}|[1-4])\b"
    r"|(?P<whole>nam)\b(?!\s*(?:hoc|sau|toi|tiep))"
    r")" + _YEAR_TAIL
)
# Tết Nguyên đán, not the other "Tết" (New Year's Day, Mid-Autumn, Children's Day, …); the lunar
# year's name ("Ất Tỵ", "Bính Ngọ") may say which one.
_STEMS = ("giap", "at", "binh", "dinh", "mau", "ky", "canh", "tan", "nham", "quy")
_BRANCHES = ("ty", "suu", "dan", "mao", "thin", "ty", "ngo", "mui", "than", "dau", "tuat", "hoi")
_TET = re.compile(
    r"\btet\b(?!\s*(?:duong\s*lich|tay|trung\s*thu|thieu\s*nhi|trong\s*cay|doan\s*ngo|han\s*thuc|thanh\s*minh"
    r"|nguyen\s*tieu|ong\s*(?:cong|tao)|quoc\s*te)\b)"
    r"(?:\s*(?:nguyen\s*dan|co\s*truyen|am\s*lich|cua\s*dan\s*toc))?"
    rf"(?:\s*(?P<stem>{'|'.join(_STEMS)})\s*(?P<branch>{'|'.join(sorted(set(_BRANCHES)))})\b)?" + _YEAR_TAIL
)
# "Sau Tết", "Sau kỳ nghỉ Tết", "Hết Tết", "Ra Tết" / "Qua Tết" (alone, not "diễn ra dịp Tết").
# A crop season ("Vụ Đông Xuân 2025-2026", "vụ lúa Hè Thu 2026"): due at the end of its harvest.
_SEASON_END = {"dong xuan": 4, "he thu": 8, "thu dong": 11, "mua": 11}
_SEASON = re.compile(
    r"\bvu\s*(?:san\s*xuat\s*)?(?:lua\s*)?(?P<season>dong\s*xuan|he\s*thu|thu\s*dong|mua)\b"
    r"(?:\s*(?:nam\s*)?\d{4}\s*(?:-|–|den)\s*(?=(?:nam\s*)?\d{4}))?" + _YEAR_TAIL
)
_AFTER_BEFORE = re.compile(
    r"(?:\b(?:sau|ket\s*thuc|het)\s*(?:(?:ky\s*nghi|nghi|dip)\s*)?|(?:^|[^\w\s])\s*(?:ra|qua)\s*)$"
)
# A parenthesis that only names a report's period: "(báo cáo 6 tháng)", "(quý II)", "(năm 2025)".
_LABEL_PERIOD = (
    r"(?:(?:dinh\s*ky|hang|moi)\s*)?(?:0?[369]\s*thang(?:\s*(?:dau|cuoi))?(?:\s*nam)?"
    r"|quy(?:\s*(?:iv|i{1,3}|[1-4]))?|thang(?:\s*\d{1,2})?|nua\s*nam|nam)(?:\s*[/-]?\s*(?:nam\s*)?\d{4})?"
)
_LABEL = re.compile(
    r"\(\s*(?:(?:bao\s*cao|ky|so\s*lieu|ket\s*qua|so\s*ket|tong\s*ket|tong\s*hop|danh\s*gia)\s*)*"
    rf"{_LABEL_PERIOD}(?:\s*(?:,|va|&|-)\s*{_LABEL_PERIOD})*\s*\)"
)
# A period right after "báo cáo" ("Báo cáo 6 tháng trước ngày 20/7") names the report, not its date.
_REPORT_BEFORE = re.compile(r"\bbao\s*cao\s*(?:ket\s*qua\s*)?(?:dinh\s*ky\s*)?$")

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
# "trước", "ngày", "đến (ngày)", "chậm nhất (là) (ngày)" just before a day and month written "30.6"
_DATE_WORD_BEFORE = re.compile(r"\b(?:truoc|ngay|den|cham\s*nhat(?:\s*la)?)(?:\s*ngay)?\s*$")
_MONTH_YEAR = re.compile(r"(?<![\w/.-])(?P<month>\d{1,2})[/-](?P<year>\d{4})(?![\w/-]|\.\w)")
# "Năm 2022", "cả năm", "cuối năm"; "đầu năm 2022" is read before (_POSITION).
_WHOLE_YEAR = re.compile(
    r"\b(?:(?:trong|ca|cuoi)\s*nam\b(?:\s*(?P<year>\d{4})(?!\d))?|(?<!dau )nam\s*(?P<year2>\d{4})(?!\d))"
)

# A span of years: "2022-2030", "Giai đoạn 2021–2025", "2023 - 2025", "từ năm 2022 đến năm 2025".
_YEARS = r"(?:19|20)\d\d"
_YEAR_RANGE = re.compile(
    rf"(?<![\w/.-])(?P<first>{_YEARS})\s*(?:-|–|—|−|\bden\b|\btoi\b)\s*(?:nam\s*)?(?P<year>{_YEARS})(?![\w/-]|[.,]\d)"
)
# A year alone ("2024", "2024, 2025"), once every other phrase is read.
_BARE_YEAR = re.compile(rf"(?<![\w/.-])(?<!dau nam )(?P<year>{_YEARS})(?![\w/-]|[.,]\d)")
# Between the two ends of a range of dates ("01/3/2022 - 30/6/2022", "Tháng 6/2022 đến tháng 12/2022").
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|−|den|toi|den\s*het)\s*(?:ngay\s*)?")

# Text just before a number that makes it part of a document reference: "số 15/2022", or the
# issue date in "Kế hoạch 15/KH-UBND (của UBND tỉnh) ngày 20/01/2022".
_DOCUMENT_BEFORE = re.compile(r"(?:\bso\s*|\d/[a-z][\w.-]*(?:\s+cua\s+[^,;()\d]*?)?\s*,?\s*(?:ngay\s*)?)$")
# "từ <period> đến <period>": only the end of a range is a deadline.
_FROM_BEFORE = re.compile(r"\btu\s*(?:ngay\s*)?$")
# A cell that is only a start: "Từ tháng 3/2026", "Bắt đầu từ ngày 15/3/2026" — no "đến", "tới" or dash
# after it (a range), no count before it ("30 ngày kể từ …": an offset).
_START_ONLY = re.compile(r"(?:bat\s*dau\s*|thuc\s*hien\s*|trien\s*khai\s*)?tu\b(?![^;]*(?:\bden\b|\btoi\b|[-–—]))")
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
    # Only names a report's period: "paren" ("(báo cáo 6 tháng)"), dropped when the cell has another
    # due; "report" ("Báo cáo năm 2025 trước …"), dropped when the cell gives a day.
    label: Literal["", "paren", "report"] = ""
    # Tết Nguyên đán (``month`` and ``day`` unused): "before", the day before it; "after", the end of the
    # month after the one it begins in.
    tet: Literal["", "before", "after"] = ""
    cycle: int | None = None  # Tết: the lunar year's place in the 60-year cycle, when named


@dataclass(frozen=True)
class _Repeat:
    start: int
    every: Every
    year: int | None
    pos: str | None = None  # "cuối mỗi quý": where in each period


@dataclass(frozen=True)
class _PeriodDay:
    """The day inside each period of a repeating deadline: "ngày 15 tháng cuối quý"."""

    day: int | None  # None: the position's own date ("đầu mỗi tháng": the 10th)
    every: Every | None  # the period the phrase names, if any ("quý" in "tháng cuối quý")
    pos: str | None  # "dau", "giua", "cuoi": which month of the period; None: see ``_due_in_period``
    next: bool = False  # the month is in the next period: "tháng đầu quý sau", "tháng sau"


_QUI = re.compile(r"\bqui\b")
# Short forms of a month or a quarter with its year, as compact tables write them: "T6/2026",
# "Q3/2026", "QIII-2026", "Q.II/2026". Only with the year: "T6" alone may be a weekday ("thứ 6").
_SHORT_MONTH = re.compile(r"\bt\.?\s?(\d{1,2})(?=\s*[/-]\s*\d{4}(?!\d))")
_SHORT_QUARTER = re.compile(r"\bq\.?\s?(iv|i{1,3}|[1-4])(?=\s*[/-]\s*\d{4}(?!\d))")


# A date written year first, as a CSV export or a database writes it: "2026-09-30", "2026/9/30",
# "2026-09-30 00:00:00". Year, month, day: no one writes year, day, month.
_YEAR_FIRST_DATE = re.compile(r"(?<![\w/.-])((?:19|20)\d\d)([/.-])(\d{1,2})\2(\d{1,2})(?![\w/-]|\.\w)")


def _normalise(text: str) -> str:
    """Folded text on one line; "ð" (Icelandic eth) stands in for "đ" in some converted files, the
    old spelling "qui" ("Quí II", "qui định") is "quy", "T6/2026", "Q3/2026" are "tháng 6/2026",
    "quý 3/2026", and "2026-09-30" is "30/09/2026"."""
    folded = _QUI.sub("quy", _SPACE.sub(" ", fold(text).replace("ð", "d")).strip())
    folded = _YEAR_FIRST_DATE.sub(r"\4/\3/\1", folded)
    return _SHORT_QUARTER.sub(r"quy \1", _SHORT_MONTH.sub(r"thang \1", folded))


# A cell that lists report periods alone, "Quý, 6 tháng, năm", "Tháng, quý, năm", "Báo cáo quý; năm":
# each period's report is due, as in "Hằng quý, 6 tháng, năm" (the finest period is the schedule).
_PERIOD_WORD = r"(?:0?6\s*thang|nua\s*nam|thang|quy|nam)"
_PERIOD_LIST = re.compile(
    rf"(?:bao\s*cao\s*)?(?:dinh\s*ky\s*)?(?P<first>{_PERIOD_WORD})"
    rf"(?P<rest>(?:\s*(?:,|;|\bva\b|&|/)\s*{_PERIOD_WORD})+)\s*\.?"
)


def _period_list(folded: str) -> str:
    """``folded`` with a bare list of report periods ("quy, 6 thang, nam") written as the repeat it
    is ("hang quy, 6 thang, nam"); any other text as it is."""
    found = _PERIOD_LIST.fullmatch(folded)
    if found is None:
        return folded
    rest = re.sub(r"\s*(?:;|/|&)\s*", ", ", found.group("rest"))
    return f"hang {found.group('first')}{rest}"


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
        self.period_days: list[_PeriodDay] = []
        self.onwards: int | None = None  # "Năm 2026 và các năm tiếp theo": the first year
        self.continuous = False
        self.labels = [match.span() for match in _LABEL.finditer(folded)]

    def scan(self) -> _Scanner:
        self._take(_ONWARDS, self._on_onwards)
        self._take(_CONTINUOUS, self._on_continuous)
        self._take(_REPEAT, self._on_repeat)
        self._take(_PERIOD_DAY, self._on_period_day)
        self._take(_TET, self._on_tet)
        self._take(_SEASON, self._on_season)
        self._take(_YEAR_RANGE, self._on_year_range)
        self._take(_WORD_DATE, self._on_word_date)
        self._take(_PART_YEAR, self._on_part_year)
        self._take(_WEEK, self._on_week)
        self._take(_POSITION, self._on_position)
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
        self,
        match: re.Match[str],
        month: int,
        day: int | None = None,
        year: int | None = None,
        *,
        tet: Literal["", "before", "after"] = "",
        cycle: int | None = None,
    ) -> None:
        start = match.start()
        opens_range = bool(_FROM_BEFORE.search(self.source, 0, start))
        label = self._label(start) if day is None and not tet else ""
        self.dues.append(_Due(start, month, day, year, opens_range, match.end(), label, tet, cycle))

    def _label(self, start: int) -> Literal["", "paren", "report"]:
        """Whether the period at ``start`` only names a report: "(báo cáo 6 tháng)", "báo cáo năm 2025"."""
        if any(first < start < last for first, last in self.labels):
            return "paren"
        return "report" if _REPORT_BEFORE.search(self.source, 0, start) else ""

    def _after_date_word(self, start: int) -> bool:
        """Whether a date word ("trước", "ngày", "đến", "chậm nhất") comes right before ``start``:
        "Trước 30.6" is a day and month as "Trước 30/6" is."""
        return bool(_DATE_WORD_BEFORE.search(self.source, 0, start))

    def _in_document_reference(self, start: int) -> bool:
        return bool(_DOCUMENT_BEFORE.search(self.source, 0, start))

    def _on_onwards(self, match: re.Match[str]) -> bool:
        if self._in_document_reference(match.start()):
            return False
        start = match.group("start") or match.group("first")
        self.onwards = int(start) if start else None
        self.repeats.append(_Repeat(match.start(), "year", None))
        return True

    def _on_continuous(self, match: re.Match[str]) -> bool:
        self.continuous = True
        return True

    def _on_repeat(self, match: re.Match[str]) -> bool:
        every = next(e for group, e, _rx in _REPEATS if match.group(group) is not None)
        self.repeats.append(_Repeat(match.start(), every, _year(match), match.group("pos")))
        return True

    def _on_period_day(self, match: re.Match[str]) -> bool:
        of = match.group("of")
        every: Every | None = "month" if match.group("next_month") else None
        if of is not None and not of.startswith("ky"):
            every = _PERIOD_OF[_SPACE.sub(" ", of).removeprefix("0")]
        if every is None and not self.repeats:
            return False  # "trước ngày 20" alone: no period to repeat in
        day = int(match.group("day"))
        if not 1 <= day <= 31:
            raise DeadlineError(_("invalid date: {date}").format(date=f"{day:02d}"))
        nxt = bool(match.group("next") or match.group("next_month"))
        self.period_days.append(_PeriodDay(day, every, match.group("pos"), nxt))
        return True

    def _on_tet(self, match: re.Match[str]) -> bool:
        after = bool(_AFTER_BEFORE.search(self.source, 0, match.start()))
        cycle = None
        if match.group("stem"):
            stem, branch = _STEMS.index(match.group("stem")), match.group("branch")
            # "ty" is both Tý (0) and Tỵ (5): the stem's parity tells them apart.
            places = [i for i, name in enumerate(_BRANCHES) if name == branch and i % 2 == stem % 2]
            cycle = next(i for i in range(60) if i % 10 == stem and i % 12 == places[0])
        self._add(match, 1, year=_year(match), tet="after" if after else "before", cycle=cycle)
        return True

    def _on_season(self, match: re.Match[str]) -> bool:
        if re.search(r"\b(?:truoc|dau|chuan\s*bi)\s*$", self.source[: match.start()]):
            raise DeadlineError(_("unrecognised deadline"))  # "Trước vụ Đông Xuân": when it starts, not known
        self._add(match, _SEASON_END[_SPACE.sub(" ", match.group("season"))], year=_year(match))
        return True

    def _on_week(self, match: re.Match[str]) -> bool:
        month = int(match.group("month"))
        if not 1 <= month <= 12:
            raise DeadlineError(_("invalid month: {month}").format(month=month))
        words = match.group("which").split()  # "đầu (tiên)", "cuối (cùng)", "thứ hai", "2"
        which = words[-1] if words[0] == "thu" else words[0]
        self._add(match, month, _WEEK_END.get(which), _year(match))  # "tuần cuối": the month's last day
        return True

    def _on_position(self, match: re.Match[str]) -> bool:
        pos = _SPACE.sub(" ", match.group("pos"))
        year = _year(match)
        if match.group("month"):
            month = int(match.group("month"))
            if not 1 <= month <= 12:
                raise DeadlineError(_("invalid month: {month}").format(month=month))
            day = _MONTH_POSITION_DAY[pos]
        elif pos not in ("dau", "giua", "cuoi"):
            return False  # "thượng tuần" is of a month only
        elif match.group("quarter"):
            value = match.group("quarter")
            first = 3 * (_ROMAN.get(value) or int(value)) - 2
            month, day = _position_month(first, 3, pos), None
        else:
            month, day = _position_month(1, 12, pos), None
        self._add(match, month, day, year)
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
        if written_year is None and match.group("sep") != "/" and not self._after_date_word(match.start()):
            return False  # "1.5" or "15-20" are not dates; a day/month without year needs "/" or a date word
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


_MONTH_POSITION_DAY: dict[str, int | None] = {
    **{"dau": 10, "giua": 15, "cuoi": None},
    **{"thuong tuan": 10, "trung tuan": 20, "ha tuan": None},
}


def _position_month(first: int, length: int, pos: str) -> int:
    """The month of a period of ``length`` months from ``first`` that "đầu / giữa / cuối" points at:
    its first, its middle (the 2nd of a quarter, June of a year) or its last."""
    return first + {"dau": 0, "giua": (length + 1) // 2 - 1, "cuoi": length - 1}[pos]


@cache
def _lunar_new_year(year: int) -> date | None:
    found = holidays.country_holidays("VN", years=year, language="en_US").get_named("Lunar New Year", lookup="exact")
    return found[0] if found else None


def _before_tet(year: int, cycle: int | None) -> date:
    """The day before the first day of the lunar year that begins in ``year`` (or, when the cell names the
    lunar year, in the year of that name nearest to ``year``)."""
    if cycle is not None:
        year += ((cycle - (year - 4)) % 60 + 30) % 60 - 30
    new_year = _lunar_new_year(year)
    if new_year is None:
        raise DeadlineError(_("no Lunar New Year date known for {year}").format(year=year))
    return new_year - timedelta(days=1)


def _dates(dues: list[_Due], plan_year: int | None, cell_year: int | None, source: str) -> set[date]:
    """The due dates, each with the year after it in the cell, else the plan year, else the cell's;
    the start of a range ("từ …", "… - …") is dropped: only its end is a deadline, and so is a period
    that only names a report when the cell gives a day."""
    if any(not due.label for due in dues):
        dues = [due for due in dues if due.label != "paren"]
    if any(not due.label and (due.day is not None or due.tet) for due in dues):
        dues = [due for due in dues if due.label != "report"]
    dues = sorted(dues, key=lambda due: due.start)
    dues = [due for i, due in enumerate(dues) if not (due.opens_range and i < len(dues) - 1)]
    dues = [due for i, due in enumerate(dues) if not (i + 1 < len(dues) and _opens_range(due, dues[i + 1], source))]
    found: set[date] = set()
    ends: set[date] = set()  # the last days of periods, as against days the cell writes
    for i, due in enumerate(dues):
        later = (other.year for other in dues[i:] if other.year is not None)
        year = next(later, None) or plan_year or cell_year
        if year is None:
            raise MissingYear(_("no year given for this deadline"))
        if due.tet or due.day is None:
            if due.tet == "after":
                new_year = _before_tet(year, due.cycle) + timedelta(days=1)
                found.add(_last_day(new_year.year + new_year.month // 12, new_year.month % 12 + 1))
            else:
                found.add(_before_tet(year, due.cycle) if due.tet else _last_day(year, due.month))
                ends.update(() if due.tet else (_last_day(year, due.month),))
            continue
        try:
            found.add(date(year, due.month, due.day))
        except ValueError:
            label = _day_label(due.day, due.month, year)
            raise DeadlineError(_("invalid date: {date}").format(date=label)) from None
    # A day written in a period's last month is when that period's work is due ("Quý IV/2026; báo cáo
    # trước 15/12": 15/12 only), as a written day stands for its period in a repeating deadline.
    days = found - ends
    return {d for d in found if d not in ends or not any((o.year, o.month) == (d.year, d.month) for o in days)}


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _schedule(every: Every, year: int, written: set[date], in_period: _PeriodDay | None = None) -> set[date]:
    """One date per period of ``year``: a date written in the cell for it, else the day the cell names
    in each period (``in_period``), else the period's end.

    So "Trước ngày 15/12 hằng năm" is due on 15/12, "Hằng quý; tổng kết trước 15/12" on 31/03,
    30/06, 30/09 and 15/12, and "Hằng quý, trước ngày 15 tháng cuối quý" on 15/03, 15/06, 15/09, 15/12.
    """
    dates = set(written)
    first = 1
    for last in _PERIOD_MONTHS[every]:
        if not any(d.year == year and first <= d.month <= last for d in written):
            dates.add(_due_in_period(year, first, last - first + 1, in_period))
        first = last + 1
    return dates


def _due_in_period(year: int, first: int, length: int, in_period: _PeriodDay | None) -> date:
    """The date of the period of ``length`` months from ``first``: its end, or as ``in_period`` says —
    a day of a month ("ngày 20 tháng cuối quý"; a bare day of a month's own month, of a longer
    period's last month), or a position alone ("đầu mỗi quý": the end of its first month)."""
    if in_period is None:
        return _last_day(year, first + length - 1)
    pos = in_period.pos
    if pos is None:
        month = first if length == 1 else first + length - 1
    elif length == 1 and in_period.day is None:
        month = first
    else:
        month = _position_month(first, length, pos)
    if in_period.next:
        month += length
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    day = in_period.day if in_period.day is not None else (_MONTH_POSITION_DAY[pos] if length == 1 and pos else None)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


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
    scan = _Scanner(_period_list(_normalise(stripped))).scan()
    if scan.onwards is not None and (year is None or year < scan.onwards):
        year = scan.onwards  # "Trước 30/6 hằng năm, từ năm 2027" in a plan for 2026: from 2027
    written = sorted(
        [(due.start, due.year) for due in scan.dues if due.year]
        + [(repeat.start, repeat.year) for repeat in scan.repeats if repeat.year]
    )
    cell_year = written[0][1] if written else None
    dates = _dates(scan.dues, year, cell_year, scan.source)
    named = [pd.every for pd in scan.period_days if pd.every is not None]
    if scan.continuous and scan.onwards is not None and len(scan.repeats) == 1 and not named and not dates:
        return Deadline(stripped, "continuous", None, ())  # "Thường xuyên, từ năm 2026": continuous from then
    if scan.repeats or named:
        every = min([repeat.every for repeat in scan.repeats] + named, key=_FINEST_FIRST.index)
        repeat_year = next((r.year for r in scan.repeats if r.year), None) or year or cell_year
        if repeat_year is None:
            raise MissingYear(_("no year given for this deadline"))
        in_period = _day_in_period(scan, every)
        # "Hằng năm, giai đoạn 2024-2026": every year of the span.
        years = range(scan.spans[0][0], scan.spans[0][1] + 1) if scan.spans else (repeat_year,)
        schedule = set().union(*(_schedule(every, y, dates, in_period) for y in years))
        return Deadline(stripped, "recurring", every, tuple(sorted(schedule)))
    # "Từ tháng 3/2026", "Bắt đầu từ ngày 15/3": a start and no end is work going on from then, no deadline.
    if dates and not scan.continuous and not scan.repeats and _START_ONLY.match(scan.source):
        return Deadline(stripped, "continuous", None, ())
    yearly = _span_years(scan, dates, year)
    if yearly:
        return Deadline(stripped, "recurring", "year", tuple(_last_day(y, 12) for y in yearly))
    if dates:
        return Deadline(stripped, "fixed", None, tuple(sorted(dates)))
    if scan.continuous:
        return Deadline(stripped, "continuous", None, ())
    raise DeadlineError(_("unrecognised deadline"))


# "Hoàn thành (trong) giai đoạn 2021 - 2025", "Xong trước 2030": one piece of work, due at the span's end.
_COMPLETE = re.compile(r"\b(?:hoan\s*thanh|xong|ket\s*thuc|truoc)\b")


def _span_years(scan: _Scanner, dates: set[date], plan_year: int | None) -> range | None:
    """The years a span of years ("Giai đoạn 2026 - 2030", "2026-2030", "Năm 2026-2027") is due in when
    it ends after the plan year: the end of each year from the plan year's (or the span's first, if
    later) to its last, as "Hằng năm, giai đoạn …" is. Else None: the end of its last year.

    A one-year plan that lists work over several years follows this year's share of it, reported at
    the year's end as the plan itself is reviewed (its "tổng kết năm"); were the span due only at its
    end, a 2026 plan's task "2026-2030" would have no reminder before 2030. The years before the plan's
    are past, not chased. "Hoàn thành trong giai đoạn 2021 - 2025" is one piece of work due at its
    end, and so is a span the plan year reaches or passes, or any cell that writes other dates."""
    if not scan.spans or plan_year is None or _COMPLETE.search(scan.source):
        return None
    if dates != {_last_day(last, 12) for _first, last in scan.spans}:
        return None
    first, last = min(first for first, _last in scan.spans), max(last for _first, last in scan.spans)
    if last <= plan_year:
        return None
    return range(max(first, plan_year), last + 1)


def _day_in_period(scan: _Scanner, every: Every) -> _PeriodDay | None:
    """Where in each ``every`` period the cell is due: the first day phrase for that period (or naming
    none), with the position of the repeat word when the phrase has none ("tháng cuối mỗi quý")."""
    pos = next((r.pos for r in scan.repeats if r.every == every and r.pos), None)
    for found in scan.period_days:
        if found.every in (None, every):
            return found if found.pos or pos is None else _PeriodDay(found.day, found.every, pos, found.next)
    return _PeriodDay(None, every, pos) if pos else None


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
