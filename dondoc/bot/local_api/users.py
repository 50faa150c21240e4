"""Simulated Telegram users who chat privately with the bot through the local Bot API server."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dondoc.bot.local_api.markup import utf16_len
from dondoc.bot.local_api.media import image_size, tiny_png
from dondoc.bot.local_api.world import CallbackAnswer, ChatMessage, World

__all__ = ["ButtonPress", "NoReplyError", "SimulatedUser"]

JsonDict = dict[str, Any]

_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![\w/])")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]+")
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")


class NoReplyError(AssertionError):
    """The bot did not do what a test waited for within the timeout."""


def detect_entities(text: str) -> list[JsonDict]:
    """Entities Telegram adds to a user's plain text: bot commands, URLs and e-mail addresses."""
    found: list[tuple[int, JsonDict]] = []
    for kind, pattern in (("bot_command", _COMMAND_RE), ("url", _URL_RE), ("email", _EMAIL_RE)):
        for match in pattern.finditer(text):
            offset = utf16_len(text[: match.start()])
            entity = {"type": kind, "offset": offset, "length": utf16_len(match.group(0))}
            found.append((match.start(), entity))
    found.sort(key=lambda item: item[0])
    return _without_overlaps([entity for _, entity in found])


def _without_overlaps(entities: list[JsonDict]) -> list[JsonDict]:
    kept: list[JsonDict] = []
    for entity in entities:
        if kept and entity["offset"] < kept[-1]["offset"] + kept[-1]["length"]:
            continue
        kept.append(entity)
    return kept


@dataclass
class ButtonPress:
    """A callback query sent by pressing an inline button; await :meth:`answer` for the bot's answer."""

    query_id: str
    data: str
    message: ChatMessage
    _world: World

    @property
    def answered(self) -> CallbackAnswer | None:
        """The bot's answer, if it answered already."""
        return self._world.callback_answers.get(self.query_id)

    async def answer(self, timeout: float = 30.0) -> CallbackAnswer:
        """Wait for the bot to call answerCallbackQuery for this press."""
        if not await self._world.signal.wait_for(lambda: self.answered is not None, timeout):
            raise NoReplyError(f"the bot did not answer callback query {self.data!r} within {timeout} s")
        answer = self.answered
        assert answer is not None
        return answer


