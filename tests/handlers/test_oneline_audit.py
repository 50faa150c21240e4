"""One-line reports, the chat audit's findings: ``hủy`` of a unit's first report leaves it unreported in
every view; a manager typing a one-line report is told who reports; a code typed without its dot is
recognised; a percentage above 100 is refused by name."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    MemberRole,
    Occurrence,
    Plan,
    Reminder,
    ReminderState,
    Report,
    Role,
    Status,
    Task,
    Unit,
)
from dondoc.db.queries import unit_assignments
from dondoc.db.session import open_store, session_scope
from dondoc.handlers.events import plain
from dondoc.plan.progress import plan_status, plan_summary
from dondoc.scheduler.calendar import calendar_from_env
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.schedule import replan, schedule_reminders
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.handlers.test_province import PROVINCE, _province

# A week before I.2's deadline (31/03/2022, Xà Phiên leads it): an unreported I.2 makes Xà Phiên a
# non-responder.
NOW = datetime(2022, 3, 25, 9, 0, tzinfo=TZ)


def _people(engine: Engine, now: datetime = NOW, unit: str = "XP") -> tuple[Chat, Chat]:
    """A focal point of ``unit`` and a manager of Phòng Nội vụ, on one dispatcher."""
    focal = Chat(make_dispatcher(engine, now), "300")
    focal.send(f"/start {invite_code(engine, unit, now=now)}")
    manager = Chat(focal.dispatcher, "301")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=now)}")
    return focal, manager


def _reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))).all())


def _silent_line(manager: Chat, unit_name: str) -> str:
    """The unit's line in /nonresponders (every page): its unreported tasks; empty when it has none."""
    replies = manager.send("/nonresponders")
    pages = [plain(replies[-1].text)]
    while any(c.label.startswith("Trang sau") for row in replies[-1].choices for c in row):
        replies = manager.press("Trang sau")
        pages.append(plain(replies[-1].text))
    lines = [line for page in pages for line in page.splitlines() if unit_name in line and "🔕" not in line]
    return "\n".join(lines)


def _views(engine: Engine, day: date) -> tuple[Any, Any]:
    """Everything the status views are built from: the items with their categories and report times
    (/status, /overdue, /nonresponders, the digest, the workbook) and the counts /status shows."""
    with Session(engine) as session:
        plan = session.exec(select(Plan)).one()
        return plan_status(session, plan, day).to_json(), plan_summary(session, plan, day)


def _assignment_id(engine: Engine, task: str, unit: str) -> int:
    with Session(engine) as session:
        found = session.exec(
            select(Assignment.id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Task.code == task, Unit.code == unit)
        ).one()
        assert found is not None
        return found


def _planned(engine: Engine, assignment_id: int, after: datetime, until: date) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        return [
            (p.planned.kind, p.planned.due, p.planned.send_at)
            for p in schedule_reminders(
                session, calendar_from_env(), after=after, until=until, assignment_ids=[assignment_id]
            )
        ]


def _pending(engine: Engine, assignment_id: int) -> set[tuple[Any, ...]]:
    """The assignment's reminders waiting in the outbox for the next five weeks (what a replan writes;
    the sample store also holds some planned when it was imported, years later)."""
    with Session(engine) as session:
        return {
            (r.due, r.kind, r.send_on)
            for r in session.exec(
                select(Reminder).where(
                    Reminder.assignment_id == assignment_id,
                    Reminder.state == ReminderState.PENDING,
                    col(Reminder.send_on) <= date(2022, 4, 29),
                )
            )
        }


# ---------------------------------------------------------------- hủy of a first report


def test_undoing_a_first_report_leaves_the_unit_a_non_responder_in_every_view(engine: Engine) -> None:
    focal, manager = _people(engine)
    day = NOW.date()
    assert "I.2" in _silent_line(manager, "Xà Phiên")
    manager.send("/status")
    status_before = manager.last
    focal.send("/tasks")
    tasks_before = focal.last
    views_before = _views(engine, day)

    focal.send("I.2 60")
    assert "I.2" not in _silent_line(manager, "Xà Phiên")  # it answered
    focal.dispatcher.clock.advance(timedelta(minutes=5))
    replies = focal.send("hủy")

    # The history keeps both rows; the second withdraws the first.
    first, undo = _reports(engine)
    assert (first.status, first.percent) == (Status.IN_PROGRESS, 60)
    assert (undo.status, undo.percent, undo.corrects_report_id, undo.withdraws) == (
        Status.NOT_STARTED,
        0,
        first.id,
        True,
    )
    # As if nothing had been reported: still a non-responder, the same status, items and task list.
    assert "I.2" in _silent_line(manager, "Xà Phiên")
    manager.send("/status")
    assert manager.last == status_before
    assert _views(engine, day) == views_before
    focal.send("/tasks")
    assert focal.last == tasks_before
    with Session(engine) as session:
        [view] = [v for v in unit_assignments(session, [_unit_id(engine, "XP")]) if v.task.code == "I.2"]
        assert view.latest is None  # what /report and reminders' buttons show: "no report yet"
    # The reply says where the task stands now, and that the history keeps the report.
    text = plain(replies[0].text)
    assert "Đã hủy báo cáo lúc 09:00" in text
    assert "trở lại chưa có báo cáo" in text and "/history I.2" in text
    assert "Đã ghi nhận" not in text


