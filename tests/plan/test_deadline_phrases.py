"""Deadline wordings of real plans: the day inside a repeating period, work on demand, the start /
middle / end of a period, Tết, the "Quí" spelling and report periods in parentheses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from dondoc.i18n import use_language
from dondoc.plan.deadlines import Deadline, DeadlineError, Every, MissingYear, parse_deadline


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_language("en"):
        yield


def monthly(year: int, day: int) -> tuple[date, ...]:
    """The ``day`` of each month of ``year``, cut to the month's length."""
    return tuple(date(year, m, min(day, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)) for m in range(1, 13))


def recurring(text: str, year: int | None) -> tuple[Every | None, tuple[date, ...]]:
    deadline = parse_deadline(text, year)
    assert deadline.kind == "recurring", deadline
    return deadline.every, deadline.dates


def fixed(text: str, year: int | None) -> tuple[date, ...]:
    deadline = parse_deadline(text, year)
    assert (deadline.kind, deadline.every) == ("fixed", None), deadline
    return deadline.dates


# --- the day inside a repeating period ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Trước ngày 25 hằng tháng",
        "Ngày 25 hằng tháng",
        "ngay 25 hang thang",
        "Chậm nhất ngày 25 hàng tháng",
        "Hằng tháng (trước ngày 25)",
        "Hằng tháng, trước ngày 25",
        "Báo cáo định kỳ hằng tháng trước ngày 25 của tháng",
        "Trước ngày 25 mỗi tháng",
    ],
)
@pytest.mark.parametrize("year", [2025, 2026])
def test_a_day_of_each_month(text: str, year: int) -> None:
    assert recurring(text, year) == ("month", monthly(year, 25))


def test_a_day_past_a_short_month_is_its_last_day() -> None:
    every, dates = recurring("Hằng tháng, trước ngày 31", 2025)
    assert every == "month"
    assert dates[1] == date(2025, 2, 28) and dates[3] == date(2025, 4, 30) and dates[11] == date(2025, 12, 31)
    assert recurring("Ngày 30 hằng tháng", 2024)[1][1] == date(2024, 2, 29)


def test_a_day_of_the_next_month() -> None:
    # The December report is due in January of the next year.
    assert recurring("Hằng tháng, báo cáo trước ngày 5 tháng sau", 2025) == (
        "month",
        (*(date(2025, m, 5) for m in range(2, 13)), date(2026, 1, 5)),
    )


QUARTER_15_2025 = (date(2025, 3, 15), date(2025, 6, 15), date(2025, 9, 15), date(2025, 12, 15))


@pytest.mark.parametrize(
    "text",
    [
        "Hằng quý, trước ngày 15 tháng cuối quý",
        "Báo cáo định kỳ hằng quý trước ngày 15 của tháng cuối quý",
        "Trước ngày 15 của tháng cuối quý",  # the position names the period: quarterly without "hằng quý"
        "trước ngày 15 tháng cuối mỗi quý",
        "Hằng quí, trước ngày 15 tháng cuối quí",
        "Định kỳ hằng quý (trước ngày 15)",  # a bare day: the period's last month
        "Hằng quý, chậm nhất ngày 15 của tháng cuối kỳ báo cáo",
    ],
)
def test_a_day_of_the_last_month_of_each_quarter(text: str) -> None:
    assert recurring(text, 2025) == ("quarter", QUARTER_15_2025)


def test_a_day_of_the_first_month_of_the_next_quarter() -> None:
    assert recurring("Trước ngày 10 tháng đầu quý sau", 2026) == (
        "quarter",
        (date(2026, 4, 10), date(2026, 7, 10), date(2026, 10, 10), date(2027, 1, 10)),
    )


@pytest.mark.parametrize(
    ("text", "every", "expected"),
    [
        ("Định kỳ 6 tháng, trước ngày 15 tháng cuối kỳ", "half-year", (date(2025, 6, 15), date(2025, 12, 15))),
        ("Định kỳ 6 tháng (trước ngày 20/6 và 20/12)", "half-year", (date(2025, 6, 20), date(2025, 12, 20))),
        ("Hằng năm, trước ngày 20 tháng cuối năm", "year", (date(2025, 12, 20),)),
        ("Cuối mỗi quý", "quarter", (date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31))),
        ("Đầu mỗi quý", "quarter", (date(2025, 1, 31), date(2025, 4, 30), date(2025, 7, 31), date(2025, 10, 31))),
        ("Đầu hằng tháng", "month", monthly(2025, 10)),
    ],
)
def test_other_days_inside_periods(text: str, every: Every, expected: tuple[date, ...]) -> None:
    assert recurring(text, 2025) == (every, expected)


