"""Whole appendices in the shapes real plans are published in, each with the registry of its issuer.

The texts are invented; the shapes are the ones people publish: a Government action programme
("Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm"), a city plan with "Đơn vị
thực hiện" split into "Chủ trì | Phối hợp", a department's letter with a "Nội dung công việc" list and
a "Mã nhiệm vụ" column, and a commune plan numbered "1." / "1.1" / "a)" / "-" under "Nhiệm vụ" merged
over "TT | Chi tiết". Each is imported from Excel and from Word; every task is checked as a person
reads it: code, title, lead and supporting units, deadline.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import typer
from typer.testing import CliRunner, Result

from tests.conftest import empty_sqlite_url
from tests.plan.layouts import Group, Registry, Unit, commune_registry, write_registry
from tests.plan.real_layouts import LEFT, UP, WRITERS, Sheet, write_docx, write_docx_sections

# docx runs with the slow tests (CI): the fast suite reads each layout from xlsx, and docx tables elsewhere
FORMATS = ["xlsx", pytest.param("docx", marks=pytest.mark.slow)]


def squash(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


@dataclass
class Admin:
    """The administrator at the command line, on a store of their own."""

    app: typer.Typer
    db: str
    runner: CliRunner

    def run(self, *args: str) -> Result:
        return self.runner.invoke(self.app, ["--db", self.db, "--lang", "en", *args])

    def register(self, path: Path, registry: Registry) -> None:
        result = self.run("units", "import", str(write_registry(path, registry)))
        assert result.exit_code == 0, result.stderr

    def imports(self, path: Path) -> None:
        result = self.run("plan", "import", str(path))
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 0, f"import of {path.name} failed:\n{result.stderr}"

    def tasks(self) -> list[dict[str, Any]]:
        result = self.run("plan", "export", "--format", "json")
        if result.exit_code != 0:
            return []
        return list(json.loads(result.stdout).get("tasks") or [])


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    app = cast(typer.Typer, importlib.import_module("dondoc.cli").app)
    return Admin(app=app, db=empty_sqlite_url(tmp_path / "dondoc.db"), runner=CliRunner())


Read = tuple[str, str, list[str], list[str], str, list[str]]
"""(code, title, lead, support, deadline kind, due dates) of one task."""


def read_back(tasks: list[dict[str, Any]]) -> list[Read]:
    return [
        (
            t["code"],
            squash(t["title"]),
            t["lead"],
            t["support"],
            t["deadline"]["kind"],
            t["deadline"]["dates"],
        )
        for t in tasks
    ]


def import_and_read(admin: Admin, tmp_path: Path, registry: Registry, sheet: Sheet, kind: str) -> list[Read]:
    admin.register(tmp_path / "don-vi.yaml", registry)
    admin.imports(WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}"))
    return read_back(admin.tasks())


# --------------------------------------------------------------------------- a Government programme

MINISTRIES = ("BTP", "BQP", "BCA", "BYT", "BKHDT", "BTC", "BTTTT", "VPCP")
GOVERNMENT = Registry(
    organization="Chính phủ",
    coordinator="VPCP",
    units=(
        Unit("BTP", "Bộ Tư pháp", groups=("bo",)),
        Unit("BQP", "Bộ Quốc phòng", groups=("bo",)),
        Unit("BCA", "Bộ Công an", groups=("bo",)),
        Unit("BYT", "Bộ Y tế", groups=("bo",)),
        Unit("BKHDT", "Bộ Kế hoạch và Đầu tư", groups=("bo",)),
        Unit("BTC", "Bộ Tài chính", groups=("bo",)),
        Unit("BTTTT", "Bộ Thông tin và Truyền thông", ("Bộ TT&TT",), groups=("bo",)),
        Unit("VPCP", "Văn phòng Chính phủ", groups=("bo",)),
        Unit("AG", "Ủy ban nhân dân tỉnh An Giang", ("UBND tỉnh An Giang",), groups=("dp",)),
        Unit("CT", "Ủy ban nhân dân thành phố Cần Thơ", ("UBND thành phố Cần Thơ",), groups=("dp",)),
    ),
    groups=(
        Group("bo", "Các bộ, cơ quan ngang bộ", ("Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",)),
        Group(
            "dp",
            "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương",
            ("UBND các tỉnh, thành phố", "Các địa phương"),
        ),
    ),
)

PROGRAMME = Sheet(
    title_lines=(
        "CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ",
        "Thực hiện Nghị quyết về phát triển dữ liệu số năm 2024",
        "(Kèm theo Nghị quyết số 45/NQ-CP ngày 10 tháng 4 năm 2024 của Chính phủ)",
    ),
    header=(
        (
            "TT",
            "Nhiệm vụ",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian\nhoàn thành",
            "Kết quả cần đạt",
            "Sản phẩm (*)",
        ),
    ),
    body=(
        ("I", "HOÀN THIỆN THỂ CHẾ, CHÍNH SÁCH", "", "", "", "", ""),
        (
            "1",
            "Xây dựng Nghị định về định danh và xác thực điện tử",
            "Bộ Công an",
            "Bộ Tư pháp, Bộ Thông tin và Truyền thông",
            "2024",
            "Nghị định được ban hành đúng hạn",
            "Nghị định của Chính phủ",
        ),
        (
            "2",
            "Rà soát văn bản quy phạm pháp luật về dữ liệu",
            "Bộ Tư pháp",
            "Các Bộ: Quốc phòng, Công an, Y tế",
            "Quý I/2025 (rà soát);\nNăm 2025 (sửa đổi)",
            "Danh mục văn bản cần sửa đổi",
            "Báo cáo rà soát",
        ),
        (
            "3",
            "Sửa đổi quy định về đầu tư dự án công nghệ thông tin",
            "Bộ KH&ĐT",
            "Bộ Tài chính, Tư pháp",
            "Giai đoạn 2024–2026",
            "",
            "Nghị định sửa đổi",
        ),
        ("II", "PHÁT TRIỂN HẠ TẦNG VÀ DỮ LIỆU", "", "", "", "", ""),
        (
            "4",
            "Kết nối cơ sở dữ liệu quốc gia về dân cư với hệ thống của bộ, ngành, địa phương",
            "Bộ trưởng Bộ Công an",
            "Các bộ, cơ quan ngang bộ; UBND các tỉnh, thành phố",
            "2024 - 2025",
            "Hệ thống được kết nối",
            "",
        ),
        (
            "5",
            "Vận hành nền tảng tích hợp, chia sẻ dữ liệu quốc gia",
            "Bộ TT&TT",
            "VPCP",
            "Hằng năm",
            "",
            "Báo cáo năm",
        ),
        (
            "6",
            "Theo dõi, đôn đốc thực hiện Chương trình",
            "Văn phòng Chính phủ",
            "Các bộ, cơ quan ngang bộ",
            "Thường xuyên",
            "",
            "Báo cáo",
        ),
    ),
    notes=("(*) Sản phẩm là văn bản hoặc kết quả cụ thể của nhiệm vụ.",),
)

PROGRAMME_READ: list[Read] = [
    (
        "I.1",
        "Xây dựng Nghị định về định danh và xác thực điện tử",
        ["BCA"],
        ["BTP", "BTTTT"],
        "fixed",
        ["2024-12-31"],
    ),
    (
        "I.2",
        "Rà soát văn bản quy phạm pháp luật về dữ liệu",
        ["BTP"],
        ["BQP", "BCA", "BYT"],
        "fixed",
        ["2025-03-31", "2025-12-31"],
    ),
    (
        "I.3",
        "Sửa đổi quy định về đầu tư dự án công nghệ thông tin",
        ["BKHDT"],
        ["BTC", "BTP"],
        # A span past the plan year (2024): its share of each year, at the year's end.
        "recurring",
        ["2024-12-31", "2025-12-31", "2026-12-31"],
    ),
    # The numbering runs on across areas: II.4, not II.1.
    (
        "II.4",
        "Kết nối cơ sở dữ liệu quốc gia về dân cư với hệ thống của bộ, ngành, địa phương",
        ["BCA"],
        [code for code in MINISTRIES if code != "BCA"] + ["AG", "CT"],
        "recurring",
        ["2024-12-31", "2025-12-31"],
    ),
    ("II.5", "Vận hành nền tảng tích hợp, chia sẻ dữ liệu quốc gia", ["BTTTT"], ["VPCP"], "recurring", ["2024-12-31"]),
    (
        "II.6",
        "Theo dõi, đôn đốc thực hiện Chương trình",
        ["VPCP"],
        [code for code in MINISTRIES if code != "VPCP"],
        "continuous",
        [],
    ),
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_government_action_programme(admin: Admin, tmp_path: Path, kind: str) -> None:
    assert import_and_read(admin, tmp_path, GOVERNMENT, PROGRAMME, kind) == PROGRAMME_READ
    products = [squash(t["product"]) for t in admin.tasks()]
    # "Sản phẩm" is the product column, though "Kết quả cần đạt" stands before it.
    assert products == ["Nghị định của Chính phủ", "Báo cáo rà soát", "Nghị định sửa đổi", "", "Báo cáo năm", "Báo cáo"]


# --------------------------------------------------------------------------- a city plan

DEPARTMENTS = ("SNV", "STP", "SYT", "STC", "SKHCN", "SGDDT")
CITY = Registry(
    organization="Ủy ban nhân dân thành phố Hòa An",
    coordinator="SNV",
    units=(
        *(
            Unit(code, name, groups=("so",))
            for code, name in (
                ("SNV", "Sở Nội vụ"),
                ("STP", "Sở Tư pháp"),
                ("SYT", "Sở Y tế"),
                ("STC", "Sở Tài chính"),
                ("SKHCN", "Sở Khoa học và Công nghệ"),
                ("SGDDT", "Sở Giáo dục và Đào tạo"),
            )
        ),
        Unit("VP", "Văn phòng UBND thành phố", ("Văn phòng Ủy ban nhân dân thành phố",)),
        Unit("Q1", "UBND quận Bình Minh", groups=("qh",)),
        Unit("H1", "UBND huyện Tân Lập", groups=("qh",)),
        Unit("X1", "UBND xã An Phú", groups=("xa",)),
        Unit("P1", "UBND phường Hòa Bình", groups=("xa",)),
    ),
    groups=(
        Group("so", "Các sở, ban, ngành thành phố", ("Các sở, ban, ngành", "Sở, ban, ngành")),
        Group("qh", "UBND các quận, huyện", ("Ủy ban nhân dân các quận, huyện",)),
        Group("xa", "UBND các xã, phường", ("Ủy ban nhân dân các xã, phường", "Các xã, phường")),
    ),
)

CITY_PLAN = Sheet(
    title_lines=(
        "PHỤ LỤC",
        "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH CỦA THÀNH PHỐ HÒA AN NĂM 2025",
        "(Kèm theo Kế hoạch số 210/KH-UBND ngày 25/12/2024 của UBND thành phố)",
    ),
    header=(
        ("STT", "Nội dung", "Đơn vị thực hiện", LEFT, "Thời gian thực hiện", "Kết quả cần đạt"),
        (UP, UP, "Chủ trì", "Phối hợp", UP, UP),
        ("(1)", "(2)", "(3)", "(4)", "(5)", "(6)"),
    ),
    body=(
        ("I", "CẢI CÁCH THỂ CHẾ", "", "", "", ""),
        (
            "1",
            "Rà soát, đánh giá thủ tục hành chính thuộc thẩm quyền của thành phố",
            "Giám đốc Sở Tư pháp",
            "Thủ trưởng các sở, ban, ngành",
            "Trước 30/6",
            "Báo cáo kết quả rà soát",
        ),
        (
            "2",
            "Kiểm tra công tác cải cách hành chính tại các quận, huyện",
            "Sở Nội vụ",
            "Sở: Tư pháp, Tài chính",
            "Trước ngày 30 tháng 9",
            "Kết luận kiểm tra",
        ),
        ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", "", "", ""),
        (
            "3",
            "Tiếp nhận hồ sơ trực tuyến toàn trình tại bộ phận một cửa",
            "Chủ tịch UBND các quận, huyện",
            "Sở Khoa học và Công nghệ",
            "Tháng 12/2025",
            "Tỷ lệ hồ sơ trực tuyến đạt 80%",
        ),
        (
            "4",
            "Số hóa kết quả giải quyết thủ tục hành chính",
            "Chủ tịch UBND các xã, phường",
            "VP; SKHCN",
            "Từ ngày ban hành Kế hoạch trở đi",
            "Kết quả được số hóa",
        ),
        (
            "5",
            "Tổng kết, đánh giá kết quả cải cách hành chính năm 2025",
            "Văn phòng UBND thành phố",
            "Các sở, ban, ngành;\nUBND các quận, huyện",
            "Trong tháng 01/2026",
            "Báo cáo tổng kết",
        ),
        (
            "6",
            "Cập nhật, công khai thủ tục hành chính trên cổng thông tin",
            "Sở Y tế",
            "",
            "Theo tiến độ",
            "",
        ),
        (
            "7",
            "Cấp phép hoạt động cho các cơ sở giáo dục ngoài công lập",
            "Sở Giáo dục và Đào tạo",
            "UBND các quận, huyện",
            "Theo chỉ đạo của UBND thành phố",
            "",
        ),
    ),
)

CITY_READ: list[Read] = [
    (
        "I.1",
        "Rà soát, đánh giá thủ tục hành chính thuộc thẩm quyền của thành phố",
        ["STP"],
        [code for code in DEPARTMENTS if code != "STP"],
        "fixed",
        ["2025-06-30"],
    ),
    (
        "I.2",
        "Kiểm tra công tác cải cách hành chính tại các quận, huyện",
        ["SNV"],
        ["STP", "STC"],
        "fixed",
        ["2025-09-30"],
    ),
    (
        "II.3",
        "Tiếp nhận hồ sơ trực tuyến toàn trình tại bộ phận một cửa",
        ["Q1", "H1"],
        ["SKHCN"],
        "fixed",
        ["2025-12-31"],
    ),
    (
        "II.4",
        "Số hóa kết quả giải quyết thủ tục hành chính",
        ["X1", "P1"],
        ["VP", "SKHCN"],
        "continuous",
        [],
    ),
    (
        "II.5",
        "Tổng kết, đánh giá kết quả cải cách hành chính năm 2025",
        ["VP"],
        [*DEPARTMENTS, "Q1", "H1"],
        "fixed",
        ["2026-01-31"],
    ),
    ("II.6", "Cập nhật, công khai thủ tục hành chính trên cổng thông tin", ["SYT"], [], "continuous", []),
    (
        "II.7",
        "Cấp phép hoạt động cho các cơ sở giáo dục ngoài công lập",
        ["SGDDT"],
        ["Q1", "H1"],
        "continuous",
        [],
    ),
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_city_plan_with_executing_units_split_into_lead_and_support(admin: Admin, tmp_path: Path, kind: str) -> None:
    """Two header rows ("Đơn vị thực hiện" over "Chủ trì | Phối hợp") and a numbering row; officials'
    titles, "Sở: Tư pháp, Tài chính", codes; the plan's year for "Trước 30/6"."""
    assert import_and_read(admin, tmp_path, CITY, CITY_PLAN, kind) == CITY_READ


