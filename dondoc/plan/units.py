"""Matching unit cells of an appendix against the unit registry.

A cell names one or more units or groups ("Phòng Nội vụ; UBND các xã, thị trấn"), separated by
semicolons, commas or line breaks — but names contain commas themselves, so matching works on the
cell's words and takes the longest known name at each position. Case, diacritics (đ = d),
spacing and punctuation are ignored. Names and aliases match whole words; a registry *code* ("NV",
"xa") matches only a whole fragment of the cell (between separators), so the code ``so`` never
matches inside "cơ sở giáo dục" nor ``xa`` inside "MTTQ cấp xã".

People write unit cells the way they speak, so the matcher also reads:

- an official's title before a unit or group: "Giám đốc Sở Y tế", "Thủ trưởng các sở, ban, ngành",
  "Chủ tịch UBND các xã, phường" name the unit or the group;
- a list under one head noun: "Các Bộ: Quốc phòng, Xây dựng, Y tế", "Sở: Nội vụ, Tài chính", and
  "Sở Tư pháp, Nội vụ" (the head of the first name carries over to the next);
- a collective name narrowed by a qualifier: "các xã có đồng bào dân tộc", "các cơ quan, đơn vị
  quản lý cơ sở dữ liệu" name *some* of the group's units, not all of them: such a fragment is
  returned apart (:attr:`UnitReading.qualified`) and is not expanded. A qualifier that narrows
  nothing ("các sở, ngành tỉnh", "UBND các xã trên địa bàn huyện", "… thuộc UBND huyện") keeps the
  whole group.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
_TITLE = rf"(?:(?:dong chi|lanh dao) )?(?:(?:pho|tong|pho tong) )?(?:{_TITLE_HEAD})(?: (?:{_TITLE_ORGAN}))?"
_BEFORE_NAME = re.compile(
    rf"{_TITLE}(?: (?:va )?{_TITLE})*(?: (?:cac|cua))?"  # "Bí thư, Chủ tịch UBND các"
    r"|cac|nhung|toan the|toan bo|tat ca|tat ca cac|toan the cac"
)
_ROLE = re.compile(r"chu tri|phoi hop|thuc hien|tham muu|chiu trach nhiem|dau moi|la dau moi")
# Words after a name that narrow nothing: the place it belongs to, or who it belongs to.
_PLACE = r"(?:tinh|thanh pho|tp|huyen|thi xa|xa|phuong|thi tran|trung uong)"  # not "quan": "quản lý"
_OWNER = rf"(?:{_PLACE}|ubnd|uy ban|hdnd|so|bo|chinh phu|thu tuong)"
_NOT_NARROWING = re.compile(
    rf"(?:(?:truc thuoc|thuoc|cua) {_OWNER}|tren dia ban|tren toan|{_PLACE}(?! (?:co|khong)\b))\b"
)


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
    _variants: set[tuple[str, ...]] = field(default_factory=set)  # keys only spelt from a name
    _longest: int = 0
    _shown: dict[tuple[str, ...], str] = field(default_factory=dict)  # key → the name as registered

    def add(self, name: str, target: Target, *, code: bool = False) -> Target | None:
        """Register ``name`` (a registry code when ``code``); returns the target already holding the
        same key (a conflict) if any — codes and names share one key space."""
        key = tuple(match_key(name).split())
        if not key:
            return None
        existing = self._names.get(key) or self._codes.get(key)
        if existing is not None and existing != target and key not in self._variants:
            return existing
        self._variants.discard(key)
        (self._codes if code else self._names)[key] = target
        self._longest = max(self._longest, len(key))
        if not code:
            self._shown.setdefault(key, name)  # suggested for unknown names (codes are not)
            # "Ủy ban nhân dân huyện X" is also written "UBND huyện X", "Sở KH&ĐT" "Sở Kế hoạch và Đầu tư".
            for variant in _spellings(key):
                if variant not in self._names and variant not in self._codes:
                    self._names[variant] = target
                    self._variants.add(variant)
                    self._longest = max(self._longest, len(variant))
        return None

    def match(self, text: str) -> tuple[list[Target], list[str]]:
        """The targets named in ``text`` in order, and the fragments of text that name nothing
        (qualified collective names included: they name no whole group)."""
        reading = self.read(text)
        return reading.targets, reading.unknown + reading.qualified

    def read(self, text: str) -> UnitReading:
        """What ``text`` names (see :class:`UnitReading`)."""
        return _Reader(self, text).read()

    def longest(self, keys: Sequence[str], i: int, head: tuple[str, ...] = ()) -> tuple[int, Target] | None:
        """The longest name at ``keys[i:]`` (behind ``head``, if given): words of ``keys`` used, target."""
        for length in range(min(self._longest - len(head), len(keys) - i), 0, -1):
            target = self._names.get((*head, *keys[i : i + length]))
            if target is not None:
                return length, target
        return None

    def code(self, keys: Sequence[str], i: int, length: int) -> Target | None:
        return self._codes.get(tuple(keys[i : i + length]))

    def suggest(self, fragment: str, limit: int = 3) -> list[str]:
        """The registered names nearest to ``fragment`` (for "did you mean …?"), closest first."""
        keys = {" ".join(key): shown for key, shown in self._shown.items() if len(" ".join(key)) > 3}
        close = difflib.get_close_matches(match_key(fragment), list(keys), n=limit, cutoff=0.6)
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
        self.reading = UnitReading()

    # --- fragments ---------------------------------------------------------------------------

    def boundary_before(self, i: int) -> bool:
        """Whether a fragment of the cell may start at word ``i`` (punctuation or "và" before it)."""
        if i <= 0 or i >= len(self.words):
            return True
        return bool(_PUNCTUATION.search(self.words[i].gap)) or self.keys[i - 1] in _JOINERS or self.keys[i] in _JOINERS

    def fragment(self, start: int, end: int) -> str:
        return self.text[self.words[start].start : self.words[end - 1].end]

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
        self, i: int, head: tuple[str, ...], carried: tuple[str, ...]
    ) -> tuple[int, Target, tuple[str, ...]] | None:
        """The longest name at word ``i``: under the list's head noun, as written, as a whole-fragment
        code, or under the head of the name just before ("Sở Tư pháp, Nội vụ"). Returns the words of
        the cell it takes, the target and the head put before them."""
        found: list[tuple[int, int, Target, tuple[str, ...]]] = []  # (length, preference, target, head)
        if head:
            hit = self.matcher.longest(self.keys, i, head)
            if hit:
                found.append((hit[0], 3, hit[1], head))
        hit = self.matcher.longest(self.keys, i)
        if hit:
            found.append((hit[0], 2, hit[1], ()))
        if self.boundary_before(i):
            for length in range(min(self.matcher._longest, len(self.keys) - i), 0, -1):
                target = self.matcher.code(self.keys, i, length)
                if target is not None and self.boundary_before(i + length):
                    found.append((length, 1, target, ()))
                    break
            for keep in range(len(carried) - 1, 0, -1):
                hit = self.matcher.longest(self.keys, i, carried[:keep])
                if hit:
                    found.append((hit[0], 0, hit[1], carried[:keep]))
                    break
        if not found:
            return None
        length, _preference, target, used = max(found, key=lambda f: (f[0], f[1]))
        return length, target, used

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
            hit = self.best(i, head, carried if miss_start is None else ())
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
            if miss_start is not None and not _BEFORE_NAME.fullmatch(" ".join(keys[miss_start:i])):
                self.flush(miss_start, i)
            miss_start = None
            end = i + length
            tail = self.tail(end)
            after = " ".join(keys[end:tail])
            if tail > end and not (_NOT_NARROWING.match(after) or _ROLE.fullmatch(after)):
                if target.is_group:
                    reading.qualified.append(self.fragment(i, tail))
                    i, carried = tail, ()
                    continue
            elif tail > end:
                end = tail  # "Sở Y tế tỉnh", "UBND các xã trên địa bàn huyện"
            reading.targets.append(target)
            carried = (*used, *keys[i : i + length])
            i = end
        self.flush(miss_start, len(keys))
        return reading

    def tail(self, end: int) -> int:
        """The end of the words right after a name up to the next separator, when none of them
        starts another name: a qualifier ("có đồng bào dân tộc") or a place ("tỉnh Cần Thơ")."""
        tail = end
        while tail < len(self.keys) and not self.boundary_before(tail):
            if self.matcher.longest(self.keys, tail) is not None:
                return end
            tail += 1
        return tail

    def flush(self, start: int | None, end: int) -> None:
        """Report the words ``start:end`` as naming nothing, unless they are a role ("chủ trì")."""
        if start is None or start >= end:
            return
        key = " ".join(self.keys[start:end])
        if _ROLE.fullmatch(key) or key in _PLURAL:
            return
        self.reading.unknown.append(self.fragment(start, end))


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


def expand(targets: Iterable[Target]) -> list[str]:
    """Unit codes of ``targets`` with groups expanded, each once, in order of first mention."""
    seen: dict[str, None] = {}
    for target in targets:
        for code in target.units:
            seen.setdefault(code, None)
    return list(seen)
