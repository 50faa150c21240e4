"""The timing given as a row of period columns marked "x" (a Gantt-like appendix): "Thời gian thực
hiện" merged over "Quý I | Quý II | Quý III | Quý IV", twelve months ("Tháng 1" or "T1"), "I" … "IV"
under "Quý", or the two halves of the year. A run of marked periods is due at the end of its last
period, a task marked in every period repeats each period, a row with no mark has no deadline (as
an empty deadline cell), a cell holding something else than a mark is read as one with a warning
naming it, and one warning says where the deadlines were read from. A table with a deadline column
of its own keeps it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tests.plan.test_read_and_warn import sample_admin
from tests.plan.test_real_layouts import Admin

TITLE = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"
QUARTERS = ["Quý I", "Quý II", "Quý III", "Quý IV"]
HEAD = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp"]


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    """An administrator whose store holds the Long Mỹ registry (Phòng Nội vụ, Phòng Tư pháp …)."""
    return sample_admin(tmp_path / "store")


def header_rows(group: str, periods: list[str], deadline: str | None = None) -> list[list[Any]]:
    """Two header rows: ``group`` over ``periods``, the other labels merged down (written once)."""
    extra = [deadline] if deadline else []
    top = [*HEAD, *extra, group, *[None] * (len(periods) - 1), "Sản phẩm"]
    return [top, [None] * (len(HEAD) + len(extra)) + [*periods, None]]


def gantt(path: Path, group: str, periods: list[str], body: list[list[Any]], deadline: str | None = None) -> Path:
    """An appendix sheet: the title, a blank row, the two header rows (the group title merged over the
    period columns, the other labels merged over both rows) and ``body``."""
    book = Workbook()
    ws = book.active
    rows = [[TITLE], [], *header_rows(group, periods, deadline), *body]
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    first = len(HEAD) + (2 if deadline else 1)
    last = first + len(periods) - 1
    ws.merge_cells(f"{get_column_letter(first)}3:{get_column_letter(last)}3")
    for column in [*range(1, first), last + 1]:
        letter = get_column_letter(column)
        ws.merge_cells(f"{letter}3:{letter}4")
    book.save(path)
    return path


def marks(count: int, *marked: int, mark: str = "x") -> list[str | None]:
    """The period cells of a row: ``mark`` in the periods numbered ``marked`` (from 1)."""
    return [mark if n in marked else None for n in range(1, count + 1)]


def task(number: int, title: str, lead: str, cells: list[str | None]) -> list[Any]:
    return [number, title, lead, None, *cells, "Báo cáo"]


def imported(admin: Admin, path: Path, *args: str) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """Each task's deadline (its text and due dates) by code, and the warnings the clerk reads."""
    result = admin.run("--lang", "vi", "plan", "import", str(path), *args)
    assert result.exit_code == 0, result.stderr
    deadlines = {t["code"]: (t["deadline"]["text"], t["deadline"]["dates"]) for t in admin.tasks()}
    return deadlines, [line.removeprefix("  - ") for line in result.stderr.splitlines()[1:]]


def read_from(columns: str, every: str) -> str:
    return (
        f"phu-luc.xlsx: thời hạn được đọc từ các ô đánh dấu ở các cột thời gian {columns}: nhiệm vụ phải hoàn "
        "thành vào cuối kỳ cuối cùng của mỗi đợt các kỳ liền nhau được đánh dấu, nhiệm vụ được đánh dấu ở mọi kỳ "
        f"là nhiệm vụ lặp lại mỗi kỳ («{every}»); đề nghị đồng chí kiểm tra lại (các kỳ là của năm kế hoạch 2026)"
    )


