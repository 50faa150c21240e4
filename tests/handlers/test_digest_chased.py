"""A reminder digest about a later deadline of a monthly task says, under that deadline's line, which
earlier deadline is still open (a report is recorded for the earliest deadline not reported done), and
answering a digest's item again after it was answered says what the new report replaces — on a
channel with buttons and on Zalo, where the item's number is typed. Xà Phiên on 24/03/2022: I.8 and
III.5 are monthly (31/01, 28/02, 31/03 …) and nothing was reported yet; I.2 and I.3 are due 31/03 only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dondoc.bot.app import reminder_service
from dondoc.bot.zalo.fake import ZaloUser
from dondoc.db.models import Assignment, Extension, ExtensionState, MemberRole, Task, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.service import ReminderService
from tests.bot.zalo.conftest import Zalo, running_zalo
from tests.handlers.helpers import Chat, Outbox, invite_code, make_dispatcher

DAY = datetime(2022, 3, 24, 8, 0, tzinfo=TZ)
OPEN = "⏰ Hạn {date} chưa được báo cáo hoàn thành: báo cáo sẽ được ghi cho hạn đó trước."


def xa_phien(engine: Engine, *names: str) -> tuple[ReminderService[Reply], Outbox, list[Chat]]:
    """Xà Phiên's focal points (each with a chat on a channel with buttons) at 07:00, the day's
    reminders planned; the clock is then at 08:00 but nothing is sent yet (``service.tick()``)."""
    clock = Clock(DAY - timedelta(hours=1), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    chats = []
    for number, name in enumerate(names or ("Trần Văn Hùng",)):
        chat = Chat(dispatcher, str(700 + number), name=name)
        chat.send(f"/start {invite_code(engine, 'XP', MemberRole.FOCAL, now=clock.now())}")
        chats.append(chat)
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    service.schedule()
    clock.set(DAY)
    return service, outbox, chats


def digest(outbox: Outbox, chat: Chat) -> Reply:
    [reply] = [r for to, r in outbox.sent if to == chat.user_id and "Nhắc việc" in r.text]
    return reply


def blocks(text: str) -> dict[str, list[str]]:
    """A digest's items by task code: the lines of each (its line, its deadline, any note under it)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in plain(text).split("\n"):
        item = re.match(r"\d+\. (\S+) ", line)
        if item is not None:
            current = found[item.group(1)] = []
        elif not line.startswith("   "):
            current = None
        if current is not None:
            current.append(line.strip())
    return found


def press_item(chat: Chat, reply: Reply, code: str) -> str:
    """Press the report button of ``code`` in the digest ``reply``; what the first answer says."""
    [data] = [c.data for row in reply.choices for c in row if c.label == f"📝 {code}"]
    answers = chat.press_data(data)
    return plain(answers[0].text)


def extend_xa_phien_i8(engine: Engine, *approvals: tuple[date, int]) -> None:
    """Xà Phiên's I.8 deadline 31/01 given more time: each approval's new date and how many days
    before ``DAY`` it was approved, stored in this order."""
    with session_scope(engine) as session:
        [assignment] = session.exec(
            select(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Task.code == "I.8", Unit.code == "XP")
        ).all()
        assert assignment.id is not None
        for new_due, days_ago in approvals:
            session.add(
                Extension(
                    assignment_id=assignment.id,
                    due=date(2022, 1, 31),
                    new_due=new_due,
                    state=ExtensionState.APPROVED,
                    requested_at=DAY - timedelta(days=days_ago + 1),
                    answered_at=DAY - timedelta(days=days_ago),
                )
            )
            session.flush()


async def test_the_digest_says_under_a_later_deadline_which_earlier_one_a_report_goes_to(engine: Engine) -> None:
    service, outbox, [hung] = xa_phien(engine)
    await service.tick()
    reply = digest(outbox, hung)
    items = blocks(reply.text)
    assert items["I.8"][1:] == ["hạn 31/03/2022 — còn 7 ngày", OPEN.format(date="31/01/2022")]
    assert items["III.5"][1:] == ["hạn 31/03/2022 — còn 7 ngày", OPEN.format(date="31/01/2022")]
    assert items["I.2"][1:] == items["I.3"][1:] == ["hạn 31/03/2022 — còn 7 ngày"]  # their only deadline
    # The report each item opens is recorded for the deadline its line names, and says so.
    for code, lines in items.items():
        said = press_item(hung, reply, code)
        note = next((line for line in lines if line.startswith("⏰")), None)
        if note is None:
            assert "sẽ được ghi cho hạn" not in said, code
        else:
            first = re.search(r"Hạn (\S+) ", note)
            assert first is not None and f"sẽ được ghi cho hạn {first.group(1)}," in said, code
        hung.send("/cancel")


async def test_the_note_follows_the_reports_made_before_the_digest(engine: Engine) -> None:
    service, outbox, [hung] = xa_phien(engine)
    hung.send("I.8 xong")  # closes 31/01: 28/02 is the one open now
    hung.send("I.8 xong")
    hung.send("hủy")  # that second one undone: as if never made
    hung.send("III.5 xong")
    hung.send("III.5 xong 27/02")  # closes 28/02 as well: 31/03 is the one the reports go to
    await service.tick()
    items = blocks(digest(outbox, hung).text)
    assert items["I.8"][1:] == ["hạn 31/03/2022 — còn 7 ngày", OPEN.format(date="28/02/2022")]
    assert items["III.5"][1:] == ["hạn 31/03/2022 — còn 7 ngày"]


