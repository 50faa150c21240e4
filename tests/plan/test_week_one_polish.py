"""A new user's first week, what ``dondoc plan import`` and ``plan show`` tell a clerk:

- an unknown unit name says how to make it known both ways: the «Tên gọi khác» column of the list of
  units (``dondoc units import ds.xlsx``) or the aliases of the YAML registry file;
- a plan title written all in capitals is kept as a sentence writes it, acronyms and proper names kept
  ("KẾ HOẠCH … CỦA UBND HUYỆN LONG MỸ" → "Kế hoạch … của UBND huyện Long Mỹ"); a title with lower case
  stays as written;
- ``plan show`` keeps its columns in a terminal 100 characters wide when a task is led by many units.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from dondoc import text
from tests.conftest import SAMPLE, Dondoc

HEADER = ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]


def _plan(path: Path, title: str, lead: str = "Phòng Nội vụ") -> Path:
    rows = [
        [title],
        HEADER,
        ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", "", ""],
        ["1", "Rà soát thủ tục hành chính", lead, "", "Tháng 11/2026"],
    ]
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def _registered(dondoc: Dondoc) -> Dondoc:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    return dondoc


# ------------------------------------------------------------------------- an unknown unit's name


def test_an_unknown_lead_unit_says_to_add_it_to_the_other_names_column_or_the_yaml_aliases(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    path = _plan(tmp_path / "phu-luc.csv", "Kế hoạch năm 2026", lead="Ban Quản lý chợ")
    result = _registered(dondoc)("plan", "import", path)

    assert result.code == 1
    line = next(line for line in result.stderr.splitlines() if "«Ban Quản lý chợ»" in line)
    assert (
        "sửa lại ô này, hoặc thêm tên này vào cột «Tên gọi khác» của đơn vị được nói đến trong danh sách cơ quan,"
        " đơn vị (hoặc aliases trong tệp danh mục YAML) rồi nhập lại" in line
    ), line

    english = dondoc("--lang", "en", "plan", "import", path)
    line = next(line for line in english.stderr.splitlines() if "«Ban Quản lý chợ»" in line)
    assert "«Tên gọi khác» column of the unit it means in the list of units" in line, line
    assert "aliases in the YAML registry file" in line, line


def test_a_name_several_units_fit_says_both_ways_too(dondoc: Dondoc, tmp_path: Path) -> None:
    registry = tmp_path / "don-vi.yaml"
    registry.write_text(
        "organization: Ủy ban nhân dân tỉnh Quảng Trị\n"
        "units:\n"
        "  - {code: NVQT, name: Sở Nội vụ tỉnh Quảng Trị}\n"
        "  - {code: NVHT, name: Sở Nội vụ tỉnh Hà Tĩnh}\n"
        "  - {code: TP, name: Sở Tư pháp}\n",
        encoding="utf-8",
    )
    dondoc.ok("units", "import", registry)
    result = dondoc("plan", "import", _plan(tmp_path / "phu-luc.csv", "Kế hoạch năm 2026", lead="Sở Nội vụ"))

    line = next(line for line in result.stderr.splitlines() if "«Sở Nội vụ»" in line)
    assert "tên này ứng với nhiều đơn vị trong danh mục" in line, line
    assert (
        "thêm tên này vào cột «Tên gọi khác» của đơn vị đó trong danh sách cơ quan, đơn vị (hoặc aliases trong"
        " tệp danh mục YAML) rồi nhập lại" in line
    ), line


# ------------------------------------------------------------------------- a title in capitals


def test_a_title_in_capitals_is_shown_as_a_sentence_writes_it(dondoc: Dondoc, tmp_path: Path) -> None:
    title = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026 CỦA UBND HUYỆN LONG MỸ"
    _registered(dondoc).ok("plan", "import", _plan(tmp_path / "phu-luc.csv", title))

    sentence = "Kế hoạch cải cách hành chính năm 2026 của UBND huyện Long Mỹ"
    assert dondoc.ok("plan", "show").stdout.splitlines()[0] == f"{sentence} (2026)"
    assert dondoc.ok("status", "--at", "2026-03-16").stdout.splitlines()[0] == f"{sentence} (2026)"
    assert dondoc.ok("plan", "export").json()["plan"]["title"] == sentence


def test_a_title_with_lower_case_stays_as_written(dondoc: Dondoc, tmp_path: Path) -> None:
    title = "KẾ HOẠCH Cải cách hành chính năm 2026"
    _registered(dondoc).ok("plan", "import", _plan(tmp_path / "phu-luc.csv", title))

    assert dondoc.ok("plan", "show").stdout.splitlines()[0] == f"{title} (2026)"


def test_the_samples_title_reads_as_a_sentence(sample_store: Dondoc) -> None:
    assert sample_store.ok("plan", "show").stdout.splitlines()[0] == "Nhiệm vụ cải cách hành chính năm 2022 (2022)"


def test_acronyms_document_numbers_and_proper_names_keep_their_capitals() -> None:
    assert (
        text.written_case("KẾ HOẠCH THỰC HIỆN NGHỊ QUYẾT SỐ 76/NQ-CP CỦA CHÍNH PHỦ VỀ CCHC GIAI ĐOẠN 2021-2030")
        == "Kế hoạch thực hiện Nghị quyết số 76/NQ-CP của Chính phủ về CCHC giai đoạn 2021-2030"
    )
    # An organ's name after "của"; "nhiệm vụ", "ban hành" are no organ.
    assert text.written_case("NHIỆM VỤ BAN HÀNH VĂN BẢN CỦA SỞ NỘI VỤ TỈNH QUẢNG TRỊ") == (
        "Nhiệm vụ ban hành văn bản của Sở Nội vụ tỉnh Quảng Trị"
    )
    # The headings of a list of units (dondoc units import ds.xlsx) read as before.
    assert text.written_case("UBND TỈNH QUẢNG TRỊ") == "UBND tỉnh Quảng Trị"
    assert text.written_case("BỘ NỘI VỤ") == "Bộ Nội vụ"
    assert text.written_case("CÁC CƠ QUAN CHUYÊN MÔN") == "Các cơ quan chuyên môn"


# ------------------------------------------------------------------------- plan show, many lead units


def test_plan_show_keeps_its_columns_when_a_task_has_many_lead_units(sample_store: Dondoc) -> None:
    lines = sample_store.ok("plan", "show").stdout.splitlines()

    assert max(len(line) for line in lines) <= 100, max(lines, key=len)
    # I.2 is led by "Các cơ quan, ban, ngành huyện, UBND các xã, thị trấn": 21 units.
    start = next(i for i, line in enumerate(lines) if line.startswith("  I.2 "))
    row = [lines[start]] + [line for line in lines[start + 1 : start + 3] if line.startswith("   ")]
    lead_column = lines[start].index("VP, NV")
    assert len(row) == 3, "\n".join(lines[start : start + 4])
    for line in row[1:]:
        assert line[lead_column - 2 : lead_column] == "  " and line[lead_column] != " ", line
    assert row[-1].rstrip().endswith("+12"), row
    # every task's first due date starts in one column, whatever its lead cell
    due = {m.start() for line in lines if line.startswith("  ") and (m := re.search(r"\d\d/\d\d/\d{4}", line))}
    assert len(due) == 1, due


def test_plan_show_of_a_plan_without_areas_has_no_empty_area_heading(dondoc: Dondoc, tmp_path: Path) -> None:
    appendix = tmp_path / "pl.csv"
    appendix.write_text(
        "Kế hoạch 2026\nSTT,Nhiệm vụ,Cơ quan chủ trì,Thời hạn\n1,Việc một,NV,Quý II/2026\n", encoding="utf-8"
    )
    _registered(dondoc).ok("plan", "import", appendix)
    lines = dondoc.ok("plan", "show").stdout.splitlines()
    assert lines[0] == "Kế hoạch 2026 (2026)"
    assert lines[1].split()[:2] == ["1", "Việc"], lines  # the task, under no ". " heading
