"""The files an English-speaking manager (an international adviser) gets: the status workbook from the
command line and from the chat. Labels, dates and the file's name read in English; the plan's own
content (tasks, units, the plan's title) stays as the plan was written, in Vietnamese."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.handlers.test_province import PROVINCE, _province


def english_export(store: Dondoc, tmp_path: Path, *args: str) -> Any:
    path = tmp_path / "status.xlsx"
    store.ok("--lang", "en", "export", *args, "-o", path)
    return load_workbook(path)


def test_the_english_detail_shows_dates_an_english_reader_cannot_misread(sample_store: Dondoc, tmp_path: Path) -> None:
    ws = english_export(sample_store, tmp_path, "--at", "2022-04-10")["Details"]
    i1 = next(ws.iter_rows(min_row=2, max_row=2))
    assert (ws["E1"].value, i1[0].value, i1[3].value) == ("Deadline", "I.1", "lead")
    # 31/01/2022 read as "day/month" or "month/day"? "31 Jan 2022" cannot be misread.
    assert (i1[4].value.date().isoformat(), i1[4].number_format) == ("2022-01-31", "d mmm yyyy")


def test_the_english_explanations_sheet_shows_dates_in_english(sample_store: Dondoc, tmp_path: Path) -> None:
    sample_store.ok("explanation", "add", "--task", "I.4", "--unit", "NV", "--at", "2022-04-05")
    ws = english_export(sample_store, tmp_path, "--at", "2022-04-10")["Explanations"]
    assert ws["F1"].value == "Asked on"
    assert (ws["F2"].value.date().isoformat(), ws["F2"].number_format) == ("2022-04-05", "d mmm yyyy")


def test_the_chat_offers_the_english_manager_a_workbook_named_in_english(engine: Engine, sample_store: Dondoc) -> None:
    dispatcher = make_dispatcher(engine, datetime(2022, 4, 5, 9, 15, tzinfo=TZ))
    manager = Chat(dispatcher, "301", name="Anna Smith", language_code="en")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=dispatcher.clock.now())}")
    [reply] = manager.send("/export")

    assert reply.file is not None
    assert reply.file.file_name == "status-2022-04-05.xlsx"  # was tinh-hinh-2022-04-05.xlsx
    assert reply.file.caption == "Status at 09:15 on 5 Apr 2022"


def test_the_english_provinces_roll_up_is_named_and_titled_in_english(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    engine = open_store(sample_store.url)
    try:
        province = Chat(make_dispatcher(engine, datetime(2022, 4, 5, 9, 15, tzinfo=TZ)), "700", language_code="en")
        province.send(f"/start {invite['code']}")
        [reply] = province.send("/export")
    finally:
        engine.dispose()

    assert reply.file is not None
    assert reply.file.file_name == "status-roll-up-2022-04-05.xlsx"  # was tinh-hinh-tong-hop-2022-04-05.xlsx
    book = load_workbook(io.BytesIO(reply.file.data))
    assert [ws.title for ws in book.worksheets] == ["By organisation", "By area"]
    assert [ws["A1"].value for ws in book.worksheets] == ["Status at 09:15 on 5 Apr 2022"] * 2
