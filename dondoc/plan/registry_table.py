"""The unit registry from a clerk's list: ``dondoc units import FILE.xlsx`` or ``FILE.csv``.

A province, a commune or a ministry keeps its units as a table ("Danh sách cơ quan, đơn vị"), not as
YAML. Real lists vary, so nothing depends on positions: the header row is found by its words (the name
column is the only one required; number, code, other names and group columns are read when found),
a title above it ("DANH SÁCH CÁC CƠ QUAN, ĐƠN VỊ THUỘC UBND TỈNH …") may name the organisation,
numbered headings ("I. CÁC CƠ QUAN CHUYÊN MÔN", "II. UBND CÁC XÃ, PHƯỜNG", "A. Khối …") become groups
of the units under them, and a unit without a code gets one from its name's initials ("UBND xã Xà
Phiên" → XP, "Sở Nội vụ" → NV, as the bundled registry codes its units), kept when the store already
has that unit. Every defect is named with its row, column and value, and nothing is written.
The files are read by :mod:`dondoc.plan.tables` (encodings, merged cells, hidden rows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from dondoc.db.models import Organization, Unit
from dondoc.i18n import _
from dondoc.plan.problems import InputError, Problem
from dondoc.plan.registry import _CODE, Registry, UnitSpec, check_registry, load_registry, parse_registry
from dondoc.plan.tables import Row, Table, read_tables
from dondoc.text import GOVERNMENT_LEVELS as _LEVELS
from dondoc.text import fold, match_key, one_line, written_case

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv")
HEADER_SCAN_ROWS = 40
MAX_UNITS = 5000

# The header words of each column, as lists write them (shown when no name column is found).
NAME_HEADERS = ("Tên cơ quan", "Tên đơn vị", "Cơ quan, đơn vị", "Đơn vị", "Bộ phận", "Địa phương")
HEADER_WORDS = {
    "number": ("STT", "TT"),
    "name": NAME_HEADERS,
    "code": ("Mã", "Mã đơn vị", "Ký hiệu", "Viết tắt", "Tên viết tắt"),
    "aliases": ("Tên gọi khác", "Tên khác"),
    "groups": ("Nhóm", "Khối", "Loại"),
}
# Folded labels (no diacritics), checked in this order: "Tên viết tắt" is a code, "Tên khác" other
# names, "Mã đơn vị" a code and "Nhóm đơn vị" a group before either is a name. "Mã định danh" (the
# electronic document exchange code, "000.00.12.H55") is no registry code: not read.
_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("aliases", re.compile(r"^(ten (goi )?khac|cac ten (goi )?khac|ten goi|ten thuong goi)\b")),
    ("code", re.compile(r"^(ma|ma so|ma (don vi|co quan)|ky hieu|(ten )?viet tat|ten tat|ma viet tat)$")),
    ("groups", re.compile(r"^(nhom|khoi|loai|loai hinh|phan loai|thuoc nhom|thuoc khoi)\b")),
    ("number", re.compile(r"^(s?tt|so tt|so thu tu|thu tu)$")),
    # The name column, by what a list counts: "Tên cơ quan", "Đơn vị", "Bộ phận / Ấp" (a commune's
    # offices and hamlets), "Phòng, ban", "Địa phương", "Sở, ban, ngành", "Xã, phường" — not "Số điện thoại".
    (
        "name",
        re.compile(
            r"^(ten )?(co quan|don vi|bo phan|phong ban|phong|ap|khom|to dan pho|dia phuong|xa phuong|xa|phuong"
            r"|so ban nganh|so nganh|ban nganh)\b|^ten$"
        ),
    ),
]
_FOOTNOTE = re.compile(r"\(\s*(?:\d{1,2}|\*+|[a-z])\s*\)|\[\s*\d{1,2}\s*\]|\*+")
_NUMBERING = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")
_ROMAN = re.compile(r"^(?=[IVXL])L?X{0,3}(?:IX|IV|V?I{0,3})$")
_HEADING = re.compile(r"^((?=[IVXL]+\s*[.:)\-–])[IVXL]+|[A-Z])\s*[.:)\-–]\s*(\S.*)$", re.DOTALL)
_UNIT_NUMBER = re.compile(r"^\d{1,4}(?:\.\d{1,3})*[.)]?$")
_NOTE = re.compile(r"^(ghi chu|tong cong|tong so|luu y|nguoi lap|noi nhan)\b")
_ALIAS_SPLIT = re.compile(r"\s*[;\n]\s*")
_OWNER = re.compile(r"\b(?:trực thuộc|thuộc|của)\s+(\S.*)$", re.IGNORECASE | re.DOTALL)
_TITLE_TAIL = re.compile(r"\s*(?:\(.*\)|\bnăm \d{4}\b.*|\bkèm theo\b.*)$", re.IGNORECASE | re.DOTALL)

# The group of every unit, as the bundled registry names it: appendices say "Các cơ quan, đơn vị".
ALL_GROUP = ("all", "Tất cả cơ quan, đơn vị")
ALL_ALIASES = ("Các cơ quan, đơn vị", "Các cơ quan, đơn vị có liên quan", "Các cơ quan, đơn vị liên quan")

# Words a code leaves out (lower case, with diacritics: "Xà Phiên" is no "xã", "Cửa Tùng" no "của"): a
# leading "UBND"/"Ủy ban nhân dân", then the level of a local government, then an organ's head noun
# ("Phòng Nội vụ" → NV), a level of government at the end ("Thanh tra tỉnh"), and joiners anywhere
# ("Văn hóa và Thông tin" → VHTT).
_LEADING = (
    (("ubnd",), ("ủy", "ban", "nhân", "dân"), ("uỷ", "ban", "nhân", "dân")),
    (
        ("thị", "trấn"),
        ("thị", "xã"),
        ("thành", "phố"),
        ("đặc", "khu"),
        ("xã",),
        ("phường",),
        ("huyện",),
        ("quận",),
        ("tỉnh",),
    ),
    (("phòng",), ("sở",), ("chi", "cục"), ("tổng", "cục"), ("cục",), ("vụ",), ("ban",)),
)
_TRAILING = frozenset({"tỉnh", "huyện", "xã", "phường"})
_JOINERS = frozenset({"và", "của", "với"})
_NAME_WORD = re.compile(r"[^\W_]+")
_DOCUMENT_CODE = re.compile(r"^\d{2,3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
MAX_CODE = 10


@dataclass
class _Header:
    index: int  # in table.rows
    columns: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class _Entry:
    row: Row
    name: str
    code: str
    aliases: list[str]
    groups: list[str]  # group names
    headings: list[str]


def is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def read_registry_table(
    path: Path, *, organization: str | None = None, stored: Mapping[str, Mapping[str, str]] | None = None
) -> Registry:
    """The registry a clerk's list of units holds; raises :class:`InputError` naming every problem.

    ``organization`` wins over the file's title. ``stored`` holds the store's organisations, each with
    its units' codes by name (as :func:`name_key` keys it): a title naming one of them another way
    ("UBND" for "Ủy ban nhân dân") means it, and its units keep their codes."""
    stored = stored or {}
    table, header = _listed(path)
    entries, problems = _entries(table, header)
    office = _letterhead_office(table, header, entries)  # "VĂN PHÒNG HĐND VÀ UBND" under "UBND XÃ …"
    name = organization or (office[1] if office else "") or _title_organization(table, header)
    if not name:
        message = _(
            "the file does not say whose units these are (no title such as «DANH SÁCH CÁC CƠ QUAN, ĐƠN VỊ "
            'THUỘC UBND TỈNH …» above the header): give --organization "NAME"'
        )
        raise InputError([Problem(path.name, message)])
    if not organization:
        name = next((other for other in stored if _same_organization(name, other)), name)
    codes = _codes(entries, table, header, problems, stored.get(name, {}))
    if problems:
        raise InputError(problems)
    raw = _raw_registry(name, entries, codes)
    if office:  # the office that issues the list follows the plan up: the manager's unit
        raw["coordinator"] = codes[entries.index(office[0])]
    try:
        return parse_registry(raw)
    except InputError as error:  # "units[3]: …" is the row of the third unit
        rows = {f"units[{i + 1}]": table.where(e.row.number) for i, e in enumerate(entries)}
        raise InputError([_located(p, rows) for p in error.problems]) from error


def _listed(path: Path) -> tuple[Table, _Header]:
    """The first table of ``path`` with a list's header (a name column); raises :class:`InputError`
    naming the header words looked for when there is none."""
    tables = read_tables(path, max_rows=MAX_UNITS)
    found = next(((t, h) for t in tables if (h := _find_header(t)) is not None), None)
    if found is None:
        words = ", ".join(f"«{w}»" for w in NAME_HEADERS)
        message = _("no list of units found: expected a header row with a name column such as {words}").format(
            words=words
        )
        raise InputError([Problem(path.name, message)])
    return found


def stored_codes(session: Session) -> dict[str, dict[str, str]]:
    """The store's organisations, each with its units' codes by name (and other names)."""
    found: dict[str, dict[str, str]] = {}
    names = dict(session.exec(select(Organization.id, Organization.name)).all())
    for name in names.values():
        found[name] = {}
    for unit in session.exec(select(Unit).order_by(col(Unit.active))).all():
        codes = found[names[unit.organization_id]]
        for text in (*unit.aliases, unit.name):  # active units last: theirs win
            codes[name_key(text)] = unit.code
    return found


def kept_from_store(session: Session, registry: Registry) -> Registry:
    """``registry`` (a clerk's list) over what the store keeps of its organisation, if it has it: the
    list gives the units (with their names, other names and heading groups); the store keeps what a
    list cannot hold — the coordinator, the province it belongs to, the reminder settings, the channels
    and Zalo bots, the groups and other names written in an earlier registry file — so that importing
    the list again, or importing it over a YAML registry, loses none of it. Raises
    :class:`InputError` when the result does not hold together (a Zalo bot serving a unit the list
    no longer has)."""
    org = session.exec(select(Organization).where(Organization.name == registry.organization)).first()
    if org is None:
        return registry
    stored = load_registry(session, org)
    settings = org.settings or {}
    stored_units = {unit.code: unit for unit in stored.units}
    groups = list(stored.groups)
    by_name = {match_key(name): group.code for group in groups for name in (group.name, *group.aliases)}
    used = {group.code for group in groups}
    renamed: dict[str, str] = {}  # the list's group code → the store's (or a free one)
    for group in registry.groups:
        code = by_name.get(match_key(group.name))
        if code is None:
            code = group.code
            number = len(groups) + 1
            while code in used:
                code, number = _group_code(number), number + 1
            groups.append(replace(group, code=code))
            used.add(code)
            by_name[match_key(group.name)] = code
        renamed[group.code] = code
    units: list[UnitSpec] = []
    for unit in registry.units:
        before = stored_units.get(unit.code)
        aliases = list(dict.fromkeys([*unit.aliases, *(before.aliases if before else [])]))
        member = list(dict.fromkeys([*(renamed[g] for g in unit.groups), *(before.groups if before else [])]))
        units.append(UnitSpec(unit.code, unit.name, aliases, member))
    codes = {unit.code for unit in units}
    merged = Registry(
        organization=registry.organization,
        coordinator=stored.coordinator if stored.coordinator in codes else registry.coordinator,
        units=units,
        groups=groups,
        reminders=dict(settings.get("reminders") or {}),
        channels=dict(settings.get("channels") or {}),
        zalo_bots=stored.zalo_bots,
        parent=stored.parent,
        extensions=dict(settings.get("extensions") or {}),
        ranking=dict(settings.get("ranking") or {}),
    )
    check_registry(merged)
    return merged


def name_key(name: str) -> str:
    """A unit's name compared with another: case and spacing ignored, not diacritics ("Bình Thành" and
    "Bình Thạnh" are two communes)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