def test_quarters_marked_under_a_merged_group_title_give_the_deadlines(admin: Admin, tmp_path: Path) -> None:
    body = [
        task(1, "Rà soát văn bản quy phạm pháp luật", "Phòng Tư pháp", marks(4, 2, 3)),
        task(2, "Kiểm tra công tác cải cách hành chính", "Phòng Nội vụ", marks(4, 1, 3, mark="X")),
        task(3, "Tuyên truyền cải cách hành chính", "Phòng Nội vụ", ["x", "✓", "•", "X"]),
        task(4, "Tổng kết năm", "Phòng Nội vụ", marks(4, 4, mark="✓")),
    ]
    path = gantt(tmp_path / "phu-luc.xlsx", "Thời gian thực hiện", QUARTERS, body)

    deadlines, warnings = imported(admin, path)

    assert deadlines == {
        "1": ("Quý II - III/2026", ["2026-09-30"]),
        "2": ("Quý I/2026; Quý III/2026", ["2026-03-31", "2026-09-30"]),
        "3": ("Hằng quý", ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]),
        "4": ("Quý IV/2026", ["2026-12-31"]),
    }
    assert warnings == [read_from("E–H («Thời gian thực hiện»: Quý I – Quý IV)", "Hằng quý")]


@pytest.mark.parametrize(
    "months",
    [[f"Tháng {n}" for n in range(1, 13)], [f"T{n}" for n in range(1, 13)], [f"Tháng {n:02d}" for n in range(1, 13)]],
    ids=["thang", "t", "thang-0"],
)
def test_twelve_month_columns_give_the_deadlines(admin: Admin, tmp_path: Path, months: list[str]) -> None:
    body = [
        task(1, "Rà soát thủ tục hành chính", "Phòng Tư pháp", marks(12, 3, 4, 5)),
        task(2, "Cập nhật cơ sở dữ liệu", "Phòng Nội vụ", marks(12, 6, 12)),
        task(3, "Báo cáo tình hình", "Phòng Nội vụ", marks(12, *range(1, 13))),
    ]
    path = gantt(tmp_path / "phu-luc.xlsx", "Tiến độ thực hiện", months, body)

    deadlines, warnings = imported(admin, path)

    assert deadlines["1"] == ("Tháng 3 - 5/2026", ["2026-05-31"])
    assert deadlines["2"] == ("Tháng 6/2026; Tháng 12/2026", ["2026-06-30", "2026-12-31"])
    assert deadlines["3"][0] == "Hằng tháng"
    assert deadlines["3"][1][:3] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert len(deadlines["3"][1]) == 12
    assert warnings == [read_from(f"E–P («Tiến độ thực hiện»: {months[0]} – {months[-1]})", "Hằng tháng")]


def test_bare_numerals_under_quy_are_quarters(admin: Admin, tmp_path: Path) -> None:
    body = [task(1, "Rà soát quy chế làm việc", "Phòng Nội vụ", marks(4, 2, 4))]
    path = gantt(tmp_path / "phu-luc.xlsx", "Thời gian thực hiện (Quý)", ["I", "II", "III", "IV"], body)

    deadlines, warnings = imported(admin, path)

    assert deadlines == {"1": ("Quý II/2026; Quý IV/2026", ["2026-06-30", "2026-12-31"])}
    assert warnings == [read_from("E–H («Thời gian thực hiện (Quý)»: I – IV)", "Hằng quý")]


def test_halves_of_the_year(admin: Admin, tmp_path: Path) -> None:
    body = [
        task(1, "Sơ kết", "Phòng Nội vụ", ["x", None]),
        task(2, "Tổng kết", "Phòng Nội vụ", [None, "x"]),
        task(3, "Kiểm tra", "Phòng Nội vụ", ["x", "x"]),
    ]
    path = gantt(tmp_path / "phu-luc.xlsx", "Thời gian hoàn thành", ["6 tháng đầu năm", "6 tháng cuối năm"], body)

    deadlines, warnings = imported(admin, path)

    assert deadlines == {
        "1": ("6 tháng đầu năm 2026", ["2026-06-30"]),
        "2": ("6 tháng cuối năm 2026", ["2026-12-31"]),
        "3": ("Định kỳ 6 tháng", ["2026-06-30", "2026-12-31"]),
    }
    assert warnings == [
        read_from("E–F («Thời gian hoàn thành»: 6 tháng đầu năm – 6 tháng cuối năm)", "Định kỳ 6 tháng")
    ]


