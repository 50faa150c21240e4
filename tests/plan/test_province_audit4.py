"""Appendices of a province's 2026 administrative-reform plan after the 2025 reform (two levels: the
province, and its xã, phường and đặc khu), read as the clerk of its Sở Nội vụ means them.

- a task whose number cell is merged down two rows (a lead unit and a product per row) and whose text
  is written in the first row only: one task, not a task without content;
- "UBND cấp xã" (and "Chủ tịch UBND cấp xã"): every commune, ward and special zone, the registry's
  group of them when it declares one — but "Công an cấp xã" is no People's Committee;
- a collective name the registry does not know ("Các cơ quan chuyên môn thuộc UBND tỉnh"): the
  message says to add it to the aliases of the group it means, and names the registry's groups.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.layouts import Group, Registry, Unit
from tests.plan.real_layouts import UP, WRITERS, Sheet
from tests.plan.test_audit_layouts import admin  # noqa: F401 (a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_real_layouts import Admin

PROVINCE = Registry(
    organization="Ủy ban nhân dân tỉnh Lâm Đồng",
    coordinator="SNV",
    units=(
        Unit("SNV", "Sở Nội vụ", groups=("so",)),
        Unit("SKHCN", "Sở Khoa học và Công nghệ", groups=("so",)),
        Unit("VPUB", "Văn phòng UBND tỉnh", groups=("so",)),
        Unit("XH", "UBND phường Xuân Hương - Đà Lạt", groups=("cx",)),
        Unit("DL", "UBND xã Di Linh", groups=("cx",)),
        Unit("PQ", "UBND đặc khu Phú Quý", groups=("cx",)),
    ),
    groups=(
        Group("so", "Các sở, ban, ngành tỉnh"),
        Group("cx", "UBND các xã, phường, đặc khu"),
    ),
)
HEADER = ["STT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì thực hiện", "Cơ quan phối hợp", "Thời gian hoàn thành"]


def by_code(admin: Admin) -> dict[str, dict[str, Any]]:  # noqa: F811
    return {task["code"]: task for task in admin.tasks()}


# --------------------------------------------------------------------------- a number merged down two rows


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_number_merged_down_two_rows_with_the_text_in_the_first_is_one_task(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
    kind: str,
) -> None:
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)
    table = Sheet(
        title_lines=("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026",),
        header=(("STT", "Nội dung nhiệm vụ", "Chủ trì", "Phối hợp", "Sản phẩm", "Thời gian hoàn thành"),),
        body=(
            ("1", "Số hóa hồ sơ thủ tục hành chính", "Văn phòng UBND tỉnh", "Sở Nội vụ", "Kho dữ liệu", "Quý II/2026"),
            (UP, "", "Sở Khoa học và Công nghệ", "", "Nền tảng số hóa", UP),
            ("2", "Khảo sát sự hài lòng", "Sở Nội vụ", "", "Báo cáo", "Tháng 11/2026"),
        ),
    )
    result = admin.run("plan", "import", str(WRITERS[kind](table, tmp_path / f"phu-luc.{kind}")))

    assert result.exit_code == 0, result.stderr
    tasks = by_code(admin)
    assert list(tasks) == ["1", "2"]
    assert tasks["1"]["lead"] == ["VPUB", "SKHCN"]
    assert " ".join(tasks["1"]["product"].split()) == "Kho dữ liệu Nền tảng số hóa"
    assert tasks["1"]["deadline"]["dates"] == ["2026-06-30"]


# --------------------------------------------------------------------------- UBND cấp xã


def test_ubnd_cap_xa_is_every_commune_ward_and_special_zone(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Đánh giá vị trí việc làm", "Sở Nội vụ", "UBND cấp xã", "Quý III/2026"],
        [2, "Tự đánh giá Chỉ số CCHC", "Chủ tịch UBND cấp xã", "Sở Nội vụ", "Tháng 11/2026"],
        [3, "Rà soát chức năng", "Sở Nội vụ", "Các sở, ban, ngành tỉnh; Ủy ban nhân dân cấp xã", "Quý II/2026"],
        [4, "Cấp căn cước", "Sở Nội vụ", "Công an cấp xã", "Quý III/2026"],  # no People's Committee
    ]
    result = admin.run("plan", "import", str(sheet(tmp_path / "phu-luc.xlsx", rows)))

    assert result.exit_code == 0, result.stderr
    assert "«UBND cấp xã»" not in result.stderr and "«Công an cấp xã»" in result.stderr, result.stderr
    tasks = by_code(admin)
    assert tasks["1"]["support"] == ["XH", "DL", "PQ"]
    assert tasks["2"]["lead"] == ["XH", "DL", "PQ"]
    assert tasks["3"]["support"] == ["SKHCN", "VPUB", "XH", "DL", "PQ"]
    assert tasks["4"]["support"] == []


# --------------------------------------------------------------------------- an unknown collective name


def test_an_unknown_collective_name_says_to_add_it_to_a_groups_aliases(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    admin.register(tmp_path / "don-vi.yaml", PROVINCE)
    rows: list[list[Any]] = [
        ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        HEADER,
        [1, "Công bố thủ tục hành chính", "Các cơ quan chuyên môn thuộc UBND tỉnh", "Sở Nội vụ", "Quý I/2026"],
        [2, "Giao tự chủ tài chính", "Sở Nội vụ", "Các cơ quan chuyên môn thuộc UBND tỉnh", "Quý II/2026"],
    ]
    result = admin.run("--lang", "vi", "plan", "import", str(sheet(tmp_path / "phu-luc.xlsx", rows)))

    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "Các cơ quan chuyên môn" in line]
    assert len(lines) == 2, result.stderr
    for line in lines:
        assert "aliases của nhóm" in line, line
        assert "Các sở, ban, ngành tỉnh" in line and "UBND các xã, phường, đặc khu" in line, line
