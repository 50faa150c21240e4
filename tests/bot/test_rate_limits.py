"""Flood control as `dondoc run` builds the bot: the reminder fan-out is paced under Telegram's overall
limit, and a person's button press is answered at once, within their chat's limit, never queued
behind the fan-out.

The limiter's own tests run on virtual time (a clock that moves only when the test says so); the end
to end test decides by the order in which the server sees messages, not by how long anything took.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import warnings
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.telegram import ReplyFirstRateLimiter, TelegramChannel, bulk_sending, telegram_sender
from dondoc.handlers.events import Reply
from tests.bot.test_telegram import HANG_GUARD, NOW
from tests.handlers.helpers import invite_code, make_dispatcher


class VirtualTime:
    """A clock for the limiter that moves only by :meth:`advance`; ``sleep`` waits for it."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move the clock on, waking every sleeper due by then in order, and let them run."""
        target = self.now + seconds
        while self._sleepers and self._sleepers[0][0] <= target + 1e-9:
            due, _n, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, due)
            future.set_result(None)
            await settle()
        self.now = target
        await settle()


async def settle() -> None:
    """Let every runnable task run until it waits again (nothing here does real I/O)."""
    for _ in range(20):
        await asyncio.sleep(0)


class Recorder:
    """Stands for the Bot API: records (virtual time, method, chat) of every request let through."""

    def __init__(self, time: VirtualTime) -> None:
        self.time = time
        self.sent: list[tuple[float, str, int]] = []

    def request(self, limiter: ReplyFirstRateLimiter, method: str, chat_id: int | None) -> Any:
        data: dict[str, Any] = {} if chat_id is None else {"chat_id": chat_id}

        async def call() -> dict[str, Any]:
            self.sent.append((self.time.now, method, chat_id or 0))
            return {}

        return limiter.process_request(call, (), {}, method, data, None)

    def times(self, method: str | None = None, chat_id: int | None = None) -> list[float]:
        return [t for t, m, c in self.sent if (method is None or m == method) and (chat_id is None or c == chat_id)]


async def fan_out(recorder: Recorder, limiter: ReplyFirstRateLimiter, chats: range) -> None:
    async def one(chat_id: int) -> None:
        with bulk_sending():
            await recorder.request(limiter, "sendMessage", chat_id)

    await asyncio.gather(*(one(chat_id) for chat_id in chats))


async def test_a_button_press_is_answered_at_once_while_the_fan_out_is_paced() -> None:
    time = VirtualTime()
    limiter = ReplyFirstRateLimiter(clock=time.clock, sleep=time.sleep)
    recorder = Recorder(time)
    reminders = asyncio.create_task(fan_out(recorder, limiter, range(1000, 1090)))  # 90 reminders at once
    await settle()
    assert len(recorder.times()) == 1  # the fan-out started, the rest wait for their turn

    # Lan presses "50%": the answer to the press, the buttons removed and the next question.
    lan = 42
    step = asyncio.gather(
        recorder.request(limiter, "answerCallbackQuery", None),
        recorder.request(limiter, "editMessageReplyMarkup", lan),
        recorder.request(limiter, "sendMessage", lan),
    )
    await settle()
    assert step.done()  # no clock tick was needed: nothing waited behind the fan-out
    assert recorder.times(chat_id=lan) == [0.0, 0.0]

    while not reminders.done():
        await time.advance(0.01)
    assert len(recorder.times()) == 90 + 3
    # Never more than 30 messages (reminders and replies together) in any one second.
    sends = sorted(t for t, method, _chat in recorder.sent if method != "answerCallbackQuery")
    assert max(sum(1 for t in sends if start <= t < start + 1) for start in sends) <= 30
    bulk = [t for t, _m, c in recorder.sent if c >= 1000]
    assert bulk[-1] >= 90 / 29 - 0.1  # paced, not sent in a burst


async def test_replies_to_one_chat_keep_to_the_chat_limit_with_a_short_burst() -> None:
    time = VirtualTime()
    limiter = ReplyFirstRateLimiter(clock=time.clock, sleep=time.sleep)
    recorder = Recorder(time)

    async def long_answer() -> None:  # e.g. /overdue split into eight messages
        for _part in range(8):
            await recorder.request(limiter, "sendMessage", 42)

    answer = asyncio.create_task(long_answer())
    await settle()
    while not answer.done():
        await time.advance(0.25)
    assert recorder.times(chat_id=42) == [0.0] * 5 + [1.0, 2.0, 3.0]


@pytest.mark.parametrize("given", [5, timedelta(seconds=5)], ids=["seconds", "timedelta"])
async def test_a_429_is_waited_out_as_it_asks_without_ptbs_deprecation_warning(given: int | timedelta) -> None:
    """Telegram's 429 names the seconds to wait: the reply waits all of them (not less the burst a
    chat's full bucket allows: it went 4 s early, into another 429), then goes. PTB 22 gives them as a
    number and warns at each reading; a later version gives a ``timedelta``: dondoc reads either
    without a warning of its own (PTB's constructor still warns, once, from PTB)."""
    time = VirtualTime()
    limiter = ReplyFirstRateLimiter(clock=time.clock, sleep=time.sleep)
    tried: list[float] = []

    async def call() -> dict[str, Any]:
        tried.append(time.now)
        if len(tried) == 1:
            raise RetryAfter(given)
        return {}

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sending = asyncio.create_task(limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 42}, None))
        await settle()
        await time.advance(5.0)
        assert not sending.done()  # the wait is the one asked for, and a little more
        await time.advance(0.2)
        assert sending.done() and sending.result() == {}
    assert tried == [0.0, pytest.approx(5.1)]
    ours = [w for w in caught if issubclass(w.category, PTBDeprecationWarning) and "dondoc" in Path(w.filename).parts]
    assert ours == []


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        yield api


async def test_a_button_press_is_not_queued_behind_a_reminder_fan_out(api: LocalBotApi, engine: Engine) -> None:
    """As `dondoc run` builds the bot: 200 reminders are being sent when Lan presses a button."""
    channel = TelegramChannel(make_dispatcher(engine, NOW))
    application = channel.build(api.token, builder=api.application_builder())  # the limiter `dondoc run` uses
    async with api.running(application):
        lan = api.user(first_name="Lan", language_code="vi")
        await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
        await lan.next_message(HANG_GUARD)
        await lan.send("/report I.2")
        question = await lan.next_message(HANG_GUARD)

        people = [api.user(800_000 + n, first_name=f"Đầu mối {n}") for n in range(200)]
        send = telegram_sender(application.bot)
        reminder = Reply(f"Nhắc việc: nhiệm vụ I.2 đến hạn ngày {date(2022, 3, 31):%d/%m/%Y}.")
        fan_out = asyncio.gather(*(send(str(person.chat_id), reminder) for person in people))
        started = await api.world.signal.wait_for(lambda: any(p.messages for p in people), HANG_GUARD)
        assert started  # the fan-out is under way

        await lan.press_button("Đang thực hiện", question)
        await lan.next_message(HANG_GUARD)
        reminded = sum(1 for person in people if person.messages)
        assert reminded < len(people) // 2, f"the reply waited for {reminded} reminders"
        # Its buttons went at once too (beside the reply, not queued behind the fan-out either).
        assert await api.world.signal.wait_for(lambda: not lan.messages[1].buttons, HANG_GUARD)
        assert question.chat_id == lan.chat_id and sum(1 for person in people if person.messages) < len(people) // 2
        fan_out.cancel()
        await asyncio.gather(fan_out, return_exceptions=True)
        await api.wait_idle(HANG_GUARD, settle=0)
