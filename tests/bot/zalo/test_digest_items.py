"""A reminder digest on Zalo answered item by item: after one item is handled (at once, or by the
report it opened) the other items can still be picked by their numbers, and the answer recalls them;
while a conversation is under way its own numbers come first. And a long escalation is cut between
its units. The real client and adapter poll the Zalo-shaped fake server."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import assemble
from dondoc.bot.zalo.channel import split_plain
from dondoc.bot.zalo.client import TEXT_LIMIT
from dondoc.bot.zalo.fake import ZaloUser
from dondoc.db.models import Reminder, ReminderKind, Report, Status
from dondoc.handlers.events import Inbound, Reply
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.bot.test_digest_items_telegram import SHOWN, escalation
from tests.bot.zalo.conftest import Zalo, running_zalo

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 and I.8 are due in 7 days: one digest, two items
RECALL = "Tin nhắc việc còn"


@pytest.fixture
async def monday(engine: Engine) -> AsyncIterator[Zalo]:
    async with running_zalo(engine, Clock(MONDAY - timedelta(hours=1), frozen=True)) as zalo:
        yield zalo


async def digest(zalo: Zalo, lan: ZaloUser) -> str:
    """Monday 08:00's digest, as it reached NV's focal point."""
    zalo.clock.set(MONDAY)
    before = len(lan.messages)
    await zalo.app.reminders.tick()
    [text] = await zalo.settle(lan, before)
    assert "1. 📝 I.1   2. 📝 I.8" in text
    return text


async def bound_and_planned(zalo: Zalo) -> ZaloUser:
    lan = await zalo.bound("NV")
    zalo.app.reminders.schedule()  # at 07:00, as the daily replan does: 08:00's reminders are ahead
    return lan


def number_of(text: str, label: str) -> str:
    found = re.search(rf"^(\d+)\. {re.escape(label)}", text, re.MULTILINE)
    assert found is not None, f"no choice {label!r} in:\n{text}"
    return found.group(1)


def snoozes(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        return list(session.exec(select(Reminder).where(Reminder.kind == ReminderKind.SNOOZE)).all())


async def test_after_a_snooze_the_answer_recalls_the_other_item_which_can_still_be_picked(
    monday: Zalo, engine: Engine
) -> None:
    lan = await bound_and_planned(monday)
    await digest(monday, lan)
    [snoozed] = await monday.say(lan, "2b")
    assert "I.8" in snoozed and "25/01/2022" in snoozed
    assert RECALL in snoozed and "1. 📝 I.1" in snoozed and "2. 📝 I.8" not in snoozed
    assert "1b): Nhắc lại sau" in snoozed  # how to pick its other choices
    [snoozed_too] = await monday.say(lan, "1b")
    assert "I.1" in snoozed_too and "25/01/2022" in snoozed_too
    assert RECALL not in snoozed_too  # nothing left to answer
    assert len(snoozes(engine)) == 2


async def test_a_report_opened_from_the_digest_keeps_its_own_numbers_then_the_rest_is_recalled(
    monday: Zalo, engine: Engine
) -> None:
    lan = await bound_and_planned(monday)
    await digest(monday, lan)
    [status] = await monday.say(lan, "2")  # the second item: the report on I.8
    assert status.startswith("I.8")
    # The report's own numbers come first: "2" is its second status, not the digest's second task.
    [percent] = await monday.say(lan, number_of(status, "Đang thực hiện"))
    assert not percent.startswith(("I.1", "I.8")) and RECALL not in percent  # the report's next step
    [note] = await monday.say(lan, "1")  # 1 %: the percent step reads typing, not the digest
    [evidence] = await monday.say(lan, number_of(note, "Bỏ qua"))
    [card] = await monday.say(lan, number_of(evidence, "Bỏ qua"))
    assert "I.8" in card and "Đang thực hiện — 1%" in card
    [done] = await monday.say(lan, number_of(card, "Xác nhận"))
    assert "Đã ghi nhận" in done
    assert RECALL in done and "1. 📝 I.1" in done and "I.8" not in done.split(RECALL)[1]
    # The first item, picked by its number from the digest, opens its report.
    [first] = await monday.say(lan, "1")
    assert first.startswith("I.1") and "Đang thực hiện" in first
    with Session(engine) as session:
        [report] = session.exec(select(Report).order_by(col(Report.id))).all()
    assert (report.status, report.percent) == (Status.IN_PROGRESS, 1)


async def test_a_digest_arriving_during_a_report_waits_for_it_and_is_recalled_when_it_is_cancelled(
    monday: Zalo, engine: Engine
) -> None:
    lan = await bound_and_planned(monday)
    monday.clock.set(MONDAY - timedelta(minutes=5))
    [status] = await monday.say(lan, "/report I.1")
    await digest(monday, lan)  # 08:00, in the middle of the report
    [percent] = await monday.say(lan, number_of(status, "Đang thực hiện"))  # the report's "2", not I.8
    assert not percent.startswith(("I.1", "I.8")) and RECALL not in percent  # the report's next step
    [cancelled] = await monday.say(lan, "/cancel")
    assert RECALL in cancelled and "1. 📝 I.1   2. 📝 I.8" in cancelled
    [snoozed] = await monday.say(lan, "2b")
    assert "I.8" in snoozed and "25/01/2022" in snoozed
    assert [s.due for s in snoozes(engine)] == [MONDAY.date() + timedelta(days=7)]


async def test_the_digests_numbers_live_in_the_store_for_every_process(monday: Zalo, engine: Engine) -> None:
    lan = await bound_and_planned(monday)
    await digest(monday, lan)
    await monday.say(lan, "2b")
    # Another process on the same store (its own dispatcher and channel) takes the next message.
    other = assemble(engine, monday.clock, WorkCalendar(), bot_username="dondoc_test_bot")
    channel = other.attach_zalo(monday.server.token, base_url=monday.server.base_url)
    try:
        inbound = Inbound(channel="zalo", chat_id=lan.chat_id, user_id=lan.chat_id, text="1")
        [question] = await asyncio.to_thread(channel._handle, inbound)
    finally:
        await channel.client.aclose()
    assert question.text.startswith("<b>I.1</b>") and question.choices


def test_a_blank_line_is_a_cut_only_in_the_second_half_of_a_part() -> None:
    items = [f"• mục {n:02d}" for n in range(1, 8)]  # 7 lines of 8 characters
    two = "\n".join(["Đơn vị 1", *items, "", "Đơn vị 2", *items])
    assert split_plain(two, limit=90) == ["\n".join(["Đơn vị 1", *items]), "\n".join(["Đơn vị 2", *items])]
    # A heading, then a block longer than a part: filled, and cut at a line break.
    long = "\n".join(["Tiêu đề", "", *[f"• mục {n:02d}" for n in range(1, 21)]])
    parts = split_plain(long, limit=90)
    assert parts[0].startswith("Tiêu đề\n\n• mục 01") and len(parts[0]) > 80
    assert all(len(part) <= 90 for part in parts) and parts[1].startswith("• mục ")


async def test_a_long_list_arrives_in_parts_each_starting_at_a_unit(monday: Zalo) -> None:
    hung = monday.server.user("Lê Văn Hùng")
    await monday.say(hung, "xin chào")  # a chat with the bot (a stranger: asked for an invite code)
    before = len(hung.messages)
    # The escalation as Telegram gets it, whole (on Zalo the alert itself is cut to one message:
    # tests/handlers/test_manager_alert_form.py): a long reply of paragraphs.
    await monday.channel.send(hung.chat_id, Reply(text=escalation("telegram")))
    parts = await monday.settle(hung, before)
    assert len(parts) > 1 and all(len(part) <= TEXT_LIMIT for part in parts)
    assert parts[0].startswith("Nhiệm vụ quá hạn — Kính gửi đồng chí Lê Văn Hùng")
    for part in parts[1:]:
        assert part.split("\n", 1)[0] in SHOWN, part[:80]
        assert part.split("\n")[1].startswith("• III.")
