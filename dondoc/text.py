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


# Casing of an all-capitals title or heading: levels of government are written in lower case before
# a place name, which has every word capitalised ("UBND TỈNH QUẢNG TRỊ" → "UBND tỉnh Quảng Trị").
GOVERNMENT_LEVELS = frozenset({"tỉnh", "huyện", "xã", "phường", "quận", "thị trấn", "thị xã", "thành phố", "đặc khu"})
_ABBREVIATIONS = frozenset({"UBND", "HĐND", "MTTQ", "TNCS", "HCM", "CAND", "QĐND", "BQL", "CCHC"})
_VOWELS = frozenset("aeiouy")
_HEADS = frozenset({"bộ", "sở", "phòng", "ban", "cục", "vụ", "chi cục", "tổng cục"})
# The words after which an organ's name may start ("… của Sở Nội vụ"), and head nouns that are no
# organ by the word after ("bộ phận", "ban hành", "phòng chống", "sở hữu").
_JOINERS = frozenset({"của", "và", "với", "thuộc", "tại", "cho", "giữa"})
_NO_HEAD_BEFORE = frozenset(
    {"bộ phận", "bộ máy", "bộ chỉ", "bộ tiêu", "bộ thủ", "bộ công", "ban hành", "ban đầu", "phòng chống"}
    | {"phòng ngừa", "phòng cháy", "phòng tránh", "sở hữu", "cục bộ", "vụ việc"}
)
# Proper names an all-capitals title may hold, as a sentence writes them.
_PROPER = {"chính phủ": "Chính phủ", "việt nam": "Việt Nam", "quốc hội": "Quốc hội", "thủ tướng": "Thủ tướng"}
_ROMAN_NUMERAL = re.compile(r"^[IVX]{2,}$")
_NUMBERED_DOCUMENTS = frozenset(
    f"{kind} số"
    for kind in ("nghị quyết", "nghị định", "quyết định", "chỉ thị", "thông tư", "kế hoạch", "công văn", "kết luận")
)


def _kept_as_written(word: str) -> bool:
    """Whether a word of an all-capitals title stays in capitals: an abbreviation ("CCHC", "NQ-CP",
    "12/KH-UBND"), a Roman numeral ("II")."""
    parts = [part for part in re.split(r"[-/.]", word) if part]
    if not parts or word.isdigit():
        return False
    if _ROMAN_NUMERAL.match(word):
        return True
    return all(
        part.isdigit() or part in _ABBREVIATIONS or (len(part) > 1 and not set(fold(part)) & _VOWELS) for part in parts
    )


def written_case(text: str) -> str:
    """An all-capitals title as it is written in a sentence: "UBND TỈNH QUẢNG TRỊ" → "UBND tỉnh Quảng
    Trị", "CÁC CƠ QUAN CHUYÊN MÔN" → "Các cơ quan chuyên môn", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026
    CỦA SỞ NỘI VỤ" → "Kế hoạch cải cách hành chính năm 2026 của Sở Nội vụ"; abbreviations ("CCHC",
    "76/NQ-CP") stay. Text with lower case stays as it is."""
    if text != text.upper():
        return text
    words = text.split()
    out: list[str] = []
    place = False  # inside a place name: after a level of government
    capital = False
    i = 0
    while i < len(words):
        word = words[i]
        bare = word.strip(",.;:()")
        two = " ".join(w.strip(",.;:()") for w in words[i : i + 2]).lower()
        previous = words[i - 1].lower() if i else ""
        if " ".join(words[i : i + 4]).lower() in ("ủy ban nhân dân", "uỷ ban nhân dân"):
            out += [w.lower() for w in words[i : i + 4]]
            out[-4] = out[-4][:1].upper() + out[-4][1:]  # "Ủy ban nhân dân tỉnh …", a proper name
            i += 4
            continue
        if not (place or capital) and two in _PROPER and not words[i].endswith(","):
            out += _PROPER[two].split()
            place = capital = False
            i += 2
            continue
        if _kept_as_written(bare):
            out.append(word)
            place = False
        elif place or capital:
            out.append(word[:1] + word[1:].lower())
        elif two in GOVERNMENT_LEVELS and i + 1 < len(words):
            out += [w.lower() for w in words[i : i + 2]]
            place = not words[i + 1].endswith(",") and previous not in ("các", "cấp")
            i += 2
            continue
        elif bare.lower() in GOVERNMENT_LEVELS:
            out.append(word.lower())
            place = not word.endswith(",") and previous not in ("các", "cấp")
        else:
            out.append(word.lower())
        # An organ's head noun is followed by its name: "BỘ NỘI VỤ" → "Bộ Nội vụ".
        # "BỘ PHẬN", "NHIỆM VỤ", "BAN HÀNH" are no organ: "Các bộ phận chuyên môn".
        # Only where a name starts: first, after a comma or a joiner ("… của Sở Nội vụ"), not within
        # one ("Bộ Nội vụ", "nhiệm vụ").
        capital = (
            bare.lower() in _HEADS
            and not word.endswith(",")
            and (not previous or previous.endswith(",") or previous in _JOINERS)
            and two not in _NO_HEAD_BEFORE
        )
        if capital:  # "… của Sở Nội vụ"
            out[-1] = out[-1][:1].upper() + out[-1][1:]
        # A document named by its number: "Nghị quyết số 76/NQ-CP".
        if i and " ".join(w.strip(",.;:()") for w in words[i - 1 : i + 2]).lower() in _NUMBERED_DOCUMENTS:
            out[-2] = out[-2][:1].upper() + out[-2][1:]
        if place and word.endswith(","):
            place = False
        i += 1
    if out and not out[0].isupper():
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)
