"""The one clock of dondoc: timezone Asia/Ho_Chi_Minh, injectable, movable in tests and demos.

``DONDOC_NOW=<ISO datetime>`` starts the clock of any command at that instant and lets it run on
from there, so demos, drills and acceptance tests can live in 2022. ``DONDOC_CLOCK_SPEED=10`` makes
it run ten times as fast (a drill through a morning in minutes: the reminder job's period follows
it), and ``DONDOC_CLOCK_ORIGIN=<Unix time>`` says when it read ``DONDOC_NOW``, so a restarted
process goes on with the same time.

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
    """Wall time, optionally started at ``start`` (then running on from it, ``speed`` times as fast as
    the wall clock: a drill that lives through a morning in minutes); ``set``/``advance`` move it.

    ``origin`` is the real moment (Unix time) at which the clock read ``start`` (default: now): two
    processes given the same ``start``, ``origin`` and ``speed`` — a process and its restart — read
    the same time."""

    def __init__(
        self, start: datetime | None = None, *, frozen: bool = False, speed: float = 1.0, origin: float | None = None
    ) -> None:
        if not speed > 0:
            raise ValueError(f"a clock's speed must be positive: {speed}")
        self._frozen = frozen
        self.speed = speed
        self._fixed: datetime | None = None
        # (a real moment, the clock's reading then); None: the clock is the wall clock
        self._anchor: tuple[float, datetime] | None = None
        if start is not None:
            self.set(start, origin=origin)
        elif speed != 1 and not frozen:
            real = time.time() if origin is None else origin
            self._anchor = (real, datetime.fromtimestamp(real, TZ))

    def now(self) -> datetime:
        if self._fixed is not None:
            return self._fixed
        real = time.time()
        if self._anchor is None:
            return datetime.fromtimestamp(real, TZ)
        at, reading = self._anchor
        return reading + timedelta(seconds=(real - at) * self.speed)

    def today(self) -> date:
        return self.now().date()

    def set(self, instant: datetime, *, origin: float | None = None) -> None:
        """Move the clock to ``instant`` (naive times are Vietnam time); it runs on unless frozen.
        ``origin``: the real moment (Unix time) at which it read ``instant`` (default: now)."""
        instant = in_vietnam(instant)
        if self._frozen:
            self._fixed = instant
        else:
            self._anchor = (time.time() if origin is None else origin, instant)

    def advance(self, delta: timedelta) -> None:
        if self._fixed is not None:
            self._fixed += delta
        else:
            self.set(self.now() + delta)

    def seconds(self, clock_seconds: float) -> float:
        """How many real seconds ``clock_seconds`` of this clock's time take (its speed)."""
        return clock_seconds / self.speed


def clock_from_env() -> Clock:
    """The real clock, or one started at ``DONDOC_NOW`` when that is set (``DONDOC_CLOCK_SPEED``,
    ``DONDOC_CLOCK_ORIGIN``: see :func:`clock_at`)."""
    env = os.environ.get
    return clock_at(env("DONDOC_NOW"), env("DONDOC_CLOCK_SPEED"), env("DONDOC_CLOCK_ORIGIN"))


def clock_at(setting: str | None, speed: str | None = None, origin: str | None = None) -> Clock:
    """The real clock, or one started at ``setting`` (the value of ``DONDOC_NOW``) when it is given;
    ``speed`` (``DONDOC_CLOCK_SPEED``) makes it run that many times as fast as the wall clock, and
    ``origin`` (``DONDOC_CLOCK_ORIGIN``, Unix time) is the real moment at which it read ``setting``,
    so that a process restarted in a drill goes on with the same time. Raises
    :class:`ClockSettingError` naming the variable when a value is not one dondoc handles."""
    value = (setting or "").strip()
    pace = _speed(speed)
    anchor = _origin(origin)
    if not value:
        if anchor is not None:
            raise ClockSettingError(_("DONDOC_CLOCK_ORIGIN is set without DONDOC_NOW: set DONDOC_NOW too, or unset it"))
        return Clock(speed=pace)
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
    return Clock(start, speed=pace, origin=anchor)


MAX_SPEED = 3600.0  # an hour a second: faster than that, the reminder job could not keep up


def _speed(setting: str | None) -> float:
    value = (setting or "").strip()
    if not value:
        return 1.0
    try:
        speed = float(value)
    except ValueError:
        speed = 0.0
    if not 0 < speed <= MAX_SPEED:  # also refuses nan and inf
        raise ClockSettingError(
            _(
                "DONDOC_CLOCK_SPEED is not a speed dondoc can run at: {value} "
                "(use a number above 0 and at most {most}, e.g. 10 for ten times as fast, or unset it)"
            ).format(value=value, most=int(MAX_SPEED))
        )
    return speed


def _origin(setting: str | None) -> float | None:
    value = (setting or "").strip()
    if not value:
        return None
    try:
        origin = float(value)
    except ValueError:
        origin = float("nan")
    if not 0 <= origin < 1e11:  # also refuses nan and inf
        raise ClockSettingError(
            _(
                "DONDOC_CLOCK_ORIGIN is not a Unix time: {value} (the real moment, in seconds since "
                "1970, at which the clock read DONDOC_NOW, e.g. 1764670000.5; or unset it)"
            ).format(value=value)
        )
    return origin