_UNIT_REFERENCE = re.compile(r"\bunits\[\d+\]")


def _located(problem: Problem, rows: dict[str, str]) -> Problem:
    """A registry problem ("units[3].aliases: … units[1]") at the rows of the units it names."""
    head, dot, rest = problem.where.partition(".")
    message = _UNIT_REFERENCE.sub(lambda found: rows.get(found.group(0), found.group(0)), problem.message)
    if head in rows:
        return replace(problem, where=rows[head] + (f" ({rest})" if dot else ""), message=message)
    return replace(problem, message=message)


# ------------------------------------------------------------------------------------------- header


def _label_key(label: str) -> str:
    return match_key(_FOOTNOTE.sub(" ", one_line(label)))


# A header's label is a few words ("Tên cơ quan, đơn vị"); a title is not ("DANH SÁCH CÁC CƠ QUAN, ĐƠN
# VỊ THUỘC UBND TỈNH …", "KẾ HOẠCH …").
MAX_LABEL_WORDS = 6
_TITLE_ROW = re.compile(r"^(?:danh sach|ke hoach|bang tong hop)\b")


def _find_header(table: Table) -> _Header | None:
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        header = _Header(index)
        if any(_TITLE_ROW.match(_label_key(cell)) for cell in row.cells):
            continue  # the title, cut at its commas in a CSV: "DANH SÁCH CÁC CƠ QUAN", " ĐƠN VỊ THUỘC …"
        for column, cell in enumerate(row.cells):
            key = _label_key(cell)
            if not key or len(key) > 60 or len(key.split()) > MAX_LABEL_WORDS:
                continue
            kind = next((kind for kind, pattern in _LABELS if pattern.search(key)), None)
            if kind is not None and kind not in header.columns:
                header.columns[kind] = column
                header.labels[kind] = one_line(cell)
        if "name" in header.columns:
            return header
    return None


