"""Deadline cells as Vietnamese plans write them (the sixth round), read for a plan of 2026:

- a year and the ones after it ("Năm 2026 và các năm tiếp theo", "Từ năm 2026 trở đi") is due at the
  end of each year, as "Hằng năm" is, from its first year;
- a span of years that ends after the plan year ("Giai đoạn 2026 - 2030") is due at the end of each of
  its years from the plan's: the plan year's share gets its reminders; "Hoàn thành trong giai đoạn …"
  and a span the plan year reaches are still due at the end of the span;
- "Ngay sau khi Kế hoạch được ban hành" is due a short time after the plan's issue date, as "15 ngày kể
  từ ngày ban hành Kế hoạch" is; undated, with the usual warning, when the plan's date is not known.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dondoc.i18n import use_language
from dondoc.plan.deadlines import parse_deadline
from dondoc.plan.relative import IMMEDIATE_DAYS, relative_offset
from tests.plan.test_audit_leftovers import HEADER, PROVINCE, by_code, run_import, warnings_of
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_language("en"):
        yield


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def read(text: str, year: int | None = 2026) -> tuple[str, str | None, list[str]]:
    """What the clerk sees of a cell: its kind, how often it repeats, its due dates as dd/mm/yyyy."""
    deadline = parse_deadline(text, year)
    return deadline.kind, deadline.every, [day.strftime("%d/%m/%Y") for day in deadline.dates]


YEAR_END_2026 = ("recurring", "year", ["31/12/2026"])


# --------------------------------------------------------------------------- a year and the ones after it


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2026 và các năm tiếp theo",
        "Năm 2026 và những năm tiếp theo",
        "Năm 2026 và các năm sau",
        "2026 và các năm tiếp theo",
        "nam 2026 va cac nam tiep theo.",
        "  NĂM 2026   VÀ CÁC NĂM TIẾP THEO ",
        "Từ năm 2026 trở đi",
        "Tu nam 2026 tro di",
        "Từ năm 2026",
        "Bắt đầu từ năm 2026",
        "Hằng năm, bắt đầu từ năm 2026",
        # An earlier start: this plan's year.
        "Năm 2025 và các năm tiếp theo",
        "Từ năm 2024 trở đi",
    ],
)
def test_a_year_and_the_ones_after_it_is_due_at_each_years_end(text: str) -> None:
    assert read(text) == YEAR_END_2026


def test_a_later_start_is_due_from_its_own_year() -> None:
    assert read("Từ năm 2027 trở đi") == ("recurring", "year", ["31/12/2027"])
    assert read("Hằng năm, bắt đầu từ năm 2027") == ("recurring", "year", ["31/12/2027"])
    assert read("Năm 2026 và các năm tiếp theo", None) == YEAR_END_2026
    assert read("Trước 30/6 hằng năm, từ năm 2027") == ("recurring", "year", ["30/06/2027"])
    # A period or a day and the years after it: that period, each year.
    assert read("Tháng 6/2026 và các năm tiếp theo") == ("recurring", "year", ["30/06/2026"])
    assert read("Trước ngày 15/12 và các năm tiếp theo") == ("recurring", "year", ["15/12/2026"])
    assert read("Hằng quý, từ năm 2027") == (
        "recurring",
        "quarter",
        ["31/03/2027", "30/06/2027", "30/09/2027", "31/12/2027"],
    )


def test_a_start_that_is_not_onwards_is_read_as_before() -> None:
    assert read("Thường xuyên, từ năm 2026") == ("continuous", None, [])
    assert read("Từ tháng 3/2026") == ("continuous", None, [])
    assert read("Từ năm 2022 đến năm 2025") == ("fixed", None, ["31/12/2025"])


# --------------------------------------------------------------------------- spans of years


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Giai đoạn 2026 - 2030", ["31/12/2026", "31/12/2027", "31/12/2028", "31/12/2029", "31/12/2030"]),
        ("Giai doan 2026-2030.", ["31/12/2026", "31/12/2027", "31/12/2028", "31/12/2029", "31/12/2030"]),
        ("2026-2030", ["31/12/2026", "31/12/2027", "31/12/2028", "31/12/2029", "31/12/2030"]),
        ("Năm 2026-2027", ["31/12/2026", "31/12/2027"]),
        ("Từ năm 2026 đến năm 2027", ["31/12/2026", "31/12/2027"]),
        # The years before the plan's are past: not chased.
        ("Giai đoạn 2021 - 2030", ["31/12/2026", "31/12/2027", "31/12/2028", "31/12/2029", "31/12/2030"]),
        ("2027 - 2028", ["31/12/2027", "31/12/2028"]),
    ],
)
def test_a_span_ending_after_the_plan_year_is_due_at_each_years_end(text: str, expected: list[str]) -> None:
    assert read(text) == ("recurring", "year", expected)


def test_a_span_the_plan_reaches_or_to_complete_is_due_at_its_end() -> None:
    cells = [
        ("Giai đoạn 2021 - 2025", 2026),
        ("Giai đoạn 2025 - 2026", 2026),
        ("Giai đoạn 2026 - 2030", None),  # no plan year: its end
        ("Hoàn thành trong giai đoạn 2026 - 2030", 2026),
        ("Giai đoạn 2026-2030; sơ kết trước 30/6/2028", 2026),
        ("Giai đoạn 2026 - 2030", 2026),  # and, for contrast, in a plan of its first year
    ]
    assert [read(text, year) for text, year in cells] == [
        ("fixed", None, ["31/12/2025"]),
        ("fixed", None, ["31/12/2026"]),
        ("fixed", None, ["31/12/2030"]),
        ("fixed", None, ["31/12/2030"]),
        ("fixed", None, ["30/06/2028", "31/12/2030"]),
        ("recurring", "year", [f"31/12/{y}" for y in range(2026, 2031)]),
    ]


# --------------------------------------------------------------------------- the audit's list, as the clerk reads it


QUARTERS = ["31/03/2026", "30/06/2026", "30/09/2026", "31/12/2026"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Năm 2026 và các năm tiếp theo", YEAR_END_2026),
        ("Từ năm 2026 trở đi", YEAR_END_2026),
        ("Hằng năm, bắt đầu từ năm 2026", YEAR_END_2026),
        ("Năm 2026-2027", ("recurring", "year", ["31/12/2026", "31/12/2027"])),
        ("6 tháng đầu năm 2026", ("fixed", None, ["30/06/2026"])),
        ("6 tháng cuối năm", ("fixed", None, ["31/12/2026"])),
        ("Định kỳ 6 tháng", ("recurring", "half-year", ["30/06/2026", "31/12/2026"])),
        ("Hằng năm (trước ngày 15/12)", ("recurring", "year", ["15/12/2026"])),
        ("Trước ngày 20 hằng tháng", ("recurring", "month", [f"20/{m:02d}/2026" for m in range(1, 13)])),
        ("Tháng 6 và tháng 12 hằng năm", ("recurring", "year", ["30/06/2026", "31/12/2026"])),
        ("Quý I và Quý III", ("fixed", None, ["31/03/2026", "30/09/2026"])),
        ("Quý I, II/2026", ("fixed", None, ["31/03/2026", "30/06/2026"])),
        ("Trong quý III năm 2026", ("fixed", None, ["30/09/2026"])),
        ("Chậm nhất ngày 30/9/2026", ("fixed", None, ["30/09/2026"])),
        ("Hoàn thành trước 31/10", ("fixed", None, ["31/10/2026"])),
        ("Tháng 10/2026", ("fixed", None, ["31/10/2026"])),
        ("Đầu quý IV/2026", ("fixed", None, ["31/10/2026"])),
        ("Cuối năm 2026", ("fixed", None, ["31/12/2026"])),
        ("Trong tháng 01 năm 2026", ("fixed", None, ["31/01/2026"])),
        ("Theo tiến độ của Trung ương", ("continuous", None, [])),
        ("Khi có yêu cầu", ("continuous", None, [])),
        ("Theo chỉ đạo của UBND tỉnh", ("continuous", None, [])),
        # Lower case, no diacritics, extra spaces and a full stop read the same.
        ("hang quy", ("recurring", "quarter", QUARTERS)),
        ("  Hằng   quý.  ", ("recurring", "quarter", QUARTERS)),
        ("Truoc ngay 15/12", ("fixed", None, ["15/12/2026"])),
        ("truoc ngay 20 hang thang.", ("recurring", "month", [f"20/{m:02d}/2026" for m in range(1, 13)])),
        ("QUY I, II/2026.", ("fixed", None, ["31/03/2026", "30/06/2026"])),
        ("dau quy iv/2026", ("fixed", None, ["31/10/2026"])),
        ("theo tien do cua trung uong.", ("continuous", None, [])),
    ],
)
def test_the_audited_phrases_read_as_a_clerk_expects(text: str, expected: tuple[str, str | None, list[str]]) -> None:
    assert read(text) == expected


# --------------------------------------------------------------------------- at once after the plan's issue


@pytest.mark.parametrize(
    "text",
    [
        "Ngay sau khi Kế hoạch được ban hành",
        "Ngay sau khi Kế hoạch này được UBND tỉnh ban hành",
        "Ngay khi Kế hoạch được ban hành.",
        "Ngay sau khi ban hành Kế hoạch",
        "ngay sau khi ke hoach duoc phe duyet",
    ],
)
def test_at_once_after_the_plans_issue_is_a_short_time_after_it(text: str) -> None:
    found = relative_offset(text)
    assert found is not None and (found.count, found.months) == (IMMEDIATE_DAYS, False) == (15, False)
    assert relative_offset(text, immediate_days=7) == type(found)(7)


def test_only_at_once_after_this_plans_issue_is_counted_from_it() -> None:
    texts = [
        "Ngay khi Kế hoạch được ban hành.",
        "Sau khi Kế hoạch được phê duyệt",  # no "ngay": once it is, continuous as before
        "Ngay sau khi Đề án được ban hành",  # another document, not dated by the file
        "Ngay sau khi có văn bản hướng dẫn",
        "Ngay sau khi Kế hoạch được ban hành, chậm nhất 30/3/2026",  # the date is the deadline
    ]
    found = [relative_offset(text) for text in texts]
    assert [None if offset is None else offset.count for offset in found] == [15, None, None, None, None]


ROWS: list[list[Any]] = [
    ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
    HEADER,
    [1, "Xây dựng kế hoạch triển khai", "Sở Nội vụ", None, "Ngay sau khi Kế hoạch được ban hành"],
    [2, "Duy trì hệ thống quản lý chất lượng", "Sở Nội vụ", None, "Năm 2026 và các năm tiếp theo"],
    [3, "Số hóa hồ sơ lưu trữ", "Sở Nội vụ", None, "Giai đoạn 2026 - 2030"],
    [4, "Báo cáo khi được yêu cầu", "Sở Nội vụ", None, "Khi có yêu cầu"],
]


def test_the_clerk_gets_the_dates_from_the_appendix(admin: Admin, tmp_path: Path) -> None:
    result = run_import(admin, tmp_path, PROVINCE, ROWS, "--json", "--issued", "2026-01-15")

    assert result.exit_code == 0, result.stderr
    # "Khi có yêu cầu" gives no date: read as continuous, which the file-level warning says (round 23)
    assert [w["message"] for w in json.loads(result.stdout)["warnings"]] == [
        "1 nhiệm vụ được hiểu là nhiệm vụ thường xuyên (theo dõi, không bao giờ quá hạn) vì ô thời hạn chỉ ghi"
        " một cụm từ, không ghi ngày (dòng 6 «Khi có yêu cầu»): nếu nhiệm vụ có thời hạn, đồng chí hãy ghi rõ ngày"
    ]
    tasks = by_code(admin)
    assert [(tasks[c]["deadline"]["kind"], tasks[c]["deadline"]["dates"]) for c in "1234"] == [
        ("fixed", ["2026-01-30"]),  # 15 days after the issue date
        ("recurring", ["2026-12-31"]),
        ("recurring", [f"{y}-12-31" for y in range(2026, 2031)]),
        ("continuous", []),
    ]


def test_without_the_plans_date_at_once_is_undated_and_said_so(admin: Admin, tmp_path: Path) -> None:
    warnings = warnings_of(admin, tmp_path, PROVINCE, ROWS)

    assert [w["message"] for w in warnings] == [
        "1 thời hạn tính từ ngày ban hành kế hoạch: nhập lại với --issued NGÀY để xác định ngày cụ thể",
        "1 nhiệm vụ được hiểu là nhiệm vụ thường xuyên (theo dõi, không bao giờ quá hạn) vì ô thời hạn chỉ ghi"
        " một cụm từ, không ghi ngày (dòng 6 «Khi có yêu cầu»): nếu nhiệm vụ có thời hạn, đồng chí hãy ghi rõ ngày",
    ]
    assert by_code(admin)["1"]["deadline"]["kind"] == "undated"
