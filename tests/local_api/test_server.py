"""The real python-telegram-bot stack against the local Bot API server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from dondoc.bot.local_api import BotApiViolationError, LocalBotApi, NoReplyError
from dondoc.bot.local_api.media import tiny_png
from tests.local_api.fixtures import load_spec

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def build_app(api: LocalBotApi, *handlers: BaseHandler[Any, Any, Any]) -> AnyApp:
    """A PTB Application pointed at ``api`` with ``handlers``."""
    app = api.application_builder().build()
    for handler in handlers:
        app.add_handler(handler)
    return app


@pytest.fixture
async def bot(bot_api: LocalBotApi) -> AsyncIterator[Bot]:
    """A bare, initialized PTB ``Bot`` talking to the server (for direct method calls)."""
    async with Bot(bot_api.token, base_url=bot_api.base_url, base_file_url=bot_api.base_file_url) as bot:
        yield bot


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text, do_quote=True)


# --------------------------------------------------------------------------------------------------
# Round trips


async def test_echo_round_trip(bot_api: LocalBotApi) -> None:
    app = build_app(bot_api, MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with bot_api.running(app):
        user = bot_api.user(user_id=501, first_name="Lan", language_code="vi")
        sent = await user.send("Xin chào, bot!")
        reply = await user.next_message()

    assert reply.text == "Xin chào, bot!"
    assert reply.from_bot and reply.chat_id == 501
    assert reply.reply_to is not None and reply.reply_to.message_id == sent.message_id
    assert [m.text for m in user.history] == ["Xin chào, bot!", "Xin chào, bot!"]
    assert app.bot.username == "dondoc_test_bot"
    assert bot_api.stats.sent == 1 and bot_api.violations == []


async def test_start_command_carries_entity_and_arguments(bot_api: LocalBotApi) -> None:
    seen: dict[str, Any] = {}

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None and update.message is not None
        seen.update(args=context.args, language=update.effective_user.language_code)
        await update.message.reply_text(f"Chào {update.effective_user.first_name}")

    async with bot_api.running(build_app(bot_api, CommandHandler("start", start))):
        user = bot_api.user(first_name="Minh")
        message = await user.send("/start ma_moi_123")
        assert (await user.next_message()).text == "Chào Minh"

    assert message.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert seen == {"args": ["ma_moi_123"], "language": "vi"}


async def test_html_reply_is_parsed_into_entities(bot_api: LocalBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_html("<b>Kế hoạch</b> &amp; <i>tiến độ</i>")

    async with bot_api.running(build_app(bot_api, CommandHandler("start", start))):
        user = bot_api.user()
        await user.send("/start")
        reply = await user.next_message()

    assert reply.text == "Kế hoạch & tiến độ"
    assert reply.source == "<b>Kế hoạch</b> &amp; <i>tiến độ</i>"
    assert reply.parse_mode == "HTML"
    assert [e["type"] for e in reply.entities] == ["bold", "italic"]


async def test_inline_keyboard_press_answer_and_edit(bot_api: LocalBotApi) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = [
            [InlineKeyboardButton("Đã xong", callback_data="done:7")],
            [InlineKeyboardButton("Chưa", callback_data="no:7")],
        ]
        await update.message.reply_text("Nhiệm vụ 7 xong chưa?", reply_markup=InlineKeyboardMarkup(keyboard))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer("Đã ghi nhận")
        await query.edit_message_text(f"Cảm ơn ({query.data})")

    app = build_app(bot_api, CommandHandler("ask", ask), CallbackQueryHandler(pressed))
    async with bot_api.running(app):
        user = bot_api.user()
        await user.send("/ask")
        question = await user.next_message()
        assert question.button_texts == ["Đã xong", "Chưa"]
        press = await user.press_button("Đã xong")
        answer = await press.answer()
        await bot_api.wait_idle()

    assert answer.text == "Đã ghi nhận" and not answer.show_alert
    assert question.text == "Cảm ơn (done:7)"
    assert question.edits == 1 and question.reply_markup is None
    assert user.unread == []


async def test_pressing_a_missing_button_is_refused(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    await user.send("hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    await bot.send_message(user.chat_id, "chọn", reply_markup=markup)
    message = await user.next_message()

    with pytest.raises(LookupError, match="no button with callback_data 'b'"):
        await user.press(message, "b")
    with pytest.raises(LookupError, match="no inline button labelled 'B'"):
        await user.press_button("B")


# --------------------------------------------------------------------------------------------------
# Spec violations


async def test_callback_data_of_65_bytes_is_a_violation(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="x" * 65)]])

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(user.chat_id, "chọn", reply_markup=markup)

    (violation,) = bot_api.take_violations()
    assert violation.method == "sendMessage"
    assert "inline_keyboard[0][0].callback_data: must be 1-64 bytes, got 65" in violation.message
    assert user.messages == []


async def test_unknown_field_is_a_violation(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    with pytest.raises(BadRequest, match="unknown field"):
        await bot.send_message(user.chat_id, "hi", api_kwargs={"disable_web_page_preview_typo": True})
    assert [str(v) for v in bot_api.take_violations()] == ["sendMessage.disable_web_page_preview_typo: unknown field"]


async def test_text_length_is_counted_after_parsing(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    await bot.send_message(user.chat_id, "x" * 4096)
    await bot.send_message(user.chat_id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert bot_api.violations == []

    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(user.chat_id, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(user.chat_id, "<b> </b>", parse_mode="HTML")
    assert len(bot_api.take_violations()) == 2
    assert len(user.messages) == 2


async def test_bad_html_is_rejected_like_telegram(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br"'):
        await bot.send_message(user.chat_id, "dòng 1<br>dòng 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(user.chat_id, "<b>đậm", parse_mode="HTML")
    assert len(bot_api.take_violations()) == 2


async def test_invalid_bot_commands_are_violations(bot_api: LocalBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Bắt đầu"), ("bao_cao", "Báo cáo tiến độ")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "bao_cao"]

    with pytest.raises(BadRequest):
        await bot.set_my_commands([("BaoCao", "Báo cáo")])
    (violation,) = bot_api.take_violations()
    assert "commands[0].command" in violation.message
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_unknown_method_is_a_violation(bot_api: LocalBotApi) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{bot_api.base_url}{bot_api.token}/sendMessageNow", data={})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [str(v) for v in bot_api.take_violations()] == ["sendMessageNow: unknown method"]


async def test_strict_server_raises_on_exit_when_violations_remain() -> None:
    with pytest.raises(BotApiViolationError, match="callback_data"):
        async with LocalBotApi(spec=load_spec()) as api, Bot(api.token, base_url=api.base_url) as bot:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="")]])
            with pytest.raises(BadRequest):
                await bot.send_message(api.user().chat_id, "x", reply_markup=markup)


async def test_handler_errors_are_recorded(bot_api: LocalBotApi) -> None:
    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("lỗi trong handler")

    async with bot_api.running(build_app(bot_api, MessageHandler(filters.ALL, broken))):
        await bot_api.user().send("hi")
        await bot_api.wait_idle()

    assert [str(e) for e in bot_api.handler_errors] == ["lỗi trong handler"]
    bot_api.handler_errors.clear()


# --------------------------------------------------------------------------------------------------
# Runtime errors Telegram gives


async def test_blocked_user_gives_403_and_my_chat_member(bot_api: LocalBotApi) -> None:
    statuses: list[str] = []

    async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.my_chat_member is not None
        statuses.append(update.my_chat_member.new_chat_member.status)

    app = build_app(bot_api, ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    async with bot_api.running(app):
        user = bot_api.user()
        await user.block_bot()
        await bot_api.wait_idle()
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(user.chat_id, "nhắc việc")

    assert statuses == ["kicked"]
    assert bot_api.errors[-1].code == 403
    assert user.messages == []


# PTB itself warns about RetryAfter.retry_after becoming a timedelta when it builds the exception.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_rate_limit_gives_429_with_retry_after() -> None:
    clock = [1000.0]
    api = LocalBotApi(spec=load_spec(), rate_limit_per_second=5, clock=lambda: clock[0])
    async with api, Bot(api.token, base_url=api.base_url) as bot:
        user = api.user()
        for number in range(5):
            await bot.send_message(user.chat_id, f"tin {number}")
        with pytest.raises(RetryAfter):
            await bot.send_message(user.chat_id, "tin thừa")
        clock[0] += 1.0
        await bot.send_message(user.chat_id, "tin sau một giây")

    assert api.stats.sent == 6 and api.stats.rejected_429 == 1
    assert api.errors[-1].description == "Too Many Requests: retry after 1"
    assert len(user.messages) == 6


async def test_429_body_has_retry_after_parameter() -> None:
    api = LocalBotApi(spec=load_spec(), rate_limit_per_second=1)
    async with api, httpx.AsyncClient() as client:
        chat_id = api.user().chat_id
        url = f"{api.base_url}{api.token}/sendMessage"
        first = await client.post(url, data={"chat_id": str(chat_id), "text": "1"})
        second = await client.post(url, data={"chat_id": str(chat_id), "text": "2"})
    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json()["parameters"] == {"retry_after": 1}


async def test_bad_token_gives_401(bot_api: LocalBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123:wrong", base_url=bot_api.base_url):
            pass
    assert bot_api.errors[-1].code == 401


async def test_message_not_modified(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    sent = await bot.send_message(user.chat_id, "Tiến độ: 50%")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Tiến độ: 50%", chat_id=user.chat_id, message_id=sent.message_id)
    await bot.edit_message_text("Tiến độ: 80%", chat_id=user.chat_id, message_id=sent.message_id)
    assert user.messages[0].text == "Tiến độ: 80%"
    assert await bot.delete_message(user.chat_id, sent.message_id)
    assert user.messages[0].deleted and user.last_message is None
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user.chat_id, sent.message_id)


async def test_unknown_chat(bot_api: LocalBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(987654, "hi")


# --------------------------------------------------------------------------------------------------
# Files


async def test_document_upload_arrives(bot_api: LocalBotApi) -> None:
    content = "Kế hoạch năm 2025".encode()

    async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_document(
            content, filename="ke-hoach.txt", caption="<b>Báo cáo</b>", parse_mode="HTML"
        )

    async with bot_api.running(build_app(bot_api, CommandHandler("report", report))):
        user = bot_api.user()
        await user.send("/report")
        message = await user.next_message()

    assert message.document is not None
    assert message.document.data == content
    assert message.document.file_name == "ke-hoach.txt"
    assert message.document.mime_type == "text/plain"
    assert message.caption == "Báo cáo"


async def test_user_document_can_be_downloaded(bot_api: LocalBotApi) -> None:
    async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.document is not None
        file = await update.message.document.get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"{update.message.document.file_name}: {bytes(data).decode()}")

    async with bot_api.running(build_app(bot_api, MessageHandler(filters.Document.ALL, receive))):
        user = bot_api.user()
        await user.send_document("tien-do.csv", "text/csv", "nhiệm vụ,xong\n".encode())
        reply = await user.next_message()

    assert reply.text == "tien-do.csv: nhiệm vụ,xong"


async def test_photos_both_ways(bot_api: LocalBotApi) -> None:
    async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        largest = update.message.photo[-1]
        data = await (await largest.get_file()).download_as_bytearray()
        await update.message.reply_photo(bytes(data), caption=f"{largest.width}x{largest.height}")

    async with bot_api.running(build_app(bot_api, MessageHandler(filters.PHOTO, receive))):
        user = bot_api.user()
        await user.send_photo(tiny_png(6, 5))
        reply = await user.next_message()

    assert reply.photo is not None and reply.photo.data == tiny_png(6, 5)
    assert reply.caption == "6x5"


async def test_photo_that_is_not_an_image_fails(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user()
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(user.chat_id, b"not an image")


# --------------------------------------------------------------------------------------------------
# getUpdates, webhooks, waiting


async def test_get_updates_long_poll_and_offset(bot_api: LocalBotApi) -> None:
    url = f"{bot_api.base_url}{bot_api.token}/getUpdates"
    user = bot_api.user()
    signal = bot_api.world.signal
    async with httpx.AsyncClient() as client:
        empty = await client.post(url, data={"timeout": "0"})
        polled = signal.count
        # A long poll waits on the server (it is the server's latest poll) until an update comes.
        waiting = asyncio.create_task(client.post(url, data={"timeout": "30"}))
        await signal.wait_for(lambda: signal.count > polled, timeout=None)
        assert not waiting.done()
        await user.send("một")
        woken = (await waiting).json()["result"]
        await user.send("hai")
        first = (await client.post(url, data={"timeout": "1", "limit": "1"})).json()["result"]
        both = (await client.post(url, data={"timeout": "0"})).json()["result"]
        offset = both[-1]["update_id"] + 1
        confirmed = (await client.post(url, json={"offset": offset, "timeout": 0})).json()["result"]

    assert empty.json() == {"ok": True, "result": []}
    assert [u["message"]["text"] for u in woken] == ["một"]
    assert [u["message"]["text"] for u in first] == ["một"]
    assert [u["message"]["text"] for u in both] == ["một", "hai"]
    assert confirmed == []


async def test_webhook_blocks_get_updates(bot_api: LocalBotApi, bot: Bot) -> None:
    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{bot_api.base_url}{bot_api.token}/getUpdates", data={})
    assert response.status_code == 409
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_multipart_and_json_bodies_are_decoded(bot_api: LocalBotApi) -> None:
    user = bot_api.user()
    base = f"{bot_api.base_url}{bot_api.token}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as client:
        by_json = await client.post(
            f"{base}/sendMessage", json={"chat_id": user.chat_id, "text": "json", "reply_markup": markup}
        )
        files = {"document": ("a.txt", b"abc", "text/plain")}
        data = {"chat_id": str(user.chat_id), "reply_markup": json.dumps(markup)}
        by_multipart = await client.post(f"{base}/sendDocument", data=data, files=files)
    assert by_json.json()["result"]["reply_markup"] == markup
    assert by_multipart.json()["result"]["document"]["file_name"] == "a.txt"
    assert [m.buttons for m in user.messages] == [[{"text": "A", "callback_data": "a"}]] * 2


async def test_chat_action_and_wait_idle(bot_api: LocalBotApi) -> None:
    async def typing_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await update.effective_chat.send_action("typing")

    async with bot_api.running(build_app(bot_api, MessageHandler(filters.ALL, typing_only))):
        user = bot_api.user()
        await user.send("có ai không?")
        await bot_api.wait_idle()
        assert user.chat_actions == ["typing"]
        with pytest.raises(NoReplyError, match="no message from the bot"):
            await user.next_message(timeout=0.05)


async def test_subscribers_see_what_the_bot_does(bot_api: LocalBotApi, bot: Bot) -> None:
    events = bot_api.subscribe()
    user = bot_api.user()
    sent = await bot.send_message(user.chat_id, "một")
    await bot.edit_message_text("hai", chat_id=user.chat_id, message_id=sent.message_id)
    kinds = [events.get_nowait().kind for _ in range(events.qsize())]
    assert kinds == ["message", "edit"]


async def test_other_methods_generic_and_unsupported(bot_api: LocalBotApi, bot: Bot) -> None:
    assert await bot.set_my_description("Bot đôn đốc kế hoạch") is True  # answered generically
    user = bot_api.user(first_name="Hoa", username="hoa_vp")
    chat = await bot.get_chat(user.chat_id)
    assert (chat.first_name, chat.username, chat.type) == ("Hoa", "hoa_vp", "private")

    with pytest.raises(BadRequest, match="not simulated"):
        await bot.get_chat_member(user.chat_id, user.user_id)
    assert bot_api.unsupported_calls == ["getChatMember"]
    bot_api.unsupported_calls.clear()


async def test_bot_cannot_write_first_to_a_user_who_never_started_it(bot_api: LocalBotApi, bot: Bot) -> None:
    user = bot_api.user(first_name="Tuấn", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(user.chat_id, "Nhắc việc")
    await user.send("/start")
    await bot.send_message(user.chat_id, "Nhắc việc")
    assert [m.text for m in user.messages] == ["Nhắc việc"]
