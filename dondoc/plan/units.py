"""Matching unit cells of an appendix against the unit registry.

A cell names one or more units or groups ("Phòng Nội vụ; UBND các xã, thị trấn"), separated by
semicolons, commas or line breaks — but names contain commas themselves, so matching works on the
cell's words and takes the longest known name at each position. Case, diacritics (đ = d),
spacing and punctuation are ignored. Names and aliases match whole words; a registry *code* ("NV",
"xa") matches only a whole fragment of the cell (between separators), so the code ``so`` never
matches inside "cơ sở giáo dục" nor ``xa`` inside "MTTQ cấp xã".

People write unit cells the way they speak, so the matcher also reads:

- an official's title before a unit or group: "Giám đốc Sở Y tế", "Thủ trưởng các sở, ban, ngành",
  "Chủ tịch UBND các xã, phường" name the unit or the group; before a kind of village alone,
  every unit of that kind: "Trưởng ấp" as "Trưởng ấp, khóm" or "các ấp" (nothing when the registry
  has no hamlet: an unknown name);
- a list under one head noun: "Các Bộ: Quốc phòng, Xây dựng, Y tế", "Sở: Nội vụ, Tài chính", and
  "Sở Tư pháp, Nội vụ" (the head of the first name carries over to the next);
- a collective name narrowed by a qualifier: "các xã có đồng bào dân tộc", "các cơ quan, đơn vị
  quản lý cơ sở dữ liệu" name *some* of the group's units, not all of them: such a fragment is
  returned apart (:attr:`UnitReading.qualified`) and is not expanded. A qualifier that narrows
  nothing ("các sở, ngành tỉnh", "UBND các xã trên địa bàn huyện", "… thuộc UBND huyện") keeps the
  whole group.

Names are also read in the other ways people write them (:meth:`UnitMatcher.add`):

- "và" may be written "&", "-", "," or left out: "Sở Nông nghiệp & Môi trường", "Sở Dân tộc - Tôn
  giáo" name "Sở Nông nghiệp và Môi trường", "Sở Dân tộc và Tôn giáo";
- the words after an organ's head noun ("Sở", "Phòng", "Bộ", "Trung tâm"…) may be written as their
  initials, one pair of letters per two-syllable word, separated or not: "Sở VH-TT&DL", "Sở VHTTDL",
  "Sở VH, TT và DL" name "Sở Văn hóa, Thể thao và Du lịch". Initials that two units share name
  neither;
- a collective name is a list of kinds ("các xã, phường, đặc khu", "các sở, ban, ngành") in any
  order, with or without "UBND"/"Ủy ban nhân dân", "các"/"tất cả"/"toàn bộ", "và" before the last
  kind. It names the registry's group declared with the same kinds, in whatever words or order
  the group is declared; "ban" may be left out of a list ending in "ngành" ("các sở, ngành" is
  "các sở, ban, ngành", as officials write it). A list no group declares names, kind by kind, the
  groups declared with some of its kinds ("Các Vụ", "Các Cục") and every unit named "<kind>
  <name>" for each kind left: local-government kinds (xã, phường, thị trấn, đặc khu, huyện, quận,
  thị xã, thành phố, tỉnh) after an optional "UBND" ("Ủy ban nhân dân xã Cồn Tiên", "Phường Đông
  Hà"), villages and residential groups (thôn, bản, tổ dân phố, khu phố, ấp, khóm, buôn, làng,
  sóc, xóm: "Tổ dân phố 1", "Bản Tà Cóm" — "bản" is told from "ban" by its diacritics) and organs
  (sở, ban, phòng, vụ, cục, chi cục, tổng cục, viện, trung tâm: "Viện Chiến lược Chuyển đổi số").
  A local kind no unit has adds nothing ("thị trấn" after 2025); an organ's kind no unit has, or one
  that belongs to a declared list ("sở" of "các sở, ban, ngành": the registry said what those kinds
  mean together), names nothing alone — the longest list that names something is taken and the
  rest is reported ("các sở, ngành, đoàn thể": "đoàn thể"). Whom the units belong to after the
  last kind narrows nothing ("Các Vụ, Cục, Viện thuộc Bộ", "… trực thuộc UBND tỉnh"). "các cơ quan chuyên môn thuộc UBND
  tỉnh" names a group only as a registered name or alias (what it covers is the registry's call);
- the deployment's own place (:meth:`UnitMatcher.add_place`: "tỉnh Quảng Trị" of the organisation
  "Ủy ban nhân dân tỉnh Quảng Trị") after a name is part of that name: "Văn phòng Ủy ban nhân dân
  tỉnh Quảng Trị", "Sở Nội vụ Quảng Trị", "UBND xã Cồn Tiên, tỉnh Quảng Trị"; and a name registered
  with that place is also written with it another way: "Báo và Phát thanh, Truyền hình Quảng Trị",
  "… tỉnh Quảng Trị", "… tỉnh" — or without it ("Trung tâm Phục vụ hành chính công" of "… công tỉnh",
  "Công an" of "Công an tỉnh") when that unit is the only one the name fits: when another registered
  name starts with the same words ("Công an xã A"), the name fits none, and :meth:`UnitMatcher.ambiguous`
  names them all; followed by another place or level ("Công an xã", "Công an cấp xã"), it is not that unit;
- "địa phương" in a list of kinds ("Các sở, ban, ngành, địa phương", "các địa phương") is the local
  governments under the deployment (:meth:`UnitMatcher.local`: a province's xã, phường, đặc khu); it names
  nothing where the registry has none (a ministry, a commune).

Words that name nothing are reported one fragment per name: a comma ends one before words that start
another (a title, "các", an organ's head noun: "Báo ABC, Sở XYZ"), never inside a name that goes on
after its comma ("Báo và Phát thanh, Truyền hình").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dondoc.plan.relative import is_vague
from dondoc.text import match_key

# Words that may join names without naming anything ("Phòng Nội vụ và Phòng Tư pháp").
_JOINERS = frozenset({"va", "cung", "voi"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Where a fragment of the cell starts again after a head noun's list: "Các Bộ: …, …; Sở …".
_CLAUSE_END = re.compile(r"[;\n(),]")
_HEAD_WORDS = 8  # at most this many words before ":" make a head noun ("Chủ tịch UBND các huyện:")
_PLURAL = frozenset({"cac", "nhung"})
_PUNCTUATION = re.compile(r"[^ \t]")  # anything but spaces between two words: a comma, a line break…

# Titles of officials, and words standing before a name without naming anything ("các", "(chủ trì)").
_TITLE_HEAD = (
    r"giam doc|thu truong|bo truong|chu tich|truong|bi thu|chanh|chu nhiem|cuc truong|vu truong|chi cuc truong"
    r"|vien truong|hieu truong|chi huy truong|tu lenh|chinh uy|nguoi dung dau|lanh dao|to truong"
    r"|tong cuc truong|tong bi thu|can bo|cong chuc"
)
_TITLE_ORGAN = r"phong|ban|van phong|thanh tra|cuc|vu|chi cuc|so|ubnd|uy ban nhan dan|hdnd|dang uy|cong an|doan|to"
# A village's own committee, which stands for the village as its head does: "Ban nhân dân ấp" is every
# hamlet, as "Trưởng ấp" is; "Ban nhân dân ấp Phú Lợi" the hamlet.
_VILLAGE_BODY = r"ban nhan dan|bnd|ban dieu hanh|bdh"
_TITLE = (
    rf"(?:(?:(?:dong chi|lanh dao) )?(?:(?:pho|tong|pho tong) )?(?:{_TITLE_HEAD})(?: (?:{_TITLE_ORGAN}))?"
    rf"|{_VILLAGE_BODY})"
)
_BEFORE_NAME = re.compile(
    rf"{_TITLE}(?: (?:va )?{_TITLE})*(?: (?:cac|cua))?"  # "Bí thư, Chủ tịch UBND các"
    r"|cac|nhung|toan the|toan bo|tat ca|tat ca cac|toan the cac"
)
# Words that start a name or a collective name: where a comma ends the name before them in words that
# name nothing ("Báo ABC, Sở XYZ" is two names; "Báo và Phát thanh, Truyền hình" stays one).
_NAME_START = re.compile(
    rf"(?:{_TITLE}|cac|nhung|tat ca|toan bo|toan the|chi cuc|trung tam|van phong|so|bo|phong|ban|cuc|vu|vien"
    r"|bao|dai|cong an|hoi|doan)\b"
)
_ROLE = re.compile(r"chu tri|phoi hop|thuc hien|tham muu|chiu trach nhiem|dau moi|la dau moi")
# Words after a name that narrow nothing: the place it belongs to, or who it belongs to.
_PLACE = r"(?:tinh|thanh pho|tp|huyen|thi xa|xa|phuong|thi tran|trung uong)"  # not "quan": "quản lý"
_OWNER = rf"(?:{_PLACE}|ubnd|uy ban|hdnd|so|bo|chinh phu|thu tuong)"
_OWNED_BY = frozenset({"thuoc", "cua"})
# How a collective's units belong to their owner: "trực thuộc" (directly under) is another set than "thuộc".
_RELATIONS: tuple[tuple[str, ...], ...] = (("truc", "thuoc"), ("thuoc",))
_RELATION_WRITTEN = {("truc", "thuoc"): "trực thuộc", ("thuoc",): "thuộc"}
# Head words that name one collective before whom it belongs to: "Các cơ quan, đơn vị thuộc Bộ", "Các cơ
# quan, tổ chức, đơn vị thuộc Bộ", "Các cơ quan thuộc Bộ" are "Các đơn vị thuộc Bộ" in administrative writing.
_SAME_COLLECTIVE: frozenset[frozenset[tuple[str, ...]]] = frozenset(
    frozenset(tuple(kind.split()) for kind in heads)
    for heads in (("don vi",), ("co quan",), ("co quan", "don vi"), ("co quan", "to chuc", "don vi"))
)
_NOT_NARROWING = re.compile(
    rf"(?:(?:truc thuoc|thuoc|cua) {_OWNER}|tren dia ban|tren toan|{_PLACE}(?! (?:co|khong)\b))\b"
)

# What a group's name may end with without narrowing it: whom it belongs to, where it is.
_LEVEL = r"(?:tinh|thanh pho|tp|huyen|quan|thi xa|xa|phuong|thi tran|dac khu)"
_OWNER_TAIL = re.compile(
    rf"(?:(?:truc thuoc|thuoc|cua) )?(?:(?:ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan) )?{_LEVEL}"
    rf"|tren (?:dia ban|toan) {_LEVEL}"
    r"|(?:truc thuoc|thuoc|cua) (?:bo|so)"  # a ministry's or a department's: "… sự nghiệp công lập thuộc Bộ"
)

# Kinds of units a collective name lists ("UBND các xã, phường, đặc khu"), longest spellings first.
# Local-government kinds: a unit named "<kind> <place>" (after "UBND") is of that kind.
_PLACE_KINDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(k.split())
    for k in (
        "thanh pho", "thi xa", "thi tran", "dac khu", "to dan pho", "khu pho",
        "tp", "tinh", "huyen", "quan", "xa", "phuong", "thon", "ap",
    )
)  # fmt: skip
# Villages and the like, kinds only at the start of a unit's name ("Buôn Đôn", "Sóc Sơn" are also places'
# names after "xã"). "Bản" (a village) folds to "ban" (a board): it is told apart by its diacritics.
_VILLAGE_BAN: tuple[str, ...] = ("bản",)
_VILLAGE_KINDS: tuple[tuple[str, ...], ...] = tuple(tuple(k.split()) for k in ("khom", "buon", "lang", "soc", "xom"))
_ORGAN_KINDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(k.split())
    for k in (
        "co quan", "don vi", "doan the", "to chuc", "doanh nghiep", "so", "ban", "nganh", "phong",
        "chi cuc", "tong cuc", "trung tam", "cuc", "vu", "vien",
    )
)  # fmt: skip
# Kinds whose units are named "<kind> <name>" ("Viện Chiến lược Chuyển đổi số", "Tổ dân phố 1").
_NAMED_KINDS: frozenset[tuple[str, ...]] = frozenset(
    {*_PLACE_KINDS, *_VILLAGE_KINDS, _VILLAGE_BAN}
    | {tuple(k.split()) for k in ("so", "ban", "phong", "chi cuc", "tong cuc", "trung tam", "cuc", "vu", "vien")}
)
# Villages and residential groups, whose heads ("Trưởng ấp", "Tổ trưởng tổ dân phố") stand for them.
_VILLAGES: frozenset[tuple[str, ...]] = frozenset(
    {*_VILLAGE_KINDS, _VILLAGE_BAN, ("thon",), ("ap",), ("to", "dan", "pho"), ("khu", "pho")}
)
# "Các sở, ban, ngành, địa phương": the local governments under the deployment (:meth:`UnitMatcher.local`).
_LOCAL: tuple[str, ...] = ("dia", "phuong")
_LIST_KINDS: tuple[tuple[str, ...], ...] = tuple(
    sorted(dict.fromkeys((*_PLACE_KINDS, *_VILLAGE_KINDS, *_ORGAN_KINDS, _LOCAL)), key=lambda k: -len(k))
)
_KIND_ALIASES: dict[tuple[str, ...], tuple[str, ...]] = {("tp",): ("thanh", "pho")}
# The People's Committees of one level ("UBND cấp xã"): the local-government kinds of that level.
_LEVEL_KINDS: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {
    ("cap", "xa"): (("xa",), ("phuong",), ("thi", "tran"), ("dac", "khu")),
    ("cap", "huyen"): (("huyen",), ("quan",), ("thi", "xa"), ("thanh", "pho")),
}
_KIND_WRITTEN = {
    ("xa",): "xã", ("phuong",): "phường", ("thi", "tran"): "thị trấn", ("dac", "khu"): "đặc khu",
    ("huyen",): "huyện", ("quan",): "quận", ("thi", "xa"): "thị xã", ("thanh", "pho"): "thành phố",
}  # fmt: skip
_UBND: tuple[tuple[str, ...], ...] = (("uy", "ban", "nhan", "dan"), ("ubnd",))
_PLURALS: tuple[tuple[str, ...], ...] = tuple(
    tuple(k.split())
    for k in ("tat ca cac", "toan bo cac", "toan the cac", "tat ca", "toan bo", "toan the", "cac", "nhung")
)
_LIST_JOINERS = frozenset({"va", "hoac"})
# Head nouns of organs whose following words people abbreviate to initials ("Sở VHTTDL").
_ORGAN_HEADS: tuple[tuple[str, ...], ...] = tuple(
    tuple(k.split()) for k in ("chi cuc", "trung tam", "van phong", "so", "bo", "phong", "ban", "cuc", "vu", "vien")
)
# Words too common in unit names to show that a name is meant ("các", "tỉnh", "ủy ban nhân dân").
_COMMON_WORDS = frozenset(
    {"cac", "tat", "ca", "toan", "bo", "the", "nhung", "va", "cua", "tinh", "huyen", "xa", "phuong", "thi", "tran"}
    | {"ubnd", "uy", "ban", "nhan", "dan", "thanh", "pho", "tp"}
)
# Organs whose own plan a deployment follows, the words after them its own name ("Bộ Nội vụ", "Sở Tài chính").
_OWN_ORGANS: tuple[tuple[str, ...], ...] = (("bo",), ("so",))
# Words before a person's name ("Đồng chí Nguyễn Văn A", "Đ/c Trần B", "Ông …", "Bà …").
_HONORIFICS: tuple[tuple[str, ...], ...] = (("dong", "chi"), ("d", "c"), ("ong",), ("ba",))
_CLOSING = re.compile(r"[ \t]*\)")
# A post's remit after it ("Phó Chủ tịch UBND tỉnh (phụ trách khối Nội chính)"): which official, not which body.
_REMIT = re.compile(r" phu trach\b.*$")
_DASH = re.compile(r"\s+[-–]\s+")  # a dash between words ("Kế hoạch - Tài chính"), not in initials ("VH-TT")
# Kinds of place written before a place's name after a unit's name ("Sở Nội vụ tỉnh Quảng Trị"), as
# written: with their diacritics ("xã hội", "tình" are no place).
_LEVEL_WRITTEN: tuple[tuple[str, ...], ...] = tuple(
    tuple(k.split())
    for k in ("thành phố", "thị xã", "thị trấn", "đặc khu", "tp", "tỉnh", "huyện", "quận", "xã", "phường")
)
# Words that name no unit without a place after them ("Ủy ban nhân dân", "HĐND").
_NO_NAME_ALONE = _COMMON_WORDS | {"hdnd", "hoi", "dong", "chu", "tich"}
_SYLLABLE = re.compile(r"^[a-z]{1,7}$")
_VOWEL = re.compile(r"[aeiouy]")


def _starts(keys: Sequence[str], i: int, options: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The first of ``options`` that ``keys`` holds at ``i``."""
    return next((o for o in options if tuple(keys[i : i + len(o)]) == o), None)


