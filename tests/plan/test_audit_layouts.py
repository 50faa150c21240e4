"""Appendices as an import audit found them published, each read as the clerk who typed it means it.

- a header with "Thời gian bắt đầu" and "Thời gian hoàn thành" side by side: the completion is the
  deadline, the start never is;
- the signature block under the table ("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", the signer's
  name under the deadline column): the table ends there;
- Phụ lục I and Phụ lục II on two sheets, each numbered from 1: two areas, not duplicate numbers; a
  title giving its year only in a date, or not at all when every deadline names the same year;
- a plan for the last six months of a year issued in July: "Hằng tháng" is due from July, not from
  January, and a one-off deadline before the issue date is kept with a warning;
- one task written over two rows (number and text merged down, a lead unit per row);
- parts lettered "A", "B" rather than Roman numerals;
- the letterhead ("ỦY BAN NHÂN DÂN XÃ …") and a bare "PHỤ LỤC" are not the plan's title; "PHỤ LỤC
  KẾ HOẠCH … NĂM 2025" is.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.plan.real_layouts import LEFT, UP, WRITERS, Sheet, write_xlsx
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import CITY, FORMATS, Admin, read_back

ADOPTED = "(Kèm theo Kế hoạch số 77/KH-UBND ngày 05/3/2025 của Ủy ban nhân dân thành phố)"


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def imported(admin: Admin, tmp_path: Path, path: Path, *args: str) -> dict[str, Any]:
    """Import ``path`` into the city's store; what the import says in JSON (title, year, warnings)."""
    admin.register(tmp_path / "don-vi.yaml", CITY)
    result = admin.run("plan", "import", str(path), "--json", *args)
    assert result.exit_code == 0, f"import of {path.name} failed:\n{result.stderr}"
    return dict(json.loads(result.stdout))


def refused(admin: Admin, tmp_path: Path, path: Path) -> str:
    admin.register(tmp_path / "don-vi.yaml", CITY)
    result = admin.run("--lang", "vi", "plan", "import", str(path))
    assert result.exit_code != 0, result.stdout
    assert admin.tasks() == [], "a refused file writes nothing"
    return result.stderr


