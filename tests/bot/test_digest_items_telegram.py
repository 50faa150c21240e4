"""A reminder digest on Telegram answered item by item, and a long escalation cut between its units:
the real python-telegram-bot stack against the local Bot API server, which checks every request
against the official Bot API spec (and the HTML of every message)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import App, assemble
from dondoc.bot.local_api.markup import parse_text
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser
from dondoc.bot.local_api.world import ChatMessage
from dondoc.bot.telegram import MESSAGE_LIMIT, split_message
from dondoc.db.models import ChannelAccount, Person, Reminder, ReminderKind
from dondoc.handlers.events import Reply, plain
from dondoc.handlers.reminders import render_digest
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient
from dondoc.tz import TZ
from tests.handlers.helpers import invite_code

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 and I.8 are due in 7 days: one digest, two items
HANG_GUARD = 120.0  # only stops a hung test: every wait awaits the bot's message or its going idle


@dataclass
class Running:
    app: App
    api: LocalBotApi
    clock: Clock


@pytest.fixture
async def running(engine: Engine) -> AsyncIterator[Running]:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    app = assemble(engine, clock, WorkCalendar(), bot_username="dondoc_test_bot")
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        application = app.attach_telegram(
            api.token, builder=api.application_builder(), rate_limit=False, run_reminders=False
        )
        async with api.running(application):
            yield Running(app, api, clock)
        api.assert_no_violations()


async def digest_for(running: Running, engine: Engine) -> tuple[SimulatedUser, ChatMessage]:
    """NV's focal point on Telegram, and the digest of Monday 08:00 that reached them."""
    lan = running.api.user(first_name="Lan", language_code="vi")
    await lan.send(f"/start {invite_code(engine, 'NV', now=running.clock.now())}")
    await lan.next_message(HANG_GUARD)
    running.app.reminders.schedule()  # at 07:00, as the daily replan does: 08:00's reminders are ahead
    running.clock.set(MONDAY)
    await running.app.reminders.tick()
    digest = await lan.next_message(HANG_GUARD)
    assert "I.1" in (digest.text or "") and "I.8" in (digest.text or "")
    return lan, digest


def rows_of(lan: SimulatedUser, message: ChatMessage) -> list[list[str]]:
    """The buttons the message shows now (its edits applied), row by row."""
    [now] = [m for m in lan.messages if m.message_id == message.message_id]
    return [[str(button.get("text")) for button in row] for row in now.inline_keyboard]


async def test_snoozing_one_item_keeps_the_other_items_buttons(running: Running, engine: Engine) -> None:
    lan, digest = await digest_for(running, engine)
    assert [row[0] for row in rows_of(lan, digest)] == ["📝 I.1", "📝 I.8"]
    # The second item's "Nhắc lại sau": that row goes, the first item's stays.
    later = str(digest.inline_keyboard[1][1]["callback_data"])
    await lan.press(digest, later)
    snoozed = await lan.next_message(HANG_GUARD)
    assert "I.8" in (snoozed.text or "") and "25/01/2022" in (snoozed.text or "")
    await running.api.wait_idle(HANG_GUARD, settle=0)  # the row's removal goes beside the reply
    assert rows_of(lan, digest) == [["📝 I.1", "Nhắc lại sau", "Đã hoàn thành"]]
    # The first item is still answered from the digest: its report opens.
    await lan.press_button("📝 I.1", digest)
    question = await lan.next_message(HANG_GUARD)
    assert "I.1" in (question.text or "") and "Đang thực hiện" in question.button_texts
    await running.api.wait_idle(HANG_GUARD, settle=0)
    assert rows_of(lan, digest) == []  # every item answered: no button left
    await running.api.wait_idle(HANG_GUARD, settle=0)
    with Session(engine) as session:
        assert len(session.exec(select(Reminder).where(Reminder.kind == ReminderKind.SNOOZE)).all()) == 1


async def test_a_report_from_one_item_leaves_the_other_item_answerable(running: Running, engine: Engine) -> None:
    lan, digest = await digest_for(running, engine)
    await lan.press_button("📝 I.8", digest)
    await lan.next_message(HANG_GUARD)
    await running.api.wait_idle(HANG_GUARD, settle=0)  # the row's removal goes beside the reply
    assert [row[0] for row in rows_of(lan, digest)] == ["📝 I.1"]
    await lan.press_button("Hoàn thành")
    await lan.next_message(HANG_GUARD)
    await lan.send("/cancel")
    await lan.next_message(HANG_GUARD)
    # After the report on I.8 (here cancelled), I.1's "Đã hoàn thành" still works from the digest.
    done = str(digest.inline_keyboard[0][2]["callback_data"])
    await lan.press(digest, done)
    task = await lan.next_message(HANG_GUARD)
    assert "I.1" in (task.text or "")
    assert "ngày nào" in (task.text or "")  # straight to the completion date, in the same message