# --------------------------------------------------------------------------- a department's letter

DEPARTMENT = Registry(
    organization="Sở Khoa học và Công nghệ tỉnh Tân An",
    coordinator="VP",
    units=(
        Unit("VP", "Văn phòng Sở", groups=("all",)),
        Unit("HT", "Phòng Hạ tầng số", ("Phòng HTS",), groups=("all",)),
        Unit("KHTC", "Phòng Kế hoạch - Tài chính", groups=("all",)),
        Unit("TTRA", "Thanh tra Sở", groups=("all",)),
        Unit("CNTT", "Trung tâm Công nghệ thông tin và Truyền thông", ("Trung tâm CNTT",), groups=("all",)),
    ),
    groups=(Group("all", "Các phòng, đơn vị thuộc Sở", ("Các phòng, đơn vị",)),),
)

LETTER = Sheet(
    title_lines=(
        "DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2025",
        "(Kèm theo Công văn số 512/SKHCN-VP ngày 15/01/2025 của Sở Khoa học và Công nghệ)",
    ),
    header=(
        (
            "STT",
            "Mã nhiệm vụ",
            "Nội dung công việc",
            "Đơn vị chủ trì",
            "Đơn vị phối hợp",
            "Thời hạn\nhoàn thành",
            "Kết quả cần đạt",
            "Hình thức văn bản",
        ),
    ),
    body=(
        ("", "", "Nhóm nhiệm vụ về hạ tầng số", "Phòng Hạ tầng số", "", "Quý IV/2025", "", ""),
        ("1", "HT-01", "Nâng cấp mạng nội bộ của Sở", "", "Trung tâm CNTT", "", "Mạng hoạt động ổn định", "Báo cáo"),
        (
            "2",
            "HT-02",
            "Triển khai chữ ký số cho công chức",
            "Trung tâm CNTT",
            "Văn phòng Sở",
            "Trước 30/6",
            "100% công chức có chữ ký số",
            "Kế hoạch",
        ),
        ("", "", "Nhóm nhiệm vụ về quản trị nội bộ", "Chánh Văn phòng Sở", "Các phòng, đơn vị thuộc Sở", "", "", ""),
        ("3", "QT-01", "Số hóa hồ sơ lưu trữ của cơ quan", "", "", "Năm 2025", "", "Quyết định"),
        (
            "4",
            "QT-02",
            "Kiểm tra việc sử dụng phần mềm quản lý văn bản",
            "Trưởng phòng Kế hoạch - Tài chính",
            "Thanh tra Sở",
            "Tháng 11/2025",
            "",
            "Báo cáo",
        ),
    ),
)

