"""Place names that differ only in their diacritics ("Bình Thành" and "Bình Thạnh", "An Hòa" and "An Hóa")
are two units of one province: the registry imports, a name written with its diacritics is the unit it
spells, and one written without them (or spelling neither) is refused naming both — never a guess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Dondoc
from tests.plan.layouts import Registry, Unit
from tests.plan.test_audit_leftovers import by_code, run_import, warnings_of
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]
TITLE = ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"]
BT1, BT2 = "Ủy ban nhân dân xã Bình Thành", "Ủy ban nhân dân xã Bình Thạnh"
BOTH = f"tên này ứng với nhiều đơn vị trong danh mục: {BT1}; {BT2}"

PROVINCE = Registry(
    organization="Ủy ban nhân dân tỉnh Thử",
    coordinator="SNV",
    units=(
        Unit("SNV", "Sở Nội vụ"),
        Unit("BT1", BT1),
        Unit("BT2", BT2),
        Unit("AH1", "Ủy ban nhân dân xã An Hòa"),
        Unit("AH2", "Ủy ban nhân dân xã An Hóa"),
    ),
    groups=(),
)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def one_task(lead: str, support: str | None) -> list[list[Any]]:
    return [TITLE, HEADER, [1, "Niêm yết thủ tục hành chính", lead, support, "Quý II/2026"]]


@pytest.mark.parametrize(
    ("lead", "support", "codes"),
    [
        (BT1, BT2, (["BT1"], ["BT2"])),
        (BT2, BT1, (["BT2"], ["BT1"])),
        ("UBND xã Bình Thạnh", "Xã Bình Thành; UBND xã An Hóa", (["BT2"], ["BT1", "AH2"])),
        ("Sở Nội vụ", "UBND xa Bình Thạnh, UBND xã An Hòa", (["SNV"], ["BT2", "AH1"])),
    ],
)
def test_each_name_written_with_its_diacritics_is_its_own_unit(
    admin: Admin, tmp_path: Path, lead: str, support: str, codes: tuple[list[str], list[str]]
) -> None:
    warnings = warnings_of(admin, tmp_path, PROVINCE, one_task(lead, support))

    assert warnings == []
    task = by_code(admin)["1"]
    assert (task["lead"], task["support"]) == codes


@pytest.mark.parametrize("cell", ["UBND xa Binh Thanh", "Ủy ban nhân dân xã Binh Thanh", "UBND xã Bình Thãnh"])
def test_a_lead_cell_spelling_neither_is_refused_naming_both(admin: Admin, tmp_path: Path, cell: str) -> None:
    result = run_import(admin, tmp_path, PROVINCE, one_task(cell, None))

    assert result.exit_code != 0
    assert "dòng 3, cột C (Cơ quan chủ trì)" in result.stderr
    assert f"«{cell}»" in result.stderr
    assert BOTH in " ".join(result.stderr.split())
    assert admin.tasks() == []


def test_a_support_cell_without_diacritics_is_left_out_naming_both(admin: Admin, tmp_path: Path) -> None:
    warnings = warnings_of(admin, tmp_path, PROVINCE, one_task("Sở Nội vụ", "UBND xa Binh Thanh"))

    assert [(w["header"], w["value"]) for w in warnings] == [("Cơ quan phối hợp", "UBND xa Binh Thanh")]
    assert f"{BT1}; {BT2}" in warnings[0]["message"]
    assert by_code(admin)["1"]["support"] == []


def _import(dondoc: Dondoc, tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dondoc("units", "import", path)


def _registry(*units: tuple[str, str], bot_units: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": "Ủy ban nhân dân tỉnh Thử",
        "units": [{"code": code, "name": name} for code, name in units],
    }
    if bot_units is not None:
        bot = {"name": "thu", "display_name": "Bot", "token_env": "ZALO_TOKEN_THU", "units": bot_units}
        data["channels"] = {"zalo": {"bots": [bot]}}
    return data


def test_the_registry_of_names_differing_in_diacritics_imports(dondoc: Dondoc, tmp_path: Path) -> None:
    result = _import(dondoc, tmp_path, _registry(("BT1", BT1), ("BT2", BT2), ("SNV", "Sở Nội vụ")))

    assert result.code == 0, result.stderr
    listed = dondoc("units", "list").stdout
    assert "BT1" in listed and "BT2" in listed


def test_the_same_name_twice_is_still_refused(dondoc: Dondoc, tmp_path: Path) -> None:
    result = _import(dondoc, tmp_path, _registry(("BT1", BT2), ("BT2", BT2)))

    assert result.code == 1
    assert f"units[2]: tên này đã thuộc về units[1]: «{BT2}»" in result.stderr


def test_a_bots_units_are_read_by_their_diacritics(dondoc: Dondoc, tmp_path: Path) -> None:
    data = _registry(("BT1", BT1), ("BT2", BT2), bot_units=["UBND xã Bình Thạnh"])
    assert _import(dondoc, tmp_path, data).code == 0

    refused = _import(dondoc, tmp_path, _registry(("BT1", BT1), ("BT2", BT2), bot_units=["UBND xa Binh Thanh"]))

    assert refused.code == 1
    assert "channels.zalo.bots[1].units" in refused.stderr
    assert f"{BT1}; {BT2}" in " ".join(refused.stderr.split())


def test_a_name_with_a_word_unmarked_is_another_unit_than_the_marked_one(admin: Admin, tmp_path: Path) -> None:
    """ "Bình Thanh" and "Bình Thạnh" are both communes' names: written with diacritics elsewhere, the word
    left unmarked is how the name is spelt, not a spelling without diacritics."""
    thanh, thanh_dot = "Ủy ban nhân dân xã Bình Thanh", "Ủy ban nhân dân xã Bình Thạnh"
    registry = Registry(
        organization="Ủy ban nhân dân tỉnh Thử",
        coordinator="SNV",
        units=(Unit("SNV", "Sở Nội vụ"), Unit("BTA", thanh), Unit("BTB", thanh_dot)),
        groups=(),
    )
    rows = one_task("UBND xã Bình Thanh", "Xã Bình Thạnh")
    assert warnings_of(admin, tmp_path, registry, rows) == []
    task = by_code(admin)["1"]
    assert (task["lead"], task["support"]) == (["BTA"], ["BTB"])
    other = new_admin(tmp_path / "other")
    result = run_import(other, tmp_path, registry, one_task("UBND xa Binh Thanh", None))
    assert result.exit_code != 0
    assert f"tên này ứng với nhiều đơn vị trong danh mục: {thanh}; {thanh_dot}" in result.stderr
