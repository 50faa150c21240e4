"""Collective names a registry declares one way and an appendix writes another, read as the clerk sees them:

- before whom the units belong to, "cơ quan, đơn vị", "cơ quan, tổ chức, đơn vị", "cơ quan" and "đơn
  vị" name one collective: "Các cơ quan, đơn vị thuộc Bộ" is the registry's "Các đơn vị thuộc Bộ" — but
  "Các đơn vị sự nghiệp công lập" stays another group, and "Các sở, ban, ngành" is no "Các cơ quan, đơn
  vị thuộc UBND tỉnh";
- "trực thuộc" (directly under) is another set than "thuộc": kept apart when the registry declares
  both; read as the one declared, with a warning naming it, when it declares only one;
- initials two units share ("Phòng TC": "Phòng Tài chính", "Phòng Tổ chức") name neither, and the
  clerk is told which units they fit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.layouts import Group, Registry, Unit
from tests.plan.test_audit_leftovers import by_code, run_import, warnings_of
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["STT", "Nội dung/Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"]
TITLE = ["NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026"]

MINISTRY_UNITS = (
    Unit("TCCB", "Vụ Tổ chức cán bộ", ("Vụ TCCB",), groups=("thuoc",)),
    Unit("VP", "Văn phòng Bộ", groups=("thuoc",)),
    Unit("TTTT", "Trung tâm Thông tin", groups=("sn", "thuoc")),
    Unit("BAO", "Báo Dân trí", groups=("sn", "thuoc")),
    Unit("TTLT", "Trung tâm Lưu trữ quốc gia I", groups=("tt",)),
)
SN = Group("sn", "Các đơn vị sự nghiệp công lập thuộc Bộ")
THUOC = Group("thuoc", "Các đơn vị thuộc Bộ")
TRUC_THUOC = Group("tt", "Các đơn vị trực thuộc Bộ")


def ministry(*groups: Group) -> Registry:
    """The ministry's units, in those of ``groups`` that the registry declares."""
    codes = {group.code for group in groups}
    units = tuple(Unit(u.code, u.name, u.aliases, tuple(g for g in u.groups if g in codes)) for u in MINISTRY_UNITS)
    return Registry(organization="Bộ Nội vụ", coordinator="VP", units=units, groups=groups)


def tasks(*support: str) -> list[list[Any]]:
    return [
        TITLE,
        HEADER,
        *([n, f"Nhiệm vụ {n}", "Văn phòng Bộ", cell, "Quý IV/2026"] for n, cell in enumerate(support, 1)),
    ]


def messages(warnings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(w["value"], " ".join(w["message"].split())) for w in warnings]


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


# --------------------------------------------------------------------------- one collective, other head words


def test_the_ministrys_units_are_named_by_any_head_words_before_whom_they_belong_to(
    admin: Admin, tmp_path: Path
) -> None:
    cells = [
        "Các cơ quan, đơn vị thuộc Bộ",
        "Các cơ quan thuộc Bộ",
        "Các cơ quan, tổ chức, đơn vị thuộc Bộ Nội vụ",
        "Thủ trưởng các cơ quan và đơn vị thuộc Bộ",
        "Các cơ quan, đơn vị trực thuộc Bộ",  # the registry declares both: "trực thuộc" stays its own group
        "Các đơn vị sự nghiệp công lập",  # more than head words: another group
    ]

    warnings = warnings_of(admin, tmp_path, ministry(SN, THUOC, TRUC_THUOC), tasks(*cells))

    assert warnings == []
    support = [by_code(admin)[str(n)]["support"] for n in range(1, len(cells) + 1)]
    assert support == [
        *[["TCCB", "TTTT", "BAO"]] * 4,  # the lead (Văn phòng Bộ) is not counted again as support
        ["TTLT"],
        ["TTTT", "BAO"],
    ]


def test_a_provinces_departments_are_no_collective_of_other_head_words(admin: Admin, tmp_path: Path) -> None:
    units = (
        Unit("SNV", "Sở Nội vụ", groups=("so", "dv")),
        Unit("STC", "Sở Tài chính", groups=("so", "dv")),
        Unit("TTHCC", "Trung tâm Phục vụ hành chính công tỉnh", groups=("dv",)),
    )
    both = Registry(
        organization="Ủy ban nhân dân tỉnh Quảng Trị",
        coordinator="SNV",
        units=units,
        groups=(Group("so", "Các sở, ban, ngành tỉnh"), Group("dv", "Các cơ quan, đơn vị thuộc UBND tỉnh")),
    )
    rows: list[list[Any]] = [
        TITLE,
        HEADER,
        [1, "Nhiệm vụ 1", "Sở Nội vụ", "Các đơn vị thuộc Ủy ban nhân dân tỉnh Quảng Trị", "Quý IV/2026"],
        [2, "Nhiệm vụ 2", "Sở Nội vụ", "Các sở, ban, ngành", "Quý IV/2026"],
    ]

    assert warnings_of(admin, tmp_path, both, rows) == []
    assert by_code(admin)["1"]["support"] == ["STC", "TTHCC"]
    assert by_code(admin)["2"]["support"] == ["STC"]

    # Only the departments declared: the province's "cơ quan, đơn vị" are not its departments.
    only_so = tuple(Unit(u.code, u.name, groups=("so",) if "so" in u.groups else ()) for u in units)
    departments = Registry(both.organization, "SNV", only_so, (Group("so", "Các sở, ban, ngành tỉnh"),))
    other = new_admin(tmp_path / "other")
    rows = [
        TITLE,
        HEADER,
        [1, "Nhiệm vụ 1", "Sở Nội vụ", "Các cơ quan, đơn vị thuộc UBND tỉnh", "Quý IV/2026"],
    ]
    warnings = warnings_of(other, tmp_path, departments, rows)

    assert [w["value"] for w in warnings] == ["Các cơ quan, đơn vị thuộc UBND tỉnh"]
    assert "đã bỏ qua" in warnings[0]["message"]
    assert by_code(other)["1"]["support"] == []


