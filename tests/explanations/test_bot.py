"""Explanations of overdue items (giải trình) in chat: a manager asks from /overdue with one tap or by
typing /giaitrinh, the unit's focal point gets the request, is reminded on the right working days until
it answers, answers, the manager is told, and /task, the workbook and the report draft show the answer."""

from __future__ import annotations

import io
from datetime import date, datetime

from docx import Document
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Explanation, MemberRole, Reminder, ReminderKind, ReminderState
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox

NOW = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)  # a Tuesday; I.2 of Xà Phiên was due on 31/03/2022
ASK = "Yêu cầu giải trình: XP · I.2 (31/03)"


def bound(chat: Chat, engine: Engine, unit: str, role: MemberRole, now: datetime = NOW) -> Chat:
    chat.send(f"/start {invite_code(engine, unit, role, now=now)}")
    return chat


def world(engine: Engine, clock: Clock | None = None) -> tuple[Chat, Chat, Chat]:
    dispatcher = make_dispatcher(engine, NOW)
    if clock is not None:
        dispatcher.clock = clock
    now = dispatcher.clock.now()
    focal = bound(Chat(dispatcher, "300", name="Nguyễn Đầu Mối"), engine, "XP", MemberRole.FOCAL, now)
    manager = bound(Chat(dispatcher, "301", name="Lê Lãnh Đạo"), engine, "NV", MemberRole.MANAGER, now)
    other = bound(Chat(dispatcher, "302", name="Trần Phó"), engine, "XP", MemberRole.MANAGER, now)
    return focal, manager, other


def sent_to(chat: Chat, user: str) -> list[Reply]:
    return [r for r in chat.history if r.to is not None and r.to.chat_id == user]


def press_ask(manager: Chat) -> list[Reply]:
    """Open /overdue and tap "Yêu cầu giải trình: XP · I.2 (31/03)", turning pages until it shows."""
    manager.send("/overdue")
    while ASK not in manager.buttons():
        manager.press("Trang sau")
    confirm = manager.press(ASK)
    assert "Xà Phiên" in confirm[-1].text and "I.2" in confirm[-1].text  # what goes, to whom, before it goes
    return manager.press("Gửi")


def test_a_manager_asks_by_one_tap_and_the_focal_point_answers(engine: Engine, sample_store: Dondoc) -> None:
    focal, manager, _other = world(engine)
    press_ask(manager)
    assert "08/04/2022" in manager.last and "Xà Phiên" in manager.last, manager.last  # 3 working days later
    [request] = sent_to(manager, "300")
    text = plain(request.text)
    assert "I.2" in text and "31/03/2022" in text and "08/04/2022" in text and "Lê Lãnh Đạo" in text
    assert "/giaitrinh I.2" in text
    assert [c.label for row in request.choices for c in row] == ["Giải trình"]

    manager.send("/overdue")  # asked: marked, and no second button for it
    assert ASK not in manager.buttons()
    manager.send("/giaitrinh XP I.2")
    assert "đã được yêu cầu" in manager.last, manager.last
    manager.send("/giaitrinh")
    assert "Xà Phiên · I.2" in manager.last and "08/04/2022" in manager.last

    focal.send("/giaitrinh")
    assert "I.2" in focal.last and "08/04/2022" in focal.last
    focal.press_data(request.choices[0][0].data)
    assert "một tin nhắn" in focal.last, focal.last
    focal.send("Chờ ý kiến <Sở Nội vụ> & UBND tỉnh")
    assert "Đã ghi nhận" in focal.last and "Lê Lãnh Đạo" in focal.last, focal.last
    [told] = sent_to(focal, "301")
    assert "Chờ ý kiến &lt;Sở Nội vụ&gt; &amp; UBND tỉnh" in told.text  # escaped
    assert "Nguyễn Đầu Mối" in plain(told.text)

    focal.send("/giaitrinh I.2 lần nữa")  # answered: nothing open any more
    assert "Không có yêu cầu giải trình" in focal.last, focal.last
    manager.send("/giaitrinh")
    assert "Không có yêu cầu giải trình nào đang chờ" in manager.last, manager.last

    shown = " ".join(plain(r.text) for r in manager.send("/task I.2"))
    assert "đã giải trình ngày 05/04/2022: Chờ ý kiến <Sở Nội vụ> & UBND tỉnh" in shown, shown

    [row] = sample_store.ok("explanation", "list", "--json").json()
    assert (row["task"], row["unit"], row["due"], row["answer_due"]) == ("I.2", "XP", "2022-03-31", "2022-04-08")
    assert row["answered"] and row["requested_by"] == "Lê Lãnh Đạo" and row["answered_by"] == "Nguyễn Đầu Mối"

    manager.send("/export")
    book = load_workbook(io.BytesIO(manager.history[-1].file.data), read_only=True)  # type: ignore[union-attr]
    sheet = book["Giải trình"]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "Chờ ý kiến <Sở Nội vụ> & UBND tỉnh" in cells and "Lê Lãnh Đạo" in cells and "I.2" in cells


