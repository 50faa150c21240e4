"""Leftovers of the import audit, read as the clerk sees them:

- deadlines given the plan year are named in the warning (row as the file shows it, and the cell), the
  first few and then how many more;
- unit names with a comma ("Báo và Phát thanh, Truyền hình tỉnh", "Sở Văn hóa, Thể thao và Du lịch")
  in a cell listing units with commas; a name registered with the province's name ("… Quảng Trị")
  written with "tỉnh"; names the registry lacks reported one by one, not run together;
- "Trưởng ấp" (the heads of hamlets): the hamlets when the registry has them, else a named warning or
  error, never a silent drop;
- work once an event the file does not date has come ("Sau khi có hướng dẫn của tỉnh", "Sau khi Kế
  hoạch được phê duyệt") is continuous, as "Khi có hướng dẫn" is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dondoc.plan.deadlines import DeadlineError, parse_deadline
from dondoc.plan.units import Target, UnitMatcher
from tests.plan.layouts import Group, Registry, Unit, commune_registry
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]

PROVINCE = Registry(
    organization="Ủy ban nhân dân tỉnh Quảng Trị",
    coordinator="SNV",
    units=(
        Unit("SNV", "Sở Nội vụ", groups=("so",)),
        Unit("STC", "Sở Tài chính", groups=("so",)),
        Unit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", groups=("so",)),
        # The 2025 merger's official name, with the province's name rather than "tỉnh".
        Unit("BPTTH", "Báo và Phát thanh, Truyền hình Quảng Trị"),
        Unit("X1", "UBND xã Cồn Tiên", groups=("xa",)),
    ),
    groups=(
        Group("so", "Các sở, ban, ngành tỉnh", ("Các sở, ban, ngành",)),
        Group("xa", "UBND các xã, phường", ("Các xã, phường",)),
    ),
)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def run_import(admin: Admin, tmp_path: Path, registry: Registry, rows: list[list[Any]], *args: str) -> Any:
    """The import of ``rows`` (a sheet) against ``registry``, in Vietnamese, as the clerk reads it."""
    admin.register(tmp_path / "don-vi.yaml", registry)
    return admin.run("--lang", "vi", "plan", "import", str(sheet(tmp_path / "phu-luc.xlsx", rows)), *args)


def warnings_of(admin: Admin, tmp_path: Path, registry: Registry, rows: list[list[Any]]) -> list[dict[str, Any]]:
    result = run_import(admin, tmp_path, registry, rows, "--json")
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout)["warnings"])


def by_code(admin: Admin) -> dict[str, dict[str, Any]]:
    return {task["code"]: task for task in admin.tasks()}


# --------------------------------------------------------------------------- the year taken from the plan


def test_deadlines_given_the_plan_year_are_named_by_row_and_cell(admin: Admin, tmp_path: Path) -> None:
    written = ["Quý II", "30/6", "Tháng 5", "Quý III/2026", "Tháng 7", "Cuối tháng 8", "15/9", "Trước 30/11"]
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        *([n, f"Nhiệm vụ {n}", "Sở Nội vụ", None, text] for n, text in enumerate(written, 1)),
    ]

    warnings = warnings_of(admin, tmp_path, PROVINCE, rows)

    (message,) = [w["message"] for w in warnings if "không ghi năm" in w["message"]]
    # Seven cells give no year ("Quý III/2026" does): the first five named as the sheet numbers its
    # rows (the header is row 2), then how many more.
    assert message == (
        "7 thời hạn không ghi năm: đã lấy năm 2026 của kế hoạch theo tiêu đề (dòng 3 «Quý II»; dòng 4 «30/6»; "
        "dòng 5 «Tháng 5»; dòng 7 «Tháng 7»; dòng 8 «Cuối tháng 8» và 2 dòng khác)"
    )


def test_a_few_deadlines_given_the_plan_year_are_all_named(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        [],
        HEADER,
        [1, "Rà soát quy chế", "Sở Nội vụ", None, "Quý IV/2026"],
        [2, "Tổng kết", "Sở Nội vụ", None, "Trước 15/12"],
    ]

    warnings = warnings_of(admin, tmp_path, PROVINCE, rows)

    assert [w["message"] for w in warnings if "không ghi năm" in w["message"]] == [
        "1 thời hạn không ghi năm: đã lấy năm 2026 của kế hoạch theo tiêu đề (dòng 5 «Trước 15/12»)"
    ]


# --------------------------------------------------------------------------- unit names with a comma


@pytest.fixture(scope="module")
def matcher() -> UnitMatcher:
    matcher = UnitMatcher()
    for code, name in (
        ("SNV", "Sở Nội vụ"),
        ("BPTTH", "Báo và Phát thanh, Truyền hình tỉnh"),
        ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("TTVH", "Trung tâm Văn hóa, Thông tin và Thể thao"),
    ):
        target = Target(code, (code,), is_group=False)
        matcher.add(code, target, code=True)
        matcher.add(name, target)
    matcher.add_place("Ủy ban nhân dân tỉnh Quảng Trị")
    return matcher


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        (
            "Sở Nội vụ, Báo và Phát thanh, Truyền hình tỉnh, Sở Văn hóa, Thể thao và Du lịch",
            ["SNV", "BPTTH", "SVHTTDL"],
        ),
        ("Trung tâm Văn hóa, Thông tin và Thể thao, Sở Nội vụ", ["TTVH", "SNV"]),
        ("Sở Văn hóa, Thể thao và Du lịch, Trung tâm Văn hóa, Thông tin và Thể thao", ["SVHTTDL", "TTVH"]),
        ("Báo và Phát thanh, Truyền hình Quảng Trị, Sở Nội vụ", ["BPTTH", "SNV"]),
    ],
)
def test_a_name_with_a_comma_is_one_unit_among_others(matcher: UnitMatcher, cell: str, codes: list[str]) -> None:
    reading = matcher.read(cell)
    assert ([t.code for t in reading.targets], reading.unknown) == (codes, [])


def test_a_name_registered_with_the_provinces_name_is_read_with_tinh(admin: Admin, tmp_path: Path) -> None:
    cell = "Sở Nội vụ, Báo và Phát thanh, Truyền hình tỉnh, Sở Văn hóa, Thể thao và Du lịch"
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Tuyên truyền cải cách hành chính", "Sở Tài chính", cell, "Quý II/2026"],
        [2, "Đưa tin kết quả", "Báo và Phát thanh, Truyền hình tỉnh", None, "Quý IV/2026"],
    ]

    warnings = warnings_of(admin, tmp_path, PROVINCE, rows)

    assert warnings == []
    tasks = by_code(admin)
    assert (tasks["1"]["lead"], tasks["1"]["support"]) == (["STC"], ["SNV", "BPTTH", "SVHTTDL"])
    assert tasks["2"]["lead"] == ["BPTTH"]


def test_names_the_registry_lacks_are_reported_one_by_one(admin: Admin, tmp_path: Path) -> None:
    """Neither name is registered: each is reported whole (its own comma kept), not run together."""
    cell = "Hội Văn học, Nghệ thuật tỉnh, Trung tâm Văn hóa, Thông tin và Thể thao, Sở Nội vụ"
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Tuyên truyền cải cách hành chính", "Sở Tài chính", cell, "Quý II/2026"],
    ]

    warnings = warnings_of(admin, tmp_path, PROVINCE, rows)

    assert [(w["row"], w["header"], w["value"]) for w in warnings] == [
        (3, "Cơ quan phối hợp", "Hội Văn học, Nghệ thuật tỉnh"),
        (3, "Cơ quan phối hợp", "Trung tâm Văn hóa, Thông tin và Thể thao"),
    ]
    assert all(w["message"].startswith("đơn vị không có trong danh mục, đã bỏ qua") for w in warnings)
    assert by_code(admin)["1"]["support"] == ["SNV"]


# --------------------------------------------------------------------------- heads of hamlets


@pytest.mark.parametrize("cell", ["Trưởng ấp", "Trưởng các ấp", "Công an xã, Trưởng ấp"])
def test_heads_of_hamlets_are_the_hamlets_when_the_registry_has_them(admin: Admin, tmp_path: Path, cell: str) -> None:
    """As "Chủ tịch UBND các xã" names the communes: the hamlets' focal points answer for their heads."""
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Niêm yết thủ tục hành chính tại ấp", "Văn phòng HĐND và UBND xã", cell, "Quý II/2026"],
    ]

    warnings = warnings_of(admin, tmp_path, commune_registry(), rows)

    assert warnings == []
    support = by_code(admin)["1"]["support"]
    assert [code for code in support if code != "CA"] == ["AP1", "AP2", "AP3"]


