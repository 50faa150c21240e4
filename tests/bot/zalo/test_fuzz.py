"""Random updates through the Zalo adapter: the real client polling the fake Zalo server, which refuses
(and records) any request Zalo does not define: an unknown field, a text over 2,000 characters.

Strangers and bound people type anything, type numbers and labels of choices (Zalo has no buttons),
send stickers, photos, voice and unsupported messages, and write from a group. After each update:
no update that could not be handled, a bounded number of messages sent, none over 2,000 characters,
no typed markup lost (Zalo shows plain text: a typed ``<b>`` must arrive as typed), and nothing
written for a stranger.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import example, given, settings
from sqlalchemy.engine import Engine

from dondoc.bot.zalo.client import TEXT_LIMIT, text_length
from dondoc.bot.zalo.fake import ZaloUser
from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.bot.zalo.conftest import Zalo, running_zalo
from tests.conftest import sqlite_only
from tests.fuzzing import EVERY_KIND, MAX_REPLIES, OPEN, Act, bound, row_counts, scenarios

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
PEOPLE: list[tuple[str, str | None, MemberRole]] = [
    ("Người lạ", None, MemberRole.FOCAL),
    ("<b>Kẻ\u202e lạ</b>", None, MemberRole.FOCAL),
    ("Trần Thị Lan", "XP", MemberRole.FOCAL),
    ("Nguyễn Hùng <i>", "NV", MemberRole.MANAGER),
    ("Quản trị", "NV", MemberRole.ADMIN),
]
STRANGERS = 2
FreshSample = Callable[[], AbstractContextManager[Engine]]
# A typed tag that lost its "<…>" on the way: the sentinel right after it shows without it.
_LOST_TAG = re.compile(rf"(?<![>]){OPEN}")


async def perform(zalo: Zalo, users: list[ZaloUser], act: Act) -> None:
    user = users[act.who]
    if act.kind in ("text", "edit", "forged"):  # Zalo has no edits and no buttons: all of it is typed
        await (user.send_text(act.text) if act.text else user.send_sticker())
    elif act.kind == "press":  # a choice picked by typing its number
        await user.send_text(str(act.pick % 12 + 1))
    elif act.kind == "group":
        member = zalo.server.user(user.display_name, user_id=user.id, group_id="g-4242")
        await member.send_text(act.text or "/report")
    elif act.kind == "sticker":
        await user.send_sticker()
    elif act.kind == "photo":
        await user.send_image(caption=act.text)
    else:  # a document: the Zalo Bot API delivers it as a message it does not support, or a voice message
        await (user.send_unsupported() if act.file_name else user.send_voice())


def check_sent(texts: list[str], typed: str) -> None:
    for text in texts:
        assert 0 < text_length(text) <= TEXT_LIMIT
        if OPEN in typed:
            assert _LOST_TAG.search(text) is None, f"typed markup lost its tag: {text[:300]!r}"


async def run(engine: Engine, acts: list[Act], caplog: pytest.LogCaptureFixture) -> None:
    async with running_zalo(engine, Clock(NOW, frozen=True)) as zalo:
        users = []
        for name, unit, role in PEOPLE:
            users.append(zalo.server.user(name) if unit is None else await zalo.bound(unit, role, name))
        steps = [step for first in acts for step in (first, *(replace(first, pick=p, walk=()) for p in first.walk))]
        for act in steps:
            stranger = not bound(engine, "zalo", users[act.who].id)
            before = row_counts(engine) if stranger else None
            sent, logged = len(zalo.server.sent), len(caplog.records)
            await perform(zalo, users, act)
            await zalo.server.settled()
            failures = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
            assert failures == [], f"{act}: {[r.getMessage() for r in failures]}"
            zalo.server.assert_no_violations()
            new = zalo.server.sent[sent:]
            assert len(new) <= MAX_REPLIES, f"{len(new)} messages sent for {act}"
            check_sent([m.text or m.caption for m in new], act.text)
            if before is not None:
                assert row_counts(engine) == before, f"a stranger's {act} wrote to the store"


@pytest.mark.slow  # (3 s: the handlers' own fuzz test stays in the fast suite)
@settings(max_examples=8)
@example(acts=EVERY_KIND)
@given(acts=scenarios(len(PEOPLE), STRANGERS, max_acts=8))
async def test_random_updates_through_zalo(
    fresh_sample: FreshSample, caplog: pytest.LogCaptureFixture, acts: list[Act]
) -> None:
    with fresh_sample() as engine:
        await run(engine, acts, caplog)


@pytest.mark.slow
@sqlite_only
@settings(max_examples=150)
@given(acts=scenarios(len(PEOPLE), STRANGERS, max_acts=20))
async def test_many_random_updates_through_zalo(
    fresh_sample: FreshSample, caplog: pytest.LogCaptureFixture, acts: list[Act]
) -> None:
    with fresh_sample() as engine:
        await run(engine, acts, caplog)
