"""Deadlines counted from the plan's issue date, and vague unit phrases.

Relative deadlines: "100 ngày kể từ ngày ban hành Kế hoạch", "Sau 30 ngày kể từ ngày …", "Trong
vòng 15 ngày …", or a number in a duration column ("Số ngày", "Thời gian thực hiện (ngày)"). The
file does not date the event they count from; ``--issued DATE`` (the plan's issue date) dates them,
otherwise they are imported *undated* (:data:`~dondoc.plan.deadlines.DeadlineKind` ``"undated"``):
listed apart, never overdue, never reminded.

"Ngay sau khi Kế hoạch được ban hành", "Ngay khi ban hành Kế hoạch (này)" — at once after this plan's
issue — is such a deadline too, :data:`IMMEDIATE_DAYS` days after it: "ngay" asks for the work at once,
and the usual time a plan gives units for it ("xây dựng kế hoạch triển khai") is 15 days. Without
"ngay" ("Sau khi Kế hoạch được phê duyệt"), or after another document's issue ("Ngay sau khi Đề án được
ban hành"), it stays continuous (``deadlines.py``).

Vague phrases: a unit cell often ends with "các đơn vị liên quan", "cơ quan có liên quan", "các sở,
ngành khác" — generic collective nouns followed by "liên quan", "khác" or "chức năng". They name no
unit; the importer leaves them out of the task's units and warns.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dondoc.plan.deadlines import Deadline
from dondoc.text import fold, match_key, one_line

_SPACE = re.compile(r"\s+")

# "[sau|trong vòng|trong thời hạn|tối đa|chậm nhất] N ngày|tuần|tháng [làm việc] [kể từ|tính từ|sau] …":
# a count not followed by a date ("ngày 15/12" has the number after "ngày", so it is never read here).
_RELATIVE = re.compile(
    r"^(?:(?:sau|trong vong|trong thoi han|trong thoi gian|trong|toi da|cham nhat(?: sau)?|khong qua|truoc)\s*)?"
    r"(?P<count>\d{1,4})\s*(?P<unit>ngay|tuan|thang)\b(?:\s*lam viec\b)?"
    r"(?P<rest>.*)$"
)
_EVENT = re.compile(r"^\s*[,(:-]?\s*(?:ke tu|tinh tu|sau khi|sau|tu|ke tu khi)\b")
_DURATION = re.compile(r"^(?P<days>\d{1,4})(?:[.,]0+)?(?:\s*ngay(?:\s*lam viec)?)?$")
_DATE_AFTER = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}|\bthang\s*\d|\bnam\s*\d{4}")
# An event that is not the plan's issue: guidance or direction still to come ("30 ngày sau khi có hướng
# dẫn"), which the file does not date: the cell is read as the deadlines.py family "Sau khi có hướng dẫn".
_GUIDANCE = re.compile(r"\b(?:huong dan|chi dao|yeu cau|de nghi)\b")
_DAYS_PER_UNIT = {"ngay": 1, "tuan": 7}
# Days after the plan's issue a cell "Ngay sau khi Kế hoạch được ban hành" is due: a caller may pass its own.
IMMEDIATE_DAYS = 15
# "Ngay (sau) khi Kế hoạch (này) (được / đã được) (UBND tỉnh) ban hành | phê duyệt | ký | có hiệu lực",
# "Ngay (sau) khi ban hành Kế hoạch (này)": this plan, not another document, and nothing after it.
_IMMEDIATE = re.compile(
    r"^ngay (?:sau )?khi (?:"
    r"(?:ke hoach|kh)(?: nay)?(?: (?:da )?duoc)?(?: [a-z]+){0,5}? (?:ban hanh|phe duyet|ky(?: ban hanh)?|co hieu luc)"
    r"|(?:ban hanh|phe duyet|ky) (?:ke hoach|kh)(?: nay)?"
    r")\W*$"
)


@dataclass(frozen=True)
class Offset:
    """A deadline after the plan's issue date: so many days, or so many months."""

    count: int
    months: bool = False

    def after(self, day: date) -> date:
        if not self.months:
            return day + timedelta(days=self.count)
        month = day.month - 1 + self.count
        year, month = day.year + month // 12, month % 12 + 1
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _folded(text: str) -> str:
    return _SPACE.sub(" ", fold(text).replace("ð", "d")).strip()


