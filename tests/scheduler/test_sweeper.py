"""The sweeper's failure paths, snoozing, held reminders and the weekly digest, through a recording
sender (channel-neutral), with a frozen clock."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import ChannelAccount, MemberRole, Organization, Person, Reminder, ReminderState
from dondoc.handlers.events import Reply, RetryLater, TemporaryFailure, Unreachable
from dondoc.plan import progress
from dondoc.scheduler import weekly
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient
from dondoc.scheduler.service import ReminderService
from dondoc.scheduler.sweeper import PASS_GC_MIDDLE, PASS_GC_THRESHOLD, PASS_SWITCH_INTERVAL
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)


@dataclass
class Outbox:
    """A channel that records what it is asked to send, or fails as told."""

    sent: list[tuple[str, Reply]] = field(default_factory=list)
    fail: Callable[[str], Exception | None] = lambda chat_id: None

    async def send(self, chat_id: str, reply: Reply) -> str:
        error = self.fail(chat_id)
        if error is not None:
            raise error
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    def texts(self, chat_id: str) -> list[str]:
        return [reply.text for to, reply in self.sent if to == chat_id]


def _setup(engine: Engine, outbox: Outbox) -> tuple[ReminderService[Reply], Chat, Chat]:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    focal = Chat(dispatcher, "500")
    focal.send(f"/start {invite_code(engine, 'NV', now=clock.now())}")
    manager = Chat(dispatcher, "501")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=clock.now())}")
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    service.schedule()
    clock.set(MONDAY)
    return service, focal, manager


async def test_one_message_per_person_with_a_button_row_per_item(engine: Engine) -> None:
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    await service.tick()
    texts = outbox.texts("500")
    assert len(texts) == 1
    assert "I.1" in texts[0] and "còn 7 ngày" in texts[0]
    reply = next(r for to, r in outbox.sent if to == "500")
    assert [c.label for c in reply.choices[0]][1:] == ["Nhắc lại sau", "Đã hoàn thành"]
    await service.tick()
    assert len(outbox.texts("500")) == 1  # nothing twice


async def test_a_pass_gives_its_organisations_back_when_it_ends(engine: Engine) -> None:
    """The pass leased the organisation for its sends (another process would have waited); at its
    end the lease is gone, so a second process can send what falls due next at once."""
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    result = await service.tick()
    assert result.claimed and outbox.sent
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM outboxlease").scalar() == 0


async def test_two_passes_of_one_sweeper_at_once_send_each_message_once(engine: Engine) -> None:
    """A sweeper takes its own leases back (its pass may have been cut short), so a second pass of the
    same sweeper started while the first runs must wait for it rather than send the same reminders."""
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    first, second = await asyncio.gather(service.sweeper.sweep(), service.sweeper.sweep())
    assert first.messages + second.messages == len(outbox.sent) > 0
    assert len(outbox.texts("500")) == 1


async def test_a_pass_collects_garbage_less_often_and_leaves_the_collector_as_it_found_it(engine: Engine) -> None:
    """A pass makes many short-lived objects: while it runs the collector's youngest generation waits
    for more of them (PASS_GC_THRESHOLD), and the middle one for more collections of the youngest
    (PASS_GC_MIDDLE); the interpreter's lock changes hands sooner (PASS_SWITCH_INTERVAL); after it,
    the bot's settings are back."""
    outbox = Outbox()
    during: list[tuple[tuple[int, int, int], float]] = []

    def note(chat_id: str) -> None:
        during.append((gc.get_threshold(), sys.getswitchinterval()))
        return None

    outbox.fail = note
    service, _focal, _manager = _setup(engine, outbox)
    before, interval = gc.get_threshold(), sys.getswitchinterval()
    assert interval > PASS_SWITCH_INTERVAL  # (CPython's 5 ms)
    await service.sweeper.sweep()
    assert during and set(during) == {
        ((max(before[0], PASS_GC_THRESHOLD), max(before[1], PASS_GC_MIDDLE), before[2]), PASS_SWITCH_INTERVAL)
    }
    assert gc.get_threshold() == before and sys.getswitchinterval() == interval


