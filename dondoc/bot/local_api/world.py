"""The simulated Telegram side: chats, messages, files and the update queue, without any HTTP.

Everything here runs on the event loop of the :class:`~dondoc.bot.local_api.server.LocalBotApi`
that owns it; nothing is thread-safe.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "ChatEvent",
    "ChatMessage",
    "Conflict",
    "Signal",
    "StoredFile",
    "UpdateQueue",
    "World",
]

JsonDict = dict[str, Any]

#: Update kinds Telegram leaves out when ``allowed_updates`` is not given.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class ApiError(Exception):
    """A Bot API error answer (``ok: false``) with Telegram's code and description."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        """HTTP 400 with ``Bad Request: <detail>``."""
        return cls(400, f"Bad Request: {detail}")

    def to_json(self) -> JsonDict:
        """The response body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class Conflict(ApiError):
    """409: another getUpdates call or a webhook is in the way."""

    def __init__(self, detail: str) -> None:
        super().__init__(409, f"Conflict: {detail}")


class Signal:
    """Wakes every waiter whenever :meth:`fire` is called; waiters re-check their condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.count = 0

    def fire(self) -> None:
        """Record a change and wake everybody waiting."""
        self.count += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until ``predicate()`` holds; ``False`` if ``timeout`` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not predicate():
            event = self._event
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


# --------------------------------------------------------------------------------------------------
# Files and messages


