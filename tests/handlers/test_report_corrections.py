"""A mistaken "Hoàn thành" is corrected in chat by reporting again on the task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def test_in_progress_after_a_mistaken_done_is_what_managers_see_and_history_keeps_both(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    chat = Chat(dispatcher, "100")
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    chat.send("/report I.4")
    chat.press("Hoàn thành")
    chat.press("Hôm nay")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    chat.press("Xác nhận")
    assert "Hoàn thành, 100%" in chat.last
    assert "báo cáo lại nhiệm vụ này trong vòng 7 ngày" in chat.last

    dispatcher.clock.set(datetime(2022, 3, 16, 10, 0, tzinfo=TZ))
    chat.send("/report I.4")
    chat.press("Đang thực hiện")
    chat.send("30")
    chat.send("Chưa xong, báo nhầm")
    chat.press("Bỏ qua")
    chat.press("Xác nhận")
    assert "Đang thực hiện, 30%" in chat.last
    assert "thay thế báo cáo “Hoàn thành” ngày 15/03/2022" in chat.last
    assert "báo cáo mới nhất được tính" in chat.last

    manager = Chat(dispatcher, "200")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    replies = manager.send("/task I.4")
    detail = "\n".join(r.text for r in replies)
    assert "Phòng Nội vụ</b> — 31/03/2022: Đang thực hiện, 30%" in detail
    assert "Hoàn thành đúng hạn" not in detail
    assert "Hoàn thành" in detail and "Chưa xong, báo nhầm" in detail  # the history keeps both reports
