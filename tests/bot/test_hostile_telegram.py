"""A hostile or unlucky person on Telegram, through the real PTB stack and the local Bot API (which
refuses bad HTML as Telegram does): every press is answered, every reply is accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser
from dondoc.bot.telegram import TelegramChannel
from dondoc.db.models import ChannelAccount, MemberRole
from dondoc.handlers.events import Inbound, Reply
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
HOSTILE = "<b&\"'>"


@pytest.fixture
async def api(engine: Engine) -> AsyncIterator[tuple[LocalBotApi, TelegramChannel]]:
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        channel = TelegramChannel(make_dispatcher(engine, NOW))
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            yield api, channel


async def bound_focal_point(server: LocalBotApi, engine: Engine) -> SimulatedUser:
    """Lan, bound as Xà Phiên's focal point by an invite code (the welcome read)."""
    lan = server.user(first_name="Lan")
    await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    await lan.next_message()
    return lan


async def test_forged_presses_are_answered_and_refused(
    api: tuple[LocalBotApi, TelegramChannel], engine: Engine
) -> None:
    server, _channel = api
    lan = await bound_focal_point(server, engine)
    await lan.send("/report I.2")
    question = await lan.next_message()
    for data in ["R99999999999999999999:r", "R²:r", "99999999999999999999:1", "1:²"]:
        press = await lan.press(question, data, forge=True)
        assert (await press.answer()).text == "Đã hết hiệu lực"
        assert "Lựa chọn này không còn hiệu lực" in ((await lan.next_message()).text or "")
    await server.wait_idle()
    assert server.errors == []


async def test_a_press_is_answered_even_when_handling_it_fails(
    api: tuple[LocalBotApi, TelegramChannel], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, channel = api
    lan = await bound_focal_point(server, engine)
    await lan.send("/report I.2")
    question = await lan.next_message()

    def broken(inbound: Inbound, **_options: object) -> list[Reply]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(channel.dispatcher, "handle", broken)
    press = await lan.press_button("Đang thực hiện", question)
    await press.answer()  # the spinner stops
    assert "sự cố" in ((await lan.next_message()).text or "")
    await server.wait_idle()
    assert [type(e) for e in server.handler_errors] == [RuntimeError]
    server.handler_errors.clear()


async def test_markup_in_names_notes_and_commands_never_makes_telegram_refuse_a_reply(
    api: tuple[LocalBotApi, TelegramChannel], engine: Engine
) -> None:
    server, _channel = api
    lan = server.user(first_name=HOSTILE, last_name="&amp;")
    boss = server.user(first_name="Hùng", last_name=HOSTILE)
    await boss.send(f"/start {invite_code(engine, 'XP', MemberRole.MANAGER, now=NOW)}")
    await boss.next_message()
    await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    assert HOSTILE in ((await lan.next_message()).text or "")
    for text in ["/<b", f"/{HOSTILE}", "/report <b>", "/history <i>x"]:
        await lan.send(text)
        await server.wait_idle()
        assert lan.read_all()
    await lan.send("/report I.2")
    await lan.next_message()
    await lan.press_button("Vướng mắc")
    await lan.next_message()
    await lan.send("40")
    await lan.next_message()
    await lan.send(f"chờ {HOSTILE} & <i>duyệt</i>")
    await lan.next_message()
    await lan.press_button("Bỏ qua")
    await lan.next_message()
    await lan.press_button("Xác nhận")
    assert "Đã ghi nhận" in ((await lan.next_message()).text or "")
    alert = await boss.next_message()
    assert f"chờ {HOSTILE} & <i>duyệt</i>" in (alert.text or "")
    for text in [f"/status {HOSTILE}", "/overdue", "/nonresponders", "/task <b>", "/task I.2", "/history I.2"]:
        await boss.send(text)
        await server.wait_idle()
        assert boss.read_all()
    await server.wait_idle()
    assert server.errors == []


async def test_a_question_answered_by_typing_loses_its_buttons(
    api: tuple[LocalBotApi, TelegramChannel], engine: Engine
) -> None:
    server, _channel = api
    lan = await bound_focal_point(server, engine)
    await lan.send("/report I.2")
    await lan.next_message()
    await lan.press_button("Đang thực hiện")
    await lan.next_message()
    await lan.send("60")
    note_question = await lan.next_message()
    assert note_question.button_texts == ["Bỏ qua"]
    await lan.send("Đã trình ký")
    evidence_question = await lan.next_message()
    await server.wait_idle()
    assert note_question.button_texts == []  # taken away once answered by typing
    assert evidence_question.button_texts == ["Bỏ qua"]


async def test_a_press_from_a_group_is_answered_and_moves_nothing(
    api: tuple[LocalBotApi, TelegramChannel], engine: Engine
) -> None:
    server, _channel = api
    lan = await bound_focal_point(server, engine)
    await lan.send("/report I.2")
    question = await lan.next_message()
    # The same button, pressed where the message shows in a group (a forwarded copy, a shared screen).
    world = server.world
    group = {"id": -1001234, "type": "supergroup", "title": "Tổ công tác"}
    query_id = world.new_callback_query(question)
    data = next(b["callback_data"] for b in question.buttons if b["text"] == "Đang thực hiện")
    message = {**question.to_api(), "chat": group}
    world.updates.push(
        "callback_query", {"id": query_id, "from": lan.user, "message": message, "chat_instance": "1", "data": data}
    )
    await server.wait_idle()
    answer = world.callback_answers[query_id]
    assert answer.text and "riêng" in answer.text
    with Session(engine) as session:
        account = session.exec(select(ChannelAccount)).one()
    assert account.chat_id == str(lan.chat_id)
    await lan.press_button("Đang thực hiện", question)  # untouched: the private question still works
    assert (await lan.next_message()).button_texts == ["25%", "50%", "75%", "100%"]
