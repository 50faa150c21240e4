"""A focal point reports progress in a short conversation, by buttons or by typing."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import MemberRole, Report, Status
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def _focal_point(engine: Engine, unit: str = "NV", user_id: str = "100") -> Chat:
    dispatcher = make_dispatcher(engine, NOW)
    chat = Chat(dispatcher, user_id)
    chat.send(f"/start {invite_code(engine, unit, now=NOW)}")
    return chat


def test_a_focal_point_binds_with_an_invite_and_is_greeted_by_unit(engine: Engine) -> None:
    chat = _focal_point(engine)
    assert "Phòng Nội vụ" in chat.last
    assert "đầu mối" in chat.last
    chat.send("/whoami")
    assert "Phòng Nội vụ" in chat.last


def test_a_focal_point_reports_in_progress_60_percent_with_a_note(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report")
    chat.press("I.11")
    assert chat.buttons() == ["Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Vướng mắc"]
    chat.press("Đang thực hiện")
    chat.send("60%")
    chat.send("Đã ban hành Kế hoạch số 15/KH-UBND")
    chat.press("Bỏ qua")
    assert "Đang thực hiện — 60%" in chat.last
    assert "15/KH-UBND" in chat.last
    chat.press("Xác nhận")
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
    assert (report.status, report.percent, report.evidence_ref) == (Status.IN_PROGRESS, 60, "15/KH-UBND")
    assert report.note == "Đã ban hành Kế hoạch số 15/KH-UBND"


def test_everything_can_be_typed_without_diacritics(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.send("hoan thanh")
    assert "ngày nào" in chat.last
    chat.send("10/03/2022")
    chat.send("bo qua")
    chat.send("bo qua")
    chat.send("xac nhan")
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
    assert (report.status, report.percent, str(report.completed_on)) == (Status.DONE, 100, "2022-03-10")


def test_a_stale_or_forged_button_changes_nothing(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    chat.press_data("1:1")
    assert "không còn hiệu lực" in chat.last
    stranger = Chat(chat.dispatcher, "999")
    stranger.press_data("5:1")
    stranger.send("/report")
    assert "mã mời" in stranger.last
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []


def test_blocked_asks_what_blocks_it_and_alerts_the_managers(engine: Engine) -> None:
    chat = _focal_point(engine, "XP", "300")
    manager = Chat(chat.dispatcher, "301")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    chat.send("/report I.2")
    chat.press("Vướng mắc")
    chat.press("25%")
    assert "vướng mắc" in chat.last.lower()
    replies = chat.send("Chưa có hướng dẫn của tỉnh")
    chat.press("Bỏ qua")
    replies = chat.press("Xác nhận")
    alerts = [r for r in replies if r.to is not None]
    assert len(alerts) == 1 and alerts[0].to is not None and alerts[0].to.chat_id == "301"
    assert "Chưa có hướng dẫn của tỉnh" in alerts[0].text
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
    assert (report.status, report.blocked_reason) == (Status.BLOCKED, "Chưa có hướng dẫn của tỉnh")


def test_evidence_is_a_photo_or_a_pdf_and_history_lists_every_report(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    chat.press("50%")
    chat.press("Bỏ qua")
    chat.upload("document", "bang-tinh.xlsx", "application/vnd.ms-excel")
    assert "ảnh hoặc tệp PDF" in chat.last
    chat.upload("document", "bao-cao.pdf", "application/pdf")
    assert "Minh chứng: tệp bao-cao.pdf" in chat.last
    chat.press("Xác nhận")
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    chat.send("80")
    chat.send("Đã hoàn thiện dự thảo")
    chat.upload("photo")
    chat.press("Sửa")
    chat.press("Hoàn thành")
    chat.press("Hôm nay")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    chat.press("Xác nhận")
    chat.send("/history I.11")
    lines = [line for line in chat.last.splitlines() if line.startswith("•")]
    assert len(lines) == 2
    assert "Đang thực hiện 50%" in lines[0] and "Hoàn thành 100%" in lines[1]


def test_managers_see_a_unit_typed_any_way_the_overdue_list_a_task_and_nonresponders(engine: Engine) -> None:
    chat = _focal_point(engine, "XP", "400")
    chat.send("/report I.2")
    chat.press("Đang thực hiện")
    chat.send("40")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    chat.press("Xác nhận")
    manager = Chat(chat.dispatcher, "401")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    manager.send("/status xa phien")
    assert "Ủy ban nhân dân xã Xà Phiên" in manager.last and "Đang thực hiện: 1" in manager.last
    # nothing of Xà Phiên's is done or overdue yet: the rate is undefined, not 0 % (a decimal comma once defined)
    assert re.search(r"Tỷ lệ đúng hạn: — \(chưa có nội dung nào hoàn thành hoặc quá hạn\)", manager.last), manager.last
    manager.send("/overdue")
    assert "Phòng Nội vụ" in manager.last and "I.1 (31/01 0%)" in manager.last
    manager.send("/task I.2")
    assert "Ủy ban nhân dân xã Xà Phiên — 31/03/2022: Đang thực hiện, 40%" in plain(manager.history[-2].text)
    manager.send("/nonresponders")
    unreachable = [line for line in manager.last.splitlines() if line.startswith("• 🔕")]  # marked once, on its line
    assert any("Phòng Nội vụ" in line for line in unreachable)  # only a manager there
    assert not [line for line in unreachable if "Xà Phiên" in line]
    for line in manager.last.splitlines():
        assert len(line) < 400
