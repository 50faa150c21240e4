"""Appendices of the second import audit, read as the clerk who typed them sees them.

- rows and columns hidden in Excel (a cancelled task hidden rather than deleted, the old deadline
  column hidden beside the new one, an outline group collapsed) are not read;
- a header label marked as superseded ("Thời hạn (cũ)") loses to the plain one;
- one "Đơn vị thực hiện" cell marking roles after the names ("X (chủ trì); Y, Z (phối hợp)");
- a second header row with sub-labels under a column the importer does not read ("Kinh phí" over
  "Ngân sách tỉnh" | "Nguồn khác");
- STT written as formulas a program saved without their values: refused, naming the cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.plan.real_layouts import WRITERS, Sheet
from tests.plan.test_audit_layouts import admin, imported, refused  # noqa: F401 (admin is a fixture)
from tests.plan.test_real_layouts import FORMATS, Admin, read_back

HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn (cũ)", "Thời hạn"]
BODY: list[list[Any]] = [
    ["I", "CẢI CÁCH HÀNH CHÍNH"],
    [1, "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Tháng 12/2024", "Quý II/2025"],
    [2, "Hội nghị sơ kết (ĐÃ HỦY)", "Sở Y tế", None, "Tháng 5/2025", "Tháng 6/2025"],
    [2, "Kiểm tra công vụ", "Sở Tư pháp", None, "Tháng 8/2025", "Quý III/2025"],
]


def sheet_of(path: Path, rows: list[list[Any]], hide: Any = None) -> Path:
    book = Workbook()
    ws = book.active
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    if hide is not None:
        hide(ws)
    book.save(path)
    return path


def plan(header: list[str], body: list[list[Any]]) -> list[list[Any]]:
    return [["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025"], [], header, *body]


# --------------------------------------------------------------------------- hidden rows and columns


def hide_row_and_old_column(ws: Any) -> None:
    ws.row_dimensions[6].hidden = True  # the cancelled task, hidden rather than deleted
    ws.column_dimensions["E"].hidden = True


def collapse_row_and_narrow_column(ws: Any) -> None:
    ws.row_dimensions.group(6, 6, hidden=True)  # an outline group collapsed
    ws.column_dimensions.group("E", "E", hidden=True)


@pytest.mark.parametrize("hide", [hide_row_and_old_column, collapse_row_and_narrow_column], ids=["hidden", "outline"])
def test_hidden_rows_and_columns_are_not_read(admin: Admin, tmp_path: Path, hide: Any) -> None:  # noqa: F811
    path = sheet_of(tmp_path / "phu-luc.xlsx", plan(HEADER, BODY), hide)
    data = imported(admin, tmp_path, path)

    assert read_back(admin.tasks()) == [
        ("I.1", "Rà soát quy chế làm việc", ["SNV"], ["STP"], "fixed", ["2025-06-30"]),
        ("I.2", "Kiểm tra công vụ", ["STP"], [], "fixed", ["2025-09-30"]),
    ]
    assert data["warnings"] == []  # the hidden "Thời hạn (cũ)" is not a second deadline column


@pytest.mark.parametrize("old", ["Thời hạn (cũ)", "Thời hạn cũ", "Thời hạn (đã thay)", "Thời hạn dự kiến ban đầu"])
def test_a_superseded_label_loses_to_the_plain_one(admin: Admin, tmp_path: Path, old: str) -> None:  # noqa: F811
    body = [row for row in BODY if "HỦY" not in str(row[1])]
    path = sheet_of(tmp_path / "phu-luc.xlsx", plan([*HEADER[:4], old, "Thời hạn"], body))
    data = imported(admin, tmp_path, path)

    assert [task["deadline"]["dates"] for task in admin.tasks()] == [["2025-06-30"], ["2025-09-30"]]
    assert any("«Thời hạn»" in warning["message"] for warning in data["warnings"]), data["warnings"]


def test_a_cancelled_task_shown_is_still_read(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    """Only what Excel hides is left out: the same rows, nothing hidden, are all read."""
    body = [["I", "CẢI CÁCH HÀNH CHÍNH"], *([n, *row[1:]] for n, row in enumerate(BODY[1:], 1))]
    imported(admin, tmp_path, sheet_of(tmp_path / "phu-luc.xlsx", plan(HEADER, body)))

    assert [task["code"] for task in admin.tasks()] == ["I.1", "I.2", "I.3"]


# --------------------------------------------------------------------------- roles in one cell


@pytest.mark.parametrize("kind", FORMATS)
def test_roles_marked_after_the_names_split_lead_from_support(admin: Admin, tmp_path: Path, kind: str) -> None:  # noqa: F811
    sheet = Sheet(
        title_lines=("KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2025",),
        header=(("TT", "Nhiệm vụ", "Đơn vị thực hiện", "Thời gian hoàn thành"),),
        body=(
            (
                "1",
                "Rà soát quy định",
                "Sở Khoa học và Công nghệ (chủ trì); Sở Tư pháp, Sở Tài chính (phối hợp)",
                "Quý I",
            ),
            ("2", "Cơ chế thử nghiệm", "Sở Y tế chủ trì; Sở Tư pháp phối hợp", "Quý II"),
            ("3", "Tập huấn kỹ năng số", "Sở Nội vụ (chủ trì)\nUBND các xã, phường (phối hợp)", "Quý III"),
            ("4", "Số hóa hồ sơ", "Chủ trì: Sở Tư pháp;\nphối hợp: Sở Nội vụ, Sở Y tế", "Quý IV"),
        ),
    )
    imported(admin, tmp_path, WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}"))

    assert [(t[0], t[2], t[3]) for t in read_back(admin.tasks())] == [
        ("1", ["SKHCN"], ["STP", "STC"]),
        ("2", ["SYT"], ["STP"]),
        ("3", ["SNV"], ["X1", "P1"]),
        ("4", ["STP"], ["SNV", "SYT"]),
    ]


# --------------------------------------------------------------------------- sub-labels under Kinh phí


def test_sub_labels_under_an_unread_column_are_part_of_the_header(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    def merge(ws: Any) -> None:
        for column in "ABCDEH":
            ws.merge_cells(f"{column}3:{column}4")
        ws.merge_cells("F3:G3")

    rows: list[list[Any]] = [
        ["KẾ HOẠCH PHÁT TRIỂN DU LỊCH NĂM 2025"],
        [],
        [
            "STT",
            "Nội dung công việc",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian thực hiện",
            "Kinh phí",
            None,
            "Ghi chú",
        ],
        [None, None, None, None, None, "Ngân sách tỉnh", "Nguồn khác"],
        [1, "Tổ chức lễ hội", "Sở Y tế", "Sở Nội vụ", "Tháng 7/2025", 5000, 2000],
        [2, "Quảng bá du lịch", "Sở Tư pháp", None, "Quý II/2025", 350, None],
    ]
    imported(admin, tmp_path, sheet_of(tmp_path / "phu-luc.xlsx", rows, merge))

    assert read_back(admin.tasks()) == [
        ("1", "Tổ chức lễ hội", ["SYT"], ["SNV"], "fixed", ["2025-07-31"]),
        ("2", "Quảng bá du lịch", ["STP"], [], "fixed", ["2025-06-30"]),
    ]


# --------------------------------------------------------------------------- formulas without values


def test_numbers_computed_by_unsaved_formulas_are_refused_naming_the_cells(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    body: list[list[Any]] = [
        ["I", "CẢI CÁCH HÀNH CHÍNH"],
        [1, "Rà soát quy chế làm việc", "Sở Nội vụ", None, None, "Quý II/2025"],
        ["=A5+1", "Kiểm tra công vụ", "Sở Tư pháp", None, None, "Quý III/2025"],
    ]
    # openpyxl saves a formula without its value, as a program writing a workbook does.
    stderr = refused(admin, tmp_path, sheet_of(tmp_path / "phu-luc.xlsx", plan(HEADER, body)))

    assert "dòng 6, cột A" in stderr and "công thức chưa có giá trị" in stderr and "«=A5+1»" in stderr, stderr
    assert "trùng" not in stderr, stderr  # not a duplicate number «1»
