"""An appendix whose header row lacks a column every task needs (the lead unit, the task's content,
its deadline) is refused by one error naming the header row, the headers found and the ones
accepted — not by one error on every row naming a column that does not exist — and ``--year``
outside the years a plan can be of is refused; a ``--year`` most written deadlines disagree with is
a warning."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dondoc.plan.appendix import ACCEPTED_HEADERS, Column, _classify
from dondoc.plan.deadlines import FIRST_PLAN_YEAR, LAST_PLAN_YEAR
from tests.conftest import SAMPLE
from tests.plan.real_layouts import Sheet, write_xlsx
from tests.plan.test_read_and_warn import new_admin, sample_admin
from tests.plan.test_real_layouts import CITY, Admin


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    """An administrator whose store holds the Long Mỹ registry and no plan."""
    return sample_admin(tmp_path / "store")


def _sample_rows() -> list[list[str]]:
    with (SAMPLE / "phu-luc-cchc-2022.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _without(tmp_path: Path, header: str) -> Path:
    """The sample appendix (42 tasks) as CSV without its column ``header``."""
    rows = _sample_rows()
    index = rows[0].index(header)
    path = tmp_path / f"phu-luc-{index}-2022.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([row[:index] + row[index + 1 :] for row in rows])
    return path


def _problem_lines(stderr: str) -> list[str]:
    """The refusal's problem lines (the warnings after them left out)."""
    lines: list[str] = []
    for line in stderr.splitlines()[1:]:
        if not line.startswith("  - "):
            break
        lines.append(line)
    return lines


