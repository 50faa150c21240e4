"""Dates as people type them (:func:`read_date`: the one reading of a typed date, for completion dates,
calendar files and the sandbox's clock), and whether a completion date makes sense for a plan.

One rule for every way a report comes in (the chat's completion-date step, ``dondoc report add``):

- ``dd/mm/yyyy`` (also with ``.`` or ``-``), ``dd/mm`` (this year) or ISO ``yyyy-mm-dd``; a two-digit
  year is 20yy (``15/03/22`` is 15/03/2022); any other year is taken as written, so ``1/1/100`` is the
  year 100 and ``01/01/0001`` the year 1, both refused below;
- the words "hôm nay" / "today" and "hôm qua" / "yesterday" (with or without diacritics) for a
  completion date, the day it is typed or the one before;
- a day that does not exist (31/02/2022) is refused as such, not blamed on anything else;
- a date before the plan's year is refused, and so is a date after today; a date after the plan's
  year is fine (late work is still reported).

:func:`read_time_of_day` reads a time of day as people type it (``14:30``, ``14h``, ``8g30``, ``2 giờ chiều``).

:func:`read_completion_date` reads typed text with :func:`read_date`; :func:`check_completion_date` checks a date already
read (for instance by the command line's own date option); :func:`describe` words a problem for people.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from enum import StrEnum

from dondoc.i18n import _, format_date
from dondoc.text import fold, match_key


class DateProblem(StrEnum):
    NOT_A_DATE = "not_a_date"  # not written as a date at all
    NO_SUCH_DATE = "no_such_date"  # written as one, but no such day exists (31/02, 29/02/2023)
    BEFORE_PLAN_YEAR = "before_plan_year"
    IN_THE_FUTURE = "in_the_future"


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def check_completion_date(day: date, plan_year: int, today: date) -> DateProblem | None:
    """What is wrong with ``day`` as the completion date of a task of a ``plan_year`` plan, reported
    on ``today``: before the plan's year, or in the future; ``None`` when it is acceptable."""
    if day.year < plan_year:
        return DateProblem.BEFORE_PLAN_YEAR
    if day > today:
        return DateProblem.IN_THE_FUTURE
    return None


def read_date(text: str, this_year: int | None = None) -> date | DateProblem:
    """The date written as ``text``: ``dd/mm/yyyy`` (also with ``.`` or ``-``), ``dd/mm/yy`` (20yy), ISO
    ``yyyy-mm-dd``, and ``dd/mm`` when ``this_year`` says which year. Otherwise what is wrong: not a date,
    no such day, or (a year before 1, with a possible day and month) before any plan's year."""
    iso = _ISO.match(text)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    else:
        match = _DAY_FIRST.match(text)
        if not match or (match.group(3) is None and this_year is None):
            return DateProblem.NOT_A_DATE
        day, month = int(match.group(1)), int(match.group(2))
        written = match.group(3) or str(this_year)
        year = int(written) + 2000 if len(written) == 2 else int(written)
    if year < 1:
        return DateProblem.BEFORE_PLAN_YEAR if 1 <= month <= 12 and 1 <= day <= 31 else DateProblem.NO_SUCH_DATE
    try:
        return date(year, month, day)
    except ValueError:
        return DateProblem.NO_SUCH_DATE


_DAYS_AGO = {"hom nay": 0, "today": 0, "hom qua": 1, "yesterday": 1}


def read_completion_date(text: str, plan_year: int, today: date) -> date | DateProblem:
    """The completion date typed as ``text``, or what is wrong with it (see the module's rule)."""
    days_ago = _DAYS_AGO.get(match_key(text))
    found = today - timedelta(days=days_ago) if days_ago is not None else read_date(text, today.year)
    if isinstance(found, DateProblem):
        return found
    return check_completion_date(found, plan_year, today) or found


def describe_day(problem: DateProblem, typed: str, year: int) -> str:
    """What is wrong with a day typed for something to come (a new deadline, an absence): no such day,
    else not a date, with an example in ``year`` (``typed`` as the caller wants it shown)."""
    if problem == DateProblem.NO_SUCH_DATE:
        return _("There is no such day as {typed}: check the day and the month (dd/mm/yyyy).").format(typed=typed)
    return _("“{typed}” is not a date: please type it as dd/mm/yyyy (for example 30/06/{year}).").format(
        typed=typed, year=year
    )


def describe(problem: DateProblem, typed: str, plan_year: int, today: date) -> str:
    """The problem in the current language, naming what was typed (``typed``, as the caller wants it
    shown: HTML-escaped for a chat reply) and how to write a date."""
    if problem == DateProblem.NO_SUCH_DATE:
        return _("There is no such day as {typed}: check the day and the month (dd/mm/yyyy).").format(typed=typed)
    if problem == DateProblem.BEFORE_PLAN_YEAR:
        return _(
            "{typed} is before the plan's year ({year}): please type the date the task was completed, as dd/mm/yyyy."
        ).format(typed=typed, year=plan_year)
    if problem == DateProblem.IN_THE_FUTURE:
        return _("{typed} is in the future: the completion date cannot be later than today ({today}).").format(
            typed=typed, today=format_date(today)
        )
    return _("“{typed}” is not a date: please type it as dd/mm/yyyy (for example 15/03/{year}).").format(
        typed=typed, year=plan_year
    )


# ---------------------------------------------------------------------- times of day

_TIME_OF_DAY = re.compile(
    r"(\d{1,2})\s*(?:(?::|h|\.|g|gio)\s*(?:(\d{2})\s*(?:phut|p)?|(ruoi))?)?"
    r"\s*(sang|trua|chieu|toi|am|pm|a\.m\.|p\.m\.)?",
    re.ASCII,
)
_AFTERNOON = ("chieu", "toi", "pm", "p.m.")


def read_time_of_day(text: str) -> time | None:
    """A time of day as people type it: ``14:30``, ``14h``, ``14h30``, ``8.30``, ``8g30``, ``14 giờ``,
    ``14 giờ 30 phút``, ``2 giờ chiều``, ``2h chiều``, ``2 giờ rưỡi chiều``, ``9 giờ sáng``, ``12 giờ
    trưa``, ``2 pm``; None when it is not one (``14 giờ sáng``, ``25:00``)."""
    found = _TIME_OF_DAY.fullmatch(" ".join(fold(text).lower().split()))
    if found is None:
        return None
    hour = int(found.group(1))
    minute = 30 if found.group(3) else int(found.group(2) or 0)
    part = found.group(4)
    if part is not None:
        if not 1 <= hour <= 12:
            return None  # "14 giờ chiều", "0 giờ sáng": not how anyone says it
        if part in _AFTERNOON and hour != 12:
            hour += 12
        elif part == "trua" and hour < 6:
            hour += 12  # "1 giờ trưa"
        elif part in ("am", "a.m.") and hour == 12:
            hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
