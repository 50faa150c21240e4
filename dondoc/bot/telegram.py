"""The Telegram channel: a thin adapter between python-telegram-bot and the channel-neutral handlers.

Every update becomes an :class:`~dondoc.handlers.events.Inbound`; the dispatcher runs in a worker
thread (the database never blocks the event loop) and its replies are sent back as HTML messages
with inline keyboards. No conversation state lives in PTB: ConversationHandler and JobQueue are
not used, so a restart or a second process loses nothing.

A pressed button's question loses its buttons, so nobody presses them again by mistake; a message
that lists items each with a row of buttons of its own (a reminder digest: report, **Nhắc lại
sau**, **Đã hoàn thành** for each task; the requests waiting for a manager) loses only the pressed
item's row, read from the message itself (:func:`remaining_keyboard`), so the other items can still
be answered from it, in any process.

Updates are handled several at a time (:data:`CONCURRENT_UPDATES`), one chat's one after the
other in the order they came (``TelegramChannel.turn``, a :class:`~dondoc.bot.turns.Turns`): PTB's
default handles every update of the process in turn, so one manager's ``/export`` (seconds for a
province) held every other person's message back until it was made.

Long replies are cut into parts of at most 4,096 characters (:func:`split_message`) at a blank line
(between paragraphs: the units of an escalation) when one falls in the part's second half, else at a
line break, never inside a tag or an entity.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlmodel import select
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from dondoc.bot.turns import CONCURRENT_UPDATES, Turns
from dondoc.db.errors import unavailable
from dondoc.db.models import ChannelAccount, Person
from dondoc.db.session import session_scope
from dondoc.db.usage import Direction, count_messages
from dondoc.handlers.context import parse_token
from dondoc.handlers.dispatcher import COMMANDS, Busy, Dispatcher, busy_reply
from dondoc.handlers.events import (
    Attachment,
    Inbound,
    Rejected,
    Reply,
    RetryLater,
    Send,
    TemporaryFailure,
    Unreachable,
    deliver_elsewhere,
    plain,
)
from dondoc.i18n import _, use_language

CHANNEL = "telegram"
App = Application[Any, Any, Any, Any, Any, Any]
Builder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
MESSAGE_LIMIT = 4096
log = logging.getLogger(__name__)


def application_builder() -> Builder:
    """PTB's builder as dondoc's Telegram applications start from it: updates handled
    :data:`CONCURRENT_UPDATES` at a time (each chat's in turn: ``TelegramChannel.turn``)."""
    return Application.builder().concurrent_updates(CONCURRENT_UPDATES)


# The pieces of an HTML reply that must never be cut: a tag, an entity; the rest is text.
_PIECE = re.compile(r"<[^<>]*>|&#?[0-9A-Za-z]+;|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters: at a blank line (between paragraphs,
    such as the units of an escalation, each a name and its items) when one falls in the second half
    of the part, else at a line break; a part never begins with a blank line.

    A part never ends inside a tag or an entity (``&amp;``): tags still open where a part ends are
    closed there and opened again at the start of the next part (``<pre>`` blocks stay balanced); a
    single over-long line is cut between characters."""
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, the opening tag as written)
    current = ""
    started = False  # the part holds a line of the text
    trailing_blank = False  # its last line is blank
    # Where the part may be cut: its blank lines (the first of each run), as the length of the text
    # before each and the tags open there.
    breaks: list[tuple[int, list[tuple[str, str]]]] = []

    def closing(tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _tag in reversed(tags))

    def reopen() -> str:
        return "".join(tag for _name, tag in stack)

    def flush() -> None:
        nonlocal current, started, trailing_blank
        if current != reopen():
            parts.append(current + closing(stack))
        current = reopen()
        started = trailing_blank = False
        breaks.clear()

    def cut_at_blank_line() -> None:
        """End the part at its last blank line if that falls in its second half: what follows the
        blank line begins the next part."""
        nonlocal current, started, trailing_blank
        if not breaks or breaks[-1][0] < limit // 2:
            return
        end, tags = breaks[-1]
        rest = current[end:].split("\n")
        while rest and not rest[0].strip():  # the blank lines (they hold no tag)
            rest.pop(0)
        parts.append(current[:end] + closing(tags))
        current = "".join(tag for _name, tag in tags) + "\n".join(rest)  # the tags open at its end: ``stack``
        started, trailing_blank = bool(rest), False
        breaks.clear()

    def after(piece: str, tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
        tags = list(tags)
        for token in _PIECE.findall(piece):
            match = _TAG_NAME.match(token) if token.startswith("<") and token.endswith(">") else None
            if match is None:
                continue
            name = match.group(2).lower()
            if not match.group(1):
                tags.append((name, token))
            elif tags and tags[-1][0] == name:
                tags.pop()
        return tags

    def fits(piece: str) -> bool:
        return len(current) + len(piece) + len(closing(after(piece, stack))) <= limit

    for line in text.split("\n"):
        blank = not line.strip()
        if started and not fits("\n" + line):
            cut_at_blank_line()
            if started and not fits("\n" + line):
                flush()
        if blank and not started:
            continue  # a part never begins with a blank line
        piece = "\n" + line if started else line
        if fits(piece):
            if blank and not trailing_blank:
                breaks.append((len(current), list(stack)))
            current += piece
            stack[:] = after(piece, stack)
            started, trailing_blank = True, blank
            continue
        for token in _PIECE.findall(piece):  # one line longer than a part: cut between pieces
            if not fits(token):
                flush()
            if fits(token):
                current += token
                stack[:] = after(token, stack)
                continue
            for char in token:  # a run of text longer than a part
                if not fits(char):
                    flush()
                current += char
        started, trailing_blank = True, False
    flush()
    return [p for p in parts if plain(p).strip()]


def asks_question(reply: Reply) -> bool:
    """Whether ``reply`` offers the conversation's buttons (its current question's), which go once the
    question is answered by typing. A list of items with buttons of their own (a reminder digest, the
    requests waiting for a manager) answers no question and keeps its buttons."""
    return any(parse_token(choice.data) is not None for row in reply.choices for choice in row)


def remaining_keyboard(markup: InlineKeyboardMarkup, pressed: str) -> InlineKeyboardMarkup | None:
    """The buttons a message keeps once its button ``pressed`` was handled: none after a conversation's
    button (its question was answered); after a button of a list of items, each row one item's
    buttons (a reminder digest: report, **Nhắc lại sau**, **Đã hoàn thành**), every row but the
    pressed button's, so the other items can still be answered (none when no row is left)."""
    rows = markup.inline_keyboard
    if parse_token(pressed) is not None or not any(button.callback_data == pressed for row in rows for button in row):
        return None
    left = [row for row in rows if all(button.callback_data != pressed for button in row)]
    return InlineKeyboardMarkup(left) if left else None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(choice.label, callback_data=choice.data) for choice in row] for row in reply.choices]
    )