_SHORT_FORMS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan"}


def _same_organization(name: str, other: str) -> bool:
    def key(text: str) -> list[str]:
        return " ".join(_SHORT_FORMS.get(w, w) for w in match_key(text).split()).split()

    return key(name) == key(other)


_LETTERHEAD = re.compile(
    r"^(uy ban nhan dan|ubnd|hoi dong nhan dan|hdnd|so|bo|ban|van phong|cuc|tong cuc|vu|chi cuc|truong"
    r"|trung tam|dang uy|ban chap hanh|cong an|toa an|vien kiem sat|mat tran)\b"
)
_NOT_LETTERHEAD = re.compile(r"\d|:|danh sach|cong hoa|doc lap|tu do|hanh phuc")


def _title_organization(table: Table, header: _Header) -> str:
    """The organisation the title above the header names: what follows "thuộc"/"của"."""
    for row in table.rows[: header.index]:
        text = one_line(" ".join(cell for cell in row.cells if cell))
        if "danh sach" not in fold(text):
            continue
        owner = _OWNER.search(text)
        if owner:
            name = _TITLE_TAIL.sub("", owner.group(1)).strip(" .,:;")
            if name:
                return written_case(name)
    # Else the letterhead's issuing body ("UBND XÃ TÂN PHƯỚC" over "DANH SÁCH ĐẦU MỐI CÁC BỘ PHẬN, ẤP";
    # under two lines, "UBND TỈNH …" over "SỞ NỘI VỤ", the lower one issues it): a cell naming a body,
    # no date, number or national motto.
    bodies = _letterhead_bodies(table, header)
    return written_case(bodies[-1]) if bodies else ""


