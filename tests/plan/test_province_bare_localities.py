"""A province's 2026 plan (after the 2025 reform), read as the clerk of its Sở Nội vụ sees the import:

- a name written without the province ("Trung tâm Phục vụ hành chính công", also inside "Văn phòng UBND
  tỉnh (Trung tâm Phục vụ hành chính công)") is the unit registered as that name + "tỉnh" (or "tỉnh Lâm
  Đồng", or "Lâm Đồng") when it is the only registered unit that name fits; when other registered units
  start with the same words ("Công an xã A"), the clerk is told which, and none is guessed; "Công an xã",
  "Công an cấp xã" are never "Công an tỉnh";
- "địa phương" in a list ("Các sở, ban, ngành, địa phương") is the local governments under the province
  (its xã, phường, đặc khu), read with a warning naming what it was read as; in a ministry's plan, where
  the registry has none, the message says that "địa phương" names no unit of the registry;
- in a Word appendix, the letterhead (a layout table with no borders) is not counted: the first task
  table is "bảng 1".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.plan.layouts import Group, Registry, Unit
from tests.plan.real_layouts import Sheet, write_docx
from tests.plan.test_audit_layouts import admin  # noqa: F401 (a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_real_layouts import Admin

TITLE = ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"]
HEADER = ["STT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì thực hiện", "Cơ quan phối hợp", "Thời gian hoàn thành"]
PROVINCE_UNITS = (
    Unit("SNV", "Sở Nội vụ", groups=("so",)),
    Unit("VPUB", "Văn phòng UBND tỉnh", groups=("so",)),
    Unit("TTHCC", "Trung tâm Phục vụ hành chính công tỉnh"),
    Unit("CAT", "Công an tỉnh"),
    Unit("XH", "UBND phường Xuân Hương - Đà Lạt", groups=("cx",)),
    Unit("DL", "UBND xã Di Linh", groups=("cx",)),
    Unit("PQ", "UBND đặc khu Phú Quý", groups=("cx",)),
)
PROVINCE_GROUPS = (Group("so", "Các sở, ban, ngành tỉnh"), Group("cx", "UBND các xã, phường, đặc khu"))
PROVINCE = Registry(
    organization="Ủy ban nhân dân tỉnh Lâm Đồng", coordinator="SNV", units=PROVINCE_UNITS, groups=PROVINCE_GROUPS
)
# The same province registering the communes' own centre and police as well.
WITH_COMMUNES = Registry(
    organization="Ủy ban nhân dân tỉnh Lâm Đồng",
    coordinator="SNV",
    units=(
        *PROVINCE_UNITS,
        Unit("TTDL", "Trung tâm Phục vụ hành chính công xã Di Linh"),
        Unit("CADL", "Công an xã Di Linh"),
    ),
    groups=PROVINCE_GROUPS,
)
MINISTRY = Registry(
    organization="Bộ Nội vụ",
    coordinator="VP",
    units=(Unit("VP", "Văn phòng Bộ", groups=("vu",)), Unit("VTCCB", "Vụ Tổ chức cán bộ", groups=("vu",))),
    groups=(Group("vu", "Các Vụ, Văn phòng Bộ"),),
)


def imported(admin: Admin, tmp_path: Path, registry: Registry, rows: list[list[Any]]) -> Any:  # noqa: F811
    """The import of ``rows`` against ``registry``, in Vietnamese, as JSON (tasks and warnings)."""
    admin.register(tmp_path / "don-vi.yaml", registry)
    return admin.run("--lang", "vi", "plan", "import", "--json", str(sheet(tmp_path / "phu-luc.xlsx", rows)))


def tasks_of(admin: Admin) -> dict[str, dict[str, Any]]:  # noqa: F811
    return {task["code"]: task for task in admin.tasks()}


# --------------------------------------------------------------------------- a name without the province


def test_a_name_without_the_province_is_the_one_unit_registered_with_it(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        TITLE,
        HEADER,
        [1, "Số hóa hồ sơ", "Trung tâm Phục vụ hành chính công", "Sở Nội vụ", "Quý II/2026"],
        [2, "Vận hành Hệ thống thông tin giải quyết TTHC", "Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)", "Công an", "Quý III/2026"],
        [3, "Cấp căn cước", "Sở Nội vụ", "Công an xã; Công an cấp xã", "Quý III/2026"],
    ]  # fmt: skip
    result = imported(admin, tmp_path, PROVINCE, rows)

    assert result.exit_code == 0, result.stderr
    tasks = tasks_of(admin)
    assert tasks["1"]["lead"] == ["TTHCC"]
    assert tasks["2"]["lead"] == ["VPUB", "TTHCC"]
    assert tasks["2"]["support"] == ["CAT"]
    assert tasks["3"]["support"] == []  # the communes' police, which this registry does not list
    values = {warning["value"] for warning in json.loads(result.stdout)["warnings"]}
    assert "Trung tâm Phục vụ hành chính công" not in values and "Công an" not in values
    assert {"Công an xã", "Công an cấp xã"} <= values


def test_a_name_without_the_province_that_other_units_start_with_is_not_guessed(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        TITLE,
        HEADER,
        [1, "Số hóa hồ sơ", "Sở Nội vụ", "Trung tâm Phục vụ hành chính công", "Quý II/2026"],
        [2, "Cấp căn cước", "Sở Nội vụ", "Công an", "Quý III/2026"],
    ]
    result = imported(admin, tmp_path, WITH_COMMUNES, rows)

    assert result.exit_code == 0, result.stderr
    tasks = tasks_of(admin)
    assert tasks["1"]["support"] == [] and tasks["2"]["support"] == []
    warnings = {warning["value"]: warning["message"] for warning in json.loads(result.stdout)["warnings"]}
    centre = warnings["Trung tâm Phục vụ hành chính công"]
    assert "Trung tâm Phục vụ hành chính công tỉnh" in centre, centre
    assert "Trung tâm Phục vụ hành chính công xã Di Linh" in centre, centre
    police = warnings["Công an"]
    assert "Công an tỉnh" in police and "Công an xã Di Linh" in police, police


# --------------------------------------------------------------------------- "địa phương" in a list


def test_localities_in_a_provinces_list_are_its_communes_with_a_warning(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        TITLE,
        HEADER,
        [1, "Rà soát thủ tục hành chính", "Sở Nội vụ", "Các sở, ban, ngành, địa phương", "Quý II/2026"],
        [2, "Tự đánh giá Chỉ số CCHC", "Các sở, ngành, địa phương", "Sở Nội vụ", "Tháng 11/2026"],
        [3, "Tuyên truyền", "Sở Nội vụ", "Văn phòng UBND tỉnh, các địa phương", "Quý III/2026"],
    ]
    result = imported(admin, tmp_path, PROVINCE, rows)

    assert result.exit_code == 0, result.stderr
    tasks = tasks_of(admin)
    assert tasks["1"]["support"] == ["VPUB", "XH", "DL", "PQ"]  # the lead is no supporting unit
    assert tasks["2"]["lead"] == ["SNV", "VPUB", "XH", "DL", "PQ"]
    assert tasks["3"]["support"] == ["VPUB", "XH", "DL", "PQ"]
    warnings = json.loads(result.stdout)["warnings"]
    assert "không có cơ quan, đơn vị này" not in json.dumps(warnings, ensure_ascii=False)
    read = {warning["value"]: warning["message"] for warning in warnings if "địa phương" in warning["message"]}
    assert set(read) == {"Các sở, ban, ngành, địa phương", "Các sở, ngành, địa phương", "các địa phương"}, warnings
    for message in read.values():
        assert "«UBND các xã, phường, đặc khu»" in message and "3" in message, message


def test_localities_in_a_ministrys_plan_name_no_unit_and_say_so(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026 CỦA BỘ NỘI VỤ"],
        HEADER,
        [1, "Rà soát thủ tục hành chính", "Vụ Tổ chức cán bộ", "Các Vụ, Văn phòng Bộ, địa phương", "Quý II/2026"],
    ]
    result = imported(admin, tmp_path, MINISTRY, rows)

    assert result.exit_code == 0, result.stderr
    assert tasks_of(admin)["1"]["support"] == ["VP"]  # the lead is no supporting unit
    warnings = {warning["value"]: warning["message"] for warning in json.loads(result.stdout)["warnings"]}
    assert "«địa phương»" in warnings["địa phương"] and "không chỉ đơn vị nào" in warnings["địa phương"], warnings


# --------------------------------------------------------------------------- tables of a Word appendix


def test_a_word_appendix_counts_its_tables_without_the_letterhead(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)
    table = Sheet(
        title_lines=tuple(TITLE),
        header=(tuple(HEADER),),
        body=(
            ("1", "Số hóa hồ sơ", "Phòng Không Có", "Sở Nội vụ", "Quý II/2026"),
            ("2", "Khảo sát sự hài lòng", "Sở Nội vụ", "", "Quý II/2026"),
            ("3", "Rà soát quy trình", "Ban Không Có", "", "Quý III/2026"),
        ),
    )
    path = write_docx(table, tmp_path / "phu-luc.docx", split_after=2)  # the last task on the next page
    result = admin.run("--lang", "vi", "plan", "import", str(path))

    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    assert any("bảng 1, dòng 2" in line and "Phòng Không Có" in line for line in lines), result.stderr
    assert any("bảng 2, dòng 1" in line and "Ban Không Có" in line for line in lines), result.stderr
    assert "bảng 3" not in result.stderr
