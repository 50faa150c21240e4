"""The appendix importer reads real appendices, whatever their layout.

Each test is what an administrator of xã Tân Phú does: register the commune's units, import the
appendix the office typed (Excel, Word or CSV), then look at what was stored through
``dondoc plan export --format json``. The appendices are built by :mod:`tests.plan.layouts`; the
registry is a commune's, not a district's, so nothing here relies on one district's names.

Titles and other free text are compared after collapsing whitespace, because the importer tidies
cells that hold line breaks into a single text.
"""

from __future__ import annotations

import calendar
import importlib
import json
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
import typer
from typer.testing import CliRunner, Result

from tests.conftest import empty_sqlite_url, sqlite_snapshot
from tests.plan.layouts import (
    COMMUNE_UNITS,
    SAME_AS_ABOVE,
    Appendix,
    Area,
    Blank,
    Built,
    Column,
    HeaderStyle,
    Numbering,
    Row,
    SubHeading,
    Task,
    write_csv,
    write_docx,
    write_registry,
    write_xlsx,
)

# --------------------------------------------------------------------------- helpers


def squash(text: str | None) -> str:
    """Text with every run of whitespace (line breaks included) made one space."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def fold(text: str) -> str:
    """Lower-case text without diacritics (đ → d), for checking messages loosely."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()


def month_ends(year: int) -> list[str]:
    return [f"{year}-{m:02d}-{calendar.monthrange(year, m)[1]:02d}" for m in range(1, 13)]


@dataclass(frozen=True)
class Exported:
    """What ``plan export --format json`` printed."""

    plan: dict[str, Any]
    tasks: list[dict[str, Any]]
    text: str

    @property
    def codes(self) -> list[str]:
        return [t["code"] for t in self.tasks]

    def task(self, code: str) -> dict[str, Any]:
        found = [t for t in self.tasks if t["code"] == code]
        assert len(found) == 1, f"expected one task {code}, got {self.codes}"
        return found[0]


@dataclass
class Admin:
    """The administrator at the command line: ``dondoc --db URL …``."""

    app: typer.Typer
    db: str
    runner: CliRunner

    def run(self, *args: str) -> Result:
        return self.runner.invoke(self.app, ["--db", self.db, *args])

    def import_plan(self, path: Path, *options: str) -> Result:
        return self.run("plan", "import", str(path), *options)

    def imports(self, path: Path, *options: str) -> None:
        """Import an appendix that must be accepted."""
        result = self.import_plan(path, *options)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 0, f"import of {path.name} failed:\n{result.stderr}"

    def rejects(self, path: Path, *options: str) -> str:
        """Import an appendix that must be refused; returns what was printed on stderr."""
        result = self.import_plan(path, *options)
        assert isinstance(result.exception, SystemExit), f"crashed instead of reporting: {result.exception!r}"
        assert result.exit_code == 1, f"expected exit 1, got {result.exit_code}\n{result.stdout}"
        assert result.stderr.strip(), "no defect was listed on stderr"
        # Digits in the temporary folder's name must not pass for row numbers.
        return result.stderr.replace(str(path.parent.resolve()), "<dir>").replace(str(path.parent), "<dir>")

    def export(self) -> Exported:
        result = self.run("plan", "export", "--format", "json")
        assert result.exit_code == 0, f"export failed:\n{result.stderr}"
        data = json.loads(result.stdout)
        return Exported(plan=data["plan"], tasks=data["tasks"], text=result.stdout)

    def stored_tasks(self) -> list[dict[str, Any]]:
        """Tasks in the store; an empty store may refuse to export (non-zero exit) or print none."""
        result = self.run("plan", "export", "--format", "json")
        if result.exit_code != 0:
            assert isinstance(result.exception, SystemExit), f"export crashed: {result.exception!r}"
            return []
        data = json.loads(result.stdout)
        return list(data.get("tasks") or [])


@pytest.fixture
def app() -> typer.Typer:
    # Imported here so the suite still collects while the importer is being written.
    module = importlib.import_module("dondoc.cli")
    return cast(typer.Typer, module.app)


