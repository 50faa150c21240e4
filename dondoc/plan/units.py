"""Matching unit cells of an appendix against the unit registry.

A cell names one or more units or groups ("Phòng Nội vụ; UBND các xã, thị trấn"), separated by
semicolons, commas or line breaks — but names contain commas themselves, so matching works on the
cell's words and takes the longest known name at each position. Case, diacritics (đ = d),
spacing and punctuation are ignored.
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


@dataclass(frozen=True)
class Target:
    """What a name stands for: a unit, or a group expanding to units (codes in registry order)."""

    code: str
    units: tuple[str, ...]
    is_group: bool


@dataclass
class UnitMatcher:
    """Longest-match lookup of unit and group names, aliases and codes."""

    _names: dict[tuple[str, ...], Target] = field(default_factory=dict)
    _longest: int = 0
    _shown: dict[tuple[str, ...], str] = field(default_factory=dict)  # key → the name as registered

    def add(self, name: str, target: Target) -> Target | None:
        """Register ``name``; returns the target already holding the same key (a conflict) if any."""
        key = tuple(match_key(name).split())
        if not key:
            return None
        existing = self._names.get(key)
        if existing is not None and existing != target:
            return existing
        self._names[key] = target
        self._shown.setdefault(key, name)
        self._longest = max(self._longest, len(key))
        return None

    def match(self, text: str) -> tuple[list[Target], list[str]]:
        """The targets named in ``text`` in order, and the fragments of text that name nothing."""
        spans = [(m.start(), m.end(), match_key(m.group())) for m in _WORD.finditer(text)]
        keys = [k for _, _, k in spans]
        found: list[Target] = []
        unknown: list[str] = []
        i = 0
        miss_start: int | None = None
        while i < len(keys):
            hit = self._longest_at(keys, i)
            if hit is not None:
                length, target = hit
                if miss_start is not None:
                    unknown.append(_fragment(text, spans, miss_start, i))
                    miss_start = None
                found.append(target)
                i += length
            elif keys[i] in _JOINERS and miss_start is None:
                i += 1
            else:
                if miss_start is None:
                    miss_start = i
                i += 1
        if miss_start is not None:
            unknown.append(_fragment(text, spans, miss_start, len(keys)))
        return found, unknown

    def _longest_at(self, keys: Sequence[str], i: int) -> tuple[int, Target] | None:
        for length in range(min(self._longest, len(keys) - i), 0, -1):
            target = self._names.get(tuple(keys[i : i + length]))
            if target is not None:
                return length, target
        return None

    def suggest(self, fragment: str, limit: int = 3) -> list[str]:
        """The registered names nearest to ``fragment`` (for "did you mean …?"), closest first."""
        keys = {" ".join(key): shown for key, shown in self._shown.items() if len(" ".join(key)) > 3}
        close = difflib.get_close_matches(match_key(fragment), list(keys), n=limit, cutoff=0.6)
        return [keys[key] for key in close]


def _fragment(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    return text[spans[start][0] : spans[end - 1][1]]


def expand(targets: Iterable[Target]) -> list[str]:
    """Unit codes of ``targets`` with groups expanded, each once, in order of first mention."""
    seen: dict[str, None] = {}
    for target in targets:
        for code in target.units:
            seen.setdefault(code, None)
    return list(seen)