async def test_an_earlier_deadline_extended_to_the_digests_date_is_that_deadline_itself(engine: Engine) -> None:
    """I.8's 31/01 was given until 31/03: the digest's "hạn 31/03/2022" is that deadline, the one the
    reports go to, so nothing is said under it (and the report says nothing either)."""
    extend_xa_phien_i8(engine, (date(2022, 3, 31), 59))
    service, outbox, [hung] = xa_phien(engine)
    await service.tick()
    reply = digest(outbox, hung)
    items = blocks(reply.text)
    assert items["I.8"][1:] == ["hạn 31/03/2022 — còn 7 ngày"]
    assert items["III.5"][2:] == [OPEN.format(date="31/01/2022")]  # not extended: said as before
    assert "sẽ được ghi cho hạn" not in press_item(hung, reply, "I.8")


async def test_a_deadline_extended_twice_is_named_with_its_newest_approval(engine: Engine) -> None:
    """I.8's 31/01 was given until 15/03, then (a newer approval, stored first) until 20/03: the note
    under its 31/03 line names 20/03."""
    extend_xa_phien_i8(engine, (date(2022, 3, 20), 10), (date(2022, 3, 15), 40))
    service, outbox, [hung] = xa_phien(engine)
    await service.tick()
    items = blocks(digest(outbox, hung).text)
    assert items["I.8"][1:] == [
        "hạn 31/03/2022 — còn 7 ngày",
        "⏰ Hạn 31/01/2022 (đã gia hạn đến 20/03/2022) chưa được báo cáo hoàn thành: báo cáo sẽ được ghi cho hạn đó"
        " trước.",
    ]


async def test_pressing_an_item_answered_since_the_digest_says_what_the_new_report_replaces(engine: Engine) -> None:
    service, outbox, [hung, lan] = xa_phien(engine, "Trần Văn Hùng", "Lê Thị Lan")
    clock = hung.dispatcher.clock
    clock.set(DAY - timedelta(minutes=30))
    hung.send("I.3 50")  # before the digest: not an answer to it
    clock.set(DAY)
    await service.tick()
    reply = digest(outbox, hung)
    clock.set(DAY.replace(hour=9, minute=15))
    assert press_item(hung, reply, "I.3").startswith("I.3 — ")  # the report opens as before, nothing said first
    hung.send("/cancel")
    hung.send("I.2 60")
    said = press_item(hung, reply, "I.2")
    assert said.startswith(
        "Đồng chí đã báo cáo I.2 lúc 09:15 ngày 24/03/2022 (Đang thực hiện, 60%). Báo cáo mới sẽ thay báo cáo đó.\n\nI.2 — "
    )
    hung.send("/cancel")
    # A colleague's answer is named as theirs.
    said = press_item(lan, digest(outbox, lan), "I.2")
    assert said.startswith("Đồng chí Trần Văn Hùng đã báo cáo I.2 lúc 09:15 ngày 24/03/2022 (Đang thực hiện, 60%).")
    lan.send("/cancel")
    # "Hoàn thành" on the only deadline: a new report replaces it too («Đã hoàn thành» as well).
    hung.send("VI.2 xong")
    said = plain(hung.press_data(_row_of(reply, "VI.2")[2])[0].text)
    assert said.startswith("Đồng chí đã báo cáo VI.2 lúc 09:15 ngày 24/03/2022 (Hoàn thành, 100%).")
    hung.send("/cancel")
    # An answer recorded for an earlier deadline (I.8's 31/01) is not this deadline's: not said.
    hung.send("I.8 60")
    said = press_item(hung, reply, "I.8")
    assert "đã báo cáo I.8" not in said and "sẽ được ghi cho hạn 31/01/2022" in said


def _row_of(reply: Reply, code: str) -> list[str]:
    """The data of an item's buttons: report, «Nhắc lại sau», «Đã hoàn thành»."""
    [row] = [row for row in reply.choices if row[0].label == f"📝 {code}"]
    return [c.data for c in row]


@pytest.fixture
async def march(engine: Engine) -> AsyncIterator[Zalo]:
    async with running_zalo(engine, Clock(DAY - timedelta(hours=1), frozen=True)) as zalo:
        yield zalo


async def zalo_digest(zalo: Zalo) -> tuple[ZaloUser, str]:
    user = await zalo.bound("XP", name="Trần Văn Hùng")
    zalo.app.reminders.schedule()
    zalo.clock.set(DAY)
    before = len(user.messages)
    await zalo.app.reminders.tick()
    texts = await zalo.settle(user, before)
    return user, next(t for t in texts if "Nhắc việc" in t)


def number_of(text: str, code: str) -> str:
    found = re.search(rf"^(\d+)\. {re.escape(code)} ", text, re.MULTILINE)
    assert found is not None, f"no item {code} in:\n{text}"
    return found.group(1)


async def test_on_zalo_the_digest_says_it_and_a_number_typed_again_says_what_it_replaces(march: Zalo) -> None:
    hung, text = await zalo_digest(march)
    i8 = text.split(f"{number_of(text, 'I.8')}. I.8 ")[1].split("\n")
    assert i8[1].strip() == "hạn 31/03/2022 — còn 7 ngày" and i8[2].strip() == OPEN.format(date="31/01/2022")
    number = number_of(text, "I.2")
    march.clock.set(DAY.replace(hour=9, minute=15))
    [first] = await march.say(hung, number)
    assert first.startswith("I.2 — ")  # not answered yet: the report opens as it did
    for answer in ("2", "60", "1", "1", "1"):  # Đang thực hiện, 60 %, no note, no photo, confirm
        said = await march.say(hung, answer)
    assert "Đã ghi nhận: I.2" in said[-1]
    [again] = await march.say(hung, number)  # kept on purpose: a report cancelled halfway is taken up again
    assert again.startswith(
        "Đồng chí đã báo cáo I.2 lúc 09:15 ngày 24/03/2022 (Đang thực hiện, 60%). Báo cáo mới sẽ thay báo cáo đó.\n\nI.2 — "
    )
