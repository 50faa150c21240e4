"""Deadline cells of plan appendices turned into due dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from dondoc.i18n import use_language
from dondoc.plan import deadlines
from dondoc.plan.deadlines import Deadline, DeadlineError, Every, find_plan_year, parse_deadline

MONTH_ENDS_2022 = tuple(
    date(2022, m, d) for m, d in zip(range(1, 13), (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), strict=True)
)
QUARTER_ENDS_2022 = (date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31))
HALF_ENDS_2022 = (date(2022, 6, 30), date(2022, 12, 31))
YEAR_END_2022 = (date(2022, 12, 31),)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Error messages in English (the message ids), independent of the Vietnamese catalogue."""
    with use_language("en"):
        yield


def fixed(text: str, year: int | None = 2022) -> tuple[date, ...]:
    deadline = parse_deadline(text, year)
    assert deadline.kind == "fixed"
    assert deadline.every is None
    return deadline.dates


# --- single dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/12/2022", date(2022, 12, 15)),
        ("15-12-2022", date(2022, 12, 15)),
        ("15.12.2022", date(2022, 12, 15)),
        ("15/12/22", date(2022, 12, 15)),
        ("ngày 31/03/2022", date(2022, 3, 31)),
        ("Ngày 31/03/2022.", date(2022, 3, 31)),
        ("Trước 15/12/2022", date(2022, 12, 15)),
        ("Trước ngày 15/12/2022", date(2022, 12, 15)),
        ("Truoc ngay 15/12/2022", date(2022, 12, 15)),
        ("TRƯỚC NGÀY 15/12/2022", date(2022, 12, 15)),
        ("Chậm nhất ngày 30/6/2022", date(2022, 6, 30)),
        ("Chậm nhất là ngày 30/6/2022;", date(2022, 6, 30)),
        ("Trước ngày 15 tháng 12 năm 2022", date(2022, 12, 15)),
        ("truoc ngay 15 thang 12 nam 2022", date(2022, 12, 15)),
        ("Trước ngày\n15  tháng 12\nnăm 2022", date(2022, 12, 15)),
        ("15 tháng 12 năm 2022", date(2022, 12, 15)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_date_with_year(text: str, expected: date) -> None:
    # The year written in the cell wins over the plan year.
    assert fixed(text, 2030) == (expected,)
    assert fixed(text, None) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/3", date(2022, 3, 31)),
        ("Trước ngày 31/3", date(2022, 3, 31)),
        ("ngày 15 tháng 12", date(2022, 12, 15)),
        ("Ngay 15 thang 12", date(2022, 12, 15)),
        ("Chậm nhất là ngày 5 tháng 6", date(2022, 6, 5)),
    ],
)
def test_date_takes_plan_year(text: str, expected: date) -> None:
    assert fixed(text) == (expected,)


def test_deadline_keeps_the_cell_text() -> None:
    assert parse_deadline("  Trước ngày 15/12/2022\n(báo cáo) ", None) == Deadline(
        text="Trước ngày 15/12/2022\n(báo cáo)",
        kind="fixed",
        every=None,
        dates=(date(2022, 12, 15),),
    )