def test_heads_of_a_kind_the_registry_lacks_are_named(admin: Admin, tmp_path: Path) -> None:
    """The commune registers hamlets (ấp) but no khóm: "Trưởng ấp, khóm" is the hamlets, and "khóm"
    is named in a warning, as after "Các ấp, khóm"."""
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Niêm yết thủ tục hành chính", "Văn phòng HĐND và UBND xã", "Trưởng ấp, khóm", "Quý II/2026"],
    ]

    warnings = warnings_of(admin, tmp_path, commune_registry(), rows)

    assert [(w["row"], w["header"], w["message"], w["value"]) for w in warnings] == [
        (3, "Cơ quan phối hợp", "đơn vị không có trong danh mục, đã bỏ qua", "khóm")
    ]
    assert by_code(admin)["1"]["support"] == ["AP1", "AP2", "AP3"]


def test_heads_of_hamlets_without_hamlets_in_the_registry_are_a_named_warning(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Niêm yết thủ tục hành chính", "Sở Nội vụ", "Bí thư chi bộ, Trưởng ấp, khóm", "Quý II/2026"],
    ]

    warnings = warnings_of(admin, tmp_path, PROVINCE, rows)

    assert [(w["severity"], w["row"], w["header"], w["value"]) for w in warnings] == [
        ("warning", 3, "Cơ quan phối hợp", "Bí thư chi bộ"),
        ("warning", 3, "Cơ quan phối hợp", "Trưởng ấp, khóm"),
    ]
    assert by_code(admin)["1"]["support"] == []


