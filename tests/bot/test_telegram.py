"""The Telegram channel end to end: the real python-telegram-bot stack against a local Bot API server
that checks every request against the official Bot API spec (any violation fails the test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram import Bot

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.telegram import TelegramChannel, split_message
from dondoc.db.models import MemberRole, Person, Report
from dondoc.handlers.events import Reply
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import invite_code, make_dispatcher

SPEC = Path(__file__).resolve().parents[1] / "data" / "telegram-bot-api" / "api.json"
NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


@dataclass
class Telegram:
    api: LocalBotApi
    channel: TelegramChannel
    bot: Bot


@pytest.fixture
async def telegram(engine: Engine) -> AsyncIterator[Telegram]:
    dispatcher = make_dispatcher(engine, NOW)
    async with LocalBotApi(spec_path=SPEC, strict=True) as api:
        channel = TelegramChannel(dispatcher)
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            yield Telegram(api, channel, application.bot)


async def test_an_invited_focal_point_reports_60_percent_and_the_export_shows_it(
    telegram: Telegram, engine: Engine, sample_store: Dondoc
) -> None:
    api = telegram.api
    lan = api.user(first_name="Lan", last_name="Trần", language_code="vi")
    await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    greeting = await lan.next_message()
    assert "Ủy ban nhân dân xã Xà Phiên" in (greeting.text or "")

    await lan.send("/report")
    menu = await lan.next_message()
    label = next(text for text in menu.button_texts if text.startswith("I.2 ·"))
    await lan.press_button(label, menu)
    await lan.next_message()
    await lan.press_button("Đang thực hiện")
    await lan.next_message()
    await lan.send("60")
    await lan.next_message()
    await lan.send("Đã xây dựng dự thảo kế hoạch, trình UBND xã ký ban hành")
    await lan.next_message()
    await lan.press_button("Bỏ qua")
    card = await lan.next_message()
    assert "Đang thực hiện — 60%" in (card.text or "")
    await lan.press_button("Xác nhận")
    done = await lan.next_message()
    assert "Đã ghi nhận" in (done.text or "")
    await api.wait_idle()

    exported = sample_store.ok("plan", "export").json()
    task = next(t for t in exported["tasks"] if t["code"] == "I.2")
    mine = next(a for a in task["assignments"] if a["unit"] == "XP")
    assert (mine["status"], mine["percent"]) == ("in_progress", 60)
    assert mine["note"].startswith("Đã xây dựng dự thảo")
    assert mine["reported_at"].startswith("2022-03-15T09:00:00+07:00")


async def test_a_stranger_and_a_forged_button_change_nothing(telegram: Telegram, engine: Engine) -> None:
    api = telegram.api
    lan = api.user(first_name="Lan")
    await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    await lan.next_message()
    await lan.send("/report I.2")
    question = await lan.next_message()

    stranger = api.user(first_name="Người lạ")
    await stranger.send("/report I.2")
    answer = await stranger.next_message()
    assert "mã mời" in (answer.text or "")
    # A modified client can send any callback data: the stranger replays Lan's button on their own
    # chat, and Lan forges data for an older step.
    await stranger.press(answer, "3:3", forge=True)
    await lan.press(question, "1:1", forge=True)
    await api.wait_idle()
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []
        people = session.exec(select(Person)).all()
    assert len(people) == 1  # the stranger was not registered


async def test_a_person_who_blocks_the_bot_is_marked_unreachable(telegram: Telegram, engine: Engine) -> None:
    api = telegram.api
    lan = api.user(first_name="Lan")
    await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    await lan.next_message()
    await lan.block_bot()
    await telegram.channel.deliver(telegram.bot, str(lan.chat_id), [Reply("Kính gửi đồng chí …")])
    with Session(engine) as session:
        assert session.exec(select(Person)).one().unreachable


def test_long_messages_are_split_under_the_limit_with_pre_blocks_balanced() -> None:
    text = "<b>Tình hình</b>\n<pre>" + "\n".join(f"III.{i:<4} {i:>5}" for i in range(600)) + "</pre>\nHết"
    parts = split_message(text, limit=1000)
    assert len(parts) > 3
    assert all(len(p) <= 1000 for p in parts)
    assert all(p.count("<pre>") == p.count("</pre>") for p in parts)
    assert "".join(parts).count("III.599") == 1


async def test_a_manager_gets_the_workbook_and_the_chart_as_files(telegram: Telegram, engine: Engine) -> None:
    api = telegram.api
    boss = api.user(first_name="Hùng")
    await boss.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    await boss.next_message()
    await boss.send("/export")
    # Building the workbook and the chart takes seconds on a busy machine: a generous cap, not a wait.
    workbook = await boss.next_message(timeout=60)
    assert workbook.document is not None and (workbook.document.file_name or "").endswith(".xlsx")
    assert workbook.document.data[:2] == b"PK"  # a zip container, as xlsx files are
    assert "15/03/2022" in (workbook.caption or "")
    await boss.send("/chart")
    picture = await boss.next_message(timeout=60)
    assert picture.photo is not None and picture.photo.data[:8] == b"\x89PNG\r\n\x1a\n"
