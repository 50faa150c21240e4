"""Answering a Zalo reminder digest by typing, as the new-user audit of 24/03/2022 did: every item the
digest numbers can be answered; "4 80" reports item 4; "nhắc lại sau" alone; a number typed after
another list was shown, or after another message's numbers took the digest's place, is not acted on
silently; and an answer to an item whose task has earlier deadlines still open says which deadline it
will be recorded for."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.zalo.channel import choice_lines, read_typed, remember_choices
from dondoc.bot.zalo.fake import ZaloUser
from dondoc.db.models import Reminder, ReminderKind, Report, Status
from dondoc.handlers.events import Choice
from dondoc.handlers.explanations import button_data as explain_data
from dondoc.handlers.reminders import _digest_body, button_data
from dondoc.i18n import use_language
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import DueItem
from dondoc.tz import TZ
from tests.bot.zalo.conftest import Zalo, running_zalo

DAY = datetime(2022, 3, 24, 8, 0, tzinfo=TZ)  # a week before the end of March: long digests


@pytest.fixture
async def march(engine: Engine) -> AsyncIterator[Zalo]:
    async with running_zalo(engine, Clock(datetime(2022, 3, 24, 7, 0, tzinfo=TZ), frozen=True)) as zalo:
        yield zalo


async def digest_of(zalo: Zalo, unit: str) -> tuple[ZaloUser, str]:
    user = await zalo.bound(unit)
    zalo.app.reminders.schedule()
    zalo.clock.set(DAY)
    before = len(user.messages)
    await zalo.app.reminders.tick()
    texts = await zalo.settle(user, before)
    text = next(t for t in texts if "Nhắc việc" in t)
    return user, "\n".join(texts[texts.index(text) :])


def item_number(text: str, code: str) -> str:
    found = re.search(rf"^(\d+)\. {re.escape(code)} ", text, re.MULTILINE)
    assert found is not None, f"no item {code} in:\n{text}"
    return found.group(1)


def reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))).all())


def eleven_items() -> list[DueItem]:
    return [
        DueItem(
            n,
            n,
            ReminderKind.BEFORE,
            DAY.date(),
            DAY,
            0,
            "focal",
            f"I.{n}",
            f"Nhiệm vụ {n}",
            n,
            1,
            "NV",
            "Phòng Nội vụ",
            1,
            1,
        )
        for n in range(1, 12)
    ]


def test_every_numbered_item_of_a_long_digest_can_be_answered_on_zalo() -> None:
    with use_language("vi"):
        text, rows = _digest_body(eleven_items(), DAY.date(), tap=False)
        lines, typed = choice_lines(rows)
    assert "11. <b>I.11</b>" in text and "/report MÃ" not in text
    assert "11. 📝 I.11" in "\n".join(lines)
    assert typed is not None and typed["11b"] == button_data(11, "s") and typed["11c"] == button_data(11, "d")
    with use_language("vi"):
        _text, telegram = _digest_body(eleven_items(), DAY.date(), tap=True)
    assert len(telegram) == 10  # Telegram's keyboard keeps its limit


async def test_a_number_then_a_percentage_reports_that_item(march: Zalo, engine: Engine) -> None:
    lan, text = await digest_of(march, "XP")
    number = item_number(text, "I.10")
    [answer] = await march.say(lan, f"{number} 80")
    assert "I.10" in answer and "80%" in answer and "không có nhiệm vụ" not in answer
    [report] = reports(engine)
    assert (report.status, report.percent) == (Status.IN_PROGRESS, 80)
    [unknown] = await march.say(lan, "42 80")  # no item 42: never read as task code "42"
    assert "tin nhắc việc" in unknown and "không có số 42" in unknown and "không có nhiệm vụ" not in unknown


async def test_remind_me_later_alone_asks_which_item_when_several_are_open(march: Zalo, engine: Engine) -> None:
    lan, _text = await digest_of(march, "XP")
    [which] = await march.say(lan, "nhac lai sau")
    assert "mục nào" in which and "b" in which and "1. 📝 I.2" in which
    with Session(engine) as session:
        assert not session.exec(select(Reminder).where(Reminder.kind == ReminderKind.SNOOZE)).all()


async def test_a_number_after_another_list_is_not_taken_silently_from_the_older_digest(
    march: Zalo, engine: Engine
) -> None:
    lan, _text = await digest_of(march, "XP")
    await march.say(lan, "/tasks")
    await march.say(lan, "/history I.10")
    [notice] = await march.say(lan, "1")
    assert "tin nhắc việc" in notice and "gõ lại số" in notice and "1. 📝 I.2" in notice
    assert not notice.startswith("I.2")  # no report opened
    [status] = await march.say(lan, "1")  # said again: now it is the digest's first item
    assert status.startswith("I.2")


async def test_an_answer_to_a_later_deadline_says_which_deadline_it_is_recorded_for(march: Zalo) -> None:
    lan, text = await digest_of(march, "XP")
    number = item_number(text, "I.8")
    assert "31/03/2022" in text.split(f"{number}. I.8")[1].split("\n")[1]
    answer = await march.say(lan, f"{number}c")
    said = "\n".join(answer)
    assert "31/01/2022" in said and "28/02/2022" in said and "chưa báo cáo hoàn thành" in said
    assert "sẽ được ghi cho hạn 31/01/2022" in said


def test_a_one_item_digest_has_the_same_layout_as_a_longer_one() -> None:
    row = [
        Choice("📝 I.1", button_data(7, "r")),
        Choice("Nhắc lại sau", button_data(7, "s")),
        Choice("Đã hoàn thành", button_data(7, "d")),
    ]
    lines, typed = choice_lines([row])
    assert lines[0] == "1. 📝 I.1"
    assert any(line.startswith("Thêm chữ b sau số") for line in lines)
    assert typed is not None and typed["1b"] == button_data(7, "s") and typed["1c"] == button_data(7, "d")
    assert "2" not in typed  # "2" was "Nhắc lại sau" in the old layout


def test_a_number_of_a_replaced_digest_is_answered_with_whose_numbers_are_current(engine: Engine) -> None:
    digest = [[Choice(f"📝 I.{n}", button_data(n, "r")), Choice("Nhắc lại sau", button_data(n, "s"))] for n in (1, 2)]
    remember_choices(engine, "zalo", "c1", choice_lines(digest)[1], DAY, digest)
    request = [[Choice("Giải trình", explain_data(5))]]
    later = DAY.replace(hour=9, minute=30)
    remember_choices(engine, "zalo", "c1", choice_lines(request)[1], later, request)
    read = read_typed(engine, "zalo", "c1", "2", user_id="u1", now=later)
    assert read.picked is None and read.notice is not None
    assert "tin nhắc việc gửi lúc 08:00 ngày 24/03/2022" in read.notice
    assert "tin yêu cầu giải trình gửi lúc 09:30 ngày 24/03/2022" in read.notice
    assert "1. Giải trình" in read.notice


async def test_an_answer_typed_after_an_idle_report_is_the_reports_not_the_digests(march: Zalo) -> None:
    """A digest waits in the chat; a report opened after it is left for more than 30 minutes; what is
    then typed answers the report's question: the reply names the report and the line that saves it,
    never "that message has no number 60"."""
    lan, _text = await digest_of(march, "XP")
    await march.say(lan, "/report I.10")
    await march.say(lan, "2")  # Đang thực hiện: the percent question
    march.clock.advance(timedelta(minutes=31))
    [answer] = await march.say(lan, "60")
    assert "I.10" in answer and "I.10 60" in answer and "không có số 60" not in answer
