"""The one clock of dondoc: timezone Asia/Ho_Chi_Minh, injectable, movable in tests and demos.

``DONDOC_NOW=<ISO datetime>`` starts the clock of any command at that instant and lets it run on
from there, so demos, drills and acceptance tests can live in 2022.

dondoc works with dates from :data:`FIRST_YEAR` to :data:`LAST_YEAR`: plans, reports and settings
outside that range are refused with a message rather than overflowing date arithmetic.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta

from dondoc.i18n import _
from dondoc.tz import TZ as TZ  # re-exported: the clock's time zone
from dondoc.tz import in_vietnam

FIRST_YEAR = 2000
LAST_YEAR = 2100


class ClockSettingError(ValueError):
    """``DONDOC_NOW`` is not an instant dondoc can start its clock at; the message says why."""


class Clock:
    """Wall time, optionally shifted so that it started at ``start``; ``set``/``advance`` move it."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._frozen = frozen
        self._offset = timedelta(0)
        self._fixed: datetime | None = None
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        if self._fixed is not None:
            return self._fixed
        return datetime.fromtimestamp(time.time(), TZ) + self._offset

    def today(self) -> date:
        return self.now().date()

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant`` (naive times are Vietnam time); it runs on unless frozen."""
        instant = in_vietnam(instant)
        if self._frozen:
            self._fixed = instant
        else:
            self._offset = instant - datetime.fromtimestamp(time.time(), TZ)

    def advance(self, delta: timedelta) -> None:
        if self._fixed is not None:
            self._fixed += delta
        else:
            self._offset += delta


def clock_from_env() -> Clock:
    """The real clock, or one started at ``DONDOC_NOW`` when that is set."""
    return clock_at(os.environ.get("DONDOC_NOW"))


def clock_at(setting: str | None) -> Clock:
    """The real clock, or one started at ``setting`` (the value of ``DONDOC_NOW``) when it is given;
    raises :class:`ClockSettingError` naming ``DONDOC_NOW`` when it is not an instant dondoc handles."""
    value = (setting or "").strip()
    if not value:
        return Clock()
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise ClockSettingError(
            _("DONDOC_NOW is not a date and time: {value} (use ISO, e.g. 2022-03-15T08:30, or unset it)").format(
                value=value
            )
        ) from None
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise ClockSettingError(
            _("DONDOC_NOW is out of range: {value} (use a year from {first} to {last}, or unset it)").format(
                value=value, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    return Clock(start)
