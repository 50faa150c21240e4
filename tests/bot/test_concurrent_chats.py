"""Several people at once on Telegram: while one manager's /export is being made (seconds for a
province), the others' messages are answered; one chat's updates still go one after the other, in
the order they came.

PTB's default handles every update of the process in turn; dondoc's applications handle
``CONCURRENT_UPDATES`` at a time, each chat's in turn (``TelegramChannel.turn``). The export is held
inside its handler until the test lets it go.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.app import assemble
from dondoc.bot.config import OFFICIAL_API, TelegramConfig
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.telegram import TelegramChannel
from dondoc.bot.turns import CONCURRENT_UPDATES
from dondoc.bot.web import serve_app
from dondoc.db.models import MemberRole
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from tests.bot.test_telegram import HANG_GUARD, NOW
from tests.handlers.helpers import hold_export, invite_code, make_dispatcher

GUARD = 30.0  # seconds: only ends a test that would otherwise hang


def test_dondocs_applications_handle_several_updates_at_once(engine: Engine) -> None:
    """As ``dondoc run`` (polling) and ``dondoc serve`` (the webhook) build them; PTB's default is one
    at a time."""
    polling = TelegramChannel(make_dispatcher(engine, NOW)).build("123:TOKEN")
    app = assemble(engine, Clock(NOW, frozen=True), WorkCalendar(), bot_username=None)
    web = serve_app(
        app,
        TelegramConfig("123:TOKEN", OFFICIAL_API, OFFICIAL_API.replace("/bot", "/file/bot"), None, None),
        run_reminders=False,
    )
    assert web.telegram is not None
    for application in (polling, web.telegram.application):
        assert application.update_processor.max_concurrent_updates == CONCURRENT_UPDATES > 1


async def test_others_are_answered_while_an_export_is_made_and_one_chat_waits_its_turn(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, release = hold_export(monkeypatch, "Bảng tổng hợp", GUARD)

    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        builder = api.application_builder().concurrent_updates(api.update_processor(CONCURRENT_UPDATES))
        channel = TelegramChannel(make_dispatcher(engine, NOW))
        application = channel.build(api.token, builder=builder)
        async with api.running(application):
            manager = api.user(first_name="Hà", language_code="vi")
            lan = api.user(first_name="Lan", language_code="vi")
            await manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
            await manager.next_message(HANG_GUARD)
            await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
            await lan.next_message(HANG_GUARD)
            seen = len(manager.messages)

            try:
                await manager.send("/export")
                assert await asyncio.to_thread(inside.wait, GUARD), "the export never started"
                await manager.send("/whoami")  # the same chat: answered after the export, not before
                await lan.send("/tasks")
                tasks = await lan.next_message(HANG_GUARD)
                await lan.send("/whoami")
                whoami = await lan.next_message(HANG_GUARD)

                assert not release.is_set()  # both answered while the export was still being made
                assert "I.2" in (tasks.text or "")
                assert "Xà Phiên" in (whoami.text or "")
                assert len(manager.messages) == seen  # the manager's /whoami waits for the export
            finally:
                release.set()
            exported = await manager.next_message(HANG_GUARD)
            then = await manager.next_message(HANG_GUARD)
            assert exported.text == "Bảng tổng hợp"
            assert "Phòng Nội vụ" in (then.text or "")  # then the manager's /whoami
            await api.wait_idle(HANG_GUARD, settle=0)
        assert not api.handler_errors
        assert len(channel.turn) == 0  # every chat's turn forgotten once its updates were handled
