"""Random updates through the real Telegram stack: python-telegram-bot against the local Bot API, which
checks every request against the Bot API spec (texts of 1-4,096 characters, callback data of 1-64
bytes, valid HTML …) and fails the test on any violation or handler error.

Strangers and bound people type anything (up to 10,000 characters, control characters, RTL marks,
NUL, emoji, commands, codes, one-line reports), edit what they sent, send stickers, photos and files,
press buttons of their own keyboards, old ones and other people's, and forge callback data; a group
writes too. After each update: no handler error, a bounded number of messages sent, at most 100
buttons a message, no typed markup turned into markup, and nothing written for a stranger.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from sqlalchemy.engine import Engine

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser, detect_entities
from dondoc.bot.telegram import TelegramChannel
from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import TZ
from tests.conftest import sqlite_only
from tests.fuzzing import EVERY_KIND, MAX_REPLIES, TELEGRAM_BUTTONS, Act, bound, check_escaped, row_counts, scenarios
from tests.handlers.helpers import invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
HANG_GUARD = 120.0  # only stops a hung test: every wait awaits the server's events
GROUP = {"id": -1001234567, "type": "supergroup", "title": "Tổ công tác <b>"}
# (first name, unit, role); the first STRANGERS are bound to nothing.
PEOPLE: list[tuple[str, str | None, MemberRole]] = [
    ("Người lạ", None, MemberRole.FOCAL),
    ("<b>Kẻ\u202e lạ</b>", None, MemberRole.FOCAL),
    ("Lan", "XP", MemberRole.FOCAL),
    ("Hùng <i>", "NV", MemberRole.MANAGER),
    ("Quản trị", "NV", MemberRole.ADMIN),
]
STRANGERS = 2
FreshSample = Callable[[], AbstractContextManager[Engine]]


@dataclass
class Session:
    api: LocalBotApi
    engine: Engine
    users: list[SimulatedUser]
    buttons: list[str] = field(default_factory=list)
    sends: int = 0  # requests checked so far
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def _message(user: SimulatedUser, **content: Any) -> dict[str, Any]:
    return {"message_id": 900_000 + user.user_id % 1000, "from": user.user, "chat": user.chat, "date": 1, **content}


async def perform(session: Session, act: Act) -> None:
    user = session.users[act.who]
    world = session.api.world
    if act.kind == "text":
        await user.send(act.text) if act.text else world.updates.push("message", _message(user, sticker=_sticker()))
    elif act.kind == "edit":
        # An edited message: Telegram sends the new text as an edited_message update.
        payload = _message(user, text=act.text or ".", entities=detect_entities(act.text or "."), edit_date=2)
        world.updates.push("edited_message", {k: v for k, v in payload.items() if v != []})
    elif act.kind == "group":
        payload = {**_message(user, text=act.text or "/report"), "chat": GROUP}
        entities = detect_entities(act.text or "/report")
        world.updates.push("message", {**payload, **({"entities": entities} if entities else {})})
    elif act.kind == "sticker":
        world.updates.push("message", _message(user, sticker=_sticker()))
    elif act.kind == "photo":
        await user.send_photo(caption=act.text or None)
    elif act.kind == "document":
        await user.send_document(act.file_name or "tep", act.mime_type or None, b"%PDF-1.4\n", caption=act.text or None)
    else:
        await press(session, user, act)


async def press(session: Session, user: SimulatedUser, act: Act) -> None:
    shown = [m for m in user.messages if not m.deleted and m.buttons]
    if act.kind == "press" and act.own and shown:
        message = shown[-1]
        data = str(message.buttons[act.pick % len(message.buttons)]["callback_data"])
        await user.press(message, data)
        return
    data = (
        act.text
        if act.kind == "forged"
        else (session.buttons[act.pick % len(session.buttons)] if session.buttons else "1:1")
    )
    visible = [m for m in user.messages if not m.deleted]
    if not visible:  # a press needs a message of the bot's in this chat: ask for one first
        await user.send("/start")
        await session.api.wait_idle(HANG_GUARD, settle=0)
        visible = [m for m in user.messages if not m.deleted]
    await user.press(visible[-1], data, forge=True)


def _sticker() -> dict[str, Any]:
    return {
        "file_id": "CAACAgIAAxkBAAE",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }


def check_requests(session: Session) -> int:
    """What the bot sent since the last call keeps Telegram's limits; returns how many messages."""
    requests = session.api.requests[session.sends :]
    session.sends = len(session.api.requests)
    sent = 0
    for request in requests:
        if not request.method.startswith("send"):
            continue
        sent += 1
        text = str(request.params.get("text") or request.params.get("caption") or "")
        check_escaped(text)
        markup = request.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        buttons = [button for row in rows for button in row]
        assert len(buttons) <= TELEGRAM_BUTTONS
        session.buttons.extend(str(button["callback_data"]) for button in buttons if "callback_data" in button)
    return sent


async def run(engine: Engine, acts: list[Act]) -> None:
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        channel = TelegramChannel(make_dispatcher(engine, NOW))
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            api.world.add_chat(GROUP)
            users = []
            for name, unit, role in PEOPLE:
                user = api.user(first_name=name)
                if unit is not None:
                    await user.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
                    assert "Kính chào" in ((await user.next_message(HANG_GUARD)).text or "")
                users.append(user)
            session = Session(api, engine, users)
            check_requests(session)
            steps = [step for first in acts for step in (first, *(replace(first, pick=p, walk=()) for p in first.walk))]
            for act in steps:
                stranger = not bound(engine, "telegram", str(users[act.who].user_id))
                before = row_counts(engine) if stranger else None
                await perform(session, act)
                await api.wait_idle(HANG_GUARD, settle=0)
                assert api.handler_errors == [], f"{act}: {api.handler_errors}"
                assert api.violations == [], f"{act}: {[str(v) for v in api.violations]}"
                sent = check_requests(session)
                assert sent <= MAX_REPLIES, f"{sent} messages sent for {act}"
                if before is not None:
                    assert row_counts(engine) == before, f"a stranger's {act} wrote to the store"
            refused = [e for e in api.errors if e.method.startswith("send")]
            assert refused == [], refused


@pytest.mark.slow  # (3 s: the handlers' own fuzz test stays in the fast suite)
@settings(max_examples=8)
@example(acts=EVERY_KIND)
@given(acts=scenarios(len(PEOPLE), STRANGERS, max_acts=8))
async def test_random_updates_through_telegram(fresh_sample: FreshSample, acts: list[Act]) -> None:
    with fresh_sample() as engine:
        await run(engine, acts)


@pytest.mark.slow
@sqlite_only
@settings(max_examples=150)
@given(acts=scenarios(len(PEOPLE), STRANGERS, max_acts=20))
async def test_many_random_updates_through_telegram(fresh_sample: FreshSample, acts: list[Act]) -> None:
    with fresh_sample() as engine:
        await run(engine, acts)
