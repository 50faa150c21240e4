"""Documents for people: the status workbook (``dondoc export``), the chart (``dondoc chart``) and the
draft periodic report (``dondoc report draft``), checked the way a manager would read them — same
figures as ``dondoc status``, the appendix's order, the official Vietnamese names, the colours.

Reports are written straight into the store, as the bot records them; one comes through
``dondoc report add`` (entered by an administrator)."""

from __future__ import annotations

import io
import struct
import warnings
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from dondoc.db.models import Area, Plan
from dondoc.i18n import use_language
from dondoc.plan.chart import render_status_png
from dondoc.plan.progress import CATEGORIES, category_label, plan_status
from dondoc.plan.report_draft import outlook_window, report_window
from dondoc.plan.status_workbook import CATEGORY_COLOURS
from tests.conftest import Dondoc
from tests.factories import add_report

AS_OF = "2022-04-10"
LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "in_progress": "Đang thực hiện",
    "not_started": "Chưa thực hiện",
    "overdue": "Quá hạn",
}


@pytest.fixture
def reported(sample_store: Dondoc, session: Session) -> Dondoc:
    """The sample plan with the first quarter's reports: one of each category, a blocked task, a
    supporting unit's part, a continuous task's check-in, and a report made after 10/04/2022."""
    # I.1 (NV, due 31/01): done on time, by a named focal point, with a document number and a photo.
    add_report(
        session,
        "I.1",
        "NV",
        "done",
        datetime(2022, 1, 28, 16, 0),
        note="Đã ban hành kế hoạch",
        evidence_ref="15/KH-UBND",
        evidence_kind="photo",
        reporter="Nguyễn Thị Hoa",
    )
    # I.1 supporting unit VP: its part, with a PDF.
    add_report(session, "I.1", "VP", "done", datetime(2022, 1, 25, 9, 0), evidence_kind="document")
    # I.4 (NV, due 31/03): in progress, then overdue.
    add_report(session, "I.4", "NV", "in_progress", datetime(2022, 3, 20, 9, 0), percent=50, note="Đang thẩm định")
    # I.9 (NV, due 30/09): blocked since 10/03.
    add_report(
        session,
        "I.9",
        "NV",
        "blocked",
        datetime(2022, 3, 10, 9, 0),
        percent=20,
        note="Chưa có kinh phí tổ chức",
        blocked_reason="Chưa có kinh phí tổ chức",
    )
    # I.7 (VHTT, continuous): a check-in.
    add_report(session, "I.7", "VHTT", "in_progress", datetime(2022, 3, 15, 9, 0), percent=40, note="Đã phát 4 tin")
    # VII.1 (VHTT, due 31/03): done on 05/04 — after the as-of date of the draft, before the export's.
    add_report(session, "VII.1", "VHTT", "done", datetime(2022, 4, 5, 9, 0))
    # III.2 (VP, due 30/09): done after 10/04 — not yet known at 10/04.
    add_report(session, "III.2", "VP", "done", datetime(2022, 4, 20, 9, 0))
    # I.3 (TCKH, due 31/03): completed on 02/04, entered by the office from a paper report.
    sample_store.ok("report", "add", "--task", "I.3", "--unit", "TCKH", "--status", "done", "--at", "02/04/2022")
    return sample_store


def status_json(store: Dondoc, day: str) -> Any:
    return store.ok("status", "--at", day, "--json").json()


def plan_areas(session: Session) -> list[Area]:
    plan = session.exec(select(Plan)).one()
    return list(session.exec(select(Area).where(Area.plan_id == plan.id).order_by(col(Area.position))))


# ---------------------------------------------------------------- the workbook


def export(store: Dondoc, tmp_path: Path, *extra: str) -> Any:
    from openpyxl import load_workbook

    path = tmp_path / "tinh-hinh.xlsx"
    result = store.ok("export", "--at", AS_OF, "-o", path, *extra)
    assert str(path) in result.stderr
    if "--json" not in extra:
        assert result.stdout == ""
    return load_workbook(path)


