"""Where reading real layouts meets warnings (issue #11): a qualified collective name, a group
heading's default cells and the review workbook of a grouped layout.

Real plans name "các xã có đồng bào dân tộc" (some communes, not all: a warning, the import goes
ahead), put units and deadlines on group headings whose rows leave them empty (a vague phrase there
is left out of every row taking it, with a warning on each), and number tasks "1." / "1.1" / "a)"
under such headings (the review workbook of such a file reads back to the same plan).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import cast

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import SAMPLE, empty_sqlite_url
from tests.plan.layouts import commune_registry
from tests.plan.real_layouts import WRITERS, Sheet
from tests.plan.test_real_layouts import CITY, COMMUNE_PLAN, COMMUNE_READ, FORMATS, Admin, read_back
from tests.plan.test_warnings import warning_lines


def new_admin(folder: Path) -> Admin:
    folder.mkdir(exist_ok=True)
    app = cast(typer.Typer, importlib.import_module("dondoc.cli").app)
    return Admin(app=app, db=empty_sqlite_url(folder / "dondoc.db"), runner=CliRunner())


def sample_admin(folder: Path) -> Admin:
    """An administrator whose store in ``folder`` holds the Long Mỹ registry (Phòng Nội vụ, Phòng Tư
    pháp …) and no plan."""
    admin = new_admin(folder)
    result = admin.run("units", "import", str(SAMPLE / "units.yaml"))
    assert result.exit_code == 0, result.stderr
    return admin


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return new_admin(tmp_path / "store")


# --------------------------------------------------------------------------- a qualified collective

QUALIFIED = Sheet(
    title_lines=("KẾ HOẠCH NĂM 2025",),
    header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
    body=(
        (
            "1",
            "Hỗ trợ đồng bào dùng dịch vụ công",
            "Sở Nội vụ",
            "Sở Tư pháp; UBND các xã, phường có đồng bào dân tộc",
            "Quý IV",
        ),
        ("2", "Tập huấn kỹ năng số", "Sở Nội vụ", "UBND các xã, phường", "Quý III"),
    ),
)


@pytest.mark.parametrize("kind", FORMATS)
def test_a_qualified_collective_is_a_warning_and_the_import_goes_ahead(admin: Admin, tmp_path: Path, kind: str) -> None:
    admin.register(tmp_path / "don-vi.yaml", CITY)
    path = WRITERS[kind](QUALIFIED, tmp_path / f"phu-luc.{kind}")

    result = admin.run("plan", "import", str(path))

    assert result.exit_code == 0, result.stderr
    warnings = [line for line in warning_lines(result.stderr) if "có đồng bào dân tộc" in line]
    assert len(warnings) == 1 and "qualifier" in warnings[0], result.stderr
    assert read_back(admin.tasks()) == [
        ("1", "Hỗ trợ đồng bào dùng dịch vụ công", ["SNV"], ["STP"], "fixed", ["2025-12-31"]),
        ("2", "Tập huấn kỹ năng số", ["SNV"], ["X1", "P1"], "fixed", ["2025-09-30"]),
    ]


def test_a_qualified_collective_is_refused_with_strict(admin: Admin, tmp_path: Path) -> None:
    admin.register(tmp_path / "don-vi.yaml", CITY)
    path = WRITERS["xlsx"](QUALIFIED, tmp_path / "phu-luc.xlsx")

    result = admin.run("plan", "import", str(path), "--strict")

    assert result.exit_code == 1
    assert "có đồng bào dân tộc" in result.stderr
    assert admin.tasks() == []


def test_a_lead_naming_only_a_qualified_collective_has_no_lead_unit(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(("1", "Rà soát hộ nghèo", "UBND các xã, phường có đồng bào dân tộc", "Sở Nội vụ", "Quý IV"),),
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)

    result = admin.run("plan", "import", str(WRITERS["xlsx"](sheet, tmp_path / "phu-luc.xlsx")))

    assert result.exit_code == 1
    assert "no lead unit" in result.stderr and "có đồng bào dân tộc" in result.stderr
    assert admin.tasks() == []


# --------------------------------------------------------------------------- a group heading's default cells


@pytest.mark.parametrize("kind", FORMATS)
def test_a_vague_phrase_in_a_group_headings_units_is_left_out_of_each_row_taking_them(
    admin: Admin, tmp_path: Path, kind: str
) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(
            ("1.", "Hoàn thiện thể chế", "Sở Tư pháp", "Sở Nội vụ, các đơn vị liên quan", "Quý IV"),
            ("1.1", "Rà soát văn bản quy phạm pháp luật", "", "", ""),
            ("1.2", "Xây dựng quy chế phối hợp", "", "Sở Y tế", "Quý II"),
            ("2.", "Tập huấn nghiệp vụ", "Sở Y tế", "", "Năm 2025"),
        ),
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)

    result = admin.run("plan", "import", str(WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}")))

    assert result.exit_code == 0, result.stderr
    assert read_back(admin.tasks()) == [
        ("1.1", "Rà soát văn bản quy phạm pháp luật", ["STP"], ["SNV"], "fixed", ["2025-12-31"]),
        ("1.2", "Xây dựng quy chế phối hợp", ["STP"], ["SYT"], "fixed", ["2025-06-30"]),
        ("2", "Tập huấn nghiệp vụ", ["SYT"], [], "fixed", ["2025-12-31"]),  # beside heading 1, not under it
    ]
    vague = [line for line in warning_lines(result.stderr) if "các đơn vị liên quan" in line]
    assert len(vague) == 1, result.stderr  # only row 1.1 takes the heading's supporting units


def test_a_rows_own_number_of_days_is_not_overridden_by_its_headings_deadline(admin: Admin, tmp_path: Path) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Thời hạn", "Số ngày"),),
        body=(
            ("1.", "Cải cách thủ tục hành chính", "Sở Tư pháp", "Quý IV", ""),
            ("1.1", "Công khai thủ tục hành chính", "", "", "30"),
            ("1.2", "Số hóa hồ sơ", "", "", ""),
            ("2.", "Hiện đại hóa hành chính", "Sở Nội vụ", "", "45"),
            ("2.1", "Họp trực tuyến", "", "", ""),
            ("2.2", "Chữ ký số", "", "Quý II", ""),
        ),
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)

    result = admin.run(
        "plan", "import", str(WRITERS["xlsx"](sheet, tmp_path / "phu-luc.xlsx")), "--issued", "01/02/2025"
    )

    assert result.exit_code == 0, result.stderr
    assert [(code, lead, dates) for code, _title, lead, _support, _kind, dates in read_back(admin.tasks())] == [
        ("1.1", ["STP"], ["2025-03-03"]),  # its own 30 days, not the heading's Quý IV
        ("1.2", ["STP"], ["2025-12-31"]),
        ("2.1", ["SNV"], ["2025-03-18"]),  # the heading's 45 days
        ("2.2", ["SNV"], ["2025-06-30"]),
    ]


# --------------------------------------------------------------------------- the review of a grouped layout


@pytest.mark.parametrize("kind", FORMATS)
def test_the_review_of_a_grouped_layout_reads_back_to_the_same_plan(tmp_path: Path, kind: str) -> None:
    first, second = new_admin(tmp_path / "a"), new_admin(tmp_path / "b")
    for admin in (first, second):
        admin.register(tmp_path / "don-vi.yaml", commune_registry())
    review = tmp_path / "ra-soat.xlsx"

    result = first.run(
        "plan", "import", str(WRITERS[kind](COMMUNE_PLAN, tmp_path / f"phu-luc.{kind}")), "--review", str(review)
    )
    assert result.exit_code == 0, result.stderr
    second.imports(review)

    assert read_back(first.tasks()) == COMMUNE_READ
    assert read_back(second.tasks()) == COMMUNE_READ
    # No group heading became a task row of the review.
    titles = [row[1] for row in load_workbook(review).worksheets[0].iter_rows(values_only=True)]
    assert "Hoàn thiện hạ tầng số" not in titles and "Phát triển dữ liệu số" not in titles


def test_a_refused_row_under_an_unnumbered_heading_keeps_its_headings_place_in_the_review(
    admin: Admin, tmp_path: Path
) -> None:
    """Numbers restart under each heading; the refused row is numbered as its imported neighbours are."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(
            ("I", "CẢI CÁCH HÀNH CHÍNH", "", "", ""),
            ("", "Cải cách thể chế", "", "", ""),
            ("1", "Rà soát quy chế làm việc", "Sở Nội vụ", "", "Quý I"),
            ("", "Cải cách thủ tục hành chính", "", "", ""),
            ("1", "Công khai thủ tục hành chính", "Phòng Không Có", "", "Quý III"),
            ("2", "Số hóa hồ sơ", "Sở Tư pháp", "", "Quý IV"),
        ),
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)
    review = tmp_path / "ra-soat.xlsx"

    result = admin.run(
        "plan", "import", str(WRITERS["xlsx"](sheet, tmp_path / "phu-luc.xlsx")), "--review", str(review)
    )

    assert result.exit_code == 1
    rows = {row[1]: row[0] for row in load_workbook(review).worksheets[0].iter_rows(values_only=True)}
    assert (rows["Rà soát quy chế làm việc"], rows["Công khai thủ tục hành chính"], rows["Số hóa hồ sơ"]) == (
        "1.1",
        "2.1",
        "2.2",
    )