@pytest.fixture(scope="session")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the units of Ủy ban nhân dân xã Tân Phú registered, made once per session."""
    directory = tmp_path_factory.mktemp("commune")
    app = cast(typer.Typer, importlib.import_module("dondoc.cli").app)
    admin = Admin(app=app, db=empty_sqlite_url(directory / "dondoc.db"), runner=CliRunner())
    registry = write_registry(directory / "don-vi.yaml")
    result = admin.run("units", "import", str(registry))
    assert result.exit_code == 0, f"units import failed:\n{result.stderr}"
    return sqlite_snapshot(directory / "dondoc.db")


@pytest.fixture
def admin(app: typer.Typer, registered: Path, tmp_path: Path) -> Admin:
    """A fresh store with the units of Ủy ban nhân dân xã Tân Phú registered (a copy of ``registered``)."""
    shutil.copyfile(registered, tmp_path / "dondoc.db")
    return Admin(app=app, db=f"sqlite:///{tmp_path / 'dondoc.db'}", runner=CliRunner())


def summary(task: dict[str, Any]) -> tuple[Any, ...]:
    """(code, title, lead, support, deadline kind, every, dates) with whitespace tidied."""
    deadline = task["deadline"]
    return (
        task["code"],
        squash(task["title"]),
        task["lead"],
        task["support"],
        deadline["kind"],
        deadline["every"],
        deadline["dates"],
    )


ENGLISH_COLUMN = {
    "stt": "number",
    "content": "title",
    "lead": "lead",
    "support": "support",
    "product": "product",
    "deadline": "deadline",
}


def names_defect(
    stderr: str,
    *,
    row: int,
    text: str = "",
    column: str = "",
    letter: str = "",
    column_key: Column | None = None,
) -> bool:
    """Whether one line of ``stderr`` names the row, the offending text and the column.

    The column may be named by its header label ("Chủ trì"), its English name ("lead") or its sheet
    letter ("D", alone or as the cell reference "D8").
    """
    for line in stderr.splitlines():
        if not re.search(rf"(?<!\d){row}(?!\d)", line):
            continue
        if text and squash(text) not in squash(line):
            continue
        if column:
            named = [fold(column) in fold(line)]
            if column_key is not None and column_key in ENGLISH_COLUMN:
                named.append(re.search(rf"\b{ENGLISH_COLUMN[column_key]}\b", line, re.I) is not None)
            if letter:
                named.append(re.search(rf"\b{letter}(?:{row})?\b", line) is not None)
            if not any(named):
                continue
        return True
    return False


def assert_english(stderr: str) -> None:
    assert re.search(r"\brow\b", stderr, re.I), stderr
    for word in ("dòng", "hàng", "cột", "không", "lỗi"):
        assert word not in stderr.lower(), f"Vietnamese word {word!r} in the English report:\n{stderr}"


def assert_vietnamese(stderr: str) -> None:
    assert "dòng" in stderr.lower() or "hàng" in stderr.lower(), stderr
    assert not re.search(r"\brow\b", stderr, re.I), f"English in the Vietnamese report:\n{stderr}"


TITLE_2023 = (
    "PHỤ LỤC",
    "KẾ HOẠCH CHUYỂN ĐỔI SỐ CỦA XÃ TÂN PHÚ NĂM 2023",
    "(Kèm theo Kế hoạch số 120/KH-UBND ngày 20/12/2022 của Ủy ban nhân dân xã Tân Phú)",
)

ALL_BUT = {code: [u for u in COMMUNE_UNITS if u != code] for code in COMMUNE_UNITS}


# --------------------------------------------------------------------------- header and table shape


def test_one_row_header_below_title_rows(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(
                1,
                "Ban hành Kế hoạch chuyển đổi số của xã năm 2022",
                lead="Văn phòng",
                support="Tư pháp; Công an xã",
                product="Kế hoạch của UBND xã",
                deadline="Tháng 01/2022",
                note="Ưu tiên",
            ),
            Task(
                2,
                "Tổ chức tập huấn kỹ năng số cho cán bộ, công chức",
                lead="Công chức Văn hóa - Xã hội",
                support="Văn phòng",
                product="Lớp tập huấn",
                deadline="Quý II/2022",
            ),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "phu-luc.xlsx").path)

    exported = admin.export()
    assert exported.plan["year"] == 2022
    assert "chuyen doi so" in fold(exported.plan["title"])
    assert exported.codes == ["I.1", "I.2"]
    first, second = exported.tasks
    assert (first["area"], first["number"]) == ("I", "1")
    assert squash(first["title"]) == "Ban hành Kế hoạch chuyển đổi số của xã năm 2022"
    assert squash(first["product"]) == "Kế hoạch của UBND xã"
    assert (first["lead"], first["support"]) == (["VP"], ["TP", "CA"])
    assert first["deadline"] == {
        "text": "Tháng 01/2022",
        "kind": "fixed",
        "every": None,
        "dates": ["2022-01-31"],
    }
    # Title rows 1-3, blank row 4, header row 5, area row 6.
    assert (first["source_row"], second["source_row"]) == (7, 8)
    assert (second["lead"], second["support"]) == (["VHXH"], ["VP"])
    assert second["deadline"]["dates"] == ["2022-06-30"]


def test_header_is_found_by_column_names_in_any_order(admin: Admin, tmp_path: Path) -> None:
    """Other labels, other order, labels broken over two lines: columns are found by name."""
    appendix = Appendix(
        columns=("stt", "content", "deadline", "lead", "support", "product"),
        labels={
            "stt": "TT",
            "content": "NHIỆM VỤ",
            "deadline": "Thời hạn\nhoàn thành",
            "lead": "Cơ quan\nchủ trì",
            "support": "Cơ quan\nphối hợp",
            "product": "Kết quả",
        },
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(
                1,
                "Báo cáo kết quả chuyển đổi số",
                lead="Văn phòng",
                support="Công an xã",
                product="Báo cáo 6 tháng, năm",
                deadline="Tháng 01/2022",
            ),
            Task(2, "Rà soát thủ tục hành chính", "Tư pháp", "Văn phòng", "Danh mục thủ tục", "Quý III/2022"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "thu-tu-khac.xlsx").path)

    first, second = admin.export().tasks
    assert summary(first) == (
        "I.1",
        "Báo cáo kết quả chuyển đổi số",
        ["VP"],
        ["CA"],
        "fixed",
        None,
        ["2022-01-31"],  # the deadline column, not "6 tháng, năm" from the result column
    )
    assert squash(first["product"]) == "Báo cáo 6 tháng, năm"
    assert summary(second) == (
        "I.2",
        "Rà soát thủ tục hành chính",
        ["TP"],
        ["VP"],
        "fixed",
        None,
        ["2022-09-30"],
    )
    assert squash(second["product"]) == "Danh mục thủ tục"


def test_product_note_and_support_columns_may_be_absent(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        columns=("stt", "content", "lead", "deadline"),
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Cập nhật trang thông tin điện tử của xã", lead="Văn phòng", deadline="Hằng tháng"),
            Task(2, "Niêm yết thủ tục hành chính", lead="Tư pháp - Hộ tịch", deadline="Quý I/2022"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "bon-cot.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["I.1", "I.2"]
    for task in exported.tasks:
        assert task["support"] == []
        assert not task["product"]
    assert [t["lead"] for t in exported.tasks] == [["VP"], ["TP"]]
    assert [t["source_row"] for t in exported.tasks] == [7, 8]


@pytest.mark.parametrize(
    ("header", "numbering", "first_task_row"),
    [
        ("two-row", "none", 8),  # header rows 5-6, area row 7
        ("two-row", "parenthesised", 9),  # numbering row "(1) (2) …" on row 7
        ("two-row", "plain", 9),  # numbering row "1 2 3 …" on row 7
        ("one-row", "parenthesised", 8),  # header row 5, numbering row 6
    ],
)
def test_two_row_header_and_numbering_row(
    admin: Admin, tmp_path: Path, header: HeaderStyle, numbering: Numbering, first_task_row: int
) -> None:
    """ "Cơ quan thực hiện" merged over "Chủ trì" | "Phối hợp"; a numbering row is not a task."""
    appendix = Appendix(
        header=header,
        numbering=numbering,
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "Tư pháp; Công an xã", "Kế hoạch", "Tháng 01/2022"),
            Task(2, "Theo dõi, đôn đốc thực hiện", "Văn phòng", "Công chức Văn hóa - Xã hội", "", "Hằng quý"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "hai-dong.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["I.1", "I.2"]
    first, second = exported.tasks
    assert (first["lead"], first["support"]) == (["VP"], ["TP", "CA"])
    assert (second["lead"], second["support"]) == (["VP"], ["VHXH"])
    assert squash(first["product"]) == "Kế hoạch"
    assert (first["source_row"], second["source_row"]) == (first_task_row, first_task_row + 1)


def test_table_may_start_in_column_b(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        start_column=2,
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "cot-b.xlsx").path)

    (task,) = admin.export().tasks
    assert summary(task) == ("I.1", "Xây dựng kế hoạch năm", ["VP"], ["TP"], "fixed", None, ["2022-01-31"])
    assert task["source_row"] == 7


# --------------------------------------------------------------------------- areas, headings, codes


def test_area_heading_in_content_column_with_numeral_in_stt(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "", "", "Tháng 01/2022"),
            Task(2, "Kiểm tra việc thực hiện", "Văn phòng", "", "", "Quý IV/2022"),
            Area("II.", "PHÁT TRIỂN HẠ TẦNG SỐ"),  # the numeral typed with a full stop
            Task(1, "Nâng cấp mạng nội bộ", "Văn phòng", "", "", "Quý II/2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "linh-vuc.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["I.1", "I.2", "II.1"]
    assert [(t["area"], t["number"]) for t in exported.tasks] == [("I", "1"), ("I", "2"), ("II", "1")]
    assert [t["source_row"] for t in exported.tasks] == [7, 8, 10]
    assert "PHÁT TRIỂN HẠ TẦNG SỐ" not in [squash(t["title"]) for t in exported.tasks]


def test_area_heading_as_one_merged_cell(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", merged=True),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "", "", "Tháng 01/2022"),
            Area("II", "PHÁT TRIỂN HẠ TẦNG SỐ", merged=True),
            Task(1, "Nâng cấp mạng nội bộ", "Văn phòng", "", "", "Quý II/2022"),
            Task(
                2,
                "Trang bị máy tính cho bộ phận một cửa",
                "Văn phòng",
                "Tài chính - Kế toán",
                "",
                "Quý III/2022",
            ),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "o-gop.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["I.1", "II.1", "II.2"]
    assert [t["source_row"] for t in exported.tasks] == [7, 9, 10]
    assert exported.task("II.2")["support"] == ["TCKT"]


def test_area_numerals_up_to_vii(admin: Admin, tmp_path: Path) -> None:
    headings = [
        ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
        ("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
        ("III", "PHÁT TRIỂN DỮ LIỆU SỐ"),
        ("IV", "PHÁT TRIỂN CHÍNH QUYỀN SỐ"),
        ("V", "PHÁT TRIỂN KINH TẾ SỐ"),
        ("VI", "PHÁT TRIỂN XÃ HỘI SỐ"),
        ("VII", "BẢO ĐẢM AN TOÀN, AN NINH MẠNG"),
    ]
    rows: list[Area | Task] = []
    for i, (numeral, heading) in enumerate(headings):
        rows.append(Area(numeral, heading, merged=i % 2 == 1))  # both styles, alternately
        rows.append(Task(1, f"Nhiệm vụ trọng tâm về {heading.lower()}", "Văn phòng", "", "", "Năm 2022"))
    admin.imports(write_xlsx(Appendix(rows=rows), tmp_path / "bay-linh-vuc.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["I.1", "II.1", "III.1", "IV.1", "V.1", "VI.1", "VII.1"]
    assert [t["area"] for t in exported.tasks] == ["I", "II", "III", "IV", "V", "VI", "VII"]


def test_sub_heading_rows_are_not_tasks(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
            SubHeading("1. Hạ tầng và ứng dụng"),
            Task(1, "Nâng cấp mạng nội bộ", "Văn phòng", "", "", "Quý II/2022"),
            Task(2, "Duy trì hệ thống hội nghị trực tuyến", "Văn phòng", "Công an xã", "", "Thường xuyên"),
            SubHeading("2. Dữ liệu số", merged=True),
            Task(3, "Số hóa sổ hộ tịch", "Tư pháp", "Văn phòng", "", "Năm 2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "tieu-muc.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["II.1", "II.2", "II.3"]
    assert [squash(t["title"]) for t in exported.tasks] == [
        "Nâng cấp mạng nội bộ",
        "Duy trì hệ thống hội nghị trực tuyến",
        "Số hóa sổ hộ tịch",
    ]
    assert [t["source_row"] for t in exported.tasks] == [8, 9, 11]


def test_blank_rows_and_notes_after_the_table_are_skipped(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "", "", "Tháng 01/2022"),
            Blank(),
            Blank(),
            Task(2, "Kiểm tra việc thực hiện", "Văn phòng", "Tư pháp", "", "Quý IV/2022"),
            Blank(),
            Area("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
            Task(1, "Nâng cấp mạng nội bộ", "Văn phòng", "", "", "Quý II/2022"),
            Blank(),
        ],
        notes=[
            "Ghi chú: Các ấp báo cáo kết quả thực hiện về Văn phòng HĐND và UBND xã trước ngày 20 hằng tháng.",
            "- Công an xã tổng hợp tình hình an ninh mạng hằng quý.",
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "ghi-chu.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["I.1", "I.2", "II.1"]
    assert [t["source_row"] for t in exported.tasks] == [7, 10, 13]


def test_line_breaks_inside_cells(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("II", "PHÁT TRIỂN\nCHÍNH QUYỀN SỐ"),
            Task(
                1,
                "Triển khai phần mềm quản lý văn bản\nvà điều hành trên môi trường mạng",
                lead="Văn phòng",
                support="Tư pháp\nVăn hóa - Xã hội\nCông an xã",
                product="Phần mềm\nđược sử dụng",
                deadline="Trước ngày\n30/6/2022",
            ),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "xuong-dong.xlsx").path)

    (task,) = admin.export().tasks
    assert summary(task) == (
        "II.1",
        "Triển khai phần mềm quản lý văn bản và điều hành trên môi trường mạng",
        ["VP"],
        ["TP", "VHXH", "CA"],
        "fixed",
        None,
        ["2022-06-30"],
    )
    assert squash(task["product"]) == "Phần mềm được sử dụng"
    assert squash(task["deadline"]["text"]) == "Trước ngày 30/6/2022"


def test_task_code_is_area_and_stt_as_written_without_trailing_punctuation(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("III", "PHÁT TRIỂN DỮ LIỆU SỐ"),
            Task("1.", "Số hóa hồ sơ hộ tịch", "Tư pháp", "", "", "Năm 2022"),
            Task("2)", "Cập nhật dữ liệu dân cư", "Công an xã", "", "", "Năm 2022"),
            Task(3, "Xây dựng cơ sở dữ liệu đất đai", "Địa chính - Xây dựng", "", "", "Năm 2022"),
            Task(" 4. ", "Số hóa hồ sơ người có công", "Văn hóa - Xã hội", "", "", "Năm 2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "so-thu-tu.xlsx").path)

    exported = admin.export()
    assert exported.codes == ["III.1", "III.2", "III.3", "III.4"]
    assert [t["number"] for t in exported.tasks] == ["1", "2", "3", "4"]  # the number 3 is not "3.0"
    assert {t["area"] for t in exported.tasks} == {"III"}


# --------------------------------------------------------------------------- units


def test_unit_names_match_ignoring_case_diacritics_spacing_and_punctuation(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Việc một", lead="VĂN PHÒNG HĐND VÀ UBND XÃ", support="cong an xa", deadline="Năm 2022"),
            Task(
                2,
                "Việc hai",
                lead="van phong hdnd va ubnd xa",
                support="Tu phap - Ho tich",
                deadline="Năm 2022",
            ),
            Task(3, "Việc ba", lead="Công chức  Tài chính–Kế toán", support="công an xã.", deadline="Năm 2022"),
            Task(4, "Việc bốn", lead="DIA CHINH - XAY DUNG", support="Ấp  Phú Lợi", deadline="Năm 2022"),
            Task(5, "Việc năm", lead="vhxh", support="VP, tp", deadline="Năm 2022"),  # codes
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "ten-don-vi.xlsx").path)

    exported = admin.export()
    assert [(t["lead"], t["support"]) for t in exported.tasks] == [
        (["VP"], ["CA"]),
        (["VP"], ["TP"]),
        (["TCKT"], ["CA"]),
        (["DC"], ["AP1"]),
        (["VHXH"], ["VP", "TP"]),
    ]


def test_units_are_separated_by_semicolons_line_breaks_and_commas(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Việc một", "Văn phòng", "Tư pháp; Văn hóa - Xã hội", deadline="Năm 2022"),
            Task(2, "Việc hai", "Công an xã", "Văn hóa - Xã hội\nẤp Phú Lợi\nẤp Tân Long", deadline="Năm 2022"),
            Task(3, "Việc ba", "Kế toán", "Tư pháp, Địa chính - Xây dựng, Ấp Phú Thạnh", deadline="Năm 2022"),
            Task(4, "Việc bốn", "Văn phòng; Công an xã", "Tư pháp", deadline="Năm 2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "phan-cach.xlsx").path)

    exported = admin.export()
    assert [(t["lead"], t["support"]) for t in exported.tasks] == [
        (["VP"], ["TP", "VHXH"]),
        (["CA"], ["VHXH", "AP1", "AP3"]),
        (["TCKT"], ["TP", "DC", "AP2"]),
        (["VP", "CA"], ["TP"]),
    ]


def test_unit_names_containing_commas_match_longest_first(admin: Admin, tmp_path: Path) -> None:
    """ "Địa chính, Xây dựng, Nông nghiệp và Môi trường" is one unit, not three names."""
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(
                1,
                "Việc một",
                "Địa chính, Xây dựng, Nông nghiệp và Môi trường",
                "Công an xã",
                deadline="Năm 2022",
            ),
            Task(2, "Việc hai", "Văn phòng", "Các ấp, khu dân cư", deadline="Năm 2022"),
            Task(
                3,
                "Việc ba",
                "Văn phòng",
                "Địa chính, Xây dựng, Nông nghiệp và Môi trường, Công an xã",
                deadline="Năm 2022",
            ),
            Task(4, "Việc bốn", "Văn phòng UBND xã", "Tư pháp", deadline="Năm 2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "dau-phay.xlsx").path)

    exported = admin.export()
    assert [(t["lead"], t["support"]) for t in exported.tasks] == [
        (["DC"], ["CA"]),
        (["VP"], ["AP1", "AP2", "AP3"]),
        (["VP"], ["DC", "CA"]),
        (["VP"], ["TP"]),
    ]


def test_groups_expand_to_their_units_in_registry_order(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Việc một", "Các ấp", "Văn phòng", deadline="Năm 2022"),
            Task(2, "Việc hai", "Văn hóa - Xã hội", "Ban nhân dân các ấp", deadline="Năm 2022"),
            Task(3, "Việc ba", "Văn phòng", "Các công chức chuyên môn", deadline="Năm 2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "nhom.xlsx").path)

    exported = admin.export()
    assert [(t["lead"], t["support"]) for t in exported.tasks] == [
        (["AP1", "AP2", "AP3"], ["VP"]),
        (["VHXH"], ["AP1", "AP2", "AP3"]),
        (["VP"], ["TCKT", "TP", "VHXH", "DC"]),  # registry order, not alphabetical
    ]


def test_a_lead_unit_is_not_also_listed_as_support(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Việc một", "Văn phòng", "Tất cả bộ phận, đơn vị", deadline="Năm 2022"),
            Task(2, "Việc hai", "Tư pháp", "Tư pháp - Hộ tịch; Công an xã", deadline="Năm 2022"),
            Task(3, "Việc ba", "Ấp Phú Lợi", "Các ấp", deadline="Năm 2022"),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "khong-trung.xlsx").path)

    exported = admin.export()
    assert [(t["lead"], t["support"]) for t in exported.tasks] == [
        (["VP"], ALL_BUT["VP"]),
        (["TP"], ["CA"]),
        (["AP1"], ["AP2", "AP3"]),
    ]


def test_unknown_unit_is_an_error_naming_the_text(admin: Admin, tmp_path: Path) -> None:
    """A district office ("Phòng Nội vụ") is unknown to the commune."""
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Rà soát thủ tục hành chính", "Phòng Nội vụ", "Tư pháp", deadline="Quý II/2022"),
        ]
    )
    stderr = admin.rejects(write_xlsx(appendix, tmp_path / "la.xlsx").path)

    assert names_defect(stderr, row=7, text="Phòng Nội vụ", column="Chủ trì", letter="D", column_key="lead")
    assert admin.stored_tasks() == []


# --------------------------------------------------------------------------- deadlines

DEADLINES: list[tuple[str, str, str | None, list[str]]] = [
    ("15/12/2022", "fixed", None, ["2022-12-15"]),
    ("Trước ngày 15/12/2022", "fixed", None, ["2022-12-15"]),
    ("Chậm nhất ngày 31/03/2022", "fixed", None, ["2022-03-31"]),
    ("Tháng 3/2022", "fixed", None, ["2022-03-31"]),
    ("Tháng 02/2022", "fixed", None, ["2022-02-28"]),
    ("Trong tháng 11/2022", "fixed", None, ["2022-11-30"]),
    ("Quý I/2022", "fixed", None, ["2022-03-31"]),
    ("Quý 2 năm 2022", "fixed", None, ["2022-06-30"]),
    ("Quý III/2022", "fixed", None, ["2022-09-30"]),
    ("6 tháng đầu năm", "fixed", None, ["2022-06-30"]),
    ("6 tháng cuối năm", "fixed", None, ["2022-12-31"]),
    ("9 tháng", "fixed", None, ["2022-09-30"]),
    ("Năm 2022", "fixed", None, ["2022-12-31"]),
    ("Tháng 6 và tháng 12/2022", "fixed", None, ["2022-06-30", "2022-12-31"]),
    ("Quý II và Quý IV/2022", "fixed", None, ["2022-06-30", "2022-12-31"]),
    ("Hằng tháng", "recurring", "month", month_ends(2022)),
    ("Hằng quý", "recurring", "quarter", ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"]),
    ("Hàng quý", "recurring", "quarter", ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"]),
    ("Định kỳ 6 tháng, năm", "recurring", "half-year", ["2022-06-30", "2022-12-31"]),
    ("Thường xuyên", "continuous", None, []),
    ("Theo kế hoạch của tỉnh (dự kiến Quý II/2022)", "fixed", None, ["2022-06-30"]),
]


@pytest.mark.parametrize(("phrase", "kind", "every", "dates"), DEADLINES)
def test_deadline_phrase(
    admin: Admin, tmp_path: Path, phrase: str, kind: str, every: str | None, dates: list[str]
) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Báo cáo kết quả thực hiện", "Văn phòng", "Tư pháp", "Báo cáo", phrase),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "thoi-han.xlsx").path)

    (task,) = admin.export().tasks
    assert task["deadline"] == {"text": phrase, "kind": kind, "every": every, "dates": dates}


def test_deadline_typed_as_an_excel_date(admin: Admin, tmp_path: Path) -> None:
    """Excel turns "15/12/2022" typed in a cell into a date cell; it is still that date."""
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Tổng kết năm", "Văn phòng", "Các ấp", "Báo cáo", date(2022, 12, 15)),
        ]
    )
    admin.imports(write_xlsx(appendix, tmp_path / "o-ngay.xlsx").path)

    (task,) = admin.export().tasks
    assert (task["deadline"]["kind"], task["deadline"]["dates"]) == ("fixed", ["2022-12-15"])


@pytest.mark.parametrize("phrase", ["Chưa xác định", "Sau khi hoàn thành rà soát", "31/02/2022"])
def test_unknown_deadline_phrase_is_an_error(admin: Admin, tmp_path: Path, phrase: str) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Báo cáo kết quả thực hiện", "Văn phòng", "Tư pháp", "Báo cáo", phrase),
        ]
    )
    stderr = admin.rejects(write_xlsx(appendix, tmp_path / "thoi-han-la.xlsx").path)

    assert names_defect(stderr, row=7, text=phrase, column="Thời gian hoàn thành", letter="F", column_key="deadline")
    assert admin.stored_tasks() == []


def test_a_deadline_only_in_the_note_column_is_read_when_it_is_a_date_or_period(admin: Admin, tmp_path: Path) -> None:
    """An empty deadline cell: a period in the note ("Quý II/2022") is the deadline; a note that only
    says how the work is done ("Thực hiện theo Kế hoạch số 12/KH-UBND", "Khi có yêu cầu") is not a
    deadline, and the row is refused for lacking one (it would otherwise become continuous work)."""
    rows: list[Row] = [
        Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
        Task(1, "Ban hành kế hoạch", "Văn phòng", note="Quý II/2022"),
    ]
    admin.imports(write_xlsx(Appendix(rows=rows), tmp_path / "ghi-chu.xlsx").path)
    assert admin.export().task("I.1")["deadline"]["dates"] == ["2022-06-30"]
    for note in ("Thực hiện theo Kế hoạch số 12/KH-UBND", "Khi có yêu cầu"):
        bad = Appendix(rows=[*rows, Task(2, "Cập nhật dữ liệu", "Văn phòng", note=note)])
        stderr = admin.rejects(write_xlsx(bad, tmp_path / "ghi-chu-2.xlsx").path)
        assert names_defect(stderr, row=8, column="Thời gian hoàn thành", column_key="deadline"), stderr


def test_plan_year_comes_from_the_title_rows(admin: Admin, tmp_path: Path) -> None:
    """A 2023 plan adopted in December 2022: the year is the plan's, not the adoption date's."""
    appendix = Appendix(
        title_lines=TITLE_2023,
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Sơ kết 6 tháng", "Văn phòng", "", "", "6 tháng đầu năm"),
            Task(2, "Theo dõi, đôn đốc", "Văn phòng", "", "", "Hằng quý"),
            Task(3, "Tổng kết năm", "Văn phòng", "", "", "6 tháng cuối năm"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "nam-2023.xlsx").path)

    exported = admin.export()
    assert exported.plan["year"] == 2023
    assert [t["deadline"]["dates"] for t in exported.tasks] == [
        ["2023-06-30"],
        ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"],
        ["2023-12-31"],
    ]


def test_plan_year_is_the_titles_not_the_adoption_date_above_it(admin: Admin, tmp_path: Path) -> None:
    """Some appendices put "(Kèm theo Kế hoạch … ngày 20 tháng 12 năm 2022 …)" above the title line."""
    appendix = Appendix(
        title_lines=(
            "PHỤ LỤC",
            "(Kèm theo Kế hoạch số 120/KH-UBND ngày 20 tháng 12 năm 2022 của Ủy ban nhân dân xã Tân Phú)",
            "DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ CỦA XÃ TÂN PHÚ NĂM 2023",
        ),
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Sơ kết 6 tháng", "Văn phòng", "", "", "6 tháng đầu năm"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "kem-theo-truoc.xlsx").path)

    exported = admin.export()
    assert exported.plan["year"] == 2023
    assert "chuyen doi so" in fold(exported.plan["title"])
    assert exported.task("I.1")["deadline"]["dates"] == ["2023-06-30"]


def test_year_option_gives_the_year_when_the_title_has_none(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        title_lines=("PHỤ LỤC", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH CỦA XÃ TÂN PHÚ"),
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Sơ kết 6 tháng", "Văn phòng", "", "", "6 tháng đầu năm"),
            Task(2, "Cập nhật số liệu", "Văn phòng", "", "", "Hằng tháng"),
        ],
    )
    admin.imports(write_xlsx(appendix, tmp_path / "khong-nam.xlsx").path, "--year", "2024")

    exported = admin.export()
    assert exported.plan["year"] == 2024
    first, second = exported.tasks
    assert first["deadline"]["dates"] == ["2024-06-30"]
    assert second["deadline"]["dates"] == month_ends(2024)
    assert "2024-02-29" in second["deadline"]["dates"]


# --------------------------------------------------------------------------- Word


def test_docx_table_between_paragraphs_after_a_document_header_table(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "Tư pháp; Công an xã", "Kế hoạch", "Tháng 01/2022"),
            Task(2, "Kiểm tra việc thực hiện", "Văn phòng", "Các ấp", "Báo cáo", "Quý IV/2022"),
        ],
        notes=["Ghi chú: Các ấp báo cáo kết quả về Văn phòng trước ngày 20 hằng tháng."],
    )
    admin.imports(write_docx(appendix, tmp_path / "ke-hoach.docx").path, "--year", "2022")

    exported = admin.export()
    assert [summary(t) for t in exported.tasks] == [
        ("I.1", "Xây dựng kế hoạch năm", ["VP"], ["TP", "CA"], "fixed", None, ["2022-01-31"]),
        ("I.2", "Kiểm tra việc thực hiện", ["VP"], ["AP1", "AP2", "AP3"], "fixed", None, ["2022-12-31"]),
    ]
    assert [squash(t["product"]) for t in exported.tasks] == ["Kế hoạch", "Báo cáo"]
    assert "cong hoa xa hoi" not in fold(exported.plan["title"])  # the layout table is not the title


def test_docx_merged_cells_count_once(admin: Admin, tmp_path: Path) -> None:
    """Word repeats a merged cell's text across the cells it covers; each must count once."""
    appendix = Appendix(
        header="two-row",
        numbering="parenthesised",
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", merged=True),
            Task(1, "Xây dựng kế hoạch năm", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022"),
            # Same lead for two tasks, typed once in a vertically merged cell.
            Task(2, "Kiểm tra việc thực hiện", SAME_AS_ABOVE, "Công an xã", "Báo cáo", "Quý IV/2022"),
            Area("II", "PHÁT TRIỂN HẠ TẦNG SỐ", merged=True),
            SubHeading("1. Hạ tầng và ứng dụng", merged=True),
            Task(1, "Nâng cấp mạng nội bộ", "Văn phòng", "", "", "Quý II/2022"),
        ],
    )
    admin.imports(write_docx(appendix, tmp_path / "o-gop.docx").path, "--year", "2022")

    exported = admin.export()
    assert exported.codes == ["I.1", "I.2", "II.1"]
    assert [(t["lead"], t["support"]) for t in exported.tasks] == [
        (["VP"], ["TP"]),
        (["VP"], ["CA"]),
        (["VP"], []),
    ]
    titles = " ".join(squash(t["title"]) for t in exported.tasks)
    assert "CÔNG TÁC CHỈ ĐẠO" not in titles
    assert "Hạ tầng và ứng dụng" not in titles


