"""A commune's clerk sets dondoc up for the commune's own plan (two-level local government, 2026):

- a lead cell naming the commune itself ("UBND xã") is refused saying what it is and how to fix it,
  and any unknown lead unit says how (correct the cell, or add the name to a unit's aliases);
- "… thuộc UBND xã" after a collective name is whom the units belong to, even once "UBND xã" is a
  registered alias: that unit is not read into the cell;
- a qualified collective name's warning says it may be given to a group's aliases;
- report periods listed alone ("Quý, 6 tháng, năm") are every period's report, the finest first;
- the sandbox tried on the commune's own 2026 plan lives in 2026, not in the sample's 2022.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from dondoc.plan.deadlines import parse_deadline
from tests.plan.layouts import Group, Registry, Unit
from tests.plan.test_audit_leftovers import run_import
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]


def commune(*office_aliases: str) -> Registry:
    return Registry(
        organization="Ủy ban nhân dân xã Tân Phước, tỉnh Đồng Tháp",
        coordinator="VP",
        units=(
            Unit("VP", "Văn phòng HĐND và UBND xã", office_aliases, groups=("cq",)),
            Unit("KT", "Phòng Kinh tế", groups=("cq",)),
            Unit("VHXH", "Phòng Văn hóa - Xã hội", groups=("cq",)),
            Unit("CA", "Công an xã"),
            Unit("AP1", "Ấp 1", groups=("ap",)),
            Unit("AP2", "Ấp 2", groups=("ap",)),
        ),
        groups=(Group("cq", "Các cơ quan chuyên môn"), Group("ap", "Các ấp")),
    )


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def rows_with(lead: str, support: str | None = None, deadline: str = "Tháng 11/2026") -> list[list[Any]]:
    return [
        ["KẾ HOẠCH Cải cách hành chính năm 2026"],
        ["(Kèm theo Kế hoạch số 12/KH-UBND ngày 15/01/2026 của Ủy ban nhân dân xã Tân Phước)"],
        HEADER,
        ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", None, None, None],
        [1, "Khảo sát sự hài lòng của người dân", lead, support, deadline],
    ]


def test_a_lead_cell_naming_the_commune_itself_says_what_it_is_and_how_to_fix_it(admin: Admin, tmp_path: Path) -> None:
    result = run_import(admin, tmp_path, commune(), rows_with("UBND xã"))

    assert result.exit_code == 1
    assert (
        "dòng 5, cột C (Cơ quan chủ trì): là chính cơ quan ban hành kế hoạch, không phải một đơn vị trong danh mục"
        in result.stderr
    )
    assert "thêm tên này vào cột «Tên gọi khác» của đơn vị đó" in result.stderr
    assert "«UBND xã»" in result.stderr
    assert admin.tasks() == []


def test_an_unknown_lead_unit_says_how_to_fix_it(admin: Admin, tmp_path: Path) -> None:
    result = run_import(admin, tmp_path, commune(), rows_with("Ban Quản lý chợ"))

    assert result.exit_code == 1
    line = next(line for line in result.stderr.splitlines() if "«Ban Quản lý chợ»" in line)
    assert "không có cơ quan, đơn vị này trong danh mục" in line
    assert "sửa lại ô này, hoặc thêm tên này vào cột «Tên gọi khác» của đơn vị được nói đến" in line


def test_the_commune_registered_as_an_alias_then_leads_and_owns_nothing_else(admin: Admin, tmp_path: Path) -> None:
    rows = rows_with("UBND xã", "Các phòng chuyên môn thuộc UBND xã, Công an xã")

    result = run_import(admin, tmp_path, commune("UBND xã"), rows)

    assert result.exit_code == 0, result.stderr
    [task] = admin.tasks()
    assert task["lead"] == ["VP"]
    assert task["support"] == ["CA"]  # "thuộc UBND xã" says whose offices: not the office of VP again
    assert "«chuyên môn thuộc»" not in result.stderr
    assert "hoặc, nếu là mọi đơn vị của một nhóm, thêm vào aliases của nhóm đó trong tệp danh mục YAML" in result.stderr
    assert "«Các phòng chuyên môn thuộc UBND xã»" in result.stderr


@pytest.mark.parametrize(
    ("cell", "every", "ends"),
    [
        ("Quý, 6 tháng, năm", "quarter", ["03-31", "06-30", "09-30", "12-31"]),
        ("Quý; 6 tháng; năm", "quarter", ["03-31", "06-30", "09-30", "12-31"]),
        ("Báo cáo quý, năm", "quarter", ["03-31", "06-30", "09-30", "12-31"]),
        ("Quý và năm", "quarter", ["03-31", "06-30", "09-30", "12-31"]),
        ("6 tháng, năm", "half-year", ["06-30", "12-31"]),
    ],
)
def test_report_periods_listed_alone_are_each_periods_report(cell: str, every: str, ends: list[str]) -> None:
    deadline = parse_deadline(cell, 2026)

    assert (deadline.kind, deadline.every) == ("recurring", every)
    assert [d.isoformat() for d in deadline.dates] == [f"2026-{end}" for end in ends]


def test_a_month_with_the_year_beside_it_is_no_list_of_periods() -> None:
    deadline = parse_deadline("Tháng 6, năm 2026", 2026)

    assert (deadline.kind, [d.isoformat() for d in deadline.dates]) == ("fixed", ["2026-06-30"])


@pytest.mark.slow
def test_the_sandbox_on_the_communes_own_plan_lives_in_its_year(
    admin: Admin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_import(admin, tmp_path, commune(), rows_with("Phòng Kinh tế")).exit_code == 0
    monkeypatch.delenv("DONDOC_NOW", raising=False)
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO("/tasks\n"))
        result = admin.run("--lang", "vi", "sandbox", "--channel", "zalo")

    assert result.exit_code == 0, result.stderr
    assert "Thời gian mô phỏng: 16/03/2026 08:30" in result.stdout  # mid-March of the plan's year, a Monday
    assert "Khảo sát sự hài lòng của người dân" in result.stdout or "I.1" in result.stdout
