"""Zalo polling (``dondoc run``) handles several updates at once: while one manager's /export is being
made (seconds for a province), the others' messages are answered; one chat's updates still go one
after the other, in the order they came; the poller takes no more updates than it can start, and
stopping it waits for those it took. With one at a time (the sandbox's), it asks for the next update
only once the one before is handled."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.turns import CONCURRENT_UPDATES
from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo.fake import HANG_GUARD, FakeZaloServer, ZaloUser
from dondoc.bot.zalo.polling import ZaloPolling, update_chat
from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import Clock
from tests.bot.zalo.conftest import NOW, running_zalo
from tests.handlers.helpers import hold_export, invite_code

GUARD = 30.0  # seconds: only ends a test that would otherwise hang


class _Held:
    """A handler that records each update's text as it starts and finishes, and holds the texts
    named in ``held`` until :meth:`let_go`."""

    def __init__(self, *held: str) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.held = set(held)
        self.changed = asyncio.Event()
        self._gate = asyncio.Event()

    async def __call__(self, update: Mapping[str, Any]) -> None:
        text = str(update["message"]["text"])
        self.started.append(text)
        self._fire()
        if text in self.held:
            await self._gate.wait()
        self.finished.append(text)
        self._fire()

    def _fire(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    def let_go(self) -> None:
        self._gate.set()

    async def until(self, done: Any) -> None:
        async with asyncio.timeout(HANG_GUARD):
            while not done():
                await self.changed.wait()


async def test_others_go_on_while_one_is_held_and_a_chat_keeps_its_order() -> None:
    handler = _Held("an 1")
    async with FakeZaloServer(max_poll_wait=0) as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
        poller = ZaloPolling(client, handler, concurrency=3)
        task = asyncio.create_task(poller.run())
        an, lan = zalo.user("An"), zalo.user("Lan")
        await an.send_text("an 1")
        await handler.until(lambda: handler.started == ["an 1"])
        await an.send_text("an 2")  # the same chat: after "an 1", however long it takes
        await lan.send_text("lan 1")
        await lan.send_text("lan 2")
        await handler.until(lambda: handler.finished == ["lan 1", "lan 2"])
        assert await zalo.signal.wait_for(lambda: not zalo.pending_updates(), HANG_GUARD)
        assert "an 2" not in handler.started  # taken from Zalo, waiting for its chat's turn
        poller.stop()
        stopping = asyncio.create_task(asyncio.wait_for(task, HANG_GUARD))
        for _ in range(20):  # the loop goes round: the poll is cancelled, the held update is not
            await asyncio.sleep(0)
        assert not stopping.done()  # stopping waits for the updates taken
        handler.let_go()
        await stopping
    assert handler.finished == ["lan 1", "lan 2", "an 1", "an 2"]
    assert len(poller._turn) == 0  # every chat's turn forgotten once its updates were handled


async def test_it_takes_no_more_updates_than_it_can_start() -> None:
    handler = _Held(*(f"m {n}" for n in range(5)))
    async with FakeZaloServer(max_poll_wait=0) as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
        poller = ZaloPolling(client, handler, concurrency=3)
        task = asyncio.create_task(poller.run())
        for n in range(5):
            await zalo.user(f"Người {n}").send_text(f"m {n}")
        await handler.until(lambda: len(handler.started) == 3)
        assert zalo.pending_updates() == 2  # left with Zalo until a slot is free
        handler.let_go()
        await handler.until(lambda: len(handler.finished) == 5)
        poller.stop()
        await task
    assert sorted(handler.finished) == [f"m {n}" for n in range(5)]


async def test_one_at_a_time_asks_for_the_next_only_when_the_one_before_is_handled() -> None:
    handler = _Held("m 0")
    async with FakeZaloServer(max_poll_wait=0) as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
        poller = ZaloPolling(client, handler)
        task = asyncio.create_task(poller.run())
        await zalo.user("An").send_text("m 0")
        await zalo.user("Lan").send_text("m 1")
        await handler.until(lambda: handler.started == ["m 0"])
        assert zalo.pending_updates() == 1
        handler.let_go()
        await handler.until(lambda: handler.finished == ["m 0", "m 1"])
        poller.stop()
        await task


def test_an_update_names_its_chat_or_none() -> None:
    assert update_chat({"event_name": "message.text.received", "message": {"chat": {"id": 42}}}) == "42"
    assert update_chat({"event_name": "message.text.received", "message": {"chat": {}}}) is None
    assert update_chat({"event_name": "message.text.received", "message": "?"}) is None
    with pytest.raises(ValueError, match="at least 1"):
        ZaloPolling(None, lambda update: asyncio.sleep(0), concurrency=0)  # type: ignore[arg-type]


async def test_others_are_answered_while_an_export_is_made(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole bot as ``dondoc run`` polls Zalo: a manager's /export held in its handler."""
    inside, release = hold_export(monkeypatch, "Bảng tổng hợp", GUARD)
    clock = Clock(NOW, frozen=True)
    async with running_zalo(engine, clock, concurrency=CONCURRENT_UPDATES) as zalo:

        async def bound(unit: str, role: MemberRole, name: str) -> ZaloUser:
            user = zalo.server.user(name)
            await user.send_text(invite_code(engine, unit, role, now=NOW))
            assert await zalo.server.signal.wait_for(lambda: bool(user.messages), HANG_GUARD), "no greeting"
            assert "Kính chào đồng chí" in user.messages[0].text
            return user

        manager = await bound("NV", MemberRole.MANAGER, "Hà")
        lan = await bound("XP", MemberRole.FOCAL, "Lan")
        seen = len(manager.messages)
        try:
            await manager.send_text("/export")
            assert await asyncio.to_thread(inside.wait, GUARD), "the export never started"
            await manager.send_text("/whoami")  # the same chat: answered after the export, not before
            before = len(lan.messages)
            await lan.send_text("/whoami")
            assert await zalo.server.signal.wait_for(lambda: len(lan.messages) > before, HANG_GUARD), "no answer"
            assert not release.is_set()  # answered while the export was still being made
            assert "Xà Phiên" in lan.messages[-1].text
            assert len(manager.messages) == seen  # the manager's /whoami waits for the export
        finally:
            release.set()
        assert await zalo.server.signal.wait_for(lambda: len(manager.messages) >= seen + 2, HANG_GUARD)
        exported, then = manager.messages[seen : seen + 2]
        assert exported.text == "Bảng tổng hợp"
        assert "Phòng Nội vụ" in then.text
