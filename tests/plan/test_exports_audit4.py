"""The manager's files, last leftovers of the clerk's weekly audit: the detail's "Thời hạn" is the plan's
date even when extended (the extension only in "Gia hạn đến"), the summary's title lines typed like
formulas stay text once edited, and every table a clerk filters has its filter, frozen header and
percentages (the ranking sheet, the province's roll-up)."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session, select

from dondoc.db.models import Organization, Plan, Task
from dondoc.plan.rollup import plans_of, rollup, write_rollup_xlsx
from tests.conftest import Dondoc
from tests.factories import add_report
from tests.plan.test_exports_audit2 import day, export, lead_rows
from tests.plan.test_exports_audit3 import typed_text

# ---------------------------------------------------------------- the deadline and its extension


def test_the_deadline_column_holds_the_plans_date_and_the_extension_only_its_own(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    sample_store.ok("extension", "add", "--task", "I.4", "--unit", "NV", "--to", "2022-04-30", "--at", "2022-03-25")
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Chi tiết"]

    header = [c.value for c in ws[1]]
    assert (header[4], header[14]) == ("Thời hạn", "Gia hạn đến")
    i4 = lead_rows(ws)[("I.4", "Phòng Nội vụ")]
    assert day(i4[4]) == date(2022, 3, 31)  # was the text "31/03/2022, gia hạn đến 30/04/2022"
    assert day(i4[14]) == date(2022, 4, 30)
    # Every dated item's deadline sorts and filters as a date; no extension written out as text.
    column = [row[4].value for row in ws.iter_rows(min_row=2)]
    assert not [v for v in column if isinstance(v, str) and "gia hạn" in v]
    assert all(isinstance(v, datetime) for v in column[: column.index(datetime(2022, 3, 31)) + 1])


# ---------------------------------------------------------------- typed text stays text


def test_the_summarys_title_lines_typed_like_formulas_stay_text_once_edited(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    ordinary = export(sample_store, tmp_path, "--at", "2022-04-05")["Tổng hợp"]["A2"]
    assert ordinary.value == "Nhiệm vụ cải cách hành chính năm 2022" and not ordinary.quotePrefix  # as it was
    organization = '=HYPERLINK("http://vi-du.example","UBND huyện Long Mỹ")'
    title = "- Kế hoạch cải cách hành chính năm 2022"
    session.exec(select(Organization)).one().name = organization
    session.exec(select(Plan)).one().title = title
    session.commit()
    summary = export(sample_store, tmp_path, "--at", "2022-04-05")["Tổng hợp"]

    typed_text(summary["A1"], organization)  # was text only until the clerk edited the cell
    typed_text(summary["A2"], title)
    assert summary["A3"].value == "Tình hình đến ngày 05/04/2022" and not summary["A3"].quotePrefix
    assert {"A1:I1", "A2:I2", "A3:I3"} <= {str(r) for r in summary.merged_cells.ranges}  # still centred lines
    assert summary["A2"].font.b and summary["A2"].font.sz == 14


def test_a_task_code_typed_like_a_formula_stays_text_in_the_detail(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    session.exec(select(Task).where(Task.code == "I.4")).one().code = "-4"
    session.commit()
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Chi tiết"]

    [cell] = [row[0] for row in ws.iter_rows(min_row=2) if row[0].value == "-4" and row[3].value == "chủ trì"]
    typed_text(cell, "-4")
    assert not ws["A2"].quotePrefix  # "I.1" as it was


# ---------------------------------------------------------------- filters, frozen headers, percentages


def test_the_ranking_sheet_filters_its_units(sample_store: Dondoc, tmp_path: Path) -> None:
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Xếp loại"]

    assert [c.value for c in ws[3]][:3] == ["Hạng", "Mã", "Đơn vị"]
    units = [row[1].value for row in ws.iter_rows(min_row=4) if row[1].value]
    last = 3 + len(units)
    assert ws.auto_filter.ref == f"A3:{ws[3][-1].column_letter}{last}"  # the weights' note below stays out
    assert "Trọng số" in str(ws[f"A{last + 2}"].value)
    assert ws.freeze_panes == "A4"


def rollup_book(session: Session, as_of: date = date(2022, 4, 15)) -> Any:
    plans = plans_of(session, [o.id for o in session.exec(select(Organization)) if o.id])
    buffer = io.BytesIO()
    write_rollup_xlsx(rollup(session, plans, as_of), buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_the_roll_up_shows_rates_as_percentages_under_a_filter_and_a_frozen_header(
    sample_store: Dondoc, session: Session
) -> None:
    add_report(session, "I.1", "NV", "done", datetime(2022, 1, 28, 16, 0))  # one on time, the rest overdue
    book = rollup_book(session)
    by_org, by_area = book["Theo cơ quan"], book["Theo lĩnh vực"]

    assert by_org["H2"].value == "Tỷ lệ đúng hạn"
    total = by_org.max_row
    assert 0 < by_org["H3"].value < 0.5  # the share itself, shown "1,8%"; was the number 1.8
    assert by_org[f"A{total}"].value == "Tổng"
    for ws, rows in ((by_org, range(3, total + 1)), (by_area, range(3, by_area.max_row + 1))):
        rate = ws.cell(2, ws.max_column).column_letter
        for n in rows:
            cell = ws[f"{rate}{n}"]
            if cell.value == "—":  # an area with nothing due yet
                continue
            assert isinstance(cell.value, int | float) and 0 <= cell.value <= 1, cell.coordinate
            assert cell.number_format == "0.0%", cell.coordinate
        assert ws.freeze_panes == "A3", ws.title
    assert by_org.auto_filter.ref == f"A2:H{total - 1}"  # sorting the organisations leaves the total last
    assert by_area.auto_filter.ref == f"A2:G{by_area.max_row}"


def test_the_roll_up_gives_no_rate_where_nothing_is_due_yet(sample_store: Dondoc, session: Session) -> None:
    """As the status workbook does: "—" rather than a 0,0 % that reads as every deadline missed."""
    book = rollup_book(session, date(2022, 1, 3))  # the plan's first deadline is weeks away
    by_org, by_area = book["Theo cơ quan"], book["Theo lĩnh vực"]
    assert [by_org.cell(n, 8).value for n in range(3, by_org.max_row + 1)] == ["—", "—"]  # the plan, the total
    assert {by_area.cell(n, 7).value for n in range(3, by_area.max_row + 1)} == {"—"}
    book = rollup_book(session, date(2022, 4, 15))
    assert book["Theo cơ quan"]["H3"].value == 0  # once something is due, the share again (none on time)