def test_the_report_draft_shows_the_explanation_in_its_overdue_section(engine: Engine, sample_store: Dondoc) -> None:
    from dondoc.db.models import Plan
    from dondoc.plan.report_draft import write_report_draft

    focal, manager, _other = world(engine, Clock(datetime(2022, 6, 2, 9, 0, tzinfo=TZ), frozen=True))
    manager.send("/giaitrinh Xà Phiên I.2 10/06")
    assert "10/06/2022" in manager.last, manager.last
    focal.send("/giaitrinh I.2 Đang chờ Sở Nội vụ cho ý kiến")
    assert "Đã ghi nhận" in focal.last, focal.last
    with Session(engine) as session:
        plan = session.exec(select(Plan)).first()
        assert plan is not None
        buffer = io.BytesIO()
        write_report_draft(session, plan, "half", 2022, buffer)
    text = "\n".join(p.text for p in Document(io.BytesIO(buffer.getvalue())).paragraphs)
    section = text[text.index("II.") :]
    assert "Giải trình các nhiệm vụ quá hạn" in section, section[:800]
    assert "Đang chờ Sở Nội vụ cho ý kiến" in section and "Xà Phiên" in section


def test_bad_requests_are_named_and_write_nothing(engine: Engine) -> None:
    focal, manager, _other = world(engine)
    manager.send("/giaitrinh Nowhere I.2")
    assert "Nowhere" in manager.last
    manager.send("/giaitrinh XP I.1")  # I.1 is not Xà Phiên's task: the unit that leads it is named
    assert "không được giao nhiệm vụ I.1" in manager.last and "(NV)" in manager.last, manager.last
    manager.send("/giaitrinh XP I.2 31/02")
    assert "31/02" in manager.last
    manager.send("/giaitrinh XP I.2 01/04/2022")
    assert "01/04/2022" in manager.last
    focal.send("/giaitrinh I.2 không ai hỏi")
    assert "Không có yêu cầu giải trình" in focal.last, focal.last
    with Session(engine) as session:
        assert session.exec(select(Explanation)).all() == []


async def test_an_unanswered_request_is_reminded_on_working_days_until_answered(engine: Engine) -> None:
    clock = Clock(NOW, frozen=True)
    focal, manager, _other = world(engine, clock)
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    manager.send("/giaitrinh XP I.2")
    with Session(engine) as session:
        planned = session.exec(select(Reminder).where(Reminder.kind == ReminderKind.EXPLANATION)).all()
    days = sorted(r.send_on for r in planned)
    # the working day before 08/04, the day itself, then the 1st, 3rd … working day after it
    # (11/04/2022 is the Hùng Kings' day off, 09–10/04 a weekend)
    assert days[:4] == [date(2022, 4, 7), date(2022, 4, 8), date(2022, 4, 12), date(2022, 4, 14)], days

    def explanation_texts() -> list[str]:
        return [plain(t) for t in outbox.texts("300") if "Giải trình" in plain(t) and "I.2" in plain(t)]

    for day in (6, 7, 8):
        clock.set(datetime(2022, 4, day, 8, 0, tzinfo=TZ))
        await service.tick()
    texts = explanation_texts()
    assert len(texts) == 2, texts  # 07/04 and 08/04, not 06/04
    assert "còn 1 ngày" in texts[0] and "đến hạn hôm nay" in texts[1], texts
    reply = next(r for to, r in reversed(outbox.sent) if to == "300" and "giải trình" in plain(r.text).lower())
    explain = next(c for row in reply.choices for c in row if c.label == "Giải trình I.2")
    focal.press_data(explain.data)
    focal.send("Đã xin ý kiến Sở")
    assert "Đã ghi nhận" in focal.last
    assert sent_to(focal, "301")
    clock.set(datetime(2022, 4, 12, 8, 0, tzinfo=TZ))
    await service.tick()
    assert len(explanation_texts()) == 2  # answered: no more reminders
    with Session(engine) as session:
        left = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.EXPLANATION, Reminder.state == ReminderState.PENDING)
        ).all()
    assert left == []


