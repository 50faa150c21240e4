"""The ranking in the documents: a "Xếp loại" sheet in the status workbook and a section in the
periodic report draft (bands counted, the best and lowest units named)."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from tests.conftest import Dondoc


def prepare(small: Dondoc) -> None:
    small.ok("report", "add", "--task", "I.1", "--unit", "NV", "--status", "done", "--at", "2022-03-20")
    small.ok("report", "add", "--task", "I.3", "--unit", "TP", "--status", "done", "--at", "2022-04-02")


def test_the_status_workbook_has_a_ranking_sheet(small: Dondoc, tmp_path: Path) -> None:
    prepare(small)
    small.ok("export", "--at", "2022-04-15", "-o", tmp_path / "status.xlsx")
    book = load_workbook(tmp_path / "status.xlsx", read_only=True)
    assert "Xếp loại" in book.sheetnames
    rows = [row for row in book["Xếp loại"].iter_rows(values_only=True)]
    assert "Xếp loại năm 2022" in str(rows[0][0]) and "15/04/2022" in str(rows[0][0])
    assert rows[2][:5] == ("Hạng", "Mã", "Đơn vị", "Điểm", "Xếp loại")
    table = {row[1]: row for row in rows[3:7]}
    assert table["NV"][0] == 1 and table["NV"][3] == 100 and table["NV"][4] == "Xuất sắc"
    assert table["TP"][0] == 2 and table["TP"][3] == 40 and table["TP"][4] == "Yếu"
    assert table["XP"][0] == 3 and table["XP"][3] == 0
    assert table["LN"][0] in (None, "") and table["LN"][4] == "chưa xếp loại"
    assert any("Trọng số" in str(row[0]) for row in rows[7:] if row and row[0])


def test_the_report_draft_has_a_ranking_section(small: Dondoc, tmp_path: Path) -> None:
    prepare(small)
    small.ok("report", "draft", "--period", "half", "-o", tmp_path / "draft.docx")
    document = Document(str(tmp_path / "draft.docx"))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "2. Đánh giá, xếp loại các cơ quan, đơn vị" in headings  # after the only area
    text = "\n".join(p.text for p in document.paragraphs)
    # at the end of the data window (14/06): I.1 on time, I.3 late, I.5 overdue; nothing else due yet
    assert "3 đơn vị được xếp loại, 1 đơn vị chưa có nhiệm vụ đến hạn" in text
    assert "Xuất sắc: 1; Tốt: 0; Khá: 0; Trung bình: 0; Yếu: 2" in text
    assert "Điểm cao nhất: Phòng Nội vụ (100,0 — Xuất sắc)" in text
    assert "Điểm thấp nhất: xã Xà Phiên <b> (0,0 — Yếu)" in text


def test_a_unit_name_like_a_formula_stays_text_in_the_sheet(small: Dondoc, tmp_path: Path) -> None:
    import yaml

    from tests.ranking.conftest import REGISTRY

    data = yaml.safe_load(yaml.safe_dump(REGISTRY, allow_unicode=True))
    data["units"][2] = {"code": "XP", "name": "=1+1", "aliases": ["xã Xà Phiên <b>"]}
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    small.ok("units", "import", path)
    small.ok("export", "--at", "2022-04-15", "-o", tmp_path / "status.xlsx")
    book = load_workbook(tmp_path / "status.xlsx")  # not read-only: formulas are seen as written
    names = [row[2] for row in book["Xếp loại"].iter_rows(min_row=4, values_only=True)]
    assert "=1+1" in names
    cell = next(c for row in book["Xếp loại"].iter_rows(min_row=4) for c in row if c.value == "=1+1")
    assert cell.data_type == "s"
