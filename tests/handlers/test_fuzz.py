"""Random things people do, straight into :meth:`Dispatcher.handle` (the fast way to explore): strangers,
a focal point, a manager and an administrator type anything, press buttons from their own keyboards,
old ones and other people's, forge button data, send photos and files.

Whatever happens: nothing raises, one act gets a bounded number of replies, every reply is one the
Telegram and the Zalo adapters can send (sizes, buttons, callback data, valid HTML with everything
typed escaped), and nothing is written for someone who is not bound to a unit.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

import pytest
from hypothesis import example, given, settings
from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Attachment, Inbound, Reply
from dondoc.scheduler.clock import TZ
from tests.conftest import sqlite_only
from tests.fuzzing import EVERY_KIND, MAX_REPLIES, Act, bound, check_reply, row_counts, scenarios
from tests.handlers.helpers import invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
CHANNEL = "test"


@dataclass
class Person:
    user_id: str
    name: str
    unit: str | None = None  # None: a stranger
    role: MemberRole = MemberRole.FOCAL


PEOPLE = [
    Person("900", "Người lạ"),
    Person("901", "<b>Kẻ\u202e lạ</b>"),
    Person("100", "Trần Thị Lan", "XP"),
    Person("101", "Lê Văn Phó", "NV", MemberRole.DEPUTY),
    Person("200", "Nguyễn Hùng", "NV", MemberRole.MANAGER),
    Person("300", "Quản \x00trị", "NV", MemberRole.ADMIN),
]


STRANGERS = 2  # the first people in the list


@dataclass
class World:
    dispatcher: Dispatcher
    engine: Engine
    buttons: list[str] = field(default_factory=list)  # every button data offered so far, to anyone
    keyboards: dict[str, list[str]] = field(default_factory=dict)  # the newest keyboard sent to each chat
    files: int = 0


def inbound(world: World, act: Act) -> Inbound:
    person = PEOPLE[act.who]
    common = {
        "channel": CHANNEL,
        "chat_id": person.user_id,
        "user_id": person.user_id,
        "language_code": "vi",
        "display_name": person.name,
    }
    if act.kind in ("text", "edit"):
        return Inbound(text=act.text, **common)  # type: ignore[arg-type]
    if act.kind == "group":
        return Inbound(text=act.text, **{**common, "chat_id": "-100200300"}, private=False)  # type: ignore[arg-type]
    if act.kind == "press":
        offered = world.keyboards.get(person.user_id) if act.own else None
        offered = offered or world.buttons or ["1:1"]
        return Inbound(choice=offered[act.pick % len(offered)], **common)  # type: ignore[arg-type]
    if act.kind == "forged":
        return Inbound(choice=act.text, **common)  # type: ignore[arg-type]
    if act.kind == "sticker":
        return Inbound(text="", **common)  # type: ignore[arg-type]
    world.files += 1
    kind: Literal["photo", "document"] = "photo" if act.kind == "photo" else "document"
    attachment = Attachment(kind=kind, file_id=f"file-{world.files}", file_name=act.file_name, mime_type=act.mime_type)
    return Inbound(text=act.text, attachments=(attachment,), **common)  # type: ignore[arg-type]


def run(world: World, acts: list[Act]) -> None:
    steps = [step for first in acts for step in (first, *(replace(first, pick=p, walk=()) for p in first.walk))]
    for act in steps:
        if act.own and act.kind == "press" and not act.walk and not world.keyboards.get(PEOPLE[act.who].user_id):
            continue  # a walk goes on while there are buttons to press
        event = inbound(world, act)
        stranger = not bound(world.engine, CHANNEL, event.user_id)
        before = row_counts(world.engine) if stranger else None
        replies: list[Reply] = world.dispatcher.handle(event)
        assert len(replies) <= MAX_REPLIES, f"{len(replies)} replies to {act}"
        for reply in replies:
            check_reply(reply)
            offered = [choice.data for row in reply.choices for choice in row]
            world.buttons.extend(offered)
            if reply.text and event.private:
                world.keyboards[reply.to.chat_id if reply.to is not None else event.chat_id] = offered
        if before is not None:
            assert row_counts(world.engine) == before, f"a stranger's {act} wrote to the store"


def make_world(engine: Engine) -> World:
    """The sample store with everyone but the strangers bound by their invite codes."""
    dispatcher = make_dispatcher(engine, NOW)
    for person in PEOPLE:
        if person.unit is not None:
            code = invite_code(engine, person.unit, person.role, now=NOW)
            greeting = dispatcher.handle(
                Inbound(CHANNEL, person.user_id, person.user_id, text=f"/start {code}", display_name=person.name)
            )
            assert "Kính chào" in greeting[0].text
    return World(dispatcher, engine)


FreshSample = Callable[[], AbstractContextManager[Engine]]


@example(acts=EVERY_KIND)
@given(acts=scenarios(len(PEOPLE), STRANGERS))
def test_random_acts_never_crash_overflow_or_write_for_strangers(fresh_sample: FreshSample, acts: list[Act]) -> None:
    with fresh_sample() as engine:
        run(make_world(engine), acts)


@pytest.mark.slow
@sqlite_only
@settings(max_examples=300)
@given(acts=scenarios(len(PEOPLE), STRANGERS, max_acts=30))
def test_many_random_acts_never_crash_overflow_or_write_for_strangers(
    fresh_sample: FreshSample, acts: list[Act]
) -> None:
    with fresh_sample() as engine:
        run(make_world(engine), acts)