async def test_what_was_sent_is_recorded_at_the_time_it_went(engine: Engine) -> None:
    """The sent reminders and the messages that carried them to each person carry the pass's time, stored as every other
    time is (on SQLite the record is written by the driver directly: the same text as the row's ``send_at``, which
    SQLAlchemy wrote, for a pass at the very time the row was due)."""
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    await service.tick()
    with engine.connect() as connection:
        reminders = {
            row[0]: row[1:]
            for row in connection.exec_driver_sql("SELECT id, state, sent_at, send_at, message_id FROM reminder")
        }
        carried = connection.exec_driver_sql("SELECT reminder_ids, sent_at, message_id FROM sentdigest").all()
    rows = []
    for ids, delivered_at, delivery_message in carried:
        for rid in map(int, ids.split(",")):
            state, sent_at, send_at, message_id = reminders[rid]
            rows.append((state, sent_at, send_at, delivered_at, message_id, delivery_message))
    digests = {str(n) for n, (to, _reply) in enumerate(outbox.sent, start=1) if to == "500"}  # (the manager's: weekly)
    assert rows and {row[5] for row in rows} == digests
    for state, sent_at, send_at, delivered_at, message_id, delivery_message in rows:
        assert state == "SENT" and sent_at == send_at == delivered_at, (sent_at, send_at, delivered_at)
        assert message_id == delivery_message  # one person: the reminder's message is theirs
    with Session(engine) as session:
        sent = session.exec(select(Reminder).where(Reminder.state == ReminderState.SENT)).all()
    assert sent and {r.sent_at for r in sent} == {MONDAY}


async def test_snooze_moves_the_item_to_the_next_working_day_and_done_goes_to_completion(engine: Engine) -> None:
    outbox = Outbox()
    service, focal, _manager = _setup(engine, outbox)
    await service.tick()
    reply = next(r for to, r in outbox.sent if to == "500")
    focal.press_data(reply.choices[0][1].data)
    assert "25/01/2022" in focal.last and "08:00" in focal.last
    service.clock.set(MONDAY + timedelta(days=1))
    await service.tick()
    assert len(outbox.texts("500")) == 2 and "I.1" in outbox.texts("500")[1]
    focal.press_data(reply.choices[0][2].data)
    assert "ngày nào" in focal.last  # straight to the completion date
    stranger = Chat(focal.dispatcher, "999")
    stranger.press_data(reply.choices[0][1].data)
    assert "mã mời" in stranger.last


async def test_a_completion_report_cancels_the_pending_reminders(engine: Engine) -> None:
    outbox = Outbox()
    service, focal, _manager = _setup(engine, outbox)
    focal.send("/report I.1")
    focal.press("Hoàn thành")
    focal.press("Hôm nay")
    focal.press("Bỏ qua")
    focal.press("Bỏ qua")
    focal.press("Xác nhận")
    for day in range(0, 20):
        service.clock.set(MONDAY + timedelta(days=day))
        await service.tick()
    assert not [t for t in outbox.texts("500") if " I.1 " in t.replace("<b>", " ").replace("</b>", " ")]


async def test_a_blocked_bot_marks_the_person_unreachable_and_tells_the_managers(engine: Engine) -> None:
    outbox = Outbox(fail=lambda chat_id: Unreachable("blocked") if chat_id == "500" else None)
    service, _focal, _manager = _setup(engine, outbox)
    result = await service.tick()
    assert result.unreachable
    assert any("bot đã bị chặn" in t for t in outbox.texts("501"))
    with Session(engine) as session:
        account = session.exec(select(ChannelAccount).where(ChannelAccount.chat_id == "500")).one()
        person = session.get(Person, account.person_id)
        held = session.exec(select(Reminder).where(Reminder.state == ReminderState.HELD)).all()
    assert person is not None and person.unreachable
    assert held  # kept, not dropped


@pytest.mark.parametrize(
    ("error", "delay"), [(RetryLater(30), timedelta(seconds=30)), (TemporaryFailure("timeout"), timedelta(seconds=15))]
)
async def test_rate_limits_and_timeouts_push_the_send_back(engine: Engine, error: Exception, delay: timedelta) -> None:
    failing = {"on": True}
    outbox = Outbox(fail=lambda chat_id: error if failing["on"] else None)
    service, _focal, _manager = _setup(engine, outbox)
    await service.tick()
    assert outbox.sent == []
    with Session(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.send_on == MONDAY.date())).all()
    pending = [r for r in rows if r.state != ReminderState.HELD]  # units with a focal point
    assert pending and all(r.state == ReminderState.PENDING and r.send_at == MONDAY + delay for r in pending)
    failing["on"] = False
    service.clock.set(MONDAY + delay)
    await service.tick()
    assert len(outbox.texts("500")) == 1


async def test_a_unit_without_focal_point_keeps_its_reminders_until_one_binds(engine: Engine) -> None:
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    result = await service.tick()
    assert result.held > 0  # e.g. Trung tâm Văn hóa's I.8 reminder: nobody to receive it yet
    newcomer = Chat(_focal.dispatcher, "502")
    newcomer.send(f"/start {invite_code(engine, 'TTVH', now=MONDAY)}")
    await service.tick()
    assert any("I.8" in t for t in outbox.texts("502"))


async def test_managers_get_one_weekly_digest_on_monday(engine: Engine) -> None:
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    service.clock.set(datetime(2022, 2, 14, 8, 0, tzinfo=TZ))  # a Monday, I.1 overdue since 31/01
    await service.tick()
    await service.tick()
    weekly = [t for t in outbox.texts("501") if "Tổng hợp tuần" in t]
    assert len(weekly) == 1
    assert "I.1 (31/01/2022)" in weekly[0]
    service.clock.set(datetime(2022, 2, 15, 8, 0, tzinfo=TZ))
    await service.tick()
    assert len([t for t in outbox.texts("501") if "Tổng hợp tuần" in t]) == 1