def test_docx_plan_year_from_the_title_paragraphs(admin: Admin, tmp_path: Path) -> None:
    """The document header says "năm 2022" (adoption date); the title says the plan is for 2023."""
    appendix = Appendix(
        title_lines=TITLE_2023,
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Sơ kết 6 tháng", "Văn phòng", "", "", "6 tháng đầu năm"),
        ],
    )
    built = write_docx(
        appendix,
        tmp_path / "nam-2023.docx",
        header_right="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Tân Phú, ngày 20 tháng 12 năm 2022",
    )
    admin.imports(built.path)

    exported = admin.export()
    assert exported.plan["year"] == 2023
    assert exported.task("I.1")["deadline"]["dates"] == ["2023-06-30"]


def test_docx_cells_with_several_paragraphs(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(
                1,
                "Tuyên truyền về chuyển đổi số\ntrên hệ thống loa truyền thanh",
                lead="Văn hóa - Xã hội",
                support="Văn phòng\nCác ấp",
                deadline="Hằng\ntháng",
            ),
        ]
    )
    admin.imports(write_docx(appendix, tmp_path / "nhieu-doan.docx").path, "--year", "2022")

    (task,) = admin.export().tasks
    assert summary(task) == (
        "I.1",
        "Tuyên truyền về chuyển đổi số trên hệ thống loa truyền thanh",
        ["VHXH"],
        ["VP", "AP1", "AP2", "AP3"],
        "recurring",
        "month",
        month_ends(2022),
    )


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("bom", [True, False], ids=["utf8-bom", "utf8"])
def test_csv_in_utf8_with_or_without_bom(admin: Admin, tmp_path: Path, bom: bool) -> None:
    """No title rows: the header is the very first cell, right after the byte-order mark."""
    appendix = Appendix(
        title_lines=(),
        blank_rows_before_table=0,
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Số hóa hồ sơ hộ tịch", "Tư pháp - Hộ tịch", "Văn phòng", "Dữ liệu số", "Quý III/2022"),
            Task(2, "Đối soát dữ liệu dân cư", "Công an xã", "Các ấp", "", "Hằng quý"),
        ],
    )
    admin.imports(write_csv(appendix, tmp_path / "phu-luc.csv", bom=bom).path, "--year", "2022")

    exported = admin.export()
    assert [summary(t) for t in exported.tasks] == [
        ("I.1", "Số hóa hồ sơ hộ tịch", ["TP"], ["VP"], "fixed", None, ["2022-09-30"]),
        (
            "I.2",
            "Đối soát dữ liệu dân cư",
            ["CA"],
            ["AP1", "AP2", "AP3"],
            "recurring",
            "quarter",
            ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"],
        ),
    ]
    assert [t["source_row"] for t in exported.tasks] == [3, 4]