# --- months, quarters, parts of the year -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tháng 3/2022", date(2022, 3, 31)),
        ("tháng 03 năm 2022", date(2022, 3, 31)),
        ("Tháng 3-2022", date(2022, 3, 31)),
        ("Trong tháng 3/2022", date(2022, 3, 31)),
        ("Thang 2/2024", date(2024, 2, 29)),
        ("3/2022", date(2022, 3, 31)),
        ("Quý I/2022", date(2022, 3, 31)),
        ("Quý 2 năm 2022", date(2022, 6, 30)),
        ("Trong quý II/2022", date(2022, 6, 30)),
        ("QUÝ III/2022.", date(2022, 9, 30)),
        ("quy iv/2022", date(2022, 12, 31)),
        ("6 tháng đầu năm 2022", date(2022, 6, 30)),
        ("9 tháng đầu năm 2022", date(2022, 9, 30)),
        ("Năm 2022", date(2022, 12, 31)),
        ("Trong năm 2022", date(2022, 12, 31)),
        ("trong nam 2022", date(2022, 12, 31)),
    ],
)
def test_period_with_year_is_due_at_its_end(text: str, expected: date) -> None:
    assert fixed(text, None) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tháng 3", date(2022, 3, 31)),
        ("Cuối tháng 3", date(2022, 3, 31)),
        ("Trong tháng 02", date(2022, 2, 28)),
        ("Quý IV", date(2022, 12, 31)),
        ("Quy II", date(2022, 6, 30)),
        ("Quý 1", date(2022, 3, 31)),
        ("6 tháng đầu năm", date(2022, 6, 30)),
        ("6 thang dau nam", date(2022, 6, 30)),
        ("6 tháng cuối năm", date(2022, 12, 31)),
        ("9 tháng", date(2022, 9, 30)),
        ("9 tháng đầu năm", date(2022, 9, 30)),
        ("Cả năm", date(2022, 12, 31)),
        ("Cuối năm", date(2022, 12, 31)),
        ("Trong năm", date(2022, 12, 31)),
        ("TRONG NAM", date(2022, 12, 31)),
    ],
)
def test_period_takes_plan_year(text: str, expected: date) -> None:
    assert fixed(text) == (expected,)


# --- several periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tháng 6 và tháng 12/2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("Tháng 6, tháng 12 năm 2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("Tháng 6, 12/2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("Quý II và Quý IV/2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("quy ii va quy iv nam 2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("Quý II, IV/2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("15/6/2022 và 15/12/2022", (date(2022, 6, 15), date(2022, 12, 15))),
        ("15/6 và 15/12/2022", (date(2022, 6, 15), date(2022, 12, 15))),
        ("15/6/2022\n15/12/2022", (date(2022, 6, 15), date(2022, 12, 15))),
        ("Tháng 6, 15/12/2022", (date(2022, 6, 30), date(2022, 12, 15))),
        ("Quý IV/2022 và Quý I/2023", (date(2022, 12, 31), date(2023, 3, 31))),
        # Sorted and unique, whatever the order in the cell.
        ("Quý IV, quý II, quý IV/2022", (date(2022, 6, 30), date(2022, 12, 31))),
        ("30/6/2022 và Quý II/2022", (date(2022, 6, 30),)),
    ],
)
def test_several_periods(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text, None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quý I, Quý III", (date(2022, 3, 31), date(2022, 9, 30))),
        ("Quý I, III", (date(2022, 3, 31), date(2022, 9, 30))),
        ("Tháng 6 và tháng 12", (date(2022, 6, 30), date(2022, 12, 31))),
        ("6 tháng đầu năm và cả năm", (date(2022, 6, 30), date(2022, 12, 31))),
    ],
)
def test_several_periods_take_plan_year(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text) == expected


def test_year_written_at_the_end_beats_plan_year() -> None:
    assert fixed("Quý II và Quý IV/2023", 2022) == (date(2023, 6, 30), date(2023, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Từ tháng 3 đến tháng 6/2022", (date(2022, 6, 30),)),
        ("Tháng 01-12/2022", (date(2022, 12, 31),)),
        ("Tháng 6 - 12/2022", (date(2022, 12, 31),)),
        ("Từ quý I đến quý III/2022", (date(2022, 9, 30),)),
        ("Từ ngày 01/3/2022 đến ngày 30/6/2022", (date(2022, 6, 30),)),
        ("Từ tháng 3 đến 15/6/2022", (date(2022, 6, 15),)),
    ],
)
def test_range_is_due_at_its_end(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text, None) == expected


