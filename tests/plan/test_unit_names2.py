"""Collective names listing several kinds of units ("Các thôn, bản, tổ dân phố", "Các Vụ, Cục, Viện
thuộc Bộ"): every kind counts, multi-word kinds included, and whom they belong to narrows nothing.
Also the deadlines the same appendices wrote: "Sau Tết Nguyên đán", "Vụ Đông Xuân 2026"."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dondoc.plan.deadlines import DeadlineError, parse_deadline
from dondoc.plan.registry import build_matcher, parse_registry
from dondoc.plan.units import UnitMatcher, expand

# A commune after 2025: its villages and residential groups are units of their own.
COMMUNE: dict[str, Any] = {
    "organization": "Ủy ban nhân dân xã Mường Lát",
    "units": [
        {"code": "VP", "name": "Văn phòng HĐND và UBND xã"},
        {"code": "QS", "name": "Ban Chỉ huy quân sự xã"},
        {"code": "T1", "name": "Thôn Pù Lười"},
        {"code": "T2", "name": "Thôn Chiềng Cồng"},
        {"code": "B1", "name": "Bản Pom Khuông"},
        {"code": "B2", "name": "Bản Tà Cóm"},
        {"code": "D1", "name": "Tổ dân phố 1"},
        {"code": "D2", "name": "Tổ dân phố 2"},
        {"code": "K1", "name": "Khu phố Chợ"},
        {"code": "A1", "name": "Ấp Tân Hòa"},
    ],
}
VILLAGES = ["T1", "T2", "B1", "B2"]
RESIDENTIAL = ["D1", "D2"]

# A ministry: departments, agencies, institutes and a centre, no group declared for them.
MINISTRY: dict[str, Any] = {
    "organization": "Bộ Khoa học và Công nghệ",
    "units": [
        {"code": "VPB", "name": "Văn phòng Bộ"},
        {"code": "V1", "name": "Vụ Kế hoạch - Tài chính"},
        {"code": "V2", "name": "Vụ Pháp chế"},
        {"code": "C1", "name": "Cục Chuyển đổi số quốc gia"},
        {"code": "C2", "name": "Cục An toàn thông tin"},
        {"code": "I1", "name": "Viện Chiến lược Chuyển đổi số"},
        {"code": "I2", "name": "Viện Khoa học và Công nghệ Việt Nam - Hàn Quốc"},
        {"code": "TT", "name": "Trung tâm Công nghệ thông tin"},
        {"code": "TTB", "name": "Thanh tra Bộ"},
    ],
}
DEPARTMENTS, AGENCIES, INSTITUTES = ["V1", "V2"], ["C1", "C2"], ["I1", "I2"]


def read(matcher: UnitMatcher, text: str) -> tuple[list[str], list[str], list[str]]:
    reading = matcher.read(text)
    return sorted(expand(reading.targets)), reading.unknown, reading.qualified


@pytest.fixture(scope="module")
def commune() -> UnitMatcher:
    return build_matcher(parse_registry(COMMUNE))


@pytest.fixture(scope="module")
def ministry() -> UnitMatcher:
    return build_matcher(parse_registry(MINISTRY))


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Các thôn, bản, tổ dân phố", VILLAGES + RESIDENTIAL),
        ("Thôn, bản, tổ dân phố", VILLAGES + RESIDENTIAL),
        ("Các tổ dân phố, thôn", ["T1", "T2", *RESIDENTIAL]),
        ("Các tổ dân phố", RESIDENTIAL),
        ("Các bản", ["B1", "B2"]),
        ("Các thôn, tổ dân phố, khu phố và ấp", ["T1", "T2", *RESIDENTIAL, "K1", "A1"]),
        ("Các thôn, bản, tổ dân phố trên địa bàn xã", VILLAGES + RESIDENTIAL),
    ],
)
def test_every_kind_of_village_a_collective_lists_names_its_units(
    commune: UnitMatcher, text: str, codes: list[str]
) -> None:
    assert read(commune, text) == (sorted(codes), [], [])


def test_a_village_bản_is_not_a_board_ban(commune: UnitMatcher) -> None:
    """A village "Bản" and a board "Ban" fold to the same letters: the diacritics tell them apart."""
    assert read(commune, "Các ban")[0] == ["QS"]
    assert read(commune, "Các bản")[0] == ["B1", "B2"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Các Vụ, Cục, Viện thuộc Bộ", DEPARTMENTS + AGENCIES + INSTITUTES),
        ("Các Vụ, Cục, Viện", DEPARTMENTS + AGENCIES + INSTITUTES),
        ("Các Viện trực thuộc Bộ", INSTITUTES),
        ("Vụ, Cục, Viện, Trung tâm thuộc Bộ", [*DEPARTMENTS, *AGENCIES, *INSTITUTES, "TT"]),
        ("Thủ trưởng các Cục, Vụ thuộc Bộ", DEPARTMENTS + AGENCIES),
    ],
)
def test_every_kind_of_organ_a_collective_lists_names_its_units(
    ministry: UnitMatcher, text: str, codes: list[str]
) -> None:
    assert read(ministry, text) == (sorted(codes), [], [])


def test_the_ministrys_own_registry_groups_and_suffix() -> None:
    """With groups declared per kind ("Các Vụ", "Các Cục", "Các Viện"), the list is their union and
    "thuộc Bộ" after the last kind is the owner, not a name of its own."""
    groups = {
        code: [group] for group, codes in (("v", DEPARTMENTS), ("c", AGENCIES), ("i", INSTITUTES)) for code in codes
    }
    data = {
        **MINISTRY,
        "units": [{**u, "groups": groups.get(u["code"], [])} for u in MINISTRY["units"]],
        "groups": [
            {"code": "v", "name": "Các Vụ"},
            {"code": "c", "name": "Các Cục"},
            {"code": "i", "name": "Các Viện"},
        ],
    }
    matcher = build_matcher(parse_registry(data))
    assert read(matcher, "Các Vụ, Cục, Viện thuộc Bộ") == (sorted(DEPARTMENTS + AGENCIES + INSTITUTES), [], [])


def test_a_kind_no_unit_has_is_still_reported(ministry: UnitMatcher) -> None:
    found, unknown, _qualified = read(ministry, "Các Vụ, Cục, đoàn thể")
    assert found == sorted(DEPARTMENTS + AGENCIES) and unknown == ["đoàn thể"]


# --------------------------------------------------------------------------- deadlines of the same appendices


@pytest.mark.parametrize("text", ["Sau Tết Nguyên đán", "sau Tết", "Ra Tết", "Qua Tết", "Sau kỳ nghỉ Tết Nguyên đán"])
def test_after_tet_is_due_at_the_end_of_the_month_after_tet_begins(text: str) -> None:
    # Tết Ất Tỵ began on 29/01/2025, Tết Bính Ngọ on 17/02/2026.
    assert parse_deadline(text, 2025).dates == (date(2025, 2, 28),)
    assert parse_deadline(text, 2026).dates == (date(2026, 3, 31),)


def test_before_tet_is_still_the_day_before() -> None:
    assert parse_deadline("Trước Tết Nguyên đán", 2026).dates == (date(2026, 2, 16),)
    assert parse_deadline("Diễn ra dịp Tết", 2026).dates == (date(2026, 2, 16),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vụ Đông Xuân 2026", date(2026, 4, 30)),
        ("Vụ Đông Xuân 2025-2026", date(2026, 4, 30)),
        ("Vụ lúa Hè Thu năm 2026", date(2026, 8, 31)),
        ("Vụ Thu Đông 2026", date(2026, 11, 30)),
        ("Vụ Mùa", date(2026, 11, 30)),
    ],
)
def test_a_crop_season_is_due_at_its_harvest_not_the_years_end(text: str, expected: date) -> None:
    assert parse_deadline(text, 2026).dates == (expected,)


def test_the_start_of_a_crop_season_is_not_guessed() -> None:
    with pytest.raises(DeadlineError):
        parse_deadline("Trước vụ Đông Xuân 2025-2026", 2026)


# A province's centres and boards, written with the usual short forms in its appendices.
PROVINCE: dict[str, Any] = {
    "organization": "Ủy ban nhân dân tỉnh Quảng Ngãi",
    "units": [
        {"code": "HCC", "name": "Trung tâm Phục vụ hành chính công tỉnh"},
        {"code": "BQL", "name": "Ban Quản lý dự án đầu tư xây dựng tỉnh"},
        {"code": "VPUB", "name": "Văn phòng Ủy ban nhân dân tỉnh"},
        {"code": "TTB", "name": "Thị trấn Ba Tơ"},
    ],
}


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("TT Phục vụ HCC tỉnh", ["HCC"]),
        ("Trung tâm PVHCC tỉnh", ["HCC"]),  # the initials after the head noun
        ("BQL dự án đầu tư xây dựng tỉnh", ["BQL"]),
        ("VP UBND tỉnh; TT Phục vụ hành chính công tỉnh", ["HCC", "VPUB"]),
        ("Thị trấn Ba Tơ", ["TTB"]),
    ],
)
def test_short_forms_of_centres_boards_and_offices(text: str, codes: list[str]) -> None:
    assert read(build_matcher(parse_registry(PROVINCE)), text)[0] == codes
