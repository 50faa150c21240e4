"""``/giaoviec``: a manager gives a task outside the plan in one line."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.handlers.adhoc import read_deadline
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.extensions.test_bot import bound
from tests.handlers.helpers import make_dispatcher

NOW = datetime(2022, 6, 8, 9, 0, tzinfo=TZ)  # a Wednesday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15/06", date(2022, 6, 15)),
        ("15/6/2022", date(2022, 6, 15)),
        ("thứ Sáu tuần này", date(2022, 6, 10)),
        ("thu 6", date(2022, 6, 10)),
        ("cuối tháng", date(2022, 6, 30)),
        ("ngày mai", date(2022, 6, 9)),
        ("sớm", None),
    ],
)
def test_deadlines_as_people_write_them(typed: str, expected: date | None) -> None:
    assert read_deadline(typed, NOW.date()) == expected


def test_a_manager_gives_a_task_that_status_follows(engine: Engine, sample_store: Dondoc) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    focal = bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Nguyễn Đầu Mối", NOW)
    manager = bound(dispatcher, engine, "301", "NV", MemberRole.MANAGER, "Lê Lãnh Đạo", NOW)
    replies = manager.send("/giaoviec XP, LN Báo cáo tình hình sạt lở hạn 15/06")
    assert "PS.1" in manager.last and "15/06/2022" in manager.last, manager.last
    told = [plain(r.text) for r in replies if r.to is not None and r.to.chat_id == "300"]
    assert told and "Báo cáo tình hình sạt lở" in told[0] and "Lê Lãnh Đạo" in told[0]
    status = sample_store.ok("status", "--at", "2022-06-20", "--json").json()
    items = {(i["unit"], i["category"]) for i in status["items"] if i["task"] == "PS.1"}
    assert items == {("XP", "overdue"), ("LN", "overdue")}
    focal.send("PS.1 xong")
    status = sample_store.ok("status", "--at", "2022-06-20", "--json").json()
    xp = next(i for i in status["items"] if i["task"] == "PS.1" and i["unit"] == "XP")
    assert xp["category"] == "done_on_time"


def test_focal_points_cannot_give_tasks_and_bad_lines_write_nothing(engine: Engine, sample_store: Dondoc) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    focal = bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Nguyễn Đầu Mối", NOW)
    manager = bound(dispatcher, engine, "301", "NV", MemberRole.MANAGER, "Lê Lãnh Đạo", NOW)
    focal.send("/giaoviec XP Báo cáo hạn 15/06")
    assert "/giaoviec" in focal.last
    manager.send("/giaoviec ZZ Báo cáo hạn 15/06")
    assert "ZZ" in manager.last
    manager.send("/giaoviec XP Báo cáo hạn sớm")
    assert "sớm" in manager.last
    manager.send("/giaoviec XP Báo cáo hạn 01/06")
    assert "01/06/2022" in manager.last
    manager.send("/giaoviec XP Báo cáo")
    status = sample_store.ok("status", "--at", "2022-06-20", "--json").json()
    assert not [i for i in status["items"] if i["task"].startswith("PS.")]
