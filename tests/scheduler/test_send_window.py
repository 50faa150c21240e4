"""A pass has several digests on their way at once (a channel's round trip, not the bot, is what a
fan-out waits on), yet sends each once, never has more than a record batch sent but not recorded
(the at-least-once policy), and tells the administrators once when a quota runs out with digests
still on their way. The senders only yield to the event loop: nothing waits on the wall clock."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Assignment, MemberRole, Reminder, ReminderState, SentDigest, Unit
from dondoc.db.session import AsyncStatements
from dondoc.handlers.events import QuotaSpent, Reply
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import Record, Sent
from dondoc.scheduler.sweeper import RECORD_BATCH, SEND_WINDOW
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_retry_fanout import MONDAY, add_units, bind_focal_points


class SlowChannel:
    """A channel whose every send takes a few turns of the event loop (a round trip), counting how
    many are under way at once; ``spent``: it answers as Zalo does once the month's quota is used."""

    def __init__(self, engine: Engine | None = None, spent: bool = False) -> None:
        self.engine, self.spent = engine, spent
        self.delivered: list[str] = []
        self.calls = 0
        self.under_way = 0
        self.most = 0
        self.most_unrecorded = 0

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.calls += 1
        self.under_way += 1
        self.most = max(self.most, self.under_way)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            if self.spent:
                raise QuotaSpent("429: the monthly quota is spent")
            self.delivered.append(chat_id)
            if self.engine is not None:  # sent so far, less the messages already in the database
                with Session(self.engine) as session:
                    recorded = session.exec(select(func.count()).select_from(SentDigest)).one()
                self.most_unrecorded = max(self.most_unrecorded, len(self.delivered) - recorded)
            return str(len(self.delivered))
        finally:
            self.under_way -= 1


def _due_states(engine: Engine) -> Counter[str]:
    """The states of the reminders due by 08:00 of the units the test added (the sample's own units
    have nobody bound: theirs are held)."""
    with Session(engine) as session:
        states = session.exec(
            select(Reminder.state)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(col(Reminder.send_at) <= MONDAY, col(Unit.code).startswith("U"))
        ).all()
    return Counter(str(state) for state in states)


async def test_a_pass_has_several_digests_on_their_way_at_once_and_sends_each_once(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    chats = bind_focal_points(engine, clock, add_units(engine, 40))
    channel = SlowChannel()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": channel.send})
    service.schedule()
    clock.set(MONDAY)

    result = await service.run()

    assert channel.most == SEND_WINDOW > 1  # not one at a time, and never more than the window
    assert Counter(channel.delivered) == Counter({chat: 1 for chat in chats})
    assert result.messages == len(chats)
    states = _due_states(engine)
    assert set(states) == {"sent"} and states["sent"] >= len(chats)


@pytest.mark.slow  # seconds: run by CI (python3 dev.py test --all)
async def test_no_more_than_a_record_batch_is_ever_sent_but_not_recorded(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    chats = bind_focal_points(engine, clock, add_units(engine, RECORD_BATCH + 20))
    with Session(engine) as session:  # what binding the focal points recorded (none: no reminder went out)
        assert session.exec(select(func.count()).select_from(SentDigest)).one() == 0
    channel = SlowChannel(engine)
    service = reminder_service(engine, clock, WorkCalendar(), {"test": channel.send})
    service.schedule()
    clock.set(MONDAY)

    await service.run()

    assert Counter(channel.delivered) == Counter({chat: 1 for chat in chats})
    # A kill -9 at the worst moment repeats at most these (tests/scheduler/test_processes.py); a record
    # starts at half a batch sent (and sending goes on while it is made), not at every digest.
    assert RECORD_BATCH // 2 <= channel.most_unrecorded <= RECORD_BATCH


@pytest.mark.slow  # (2 s)
async def test_sending_goes_on_while_a_batch_is_recorded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    chats = bind_focal_points(engine, clock, add_units(engine, RECORD_BATCH + 20))
    channel = SlowChannel()
    target, reached, arrived = [len(chats) + 1], threading.Event(), asyncio.Event()

    async def send(chat_id: str, reply: Reply) -> str:
        message_id = await channel.send(chat_id, reply)
        if len(channel.delivered) >= target[0]:
            reached.set()
            arrived.set()
        return message_id

    service = reminder_service(engine, clock, WorkCalendar(), {"test": send})
    service.schedule()
    clock.set(MONDAY)
    sent_meanwhile: list[int] = []
    sizes: list[int] = []  # each record's batch, in the order they were built
    ways: list[str] = []  # how each record was written

    # A batch's record is written in a thread (SQLite), or on the event loop (PostgreSQL): the first
    # waits, in either, for ten more digests to go (the test stops a pass that would stop sending
    # while it records: the wait gives up after 30 s).
    prepare, execute = service.sweeper._prepare_record, AsyncStatements.execute

    def record(batch: list[Sent], now: datetime, complete: set[int]) -> Record:
        sizes.append(len(batch))
        prepared = prepare(batch, now, complete)

        def slow_write() -> None:
            ways.append("thread")
            if not sent_meanwhile:
                target[0] = sizes[0] + 10
                if len(channel.delivered) < target[0]:
                    reached.wait(30)
                sent_meanwhile.append(len(channel.delivered) - sizes[0])
            prepared.write()

        return prepared._replace(write=slow_write)

    async def slow_statement(statements: AsyncStatements, statement: str, values: Mapping[str, Any]) -> None:
        ways.append("event loop")
        if not sent_meanwhile:
            target[0] = sizes[0] + 10
            if len(channel.delivered) < target[0]:
                await asyncio.wait_for(arrived.wait(), 30)
            sent_meanwhile.append(len(channel.delivered) - sizes[0])
        await execute(statements, statement, values)

    service.sweeper._prepare_record = record  # type: ignore[method-assign,assignment]
    monkeypatch.setattr(AsyncStatements, "execute", slow_statement)
    await service.run()

    assert set(ways) == {"event loop" if engine.dialect.name == "postgresql" else "thread"}
    assert sent_meanwhile and sent_meanwhile[0] >= 10
    assert Counter(channel.delivered) == Counter({chat: 1 for chat in chats})
    states = _due_states(engine)
    assert set(states) == {"sent"} and states["sent"] >= len(chats)


async def test_a_quota_spent_with_digests_on_their_way_tells_the_administrators_once(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    bind_focal_points(engine, clock, add_units(engine, 30), channel="zalo")
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    admin = Chat(dispatcher, "900", name="Quản trị", channel="telegram")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=clock.now())}")
    zalo, telegram = SlowChannel(spent=True), SlowChannel()
    told: list[str] = []

    async def to_telegram(chat_id: str, reply: Reply) -> str:
        told.append(reply.text)
        return await telegram.send(chat_id, reply)

    service = reminder_service(engine, clock, WorkCalendar(), {"zalo": zalo.send, "telegram": to_telegram})
    service.schedule()
    clock.set(MONDAY)

    result = await service.run()

    assert 1 < zalo.calls <= SEND_WINDOW  # those already on their way when the first answer came
    assert zalo.delivered == []
    assert len([text for text in told if text.startswith("⚠")]) == 1
    assert result.quota_held >= 30
    with Session(engine) as session:
        held = session.exec(select(Reminder).where(Reminder.state == ReminderState.HELD)).all()
    assert len([r for r in held if r.last_error == "quota:zalo"]) >= 30
    assert _due_states(engine) == Counter({"held": len([r for r in held if r.last_error == "quota:zalo"])})