@dataclass
class StoredFile:
    """A file known to the server: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # "document" or "photo"
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def file_path(self) -> str:
        """Path under the file URL, as :meth:`getFile` reports it."""
        suffix = PurePosixPath(self.file_name).suffix if self.file_name else ""
        if not suffix and self.kind == "photo":
            suffix = ".jpg"
        return f"{self.kind}s/file_{self.file_unique_id}{suffix}"

    def to_document(self) -> JsonDict:
        """A Bot API ``Document``."""
        document: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document

    def to_photo_sizes(self) -> list[JsonDict]:
        """A Bot API photo: an array of ``PhotoSize`` (one size here)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": self.width,
                "height": self.height,
            }
        ]

    def to_file(self) -> JsonDict:
        """A Bot API ``File`` (the answer of getFile)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class ChatMessage:
    """A message in a simulated chat, kept up to date when the bot edits or deletes it.

    ``text``/``caption`` hold the text as users see it (markup parsed away); ``source`` holds what the
    bot sent (with its markup) and ``parse_mode`` how to read it.
    """

    message_id: int
    chat: JsonDict
    sender: JsonDict
    from_bot: bool
    date: int
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    source: str | None = None
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    reply_to: ChatMessage | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        """Identifier of the chat the message is in."""
        return int(self.chat["id"])

    @property
    def content(self) -> str:
        """The text, or the caption of a file, as users see it ("" if none)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        """Rows of inline buttons (empty when the message has no inline keyboard)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard", [])
        return [list(row) for row in rows]

    @property
    def buttons(self) -> list[JsonDict]:
        """All inline buttons, row by row."""
        return [button for row in self.inline_keyboard for button in row]

    @property
    def button_texts(self) -> list[str]:
        """Labels of all inline buttons, row by row."""
        return [str(button.get("text", "")) for button in self.buttons]

    def find_button(self, text: str) -> JsonDict | None:
        """The inline button labelled ``text`` (exactly), if any."""
        return next((b for b in self.buttons if b.get("text") == text), None)

    def has_callback(self, data: str) -> bool:
        """Whether an inline button of this message sends ``data``."""
        return any(b.get("callback_data") == data for b in self.buttons)

    def to_api(self, with_reply: bool = True) -> JsonDict:
        """The Bot API ``Message`` object."""
        message: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.text is not None:
            message["text"] = self.text
            _put_if(message, "entities", self.entities)
        if self.caption is not None:
            message["caption"] = self.caption
            _put_if(message, "caption_entities", self.caption_entities)
        if self.document is not None:
            message["document"] = self.document.to_document()
        if self.photo is not None:
            message["photo"] = self.photo.to_photo_sizes()
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = {"inline_keyboard": self.reply_markup["inline_keyboard"]}
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        return message


def _put_if(target: JsonDict, key: str, value: list[JsonDict]) -> None:
    if value:
        target[key] = value


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered (answerCallbackQuery) to a button press."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class ChatEvent:
    """Something the bot did in a chat, for live observers (the sandbox terminal)."""

    kind: Literal["message", "edit", "delete", "callback_answer", "chat_action"]
    chat_id: int
    message: ChatMessage | None = None
    detail: JsonDict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Updates


@dataclass
class _Update:
    update_id: int
    kind: str
    payload: JsonDict

    def to_api(self) -> JsonDict:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Pending updates with getUpdates semantics: long polling, offsets, ``allowed_updates``.

    An update stays queued until a later getUpdates call confirms it with a higher ``offset``; it is
    *finished* once confirmed, or, when a tracker reports processing (see
    :class:`~dondoc.bot.local_api.ptb.TrackingUpdateProcessor`), once the bot has processed it.
    """

    def __init__(self, signal: Signal, first_update_id: int = 100_001) -> None:
        self._signal = signal
        self._ids = itertools.count(first_update_id)
        self._queue: list[_Update] = []
        self._unfinished: set[int] = set()
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self._closed = False
        self.tracks_processing = False

    @property
    def unfinished(self) -> frozenset[int]:
        """Updates not yet confirmed (or, with a tracker, not yet processed)."""
        return frozenset(self._unfinished)

    @property
    def pending_count(self) -> int:
        """Updates waiting for confirmation (``pending_update_count`` of getWebhookInfo)."""
        return len(self._queue)

    def push(self, kind: str, payload: JsonDict) -> int:
        """Queue an update of ``kind`` (``message``, ``callback_query``...); return its id."""
        update = _Update(next(self._ids), kind, payload)
        self._queue.append(update)
        self._unfinished.add(update.update_id)
        self._signal.fire()
        return update.update_id

    def finish(self, update_id: int) -> None:
        """Mark an update as processed by the bot."""
        self._unfinished.discard(update_id)
        self._signal.fire()

    def drop_all(self) -> None:
        """Forget every pending update (deleteWebhook/setWebhook with drop_pending_updates)."""
        for update in self._queue:
            self._unfinished.discard(update.update_id)
        self._queue.clear()
        self._signal.fire()

    def close(self) -> None:
        """Release every long poll (the server is shutting down)."""
        self._closed = True
        self._signal.fire()

    async def get_updates(
        self,
        offset: int | None,
        limit: int,
        timeout: float,
        allowed_updates: Iterable[str] | None,
        abandoned: Callable[[], bool] = lambda: False,
    ) -> list[JsonDict]:
        """Answer one getUpdates call, waiting up to ``timeout`` seconds for updates.

        Raises:
            Conflict: a newer getUpdates call started while this one was waiting.
        """
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.fire()  # lets an older long poll notice that it was superseded
        if offset is not None:
            self._confirm(offset)
        if allowed_updates is not None:
            self._set_allowed(allowed_updates)

        def ready() -> bool:
            return bool(self._deliverable()) or self._closed or abandoned() or self._poll_generation != generation

        await self._signal.wait_for(ready, max(timeout, 0.0))
        if self._poll_generation != generation:
            raise Conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
        if abandoned():
            return []
        return [update.to_api() for update in self._deliverable()[:limit]]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = self._queue[offset:] if -offset <= len(self._queue) else list(self._queue)
            confirmed = [u for u in self._queue if u not in keep]
        else:
            confirmed = [u for u in self._queue if u.update_id < offset]
        for update in confirmed:
            self._queue.remove(update)
            if not self.tracks_processing:
                self._unfinished.discard(update.update_id)
        if confirmed:
            self._signal.fire()

    def _set_allowed(self, allowed_updates: Iterable[str]) -> None:
        allowed = frozenset(allowed_updates)
        self._allowed = allowed or None

    def _is_allowed(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in _NOT_DEFAULT_UPDATES
        return kind in self._allowed

    def _deliverable(self) -> list[_Update]:
        """Queued updates the bot asked for; others are dropped, as Telegram does."""
        dropped = [update for update in self._queue if not self._is_allowed(update.kind)]
        for update in dropped:
            self._queue.remove(update)
            self._unfinished.discard(update.update_id)
        return self._queue


# --------------------------------------------------------------------------------------------------
# The world


class World:
    """Chats, messages and files of the simulated Telegram, plus the bot's update queue."""

    def __init__(self, bot_user: JsonDict, clock: Callable[[], float] = time.time) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.signal = Signal()
        self.updates = UpdateQueue(self.signal)
        self.chats: dict[int, JsonDict] = {}
        self.messages: dict[int, list[ChatMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.blocked: set[int] = set()
        self.not_started: set[int] = set()
        self.callback_queries: dict[str, ChatMessage | None] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.chat_actions: dict[int, list[str]] = {}
        self._message_ids: dict[int, Iterator[int]] = {}
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._subscribers: list[asyncio.Queue[ChatEvent]] = []

    def now(self) -> int:
        """The current Unix time, as message dates use it."""
        return int(self.clock())

    # -- chats and messages -----------------------------------------------------------------------

    def add_chat(self, chat: JsonDict) -> None:
        """Make a chat known (a private chat starts when its user first appears)."""
        self.chats.setdefault(int(chat["id"]), chat)
        self.messages.setdefault(int(chat["id"]), [])

    def add_message(self, chat_id: int, sender: JsonDict, from_bot: bool, **content: Any) -> ChatMessage:
        """Append a new message to a chat, numbering it like Telegram (per chat, from 1)."""
        ids = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = ChatMessage(
            message_id=next(ids),
            chat=self.chats[chat_id],
            sender=sender,
            from_bot=from_bot,
            date=self.now(),
            **content,
        )
        self.messages[chat_id].append(message)
        if from_bot:
            self.publish(ChatEvent("message", chat_id, message))
        self.signal.fire()
        return message

    def find_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        """A message that exists (not deleted) in the chat."""
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        """Messages the bot sent to a chat, oldest first (deleted ones included, flagged)."""
        return [m for m in self.messages.get(chat_id, []) if m.from_bot]

    # -- files --------------------------------------------------------------------------------------

    def add_file(
        self,
        kind: str,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] = (0, 0),
    ) -> StoredFile:
        """Store file contents and give them identifiers."""
        number = next(self._file_ids)
        prefix = "BQAC" if kind == "document" else "AgAC"
        stored = StoredFile(
            file_id=f"{prefix}local{number:08d}",
            file_unique_id=f"AQAD{number:06d}",
            data=data,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            width=size[0],
            height=size[1],
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        """The file whose ``file_path`` is ``path``."""
        return next((f for f in self.files.values() if f.file_path == path), None)

    # -- callback queries --------------------------------------------------------------------------

    def new_callback_query(self, message: ChatMessage | None) -> str:
        """Register a button press and return its query id."""
        query_id = f"{next(self._query_ids) + 4_000_000_000_000_000}"
        self.callback_queries[query_id] = message
        return query_id

    # -- observers ----------------------------------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[ChatEvent]:
        """A queue receiving every :class:`ChatEvent` from now on."""
        queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ChatEvent]) -> None:
        """Stop feeding ``queue``."""
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def publish(self, event: ChatEvent) -> None:
        """Hand ``event`` to every subscriber and wake waiters."""
        for queue in self._subscribers:
            queue.put_nowait(event)
        self.signal.fire()
