"""A person's own reminder settings, as the reminder job carries them out: the clock is moved and the
sweeper run, and what reaches each chat is what a person would see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import MemberRole, Reminder, ReminderState
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.service import ReminderService
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox

FOCAL, MANAGER, DEPUTY = "500", "501", "502"
ESCALATION = "Nhiệm vụ quá hạn — Kính gửi"  # how an escalation to the managers begins


def _world(engine: Engine, start: datetime, outbox: Outbox) -> tuple[ReminderService[Reply], Chat, Chat]:
    """A focal point and a manager of Phòng Nội vụ (NV) bound at ``start``; the job at the same clock."""
    clock = Clock(start, frozen=True)
    dispatcher = make_dispatcher(engine, start)
    dispatcher.clock = clock
    focal = Chat(dispatcher, FOCAL)
    focal.send(f"/start {invite_code(engine, 'NV', now=start)}")
    manager = Chat(dispatcher, MANAGER)
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=start)}")
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    return service, focal, manager


def _with_deputy(
    engine: Engine, start: datetime, outbox: TimedOutbox, *settings: str
) -> tuple[ReminderService[Reply], Chat]:
    """:func:`_world` with the outbox on the job's clock and a deputy focal point of NV bound too, who
    then types each of ``settings`` (``/nhacviec …``)."""
    service, focal, _manager = _world(engine, start, outbox)
    outbox.clock = service.clock
    deputy = Chat(focal.dispatcher, DEPUTY)
    deputy.send(f"/start {invite_code(engine, 'NV', MemberRole.DEPUTY, now=start)}")
    for line in settings:
        deputy.send(line)
    return service, deputy


async def _run(service: ReminderService[Reply], first: date, last: date, at: tuple[time, ...]) -> None:
    """Tick the job at each of ``at`` on every day from ``first`` to ``last``."""
    day = first
    while day <= last:
        for moment in at:
            service.clock.set(datetime.combine(day, moment, tzinfo=TZ))
            await service.tick()
        day += timedelta(days=1)


def mentions(text: str, code: str) -> bool:
    """Whether ``text`` names the task ``code`` (I.5, not II.5)."""
    return re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text) is not None


def _received(outbox: TimedOutbox, chat_id: str) -> list[tuple[datetime, str]]:
    """(when it went, the plain text) of every message to ``chat_id``: the outbox's order is the clock's."""
    return [
        (when, plain(reply.text)) for when, (to, reply) in zip(outbox.times, outbox.sent, strict=True) if to == chat_id
    ]


@dataclass
class TimedOutbox(Outbox):
    """An outbox that also records the clock's time of each send."""

    clock: Clock | None = None
    times: list[datetime] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply) -> str:
        assert self.clock is not None
        self.times.append(self.clock.now())
        return await super().send(chat_id, reply)


def _outbox() -> TimedOutbox:
    return TimedOutbox()


async def test_a_chosen_send_time_brings_the_reminder_at_that_time(engine: Engine) -> None:
    outbox = _outbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send("/nhacviec giờ 14:00")
    assert "14:00" in focal.last and "ngày làm việc" in focal.last, focal.last
    await _run(service, date(2022, 1, 24), date(2022, 1, 24), (time(8, 0), time(13, 59), time(14, 0), time(16, 0)))
    received = _received(outbox, FOCAL)
    assert len(received) == 1, received
    when, text = received[0]
    assert when == datetime(2022, 1, 24, 14, 0, tzinfo=TZ)
    assert mentions(text, "I.1")


async def test_back_to_the_default_the_reminder_comes_at_the_organisations_time(engine: Engine) -> None:
    outbox = _outbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send("/nhacviec gio 14:00")
    service.clock.set(datetime(2022, 1, 23, 21, 0, tzinfo=TZ))
    await service.tick()  # planned at 14:00
    focal.send("/nhacviec mac dinh")
    assert "theo cài đặt chung của cơ quan" in focal.last, focal.last
    await _run(service, date(2022, 1, 24), date(2022, 1, 24), (time(8, 0), time(14, 0)))
    assert [when.time() for when, _text in _received(outbox, FOCAL)] == [time(8, 0)]


