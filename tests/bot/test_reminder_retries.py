"""The reminder fan-out through the real Telegram stack (python-telegram-bot against the local Bot API
server) when one send in five fails once, with a 500 or a 429 asking to retry after 5 s: every focal
point gets the 08:00 digest exactly once, the failed ones within seconds, the last by 08:02.

The bot is built without the flood limiter (its own 429 retries wait on the wall clock; they are
tested on virtual time in test_rate_limits.py): here every 429 reaches the reminder job, which puts
the retry time in the outbox row. The job's clock is frozen and moved by the test."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.app import reminder_service
from dondoc.bot.local_api.methods import Call
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.world import ApiError
from dondoc.bot.telegram import TelegramChannel, telegram_sender
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from tests.handlers.helpers import make_dispatcher
from tests.scheduler.test_retry_fanout import MONDAY, add_units, bind_focal_points, run_until

FOCAL_POINTS = 100


@pytest.mark.slow  # seconds: run by CI (python3 dev.py test --all)
async def test_a_telegram_fan_out_with_a_fifth_of_sends_failing_once_arrives_once_by_8_02(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        users = [api.user(first_name=f"Đầu mối {k}") for k in range(FOCAL_POINTS)]
        ids = [str(user.chat_id) for user in users]
        bind_focal_points(engine, clock, add_units(engine, FOCAL_POINTS), channel="telegram", chat_ids=ids)
        flaky = {user.chat_id for k, user in enumerate(users) if k % 5 == 0}
        failed: Counter[int] = Counter()
        delivered_at: dict[int, list[Any]] = {}
        send_message: Callable[[Call], Awaitable[Any]] = api.methods.handlers["sendMessage"]

        async def failing_once(call: Call) -> Any:
            chat_id = int(call.get("chat_id"))
            if chat_id in flaky and not failed[chat_id]:
                failed[chat_id] += 1
                if len(failed) % 2:
                    raise ApiError(500, "Internal Server Error")
                raise ApiError(429, "Too Many Requests: retry after 5", {"retry_after": 5})
            result = await send_message(call)
            delivered_at.setdefault(chat_id, []).append(clock.now())
            return result

        api.methods.handlers["sendMessage"] = failing_once
        channel = TelegramChannel(make_dispatcher(engine, clock.now()))
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            service = reminder_service(engine, clock, WorkCalendar(), {"telegram": telegram_sender(application.bot)})
            service.schedule()
            clock.set(MONDAY - timedelta(seconds=1))
            await run_until(service, clock, MONDAY + timedelta(minutes=2))
            await api.wait_idle(120, settle=0)

    counts = Counter({user.chat_id: len(user.messages) for user in users})
    sent = sum(counts.values())
    lost = sum(1 for n in counts.values() if n == 0)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    codes = Counter(error.code for error in api.errors if error.method == "sendMessage")
    retried = sum(failed.values())
    print(f"telegram fan-out of {FOCAL_POINTS}: sent={sent} retried={retried} lost={lost} duplicated={duplicated}")
    assert sum(failed.values()) == FOCAL_POINTS // 5 and codes == {500: 10, 429: 10}
    assert (lost, duplicated) == (0, 0)
    last = max(at for times in delivered_at.values() for at in times)
    assert last <= MONDAY + timedelta(minutes=2)