def _letterhead_bodies(table: Table, header: _Header) -> list[str]:
    """The bodies the letterhead names, top to bottom: cells naming a body, no date, number or motto."""
    return [
        one_line(cell)
        for row in table.rows[: header.index]
        for cell in row.cells[:2]
        if cell and _LETTERHEAD.match(fold(one_line(cell)).lower()) and not _NOT_LETTERHEAD.search(fold(cell).lower())
    ]


_LEVEL_KEYS = frozenset(fold(level) for level in _LEVELS)


def _letterhead_office(table: Table, header: _Header, entries: list[_Entry]) -> tuple[_Entry, str] | None:
    """The list's own unit that issues it, and the organisation above it: a commune's office writes
    "UBND XÃ TÂN PHƯỚC" over "VĂN PHÒNG HĐND VÀ UBND" and lists itself as "Văn phòng HĐND và UBND xã".
    The units are the commune's, and that office is the one that follows the plan up."""
    bodies = _letterhead_bodies(table, header)
    if len(bodies) < 2:
        return None

    def words(text: str) -> list[str]:
        return " ".join(_SHORT_FORMS.get(w, w) for w in match_key(text).split()).split()

    lower = words(bodies[-1])
    for entry in entries:
        name = words(entry.name)
        short, long = sorted((lower, name), key=len)
        if long[: len(short)] == short and (len(long) == len(short) or " ".join(long[len(short) :]) in _LEVEL_KEYS):
            return entry, written_case(bodies[-2])
    return None


# ------------------------------------------------------------------------------------------- rows


