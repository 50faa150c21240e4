"""The sandbox's clock follows the plan of the organisation it plays (``--org``, else the store's
first), not the newest plan of the whole store: a commune's 2026 plan tried beside another body's
2022 plan does not move that body into 2026."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.plan.layouts import Group, Registry, Unit, write_registry
from tests.plan.test_audit_layouts2 import sheet_of
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]


def commune(name: str) -> Registry:
    return Registry(
        organization=name,
        coordinator="VP",
        units=(Unit("VP", "Văn phòng HĐND và UBND xã"), Unit("AP1", "Ấp 1", groups=("ap",))),
        groups=(Group("ap", "Các ấp"),),
    )


def plan_of(year: int) -> list[list[Any]]:
    return [
        [f"KẾ HOẠCH Cải cách hành chính năm {year}"],
        HEADER,
        ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", None, None, None],
        [1, "Ban hành Kế hoạch cải cách hành chính", "Văn phòng HĐND và UBND xã", None, f"30/11/{year}"],
    ]


def add(admin: Admin, tmp_path: Path, name: str, year: int, *new: str) -> None:
    registry = write_registry(tmp_path / f"don-vi-{year}.yaml", commune(name))
    result = admin.run("units", "import", str(registry), *new)
    assert result.exit_code == 0, result.stderr
    appendix = sheet_of(tmp_path / f"phu-luc-{year}.xlsx", plan_of(year))
    result = admin.run("--org", name, "plan", "import", str(appendix))
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def two_bodies(tmp_path: Path) -> Admin:
    """Tân Hòa (first in the store) with a 2022 plan, then Tân Phước with a 2026 one."""
    admin = new_admin(tmp_path / "store")
    add(admin, tmp_path, "Ủy ban nhân dân xã Tân Hòa", 2022)
    add(admin, tmp_path, "Ủy ban nhân dân xã Tân Phước", 2026, "--new-organization")
    return admin


def played(admin: Admin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *org: str) -> str:
    monkeypatch.delenv("DONDOC_NOW", raising=False)
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO("/whoami\n"))
        result = admin.run("--lang", "vi", *org, "sandbox", "--channel", "zalo")
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


@pytest.mark.slow
def test_the_organisation_played_with_org_starts_in_its_own_plans_year(
    two_bodies: Admin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown = played(two_bodies, monkeypatch, tmp_path, "--org", "Tân Hòa")

    assert "Thời gian mô phỏng: 15/03/2022 08:30" in shown  # not 16/03/2026: the other commune's year
    assert "2026" not in shown


@pytest.mark.slow
def test_the_store_first_organisation_starts_in_its_own_plans_year(
    two_bodies: Admin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert "Thời gian mô phỏng: 15/03/2022 08:30" in played(two_bodies, monkeypatch, tmp_path)


@pytest.mark.slow
def test_the_commune_with_the_newer_plan_still_starts_in_its_year(
    two_bodies: Admin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert "Thời gian mô phỏng: 16/03/2026 08:30" in played(two_bodies, monkeypatch, tmp_path, "--org", "Tân Phước")