def test_a_date_written_for_one_period_still_wins() -> None:
    every, dates = recurring("Trước ngày 20 hằng tháng; tổng kết năm trước 10/12", 2025)
    assert every == "month"
    assert dates == (*monthly(2025, 20)[:11], date(2025, 12, 10))


def test_two_dates_without_a_repeat_word_stay_two_dates() -> None:
    assert fixed("Trước ngày 20/6 và 20/12", 2025) == (date(2025, 6, 20), date(2025, 12, 20))


def test_a_repeating_day_needs_a_year() -> None:
    with pytest.raises(MissingYear):
        parse_deadline("Trước ngày 25 hằng tháng", None)


@pytest.mark.parametrize(("text", "message"), [("Ngày 32 hằng tháng", "invalid date: 32")])
def test_an_impossible_day_in_a_period_is_named(text: str, message: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, 2025)
    assert str(caught.value) == message


def test_a_bare_day_with_no_period_is_not_read() -> None:
    with pytest.raises(DeadlineError, match=r"^unrecognised deadline$"):
        parse_deadline("Trước ngày 20", 2025)


# --- on demand, at someone else's pace --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Khi có yêu cầu",
        "Khi có yêu cầu của UBND tỉnh",
        "KHI CO YEU CAU",
        "Theo yêu cầu",
        "Theo yêu cầu của cấp trên",
        "Khi phát sinh",
        "Khi có phát sinh",
        "Khi cần thiết",
        "Mỗi khi có văn bản mới",
        "Ngay sau mỗi đợt thiên tai",
        "Theo kế hoạch",
        "Theo kế hoạch của Ban Chỉ đạo",
        "Theo quy định",
        "Theo qui định",
        "Theo hướng dẫn của Bộ",
        "Theo chỉ đạo",
        "Theo tiến độ của dự án",
        # The issue date of the plan followed is no deadline.
        "Theo Kế hoạch số 15/KH-UBND ngày 20/01/2025 của UBND tỉnh",
        "Theo KH 15/KH-UBND của UBND tỉnh ngày 20/01/2025",
    ],
)
@pytest.mark.parametrize("year", [2025, None])
def test_on_demand_and_at_someone_elses_pace_are_continuous(text: str, year: int | None) -> None:
    assert parse_deadline(text, year) == Deadline(text, "continuous", None, ())


def test_a_date_beside_on_demand_work_wins() -> None:
    assert fixed("Khi có yêu cầu, chậm nhất 30/9/2025", None) == (date(2025, 9, 30),)


@pytest.mark.parametrize(
    "text",
    [
        "Sau khi hoàn thành rà soát",
        "Tết Trung thu",
        "(Kèm theo Kế hoạch số 30/KH-UBND của UBND tỉnh)",
    ],
)
def test_once_after_other_work_is_still_refused(text: str) -> None:
    with pytest.raises(DeadlineError, match=r"^unrecognised deadline$"):
        parse_deadline(text, 2025)


# --- start, middle and end of a period --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đầu tháng 7", date(2025, 7, 10)),
        ("Giữa tháng 7", date(2025, 7, 15)),
        ("Cuối tháng 7", date(2025, 7, 31)),
        ("Cuối tháng 2/2024", date(2024, 2, 29)),
        ("Thượng tuần tháng 7", date(2025, 7, 10)),
        ("Trung tuần tháng 7", date(2025, 7, 20)),
        ("Hạ tuần tháng 9", date(2025, 9, 30)),
        ("Tuần đầu tháng 7/2025", date(2025, 7, 7)),
        ("Trong tuần đầu tiên của tháng 7", date(2025, 7, 7)),
        ("Tuần thứ hai của tháng 7", date(2025, 7, 14)),
        ("Tuần thứ 3 tháng 7", date(2025, 7, 21)),
        ("Tuần cuối tháng 2/2024", date(2024, 2, 29)),
        ("Đầu quý III/2025", date(2025, 7, 31)),
        ("Giữa quý III", date(2025, 8, 31)),
        ("Cuối quý III", date(2025, 9, 30)),
        ("Cuối quí 3", date(2025, 9, 30)),
        ("Đầu quý I", date(2025, 1, 31)),
        ("Đầu năm", date(2025, 1, 31)),
        ("Giữa năm", date(2025, 6, 30)),
        ("Cuối năm", date(2025, 12, 31)),
        ("Đầu năm 2026", date(2026, 1, 31)),
        ("Giữa năm 2026", date(2026, 6, 30)),
    ],
)
def test_start_middle_and_end_of_a_period(text: str, expected: date) -> None:
    assert fixed(text, 2025) == (expected,)