# --- years and spans of years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", (date(2024, 12, 31),)),
        ("2024.", (date(2024, 12, 31),)),
        ("Năm 2024", (date(2024, 12, 31),)),
        ("NĂM 2024", (date(2024, 12, 31),)),
        ("2022-2030", (date(2030, 12, 31),)),
        ("2022 - 2030", (date(2030, 12, 31),)),
        ("2023 – 2025", (date(2025, 12, 31),)),
        ("2023—2025", (date(2025, 12, 31),)),
        ("Giai đoạn 2021–2025", (date(2025, 12, 31),)),
        ("Giai đoạn 2021 - 2025", (date(2025, 12, 31),)),
        ("Giai doan 2021-2025", (date(2025, 12, 31),)),
        ("Giai đoạn\n2021 -\n2025", (date(2025, 12, 31),)),
        ("Năm 2022 - 2025", (date(2025, 12, 31),)),
        ("Năm 2022 - năm 2025", (date(2025, 12, 31),)),
        ("Từ năm 2022 đến năm 2025", (date(2025, 12, 31),)),
        ("2022 đến 2025", (date(2025, 12, 31),)),
        ("Năm 2024, 2025", (date(2024, 12, 31), date(2025, 12, 31))),
        ("Hoàn thành trong giai đoạn 2021 - 2025", (date(2025, 12, 31),)),
    ],
)
def test_year_and_span_of_years_are_due_at_the_end_of_the_last_year(text: str, expected: tuple[date, ...]) -> None:
    # In a plan of the span's last year or after it (or of no known year); a plan of an earlier year
    # is due at the end of each year of a span (test_deadline_phrases6.py).
    assert fixed(text, 2030) == expected
    assert fixed(text, None) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kế hoạch số 15/2022",
        "Nghị định 61/2018/NĐ-CP",
        "Số 2024",
    ],
)
def test_a_year_inside_a_reference_or_a_vague_phrase_is_no_deadline(text: str) -> None:
    with pytest.raises(DeadlineError, match=r"^unrecognised deadline$"):
        parse_deadline(text, 2022)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trước 30/6", date(2024, 6, 30)),
        ("Trước ngày 30 tháng 6", date(2024, 6, 30)),
        ("Trước 15 tháng 6", date(2024, 6, 15)),
        ("truoc 15 thang 6", date(2024, 6, 15)),
        ("Chậm nhất 15 tháng 9", date(2024, 9, 15)),
        ("Trước ngày\n30  tháng  6", date(2024, 6, 30)),
    ],
)
def test_day_without_year_takes_the_plan_year(text: str, expected: date) -> None:
    assert fixed(text, 2024) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tháng 12/2023", (date(2023, 12, 31),)),
        ("Trong tháng 01/2026", (date(2026, 1, 31),)),
        ("Quý I/2026 (xây dựng dự thảo); Năm 2026 (hoàn thành)", (date(2026, 3, 31), date(2026, 12, 31))),
        ("Quý I/2026 (dự thảo);\nNăm 2026 (ban hành)", (date(2026, 3, 31), date(2026, 12, 31))),
        ("Tháng 6/2025: sơ kết; tháng 12/2025: tổng kết", (date(2025, 6, 30), date(2025, 12, 31))),
        ("01/3/2025 - 30/6/2025", (date(2025, 6, 30),)),
        ("Tháng 6/2024 đến tháng 12/2024", (date(2024, 12, 31),)),
        ("06/2024 - 12/2024", (date(2024, 12, 31),)),
    ],
)
def test_several_dated_parts_in_one_cell(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text, 2024) == expected


# --- embedded in other words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Theo kế hoạch của tỉnh (dự kiến Quý II/2022)", date(2022, 6, 30)),
        ("Sau khi có hướng dẫn, chậm nhất 30/9/2022", date(2022, 9, 30)),
        ("Sau khi co huong dan, cham nhat 30/9/2022", date(2022, 9, 30)),
        ("Hoàn thành trong Quý III năm 2022 (sau khi có kinh phí)", date(2022, 9, 30)),
        # The issue date of a cited document is not the deadline.
        ("Theo Kế hoạch số 15/KH-UBND ngày 20/01/2022: hoàn thành Quý II/2022", date(2022, 6, 30)),
        ("Công văn 123/UBND-NC ngày 5/3/2022, hoàn thành trước 30/6/2022", date(2022, 6, 30)),
        ("Triển khai Nghị định 61/2018/NĐ-CP trước 30/6/2022", date(2022, 6, 30)),
    ],
)
def test_phrase_inside_other_words(text: str, expected: date) -> None:
    assert fixed(text, None) == (expected,)


