"""Requests for more time in chat: a focal point asks, the managers answer, the first answer wins,
and an approval moves the deadline, its reminders and the item out of /overdue."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Extension, MemberRole, Reminder, ReminderState, Task, Unit
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)
I2 = re.compile(r"(?<![\w.])I\.2 \(")  # I.2 in an /overdue line, not II.2


def bound(
    dispatcher: Dispatcher, engine: Engine, user: str, unit: str, role: MemberRole, name: str, now: datetime = NOW
) -> Chat:
    chat = Chat(dispatcher, user, name=name)
    chat.send(f"/start {invite_code(engine, unit, role, now=now)}")
    return chat


def sent_to(chat: Chat, user: str) -> list[Reply]:
    return [r for r in chat.history if r.to is not None and r.to.chat_id == user]


def world(engine: Engine) -> tuple[Chat, Chat, Chat]:
    dispatcher = make_dispatcher(engine, NOW)
    focal = bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Nguyễn Đầu Mối")
    manager = bound(dispatcher, engine, "301", "XP", MemberRole.MANAGER, "Lê Lãnh Đạo")
    coordinator = bound(dispatcher, engine, "302", "NV", MemberRole.MANAGER, "Trần Điều Phối")
    return focal, manager, coordinator


def overdue_line(chat: Chat, unit_name: str) -> str:
    """The /overdue line of a unit, every page read ("" when the unit has nothing overdue)."""
    chat.send("/overdue")
    while True:
        found = [line for line in chat.last.splitlines() if unit_name in line]
        if found:
            return found[0]
        if not any(label.startswith("Trang sau") for label in chat.buttons()):
            return ""
        chat.press("Trang sau")


def pending_reminder_dues(engine: Engine) -> set[date]:
    with Session(engine) as session:
        rows = session.exec(
            select(Reminder)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Task.code == "I.2", Unit.code == "XP", Reminder.state == ReminderState.PENDING)
        ).all()
        return {row.due for row in rows}


def test_an_approved_request_moves_the_deadline_reminders_and_leaves_overdue(
    engine: Engine, sample_store: Dondoc
) -> None:
    focal, manager, coordinator = world(engine)
    assert I2.search(overdue_line(manager, "Xà Phiên"))

    focal.send("/giahan I.2 30/06 chờ hướng dẫn của Sở")
    assert "đã được gửi" in focal.last, focal.last
    [to_manager] = sent_to(focal, "301")
    [to_coordinator] = sent_to(focal, "302")
    text = plain(to_manager.text)
    assert "30/06/2022" in text and "31/03/2022" in text and "chờ hướng dẫn của Sở" in text
    assert [c.label for row in to_manager.choices for c in row] == ["Đồng ý", "Không đồng ý"]

    manager.press_data(to_manager.choices[0][0].data)  # Đồng ý
    assert "Đồng ý" in manager.last
    told = plain(sent_to(manager, "300")[-1].text)
    assert "30/06/2022" in told and "Lê Lãnh Đạo" in told
    assert "Lê Lãnh Đạo" in plain(sent_to(manager, "302")[-1].text)  # the others see who answered

    coordinator.press_data(to_coordinator.choices[0][1].data)  # Không đồng ý, too late
    assert "Lê Lãnh Đạo" in coordinator.last and "đã được" in coordinator.last, coordinator.last

    assert not I2.search(overdue_line(manager, "Xà Phiên"))
    shown = " ".join(plain(r.text) for r in manager.send("/task I.2"))
    assert "Xà Phiên</b>" not in shown and "31/03/2022, gia hạn đến 30/06/2022" in shown

    assert date(2022, 3, 31) not in pending_reminder_dues(engine)  # no more nudges about the old date
    entries = sample_store.ok(
        "reminders", "preview", "--from", "2022-04-06", "--to", "2022-07-31", "--at", "2022-04-05T18:00", "--json"
    ).json()
    dues = {
        i["due"]
        for e in entries
        if e["to"] == {"unit": "XP", "role": "focal"}
        for i in e["items"]
        if i["task"] == "I.2"
    }
    assert "2022-06-30" in dues and "2022-03-31" not in dues

    status = sample_store.ok("status", "--at", "2022-04-05", "--json").json()
    item = next(i for i in status["items"] if i["task"] == "I.2" and i["unit"] == "XP")
    assert (item["category"], item["extended_to"]) == ("not_started", "2022-06-30")


def test_a_refusal_with_a_typed_reason_keeps_the_deadline(engine: Engine) -> None:
    focal, manager, _coordinator = world(engine)
    focal.send("/giahan I.2")
    assert "31/03/2022" in focal.last
    focal.send("31/02")
    assert "31/02" in focal.last  # no such day, named
    focal.send("30/06/2022")
    focal.send("Chờ hướng dẫn")
    with Session(engine) as session:
        number = session.exec(select(Extension.id)).one()
    manager.send(f"/giahan {number} không đồng ý đã quá lâu")
    assert "Không đồng ý" in manager.last
    told = plain(sent_to(manager, "300")[-1].text)
    assert "đã quá lâu" in told and "31/03/2022" in told
    assert I2.search(overdue_line(manager, "Xà Phiên"))
    with Session(engine) as session:
        row = session.exec(select(Extension)).one()
    assert (row.state, row.answer_note) == ("rejected", "đã quá lâu")


def test_asked_from_the_report_flow_when_blocked(engine: Engine) -> None:
    focal, _manager, _coordinator = world(engine)
    focal.send("/report I.2")
    focal.press("Vướng mắc")
    focal.send("30")
    focal.press("Đề nghị gia hạn")
    focal.send("15/07")
    focal.send("Thiếu kinh phí")
    assert "đã được gửi" in focal.last
    assert "15/07/2022" in plain(sent_to(focal, "301")[-1].text)


def test_a_date_not_after_the_deadline_is_refused_and_nothing_is_sent(engine: Engine) -> None:
    focal, _manager, _coordinator = world(engine)
    focal.send("/giahan I.2 20/03 lý do")
    assert "20/03/2022" in focal.last
    focal.send("/giahan IX.9 30/06 lý do")
    assert "IX.9" in focal.last
    with Session(engine) as session:
        assert session.exec(select(Extension)).all() == []
    assert sent_to(focal, "301") == []


def test_someone_else_cannot_answer(engine: Engine) -> None:
    focal, _manager, _coordinator = world(engine)
    focal.send("/giahan I.2 30/06 chờ Sở")
    other = bound(focal.dispatcher, engine, "303", "LN", MemberRole.MANAGER, "Võ Khác")
    to_manager = sent_to(focal, "301")[0]
    other.press_data(to_manager.choices[0][0].data)
    focal.press_data(to_manager.choices[0][0].data)
    with Session(engine) as session:
        assert session.exec(select(Extension.state)).one() == "pending"