def test_position_takes_the_plan_year() -> None:
    assert fixed("Đầu quý II", 2026) == (date(2026, 4, 30),)
    assert fixed("Giữa năm", 2026) == (date(2026, 6, 30),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Đầu tháng 13", "invalid month: 13"),
        ("Tuần đầu tháng 13", "invalid month: 13"),
        ("Cuối quý V", "invalid quarter: V"),
    ],
)
def test_an_impossible_period_is_named(text: str, message: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, 2025)
    assert str(caught.value) == message


# --- Tết Nguyên đán ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Trước Tết Nguyên đán", "trước Tết", "Dịp Tết", "Kiểm tra dịp Tết Nguyên đán"])
def test_before_tet_of_the_plan_year(text: str) -> None:
    # Tết Ất Tỵ began on 29/01/2025, Tết Bính Ngọ on 17/02/2026.
    assert fixed(text, 2025) == (date(2025, 1, 28),)
    assert fixed(text, 2026) == (date(2026, 2, 16),)


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("Trước Tết Nguyên đán Bính Ngọ 2026", 2025, date(2026, 2, 16)),
        ("Trước Tết Nguyên đán năm 2026", 2025, date(2026, 2, 16)),
        ("Trước Tết Bính Ngọ", 2025, date(2026, 2, 16)),  # named by the lunar year alone
        ("Trước Tết Ất Tỵ", 2026, date(2025, 1, 28)),
    ],
)
def test_before_a_named_tet(text: str, year: int, expected: date) -> None:
    assert fixed(text, year) == (expected,)


def test_tet_needs_a_year() -> None:
    with pytest.raises(MissingYear):
        parse_deadline("Trước Tết", None)


def test_tet_with_no_known_date_names_the_year() -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline("Trước Tết Nguyên đán năm 2150", 2025)
    assert "2150" in str(caught.value)


# --- "Quí" -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quí II/2025", (date(2025, 6, 30),)),
        ("quí iv", (date(2025, 12, 31),)),
        ("Qúy III", (date(2025, 9, 30),)),
        ("Trong QUÍ I và quí III", (date(2025, 3, 31), date(2025, 9, 30))),
    ],
)
def test_qui_is_quy(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text, 2025) == expected


def test_qui_in_a_repeat() -> None:
    assert recurring("Hằng quí", 2025)[0] == "quarter"


# --- a report's period is no second deadline ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trước ngày 20/7/2025 (báo cáo 6 tháng)", date(2025, 7, 20)),
        ("Trước ngày 15/12/2025 (báo cáo năm 2025)", date(2025, 12, 15)),
        ("Trước ngày 20/12 (số liệu năm)", date(2025, 12, 20)),
        ("Trước ngày 15/4/2025 (báo cáo quý I)", date(2025, 4, 15)),
        ("Tháng 7/2025 (báo cáo quý II)", date(2025, 7, 31)),
        ("Báo cáo 6 tháng trước ngày 20/7", date(2025, 7, 20)),
        ("Báo cáo năm 2025 trước ngày 15/12/2025", date(2025, 12, 15)),
    ],
)
def test_a_report_period_beside_a_date_is_no_deadline(text: str, expected: date) -> None:
    assert fixed(text, 2025) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Alone, the period is the deadline.
        ("(Báo cáo 6 tháng)", (date(2025, 6, 30),)),
        # A parenthesis saying more than a period is read.
        ("Theo kế hoạch của tỉnh (dự kiến Quý II/2025)", (date(2025, 6, 30),)),
        ("Quý I/2026 (dự thảo); Năm 2026 (ban hành)", (date(2026, 3, 31), date(2026, 12, 31))),
        ("Năm 2025 (Quý II: dự thảo)", (date(2025, 6, 30), date(2025, 12, 31))),
    ],
)
def test_other_parentheses_still_count(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text, 2025) == expected


@pytest.mark.parametrize("text", ["Từ tháng 3/2026", "Bắt đầu từ ngày 15/3/2026", "Từ quý II/2026"])
def test_a_start_with_no_end_is_work_going_on_not_a_deadline(text: str) -> None:
    assert parse_deadline(text, 2026) == Deadline(text, "continuous", None, ())


def test_a_range_still_ends_on_its_end() -> None:
    assert parse_deadline("Từ tháng 3 đến tháng 6/2026", 2026).dates == (date(2026, 6, 30),)