# ------------------------------------------------------------------ flood control

_CHATS_KEPT = 10_000
_BULK: contextvars.ContextVar[bool] = contextvars.ContextVar("dondoc_bulk_send", default=False)


@contextmanager
def bulk_sending() -> Iterator[None]:
    """Requests made inside are bulk sends (the reminder fan-out): paced by the overall limit."""
    token = _BULK.set(True)
    try:
        yield
    finally:
        _BULK.reset(token)


@dataclass
class _Pace:
    """A bucket of ``burst`` sends refilled at ``rate`` a second, kept as the moment it is full again
    (GCRA): reserving a send is arithmetic, and reservations keep their order."""

    rate: float
    burst: int
    free_at: float = 0.0  # the bucket is full again from this moment on

    def reserve(self, now: float) -> float:
        """Take one send; returns how long it must wait (0: go now)."""
        interval = 1 / self.rate
        start = max(self.free_at, now)
        self.free_at = start + interval
        return max(0.0, start - (self.burst - 1) * interval - now)

    def take(self, now: float) -> None:
        """Count one send that does not wait (so those that do wait for it)."""
        self.free_at = max(self.free_at, now) + 1 / self.rate

    def hold(self, until: float) -> None:
        """No send before ``until`` (a 429 named it), the bucket empty then: the next send waits the
        whole hold, not the hold less the burst a full bucket would allow."""
        self.free_at = max(self.free_at, until + (self.burst - 1) / self.rate)