def _unit_id(engine: Engine, code: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Unit.id).where(Unit.code == code)).one()
        assert found is not None
        return found


def test_a_new_report_after_the_withdrawal_counts_and_can_itself_be_undone(engine: Engine) -> None:
    focal, manager = _people(engine)
    focal.send("I.2 60")
    focal.send("hủy")
    focal.send("I.2 30")
    assert "I.2" not in _silent_line(manager, "Xà Phiên")
    manager.send("/task I.2")
    assert "Xà Phiên — 31/03/2022: Đang thực hiện, 30%" in plain(manager.history[-2].text)
    focal.send("huỷ")  # the other placement of the tone mark
    assert _reports(engine)[-1].withdraws  # nothing stood before 30 % either
    assert "I.2" in _silent_line(manager, "Xà Phiên")


def test_undoing_a_later_report_restores_the_one_before(engine: Engine) -> None:
    focal, manager = _people(engine)
    focal.send("I.2 40")
    focal.dispatcher.clock.advance(timedelta(minutes=1))
    focal.send("I.2 70")
    replies = focal.send("hủy")
    assert not _reports(engine)[-1].withdraws
    assert "Trở lại như trước: I.2 — Ủy ban nhân dân xã Xà Phiên: Đang thực hiện 40%." in plain(replies[0].text)
    manager.send("/task I.2")
    assert "Xà Phiên — 31/03/2022: Đang thực hiện, 40%" in plain(manager.history[-2].text)
    assert "I.2" not in _silent_line(manager, "Xà Phiên")


def test_hủy_still_undoes_after_a_list_was_opened(engine: Engine) -> None:
    """Checking /tasks (or /status) after a one-line report and then typing hủy undoes it; the
    list's buttons keep working, and a report flow's own hủy is not taken for an undo."""
    focal, _manager = _people(engine)
    focal.send("I.2 40")
    focal.dispatcher.clock.advance(timedelta(minutes=1))
    focal.send("I.2 70")
    focal.send("/tasks")
    assert focal.dispatcher is not None and focal.history[-1].choices  # the list, with its buttons
    replies = focal.send("hủy")
    assert "Trở lại như trước: I.2 — Ủy ban nhân dân xã Xà Phiên: Đang thực hiện 40%." in plain(replies[0].text)
    assert [(r.status, r.percent) for r in _reports(engine)][-1] == (Status.IN_PROGRESS, 40)
    assert focal.send("hủy")[0].text.startswith("Không có báo cáo nhanh nào để hủy")  # once only
    focal.send("/status")
    focal.send("I.2 90")
    focal.send("/tasks")
    focal.send("huy")
    assert [(r.status, r.percent) for r in _reports(engine)][-1] == (Status.IN_PROGRESS, 40)


def test_undoing_a_first_completion_brings_back_the_reminders_as_they_were(engine: Engine) -> None:
    focal, manager = _people(engine)
    aid = _assignment_id(engine, "I.2", "XP")
    with session_scope(engine) as session:
        replan(session, calendar_from_env(), NOW)
    pending = _pending(engine, aid)
    assert pending  # 28/03, 31/03 and the weekly overdue ones after
    later = NOW + timedelta(hours=1)
    planned = _planned(engine, aid, later, date(2022, 4, 30))
    views = _views(engine, NOW.date())
    focal.send("I.2 xong")
    assert _pending(engine, aid) == set()
    focal.send("hủy")
    assert _pending(engine, aid) == pending
    assert _planned(engine, aid, later, date(2022, 4, 30)) == planned
    assert _views(engine, NOW.date()) == views
    assert "I.2" in _silent_line(manager, "Xà Phiên")


