"""A reminder that waits for a receiver's own send time (``/nhacviec``) is not a failed try: it keeps
all its tries for a channel in trouble, and replanning neither cancels nor moves it."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Reminder, ReminderState
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.outbox import MAX_ATTEMPTS
from dondoc.scheduler.schedule import replan
from tests.personal.test_reminders import DEPUTY, FOCAL, TimedOutbox, _received, _run, _with_deputy, mentions

DAY = date(2022, 1, 24)  # I.1's reminder before its deadline (31/01) to Phòng Nội vụ


def _deferred_row(engine: Engine) -> Reminder:
    with Session(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.state == ReminderState.PENDING)).all()
        return next(r for r in rows if r.send_on == DAY and r.send_at.astimezone(TZ).time() == time(14, 0))


async def test_a_deferred_reminder_keeps_every_try_and_replanning_leaves_it(engine: Engine) -> None:
    """The focal point keeps 08:00, the deputy chose 14:00: the row goes to the focal point at 08:00 and
    waits for 14:00. A replan then neither cancels nor moves it. At 14:00 the deputy's channel fails
    for a passing reason every time: the deputy is tried :data:`MAX_ATTEMPTS` times, like any
    reminder, before the row is given up as failed."""
    outbox = TimedOutbox()
    service, _deputy = _with_deputy(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox, "/nhacviec giờ 14:00")
    await _run(service, DAY, DAY, (time(8, 0), time(8, 1)))
    assert [when for when, _text in _received(outbox, FOCAL)] == [datetime(2022, 1, 24, 8, 0, tzinfo=TZ)]
    waiting = _deferred_row(engine)
    assert waiting.attempts == 0  # waiting for someone's time is not a try

    calendar = WorkCalendar()
    for now in (datetime(2022, 1, 24, 8, 5, tzinfo=TZ), datetime(2022, 1, 24, 13, 0, tzinfo=TZ)):
        with Session(engine) as session:
            replan(session, calendar, now)
            session.commit()
        again = _deferred_row(engine)
        assert (again.id, again.state, again.send_at) == (waiting.id, ReminderState.PENDING, waiting.send_at)

    tries: list[datetime] = []

    def fail(chat_id: str) -> Exception | None:
        if chat_id != DEPUTY:
            return None
        tries.append(service.clock.now())
        return TimeoutError("the channel timed out")

    outbox.fail = fail
    for _turn in range(3 * MAX_ATTEMPTS):
        with Session(engine) as session:
            row = session.get(Reminder, waiting.id)
            assert row is not None
            if row.state != ReminderState.PENDING:
                break
            service.clock.set(max(row.send_at.astimezone(TZ), service.clock.now()))
        await service.tick()
    with Session(engine) as session:
        row = session.get(Reminder, waiting.id)
        assert row is not None and row.state == ReminderState.FAILED, row
        assert row.attempts == MAX_ATTEMPTS
    assert len(tries) == MAX_ATTEMPTS, tries
    assert tries[0] == datetime(2022, 1, 24, 14, 0, tzinfo=TZ)
    assert outbox.texts(DEPUTY) == []
    to_focal = outbox.texts(FOCAL)
    assert len(to_focal) == 1 and mentions(to_focal[0], "I.1")
