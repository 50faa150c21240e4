"""The appendix builders write what they claim: real merged cells, BOMs, layout tables, row numbers.

These tests need nothing from dondoc, so they hold the test data honest even before the importer
exists. If one fails, the layout tests built on it prove nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from openpyxl import load_workbook

from tests.plan.layouts import (
    COMMUNE_UNITS,
    Appendix,
    Area,
    Blank,
    SubHeading,
    Task,
    write_csv,
    write_docx,
    write_registry,
    write_xlsx,
)

SAMPLE = Appendix(
    header="two-row",
    numbering="parenthesised",
    rows=[
        Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", merged=True),
        Task(1, "Ban hành kế hoạch\nchuyển đổi số", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022"),
        Blank(),
        Area("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
        SubHeading("1. Hạ tầng và ứng dụng", merged=True),
        Task("1.", "Nâng cấp mạng nội bộ", "Văn phòng", "", "", "Quý II/2022"),
    ],
    notes=["Ghi chú: Các ấp báo cáo kết quả về Văn phòng."],
)


def ranges(sheet: Any) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def test_xlsx_has_real_merged_cells_and_known_task_rows(tmp_path: Path) -> None:
    built = write_xlsx(SAMPLE, tmp_path / "phu-luc.xlsx")
    sheet = load_workbook(built.path).active
    # Titles on rows 1-3 (merged A:G), blank row 4, header rows 5-6, numbering row 7.
    assert {"A1:G1", "A2:G2", "A3:G3"} <= ranges(sheet)
    assert "D5:E5" in ranges(sheet)  # "Cơ quan thực hiện" over Chủ trì | Phối hợp
    assert {"A5:A6", "B5:B6", "C5:C6", "F5:F6", "G5:G6"} <= ranges(sheet)
    assert sheet["D5"].value == "Cơ quan thực hiện"
    assert (sheet["D6"].value, sheet["E6"].value) == ("Chủ trì", "Phối hợp")
    assert [sheet.cell(7, c).value for c in range(1, 8)] == [f"({i})" for i in range(1, 8)]
    assert "A8:G8" in ranges(sheet)
    assert sheet["A8"].value == "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
    assert built.row_of("Ban hành kế hoạch\nchuyển đổi số") == 9
    assert sheet["A9"].value == 1
    assert sheet["B9"].value == "Ban hành kế hoạch\nchuyển đổi số"
    assert all(sheet.cell(10, c).value is None for c in range(1, 8))
    assert (sheet["A11"].value, sheet["B11"].value) == ("II", "PHÁT TRIỂN HẠ TẦNG SỐ")
    assert "A12:G12" in ranges(sheet)
    assert built.row_of("Nâng cấp mạng nội bộ") == 13
    assert sheet["A13"].value == "1."
    assert sheet["A15"].value == "Ghi chú: Các ấp báo cáo kết quả về Văn phòng."


def test_xlsx_can_start_in_column_b(tmp_path: Path) -> None:
    appendix = Appendix(rows=[Task(1, "Việc một", "Văn phòng")], start_column=2)
    built = write_xlsx(appendix, tmp_path / "b.xlsx")
    sheet = load_workbook(built.path).active
    assert sheet["A5"].value is None
    assert sheet["B5"].value == "STT"
    assert sheet["C6"].value == "Việc một"
    assert built.row_of("Việc một") == 6


def test_docx_has_layout_table_paragraphs_and_real_merged_cells(tmp_path: Path) -> None:
    built = write_docx(SAMPLE, tmp_path / "phu-luc.docx")
    document = Document(str(built.path))
    assert len(document.tables) == 2
    layout_table, table = document.tables
    assert layout_table.cell(0, 0).text.startswith("ỦY BAN NHÂN DÂN")
    assert layout_table.cell(0, 1).text.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    texts = [p.text for p in document.paragraphs]
    assert "KẾ HOẠCH CHUYỂN ĐỔI SỐ CỦA XÃ TÂN PHÚ NĂM 2022" in texts
    assert "Ghi chú: Các ấp báo cáo kết quả về Văn phòng." in texts

    def row(i: int) -> list[str]:
        return [cell.text for cell in table.rows[i].cells]

    # A merged cell reads as the same text repeated across the cells it covers.
    assert row(0) == [
        "STT",
        "Nội dung",
        "Sản phẩm",
        "Cơ quan thực hiện",
        "Cơ quan thực hiện",
        "Thời gian hoàn thành",
        "Ghi chú",
    ]
    assert row(1) == [
        "STT",
        "Nội dung",
        "Sản phẩm",
        "Chủ trì",
        "Phối hợp",
        "Thời gian hoàn thành",
        "Ghi chú",
    ]
    assert row(2) == [f"({i})" for i in range(1, 8)]
    assert row(3) == ["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"] * 7
    assert table.rows[3].cells[0]._tc is table.rows[3].cells[6]._tc  # one cell, not seven
    assert built.row_of("Ban hành kế hoạch\nchuyển đổi số") == 5
    assert row(4)[1] == "Ban hành kế hoạch\nchuyển đổi số"  # two paragraphs in the cell
    assert len(table.rows[4].cells[1].paragraphs) == 2
    assert row(7) == ["1. Hạ tầng và ứng dụng"] * 7


def test_docx_without_layout_table(tmp_path: Path) -> None:
    built = write_docx(SAMPLE, tmp_path / "plain.docx", layout_table=False)
    assert len(Document(str(built.path)).tables) == 1


def test_csv_with_and_without_bom_counts_rows_as_records(tmp_path: Path) -> None:
    with_bom = write_csv(SAMPLE, tmp_path / "bom.csv", bom=True)
    without = write_csv(SAMPLE, tmp_path / "plain.csv", bom=False)
    assert with_bom.path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not without.path.read_bytes().startswith(b"\xef\xbb\xbf")
    with with_bom.path.open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    assert records[0][0] == "PHỤ LỤC"
    assert records[4][:5] == ["STT", "Nội dung", "Sản phẩm", "Cơ quan thực hiện", ""]
    assert records[5][:5] == ["", "", "", "Chủ trì", "Phối hợp"]
    assert with_bom.row_of("Ban hành kế hoạch\nchuyển đổi số") == 9
    assert records[8][1] == "Ban hành kế hoạch\nchuyển đổi số"
    assert with_bom.row_of("Nâng cấp mạng nội bộ") == 13
    assert records[12][:2] == ["1.", "Nâng cấp mạng nội bộ"]
    # The quoted line break makes the file one physical line longer than its record count.
    assert len(with_bom.path.read_text(encoding="utf-8-sig").splitlines()) == len(records) + 1


def test_registry_yaml_follows_the_units_import_layout(tmp_path: Path) -> None:
    path = write_registry(tmp_path / "units.yaml")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["organization"] == "Ủy ban nhân dân xã Tân Phú"
    assert document["coordinator"] == "VP"
    assert tuple(u["code"] for u in document["units"]) == COMMUNE_UNITS
    assert document["units"][0] == {
        "code": "VP",
        "name": "Văn phòng HĐND và UBND xã",
        "aliases": ["Văn phòng", "Văn phòng UBND xã"],
    }
    hamlets = [u["code"] for u in document["units"] if "thon" in u.get("groups", [])]
    assert hamlets == ["AP1", "AP2", "AP3"]
    groups = {g["code"]: g for g in document["groups"]}
    assert groups["thon"]["name"] == "Các ấp"
    assert groups["all"]["members"] == "all"
    assert "huyện" not in path.read_text(encoding="utf-8").lower()