def summary_rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def table_after(rows: list[tuple[Any, ...]], heading: str) -> dict[str, list[Any]]:
    """Rows of the summary table under ``heading`` (after its header row), by their code."""
    start = next(n for n, row in enumerate(rows) if row[0] == heading) + 2
    table: dict[str, list[Any]] = {}
    for row in rows[start:]:
        if row[0] is None:
            break
        table[row[0]] = list(row[2:])
    return table


def test_the_summary_sheet_has_the_same_figures_as_status(reported: Dondoc, tmp_path: Path) -> None:
    expected = status_json(reported, AS_OF)
    assert expected["totals"] == {
        "done_on_time": 1,  # I.1
        "done_late": 2,  # I.3, VII.1
        "in_progress": 1,  # I.9, blocked
        "not_started": expected["totals"]["not_started"],
        "overdue": expected["totals"]["overdue"],
    }
    wb = export(reported, tmp_path)
    rows = summary_rows(wb.worksheets[0])
    text = [str(cell) for row in rows for cell in row if cell is not None]
    assert "Nhiệm vụ cải cách hành chính năm 2022" in text
    assert "Ủy ban nhân dân huyện Long Mỹ" in text
    assert "Tình hình đến ngày 10/04/2022" in text

    header = next(row for row in rows if row[2] == LABELS["done_on_time"])
    assert list(header[2:7]) == [LABELS[c] for c in CATEGORIES]
    total = next(row for row in rows if row[0] == "Tổng")
    assert list(total[2:7]) == [expected["totals"][c] for c in CATEGORIES]
    assert total[7] == sum(expected["totals"].values())
    assert total[8] == pytest.approx(expected["on_time_rate"])

    by_area = table_after(rows, "Theo lĩnh vực")
    assert list(by_area) == list(expected["by_area"])  # every area, in the appendix's order
    for code, counts in expected["by_area"].items():
        assert by_area[code][:5] == [counts[c] for c in CATEGORIES], code
    by_unit = table_after(rows, "Theo đơn vị")
    assert list(by_unit) == list(expected["by_unit"])  # the registry's order
    for code, counts in expected["by_unit"].items():
        assert by_unit[code][:5] == [counts[c] for c in CATEGORIES], code
    assert next(row for row in rows if row[0] == "NV")[1] == "Phòng Nội vụ"


def test_the_detail_counts_what_status_counts_in_the_appendix_order(reported: Dondoc, tmp_path: Path) -> None:
    expected = status_json(reported, AS_OF)
    ws = export(reported, tmp_path).worksheets[1]
    rows = [row for row in ws.iter_rows(min_row=2, values_only=True)]
    lead = [row for row in rows if row[3] == "chủ trì" and row[5]]
    # One lead row per item, in the same order as `dondoc status`: appendix, registry, due date.
    units = {code: name for code, name in _unit_names(reported).items()}
    assert [(row[0], row[2], row[4].date()) for row in lead] == [
        (item["task"], units[item["unit"]], date.fromisoformat(item["due"])) for item in expected["items"]
    ]
    assert Counter(row[5] for row in lead) == Counter({LABELS[c]: n for c, n in expected["totals"].items() if n})
    assert [row[7] for row in lead] == [item["percent"] for item in expected["items"]]
    # Each item shows the very report that decided its category.
    assert [row[11].date() if row[11] else None for row in lead] == [
        date.fromisoformat(item["reported_at"][:10]) if item["reported_at"] else None for item in expected["items"]
    ]

    # Each item is followed by its supporting units' parts, which carry no category.
    first = next(n for n, row in enumerate(rows) if row[0] == "I.1")
    assert rows[first][3] == "chủ trì"
    support = rows[first + 1 : first + 12]
    assert {row[3] for row in support} == {"phối hợp"}
    assert {row[5] for row in support} == {None}
    assert support[0][2] == "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện"
    assert (support[0][6], support[0][7]) == ("Hoàn thành", 100)  # VP's own report
    assert support[1][6] == "chưa báo cáo"

    # Continuous tasks come last, with their last check-in and no category.
    continuous = [row for row in rows if row[3] == "chủ trì" and not row[5]]
    assert [row[0] for row in continuous] == [item["task"] for item in expected["continuous"]]
    assert rows.index(continuous[0]) > rows.index(lead[-1])
    i7 = next(row for row in continuous if row[0] == "I.7")
    assert (i7[4], i7[6], i7[7], i7[8], i7[11].date()) == (
        "Thường xuyên",
        "Đang thực hiện",
        40,
        "Đã phát 4 tin",
        date(2022, 3, 15),
    )


