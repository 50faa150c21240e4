"""The review workbook (issue #11): ``dondoc plan import FILE --review review.xlsx`` writes what was
read in the standard appendix layout, with each row's warnings and errors in a last column "Cần xem
lại", coloured; importing the review workbook itself gives the same plan.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.plan.layouts import TITLE_LINES_2022, Appendix, Area, SubHeading, Task, write_docx, write_xlsx
from tests.plan.test_layouts import (
    BROKEN,
    Admin,
    summary,
)

PLAN = Appendix(
    rows=[
        Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
        Task(
            1,
            "Kiện toàn Ban chỉ đạo",
            "Văn phòng, các đơn vị liên quan",
            "Tư pháp",
            "Quyết định",
            "100 ngày kể từ ngày ban hành Kế hoạch",
        ),
        Task(2, "Ban hành quy chế hoạt động", "Tư pháp - Hộ tịch", "Ấp Phú Lộc; Văn phòng", "Quy chế", "Trước 30/6"),
        Task(3, "Báo cáo định kỳ", "Văn phòng", "Các ấp", "Báo cáo", "Hằng quý"),
        Area("II", "HẠ TẦNG SỐ"),
        SubHeading("1. Mạng và thiết bị"),
        Task("1.1", "Duy trì mạng nội bộ", "Văn phòng", "các sở, ngành khác", "", "Thường xuyên"),
        Task("1.2", "Số hóa sổ hộ tịch", "Tư pháp", "Văn phòng", "Dữ liệu số", "Tháng 6 và tháng 12/2022"),
        Task("1.3", "Tuyên truyền pháp luật", "Công chức chuyên môn", "", "", "Sau 30 ngày kể từ ngày ký"),
    ]
)
REVIEW_HEADER = "Cần xem lại"


def review_rows(path: Path) -> tuple[list[list[Any]], int, Any]:
    """The appendix sheet's rows, the index of the "Cần xem lại" column and the sheet."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    column = next(i for row in rows for i, cell in enumerate(row) if cell == REVIEW_HEADER)
    return rows, column, sheet


def row_of(rows: list[list[Any]], title: str) -> tuple[int, list[Any]]:
    found = [(n, row) for n, row in enumerate(rows, start=1) if row[1] == title]
    assert len(found) == 1, title
    return found[0]


def fresh_admin(app: typer.Typer, registered: Path, folder: Path) -> Admin:
    folder.mkdir()
    shutil.copyfile(registered, folder / "dondoc.db")
    return Admin(app=app, db=f"sqlite:///{folder / 'dondoc.db'}", runner=CliRunner())


# The plan with a title that gives no date: its relative deadlines stay undated ("--issued" in the review).
UNDATED_PLAN = replace(PLAN, title_lines=TITLE_LINES_2022[:2])


