"""A local, in-process Telegram Bot API server for tests and the terminal sandbox.

The real python-telegram-bot stack talks to :class:`LocalBotApi` over HTTP on 127.0.0.1; every request
is checked against the Bot API spec (``api.json``, shipped in ``data/``: :func:`bundled_spec`), and
simulated users chat with the bot::

    async with LocalBotApi(spec=bundled_spec()) as api:
        app = api.application_builder().build()  # token, base URLs and update tracking set
        app.add_handler(CommandHandler("start", start))
        async with api.running(app):  # initialize, start_polling(poll_interval=0), start
            user = api.user(user_id=501, first_name="Lan")
            await user.send("/start abc")
            reply = await user.next_message()  # waits; NoReplyError after the timeout
            press = await user.press_button("Đã xong")
            answer = await press.answer()
            await api.wait_idle()
    # strict mode: leaving the block raises BotApiViolationError if the bot broke the spec

Modules: :mod:`.spec` (validation), :mod:`.markup` (HTML/MarkdownV2 parsing), :mod:`.world` (chats,
messages, files, updates), :mod:`.methods` (what each method does), :mod:`.users` (simulated users),
:mod:`.server` (HTTP server and test helpers), :mod:`.ptb` (python-telegram-bot glue).
"""

from dondoc.bot.local_api.markup import MarkupError, ParsedText, parse_text
from dondoc.bot.local_api.server import (
    DEFAULT_TOKEN,
    ApiStats,
    BotApiViolationError,
    ErrorAnswer,
    LocalBotApi,
    RequestRecord,
    Violation,
)
from dondoc.bot.local_api.spec import BotApiSpec, Issue, bundled_spec
from dondoc.bot.local_api.users import ButtonPress, NoReplyError, SimulatedUser
from dondoc.bot.local_api.world import ApiError, CallbackAnswer, ChatEvent, ChatMessage, StoredFile

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiStats",
    "BotApiSpec",
    "BotApiViolationError",
    "ButtonPress",
    "CallbackAnswer",
    "ChatEvent",
    "ChatMessage",
    "ErrorAnswer",
    "Issue",
    "LocalBotApi",
    "MarkupError",
    "NoReplyError",
    "ParsedText",
    "RequestRecord",
    "SimulatedUser",
    "StoredFile",
    "Violation",
    "bundled_spec",
    "parse_text",
]
