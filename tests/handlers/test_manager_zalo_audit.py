"""What the manager audit on Zalo found: /task on a task every unit leads (a quarterly report) was a line
per unit and deadline — 84 lines, three Zalo messages — for units that had said nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from dondoc.bot.zalo.channel import render
from dondoc.db.models import MemberRole
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MARCH_24 = datetime(2022, 3, 24, 8, 0, tzinfo=TZ)


def _people(engine: Engine) -> tuple[Chat, Chat]:
    """Xà Phiên's focal point and a manager of Phòng Nội vụ, on Zalo."""
    focal = Chat(make_dispatcher(engine, MARCH_24), "700", channel="zalo")
    focal.send(f"/start {invite_code(engine, 'XP', now=MARCH_24)}")
    manager = Chat(focal.dispatcher, "701", name="Trần Văn Hùng", channel="zalo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=MARCH_24)}")
    return focal, manager


def test_task_of_every_unit_fits_one_zalo_message_and_names_the_silent_units_once(engine: Engine) -> None:
    focal, manager = _people(engine)
    focal.send("I.10 50 đang tổng hợp")

    replies = manager.send("/task I.10")
    [state] = replies  # the task's state and its history in one message, not four
    assert len(render(state).parts) == 1
    shown = plain(state.text)
    assert "• 24/03/2022 08:00 · XP · Đang thực hiện 50%" in shown, shown  # the history, below
    assert "Ủy ban nhân dân xã Xà Phiên — 31/03/2022: Đang thực hiện, 50%" in shown
    # the 20 units without a report on the 31/03 quarter: one line, by code
    [silent] = [line for line in shown.splitlines() if "Chưa thực hiện, 0%" in line]
    assert silent.startswith("⏳ 31/03/2022 — Chưa thực hiện, 0%: 20 đơn vị (VP, NV, TP,"), silent
    assert "XP" not in silent and "Phòng Nội vụ" not in shown
    # the later quarters: named once, not a line per unit
    assert "30/06/2022" not in shown.replace("Các hạn sau chưa có báo cáo: 30/06/2022, 30/09/2022, 31/12/2022", "")
    assert "Các hạn sau chưa có báo cáo: 30/06/2022, 30/09/2022, 31/12/2022" in shown


def test_task_keeps_an_overdue_unit_on_its_own_line(engine: Engine) -> None:
    """I.1 is Phòng Nội vụ's alone, overdue since 31/01: its line says so in full."""
    _focal, manager = _people(engine)
    shown = plain(manager.send("/task I.1")[0].text)
    assert "⏰ Phòng Nội vụ — 31/01/2022: Quá hạn, 0%" in shown, shown


def test_status_of_a_commune_names_its_areas_without_deadlines_on_one_line(engine: Engine) -> None:
    """Xà Phiên leads only area I's dated tasks: /status XP said "không có nội dung nào có thời hạn" six
    times, once an area; now once, for II to VII."""
    _focal, manager = _people(engine)
    shown = plain(manager.send("/status XP")[-1].text)
    empty = [line for line in shown.splitlines() if "không có nội dung nào có thời hạn" in line]
    assert empty == ["• II, III, IV, V, VI, VII: không có nội dung nào có thời hạn"], shown
    assert "• I. Công tác chỉ đạo, điều hành cải cách hành chính:" in shown
