"""The manager's files, leftovers of the audit: text people typed stays text on every sheet once the
clerk edits the cell (explanations, targets, summary, ranking, the province's roll-up), and the roll-up
and the chart made today say at what time, as the status workbook does."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from PIL.PngImagePlugin import PngImageFile
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import MemberRole, Organization, Plan, Unit
from dondoc.db.session import open_store
from dondoc.plan.rollup import plans_of, rollup, write_rollup_xlsx
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.handlers.test_province import PROVINCE, _province
from tests.targets.helpers import TARGETS, import_targets

AT_0915 = {"DONDOC_NOW": "2022-04-05T09:15"}
TODAY_0915 = "Tình hình đến 09:15 ngày 05/04/2022"


def export(store: Dondoc, tmp_path: Path, *args: str) -> Any:
    path = tmp_path / "tinh-hinh.xlsx"
    store.ok("export", *args, "-o", path)
    return load_workbook(path)  # not read-only: formulas and quote prefixes are seen as written


def typed_text(cell: Any, value: str) -> None:
    """``cell`` holds ``value`` as text that stays text when the clerk edits it in Excel."""
    assert (cell.value, cell.data_type) == (value, "s"), cell.coordinate
    assert cell.quotePrefix, cell.coordinate


# ---------------------------------------------------------------- typed text stays text


def test_an_explanation_typed_like_a_formula_is_quote_prefixed(sample_store: Dondoc, tmp_path: Path) -> None:
    answer = "-Do chờ Sở Tài chính thẩm định"
    sample_store.ok("explanation", "add", "--task", "I.4", "--unit", "NV", "--at", "2022-04-05")
    sample_store.ok("explanation", "answer", "1", "--text", answer, "--at", "2022-04-07")
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Giải trình"]

    assert ws["I1"].value == "Nội dung giải trình"
    typed_text(ws["I2"], answer)  # was plain text: "#NAME?" once the clerk fixes a typo in it
    assert ws["D2"].value == "Phòng Nội vụ" and not ws["D2"].quotePrefix  # ordinary text as it was
    assert ws["B2"].value == "I.4" and ws["B2"].font.b  # the code still bold


def test_a_target_typed_like_a_formula_is_quote_prefixed(sample_store: Dondoc, tmp_path: Path) -> None:
    text = "- Giải quyết trước hạn, đúng hạn từ 95% trở lên số hồ sơ thủ tục hành chính"
    targets = TARGETS.replace('"Giải quyết trước hạn', '"- Giải quyết trước hạn').replace("code: HL", "code: -HL")
    import_targets(sample_store, tmp_path, targets)
    ws = export(sample_store, tmp_path, "--at", "2022-04-05")["Chỉ tiêu"]

    rows = {row[0].value: row for row in ws.iter_rows(min_row=4)}
    typed_text(rows["T1"][1], text)
    assert not rows["T1"][0].quotePrefix and not rows["ISO"][1].quotePrefix
    typed_text(rows["-HL"][0], "-HL")
    assert rows["-HL"][0].font.b


def test_names_typed_like_formulas_stay_text_in_the_summary_and_the_ranking(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    title = "=1+2 Kế hoạch cải cách hành chính năm 2022"
    name = "-Phòng Nội vụ"
    session.exec(select(Plan)).one().title = title
    session.exec(select(Unit).where(Unit.code == "NV")).one().name = name
    session.commit()
    book = export(sample_store, tmp_path, "--at", "2022-04-05")

    summary = book["Tổng hợp"]
    assert (summary["A2"].value, summary["A2"].data_type) == (title, "s")  # was a live formula
    assert "A2:I2" in {str(r) for r in summary.merged_cells.ranges}  # still one line across the table
    nv = next(row for row in summary.iter_rows() if row[0].value == "NV")
    typed_text(nv[1], name)
    xp = next(row for row in summary.iter_rows() if row[0].value == "XP")
    assert not xp[1].quotePrefix
    ranking = book["Xếp loại"]
    nv = next(row for row in ranking.iter_rows(min_row=4) if row[1].value == "NV")
    typed_text(nv[2], name)


def test_names_typed_like_formulas_stay_text_in_the_roll_up(sample_store: Dondoc, session: Session) -> None:
    [(organization, plan)] = plans_of(session, [o.id for o in session.exec(select(Organization)) if o.id])
    organization.name = '=HYPERLINK("http://vi-du.example","Long Mỹ")'
    plan.title = "+ Kế hoạch cải cách hành chính năm 2022"
    buffer = io.BytesIO()
    write_rollup_xlsx(rollup(session, [(organization, plan)], datetime(2022, 4, 5).date()), buffer)

    ws = load_workbook(io.BytesIO(buffer.getvalue()))["Theo cơ quan"]
    typed_text(ws["A3"], organization.name)  # was a live HYPERLINK in the province's file
    typed_text(ws["B3"], plan.title)
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


# ---------------------------------------------------------------- the time in the title


def test_the_roll_up_of_today_says_the_time_and_a_past_day_does_not(sample_store: Dondoc, session: Session) -> None:
    plans = plans_of(session, [o.id for o in session.exec(select(Organization)) if o.id])
    now = datetime(2022, 4, 5, 9, 15, tzinfo=TZ)
    for day, heading in ((now.date(), TODAY_0915), (datetime(2022, 4, 4).date(), "Tình hình đến ngày 04/04/2022")):
        buffer = io.BytesIO()
        write_rollup_xlsx(rollup(session, plans, day), buffer, now=now)
        book = load_workbook(io.BytesIO(buffer.getvalue()))
        assert [ws["A1"].value for ws in book.worksheets] == [heading, heading]


def test_the_provinces_files_of_today_say_the_time(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    engine = open_store(sample_store.url)
    try:
        province = Chat(make_dispatcher(engine, datetime(2022, 4, 5, 9, 15, tzinfo=TZ)), "700", name="Lãnh Đạo Tỉnh")
        province.send(f"/start {invite['code']}")
        [reply] = province.send("/export")
        assert reply.file is not None and reply.file.caption == TODAY_0915
        book = load_workbook(io.BytesIO(reply.file.data))
        assert [ws["A1"].value for ws in book.worksheets] == [TODAY_0915, TODAY_0915]
    finally:
        engine.dispose()

    path = tmp_path / "tinh.xlsx"
    sample_store.ok("export", "--org", PROVINCE, "-o", path, env=AT_0915)
    assert load_workbook(path)["Theo cơ quan"]["A1"].value == TODAY_0915
    sample_store.ok("export", "--org", PROVINCE, "--at", "2022-04-04", "-o", path, env=AT_0915)
    assert load_workbook(path)["Theo cơ quan"]["A1"].value == "Tình hình đến ngày 04/04/2022"


def png_title(data: bytes) -> str:
    picture = Image.open(io.BytesIO(data))
    assert isinstance(picture, PngImageFile)
    return picture.text["Title"]


@pytest.mark.slow
def test_the_chart_of_today_says_the_time_and_a_past_day_does_not(
    engine: Engine, sample_store: Dondoc, tmp_path: Path
) -> None:
    dispatcher = make_dispatcher(engine, datetime(2022, 4, 5, 9, 15, tzinfo=TZ))
    manager = Chat(dispatcher, "301", name="Lê Lãnh Đạo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=dispatcher.clock.now())}")
    [reply] = manager.send("/chart")
    assert reply.file is not None and reply.file.kind == "photo"
    assert reply.file.caption == TODAY_0915  # as the workbook sent by /export at the same moment
    assert png_title(reply.file.data).endswith(f" — {TODAY_0915}")

    path = tmp_path / "bieu-do.png"
    sample_store.ok("chart", "-o", path, env=AT_0915)
    assert png_title(path.read_bytes()).endswith(f" — {TODAY_0915}")
    sample_store.ok("chart", "--at", "2022-04-04", "-o", path, env=AT_0915)
    assert png_title(path.read_bytes()).endswith(" — Tình hình đến ngày 04/04/2022")
