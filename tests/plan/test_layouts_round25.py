"""Appendices of the 25th import audit (plans of 2026 from provinces, communes and ministries), read
as the clerk who typed them sees them.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.plan.layouts import Registry
from tests.plan.real_layouts import LEFT, WRITERS, Sheet, write_docx_sections, write_xlsx
from tests.plan.test_audit_layouts import admin  # noqa: F401 (admin is a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_layouts_round24 import PROVINCE
from tests.plan.test_real_layouts import Admin

TITLE_LINES = ("PHỤ LỤC", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026")
HEADER = ("STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn")


def imported_with(admin: Admin, tmp_path: Path, registry: Registry, path: Path) -> dict[str, Any]:  # noqa: F811
    admin.register(tmp_path / "don-vi.yaml", registry)
    result = admin.run("plan", "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def units(store: Admin) -> list[tuple[str, list[str], list[str]]]:
    return [(t["code"], t["lead"], t["support"]) for t in store.tasks()]


# --------------------------------------------------------------------------- 1. one column, both roles


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_one_executing_column_naming_both_roles_on_lines(admin: Admin, tmp_path: Path, kind: str) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(("STT", "Nội dung", "Đơn vị thực hiện", "Thời hạn"),),
        body=(
            (
                "1",
                "Rà soát quy chế",
                "- Chủ trì: Sở Nội vụ\n- Phối hợp: Sở Tư pháp, UBND các xã, phường",
                "Quý II/2026",
            ),
            ("2", "Kiểm tra công vụ", "Sở Nội vụ; phối hợp: các sở, ngành", "Quý III/2026"),
            ("3", "Số hóa hồ sơ", "+ Chủ trì: Sở Y tế;\n+ Phối hợp: Công an tỉnh.", "Quý IV/2026"),
            ("4", "Tập huấn", "Sở Tư pháp (chủ trì); Sở Nội vụ, Sở Y tế (phối hợp)", "Tháng 12/2026"),
        ),
    )

    data = imported_with(admin, tmp_path, PROVINCE, WRITERS[kind](table, tmp_path / f"phu-luc.{kind}"))

    assert units(admin) == [
        ("1", ["SNV"], ["STP", "X1", "P1"]),
        ("2", ["SNV"], ["STP", "SYT", "SKHCN"]),
        ("3", ["SYT"], ["CA"]),
        ("4", ["STP"], ["SNV", "SYT"]),
    ]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- 2. ranges and rounds

RANGES = [
    ("Tháng 3-6/2026", ["2026-06-30"]),
    ("Từ tháng 3 đến tháng 6/2026", ["2026-06-30"]),
    ("Quý I-II/2026", ["2026-06-30"]),
    ("Quý I - Quý II/2026", ["2026-06-30"]),
    ("Tháng 3 - tháng 6 năm 2026", ["2026-06-30"]),
    ("Đợt 1: tháng 4/2026; Đợt 2: tháng 10/2026", ["2026-04-30", "2026-10-31"]),
    ("Đợt 1: Quý II/2026\nĐợt 2: Quý IV/2026", ["2026-06-30", "2026-12-31"]),
    ("Tuần đầu tháng 12/2026", ["2026-12-07"]),
    ("Trong 6 tháng đầu năm 2026", ["2026-06-30"]),
    ("Trong quý III/2026", ["2026-09-30"]),
]


def test_ranges_and_rounds_fall_due_at_the_end_of_the_range_and_on_each_round(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=tuple((str(n), f"Nhiệm vụ {n}", "Sở Nội vụ", "", cell) for n, (cell, _) in enumerate(RANGES, 1)),
    )

    data = imported_with(admin, tmp_path, PROVINCE, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [t["deadline"]["dates"] for t in admin.tasks()] == [dates for _, dates in RANGES]
    assert data["warnings"] == []


def test_quarterly_before_a_day_of_the_last_month(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(("STT", "Nội dung", "Cơ quan chủ trì", "Sản phẩm", "Thời hạn"),),
        body=(
            (
                "1",
                "Báo cáo tình hình",
                "Sở Nội vụ",
                "Báo cáo; Kế hoạch",
                "Định kỳ hằng quý (trước ngày 20 tháng cuối quý)",
            ),
            ("2", "Tổng hợp", "Sở Tư pháp", "Báo cáo", "Trước ngày 15 tháng cuối quý"),
        ),
    )

    data = imported_with(admin, tmp_path, PROVINCE, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [(t["product"], t["deadline"]["every"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("Báo cáo; Kế hoạch", "quarter", ["2026-03-20", "2026-06-20", "2026-09-20", "2026-12-20"]),
        ("Báo cáo", "quarter", ["2026-03-15", "2026-06-15", "2026-09-15", "2026-12-15"]),
    ]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- 3. one Word table per area

AREA_HEADER = (("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời hạn"),)


def test_a_word_appendix_with_one_table_per_area_under_its_title(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    path = write_docx_sections(
        ("PHỤ LỤC", "KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2026", "(Kèm theo Kế hoạch số 20/KH-UBND ngày 10/01/2026)"),
        (
            (
                "I. CHUYỂN ĐỔI SỐ TRONG CƠ QUAN NHÀ NƯỚC",
                Sheet(
                    (),
                    AREA_HEADER,
                    (
                        (
                            "1",
                            "Nâng cấp hệ thống một cửa",
                            "Sở Khoa học và Công nghệ",
                            "Sở Nội vụ",
                            "Hệ thống",
                            "Quý II/2026",
                        ),
                        ("2", "Số hóa hồ sơ", "Sở Nội vụ", "", "Dữ liệu", "Quý III/2026"),
                    ),
                ),
            ),
            (
                "II. KINH TẾ SỐ",
                Sheet(
                    (),
                    AREA_HEADER,
                    (("1", "Thanh toán không dùng tiền mặt", "Sở Y tế", "Công an tỉnh", "Báo cáo", "Tháng 10/2026"),),
                ),
            ),
            (
                "III. XÃ HỘI SỐ",
                Sheet(
                    (),
                    AREA_HEADER,
                    (
                        ("1", "Tập huấn kỹ năng số", "UBND các xã, phường", "", "Lớp tập huấn", "Quý IV/2026"),
                        ("2", "Tổng kết", "Sở Nội vụ", "", "Báo cáo", "Tháng 12/2026"),
                    ),
                ),
            ),
        ),
        tmp_path / "phu-luc.docx",
    )

    data = imported_with(admin, tmp_path, PROVINCE, path)

    assert [
        (t["code"], t["area"], t["title"], t["lead"], t["support"], t["deadline"]["dates"]) for t in admin.tasks()
    ] == [
        ("I.1", "I", "Nâng cấp hệ thống một cửa", ["SKHCN"], ["SNV"], ["2026-06-30"]),
        ("I.2", "I", "Số hóa hồ sơ", ["SNV"], [], ["2026-09-30"]),
        ("II.1", "II", "Thanh toán không dùng tiền mặt", ["SYT"], ["CA"], ["2026-10-31"]),
        ("III.1", "III", "Tập huấn kỹ năng số", ["X1", "P1"], [], ["2026-12-31"]),
        ("III.2", "III", "Tổng kết", ["SNV"], [], ["2026-12-31"]),
    ]
    assert data["title"] == "Kế hoạch chuyển đổi số năm 2026"
    assert data["warnings"] == []


# --------------------------------------------------------------------------- 4. the header on page two only

ABOVE = [
    ["1", "Rà soát quy chế", "Sở Nội vụ", "", "Quý II/2026"],
    ["2", "Kiểm tra công vụ", "Sở Tư pháp", "", "Quý III/2026"],
]
UNDER = [["3", "Số hóa hồ sơ", "Sở Y tế", "", "Quý IV/2026"], ["4", "Tổng kết", "Sở Nội vụ", "", "Tháng 12/2026"]]
EVERY_TASK = [
    ("1", "Rà soát quy chế", ["SNV"]),
    ("2", "Kiểm tra công vụ", ["STP"]),
    ("3", "Số hóa hồ sơ", ["SYT"]),
    ("4", "Tổng kết", ["SNV"]),
]


def page_two_header(kind: str, path: Path) -> Path:
    """The first page's rows with no header (it was an image), the header opening the second page."""
    rows = [["PHỤ LỤC"], ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"], [], *ABOVE, list(HEADER), *UNDER]
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(rows)
        return path
    if kind == "xlsx":
        return sheet(path, rows)
    document: Any = Document()
    for line in TITLE_LINES:
        document.add_paragraph(line)
    for part in (ABOVE, [list(HEADER), *UNDER]):
        table = document.add_table(rows=len(part), cols=len(HEADER))
        for r, row in enumerate(part):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        document.add_paragraph("")
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("csv", "dòng 4: các dòng từ đây đến dòng 5 nằm trước dòng tiêu đề của bảng (dòng 6)"),
        ("xlsx", "dòng 4: các dòng từ đây đến dòng 5 nằm trước dòng tiêu đề của bảng (dòng 6)"),
        ("docx", "bảng 1, dòng 1: các dòng từ đây đến bảng 1, dòng 2 nằm trước dòng tiêu đề của bảng (bảng 2, dòng 1)"),
    ],
)
def test_tasks_before_the_only_header_are_read_under_it_and_said(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
    kind: str,
    where: str,
) -> None:
    path = page_two_header(kind, tmp_path / f"phu-luc.{kind}")
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)

    result = admin.run("--lang", "vi", "plan", "import", str(path))

    # was "2 nhiệm vụ": tasks 1 and 2 gone without a word (in Word, the plan's title with them)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Kế hoạch cải cách hành chính năm 2026" in result.stdout
    assert [(t["code"], t["title"], t["lead"]) for t in admin.tasks()] == EVERY_TASK
    assert where in result.stderr, result.stderr


