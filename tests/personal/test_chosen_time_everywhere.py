"""A person's chosen send time (``/nhacviec giờ 14:30``) holds for every reminder addressed to them,
not only the deadline reminders: the figures reminders of the plan targets, the explanations asked of
their unit, the reminders they asked for again (*Nhắc lại sau*), and whatever was planned or put off
before they changed it. The clock is moved over the day and the reminder job ticked: what reaches each
chat, and when, is what the person would see; nothing comes twice, nothing is lost."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import MemberRole, Reminder, ReminderKind, ReminderState
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.personal.test_reminders import (
    DEPUTY,
    FOCAL,
    TimedOutbox,
    _received,
    _run,
    _with_deputy,
    _world,
    mentions,
)
from tests.targets.helpers import import_targets

FIGURES = "Số liệu chỉ tiêu"  # how a figures reminder begins
DIGEST = "Nhắc việc"  # how a digest of deadline reminders begins
# Thursday 17/03/2022: Phòng Nội vụ's I.1 (due 31/01) is reminded as overdue, and its ISO figures of
# the first quarter (due 15/03, in the targets of tests/targets/helpers.py) are two working days late.
DAY = date(2022, 3, 17)
# Monday 24/01/2022: Phòng Nội vụ's I.1 (due 31/01) is reminded before its deadline.
MONDAY = date(2022, 1, 24)
TICKS = (time(7, 30), time(7, 59), time(8, 0), time(8, 1), time(14, 29), time(14, 30), time(14, 31), time(16, 0))


def _on(outbox: TimedOutbox, chat_id: str, day: date) -> list[tuple[datetime, str]]:
    return [(when, text) for when, text in _received(outbox, chat_id) if when.date() == day]


def _figures(received: list[tuple[datetime, str]]) -> list[datetime]:
    return [when for when, text in received if FIGURES in text]


def _about(received: list[tuple[datetime, str]], code: str) -> list[datetime]:
    return [when for when, text in received if FIGURES not in text and mentions(text, code)]


@pytest.mark.parametrize("chosen", [time(14, 30), time(7, 30)])
async def test_every_reminder_of_the_day_comes_once_at_the_chosen_time(
    sample_store: Dondoc, engine: Engine, tmp_path: Path, chosen: time
) -> None:
    """Later or earlier than the organisation's 08:00: the figures reminder and the deadline digest
    both come at the chosen time, each once, nothing at 08:00 — also from a job started afresh (a
    restart, another process), which plans the day again."""
    import_targets(sample_store, tmp_path)
    outbox = TimedOutbox()
    service, focal, _manager = _world(engine, datetime(2022, 3, 16, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send(f"/nhacviec giờ {chosen:%H:%M}")
    focal.send("/nhacviec")
    assert f"{chosen:%H:%M} các ngày làm việc" in focal.last and "mặc định" not in focal.last.split("\n")[1]
    focal.send("/cancel")
    service.clock.set(datetime(2022, 3, 16, 21, 0, tzinfo=TZ))
    await service.tick()  # the evening: planned at the chosen time
    restarted = reminder_service(engine, service.clock, WorkCalendar(), {"test": outbox.send})
    await _run(restarted, DAY, DAY, TICKS)
    received = _on(outbox, FOCAL, DAY)
    at = datetime.combine(DAY, chosen, tzinfo=TZ)
    assert _figures(received) == [at], received
    assert _about(received, "I.1") == [at], received
    assert {when for when, _text in received} == {at}, received


async def test_back_to_the_default_every_reminder_comes_at_the_organisations_time(engine: Engine) -> None:
    """Reminders at 14:30; Monday's is asked for again (*Nhắc lại sau*: Tuesday at 14:30); then the
    person goes back to the organisation's settings: /nhacviec says 08:00 again, and on Tuesday all
    comes at 08:00, I.1 once — the reminder asked for again too."""
    outbox = TimedOutbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send("/nhacviec giờ 14:30")
    service.clock.set(datetime(2022, 1, 23, 21, 0, tzinfo=TZ))
    await service.tick()
    await _run(service, MONDAY, MONDAY, (time(8, 0), time(14, 30)))
    [(when, digest)] = _received(outbox, FOCAL)
    assert when.time() == time(14, 30) and mentions(digest, "I.1")
    reply = next(r for to, r in reversed(outbox.sent) if to == FOCAL)
    focal.press_data(next(c for row in reply.choices for c in row if c.label == "Nhắc lại sau").data)
    assert "14:30 ngày 25/01/2022" in focal.last, focal.last
    focal.send("/nhacviec mặc định")
    focal.send("/nhacviec")
    assert "08:00 các ngày làm việc (mặc định của cơ quan)" in focal.last, focal.last
    tuesday = date(2022, 1, 25)
    await _run(service, tuesday, tuesday, (time(8, 0), time(8, 1), time(14, 30), time(16, 0)))
    received = _on(outbox, FOCAL, tuesday)
    at = datetime.combine(tuesday, time(8, 0), tzinfo=TZ)
    assert _about(received, "I.1") == [at], received
    assert {when for when, _text in received} == {at}, received


async def test_a_shared_unit_gets_its_figures_reminder_each_at_their_own_time(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    """Phòng Nội vụ's focal point keeps 08:00, its deputy chose 14:30: the unit's figures reminder
    reaches each once, at their own time (as its deadline reminders do)."""
    import_targets(sample_store, tmp_path)
    outbox = TimedOutbox()
    service, _deputy = _with_deputy(engine, datetime(2022, 3, 16, 20, 0, tzinfo=TZ), outbox, "/nhacviec giờ 14:30")
    await _run(service, DAY, DAY, TICKS)
    assert _figures(_on(outbox, FOCAL, DAY)) == [datetime.combine(DAY, time(8, 0), tzinfo=TZ)]
    assert _figures(_on(outbox, DEPUTY, DAY)) == [datetime.combine(DAY, time(14, 30), tzinfo=TZ)]
    assert _about(_on(outbox, DEPUTY, DAY), "I.1") == [datetime.combine(DAY, time(14, 30), tzinfo=TZ)]


@pytest.mark.parametrize("change", ["/nhacviec mặc định", "/nhacviec giờ 9:00"])
async def test_an_earlier_time_chosen_once_it_has_passed_brings_the_days_reminder_at_once(
    engine: Engine, change: str
) -> None:
    """The reminder waits for 14:00; at 10:00 the person goes back to 08:00 (or chooses 09:00), both
    past: the day's reminder comes at once, once — not lost, not at 14:00 as well."""
    outbox = TimedOutbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send("/nhacviec giờ 14:00")
    await _run(service, MONDAY, MONDAY, (time(8, 0), time(9, 59)))
    assert _received(outbox, FOCAL) == []
    service.clock.set(datetime.combine(MONDAY, time(10, 0), tzinfo=TZ))
    focal.send(change)
    await _run(service, MONDAY, MONDAY, (time(10, 0), time(10, 1), time(14, 0), time(16, 0)))
    received = _received(outbox, FOCAL)
    assert [when for when, _text in received] == [datetime.combine(MONDAY, time(10, 0), tzinfo=TZ)], received
    assert mentions(received[0][1], "I.1")