OFFICES = ("VP", "HT", "KHTC", "TTRA", "CNTT")
LETTER_READ: list[Read] = [
    ("1", "Nâng cấp mạng nội bộ của Sở", ["HT"], ["CNTT"], "fixed", ["2025-12-31"]),
    ("2", "Triển khai chữ ký số cho công chức", ["CNTT"], ["VP"], "fixed", ["2025-06-30"]),
    ("3", "Số hóa hồ sơ lưu trữ của cơ quan", ["VP"], ["HT", "KHTC", "TTRA", "CNTT"], "fixed", ["2025-12-31"]),
    ("4", "Kiểm tra việc sử dụng phần mềm quản lý văn bản", ["KHTC"], ["TTRA"], "fixed", ["2025-11-30"]),
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_department_letter_with_a_task_id_column_and_group_rows(admin: Admin, tmp_path: Path, kind: str) -> None:
    """The task is "Nội dung công việc", not "Mã nhiệm vụ"; the unnumbered group rows are no tasks and
    give their lead unit, supporting units and deadline to the rows that leave them empty."""
    assert import_and_read(admin, tmp_path, DEPARTMENT, LETTER, kind) == LETTER_READ
    assert [squash(t["product"]) for t in admin.tasks()] == ["Báo cáo", "Kế hoạch", "Quyết định", "Báo cáo"]


# --------------------------------------------------------------------------- a commune plan, numbered in groups

COMMUNE_PLAN = Sheet(
    title_lines=("PHỤ LỤC", "NHIỆM VỤ CHUYỂN ĐỔI SỐ CỦA XÃ TÂN PHÚ NĂM 2026"),
    header=(
        ("Nhiệm vụ", LEFT, "Chủ trì thực hiện", "Phối hợp", "Thời gian", "Sản phẩm đầu ra", "Ghi chú"),
        ("TT", "Chi tiết", UP, UP, UP, UP, UP),
    ),
    body=(
        ("I", "CHUYỂN ĐỔI SỐ TRONG CƠ QUAN XÃ", "", "", "", "", ""),
        ("1.", "Hoàn thiện hạ tầng số", "Văn phòng", "Công an xã", "Năm 2026", "", ""),
        ("1.1", "Nâng cấp đường truyền Internet", "", "", "Quý II/2026", "Hợp đồng dịch vụ", ""),
        ("1.2", "Trang bị máy tính cho bộ phận một cửa", "Tài chính - Kế toán", "", "", "Máy tính", ""),
        ("1.3", "Lắp đặt wifi miễn phí tại nhà văn hóa", "", "", "", "", ""),
        ("2.", "Phát triển dữ liệu số", "", "", "", "", ""),
        ("a)", "Số hóa sổ hộ tịch", "Tư pháp - Hộ tịch", "Văn phòng", "Tháng 6, tháng 12/2026", "Dữ liệu", ""),
        ("b)", "Cập nhật dữ liệu đất đai", "Địa chính - Xây dựng", "", "Thường xuyên", "", ""),
        ("II", "CHUYỂN ĐỔI SỐ TRONG CỘNG ĐỒNG", "", "", "", "", ""),
        ("3.", "Tuyên truyền kỹ năng số cho người dân", "Văn hóa - Xã hội", "Các ấp", "Hằng quý", "", ""),
        ("4.", "Tổ chức sơ kết, tổng kết chuyển đổi số", "Văn phòng", "Các công chức chuyên môn", "2026", "", ""),
        ("-", "Sơ kết 6 tháng", "", "", "Tháng 6/2026", "Báo cáo sơ kết", ""),
        ("-", "Tổng kết năm", "", "Các ấp", "", "Báo cáo tổng kết", ""),
        ("5.", "Vận động người dân dùng dịch vụ công trực tuyến", "Các ấp", "Văn phòng", "Hằng tháng", "", ""),
    ),
)

HAMLETS = ["AP1", "AP2", "AP3"]
COMMUNE_READ: list[Read] = [
    ("I.1.1", "Nâng cấp đường truyền Internet", ["VP"], ["CA"], "fixed", ["2026-06-30"]),
    ("I.1.2", "Trang bị máy tính cho bộ phận một cửa", ["TCKT"], ["CA"], "fixed", ["2026-12-31"]),
    ("I.1.3", "Lắp đặt wifi miễn phí tại nhà văn hóa", ["VP"], ["CA"], "fixed", ["2026-12-31"]),
    ("I.2.a", "Số hóa sổ hộ tịch", ["TP"], ["VP"], "fixed", ["2026-06-30", "2026-12-31"]),
    ("I.2.b", "Cập nhật dữ liệu đất đai", ["DC"], [], "continuous", []),
    (
        "II.3",
        "Tuyên truyền kỹ năng số cho người dân",
        ["VHXH"],
        HAMLETS,
        "recurring",
        ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"],
    ),
    ("II.4.1", "Sơ kết 6 tháng", ["VP"], ["TCKT", "TP", "VHXH", "DC"], "fixed", ["2026-06-30"]),
    ("II.4.2", "Tổng kết năm", ["VP"], HAMLETS, "fixed", ["2026-12-31"]),
    (
        "II.5",
        "Vận động người dân dùng dịch vụ công trực tuyến",
        HAMLETS,
        ["VP"],
        "recurring",
        [
            f"2026-{m:02d}-{d}"
            for m, d in zip(range(1, 13), (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), strict=True)
        ],
    ),
]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_commune_plan_numbered_in_groups(admin: Admin, tmp_path: Path, kind: str) -> None:
    """ "Nhiệm vụ" merged over "TT | Chi tiết" is a header; "1." over "1.1", "2." over "a)", "4." over
    "-" are groups, not tasks; their cells fill the rows that leave them empty; numbers run on."""
    assert import_and_read(admin, tmp_path, commune_registry(), COMMUNE_PLAN, kind) == COMMUNE_READ


@pytest.mark.parametrize("split_after", [2, 3])
def test_a_word_table_split_by_a_page_break_goes_on_under_the_same_header(
    admin: Admin, tmp_path: Path, split_after: int
) -> None:
    """The city plan's table broken in two (before a task, before an area); the second part has no
    header."""
    admin.register(tmp_path / "don-vi.yaml", CITY)
    admin.imports(write_docx(CITY_PLAN, tmp_path / "phu-luc.docx", split_after=split_after))
    assert read_back(admin.tasks()) == CITY_READ


def test_word_tables_under_area_paragraphs_take_their_areas(admin: Admin, tmp_path: Path) -> None:
    """One table per area, each under its paragraph "I. …", "II. …", numbers restarting at 1."""
    header = (("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),)
    first = Sheet((), header, (("1", "Rà soát quy chế làm việc", "Sở Nội vụ", "", "Quý I"),))
    second = Sheet(
        (),
        header,
        (
            ("1", "Công khai thủ tục hành chính", "Sở Tư pháp", "", "Quý II"),
            ("2", "Số hóa hồ sơ", "Sở Khoa học và Công nghệ", "", "Quý III"),
        ),
    )
    path = write_docx_sections(
        ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025",),
        (("I. CẢI CÁCH THỂ CHẾ", first), ("II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH", second)),
        tmp_path / "phu-luc.docx",
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)
    admin.imports(path)
    assert [(task[0], task[2]) for task in read_back(admin.tasks())] == [
        ("I.1", ["SNV"]),
        ("II.1", ["STP"]),
        ("II.2", ["SKHCN"]),
    ]


@pytest.mark.parametrize("kind", FORMATS)
def test_an_area_row_with_units_and_a_deadline_fills_its_tasks(admin: Admin, tmp_path: Path, kind: str) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(
            ("I", "CÔNG TÁC TỔ CHỨC CÁN BỘ", "Sở Nội vụ", "", "Năm 2025"),
            ("1", "Rà soát vị trí việc làm", "", "Sở Tài chính", ""),
            ("2", "Tuyển dụng công chức", "", "", "Quý III"),
            ("3", "Đánh giá, xếp loại công chức", "", "", ""),
            ("II", "CÔNG TÁC PHÁP CHẾ", "", "", ""),
            ("3", "Kiểm tra văn bản", "Sở Tư pháp", "", "Quý IV"),
        ),
    )
    assert import_and_read(admin, tmp_path, CITY, sheet, kind) == [
        ("I.1", "Rà soát vị trí việc làm", ["SNV"], ["STC"], "fixed", ["2025-12-31"]),
        ("I.2", "Tuyển dụng công chức", ["SNV"], [], "fixed", ["2025-09-30"]),
        ("I.3", "Đánh giá, xếp loại công chức", ["SNV"], [], "fixed", ["2025-12-31"]),
        ("II.3", "Kiểm tra văn bản", ["STP"], [], "fixed", ["2025-12-31"]),
    ]


@pytest.mark.parametrize("kind", FORMATS)
def test_one_executing_units_column_naming_lead_and_support(admin: Admin, tmp_path: Path, kind: str) -> None:
    """ "Đơn vị thực hiện" alone: "X chủ trì, phối hợp với Y" and "Chủ trì: X; Phối hợp: Y" name Y as support."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025",),
        header=(("STT", "Nội dung", "Đơn vị thực hiện", "Thời gian hoàn thành"),),
        body=(
            ("1", "Rà soát quy chế làm việc", "Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp", "Quý II"),
            ("2", "Khám sức khỏe định kỳ", "Chủ trì: Sở Y tế;\nPhối hợp: UBND các xã, phường", "Quý III"),
            ("3", "Niêm yết thủ tục hành chính", "UBND các quận, huyện chủ trì", "Tháng 3"),
        ),
    )
    assert import_and_read(admin, tmp_path, CITY, sheet, kind) == [
        ("1", "Rà soát quy chế làm việc", ["SNV"], ["STP"], "fixed", ["2025-06-30"]),
        ("2", "Khám sức khỏe định kỳ", ["SYT"], ["X1", "P1"], "fixed", ["2025-09-30"]),
        ("3", "Niêm yết thủ tục hành chính", ["Q1", "H1"], [], "fixed", ["2025-03-31"]),
    ]


@pytest.mark.parametrize("kind", FORMATS)
def test_numbers_restarting_under_unnumbered_headings_are_told_apart(admin: Admin, tmp_path: Path, kind: str) -> None:
    """Each heading restarts at 1; an unnumbered heading is known by its place among the area's
    headings, so no task number is "used twice"."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(
            ("I", "CẢI CÁCH HÀNH CHÍNH", "", "", ""),
            ("1", "Cải cách thể chế", "", "", ""),
            ("1", "Rà soát quy chế làm việc", "Sở Nội vụ", "", "Quý I"),
            ("2", "Rà soát quy định về y tế", "Sở Y tế", "", "Quý II"),
            ("2", "Cải cách thủ tục hành chính", "", "", ""),
            ("1", "Công khai thủ tục hành chính", "Sở Tư pháp", "", "Quý III"),
            ("", "Hiện đại hóa hành chính", "", "", ""),
            ("1", "Số hóa hồ sơ", "Sở Khoa học và Công nghệ", "", "Quý IV"),
            ("2", "Họp trực tuyến", "Văn phòng UBND thành phố", "", "Quý IV"),
        ),
    )
    codes = [task[0] for task in import_and_read(admin, tmp_path, CITY, sheet, kind)]
    assert codes == ["I.1.1", "I.1.2", "I.2.1", "I.3.1", "I.3.2"]


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("kind", FORMATS)
def test_a_task_id_column_numbers_tasks_when_there_is_no_stt(admin: Admin, tmp_path: Path, kind: str) -> None:
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("Mã số", "Tên nhiệm vụ (1)", "Đơn vị chủ trì (2)", "Thời hạn (3)"),),
        body=(
            ("NV-01", "Xây dựng kho dữ liệu dùng chung", "Phòng Hạ tầng số", "Quý III/2025"),
            ("NV-02", "Đào tạo kỹ năng số", "Văn phòng Sở", "Năm 2025"),
        ),
    )
    assert import_and_read(admin, tmp_path, DEPARTMENT, sheet, kind) == [
        ("NV-01", "Xây dựng kho dữ liệu dùng chung", ["HT"], [], "fixed", ["2025-09-30"]),
        ("NV-02", "Đào tạo kỹ năng số", ["VP"], [], "fixed", ["2025-12-31"]),
    ]