def test_csv_rows_are_counted_as_a_spreadsheet_shows_them(admin: Admin, tmp_path: Path) -> None:
    """A quoted cell with line breaks is one row in Excel, though several lines in the file."""
    appendix = Appendix(
        rows=[
            Area("I", "CÔNG TÁC\nCHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(
                1,
                "Xây dựng kế hoạch\nchuyển đổi số\nnăm 2022",
                "Văn phòng",
                "Tư pháp\nCông an xã",
                "",
                "Tháng 01/2022",
            ),
            Task(2, "Kiểm tra việc thực hiện", "Văn phòng", "", "", "Quý IV/2022"),
        ]
    )
    built = write_csv(appendix, tmp_path / "xuong-dong.csv")
    admin.imports(built.path)

    exported = admin.export()
    assert [t["source_row"] for t in exported.tasks] == [7, 8]
    assert built.row_of("Kiểm tra việc thực hiện") == 8
    assert squash(exported.task("I.1")["title"]) == "Xây dựng kế hoạch chuyển đổi số năm 2022"
    assert exported.task("I.1")["support"] == ["TP", "CA"]


# --------------------------------------------------------------------------- a whole commune appendix

COMMUNE_PLAN = Appendix(
    header="two-row",
    numbering="parenthesised",
    rows=[
        Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", merged=True),
        Task(
            1,
            "Ban hành Kế hoạch chuyển đổi số của xã năm 2022",
            "Văn phòng",
            "Các công chức chuyên môn",
            "Kế hoạch",
            "Tháng 01/2022",
        ),
        Task(
            2,
            "Kiện toàn Tổ công nghệ số cộng đồng tại các ấp",
            "Văn hóa - Xã hội",
            "Văn phòng; Các ấp",
            "Quyết định kiện toàn",
            "Quý I/2022",
        ),
        Task(
            3,
            "Báo cáo kết quả thực hiện\nchuyển đổi số",
            "Văn phòng",
            "Tất cả bộ phận, đơn vị",
            "Báo cáo",
            "Định kỳ 6 tháng, năm",
        ),
        Blank(),
        Area("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
        SubHeading("1. Hạ tầng và ứng dụng"),
        Task(
            "1.",
            "Duy trì đường truyền số liệu chuyên dùng\nvà mạng nội bộ",
            "Văn phòng",
            "",
            "Hệ thống hoạt động ổn định",
            "Thường xuyên",
        ),
        Task(
            "2.",
            "Lắp đặt camera an ninh tại các tuyến đường chính",
            "Công an xã",
            "Địa chính, Xây dựng, Nông nghiệp và Môi trường, Các ấp",
            "Camera được lắp đặt",
            "Theo kế hoạch của huyện (dự kiến Quý III/2022)",
        ),
        SubHeading("2. Dữ liệu số", merged=True),
        Task(
            "3.",
            "Số hóa sổ hộ tịch",
            "Tư pháp - Hộ tịch",
            "Văn phòng",
            "Dữ liệu hộ tịch được số hóa",
            "Tháng 6 và tháng 12/2022",
        ),
        Area("III", "PHÁT TRIỂN XÃ HỘI SỐ", merged=True),
        Task(
            1,
            "Tuyên truyền kỹ năng số cho người dân",
            "Văn hóa - Xã hội",
            "Ban nhân dân các ấp",
            "Tin, bài tuyên truyền",
            "Hằng quý",
        ),
        Task(
            2,
            "Vận động người dân sử dụng dịch vụ công trực tuyến",
            "Các ấp",
            "Văn phòng;\nCông an xã",
            "Tỷ lệ hồ sơ trực tuyến",
            "Hằng tháng",
        ),
    ],
    notes=["Ghi chú: Các bộ phận, ấp báo cáo kết quả về Văn phòng HĐND và UBND xã trước ngày 20 hằng tháng."],
)

QUARTER_ENDS_2022 = ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"]
HAMLETS = ["AP1", "AP2", "AP3"]

COMMUNE_TASKS: list[tuple[Any, ...]] = [
    (
        "I.1",
        "Ban hành Kế hoạch chuyển đổi số của xã năm 2022",
        ["VP"],
        ["TCKT", "TP", "VHXH", "DC"],
        "fixed",
        None,
        ["2022-01-31"],
    ),
    (
        "I.2",
        "Kiện toàn Tổ công nghệ số cộng đồng tại các ấp",
        ["VHXH"],
        ["VP", *HAMLETS],
        "fixed",
        None,
        ["2022-03-31"],
    ),
    (
        "I.3",
        "Báo cáo kết quả thực hiện chuyển đổi số",
        ["VP"],
        ALL_BUT["VP"],
        "recurring",
        "half-year",
        ["2022-06-30", "2022-12-31"],
    ),
    ("II.1", "Duy trì đường truyền số liệu chuyên dùng và mạng nội bộ", ["VP"], [], "continuous", None, []),
    (
        "II.2",
        "Lắp đặt camera an ninh tại các tuyến đường chính",
        ["CA"],
        ["DC", *HAMLETS],
        "fixed",
        None,
        ["2022-09-30"],
    ),
    ("II.3", "Số hóa sổ hộ tịch", ["TP"], ["VP"], "fixed", None, ["2022-06-30", "2022-12-31"]),
    (
        "III.1",
        "Tuyên truyền kỹ năng số cho người dân",
        ["VHXH"],
        HAMLETS,
        "recurring",
        "quarter",
        QUARTER_ENDS_2022,
    ),
    (
        "III.2",
        "Vận động người dân sử dụng dịch vụ công trực tuyến",
        HAMLETS,
        ["VP", "CA"],
        "recurring",
        "month",
        month_ends(2022),
    ),
]


@pytest.mark.parametrize("kind", ["xlsx", "docx", "csv"])
def test_a_whole_commune_appendix_in_each_format(admin: Admin, tmp_path: Path, kind: str) -> None:
    """Two-row header, numbering row, both area styles, sub-headings, groups, commas in names,
    line breaks, every kind of deadline, notes under the table — and no --year."""
    writers: dict[str, Callable[[Appendix, Path], Built]] = {
        "xlsx": write_xlsx,
        "docx": write_docx,
        "csv": write_csv,
    }
    built = writers[kind](COMMUNE_PLAN, tmp_path / f"ke-hoach-chuyen-doi-so.{kind}")
    admin.imports(built.path)

    exported = admin.export()
    assert exported.plan["year"] == 2022
    assert [summary(t) for t in exported.tasks] == COMMUNE_TASKS
    assert [(t["area"], t["number"]) for t in exported.tasks] == [tuple(code.split(".")) for code, *_ in COMMUNE_TASKS]
    assert squash(exported.task("II.1")["product"]) == "Hệ thống hoạt động ổn định"
    if kind != "docx":
        assert [t["source_row"] for t in exported.tasks] == [9, 10, 11, 15, 16, 18, 20, 21]
        assert [t["source_row"] for t in exported.tasks] == [
            built.row_of(str(task.content)) for task in COMMUNE_PLAN.rows if isinstance(task, Task)
        ]


# --------------------------------------------------------------------------- broken appendices

BROKEN = Appendix(
    rows=[
        Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),  # row 6
        Task(1, "Ban hành kế hoạch năm", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022"),  # row 7
        Task(2, "Rà soát thủ tục hành chính", "Phòng Nội vụ", "Tư pháp", "", "Quý II/2022"),  # row 8
        Task(3, "Cập nhật dữ liệu đất đai", "Địa chính - Xây dựng", "Ấp Phú Hòa", "", "Chưa xác định"),  # 9
        Task(4, "Tổ chức hội nghị sơ kết", "", "Văn phòng", "", "6 tháng đầu năm"),  # row 10
        Task(5, "Tuyên truyền pháp luật", "Tư pháp", "", "", "Thường xuyên"),  # row 11
    ]
)


def assert_lists_every_defect_of_broken(stderr: str) -> None:
    # Standard columns: A STT, B Nội dung, C Sản phẩm, D Chủ trì, E Phối hợp, F Thời gian, G Ghi chú.
    assert names_defect(stderr, row=8, text="Phòng Nội vụ", column="Chủ trì", letter="D", column_key="lead")
    assert names_defect(stderr, row=9, text="Ấp Phú Hòa", column="Phối hợp", letter="E", column_key="support")
    assert names_defect(
        stderr,
        row=9,
        text="Chưa xác định",
        column="Thời gian hoàn thành",
        letter="F",
        column_key="deadline",
    )
    assert names_defect(stderr, row=10, column="Chủ trì", letter="D", column_key="lead")
    for good_row in (7, 11):
        assert not names_defect(stderr, row=good_row), f"row {good_row} is fine:\n{stderr}"


def test_broken_appendix_lists_every_defect_in_vietnamese(admin: Admin, tmp_path: Path) -> None:
    stderr = admin.rejects(write_xlsx(BROKEN, tmp_path / "loi.xlsx").path)

    assert_lists_every_defect_of_broken(stderr)
    assert_vietnamese(stderr)
    assert admin.stored_tasks() == []


def test_broken_appendix_lists_every_defect_in_english(admin: Admin, tmp_path: Path) -> None:
    stderr = admin.rejects(write_xlsx(BROKEN, tmp_path / "loi.xlsx").path, "--lang", "en")

    assert_lists_every_defect_of_broken(stderr)
    assert_english(stderr)
    assert admin.stored_tasks() == []


def test_broken_csv_names_sheet_rows(admin: Admin, tmp_path: Path) -> None:
    stderr = admin.rejects(write_csv(BROKEN, tmp_path / "loi.csv").path)

    assert_lists_every_defect_of_broken(stderr)
    assert admin.stored_tasks() == []


def test_broken_docx_names_table_and_row(admin: Admin, tmp_path: Path) -> None:
    """In Word the row is the table's own row (header = row 1) and the table is counted as the clerk
    sees them, the layout table above it (the letterhead) not counted: "bảng 1, dòng M" / "table 1, row M"."""
    built = write_docx(BROKEN, tmp_path / "loi.docx")
    # The document header is a layout table; in the task table: header row 1, area row 2, tasks on rows 3-7.
    assert built.row_of("Rà soát thủ tục hành chính") == 4

    for options, table_word in (((), "bảng"), (("--lang", "en"), "table")):
        stderr = admin.rejects(built.path, "--year", "2022", *options)
        assert names_defect(stderr, row=4, text="Phòng Nội vụ"), stderr
        assert names_defect(stderr, row=5, text="Ấp Phú Hòa"), stderr
        assert names_defect(stderr, row=5, text="Chưa xác định"), stderr
        assert names_defect(stderr, row=6, column="Chủ trì", column_key="lead"), stderr
        for row in (4, 5, 6):
            assert any(
                re.search(rf"\b{table_word}\s*1\b", line.lower()) and re.search(rf"(?<!\d){row}(?!\d)", line)
                for line in stderr.splitlines()
            ), f"table 1 is not named for row {row}:\n{stderr}"
        if options:
            assert_english(stderr)
        else:
            assert_vietnamese(stderr)
    assert admin.stored_tasks() == []


def test_appendix_without_a_header_row_is_refused(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        header="none",
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Ban hành kế hoạch năm", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022"),
        ],
    )
    built = write_xlsx(appendix, tmp_path / "khong-tieu-de.xlsx")

    vietnamese = admin.rejects(built.path)
    english = admin.rejects(built.path, "--lang", "en")

    assert "cột" in vietnamese.lower() or "tiêu đề" in vietnamese.lower(), vietnamese
    assert "header" in english.lower() or "column" in english.lower(), english
    assert vietnamese != english
    assert admin.stored_tasks() == []


