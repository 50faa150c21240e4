"""What goes in and out of the channel-neutral handlers, and the interface of a channel.

A channel adapter (Telegram, Zalo, the sandbox) turns what arrives into an :class:`Inbound` and
delivers each :class:`Reply`; its :data:`Send` delivers one reply to one chat (the reminder job and
replies addressed to a chat on another channel go through it) and says why it could not with
:class:`Unreachable`, :class:`RetryLater`, :class:`TemporaryFailure`, :class:`Rejected` or
:class:`QuotaSpent`. Nothing here knows any channel: ids are strings, texts are HTML with
only the tags every channel can render or strip (``<b>``, ``<i>``, ``<code>``, ``<pre>``), and every
choice can also be made by typing its number or its label, because Zalo has no buttons.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from dondoc.text import strip_controls

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """A file the person sent: a photo or a document (PDF)."""

    kind: Literal["photo", "document"]
    file_id: str
    file_name: str = ""
    mime_type: str = ""


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: a message, a command, a button press or a file."""

    channel: str
    chat_id: str
    user_id: str
    text: str = ""
    choice: str | None = None  # a button's callback data, as received (never trusted)
    attachments: tuple[Attachment, ...] = ()
    language_code: str | None = None
    display_name: str = ""
    username: str | None = None
    private: bool = True  # a one-to-one chat with the bot: the only kind that can become a delivery chat
    edited: bool = False  # a message edited after it was sent (Telegram): never acted on, see Dispatcher


class Choice(NamedTuple):
    """A button; ``data`` is an opaque token that only means something to the database. (A tuple: a
    nation's 08:00 pass makes 150,000 of them, and a frozen dataclass costs three times as much to
    build.)"""

    label: str
    data: str


@dataclass(frozen=True)
class Address:
    """Where a reply goes when it is not the chat that asked (e.g. a manager being alerted)."""

    channel: str
    chat_id: str


@dataclass(frozen=True)
class OutFile:
    """A file to send (an export, a chart)."""

    kind: Literal["photo", "document"]
    file_name: str
    data: bytes
    caption: str = ""


@dataclass
class Reply:
    """A message to send: HTML text, optional rows of buttons, optional file."""

    text: str
    choices: list[list[Choice]] = field(default_factory=list)
    to: Address | None = None  # None: the chat the inbound came from
    file: OutFile | None = None
    toast: str | None = None  # short notice for the button press itself (Telegram's answerCallbackQuery)
    # No message: take the buttons off the last question sent to this chat (it was answered by typing).
    drop_keyboard: bool = False


# A channel's sender: deliver one reply to one chat, return the message id.
Send = Callable[[str, Reply], Awaitable[str | None]]


class Unreachable(Exception):
    """The channel refuses delivery to this chat for good (the person blocked the bot)."""


class RetryLater(Exception):
    """The channel asks to slow down (Telegram's 429 with retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class TemporaryFailure(Exception):
    """A timeout or network error: try again later."""


class Rejected(Exception):
    """The channel refused this message for good (a malformed request): retrying cannot help."""


class QuotaSpent(Rejected):
    """The channel's monthly message quota is spent (Zalo's 429): nothing more goes out on this
    channel key until the next month or a higher budget."""


def channel_family(key: str) -> str:
    """The family of a channel key: ``zalo:ln1`` → ``zalo``, ``telegram`` → ``telegram``."""
    return key.split(":", 1)[0]


def has_buttons(key: str) -> bool:
    """Whether the channel ``key`` shows buttons (Telegram). Zalo has none: its replies list the
    choices as numbered lines to type, so a prompt there says "type", never "tap"."""
    return channel_family(key) != "zalo"


_TAG = re.compile(r"<[^<>]*>")


def plain(text: str) -> str:
    """The reply's text without markup (every tag removed, entities decoded), for channels and
    terminals that show plain text."""
    return html.unescape(_TAG.sub("", text))


def shown_length(text: str) -> int:
    """How long ``text`` is as Zalo shows it (markup removed), in the UTF-16 units its limit counts."""
    return len(plain(text).encode("utf-16-le")) // 2


# C0 control characters but tab and newline (NUL among them: PostgreSQL refuses it in text), and DEL.
def clean_inbound(inbound: Inbound) -> Inbound:
    """``inbound`` with control characters removed from everything the person typed or sent."""
    return replace(
        inbound,
        text=strip_controls(inbound.text),
        choice=strip_controls(inbound.choice) if inbound.choice is not None else None,
        display_name=strip_controls(inbound.display_name),
        username=strip_controls(inbound.username) if inbound.username is not None else None,
        attachments=tuple(
            replace(a, file_name=strip_controls(a.file_name), mime_type=strip_controls(a.mime_type))
            for a in inbound.attachments
        ),
    )


async def deliver_elsewhere(senders: Mapping[str, Send], reply: Reply) -> None:
    """Deliver ``reply`` to the chat it is addressed to (``reply.to``) through that channel's sender;
    a failure is logged, never raised: one failed delivery never keeps the others from going out."""
    assert reply.to is not None
    send = senders.get(reply.to.channel)
    if send is None:
        log.warning("no sender for channel %s: a reply to %s was not delivered", reply.to.channel, reply.to.chat_id)
        return
    try:
        await send(reply.to.chat_id, reply)
    except (Unreachable, RetryLater, TemporaryFailure, Rejected) as exc:
        log.warning("a reply to %s:%s was not delivered: %s", reply.to.channel, reply.to.chat_id, exc)
    except Exception:
        log.exception("a reply to %s:%s was not delivered", reply.to.channel, reply.to.chat_id)


def esc(value: object) -> str:
    """Escape user or database text for an HTML reply."""
    return html.escape(str(value), quote=False)