# --------------------------------------------------------------------------- "trực thuộc" and "thuộc"


def test_directly_under_read_as_the_only_group_declared_is_warned_naming_it(admin: Admin, tmp_path: Path) -> None:
    cells = ["Các đơn vị trực thuộc Bộ", "Các cơ quan, đơn vị trực thuộc Bộ", "Các đơn vị thuộc Bộ"]

    warnings = warnings_of(admin, tmp_path, ministry(SN, THUOC), tasks(*cells))

    read_as = (
        "đã hiểu là nhóm «Các đơn vị thuộc Bộ» trong danh mục, dù ô ghi «trực thuộc» còn tên nhóm ghi «thuộc»; "
        "đồng chí kiểm tra lại đúng nhóm này chưa, hoặc đăng ký tên như đã ghi (thành một nhóm riêng, hoặc thêm "
        "vào aliases của nhóm được nói đến trong tệp danh mục YAML) rồi nhập lại danh mục"
    )
    assert messages(warnings) == [(cells[0], read_as), (cells[1], read_as)]
    assert [w["row"] for w in warnings] == [3, 4]
    # A warning, not a refusal: the group is followed up all the same.
    assert [by_code(admin)[str(n)]["support"] for n in (1, 2, 3)] == [["TCCB", "TTTT", "BAO"]] * 3


def test_under_read_as_the_only_group_declared_directly_under_is_warned(admin: Admin, tmp_path: Path) -> None:
    warnings = warnings_of(admin, tmp_path, ministry(TRUC_THUOC), tasks("Các cơ quan, đơn vị thuộc Bộ"))

    assert [w["value"] for w in warnings] == ["Các cơ quan, đơn vị thuộc Bộ"]
    assert "«Các đơn vị trực thuộc Bộ»" in warnings[0]["message"]
    assert "ô ghi «thuộc» còn tên nhóm ghi «trực thuộc»" in " ".join(warnings[0]["message"].split())
    assert by_code(admin)["1"]["support"] == ["TTLT"]


# --------------------------------------------------------------------------- initials two units share

DISTRICT = Registry(
    organization="Ủy ban nhân dân huyện Cam Lộ",
    coordinator="VP",
    units=(
        Unit("VP", "Văn phòng HĐND và UBND huyện"),
        Unit("PTC", "Phòng Tài chính"),
        Unit("PTCH", "Phòng Tổ chức"),
        Unit("PTP", "Phòng Tư pháp"),
    ),
    groups=(),
)


def test_initials_two_units_share_say_which_units_they_fit(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [TITLE, HEADER, [1, "Nhiệm vụ 1", "Phòng TP", "Phòng TC", "Quý IV/2026"]]

    warnings = warnings_of(admin, tmp_path, DISTRICT, rows)

    assert messages(warnings) == [
        (
            "Phòng TC",
            "tên này ứng với nhiều đơn vị trong danh mục, đã bỏ qua: Phòng Tài chính; Phòng Tổ chức; ghi rõ đơn vị"
            " được nói đến, hoặc thêm tên này vào cột «Tên gọi khác» của đơn vị đó trong danh sách cơ quan, đơn vị"
            " (hoặc aliases trong tệp danh mục YAML) rồi nhập lại",
        )
    ]
    assert by_code(admin)["1"]["lead"] == ["PTP"]  # initials only one unit has still name it


def test_a_lead_written_in_shared_initials_is_refused_naming_the_units(admin: Admin, tmp_path: Path) -> None:
    result = run_import(admin, tmp_path, DISTRICT, [TITLE, HEADER, [1, "Nhiệm vụ 1", "Phòng TC", None, "Quý IV/2026"]])

    assert result.exit_code != 0
    assert "«Phòng TC»" in result.stderr
    assert "tên này ứng với nhiều đơn vị trong danh mục: Phòng Tài chính; Phòng Tổ chức" in " ".join(
        result.stderr.split()
    )
    assert admin.tasks() == []