def test_undoing_the_first_report_on_a_quarter_leaves_that_quarter_open_and_unreported(engine: Engine) -> None:
    # I.10 (Xà Phiên, every quarter): Q1 done; the first report on Q2, undone, must not close Q2
    # with Q1's completion (a copy of the done report before it).
    now = datetime(2022, 6, 24, 9, 0, tzinfo=TZ)
    focal, manager = _people(engine, now)
    focal.send("I.10 xong 25/03/2022")
    focal.dispatcher.clock.advance(timedelta(days=1))
    aid = _assignment_id(engine, "I.10", "XP")
    later = now + timedelta(days=1, hours=1)
    planned = _planned(engine, aid, later, date(2022, 7, 31))
    assert planned  # Q2's reminders (30/06)
    views = _views(engine, date(2022, 6, 25))
    focal.send("I.10 xong")
    focal.send("hủy")
    assert _reports(engine)[-1].withdraws
    assert _views(engine, date(2022, 6, 25)) == views
    q2 = [item for item in _views(engine, date(2022, 6, 25))[0]["items"] if item["task"] == "I.10"][1]
    assert (q2["due"], q2["category"], q2["reported_at"]) == ("2022-06-30", "not_started", None)
    assert _planned(engine, aid, later, date(2022, 7, 31)) == planned
    assert "I.10" in _silent_line(manager, "Xà Phiên")


def test_undoing_a_first_check_in_on_a_continuous_task_keeps_its_next_check_in(engine: Engine) -> None:
    # V.6 (Phòng Nội vụ, "Thường xuyên"): the 1 June check-in is skipped for a unit that reported
    # since 1 May, and only then.
    now = datetime(2022, 5, 16, 9, 0, tzinfo=TZ)
    focal, _manager = _people(engine, now, unit="NV")
    aid = _assignment_id(engine, "V.6", "NV")
    later = now + timedelta(hours=1)
    planned = _planned(engine, aid, later, date(2022, 6, 30))
    assert [kind for kind, _due, _at in planned] == ["checkin"]
    focal.send("V.6 50 đã tuyên truyền")
    assert _planned(engine, aid, later, date(2022, 6, 30)) == []
    focal.send("hủy")
    assert _planned(engine, aid, later, date(2022, 6, 30)) == planned
    with Session(engine) as session:
        plan = session.exec(select(Plan)).one()
        [entry] = [c for c in plan_status(session, plan, now.date()).continuous if c.task == "V.6"]
        assert (entry.status, entry.last_report_at) == (None, None)


# ---------------------------------------------------------------- a manager typing a one-line report


def test_a_manager_typing_a_one_line_report_is_told_who_reports_and_what_to_use(engine: Engine) -> None:
    _focal, manager = _people(engine)
    for line in ("I.2 60", "I2 50", "i.2 xong"):
        manager.send(line)
        text = plain(manager.last)
        assert "Chỉ đầu mối (hoặc người thay thế)" in text and "Chưa lưu gì" in text, text
        assert "/task I.2" in text and "/status" in text and "/nonresponders" in text
        assert "/report" not in text and "/tasks" not in text
    manager.send("I.99 xong")
    assert "Kế hoạch không có nhiệm vụ I.99" in manager.last
    assert "/task I.99" not in manager.last and "/status" in manager.last
    assert _reports(engine) == []
    manager.send("chào đồng chí")  # not a report: the usual answer
    assert "Chỉ đầu mối" not in manager.last


# ---------------------------------------------------------------- codes typed without their dot


def test_a_code_typed_without_its_dot_or_with_a_space_is_that_task(engine: Engine) -> None:
    focal, _manager = _people(engine)
    for line, code in (("I2 50", "I.2"), ("i 2 55 đã trình", "I.2"), ("ii.3 xong", "II.3"), ("Vi2 40", "VI.2")):
        focal.send(line)
        assert f"Đã ghi nhận: {code} — Ủy ban nhân dân xã Xà Phiên" in plain(focal.last), (line, focal.last)
    assert [(r.status, r.percent, r.note) for r in _reports(engine)] == [
        (Status.IN_PROGRESS, 50, ""),
        (Status.IN_PROGRESS, 55, "đã trình"),
        (Status.DONE, 100, ""),
        (Status.IN_PROGRESS, 40, ""),
    ]


def test_a_dotless_code_of_another_units_task_or_of_none_is_answered_as_such(engine: Engine) -> None:
    focal, _manager = _people(engine)
    focal.send("I4 60")
    assert "Đơn vị của đồng chí không có nhiệm vụ I.4" in focal.last
    focal.send("I22 60")
    assert "Kế hoạch không có nhiệm vụ I22" in focal.last and "I.2" in focal.last.splitlines()[1]
    focal.send("i 99 xong")
    assert "Kế hoạch không có nhiệm vụ i 99" in focal.last
    assert _reports(engine) == []