def test_heads_of_hamlets_leading_without_hamlets_in_the_registry_are_refused_by_name(
    admin: Admin, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Niêm yết thủ tục hành chính", "Trưởng ấp", None, "Quý II/2026"],
    ]

    result = run_import(admin, tmp_path, PROVINCE, rows)

    assert result.exit_code != 0
    assert "dòng 3, cột C (Cơ quan chủ trì): không có cơ quan, đơn vị này trong danh mục" in result.stderr
    assert "«Trưởng ấp»" in result.stderr
    assert admin.tasks() == []


# --------------------------------------------------------------------------- once an undated event has come


@pytest.mark.parametrize(
    "text",
    [
        "Khi có hướng dẫn",
        "Sau khi có hướng dẫn của tỉnh",
        "Ngay sau khi có văn bản hướng dẫn",
        "Khi có văn bản chỉ đạo của UBND tỉnh",
        "Sau khi nhận được văn bản chỉ đạo",
        "Sau khi Kế hoạch được phê duyệt",
        "Sau khi Đề án được UBND tỉnh phê duyệt",
        "Ngay sau khi Kế hoạch này được ban hành",
        "Sau khi có Quyết định phê duyệt",
    ],
)
def test_work_once_an_undated_event_has_come_is_continuous(text: str) -> None:
    assert parse_deadline(text, 2026).kind == "continuous"


@pytest.mark.parametrize(
    "text",
    ["Sau khi hoàn thành rà soát", "Sau khi có kinh phí", "Sau khi sáp nhập", "Sau khi Kế hoạch số 15/KH-UBND ký"],
)
def test_other_work_or_events_after_sau_khi_are_still_refused(text: str) -> None:
    with pytest.raises(DeadlineError):
        parse_deadline(text, 2026)


def test_an_appendix_with_the_family_imports_it_as_continuous_work(admin: Admin, tmp_path: Path) -> None:
    """As "Khi có hướng dẫn": continuous, said once for the file (round 23). Counted from guidance still to come, "30 ngày
    sau khi có hướng dẫn" is not dated from the plan's issue date; "30 ngày kể từ ngày ban hành Kế
    hoạch" still is."""
    deadlines = [
        "Khi có hướng dẫn",
        "Sau khi có hướng dẫn của tỉnh",
        "Ngay sau khi có văn bản hướng dẫn",
        "Sau khi Kế hoạch được phê duyệt",
        "30 ngày sau khi có hướng dẫn",
        "30 ngày kể từ ngày ban hành Kế hoạch",
    ]
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        *([n, f"Nhiệm vụ {n}", "Sở Nội vụ", None, text] for n, text in enumerate(deadlines, 1)),
    ]

    result = run_import(admin, tmp_path, PROVINCE, rows, "--json", "--issued", "2026-01-15")

    assert result.exit_code == 0, result.stderr
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["message"].startswith("5 nhiệm vụ được hiểu là nhiệm vụ thường xuyên")
    assert [(t["deadline"]["text"], t["deadline"]["kind"], t["deadline"]["dates"]) for t in admin.tasks()] == [
        *((text, "continuous", []) for text in deadlines[:5]),
        ("30 ngày kể từ ngày ban hành Kế hoạch", "fixed", ["2026-02-14"]),
    ]
