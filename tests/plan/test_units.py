"""Unit cells as people write them, read against a registry: titles, head-noun lists, qualifiers, codes."""

from __future__ import annotations

import pytest

from dondoc.plan.units import Target, UnitMatcher, UnitReading

PROVINCE = {
    "SNV": ("Sở Nội vụ",),
    "STC": ("Sở Tài chính",),
    "STP": ("Sở Tư pháp",),
    "SYT": ("Sở Y tế",),
    "SVHTTDL": ("Sở Văn hóa, Thể thao và Du lịch",),
    "SGDDT": ("Sở Giáo dục và Đào tạo",),
    "PNV": ("Phòng Nội vụ", "Nội vụ huyện"),
    "BQP": ("Bộ Quốc phòng",),
    "BXD": ("Bộ Xây dựng",),
    "BYT": ("Bộ Y tế",),
    "UBMT": ("Ủy ban MTTQ Việt Nam tỉnh", "MTTQ tỉnh"),
    "XAP": ("UBND xã An Phú",),
    "XBM": ("Ủy ban nhân dân xã Bình Minh",),
}
GROUPS = {
    # code: (names, members)
    "so": (("Các sở, ban, ngành", "Sở, ban, ngành"), ("SNV", "STC", "STP", "SYT", "SVHTTDL", "SGDDT")),
    "xa": (("UBND các xã, phường", "Các xã, phường"), ("X1", "X2")),
    "cqdv": (("Các cơ quan, đơn vị",), ("SNV", "STC")),
}


@pytest.fixture(scope="module")
def matcher() -> UnitMatcher:
    matcher = UnitMatcher()
    for code, names in PROVINCE.items():
        target = Target(code, (code,), is_group=False)
        assert matcher.add(code, target, code=True) is None
        for name in names:
            assert matcher.add(name, target) is None
    for code, (names, members) in GROUPS.items():
        target = Target(code, members, is_group=True)
        assert matcher.add(code, target, code=True) is None
        for name in names:
            assert matcher.add(name, target) is None
    return matcher


def read(matcher: UnitMatcher, text: str) -> tuple[list[str], list[str], list[str]]:
    reading: UnitReading = matcher.read(text)
    return [t.code for t in reading.targets], reading.unknown, reading.qualified


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Giám đốc Sở Y tế", ["SYT"]),
        ("Bộ trưởng Bộ Y tế", ["BYT"]),
        ("Phó Giám đốc Sở Tài chính", ["STC"]),
        ("Thủ trưởng các sở, ban, ngành", ["so"]),
        ("Chủ tịch UBND các xã, phường", ["xa"]),
        ("Chủ tịch Ủy ban nhân dân các xã, phường", ["xa"]),
        ("Trưởng phòng Nội vụ", ["PNV"]),
        ("Bí thư, Chủ tịch UBND các xã, phường", ["xa"]),
        ("Giám đốc Sở Y tế và Giám đốc Sở Tài chính", ["SYT", "STC"]),
        ("Đồng chí Giám đốc Sở Nội vụ", ["SNV"]),
    ],
)
def test_an_officials_title_names_the_unit_or_group(matcher: UnitMatcher, text: str, codes: list[str]) -> None:
    assert read(matcher, text) == (codes, [], [])


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Các Bộ: Quốc phòng, Xây dựng, Y tế", ["BQP", "BXD", "BYT"]),
        ("các bộ: Quốc phòng, Xây dựng và Y tế", ["BQP", "BXD", "BYT"]),
        ("Sở: Nội vụ, Tài chính", ["SNV", "STC"]),
        ("Các Sở: Văn hóa, Thể thao và Du lịch, Y tế", ["SVHTTDL", "SYT"]),
        ("Sở Tư pháp, Nội vụ", ["STP", "SNV"]),
        ("Các Sở Tư pháp, Nội vụ, Tài chính", ["STP", "SNV", "STC"]),
        ("Các Bộ: Quốc phòng, Xây dựng; Sở Y tế", ["BQP", "BXD", "SYT"]),
        ("Giám đốc các Sở: Y tế, Tài chính", ["SYT", "STC"]),
        ("Chủ tịch UBND các xã: An Phú, Bình Minh", ["XAP", "XBM"]),
        ("Chủ tịch Ủy ban nhân dân các xã: An Phú, Bình Minh", ["XAP", "XBM"]),
        ("Chủ trì: Sở Y tế", ["SYT"]),
        ("Sở Y tế (chủ trì)", ["SYT"]),
    ],
)
def test_a_list_under_one_head_noun_names_each_unit(matcher: UnitMatcher, text: str, codes: list[str]) -> None:
    assert read(matcher, text) == (codes, [], [])