@dataclass(frozen=True)
class _KindList:
    """A list of kinds at some word: whether "các"/"tất cả" or "UBND" came first, and each kind with
    the index of the word after it."""

    plural: bool
    ubnd: bool
    kinds: tuple[tuple[tuple[str, ...], int], ...]


def _kind_list(keys: Sequence[str], i: int, raw: Sequence[str] | None = None) -> _KindList | None:
    """The list of kinds starting at word ``i``: "[các] [UBND] [các] xã, phường và đặc khu"; ``raw``,
    the words as written (lower case), tells "bản" (a village) from "ban" (a board)."""
    j, plural, ubnd = i, False, False
    for options in (_PLURALS, _UBND, _PLURALS):
        found = _starts(keys, j, options)
        if found is not None:
            j += len(found)
            plural = plural or options is _PLURALS
            ubnd = ubnd or options is _UBND
    kinds: list[tuple[tuple[str, ...], int]] = []
    while j < len(keys):
        k = j + 1 if kinds and keys[j] in _LIST_JOINERS else j
        kind = _starts(keys, k, _LIST_KINDS)
        if kind is None:
            break
        j = k + len(kind)
        kinds.append((_written_kind(kind, raw, k), j))
    return _KindList(plural, ubnd, tuple(kinds)) if kinds else None


