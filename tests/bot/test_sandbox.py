"""The sandbox, driven as a person types into it: numbered buttons, /as, /clock."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.db.models import Report, Status
from dondoc.scheduler.clock import TZ, Clock


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def test_a_focal_point_reports_by_typing_button_numbers_and_the_manager_sees_it(engine: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    script = ["/report I.2", "2", "60", "Đã ban hành Công văn số 45/UBND-NV", "1", "1", "/as manager", "/status"]
    await Sandbox(engine, clock, out).run(_typed(script))
    text = out.getvalue()
    assert "[2] Đang thực hiện" in text
    assert "Văn bản: 45/UBND-NV" in text
    assert "Đã ghi nhận: I.2 — Đang thực hiện, 60%" in text
    assert "🔄 Đang thực hiện: 1" in text
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
    assert (report.status, report.percent) == (Status.IN_PROGRESS, 60)


async def test_clock_moves_the_simulated_time(engine: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await Sandbox(engine, clock, out).run(_typed(["/clock 24/01/2022 08:00", "/clock 31/02/2022"]))
    assert clock.now().date().isoformat() == "2022-01-24"
    assert "24/01/2022 08:00" in out.getvalue()
    assert "Cách dùng: /clock ngày/tháng/năm giờ:phút" in out.getvalue()


async def test_a_day_or_time_that_does_not_exist_is_named(engine: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await Sandbox(engine, clock, out).run(_typed(["/clock 31/02/2022 08:00", "/clock 24/01/2022 25:00"]))
    assert clock.now().date().isoformat() == "2022-03-15"  # unmoved
    assert "31/02/2022" in out.getvalue() and "không có ngày" in out.getvalue().lower()
    assert "Không có giờ 25:00 trong ngày" in out.getvalue()


async def test_moving_the_clock_shows_the_reminders_due_then(engine: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    script = ["/clock 24/01/2022 08:00", "/clock 29/01/2022 09:00", "/clock 07/02/2022 08:00"]
    await Sandbox(engine, clock, out).run(_typed(script))
    text = out.getvalue()
    first, saturday, overdue = text.split("Thời gian mô phỏng")[2:5]
    assert "Nhắc việc" in first and "I.1 " in first and "còn 7 ngày" in first
    assert "[2] Nhắc lại sau" in first
    assert "Ngoài giờ hành chính" in saturday and "Nhắc việc" not in saturday
    assert "quá hạn 7 ngày" in overdue