def _entries(table: Table, header: _Header) -> tuple[list[_Entry], list[Problem]]:
    columns = header.columns
    problems: list[Problem] = []
    entries: list[_Entry] = []
    levels: list[str] = []  # the kinds of heading ("roman", "letter") in the order the file nests them
    headings: dict[str, str] = {}
    rows = table.rows[header.index + 1 :]

    def cell(row: Row, kind: str) -> str:
        index = columns.get(kind)
        return one_line(row.cells[index]) if index is not None and index < len(row.cells) else ""

    def names(row: Row, kind: str) -> list[str]:  # several in one cell, one a line or after ";"
        index = columns.get(kind)
        text = row.cells[index] if index is not None and index < len(row.cells) else ""
        return [one_line(name) for name in _ALIAS_SPLIT.split(text) if name.strip()]

    for position, row in enumerate(rows):
        filled = [one_line(c) for c in row.cells if c.strip()]
        if not filled:
            continue
        if position < 2 and not entries and all(_NUMBERING.match(c) for c in filled):
            continue  # the numbering row under the header: (1) (2) (3)
        number, name, code = cell(row, "number"), cell(row, "name"), cell(row, "code")
        heading = _heading(number, name, filled) if not code else None
        if heading is not None:
            kind, text = heading
            if kind not in levels:
                levels.append(kind)
            for inner in levels[levels.index(kind) :]:
                headings.pop(inner, None)
            headings[kind] = written_case(text)
            continue
        if not number and _NOTE.match(fold(name)):
            continue  # "Ghi chú: …", "Tổng cộng: 120 đơn vị" below the list
        if _label_key(name) == _label_key(header.labels["name"]):
            continue  # the header again: its second row under merged cells, or repeated on a new page
        if not name:
            if code or _UNIT_NUMBER.match(number):
                index = columns["name"]
                where = table.where(row.number, index, header.labels["name"])
                problems.append(Problem(where, _("the unit has no name"), " | ".join(filled)))
            continue  # a note below the list
        aliases, groups = names(row, "aliases"), names(row, "groups")
        nested = [headings[kind] for kind in levels if kind in headings]
        entries.append(_Entry(row, name, code, aliases, groups, nested))
    seen: dict[str, _Entry] = {}
    for entry in entries:
        key = name_key(entry.name)
        first = seen.setdefault(key, entry)
        if first is not entry:
            where = table.where(entry.row.number, columns["name"], header.labels["name"])
            message = _("the same name as row {row}").format(row=first.row.number)
            problems.append(Problem(where, message, entry.name))
    return entries, problems


def _heading(number: str, name: str, filled: list[str]) -> tuple[str, str] | None:
    """A numbered heading row: "I" | "Các cơ quan chuyên môn", or "II. UBND các xã, phường" in one cell."""
    mark = number.strip().rstrip(".:)").strip()
    if mark and name and (_ROMAN.match(mark) or re.fullmatch(r"[A-Z]", mark)):
        return ("letter" if len(mark) == 1 and mark not in "IVXL" else "roman", name)
    if len(filled) == 1:
        found = _HEADING.match(filled[0])
        if found:
            mark = found.group(1)
            return ("roman" if _ROMAN.match(mark) else "letter", found.group(2).strip())
    return None


# ------------------------------------------------------------------------------------------- codes


def _codes(
    entries: list[_Entry], table: Table, header: _Header, problems: list[Problem], known: Mapping[str, str]
) -> list[str]:
    """Each unit's code: the file's, else the one the store has for that name, else made from the name."""
    column = header.columns.get("code")
    label = header.labels.get("code", "")
    taken: dict[str, _Entry] = {}
    reserved = {ALL_GROUP[0].upper()}
    for entry in entries:
        if not entry.code:
            continue
        where = table.where(entry.row.number, column, label)
        if _DOCUMENT_CODE.match(entry.code):  # "000.00.12.H55": the column is «Mã định danh»
            message = _(
                "this is an electronic document exchange code (mã định danh), not the unit's code: name the "
                "column «Mã định danh» (it is not read), or write a short code such as NV"
            )
            problems.append(Problem(where, message, entry.code))
            continue
        if not _CODE.match(entry.code):
            problems.append(Problem(where, _("a code may only hold letters, digits, _ and -"), entry.code))
            continue
        first = taken.setdefault(entry.code.upper(), entry)
        if first is not entry:
            message = _("the same code as row {row}").format(row=first.row.number)
            problems.append(Problem(where, message, entry.code))
    codes = [entry.code for entry in entries]
    used = set(taken) | reserved
    # The store's codes first, so that a unit added above one imported before does not take its code.
    for i, entry in enumerate(entries):
        stored = known.get(name_key(entry.name)) if not entry.code else None
        if stored and stored.upper() not in used:
            codes[i] = stored
            used.add(stored.upper())
    # A code the name's initials give two units ("Sở Tư pháp", "UBND xã Tân Phú": TP) is spelt out for
    # the second ("TANPHU", "XTANPHU" beside "Phường Tân Phú"), not numbered: "TP2" says nothing. Not
    # where two names differ only by diacritics ("Bình Thành", "Bình Thạnh": BINHTHANH would mislead).
    spelt: dict[str, int] = {}
    for entry in entries:
        for form in set(_spelt_codes(entry.name)):
            spelt[form] = spelt.get(form, 0) + 1
    for i, entry in enumerate(entries):
        if not codes[i]:
            codes[i] = _made_unique(entry.name, used, spelt)
            used.add(codes[i].upper())
    return codes


def _made_unique(name: str, used: set[str], spelt: Mapping[str, int]) -> str:
    initials = made_code(name)
    forms = [f for f in _spelt_codes(name) if spelt.get(f, 0) == 1 and len(f) <= MAX_CODE]
    choices = [*forms[:1], initials, *forms[1:]] if len(initials) == 1 else [initials, *forms]
    return next((code for code in choices if code.upper() not in used), None) or _unique(initials, used)