@pytest.mark.parametrize("kind", FORMATS)
def test_header_labels_with_line_breaks_footnotes_and_a_period_split_in_two(
    admin: Admin, tmp_path: Path, kind: str
) -> None:
    """The deadline is the end of "Thời gian thực hiện" over "Bắt đầu | Kết thúc"; "Kinh phí thực
    hiện" is no unit column, though it says "thực hiện" as "Đơn vị thực hiện" does."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(
            (
                "Số\nTT",
                "Nội dung\nnhiệm vụ (*)",
                "Kinh phí thực hiện",
                "Đơn vị\nthực hiện",
                "Thời gian thực hiện",
                LEFT,
            ),
            (UP, UP, UP, UP, "Bắt đầu", "Kết thúc"),
        ),
        body=(("1", "Xây dựng kho dữ liệu dùng chung", "500 triệu", "Phòng HTS", "Tháng 3/2025", "Tháng 9/2025"),),
    )
    assert import_and_read(admin, tmp_path, DEPARTMENT, sheet, kind) == [
        ("1", "Xây dựng kho dữ liệu dùng chung", ["HT"], [], "fixed", ["2025-09-30"]),
    ]


@pytest.mark.parametrize("kind", FORMATS)
def test_sub_labels_under_a_label_written_twice(admin: Admin, tmp_path: Path, kind: str) -> None:
    """ "Cơ quan thực hiện" typed over both columns instead of merged, "Chủ trì | Phối hợp" under it."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(
            ("TT", "Nội dung", "Cơ quan thực hiện", "Cơ quan thực hiện", "Thời hạn"),
            (UP, UP, "Chủ trì", "Phối hợp", UP),
        ),
        body=(("1", "Rà soát quy chế làm việc", "Sở Nội vụ", "Sở Tư pháp", "Quý II"),),
    )
    assert import_and_read(admin, tmp_path, CITY, sheet, kind) == [
        ("1", "Rà soát quy chế làm việc", ["SNV"], ["STP"], "fixed", ["2025-06-30"]),
    ]