@pytest.mark.parametrize(
    "text",
    [
        "các cơ quan, đơn vị quản lý cơ sở dữ liệu",
        "các xã, phường có đồng bào dân tộc thiểu số",
        "UBND các xã, phường vùng biên giới",
        "Các sở, ban, ngành có liên quan",
        "Các xã, phường thuộc vùng khó khăn",
    ],
)
def test_a_collective_name_with_a_qualifier_is_not_the_whole_group(matcher: UnitMatcher, text: str) -> None:
    assert read(matcher, text) == ([], [], [text])


def test_a_qualified_collective_beside_units_keeps_the_units(matcher: UnitMatcher) -> None:
    assert read(matcher, "Sở Y tế; các xã, phường có đồng bào dân tộc") == (
        ["SYT"],
        [],
        ["các xã, phường có đồng bào dân tộc"],
    )


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Các sở, ban, ngành tỉnh", ["so"]),
        ("UBND các xã, phường trên địa bàn tỉnh", ["xa"]),
        ("Các cơ quan, đơn vị thuộc UBND tỉnh", ["cqdv"]),
        ("Sở Y tế tỉnh", ["SYT"]),
    ],
)
def test_a_place_or_an_owner_after_a_name_narrows_nothing(matcher: UnitMatcher, text: str, codes: list[str]) -> None:
    assert read(matcher, text) == (codes, [], [])


@pytest.mark.parametrize(
    ("text", "codes", "unknown"),
    [
        ("Các cơ sở giáo dục", [], ["Các cơ sở giáo dục"]),
        ("Sở Giáo dục và Đào tạo; các cơ sở giáo dục", ["SGDDT"], ["các cơ sở giáo dục"]),
        ("Ủy ban MTTQ Việt Nam tỉnh, MTTQ cấp xã", ["UBMT"], ["MTTQ cấp xã"]),
        ("Cán bộ cấp xã", [], ["Cán bộ cấp xã"]),
    ],
)
def test_a_code_never_matches_inside_words(
    matcher: UnitMatcher, text: str, codes: list[str], unknown: list[str]
) -> None:
    """The codes ``so`` and ``xa`` are words of "cơ sở" and "cấp xã": they must not name groups there."""
    assert read(matcher, text) == (codes, unknown, [])


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("so", ["so"]),
        ("SNV; xa", ["SNV", "xa"]),
        ("SNV, STC và SYT", ["SNV", "STC", "SYT"]),
        ("SYT\nSTP", ["SYT", "STP"]),
    ],
)
def test_a_code_matches_a_whole_fragment(matcher: UnitMatcher, text: str, codes: list[str]) -> None:
    assert read(matcher, text) == (codes, [], [])


def test_match_still_lists_qualified_collectives_among_fragments_naming_no_whole_unit(matcher: UnitMatcher) -> None:
    targets, fragments = matcher.match("Sở Y tế, các xã, phường có đồng bào dân tộc")
    assert [t.code for t in targets] == ["SYT"]
    assert fragments == ["các xã, phường có đồng bào dân tộc"]


def test_usual_abbreviations_name_the_same_units() -> None:
    """A registry in full words, cells in abbreviations — and the other way round."""
    matcher = UnitMatcher()
    names = {
        "SKHDT": "Sở Kế hoạch và Đầu tư",
        "STTTT": "Sở TT&TT",
        "SLDTBXH": "Sở Lao động - Thương binh và Xã hội",
        "HX": "Ủy ban nhân dân huyện Xuân Lộc",
        "TPCT": "UBND thành phố Cần Thơ",
        "MT": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    }
    for code, name in names.items():
        target = Target(code, (code,), is_group=False)
        assert matcher.add(code, target, code=True) is None
        assert matcher.add(name, target) is None
    cells = {
        "Sở KH&ĐT": "SKHDT",
        "Sở KHĐT": "SKHDT",
        "Sở Thông tin và Truyền thông": "STTTT",
        "Sở TTTT": "STTTT",
        "Sở LĐ-TB&XH": "SLDTBXH",
        "UBND huyện Xuân Lộc": "HX",
        "Ủy ban nhân dân thành phố Cần Thơ": "TPCT",
        "UBND TP. Cần Thơ": "TPCT",
        "Ủy ban MTTQ Việt Nam tỉnh": "MT",
    }
    for cell, code in cells.items():
        assert read(matcher, cell) == ([code], [], []), cell


def test_a_name_spelt_like_an_abbreviation_of_another_is_no_clash() -> None:
    matcher = UnitMatcher()
    assert matcher.add("Ủy ban nhân dân xã An Phú", Target("A", ("A",), is_group=False)) is None
    # Another unit may be registered under a spelling the first one only had as an abbreviation.
    assert matcher.add("UBND xã An Phú", Target("B", ("B",), is_group=False)) is None
    assert read(matcher, "UBND xã An Phú") == (["B"], [], [])
    assert read(matcher, "Ủy ban nhân dân xã An Phú") == (["A"], [], [])
