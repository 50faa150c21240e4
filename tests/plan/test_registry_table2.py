"""A ministry's and a province's lists of units as their offices keep them (``dondoc units import``):
readable codes, groups named from the headings, and the collective names appendices use."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Dondoc
from tests.plan.test_registry_table import sheet


def _province(path: Path) -> Path:
    """After the 2025 reform: departments, other agencies, then xã, phường, đặc khu; a «Khối» column and
    the e-document code («Mã định danh») beside a «Mã» column mostly empty."""
    return sheet(
        path,
        [
            ["DANH SÁCH CÁC CƠ QUAN, ĐƠN VỊ THUỘC ỦY BAN NHÂN DÂN TỈNH AN GIANG"],
            [],
            ["STT", "Tên cơ quan, đơn vị", "Mã", "Mã định danh", "Khối"],
            ["A", "CÁC CƠ QUAN CHUYÊN MÔN THUỘC UBND TỈNH"],
            [1, "Văn phòng UBND tỉnh", "VP", "000.01.00.H55", "Khối tỉnh"],
            [2, "Sở Nội vụ", None, "000.02.00.H55", "Khối tỉnh"],
            [3, "Sở Tư pháp", None, "000.03.00.H55", "Khối tỉnh"],
            [4, "Sở Nông nghiệp và Môi trường", None, "", "Khối tỉnh"],
            [5, "Sở Ngoại vụ", None, "", "Khối tỉnh"],
            ["B", "CÁC CƠ QUAN, ĐƠN VỊ KHÁC"],
            [1, "Công an tỉnh", None, "", "Khối tỉnh"],
            [2, "Thuế tỉnh", None, "", "Khối tỉnh"],
            ["C", "UBND CÁC XÃ, PHƯỜNG, ĐẶC KHU"],
            [1, "Xã Tân Phú", None, "000.01.12.H55", "Khối xã"],
            [2, "Phường Tân Phú", None, "000.02.12.H55", "Khối xã"],
            [3, "Xã Phú Tân", None, "000.03.12.H55", "Khối xã"],
            [4, "Đặc khu Côn Đảo", None, "", "Khối xã"],
        ],
    )


def _ministry(path: Path) -> Path:
    return sheet(
        path,
        [
            ["BỘ NỘI VỤ", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["DANH SÁCH CÁC ĐƠN VỊ THUỘC BỘ NỘI VỤ"],
            ["STT", "Tên đơn vị", "Tên viết tắt"],
            ["I", "CÁC ĐƠN VỊ GIÚP BỘ TRƯỞNG THỰC HIỆN CHỨC NĂNG QUẢN LÝ NHÀ NƯỚC"],
            [1, "Vụ Tổ chức - Biên chế"],
            [2, "Vụ Pháp chế"],
            [3, "Văn phòng Bộ", "VP"],
            [4, "Thanh tra Bộ", "TTr"],
            [5, "Cục Việc làm"],
            ["II", "CÁC ĐƠN VỊ SỰ NGHIỆP"],
            [1, "Viện Khoa học tổ chức nhà nước và lao động"],
            [2, "Trung tâm Thông tin"],
        ],
    )


def _plan(path: Path, rows: list[str]) -> Path:
    text = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026\nSTT,Nội dung,Cơ quan chủ trì,Thời hạn\n" + "\n".join(rows) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _leads(dondoc: Dondoc) -> dict[str, str]:
    """Each task's lead units, as the plan's export lists them."""
    tasks = json.loads(dondoc.ok("plan", "export", "--format", "json").stdout)["tasks"]
    return {task["title"]: ", ".join(task["lead"]) for task in tasks}


def test_a_second_unit_with_the_same_initials_gets_a_spelt_out_code_not_a_number(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    dondoc.ok("units", "import", _province(tmp_path / "ds.xlsx"))
    listing = dondoc.ok("units", "list").stdout
    assert "  TP       Sở Tư pháp\n" in listing
    assert "  NGOAIVU  Sở Ngoại vụ\n" in listing  # "NV" is Sở Nội vụ's: not NV2
    assert "  THUE     Thuế tỉnh\n" in listing  # not a lone "T"
    assert "  XTANPHU  Xã Tân Phú\n  PTANPHU  Phường Tân Phú\n  PT       Xã Phú Tân\n" in listing
    assert "000." not in listing  # the e-document code is no unit's code


def test_heading_groups_get_codes_from_their_words(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", _province(tmp_path / "ds.xlsx"))
    listing = dondoc.ok("units", "list").stdout
    assert "  [co-quan-chuyen-mon] Các cơ quan chuyên môn thuộc UBND tỉnh: VP, NV, TP, NNMT, NGOAIVU\n" in listing
    assert "  [xa-phuong-dac-khu] UBND các xã, phường, đặc khu: XTANPHU, PTANPHU, PT, CD\n" in listing
    assert "  [khoi-xa] Khối xã: " in listing
    # Imported again, the codes stay.
    assert "(0 mới, 0 cập nhật, 0 xóa)" in dondoc.ok("units", "import", tmp_path / "ds.xlsx").stdout
    assert dondoc.ok("units", "list").stdout == listing


def test_a_provinces_appendix_names_its_departments_and_its_communes(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", _province(tmp_path / "ds.xlsx"))
    plan = _plan(
        tmp_path / "phu-luc.csv",
        [
            "1,Rà soát quy trình,Các sở,30/06/2026",  # every Sở of the list's departments
            "2,Sắp xếp thôn,UBND cấp xã,30/06/2026",
            "3,Đón khách,UBND phường Tân Phú,30/06/2026",
            "4,Cấp nước,Ủy ban nhân dân đặc khu Côn Đảo,30/06/2026",
        ],
    )
    result = dondoc.ok("plan", "import", plan)
    assert "cảnh báo" not in result.stdout + result.stderr
    assert _leads(dondoc) == {
        "Rà soát quy trình": "NV, TP, NNMT, NGOAIVU",  # not the office, the agencies, the communes
        "Sắp xếp thôn": "XTANPHU, PTANPHU, PT, CD",
        "Đón khách": "PTANPHU",
        "Cấp nước": "CD",
    }


def test_a_ministrys_appendix_names_the_units_of_the_ministry_and_its_headings(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", _ministry(tmp_path / "ds.xlsx"))
    listing = dondoc.ok("units", "list").stdout
    assert "  [quan-ly-nha-nuoc] Các đơn vị giúp bộ trưởng" in listing
    assert "  [don-vi-su-nghiep] Các đơn vị sự nghiệp: " in listing
    plan = _plan(
        tmp_path / "phu-luc.csv",
        [
            "1,Rà soát văn bản,Các đơn vị thuộc Bộ,30/06/2026",
            "2,Tự chủ tài chính,Các đơn vị sự nghiệp công lập thuộc Bộ,30/06/2026",
            "3,Phân cấp,Các đơn vị quản lý nhà nước thuộc Bộ,30/06/2026",
        ],
    )
    result = dondoc.ok("plan", "import", plan)
    assert "cảnh báo" not in result.stdout + result.stderr
    assert _leads(dondoc) == {
        "Rà soát văn bản": "TCBC, PC, VP, TTr, VL, VKHTCNNLD, TTTT",
        "Tự chủ tài chính": "VKHTCNNLD, TTTT",
        "Phân cấp": "TCBC, PC, VP, TTr, VL",
    }


def test_an_e_document_code_in_the_code_column_is_named_as_such(dondoc: Dondoc, tmp_path: Path) -> None:
    path = sheet(
        tmp_path / "ds.xlsx",
        [
            ["DANH SÁCH CÁC CƠ QUAN, ĐƠN VỊ THUỘC UBND TỈNH AN GIANG"],
            ["STT", "Tên cơ quan", "Mã"],
            [1, "Sở Nội vụ", "000.02.00.H55"],
        ],
    )
    result = dondoc("units", "import", path)
    assert result.code != 0
    assert "dòng 3, cột C (Mã): đây là mã định danh điện tử" in result.stdout + result.stderr
    assert "«000.02.00.H55»" in result.stdout + result.stderr