async def test_a_reminder_put_off_for_a_receiver_follows_their_new_time(engine: Engine) -> None:
    """A shared unit: the focal point got I.1 at 08:00, the row waits for the deputy's 14:00; at 10:00
    the deputy goes back to the organisation's time and gets it at once; nobody gets it twice."""
    outbox = TimedOutbox()
    service, deputy = _with_deputy(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox, "/nhacviec giờ 14:00")
    await _run(service, MONDAY, MONDAY, (time(8, 0), time(8, 1)))
    assert [when.time() for when, _t in _received(outbox, FOCAL)] == [time(8, 0)]
    service.clock.set(datetime.combine(MONDAY, time(10, 0), tzinfo=TZ))
    deputy.send("/nhacviec mac dinh")
    await _run(service, MONDAY, MONDAY, (time(10, 0), time(10, 1), time(14, 0), time(16, 0)))
    to_deputy = _received(outbox, DEPUTY)
    assert [when for when, _t in to_deputy] == [datetime.combine(MONDAY, time(10, 0), tzinfo=TZ)], to_deputy
    assert mentions(to_deputy[0][1], "I.1")
    assert len(_received(outbox, FOCAL)) == 1
    with Session(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.send_on == MONDAY)).all()
        assert rows and all(r.state == ReminderState.SENT for r in rows), [(r.kind, r.state) for r in rows]


async def test_a_reminder_asked_for_again_comes_at_the_time_chosen_since(engine: Engine) -> None:
    """*Nhắc lại sau* on Monday's 08:00 reminder: again on Tuesday at 08:00, as the bot said; the person
    then chooses 14:30, and Tuesday's reminders all come at 14:30, I.1 once."""
    outbox = TimedOutbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    service.clock.set(datetime(2022, 1, 23, 21, 0, tzinfo=TZ))
    await service.tick()  # planned the evening before
    await _run(service, MONDAY, MONDAY, (time(8, 0),))
    [(_when, digest)] = _received(outbox, FOCAL)
    assert mentions(digest, "I.1")
    reply = next(r for to, r in reversed(outbox.sent) if to == FOCAL)
    later = next(c for row in reply.choices for c in row if c.label == "Nhắc lại sau")
    focal.press_data(later.data)
    assert "08:00 ngày 25/01/2022" in focal.last, focal.last
    focal.send("/nhacviec giờ 14:30")
    tuesday = date(2022, 1, 25)
    await _run(service, tuesday, tuesday, (time(8, 0), time(8, 1), time(14, 30), time(16, 0)))
    received = _on(outbox, FOCAL, tuesday)
    at = datetime.combine(tuesday, time(14, 30), tzinfo=TZ)
    assert _about(received, "I.1") == [at], received
    assert {when for when, _text in received} == {at}, received