def workbook(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    """An Excel workbook with one sheet per (name, rows); ``None`` leaves a cell empty."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    book.save(path)
    return path


# --------------------------------------------------------------------------- start and end columns


@pytest.mark.parametrize("start_first", [True, False], ids=["start-then-end", "end-then-start"])
@pytest.mark.parametrize("kind", FORMATS)
def test_the_completion_column_is_the_deadline_never_the_start(
    admin: Admin, tmp_path: Path, kind: str, start_first: bool
) -> None:
    times = [("Thời gian bắt đầu", "Tháng 3/2025"), ("Thời gian hoàn thành", "Quý II/2025")]
    if not start_first:
        times.reverse()
    sheet = Sheet(
        title_lines=("KẾ HOẠCH CÔNG TÁC DÂN VẬN NĂM 2025",),
        header=(("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", *(label for label, _ in times)),),
        body=(("1", "Quán triệt Quy chế dân chủ ở cơ sở", "Sở Nội vụ", "Sở Tư pháp", *(value for _, value in times)),),
    )
    data = imported(admin, tmp_path, WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}"))

    assert read_back(admin.tasks()) == [
        ("1", "Quán triệt Quy chế dân chủ ở cơ sở", ["SNV"], ["STP"], "fixed", ["2025-06-30"])
    ]
    assert data["warnings"] == []  # no "two columns could be the deadline": the start is none


def test_a_start_column_alone_is_no_deadline_column(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Ngày bắt đầu"),),
        body=(("1", "Tập huấn kỹ năng số", "Sở Nội vụ", "01/3/2025"),),
    )
    stderr = refused(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    assert "không có cột thời hạn" in stderr and "«Ngày bắt đầu»" in stderr, stderr


def test_a_completed_result_column_is_no_deadline(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Kết quả hoàn thành", "Thời gian thực hiện"),),
        body=(("1", "Tập huấn kỹ năng số", "Sở Nội vụ", "Lớp tập huấn", "Quý III/2025"),),
    )
    imported(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    task = admin.tasks()[0]
    assert (task["product"], task["deadline"]["dates"]) == ("Lớp tập huấn", ["2025-09-30"])


# --------------------------------------------------------------------------- the signature block


def signed_plan(closing: list[list[Any]]) -> list[list[Any]]:
    return [
        ["DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2025"],
        [],
        ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"],
        ["I", "CẢI CÁCH THỂ CHẾ"],
        [1, "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Sở Nội vụ", "Quý II/2025"],
        [2, "Kiện toàn tổ chức bộ máy", "Sở Nội vụ", None, "Tháng 9/2025"],
        [],
        ["Ghi chú: các cơ quan báo cáo kết quả về Sở Nội vụ."],
        [],
        *closing,
    ]


SIGNATURES = {
    "chairman-under-the-deadline": [
        [None, None, None, None, "TM. ỦY BAN NHÂN DÂN"],
        [None, None, None, None, "KT. CHỦ TỊCH"],
        [None, None, None, None, "PHÓ CHỦ TỊCH"],
        [],
        [None, None, None, None, "Nguyễn Văn An"],
    ],
    "recipients-beside-the-signer": [
        ["Nơi nhận:", None, None, "TM. ỦY BAN NHÂN DÂN"],
        ["- Như trên;", None, None, "CHỦ TỊCH"],
        ["- Lưu: VT, KGVX.", None, None, "(đã ký)"],
        [None, None, None, "Lê Văn Bình"],
    ],
    "a-report-form": [
        ["Người lập biểu", None, None, "GIÁM ĐỐC"],
        ["(Ký, ghi rõ họ tên)", None, None, "(Ký tên, đóng dấu)"],
    ],
}


@pytest.mark.parametrize("closing", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_the_signature_block_under_the_table_is_not_read(
    admin: Admin, tmp_path: Path, closing: list[list[Any]]
) -> None:
    path = workbook(tmp_path / "phu-luc.xlsx", [("Phụ lục", signed_plan(closing))])

    data = imported(admin, tmp_path, path)

    assert read_back(admin.tasks()) == [
        ("I.1", "Rà soát văn bản quy phạm pháp luật", ["STP"], ["SNV"], "fixed", ["2025-06-30"]),
        ("I.2", "Kiện toàn tổ chức bộ máy", ["SNV"], [], "fixed", ["2025-09-30"]),
    ]
    assert data["warnings"] == []


def test_a_task_after_a_signer_title_is_still_read(admin: Admin, tmp_path: Path) -> None:
    """A signer's title in the middle of the table ends nothing: a numbered task follows it."""
    rows = [
        *signed_plan([])[:6],
        [None, None, None, None, "GIÁM ĐỐC"],
        [3, "Báo cáo kết quả", "Sở Nội vụ", None, "Tháng 12/2025"],
    ]
    path = workbook(tmp_path / "phu-luc.xlsx", [("Phụ lục", rows)])

    imported(admin, tmp_path, path)

    assert [(t["code"], t["title"]) for t in admin.tasks()][-1] == ("I.3", "Báo cáo kết quả")


# --------------------------------------------------------------------------- parts on several sheets


def part(numeral: str, tasks: list[list[Any]]) -> list[list[Any]]:
    return [[f"PHỤ LỤC {numeral}"], [ADOPTED], [], ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời gian"], *tasks]


def test_appendix_parts_on_their_own_sheets_are_areas(admin: Admin, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "phu-luc.xlsx",
        [
            ("Hướng dẫn", [["Hướng dẫn: các cơ quan báo cáo theo mẫu tại Phụ lục III"]]),
            (
                "PL I - Tuyên truyền",
                part(
                    "I",
                    [
                        [1, "Tuyên truyền Nghị quyết", "Sở Nội vụ", "UBND các xã, phường", "Quý II"],
                        [2, "Phổ biến pháp luật", "Sở Tư pháp", None, "Tháng 5"],
                    ],
                ),
            ),
            ("PL II - Y tế", part("II", [[1, "Kiểm tra an toàn thực phẩm", "Sở Y tế", "Sở Tài chính", "Tháng 4"]])),
        ],
    )

    data = imported(admin, tmp_path, path)

    # The year is the date's in the adoption line: the deadlines name none.
    assert data["year"] == 2025
    assert read_back(admin.tasks()) == [
        ("I.1", "Tuyên truyền Nghị quyết", ["SNV"], ["X1", "P1"], "fixed", ["2025-06-30"]),
        ("I.2", "Phổ biến pháp luật", ["STP"], [], "fixed", ["2025-05-31"]),
        ("II.1", "Kiểm tra an toàn thực phẩm", ["SYT"], ["STC"], "fixed", ["2025-04-30"]),
    ]
    assert [task["area"] for task in admin.tasks()] == ["I", "I", "II"]
    shown = admin.run("plan", "show").stdout
    assert "I. PL I - Tuyên truyền" in shown and "II. PL II - Y tế" in shown, shown


def test_parts_with_the_same_areas_are_refused_naming_both_sheets(admin: Admin, tmp_path: Path) -> None:
    area: list[list[Any]] = [["I", "NHIỆM VỤ CHUNG"], [1, "Tập huấn", "Sở Nội vụ", None, "Quý II/2025"]]
    path = workbook(tmp_path / "phu-luc.xlsx", [("Phần 1", part("I", area)), ("Phần 2", part("II", area))])

    stderr = refused(admin, tmp_path, path)

    assert "I.1" in stderr and "Phần 1" in stderr and "Phần 2" in stderr, stderr


def test_the_year_comes_from_the_deadlines_when_they_all_give_the_same(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("PHỤ LỤC", "DANH MỤC NHIỆM VỤ TRỌNG TÂM"),
        header=(("STT", "Nội dung", "Chủ trì", "Thời hạn"),),
        body=(
            ("1", "Tập huấn kỹ năng số", "Sở Nội vụ", "Quý III/2026"),
            ("2", "Tổng kết", "Sở Nội vụ", "Tháng 12"),
        ),
    )
    data = imported(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    assert data["year"] == 2026
    assert [task["deadline"]["dates"] for task in admin.tasks()] == [["2026-09-30"], ["2026-12-31"]]
    assert any("deadlines that give one" in w["message"] for w in data["warnings"]), data["warnings"]


def test_deadlines_naming_different_years_do_not_give_the_year(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("DANH MỤC NHIỆM VỤ TRỌNG TÂM",),
        header=(("STT", "Nội dung", "Chủ trì", "Thời hạn"),),
        body=(
            ("1", "Tập huấn kỹ năng số", "Sở Nội vụ", "Quý III/2025"),
            ("2", "Tổng kết", "Sở Nội vụ", "Quý I/2026"),
        ),
    )
    stderr = refused(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    assert "--year" in stderr, stderr


# --------------------------------------------------------------------------- repeating deadlines


SECOND_HALF = Sheet(
    title_lines=(
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÒA AN",
        "PHỤ LỤC",
        "NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2025",
        "(Kèm theo Kế hoạch số 15/KH-UBND ngày 10/7/2025 của UBND thành phố)",
    ),
    header=(("STT", "Nội dung", "Chủ trì", "Thời gian thực hiện"),),
    body=(
        ("1", "Chi trả chế độ chính sách", "Sở Nội vụ", "Hằng tháng"),
        ("2", "Báo cáo tiến độ", "Sở Tư pháp", "Trước ngày 25 hằng tháng"),
        ("3", "Báo cáo công tác giảm nghèo", "Sở Y tế", "Định kỳ hằng quý"),
        ("4", "Tổng kết năm", "Sở Nội vụ", "Trước 20/12/2025"),
        ("5", "Sơ kết quý I", "Sở Tài chính", "Tháng 3/2025"),
    ),
)


def test_repeating_deadlines_start_with_the_plan_not_in_january(admin: Admin, tmp_path: Path) -> None:
    data = imported(admin, tmp_path, write_xlsx(SECOND_HALF, tmp_path / "phu-luc.xlsx"))

    dates = {task["code"]: task["deadline"]["dates"] for task in admin.tasks()}
    assert dates == {
        "1": ["2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31"],
        "2": ["2025-07-25", "2025-08-25", "2025-09-25", "2025-10-25", "2025-11-25", "2025-12-25"],
        "3": ["2025-09-30", "2025-12-31"],
        "4": ["2025-12-20"],
        "5": ["2025-03-31"],  # a one-off deadline is kept as written …
    }
    early = [w for w in data["warnings"] if "10/07/2025" in w["message"]]  # … and said to be before the issue
    assert len(early) == 1 and "Tháng 3/2025" in early[0]["message"], data["warnings"]


def test_the_issue_date_given_bounds_repeating_deadlines(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025",),
        header=SECOND_HALF.header,
        body=SECOND_HALF.body[:1],
    )
    imported(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"), "--issued", "15/09/2025")

    assert admin.tasks()[0]["deadline"]["dates"] == ["2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31"]


def test_a_plan_for_a_quarter_repeats_from_that_quarter(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH CÔNG TÁC QUÝ III NĂM 2025",),
        header=SECOND_HALF.header,
        body=SECOND_HALF.body[:1],
    )
    imported(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    assert admin.tasks()[0]["deadline"]["dates"][0] == "2025-07-31"


# --------------------------------------------------------------------------- a task over two rows


@pytest.mark.parametrize("kind", FORMATS)
def test_a_task_merged_over_two_rows_is_one_task_with_both_units(admin: Admin, tmp_path: Path, kind: str) -> None:
    sheet = Sheet(
        title_lines=("NHIỆM VỤ PHÒNG, CHỐNG THIÊN TAI NĂM 2025",),
        header=(("STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"),),
        body=(
            ("I", "Công tác chuẩn bị", "", "", ""),
            ("1", "Kiểm tra hồ đập trước mùa mưa bão", "Sở Nội vụ", "Sở Y tế", "Trước 31/8/2025"),
            (UP, UP, "Sở Tư pháp", "Sở Tài chính", UP),
            ("2", "Diễn tập phòng chống thiên tai", "Sở Y tế", "", "Quý II/2025"),
        ),
    )
    imported(admin, tmp_path, WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}"))

    assert read_back(admin.tasks()) == [
        ("I.1", "Kiểm tra hồ đập trước mùa mưa bão", ["SNV", "STP"], ["SYT", "STC"], "fixed", ["2025-08-31"]),
        ("I.2", "Diễn tập phòng chống thiên tai", ["SYT"], [], "fixed", ["2025-06-30"]),
    ]


def test_a_lead_unit_merged_over_two_tasks_still_leads_both(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Thời hạn"),),
        body=(("1", "Tập huấn", "Sở Nội vụ", "Quý II/2025"), ("2", "Kiểm tra", UP, UP)),
    )
    imported(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    assert [(t["code"], t["lead"]) for t in admin.tasks()] == [("1", ["SNV"]), ("2", ["SNV"])]


# --------------------------------------------------------------------------- parts lettered A, B


@pytest.mark.parametrize("merged", [False, True], ids=["letter-cell", "heading-across"])
def test_parts_lettered_a_b_are_areas(admin: Admin, tmp_path: Path, merged: bool) -> None:
    def heading(letter: str, title: str) -> tuple[str, ...]:
        return (f"{letter}. {title}", LEFT, LEFT, LEFT, LEFT) if merged else (letter, title, "", "", "")

    sheet = Sheet(
        title_lines=("DANH MỤC NHIỆM VỤ THỰC HIỆN NĂM 2025",),
        header=(("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"),),
        body=(
            heading("A", "NHIỆM VỤ CHUNG"),
            ("1", "Quán triệt Nghị quyết", "Sở Nội vụ", "", "Quý I/2025"),
            ("2", "Kiện toàn Ban Chỉ đạo", "Sở Nội vụ", "", "Tháng 2/2025"),
            heading("B", "NHIỆM VỤ CỤ THỂ"),
            ("1", "Xây dựng Đề án vị trí việc làm", "Sở Nội vụ", "Sở Tài chính", "Tháng 9/2025"),
        ),
    )
    imported(admin, tmp_path, write_xlsx(sheet, tmp_path / "phu-luc.xlsx"))

    assert [(t["code"], t["area"]) for t in admin.tasks()] == [("A.1", "A"), ("A.2", "A"), ("B.1", "B")]
    shown = admin.run("plan", "show").stdout
    assert "A. NHIỆM VỤ CHUNG" in shown and "B. NHIỆM VỤ CỤ THỂ" in shown, shown


# --------------------------------------------------------------------------- the plan's title


def test_the_letterhead_is_not_the_title(admin: Admin, tmp_path: Path) -> None:
    data = imported(admin, tmp_path, write_xlsx(SECOND_HALF, tmp_path / "phu-luc.xlsx"))

    assert data["title"] == "Nhiệm vụ trọng tâm 6 tháng cuối năm 2025"


def test_a_csv_titled_phu_luc_ke_hoach_takes_that_title(admin: Admin, tmp_path: Path) -> None:
    path = tmp_path / "phu-luc.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["PHỤ LỤC KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025", "", "", ""])
        writer.writerow(["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"])
        writer.writerow(["1", "Ban hành Kế hoạch", "Sở Nội vụ", "Tháng 01"])

    data = imported(admin, tmp_path, path)

    assert (data["title"], data["year"]) == ("Phụ lục kế hoạch cải cách hành chính năm 2025", 2025)
    assert admin.tasks()[0]["deadline"]["dates"] == ["2025-01-31"]