# --------------------------------------------------------------------------- unit cells that name no whole group


@pytest.mark.parametrize("kind", FORMATS)
def test_a_qualified_collective_is_named_and_not_expanded(admin: Admin, tmp_path: Path, kind: str) -> None:
    """ "UBND các xã, phường có đồng bào dân tộc" is some communes, not all: the importer says so, with
    the row and the text, and never files the task under every commune."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(
            (
                "1",
                "Hỗ trợ đồng bào dùng dịch vụ công",
                "Sở Nội vụ",
                "UBND các xã, phường có đồng bào dân tộc",
                "Quý IV",
            ),
            ("2", "Tập huấn kỹ năng số", "Sở Nội vụ", "UBND các xã, phường", "Quý III"),
        ),
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)
    path = WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}")
    result = admin.run("plan", "import", str(path))
    lines = [line for line in result.stderr.splitlines() if "có đồng bào dân tộc" in line]
    assert lines and "qualifier" in lines[0], result.stderr
    assert "2" not in "".join(lines).split("dân tộc")[-1]
    for task in admin.tasks():
        if task["title"] == "Hỗ trợ đồng bào dùng dịch vụ công":
            assert task["support"] == []


@pytest.mark.parametrize("kind", FORMATS)
def test_a_code_inside_a_name_names_nothing(admin: Admin, tmp_path: Path, kind: str) -> None:
    """The group code ``so`` is a word of "cơ sở giáo dục": the cell names no department there."""
    sheet = Sheet(
        title_lines=("KẾ HOẠCH NĂM 2025",),
        header=(("STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"),),
        body=(("1", "Kiểm tra an toàn trường học", "Sở Giáo dục và Đào tạo", "Các cơ sở giáo dục", "Quý IV"),),
    )
    admin.register(tmp_path / "don-vi.yaml", CITY)
    result = admin.run("plan", "import", str(WRITERS[kind](sheet, tmp_path / f"phu-luc.{kind}")))
    assert any("Các cơ sở giáo dục" in line and "unknown unit" in line for line in result.stderr.splitlines()), (
        result.stderr
    )
    for task in admin.tasks():
        assert task["support"] == []