def test_a_summary_above_the_header_is_no_task(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        ["1", "Tổng số nhiệm vụ: 2"],
        [],
        list(HEADER),
        *UNDER,
    ]

    data = imported_with(admin, tmp_path, PROVINCE, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [t["code"] for t in admin.tasks()] == ["3", "4"]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- 5. numbers restarting in each area


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_numbers_restarting_at_1_in_each_area(admin: Admin, tmp_path: Path, kind: str) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("I", "CẢI CÁCH THỂ CHẾ", "", "", ""),
            ("1", "Rà soát văn bản", "Sở Tư pháp", "", "Quý I/2026"),
            ("2", "Kiểm tra văn bản", "Sở Tư pháp", "", "Quý II/2026"),
            ("3", "Theo dõi thi hành pháp luật", "Sở Tư pháp", "", "Quý III/2026"),
            ("", "II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH", LEFT, LEFT, LEFT),
            ("1", "Công bố thủ tục", "Văn phòng UBND tỉnh", "", "Quý II/2026"),
            ("2", "Số hóa kết quả", "UBND các xã, phường", "", "Tháng 12/2026"),
        ),
    )

    data = imported_with(admin, tmp_path, PROVINCE, WRITERS[kind](table, tmp_path / f"phu-luc.{kind}"))

    assert [(t["code"], t["area"], t["title"]) for t in admin.tasks()] == [
        ("I.1", "I", "Rà soát văn bản"),
        ("I.2", "I", "Kiểm tra văn bản"),
        ("I.3", "I", "Theo dõi thi hành pháp luật"),
        ("II.1", "II", "Công bố thủ tục"),
        ("II.2", "II", "Số hóa kết quả"),
    ]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- 6. people in the unit cells


