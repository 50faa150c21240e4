"""Appendices of the 21st import audit (2026 plans of a province's Sở and its xã, phường), read as
the clerk who typed them sees them.

- one "Cơ quan thực hiện" column marking the lead only ("Sở Nội vụ (chủ trì), Sở Tư pháp", "X chủ
  trì, Y và các xã, phường phối hợp", "X (CT); Y (PH)"): the names left unmarked support it, and a
  warning on them names that column, not a "Phối hợp" the table lacks;
- sub-items written as rows with no number but a bullet opening their text ("- Khảo sát …",
  "+ Số hóa …") or a letter ("a) Rà soát …"), each with its own lead and deadline: every one is a
  task, numbered under its heading (2.1, 2.2, I.1.a), none lost nor read as a duplicate "1";
- a task left without a number between numbered ones ("2", this row, "3"): refused naming the row,
  the STT column and its text, never taken for a heading whose cells fill the tasks after it;
- a number cell naming what it counts ("Bước 1", "Bước 2"): numbered 1, 2, a code people can type;
- a day and month written with dots after a date word ("Trước 30.6", "Ngày 15.3"): that date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dondoc.plan.deadlines import parse_deadline
from tests.plan.test_audit_layouts import admin, imported, refused  # noqa: F401 (admin is a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_real_layouts import Admin

TITLE: list[list[Any]] = [["PHỤ LỤC"], ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"]]
HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]


def read(store: Admin) -> list[tuple[str, str, list[str], list[str], list[str]]]:
    return [(t["code"], t["title"], t["lead"], t["support"], t["deadline"]["dates"]) for t in store.tasks()]


# --------------------------------------------------------------------------- one column for both roles


def test_names_after_a_marked_lead_support_it(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        ["STT", "Nội dung", "Cơ quan thực hiện", "Thời gian hoàn thành"],
        [1, "Kiểm tra công vụ", "Sở Nội vụ (chủ trì), Sở Tư pháp", "Quý III/2026"],
        [2, "Rà soát văn bản", "Sở Tư pháp chủ trì, Sở Y tế và các xã, phường phối hợp", "Quý III/2026"],
        [3, "Bồi dưỡng công chức", "Sở Nội vụ (CT); Sở Tài chính (PH)", "Quý IV/2026"],
        [4, "Đào tạo", "Sở Nội vụ (chủ trì)\nSở Giáo dục và Đào tạo\nSở Y tế", "Quý IV/2026"],
        [5, "Tuyên truyền", "Sở Nội vụ (chủ trì), các sở, ngành liên quan", "Quý IV/2026"],
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [(t["code"], t["lead"], t["support"]) for t in admin.tasks()] == [
        ("1", ["SNV"], ["STP"]),
        ("2", ["STP"], ["SYT", "X1", "P1"]),
        ("3", ["SNV"], ["STC"]),
        ("4", ["SNV"], ["SGDDT", "SYT"]),
        ("5", ["SNV"], []),
    ]
    # the vague words are in the one column the table has, column C
    assert [w["where"] for w in data["warnings"]] == ["row 8, column C (Cơ quan thực hiện)"]


# --------------------------------------------------------------------------- sub-items as rows


def test_bulleted_rows_under_a_task_are_each_a_task(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        [1, "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Quý II/2026"],
        [2, "Nâng cao chất lượng dịch vụ công"],
        [None, "- Khảo sát sự hài lòng", "Sở Nội vụ", None, "Tháng 6/2026"],
        [None, "- Công khai kết quả", "Văn phòng UBND thành phố", None, "Tháng 12/2026"],
        [3, "Chuyển đổi số", "Sở Khoa học và Công nghệ", "Sở Tài chính", "Năm 2026"],
        [None, "+ Kết nối dữ liệu dân cư", "Sở Y tế", None, "Quý III/2026"],
        [None, "+ Số hóa hồ sơ", "Sở Nội vụ", None, "Quý IV/2026"],
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [(code, lead, support, dates) for code, _title, lead, support, dates in read(admin)] == [
        ("1", ["SNV"], ["STP"], ["2026-06-30"]),
        ("2.1", ["SNV"], [], ["2026-06-30"]),
        ("2.2", ["VP"], [], ["2026-12-31"]),  # was lost without a word
        ("3.1", ["SYT"], ["STC"], ["2026-09-30"]),  # was refused as a second task "1"
        ("3.2", ["SNV"], ["STC"], ["2026-12-31"]),
    ]


def test_lettered_rows_without_a_number_cell_are_lettered_under_their_heading(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        ["I", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"],
        ["1", "Cải cách thủ tục hành chính"],
        [None, "a) Rà soát thủ tục", "Sở Tư pháp", "Sở Nội vụ", "Quý II/2026"],
        [None, "b) Công bố thủ tục mới", "Văn phòng UBND thành phố", None, "Quý III/2026"],
        ["2", "Kiểm tra công vụ", "Sở Nội vụ", None, "Quý IV/2026"],
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [t["code"] for t in admin.tasks()] == ["I.1.a", "I.1.b", "I.2"]


# --------------------------------------------------------------------------- a task without its number


def test_a_task_left_without_a_number_between_numbered_ones_is_refused_by_name(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        [1, "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Quý II/2026"],
        [2, "Chuyển đổi số", "Sở Khoa học và Công nghệ", None, "Năm 2026"],
        [None, "Số hóa hồ sơ", "Sở Nội vụ", None, "Quý IV/2026"],
        [3, "Tuyên truyền", "Sở Tư pháp", None, "Quý IV/2026"],
        # group rows stay headings, though their tasks fill every cell themselves
        [None, "Nhóm nhiệm vụ về chuyển đổi số", "Sở Khoa học và Công nghệ", None, "Năm 2026"],
        [4, "Nâng cấp mạng", "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Quý IV/2026"],
        [None, "HẠ TẦNG SỐ", "Sở Khoa học và Công nghệ", None, "Năm 2026"],
        [5, "Kết nối camera", "Sở Khoa học và Công nghệ", None, "Quý IV/2026"],
    ]

    stderr = refused(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    # was imported as tasks 1 to 5: "Số hóa hồ sơ" dropped as a heading of task 3
    assert "có 1 lỗi" in stderr
    assert "dòng 6, cột A (STT)" in stderr
    assert "không có số thứ tự" in stderr
    assert "«Số hóa hồ sơ»" in stderr


def test_two_rows_left_without_numbers_are_each_named_not_a_duplicate_number(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        [1, "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Quý II/2026"],
        [2, "Chuyển đổi số", "Sở Khoa học và Công nghệ", None, "Năm 2026"],
        [None, "Kết nối dữ liệu dân cư", "Sở Y tế", None, "Quý III/2026"],
        [None, "Số hóa hồ sơ", "Sở Nội vụ", None, "Quý IV/2026"],
    ]

    stderr = refused(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert "bị trùng" not in stderr  # was: "số thứ tự 1 bị trùng … «1»" on an empty cell
    assert "dòng 6, cột A (STT)" in stderr and "«Kết nối dữ liệu dân cư»" in stderr
    assert "dòng 7, cột A (STT)" in stderr and "«Số hóa hồ sơ»" in stderr


# --------------------------------------------------------------------------- numbers and dates as written


def test_steps_numbered_with_their_word_take_plain_numbers(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        ["I.", "Chuyển đổi số"],
        ["Bước 1", "Khảo sát hiện trạng", "Sở Khoa học và Công nghệ", None, "Tháng 3/2026"],
        ["Bước 2", "Xây dựng phương án", "Sở Khoa học và Công nghệ", None, "Tháng 6/2026"],
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [t["code"] for t in admin.tasks()] == ["I.1", "I.2"]  # was "I.Bước 1", which no one can type


@pytest.mark.parametrize(
    ("text", "due"),
    [("Trước 30.6", "2026-06-30"), ("Trước ngày 30.6", "2026-06-30"), ("Ngày 15.3", "2026-03-15")],
)
def test_a_day_and_month_with_dots_after_a_date_word(text: str, due: str) -> None:
    assert [d.isoformat() for d in parse_deadline(text, 2026).dates] == [due]
    with pytest.raises(ValueError):  # a dotted number alone is still no date
        parse_deadline("1.5", 2026)


# --------------------------------------------------------------------------- the total under the table


@pytest.mark.parametrize(
    "total",
    [[None, "Tổng cộng", "2 nhiệm vụ"], ["Tổng cộng", None, None, None, "2 nhiệm vụ"]],
    ids=["title-and-lead-cells", "number-and-deadline-cells"],
)
def test_the_total_row_under_the_table_is_no_task(admin: Admin, tmp_path: Path, total: list[Any]) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        [1, "Rà soát văn bản", "Sở Tư pháp", None, "Quý II/2026"],
        [2, "Cộng đồng số: tổ công nghệ số", "Sở Nội vụ", None, "Quý III/2026"],
        total,
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))  # was refused: «2 nhiệm vụ» no unit

    assert [t["code"] for t in admin.tasks()] == ["1", "2"]
    assert data["warnings"] == []