async def test_the_weekly_digest_goes_out_on_the_organisations_weekday(engine: Engine) -> None:
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    with Session(engine) as session:
        org = session.exec(select(Organization)).one()
        org.settings = {**org.settings, "reminders": {**org.settings.get("reminders", {}), "weekly_digest_weekday": 2}}
        session.add(org)
        session.commit()
    service.clock.set(datetime(2022, 2, 14, 8, 0, tzinfo=TZ))  # Monday: not this organisation's day
    await service.tick()
    assert not [t for t in outbox.texts("501") if "Tổng hợp tuần" in t]
    service.clock.set(datetime(2022, 2, 16, 8, 0, tzinfo=TZ))  # Wednesday
    await service.tick()
    await service.tick()
    assert len([t for t in outbox.texts("501") if "Tổng hợp tuần" in t]) == 1


async def test_the_weekly_digest_is_claimed_before_the_plan_status_is_computed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = Outbox()
    service, _focal, _manager = _setup(engine, outbox)
    computed: list[datetime] = []
    real = progress.plan_status

    def counting(*args: Any, **kwargs: Any) -> Any:
        computed.append(service.clock.now())
        return real(*args, **kwargs)

    monkeypatch.setattr(weekly, "plan_status", counting)
    service.clock.set(datetime(2022, 2, 14, 8, 0, tzinfo=TZ))
    for _minute in range(5):  # every minute of Monday's office hours
        await service.tick()
        service.clock.set(service.clock.now() + timedelta(minutes=1))
    assert len([t for t in outbox.texts("501") if "Tổng hợp tuần" in t]) == 1
    assert len(computed) == 1  # once, for the digest that went out; not once a minute


def test_a_long_digest_keeps_its_keyboard_small() -> None:
    from dondoc.handlers.reminders import MAX_ITEMS_WITH_BUTTONS, render_digest

    digest = _digest([_due_item(number, number, f"I.{number}", number, date(2022, 1, 31)) for number in range(1, 31)])
    reply = render_digest(digest, MONDAY.date())
    assert len(reply.choices) == MAX_ITEMS_WITH_BUTTONS
    assert sum(len(row) for row in reply.choices) <= 100
    assert "I.30" in reply.text and "/report" in reply.text


def test_reminders_missed_while_the_bot_was_down_make_one_line_per_deadline_in_the_lists_order() -> None:
    """After a stop, a deadline's reminders of several days arrive together: the digest shows it once,
    its buttons acting on the newest reminder, and the list stays in order of due date, then the
    plan's order of tasks, however the reminders came."""
    from dondoc.handlers.reminders import render_digest

    today = MONDAY.date()
    digest = _digest(
        [
            _due_item(7, 20, "II.1", 5, today + timedelta(days=7)),
            _due_item(3, 10, "I.2", 2, today, kind="due"),  # the newest of I.2's deadline
            _due_item(1, 10, "I.2", 2, today, days_before=3),  # sent three days ago: missed
            _due_item(5, 30, "I.1", 1, today, days_before=1),
        ]
    )
    reply = render_digest(digest, today)
    lines = [line for line in reply.text.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert [line.split("</b>")[0] for line in lines] == ["1. <b>I.1", "2. <b>I.2", "3. <b>II.1"]
    assert reply.text.count("I.2</b>") == 1
    assert [row[0].data for row in reply.choices] == ["R5:r", "R3:r", "R7:r"]  # the buttons act on the newest


def _due_item(
    reminder_id: int,
    assignment_id: int,
    code: str,
    position: int,
    due: date,
    kind: str = "before",
    days_before: int = 0,
) -> DueItem:
    """A claimed reminder's line for unit XP, sent ``days_before`` the Monday of these tests."""
    return DueItem(
        reminder_id=reminder_id,
        assignment_id=assignment_id,
        kind=kind,
        due=due,
        send_at=MONDAY - timedelta(days=days_before),
        attempts=1,
        audience="focal",
        task_code=code,
        task_title=f"Nhiệm vụ {code}",
        task_position=position,
        unit_id=1,
        unit_code="XP",
        unit_name="UBND xã Xà Phiên",
        unit_position=0,
        organization_id=1,
    )


def _digest(items: list[DueItem]) -> Digest:
    """A focal point's digest of ``items``."""
    person = Person(id=1, organization_id=1, full_name="Lê Thị Mai", created_at=MONDAY)
    account = ChannelAccount(person_id=1, channel="test", external_id="9", chat_id="9")
    return Digest(recipient=Recipient(person, account), audience="focal", items=items)