def test_a_person_named_beside_the_unit_they_stand_for_names_that_unit(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Rà soát quy chế", "Đồng chí Nguyễn Văn A, Giám đốc Sở Nội vụ", "", "Quý II/2026"),
            (
                "2",
                "Kiểm tra công vụ",
                "Ông Trần Văn B - Chánh Văn phòng UBND tỉnh",
                "Bà Lê Thị C (Sở Y tế)",
                "Quý II/2026",
            ),
            (
                "3",
                "Số hóa hồ sơ",
                "Phó Giám đốc Sở Y tế phụ trách lĩnh vực",
                "Sở Nội vụ (đồng chí Lê Văn E)",
                "Quý III/2026",
            ),
            ("4", "Tổng kết", "Sở Tư pháp", "UBND thành phố Bà Rịa", "Tháng 12/2026"),
        ),
    )

    data = imported_with(admin, tmp_path, PROVINCE, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert units(admin) == [("1", ["SNV"], []), ("2", ["VP"], ["SYT"]), ("3", ["SYT"], ["SNV"]), ("4", ["STP"], [])]
    # was "left out: «Đồng chí Nguyễn Văn A»", «Ông Trần Văn B», «Bà Lê Thị C», «phụ trách lĩnh vực»;
    # a place that only looks like a name after "Bà" is still said
    assert [(w["row"], w["value"]) for w in data["warnings"]] == [(8, "UBND thành phố Bà Rịa")]


def test_a_lead_cell_naming_a_vice_chair_and_his_remit_is_the_issuing_body(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Rà soát quy chế", "Phó Chủ tịch UBND tỉnh (phụ trách khối Nội chính)", "", "Quý II/2026"),
            ("2", "Kiểm tra công vụ", "Đ/c Trần Văn D", "", "Quý II/2026"),
        ),
    )
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)

    result = admin.run("--lang", "vi", "plan", "import", str(write_xlsx(table, tmp_path / "phu-luc.xlsx")))

    assert result.exit_code != 0
    assert admin.tasks() == []
    # was "không có cơ quan, đơn vị này trong danh mục: «Phó Chủ tịch UBND tỉnh (phụ trách khối Nội chính»"
    assert (
        "dòng 5, cột C (Cơ quan chủ trì): là chính cơ quan ban hành kế hoạch, không phải một đơn vị trong danh mục"
        in result.stdout + result.stderr
    )
    assert "«Phó Chủ tịch UBND tỉnh (phụ trách khối Nội chính)»" in result.stdout + result.stderr
    assert "dòng 6, cột C (Cơ quan chủ trì)" in result.stdout + result.stderr
    assert "«Đ/c Trần Văn D»" in result.stdout + result.stderr


