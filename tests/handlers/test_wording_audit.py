"""What a new user's week on the Zalo sandbox found wrong in the wording, checked as they would read
it: whom an absence's reminders really go to, Vietnamese forms instead of format codes and English
words (dates, times of day, goals, half-years, grouped numbers, /ranking's words), and the sandbox's
own commands (/as, a restart on an existing database, /clock on a Monday)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.sandbox import ReadLine
from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.db.models import MemberRole, PlanTarget, Report
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import plain
from dondoc.handlers.figures import syntax
from dondoc.i18n import use_language
from dondoc.plan.dates import read_time_of_day
from dondoc.plan.figures import Period, parse_period
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.targets.helpers import import_targets

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def bound(dispatcher: Dispatcher, engine: Engine, user: str, unit: str, role: MemberRole, name: str) -> Chat:
    chat = Chat(dispatcher, user, name=name)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat


# ---------------------------------------------------------------------- 1. whom an absence goes to


def test_without_deputy_or_own_manager_the_coordinating_units_manager_is_named_as_such(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    focal = bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    bound(dispatcher, engine, "301", "NV", MemberRole.MANAGER, "Lê Thị Mai")  # Phòng Nội vụ: the coordinator
    focal.send("/vangmat 10/4 15/4 đi học lớp bồi dưỡng")
    reply = plain(focal.last)
    assert (
        "nhắc việc của Ủy ban nhân dân xã Xà Phiên chuyển cho đồng chí Lê Thị Mai, lãnh đạo Phòng Nội vụ (đơn vị theo dõi)"
        in reply
    ), reply
    assert "Xà Phiên: lãnh đạo Lê Thị Mai" not in reply and "Xà Phiên: đồng chí" not in reply


def test_the_units_own_manager_is_named_as_its_manager(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    focal = bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    bound(dispatcher, engine, "301", "NV", MemberRole.MANAGER, "Lê Thị Mai")
    bound(dispatcher, engine, "302", "XP", MemberRole.MANAGER, "Đinh Văn Xã")
    focal.send("/vangmat 10/4 15/4")
    reply = plain(focal.last)
    assert "đồng chí Đinh Văn Xã, lãnh đạo đơn vị" in reply and "Lê Thị Mai" not in reply, reply


# ---------------------------------------------------------------------- 2. Vietnamese forms


def test_giahan_asks_for_the_date_in_vietnamese_with_an_example(engine: Engine) -> None:
    focal = bound(make_dispatcher(engine, NOW), engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    focal.send("/giahan I.2")
    assert "ngày/tháng/năm, ví dụ 30/04/2022" in focal.last and "dd/mm" not in focal.last, focal.last


@pytest.mark.parametrize("typed", ["2 giờ chiều", "2h chiều", "14 giờ", "14h"])
def test_nhacviec_takes_the_time_of_day_as_people_say_it(engine: Engine, typed: str) -> None:
    focal = bound(make_dispatcher(engine, NOW), engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    focal.send("/nhacviec giờ")
    assert "giờ:phút, ví dụ 14:30" in focal.last and "HH:MM" not in focal.last, focal.last
    focal.send(typed)
    assert "14:00" in focal.last and "không phải giờ" not in focal.last, focal.last


def test_a_time_that_is_not_one_is_refused_in_vietnamese(engine: Engine) -> None:
    focal = bound(make_dispatcher(engine, NOW), engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    focal.send("/nhacviec giờ 14 giờ sáng")
    assert "không phải giờ trong ngày" in focal.last and "HH:MM" not in focal.last, focal.last


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9 giờ sáng", time(9)), ("8g30", time(8, 30)), ("2 giờ rưỡi chiều", time(14, 30)), ("12 giờ trưa", time(12))],
)
def test_times_of_day_as_written(typed: str, expected: time) -> None:
    assert read_time_of_day(typed) == expected


def test_figures_read_back_thousands_as_written_and_goals_as_signs(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    dispatcher = make_dispatcher(engine, NOW)
    focal = bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    focal.send("HS Q1 1.234/1.200")
    assert "1.234 lớn hơn 1.200" in focal.last, focal.last
    focal.send("HS Q1 1.234/1.281")
    assert "Số hồ sơ giải quyết trước hạn và đúng hạn: 1.234" in focal.last, focal.last
    assert "Số hồ sơ đã giải quyết: 1.281" in focal.last
    manager = bound(dispatcher, engine, "301", "NV", MemberRole.MANAGER, "Lê Thị Mai")
    manager.send("/targets")
    assert "mục tiêu từ 95% trở lên" in manager.last and ">=" not in plain(manager.last), manager.last


def test_the_half_year_is_written_in_words_and_read_back() -> None:
    target = PlanTarget(organization_id=1, code="NB", text="", kind="share", goal="100%", aliases=["NB"])
    with use_language("vi"):
        period = Period(2022, "half-year", 1)
        hint = syntax(target, period)
        assert "«NB 6 tháng đầu năm có»" in hint and "H1" not in hint, hint
        assert parse_period(period.short(), 2022) == period


def test_one_line_figure_with_the_half_year_in_words(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    focal = bound(make_dispatcher(engine, NOW), engine, "300", "XP", MemberRole.FOCAL, "Trần Văn Hùng")
    focal.send("ISO 6 tháng đầu năm có")  # ISO is quarterly: the half-year is read, then refused as such
    assert "“6 tháng đầu năm” không phải là kỳ như vậy" in focal.last, focal.last


@pytest.mark.parametrize("typed", ["quý 1", "quy1", "nua-nam", "6 tháng", "cả năm", "ca-nam kém nhất", "9thang"])
def test_ranking_takes_vietnamese_words(engine: Engine, typed: str) -> None:
    manager = bound(make_dispatcher(engine, NOW), engine, "301", "NV", MemberRole.MANAGER, "Lê Thị Mai")
    manager.send(f"/ranking {typed}")
    assert "Cách dùng" not in manager.last, manager.last


def test_ranking_usage_shows_vietnamese_words(engine: Engine) -> None:
    manager = bound(make_dispatcher(engine, NOW), engine, "301", "NV", MemberRole.MANAGER, "Lê Thị Mai")
    manager.send("/ranking hôm-qua")
    assert "/ranking [quy1|6thang|9thang|canam] [kem]" in manager.last and "half" not in manager.last, manager.last


# ---------------------------------------------------------------------- 3. the sandbox


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def _play(engine: Engine, clock: Clock, lines: list[str]) -> str:
    out = io.StringIO()
    await ZaloSandbox(engine, clock, out).run(_typed(lines))
    return out.getvalue()


async def test_as_alone_lists_the_personas_without_switching(engine: Engine) -> None:
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    text = await _play(engine, clock, ["/as XP", "/as", "/whoami"])
    listing = text.split("Các vai đồng chí có thể đóng:")[1]
    assert "/as XP — đầu mối — Ủy ban nhân dân xã Xà Phiên ← đang đóng" in listing
    assert "/as manager" in listing and "/as NV" in listing
    assert listing.split("\n[", 1)[1].startswith("XP] ›")  # still the focal point of XP


async def test_a_restart_plays_the_same_people_without_typing_the_invite_into_their_conversation(
    engine: Engine,
) -> None:
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await _play(engine, clock, ["/as XP", "/report I.2", "2", "60"])  # left at the note
    text = await _play(engine, clock, ["/as XP", "/quit"])
    after = text.split("Đồng chí đang là: đầu mối — Ủy ban nhân dân xã Xà Phiên")[1]
    assert "🤖" not in after and "Ghi chú" not in text, text  # nothing typed into the open report
    assert "Kính chào" not in text  # nobody registered again
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []


async def test_clock_on_monday_sends_the_managers_weekly_digest(engine: Engine) -> None:
    clock = Clock(datetime(2022, 3, 24, 8, 0, tzinfo=TZ))
    text = await _play(engine, clock, ["/as manager", "/clock 28/03/2022 08:00"])
    assert "Tổng hợp tuần" in text.split("28/03/2022 08:00")[1], text[-3000:]
