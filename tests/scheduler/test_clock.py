"""The clock of drills: started at an instant, running at a speed, from an origin that a restarted
process shares (``DONDOC_NOW``, ``DONDOC_CLOCK_SPEED``, ``DONDOC_CLOCK_ORIGIN``)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from dondoc.scheduler.clock import TZ, Clock, ClockSettingError, clock_at

START = datetime(2022, 1, 24, 7, 58, 30, tzinfo=TZ)


def test_two_processes_given_the_same_start_origin_and_speed_read_the_same_time() -> None:
    origin = time.time() - 10  # the first process started ten seconds ago, at ten times the pace
    first = clock_at(START.isoformat(), "10", repr(origin))
    restarted = clock_at(START.isoformat(), "10", repr(origin))
    assert abs(restarted.now() - first.now()) < timedelta(seconds=1)
    assert abs(first.now() - (START + timedelta(seconds=100))) < timedelta(seconds=5)
    assert first.seconds(15) == pytest.approx(1.5)  # the reminder job's 15 s take 1.5 real seconds


def test_a_clock_at_speed_one_runs_with_the_wall_clock_and_moves_when_told() -> None:
    clock = Clock(START)
    assert abs(clock.now() - START) < timedelta(seconds=5)
    clock.advance(timedelta(hours=1))
    assert abs(clock.now() - START - timedelta(hours=1)) < timedelta(seconds=5)
    frozen = Clock(START, frozen=True, speed=10)
    frozen.advance(timedelta(minutes=1))
    assert frozen.now() == START + timedelta(minutes=1)  # a frozen clock moves only when told
    assert clock_at(None).seconds(15) == 15


@pytest.mark.parametrize(("speed", "origin"), [("0", None), ("abc", None), ("inf", None), (None, "x"), (None, "nan")])
def test_a_speed_or_origin_dondoc_cannot_run_with_is_refused(speed: str | None, origin: str | None) -> None:
    with pytest.raises(ClockSettingError, match="DONDOC_CLOCK_"):
        clock_at(START.isoformat(), speed, origin)