def test_appendix_without_a_lead_column_is_refused(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        columns=("stt", "content", "support", "deadline"),
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Ban hành kế hoạch năm", support="Tư pháp", deadline="Tháng 01/2022"),
        ],
    )
    stderr = admin.rejects(write_xlsx(appendix, tmp_path / "thieu-chu-tri.xlsx").path)

    assert "chu tri" in fold(stderr), stderr
    assert admin.stored_tasks() == []


def test_a_broken_reimport_leaves_the_previous_plan_untouched(admin: Admin, tmp_path: Path) -> None:
    good = Appendix(rows=[r for r in BROKEN.rows if not isinstance(r, Task) or r.stt in (1, 5)])
    admin.imports(write_xlsx(good, tmp_path / "ke-hoach.xlsx").path)
    before = admin.export()
    assert before.codes == ["I.1", "I.5"]

    admin.rejects(write_xlsx(BROKEN, tmp_path / "ke-hoach.xlsx").path)

    assert admin.export().text == before.text


# --------------------------------------------------------------------------- re-import and dry run


def plan_v1() -> Appendix:
    return Appendix(
        rows=[
            Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
            Task(1, "Ban hành kế hoạch năm", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022"),
            Task(2, "Tổ chức tập huấn kỹ năng số", "Văn hóa - Xã hội", "Tư pháp", "Lớp tập huấn", "Quý II/2022"),
            Task(3, "Sơ kết 6 tháng", "Văn phòng", "Các ấp", "Báo cáo", "6 tháng đầu năm"),
        ]
    )


def plan_v2() -> Appendix:
    """The same plan after the office corrected task I.2: later deadline, one more supporting unit."""
    rows = list(plan_v1().rows)
    rows[2] = Task(
        2,
        "Tổ chức tập huấn kỹ năng số cho cán bộ, công chức xã",
        "Văn hóa - Xã hội",
        "Tư pháp; Công an xã",
        "Lớp tập huấn",
        "Tháng 9/2022",
    )
    return Appendix(rows=rows)


def test_importing_the_same_appendix_twice_changes_nothing(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(plan_v1(), tmp_path / "ke-hoach.xlsx")
    admin.imports(built.path)
    first = admin.export()

    admin.imports(built.path)

    assert first.codes == ["I.1", "I.2", "I.3"]
    assert admin.export().text == first.text


def test_corrected_reimport_updates_the_task_with_the_same_code(admin: Admin, tmp_path: Path) -> None:
    admin.imports(write_xlsx(plan_v1(), tmp_path / "ke-hoach.xlsx").path)
    before = admin.export()
    assert before.task("I.2")["deadline"]["dates"] == ["2022-06-30"]

    admin.imports(write_xlsx(plan_v2(), tmp_path / "ke-hoach-da-sua.xlsx").path)

    after = admin.export()
    assert after.codes == ["I.1", "I.2", "I.3"]
    corrected = after.task("I.2")
    assert corrected["deadline"]["text"] == "Tháng 9/2022"
    assert corrected["deadline"]["dates"] == ["2022-09-30"]
    assert corrected["support"] == ["TP", "CA"]
    assert squash(corrected["title"]) == "Tổ chức tập huấn kỹ năng số cho cán bộ, công chức xã"
    assert after.task("I.1") == before.task("I.1")
    assert after.task("I.3") == before.task("I.3")


def test_dry_run_writes_nothing(admin: Admin, tmp_path: Path) -> None:
    v1 = write_xlsx(plan_v1(), tmp_path / "ke-hoach.xlsx").path
    admin.imports(v1, "--dry-run")
    assert admin.stored_tasks() == []

    admin.imports(v1)
    before = admin.export()
    admin.imports(write_xlsx(plan_v2(), tmp_path / "ke-hoach-da-sua.xlsx").path, "--dry-run")

    assert admin.export().text == before.text


def test_dry_run_still_reports_defects(admin: Admin, tmp_path: Path) -> None:
    stderr = admin.rejects(write_xlsx(BROKEN, tmp_path / "loi.xlsx").path, "--dry-run")

    assert_lists_every_defect_of_broken(stderr)
    assert admin.stored_tasks() == []
