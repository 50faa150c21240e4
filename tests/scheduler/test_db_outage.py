"""The reminder job with its database away for 30 s: it keeps its schedule without raising, and goes
on by itself when the database is back; a fan-out the outage cut in two is finished at the next run,
each digest once (what went out is recorded, not sent again; what did not go out is sent then, not
after the ten-minute lease)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Reminder, ReminderState, SentDigest
from dondoc.handlers.events import Reply
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import LEASE
from dondoc.scheduler.service import SWEEP_SECONDS, ReminderService
from dondoc.scheduler.sweeper import RECORD_BATCH
from tests.outage import Outage
from tests.scheduler.test_retry_fanout import MONDAY, add_units, bind_focal_points, run_until


class Recorder:
    """A channel that records each delivery, and can take the database away at its ``cut``-th send."""

    def __init__(self, clock: Clock, outage: Outage | None = None, cut: int = 0) -> None:
        self.clock, self.outage, self.cut = clock, outage, cut
        self.delivered: list[tuple[str, datetime]] = []

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.delivered.append((chat_id, self.clock.now()))
        if self.outage is not None and len(self.delivered) == self.cut:
            self.outage.start()
        return str(len(self.delivered))

    def counts(self) -> Counter[str]:
        return Counter(chat for chat, _at in self.delivered)


def _service(engine: Engine, n: int) -> tuple[Clock, list[str], Recorder, ReminderService[Reply]]:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    chats = bind_focal_points(engine, clock, add_units(engine, n))
    recorder = Recorder(clock)
    service = reminder_service(engine, clock, WorkCalendar(), {"test": recorder.send})
    service.schedule()
    clock.set(MONDAY)
    return clock, chats, recorder, service


def _recorded_digests(engine: Engine) -> int:
    """The messages recorded as sent (one a person and send time)."""
    with Session(engine) as session:
        return len(session.exec(select(SentDigest.id)).all())


def _unsent_due(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.send_at <= MONDAY)).all()
    return [r for r in rows if r.state not in (ReminderState.SENT, ReminderState.HELD)]


async def test_the_job_rides_out_30_seconds_without_its_database_and_sends_when_it_is_back(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    clock, chats, recorder, service = _service(engine, 10)
    outage = Outage(engine)
    try:
        with caplog.at_level(logging.WARNING, "dondoc.scheduler.service"), outage.window():
            runs = await run_until(service, clock, MONDAY + timedelta(seconds=30))  # 08:00:00, :15, :30
        assert runs == 3 and outage.refused and recorder.delivered == []
        unavailable = [r for r in caplog.records if "database is unavailable" in r.getMessage()]
        assert len(unavailable) == 1  # said once, not at every run

        result = await service.run()  # 08:00:45: the database is back
    finally:
        outage.close()
    assert result.messages == len(chats) and recorder.counts() == Counter({chat: 1 for chat in chats})
    assert any("database is back" in r.getMessage() for r in caplog.records)
    assert _unsent_due(engine) == []


async def test_a_fan_out_cut_by_the_database_going_away_is_finished_once_when_it_is_back(engine: Engine) -> None:
    clock, chats, recorder, service = _service(engine, 60)
    outage = Outage(engine)
    recorder.outage, recorder.cut = outage, 30  # the database goes away after the 30th send
    try:
        # 08:00: the pass sends on until recording fails (it records from 25 sent on, while sending
        # goes on, with never more than 50 sent and not recorded); the rest are left claimed
        await service.run()
        assert outage.down and len(recorder.delivered) >= 30
        clock.advance(timedelta(seconds=SWEEP_SECONDS))
        await service.run()  # 08:00:15, still away
        outage.end()
        # (whether the record of the first 25 went in before the cut depends on the threads' timing:
        # what the pass had sent and not recorded when it stopped is what is bounded)
        assert len(recorder.delivered) - _recorded_digests(engine) <= RECORD_BATCH
        clock.advance(timedelta(seconds=SWEEP_SECONDS))
        await service.run()  # 08:00:30, back
    finally:
        outage.close()
    counts = recorder.counts()
    lost = sum(1 for chat in chats if counts[chat] == 0)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    print(f"fan-out of {len(chats)} cut by the database: sent={sum(counts.values())} lost={lost} dup={duplicated}")
    assert (lost, duplicated) == (0, 0)
    assert _unsent_due(engine) == []

    clock.set(MONDAY + LEASE + timedelta(minutes=1))  # after the lease: nothing goes out again
    await service.run()
    assert recorder.counts() == counts
