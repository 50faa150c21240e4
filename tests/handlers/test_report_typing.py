"""The report conversation read as a person types it: on Zalo (no buttons) the percent step takes a
typed number as a percentage and says so; a number over 100 is named; a blocker typed too early is
kept; "hôm nay" is a completion date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.zalo.channel import render
from dondoc.db.models import Report, Status
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def _focal_point(engine: Engine, channel: str = "test") -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), "100", channel=channel)
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    return chat


def _reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report)).all())


def _zalo_text(replies: list[Reply]) -> str:
    return "\n".join(part for reply in replies for part in render(reply).parts)


def test_on_zalo_the_percent_step_offers_no_numbered_choices_and_a_typed_number_is_the_percentage(
    engine: Engine,
) -> None:
    chat = _focal_point(engine, channel="zalo")
    shown = _zalo_text(chat.send("/report I.11"))
    assert "2. Đang thực hiện" in shown
    shown = _zalo_text(chat.send("2"))
    assert "từ 0 đến 100" in shown
    assert "bấm" not in shown
    assert not any(line.startswith(("1.", "4.")) for line in shown.splitlines()), shown
    chat.send("4")
    chat.send("bo qua")
    shown = _zalo_text(chat.send("bo qua"))
    assert "Đang thực hiện — 4%" in shown
    chat.send("xac nhan")
    assert [(r.status, r.percent) for r in _reports(engine)] == [(Status.IN_PROGRESS, 4)]


def test_zalo_prompts_of_the_report_never_say_tap(engine: Engine) -> None:
    chat = _focal_point(engine, channel="zalo")
    said = [_zalo_text(chat.send("/report")), _zalo_text(chat.send("I.11")), _zalo_text(chat.send("hoan thanh"))]
    said.append(_zalo_text(chat.send("hôm nay")))
    said.append(_zalo_text(chat.send("bo qua")))
    assert "ảnh" in said[-1] and "PDF" not in said[-1]  # Zalo carries photos, not documents
    assert not [text for text in said if "bấm" in text], said


def test_a_percentage_over_100_is_named_and_nothing_moves_on(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    chat.send("150")
    assert "150 không phải là tỷ lệ phần trăm" in chat.history[-2].text
    assert "0 đến 100" in chat.history[-2].text
    assert chat.buttons() == ["25%", "50%", "75%", "100%"]  # asked again
    chat.send("60")
    assert "ghi chú" in chat.last.lower()


def test_a_blocker_typed_at_the_percent_step_is_kept_and_shown_once(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.press("Vướng mắc")
    assert "vướng mắc là gì" in chat.last  # the question says the blocker comes next
    chat.send("Chờ hướng dẫn của Sở Nội vụ")
    assert "Đã ghi nhận vướng mắc: Chờ hướng dẫn của Sở Nội vụ" in plain(chat.history[-2].text)
    assert "phần trăm" in chat.last and "vướng mắc là gì" not in chat.last
    chat.send("30")
    assert "minh chứng" in chat.last  # not asked the blocker a second time
    chat.press("Bỏ qua")
    assert chat.last.count("Chờ hướng dẫn của Sở Nội vụ") == 1, chat.last
    assert "Vướng mắc — 30%" in chat.last
    chat.press("Xác nhận")
    [report] = _reports(engine)
    assert (report.status, report.percent, report.blocked_reason) == (
        Status.BLOCKED,
        30,
        "Chờ hướng dẫn của Sở Nội vụ",
    )


def test_the_blocker_asked_after_the_percentage_is_shown_once_too(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.press("Vướng mắc")
    chat.send("20")
    chat.send("Thiếu kinh phí")
    chat.press("Bỏ qua")
    assert chat.last.count("Thiếu kinh phí") == 1, chat.last


def test_changing_a_blocked_report_to_in_progress_drops_the_blocker(engine: Engine) -> None:
    chat = _focal_point(engine)
    chat.send("/report I.11")
    chat.press("Vướng mắc")
    chat.send("20")
    chat.send("Thiếu kinh phí")
    chat.press("Bỏ qua")
    chat.press("Sửa")
    chat.press("Đang thực hiện")
    chat.send("50")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    assert "Vướng mắc" not in chat.last and "Thiếu kinh phí" not in chat.last
    chat.press("Xác nhận")
    [report] = _reports(engine)
    assert (report.status, report.percent, report.blocked_reason) == (Status.IN_PROGRESS, 50, "")


def test_today_and_yesterday_are_completion_dates_when_typed(engine: Engine) -> None:
    chat = _focal_point(engine)
    for typed, day in (("hôm nay", date(2022, 3, 15)), ("Hom qua", date(2022, 3, 14))):
        chat.send("/report I.11")
        chat.press("Hoàn thành")
        chat.send(typed)
        assert "ghi chú" in chat.last.lower()
        chat.press("Bỏ qua")
        chat.press("Bỏ qua")
        assert f"Ngày hoàn thành: {day:%d/%m/%Y}" in chat.last
        chat.press("Xác nhận")
    assert [r.completed_on for r in _reports(engine)] == [date(2022, 3, 15), date(2022, 3, 14)]
