"""dondoc on Zalo for the tests: the app assembled as ``dondoc run`` does, the real client and adapter
polling a Zalo-shaped fake server. Every wait awaits the server's events (the polling bot has taken
every update and polls again); nothing sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.app import App, assemble
from dondoc.bot.zalo.channel import ZaloChannel
from dondoc.bot.zalo.fake import FakeZaloServer, ZaloUser
from dondoc.bot.zalo.polling import ZaloPolling
from dondoc.db.models import MemberRole
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.handlers.helpers import invite_code

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


@dataclass
class Zalo:
    server: FakeZaloServer
    app: App
    channel: ZaloChannel
    clock: Clock
    engine: Engine

    async def say(self, user: ZaloUser, text: str) -> list[str]:
        """``user`` types ``text``; returns what the bot sent to their chat in answer."""
        before = len(user.messages)
        await user.send_text(text)
        await self.server.settled()
        return [m.text for m in user.messages[before:]]

    async def settle(self, user: ZaloUser, before: int) -> list[str]:
        await self.server.settled()
        return [m.text for m in user.messages[before:]]

    async def bound(
        self, unit: str, role: MemberRole = MemberRole.FOCAL, name: str = "Trần Thị Lan", *, user_id: str | None = None
    ) -> ZaloUser:
        """A person who bound themselves to ``unit`` by sending the bare invite code."""
        user = self.server.user(name, user_id=user_id)
        greeting = await self.say(user, invite_code(self.engine, unit, role, now=self.clock.now()))
        assert len(greeting) == 1 and "Kính chào đồng chí" in greeting[0], greeting
        return user


@asynccontextmanager
async def running_zalo(
    engine: Engine, clock: Clock, *, concurrency: int = 1, **server_options: object
) -> AsyncIterator[Zalo]:
    """``concurrency`` above one: the poller as ``dondoc run`` makes it, several updates at once (then
    :meth:`Zalo.say` and :meth:`Zalo.settle` may return before the updates taken are handled)."""
    app = assemble(engine, clock, WorkCalendar(), bot_username="dondoc_test_bot")
    async with FakeZaloServer(**server_options) as server:  # type: ignore[arg-type]
        channel = app.attach_zalo(server.token, base_url=server.base_url)
        poller = ZaloPolling(channel.client, channel.process_update, concurrency=concurrency)
        task = asyncio.create_task(poller.run())
        try:
            yield Zalo(server, app, channel, clock, engine)
        finally:
            poller.stop()
            await task
            await channel.client.aclose()
        server.assert_no_violations()
        assert all(len(m.text) <= 2000 for m in server.sent)


@pytest.fixture
async def zalo(engine: Engine) -> AsyncIterator[Zalo]:
    async with running_zalo(engine, Clock(NOW, frozen=True)) as running:
        yield running