def _written_kind(kind: tuple[str, ...], raw: Sequence[str] | None, i: int) -> tuple[str, ...]:
    """``kind`` found at word ``i`` as its words were written: "bản" is a village, "tp" "thành phố"."""
    if kind == ("ban",) and raw is not None and i < len(raw) and raw[i] == "bản":
        return _VILLAGE_BAN
    return _KIND_ALIASES.get(kind, kind)


def _raw_words(text: str) -> list[str]:
    """The words of ``text`` as written, in lower case (NFC), one per word of its matching key."""
    return [unicodedata.normalize("NFC", m.group()).lower() for m in _WORD.finditer(text) if match_key(m.group())]


def _without_place(key: tuple[str, ...], name: str) -> list[tuple[str, ...]]:
    """``key`` without the places ending it, each a kind and a capitalised name ("Sở Nội vụ tỉnh Quảng
    Trị" → "so noi vu"; "Công an xã Cồn Tiên, tỉnh Quảng Trị" → "cong an", "cong an xa con tien"), when
    what is left names something by itself: not "Ủy ban nhân dân" of "Ủy ban nhân dân xã Cồn Tiên", nor
    "Bảo hiểm" of "Bảo hiểm xã hội" ("hội" is no place's name). A name written in capitals alone
    tells no place's name: it has none."""
    words = [unicodedata.normalize("NFC", m.group()) for m in _WORD.finditer(name) if match_key(m.group())]
    if len(words) != len(key) or not any(w != w.upper() for w in words):
        return []
    lower = [w.lower() for w in words]

    def place_end(j: int) -> int | None:
        kind = _starts(lower, j, _LEVEL_WRITTEN)
        if kind is None:
            return None
        end = j + len(kind)
        while end < len(words) and (words[end][0].isupper() or words[end][0].isdigit()):
            if _starts(lower, end, _LEVEL_WRITTEN) is not None:
                break
            end += 1
        return end if end > j + len(kind) else None

    stems: list[tuple[str, ...]] = []
    for i in range(1, len(key)):
        j: int | None = i
        while j is not None and j < len(key):
            j = place_end(j)
        stem = key[:i]
        if j == len(key) and set(stem) - _NO_NAME_ALONE and stem[-1] not in _JOINERS | _OWNED_BY:
            stems.append(stem)
    return stems


