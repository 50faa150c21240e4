"""Vietnamese working days: Monday to Friday, minus public holidays, with a body's own overrides.

Public holidays come from the ``holidays`` package (``country_holidays("VN")``: New Year, lunar
Tết, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9, and the days off in lieu when one falls on a weekend).
Every year the government also moves days for civil servants (a make-up working Saturday for a
bridged holiday) and a body may decide extra days off: an :class:`Overrides` file lists both::

    days_off: ["2022-01-28", "29/04/2022"]   # extra days off
    working_days: ["2022-01-08"]              # make-up working days (usually Saturdays)

A calendar computes a year's working days once, the first time any day of it is asked about, and
keeps them as a set and a sorted list of ordinals, so every question is a set lookup or a bisect.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import holidays
from pydantic import BaseModel, BeforeValidator, ConfigDict

from dondoc.i18n import _
from dondoc.plan.dates import DateProblem, read_date
from dondoc.plan.problems import InputError, Problem, read_yaml, refusal, validate
from dondoc.tz import TZ, in_vietnam

OFFICE_START = time(7, 30)
OFFICE_END = time(17, 0)

_MAX_YEARS_WITHOUT_WORK = 5  # a search that finds no working day in this many years is a broken calendar


@dataclass(frozen=True)
class Overrides:
    """Extra days off and make-up working days on top of the law's calendar."""

    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    @classmethod
    def load(cls, path: Path) -> Overrides:
        """Read an overrides YAML file; raises :class:`InputError` naming every bad field and value."""
        return cls.parse(read_yaml(path))

    @classmethod
    def parse(cls, raw: Any) -> Overrides:
        """Overrides from parsed YAML (``None`` for an empty file)."""
        if raw is None:
            return cls()
        found = validate(OverridesFile, raw, _messages)
        days_off, working_days = set(found.days_off or ()), set(found.working_days or ())
        problems = [
            Problem("working_days", _("listed both as a day off and as a working day"), day.isoformat())
            for day in sorted(days_off & working_days)
        ]
        if problems:
            raise InputError(problems)
        return cls(frozenset(days_off), frozenset(working_days))


def _parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):  # a time of day has no place here
        return value
    if isinstance(value, str):
        found = read_date(value)
        if not isinstance(found, DateProblem):
            return found
    raise refusal(_("not a date (use 2022-03-31 or 31/03/2022)"))


Day = Annotated[date, BeforeValidator(_parse_date)]


class OverridesFile(BaseModel):
    """The layout of an overrides file: two lists of dates, nothing else."""

    model_config = ConfigDict(extra="forbid")

    days_off: list[Day] | None = None
    working_days: list[Day] | None = None


def _messages(loc: tuple[int | str, ...], kind: str) -> str | None:
    if not loc and kind in ("model_type", "dict_type"):
        return _("expected a mapping with days_off and working_days")
    if len(loc) == 1 and kind == "list_type":
        return _("expected a list of dates")
    return None