def test_review_workbook_holds_each_rows_warnings(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(UNDATED_PLAN, tmp_path / "ke-hoach.xlsx")
    review = tmp_path / "ra-soat.xlsx"
    admin.imports(built.path, "--review", str(review))

    rows, column, sheet = review_rows(review)
    assert column == 7  # the last column, after Ghi chú, in the layout `plan export --format xlsx` writes
    n, first = row_of(rows, "Kiện toàn Ban chỉ đạo")
    assert first[2] == "Văn phòng HĐND và UBND xã"  # units by their registry names, the vague phrase left out
    assert "các đơn vị liên quan" in first[column]
    assert "--issued" in first[column]  # no date yet
    assert sheet.cell(n, column + 1).fill.fgColor.rgb.endswith("FFEB9C")  # a warning's colour
    _, second = row_of(rows, "Ban hành quy chế hoạt động")
    assert second[3] == "Văn phòng HĐND và UBND xã"  # the unknown name left out
    assert "Ấp Phú Lộc" in second[column] and "Ấp Phú Lợi" in second[column]
    assert second[5] == "30/06/2022"  # the deadline as read
    _, third = row_of(rows, "Báo cáo định kỳ")
    assert third[column] in (None, "")
    assert third[3] == "Ấp Phú Lợi; Ấp Phú Thạnh; Ấp Tân Long"  # the group, as its units
    assert row_of(rows, "Số hóa sổ hộ tịch")[1][5] == "30/06/2022; 31/12/2022"
    assert row_of(rows, "Duy trì mạng nội bộ")[1][0] == "1.1"
    # The problems of no single row (the year taken from the title) are on a second sheet.
    notes = [list(row) for row in load_workbook(review).worksheets[1].iter_rows(values_only=True)]
    assert any("2022" in str(row[1]) for row in notes[1:]), notes


def test_importing_the_review_workbook_gives_the_same_plan(app: typer.Typer, registered: Path, tmp_path: Path) -> None:
    first = fresh_admin(app, registered, tmp_path / "a")
    second = fresh_admin(app, registered, tmp_path / "b")
    built = write_xlsx(PLAN, tmp_path / "ke-hoach.xlsx")
    review = tmp_path / "ra-soat.xlsx"

    first.imports(built.path, "--review", str(review), "--issued", "10/01/2022")
    second.imports(review)

    original, again = first.export(), second.export()
    assert again.plan == original.plan
    assert [summary(t) for t in again.tasks] == [summary(t) for t in original.tasks]
    assert [(t["area"], t["number"], t["product"]) for t in again.tasks] == [
        (t["area"], t["number"], t["product"]) for t in original.tasks
    ]
    # Re-imported over the first store, the review adds and removes nothing and keeps every task as read.
    result = first.import_plan(review, "--json")
    assert result.exit_code == 0, result.stderr
    changes = json.loads(result.stdout)
    assert (changes["added"], changes["removed"], changes["warnings"]) == ([], [], [])
    assert [summary(t) for t in first.export().tasks] == [summary(t) for t in original.tasks]


def test_undated_deadlines_round_trip_through_the_review(app: typer.Typer, registered: Path, tmp_path: Path) -> None:
    first = fresh_admin(app, registered, tmp_path / "a")
    second = fresh_admin(app, registered, tmp_path / "b")
    review = tmp_path / "ra-soat.xlsx"

    undated = write_docx(UNDATED_PLAN, tmp_path / "ke-hoach.docx", header_right="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    first.imports(undated.path, "--review", str(review))
    second.imports(review)

    kinds = [(t["code"], t["deadline"]["kind"]) for t in second.export().tasks]
    assert ("I.1", "undated") in kinds and ("II.1.3", "undated") in kinds
    assert [summary(t) for t in second.export().tasks] == [summary(t) for t in first.export().tasks]


def test_review_with_dry_run_writes_the_workbook_and_nothing_else(admin: Admin, tmp_path: Path) -> None:
    review = tmp_path / "ra-soat.xlsx"
    result = admin.import_plan(write_xlsx(PLAN, tmp_path / "ke-hoach.xlsx").path, "--dry-run", "--review", str(review))

    assert result.exit_code == 0, result.stderr
    assert review.exists()
    assert admin.stored_tasks() == []


def test_a_refused_file_still_gets_its_review_workbook(admin: Admin, tmp_path: Path) -> None:
    review = tmp_path / "ra-soat.xlsx"
    stderr = admin.rejects(write_xlsx(BROKEN, tmp_path / "loi.xlsx").path, "--review", str(review))

    assert "ra-soat.xlsx" in stderr
    assert admin.stored_tasks() == []
    rows, column, sheet = review_rows(review)
    n, unknown_lead = row_of(rows, "Rà soát thủ tục hành chính")
    assert unknown_lead[2] == "Phòng Nội vụ"  # kept as written, for the coordinator to correct
    assert "Phòng Nội vụ" in unknown_lead[column]
    assert sheet.cell(n, column + 1).fill.fgColor.rgb.endswith("FFC7CE")  # an error's colour
    _, bad_deadline = row_of(rows, "Cập nhật dữ liệu đất đai")
    assert bad_deadline[5] == "Chưa xác định"
    assert "Chưa xác định" in bad_deadline[column] and "Ấp Phú Hòa" in bad_deadline[column]
    _, good = row_of(rows, "Ban hành kế hoạch năm")
    assert good[column] in (None, "") and good[2] == "Văn phòng HĐND và UBND xã"
    assert row_of(rows, "Tổ chức hội nghị sơ kết")[1][column]  # no lead unit


def test_a_review_written_in_english_reads_back(app: typer.Typer, registered: Path, tmp_path: Path) -> None:
    """The notes follow --lang; the table keeps the Vietnamese headers the importer reads."""
    first = fresh_admin(app, registered, tmp_path / "a")
    second = fresh_admin(app, registered, tmp_path / "b")
    review = tmp_path / "review.xlsx"

    first.imports(write_xlsx(PLAN, tmp_path / "ke-hoach.xlsx").path, "--review", str(review), "--lang", "en")
    rows, column, _sheet = review_rows(review)
    assert "vague phrase left out" in row_of(rows, "Kiện toàn Ban chỉ đạo")[1][column]
    second.imports(review)

    assert [summary(t) for t in second.export().tasks] == [summary(t) for t in first.export().tasks]
