"""A commune's IT officer setting dondoc up in week one, from the README: the commune's own list of
offices and hamlets under its office's letterhead, invites for everyone in a sheet, a hamlet renamed
in the corrected list, and the manager played in the sandbox."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook

from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.db.session import open_store
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc

NO_BOT = {"ZALO_BOT_TOKEN": "", "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BOT_USERNAME": "", "ZALO_BOT_NAME": ""}


def _list(path: Path, *, hamlets: tuple[str, ...] = ("Ấp Tân Hòa", "Ấp Tân Lợi"), code: str = "") -> Path:
    """The commune's list as its office keeps it: the commune over the office in the letterhead, a
    title, numbered headings in capitals, the focal points' names and phones beside each unit."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    rows: list[list[object]] = [
        ["UBND XÃ TÂN PHƯỚC", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["VĂN PHÒNG HĐND VÀ UBND", None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        ["DANH SÁCH ĐẦU MỐI CÁC BỘ PHẬN, ẤP THEO DÕI KẾ HOẠCH NĂM 2026"],
        ["TT", "Tên bộ phận, ấp", "Họ tên đầu mối", "Điện thoại", "Mã" if code else None],
        ["I", "CÁC CƠ QUAN, BỘ PHẬN CHUYÊN MÔN"],
        [1, "Văn phòng HĐND và UBND xã", "Nguyễn Văn An", "0912345678"],
        [2, "Phòng Kinh tế", "Trần Thị Bình", "0987654321"],
        ["II", "CÁC ẤP"],
    ]
    for number, name in enumerate(hamlets, start=1):
        rows.append([number, name, "Đặng Thị Giang", "0955666777", code if number == len(hamlets) - 1 else None])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_the_offices_letterhead_names_the_commune_and_makes_the_office_its_coordinator(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    said = dondoc.ok("units", "import", _list(tmp_path / "ds.xlsx")).stdout
    # Before: "Văn phòng HĐND và UBND: 4 cơ quan, đơn vị" — the office, not the commune.
    assert said.startswith("UBND xã Tân Phước: 4 cơ quan, đơn vị"), said
    listing = dondoc.ok("units", "list", "--json").json()
    assert listing["organization"] == "UBND xã Tân Phước"
    office = next(unit for unit in listing["units"] if unit["name"] == "Văn phòng HĐND và UBND xã")
    assert listing["coordinator"] == office["code"]
    # Before: "Các cơ quan, bộ Phận chuyên môn" (BỘ read as a ministry, "Bộ Nội vụ").
    assert [group["name"] for group in listing["groups"]][:2] == ["Các cơ quan, bộ phận chuyên môn", "Các ấp"]


def test_the_invite_sheet_gives_real_dates_and_says_when_its_messages_name_no_bot(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    dondoc.ok("units", "import", _list(tmp_path / "ds.xlsx"))
    output = tmp_path / "ma-moi.xlsx"
    made = dondoc.ok("invite", "create", "--all", "-o", output, env=NO_BOT)
    sheet = load_workbook(output).active
    assert sheet is not None
    until = sheet["E2"]
    assert sheet["E1"].value == "Hiệu lực đến"
    assert isinstance(until.value, datetime), until.value  # before: the text "12/12/2026 04:42"
    assert until.number_format == "dd/mm/yyyy hh:mm"
    said = " ".join(made.stderr.split())
    assert "các tin nhắn gửi đơn vị không nêu tên bot" in said, said
    assert "ZALO_BOT_NAME" in said


def test_a_renamed_hamlet_is_named_and_the_way_to_keep_its_people_is_said(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", _list(tmp_path / "ds.xlsx"))
    dondoc.ok("invite", "create", "--all", env=NO_BOT)  # the hamlets have codes: they have history
    renamed = ("Ấp Tân Hòa", "Ấp Tân Lợi A", "Ấp Phước Lộc")
    again = dondoc.ok("units", "import", _list(tmp_path / "ds2.xlsx", hamlets=renamed))
    said = " ".join(again.stderr.split())
    # Before: "Giữ lại ở trạng thái ngừng theo dõi vì đã có lịch sử: ATL" — a code the clerk never wrote.
    assert "Ấp Tân Lợi (ATL)" in said, said
    assert "Ấp Tân Lợi A; Ấp Phước Lộc" in said and "«Mã»" in said, said
    # Done as said: the hamlet keeps its code (and its people and invites), the stray new one goes.
    dondoc.ok("units", "import", _list(tmp_path / "ds3.xlsx", hamlets=renamed, code="ATL"))
    units = {unit["code"]: unit["name"] for unit in dondoc.ok("units", "list", "--json").json()["units"]}
    assert units["ATL"] == "Ấp Tân Lợi A"
    assert "Ấp Tân Lợi A" not in {name for code, name in units.items() if code != "ATL"}


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def test_the_sandbox_says_why_there_is_no_manager_to_play(dondoc: Dondoc, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["DANH SÁCH CÁC BỘ PHẬN THUỘC UBND XÃ TÂN PHƯỚC"], ["TT", "Tên bộ phận"], [1, "Phòng Kinh tế"]):
        sheet.append(row)
    book.save(tmp_path / "ds.xlsx")
    dondoc.ok("units", "import", tmp_path / "ds.xlsx")  # no letterhead office: no coordinator
    engine = open_store(dondoc.url)
    try:
        out = io.StringIO()
        await Sandbox(engine, Clock(datetime(2026, 3, 16, 8, 30, tzinfo=TZ)), out).run(_typed(["/as manager"]))
    finally:
        engine.dispose()
    text = out.getvalue()
    # Before: "Không có cơ quan, đơn vị nào tên manager." — as if "manager" were a unit's name.
    assert "nào tên manager" not in text
    assert "chưa có đơn vị theo dõi kế hoạch" in text and "coordinator:" in text, text
