"""The one clock of dondoc: timezone Asia/Ho_Chi_Minh, injectable, movable in tests and demos.

``DONDOC_NOW=<ISO datetime>`` starts the clock of any command at that instant and lets it run on
from there, so demos, drills and acceptance tests can live in 2022.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


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
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=TZ)
        instant = instant.astimezone(TZ)
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
    value = os.environ.get("DONDOC_NOW")
    if not value:
        return Clock()
    return Clock(datetime.fromisoformat(value))
