"""Vietnamese text helpers: accent-insensitive matching keys and tidy cell text."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c]")  # CR LF, CR, vertical tab, form feed: line breaks
_NON_WORD = re.compile(r"[^0-9a-z]+")


def strip_controls(text: str) -> str:
    """``text`` without control characters (NUL and the like, which PostgreSQL refuses and no person
    means): tab and line breaks stay, and every kind of line break becomes LF. Used on everything a
    person typed and every cell of an imported file."""
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def fold(text: str) -> str:
    """Lower-case ASCII form of ``text``: diacritics removed (đ → d), so "Xà Phiên" → "xa phien"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower()


def match_key(text: str) -> str:
    """Key for comparing names: case, diacritics, spacing and punctuation ignored."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def words(text: str) -> list[str]:
    """The words of ``text`` as matching keys, e.g. "UBND các xã, thị trấn" → [ubnd, cac, xa, thi, tran]."""
    key = match_key(text)
    return key.split() if key else []


def clean_cell(value: object) -> str:
    """Cell text in NFC with non-breaking spaces and stray whitespace tidied; line breaks kept."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").replace("\r\n", "\n")
    lines = [_SPACE.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """Cell text on a single line (line breaks become spaces)."""
    return _SPACE.sub(" ", text).strip()