# --------------------------------------------------------------------------- 7. CSV delimiters and encodings

CSV_ROWS = [
    ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
    [],
    list(HEADER),
    ["1", "Rà soát quy chế", "Sở Nội vụ", "Sở Tư pháp, UBND các xã, phường", "Quý II/2026"],
    ["2", "Số hóa hồ sơ", "Sở Y tế", "", "Tháng 3-6/2026"],
]


@pytest.mark.parametrize("delimiter", ["\t", ";"], ids=["tab", "semicolon"])
def test_a_titled_csv_split_by_tabs_or_semicolons(admin: Admin, tmp_path: Path, delimiter: str) -> None:  # noqa: F811
    path = tmp_path / "phu-luc.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(CSV_ROWS)

    data = imported_with(admin, tmp_path, PROVINCE, path)

    # was refused: "không tìm thấy bảng nhiệm vụ" (the title line left the delimiter unknown, read as a comma)
    assert [(t["code"], t["lead"], t["support"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("1", ["SNV"], ["STP", "X1", "P1"], ["2026-06-30"]),
        ("2", ["SYT"], [], ["2026-06-30"]),
    ]
    assert data["warnings"] == []


def test_a_utf16_tab_separated_csv_is_refused_saying_how_to_save_it(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    text = io.StringIO()
    csv.writer(text, delimiter="\t").writerows(CSV_ROWS)
    path = tmp_path / "phu-luc.csv"
    path.write_bytes(text.getvalue().encode("utf-16"))  # Excel's "Unicode Text"
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)

    result = admin.run("--lang", "vi", "plan", "import", str(path))

    assert result.exit_code != 0
    assert 'lưu lại với kiểu "CSV UTF-8 (Comma delimited)"' in result.stdout + result.stderr