def _spelt_codes(name: str) -> list[str]:
    """A name's words spelt out without diacritics ("Cửa Tùng" → CUATUNG), then with the initial of the
    level left out before them ("Phường Tân Phú" → PTANPHU)."""
    dropped, kept = _code_words(name)
    whole = re.sub(r"[^A-Z0-9]", "", "".join(fold(w) for w in kept).upper())
    if not whole or whole.isdigit():
        return []
    level = fold(dropped[0])[:1].upper() if dropped else ""
    return [whole, level + whole] if level else [whole]


def _unique(code: str, used: set[str]) -> str:
    if code.upper() not in used:
        return code
    n = 2
    while f"{code}{n}".upper() in used:
        n += 1
    return f"{code}{n}"


def made_code(name: str) -> str:
    """A code from a unit's name, as the bundled registry writes them: initials without diacritics of
    the words after "UBND", the level of government and the organ's head noun ("Phòng", "Sở"); a
    number stays whole. "UBND xã Xà Phiên" → XP, "Phòng Tài chính - Kế hoạch" → TCKH, "UBND phường 1" → P1."""
    dropped, kept = _code_words(name)
    code = "".join(w if w.isdigit() else fold(w)[:1] for w in kept).upper()
    code = re.sub(r"[^A-Z0-9]", "", code)
    if code.isdigit() and dropped:  # "UBND phường 1": P1
        code = fold(dropped[0])[:1].upper() + code
    return code[:MAX_CODE] or "U"


def _code_words(name: str) -> tuple[list[str], list[str]]:
    """The words a code leaves out before the name (the level: "xã"), and those it is made of."""
    words = [w.lower() for w in _NAME_WORD.findall(unicodedata.normalize("NFC", name))]
    rest = list(words)
    dropped: list[str] = []
    for leads in _LEADING:
        lead = next((lead for lead in leads if tuple(rest[: len(lead)]) == lead and len(rest) > len(lead)), None)
        if lead is not None:
            dropped, rest = list(lead), rest[len(lead) :]
    if len(rest) > 1 and rest[-1] in _TRAILING:
        rest = rest[:-1]
    return dropped, [w for w in rest if w not in _JOINERS] or rest or words


# ------------------------------------------------------------------------------------------- registry


def _group_code(index: int) -> str:
    return f"nhom-{index}"


# A group's code from its heading's words, as a clerk reads it ("UBND các xã, phường, đặc khu" →
# xa-phuong-dac-khu, "Các cơ quan chuyên môn thuộc UBND tỉnh" → co-quan-chuyen-mon): without "các",
# "UBND" and whom the units belong to; nhom-1, nhom-2 … when longer or taken.
MAX_GROUP_CODE = 24
_GROUP_LEAD = re.compile(r"^(?:(?:tat ca cac|tat ca|toan bo|cac|ubnd|uy ban nhan dan) )+")
_GROUP_TAIL = re.compile(r" (?:truc thuoc|thuoc|cua|tren dia ban)(?: .*)?$")
_STATE_MANAGEMENT = re.compile(r"\bchuc nang quan ly nha nuoc\b")
_PUBLIC_SERVICE = re.compile(r"\bsu nghiep\b")
_COMMUNE_NAME = re.compile(r"^(?:xa|phuong|dac khu|thi tran) \S")


def _heading_code(name: str) -> str:
    words = _GROUP_TAIL.sub("", _GROUP_LEAD.sub("", match_key(name))).split()
    if _STATE_MANAGEMENT.search(match_key(name)):
        words = ["quan", "ly", "nha", "nuoc"]  # "Các đơn vị giúp Bộ trưởng thực hiện chức năng quản lý nhà nước"
    code = "-".join(words)
    return code if words and len(code) <= MAX_GROUP_CODE else ""


def _group_aliases(name: str) -> list[str]:
    """The other names appendices give a heading's group: "Các đơn vị sự nghiệp" is also "… sự nghiệp
    công lập" (and the reverse); the units "giúp Bộ trưởng thực hiện chức năng quản lý nhà nước" are
    "Các đơn vị quản lý nhà nước"."""
    key = match_key(name)
    aliases: list[str] = []
    if _PUBLIC_SERVICE.search(key) and "cong lap" in key:
        aliases.append(one_line(re.sub(r"\s*công lập\b", "", name, flags=re.IGNORECASE)))
    elif _PUBLIC_SERVICE.search(key):
        aliases.append(re.sub(r"(sự nghiệp)", r"\1 công lập", name, count=1, flags=re.IGNORECASE))
    if _STATE_MANAGEMENT.search(key):
        aliases.append("Các đơn vị quản lý nhà nước")
    return [alias for alias in aliases if match_key(alias) != key]