def relative_offset(text: str, immediate_days: int = IMMEDIATE_DAYS) -> Offset | None:
    """The offset of a deadline counted from the plan's issue date, else None.

    "Sau 30 ngày kể từ ngày 15/01/2022" is not relative to the issue date: the file dates its event
    (see :func:`dated_offset`), nor is "30 ngày sau khi có hướng dẫn" (guidance still to come). A
    number of months needs its event ("6 tháng kể từ …"): "6 tháng" alone is the first half of the year.
    "Ngay sau khi Kế hoạch được ban hành" is ``immediate_days`` after it.
    """
    if _IMMEDIATE.match(_folded(text)):
        return Offset(immediate_days)
    found = _offset(text)
    if found is None or _DATE_AFTER.search(found[1]) or _GUIDANCE.search(found[1]):
        return None
    return found[0]


def dated_offset(text: str) -> tuple[Offset, str] | None:
    """An offset from an event the cell dates ("Sau 30 ngày kể từ ngày 15/01/2022"): the offset and
    the text of the event, whose date the caller reads; else None."""
    found = _offset(text)
    return found if found is not None and _DATE_AFTER.search(found[1]) else None


def _offset(text: str) -> tuple[Offset, str] | None:
    match = _RELATIVE.match(_folded(text))
    if match is None:
        return None
    rest, unit = match.group("rest"), match.group("unit")
    has_event = bool(_EVENT.match(rest))
    if rest.strip() and not has_event:
        return None
    count = int(match.group("count"))
    if unit == "thang":
        return (Offset(count, months=True), rest) if has_event else None
    return Offset(count * _DAYS_PER_UNIT[unit]), rest


def relative_days(text: str) -> int | None:
    """The number of days of a relative deadline counted in days or weeks, else None."""
    offset = relative_offset(text)
    return offset.count if offset is not None and not offset.months else None


def duration_days(text: str) -> int | None:
    """A duration cell ("30", "30 ngày", 30.0 as a spreadsheet stores it) as a number of days."""
    match = _DURATION.match(_folded(text))
    return int(match.group("days")) if match else None


def relative_deadline(text: str, offset: Offset, issued: date | None) -> Deadline:
    """``offset`` after ``issued`` (a fixed date), or undated when the issue date is not known."""
    stripped = one_line(text.strip())
    days = None if offset.months else offset.count
    if issued is None:
        return Deadline(stripped, "undated", None, (), offset_days=days)
    return Deadline(stripped, "fixed", None, (offset.after(issued),), offset_days=days)


# ---------------------------------------------------------------- vague unit phrases

# Words of generic collective phrases: determiners, joiners and the nouns public bodies use for
# "units" in general. A phrase made of these alone, then an ending, names no unit.
_GENERIC_TEXT = """
    cac nhung mot so moi va cung voi hoac phoi hop voi tat ca
    don vi co quan ban nganh phong dia phuong to chuc ca nhan doanh nghiep bo phan doan the hoi
    bo xa thi tran huyen tinh truong chi cuc trung tam cong chuc luc luong chu dau tu uy nhan dan ubnd
    cap thuoc truc tren quan ly chuyen mon lanh dao thu truong
"""
_GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
# Nouns one of which a vague phrase must contain (so "các ấp khác" is not vague: "ấp" is a place).
_GENERIC_NOUNS = frozenset(
    {
        *("don vi", "co quan", "so", "nganh", "ban", "phong", "dia phuong"),
        *("to chuc", "ca nhan", "doanh nghiep", "bo phan", "doan the", "bo"),
    }
)
_ENDINGS = (("co", "lien", "quan"), ("lien", "quan"), ("khac",), ("chuc", "nang"))


def is_vague(fragment: str) -> bool:
    """Whether a unit-cell fragment is a generic collective phrase such as "các đơn vị liên quan",
    "cơ quan có liên quan", "các sở, ngành khác", "và các đơn vị khác", "các cơ quan chức năng"."""
    words = match_key(fragment).split()
    for index in range(1, len(words)):
        if any(tuple(words[index : index + len(end)]) == end for end in _ENDINGS):
            head = words[:index]
            return all(word in _GENERIC_WORDS for word in head) and _names_a_generic_noun(head)
    return False


def _names_a_generic_noun(words: list[str]) -> bool:
    text = " " + " ".join(words) + " "
    return any(f" {noun} " in text for noun in _GENERIC_NOUNS)