async def test_a_pending_extension_request_is_reminded_to_the_managers_for_two_working_days(engine: Engine) -> None:
    clock = Clock(NOW, frozen=True)
    focal, _manager, other = world(engine, clock)
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    focal.send("/giahan I.2 30/06 chờ hướng dẫn của Sở")
    assert "đã được gửi" in focal.last, focal.last

    def about_extension(user: str) -> list[Reply]:
        return [r for to, r in outbox.sent if to == user and "gia hạn" in plain(r.text).lower()]

    clock.set(datetime(2022, 4, 6, 8, 0, tzinfo=TZ))
    await service.tick()
    for user in ("301", "302"):  # the coordinator's manager and the unit's
        [reminder] = about_extension(user)
        assert "Xà Phiên" in plain(reminder.text) and "I.2" in plain(reminder.text)
    assert about_extension("300") == []
    clock.set(datetime(2022, 4, 7, 8, 0, tzinfo=TZ))
    await service.tick()
    [_first, second] = about_extension("302")
    labels = [c.label for row in second.choices for c in row]
    assert labels == ["Đồng ý I.2 · XP", "Không đồng ý I.2 · XP"], labels
    other.press_data(second.choices[0][1].data)  # Không đồng ý, from the reminder
    assert "Không đồng ý" in other.last, other.last
    clock.set(datetime(2022, 4, 8, 8, 0, tzinfo=TZ))
    await service.tick()
    assert len(about_extension("302")) == 2  # answered: the reminders stop (there were two anyway)
    with Session(engine) as session:
        left = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.EXTENSION, Reminder.state == ReminderState.PENDING)
        ).all()
    assert left == []


def test_a_manager_lists_extension_requests_waiting_with_buttons(engine: Engine) -> None:
    focal, manager, _other = world(engine)
    focal.send("/giahan I.2 30/06 chờ hướng dẫn của Sở")
    manager.send("/giahan")
    assert "Xà Phiên · I.2" in manager.last and "30/06/2022" in manager.last, manager.last
    manager.press("Đồng ý")
    assert "Đồng ý" in manager.last


def test_a_paper_request_from_the_command_line_is_answered_in_chat_and_told_to_the_managers(
    engine: Engine, sample_store: Dondoc
) -> None:
    focal, _manager, _other = world(engine)
    result = sample_store.ok("explanation", "add", "--task", "I.2", "--unit", "XP", "--at", "2022-04-05", "--json")
    assert result.json()["answer_due"] == "2022-04-08"
    again = sample_store("explanation", "add", "--task", "I.2", "--unit", "XP", "--at", "2022-04-05")
    assert again.code == 1 and "I.2 · XP" in again.stderr  # already asked, not answered
    early = sample_store("explanation", "add", "--task", "I.2", "--unit", "XP", "--at", "2022-03-15")
    assert early.code == 1 and "15/03/2022" in early.stderr  # not overdue then
    listed = sample_store.ok("explanation", "list", "--unanswered").stdout
    assert "I.2 · XP" in listed
    focal.send("/giaitrinh I.2 Thiếu kinh phí")
    assert "Đã ghi nhận" in focal.last
    assert "Thiếu kinh phí" in plain(sent_to(focal, "301")[-1].text)  # the managers are told
    assert "Thiếu kinh phí" in plain(sent_to(focal, "302")[-1].text)
    assert sample_store.ok("explanation", "list", "--unanswered", "--json").json() == []


async def test_a_request_recorded_from_the_command_line_reaches_the_unit_the_same_day(
    engine: Engine, sample_store: Dondoc
) -> None:
    clock = Clock(NOW, frozen=True)
    _focal, _manager, _other = world(engine, clock)
    sample_store.ok("explanation", "add", "--task", "I.2", "--unit", "XP", env={"DONDOC_NOW": "2022-04-05T09:00"})
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})

    def told() -> list[str]:
        return [plain(t) for t in outbox.texts("300") if "giải trình" in plain(t).lower() and "I.2" in plain(t)]

    clock.set(datetime(2022, 4, 5, 9, 15, tzinfo=TZ))
    await service.tick()
    [notice] = told()  # asked on paper: the focal point hears of it at the next pass, not two days later
    assert "08/04/2022" in notice, notice
    clock.set(datetime(2022, 4, 6, 8, 0, tzinfo=TZ))
    await service.tick()
    assert len(told()) == 1  # then the usual days: the working day before it is due (07/04), the day …
    clock.set(datetime(2022, 4, 7, 8, 0, tzinfo=TZ))
    await service.tick()
    assert len(told()) == 2