def _owner_aliases(organization: str) -> list[str]:
    """The names of every unit of a ministry or a department, as its plans write them."""
    key = match_key(organization)
    if key.startswith("bo "):
        return ["Các đơn vị thuộc Bộ"]
    if key.startswith("so "):
        return ["Các đơn vị thuộc Sở"]
    return []


def _commune_alias(name: str) -> str:
    """ "Xã Tân Phú" as appendices write its People's Committee: "UBND xã Tân Phú"."""
    if not _COMMUNE_NAME.match(match_key(name)):
        return ""
    return "UBND " + name[:1].lower() + name[1:]


def _raw_registry(organization: str, entries: list[_Entry], codes: list[str]) -> dict[str, Any]:
    """The registry as a YAML file would hold it: groups from headings and the group column, in the
    order they come, and the group of every unit."""
    names: dict[str, str] = {}  # group name's key → its code
    groups: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    used = {code.upper() for code in codes} | {ALL_GROUP[0].upper()}
    listed = {name_key(entry.name) for entry in entries}

    def group_code(name: str) -> str:
        code = _heading_code(name)
        number = len(groups) + 1
        while not code or code.upper() in used:
            code, number = _group_code(number), number + 1
        used.add(code.upper())
        return code

    for entry, code in zip(entries, codes, strict=True):
        unit: dict[str, Any] = {"code": code, "name": entry.name}
        commune = _commune_alias(entry.name)
        aliases = [*entry.aliases, commune] if commune and name_key(commune) not in listed else entry.aliases
        if aliases:
            unit["aliases"] = list(dict.fromkeys(aliases))
        member: list[str] = []
        for group in (*entry.headings, *entry.groups):
            key = match_key(group)
            if key not in names:
                names[key] = group_code(group)
                item: dict[str, Any] = {"code": names[key], "name": group}
                if other := _group_aliases(group):
                    item["aliases"] = other
                groups.append(item)
            if names[key] not in member:
                member.append(names[key])
        if member:
            unit["groups"] = member
        units.append(unit)
    if not any(match_key(g["name"]) in {match_key(n) for n in (ALL_GROUP[1], *ALL_ALIASES)} for g in groups):
        aliases = [*ALL_ALIASES, *_owner_aliases(organization)]
        groups.append({"code": ALL_GROUP[0], "name": ALL_GROUP[1], "aliases": aliases, "members": "all"})
    return {"organization": organization, "units": units, "groups": groups}


def registry_yaml(registry: Registry) -> str:
    """``registry`` as a registry file, to add other names to and import again."""
    head = _(
        "The units of {organization}, for dondoc units import: add the other names people write under "
        "aliases, then import this file again."
    ).format(organization=one_line(registry.organization))
    data = registry_document(registry)
    return "# " + head + "\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def registry_document(registry: Registry) -> dict[str, Any]:
    """``registry`` in the layout of a registry file (YAML's data): what a list of units gave, and
    what the store kept from an earlier file."""
    units: list[dict[str, Any]] = []
    for unit in registry.units:
        entry: dict[str, Any] = {"code": unit.code, "name": unit.name}
        if unit.aliases:
            entry["aliases"] = list(unit.aliases)
        if unit.groups:
            entry["groups"] = list(unit.groups)
        units.append(entry)
    groups: list[dict[str, Any]] = []
    for group in registry.groups:
        item: dict[str, Any] = {"code": group.code, "name": group.name}
        if group.aliases:
            item["aliases"] = list(group.aliases)
        if group.all_units:
            item["members"] = "all"
        groups.append(item)
    data: dict[str, Any] = {"organization": registry.organization}
    if registry.parent:
        data["parent"] = registry.parent
    if registry.coordinator:
        data["coordinator"] = registry.coordinator
    data["units"] = units
    if groups:
        data["groups"] = groups
    # What the store kept from an earlier registry file (:func:`kept_from_store`), as that file wrote it.
    for key, value in (
        ("reminders", registry.reminders),
        ("channels", registry.channels),
        ("extensions", registry.extensions),
        ("ranking", registry.ranking),
    ):
        if value:
            data[key] = value
    return data


# ------------------------------------------------------------------------------------------- recipients