@pytest.mark.parametrize("chosen", [time(14, 30), time(7, 30)])
async def test_an_explanation_asked_of_the_unit_is_reminded_at_the_chosen_time(
    sample_store: Dondoc, engine: Engine, chosen: time
) -> None:
    """Xà Phiên's focal point chose a time; a manager asks it to explain I.2 (overdue) on Tuesday
    05/04/2022: the explanation is reminded on 07/04 and 08/04 at the chosen time, with the day's
    other reminders, never at 08:00 on its own."""
    start = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)
    clock = Clock(start, frozen=True)
    dispatcher = make_dispatcher(engine, start)
    dispatcher.clock = clock
    focal = Chat(dispatcher, "300", name="Nguyễn Đầu Mối")
    focal.send(f"/start {invite_code(engine, 'XP', now=start)}")
    manager = Chat(dispatcher, "301", name="Lê Lãnh Đạo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=start)}")
    focal.send(f"/nhacviec gio {chosen:%H:%M}")
    manager.send("/giaitrinh XP I.2")
    outbox = TimedOutbox(clock=clock)
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    await _run(service, date(2022, 4, 5), date(2022, 4, 5), (time(14, 30), time(16, 0)))
    await _run(service, date(2022, 4, 6), date(2022, 4, 8), TICKS)
    received = [(when, text) for when, text in _received(outbox, "300") if when.date() > date(2022, 4, 5)]
    explained = [when for when, text in received if "Giải trình" in text and mentions(text, "I.2")]
    assert [when.date() for when in explained] == [date(2022, 4, 7), date(2022, 4, 8)], received
    assert {when.time() for when, _text in received} == {chosen}, received
    assert len({when for when, _text in received}) == len(received)  # one message a send time
    with Session(engine) as session:
        waiting = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.EXPLANATION, Reminder.state == ReminderState.PENDING)
        ).all()
    assert {r.send_at.astimezone(TZ).time() for r in waiting} == {chosen}


def test_the_preview_shows_figures_and_explanations_at_the_chosen_time(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    """``dondoc reminders preview`` foresees what the job sends: Phòng Nội vụ's figures reminder of
    17/03 and the explanation asked of it at its focal point's 14:30, and nothing of theirs at 08:00."""
    import_targets(sample_store, tmp_path)
    outbox = TimedOutbox()
    _service, focal, manager = _world(engine, datetime(2022, 3, 16, 9, 0, tzinfo=TZ), outbox)
    manager.send("/giaitrinh NV I.1")
    focal.send("/nhacviec giờ 14:30")
    args = ("reminders", "preview", "--from", "2022-03-17", "--to", "2022-03-22", "--at", "2022-03-16T20:00", "--json")
    data = sample_store.ok(*args).json()
    entries = data["entries"] if isinstance(data, dict) else data
    to_nv = [
        (e["send_at"][11:16], {i["kind"] for i in e["items"]})
        for e in entries
        if e["to"] == {"unit": "NV", "role": "focal"}
    ]
    assert any("figures" in kinds for _at, kinds in to_nv), to_nv
    assert any("explanation" in kinds for _at, kinds in to_nv), to_nv
    assert {at for at, _kinds in to_nv} == {"14:30"}, to_nv


async def test_a_reminder_missed_while_the_job_was_down_waits_for_the_chosen_time(engine: Engine) -> None:
    """The job does not run on Monday (I.1's reminder at 14:00 is missed); on Tuesday morning the
    missed reminder waits for the person's 14:00 instead of arriving at the office's opening as a
    message of its own: one message on Tuesday, at 14:00."""
    outbox = TimedOutbox()
    service, focal, _manager = _world(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ), outbox)
    outbox.clock = service.clock
    focal.send("/nhacviec giờ 14:00")
    service.clock.set(datetime(2022, 1, 23, 21, 0, tzinfo=TZ))
    await service.tick()
    tuesday = date(2022, 1, 25)
    await _run(service, tuesday, tuesday, (time(7, 30), time(8, 0), time(13, 59), time(14, 0), time(16, 0)))
    received = _received(outbox, FOCAL)
    at = datetime.combine(tuesday, time(14, 0), tzinfo=TZ)
    assert [when for when, _text in received] == [at], received
    assert mentions(received[0][1], "I.1")
