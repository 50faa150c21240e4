"""A report left half-done is never dropped without a word: a command, a one-line report or 30 idle
minutes that close it say which report was not saved and the exact line that saves it; an answer
that cannot be read names the open question and /cancel; "Đã hoàn thành" from a reminder asks only
the date; ``hủy`` undoes a just-confirmed /report as it undoes a one-line report."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.zalo.channel import render
from dondoc.db.models import Assignment, MemberRole, Report, Status, Task
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.clock import TZ, Clock
from tests.bot.zalo.conftest import running_zalo
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def _person(engine: Engine, channel: str = "zalo", role: MemberRole = MemberRole.FOCAL, user: str = "300") -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), user, channel=channel)
    chat.send(f"/start {invite_code(engine, 'NV', role, now=NOW)}")
    return chat


def _seen(replies: list[Reply]) -> str:
    """What the person reads, as Zalo shows it (numbered choices included)."""
    return "\n".join(part for reply in replies if reply.to is None for part in render(reply).parts)


def _reports(engine: Engine) -> list[tuple[str, Status, int, date | None]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Report, Task)
            .join(Assignment, col(Assignment.id) == Report.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .order_by(col(Report.id))
        ).all()
    return [(task.code, report.status, report.percent, report.completed_on) for report, task in rows]


@pytest.mark.parametrize("channel", ["zalo", "telegram"])
def test_a_command_in_the_middle_of_a_report_says_it_was_not_saved_and_the_line_that_saves_it(
    engine: Engine, channel: str
) -> None:
    chat = _person(engine, channel)
    chat.send("/report I.11")
    chat.send("hoan thanh")
    note = _seen(chat.send("hom qua"))
    assert "Ngày hoàn thành: 14/03/2022" in note  # "hôm qua" read back as the date it was taken for
    shown = _seen(chat.send("/tasks"))
    assert "Báo cáo I.11 đang làm dở chưa được lưu" in shown
    assert "I.11 xong 14/03/2022" in shown
    assert _reports(engine) == []
    chat.send("I.11 xong 14/03/2022")
    assert _reports(engine) == [("I.11", Status.DONE, 100, date(2022, 3, 14))]


def test_a_date_typed_at_the_note_step_of_a_done_report_corrects_the_completion_date(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.send("hoan thanh")
    chat.send("hom qua")
    shown = _seen(chat.send("13/3"))
    assert "Ngày hoàn thành: 13/03/2022" in shown and "ghi chú" in shown  # the note is asked again
    chat.send("bo qua")
    card = _seen(chat.send("bo qua"))
    assert "Ngày hoàn thành: 13/03/2022" in card and "Ghi chú" not in card
    chat.send("xac nhan")
    assert _reports(engine) == [("I.11", Status.DONE, 100, date(2022, 3, 13))]


def test_after_the_idle_timeout_a_valid_answer_gets_the_exact_line_that_saves_the_report(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.send("2")
    chat.dispatcher.clock.advance(timedelta(minutes=31))
    replies = chat.send("60")
    shown = _seen(replies)
    assert "Báo cáo I.11" in shown and "quá 30 phút" in shown
    assert "I.11 60" in shown
    assert len(replies) == 1  # no generic "type /report…" after it
    assert _reports(engine) == []
    chat.send("I.11 60")
    assert _reports(engine) == [("I.11", Status.IN_PROGRESS, 60, None)]


def test_after_the_idle_timeout_a_one_line_report_is_recorded(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.send("2")
    chat.dispatcher.clock.advance(timedelta(minutes=45))
    shown = _seen(chat.send("I.8 40"))
    assert "Báo cáo I.11" in shown and "/report I.11" in shown
    assert "Đã ghi nhận" in shown
    assert _reports(engine) == [("I.8", Status.IN_PROGRESS, 40, None)]


def test_a_manager_whose_open_list_timed_out_hears_nothing_about_a_report(engine: Engine) -> None:
    chat = _person(engine, role=MemberRole.MANAGER, user="301")
    chat.send("/lang")  # a choice of language left open
    chat.dispatcher.clock.advance(timedelta(hours=2))
    shown = _seen(chat.send("/status"))
    assert "Báo cáo" not in shown.split("\n", 1)[0] and "làm dở" not in shown
    assert "quá 30 phút" not in shown


def test_a_one_line_report_at_the_evidence_step_is_recorded_and_the_open_report_is_named(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.send("hoan thanh")
    chat.send("hom qua")
    chat.send("bo qua")
    shown = _seen(chat.send("I.8 60 dang lam"))
    assert "Đã ghi nhận" in shown and "I.8" in shown
    assert "Báo cáo I.11 đang làm dở chưa được lưu" in shown and "I.11 xong 14/03/2022" in shown
    assert _reports(engine) == [("I.8", Status.IN_PROGRESS, 60, None)]
    chat.send("hủy")  # the one-line report, as always
    assert [status for _code, status, _p, _d in _reports(engine)] == [Status.IN_PROGRESS, Status.NOT_STARTED]


def test_a_one_line_report_on_the_same_task_replaces_the_open_report(engine: Engine) -> None:
    chat = _person(engine, channel="telegram")
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    shown = _seen(chat.send("I.11 70 đã xong dự thảo"))
    assert "Đã ghi nhận" in shown and "chưa được lưu" not in shown
    assert _reports(engine) == [("I.11", Status.IN_PROGRESS, 70, None)]
    assert "ghi chú" not in _seen(chat.send("bo qua"))  # the report conversation is closed


def test_an_answer_that_cannot_be_read_names_the_open_question_and_cancel_in_one_message(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.send("hoan thanh")
    chat.send("hom nay")
    chat.send("bo qua")
    replies = [reply for reply in chat.send("chưa có ảnh") if reply.text]
    assert len(replies) == 1  # one Zalo message, not two
    shown = _seen(replies)
    assert "chưa hiểu" in shown and "I.11" in shown and "/cancel" in shown
    assert "minh chứng" in shown  # the open question, asked again


async def test_done_from_a_reminder_on_zalo_asks_only_the_date(engine: Engine) -> None:
    monday = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 and I.8 are due in 7 days
    async with running_zalo(engine, Clock(monday - timedelta(hours=1), frozen=True)) as zalo:
        lan = await zalo.bound("NV")
        zalo.app.reminders.schedule()
        zalo.clock.set(monday)
        before = len(lan.messages)
        await zalo.app.reminders.tick()
        [digest] = await zalo.settle(lan, before)
        assert "2. 📝 I.8" in digest
        [asked] = await zalo.say(lan, "2c")
    assert "I.8" in asked and "ngày nào" in asked
    assert "Tình trạng thực hiện?" not in asked and "Chưa thực hiện" not in asked


def test_huy_right_after_a_confirmed_report_undoes_it(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.send("2")
    chat.send("60")
    chat.send("bo qua")
    chat.send("bo qua")
    assert "Gõ hủy trong 10 phút" in plain(chat.send("xac nhan")[-1].text)  # the confirmation says so
    shown = plain(chat.send("hủy")[0].text)
    assert "Đã hủy báo cáo lúc 09:00" in shown and "10 phút" not in shown
    assert [(c, s, p) for c, s, p, _d in _reports(engine)] == [
        ("I.11", Status.IN_PROGRESS, 60),
        ("I.11", Status.NOT_STARTED, 0),
    ]
    assert "Không có báo cáo" in plain(chat.send("hủy")[0].text)  # once only


def test_a_note_that_starts_with_a_task_code_is_the_note(engine: Engine) -> None:
    """At the note step free text is the answer: a note that happens to start like a one-line report
    ("I.2 xong phần dự thảo") is kept as the note, not recorded as a report of its own."""
    chat = Chat(make_dispatcher(engine, NOW), "220")
    chat.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    chat.send("/report I.2")
    chat.press("Đang thực hiện")
    chat.send("60")
    chat.send("I.2 xong phần dự thảo, đang lấy ý kiến")
    assert "minh chứng" in chat.last  # the next question: the note was taken
    chat.press("Bỏ qua")
    assert "I.2 xong phần dự thảo, đang lấy ý kiến" in chat.last  # read back in the confirmation
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []  # nothing recorded before the confirmation


def test_a_blocked_report_left_unfinished_gets_the_line_that_saves_it(engine: Engine) -> None:
    """Vướng mắc: the reason and the percentage given so far are not lost — the line that saves them
    is a one-line report, and typing it records the same blocked report."""
    chat = _person(engine, "zalo")
    chat.send("/report I.11")
    chat.send("4")  # Vướng mắc
    chat.send("40")  # how far it got, then what blocks it
    chat.send("chờ ý kiến của Phòng Tài chính - Kế hoạch")
    shown = _seen(chat.send("/whoami"))
    assert "I.11 vướng 40% chờ ý kiến của Phòng Tài chính - Kế hoạch" in shown, shown
    chat.send("I.11 vướng 40% chờ ý kiến của Phòng Tài chính - Kế hoạch")
    assert _reports(engine) == [("I.11", Status.BLOCKED, 40, None)]


def test_a_one_line_report_on_another_task_at_the_note_step_is_that_tasks_report(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.2")
    chat.send("hoan thanh")
    chat.send("hom qua")  # the note question comes next
    shown = _seen(chat.send("I.11 60 dang lam"))
    assert "I.2" in shown and "chưa được lưu" in shown  # the open report is named, with its line
    assert [(code, status, percent) for code, status, percent, _day in _reports(engine)] == [
        ("I.11", Status.IN_PROGRESS, 60)
    ]
