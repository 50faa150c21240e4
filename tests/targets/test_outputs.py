"""The targets in the xlsx status workbook and in the quarterly report draft."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import Dondoc
from tests.plan.test_status_workbook import read_docx
from tests.targets.helpers import figures_add, import_targets, ratio


def _figures(dondoc: Dondoc) -> None:
    for unit, num, den in (("XP", "120", "125"), ("VV", "50", "100")):
        dondoc.ok(*figures_add("T1", unit, "2022-Q1", *ratio(num, den)))
    dondoc.ok(*figures_add("T1", "XP", "2021-Q4", *ratio("9", "10")))


def test_the_status_workbook_has_a_targets_sheet(sample_store: Dondoc, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    _figures(sample_store)
    output = tmp_path / "status.xlsx"
    sample_store.ok("export", "--at", "2022-03-20", "-o", output)
    book = load_workbook(output, read_only=True)
    assert book.sheetnames[-1] == "Chỉ tiêu"
    rows = [list(r) for r in book["Chỉ tiêu"].iter_rows(values_only=True)][2:]  # below the title and the period
    assert rows[0][:6] == ["Mã", "Chỉ tiêu", "Mục tiêu", "Kỳ", "Kết quả", "Đạt"]
    t1 = rows[1]
    assert t1[0] == "T1" and t1[2] == "từ 95% trở lên" and t1[3] == "Quý 1/2022"
    assert abs(t1[4] - 170 / 225) < 1e-9 and t1[5] == "chưa đạt" and t1[6] == "2/3" and t1[7] == "LN"
    assert t1[8] == 0.9  # the quarter before
    assert rows[2][4] == "—"  # nobody reported ISO


def test_the_report_draft_fills_its_targets_section(sample_store: Dondoc, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    _figures(sample_store)
    output = tmp_path / "draft.docx"
    sample_store.ok("report", "draft", "--period", "q1", "-o", output)
    document = read_docx(output)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("Kết quả thực hiện các chỉ tiêu" in h for h in headings)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:4] == ["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả"]
    assert cells[1][0] == "T1" and cells[1][3] == "75,6%" and "chưa đạt" in cells[1][4] and "2/3" in cells[1][4]
    assert "Ủy ban nhân dân xã Lương Nghĩa" in cells[1][5]
    assert cells[2][3] == "—" and "chưa có số liệu" in cells[2][4]


def test_the_chart_draws_each_target_against_its_goal(sample_store: Dondoc, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    _figures(sample_store)
    output = tmp_path / "targets.png"
    result = sample_store.ok("targets", "chart", "--period", "2022-Q1", "-o", output, "--json").json()
    assert result["targets"] == ["T1", "ISO", "HL"]
    assert output.read_bytes().startswith(b"\x89PNG")