class ReplyFirstRateLimiter(BaseRateLimiter[None]):
    """Telegram's flood limits, without making a person wait for the reminder fan-out.

    - Every send to a chat counts against that chat's limit: Telegram allows about one message a
      second in a private chat, with short bursts (``chat_burst``); groups about 20 a minute.
    - Bulk sends (made inside :func:`bulk_sending`: the sweeper's reminders and digests) are also paced
      to ``overall_rate`` a second, never more than that in any one second.
    - Replies (everything else: the answer to an update a person just sent) do not queue behind the
      bulk sends; they only take their place in the overall pace, so the fan-out slows down for them
      and the total stays under Telegram's overall limit.

    A 429 answer is retried (``max_retries`` times) after the ``retry_after`` it names, holding that
    chat's sends (and for bulk, the whole fan-out) meanwhile. ``clock`` and ``sleep`` can be replaced
    by a test.
    """

    def __init__(
        self,
        overall_rate: float = 29,
        chat_rate: float = 1,
        chat_burst: int = 5,
        group_rate: float = 20 / 60,
        group_burst: int = 20,
        max_retries: int = 3,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.overall = _Pace(overall_rate, 1)
        self.chat_rate, self.chat_burst = chat_rate, chat_burst
        self.group_rate, self.group_burst = group_rate, group_burst
        self.max_retries = max_retries
        self.clock, self.sleep = clock, sleep
        self.chats: dict[str | int, _Pace] = {}
        self._bulk_turn = asyncio.Lock()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _chat(self, chat_id: str | int) -> _Pace:
        pace = self.chats.get(chat_id)
        if pace is None:
            if len(self.chats) >= _CHATS_KEPT:  # forget the chats whose bucket is full again
                now = self.clock()
                self.chats = {key: kept for key, kept in self.chats.items() if kept.free_at > now}
            group = isinstance(chat_id, str) or chat_id < 0
            pace = _Pace(self.group_rate, self.group_burst) if group else _Pace(self.chat_rate, self.chat_burst)
            self.chats[chat_id] = pace
        return pace

    async def _wait(self, delay: float) -> None:
        if delay > 0:
            await self.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_key(data.get("chat_id"))
        if chat_id is None or endpoint == "sendChatAction":
            return await callback(*args, **kwargs)  # not a message: answers to buttons, getMe …
        bulk = _BULK.get()
        chat = self._chat(chat_id)
        for attempt in range(self.max_retries + 1):
            await self._wait(chat.reserve(self.clock()))
            if bulk:
                # One bulk send at a time waits for the pace (FIFO), re-checking after each wait:
                # replies sent meanwhile took their places in it.
                async with self._bulk_turn:
                    while (delay := self.overall.free_at - self.clock()) > 0:
                        await self.sleep(delay)
                    self.overall.take(self.clock())
            else:
                self.overall.take(self.clock())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.max_retries:
                    raise
                seconds = retry_seconds(exc) + 0.1
                held = self.clock() + seconds
                chat.hold(held)
                if bulk:
                    self.overall.free_at = max(self.overall.free_at, held)
                log.info("%s to %s: 429, retrying in %.1f s", endpoint, chat_id, seconds)
        raise AssertionError("unreachable")  # pragma: no cover


def retry_seconds(exc: RetryAfter) -> float:
    """The seconds a 429 asks the bot to wait. PTB 22 gives them as a number, and warns at each
    reading that a later major version gives a ``timedelta``: read as either, without that warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return float(value) if isinstance(value, int | float) else value.total_seconds()


def _chat_key(chat_id: object) -> str | int | None:
    if chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    digits = text.removeprefix("-")
    return int(text) if digits.isascii() and digits.isdigit() else text


class TelegramChannel:
    """Wires a PTB application to a :class:`Dispatcher`.

    ``senders`` are the other channels' senders, for replies addressed to a chat on another channel;
    ``on_start`` and ``on_stop`` run when the application has started and when it stops (the
    composition root, :mod:`dondoc.bot.app`, starts the reminder job there)."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        senders: Mapping[str, Send] | None = None,
        *,
        on_start: Callable[[], None] | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.senders: Mapping[str, Send] = senders if senders is not None else {}
        self._on_start = on_start
        self._on_stop = on_stop
        # The message that carries the buttons of each chat's current question.
        self._keyboards: dict[str, int] = {}
        # Each chat's updates one at a time, in the order they came (a reply to the first before the
        # second is read), while other chats' are handled meanwhile.
        self.turn = Turns()

    def build(
        self,
        token: str,
        *,
        base_url: str | None = None,
        base_file_url: str | None = None,
        rate_limit: bool = True,
        limiter: ReplyFirstRateLimiter | None = None,
        builder: Builder | None = None,
    ) -> App:
        builder = builder or application_builder()
        # parse_mode is passed per call: PTB's Defaults would also add it to editMessageReplyMarkup,
        # which the Bot API does not define.
        builder = builder.token(token)
        if base_url:
            builder = builder.base_url(base_url)
        if base_file_url:
            builder = builder.base_file_url(base_file_url)
        if rate_limit:
            # Replies go out at once (within the chat's limit); the reminder fan-out is paced at 29
            # a second. PTB's AIORateLimiter queues a reply behind every pending send, and its
            # default bucket of 30 bursts 30 after a pause and meets Telegram's 429 (measured by
            # `python -m benchmarks`: step_ratio, button_ratio, fanout_429).
            builder = builder.rate_limiter(limiter or ReplyFirstRateLimiter())
        application = builder.post_init(self._post_init).post_shutdown(self._post_shutdown).build()
        self.install(application)
        return application

    def install(self, application: App) -> None:
        """Add the handlers and the error handler to ``application``."""
        application.add_handler(CallbackQueryHandler(self.on_callback))
        # Commands from groups too, to be told that the bot works in private chats only.
        application.add_handler(MessageHandler(filters.ChatType.PRIVATE | filters.COMMAND, self.on_message))
        application.add_error_handler(self.on_error)

    async def _post_init(self, application: App) -> None:
        me = await application.bot.get_me()
        if me.username:
            self.dispatcher.settings.bot_username = me.username
        for language in ("vi", "en"):
            with use_language(language):
                commands = [BotCommand(c.name, _(c.help)[:256]) for c in COMMANDS]
            await application.bot.set_my_commands(commands, language_code=None if language == "vi" else language)
        if self._on_start is not None:
            self._on_start()

    async def _post_shutdown(self, application: App) -> None:
        if self._on_stop is not None:
            self._on_stop()

    # ------------------------------------------------------------------ inbound

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or update.effective_chat is None:
            return
        if update.channel_post is not None or update.edited_channel_post is not None:
            return  # a channel's posts are nobody's messages to the bot
        attachments: list[Attachment] = []
        if message.photo:
            attachments.append(Attachment(kind="photo", file_id=message.photo[-1].file_id))
        if message.document:
            doc = message.document
            attachments.append(
                Attachment(
                    kind="document",
                    file_id=doc.file_id,
                    file_name=doc.file_name or "",
                    mime_type=doc.mime_type or "",
                )
            )
        inbound = Inbound(
            channel=CHANNEL,
            chat_id=str(update.effective_chat.id),
            user_id=str(user.id),
            text=message.text or message.caption or "",
            attachments=tuple(attachments),
            language_code=user.language_code,
            display_name=user.full_name,
            username=user.username,
            private=update.effective_chat.type == ChatType.PRIVATE,
            edited=update.edited_message is not None,  # never acted on: the dispatcher says so once
        )
        async with self.turn(inbound.chat_id):
            replies = await asyncio.to_thread(self.handle, inbound)
            await self.deliver(context.bot, inbound.chat_id, replies)

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle the update (in a worker thread), counted as one message in within the same
        transaction (one commit per message)."""
        return self.dispatcher.handle(inbound, count_on=CHANNEL)

    def count(self, direction: Direction, n: int) -> None:
        """Count ``n`` messages on this channel for the message budget; a failure is only logged."""
        try:
            count_messages(self.dispatcher.engine, CHANNEL, direction, self.dispatcher.clock.now(), n)
        except Exception as exc:  # the meter never keeps a message from being handled
            if not unavailable(exc):
                log.exception("could not count %d message(s) %s", n, direction)
            else:  # the database is away: one line, not a traceback for every message
                log.warning("could not count %d message(s) %s: the database is unavailable", n, direction)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        chat = update.effective_chat
        inbound = Inbound(
            channel=CHANNEL,
            chat_id=str(chat.id) if chat is not None else "",
            user_id=str(query.from_user.id),
            choice=query.data or "",
            language_code=query.from_user.language_code,
            display_name=query.from_user.full_name,
            username=query.from_user.username,
            # An inline message (no chat) is never the person's private chat either.
            private=chat is not None and chat.type == ChatType.PRIVATE,
        )
        async with self.turn(inbound.chat_id or inbound.user_id):
            await self._pressed(query, inbound, context.bot)

    async def _pressed(self, query: CallbackQuery, inbound: Inbound, bot: Bot) -> None:
        try:
            replies = await asyncio.to_thread(self.handle, inbound)
        except BaseException:
            await _answer(query, None)  # the spinner on the button stops even when handling failed
            raise
        toast = next((r.toast for r in replies if r.toast), None)
        # The answer (the spinner stops, the toast shows), the pressed buttons' removal and the replies
        # go out together, not one after the other: over Telegram's round trips the next question
        # comes two of them sooner, and a query answered too late never holds the replies back.
        tidying = [asyncio.create_task(_answer(query, toast[:200] if toast else None))]
        try:
            if not inbound.private:
                return  # the answer said it all: nothing goes to a group
            busy = any(isinstance(reply, Busy) for reply in replies)  # nothing was saved: the buttons stay
            if not busy and isinstance(query.message, Message) and query.message.reply_markup is not None:
                # The question was answered: its buttons go, so nobody presses them again by mistake; in
                # a list of items (a reminder digest), only the pressed item's row goes.
                left = remaining_keyboard(query.message.reply_markup, inbound.choice or "")
                if left is None and self._keyboards.get(inbound.chat_id) == query.message.message_id:
                    del self._keyboards[inbound.chat_id]
                tidying.append(asyncio.create_task(_remove_pressed(query, left, inbound.chat_id)))
            await self.deliver(bot, inbound.chat_id, replies)
        finally:
            await asyncio.gather(*tidying)

    # ------------------------------------------------------------------ outbound

    async def deliver(self, bot: Bot, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send ``replies`` (to ``chat_id`` unless addressed elsewhere); a chat that blocked the bot
        marks its person unreachable. The messages sent are counted (those addressed to another
        channel by that channel's sender)."""
        tally = Tally()
        try:
            await self._deliver(bot, chat_id, replies, tally)
        finally:
            if tally.sent:
                await asyncio.to_thread(self.count, "out", tally.sent)

    async def _deliver(self, bot: Bot, chat_id: str, replies: Sequence[Reply], tally: Tally) -> None:
        # The answered question's buttons go after the replies are sent, without the person waiting
        # for that edit.
        dropping: list[asyncio.Task[None]] = []
        try:
            await self._send_all(bot, chat_id, replies, tally, dropping)
        finally:
            for outcome in await asyncio.gather(*dropping, return_exceptions=True):
                if isinstance(outcome, Exception):  # the buttons stay; stale presses are refused anyway
                    log.warning("chat %s: could not remove the answered question's buttons: %s", chat_id, outcome)

    async def _send_all(
        self, bot: Bot, chat_id: str, replies: Sequence[Reply], tally: Tally, dropping: list[asyncio.Task[None]]
    ) -> None:
        answered: list[tuple[str, int]] = []
        try:
            for reply in replies:
                target = chat_id
                if reply.to is not None:
                    if reply.to.channel != CHANNEL:
                        await deliver_elsewhere(self.senders, reply)
                        continue
                    target = reply.to.chat_id
                if reply.drop_keyboard:
                    message_id = self._keyboards.pop(target, None)
                    if message_id is not None:
                        answered.append((target, message_id))
                    continue
                try:
                    message_id = await self.send(bot, target, reply, tally)
                except Forbidden:
                    log.info("chat %s blocked the bot; marked unreachable", target)
                    await asyncio.to_thread(mark_unreachable, self.dispatcher, target)
                    continue
                except BadRequest:  # one refused message never keeps the others from going out
                    log.exception("chat %s: a reply was refused", target)
                    continue
                if reply.to is None and message_id is not None and asks_question(reply):
                    self._keyboards[target] = message_id
        finally:
            # Once the replies are out, the answered question's buttons go: the person sees the next
            # question first (its request is not built and sent beside the edit's: 1 ms sooner through the
            # local Bot API, benchmarks' step timeline), and the edit is awaited with the sends' end.
            for target, message_id in answered:
                dropping.append(asyncio.create_task(self._drop_keyboard(bot, target, message_id)))

    async def _drop_keyboard(self, bot: Bot, chat_id: str, message_id: int) -> None:
        """Take the buttons off ``message_id``, the last question sent to ``chat_id`` (it was answered
        by typing): a conversation's question only (:func:`asks_question`), never a list of items
        such as a digest. Remembered in this process only: after a restart the old buttons stay, and
        are refused."""
        try:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except Forbidden:
            log.info("chat %s blocked the bot; marked unreachable", chat_id)
            await asyncio.to_thread(mark_unreachable, self.dispatcher, chat_id)
        except BadRequest as exc:  # already edited, or deleted
            log.info("chat %s: could not remove the buttons of message %s: %s", chat_id, message_id, exc)

    @staticmethod
    async def send(bot: Bot, chat_id: str, reply: Reply, tally: Tally | None = None) -> int | None:
        """Send one reply; returns the message id of its last part. ``tally`` counts the messages
        that went out (a file, each part of a long text), also when a later part fails."""
        tally = tally if tally is not None else Tally()
        if reply.file is not None:
            upload = InputFile(reply.file.data, filename=reply.file.file_name)
            caption = reply.file.caption[:1024] or None
            if reply.file.kind == "photo":
                sent = await bot.send_photo(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML)
            else:
                sent = await bot.send_document(chat_id, upload, caption=caption, parse_mode=ParseMode.HTML)
            tally.sent += 1
            if not reply.text:
                return sent.message_id
        parts = split_message(reply.text)
        message_id = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=keyboard(reply) if last else None
            )
            tally.sent += 1
            message_id = sent.message_id
        return message_id

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_chat:
            await asyncio.to_thread(mark_unreachable, self.dispatcher, str(update.effective_chat.id))
            log.info("chat %s blocked the bot; marked unreachable", update.effective_chat.id)
            return
        busy = error is not None and unavailable(error)
        if busy:  # the database is away: the bot keeps polling, the person is told to try again
            log.warning("the database is unavailable while handling an update: %s", str(error).split("\n", 1)[0])
        else:
            log.error("error while handling an update", exc_info=error)
        if isinstance(error, TelegramError) or not isinstance(update, Update) or update.effective_chat is None:
            return
        user = update.effective_user
        if busy:
            text = busy_reply(user.language_code if user is not None else None).text
        else:
            text = _("Sorry, something went wrong on our side. Please try again in a moment.")
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)


