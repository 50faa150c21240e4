"""Plan targets' numbers: reading what people type, reporting periods, goals.

Numbers are read the Vietnamese way: ``1.234`` and ``1 234`` are one thousand two hundred and
thirty-four, the comma is the decimal mark (``96,5%``). Periods are keys such as ``2022-Q1``,
``2022-03``, ``2022-H1`` and ``2022``; their reporting windows follow the CCHC practice (the 15th of
the month before the period starts to the 14th of its last month), configurable per organisation.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal

from dondoc.i18n import _, current_language
from dondoc.plan.progress import Category, on_time_rate
from dondoc.text import fold

Every = Literal["month", "quarter", "half-year", "year"]
EVERY: tuple[Every, ...] = ("month", "quarter", "half-year", "year")
_MONTHS: dict[Every, int] = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}


# ---------------------------------------------------------------- numbers


class NumberProblem(ValueError):
    """A number that cannot be taken; its message (translated) names the value."""


_GROUPED = re.compile(r"^\d{1,3}(?:[. ]\d{3})+$")
_PLAIN = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")


def read_whole(text: str) -> int:
    """A whole number typed the Vietnamese way: ``1234``, ``1.234``, ``1 234``. Refuses negative
    numbers, fractions and text with a message naming the value."""
    typed = " ".join(text.split())
    shown = typed or '""'
    compact = typed.replace("\u00a0", " ")
    if compact.startswith(("-", "−")):
        raise NumberProblem(_("{value} is negative: a count cannot be below zero.").format(value=shown))
    if _PLAIN.match(compact):
        return int(compact)
    if _GROUPED.match(compact):
        return int(compact.replace(".", "").replace(" ", ""))
    if _DECIMAL.match(compact):
        raise NumberProblem(_("{value} is not a whole number: please type a count such as 125.").format(value=shown))
    raise NumberProblem(_("{value} is not a number: please type a count such as 125.").format(value=shown))


def read_percent(text: str) -> Fraction:
    """A rate typed as ``96,5%``, ``96.5``, ``100 %``: a fraction from 0 to 1."""
    typed = " ".join(text.split())
    shown = typed or '""'
    compact = typed.replace(" ", "").removesuffix("%")
    if compact.startswith(("-", "−")):
        raise NumberProblem(_("{value} is negative: a rate is from 0% to 100%.").format(value=shown))
    if not _DECIMAL.match(compact):
        raise NumberProblem(_("{value} is not a rate: please type a percentage such as 96,5%.").format(value=shown))
    value = Fraction(compact.replace(",", ".")) / 100
    if value > 1:
        raise NumberProblem(_("{value} is more than 100%.").format(value=shown))
    return value


def format_rate(value: Fraction | float | None) -> str:
    """``0.963`` → ``96,3%`` (in Vietnamese), ``96.3%`` (in English); None → ``—``."""
    if value is None:
        return "—"
    from babel.numbers import format_percent

    return str(format_percent(float(value), "#,##0.0%", locale=current_language()))


def format_count(value: int | None) -> str:
    """A count for people, grouped the way they write it: ``1.234`` in Vietnamese, ``1,234`` in English."""
    if value is None:
        return "—"
    from babel.numbers import format_decimal

    return str(format_decimal(value, "#,##0", locale=current_language()))


def format_on_time_rate(counts: Mapping[Category, int], *, why: bool = False) -> str:
    """The on-time rate of ``counts`` (done on time ÷ (done on time + done late + overdue)) for people:
    ``96,3%``; ``—`` when no item is done or overdue yet, since the rate is undefined then, not 0 %
    (``why``: with the reason, where there is room for it)."""
    if not counts["done_on_time"] + counts["done_late"] + counts["overdue"]:
        return "— (" + _("no item is done or overdue yet") + ")" if why else "—"
    return format_rate(on_time_rate(dict(counts)))


# ---------------------------------------------------------------- goals

_GOAL = re.compile(r"^(>=|<=|>|<|=|≥|≤)?\s*(\d+(?:[.,]\d+)?)\s*%?$")
_OPS = {"≥": ">=", "≤": "<="}


@dataclass(frozen=True)
class Goal:
    op: str  # >=, >, <=, <, =
    value: Fraction  # 0..1

    def label(self) -> str:
        """For people, in words as plans write it: "từ 95% trở lên", "trên 80%", "không quá 5%" (read
        back by :func:`read_goal`)."""
        from babel.numbers import format_percent

        rate = str(format_percent(float(self.value), "#,##0.#%", locale=current_language()))
        words = {
            ">=": _("at least {rate}"),
            ">": _("more than {rate}"),
            "<=": _("at most {rate}"),
            "<": _("less than {rate}"),
            "=": "{rate}",
        }[self.op]
        return words.format(rate=rate)

    def met(self, value: Fraction) -> bool:
        return {
            ">=": value >= self.value,
            ">": value > self.value,
            "<=": value <= self.value,
            "<": value < self.value,
            "=": value == self.value,
        }[self.op]


# Goals written in words, folded: "trên 80%", "từ 95% trở lên", "tối thiểu 60%", "không quá 5%".
_GOAL_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:tu|dat tu|it nhat|toi thieu|phan dau dat|dat|at least)\s+(.+?)\s*(?:tro len)?$"), ">="),
    (re.compile(r"^(?:tren|hon|vuot|more than|above|over)\s+(.+)$"), ">"),
    (re.compile(r"^(?:khong qua|toi da|at most)\s+(.+)$"), "<="),
    (re.compile(r"^(?:duoi|less than|below)\s+(.+)$"), "<"),
    (re.compile(r"^(.+?)\s+tro len$"), ">="),
)


def goal_label(text: str) -> str:
    """A goal as written in the plan (``>= 100%``), for people ("từ 100% trở lên"); as written when unreadable."""
    try:
        return read_goal(text).label()
    except NumberProblem:
        return text


def read_goal(text: str) -> Goal:
    """``>= 95%``, ``> 80%``, ``100%`` (at least), ``≥ 96,5%``, ``<= 5%``; in words too: ``trên 80%``,
    ``từ 95% trở lên``, ``không quá 5%``."""
    typed = " ".join(str(text).split())
    folded = fold(typed)
    for pattern, op in _GOAL_WORDS:
        words = pattern.match(folded)
        number = _GOAL.match(words.group(1)) if words else None
        if words and number and not number.group(1):
            typed = f"{op} {words.group(1)}"
            break
    found = _GOAL.match(typed)
    if found is None:
        raise NumberProblem(_("not a goal: write it as >= 95%, > 80% or 100%"))
    op = _OPS.get(found.group(1) or ">=", found.group(1) or ">=")
    value = Fraction(found.group(2).replace(",", ".")) / 100
    if value > 1:
        raise NumberProblem(_("a goal is a rate from 0% to 100%"))
    return Goal(op, value)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Period:
    year: int
    every: Every
    index: int  # month 1..12, quarter 1..4, half 1..2, year 1

    @property
    def key(self) -> str:
        if self.every == "month":
            return f"{self.year}-{self.index:02d}"
        if self.every == "quarter":
            return f"{self.year}-Q{self.index}"
        if self.every == "half-year":
            return f"{self.year}-H{self.index}"
        return str(self.year)

    def months(self) -> tuple[int, int]:
        """The first and last month of the period."""
        size = _MONTHS[self.every]
        first = (self.index - 1) * size + 1
        return first, first + size - 1

    def label(self) -> str:
        """For people: "Quý 1/2022", "Tháng 3/2022", "6 tháng đầu năm 2022", "Năm 2022"."""
        if self.every == "month":
            return _("Month {n}/{year}").format(n=self.index, year=self.year)
        if self.every == "quarter":
            return _("Quarter {n}/{year}").format(n=self.index, year=self.year)
        if self.every == "half-year":
            if self.index == 1:
                return _("First half of {year}").format(year=self.year)
            return _("Second half of {year}").format(year=self.year)
        return _("Year {year}").format(year=self.year)

    def short(self) -> str:
        """What to type in a one-line figure: ``Q1``, ``T3``, ``H1`` (in Vietnamese ``6 tháng đầu năm``),
        ``2022``."""
        if self.every == "month":
            return f"T{self.index}"
        if self.every == "quarter":
            return f"Q{self.index}"
        if self.every == "half-year":
            return _("H1") if self.index == 1 else _("H2")  # "6 tháng đầu năm": read back by parse_period
        return str(self.year)

    def previous(self) -> Period:
        count = 12 // _MONTHS[self.every]
        if self.index > 1:
            return Period(self.year, self.every, self.index - 1)
        return Period(self.year - 1, self.every, count)

    def next(self) -> Period:
        count = 12 // _MONTHS[self.every]
        if self.index < count:
            return Period(self.year, self.every, self.index + 1)
        return Period(self.year + 1, self.every, 1)

    def contains(self, other: Period) -> bool:
        first, last = self.months()
        other_first, other_last = other.months()
        return self.year == other.year and first <= other_first and other_last <= last


def period_of(every: Every, year: int, month: int) -> Period:
    return Period(year, every, (month - 1) // _MONTHS[every] + 1)


_KEY_PATTERNS: tuple[tuple[re.Pattern[str], Every], ...] = (
    (re.compile(r"^(\d{4})-?q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-?h([12])$"), "half-year"),
    (re.compile(r"^(\d{4})-?m?(\d{1,2})$"), "month"),
)
# Typed forms (folded, without spaces): with the year after (q1/2022, quy1-2022) or none.
_TYPED: tuple[tuple[re.Pattern[str], Every], ...] = (
    (re.compile(r"^(?:q|quy|quarter)([1-4]|i{1,3}|iv)(?:[/-]?(\d{4}))?$"), "quarter"),
    (re.compile(r"^(?:h|6t|6thang|half)([12])(?:[/-]?(\d{4}))?$"), "half-year"),
    (re.compile(r"^(?:t|thang|m|month)(\d{1,2})(?:[/-]?(\d{4}))?$"), "month"),
    (re.compile(r"^(?:nam|year)(\d{4})?$"), "year"),
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def parse_period(text: str, default_year: int | None = None) -> Period | None:
    """``2022-Q1``, ``Q1``, ``quý 1``, ``Q1/2022``, ``2022-03``, ``T3``, ``tháng 3``, ``2022-H1``,
    ``H1``, ``6 tháng``, ``2022``, ``năm``; None when it is none of these (or without a year when
    ``default_year`` is None)."""
    compact = re.sub(r"\s+", "", fold(text.strip()))
    if re.fullmatch(r"\d{4}", compact):
        return Period(int(compact), "year", 1)
    for pattern, every in _KEY_PATTERNS:
        found = pattern.match(compact)
        if found:
            index = int(found.group(2))
            if every == "month" and not 1 <= index <= 12:
                return None
            return Period(int(found.group(1)), every, index)
    for pattern, every in _TYPED:
        found = pattern.match(compact)
        if not found:
            continue
        year_text = found.group(2) if every != "year" else found.group(1)
        year = int(year_text) if year_text else default_year
        if year is None:
            return None
        if every == "year":
            return Period(year, "year", 1)
        raw = found.group(1)
        index = _ROMAN[raw] if raw in _ROMAN else int(raw)
        if every == "month" and not 1 <= index <= 12:
            return None
        return Period(year, every, index)
    if compact in ("6thangdaunam", "6thangdau"):
        return Period(default_year, "half-year", 1) if default_year else None
    if compact in ("6thangcuoinam", "6thangcuoi"):
        return Period(default_year, "half-year", 2) if default_year else None
    return None


@dataclass(frozen=True)
class Windows:
    """When a period's figures are collected: the window runs from ``start_day`` of the month
    ``months_before`` months before the period's first month to the day before ``start_day`` of the
    month after its last (shifted back the same way); figures are due ``due_days`` after the window
    ends. The defaults are the CCHC reporting windows: 15/12 to 14/03 for the first quarter."""

    start_day: int = 15
    months_before: int = 1
    due_days: int = 1
    remind_days_before: int = 3
    overdue_every: int = 2  # working days between reminders once the figures are late
    remind_for_days: int = 30  # no more reminders this many days after the due date

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> Windows:
        values = {k: int(v) for k, v in (settings or {}).items() if k in cls.__dataclass_fields__}
        return cls(**values)

    def window(self, period: Period) -> tuple[date, date]:
        first, last = period.months()
        start = _shift(period.year, first, -self.months_before, self.start_day)
        end = _shift(period.year, last, 1 - self.months_before, self.start_day) - timedelta(days=1)
        return start, end

    def due(self, period: Period) -> date:
        return self.window(period)[1] + timedelta(days=self.due_days)

    def current(self, every: Every, today: date) -> Period:
        """The period whose figures are being asked for on ``today``: the first one due on or after
        ``remind_for_days`` days ago (so a late quarter stays current for a while after its due day)."""
        period = period_of(every, today.year - 1, 1)
        while self.due(period) < today - timedelta(days=self.remind_for_days):
            period = period.next()
        return period


def _shift(year: int, month: int, months: int, day: int) -> date:
    index = year * 12 + (month - 1) + months
    y, m = divmod(index, 12)
    return date(y, m + 1, min(day, _calendar.monthrange(y, m + 1)[1]))
