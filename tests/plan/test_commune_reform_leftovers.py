"""Leftovers found by a commune clerk after the 2025 two-level local government reform, read as the
clerk sees them:

- "Ban nhân dân ấp", "Ban nhân dân các ấp, khóm", "Ban nhân dân tổ dân phố" (the hamlet's own
  committee) name the hamlets or residential groups as "Trưởng ấp" does; "Ban nhân dân ấp Phú Lợi"
  is that hamlet;
- a bare name ("Sở Nội vụ") names the one unit registered with a place after it ("Sở Nội vụ tỉnh
  Quảng Trị"); two such units make it ambiguous, and the clerk is told which two;
- a column under a group title ("Cơ quan thực hiện" over "Cơ quan chủ trì" | "Cơ quan phối hợp") is
  named in messages by its own label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dondoc.plan.units import Target, UnitMatcher
from tests.plan.layouts import Group, Registry, Unit
from tests.plan.test_audit_leftovers import by_code, run_import, warnings_of
from tests.plan.test_read_and_warn import new_admin
from tests.plan.test_real_layouts import Admin

HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]
TITLE = ["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"]

# A commune after the reform: hamlets (ấp) and residential groups (tổ dân phố), no alias naming their
# committees, and the province's departments registered with the province's name.
COMMUNE = Registry(
    organization="Ủy ban nhân dân xã Cồn Tiên",
    coordinator="VP",
    units=(
        Unit("VP", "Văn phòng HĐND và UBND xã"),
        Unit("CA", "Công an xã"),
        Unit("SNV", "Sở Nội vụ tỉnh Quảng Trị"),
        Unit("BHXH", "Bảo hiểm xã hội tỉnh Quảng Trị"),
        Unit("AP1", "Ấp Phú Lợi"),
        Unit("AP2", "Ấp Tân Long"),
        Unit("TDP1", "Tổ dân phố 1"),
        Unit("TDP2", "Tổ dân phố 2"),
    ),
    groups=(Group("cc", "Công chức chuyên môn"),),
)

# A commune registering neither hamlets nor residential groups.
NO_HAMLETS = Registry(
    organization="Ủy ban nhân dân xã Cồn Tiên",
    coordinator="VP",
    units=(Unit("VP", "Văn phòng HĐND và UBND xã"), Unit("CA", "Công an xã")),
    groups=(),
)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


def one_task(lead: str, support: str | None) -> list[list[Any]]:
    return [TITLE, HEADER, [1, "Niêm yết thủ tục hành chính", lead, support, "Quý II/2026"]]


# --------------------------------------------------------------------------- the hamlet's own committee


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("Ban nhân dân ấp", ["AP1", "AP2"]),
        ("Ban nhân dân các ấp", ["AP1", "AP2"]),
        ("Ban nhân dân các ấp, khóm", ["AP1", "AP2"]),  # as "Trưởng ấp, khóm": no khóm after the reform
        ("Trưởng Ban nhân dân ấp", ["AP1", "AP2"]),
        ("Ban nhân dân tổ dân phố", ["TDP1", "TDP2"]),
        ("Công an xã, Ban nhân dân ấp", ["CA", "AP1", "AP2"]),
        ("Ban nhân dân ấp Phú Lợi", ["AP1"]),
    ],
)
def test_the_hamlets_committee_is_the_hamlets(admin: Admin, tmp_path: Path, cell: str, codes: list[str]) -> None:
    warnings = warnings_of(admin, tmp_path, COMMUNE, one_task("Văn phòng HĐND và UBND xã", cell))

    assert warnings == []
    assert by_code(admin)["1"]["support"] == codes


def test_the_hamlets_committee_leading_without_hamlets_is_refused_by_name(admin: Admin, tmp_path: Path) -> None:
    result = run_import(admin, tmp_path, NO_HAMLETS, one_task("Ban nhân dân ấp", None))

    assert result.exit_code != 0
    assert "dòng 3, cột C (Cơ quan chủ trì): không có cơ quan, đơn vị này trong danh mục" in result.stderr
    assert "«Ban nhân dân ấp»" in result.stderr
    assert admin.tasks() == []


# --------------------------------------------------------------------------- a name without its place


def test_a_bare_name_is_the_one_unit_registered_with_its_place(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        TITLE,
        HEADER,
        [1, "Rà soát vị trí việc làm", "Sở Nội vụ", "Bảo hiểm xã hội", "Quý II/2026"],
        [2, "Báo cáo kết quả", "Sở Nội vụ tỉnh Quảng Trị", None, "Quý IV/2026"],
    ]

    warnings = warnings_of(admin, tmp_path, COMMUNE, rows)

    assert warnings == []
    tasks = by_code(admin)
    assert (tasks["1"]["lead"], tasks["1"]["support"]) == (["SNV"], ["BHXH"])
    assert tasks["2"]["lead"] == ["SNV"]


def test_a_bare_name_with_another_place_is_not_the_registered_unit(admin: Admin, tmp_path: Path) -> None:
    """ "Sở Nội vụ tỉnh Hà Tĩnh" is another province's department, not Quảng Trị's."""
    warnings = warnings_of(admin, tmp_path, COMMUNE, one_task("Sở Nội vụ", "Sở Nội vụ tỉnh Hà Tĩnh"))

    assert [(w["header"], w["value"]) for w in warnings] == [("Cơ quan phối hợp", "Sở Nội vụ tỉnh Hà Tĩnh")]
    assert by_code(admin)["1"]["support"] == []


def test_a_bare_name_two_units_fit_is_refused_naming_both(admin: Admin, tmp_path: Path) -> None:
    registry = Registry(
        organization="Ủy ban nhân dân xã Cồn Tiên",
        coordinator="VP",
        units=(
            Unit("VP", "Văn phòng HĐND và UBND xã"),
            Unit("SNV_QT", "Sở Nội vụ tỉnh Quảng Trị"),
            Unit("SNV_HT", "Sở Nội vụ tỉnh Hà Tĩnh"),
        ),
        groups=(),
    )

    result = run_import(admin, tmp_path, registry, one_task("Sở Nội vụ", None))

    assert result.exit_code != 0
    assert "dòng 3, cột C (Cơ quan chủ trì)" in result.stderr
    assert "«Sở Nội vụ»" in result.stderr
    assert "tên này ứng với nhiều đơn vị trong danh mục: Sở Nội vụ tỉnh Quảng Trị; Sở Nội vụ tỉnh Hà Tĩnh" in (
        " ".join(result.stderr.split())
    )
    assert admin.tasks() == []


def test_a_name_registered_bare_is_read_with_its_place(admin: Admin, tmp_path: Path) -> None:
    """The reverse: "Sở Nội vụ" registered, "Sở Nội vụ tỉnh Quảng Trị" written."""
    registry = Registry(
        organization="Ủy ban nhân dân xã Cồn Tiên",
        coordinator="VP",
        units=(Unit("VP", "Văn phòng HĐND và UBND xã"), Unit("SNV", "Sở Nội vụ")),
        groups=(),
    )

    warnings = warnings_of(admin, tmp_path, registry, one_task("Sở Nội vụ tỉnh Quảng Trị", None))

    assert warnings == []
    assert by_code(admin)["1"]["lead"] == ["SNV"]


def test_only_a_place_is_left_out_of_a_registered_name() -> None:
    """The name without its place, when what is left names something: "xã hội" is no commune, "Ủy ban
    nhân dân" names nothing alone, and "tỉnh" alone is no place."""
    matcher = UnitMatcher()
    for code, name in (
        ("SNV", "Sở Nội vụ tỉnh Quảng Trị"),
        ("BHXH", "Bảo hiểm xã hội tỉnh Quảng Trị"),
        ("SLD", "Sở Lao động - Thương binh và Xã hội"),
        ("UBX", "Ủy ban nhân dân xã Cồn Tiên"),
        ("CAT", "Công an tỉnh"),
        ("TYT", "Trạm Y tế xã Cồn Tiên, tỉnh Quảng Trị"),
    ):
        matcher.add(name, Target(code, (code,), is_group=False))
    written = [
        "Sở Nội vụ",
        "Bảo hiểm xã hội",
        "Bảo hiểm",
        "Sở Lao động - Thương binh",
        "Ủy ban nhân dân",
        "Công an",
        "Trạm Y tế",
        "Trạm Y tế xã Cồn Tiên",
    ]
    read = {text: [t.code for t in matcher.read(text).targets] for text in written}
    assert read == {
        "Sở Nội vụ": ["SNV"],
        "Bảo hiểm xã hội": ["BHXH"],
        "Bảo hiểm": [],
        "Sở Lao động - Thương binh": [],
        "Ủy ban nhân dân": [],
        "Công an": [],
        "Trạm Y tế": ["TYT"],
        "Trạm Y tế xã Cồn Tiên": ["TYT"],
    }


# --------------------------------------------------------------------------- a column under a group title


def test_a_column_under_a_group_title_is_named_by_its_own_label(admin: Admin, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        TITLE,
        ["STT", "Nội dung", "Cơ quan thực hiện", None, "Thời hạn"],
        [None, None, "Cơ quan chủ trì", "Cơ quan phối hợp", None],
        [1, "Niêm yết thủ tục hành chính", "Phòng Không Có", "Công an xã", "Quý II/2026"],
        [2, "Tuyên truyền", "Công an xã", "Ban Không Có", "Quý II/2026"],
    ]

    result = run_import(admin, tmp_path, NO_HAMLETS, rows)

    assert result.exit_code != 0
    assert "dòng 4, cột C (Cơ quan chủ trì): không có cơ quan, đơn vị này trong danh mục" in result.stderr
    assert "dòng 5, cột D (Cơ quan phối hợp)" in result.stderr
    assert "Cơ quan thực hiện Cơ quan" not in result.stderr
