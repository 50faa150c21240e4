"""Deadline cells as Vietnamese plans write them, audited on a whole appendix (the fifth round):

- a period and a day written in its last month ("Quý IV/2026; báo cáo trước 15/12") are one deadline,
  the day, as a written day stands for its period in a repeating deadline;
- a date with a two-digit year ("31/12/26") writes its year: it is not named among the deadlines
  given the plan year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dondoc.i18n import use_language
from dondoc.plan.deadlines import parse_deadline
from tests.plan.test_audit_leftovers import HEADER, PROVINCE, by_code, warnings_of
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_language("en"):
        yield


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def fixed(text: str, year: int | None = 2026) -> tuple[date, ...]:
    deadline = parse_deadline(text, year)
    assert (deadline.kind, deadline.every) == ("fixed", None), deadline
    return deadline.dates


# --------------------------------------------------------------------------- a period and its day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quý IV/2026; báo cáo trước 15/12", (date(2026, 12, 15),)),
        ("Quý IV/2026, trước ngày 15/12/2026", (date(2026, 12, 15),)),
        ("Quý IV/2026 (trước 15/12)", (date(2026, 12, 15),)),
        ("Năm 2026; báo cáo trước ngày 15/12", (date(2026, 12, 15),)),
        ("Tháng 12/2026, trước ngày 20/12", (date(2026, 12, 20),)),
        ("Quý II và quý IV/2026; báo cáo trước 15/6 và 15/12", (date(2026, 6, 15), date(2026, 12, 15))),
    ],
)
def test_a_day_in_the_last_month_of_a_period_is_its_deadline(text: str, expected: tuple[date, ...]) -> None:
    assert fixed(text) == expected


def test_a_day_elsewhere_in_the_period_is_a_deadline_of_its_own() -> None:
    # The mid-year review is due on 30/6, the year's work at its end; a day in another quarter is
    # another deadline; and the quarter's day stands for it, the plan year not needed.
    assert fixed("Năm 2026; sơ kết trước 30/6") == (date(2026, 6, 30), date(2026, 12, 31))
    assert fixed("Quý II/2026; báo cáo trước 15/12") == (date(2026, 6, 30), date(2026, 12, 15))
    assert fixed("Quý IV/2026; báo cáo trước 15/12", None) == (date(2026, 12, 15),)


def test_the_clerk_gets_the_day_of_a_period_from_the_appendix(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Tổng kết công tác cải cách hành chính", "Sở Nội vụ", None, "Quý IV/2026; báo cáo trước 15/12"],
        [2, "Rà soát quy chế làm việc", "Sở Nội vụ", None, "Quý III - IV/2026"],
    ]

    warnings_of(admin, tmp_path, PROVINCE, rows)

    tasks = by_code(admin)
    assert tasks["1"]["deadline"]["dates"] == ["2026-12-15"]
    assert tasks["2"]["deadline"]["dates"] == ["2026-12-31"]  # a range of quarters: its end


# --------------------------------------------------------------------------- two-digit years


def test_a_date_with_a_two_digit_year_is_not_said_to_give_no_year(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Ban hành quy chế", "Sở Nội vụ", None, "31/12/26"],
        [2, "Kiểm tra công vụ", "Sở Nội vụ", None, "30.6.26"],
        [3, "Tổng kết", "Sở Nội vụ", None, "Trước 15/12"],
    ]

    warnings = warnings_of(admin, tmp_path, PROVINCE, rows)

    (message,) = [w["message"] for w in warnings if "không ghi năm" in w["message"]]
    assert message == "1 thời hạn không ghi năm: đã lấy năm 2026 của kế hoạch theo tiêu đề (dòng 5 «Trước 15/12»)"
    tasks = by_code(admin)
    assert [tasks[code]["deadline"]["dates"] for code in ("1", "2")] == [["2026-12-31"], ["2026-06-30"]]