def _unit_names(store: Dondoc) -> dict[str, str]:
    return {u["code"]: u["name"] for u in store.ok("units", "list", "--json").json()["units"]}


def test_the_detail_shows_evidence_reporter_and_dates_as_people_write_them(reported: Dondoc, tmp_path: Path) -> None:
    ws = export(reported, tmp_path).worksheets[1]
    by_task: dict[str, Any] = {}
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "chủ trì":
            by_task.setdefault(row[0].value, row)
    i1 = by_task["I.1"]
    assert [c.value for c in i1[5:11]] == [
        "Hoàn thành đúng hạn",
        "Hoàn thành",
        100,
        "Đã ban hành kế hoạch",
        "15/KH-UBND; ảnh",
        "Nguyễn Thị Hoa",
    ]
    # Dates are real dates, shown dd/mm/yyyy.
    assert (i1[4].value.date(), i1[4].number_format) == (date(2022, 1, 31), "dd/mm/yyyy")
    assert (i1[11].value.date(), i1[11].number_format) == (date(2022, 1, 28), "dd/mm/yyyy")
    assert by_task["I.3"][10].value == "do quản trị viên nhập"
    i9 = by_task["I.9"]
    assert (i9[5].value, i9[6].value, i9[7].value) == ("Đang thực hiện", "Vướng mắc", 20)
    assert "Chưa có kinh phí tổ chức" in i9[8].value
    # A report made after the as-of date is not known yet.
    assert (by_task["III.2"][5].value, by_task["III.2"][6].value) == ("Chưa thực hiện", "chưa báo cáo")


def test_the_detail_is_coloured_filterable_and_prints_on_a4_landscape(reported: Dondoc, tmp_path: Path) -> None:
    ws = export(reported, tmp_path).worksheets[1]
    fills: dict[str, set[str]] = {}
    for row in ws.iter_rows(min_row=2):
        if row[5].value:
            fills.setdefault(row[5].value, set()).add(row[5].fill.fgColor.rgb[-6:])
    assert fills == {LABELS[c]: {CATEGORY_COLOURS[c]} for c in CATEGORIES if LABELS[c] in fills}
    assert set(fills) == set(LABELS.values())  # every category occurs at 10/04 with these reports
    assert CATEGORY_COLOURS["overdue"] == "E53935" and CATEGORY_COLOURS["done_on_time"] == "2E7D32"

    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:O{ws.max_row}"
    assert ws.column_dimensions["B"].width >= 40
    assert ws["B2"].alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    # One page wide (an absent fitToWidth is the file format's default, 1), as many pages tall as it takes.
    assert int(ws.page_setup.fitToWidth or 1) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows in ("1:1", "$1:$1")


