"""Edited messages on the real Telegram stack (python-telegram-bot against the local Bot API): an
edit is never acted on — an edited ``/report`` or one-line report does not run again, and a
conversation in progress is not moved by it. A bound person editing in their private chat is told
once, for that edit, to send a new message; a stranger, a group and a channel get nothing, and
nothing is written for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser, detect_entities
from dondoc.bot.telegram import TelegramChannel
from dondoc.db.models import ChannelAccount, Conversation, Report
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
HANG_GUARD = 120.0  # only stops a hung test: every wait awaits the server's events
HINT = "Bot không xử lý tin nhắn đã sửa; đồng chí gửi lại tin mới."
GROUP_ID, CHANNEL_ID = -1001234567, -1009876543
GROUP: dict[str, Any] = {"id": GROUP_ID, "type": "supergroup", "title": "Tổ công tác"}
CHANNEL: dict[str, Any] = {"id": CHANNEL_ID, "type": "channel", "title": "Kênh thông báo"}


@dataclass
class Telegram:
    api: LocalBotApi
    engine: Engine


@pytest.fixture
async def telegram(engine: Engine) -> AsyncIterator[Telegram]:
    dispatcher = make_dispatcher(engine, NOW)
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        channel = TelegramChannel(dispatcher)
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            api.world.add_chat(GROUP)
            api.world.add_chat(CHANNEL)
            yield Telegram(api, engine)


def _edit(api: LocalBotApi, user: SimulatedUser, text: str, chat: dict[str, Any] | None = None) -> None:
    """Telegram's ``edited_message`` update: ``user`` changed an earlier message to ``text``."""
    message = {
        "message_id": 4242,
        "from": user.user,
        "chat": chat or user.chat,
        "date": 1,
        "edit_date": 2,
        "text": text,
    }
    entities = detect_entities(text)
    api.world.updates.push("edited_message", {**message, **({"entities": entities} if entities else {})})


async def _replies(api: LocalBotApi, user: SimulatedUser) -> list[str]:
    await api.wait_idle(HANG_GUARD, settle=0)
    return [m.text or "" for m in user.read_all()]


def _count(engine: Engine, model: type[Report] | type[ChannelAccount]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


async def _bound(telegram: Telegram) -> SimulatedUser:
    lan = telegram.api.user(first_name="Lan")
    await lan.send(f"/start {invite_code(telegram.engine, 'XP', now=NOW)}")
    assert "Xà Phiên" in ((await lan.next_message(HANG_GUARD)).text or "")
    return lan


async def test_an_edited_one_line_report_is_not_recorded_again_and_the_person_is_told_once(
    telegram: Telegram,
) -> None:
    api, lan = telegram.api, await _bound(telegram)
    await lan.send("I.2 60 đã trình dự thảo")
    assert "60%" in ((await lan.next_message(HANG_GUARD)).text or "")
    reports = _count(telegram.engine, Report)

    _edit(api, lan, "I.2 80 đã trình dự thảo")

    assert await _replies(api, lan) == [HINT]
    assert _count(telegram.engine, Report) == reports  # nothing recorded: the 60 % stands


async def test_an_edited_command_does_not_run_and_a_conversation_in_progress_stays_where_it_was(
    telegram: Telegram,
) -> None:
    api, lan = telegram.api, await _bound(telegram)
    await lan.send("/report")
    menu = await lan.next_message(HANG_GUARD)
    with Session(telegram.engine) as session:
        before = session.exec(select(Conversation)).one().model_dump()

    _edit(api, lan, "/status")
    _edit(api, lan, "/report")

    assert await _replies(api, lan) == [HINT, HINT]  # one hint for each edit, nothing run
    with Session(telegram.engine) as session:
        assert session.exec(select(Conversation)).one().model_dump() == before
    label = next(text for text in menu.button_texts if text.startswith("I.2 ·"))
    await lan.press_button(label, menu)  # the report goes on from the question it was at
    assert "Đang thực hiện" in " ".join((await lan.next_message(HANG_GUARD)).button_texts)


async def test_a_strangers_edit_an_edit_in_a_group_and_a_channels_post_get_nothing(telegram: Telegram) -> None:
    api, lan = telegram.api, await _bound(telegram)
    stranger = api.user(first_name="Người lạ")
    accounts = _count(telegram.engine, ChannelAccount)

    _edit(api, stranger, "/start ABCD-EFGH")
    _edit(api, lan, "/status", chat=GROUP)
    post = {"message_id": 7, "chat": CHANNEL, "date": 1, "edit_date": 2, "text": "/report"}
    api.world.updates.push("edited_channel_post", post)
    api.world.updates.push("channel_post", {**post, "message_id": 8})

    assert await _replies(api, stranger) == []
    assert await _replies(api, lan) == []
    assert api.world.bot_messages(GROUP_ID) == [] and api.world.bot_messages(CHANNEL_ID) == []
    assert _count(telegram.engine, ChannelAccount) == accounts  # nothing written for the stranger
