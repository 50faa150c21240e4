"""One-line reports: one message in (``I.2 60``, ``I.2 xong 28/01 …``, ``I.2 vướng …``), one out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.sandbox import Sandbox
from dondoc.db.models import MemberRole, Report, Status
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ, Clock
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def _focal_point(engine: Engine, unit: str = "XP", user_id: str = "300") -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), user_id)
    chat.send(f"/start {invite_code(engine, unit, now=NOW)}")
    return chat


def _reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))).all())


@pytest.mark.parametrize(
    ("line", "status", "percent", "note"),
    [
        ("I.2 60", Status.IN_PROGRESS, 60, ""),
        ("I.2 60% đã trình dự thảo", Status.IN_PROGRESS, 60, "đã trình dự thảo"),
        ("i.2 45 da trinh du thao", Status.IN_PROGRESS, 45, "da trinh du thao"),
        ("I.2 xong", Status.DONE, 100, ""),
        ("I.2 hoàn thành", Status.DONE, 100, ""),
        ("I.2 hoan thanh", Status.DONE, 100, ""),
        ("I.2 100", Status.DONE, 100, ""),
        ("I.2 Xong đã ban hành", Status.DONE, 100, "đã ban hành"),
        ("I.2 chưa", Status.NOT_STARTED, 0, ""),
        ("I.2 chua thuc hien", Status.NOT_STARTED, 0, ""),
        ("I.2 0", Status.NOT_STARTED, 0, ""),
    ],
)
def test_a_one_line_report_is_recorded_at_once_and_read_back(
    engine: Engine, line: str, status: Status, percent: int, note: str
) -> None:
    chat = _focal_point(engine)
    replies = chat.send(line)
    assert len(replies) == 1
    [report] = _reports(engine)
    assert (report.status, report.percent, report.note) == (status, percent, note)
    if status == Status.DONE:
        assert report.completed_on == date(2022, 3, 15)
    assert "I.2" in chat.last and "Xà Phiên" in chat.last and f"{percent}%" in chat.last
    assert "hủy trong 10 phút" in chat.last


def test_done_on_a_date_with_a_document_number_as_evidence(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.2 xong 28/01/2022 Quyết định số 120/QĐ-UBND")
    [report] = _reports(engine)
    assert (report.status, report.completed_on, report.evidence_ref) == (Status.DONE, date(2022, 1, 28), "120/QĐ-UBND")
    assert "28/01/2022" in chat.last and "120/QĐ-UBND" in chat.last
    chat.send("I.2 xong 28/01")
    assert _reports(engine)[-1].completed_on == date(2022, 1, 28)


@pytest.mark.parametrize("line", ["I.2 xong 20/03/2022", "I.2 xong 15/03/2021"])
def test_a_completion_date_in_the_future_or_before_the_plan_year_records_nothing(engine: Engine, line: str) -> None:
    chat = _focal_point(engine)
    chat.send(line)
    assert _reports(engine) == []
    assert "Chưa lưu gì" in chat.last
    assert ("chưa đến" in chat.last) or ("trước năm" in chat.last)


def test_blocked_records_the_reason_and_alerts_the_managers(engine: Engine) -> None:
    chat = _focal_point(engine)
    manager = Chat(chat.dispatcher, "301")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    replies = chat.send("I.2 vuong chờ ý kiến Sở Nội vụ")
    alerts = [r for r in replies if r.to is not None]
    assert len(alerts) == 1 and alerts[0].to is not None and alerts[0].to.chat_id == "301"
    assert "chờ ý kiến Sở Nội vụ" in alerts[0].text
    [report] = _reports(engine)
    assert (report.status, report.blocked_reason) == (Status.BLOCKED, "chờ ý kiến Sở Nội vụ")
    chat.send("I.2 vướng mắc thiếu kinh phí")
    assert _reports(engine)[-1].blocked_reason == "thiếu kinh phí"


@pytest.mark.parametrize("line", ["I.2 xongg roi", "I.2 dang lam", "I.2 150", "I.2 vướng"])
def test_what_does_not_parse_gets_the_syntax_and_records_nothing(engine: Engine, line: str) -> None:
    chat = _focal_point(engine)
    chat.send(line)
    assert _reports(engine) == []
    assert "I.2 60" in chat.last and "I.2 xong" in chat.last


def test_the_nearest_guess_is_offered(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.2 xongg")
    assert "«I.2 xong»" in chat.last
    chat.send("I.2 vuongg cho y kien")  # the guess is shown as people write it, with its diacritics
    assert "«I.2 vướng»" in chat.last


def test_undo_within_10_minutes_appends_a_cancelling_report(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.2 40")
    chat.dispatcher.clock.advance(timedelta(minutes=1))
    chat.send("I.2 xong")
    chat.dispatcher.clock.advance(timedelta(minutes=9))
    chat.send("hủy")
    reports = _reports(engine)
    assert [(r.status, r.percent) for r in reports] == [
        (Status.IN_PROGRESS, 40),
        (Status.DONE, 100),
        (Status.IN_PROGRESS, 40),
    ]
    assert reports[2].corrects_report_id == reports[1].id and "09:01" in reports[2].note
    chat.send("/history I.2")
    assert len([line for line in chat.last.splitlines() if line.startswith("•")]) == 3
    manager = Chat(chat.dispatcher, "301")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    manager.send("/task I.2")
    assert "Xà Phiên — 31/03/2022: Đang thực hiện, 40%" in plain(manager.history[-2].text)


def test_undo_with_nothing_before_restores_not_started(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.2 60")
    chat.send("huy")
    assert [(r.status, r.percent) for r in _reports(engine)] == [(Status.IN_PROGRESS, 60), (Status.NOT_STARTED, 0)]
    chat.send("huy")  # once only
    assert len(_reports(engine)) == 2


def test_undo_does_not_overwrite_a_newer_report_by_someone_else(engine: Engine) -> None:
    chat = _focal_point(engine)
    deputy = Chat(chat.dispatcher, "302")
    deputy.send(f"/start {invite_code(engine, 'XP', MemberRole.DEPUTY, now=NOW)}")
    chat.send("I.2 60")
    deputy.send("I.2 80")
    chat.send("hủy")
    assert [(r.status, r.percent) for r in _reports(engine)] == [(Status.IN_PROGRESS, 60), (Status.IN_PROGRESS, 80)]
    assert "báo cáo mới hơn" in chat.last


def test_undo_after_10_minutes_is_refused(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.2 60")
    chat.dispatcher.clock.advance(timedelta(minutes=11))
    chat.send("hủy")
    assert len(_reports(engine)) == 1
    assert "10 phút" in chat.last


def test_a_code_of_another_units_task_is_not_recorded(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.4 60")
    assert _reports(engine) == []
    assert "không có nhiệm vụ I.4" in chat.last


def test_a_typed_note_is_escaped(engine: Engine) -> None:
    chat = _focal_point(engine)
    replies = chat.send("I.2 60 <b>gấp</b>")
    assert "&lt;b&gt;gấp&lt;/b&gt;" in replies[0].text
    assert _reports(engine)[0].note == "<b>gấp</b>"


def test_a_code_alone_still_opens_the_report_conversation_at_its_task_step(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report")
    chat.send("I.2")
    assert chat.buttons() == ["Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Vướng mắc"]
    assert _reports(engine) == []


def test_help_shows_the_one_line_syntax(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/help")
    assert "xong" in chat.last and "vướng" in chat.last


async def test_the_sandbox_digest_shows_the_syntax_and_takes_a_one_line_report(engine: Engine) -> None:
    out = io.StringIO()
    lines: Iterator[str] = iter(["/clock 24/01/2022 08:00", "I.1 60 đã trình dự thảo", "hủy"])

    async def read() -> str | None:
        return next(lines, None)

    await Sandbox(engine, Clock(datetime(2022, 1, 24, 7, 0, tzinfo=TZ)), out).run(read)
    text = out.getvalue()
    assert "Báo cáo nhanh: gõ «I.1 60» hoặc «I.1 xong»" in text
    assert "Đã ghi nhận: I.1" in text and "Đang thực hiện 60%" in text
    assert "Đã hủy báo cáo lúc 08:00" in text
    assert [(r.status, r.percent) for r in _reports(engine)] == [(Status.IN_PROGRESS, 60), (Status.NOT_STARTED, 0)]


@pytest.mark.parametrize("line", ["I.99 xong", "i.22 60", "IX.1 vướng chờ kinh phí", "3.1 chưa"])
def test_a_report_on_a_code_no_task_has_says_so_and_records_nothing(engine: Engine, line: str) -> None:
    chat = _focal_point(engine)
    chat.send(line)
    assert _reports(engine) == []
    code = line.split()[0]
    assert f"Kế hoạch không có nhiệm vụ {code}" in chat.last and "Chưa lưu gì" in chat.last, chat.last
    assert "/tasks" in chat.last


def test_the_nearest_of_ones_own_codes_is_offered_for_a_mistyped_code(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.22 60")
    assert "I.2" in chat.last.split("\n")[1]


def test_a_line_that_is_no_report_still_gets_the_usual_answer(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("I.99 chào đồng chí")
    assert "Kế hoạch không có nhiệm vụ" not in chat.last
