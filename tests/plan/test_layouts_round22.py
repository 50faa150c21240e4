"""Appendices of the 22nd import audit, read as the clerk who typed them sees them.

- one "Cơ quan thực hiện" column marking the lead after the last name ("Sở Tư pháp, Sở Nội vụ (chủ
  trì)", "… (CT)", "… chủ trì", one name a line): the marked name leads, the others support it; a
  registered name holding a comma ("UBND các xã, phường") is one name; "(đồng chủ trì)" and a cell
  with no mark keep every name a lead;
- a task's text opening with a bullet ("- Rà soát …", "-  Kiểm tra", "• Tuyên truyền", "–Tổng kết"),
  in a numbered row or a sub-row numbered from its bullet: its title without the bullet;
- whole years as period columns marked "x" ("Năm 2025 | Năm 2026", or "2025 | 2026" under "Lộ trình"):
  each run of marked years due at the end of its last year, every year marked due at the end of each;
- three header rows ("Thời gian thực hiện" over "Năm 2026" over "Quý I" … "Quý IV"; "Tổ chức thực
  hiện" over "Cơ quan thực hiện" over "Chủ trì" | "Phối hợp"): read as one header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.real_layouts import LEFT, UP, WRITERS, Sheet, write_xlsx
from tests.plan.test_audit_layouts import admin, imported, refused  # noqa: F401 (admin is a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_real_layouts import Admin

TITLE: list[list[Any]] = [["PHỤ LỤC"], ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"]]
TITLE_LINES = ("PHỤ LỤC", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026")
HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]


def units(store: Admin) -> list[tuple[str, list[str], list[str]]]:
    return [(t["code"], t["lead"], t["support"]) for t in store.tasks()]


def deadlines(store: Admin) -> list[tuple[str, str, list[str]]]:
    return [(t["code"], t["deadline"]["text"], t["deadline"]["dates"]) for t in store.tasks()]


# --------------------------------------------------------------------------- the lead marked after the last name


def test_the_name_a_lead_mark_follows_leads_and_the_names_before_it_support(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        ["STT", "Nội dung", "Cơ quan thực hiện", "Thời gian hoàn thành"],
        [1, "Kiểm tra công vụ", "Sở Tư pháp, Sở Nội vụ (chủ trì)", "Quý III/2026"],
        [2, "Rà soát văn bản", "Sở Y tế, Sở Tư pháp (CT)", "Quý III/2026"],
        [3, "Bồi dưỡng công chức", "Sở Tài chính, Sở Nội vụ chủ trì", "Quý IV/2026"],
        [4, "Đào tạo", "Sở Giáo dục và Đào tạo\nSở Nội vụ (chủ trì)", "Quý IV/2026"],
        [5, "Tuyên truyền", "Sở Tư pháp, UBND các xã, phường (Chủ trì)", "Quý IV/2026"],
        [6, "Hội nghị", "Sở Tư pháp, Sở Y tế và Sở Nội vụ (chủ trì)", "Quý IV/2026"],
        [7, "Sơ kết", "Sở Tư pháp, Sở Nội vụ (đồng chủ trì)", "Quý IV/2026"],
        [8, "Tổng kết", "Sở Tư pháp, Sở Nội vụ", "Quý IV/2026"],
        [9, "Báo cáo", "Sở Văn hóa, Sở Nội vụ (chủ trì)", "Quý IV/2026"],
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert units(admin) == [
        ("1", ["SNV"], ["STP"]),  # was: both leads
        ("2", ["STP"], ["SYT"]),
        ("3", ["SNV"], ["STC"]),
        ("4", ["SNV"], ["SGDDT"]),
        ("5", ["X1", "P1"], ["STP"]),  # "UBND các xã, phường" is one registered name
        ("6", ["SYT", "SNV"], ["STP"]),  # "và" joins the names the mark follows
        ("7", ["STP", "SNV"], []),  # a shared lead
        ("8", ["STP", "SNV"], []),  # no mark: as before
        ("9", ["SNV"], []),
    ]
    # the unknown name is a supporting unit left out, named with its row, column and text
    assert [(w["where"], w["value"]) for w in data["warnings"]] == [
        ("row 12, column C (Cơ quan thực hiện)", "Sở Văn hóa")
    ]


# --------------------------------------------------------------------------- bullets opening the text


def test_a_bullet_opening_the_text_is_not_in_the_title(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        HEADER,
        [1, "- Rà soát, đơn giản hóa thủ tục hành chính", "Sở Tư pháp", None, "Quý II/2026"],
        [2, "-  Kiểm tra công vụ", "Sở Nội vụ", None, "Quý II/2026"],
        [3, "Nâng cao chất lượng dịch vụ công"],
        [None, "- Khảo sát sự hài lòng", "Sở Nội vụ", None, "Tháng 6/2026"],
        [None, "- Công khai kết quả", "Văn phòng UBND thành phố", None, "Tháng 12/2026"],
        [4, "Chuyển đổi số"],
        [None, "+ Số hóa hồ sơ", "Sở Nội vụ", None, "Quý IV/2026"],
        [None, "+ Kết nối dữ liệu", "Sở Y tế", None, "Quý IV/2026"],
        [5, "• Tuyên truyền", "Sở Nội vụ", None, "Quý II/2026"],
        [6, "–Tổng kết", "Sở Nội vụ", None, "Quý IV/2026"],
        [7, "-5% thủ tục giấy", "Sở Nội vụ", None, "Quý IV/2026"],
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [(t["code"], t["title"]) for t in admin.tasks()] == [
        ("1", "Rà soát, đơn giản hóa thủ tục hành chính"),  # was "- Rà soát, …"
        ("2", "Kiểm tra công vụ"),
        ("3.1", "Khảo sát sự hài lòng"),
        ("3.2", "Công khai kết quả"),
        ("4.1", "Số hóa hồ sơ"),
        ("4.2", "Kết nối dữ liệu"),
        ("5", "Tuyên truyền"),
        ("6", "Tổng kết"),
        ("7", "-5% thủ tục giấy"),  # a sign before a number stays
    ]


# --------------------------------------------------------------------------- whole years as period columns


def read_from(columns: str) -> str:
    return (
        f"phu-luc.xlsx: the deadlines were read from the marks in the period columns {columns}: a task is due"
        " at the end of each run of periods marked one after another, a task marked in every period repeats"
        " each period («Hằng năm»); check them"
    )


def test_years_marked_under_the_time_title_give_the_deadlines(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(
            ("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời gian thực hiện", LEFT, "Sản phẩm"),
            (UP, UP, UP, UP, "Năm 2025", "Năm 2026", UP),
        ),
        body=(
            ("1", "Rà soát văn bản", "Sở Tư pháp", "", "x", "", "Báo cáo"),
            ("2", "Kiểm tra công vụ", "Sở Nội vụ", "", "x", "X", "Kết luận"),
            ("3", "Tổng kết", "Sở Nội vụ", "", "", "x", "Báo cáo"),
        ),
    )

    data = imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    # was refused: «x» no deadline in column E
    assert deadlines(admin) == [
        ("1", "Năm 2025", ["2025-12-31"]),
        ("2", "Hằng năm", ["2025-12-31", "2026-12-31"]),
        ("3", "Năm 2026", ["2026-12-31"]),
    ]
    assert [w["message"] for w in data["warnings"]] == [
        read_from("E–F («Thời gian thực hiện»: Năm 2025 – Năm 2026)").split(": ", 1)[1]
    ]


def test_bare_years_under_lo_trinh_not_under_kinh_phi(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(
            ("STT", "Nội dung", "Chủ trì", "Phối hợp", "Lộ trình", LEFT, LEFT, "Kinh phí (triệu đồng)", LEFT),
            (UP, UP, UP, UP, "2025", "2026", "2027", "2025", "2026"),
        ),
        body=(
            ("1", "Rà soát văn bản", "Sở Tư pháp", "", "x", "x", "", "100", "200"),
            ("2", "Kiểm tra công vụ", "Sở Nội vụ", "", "x", "", "x", "", "50"),
            ("3", "Tổng kết", "Sở Nội vụ", "", "", "", "Quý IV", "", ""),
        ),
    )

    data = imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert deadlines(admin) == [
        ("1", "Năm 2025 - 2026", ["2026-12-31"]),
        ("2", "Năm 2025; Năm 2027", ["2025-12-31", "2027-12-31"]),
        ("3", "Năm 2027", ["2027-12-31"]),
    ]
    assert [(w["where"], w["value"]) for w in data["warnings"]] == [
        ("phu-luc.xlsx", ""),
        ("row 8, column G (Lộ trình 2027)", "Quý IV"),
    ]
    assert "E–G («Lộ trình»: 2025 – 2027)" in data["warnings"][0]["message"]


# --------------------------------------------------------------------------- three header rows


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_quarters_under_a_year_under_the_time_title(admin: Admin, tmp_path: Path, kind: str) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(
            ("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời gian thực hiện", LEFT, LEFT, LEFT, "Sản phẩm"),
            (UP, UP, UP, UP, "Năm 2026", LEFT, LEFT, LEFT, UP),
            (UP, UP, UP, UP, "Quý I", "Quý II", "Quý III", "Quý IV", UP),
        ),
        body=(
            ("1", "Rà soát văn bản", "Sở Tư pháp", "Sở Nội vụ", "", "x", "x", "", "Báo cáo"),
            ("2", "Tổng kết", "Sở Nội vụ", "", "", "", "", "x", "Báo cáo"),
        ),
    )

    data = imported(admin, tmp_path, WRITERS[kind](table, tmp_path / f"phu-luc.{kind}"))

    # was imported without a word as "Năm 2026 / Quý I": due 31/03 and 31/12 for every task
    assert deadlines(admin) == [
        ("1", "Quý II - III/2026", ["2026-09-30"]),
        ("2", "Quý IV/2026", ["2026-12-31"]),
    ]
    columns = "E–H" if kind == "xlsx" else "5–8"
    assert f"{columns} («Thời gian thực hiện Năm 2026»: Quý I – Quý IV)" in data["warnings"][0]["message"]


def test_quarters_of_two_years_under_the_time_title(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    quarters = ("Quý I", "Quý II", "Quý III", "Quý IV")
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(
            ("STT", "Nội dung", "Chủ trì", "Thời gian thực hiện", *[LEFT] * 7),
            (UP, UP, UP, "Năm 2025", LEFT, LEFT, LEFT, "Năm 2026", LEFT, LEFT, LEFT),
            (UP, UP, UP, *quarters, *quarters),
        ),
        body=(("1", "Rà soát văn bản", "Sở Tư pháp", "", "", "", "x", "x", "", "", ""),),
    )

    imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert deadlines(admin) == [("1", "Quý I/2026", ["2026-03-31"])]


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_lead_and_support_under_two_group_titles(admin: Admin, tmp_path: Path, kind: str) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(
            ("STT", "Nội dung", "Tổ chức thực hiện", LEFT, "Thời hạn", "Sản phẩm"),
            (UP, UP, "Cơ quan thực hiện", LEFT, UP, UP),
            (UP, UP, "Chủ trì", "Phối hợp", UP, UP),
        ),
        body=(("1", "Rà soát văn bản", "Sở Tư pháp", "Sở Nội vụ, Sở Ngoại vụ", "Quý II/2026", "Báo cáo"),),
    )

    data = imported(admin, tmp_path, WRITERS[kind](table, tmp_path / f"phu-luc.{kind}"))

    assert units(admin) == [("1", ["STP"], ["SNV"])]  # was: Sở Nội vụ lost without a word
    column, where = ("D", "row 7") if kind == "xlsx" else ("4", "table 1, row 4")
    assert [(w["where"], w["value"]) for w in data["warnings"]] == [
        (f"{where}, column {column} (Phối hợp)", "Sở Ngoại vụ")
    ]