# --- recurring -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "every", "expected"),
    [
        ("Hằng tháng", "month", MONTH_ENDS_2022),
        ("Hàng tháng", "month", MONTH_ENDS_2022),
        ("hang thang", "month", MONTH_ENDS_2022),
        ("Định kỳ hằng tháng", "month", MONTH_ENDS_2022),
        ("Hằng quý", "quarter", QUARTER_ENDS_2022),
        ("Hàng quý", "quarter", QUARTER_ENDS_2022),
        ("HÀNG QUÝ", "quarter", QUARTER_ENDS_2022),
        ("Định kỳ hằng quý", "quarter", QUARTER_ENDS_2022),
        ("Dinh ky hang quy", "quarter", QUARTER_ENDS_2022),
        ("Định kỳ 6 tháng", "half-year", HALF_ENDS_2022),
        ("6 tháng một lần", "half-year", HALF_ENDS_2022),
        ("6 thang 1 lan", "half-year", HALF_ENDS_2022),
        ("Định kỳ 6 tháng, năm", "half-year", HALF_ENDS_2022),
        ("Định kỳ 6 tháng và hằng năm", "half-year", HALF_ENDS_2022),
        ("Hằng năm", "year", YEAR_END_2022),
        ("Hàng năm", "year", YEAR_END_2022),
        ("Định kỳ hằng năm", "year", YEAR_END_2022),
        ("dinh ky hang nam", "year", YEAR_END_2022),
        # A concrete schedule wins over "continuous".
        ("Thường xuyên; báo cáo hằng quý", "quarter", QUARTER_ENDS_2022),
        # Several schedules: the finest one (its period ends include the others').
        ("Báo cáo hằng tháng, quý, năm", "month", MONTH_ENDS_2022),
        ("Hằng quý, 6 tháng và hằng năm", "quarter", QUARTER_ENDS_2022),
    ],
)
def test_recurring(text: str, every: Every, expected: tuple[date, ...]) -> None:
    assert parse_deadline(text, 2022) == Deadline(text, "recurring", every, expected)


@pytest.mark.parametrize(
    ("text", "every", "expected"),
    [
        # A date written beside the schedule stands for the period it falls in.
        ("Trước ngày 15/12 hằng năm", "year", (date(2022, 12, 15),)),
        ("Quý I hằng năm", "year", (date(2022, 3, 31),)),
        ("Hằng quý; tổng kết trước 15/12", "quarter", (*QUARTER_ENDS_2022[:3], date(2022, 12, 15))),
        # Every year of a span.
        ("Hằng năm, giai đoạn 2024-2026", "year", (date(2024, 12, 31), date(2025, 12, 31), date(2026, 12, 31))),
        ("Hằng quý (2022 - 2023)", "quarter", (*QUARTER_ENDS_2022, *(d.replace(year=2023) for d in QUARTER_ENDS_2022))),
        # The schedule's own year wins over the plan year.
        ("Hằng quý năm 2023", "quarter", tuple(d.replace(year=2023) for d in QUARTER_ENDS_2022)),
    ],
)
def test_recurring_with_dates(text: str, every: Every, expected: tuple[date, ...]) -> None:
    deadline = parse_deadline(text, 2022)
    assert (deadline.kind, deadline.every, deadline.dates) == ("recurring", every, expected)


# --- continuous ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Thường xuyên",
        "Thuong xuyen",
        "THƯỜNG XUYÊN.",
        "Thường xuyên trong năm",
        "Thường xuyên, cả năm",
        "Liên tục",
        "Thường xuyên, liên tục",
        "Từ ngày ban hành Kế hoạch trở đi",
        "Từ ngày ban hành\nKế hoạch trở đi",
        "Tu ngay ban hanh Ke hoach tro di",
        "Kể từ khi Kế hoạch được ban hành trở đi",
        "Theo tiến độ",
        "Theo tiến độ của dự án",
        "theo tien do",
        "Theo chỉ đạo",
        "Theo chỉ đạo của UBND tỉnh",
        "Theo chi dao cua UBND tinh",
        "THEO  CHỈ  ĐẠO",
        "Theo lộ trình",
    ],
)
@pytest.mark.parametrize("year", [2022, None])
def test_continuous(text: str, year: int | None) -> None:
    assert parse_deadline(text, year) == Deadline(text, "continuous", None, ())