async def _answer(query: CallbackQuery, toast: str | None) -> None:
    """Answer a pressed button (its spinner stops; ``toast`` shows); a failure (a query answered too
    late) is only logged."""
    try:
        await query.answer(toast)
    except TelegramError as exc:
        log.warning("could not answer callback query %s: %s", query.id, exc)


async def _remove_pressed(query: CallbackQuery, left: InlineKeyboardMarkup | None, chat_id: str) -> None:
    """Take the pressed buttons off their message (``left``: the rest of a digest's list, or none)."""
    try:
        await query.edit_message_reply_markup(reply_markup=left)
    except BadRequest as exc:  # edited meanwhile, or too old: the replies still go out
        log.info("chat %s: could not remove the pressed buttons: %s", chat_id, exc)


@dataclass
class Tally:
    """Messages that went out, for the message budget."""

    sent: int = 0


def telegram_sender(bot: Bot, count: Callable[[int], None] | None = None) -> Send:
    """The sweeper's sender for Telegram: channel errors become the sweeper's own. ``count`` is
    called (in a worker thread) with the number of messages each send put out."""

    async def send(chat_id: str, reply: Reply) -> str | None:
        tally = Tally()
        try:
            with bulk_sending():
                message_id = await TelegramChannel.send(bot, chat_id, reply, tally)
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except RetryAfter as exc:
            raise RetryLater(retry_seconds(exc)) from exc
        except BadRequest as exc:
            raise Rejected(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            raise TemporaryFailure(str(exc)) from exc
        finally:
            if count is not None and tally.sent:
                try:
                    await asyncio.to_thread(count, tally.sent)
                except Exception:  # the meter never turns a sent message into a failure
                    log.exception("could not count %d message(s) sent", tally.sent)
        return str(message_id) if message_id is not None else None

    return send


def mark_unreachable(dispatcher: Dispatcher, chat_id: str) -> None:
    """The person behind ``chat_id`` blocked the bot: reminders stop until they come back."""
    with session_scope(dispatcher.engine) as session:
        for account in session.exec(
            select(ChannelAccount).where(ChannelAccount.channel == CHANNEL, ChannelAccount.chat_id == chat_id)
        ):
            person = session.get(Person, account.person_id)
            if person is not None and not person.unreachable:
                person.unreachable = True
                session.add(person)
