"""Unit names as appendices write them, against a registry that spells them another way: "&" for
"và", initials ("Sở VH-TT&DL"), collective names in any order with or without "UBND", and the
organisation's own place after a name ("Văn phòng UBND tỉnh Quảng Trị")."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, cast

import pytest
import typer
import yaml
from typer.testing import CliRunner

from dondoc.plan.registry import build_matcher, parse_registry
from dondoc.plan.units import UnitMatcher, expand
from tests.conftest import empty_sqlite_url
from tests.plan.layouts import Appendix, Area, Task, write_xlsx
from tests.plan.test_layouts import Admin

# A province after the 2025 reorganisation: departments, communes, wards and a special zone.
PROVINCE: dict[str, Any] = {
    "organization": "Ủy ban nhân dân tỉnh Quảng Trị",
    "units": [
        {"code": "VPUB", "name": "Văn phòng Ủy ban nhân dân tỉnh", "groups": ["so"]},
        {"code": "SNV", "name": "Sở Nội vụ", "groups": ["so"]},
        {"code": "SNNMT", "name": "Sở Nông nghiệp và Môi trường", "groups": ["so"]},
        {"code": "SGDDT", "name": "Sở Giáo dục và Đào tạo", "groups": ["so"]},
        {"code": "SVHTTDL", "name": "Sở Văn hóa, Thể thao và Du lịch", "groups": ["so"]},
        {"code": "SDTTG", "name": "Sở Dân tộc và Tôn giáo", "groups": ["so"]},
        {"code": "STTT", "name": "Sở Thông tin và Truyền thông", "groups": ["so"]},
        {"code": "STNMT", "name": "Sở Tài nguyên và Môi trường", "groups": ["so"]},
        {"code": "TTT", "name": "Thanh tra tỉnh", "groups": ["so"]},
        {"code": "CAT", "name": "Công an tỉnh"},
        {"code": "P1", "name": "Ủy ban nhân dân phường Đông Hà", "groups": ["capxa"]},
        {"code": "P2", "name": "UBND phường Đồng Hới", "groups": ["capxa"]},
        {"code": "X1", "name": "Ủy ban nhân dân xã Cồn Tiên", "groups": ["capxa"]},
        {"code": "X2", "name": "Xã Lệ Thủy", "groups": ["capxa"]},
        {"code": "DK", "name": "Ủy ban nhân dân đặc khu Cồn Cỏ", "groups": ["capxa"]},
    ],
    "groups": [
        {"code": "so", "name": "Các sở, ban, ngành tỉnh"},
        {"code": "capxa", "name": "UBND cấp xã"},
    ],
}
WARDS = ["P1", "P2"]
COMMUNES = ["X1", "X2"]
EVERY_COMMUNE_LEVEL = ["P1", "P2", "X1", "X2", "DK"]
DEPARTMENTS = ["VPUB", "SNV", "SNNMT", "SGDDT", "SVHTTDL", "SDTTG", "STTT", "STNMT", "TTT"]


@pytest.fixture(scope="module")
def matcher() -> UnitMatcher:
    return build_matcher(parse_registry(PROVINCE))


def read(matcher: UnitMatcher, text: str) -> tuple[list[str], list[str], list[str]]:
    """(unit codes named, groups expanded; fragments naming nothing; qualified collectives)."""
    reading = matcher.read(text)
    return expand(reading.targets), reading.unknown, reading.qualified


# --------------------------------------------------------------------------- "&", "-", "," and initials


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sở Nông nghiệp & Môi trường", "SNNMT"),
        ("Sở Giáo dục & Đào tạo", "SGDDT"),
        ("Sở Văn hóa, Thể thao & Du lịch", "SVHTTDL"),
        ("Sở Văn hóa - Thể thao - Du lịch", "SVHTTDL"),
        ("Sở Dân tộc - Tôn giáo", "SDTTG"),
        ("Sở VH-TT&DL", "SVHTTDL"),
        ("Sở VHTTDL", "SVHTTDL"),
        ("Sở VH, TT và DL", "SVHTTDL"),
        ("Sở NN&MT", "SNNMT"),
        ("Sở NN và MT", "SNNMT"),
        ("Sở DT&TG", "SDTTG"),
        ("Sở GDĐT", "SGDDT"),
        ("Giám đốc Sở TN&MT", "STNMT"),
    ],
)
def test_and_written_otherwise_or_initials_name_the_registered_unit(matcher: UnitMatcher, text: str, code: str) -> None:
    assert read(matcher, text) == ([code], [], [])


def test_initials_two_units_share_name_neither() -> None:
    """Cells saying "Sở TT" could be "Sở Thông tin" as well as "Sở Tài trợ": no guess, and both suggested."""
    registry = parse_registry(
        {
            "organization": "Ủy ban nhân dân tỉnh Quảng Trị",
            "units": [
                {"code": "STT", "name": "Sở Thông tin"},
                {"code": "STR", "name": "Sở Tài trợ"},
                {"code": "STC", "name": "Sở Tài chính"},
            ],
        }
    )
    matcher = build_matcher(registry)
    assert read(matcher, "Sở TT") == ([], ["Sở TT"], [])
    assert read(matcher, "Sở TC") == (["STC"], [], [])


# --------------------------------------------------------------------------- collective names


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # Declared as "Các sở, ban, ngành tỉnh": "ban" goes without saying before "ngành".
        ("Các sở, ngành", DEPARTMENTS),
        ("các sở ban ngành", DEPARTMENTS),
        ("Sở, ban, ngành", DEPARTMENTS),
        ("Các sở, ban, ngành tỉnh", DEPARTMENTS),
        ("Thủ trưởng các sở, ngành", DEPARTMENTS),
        # No group declares these kinds: every unit named "<kind> <place>".
        ("Các xã, phường, đặc khu", EVERY_COMMUNE_LEVEL),
        ("UBND các phường, xã và đặc khu", EVERY_COMMUNE_LEVEL),
        ("Ủy ban nhân dân các đặc khu, xã, phường", EVERY_COMMUNE_LEVEL),
        ("Tất cả các xã, phường, đặc khu trên địa bàn tỉnh", EVERY_COMMUNE_LEVEL),
        ("Các UBND xã, phường, đặc khu", EVERY_COMMUNE_LEVEL),
        ("Chủ tịch UBND các xã, phường, đặc khu", EVERY_COMMUNE_LEVEL),
        ("xã, phường, đặc khu", EVERY_COMMUNE_LEVEL),
        ("Các xã", COMMUNES),
        ("UBND các phường", WARDS),
        ("các phường thuộc tỉnh", WARDS),
        # No thị trấn is left after 2025: the kind adds nothing, the others still count.
        ("UBND các xã, phường, thị trấn", ["P1", "P2", "X1", "X2"]),
    ],
)
def test_a_collective_name_names_every_unit_of_its_kinds(matcher: UnitMatcher, text: str, codes: list[str]) -> None:
    found, unknown, qualified = read(matcher, text)
    assert (sorted(found), unknown, qualified) == (sorted(codes), [], [])


def test_kinds_no_group_declares_leave_the_rest_named() -> None:
    """A cell "các sở, ngành, đoàn thể" names the departments, and "đoàn thể" named as unknown (not silently dropped)."""
    matcher = build_matcher(parse_registry(PROVINCE))
    assert read(matcher, "Các sở, ngành, đoàn thể") == (DEPARTMENTS, ["đoàn thể"], [])


def test_a_plural_before_names_is_a_list_not_the_group(matcher: UnitMatcher) -> None:
    assert read(matcher, "UBND các xã Cồn Tiên, Lệ Thủy") == (["X1", "X2"], [], [])
    assert read(matcher, "Các phường Đông Hà, Đồng Hới") == (["P1", "P2"], [], [])


def test_a_commune_is_named_for_its_peoples_committee(matcher: UnitMatcher) -> None:
    assert read(matcher, "Phường Đông Hà; xã Cồn Tiên") == (["P1", "X1"], [], [])


def test_a_narrowed_collective_is_still_not_the_whole_group(matcher: UnitMatcher) -> None:
    text = "Các xã, phường, đặc khu có đồng bào dân tộc thiểu số"
    assert read(matcher, text) == ([], [], [text])


def test_a_group_declared_with_the_same_kinds_wins_over_the_units_of_those_kinds() -> None:
    """A group "Các xã" listing only some communes is what the registry means by "các xã"."""
    data = {**PROVINCE, "groups": [*PROVINCE["groups"], {"code": "xa", "name": "Các xã"}]}
    data["units"] = [{**u, "groups": [*u["groups"], "xa"]} if u["code"] == "X1" else u for u in PROVINCE["units"]]
    matcher = build_matcher(parse_registry(data))
    assert read(matcher, "UBND các xã")[0] == ["X1"]
    assert read(matcher, "Tất cả các xã trên địa bàn tỉnh")[0] == ["X1"]


def test_a_group_name_may_leave_out_whom_it_belongs_to() -> None:
    commune = {
        "organization": "Ủy ban nhân dân xã Cồn Tiên",
        "units": [
            {"code": "VP", "name": "Văn phòng HĐND và UBND xã", "groups": ["phong"]},
            {"code": "KT", "name": "Phòng Kinh tế", "groups": ["phong"]},
            {"code": "CA", "name": "Công an xã"},
        ],
        "groups": [{"code": "phong", "name": "Các phòng chuyên môn thuộc UBND xã"}],
    }
    matcher = build_matcher(parse_registry(commune))
    assert read(matcher, "Các phòng chuyên môn") == (["VP", "KT"], [], [])
    assert read(matcher, "Văn phòng HĐND & UBND xã Cồn Tiên; Công an xã Cồn Tiên") == (["VP", "CA"], [], [])


# --------------------------------------------------------------------------- the organisation's own place


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Văn phòng Ủy ban nhân dân tỉnh Quảng Trị", ["VPUB"]),
        ("Văn phòng UBND tỉnh Quảng Trị (chủ trì)", ["VPUB"]),
        ("Sở Nội vụ Quảng Trị", ["SNV"]),
        ("Công an tỉnh Quảng Trị; Thanh tra tỉnh", ["CAT", "TTT"]),
        ("UBND xã Cồn Tiên, tỉnh Quảng Trị", ["X1"]),
        ("Các sở, ban, ngành tỉnh Quảng Trị", DEPARTMENTS),
    ],
)
def test_the_organisations_own_place_after_a_name_is_part_of_it(
    matcher: UnitMatcher, text: str, codes: list[str]
) -> None:
    assert read(matcher, text) == (codes, [], [])


def test_another_place_after_a_name_is_still_reported(matcher: UnitMatcher) -> None:
    assert read(matcher, "Văn phòng UBND tỉnh Cần Thơ") == (["VPUB"], ["Cần Thơ"], [])


def test_a_place_of_its_own_is_not_swallowed(matcher: UnitMatcher) -> None:
    """A fragment "Quảng Trị" alone after a semicolon names no unit: reported, not taken as part of a name."""
    assert read(matcher, "Sở Nội vụ; Quảng Trị") == (["SNV"], ["Quảng Trị"], [])


# --------------------------------------------------------------------------- suggestions


@pytest.mark.parametrize(
    ("text", "nearest"),
    [
        ("Các sở", "Các sở, ban, ngành tỉnh"),
        ("Tất cả các sở", "Các sở, ban, ngành tỉnh"),
        ("Sở Nông nghiệp", "Sở Nông nghiệp và Môi trường"),
        ("đặc khu", "Ủy ban nhân dân đặc khu Cồn Cỏ"),
    ],
)
def test_an_unknown_name_gets_the_nearest_registry_names(matcher: UnitMatcher, text: str, nearest: str) -> None:
    assert read(matcher, text)[1] == [text]
    assert nearest in matcher.suggest(text)


def test_a_fragment_sharing_no_word_gets_no_far_fetched_suggestion(matcher: UnitMatcher) -> None:
    assert matcher.suggest("đoàn thể") == []


# --------------------------------------------------------------------------- through the import


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    app = cast(typer.Typer, importlib.import_module("dondoc.cli").app)
    admin = Admin(app=app, db=empty_sqlite_url(tmp_path / "dondoc.db"), runner=CliRunner())
    registry = tmp_path / "don-vi.yaml"
    registry.write_text(yaml.safe_dump(PROVINCE, allow_unicode=True), encoding="utf-8")
    result = admin.run("units", "import", str(registry))
    assert result.exit_code == 0, result.stderr
    return admin


def test_an_appendix_writing_names_otherwise_is_imported_to_every_unit(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CẢI CÁCH HÀNH CHÍNH"),
            Task(1, "Rà soát thủ tục đất đai", "Sở Nông nghiệp & Môi trường", "Các sở, ngành", deadline="Quý II/2025"),
            Task(2, "Số hóa hồ sơ", "Các xã, phường, đặc khu", "Sở VH-TT&DL", deadline="Quý III/2025"),
            Task(3, "Tổng hợp báo cáo", "Văn phòng Ủy ban nhân dân tỉnh Quảng Trị", "", deadline="Năm 2025"),
        ]
    )
    built = write_xlsx(appendix, tmp_path / "phu-luc.xlsx")
    result = admin.import_plan(built.path)
    assert result.exit_code == 0, result.stderr
    assert "Quảng Trị»" not in result.stderr and "không rõ" not in result.stderr.lower(), result.stderr
    tasks = {t["code"]: t for t in admin.export().tasks}
    assert (tasks["I.1"]["lead"], tasks["I.1"]["support"]) == (["SNNMT"], [c for c in DEPARTMENTS if c != "SNNMT"])
    assert (sorted(tasks["I.2"]["lead"]), tasks["I.2"]["support"]) == (sorted(EVERY_COMMUNE_LEVEL), ["SVHTTDL"])
    assert tasks["I.3"]["lead"] == ["VPUB"]


def test_an_unknown_lead_is_refused_naming_it_and_the_nearest_names(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(rows=[Task(1, "Rà soát thủ tục", "Sở Nông nghiệp", "", deadline="Quý II/2025")])
    stderr = admin.rejects(write_xlsx(appendix, tmp_path / "phu-luc.xlsx").path)
    line = next(line for line in stderr.splitlines() if "Sở Nông nghiệp»" in line)
    assert "tên gần nhất trong danh mục" in line and "Sở Nông nghiệp và Môi trường" in line, line
