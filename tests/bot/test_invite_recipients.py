"""``dondoc invite create … --recipients ds.xlsx``: the clerk's list of units, with each unit's focal
point and phone, puts who receives each code and their phone next to it in the sheet (the phone as
text, as written), the units matched as ``units import`` matched them; the names and phones are
personal data, read for this command only and never stored."""

from __future__ import annotations

import stat
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import Dondoc, sqlite_only
from tests.plan.test_registry_table import sheet

TITLE = ["DANH SÁCH ĐẦU MỐI CÁC CƠ QUAN, ĐƠN VỊ THUỘC UBND XÃ TÂN PHƯỚC"]
HEADER = ["STT", "Tên đơn vị", "Họ và tên đầu mối", "Chức vụ", "Số điện thoại"]
ROWS: list[list[object]] = [
    [1, "Văn phòng HĐND và UBND", "Nguyễn Văn An", "Chánh Văn phòng", "0912 345 678"],
    [2, "Phòng Kinh tế", "Trần Thị Bình", "Phó Trưởng phòng", "0987654321"],
    [3, "Ấp Tân Lợi", "", "", ""],  # no focal point named yet
]
PEOPLE = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
PHONES = ("0912 345 678", "0912345678", "0987654321", "0905111222")


def _imported(dondoc: Dondoc, tmp_path: Path) -> Path:
    """The list imported, then a row added for a unit the store does not have: the list to read."""
    dondoc.ok("units", "import", sheet(tmp_path / "ds-cu.xlsx", [TITLE, HEADER, *ROWS]))
    added: list[object] = [4, "Ấp Tân Hòa", "Lê Văn Cường", "Trưởng ấp", "0905111222"]
    return sheet(tmp_path / "ds.xlsx", [TITLE, HEADER, *ROWS, added])


@sqlite_only
def test_the_sheet_names_who_receives_each_code_and_their_phone_as_text_and_the_store_keeps_neither(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    listing = _imported(dondoc, tmp_path)
    output = tmp_path / "ma-moi.xlsx"
    result = dondoc.ok("invite", "create", "--all", "--recipients", listing, "-o", output)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    sheet = load_workbook(output).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã đơn vị", "Tên đơn vị", "Người nhận", "Điện thoại", "Vai trò")
    people = {row[1]: (row[2], row[3]) for row in rows[1:]}
    assert people == {
        "Văn phòng HĐND và UBND": ("Nguyễn Văn An", "0912 345 678"),
        "Phòng Kinh tế": ("Trần Thị Bình", "0987654321"),
        "Ấp Tân Lợi": (None, None),  # no person in the list: empty cells
    }
    phone = next(cell for cell in sheet["D"] if cell.value == "0987654321")
    assert phone.data_type == "s" and phone.number_format == "@"  # text, leading 0 kept: no number
    # The row for a unit the store does not have: a warning naming the row and the unit, no error.
    said = " ".join(result.stderr.split())
    assert "dòng 6, cột B (Tên đơn vị): không có đơn vị này trong danh mục" in said, said
    assert "«Ấp Tân Hòa»" in said
    assert not any(text in result.stderr + result.stdout for text in (*PEOPLE, *PHONES))
    # Personal data for this command only: neither the names nor the phones are in the store.
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("dondoc.db*"))
    assert b"Ph\xc3\xb2ng Kinh t\xe1\xba\xbf" in stored  # the units are (the file is the store)
    for text in (*PEOPLE, *PHONES):
        assert text.encode() not in stored, text


def test_printed_lines_name_the_person_json_gives_the_phone_too_and_english_headers(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    listing = _imported(dondoc, tmp_path)
    printed = dondoc.ok("invite", "create", "Phòng Kinh tế", "--recipients", listing).stdout
    assert printed.rstrip("\n").split("\t")[1:] == ["KT", "Phòng Kinh tế", "Trần Thị Bình"]
    assert "0987654321" not in printed
    made = dondoc.ok("invite", "create", "--all", "--again", "--recipients", listing, "--json").json()
    people = {row["unit_name"]: (row["recipient"], row["phone"]) for row in made["invites"]}
    assert people["Văn phòng HĐND và UBND"] == ("Nguyễn Văn An", "0912 345 678")
    assert people["Ấp Tân Lợi"] == ("", "")
    assert any("Ấp Tân Hòa" in warning for warning in made["warnings"])
    csv = tmp_path / "invites.csv"
    dondoc.ok("invite", "create", "--all", "--again", "--recipients", listing, "-o", csv, "--lang", "en")
    header, *lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert header.startswith("Unit code,Unit name,Recipient,Phone,Role")
    assert any(",Trần Thị Bình,0987654321," in line for line in lines)


def test_a_file_without_a_person_or_phone_column_refuses_and_makes_no_code(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", sheet(tmp_path / "ds.xlsx", [TITLE, HEADER[:2], *(row[:2] for row in ROWS)]))
    result = dondoc("invite", "create", "--all", "--recipients", tmp_path / "ds.xlsx", "--json")
    assert result.code == 1
    assert "không tìm thấy cột" in result.stderr and "«Số điện thoại»" in result.stderr, result.stderr
    assert dondoc.ok("invite", "list", "--json").json() in ([], {"invites": []})