def _kind_set(kinds: Iterable[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    """The kinds a list names, in no order; "ban" goes without saying before "ngành"."""
    found = frozenset(kinds)
    if ("nganh",) in found and ("ban",) in found:
        found -= {("ban",)}
    return found


def _relation_at(keys: Sequence[str], j: int) -> tuple[str, ...] | None:
    """How a collective belongs to an owner named right after word ``j``: "thuộc Bộ", "trực thuộc UBND tỉnh"."""
    relation = _starts(keys, j, _RELATIONS)
    if relation is None or not re.match(rf"{_OWNER}\b", " ".join(keys[j + len(relation) :])):
        return None
    return relation


def _relation(keys: Sequence[str]) -> tuple[str, ...] | None:
    """How the collective named ``keys`` belongs to its owner, if they say it ("… trực thuộc Bộ")."""
    return next((r for j in range(len(keys)) if (r := _relation_at(keys, j)) is not None), None)


def _unit_kind(key: tuple[str, ...], raw: Sequence[str] | None = None) -> tuple[str, ...] | None:
    """The kind of a unit named ``key``: "ubnd xa con tien" → ("xa",), "to dan pho 1" → ("to", "dan",
    "pho"), "vien chien luoc chuyen doi so" → ("vien",). Only local-government kinds follow "UBND"."""
    start = _starts(key, 0, _UBND)
    i = len(start) if start else 0
    kind = _starts(key, i, _PLACE_KINDS)
    if kind is None and not start:
        kind = _starts(key, 0, sorted(_NAMED_KINDS - {_VILLAGE_BAN}, key=lambda k: -len(k)))
    if kind is None or len(key) <= i + len(kind) or _starts(key, i + len(kind), _PLACE_KINDS):
        return None
    return _written_kind(kind, raw, i)


@dataclass(frozen=True)
class Target:
    """What a name stands for: a unit, or a group expanding to units (codes in registry order)."""

    code: str
    units: tuple[str, ...]
    is_group: bool


@dataclass
class UnitReading:
    """What a unit cell names: targets in order, fragments naming nothing, and collective names
    narrowed by a qualifier ("các xã có đồng bào dân tộc"), which stand for no whole group."""

    targets: list[Target] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    qualified: list[str] = field(default_factory=list)
    # Collective names read as a group whose registered names say it belongs another way ("trực thuộc"
    # written, "thuộc" registered): (the fragment, what it says, the group's name, what that says).
    read_as: list[tuple[str, str, str, str]] = field(default_factory=list)
    # Lists read with "địa phương" as the local governments under the deployment (:meth:`UnitMatcher.local`).
    local: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Word:
    key: str
    start: int
    end: int
    gap: str  # the text between the previous word and this one (before the first word: from the start)


@dataclass
class UnitMatcher:
    """Longest-match lookup of unit and group names and aliases; codes match whole fragments only."""

    _names: dict[tuple[str, ...], Target] = field(default_factory=dict)
    _codes: dict[tuple[str, ...], Target] = field(default_factory=dict)
    _variants: dict[tuple[str, ...], str] = field(default_factory=dict)  # keys only spelt from a name → that name
    _longest: int = 0
    _shown: dict[tuple[str, ...], str] = field(default_factory=dict)  # key → the name as registered
    # Spellings two targets share (initials, a name without its place) → each target → its name as registered.
    _ambiguous: dict[tuple[str, ...], dict[Target, str]] = field(default_factory=dict)
    _declared: dict[frozenset[tuple[str, ...]], Target | None] = field(default_factory=dict)  # kinds → group
    _of_kind: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # place kind → unit codes
    _order: dict[str, int] = field(default_factory=dict)  # unit code → registry position
    _places: dict[tuple[str, ...], bool] = field(default_factory=dict)  # own place → has its kind
    # The own places as (spellings of the kind, the place's name): (("tinh",), ("quang", "tri")).
    _own: list[tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = field(default_factory=list)
    _own_level: tuple[tuple[tuple[str, ...], ...], tuple[str, ...]] | None = None  # the organisation's own
    # A unit's name without its place ("so noi vu" of "Sở Nội vụ tỉnh Quảng Trị") → each unit it fits
    # → that unit's name as registered.
    _bare: dict[tuple[str, ...], dict[Target, str]] = field(default_factory=dict)
    # Such a name → the kinds of place written after it in the names it was cut from ("tỉnh", "xã").
    _bare_kinds: dict[tuple[str, ...], set[tuple[str, ...]]] = field(default_factory=dict)
    # The words a registered name starts with ("cong an" of "Công an xã A") → each target → that name.
    _prefixes: dict[tuple[str, ...], dict[Target, str]] = field(default_factory=dict)
    _own_organ: tuple[str, ...] | None = None  # a ministry's or a department's own name: ("bo", "noi", "vu")
    # Groups named by head words of :data:`_SAME_COLLECTIVE` and whom they belong to ("Các đơn vị thuộc Bộ"):
    # the owner's words → how they belong → the group (None: two groups are named so).
    _owned: dict[tuple[str, ...], dict[tuple[str, ...], Target | None]] = field(default_factory=dict)
    # A group → how its registered names say it belongs ("thuoc", "truc thuoc") → the first name saying so.
    _relations: dict[Target, dict[tuple[str, ...], str]] = field(default_factory=dict)
    # Registered names equal but for their diacritics ("Bình Thành", "Bình Thạnh"): the key → each name's
    # words as written (lower case) → its target. The key names none of them (:meth:`spelt`).
    _spelt: dict[tuple[str, ...], dict[tuple[str, ...], Target]] = field(default_factory=dict)
    # A target → each word of its registered names → how they write it with diacritics ("thanh" → "thạnh").
    _written: dict[Target, dict[str, set[str]]] = field(default_factory=dict)

    def add(self, name: str, target: Target, *, code: bool = False) -> Target | None:
        """Register ``name`` (a registry code when ``code``); returns the target already holding the
        same key (a conflict) if any — codes and names share one key space."""
        key = tuple(match_key(name).split())
        if not key:
            return None
        existing = self._names.get(key) or self._codes.get(key)
        apart = None if code else self._apart(key, name, target, existing)
        if apart is not None and apart != target:
            return apart  # the same name, diacritics and all
        if apart is None:
            if existing is not None and existing != target and key not in self._variants:
                return existing
            self._variants.pop(key, None)
            (self._codes if code else self._names)[key] = target
        self._longest = max(self._longest, len(key))
        if code:
            return None
        for word, written in zip(key, _raw_words(name), strict=False):
            if written != word:
                self._written.setdefault(target, {}).setdefault(word, set()).add(written)
        self._shown.setdefault(key, name)  # suggested for unknown names (codes are not)
        self._starting(key, target, name)
        raw = _raw_words(name)
        self._kinds(key, target, raw if len(raw) == len(key) else None)
        variants = _variants(key)
        if _DASH.search(name):  # "Vụ Kế hoạch - Tài chính" is also written "Vụ Kế hoạch và Tài chính"
            with_va = tuple(match_key(_DASH.sub(" và ", name)).split())
            variants += [with_va, *_variants(with_va)]
        ubnd = _starts(key, 0, _UBND)
        if ubnd and not target.is_group and _unit_kind(key):
            # "Ủy ban nhân dân xã Cồn Tiên" is also written as the commune itself: "Xã Cồn Tiên".
            variants += [key[len(ubnd) :], *_variants(key[len(ubnd) :])]
        if target.is_group:
            # "Các phòng chuyên môn thuộc UBND xã" is also written without whom they belong to — but
            # the last of a list of local-government kinds ("UBND các xã, phường, đặc khu") is one of
            # its kinds, not its owner: without it, the name is the list of the other kinds.
            listed = _kind_list(key, 0, raw if len(raw) == len(key) else None)
            kinds_end = {end for _kind, end in listed.kinds} if listed and listed.kinds[0][0] in _PLACE_KINDS else set()
            for cut in range(2, len(key)):
                if cut in kinds_end and _starts(key, cut, _PLACE_KINDS) == key[cut:]:
                    break
                if _OWNER_TAIL.fullmatch(" ".join(key[cut:])):
                    variants += [key[:cut], *_variants(key[:cut])]
                    break
        # "Ủy ban nhân dân huyện X" is also written "UBND huyện X", "Sở KH&ĐT" "Sở Kế hoạch và Đầu tư".
        self._add_variants(variants, target, name)
        if not target.is_group:
            self._add_variants(self._place_variants(key, target, name), target, name)
        return None

    def _apart(self, key: tuple[str, ...], name: str, target: Target, existing: Target | None) -> Target | None:
        """When ``name`` and a name of another target are equal but for their diacritics ("Bình Thành",
        "Bình Thạnh": two communes), both are registered, ``key`` naming neither (:meth:`spelt` tells them
        apart): returns the target holding ``name`` as written — ``target``, unless another registered it
        with the same diacritics (a duplicate; a word written without them is any: "Phong cai cach" is
        "Phòng Cải cách"). None when no such name is registered."""
        raw = tuple(_raw_words(name))
        if len(raw) != len(key):
            return None

        def unmarked(written: tuple[str, ...]) -> bool:
            return written == key  # no diacritics at all: a spelling of any of them

        def same(written: tuple[str, ...]) -> bool:
            # Two names written with diacritics are one only spelt alike: "Bình Thanh" is not "Bình
            # Thạnh" (both are communes), though "Thanh" alone, typed in a cell, fits either.
            return unmarked(written) or unmarked(raw) or written == raw

        spelt = self._spelt.get(key)
        if spelt is None:
            if existing is None or existing == target or key in self._variants or key in self._codes:
                return None
            first = tuple(_raw_words(self._shown.get(key, "")))
            if len(first) != len(key) or same(first):
                return None
            del self._names[key]
            spelt = self._spelt[key] = {first: existing}
            self._ambiguous.setdefault(key, {})[existing] = self._shown[key]
        held = next((held for written, held in spelt.items() if same(written)), target)
        if held == target:
            spelt.setdefault(raw, target)
            self._ambiguous.setdefault(key, {}).setdefault(target, name)
        return held

    def _add_variants(self, variants: Iterable[tuple[str, ...]], target: Target, name: str) -> None:
        """Other spellings of ``target``'s ``name``; one that two targets share names neither
        (:meth:`ambiguous` names them all)."""
        for variant in variants:
            if variant in self._ambiguous:
                self._ambiguous[variant].setdefault(target, name)
                continue
            if variant in self._variants:
                held = self._names[variant]
                if held != target:  # two units' initials: neither is meant
                    del self._names[variant]
                    self._ambiguous[variant] = {held: self._variants.pop(variant), target: name}
                continue
            if variant not in self._names and variant not in self._codes:
                self._names[variant] = target
                self._variants[variant] = name
                self._longest = max(self._longest, len(variant))

    def _place_variants(self, key: tuple[str, ...], target: Target, name: str = "") -> list[tuple[str, ...]]:
        """A unit's name ending with the deployment's own place, written in the registry one way and in
        the appendix another: "Báo và Phát thanh, Truyền hình Quảng Trị", "… tỉnh Quảng Trị" and "… tỉnh"
        are one name (the place's name, its kind and name, or its kind alone). Without any of them when
        the unit is the only one that name fits (:meth:`_bare_name`): "Công an tỉnh" is "Công an" unless
        another registered name starts so ("Công an xã A"; :meth:`ambiguous` names them all); and, when
        the registry wrote the place in full (``name`` as registered, any place), "Sở Nội vụ tỉnh Quảng
        Trị" is also "Sở Nội vụ" on the same terms."""
        found: list[tuple[str, ...]] = []
        shown = name or self._shown.get(key, " ".join(key))
        raw = _raw_words(shown)
        for stem in _without_place(key, name) if name else []:
            found += self._bare_name(stem, (), target, shown, _starts(raw, len(stem), _LEVEL_WRITTEN))
        for spellings, place in self._own:
            endings = [(*kind, *place) for kind in spellings] + [place] + list(spellings)
            ending = next((e for e in endings if len(key) > len(e) and key[-len(e) :] == e), None)
            if ending is None:
                continue
            stem = key[: -len(ending)]
            if ending == ("xa",) and stem[-1] == "thi":
                continue  # "… thị xã": another kind than "xã"
            found += [(*stem, *place), *((*stem, *kind) for kind in spellings)]
            found += [(*stem, *kind, *place) for kind in spellings]
            # "Trung tâm Phục vụ hành chính công" of "… công tỉnh" (the own place: its kind, name or both).
            if len(stem) > 1 and stem not in _LIST_KINDS and stem not in _ORGAN_HEADS:
                written = _starts(raw, len(stem), _LEVEL_WRITTEN) if len(raw) == len(key) else None
                found += self._bare_name(stem, tuple(_variants(stem)), target, shown, written)
        return [variant for variant in dict.fromkeys(found) if variant != key]

    def _bare_name(
        self,
        stem: tuple[str, ...],
        spellings: tuple[tuple[str, ...], ...],
        target: Target,
        name: str,
        kind: tuple[str, ...] | None,
    ) -> list[tuple[str, ...]]:
        """Note ``stem`` (and its other ``spellings``) as ``target``'s registered ``name`` without the
        place ending it (of ``kind`` as written, if any): a name that fits this unit alone. When another
        registered name starts with the same words ("Công an xã A" for "Công an" of "Công an tỉnh"), it
        names none of them (:meth:`ambiguous` names them all). Returns the spellings to add."""
        if set(stem) <= _NO_NAME_ALONE or stem[-1] in _JOINERS | _OWNED_BY:
            return []
        for spelling in (stem, *spellings):
            self._bare.setdefault(spelling, {}).setdefault(target, name)
            if kind is not None:
                self._bare_kinds.setdefault(spelling, set()).add(kind)
            others = {other: shown for other, shown in self._prefixes.get(spelling, {}).items() if other != target}
            if others:
                self._share(spelling, {target: name, **others})
        return [stem, *spellings]

    def _starting(self, key: tuple[str, ...], target: Target, name: str) -> None:
        """Note the words registered ``name`` starts with; a unit's name without its place that they are
        (:meth:`_bare_name`) then fits another unit too ("Công an" of "Công an tỉnh" and "Công an xã A")."""
        for length in range(1, len(key)):
            start = key[:length]
            self._prefixes.setdefault(start, {}).setdefault(target, name)
            others = {other: shown for other, shown in self._bare.get(start, {}).items() if other != target}
            if others:
                self._share(start, {**others, target: name})

    def _share(self, variant: tuple[str, ...], named: dict[Target, str]) -> None:
        """Make ``variant`` a spelling the targets ``named`` share, which names none of them — unless it
        is a name or code registered as written."""
        if variant in self._codes or (variant in self._names and variant not in self._variants):
            return
        shared = self._ambiguous.setdefault(variant, {})
        if variant in self._variants:
            shared.setdefault(self._names.pop(variant), self._variants.pop(variant))
        for target, name in named.items():
            shared.setdefault(target, name)

    def _kinds(self, key: tuple[str, ...], target: Target, raw: Sequence[str] | None) -> None:
        """Note what kinds ``key`` stands for: a group's list ("các sở, ban, ngành tỉnh"), a unit's
        local-government kind ("Ủy ban nhân dân xã Cồn Tiên")."""
        if target.is_group:
            self._owners(key, target, raw)
            listed = _kind_list(key, 0, raw)
            if listed is None or not (listed.plural or len(listed.kinds) > 1):
                return
            rest = " ".join(key[listed.kinds[-1][1] :])
            if rest and not _NOT_NARROWING.match(rest):
                return  # "các cơ quan chuyên môn thuộc UBND tỉnh": not a plain list of kinds
            listed_kinds = [kind for kind, _end in listed.kinds]
            while len(listed_kinds) > 1 and listed_kinds[-1] in _PLACE_KINDS and listed_kinds[0] in _ORGAN_KINDS:
                listed_kinds.pop()  # "các sở, ban, ngành tỉnh": the level, not a kind of its own
            kinds = _kind_set(listed_kinds)
            held = self._declared.setdefault(kinds, target)
            if held is not None and held != target:
                self._declared[kinds] = None  # two groups declare the same kinds: neither is meant
            return
        for code in target.units:
            self._order.setdefault(code, len(self._order))
        kind = _unit_kind(key, raw)
        if kind is not None:
            codes = self._of_kind.setdefault(kind, [])
            codes += [code for code in target.units if code not in codes]

    def _owners(self, key: tuple[str, ...], target: Target, raw: Sequence[str] | None) -> None:
        """Note how the group's name ``key`` says it belongs to its owner ("… trực thuộc Bộ") and, when
        its head words are one of :data:`_SAME_COLLECTIVE` right before, the owner it is named by."""
        relation = _relation(key)
        if relation is None:
            return
        self._relations.setdefault(target, {}).setdefault(relation, self._shown.get(key, " ".join(key)))
        listed = _kind_list(key, 0, raw)
        if listed is None or _kind_set(kind for kind, _end in listed.kinds) not in _SAME_COLLECTIVE:
            return
        end = listed.kinds[-1][1]
        if _relation_at(key, end) != relation:
            return  # "Các đơn vị sự nghiệp công lập thuộc Bộ": more than the head words
        owner = key[end + len(relation) :]
        for spelling in (owner, *_spellings(owner)):  # "thuộc UBND tỉnh", "thuộc Ủy ban nhân dân tỉnh"
            named = self._owned.setdefault(spelling, {})
            if named.setdefault(relation, target) != target:
                named[relation] = None  # two groups named so: neither is meant

    def owned(self, keys: Sequence[str], i: int, raw: Sequence[str] | None = None) -> tuple[int, Target] | None:
        """The group named at ``keys[i:]`` by head words of :data:`_SAME_COLLECTIVE` and whom it belongs
        to, however the registry words them: "Các cơ quan, đơn vị thuộc Bộ" is the registry's "Các đơn vị
        thuộc Bộ" (or "… thuộc Bộ Nội vụ", the deployment's own). Written "trực thuộc" where the registry has
        only "thuộc" (or the reverse), it is that group (:meth:`read_as` says so). Words used, target."""
        listed = _kind_list(keys, i, raw)
        if listed is None or _kind_set(kind for kind, _end in listed.kinds) not in _SAME_COLLECTIVE:
            return None
        end = listed.kinds[-1][1]
        relation = _relation_at(keys, end)
        if relation is None:
            return None
        at = end + len(relation)
        best: tuple[int, Target] | None = None
        for owner, named in self._owned.items():
            # The owner as registered, or without the deployment's own place ending it ("Bộ" of "Bộ Nội vụ").
            cuts = [cut for cut in range(len(owner), 0, -1) if cut == len(owner) or owner[cut:] in self._places]
            written = next((cut for cut in cuts if tuple(keys[at : at + cut]) == owner[:cut]), None)
            if written is None or (best is not None and best[0] >= at + written - i):
                continue
            target = named.get(relation) if relation in named else next(iter(named.values()))
            if target is not None:
                best = (at + written - i, target)
        return best

    def read_as(self, target: Target, keys: Sequence[str]) -> tuple[str, str, str] | None:
        """When the words ``keys`` that named ``target`` say it belongs to its owner another way than every
        registered name of it ("trực thuộc Bộ" for "Các đơn vị thuộc Bộ": another set of units in law): what
        they say, the group's name and what it says."""
        written = _relation(keys)
        declared = self._relations.get(target, {})
        if written is None or not declared or written in declared:
            return None
        relation, name = next(iter(declared.items()))
        return _RELATION_WRITTEN[written], name, _RELATION_WRITTEN[relation]

    def add_place(self, name: str) -> None:
        """The deployment's own place, from its organisation's name ("Ủy ban nhân dân tỉnh Quảng Trị"):
        written after a unit's name ("Văn phòng UBND tỉnh Quảng Trị") it belongs to that name. A ministry's
        or a department's name is its own too: "Văn phòng Bộ Nội vụ", "Các đơn vị thuộc Bộ Nội vụ"."""
        key = tuple(match_key(name).split())
        organ = _starts(key, 0, _OWN_ORGANS)
        if organ is not None:
            end = len(organ)
            while end < len(key) and _starts(key, end, _PLACE_KINDS) is None:
                end += 1
            if end > len(organ):
                self._places.setdefault(key[len(organ) : end], False)
                self._places[key[:end]] = True
                if self._own_organ is None:
                    self._own_organ = key[:end]
        for i in range(len(key)):
            kind = _starts(key, i, _PLACE_KINDS)
            if kind is None or (i > 0 and _starts(key, i - 1, (("thi",),))):
                continue
            end = i + len(kind)
            while end < len(key) and _starts(key, end, _PLACE_KINDS) is None:
                end += 1
            place = key[i + len(kind) : end]
            if place:
                self._places[place] = False
                full = _KIND_ALIASES.get(kind, kind)
                spellings = tuple(sorted({kind, full, *(k for k, v in _KIND_ALIASES.items() if v == full)}))
                for spelling in spellings:
                    self._places[(*spelling, *place)] = True
                self._own.append((spellings, place))
                if self._own_level is None:  # the first place of the first name: the organisation's level
                    self._own_level = (spellings, place)
        # The units' names already registered, written with the place another way.
        for named, target in list(self._names.items()):
            if named not in self._variants and not target.is_group:
                self._add_variants(self._place_variants(named, target), target, self._shown.get(named, " ".join(named)))

    def names_organisation(self, fragment: str) -> bool:
        """Whether ``fragment`` names the deployment's organisation itself rather than one of its units:
        "UBND xã", "Ủy ban nhân dân xã Tân Phước", "Chủ tịch UBND xã" in the plan of a commune; "Bộ Nội vụ",
        "Bộ trưởng Bộ Nội vụ" in a ministry's."""
        words = _REMIT.sub("", match_key(fragment)).split()
        if self._own_organ is not None:
            for k in range(len(words)):
                if k == 0 or _BEFORE_NAME.fullmatch(" ".join(words[:k])):
                    rest = tuple(words[k + len(self._own_organ) :])
                    if tuple(words[k : k + len(self._own_organ)]) == self._own_organ and self._places.get(
                        rest, not rest
                    ):
                        return True
        if self._own_level is None:
            return False
        spellings, place = self._own_level
        for k in range(len(words)):
            if k == 0 or _BEFORE_NAME.fullmatch(" ".join(words[:k])):
                ubnd = _starts(words, k, _UBND)
                if ubnd is None:
                    continue
                at = k + len(ubnd)
                kind = _starts(words, at, spellings)
                if kind is not None and tuple(words[at + len(kind) :]) in ((), place):
                    return True
        return False

    def ambiguous(self, fragment: str) -> list[str]:
        """The registered names ``fragment`` fits when it is a spelling several of them share, which names
        none: a name without its place ("Sở Nội vụ" of "Sở Nội vụ tỉnh Quảng Trị" and "Sở Nội vụ tỉnh Hà
        Tĩnh"), initials ("Phòng TC" of "Phòng Tài chính" and "Phòng Tổ chức"); none when it names one."""
        words = match_key(fragment).split()
        for k in range(len(words)):
            if k == 0 or _BEFORE_NAME.fullmatch(" ".join(words[:k])):
                named = self._ambiguous.get(tuple(words[k:]), {})
                if len(named) > 1:
                    return list(dict.fromkeys(named.values()))
        return []

    def group_names(self) -> list[str]:
        """The registry's groups, each by the name it was registered under first."""
        names: dict[Target, str] = {}
        for key, target in self._names.items():
            if target.is_group and key in self._shown and key not in self._variants:
                names.setdefault(target, self._shown[key])
        return list(names.values())

    def names_collective(self, fragment: str) -> bool:
        """Whether ``fragment`` is worded as a collective name: "Các cơ quan chuyên môn thuộc UBND tỉnh",
        "Thủ trưởng các đơn vị sự nghiệp", "Tất cả các hội" (a plural before a name, after a title)."""
        words = match_key(fragment).split()
        for k in range(1, min(len(words) - 1, _HEAD_WORDS) + 1):
            before = words[:k]
            if _BEFORE_NAME.fullmatch(" ".join(before)) and set(before) & {*_PLURAL, "tat", "toan"}:
                return True
        return False

    def bare(self, keys: Sequence[str]) -> bool:
        """Whether ``keys`` are a unit's name without its place ("Sở Nội vụ" of "… tỉnh Quảng Trị")."""
        key = tuple(keys)
        return key in self._bare and key in self._variants

    def bare_kinds(self, keys: Sequence[str]) -> set[tuple[str, ...]]:
        """The kinds of place (as written: "tỉnh") the names ``keys`` were cut from had after them."""
        return self._bare_kinds.get(tuple(keys), set())

    def own_place(self, keys: Sequence[str], i: int, *, whole: bool) -> int:
        """The number of words at ``keys[i:]`` naming the deployment's own place ("tỉnh Quảng Trị",
        "Quảng Trị"); with ``whole``, only with its kind ("tỉnh Quảng Trị": a fragment of its own)."""
        for place, with_kind in sorted(self._places.items(), key=lambda p: -len(p[0])):
            if tuple(keys[i : i + len(place)]) == place and (with_kind or not whole):
                return len(place)
        return 0

    def collective(
        self, keys: Sequence[str], i: int, raw: Sequence[str] | None = None, *, titled: bool = False
    ) -> tuple[int, Target] | None:
        """The longest list of kinds at ``keys[i:]`` that names a group or units: words used, target.
        One kind alone names its units only after "các" ("các ấp"), or, for villages, after an
        official's title (``titled``): "Trưởng ấp" are the heads of every hamlet, as "Trưởng ấp, khóm"."""
        level = self._level(keys, i)
        if level is not None:
            return level
        listed = _kind_list(keys, i, raw)
        if listed is None:
            return None
        for n in range(len(listed.kinds), 0, -1):
            if n < 2 and not listed.plural and not (titled and listed.kinds[0][0] in _VILLAGES):
                break
            kinds = [kind for kind, _end in listed.kinds[:n]]
            target = self._of_kinds(_kind_set(kinds))
            if target is not None:
                return listed.kinds[n - 1][1] - i, target
        return None

    def _level(self, keys: Sequence[str], i: int) -> tuple[int, Target] | None:
        """The People's Committees of a level at ``keys[i:]``: "(các) UBND cấp xã" is every unit of the
        kinds of that level the registry has (xã, phường, đặc khu; thị trấn before 2025) — the group
        declared with them, if any. "Công an cấp xã" is no People's Committee: not read."""
        j = i
        for options in (_PLURALS, _UBND):
            found = _starts(keys, j, options)
            if found is None and options is _UBND:
                return None
            j += len(found or ())
        target = self._of_level(tuple(keys[j : j + 2]))
        return (j + 2 - i, target) if target is not None else None

    def _of_level(self, level: tuple[str, ...]) -> Target | None:
        """Every unit of the local-government kinds of ``level`` ("cap xa") the registry has."""
        kinds = [kind for kind in _LEVEL_KINDS.get(level, ()) if self._of_kind.get(kind)]
        return self._of_kinds(_kind_set(kinds)) if kinds else None

    def local(self) -> tuple[Target, str] | None:
        """What "địa phương" names in a list ("Các sở, ban, ngành, địa phương"): the local governments right
        under the deployment — the districts or, when the registry has none (a province after 2025, a
        district), the xã, phường, đặc khu (and thị trấn), the group declared with their kinds if any — and
        how to name them: that group's name, or their kinds. None where the registry has none (a ministry,
        a commune)."""
        levels: tuple[tuple[str, ...], ...] = (("cap", "huyen"), ("cap", "xa"))
        own = self._own_level[0] if self._own_level is not None else ()
        for n, level in enumerate(levels):
            if any(kind in own for kind in _LEVEL_KINDS[level]):
                levels = levels[n + 1 :]  # only the levels under the deployment's own
                break
        for level in levels:
            target = self._of_level(level)
            if target is None:
                continue
            named = next((n for k, n in self._shown.items() if self._names.get(k) == target), None)
            if named is None:
                kinds = [_KIND_WRITTEN[k] for k in _LEVEL_KINDS[level] if self._of_kind.get(k)]
                named = ", ".join(kinds)
            return target, named
        return None

    def reads_local(self, keys: Sequence[str]) -> bool:
        """Whether the words ``keys`` read as a list of kinds say "địa phương" (not a registered name)."""
        key = tuple(keys)
        return key not in self._names and any(key[k : k + len(_LOCAL)] == _LOCAL for k in range(len(key)))

    def _of_kinds(self, kinds: frozenset[tuple[str, ...]]) -> Target | None:
        """What a list of ``kinds`` names: the group declared with those kinds; else the groups declared
        with some of them ("Các Vụ", "Các Cục") and, for each kind left, every unit named "<kind> <name>".
        A kind left that is part of a declared list ("sở" of "các sở, ban, ngành") names nothing alone,
        nor does an organ's kind no unit has ("đoàn thể"); a local-government kind no unit has
        ("thị trấn" after 2025) adds nothing."""
        if kinds in self._declared:
            return self._declared[kinds]
        if _LOCAL in kinds:
            under = self.local()
            others = self._of_kinds(kinds - {_LOCAL}) if len(kinds) > 1 else None
            if under is None or (len(kinds) > 1 and others is None):
                return None
            if others is None:
                return under[0]
            codes_of = {*others.units, *under[0].units}
            ordered = tuple(sorted(codes_of, key=lambda code: self._order.get(code, 0)))
            return Target("+".join(sorted("_".join(kind) for kind in kinds)), ordered, is_group=True)
        codes: set[str] = set()
        left = set(kinds)
        groups = 0
        for declared, group in sorted(self._declared.items(), key=lambda d: -len(d[0])):
            if group is not None and declared <= kinds and declared & left:
                codes.update(group.units)
                left -= declared
                groups += 1
        from_groups = len(codes)
        listed = {kind for declared in self._declared if len(declared) > 1 for kind in declared}
        for kind in left:
            if kind not in _NAMED_KINDS:
                return None
            units = self._of_kind.get(kind, ())
            local = kind in _PLACE_KINDS or kind in _VILLAGE_KINDS or kind == _VILLAGE_BAN
            if not local and (kind in listed or not units):
                return None
            codes.update(units)
        if not codes or (groups == 1 and len(codes) == from_groups):
            return None  # one group and kinds adding nothing: the group's own name, read as written
        ordered = tuple(sorted(codes, key=lambda code: self._order.get(code, 0)))
        return Target("+".join(sorted("_".join(kind) for kind in kinds)), ordered, is_group=True)

    def match(self, text: str) -> tuple[list[Target], list[str]]:
        """The targets named in ``text`` in order, and the fragments of text that name nothing
        (qualified collective names included: they name no whole group)."""
        reading = self.read(text)
        return reading.targets, reading.unknown + reading.qualified

    def read(self, text: str) -> UnitReading:
        """What ``text`` names (see :class:`UnitReading`)."""
        return _Reader(self, text).read()

    def longest(
        self, keys: Sequence[str], i: int, head: tuple[str, ...] = (), raw: Sequence[str] | None = None
    ) -> tuple[int, Target] | None:
        """The longest name at ``keys[i:]`` (behind ``head``, if given): words of ``keys`` used, target;
        ``raw``, the words as written, tells apart names equal but for their diacritics (:meth:`spelt`)."""
        for length in range(min(self._longest - len(head), len(keys) - i), 0, -1):
            key = (*head, *keys[i : i + length])
            target = self._names.get(key)
            if target is None and raw is not None:
                target = self.spelt(key, (*head, *raw[i : i + length]))
            if target is not None:
                return length, target
        return None

    def spelt(self, key: tuple[str, ...], written: Sequence[str]) -> Target | None:
        """The one target a spelling several share (``key``) names by the diacritics ``written`` (lower
        case, NFC; a word written without them fits any): "UBND xã Bình Thạnh" is "… Bình Thạnh", not "…
        Bình Thành"; "UBND xa Binh Thanh" (or "… Bình Thãnh") names neither (:meth:`ambiguous` names both)."""
        named = self._ambiguous.get(key, {})

        def spelt_so(target: Target) -> bool:  # every word as that target's names write it
            own = self._written.get(target, {})
            return all(w in own[k] if k in own else w == k for k, w in zip(key, written, strict=True))

        exact = [target for target in named if spelt_so(target)]
        if len(exact) == 1:  # "Bình Thanh" as registered, beside "Bình Thạnh"
            return exact[0]
        fits = [
            target
            for target in named
            if all(w == k or w in self._written.get(target, {}).get(k, {w}) for k, w in zip(key, written, strict=True))
        ]
        return fits[0] if len(fits) == 1 else None

    def code(self, keys: Sequence[str], i: int, length: int) -> Target | None:
        return self._codes.get(tuple(keys[i : i + length]))

    def suggest(self, fragment: str, limit: int = 3) -> list[str]:
        """The registered names nearest to ``fragment`` (for "did you mean …?"), closest first."""
        keys = {" ".join(key): shown for key, shown in self._shown.items() if len(" ".join(key)) > 3}
        words = match_key(fragment).split()
        # Also without what stands before a name ("Tất cả các xã" → "xã") and without its own place.
        forms = {" ".join(words)}
        forms |= {" ".join(words[k:]) for k in range(1, len(words)) if _BEFORE_NAME.fullmatch(" ".join(words[:k]))}
        forms = {form for form in forms if form}
        meaningful = {word for word in words if word not in _COMMON_WORDS}
        scores: dict[str, float] = {}
        matcher = difflib.SequenceMatcher()
        for key in keys:
            # A name holding most of the fragment's words ("Các sở" → "Các sở, ban, ngành tỉnh",
            # "đặc khu" → "UBND đặc khu Cồn Cỏ") may be meant even when it is much longer.
            shared = len(meaningful & set(key.split())) / len(meaningful) if meaningful else 0.0
            floor = 0.3 if shared >= 0.5 else 0.7  # the spelling likeness needed
            matcher.set_seq2(key)
            ratio = 0.0
            for form in forms:
                matcher.set_seq1(form)
                if matcher.real_quick_ratio() >= max(ratio, floor) and matcher.quick_ratio() >= max(ratio, floor):
                    ratio = max(ratio, matcher.ratio())
            if ratio >= floor:
                scores[key] = ratio + (shared if floor < 0.7 else 0.0)
        close = sorted(scores, key=lambda key: -scores[key])[:limit]
        return [keys[key] for key in close]


class _Reader:
    """One pass over the words of a cell."""

    def __init__(self, matcher: UnitMatcher, text: str) -> None:
        self.matcher, self.text = matcher, text
        self.words: list[_Word] = []
        previous = 0
        for m in _WORD.finditer(text):
            key = match_key(m.group())
            if key:
                self.words.append(_Word(key, m.start(), m.end(), text[previous : m.start()]))
                previous = m.end()
        self.keys = [w.key for w in self.words]
        self.raw = [unicodedata.normalize("NFC", self.text[w.start : w.end]).lower() for w in self.words]
        self.reading = UnitReading()
        self.people: list[str] = []  # fragments naming a person, not a unit (see :meth:`is_person`)

    # --- fragments ---------------------------------------------------------------------------

    def boundary_before(self, i: int) -> bool:
        """Whether a fragment of the cell may start at word ``i`` (punctuation or "và" before it)."""
        if i <= 0 or i >= len(self.words):
            return True
        return bool(_PUNCTUATION.search(self.words[i].gap)) or self.keys[i - 1] in _JOINERS or self.keys[i] in _JOINERS

    def fragment(self, start: int, end: int) -> str:
        """The cell's text of words ``start:end``, with the bracket it opens closed as written."""
        text = self.text[self.words[start].start : self.words[end - 1].end]
        if text.count("(") > text.count(")"):
            close = _CLOSING.match(self.text, self.words[end - 1].end)
            if close:
                text += ")"
        return text

    def head_at(self, i: int) -> tuple[int, tuple[str, ...]] | None:
        """A head noun starting at word ``i`` and ending before ":" ("Các Bộ:") that the item after the
        colon completes into a name: its last word + 1, its words without "các" and without an
        official's title before them ("Giám đốc các Sở:", "Chủ tịch UBND các huyện:")."""
        starts = i == 0 or _CLAUSE_END.search(self.words[i].gap) or ":" in self.words[i].gap
        if not starts and self.keys[i - 1] not in _JOINERS:
            return None
        for end in range(i + 1, min(i + _HEAD_WORDS, len(self.words)) + 1):
            if end < len(self.words) and ":" in self.words[end].gap:
                words = self.keys[i:end]
                cuts = [0, *(k for k in range(1, len(words)) if _BEFORE_NAME.fullmatch(" ".join(words[:k])))]
                for cut in cuts:
                    head = tuple(k for k in words[cut:] if k not in _PLURAL)
                    if head and self.best(end, head, ()) is not None:
                        return end, head
                return None
            if end < len(self.words) and _CLAUSE_END.search(self.words[end].gap):
                return None
        return None

    # --- matching ----------------------------------------------------------------------------

    def best(
        self, i: int, head: tuple[str, ...], carried: tuple[str, ...], *, titled: bool = False
    ) -> tuple[int, Target, tuple[str, ...]] | None:
        """The longest name at word ``i``: under the list's head noun, as written, as a whole-fragment
        code, or under the head of the name just before ("Sở Tư pháp, Nội vụ"); ``titled``: an
        official's title stands right before it. Returns the words of the cell it takes, the target
        and the head put before them."""
        found: list[tuple[int, int, Target, tuple[str, ...]]] = []  # (length, preference, target, head)
        if head:
            hit = self.matcher.longest(self.keys, i, head, self.raw)
            if hit:
                found.append((hit[0], 4, hit[1], head))
        hit = self.matcher.longest(self.keys, i, raw=self.raw)
        if hit:
            found.append((hit[0], 3, hit[1], ()))
        hit = self.one_of_many(i)
        if hit:
            found.append((hit[0], 3, hit[1], ()))
        hit = self.matcher.collective(self.keys, i, self.raw, titled=titled)
        if hit:
            found.append((hit[0], 2, hit[1], ()))
        hit = self.matcher.owned(self.keys, i, self.raw)
        if hit:
            found.append((hit[0], 2, hit[1], ()))
        if self.boundary_before(i):
            for length in range(min(self.matcher._longest, len(self.keys) - i), 0, -1):
                target = self.matcher.code(self.keys, i, length)
                if target is not None and self.boundary_before(i + length):
                    found.append((length, 1, target, ()))
                    break
            # "UBND xã Cồn Tiên, Lệ Thủy" carries "UBND xã" — or only "xã" ("Xã Lệ Thủy" registered).
            ubnd = _starts(carried, 0, _UBND)
            for keep in range(len(carried) - 1, 0, -1):
                heads = [carried[:keep], *([carried[len(ubnd) : keep]] if ubnd and keep > len(ubnd) else [])]
                carried_hit = next(
                    ((h, m) for h in heads if (m := self.matcher.longest(self.keys, i, h, self.raw))), None
                )
                if carried_hit:
                    used_head, (length, target) = carried_hit
                    found.append((length, 0, target, used_head))
                    break
        if not found:
            return None
        length, _preference, target, used = max(found, key=lambda f: (f[0], f[1]))
        return length, target, used

    def one_of_many(self, i: int) -> tuple[int, Target] | None:
        """A unit named after a plural: "(UBND) các xã Cồn Tiên, Lệ Thủy" is "UBND xã Cồn Tiên", then
        "Lệ Thủy" under the same head — not the group "UBND các xã" narrowed by a name."""
        start = _starts(self.keys, i, _UBND)
        at = i + (len(start) if start else 0)
        if at >= len(self.keys) or self.keys[at] not in _PLURAL:
            return None
        keys = [*self.keys[i:at], *self.keys[at + 1 :]]
        hit = self.matcher.longest(keys, 0)
        if hit is None or hit[1].is_group or hit[0] <= at - i:
            return None
        return hit[0] + 1, hit[1]

    def read(self) -> UnitReading:
        keys, reading = self.keys, self.reading
        head: tuple[str, ...] = ()
        carried: tuple[str, ...] = ()  # the words of the name just matched, for "Sở Tư pháp, Nội vụ"
        miss_start: int | None = None
        i = 0
        while i < len(keys):
            if ";" in self.words[i].gap:
                head = ()
            listed = self.head_at(i)
            if listed is not None:
                self.flush(miss_start, i)
                miss_start, carried = None, ()
                i, head = listed
                continue
            # An official's title right before word i, after words that name nothing ("Bí thư chi bộ,
            # Trưởng ấp"): it belongs to the name at i, not to them.
            title = self.title_start(miss_start, i)
            hit = self.best(i, head, carried if miss_start is None else (), titled=title < i)
            if hit is None:
                if miss_start is None and keys[i] in _JOINERS:
                    i += 1
                    continue
                if miss_start is None:
                    miss_start = i
                    carried = ()
                i += 1
                continue
            length, target, used = hit
            if miss_start is not None:
                self.flush(miss_start, title)
            miss_start = None
            end = self.own_place(i + length)
            tail = self.tail(end)
            if end == i + length and not used and self.other_place(i, length, tail):
                # "Sở Nội vụ tỉnh Hà Tĩnh" when only "Sở Nội vụ tỉnh Quảng Trị" is registered: not that unit.
                self.flush(i, tail)
                i, carried = tail, ()
                continue
            after = " ".join(keys[end:tail])
            if tail > end and not (_NOT_NARROWING.match(after) or _ROLE.fullmatch(after)):
                if target.is_group:
                    reading.qualified.append(self.fragment(i, tail))
                    i, carried = tail, ()
                    continue
            elif tail > end:
                end = tail  # "Sở Y tế tỉnh", "UBND các xã trên địa bàn huyện"
            read_as = self.matcher.read_as(target, keys[i:end]) if target.is_group else None
            if read_as is not None:
                reading.read_as.append((self.fragment(i, end), *read_as))
            if target.is_group and self.matcher.reads_local(keys[i : i + length]):
                reading.local.append(self.fragment(i, i + length))
            reading.targets.append(target)
            carried = tuple(key for key in (*used, *keys[i : i + length]) if key not in _PLURAL)
            i = end
        self.flush(miss_start, len(keys))
        # A person named beside the unit they stand for ("Đồng chí Nguyễn Văn A, Giám đốc Sở Nội vụ",
        # "Bà Lê Thị C (Sở Y tế)") names that unit; a person alone names none.
        if not reading.targets:
            reading.unknown[:0] = self.people
        return reading

    def title_start(self, start: int | None, i: int) -> int:
        """Where the words before word ``i`` that stand before a name (a title, "các") start, within
        the words ``start:i`` that name nothing and at a fragment's start; ``i`` when there are none."""
        if start is None:
            return i
        for k in range(max(start, i - _HEAD_WORDS), i):
            if (k == start or self.boundary_before(k)) and _BEFORE_NAME.fullmatch(" ".join(self.keys[k:i])):
                return k
        return i

    def own_place(self, end: int) -> int:
        """The end of the deployment's own place right after a name: "Văn phòng UBND tỉnh Quảng Trị",
        "Sở Nội vụ Quảng Trị", "UBND xã Cồn Tiên, tỉnh Quảng Trị" (a fragment of its own: with its kind)."""
        if end >= len(self.keys) or ";" in self.words[end].gap or "\n" in self.words[end].gap:
            return end
        length = self.matcher.own_place(self.keys, end, whole=self.boundary_before(end))
        if not length or not self.boundary_before(end + length):
            return end
        return self.own_place(end + length)  # "xã Cồn Tiên, tỉnh Quảng Trị"

    def other_place(self, i: int, length: int, tail: int) -> bool:
        """Whether the name of ``length`` words at ``i`` is a unit's name without its place and the words
        up to ``tail`` name another place after it (a kind and a name: "tỉnh Hà Tĩnh", not "tỉnh"), a kind
        of place its units' names do not have ("Công an xã" for "Công an tỉnh") or a level ("Công an cấp
        xã"); a role ("chủ trì") or whom it belongs to ("trên địa bàn tỉnh") is none."""
        if not self.matcher.bare(self.keys[i : i + length]):
            return False
        at = i + length
        after = " ".join(self.keys[at:tail])
        if tail <= at or _ROLE.fullmatch(after):
            return False
        kind = _starts(self.raw, at, _LEVEL_WRITTEN)
        if kind is None:
            return not _NOT_NARROWING.match(after)
        return tail > at + len(kind) or kind not in self.matcher.bare_kinds(self.keys[i : i + length])

    def tail(self, end: int) -> int:
        """The end of the words right after a name up to the next separator, when none of them
        starts another name: a qualifier ("có đồng bào dân tộc") or a place ("tỉnh Cần Thơ")."""
        tail = end
        owned = False  # after "thuộc", "của": the name that follows is the owner ("… thuộc UBND xã")
        while tail < len(self.keys) and not self.boundary_before(tail):
            owned = owned or self.keys[tail] in _OWNED_BY
            if not owned and self.matcher.longest(self.keys, tail) is not None:
                return end
            tail += 1
        return tail

    def flush(self, start: int | None, end: int) -> None:
        """Report the words ``start:end`` as naming nothing, unless they are a role ("chủ trì"); one
        fragment per name, a name ending at a comma before words that start one ("Báo ABC, Sở XYZ")."""
        if start is None or start >= end:
            return
        # A vague phrase stays whole: "các phòng, bộ phận liên quan" names no unit, nor does "các phòng".
        whole = self.fragment(start, end)
        cuts = [] if is_vague(whole) else [k for k in range(start + 1, end) if self.name_starts(k)]
        for first, last in zip([start, *cuts], [*cuts, end], strict=True):
            key = " ".join(self.keys[first:last])
            if self.is_person(first, last):
                self.people.append(self.fragment(first, last))
            elif not (_ROLE.fullmatch(key) or key in _PLURAL or (first > 0 and _REMIT.match(" " + key))):
                self.reading.unknown.append(self.fragment(first, last))

    def is_person(self, start: int, end: int) -> bool:
        """Whether words ``start:end`` name a person ("Đồng chí Nguyễn Văn A", "Ông Trần Văn B"): an
        honorific, then two to five words each written with a capital, as a Vietnamese name is."""
        for honorific in _HONORIFICS:
            after = start + len(honorific)
            if tuple(self.keys[start:after]) != honorific or not 2 <= end - after <= 5:
                continue
            words = [self.text[w.start : w.end] for w in self.words[after:end]]
            if all(word[:1].isupper() for word in words) and not any(
                self.words[k].gap.strip() for k in range(after + 1, end)
            ):
                return True
        return False

    def name_starts(self, k: int) -> bool:
        """Whether a name starts at word ``k`` after a separator: a title, "các", an organ's head noun
        with words after it ("Sở XYZ"; not "ban" alone in "các sở, ban, ngành")."""
        if not _PUNCTUATION.search(self.words[k].gap) or k + 1 >= len(self.words) or self.boundary_before(k + 1):
            return False
        return bool(_NAME_START.match(" ".join(self.keys[k : k + _HEAD_WORDS])))


# Words of unit names and the abbreviations people write for them, folded: each line is one set of
# spellings of the same words.
_ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("uy ban nhan dan", "ubnd"),
    ("hoi dong nhan dan", "hdnd"),
    ("mat tran to quoc", "mttq"),
    ("thong tin va truyen thong", "tt tt", "tttt"),
    ("ke hoach va dau tu", "kh dt", "khdt"),
    ("lao dong thuong binh va xa hoi", "ld tb xh", "ldtbxh", "ld tbxh"),
    ("van hoa the thao va du lich", "vh tt dl", "vhttdl", "vh tt va dl"),
    ("nong nghiep va phat trien nong thon", "nn ptnt", "nnptnt", "nn va ptnt"),
    ("nong nghiep va moi truong", "nn mt", "nnmt"),
    ("tai nguyen va moi truong", "tn mt", "tnmt"),
    ("giao duc va dao tao", "gd dt", "gddt"),
    ("khoa hoc va cong nghe", "kh cn", "khcn"),
    ("giao thong van tai", "gtvt"),
    ("cong nghe thong tin", "cntt"),
    ("bao hiem xa hoi", "bhxh"),
    ("ban chi huy quan su", "bchqs"),
    ("thanh pho", "tp"),
    ("trung tam", "tt"),
    ("ban quan ly", "bql"),
    ("hanh chinh cong", "hcc"),
    ("van phong", "vp"),
)
_SPELLINGS = [tuple(tuple(spelling.split()) for spelling in line) for line in _ABBREVIATIONS]
_MAX_SPELLINGS = 32


def _spellings(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The other ways to write ``key`` with the usual abbreviations: "uy ban nhan dan huyen x" →
    "ubnd huyen x"; "so kh dt" → "so ke hoach va dau tu", "so khdt"."""
    found: list[tuple[str, ...]] = [()]
    i = 0
    while i < len(key):
        for line in _SPELLINGS:
            written = next((s for s in line if key[i : i + len(s)] == s), None)
            if written is not None:
                found = [(*done, *spelling) for done in found for spelling in line][:_MAX_SPELLINGS]
                i += len(written)
                break
        else:
            found = [(*done, key[i]) for done in found]
            i += 1
    return [variant for variant in found if variant != key]


def _variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every other way to write ``key``: the usual abbreviations, "và" left out ("&", "-", ","),
    and the initials of the words after an organ's head noun ("so van hoa the thao va du lich" →
    "so vh tt dl", "so vhttdl", "so vh tt va dl")."""
    found: dict[tuple[str, ...], None] = {}
    for base in (key, *_without_va(key)):
        for variant in (base, *_spellings(base), *_initials(base)):
            found.setdefault(variant, None)
    found.pop(key, None)
    return list(found)


def _without_va(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``key`` with one or more of its (at most three) "và" left out."""
    places = [i for i, word in enumerate(key) if word == "va" and 0 < i < len(key) - 1][:3]
    variants = []
    for mask in range(1, 1 << len(places)):
        dropped = {places[b] for b in range(len(places)) if mask >> b & 1}
        variants.append(tuple(word for i, word in enumerate(key) if i not in dropped))
    return variants


def _initials(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``key`` with the words after its head noun as initials: one pair of letters per two
    syllables (Vietnamese words are mostly two syllables: "Văn hóa" → "VH"), the pairs written apart
    or together, "và" kept or not; a place kind ending the name ("... công tỉnh") stays a word."""
    head = _starts(key, 0, _ORGAN_HEADS)
    if head is None:
        return []
    body = list(key[len(head) :])
    tail: list[str] = []
    if len(body) > 2 and _starts(body, len(body) - 1, _PLACE_KINDS):
        tail = body[-1:]
        body = body[:-1]
    syllables = [word for word in body if word != "va"]
    if len(syllables) < 2 or not all(_SYLLABLE.match(w) and _VOWEL.search(w) for w in syllables):
        return []
    if len(syllables) % 2:  # no pairs: only all the initials together ("PVHCC")
        return [(*head, "".join(w[0] for w in syllables), *tail)]
    pairs: list[str] = []
    va_before: set[int] = set()  # pairs that "và" stood before
    count = 0
    for word in body:
        if word == "va":
            va_before.add(len(pairs) + (1 if count % 2 else 0))
            continue
        if count % 2 == 0:
            pairs.append(word[0])
        else:
            pairs[-1] += word[0]
        count += 1
    variants: list[tuple[str, ...]] = []
    for joins in range(1 << (len(pairs) - 1)):  # which gaps between pairs are closed up
        for keep_va in (False, True):
            words = [pairs[0]]
            for n in range(1, len(pairs)):
                if joins >> (n - 1) & 1:
                    words[-1] += pairs[n]
                else:
                    words += ["va", pairs[n]] if keep_va and n in va_before else [pairs[n]]
            variants.append((*head, *words, *tail))
    return list(dict.fromkeys(variants))[:_MAX_SPELLINGS]


def expand(targets: Iterable[Target]) -> list[str]:
    """Unit codes of ``targets`` with groups expanded, each once, in order of first mention."""
    seen: dict[str, None] = {}
    for target in targets:
        for code in target.units:
            seen.setdefault(code, None)
    return list(seen)