def test_a_csv_with_the_same_two_row_header(admin: Admin, tmp_path: Path) -> None:
    rows = [
        [TITLE],
        [],
        [*HEAD, "Thời gian thực hiện", "", "", "", "Sản phẩm"],
        ["", "", "", "", *QUARTERS, ""],
        ["1", "Rà soát văn bản", "Phòng Tư pháp", "", "", "x", "x", "", "Báo cáo"],
        ["2", "Tổng kết năm", "Phòng Nội vụ", "", "", "", "", "x", "Báo cáo"],
    ]
    path = tmp_path / "phu-luc.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)

    deadlines, warnings = imported(admin, path)

    assert deadlines == {"1": ("Quý II - III/2026", ["2026-09-30"]), "2": ("Quý IV/2026", ["2026-12-31"])}
    assert warnings == [
        read_from("E–H («Thời gian thực hiện»: Quý I – Quý IV)", "Hằng quý").replace("phu-luc.xlsx", "phu-luc.csv")
    ]


def test_a_cell_that_is_no_mark_is_read_as_one_and_named(admin: Admin, tmp_path: Path) -> None:
    body = [
        task(1, "Khảo sát mức độ hài lòng", "Phòng Nội vụ", [None, "15/5", None, None]),
        task(2, "Tổng kết năm", "Phòng Nội vụ", marks(4, 4)),
    ]
    path = gantt(tmp_path / "phu-luc.xlsx", "Thời gian thực hiện", QUARTERS, body)

    deadlines, warnings = imported(admin, path)

    assert deadlines["1"] == ("Quý II/2026", ["2026-06-30"])
    assert warnings[1:] == [
        "dòng 5, cột F (Thời gian thực hiện Quý II): không phải dấu đánh dấu: đã coi là có đánh dấu (nhiệm vụ "
        "thực hiện trong Quý II); đề nghị đồng chí kiểm tra lại: «15/5»"
    ]


def test_a_row_with_no_mark_is_refused_as_one_without_a_deadline(admin: Admin, tmp_path: Path) -> None:
    body = [
        task(1, "Rà soát văn bản", "Phòng Tư pháp", marks(4, 2)),
        task(2, "Nhiệm vụ chưa xếp lịch", "Phòng Nội vụ", marks(4)),
    ]
    path = gantt(tmp_path / "phu-luc.xlsx", "Thời gian thực hiện", QUARTERS, body)

    result = admin.run("--lang", "vi", "plan", "import", str(path))

    assert result.exit_code != 0
    assert (
        "  - dòng 6, cột E (Thời gian thực hiện (Quý I – Quý IV)): thiếu thời hạn hoàn thành: không kỳ nào được "
        "đánh dấu" in result.stderr.splitlines()
    )
    assert admin.tasks() == []


def test_a_deadline_column_of_its_own_is_kept_beside_period_columns(admin: Admin, tmp_path: Path) -> None:
    body = [[1, "Rà soát văn bản", "Phòng Tư pháp", None, "15/8/2026", None, "x", "x", None, "Báo cáo"]]
    path = gantt(tmp_path / "phu-luc.xlsx", "Tiến độ thực hiện", QUARTERS, body, deadline="Thời hạn")

    deadlines, warnings = imported(admin, path)

    assert deadlines == {"1": ("15/8/2026", ["2026-08-15"])}
    assert warnings == []


def test_years_written_in_the_labels_are_the_periods_years(admin: Admin, tmp_path: Path) -> None:
    labels = ["Quý III/2025", "Quý IV/2025", "Quý I/2026", "Quý II/2026"]
    body = [
        task(1, "Chuyển tiếp nhiệm vụ", "Phòng Nội vụ", marks(4, 2, 3)),
        task(2, "Rà soát", "Phòng Tư pháp", marks(4, 1)),
    ]
    path = gantt(tmp_path / "phu-luc.xlsx", "Thời gian thực hiện", labels, body)

    deadlines, _warnings = imported(admin, path)

    assert deadlines == {"1": ("Quý I/2026", ["2026-03-31"]), "2": ("Quý III/2025", ["2025-09-30"])}