# The header words of the focal point's columns, as lists write them (shown when neither is found).
PERSON_HEADERS = ("Họ và tên đầu mối", "Họ tên cán bộ đầu mối", "Người phụ trách")
PHONE_HEADERS = ("Điện thoại", "Số điện thoại", "SĐT", "Zalo")
_PERSON_LABEL = re.compile(
    r"^(ho (va )?ten|ten (can bo|cong chuc|nguoi)|(can bo|cong chuc|nguoi) (dau moi|phu trach|lien he|lien lac"
    r"|duoc phan cong|duoc giao|nhan)|dau moi\b)"
)
_PHONE_LABEL = re.compile(r"\b(zalo|di dong|dien thoai|so dt|sdt|dt)\b")
_PHONE_ORDER = ("zalo", "di dong")  # the number people are found by on Zalo first, then a mobile's


@dataclass(frozen=True)
class Recipient:
    """Who receives a unit's invite code: the focal point the clerk's list names, and their phone."""

    name: str
    phone: str
    row: int  # the row of the list, as a person finds it


def read_recipients(
    path: Path, *, codes: Mapping[str, str], names: Mapping[str, str]
) -> tuple[dict[str, Recipient], list[Problem]]:
    """The person and phone of each unit a clerk's list names (``dondoc invite create --recipients``),
    by the unit's code in the store, and a warning for each row naming a unit the store does not have.

    The rows are read as :func:`read_registry_table` reads them, so the same rows are the same units:
    a unit is found by the list's code when it gives one (``codes``: the store's codes by their upper
    case), else by its name or another name (``names``: the store's codes by :func:`name_key`). The
    person's name and phone are personal data: returned for this command only, never stored.
    Raises :class:`InputError` when the file holds no list, or no column of a person or a phone."""
    table, header = _listed(path)
    person, phones, below = _recipient_columns(table, header)
    if person is None and not phones:
        words = ", ".join(f"«{w}»" for w in (*PERSON_HEADERS, *PHONE_HEADERS))
        message = _("no column of the person or their phone found: expected a header such as {words}").format(
            words=words
        )
        raise InputError([Problem(path.name, message)])
    entries = _entries(table, header)[0]  # its problems the import named; a recipient needs its unit only
    found_by: dict[str, Recipient] = {}
    problems: list[Problem] = []

    def cell(row: Row, index: int | None) -> str:
        return one_line(row.cells[index]) if index is not None and index < len(row.cells) else ""

    for entry in entries:
        if entry.row.number == below:
            continue  # the header's second row: "Họ và tên" | "Số điện thoại" under "Đầu mối"
        if entry.code:
            code = codes.get(entry.code.upper())
            where = table.where(entry.row.number, header.columns.get("code"), header.labels.get("code", ""))
            value = entry.code
        else:
            code = names.get(name_key(entry.name))
            where = table.where(entry.row.number, header.columns["name"], header.labels["name"])
            value = entry.name
        if code is None:
            message = _("no such unit in the registry: the row is left out")
            problems.append(Problem(where, message, value, severity="warning", row=entry.row.number))
            continue
        phone = next((text for text in (cell(entry.row, i) for i in phones) if any(c.isdigit() for c in text)), "")
        name = cell(entry.row, person)
        if name or phone:
            found_by.setdefault(code, Recipient(name, phone, entry.row.number))
    return found_by, problems


def _recipient_columns(table: Table, header: _Header) -> tuple[int | None, list[int], int | None]:
    """The column of the person's name, those of a phone (Zalo's first), and the header's second row
    when they are labelled there (a merged "Cán bộ đầu mối" over "Họ và tên" | "Điện thoại"): a row
    right under the header whose name cell is empty or the header's, merged down."""
    taken = set(header.columns.values())
    name = header.columns["name"]
    below = table.rows[header.index + 1] if header.index + 1 < len(table.rows) else None
    rows = [table.rows[header.index]]
    if below is not None and (
        name in below.continued or not below.cells[name : name + 1] or not below.cells[name].strip()
    ):
        rows.insert(0, below)
    for row in rows:
        person: int | None = None
        phones: list[tuple[int, int]] = []  # (rank, column)
        for column, text in enumerate(row.cells):
            key = _label_key(text)
            if column in taken or not key or len(key) > 60:
                continue
            if _PERSON_LABEL.search(key):
                person = column if person is None else person
            elif _PHONE_LABEL.search(key):
                rank = next((i for i, word in enumerate(_PHONE_ORDER) if word in key), len(_PHONE_ORDER))
                phones.append((rank, column))
        if person is not None or phones:
            return person, [column for _rank, column in sorted(phones)], row.number if row is below else None
    return None, [], None