UNITS = [f"Ủy ban nhân dân xã Số {n:02d}" for n in range(1, 25)]
SHOWN = [name.removeprefix("Ủy ban nhân dân ") for name in UNITS]  # as the alert names them


def escalation(channel: str) -> str:
    """The managers' escalation of 24 units' overdue items, five tasks each and no task late at two units:
    a paragraph per unit, longer than a Telegram message."""
    today = date(2022, 3, 15)
    items = [
        DueItem(
            reminder_id=100 * u + i,
            assignment_id=100 * u + i,
            kind=ReminderKind.ESCALATION,
            due=date(2022, 3, 1),
            send_at=MONDAY,
            attempts=0,
            audience="manager",
            task_code=f"III.{5 * (u - 1) + i}",
            task_title="Rà soát, đơn giản hóa thủ tục hành chính & quy trình nội bộ <giữa> các cơ quan",
            task_position=5 * (u - 1) + i,
            unit_id=u,
            unit_code=f"X{u:02d}",
            unit_name=name,
            unit_position=u,
            organization_id=1,
        )
        for u, name in enumerate(UNITS, start=1)
        for i in range(1, 6)
    ]
    person = Person(id=1, organization_id=1, full_name="Lê Văn Hùng", created_at=MONDAY)
    account = ChannelAccount(person_id=1, channel=channel, external_id="1", chat_id="1")
    return render_digest(Digest(Recipient(person, account), "manager", items), today).text


def test_a_long_escalation_is_cut_between_units_with_its_html_balanced() -> None:
    text = escalation("telegram")
    assert "\n\n<b>xã Số 02</b>\n" in text  # the units are paragraphs
    parts = split_message(text)
    assert len(parts) > 1 and all(len(part) <= MESSAGE_LIMIT for part in parts)
    for part in parts:
        parse_text(part, "HTML")  # raises on a tag left open or an entity cut
    for part in parts[1:]:
        assert part.startswith("<b>xã Số "), part[:80]
    # Nothing lost: the same lines, less the blank lines where the message was cut.
    lines = [line for line in plain(text).split("\n") if line.strip()]
    assert [line for line in plain("\n".join(parts)).split("\n") if line.strip()] == lines


def test_a_blank_line_is_a_cut_only_in_the_second_half_of_a_part() -> None:
    items = [f"• item {n:02d}" for n in range(1, 8)]  # 7 lines of 9 characters
    # Two units of 2 + 7 × 10 characters: the blank line between them falls in the part's second half.
    two = "\n".join(["<b>U1</b>", *items, "", "<b>U2</b>", *items])
    assert split_message(two, limit=100) == ["\n".join(["<b>U1</b>", *items]), "\n".join(["<b>U2</b>", *items])]
    # A heading, then a block longer than a part: the blank line after the heading is in the first
    # half, so the part is filled and cut at a line break, as a block longer than a part always is.
    long = "\n".join(["<b>Tiêu đề</b>", "", *[f"• item {n:02d}" for n in range(1, 21)]])
    parts = split_message(long, limit=100)
    assert parts[0].startswith("<b>Tiêu đề</b>\n\n• item 01") and len(parts[0]) > 90
    assert all(len(part) <= 100 for part in parts) and parts[1].startswith("• item ")


async def test_a_long_escalation_arrives_in_parts_each_starting_at_a_unit(running: Running) -> None:
    hung = running.api.user(first_name="Hùng", language_code="vi")
    await hung.send("xin chào")  # a chat with the bot (a stranger: asked for an invite code)
    await hung.next_message(HANG_GUARD)
    before = len(hung.messages)
    await running.app.senders["telegram"](str(hung.chat_id), Reply(text=escalation("telegram")))
    parts = [m.text or "" for m in hung.messages[before:]]
    assert len(parts) > 1
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert parts[0].startswith("Nhiệm vụ quá hạn — Kính gửi đồng chí Lê Văn Hùng")
    for part in parts[1:]:
        assert part.split("\n", 1)[0] in SHOWN, part[:80]
        assert part.split("\n")[1].startswith("• III.")
