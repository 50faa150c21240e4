"""Appendices of the 24th import audit (plans of 2026: CCHC, chuyển đổi số, Đề án 06, a ministry's),
read as the clerk who typed them sees them.

- a "Lĩnh vực" (or "Nhóm nhiệm vụ") column naming each task's area, merged down over its tasks or,
  in a CSV, written once over them: the plan's areas, as area rows would be;
- no STT column, the number opening the text ("1.1. Rà soát …"), or "a) …" rows under a heading:
  numbered so, their titles without the number;
- one task's text going on in the row under it (a page break: its number again, or none and the text
  going on in lower case), in one table or in the part of a Word table after the break: one task;
- a CSV exported from Google Sheets (title, empty leading columns, dates written "2026-09-30");
- what already read right and is kept so: "Thời gian" over "Từ | Đến", lead cells naming a post
  ("Giám đốc Sở Nội vụ", "Thủ trưởng các cơ quan chuyên môn"), "Kết quả/sản phẩm", "Kinh phí (triệu
  đồng)" and a "Ghi chú" of "Nhiệm vụ chuyển tiếp", deadline cells on two lines, a ministry's Vụ/Cục.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.plan.layouts import Group, Registry, Unit
from tests.plan.real_layouts import LEFT, UP, WRITERS, Sheet, write_docx, write_xlsx
from tests.plan.test_audit_layouts import admin, imported  # noqa: F401 (admin is a fixture)
from tests.plan.test_ministry_audit import MINISTRY
from tests.plan.test_real_layouts import Admin

TITLE_LINES = ("PHỤ LỤC", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026")
HEADER = ("STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn")

PROVINCE = Registry(
    organization="Ủy ban nhân dân tỉnh Hòa An",
    coordinator="SNV",
    units=(
        *(
            Unit(code, name, groups=("cm",))
            for code, name in (
                ("SNV", "Sở Nội vụ"),
                ("STP", "Sở Tư pháp"),
                ("SYT", "Sở Y tế"),
                ("SKHCN", "Sở Khoa học và Công nghệ"),
            )
        ),
        Unit("VP", "Văn phòng UBND tỉnh", ("Văn phòng Ủy ban nhân dân tỉnh",)),
        Unit("CA", "Công an tỉnh"),
        Unit("X1", "UBND xã An Phú", groups=("xa",)),
        Unit("P1", "UBND phường Hòa Bình", groups=("xa",)),
    ),
    groups=(
        Group("cm", "Các cơ quan chuyên môn thuộc UBND tỉnh", ("Các sở, ban, ngành", "Các cơ quan chuyên môn")),
        Group("xa", "UBND các xã, phường", ("Ủy ban nhân dân các xã, phường", "Các xã, phường")),
    ),
)


def read(store: Admin) -> list[tuple[str, str, list[str], list[str], str]]:
    return [(t["code"], t["title"], t["lead"], t["support"], t["deadline"]["text"]) for t in store.tasks()]


def imported_with(admin: Admin, tmp_path: Path, registry: Registry, path: Path) -> dict[str, Any]:  # noqa: F811
    admin.register(tmp_path / "don-vi.yaml", registry)
    result = admin.run("plan", "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


# --------------------------------------------------------------------------- a column of areas


def test_a_linh_vuc_column_merged_over_its_tasks_gives_the_plan_its_areas(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(("STT", "Lĩnh vực", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn hoàn thành"),),
        body=(
            ("1", "Cải cách thể chế", "Rà soát văn bản QPPL", "Sở Tư pháp", "Sở Nội vụ", "Quý II/2026"),
            ("2", UP, "Kiểm tra văn bản", "Sở Tư pháp", "", "Quý III/2026"),
            ("3", "Cải cách thủ tục hành chính", "Công bố thủ tục", "Văn phòng UBND tỉnh", "", "Quý I/2026"),
            ("4", UP, "Số hóa kết quả", "UBND các xã, phường", "", "Tháng 12/2026"),
        ),
    )
    path = write_xlsx(table, tmp_path / "phu-luc.xlsx")
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)

    result = admin.run("plan", "import", str(path))

    # was "4 tasks in 0 areas": the areas gone, every task in none
    assert "4 tasks in 2 areas" in result.stdout, result.stdout + result.stderr
    assert [(t["code"], t["area"], t["title"]) for t in admin.tasks()] == [
        ("I.1", "I", "Rà soát văn bản QPPL"),
        ("I.2", "I", "Kiểm tra văn bản"),
        ("II.3", "II", "Công bố thủ tục"),
        ("II.4", "II", "Số hóa kết quả"),
    ]


def test_a_group_column_written_once_in_a_csv_keeps_its_numerals(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    path = write_csv(
        tmp_path / "phu-luc.csv",
        [
            ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
            [],
            ["STT", "Nhóm nhiệm vụ", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"],
            ["1", "I. Cải cách thể chế", "Rà soát văn bản", "Sở Tư pháp", "Quý II/2026"],
            ["2", "", "Kiểm tra văn bản", "Sở Tư pháp", "Quý III/2026"],
            ["", "II. Hiện đại hóa hành chính", "", "", ""],
            ["1", "", "Số hóa hồ sơ", "Sở Nội vụ", "Quý IV/2026"],
            ["2", "", "Họp trực tuyến", "Văn phòng UBND thành phố", "Tháng 12/2026"],
        ],
    )

    data = imported(admin, tmp_path, path)

    # was refused: "task number 1 is used twice", the areas read as nothing
    assert [(t["code"], t["title"]) for t in admin.tasks()] == [
        ("I.1", "Rà soát văn bản"),
        ("I.2", "Kiểm tra văn bản"),
        ("II.1", "Số hóa hồ sơ"),
        ("II.2", "Họp trực tuyến"),
    ]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- the number opening the text


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_with_no_stt_column_the_number_opening_the_text_numbers_the_task(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
    kind: str,
) -> None:
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(("Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"),),
        body=(
            ("1. Cải cách thể chế", "", "", ""),
            ("1.1. Rà soát văn bản QPPL", "Sở Tư pháp", "Sở Nội vụ", "Quý II/2026"),
            ("1.2.Kiểm tra văn bản", "Sở Tư pháp", "", "Quý III/2026"),
            ("2. Công bố thủ tục hành chính", "Văn phòng UBND thành phố", "", "Quý I/2026"),
            ("3. Hiện đại hóa hành chính", "", "", ""),
            ("a) Nâng cấp phần mềm một cửa", "Sở Khoa học và Công nghệ", "", "Quý IV/2026"),
            ("b) 30.000 hồ sơ được số hóa", "Sở Nội vụ", "", "Tháng 12/2026"),
        ),
    )

    imported(admin, tmp_path, WRITERS[kind](table, tmp_path / f"phu-luc.{kind}"))

    # was "1.1. Rà soát …" as the title, and "2. Công bố …" numbered 1.3
    assert [(t["code"], t["title"]) for t in admin.tasks()] == [
        ("1.1", "Rà soát văn bản QPPL"),
        ("1.2", "Kiểm tra văn bản"),
        ("2", "Công bố thủ tục hành chính"),
        ("3.a", "Nâng cấp phần mềm một cửa"),
        ("3.b", "30.000 hồ sơ được số hóa"),
    ]


def test_a_number_opening_the_text_beside_an_stt_column(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Rà soát văn bản", "Sở Tư pháp", "", "Quý II/2026"),
            ("", "2. Kiểm tra văn bản", "Sở Tư pháp", "", "Quý III/2026"),  # its number typed in the text
            ("3", "Cải cách thể chế", "", "", ""),
            ("", "1. Rà soát quy chế", "Sở Nội vụ", "", "Quý III/2026"),  # restarting under "3"
            ("", "2. Rà soát quy định", "Sở Y tế", "", "Quý IV/2026"),
            ("4", "Tổng kết", "Sở Nội vụ", "", "Tháng 12/2026"),
        ),
    )

    imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    # was refused: "task number 1 is used twice" (the row "2. Kiểm tra …" numbered 1)
    assert [(t["code"], t["title"]) for t in admin.tasks()] == [
        ("1", "Rà soát văn bản"),
        ("2", "Kiểm tra văn bản"),
        ("3.1", "Rà soát quy chế"),
        ("3.2", "Rà soát quy định"),
        ("4", "Tổng kết"),
    ]


def test_letters_opening_the_text_under_a_numbered_heading_are_no_part_of_the_title(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
) -> None:
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Cải cách thể chế", "", "", ""),
            ("", "a) Rà soát văn bản QPPL", "Sở Tư pháp", "Sở Nội vụ", "Quý II/2026"),
            ("", "b) Kiểm tra văn bản", "Sở Tư pháp", "", "Quý III/2026"),
            ("2", "Cải cách thủ tục hành chính", "Văn phòng UBND thành phố", "", "Quý I/2026"),
            ("", "a. Công bố thủ tục", "", "", ""),
            ("", "b. Niêm yết thủ tục", "", "", ""),
        ),
    )

    imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    # was "a) Rà soát văn bản QPPL", "a. Công bố thủ tục"
    assert read(admin) == [
        ("1.a", "Rà soát văn bản QPPL", ["STP"], ["SNV"], "Quý II/2026"),
        ("1.b", "Kiểm tra văn bản", ["STP"], [], "Quý III/2026"),
        ("2.a", "Công bố thủ tục", ["VP"], [], "Quý I/2026"),
        ("2.b", "Niêm yết thủ tục", ["VP"], [], "Quý I/2026"),
    ]


# --------------------------------------------------------------------------- a task split by a page break


SPLIT = "Xây dựng kho dữ liệu dùng chung của thành phố, kết nối"
REST = "với Cổng dịch vụ công quốc gia"


@pytest.mark.parametrize("number", ["2", ""], ids=["number-repeated", "number-empty"])
@pytest.mark.parametrize(
    "kind",
    ["xlsx", "docx", "docx-split"],
)
def test_a_task_whose_text_goes_on_in_the_row_under_it_is_one_task(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
    kind: str,
    number: str,
) -> None:
    table = Sheet(
        title_lines=("PHỤ LỤC", "KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2026"),
        header=(HEADER,),
        body=(
            ("1", "Triển khai nền tảng số", "Sở Nội vụ", "", "Quý II/2026"),
            ("2", SPLIT, "Sở Khoa học và Công nghệ", "Sở Tài chính", "Quý III/2026"),
            (number, REST, "", "", ""),
            ("3", "Tổng kết", "Sở Nội vụ", "", "Tháng 12/2026"),
        ),
    )
    if kind == "docx-split":  # the rest of the row opens the part of the table on the next page
        path = write_docx(table, tmp_path / "phu-luc.docx", split_after=2)
    else:
        path = WRITERS[kind](table, tmp_path / f"phu-luc.{kind}")

    data = imported(admin, tmp_path, path)

    # was "… kết nối" with the rest of its text gone (and, in Word, "3 | Tổng kết" lost with it)
    assert read(admin) == [
        ("1", "Triển khai nền tảng số", ["SNV"], [], "Quý II/2026"),
        ("2", f"{SPLIT} {REST}", ["SKHCN"], ["STC"], "Quý III/2026"),
        ("3", "Tổng kết", ["SNV"], [], "Tháng 12/2026"),
    ]
    assert data["warnings"] == []


def test_an_unnumbered_row_starting_in_capitals_between_two_tasks_is_no_part_of_either(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
) -> None:
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Rà soát văn bản", "Sở Tư pháp", "", "Quý II/2026"),
            ("", "Hiện đại hóa hành chính", "", "", ""),  # a heading, numbering going on under it
            ("2", "Số hóa hồ sơ", "Sở Nội vụ", "", "Quý IV/2026"),
            ("3", "Họp trực tuyến", "Sở Nội vụ", "", "Quý IV/2026"),
            ("", "HIỆN ĐẠI HÓA HÀNH CHÍNH", "", "", ""),
        ),
    )

    imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [(t["code"], t["title"]) for t in admin.tasks()] == [
        ("1", "Rà soát văn bản"),
        ("2", "Số hóa hồ sơ"),
        ("3", "Họp trực tuyến"),
    ]


# --------------------------------------------------------------------------- a CSV from Google Sheets


def test_a_google_sheets_csv_with_empty_leading_columns_and_year_first_dates(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    path = write_csv(
        tmp_path / "Kế hoạch CCHC 2026 - Trang tính1.csv",
        [
            ["", "", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026", "", "", "", ""],
            ["", "", "", "", "", "", ""],
            ["", "", "STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"],
            ["", "", "1", "Rà soát văn bản", "Sở Tư pháp", "Sở Nội vụ", "30/06/2026"],
            ["", "", "2", "Kiểm tra công vụ", "Sở Nội vụ", "", "2026-09-30"],
            ["", "", "3", "Số hóa hồ sơ", "UBND các xã, phường", "", "2026-11-15 00:00:00"],
            ["", "", "", "", "", "", ""],
        ],
    )

    data = imported(admin, tmp_path, path)

    # was refused: "2026-09-30" read as no deadline
    assert [(t["code"], t["lead"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("1", ["STP"], ["2026-06-30"]),
        ("2", ["SNV"], ["2026-09-30"]),
        ("3", ["X1", "P1"], ["2026-11-15"]),
    ]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- layouts that read right


def test_from_and_to_under_one_time_heading_the_deadline_is_the_end(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=("PHỤ LỤC", "KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2026"),
        header=(
            ("STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian", LEFT),
            (UP, UP, UP, UP, "Từ", "Đến"),
        ),
        body=(
            ("1", "Triển khai nền tảng số", "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Tháng 3/2026", "Tháng 9/2026"),
            ("2", "Số hóa hồ sơ", "Sở Nội vụ", "", "01/02/2026", "30/11/2026"),
        ),
    )

    data = imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [(t["code"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("1", ["2026-09-30"]),
        ("2", ["2026-11-30"]),
    ]
    assert data["warnings"] == []


def test_lead_cells_naming_a_post_read_as_its_units(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Rà soát thủ tục", "Giám đốc Sở Nội vụ", "Thủ trưởng các cơ quan chuyên môn", "Quý II/2026"),
            ("2", "Số hóa hồ sơ", "Chủ tịch UBND các xã, phường", "Giám đốc Công an tỉnh", "Quý III/2026"),
            ("3", "Kiểm tra công vụ", "Chánh Văn phòng UBND tỉnh", "Giám đốc các sở: Tư pháp, Y tế", "Tháng 10/2026"),
            ("4", "Tự kiểm tra", "Người đứng đầu các cơ quan chuyên môn thuộc UBND tỉnh", "", "Tháng 12/2026"),
        ),
    )

    data = imported_with(admin, tmp_path, PROVINCE, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [(t["code"], t["lead"], t["support"]) for t in admin.tasks()] == [
        ("1", ["SNV"], ["STP", "SYT", "SKHCN"]),
        ("2", ["X1", "P1"], ["CA"]),
        ("3", ["VP"], ["STP", "SYT"]),
        ("4", ["SNV", "STP", "SYT", "SKHCN"], []),
    ]
    assert data["warnings"] == []


def test_product_budget_and_a_carried_over_note_are_neither_units_nor_deadlines(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(
            (
                "STT",
                "Nhiệm vụ",
                "Kết quả/sản phẩm",
                "Cơ quan chủ trì",
                "Cơ quan phối hợp",
                "Thời gian hoàn thành",
                "Kinh phí (triệu đồng)",
                "Ghi chú",
            ),
        ),
        body=(
            (
                "1",
                "Nâng cấp cổng dịch vụ công",
                "Hệ thống được nâng cấp",
                "Sở Khoa học và Công nghệ",
                "Sở Nội vụ",
                "Quý III/2026",
                "1.500",
                "Nhiệm vụ chuyển tiếp",
            ),
            (
                "2",
                "Tập huấn kỹ năng số",
                "05 lớp tập huấn",
                "Sở Nội vụ",
                "",
                "Tháng 6/2026",
                "250",
                "Chuyển tiếp từ năm 2025",
            ),
        ),
    )

    data = imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [(t["code"], t["product"], t["lead"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("1", "Hệ thống được nâng cấp", ["SKHCN"], ["2026-09-30"]),
        ("2", "05 lớp tập huấn", ["SNV"], ["2026-06-30"]),
    ]
    assert data["warnings"] == []


def test_deadline_cells_on_two_lines(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    cells = [
        "Quý II/2026\n(báo cáo trước 15/6)",
        "Tháng 6/2026; Tháng 12/2026",
        "Trước ngày 15/11/2026\n(gửi Sở Nội vụ)",
        "Tháng 6/2026\nTháng 12/2026",
        "Quý III/2026\n(Hoàn thành trước 30/9/2026)",
    ]
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=tuple((str(n), f"Nhiệm vụ {n}", "Sở Nội vụ", "", cell) for n, cell in enumerate(cells, 1)),
    )

    imported(admin, tmp_path, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    assert [t["deadline"]["dates"] for t in admin.tasks()] == [
        ["2026-06-15"],
        ["2026-06-30", "2026-12-31"],
        ["2026-11-15"],
        ["2026-06-30", "2026-12-31"],
        ["2026-09-30"],
    ]


def test_a_ministry_appendix_of_vu_and_cuc(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    table = Sheet(
        title_lines=(
            "PHỤ LỤC",
            "KẾ HOẠCH TRIỂN KHAI ĐỀ ÁN 06 CỦA BỘ NỘI VỤ NĂM 2026",
            "(Kèm theo Quyết định số 12/QĐ-BNV ngày 15/01/2026 của Bộ trưởng Bộ Nội vụ)",
        ),
        header=(("TT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Sản phẩm", "Thời hạn hoàn thành"),),
        body=(
            ("I", "NHIỆM VỤ CHUNG", "", "", "", ""),
            ("1", "Rà soát thủ tục", "Văn phòng Bộ", "Các đơn vị thuộc Bộ", "Báo cáo", "Tháng 3/2026"),
            (
                "2",
                "Kết nối CSDL cán bộ",
                "Cục Chuyển đổi số",
                "Vụ Tổ chức cán bộ; Trung tâm Thông tin",
                "Dữ liệu",
                "Quý III/2026",
            ),
            ("3", "Tự kiểm tra", "Thủ trưởng các đơn vị thuộc Bộ", "", "Báo cáo", "Hằng quý"),
            (
                "4",
                "Sơ kết, tổng kết",
                "Vụ TCCB",
                "Các Vụ, Cục, Văn phòng Bộ, Thanh tra Bộ",
                "Báo cáo",
                "Tháng 6/2026; Tháng 12/2026",
            ),
        ),
    )

    data = imported_with(admin, tmp_path, MINISTRY, write_xlsx(table, tmp_path / "phu-luc.xlsx"))

    every = ["TCCB", "KHTC", "VP", "TTR", "CDS", "TTTT", "BAO"]
    assert [(t["code"], t["lead"], t["support"]) for t in admin.tasks()] == [
        ("I.1", ["VP"], [u for u in every if u != "VP"]),
        ("I.2", ["CDS"], ["TCCB", "TTTT"]),
        ("I.3", every, []),
        ("I.4", ["TCCB"], ["KHTC", "VP", "TTR", "CDS"]),
    ]
    assert data["warnings"] == []
