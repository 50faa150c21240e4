"""Appendices of the third import audit (2026 plans after the 2025 merger), read as the clerk sees them.

- a two-column letterhead ("ỦY BAN NHÂN DÂN | CỘNG HÒA …", "TỈNH QUẢNG NGÃI | Độc lập …"): its
  place line is not the plan's title;
- "UBND các xã, phường" in a province that also has a đặc khu: the communes and wards, not the
  special zone ("UBND các xã, phường, đặc khu" is all three);
- the header (one row or two, merged) written again after a page break: no task, no error, and its
  labels given to no task;
- Excel dates shown as "mm/yyyy" ("06/2026"): due at the end of that month, not on its first day;
- "T6/2026", "Q3/2026", "QIII/2026" (month and quarter written short) and "Khi có hướng dẫn …" (on an
  event, like "Khi có chỉ đạo");
- a CSV saved by Excel's plain "CSV" (Windows-1258): refused, saying how to save it.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.plan.layouts import Group, Registry, Unit
from tests.plan.test_audit_layouts import admin, imported, refused  # noqa: F401 (admin is a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet  # rows written to a sheet, then shaped
from tests.plan.test_real_layouts import Admin


def by_code(store: Admin) -> dict[str, dict[str, Any]]:
    return {task["code"]: task for task in store.tasks()}


HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]


# --------------------------------------------------------------------------- the letterhead


def test_the_place_line_of_a_two_column_letterhead_is_not_the_title(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        ["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["THÀNH PHỐ HÒA AN", None, None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        ["PHỤ LỤC"],
        ["DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Quý II/2026"],
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert data["title"] == "Danh mục nhiệm vụ cải cách hành chính năm 2026"


# --------------------------------------------------------------------------- communes, wards, special zone

PROVINCE = Registry(
    organization="Ủy ban nhân dân tỉnh Quảng Ngãi",
    coordinator="SNV",
    units=(
        Unit("SNV", "Sở Nội vụ", groups=("so",)),
        Unit("STP", "Sở Tư pháp", groups=("so",)),
        Unit("CT", "Ủy ban nhân dân phường Cẩm Thành", groups=("xa", "phuong")),
        Unit("BS", "Ủy ban nhân dân xã Bình Sơn", groups=("xa", "xaonly")),
        Unit("SH", "Ủy ban nhân dân xã Sơn Hà", groups=("xa", "xaonly")),
        Unit("LS", "Ủy ban nhân dân đặc khu Lý Sơn", groups=("xa",)),
    ),
    groups=(
        Group("so", "Các sở, ban, ngành tỉnh"),
        Group("xa", "UBND các xã, phường, đặc khu"),
        Group("phuong", "UBND các phường"),
        Group("xaonly", "UBND các xã"),
    ),
)


def test_communes_and_wards_are_not_the_special_zone(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Kiểm tra thi hành pháp luật", "Sở Tư pháp", "UBND các xã, phường", "Quý III/2026"],
        [2, "Bồi dưỡng công chức", "Sở Nội vụ", "UBND các xã, phường, đặc khu", "Quý IV/2026"],
        [3, "Rà soát văn bản", "Sở Tư pháp", "Các xã, phường", "Quý II/2026"],
    ]
    result = admin.run("plan", "import", str(sheet(tmp_path / "phu-luc.xlsx", rows)))
    assert result.exit_code == 0, result.stderr

    tasks = by_code(admin)
    assert tasks["1"]["support"] == ["CT", "BS", "SH"]
    assert tasks["2"]["support"] == ["CT", "BS", "SH", "LS"]
    assert tasks["3"]["support"] == ["CT", "BS", "SH"]


# --------------------------------------------------------------------------- the header again after a page break


def two_row_header() -> list[list[Any]]:
    return [
        ["STT", "Nhiệm vụ", "Cơ quan thực hiện", None, "Thời hạn hoàn thành"],
        [None, None, "Chủ trì", "Phối hợp", None],
    ]


def merge_header(ws: Any, at: int) -> None:
    ws.merge_cells(start_row=at, start_column=3, end_row=at, end_column=4)
    for column in (1, 2, 5):
        ws.merge_cells(start_row=at, start_column=column, end_row=at + 1, end_column=column)


def test_a_two_row_header_repeated_after_a_page_break_is_no_task(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        ["NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2026"],
        *two_row_header(),
        ["I", "HẠ TẦNG SỐ"],
        [1, "Nâng cấp trung tâm dữ liệu", "Sở Khoa học và Công nghệ", "Sở Tài chính", "Quý III/2026"],
        *two_row_header(),  # the page break: Excel's rows to repeat, pasted as rows
        ["II", "DỮ LIỆU SỐ"],
        [1, "Làm sạch dữ liệu đất đai", "Sở Khoa học và Công nghệ", "UBND các xã, phường", "Tháng 11/2026"],
    ]

    def shape(ws: Any) -> None:
        merge_header(ws, 2)
        merge_header(ws, 6)

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows, shape))

    assert [(t["code"], t["lead"], t["support"]) for t in admin.tasks()] == [
        ("I.1", ["SKHCN"], ["STC"]),
        ("II.1", ["SKHCN"], ["X1", "P1"]),
    ]
    assert data["warnings"] == []


def test_a_repeated_header_gives_its_labels_to_no_task(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Quý II/2026"],
        HEADER,
        [2, "Kiểm tra công vụ", "Sở Nội vụ", None, "Quý III/2026"],
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [(t["code"], t["support"]) for t in admin.tasks()] == [("1", ["STP"]), ("2", [])]
    assert data["warnings"] == []


# --------------------------------------------------------------------------- deadlines


def test_a_date_shown_as_month_and_year_is_due_at_the_end_of_that_month(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Nâng cấp trung tâm dữ liệu", "Sở Nội vụ", None, datetime(2026, 6, 1)],
        [2, "Kết nối camera", "Sở Nội vụ", None, datetime(2026, 9, 1)],
        [3, "Số hóa hồ sơ", "Sở Nội vụ", None, datetime(2026, 9, 15)],
    ]

    def shape(ws: Any) -> None:
        ws["E3"].number_format = "mm/yyyy"
        ws["E4"].number_format = "[$-42A]mmmm yyyy"
        ws["E5"].number_format = "dd/mm/yyyy"

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows, shape))

    assert [(t["deadline"]["text"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("06/2026", ["2026-06-30"]),
        ("09/2026", ["2026-09-30"]),
        ("15/09/2026", ["2026-09-15"]),
    ]


def test_short_months_and_quarters_and_guidance_to_come(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    deadlines = ["T6/2026", "Q3/2026", "QIII/2026", "Khi có hướng dẫn của cấp trên"]
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        *([n, f"Nhiệm vụ {n}", "Sở Nội vụ", None, text] for n, text in enumerate(deadlines, 1)),
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [(t["deadline"]["kind"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        ("fixed", ["2026-06-30"]),
        ("fixed", ["2026-09-30"]),
        ("fixed", ["2026-09-30"]),
        ("continuous", []),
    ]


# --------------------------------------------------------------------------- Excel's plain CSV


def test_a_windows_1258_csv_is_refused_saying_how_to_save_it(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(["STT", "Nội dung", "Chủ trì", "Thời hạn"])
    writer.writerow(["1", "Rà soát quy chế", "Sở Nội vụ", "Quý II/2026"])
    path = tmp_path / "phu-luc.csv"
    path.write_bytes(text.getvalue().encode("cp1258", errors="replace"))

    message = refused(admin, tmp_path, path)

    assert "phu-luc.csv" in message
    assert "UTF-8" in message and "CSV UTF-8 (Comma delimited)" in message