class WorkCalendar:
    """Working days and office hours in Vietnam (Asia/Ho_Chi_Minh)."""

    def __init__(
        self,
        overrides: Overrides | None = None,
        office_start: time = OFFICE_START,
        office_end: time = OFFICE_END,
    ) -> None:
        if office_start >= office_end:
            raise ValueError(f"office hours must start before they end: {office_start}–{office_end}")
        self.overrides = overrides or Overrides()
        self.office_start = office_start
        self.office_end = office_end
        self._first_year = 0  # loaded years: [_first_year, _last_year], none while _first_year == 0
        self._last_year = -1
        self._working: set[int] = set()  # ordinals of working days in the loaded years
        self._sorted: list[int] = []  # the same, ascending
        # For each day of the loaded years (its ordinal less ``_base``): the latest working day on or
        # before it, the earliest on or after it (0: none in the loaded years). A planner asks these
        # millions of times a year's plan (one lookup instead of a year check and a bisection).
        self._base = 0
        self._before: list[int] = []
        self._after: list[int] = []

    # ------------------------------------------------------------ the cache

    def _load(self, year: int) -> None:
        """Make sure ``year`` and every year between it and those already loaded are computed."""
        if self._first_year <= year <= self._last_year:
            return
        if self._first_year == 0:
            years = [year]
            self._first_year = self._last_year = year
        elif year < self._first_year:
            years = list(range(year, self._first_year))
            self._first_year = year
        else:
            years = list(range(self._last_year + 1, year + 1))
            self._last_year = year
        public = holidays.country_holidays("VN", years=years)
        days_off = self.overrides.days_off
        extra = self.overrides.working_days
        for y in years:
            day = date(y, 1, 1)
            one = timedelta(days=1)
            while day.year == y:
                if day in extra or (day.weekday() < 5 and day not in public and day not in days_off):
                    self._working.add(day.toordinal())
                day += one
        self._sorted = sorted(self._working)
        self._index()

    def _index(self) -> None:
        """The lookup tables of the loaded years (see ``__init__``)."""
        base = date(self._first_year, 1, 1).toordinal()
        days = date(self._last_year, 12, 31).toordinal() - base + 1
        before, after = [0] * days, [0] * days
        latest = earliest = 0
        for k in range(days):
            if base + k in self._working:
                latest = base + k
            before[k] = latest
        for k in range(days - 1, -1, -1):
            if base + k in self._working:
                earliest = base + k
            after[k] = earliest
        self._base, self._before, self._after = base, before, after

    def _ordinals(self, year: int) -> list[int]:
        self._load(year)
        return self._sorted

    # ------------------------------------------------------------ days

    def is_working_day(self, day: date) -> bool:
        self._load(day.year)
        return day.toordinal() in self._working

    def on_or_before(self, day: date) -> date:
        """The latest working day on or before ``day``."""
        return date.fromordinal(self.ordinal_on_or_before(day.toordinal()))

    def on_or_after(self, day: date) -> date:
        """The earliest working day on or after ``day``."""
        return date.fromordinal(self.ordinal_on_or_after(day.toordinal()))

    def working_day_after(self, day: date, n: int) -> date:
        """The ``n``-th working day strictly after ``day`` (``n`` >= 1)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        return date.fromordinal(self.ordinal_working_day_after(day.toordinal(), n))

    def working_days_between(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included, ascending."""
        if end < start:
            return []
        self._load(start.year)
        ordinals = self._ordinals(end.year)
        lo = bisect_left(ordinals, start.toordinal())
        hi = bisect_right(ordinals, end.toordinal())
        return [date.fromordinal(o) for o in ordinals[lo:hi]]

    # Ordinal forms of the above (``date.toordinal()``), for planners that work on many dates at once.

    def ordinal_on_or_before(self, ordinal: int) -> int:
        k = ordinal - self._base
        if 0 <= k < len(self._before) and self._before[k]:
            return self._before[k]
        year = date.fromordinal(ordinal).year
        for _attempt in range(_MAX_YEARS_WITHOUT_WORK):
            ordinals = self._ordinals(year)
            i = bisect_right(ordinals, ordinal)
            if i:
                return ordinals[i - 1]
            year = self._first_year - 1
        raise ValueError(f"no working day before {date.fromordinal(ordinal)}")

    def ordinal_on_or_after(self, ordinal: int) -> int:
        k = ordinal - self._base
        if 0 <= k < len(self._after) and self._after[k]:
            return self._after[k]
        year = date.fromordinal(ordinal).year
        for _attempt in range(_MAX_YEARS_WITHOUT_WORK):
            ordinals = self._ordinals(year)
            i = bisect_left(ordinals, ordinal)
            if i < len(ordinals):
                return ordinals[i]
            year = self._last_year + 1
        raise ValueError(f"no working day after {date.fromordinal(ordinal)}")

    def ordinal_working_day_after(self, ordinal: int, n: int) -> int:
        """The ``n``-th working day strictly after ``ordinal`` (``n`` >= 1), as an ordinal."""
        year = date.fromordinal(ordinal).year
        for _attempt in range(_MAX_YEARS_WITHOUT_WORK + n // 200):
            ordinals = self._ordinals(year)
            i = bisect_right(ordinals, ordinal) + n - 1
            if i < len(ordinals):
                return ordinals[i]
            year = self._last_year + 1
        raise ValueError(f"no {n} working days after {date.fromordinal(ordinal)}")

    def ordinals_after(self, ordinal: int, last: int) -> list[int]:
        """The working days strictly after ``ordinal`` and on or before ``last``, as ordinals."""
        if last <= ordinal:
            return []
        self._load(date.fromordinal(ordinal).year)
        ordinals = self._ordinals(date.fromordinal(last).year)
        return ordinals[bisect_right(ordinals, ordinal) : bisect_right(ordinals, last)]

    # ------------------------------------------------------------ office hours

    def in_office_hours(self, moment: datetime) -> bool:
        """Whether ``moment`` (naive = Vietnam time) falls in office hours of a working day.

        Office hours include their start and exclude their end (07:30 is in, 17:00 is out)."""
        local = in_vietnam(moment)
        return self.is_working_day(local.date()) and self.office_start <= local.time() < self.office_end

    def next_office_time(self, moment: datetime) -> datetime:
        """``moment`` itself when in office hours, else the next office start of a working day."""
        local = in_vietnam(moment)
        day = local.date()
        if self.is_working_day(day):
            if local.time() < self.office_start:
                return datetime.combine(day, self.office_start, tzinfo=TZ)
            if local.time() < self.office_end:
                return local
        return datetime.combine(self.working_day_after(day, 1), self.office_start, tzinfo=TZ)


def calendar_from_env() -> WorkCalendar:
    """The calendar with the overrides file named by ``DONDOC_CALENDAR``, else without overrides."""
    return calendar_from_file(os.environ.get("DONDOC_CALENDAR"))


def calendar_from_file(path: str | None) -> WorkCalendar:
    """The calendar with the overrides file at ``path`` (the value of ``DONDOC_CALENDAR``), else without."""
    if not path:
        return WorkCalendar()
    return WorkCalendar(Overrides.load(Path(path)))
