"""A ministry's Office (Văn phòng Bộ) sets dondoc up for the ministry's administrative-reform plan:

- a group registered with whom its units belong to ("Các đơn vị sự nghiệp công lập thuộc Bộ") is also
  written without it, as a commune's "Các phòng chuyên môn thuộc UBND xã" is;
- a name registered with a dash between its words ("Vụ Kế hoạch - Tài chính") is also written with
  "và", as one registered with "và" is written with a dash;
- the ministry's own name after a unit's or a group's ("Văn phòng Bộ Nội vụ", "Các đơn vị thuộc Bộ
  Nội vụ") is part of that name, and a lead cell naming the ministry itself says what it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.layouts import Group, Registry, Unit
from tests.plan.test_audit_leftovers import run_import
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["STT", "Nội dung/Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Sản phẩm", "Thời gian hoàn thành"]

MINISTRY = Registry(
    organization="Bộ Nội vụ",
    coordinator="VP",
    units=(
        Unit("TCCB", "Vụ Tổ chức cán bộ", ("Vụ TCCB",), groups=("hc", "thuoc")),
        Unit("KHTC", "Vụ Kế hoạch - Tài chính", groups=("hc", "thuoc")),
        Unit("VP", "Văn phòng Bộ", ("VP Bộ",), groups=("hc", "thuoc")),
        Unit("TTR", "Thanh tra Bộ", groups=("hc", "thuoc")),
        Unit("CDS", "Cục Chuyển đổi số", groups=("hc", "thuoc")),
        Unit("TTTT", "Trung tâm Thông tin", groups=("sn", "thuoc")),
        Unit("BAO", "Báo Dân trí", groups=("sn", "thuoc")),
        Unit("TTLT", "Trung tâm Lưu trữ quốc gia I", groups=("tt",)),
    ),
    groups=(
        Group("hc", "Các Vụ, Cục, Văn phòng Bộ, Thanh tra Bộ"),
        Group("sn", "Các đơn vị sự nghiệp công lập thuộc Bộ"),
        Group("thuoc", "Các đơn vị thuộc Bộ"),
        Group("tt", "Các đơn vị trực thuộc Bộ"),
    ),
)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def rows_with(lead: str, support: str | None = None) -> list[list[Any]]:
    return [
        ["NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026 CỦA BỘ NỘI VỤ"],
        ["(Kèm theo Quyết định số 45/QĐ-BNV ngày 10/01/2026 của Bộ trưởng Bộ Nội vụ)"],
        HEADER,
        ["I", "CẢI CÁCH TỔ CHỨC BỘ MÁY", None, None, None, None],
        [1, "Sắp xếp các đơn vị sự nghiệp công lập", lead, support, "Đề án", "Quý III/2026"],
    ]


def imported(admin: Admin, tmp_path: Path, lead: str, support: str | None = None) -> tuple[Any, dict[str, Any]]:
    result = run_import(admin, tmp_path, MINISTRY, rows_with(lead, support))
    tasks = admin.tasks()
    return result, (tasks[0] if tasks else {})


def test_a_group_registered_as_the_ministrys_is_also_written_without_it(admin: Admin, tmp_path: Path) -> None:
    rows = [
        *rows_with("Vụ TCCB", "Các đơn vị sự nghiệp công lập"),
        [2, "Kiểm tra công tác tổ chức", "Vụ TCCB", "Các đơn vị trực thuộc Bộ", "Báo cáo", "Quý IV/2026"],
    ]
    result = run_import(admin, tmp_path, MINISTRY, rows)

    assert result.exit_code == 0, result.stderr
    first, second = admin.tasks()
    assert first["support"] == ["TTTT", "BAO"]
    assert "Các đơn vị sự nghiệp công lập»" not in result.stderr
    # The units directly under the ministry are another group than its own units: still apart.
    assert second["support"] == ["TTLT"]


def test_a_name_registered_with_a_dash_is_also_written_with_va(admin: Admin, tmp_path: Path) -> None:
    result, task = imported(admin, tmp_path, "Vụ Kế hoạch và Tài chính")

    assert result.exit_code == 0, result.stderr
    assert task["lead"] == ["KHTC"]


def test_the_ministrys_own_name_after_a_unit_or_a_group_is_part_of_it(admin: Admin, tmp_path: Path) -> None:
    result, task = imported(admin, tmp_path, "Văn phòng Bộ Nội vụ", "Các đơn vị sự nghiệp công lập thuộc Bộ Nội vụ")

    assert result.exit_code == 0, result.stderr
    assert task["lead"] == ["VP"]
    assert task["support"] == ["TTTT", "BAO"]
    assert "«Nội vụ»" not in result.stderr
    assert "tên chung có kèm điều kiện" not in result.stderr


def test_a_lead_cell_naming_the_ministry_itself_says_what_it_is(admin: Admin, tmp_path: Path) -> None:
    result, _task = imported(admin, tmp_path, "Bộ Nội vụ")

    assert result.exit_code == 1
    line = next(line for line in result.stderr.splitlines() if "«Bộ Nội vụ»" in line)
    assert "là chính cơ quan ban hành kế hoạch, không phải một đơn vị trong danh mục" in line