def test_the_detail_shows_the_correction_of_a_mistaken_done_report_as_typed(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    # I.4 (NV, due 31/03): "Hoàn thành" by mistake, corrected two days later; the note holds characters
    # that XML escapes, a line break and spaces at both ends.
    add_report(session, "I.4", "NV", "done", datetime(2022, 3, 10, 9, 0), note="Xong")
    note = " Còn thiếu <phụ lục> & chữ ký\ntrình lại "
    add_report(session, "I.4", "NV", "in_progress", datetime(2022, 3, 12, 9, 0), percent=40, note=note)
    session.commit()
    assert [
        i.category
        for i in plan_status(session, session.exec(select(Plan)).one(), date(2022, 4, 10)).items
        if i.task == "I.4"
    ] == ["overdue"]

    rows = [row for row in export(sample_store, tmp_path).worksheets[1].iter_rows(min_row=2, values_only=True)]
    i4 = next(row for row in rows if row[0] == "I.4" and row[3] == "chủ trì")
    assert (i4[5], i4[6], i4[7], i4[8], i4[11].date()) == ("Quá hạn", "Đang thực hiện", 40, note, date(2022, 3, 12))


def test_export_json_prints_a_summary_and_needs_an_output(reported: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    result = reported.ok("export", "--at", AS_OF, "-o", path, "--json")
    summary = result.json()
    expected = status_json(reported, AS_OF)
    assert summary["path"] == str(path) and summary["as_of"] == AS_OF
    assert summary["totals"] == expected["totals"]
    assert summary["on_time_rate"] == expected["on_time_rate"]
    assert reported("export", "--at", AS_OF).code == 2  # -o is required
    refused = reported("export", "--at", AS_OF, "-o", tmp_path / "missing" / "out.xlsx")
    assert refused.code == 1 and refused.stdout == ""


# ---------------------------------------------------------------- the chart


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_is_a_png_drawn_without_missing_glyphs(reported: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "bieu-do.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # matplotlib's "Glyph … missing from font(s) …"
        result = reported.ok("chart", "--at", AS_OF, "-o", path)
    assert result.stdout == "" and str(path) in result.stderr
    data = path.read_bytes()
    width, height = png_size(data)
    assert width >= 1000 and height >= 800  # two charts: 7 areas and 21 units

    # The categories' colours are in the picture.
    from matplotlib.image import imread

    pixels = (imread(io.BytesIO(data), format="png")[:, :, :3] * 255).round().astype(int)
    present = {tuple(p) for p in pixels.reshape(-1, 3)[::7]}
    for category in ("done_on_time", "done_late", "in_progress", "not_started", "overdue"):
        hexa = CATEGORY_COLOURS[category]
        assert tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4)) in present, category


def test_vietnamese_labels_render_in_the_chart_font(reported: Dondoc, session: Session) -> None:
    plan = session.exec(select(Plan)).one()
    status = plan_status(session, plan, date(2022, 4, 10))
    labels = {code: f"{code} · Ủy ban nhân dân xã Xà Phiên — Đồng bộ, hiệu quả" for code in status.by_unit}
    with warnings.catch_warnings(), use_language("vi"):
        warnings.simplefilter("error", UserWarning)
        data = render_status_png(status, "Kế hoạch cải cách hành chính năm 2022", unit_labels=labels)
    assert png_size(data)[0] > 0 and len(data) > 20_000
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error", UserWarning)
        render_status_png(status, "中文")  # the guard above does catch a missing glyph


# ---------------------------------------------------------------- the report draft


def read_docx(path: Path) -> Any:
    from docx import Document

    return Document(str(path))


def sections(document: Any) -> dict[str, list[Any]]:
    """Paragraphs under each heading, by the heading's text."""
    found: dict[str, list[Any]] = {}
    current = ""
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            current = paragraph.text
            found[current] = []
        elif current:
            found[current].append(paragraph)
    return found


def test_the_q1_draft_counts_data_to_14_march_by_area(reported: Dondoc, session: Session, tmp_path: Path) -> None:
    assert report_window("q1", 2022) == (date(2021, 12, 15), date(2022, 3, 14))
    path = tmp_path / "bao-cao-quy-1.docx"
    result = reported.ok("report", "draft", "--period", "q1", "--year", "2022", "-o", path)
    assert result.stdout == "" and str(path) in result.stderr
    document = read_docx(path)
    expected = status_json(reported, "2022-03-14")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "15/12/2021" in text and "14/03/2022" in text

    # The areas are numbered subsections under section I, with their titles.
    areas = plan_areas(session)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings[: len(areas)] == [f"{n}. {a.title}" for n, a in enumerate(areas, start=1)]
    # then the units' ranking (no targets imported here)
    assert headings[len(areas) :] == [f"{len(areas) + 1}. Đánh giá, xếp loại các cơ quan, đơn vị"]
    parts = sections(document)
    for number, area in enumerate(areas, start=1):
        lines = {p.text for p in parts[f"{number}. {area.title}"] if p.style.name == "List Bullet"}
        for category in CATEGORIES:
            assert f"{LABELS[category]}: {expected['by_area'][area.code][category]}" in lines, (area.code, category)

    area_i = [p.text for p in parts[f"1. {areas[0].title}"]]
    # I.1 was completed on 28/01; I.3 (completed 02/04) and I.4 (reported 20/03) are not yet known.
    assert any(line.startswith("I.1 — ") and "Phòng Nội vụ (hoàn thành ngày 28/01/2022)" in line for line in area_i)
    assert not any(line.startswith("I.3 — ") and "hoàn thành" in line for line in area_i)
    # I.1's done report closes it; I.8's January and February deadlines are overdue.
    assert any(line.startswith("I.8 — ") and "(hạn 31/01/2022, 28/02/2022)" in line for line in area_i)

    # The figures table says the same.
    table = document.tables[1]
    total = [c.text for c in table.rows[-1].cells]
    assert total[0] == "Tổng"
    assert total[1:6] == [str(expected["totals"][c]) for c in CATEGORIES]


def test_the_draft_lists_blocked_items_and_what_falls_due_next(reported: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "bao-cao-quy-1.docx"
    reported.ok("report", "draft", "--period", "q1", "-o", path)  # the year defaults to the plan's
    document = read_docx(path)
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(".")[0] for h in level1] == ["I", "II", "III"]
    parts = sections(document)
    shortcomings = [p.text for p in parts[level1[1]]]
    assert any(
        line.startswith("I.9 — ") and "Phòng Nội vụ" in line and "Vướng mắc: Chưa có kinh phí tổ chức" in line
        for line in shortcomings
    )
    first, last = outlook_window("q1", 2022)
    assert (first, last) == (date(2022, 3, 15), date(2022, 6, 30))
    ahead = [p.text for p in parts[level1[2]]]
    assert any(line.startswith("I.5 — ") and "(hạn 30/06/2022)" in line for line in ahead)
    assert any(line.startswith("I.3 — ") and "(hạn 31/03/2022)" in line for line in ahead)
    assert not any(line.startswith(("I.1 — ", "I.9 — ")) for line in ahead)  # done; due 30/09

    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14


@pytest.mark.parametrize(
    ("period", "end"),
    [("half", date(2022, 6, 14)), ("q3", date(2022, 9, 14)), ("year", date(2022, 12, 14))],
)
def test_each_period_counts_to_the_14th_of_its_last_month(
    reported: Dondoc, tmp_path: Path, period: str, end: date
) -> None:
    path = tmp_path / f"{period}.docx"
    summary = reported.ok("report", "draft", "--period", period, "--year", "2022", "-o", path, "--json").json()
    assert (summary["from"], summary["to"]) == ("2021-12-15", end.isoformat())
    assert summary["totals"] == status_json(reported, end.isoformat())["totals"]
    table = read_docx(path).tables[1]
    assert [c.text for c in table.rows[-1].cells][1:6] == [str(summary["totals"][c]) for c in CATEGORIES]


def test_an_unknown_period_is_refused(reported: Dondoc, tmp_path: Path) -> None:
    result = reported("report", "draft", "--period", "q5", "-o", tmp_path / "x.docx")
    assert result.code == 2
    assert not (tmp_path / "x.docx").exists()


def test_category_labels_used_are_the_official_ones() -> None:
    with use_language("vi"):
        assert {c: category_label(c) for c in CATEGORIES} == LABELS
