"""The Zalo channel: Zalo Bot API updates in, the channel-neutral handlers, plain-text replies out.

In: each update (``{"event_name": …, "message": …}``) becomes an :class:`~dondoc.handlers.events.Inbound`
on the channel key of this bot (``"zalo"``, or ``"zalo:<name>"`` for a bot of the registry):

- a text is typed text; a ``GROUP`` chat is not private (the handlers answer commands there with a
  pointer to the private chat and do nothing else);
- an image's URL (``photo_url``, or ``photo``) is temporary: the photo is downloaded at once (at most
  :data:`IMAGE_LIMIT` bytes) and kept in the ``storedfile`` table, so the evidence survives; the
  handlers get it as an attachment whose file id is ``stored:<id>``. Only people already bound get
  their photos stored; anyone else's caption is handled as text;
- a sticker, a voice message or anything Zalo calls unsupported gets a short explanation of what the
  bot reads (in private chats; in groups, nothing).

The dispatcher runs in a worker thread. Out: every reply becomes plain text (Zalo shows no markup:
:func:`~dondoc.handlers.events.plain`) in parts of at most 2,000 characters, cut at a blank line
(between paragraphs: an escalation's units, each a name and its items) when one falls in the part's
second half, else at a line break (:func:`split_plain`). Zalo has no buttons, so choices become
numbered lines:

- **the conversation's own choices** (the report's steps, the pages of a list) are numbered with the
  number the handlers resolve when it is typed (:meth:`Context.resolve_typed`, which also takes the label
  typed with or without diacritics). Nothing is stored here. (The percent step offers no choices on
  Zalo: it reads typing first, so a typed ``3`` is 3 %, and its prompt says to type a percentage);
- **other choices** — a reminder digest's buttons, which the handlers resolve only as pressed buttons —
  are stored per chat in the ``chatchoices`` table (so a second process sees them) with the message
  that offers them. A typed number or label that matches one becomes ``Inbound(choice=…)``, exactly a
  button press.

A digest lists several items, and answering one must not lose the others (on Telegram only the
pressed item's row of buttons goes). So the stored choices stay until a later message offers other
choices of that kind (the next digest, a list of requests) and takes their place; a message with no
choices, or only the conversation's, leaves them. They are **held** while a conversation of the
person is under way (and not left idle past its 30 minutes): its own numbers come first, so at the
report's status step a typed ``2`` is "Đang thực hiện", never the digest's second task. The row also
keeps which items were answered (any of an item's choices picked) and whether the choices were held:
picking an item that opens a conversation (the report, "Đã hoàn thành") holds them, and so does a
digest arriving in the middle of one. When the conversation ends (the report recorded, /cancel, a
command, the idle timeout) — or at once, after a one-shot choice such as "Nhắc lại sau" — the
answer ends with the items not answered yet, by their numbers in the digest: "Tin nhắc việc còn 2
mục chờ đồng chí trả lời: 1. 📝 I.1   3. 📝 II.2 …" (:func:`recall`), in the same message, not one
more of the month's budget. An answered item's numbers still work (a report cancelled halfway can
be taken up again by typing its number); only the recall leaves it out.

A digest offers three buttons for each of up to ten items (report, **Nhắc lại sau**, **Đã hoàn
thành**): thirty numbered lines would be longer than the digest itself. When the choices form such a
grid (two rows or more, each row the same length, each column after the first labelled the same in
every row), the first column is numbered by row (``1``, ``2`` …, matching the digest's own item
numbers) on a few lines, and each other column is one line of legend: "add b to the number (e.g. 2b):
Nhắc lại sau". ``2b``, ``2 b``, ``2B`` and "2 nhắc lại sau" (without diacritics too) all pick row 2's
second button; a label that only one choice has (``I.3``) picks it too.

A reply with a file cannot go to Zalo (no documents; photos only from a public URL): the text says so
and points to what works. A reply addressed to a chat on another channel goes through that channel's
sender; a chat the bot may not write to (403) marks its person unreachable.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dondoc.bot.zalo.client import DOWNLOAD_LIMIT, TEXT_LIMIT, ZaloClient, text_length
from dondoc.db.errors import unavailable
from dondoc.db.models import Assignment, ChannelAccount, ChatChoices, Conversation, Person, Reminder, StoredFile, Task
from dondoc.db.session import session_scope
from dondoc.db.usage import count_messages
from dondoc.handlers.context import IDLE_TIMEOUT, parse_token
from dondoc.handlers.dispatcher import Busy, Dispatcher, busy_reply
from dondoc.handlers.events import (
    Attachment,
    Choice,
    Inbound,
    Rejected,
    Reply,
    RetryLater,
    Send,
    TemporaryFailure,
    Unreachable,
    deliver_elsewhere,
    esc,
    plain,
)
from dondoc.handlers.reminders import parse_button
from dondoc.i18n import N_, _, format_date, ngettext, normalize_language, use_language
from dondoc.scheduler.clock import Clock
from dondoc.text import match_key
from dondoc.tz import TZ

CHANNEL = "zalo"
IMAGE_LIMIT = DOWNLOAD_LIMIT  # bytes: the largest photo kept as evidence
STORED_PREFIX = "stored:"
log = logging.getLogger(__name__)

_UNREADABLE = {
    "message.sticker.received": N_("a sticker"),
    "message.voice.received": N_("a voice message"),
    "message.unsupported.received": N_("this kind of message"),
}
_IMAGE = "message.image.received"
_TEXT = "message.text.received"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_GRID_PER_LINE = 4  # row choices of a grid shown on one line
_TYPED_SEPARATORS = re.compile(r"[\s.)\-:]+")
_SHOWN = re.compile(r"([0-9]+)([a-z]?)", re.ASCII)  # a typed key as shown: a number, and a grid's letter


# ---------------------------------------------------------------------- choices as text


@dataclass(frozen=True)
class Rendered:
    """A reply as Zalo shows it: its text parts, and the typed keys of choices to remember (None: the
    reply offers only the conversation's choices, or none)."""

    parts: list[str]
    typed: dict[str, str] | None


def is_conversation_choice(choice: Choice) -> bool:
    """Whether the handlers resolve this choice themselves when its number or label is typed."""
    return parse_token(choice.data) is not None


def _is_reminder_row(row: Sequence[Choice]) -> bool:
    return bool(row) and all(parse_button(choice.data) is not None for choice in row)


def _is_grid(rows: Sequence[Sequence[Choice]]) -> bool:
    """Whether ``rows`` are numbered by row, each column after the first a letter: every column after
    the first labelled the same in every row that has it. A digest is always one (one layout whether
    it lists one item or ten, its explanations asked a row of one choice each); other choices only
    when two rows or more of the same width are."""
    width = max((len(row) for row in rows), default=0)
    if width < 2 or any(not row for row in rows):
        return False
    if not all(len({row[column].label for row in rows if len(row) > column}) == 1 for column in range(1, width)):
        return False
    if all(_is_reminder_row(row) for row in rows):
        return True
    return len(rows) >= 2 and all(len(row) == width for row in rows)


def _column_labels(rows: Sequence[Sequence[Choice]]) -> list[str]:
    """A grid's label of each column after the first."""
    width = max(len(row) for row in rows)
    return [next(plain(row[column].label) for row in rows if len(row) > column) for column in range(1, width)]


def choice_lines(rows: Sequence[Sequence[Choice]]) -> tuple[list[str], dict[str, str] | None]:
    """The numbered lines for ``rows`` in the current language, and the typed keys to remember."""
    flat = [choice for row in rows for choice in row]
    if not flat:
        return [], None
    if all(is_conversation_choice(choice) for choice in flat):
        lines = []
        for position, choice in enumerate(flat, start=1):
            token = parse_token(choice.data)
            shown = token[1] if token is not None else str(position)
            lines.append(f"{shown}. {plain(choice.label)}")
        return [*lines, _("Type the number or the name of your choice.")], None
    typed: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    for choice in flat:
        labels.setdefault(match_key(plain(choice.label)), []).append(choice.data)
    if _is_grid(rows):
        entries = [f"{number}. {plain(row[0].label)}" for number, row in enumerate(rows, start=1)]
        lines = [
            "   ".join(entries[start : start + _GRID_PER_LINE]) for start in range(0, len(entries), _GRID_PER_LINE)
        ]
        for column, label in enumerate(_column_labels(rows), start=1):
            letter = _LETTERS[column]
            lines.append(
                _("Add {letter} to the number (e.g. {example}): {label}").format(
                    letter=letter, example=f"1{letter}", label=label
                )
            )
        for number, row in enumerate(rows, start=1):
            for column, choice in enumerate(row):
                typed[f"{number}{_LETTERS[column]}"] = choice.data
                typed[f"{number} {match_key(plain(choice.label))}"] = choice.data
            typed[str(number)] = row[0].data
        lines.append(_("Type the number (and letter) of your choice."))
    else:
        lines = []
        for number, choice in enumerate(flat, start=1):
            lines.append(f"{number}. {plain(choice.label)}")
            typed[str(number)] = choice.data
        lines.append(_("Type the number or the name of your choice."))
    for key, found in labels.items():
        if key and len(found) == 1:
            typed.setdefault(key, found[0])
    return lines, typed


def typed_keys(text: str) -> list[str]:
    """The forms a typed answer is looked up by: "2b", "2 B", "2. b" → ``2b``; "2 nhắc lại sau" →
    ``2 nhac lai sau``; "I.3" → ``i 3``."""
    compact = _TYPED_SEPARATORS.sub("", text.strip().lower())
    key = match_key(text)
    return [form for form in dict.fromkeys((compact, key)) if form]


def split_plain(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters (as :func:`text_length` counts them), cut at a
    blank line (between paragraphs, such as the units of an escalation, each a name and its items)
    when one falls in the second half of the part, else at a line break; a part never begins with a
    blank line. A line longer than a part is cut at a space, or between characters."""
    parts: list[str] = []
    lines: list[str] = []  # the part being built
    size = 0  # its length
    # Where it may be cut: its blank lines (the first of each run), as (index, length of the text before).
    breaks: list[tuple[int, int]] = []

    def fits(line: str) -> bool:
        return size + (1 if lines else 0) + text_length(line) <= limit

    def flush() -> None:
        nonlocal lines, size
        if lines:
            parts.append("\n".join(lines))
        lines, size = [], 0
        breaks.clear()

    def cut_at_blank_line() -> None:
        """End the part at its last blank line if that falls in its second half: what follows the
        blank line begins the next part."""
        nonlocal lines, size
        if not breaks or breaks[-1][1] < limit // 2:
            return
        index = breaks[-1][0]
        parts.append("\n".join(lines[:index]))
        rest = lines[index:]
        while rest and not rest[0].strip():
            rest.pop(0)
        lines, size = rest, text_length("\n".join(rest))
        breaks.clear()

    for line in text.split("\n"):
        blank = not line.strip()
        if lines and not fits(line):
            cut_at_blank_line()
            if lines and not fits(line):
                flush()
        if blank and not lines:
            continue  # a part never begins with a blank line
        if fits(line):
            if blank and lines[-1].strip():
                breaks.append((len(lines), size))
            size += (1 if lines else 0) + text_length(line)
            lines.append(line)
            continue
        while text_length(line) > limit:  # a line longer than a part (none is being built)
            cut = _cut(line, limit)
            parts.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        lines, size = ([line], text_length(line)) if line else ([], 0)
    flush()
    return [part for part in parts if part.strip()]


def _cut(line: str, limit: int) -> int:
    """Where to cut an over-long ``line``: the last space that keeps the head within ``limit``."""
    end, units = 0, 0
    while end < len(line) and units + text_length(line[end]) <= limit:
        units += text_length(line[end])
        end += 1
    space = line.rfind(" ", 0, end)
    return space if space > end // 2 else end


def render(reply: Reply) -> Rendered:
    """``reply`` as Zalo shows it, in the current language."""
    text = plain(reply.text).strip()
    if reply.file is not None:
        caption = plain(reply.file.caption).strip()
        text = "\n".join(part for part in (text, caption, _file_note(reply.file.kind, reply.file.file_name)) if part)
    lines, typed = choice_lines(reply.choices)
    if lines:
        text = "\n".join([text, "", *lines]) if text else "\n".join(lines)
    return Rendered(split_plain(text), typed)


def _file_note(kind: str, name: str) -> str:
    if kind == "photo":
        return _(
            "(The chart cannot be shown on Zalo: a Zalo bot can send pictures only from a public web address. "
            "Use /status for the figures; the administrator can draw it with «dondoc chart -o chart.png».)"
        )
    return _(
        "(The file {name} cannot be sent on Zalo: a Zalo bot cannot send files. The administrator can "
        "write it with «dondoc export -o status.xlsx» and send it by e-mail.)"
    ).format(name=name)


# ---------------------------------------------------------------------- the store


def _language_of(session: Session, key: str, chat_id: str) -> str:
    row = session.exec(
        select(ChannelAccount, Person)
        .join(Person, col(Person.id) == ChannelAccount.person_id)
        .where(ChannelAccount.channel == key, ChannelAccount.chat_id == chat_id)
    ).first()
    if row is None:
        return normalize_language(None)
    account, person = row
    return person.language or normalize_language(account.language_code)


def language_of(engine: Engine, key: str, chat_id: str) -> str:
    """The language of the person who reads ``chat_id`` on ``key`` (the default for anyone else)."""
    with session_scope(engine) as session:
        return _language_of(session, key, chat_id)


def offered(rows: Sequence[Sequence[Choice]], typed: dict[str, str]) -> dict[str, Any]:
    """What the ``chatchoices`` row keeps of a message offering ``rows`` (not a conversation's), whose
    typed keys are ``typed`` (:func:`choice_lines`): those keys, and for recalling the items left
    (:func:`recall`) each row as an item — its choices' data and the numbers shown for them — the
    letters added to a number for the other columns of a grid, and whether it is a reminder's."""
    numbers: dict[str, list[str]] = {}
    letters: dict[str, str] = {}
    for typed_key, data in typed.items():
        found = _SHOWN.fullmatch(typed_key)
        if found is None:
            continue
        if found.group(2):
            letters.setdefault(data, found.group(2))
        else:
            numbers.setdefault(data, []).append(typed_key)
    items: list[dict[str, Any]] = []
    legend: dict[str, str] = {}
    for row in rows:
        shown: list[list[str]] = []
        for choice in row:
            shown += [[number, plain(choice.label)] for number in sorted(numbers.get(choice.data, []), key=int)]
            letter = letters.get(choice.data)
            if letter is not None and choice.data not in numbers:  # a grid's column after the first
                legend.setdefault(letter, plain(choice.label))
        items.append({"data": [choice.data for choice in row], "shown": shown})
    flat = [choice.data for row in rows for choice in row]
    return {
        "typed": typed,
        "items": items,
        "legend": sorted(legend.items()),
        "reminder": bool(flat) and all(parse_button(data) is not None for data in flat),
        "kind": _kind_of(flat),
        "answered": [],
        "held": False,
    }


def _kind_of(flat: Sequence[str]) -> str:
    """What kind of message offers choices with these data (for telling one's numbers from another's)."""
    if flat and all(parse_button(data) is not None for data in flat):
        return "reminder"
    if flat and all(data.startswith("E") for data in flat):
        return "explanation"
    if flat and all(data.startswith("X") for data in flat):
        return "extension"
    return "list"


_KIND_NAMES = {
    "reminder": N_("the reminder"),
    "explanation": N_("the explanation request"),
    "extension": N_("the list of requests for more time"),
    "list": N_("the list"),
}


def _message_name(stored: Mapping[str, Any], fallback: datetime) -> str:
    """ "the reminder sent at 08:00 24/03/2022": the message whose numbers ``stored`` keeps."""
    kind = str(stored.get("kind") or ("reminder" if stored.get("reminder") else "list"))
    try:
        at = datetime.fromisoformat(str(stored["at"]))
    except (KeyError, ValueError):
        at = fallback
    local = at.astimezone(TZ) if at.tzinfo is not None else at
    return _("{message} sent at {time} on {date}").format(
        message=_(_KIND_NAMES.get(kind, _KIND_NAMES["list"])),
        time=local.strftime("%H:%M"),
        date=format_date(local.date()),
    )


def _typed_of(stored: dict[str, Any]) -> dict[str, Any]:
    """The typed keys of a stored row (a row written before items were kept is nothing but its keys)."""
    typed = stored.get("typed")
    return typed if isinstance(typed, dict) else stored


def _conversation_open(
    session: Session, key: str, chat_id: str, user_id: str | None, now: datetime, *, idle_too: bool = False
) -> bool:
    """Whether a conversation is under way in ``chat_id`` (of ``user_id``, or of anyone), one not left
    idle long enough to be closed by the next message (``idle_too``: or one that message will close,
    after reading it as the answer to its question)."""
    query = select(Conversation.updated_at).where(
        Conversation.channel == key, Conversation.chat_id == chat_id, Conversation.flow != ""
    )
    if user_id is not None:
        query = query.where(Conversation.user_id == user_id)
    return any(idle_too or now - updated_at <= IDLE_TIMEOUT for updated_at in session.exec(query))


def remember_choices(
    engine: Engine,
    key: str,
    chat_id: str,
    typed: dict[str, str] | None,
    now: datetime,
    rows: Sequence[Sequence[Choice]] = (),
) -> str:
    """Store the typed choices of the message about to go to ``chat_id`` (offering ``rows``), in place
    of the chat's earlier ones; with None (the message offers no choices, or only the conversation's)
    the earlier ones stay. Returns the language of the person who reads that chat. Two messages to
    one chat at the same moment (a reply and a reminder) both store theirs: the second to commit wins."""
    try:
        return _remember_choices(engine, key, chat_id, typed, now, rows)
    except IntegrityError:  # the other one created the chat's row first: now it is there to update
        return _remember_choices(engine, key, chat_id, typed, now, rows)


def _remember_choices(
    engine: Engine,
    key: str,
    chat_id: str,
    typed: dict[str, str] | None,
    now: datetime,
    rows: Sequence[Sequence[Choice]],
) -> str:
    with session_scope(engine) as session:
        language = _language_of(session, key, chat_id)
        row = session.exec(
            select(ChatChoices).where(ChatChoices.channel == key, ChatChoices.chat_id == chat_id)
        ).first()
        if typed is None:
            # A list of the conversation's own (/tasks, a report's step) shown after the stored choices,
            # and not one they led to: a number typed once it is closed must not silently act on them.
            if rows and row is not None and not row.choices.get("held") and not row.choices.get("shadowed"):
                row.choices = {**row.choices, "shadowed": True}
                session.add(row)
            return language
        stored = offered(rows, typed)
        stored["at"] = now.isoformat()
        # Sent while a conversation is under way (a digest in the middle of a report): out of reach
        # until it ends, and recalled then.
        stored["held"] = _conversation_open(session, key, chat_id, None, now)
        if row is not None:  # its numbers no longer work: a number only it had is answered so
            before = row.choices
            stored["previous"] = {
                "kind": before.get("kind") or ("reminder" if before.get("reminder") else "list"),
                "at": before.get("at") or row.updated_at.isoformat(),
                "keys": sorted(k for k in _typed_of(before) if _SHOWN.fullmatch(k)),
            }
        if row is None:
            session.add(ChatChoices(channel=key, chat_id=chat_id, choices=stored, updated_at=now))
        else:
            row.choices, row.updated_at = stored, now
            session.add(row)
        return language


@dataclass(frozen=True)
class Typed:
    """What a typed line does with the chat's stored choices: ``picked``, the choice it picks (as a
    press); ``text``, the line to handle in its place ("4 80" of a digest: its task's one-line report,
    with ``picked`` its item); ``notice``, an answer given at once instead of handling the line."""

    picked: str | None = None
    text: str | None = None
    notice: str | None = None


_NUMBER_FIRST = re.compile(r"([0-9]{1,3})\s+(\S.*)", re.DOTALL)
_BARE_KEY = re.compile(r"[0-9]{1,3}[a-z]?", re.ASCII)


def typed_choice(engine: Engine, key: str, chat_id: str, text: str, *, user_id: str, now: datetime) -> str | None:
    """The stored choice that ``text``, typed by ``user_id``, picks in ``chat_id``, if any (see
    :func:`read_typed`)."""
    return read_typed(engine, key, chat_id, text, user_id=user_id, now=now).picked


def read_typed(engine: Engine, key: str, chat_id: str, text: str, *, user_id: str, now: datetime) -> Typed:
    """What ``text``, typed by ``user_id`` in ``chat_id``, does with the stored choices. Nothing while a
    conversation of theirs is under way (its own numbers come first: at the report's status step a
    typed ``2`` is its second status, never the digest's second task) — also one left idle past its
    30 minutes: what is typed then answers its question, and the reply that closes it says what to
    type to save it (``60`` typed an hour after a report's percent question). Otherwise:

    - a number (and letter), or a label only one choice has, picks that choice — unless a list of the
      conversation's own was shown since (/tasks, then /history): then the answer says whose numbers
      they are and shows them, and the next number picks;
    - a digest's column label alone ("nhắc lại sau") picks it for the one item not answered yet, and
      asks which item when several are;
    - a digest's item number then more ("4 80", "4 xong"): that task's one-line report;
    - a number the stored message does not have (another message's, since replaced): the answer says
      which message's numbers are current, and shows them."""
    with session_scope(engine) as session:
        row = session.exec(
            select(ChatChoices).where(ChatChoices.channel == key, ChatChoices.chat_id == chat_id)
        ).first()
        if row is None or _conversation_open(session, key, chat_id, user_id, now, idle_too=True):
            return Typed()
        stored = dict(row.choices)
        typed = _typed_of(stored)
        compact = typed_keys(text)[0] if typed_keys(text) else ""
        found = next((data for form in typed_keys(text) if isinstance(data := typed.get(form), str)), None)
        number_first = _NUMBER_FIRST.fullmatch(text.strip())
        item_key = number_first.group(1) if number_first else None
        digest_item = stored.get("reminder") and item_key is not None and isinstance(typed.get(item_key), str)
        numbered = found is not None and (_BARE_KEY.fullmatch(compact) is not None or number_first is not None)
        with use_language(_language_of(session, key, chat_id)):
            if stored.get("shadowed") and (numbered or digest_item):
                row.choices = {**stored, "shadowed": False}
                session.add(row)
                return Typed(notice=_shadowed_text(stored, row.updated_at, compact))
            if found is not None:
                return Typed(picked=found)
            if digest_item and number_first is not None and item_key is not None:
                code = _task_code(session, str(typed[item_key]))
                if code is not None:
                    return Typed(picked=str(typed[item_key]), text=f"{code} {number_first.group(2)}")
            column = _legend_column(stored, match_key(text))
            if column is not None:
                left = _left(stored)
                if len(left) == 1 and len(left[0]["data"]) > column:
                    return Typed(picked=str(left[0]["data"][column]))
                return Typed(notice=_which_item_text(stored, left, column, row.updated_at))
            if _BARE_KEY.fullmatch(compact) or (number_first is not None and stored.get("reminder")):
                return Typed(notice=_not_current_text(stored, row.updated_at, compact, item_key))
        return Typed()


def _task_code(session: Session, data: str) -> str | None:
    """The task code of a digest's report choice (``R<id>:r``)."""
    parsed = parse_button(data)
    if parsed is None or parsed[1] != "r":
        return None
    reminder = session.get(Reminder, parsed[0])
    assignment = session.get(Assignment, reminder.assignment_id) if reminder is not None else None
    task = session.get(Task, assignment.task_id) if assignment is not None else None
    return task.code if task is not None else None


def _legend_column(stored: Mapping[str, Any], key: str) -> int | None:
    """The grid column (1 for "b" …) whose label ``key`` is, typed alone."""
    for letter, label in stored.get("legend", []):
        if key and match_key(str(label)) == key and str(letter) in _LETTERS:
            return _LETTERS.index(str(letter))
    return None


def _left(stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stored message's items not answered yet."""
    items = stored.get("items")
    if not isinstance(items, list):
        return []
    answered = set(stored.get("answered", []))
    return [item for i, item in enumerate(items) if i not in answered and item.get("shown")]


def _current_lines(stored: Mapping[str, Any]) -> list[str]:
    """The stored message's numbers still waiting for an answer (all of them once all were answered)."""
    items = stored.get("items")
    left = _left(stored) or ([item for item in items if item.get("shown")] if isinstance(items, list) else [])
    if not left:
        return []
    return _recall_text(dict(stored), left).split("\n")[1:]


def _shadowed_text(stored: Mapping[str, Any], updated_at: datetime, typed: str) -> str:
    lines = [
        _(
            "The list you opened last is closed, so {typed} would be a number of {message}. Nothing was done: "
            "to answer it, type the number again."
        ).format(typed=esc(typed), message=_message_name(stored, updated_at)),
        *_current_lines(stored),
    ]
    return "\n".join(lines)


def _which_item_text(stored: Mapping[str, Any], left: list[dict[str, Any]], column: int, updated_at: datetime) -> str:
    letter = _LETTERS[column]
    example = f"{left[0]['shown'][0][0]}{letter}" if left and left[0].get("shown") else f"1{letter}"
    lines = [
        _("Which item of {message}? Type its number with {letter}, for example {example}.").format(
            message=_message_name(stored, updated_at), letter=letter, example=example
        ),
        *_current_lines(stored),
    ]
    return "\n".join(lines)


def _not_current_text(stored: Mapping[str, Any], updated_at: datetime, typed: str, number: str | None) -> str:
    shown = esc(number or typed)
    previous = stored.get("previous")
    head = _("The numbers that work now are those of {message}; it has no {typed}.").format(
        message=_message_name(stored, updated_at), typed=shown
    )
    if isinstance(previous, Mapping) and (number or typed) in previous.get("keys", []):
        head = _("{typed} was a number of {earlier}; the numbers that work now are those of {message}.").format(
            typed=shown, earlier=_message_name(previous, updated_at), message=_message_name(stored, updated_at)
        )
        if previous.get("kind") == "reminder":
            head += " " + _("For the reminder's tasks, type /report CODE or /tasks.")
    return "\n".join([head, *_current_lines(stored)])


def recall(engine: Engine, key: str, chat_id: str, user_id: str, picked: str | None, now: datetime) -> str | None:
    """After a message of ``user_id`` was handled (``picked``: the stored choice it picked, if it did):
    the item of ``picked`` is answered, and the stored choices are held while the conversation it
    opened is under way; once no conversation is (the report recorded or cancelled, a snooze done at
    once), the lines that recall the items not answered yet, in the reader's language — None when
    there is nothing to recall."""
    with session_scope(engine) as session:
        row = session.exec(
            select(ChatChoices).where(ChatChoices.channel == key, ChatChoices.chat_id == chat_id)
        ).first()
        if row is None or not isinstance(row.choices.get("items"), list):
            return None
        stored = dict(row.choices)
        items: list[dict[str, Any]] = stored["items"]
        answered = [index for index in stored.get("answered", []) if isinstance(index, int)]
        held = bool(stored.get("held"))
        if picked is not None:
            answered += [i for i, item in enumerate(items) if picked in item.get("data", ()) and i not in answered]
            held = True
        text = None
        shadowed = bool(stored.get("shadowed"))
        if held and not _conversation_open(session, key, chat_id, user_id, now):
            held = False
            left = [item for i, item in enumerate(items) if i not in answered and item.get("shown")]
            if left:
                with use_language(_language_of(session, key, chat_id)):
                    text = _recall_text(stored, left)
                shadowed = False  # shown again: its numbers are the ones on screen
        if (answered, held, shadowed) != (stored.get("answered"), stored.get("held"), bool(stored.get("shadowed"))):
            stored["answered"], stored["held"], stored["shadowed"] = answered, held, shadowed
            row.choices = stored  # a new dict: the JSON column is written again
            session.add(row)
        return text


def _recall_text(stored: dict[str, Any], left: list[dict[str, Any]]) -> str:
    """The items of a stored message not answered yet, with their numbers, and how to pick one."""
    count = len(left)
    if stored.get("reminder"):
        head = ngettext(
            "The reminder still has {n} item waiting for your answer:",
            "The reminder still has {n} items waiting for your answer:",
            count,
        )
    else:
        head = ngettext(
            "The list sent earlier still has {n} item waiting for your answer:",
            "The list sent earlier still has {n} items waiting for your answer:",
            count,
        )
    entries = [f"{number}. {esc(label)}" for item in left for number, label in item["shown"]]
    legend = [(str(letter), str(label)) for letter, label in stored.get("legend", [])]
    lines = [head.format(n=count)]
    if legend:  # a grid: the rows' numbers a few to a line, then what each letter adds
        lines += ["   ".join(entries[i : i + _GRID_PER_LINE]) for i in range(0, len(entries), _GRID_PER_LINE)]
        number = str(left[0]["shown"][0][0])
        lines += [
            _("Add {letter} to the number (e.g. {example}): {label}").format(
                letter=letter, example=f"{number}{letter}", label=esc(label)
            )
            for letter, label in legend
        ]
        lines.append(_("Type the number (and letter) of your choice."))
    else:
        lines += entries
        lines.append(_("Type the number or the name of your choice."))
    return "\n".join(lines)


def _is_known(engine: Engine, key: str, user_id: str) -> bool:
    with session_scope(engine) as session:
        return (
            session.exec(
                select(ChannelAccount.id).where(ChannelAccount.channel == key, ChannelAccount.external_id == user_id)
            ).first()
            is not None
        )


def store_file(
    engine: Engine, key: str, chat_id: str, data: bytes, now: datetime, mime_type: str = "image/jpeg"
) -> str:
    """Keep ``data`` in the store; returns the file id the handlers record (``stored:<id>``)."""
    with session_scope(engine) as session:
        stored = StoredFile(
            channel=key,
            chat_id=chat_id,
            kind="photo",
            mime_type=mime_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_at=now,
        )
        session.add(stored)
        session.flush()
        return f"{STORED_PREFIX}{stored.id}"


def stored_file(engine: Engine, file_id: str) -> StoredFile | None:
    """The stored file behind a ``stored:<id>`` file id."""
    number = file_id.removeprefix(STORED_PREFIX)
    if not file_id.startswith(STORED_PREFIX) or not number.isdigit():
        return None
    with session_scope(engine) as session:
        found = session.get(StoredFile, int(number))
        if found is not None:
            session.expunge(found)
        return found


def mark_unreachable(engine: Engine, key: str, chat_id: str) -> None:
    """The person behind ``chat_id`` on ``key`` cannot be written to: reminders stop until they come back."""
    with session_scope(engine) as session:
        for account in session.exec(
            select(ChannelAccount).where(ChannelAccount.channel == key, ChannelAccount.chat_id == chat_id)
        ):
            person = session.get(Person, account.person_id)
            if person is not None and not person.unreachable:
                person.unreachable = True
                session.add(person)


# ---------------------------------------------------------------------- out


class ZaloOutbox:
    """Sends replies to Zalo chats as plain text, remembering each chat's typed choices. One message
    at a time: the reminder job has several digests on their way at once (what Telegram's limiter
    paces), but Zalo publishes no rate for its bots and answers 429 for a spent month (held until
    the next), and a free-plan bot reaches 50 people at most — a few seconds, one by one."""

    def __init__(self, client: ZaloClient, engine: Engine, key: str, clock: Clock) -> None:
        self.client, self.engine, self.key, self.clock = client, engine, key, clock
        self._one_at_a_time = asyncio.Lock()

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send one reply; returns the message id of its last part. Raises the channel-neutral
        exceptions (:class:`Unreachable`, :class:`QuotaSpent` …)."""
        if not reply.text.strip() and reply.file is None and not reply.choices:
            return None  # a button's toast, or taking buttons off: nothing Zalo shows
        typed = choice_lines(reply.choices)[1]  # which keys, whatever the language
        language = await asyncio.to_thread(
            remember_choices, self.engine, self.key, chat_id, typed, self.clock.now(), reply.choices
        )
        with use_language(language):
            rendered = render(reply)
        message_id, sent = None, 0
        try:
            async with self._one_at_a_time:
                for part in rendered.parts:
                    message_id = await self.client.send_message(chat_id, part)
                    sent += 1
        finally:  # every message Zalo took counts against the bot's month (the message budget)
            if sent:
                await asyncio.to_thread(count_messages, self.engine, self.key, "out", self.clock.now(), sent)
        return message_id


def zalo_sender(client: ZaloClient, engine: Engine, clock: Clock, key: str = CHANNEL) -> Send:
    """The reminder job's sender for one Zalo bot: the same messages as replies, the choices of a
    digest remembered so typing their numbers works."""
    return ZaloOutbox(client, engine, key, clock).send


# ---------------------------------------------------------------------- the channel


class ZaloChannel:
    """One Zalo bot wired to a :class:`Dispatcher`; ``senders`` are the channels' senders (for replies
    addressed to a chat on another channel)."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        client: ZaloClient,
        key: str = CHANNEL,
        senders: Mapping[str, Send] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.client = client
        self.key = key
        self.senders: Mapping[str, Send] = senders if senders is not None else {}
        self.outbox = ZaloOutbox(client, dispatcher.engine, key, dispatcher.clock)

    @property
    def engine(self) -> Engine:
        return self.dispatcher.engine

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """This bot's sender (:data:`~dondoc.handlers.events.Send`)."""
        return await self.outbox.send(chat_id, reply)

    async def process_update(self, update: Mapping[str, Any]) -> None:
        """Handle one bare update completely: never raises (errors are logged)."""
        try:
            await self._process(update)
        except Exception as exc:
            if not unavailable(exc):
                log.exception("%s: an update could not be handled", self.key)
                return
            # The database is away: the person is told so (without it: no stored language, no choices).
            log.warning("%s: the database is unavailable: %s", self.key, str(exc).split("\n", 1)[0])
            await self.tell_busy(update)

    async def tell_busy(self, update: Mapping[str, Any]) -> None:
        """Tell the person who wrote ``update`` (in a private chat) that the system is busy and that what they
        sent was not saved: without the database (no stored language, no choices); never raises."""
        message = update.get("message")
        if not isinstance(message, Mapping):
            return
        sender, chat = message.get("from"), message.get("chat")
        if not isinstance(sender, Mapping) or sender.get("is_bot") is True:
            return
        user_id = str(sender.get("id", ""))
        chat_id = str((chat.get("id", "") if isinstance(chat, Mapping) else "") or user_id)
        chat_type = str(chat.get("chat_type", "")).upper() if isinstance(chat, Mapping) else ""
        if not chat_id or not (chat_type == "PRIVATE" or (not chat_type and chat_id == user_id)):
            return
        try:
            await self.client.send_message(chat_id, busy_reply(None).text)
        except Exception as exc:  # Zalo away too: nothing more to do
            log.warning("%s: could not tell %s the system is busy: %s", self.key, chat_id, exc)

    async def _process(self, update: Mapping[str, Any]) -> None:
        event = str(update.get("event_name", ""))
        message = update.get("message")
        if not isinstance(message, Mapping):
            log.info("%s: update without a message ignored (%s)", self.key, event)
            return
        # Every message Zalo delivered counts against the bot's month, read or not (the message budget).
        await asyncio.to_thread(count_messages, self.engine, self.key, "in", self.dispatcher.clock.now())
        sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
        assert isinstance(sender, Mapping) and isinstance(chat, Mapping)
        if sender.get("is_bot") is True:
            return
        user_id = str(sender.get("id", ""))
        chat_id = str(chat.get("id", "") or user_id)
        if not user_id or not chat_id:
            log.info("%s: update without sender or chat ignored (%s)", self.key, event)
            return
        chat_type = str(chat.get("chat_type", "")).upper()
        private = chat_type == "PRIVATE" or (not chat_type and chat_id == user_id)
        inbound = Inbound(
            channel=self.key,
            chat_id=chat_id,
            user_id=user_id,
            text=str(message.get("text") or message.get("caption") or ""),
            display_name=str(sender.get("display_name", "")),
            private=private,
        )
        if event in _UNREADABLE:
            if private:
                await self._explain(inbound, _UNREADABLE[event])
            return
        if event == _IMAGE:
            url = message.get("photo_url") or message.get("photo")
            image = await self._image(inbound, str(url)) if isinstance(url, str) and url else inbound
            if image is None:
                return
            inbound = image
        elif event != _TEXT:
            log.info("%s: event %s ignored", self.key, event)
            return
        replies = await asyncio.to_thread(self._handle, inbound)
        await self.deliver(chat_id, replies)

    def _handle(self, inbound: Inbound) -> list[Reply]:
        text = inbound.text.strip()
        picked = None
        if inbound.private and text and not inbound.attachments and not text.startswith("/"):
            read = read_typed(
                self.engine, self.key, inbound.chat_id, text, user_id=inbound.user_id, now=self.dispatcher.clock.now()
            )
            if read.notice is not None:
                return [Reply(text=read.notice)]
            picked = read.picked
            if read.text is not None:
                inbound = replace(inbound, text=read.text)
            elif picked is not None:
                inbound = replace(inbound, text="", choice=picked)
        replies = self.dispatcher.handle(inbound)
        if inbound.private and not any(isinstance(reply, Busy) for reply in replies):
            replies = self._recalled(inbound, picked, replies)
        return replies

    def _recalled(self, inbound: Inbound, picked: str | None, replies: list[Reply]) -> list[Reply]:
        """``replies``, the last one to this chat ending with the items of the stored choices not
        answered yet when a conversation they led to (or that held them back) has just ended."""
        mine = [index for index, reply in enumerate(replies) if reply.to is None and not reply.drop_keyboard]
        if any(not is_conversation_choice(c) for i in mine for row in replies[i].choices for c in row):
            return replies  # this answer offers choices of its own: they take the stored ones' place
        try:
            text = recall(self.engine, self.key, inbound.chat_id, inbound.user_id, picked, self.dispatcher.clock.now())
        except Exception as exc:  # the answer goes out all the same
            if not unavailable(exc):
                log.exception("%s: could not recall the stored choices of %s", self.key, inbound.chat_id)
            return replies
        if text is None:
            return replies
        replies = list(replies)
        last = next((i for i in reversed(mine) if replies[i].text.strip() or replies[i].file is not None), None)
        if last is None:
            replies.append(Reply(text=text))
        else:
            replies[last] = replace(replies[last], text=f"{replies[last].text.rstrip()}\n\n{text}")
        return replies

    async def _image(self, inbound: Inbound, url: str) -> Inbound | None:
        """The photo downloaded at once and stored, as an attachment; None when it could not be."""
        if not inbound.private or not await asyncio.to_thread(_is_known, self.engine, self.key, inbound.user_id):
            return inbound  # a stranger's or a group's photo: only its caption counts
        try:
            data = await self.client.download(url, IMAGE_LIMIT)
        except (Rejected, TemporaryFailure) as exc:
            log.info("%s: a photo from %s could not be taken: %s", self.key, inbound.chat_id, exc)
            too_big = isinstance(exc, Rejected)
            await self._say(inbound.chat_id, "too_big" if too_big else "failed")
            return None
        file_id = await asyncio.to_thread(
            store_file, self.engine, self.key, inbound.chat_id, data, self.dispatcher.clock.now()
        )
        return replace(inbound, attachments=(Attachment(kind="photo", file_id=file_id, mime_type="image/jpeg"),))

    async def _say(self, chat_id: str, what: str) -> None:
        language = await asyncio.to_thread(language_of, self.engine, self.key, chat_id)
        with use_language(language):
            if what == "too_big":
                text = _("That photo is larger than {size} MB, so I could not keep it. Please send a smaller one.")
                text = text.format(size=IMAGE_LIMIT // (1024 * 1024))
            else:
                text = _("I could not download that photo. Please send it again.")
        await self.deliver(chat_id, [Reply(text=text)])

    async def _explain(self, inbound: Inbound, what: str) -> None:
        language = await asyncio.to_thread(language_of, self.engine, self.key, inbound.chat_id)
        with use_language(language):
            text = _(
                "I cannot read {what}. Please type your message; a photo can be sent as evidence for a report. "
                "Type /help to see what you can do."
            ).format(what=_(what))
        await self.deliver(inbound.chat_id, [Reply(text=text)])

    async def deliver(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send ``replies`` (to ``chat_id`` unless addressed elsewhere); one failed reply never keeps
        the others from going out."""
        for reply in replies:
            if reply.drop_keyboard:
                continue  # no buttons on Zalo
            target = chat_id
            if reply.to is not None:
                if reply.to.channel != self.key:
                    await deliver_elsewhere(self.senders, reply)
                    continue
                target = reply.to.chat_id
            try:
                await self.send(target, reply)
            except Unreachable:
                log.info("%s: chat %s cannot be written to; marked unreachable", self.key, target)
                await asyncio.to_thread(mark_unreachable, self.engine, self.key, target)
            except (Rejected, TemporaryFailure, RetryLater) as exc:
                log.warning("%s: a reply to %s was not delivered: %s", self.key, target, exc)