def test_a_dotless_code_that_two_tasks_share_offers_both(engine: Engine) -> None:
    with session_scope(engine) as session:
        plan = session.exec(select(Plan)).one()
        xp = session.exec(select(Unit).where(Unit.code == "XP")).one()
        for position, code in ((900, "I.1.3"), (901, "I.13")):
            task = Task(plan_id=plan.id or 0, code=code, number=code, title=f"Nhiệm vụ {code}", position=position)
            session.add(task)
            session.flush()
            session.add(Occurrence(task_id=task.id or 0, due=date(2022, 6, 30)))
            session.add(Assignment(task_id=task.id or 0, unit_id=xp.id or 0, role=Role.LEAD))
    focal, _manager = _people(engine)
    focal.send("I13 60")
    assert "«I13» có thể là một trong các nhiệm vụ I.1.3, I.13" in focal.last and "Chưa lưu gì" in focal.last
    focal.send("I.13 60")  # with its dot: that one
    assert "Đã ghi nhận: I.13" in plain(focal.last)
    assert len(_reports(engine)) == 1


# ---------------------------------------------------------------- a percentage out of range


def test_a_percentage_above_100_is_refused_by_name(engine: Engine) -> None:
    focal, _manager = _people(engine)
    for line, typed in (("I.2 150", "150"), ("I.2 250% gần xong", "250%"), ("I2 1000", "1000")):
        focal.send(line)
        assert f"Tỷ lệ hoàn thành phải từ 0 đến 100%; đồng chí đã gõ {typed}." in focal.last, focal.last
        assert "Chưa lưu gì" in focal.last
    assert _reports(engine) == []


# ---------------------------------------------------------------- a list on screen


def test_a_one_line_report_typed_below_the_task_list_is_recorded(engine: Engine) -> None:
    # The replies point to /tasks for the codes: the next line, typed under that list, is the report.
    focal, manager = _people(engine)
    focal.send("/tasks")
    focal.send("I.2 60")
    assert "Đã ghi nhận: I.2 — Ủy ban nhân dân xã Xà Phiên: Đang thực hiện 60%." in focal.last
    focal.send("hủy")
    assert "Đã hủy báo cáo lúc 09:00" in focal.last
    focal.send("/tasks")
    focal.send("trang sau")  # a typed label still picks the list's button
    assert "trang 2/" in focal.last
    manager.send("/status")
    manager.send("I.2 60")
    assert "Chỉ đầu mối" in manager.last
    assert len(_reports(engine)) == 2


def test_the_province_typing_a_one_line_report_is_pointed_to_the_tasks_of_its_districts(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    engine = open_store(sample_store.url)
    province = Chat(make_dispatcher(engine, NOW), "700")
    province.send(f"/start {invite['code']}")
    province.send("I2 60")
    assert "Chỉ đầu mối" in province.last and "/task I.2" in province.last, province.last
    assert "Kế hoạch không có" not in province.last
    engine.dispose()


def test_a_manager_who_types_something_else_is_pointed_to_the_managers_commands(engine: Engine) -> None:
    """Text that is no command and no one-line report: a focal point is sent to /report and /tasks, a
    manager (who can use neither) to /status and /nonresponders."""
    focal, manager = _people(engine)
    assert "/report" in focal.send("xin chào")[-1].text
    reply = plain(manager.send("xin chào")[-1].text)
    assert "/status" in reply and "/nonresponders" in reply and "/report" not in reply
    manager.send("/status")
    reply = plain(manager.send("cảm ơn")[-1].text)  # a line that picks no page of /status
    assert "/status" in reply and "/report" not in reply


def test_a_percentage_and_vướng_in_either_order_record_a_blocked_report_with_its_reason(engine: Engine) -> None:
    focal, _manager = _people(engine)
    focal.send("I.2 40 vướng chờ ý kiến thẩm định")
    focal.dispatcher.clock.advance(timedelta(minutes=11))
    focal.send("I.2 vướng 55% chờ số liệu của Phòng Tài chính")
    assert [(r.status, r.percent, r.blocked_reason) for r in _reports(engine)] == [
        (Status.BLOCKED, 40, "chờ ý kiến thẩm định"),
        (Status.BLOCKED, 55, "chờ số liệu của Phòng Tài chính"),
    ]
