"""The Telegram bot with its database away for a while: it keeps polling, answers every message and
press with "the system is busy", keeps the question's buttons (nothing was saved), and carries on by
itself when the database is back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.telegram import TelegramChannel
from dondoc.db.models import Report
from tests.bot.test_telegram import HANG_GUARD, NOW, Telegram
from tests.handlers.helpers import invite_code, make_dispatcher
from tests.outage import Outage

BUSY = "Hệ thống đang bận, đồng chí thử lại sau ít phút"


@pytest.fixture
async def telegram(engine: Engine) -> AsyncIterator[Telegram]:
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        channel = TelegramChannel(make_dispatcher(engine, NOW))
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            yield Telegram(api, channel, application.bot)


@pytest.fixture
def outage(engine: Engine) -> Iterator[Outage]:
    outage = Outage(engine)
    yield outage
    outage.close()


async def test_a_confirmation_pressed_while_the_database_is_away_is_kept_for_later(
    telegram: Telegram, engine: Engine, outage: Outage
) -> None:
    api = telegram.api
    lan = api.user(first_name="Lan", language_code="vi")
    await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    await lan.next_message(HANG_GUARD)
    await lan.send("/report I.2")
    await lan.next_message(HANG_GUARD)
    await lan.press_button("Đang thực hiện")
    await lan.next_message(HANG_GUARD)
    await lan.send("60")
    await lan.next_message(HANG_GUARD)
    await lan.send("Đã xây dựng dự thảo")
    await lan.next_message(HANG_GUARD)
    await lan.press_button("Bỏ qua")
    card = await lan.next_message(HANG_GUARD)
    await api.wait_idle(HANG_GUARD, settle=0)

    with outage.window():
        press = await lan.press_button("Xác nhận", card)
        answer = await press.answer(HANG_GUARD)
        busy = await lan.next_message(HANG_GUARD)
        await lan.send("/tasks")  # still polling: a typed message is answered too
        typed = await lan.next_message(HANG_GUARD)
        await api.wait_idle(HANG_GUARD, settle=0)
    assert outage.refused
    assert BUSY in (answer.text or "")
    for message in (busy, typed):
        assert BUSY in (message.text or "") and "chưa được lưu" in (message.text or "")
    assert "Xác nhận" in card.button_texts  # nothing was saved: the question can be answered again
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []

    await lan.press_button("Xác nhận", card)  # the database is back
    done = await lan.next_message(HANG_GUARD)
    assert "Đã ghi nhận" in (done.text or "")
    await api.wait_idle(HANG_GUARD, settle=0)
    with Session(engine) as session:
        assert len(session.exec(select(Report)).all()) == 1