def _no_plan(admin: Admin) -> None:
    listed = admin.run("plan", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.strip() == "[]"


def test_a_missing_lead_unit_column_is_one_error_and_an_empty_lead_cell_one_per_row(
    admin: Admin, tmp_path: Path
) -> None:
    result = admin.run("plan", "import", str(_without(tmp_path, "Chủ trì")))
    assert result.exit_code == 1
    assert result.stderr.startswith("Refused, nothing was written: 1 problem(s).")
    (line,) = _problem_lines(result.stderr)
    assert line.startswith("  - row 1: the header row has no lead unit column")
    assert "headers found: «STT», «Nội dung», «Phối hợp», «Sản phẩm», «Thời hạn», «Ghi chú»" in line
    assert "headers accepted for it: Chủ trì, Cơ quan chủ trì, Đơn vị chủ trì" in line
    assert ": no lead unit" not in result.stderr  # not once a row
    _no_plan(admin)
    # A lead cell left empty in a column that exists is still an error of its row.
    rows = _sample_rows()
    lead = rows[0].index("Chủ trì")
    emptied = next(number for number, row in enumerate(rows, 1) if row[0] == "3")
    rows[emptied - 1][lead] = ""
    path = tmp_path / "phu-luc-cchc-2022.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = admin.run("plan", "import", str(path))
    assert result.exit_code == 1
    assert _problem_lines(result.stderr) == [f"  - row {emptied}, column C (Chủ trì): no lead unit"]
    _no_plan(admin)


def test_the_missing_lead_unit_column_is_said_in_vietnamese(admin: Admin, tmp_path: Path) -> None:
    result = admin.runner.invoke(
        admin.app, ["--db", admin.db, "plan", "import", str(_without(tmp_path, "Chủ trì"))], env={"DONDOC_LANG": "vi"}
    )
    assert result.exit_code == 1
    assert "Không nhập được, chưa ghi gì: có 1 lỗi." in result.stderr
    assert "dòng 1: dòng tiêu đề không có cột cơ quan chủ trì (các cột tìm thấy: «STT», «Nội dung»" in result.stderr
    assert "thiếu cơ quan chủ trì" not in result.stderr


LEADLESS = Sheet(
    title_lines=("PHỤ LỤC", "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2025"),
    header=(("STT", "Nội dung", "Phối hợp", "Thời hạn"),),
    body=tuple((str(n), f"Nhiệm vụ số {n}", "Sở Tư pháp", "Quý IV") for n in range(1, 31)),
)


def test_an_xlsx_without_a_lead_unit_column_is_refused_once(tmp_path: Path) -> None:
    admin = new_admin(tmp_path / "store")
    admin.register(tmp_path / "don-vi.yaml", CITY)
    path = write_xlsx(LEADLESS, tmp_path / "phu-luc.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "STT")  # under the title
    result = admin.run("plan", "import", str(path))
    assert result.exit_code == 1
    (line,) = _problem_lines(result.stderr)
    assert line.startswith(
        f"  - row {header}: the header row has no lead unit column (headers found: «STT», «Nội dung», «Phối hợp», "
        "«Thời hạn»); headers accepted for it: Chủ trì"
    )
    _no_plan(admin)


def test_a_missing_deadline_column_is_one_error_unless_the_notes_give_the_deadlines(
    admin: Admin, tmp_path: Path
) -> None:
    result = admin.run("plan", "import", str(_without(tmp_path, "Thời hạn")))
    assert result.exit_code == 1
    (line,) = _problem_lines(result.stderr)
    assert line.startswith("  - row 1: the header row has no deadline column (headers found: «STT», «Nội dung»")
    assert "headers accepted for it: Thời hạn, Thời gian hoàn thành" in line
    assert "no deadline" not in result.stderr.replace("no deadline column", "")
    _no_plan(admin)
    # Deadlines in the notes need no deadline column.
    path = tmp_path / "phu-luc-2022.csv"
    path.write_text(
        "STT,Nội dung,Chủ trì,Ghi chú\n1,Rà soát thủ tục hành chính,Phòng Nội vụ,Quý II/2022\n", encoding="utf-8"
    )
    result = admin.run("plan", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "no deadline" not in result.stderr


def test_a_csv_without_a_task_content_column_is_refused_naming_it(admin: Admin, tmp_path: Path) -> None:
    result = admin.run("plan", "import", str(_without(tmp_path, "Nội dung")))
    assert result.exit_code == 1
    (line,) = _problem_lines(result.stderr)
    assert line.startswith("  - row 1: the header row has no task content column (headers found: «STT», «Chủ trì»")
    assert "headers accepted for it: Nội dung, Nhiệm vụ" in line
    _no_plan(admin)


@pytest.mark.parametrize("column", list(ACCEPTED_HEADERS))
def test_every_header_a_refusal_accepts_is_read_as_that_column(column: Column) -> None:
    kinds = {column, Column.DAYS} if column is Column.DEADLINE else {column}
    for label in ACCEPTED_HEADERS[column]:
        assert _classify(label) in kinds, label


# --------------------------------------------------------------------------- --year


@pytest.mark.parametrize("year", ["2150", "1850", str(FIRST_PLAN_YEAR - 1), str(LAST_PLAN_YEAR + 1)])
def test_a_year_out_of_range_is_refused_and_nothing_is_written(admin: Admin, year: str) -> None:
    result = admin.run("plan", "import", str(SAMPLE / "phu-luc-cchc-2022.xlsx"), "--year", year)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"--year: {year} is out of range: a plan's year is from 1990 to 2100"
    _no_plan(admin)
    edge = admin.run("plan", "import", str(SAMPLE / "phu-luc-cchc-2022.xlsx"), "--year", "2100", "--dry-run")
    assert edge.exit_code == 0, edge.stderr


def test_a_year_the_written_deadlines_disagree_with_is_a_warning(admin: Admin) -> None:
    result = admin.run("plan", "import", str(SAMPLE / "phu-luc-cchc-2022.csv"), "--year", "2023")
    assert result.exit_code == 0, result.stderr
    assert (
        "deadlines written with a year fall in 2022, not in the plan year 2023 given with --year "
        "(for example row 3: «Tháng 01/2022»): check --year"
    ) in result.stderr
    again = admin.run("plan", "import", str(SAMPLE / "phu-luc-cchc-2022.csv"), "--year", "2022", "--plan", "p22")
    assert again.exit_code == 0, again.stderr
    assert "check --year" not in again.stderr