class SimulatedUser:
    """A person in a private chat with the bot.

    A user created with ``started=False`` has never opened the chat: until they write, the bot gets
    403 "bot can't initiate conversation with a user", as in Telegram.

    Actions (:meth:`send`, :meth:`press`, :meth:`send_document`...) become updates the bot receives
    through getUpdates; what the bot sends to the chat lands in :attr:`messages`. :meth:`next_message`
    hands out the bot's messages one by one, waiting for them when needed.
    """

    def __init__(
        self,
        world: World,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        started: bool = True,
        diagnose: Callable[[], str] = lambda: "",
    ) -> None:
        self._world = world
        self._diagnose = diagnose
        self._read = 0
        self.user_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        world.add_chat(self.chat)
        if not started:
            world.not_started.add(self.chat_id)

    def __repr__(self) -> str:
        return f"SimulatedUser(user_id={self.user_id}, first_name={self.first_name!r})"

    # -- identity -----------------------------------------------------------------------------------

    @property
    def chat_id(self) -> int:
        """The private chat's identifier (the user's identifier, as in Telegram)."""
        return self.user_id

    @property
    def user(self) -> JsonDict:
        """The Bot API ``User`` object of this person."""
        user: JsonDict = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({key: value for key, value in optional.items() if value})
        return user

    @property
    def chat(self) -> JsonDict:
        """The Bot API ``Chat`` object of the private chat."""
        chat: JsonDict = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        optional = {"last_name": self.last_name, "username": self.username}
        chat.update({key: value for key, value in optional.items() if value})
        return chat

    # -- what the bot sent ----------------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """Everything the bot sent to this chat, oldest first (edits applied, deletions flagged)."""
        return self._world.bot_messages(self.chat_id)

    @property
    def history(self) -> list[ChatMessage]:
        """The whole chat, both sides, oldest first."""
        return list(self._world.messages.get(self.chat_id, []))

    @property
    def last_message(self) -> ChatMessage | None:
        """The bot's latest message that is not deleted."""
        visible = [m for m in self.messages if not m.deleted]
        return visible[-1] if visible else None

    @property
    def unread(self) -> list[ChatMessage]:
        """The bot's messages that :meth:`next_message` has not handed out yet."""
        return self.messages[self._read :]

    def read_all(self) -> list[ChatMessage]:
        """Hand out every unread message at once (without waiting)."""
        unread = self.unread
        self._read += len(unread)
        return unread

    async def next_message(self, timeout: float = 30.0) -> ChatMessage:
        """The bot's next message to this chat, waiting up to ``timeout`` seconds for it.

        Raises:
            NoReplyError: nothing came in time (the error tells what the server saw meanwhile).
        """
        if not await self._world.signal.wait_for(lambda: len(self.messages) > self._read, timeout):
            detail = self._diagnose()
            raise NoReplyError(
                f"no message from the bot to {self!r} within {timeout} s" + (f"\n{detail}" if detail else "")
            )
        message = self.messages[self._read]
        self._read += 1
        return message

    @property
    def chat_actions(self) -> list[str]:
        """Chat actions (``typing``...) the bot sent to this chat, oldest first."""
        return list(self._world.chat_actions.get(self.chat_id, []))

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """The bot's answers to this user's button presses."""
        mine = {q for q, m in self._world.callback_queries.items() if m is not None and m.chat_id == self.chat_id}
        return [a for q, a in self._world.callback_answers.items() if q in mine]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the custom reply keyboard the bot currently shows, if any."""
        for message in reversed(self.messages):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return [[_button_label(b) for b in row] for row in markup["keyboard"]]
            if "remove_keyboard" in markup:
                return None
        return None

    # -- actions --------------------------------------------------------------------------------------

    async def send(self, text: str, reply_to: ChatMessage | None = None) -> ChatMessage:
        """Type ``text`` and send it (``/start abc`` carries a ``bot_command`` entity, as in Telegram)."""
        return self._post(text=text, entities=detect_entities(text), reply_to=reply_to)

    async def send_document(
        self,
        file_name: str,
        mime_type: str | None,
        data: bytes,
        caption: str | None = None,
    ) -> ChatMessage:
        """Send a file; the bot can getFile and download it by the ``file_id`` in the update."""
        stored = self._world.add_file("document", data, file_name=file_name, mime_type=mime_type)
        return self._post(document=stored, **_caption(caption))

    async def send_photo(self, data: bytes | None = None, caption: str | None = None) -> ChatMessage:
        """Send a photo (a tiny PNG unless ``data`` is given)."""
        payload = tiny_png() if data is None else data
        size = image_size(payload)
        if size is None:
            raise ValueError("send_photo needs image data (PNG, JPEG, GIF, WebP or BMP)")
        stored = self._world.add_file("photo", payload, size=size)
        return self._post(photo=stored, **_caption(caption))

    async def press(self, message: ChatMessage, callback_data: str, *, forge: bool = False) -> ButtonPress:
        """Press the inline button with ``callback_data`` on the bot's ``message``.

        With ``forge`` the data need not belong to any button of the message: a modified client can
        send any callback data, and the bot must not trust it.

        Raises:
            LookupError: the message is gone, is not the bot's, or has no such button.
        """
        current = self._world.find_message(message.chat_id, message.message_id)
        if current is None or current.chat_id != self.chat_id:
            raise LookupError(f"message {message.message_id} is not in the chat with {self!r} (deleted?)")
        if not current.from_bot:
            raise LookupError(f"message {message.message_id} was not sent by the bot")
        if not forge and not current.has_callback(callback_data):
            raise LookupError(
                f"message {message.message_id} has no button with callback_data {callback_data!r}; "
                f"buttons: {current.buttons}"
            )
        query_id = self._world.new_callback_query(current)
        payload = {
            "id": query_id,
            "from": self.user,
            "message": current.to_api(),
            "chat_instance": f"{self.chat_id * 7919}",
            "data": callback_data,
        }
        self._world.updates.push("callback_query", payload)
        return ButtonPress(query_id, callback_data, current, self._world)

    async def press_button(self, text: str, message: ChatMessage | None = None) -> ButtonPress:
        """Press the inline button labelled ``text`` on ``message`` (default: latest message with it)."""
        candidates = [message] if message is not None else reversed(self.messages)
        for candidate in candidates:
            if candidate.deleted:
                continue
            button = candidate.find_button(text)
            if button is None:
                continue
            data = button.get("callback_data")
            if not isinstance(data, str):
                raise LookupError(f"button {text!r} sends no callback data: {button}")
            return await self.press(candidate, data)
        labels = [m.button_texts for m in self.messages if not m.deleted and m.buttons]
        raise LookupError(f"no inline button labelled {text!r} in the chat with {self!r}; buttons: {labels}")

    async def block_bot(self) -> None:
        """Block the bot: it gets a ``my_chat_member`` update and 403 errors when sending here."""
        if self.chat_id not in self._world.blocked:
            self._world.blocked.add(self.chat_id)
            self._push_membership("member", "kicked")

    async def unblock_bot(self) -> None:
        """Unblock the bot again."""
        if self.chat_id in self._world.blocked:
            self._world.blocked.discard(self.chat_id)
            self._push_membership("kicked", "member")

    # -- internals ----------------------------------------------------------------------------------

    def _post(self, **content: Any) -> ChatMessage:
        self._world.not_started.discard(self.chat_id)
        if self.chat_id in self._world.blocked:
            self._world.blocked.discard(self.chat_id)  # writing to a blocked bot restarts it
            self._push_membership("kicked", "member")
        message = self._world.add_message(self.chat_id, self.user, from_bot=False, **content)
        self._world.updates.push("message", message.to_api())
        return message

    def _push_membership(self, old: str, new: str) -> None:
        bot = self._world.bot_user

        def member(status: str) -> JsonDict:
            state: JsonDict = {"status": status, "user": bot}
            if status == "kicked":
                state["until_date"] = 0
            return state

        payload = {
            "chat": self.chat,
            "from": self.user,
            "date": self._world.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._world.updates.push("my_chat_member", payload)


def _caption(caption: str | None) -> dict[str, Any]:
    if caption is None:
        return {}
    return {"caption": caption, "caption_entities": detect_entities(caption)}


def _button_label(button: Any) -> str:
    if isinstance(button, dict):
        return str(button.get("text", ""))
    return str(button)