def test_continuous_gives_way_to_a_date() -> None:
    assert fixed("Thường xuyên; chậm nhất 30/9/2022", None) == (date(2022, 9, 30),)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sau khi hoàn thành rà soát",
        "Chưa xác định",
        "Kế hoạch số 15/KH-UBND",
        "Nghị định 61/2018/NĐ-CP",
        "Quyết định số 12/2022/QĐ-UBND",
        "Văn bản 15/12/KH-UBND",
        "Kế hoạch số 15/2022",
        "35/12/2022",
        "1.5 tỷ đồng",
        "Quý vị đại biểu",
    ],
)
def test_unrecognised(text: str) -> None:
    with pytest.raises(DeadlineError, match=r"^unrecognised deadline$"):
        parse_deadline(text, 2022)


def test_unrecognised_message_names_the_text_on_one_line() -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline("  Sau khi hoàn\nthành rà soát ", 2022)
    assert str(caught.value) == "unrecognised deadline"


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty(text: str) -> None:
    with pytest.raises(DeadlineError, match=r"^no deadline given$"):
        parse_deadline(text, 2022)


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("31/02/2022", 2022, "invalid date: 31/02/2022"),
        ("Trước ngày 31/02/2022", None, "invalid date: 31/02/2022"),
        ("31/4", 2022, "invalid date: 31/04/2022"),
        ("29/2", 2023, "invalid date: 29/02/2023"),
        ("Ngày 30 tháng 2 năm 2022", None, "invalid date: 30/02/2022"),
        ("ngày 32 tháng 1", 2022, "invalid date: 32/01"),
        ("Quý V/2022", 2022, "invalid quarter: V"),
        ("Quý 5", 2022, "invalid quarter: 5"),
        ("Quý 0", 2022, "invalid quarter: 0"),
        ("Tháng 13", 2022, "invalid month: 13"),
        ("Tháng 0/2022", 2022, "invalid month: 0"),
        ("Tháng 6, 13/2022", 2022, "invalid month: 13"),
    ],
)
def test_invalid_period(text: str, year: int | None, message: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, year)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "31/3",
        "ngày 15 tháng 12",
        "Tháng 3",
        "Quý IV",
        "Quý I, Quý III",
        "6 tháng đầu năm",
        "9 tháng",
        "Cả năm",
        "Trong năm",
        "Hằng tháng",
        "Hằng quý",
        "Định kỳ 6 tháng",
        "Hằng năm",
        "Thường xuyên; báo cáo hằng quý",
    ],
)
def test_missing_year(text: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, None)
    assert str(caught.value) == "no year given for this deadline"


def test_year_elsewhere_in_cell_fills_in() -> None:
    # No plan year: a period with no year after it takes the year written elsewhere in the cell.
    assert fixed("Tháng 12/2022, tháng 3", None) == (date(2022, 3, 31), date(2022, 12, 31))
    deadline = parse_deadline("Hằng quý; tổng kết 15/12/2022", None)
    assert deadline.kind == "recurring"
    assert deadline.dates == (*QUARTER_ENDS_2022[:3], date(2022, 12, 15))


def test_error_message_goes_through_translation(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = {"invalid month: {month}": "tháng không hợp lệ: {month}"}
    monkeypatch.setattr(deadlines, "_", lambda message: catalogue.get(message, message))
    with pytest.raises(DeadlineError, match=r"^tháng không hợp lệ: 13$"):
        parse_deadline("Tháng 13", 2022)


# --- plan year -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KẾ HOẠCH Công tác cải cách hành chính năm 2022", 2022),
        ("KẾ HOẠCH\nCÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2023", 2023),
        ("Long Mỹ, ngày     tháng     năm 2022", 2022),
        ("Long Mỹ, ngày ... tháng ... năm 2022", 2022),
        ("Ke hoach cai cach hanh chinh nam 2024", 2024),
        ("KH_CCHC_nam_2025", 2025),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nKẾ HOẠCH năm 2022", 2022),
        ("Kế hoạch năm 2021 (điều chỉnh năm 2022)", 2021),
        ("Năm 1989; kế hoạch năm 2022", 2022),
        ("Kế hoạch số 15/KH-UBND", None),
        ("Nghị định 61/2018/NĐ-CP", None),
        ("Kế hoạch cải cách hành chính", None),
        ("Việt Nam 2022", None),
        ("năm 2101", None),
        ("", None),
    ],
)
def test_find_plan_year(text: str, expected: int | None) -> None:
    assert find_plan_year(text) == expected