async def test_a_time_outside_office_hours_is_refused_and_nothing_changes(engine: Engine) -> None:
    outbox = _outbox()
    _service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    focal.send("/nhacviec gio 18:00")
    assert "18:00" in focal.last and "07:30" in focal.last and "17:00" in focal.last, focal.last
    focal.send("/nhacviec gio 25:00")
    assert "không phải giờ trong ngày" in focal.last, focal.last
    focal.send("/nhacviec")
    assert "08:00" in focal.last and "mặc định của cơ quan" in focal.last, focal.last


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", [date(2022, 3, 24), date(2022, 3, 28), date(2022, 3, 30), date(2022, 3, 31)]),
        ("/nhacviec tuần", [date(2022, 3, 21), date(2022, 3, 28), date(2022, 3, 31)]),
        ("/nhacviec tuan thu 6", [date(2022, 3, 18), date(2022, 3, 25), date(2022, 3, 31)]),
    ],
)
async def test_a_weekly_digest_gathers_the_week_but_the_due_day_comes_on_the_day(
    engine: Engine, line: str, expected: list[date]
) -> None:
    """Phòng Nội vụ leads I.2 (due Thursday 31/03/2022): daily, it is reminded on Thursday 24/03,
    Monday 28/03, Wednesday 30/03 and on the day; with a weekly digest, on the digest days of those
    weeks (Monday, or Friday) and on the day."""
    outbox = _outbox()
    service, focal, _manager = _world(engine, datetime(2022, 3, 16, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    if line:
        focal.send(line)
        assert "một lần mỗi tuần" in focal.last and "vẫn đến đúng ngày" in focal.last, focal.last
    await _run(service, date(2022, 3, 17), date(2022, 3, 31), (time(8, 0),))
    received = _received(outbox, FOCAL)
    assert [when.date() for when, text in received if mentions(text, "I.2")] == expected
    assert len({when for when, _text in received}) == len(received)  # one message a send time
    if line == "/nhacviec tuần":
        monday = next(text for when, text in received if when.date() == date(2022, 3, 28))
        assert mentions(monday, "I.2") and mentions(monday, "I.4") and "31/03" in monday


async def test_muted_check_ins_stop_but_due_days_and_escalations_still_come(engine: Engine) -> None:
    """Phòng Nội vụ: a check-in on V.6 (continuous) on 01/06/2022; I.5 due 30/06, escalated to the
    managers on the third working day after it."""
    outbox = _outbox()
    service, focal, _manager = _world(engine, datetime(2022, 5, 29, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send("/nhacviec tat nhac")
    assert "tắt nhắc báo cáo định kỳ" in focal.last and "vẫn được gửi" in focal.last, focal.last
    focal.send("/nhacviec gio 14:00")
    await _run(service, date(2022, 5, 30), date(2022, 6, 2), (time(8, 0), time(14, 0)))
    await _run(service, date(2022, 6, 29), date(2022, 7, 6), (time(8, 0), time(14, 0)))
    to_focal = _received(outbox, FOCAL)
    assert not [text for _w, text in to_focal if mentions(text, "V.6")]
    due_day = [when for when, text in to_focal if mentions(text, "I.5") and when.date() == date(2022, 6, 30)]
    assert due_day == [datetime(2022, 6, 30, 14, 0, tzinfo=TZ)]  # on the day, at the person's time
    escalated = [when for when, text in _received(outbox, MANAGER) if mentions(text, "I.5") and ESCALATION in text]
    assert escalated == [datetime(2022, 7, 5, 8, 0, tzinfo=TZ)], escalated  # the managers' time is the unit's


async def test_without_muting_the_check_in_comes(engine: Engine) -> None:
    outbox = _outbox()
    service, _focal, _manager = _world(engine, datetime(2022, 5, 29, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    await _run(service, date(2022, 5, 30), date(2022, 6, 2), (time(8, 0),))
    assert [when.date() for when, text in _received(outbox, FOCAL) if mentions(text, "V.6")] == [date(2022, 6, 1)]


async def test_a_deputy_who_mutes_check_ins_misses_them_while_the_focal_point_gets_them(engine: Engine) -> None:
    outbox = _outbox()
    service, _deputy = _with_deputy(engine, datetime(2022, 5, 29, 20, 0, tzinfo=TZ), outbox, "/nhacviec tắt nhắc")
    await _run(service, date(2022, 5, 30), date(2022, 6, 2), (time(8, 0),))
    assert [when.date() for when, text in _received(outbox, FOCAL) if mentions(text, "V.6")] == [date(2022, 6, 1)]
    assert not [text for _w, text in _received(outbox, DEPUTY) if mentions(text, "V.6")]


@pytest.mark.slow  # two reminder jobs on one store: with the slow tests
async def test_two_processes_send_a_weekly_digest_once(engine: Engine) -> None:
    """Two reminder jobs on one store (two processes) plan and sweep the same week: each reminder goes
    to the person once."""
    first, second = _outbox(), _outbox()
    service, focal, _manager = _world(engine, datetime(2022, 3, 20, 20, 0, tzinfo=TZ), first)
    other = reminder_service(engine, service.clock, WorkCalendar(), {"test": second.send}, None)
    other.sweeper.worker = "other-process"
    first.clock = second.clock = service.clock
    focal.send("/nhacviec tuan")
    day = date(2022, 3, 21)
    while day <= date(2022, 3, 31):
        for moment in (time(8, 0), time(8, 1)):
            service.clock.set(datetime.combine(day, moment, tzinfo=TZ))
            await service.tick()
            await other.tick()
        day += timedelta(days=1)
    received = sorted(_received(first, FOCAL) + _received(second, FOCAL))
    assert [when.date() for when, text in received if mentions(text, "I.2")] == [
        date(2022, 3, 21),
        date(2022, 3, 28),
        date(2022, 3, 31),
    ]


async def test_a_shared_unit_reaches_each_receiver_at_their_own_time(engine: Engine) -> None:
    """Phòng Nội vụ's focal point keeps the organisation's 08:00, its deputy chose 14:00: on the day of
    I.1's reminder the focal point gets it at 08:00 and the deputy at 14:00, each once; the row ends sent."""
    outbox = _outbox()
    start = datetime(2022, 1, 23, 20, 0, tzinfo=TZ)
    service, deputy = _with_deputy(engine, start, outbox, "/nhacviec giờ 14:00", "/nhacviec")
    assert "mỗi người nhận vào giờ mình đã chọn" in deputy.last, deputy.last
    deputy.send("/cancel")
    await _run(service, date(2022, 1, 24), date(2022, 1, 24), (time(8, 0), time(8, 1)))
    assert [when for when, _text in _received(outbox, FOCAL)] == [datetime(2022, 1, 24, 8, 0, tzinfo=TZ)]
    assert mentions(_received(outbox, FOCAL)[0][1], "I.1")
    assert _received(outbox, DEPUTY) == []
    with Session(engine) as session:
        waiting = session.exec(select(Reminder).where(Reminder.state == ReminderState.PENDING)).all()
        row = next(r for r in waiting if r.send_at.astimezone(TZ).date() == date(2022, 1, 24))
        assert row.send_at.astimezone(TZ) == datetime(2022, 1, 24, 14, 0, tzinfo=TZ)
        assert row.last_error == ""  # waiting for someone's time is not a failure
        rid = row.id
    await _run(service, date(2022, 1, 24), date(2022, 1, 24), (time(13, 59), time(14, 0), time(14, 1), time(16, 0)))
    to_deputy = _received(outbox, DEPUTY)
    assert [when for when, _text in to_deputy] == [datetime(2022, 1, 24, 14, 0, tzinfo=TZ)], to_deputy
    assert mentions(to_deputy[0][1], "I.1")
    assert len(_received(outbox, FOCAL)) == 1  # nothing more for the focal point
    with Session(engine) as session:
        reminder = session.get(Reminder, rid)
        assert reminder is not None and reminder.state == ReminderState.SENT


@pytest.mark.slow  # two reminder jobs on one store: with the slow tests
async def test_two_processes_send_a_shared_units_reminder_once_to_each_at_their_time(engine: Engine) -> None:
    """Two reminder jobs on one store, each ticking at 08:00 and 14:00: the focal point (08:00) and the
    deputy (who chose 14:00) each get I.1 once, at their own time."""
    first, second = _outbox(), _outbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), first)
    other = reminder_service(engine, service.clock, WorkCalendar(), {"test": second.send}, None)
    other.sweeper.worker = "other-process"
    first.clock = second.clock = service.clock
    deputy = Chat(focal.dispatcher, DEPUTY)
    deputy.send(f"/start {invite_code(engine, 'NV', MemberRole.DEPUTY, now=service.clock.now())}")
    deputy.send("/nhacviec gio 14h")
    for moment in (time(8, 0), time(8, 1), time(14, 0), time(14, 1)):
        service.clock.set(datetime.combine(date(2022, 1, 24), moment, tzinfo=TZ))
        await other.tick()
        await service.tick()
    for chat_id, expected in ((FOCAL, time(8, 0)), (DEPUTY, time(14, 0))):
        received = sorted(_received(first, chat_id) + _received(second, chat_id))
        assert [when.time() for when, text in received if mentions(text, "I.1")] == [expected], (chat_id, received)
