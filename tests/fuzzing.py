"""What the property-based tests throw at the bot, and what every answer must satisfy (issue 12, "Bad
input and abuse"): the strategies of random things people send, the limits of each channel, and the
row counts that must not move when someone who is not bound to a unit writes.

The tests that use them are ``tests/handlers/test_fuzz.py`` (the dispatcher directly),
``tests/bot/test_fuzz_telegram.py`` (PTB and the local Bot API) and ``tests/bot/zalo/test_fuzz.py``
(the Zalo adapter and the fake Zalo server). The hypothesis profile (``tests/conftest.py``) keeps the
default run small and repeatable; the ``slow`` tests run many more examples.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sqlmodel
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col

from dondoc.bot.local_api.markup import parse_text
from dondoc.bot.telegram import MESSAGE_LIMIT, split_message
from dondoc.bot.zalo.channel import render
from dondoc.bot.zalo.client import TEXT_LIMIT as ZALO_LIMIT
from dondoc.bot.zalo.client import text_length
from dondoc.db.models import ChannelAccount, Membership, Unit
from dondoc.handlers.events import Reply

TELEGRAM_BUTTONS = 100  # inline buttons in one message
CALLBACK_BYTES = 64  # a button's callback data
# The most messages one thing a person does may cause (replies, parts of a long reply, alerts to the
# unit's managers): anything more is a loop or a flood.
MAX_REPLIES = 8

# Tables a stranger may add rows to: the wrong invite codes they send (counted to slow guessing down)
# and the message meter (every message in and out counts against the month's budget).
STRANGER_TABLES = frozenset({"inviteattempt", "invitelock", "messagecount"})

# ---------------------------------------------------------------------- what people type

# A typed tag is wrapped in these: ``<b>⟦`` … ``⟧</b>``. The bot never writes them itself, so a reply
# where one touches a tag means typed markup became markup.
OPEN, CLOSE = "⟦", "⟧"
_MARKUP = [
    f"<b>{OPEN}x{CLOSE}</b>",
    f"<i>{OPEN}{CLOSE}</i>",
    f"<code>{OPEN}",
    f"{CLOSE}</pre>",
    f'<a href="https://example.com">{OPEN}x{CLOSE}</a>',
    f"<u>{OPEN}",
    f"<tg-spoiler>{OPEN}x{CLOSE}</tg-spoiler>",
    f"<b{OPEN}",
    "&amp;",
    "&lt;b&gt;",
    "&#0;",
    "<",
    ">",
    "&",
    '"',
    "'",
]
_SPECIAL = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\r\n",
    "\r",
    "\t",
    "\x0b",
    "\x85",
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2028",  # line separator
    "\ufeff",  # byte order mark
    "\ufffd",
    "🙂",
    "👍🏽",
    "👨‍👩‍👧",
    "🇻🇳",
    "\U0001f4a9",
    "ể",
    "e\u0302\u0309",  # ể decomposed (NFD)
    "Đ",
    "מ",
    "مرحبا",
]
VIETNAMESE = [
    "xong",
    "hoàn thành",
    "hoan thanh",
    "Hoàn Thành",
    "đang thực hiện",
    "dang thuc hien",
    "vướng",
    "vướng mắc chờ ý kiến Sở Nội vụ",
    "vuong mac",
    "chưa",
    "chua thuc hien",
    "xác nhận",
    "xac nhan",
    "sửa",
    "hủy",
    "huy",
    "bỏ qua",
    "bo qua",
    "nhắc lại sau",
    "đã hoàn thành",
    "Xà Phiên",
    "xa phien",
    "Phòng Nội vụ",
    "Quyết định số 120/QĐ-UBND",
    "Kế hoạch số 15/KH-UBND",
    "tiếng Việt",
]
COMMANDS = [
    "start",
    "tasks",
    "report",
    "history",
    "status",
    "overdue",
    "task",
    "nonresponders",
    "export",
    "chart",
    "invite",
    "people",
    "whoami",
    "link",
    "lang",
    "cancel",
    "help",
    "START",
    "report@dondoc_test_bot",
    "report@other_bot",
    "stop",
    "admin",
    "",
    "/",
    "ℝeport",
    "rеport",  # a Cyrillic е
]
# What people mostly type: the commands as documented, and answers to the questions they are asked.
PLAIN_COMMANDS = [
    "/start",
    "/report",
    "/report I.2",
    "/report I.11",
    "/tasks",
    "/history I.2",
    "/status",
    "/status xa phien",
    "/status <b>",
    "/overdue",
    "/task I.2",
    "/nonresponders",
    "/export",
    "/chart",
    "/invite XP focal",
    "/invite xa phien manager",
    "/people",
    "/people XP",
    "/whoami",
    "/link",
    "/lang",
    "/lang en",
    "/cancel",
    "/help",
]
ANSWERS = [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "60",
    "25%",
    "Đang thực hiện",
    "Hoàn thành",
    "Vướng mắc",
    "Bỏ qua",
    "Xác nhận",
    "xac nhan",
    "Sửa",
    "Hủy",
    "hủy",
    "Trang sau",
    "28/01/2022",
    "hôm nay",
    "Xóa người",
    "Thu hồi lời mời",
]
TASK_CODES = [
    "I.1",
    "I.2",
    "I.10",
    "I.11",
    "VII.2",
    "II.3",
    "III.4",
    "IV.1",
    "X.99",
    "I",
    "1.2",
    "i.2",
    "I.2.3",
    "I,2",
    "Ⅰ.2",
]
DATES = ["28/01/2022", "31/02/2022", "1/1/100", "01/01/0001", "15/03/22", "2022-03-01", "99/99/9999", "32/13/2022"]
NUMBERS = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "25",
    "50",
    "60",
    "100",
    "101",
    "-1",
    "60%",
    "1e9",
    "99999999999999999999",
    "²",
    "١",
]


def _invite_shaped() -> st.SearchStrategy[str]:
    letters = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789abcdef01O", min_size=4, max_size=4)
    return st.builds(lambda a, b, dash: f"{a}{dash}{b}", letters, letters, st.sampled_from(["-", "", " - "]))


def _pieces() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(_SPECIAL),
        st.sampled_from(_MARKUP),
        st.sampled_from(VIETNAMESE),
        st.sampled_from(TASK_CODES),
        st.sampled_from(NUMBERS),
        st.sampled_from(DATES),
        _invite_shaped(),
        st.sampled_from([" ", "  ", "\n", ".", ",", "%", "/", "@", "#", ":", ";"]),
    )


def _joined(pieces: Sequence[str]) -> str:
    return "".join(pieces)


def _command() -> st.SearchStrategy[str]:
    args = st.lists(_pieces(), max_size=5).map(_joined)
    return st.builds(
        lambda name, sep, rest: f"/{name}{sep}{rest}",
        st.sampled_from(COMMANDS),
        st.sampled_from([" ", "", "  ", "\n"]),
        args,
    )


def _one_line_report() -> st.SearchStrategy[str]:
    words = st.lists(
        st.one_of(
            st.sampled_from(VIETNAMESE), st.sampled_from(NUMBERS), st.sampled_from(DATES), st.sampled_from(_MARKUP)
        ),
        max_size=4,
    )
    return st.builds(lambda code, rest: " ".join([code, *rest]), st.sampled_from(TASK_CODES), words)


def _long_text() -> st.SearchStrategy[str]:
    """Up to 10,000 characters: a short random run repeated (a long text drawn character by character
    would exhaust hypothesis's buffer)."""
    return st.builds(
        lambda unit, length: (unit * (length // len(unit) + 1))[:length],
        st.lists(_pieces(), min_size=1, max_size=4).map(_joined).filter(bool),
        st.integers(min_value=1000, max_value=10_000),
    )


def typed_texts() -> st.SearchStrategy[str]:
    """Anything a person may type."""
    return st.one_of(
        st.sampled_from(PLAIN_COMMANDS),
        st.sampled_from(ANSWERS),
        st.lists(_pieces(), max_size=8).map(_joined),
        st.text(max_size=60),
        _command(),
        _one_line_report(),
        _invite_shaped(),
        st.sampled_from(VIETNAMESE + NUMBERS + TASK_CODES),
        _long_text(),
    )


def forged_callback_data(max_bytes: int | None = None) -> st.SearchStrategy[str]:
    """Button data nobody was offered: random, or shaped like the bot's tokens."""
    shaped = st.one_of(
        st.builds(lambda v, k: f"{v}:{k}", st.integers(-5, 10**12), st.integers(-5, 10**5)),
        st.builds(lambda r, k: f"R{r}:{k}", st.integers(-5, 10**12), st.sampled_from(["r", "s", "d", "x", ""])),
        st.sampled_from(["", ":", "R:", "1:1:1", "R²:r", "²:1", " 1:1"]),
        st.text(max_size=40),
    )
    if max_bytes is None:
        return shaped
    return shaped.filter(lambda data: 0 < len(data.encode()) <= max_bytes)


# ---------------------------------------------------------------------- what people do


@dataclass(frozen=True)
class Act:
    """One thing a person does: type (or edit) a text, press a button, send a sticker, photo or file."""

    kind: Literal["text", "edit", "group", "press", "forged", "sticker", "photo", "document"]
    who: int  # an index into the test's people
    text: str = ""
    pick: int = 0  # which offered button (``press``), modulo the buttons there are
    own: bool = True  # press a button of the newest keyboard sent to this person, else any ever sent
    walk: tuple[int, ...] = ()  # then press these buttons of each next keyboard, one after the other
    file_name: str = ""
    mime_type: str = ""


def acts(people: int, strangers: int = 0) -> st.SearchStrategy[Act]:
    """One act of one of ``people`` (the first ``strangers`` of them are not bound): mostly the bound
    people answering what they were asked (so conversations get deep), and every kind of abuse."""
    anyone = st.integers(0, people - 1)
    who = st.one_of(anyone, st.integers(strangers, people - 1), st.integers(strangers, people - 1))
    answer = st.one_of(st.sampled_from(PLAIN_COMMANDS), st.sampled_from(ANSWERS))
    walk = st.lists(st.integers(0, 10_000), max_size=6).map(tuple)
    return st.one_of(
        st.builds(Act, kind=st.just("press"), who=who, pick=st.integers(0, 10_000), walk=walk),
        st.builds(Act, kind=st.just("press"), who=who, pick=st.integers(0, 10_000), walk=walk),
        st.builds(Act, kind=st.just("press"), who=who, pick=st.integers(0, 10_000)),
        st.builds(Act, kind=st.just("text"), who=who, text=answer),
        st.builds(Act, kind=st.just("text"), who=who, text=answer),
        st.builds(Act, kind=st.just("text"), who=anyone, text=typed_texts()),
        st.builds(Act, kind=st.just("text"), who=anyone, text=typed_texts()),
        st.builds(Act, kind=st.just("edit"), who=anyone, text=typed_texts()),
        st.builds(Act, kind=st.just("group"), who=anyone, text=typed_texts()),
        st.builds(Act, kind=st.just("press"), who=anyone, pick=st.integers(0, 10_000), own=st.just(False)),
        st.builds(Act, kind=st.just("forged"), who=anyone, text=forged_callback_data(CALLBACK_BYTES)),
        st.builds(Act, kind=st.just("sticker"), who=anyone),
        st.builds(Act, kind=st.just("photo"), who=anyone, text=st.one_of(st.just(""), typed_texts())),
        st.builds(
            Act,
            kind=st.just("document"),
            who=anyone,
            text=st.one_of(st.just(""), typed_texts()),
            file_name=st.one_of(
                st.sampled_from(["bao-cao.pdf", "a.exe", "", "<b>.pdf", "x" * 300]), st.text(max_size=40)
            ),
            mime_type=st.sampled_from(["application/pdf", "image/png", "text/html", "application/x-msdownload", ""]),
        ),
    )


def scenarios(people: int, strangers: int = 0, max_acts: int = 12) -> st.SearchStrategy[list[Act]]:
    return st.lists(acts(people, strangers), min_size=1, max_size=max_acts)


# ---------------------------------------------------------------------- what every answer satisfies

_TYPED_TAG = re.compile(rf"<[^<>]*>{OPEN}|{CLOSE}<|<b{OPEN}")


def check_escaped(html: str) -> None:
    """A typed tag never became markup: escaped, ``<b>⟦`` is ``&lt;b&gt;⟦``."""
    found = _TYPED_TAG.search(html)
    assert found is None, f"typed markup became markup: {found.group(0)!r} in {html[:300]!r}"


def check_telegram(reply: Reply) -> None:
    """What the Telegram adapter makes of ``reply`` is a message Telegram accepts."""
    check_escaped(reply.text)
    for part in split_message(reply.text):
        assert len(part) <= MESSAGE_LIMIT
        parse_text(part, "HTML")  # raises MarkupError where Telegram would refuse the message
    buttons = [choice for row in reply.choices for choice in row]
    assert len(buttons) <= TELEGRAM_BUTTONS, f"{len(buttons)} buttons"
    for choice in buttons:
        assert 0 < len(choice.data.encode()) <= CALLBACK_BYTES, choice.data
        assert choice.label.strip(), "a button without a label"
    if reply.toast is not None:
        assert len(reply.toast) <= 200


def check_zalo(reply: Reply) -> None:
    """What the Zalo adapter makes of ``reply`` fits Zalo's limit."""
    for part in render(reply).parts:
        assert 0 < text_length(part) <= ZALO_LIMIT, f"a Zalo message of {text_length(part)} characters"


def check_reply(reply: Reply) -> None:
    check_telegram(reply)
    check_zalo(reply)


# ---------------------------------------------------------------------- nothing written for strangers


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows of every table but those a stranger may legitimately add to."""
    counts = {}
    with Session(engine) as session:
        for name, table in SQLModel.metadata.tables.items():
            if name not in STRANGER_TABLES:
                counts[name] = session.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


def bound(engine: Engine, channel: str, user_id: str) -> bool:
    """Whether the person of ``user_id`` on ``channel`` holds a role in an active unit now."""
    with Session(engine) as session:
        query = (
            sqlmodel.select(Membership.id)
            .join(ChannelAccount, col(ChannelAccount.person_id) == Membership.person_id)
            .join(Unit, col(Unit.id) == Membership.unit_id)
            .where(ChannelAccount.channel == channel, ChannelAccount.external_id == user_id, col(Unit.active))
        )
        return session.exec(query).first() is not None


# Always tried first (hypothesis ``@example``), whatever else is drawn: every kind of act once, typed
# markup where the bot echoes what was typed.
EVERY_KIND = [
    Act("text", 0, f"/<b>{OPEN}x{CLOSE}</b>"),
    Act("text", 2, f"/<b>{OPEN}x{CLOSE}</b>"),
    Act("text", 2, f"I.2 <b>{OPEN}x{CLOSE}</b>"),
    Act("text", 2, "/report"),
    Act("press", 2, pick=0, walk=(1, 1, 0, 0, 0)),
    Act("edit", 3, f"/status <i>{OPEN}"),
    Act("group", 2, "/report I.2"),
    Act("press", 0, pick=3, own=False),
    Act("forged", 2, "R99999999999999999999:r"),
    Act("sticker", 1),
    Act("photo", 2, "\x00\u202e" + "🙂" * 50),
    Act("document", 3, "", file_name="<b>.pdf", mime_type="application/pdf"),
    Act("text", 1, "Đ\u202e" * 5000),
]
