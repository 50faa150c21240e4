"""The unit registry from a clerk's list of units (xlsx, csv): ``dondoc units import FILE.xlsx``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from openpyxl import Workbook

from tests.conftest import Dondoc


def sheet(path: Path, rows: Sequence[Sequence[object]], merged: tuple[str, ...] = ()) -> Path:
    """An xlsx of ``rows`` (cells ``merged``), as a clerk's list is."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def _province_list(path: Path) -> Path:
    """A province's list as a clerk keeps it: title, header, headings I./II., no code column."""
    return sheet(
        path,
        [
            ["DANH SÁCH CÁC CƠ QUAN, ĐƠN VỊ THUỘC UBND TỈNH QUẢNG TRỊ"],
            [],
            ["STT", "Tên cơ quan, đơn vị", "Ghi chú"],
            ["I", "CÁC CƠ QUAN CHUYÊN MÔN THUỘC UBND TỈNH"],
            [1, "Văn phòng UBND tỉnh"],
            [2, "Sở Nội vụ"],
            [3, "Sở Nông nghiệp và Môi trường"],
            ["II. UBND CÁC XÃ, PHƯỜNG"],
            [1, "UBND xã Cồn Tiên"],
            [2, "UBND phường Đông Hà"],
            [3, "UBND xã Cửa Tùng", "xã mới"],
        ],
        merged=("A1:C1", "A8:C8"),
    )


def _plan(path: Path) -> Path:
    path.write_text(
        "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026\n"
        "STT,Nội dung,Cơ quan chủ trì,Thời hạn\n"
        '1,Rà soát thủ tục hành chính,"UBND các xã, phường",30/06/2026\n'
        "2,Báo cáo quý,Sở Nội vụ,31/03/2026\n",
        encoding="utf-8",
    )
    return path


def test_a_province_list_without_codes_becomes_units_and_heading_groups(dondoc: Dondoc, tmp_path: Path) -> None:
    result = dondoc.ok("units", "import", _province_list(tmp_path / "danh-sach.xlsx"))
    assert "UBND tỉnh Quảng Trị: 6 cơ quan, đơn vị (6 mới, 0 cập nhật, 0 xóa), 3 nhóm." in result.stdout
    listing = dondoc.ok("units", "list").stdout.splitlines()
    assert listing[0] == "UBND tỉnh Quảng Trị"
    codes = {line.split(maxsplit=1)[1]: line.split()[0] for line in listing[1:7]}
    assert codes == {
        "Văn phòng UBND tỉnh": "VPU",
        "Sở Nội vụ": "NV",
        "Sở Nông nghiệp và Môi trường": "NNMT",
        "UBND xã Cồn Tiên": "CT",
        "UBND phường Đông Hà": "DH",
        "UBND xã Cửa Tùng": "CUATUNG",  # its initials are taken: spelt out
    }
    assert "  [co-quan-chuyen-mon] Các cơ quan chuyên môn thuộc UBND tỉnh: VPU, NV, NNMT" in listing
    assert "  [xa-phuong] UBND các xã, phường: CT, DH, CUATUNG" in listing
    assert "  [all] Tất cả cơ quan, đơn vị: VPU, NV, NNMT, CT, DH, CUATUNG" in listing
    # An appendix naming the heading's group is read as its units.
    dondoc.ok("plan", "import", _plan(tmp_path / "phu-luc.csv"))
    shown = dondoc.ok("plan", "show").stdout
    assert any("Rà soát thủ tục hành chính" in line and "CT, DH, CUATUNG" in line for line in shown.splitlines())
    # The same file again changes nothing: the made codes are stable.
    again = dondoc.ok("units", "import", tmp_path / "danh-sach.xlsx").stdout
    assert "(0 mới, 0 cập nhật, 0 xóa)" in again


def test_a_unit_added_above_keeps_the_codes_made_before(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", _province_list(tmp_path / "a.xlsx"), "--organization", "UBND tỉnh Quảng Trị")
    rows: list[list[object]] = [
        ["STT", "Tên đơn vị"],
        [1, "UBND xã Cồn Thoi"],  # new, and its initials are those of Cồn Tiên
        [2, "UBND xã Cồn Tiên"],
        [3, "UBND xã Cửa Tùng"],
    ]
    dondoc.ok("units", "import", sheet(tmp_path / "b.xlsx", rows), "--organization", "UBND tỉnh Quảng Trị")
    listing = dondoc.ok("units", "list").stdout
    assert "  CT       UBND xã Cồn Tiên" in listing
    assert "  CUATUNG  UBND xã Cửa Tùng" in listing
    assert "  CONTHOI  UBND xã Cồn Thoi" in listing


def test_codes_aliases_and_a_group_column_are_read_and_written_as_yaml(dondoc: Dondoc, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["DANH SÁCH ĐƠN VỊ THỰC HIỆN KẾ HOẠCH CỦA ỦY BAN NHÂN DÂN HUYỆN LONG MỸ"],
        ["TT", "Đơn vị", "Ký hiệu", "Tên gọi khác", "Khối"],
        [1, "Phòng Nội vụ", "NV", "Nội vụ; P. Nội vụ", "Phòng chuyên môn"],
        [2, "Phòng Tư pháp", "TP", "P. Tư pháp\nTư pháp", "Phòng chuyên môn"],
        [3, "UBND xã Xà Phiên", "", "Xã Xà Phiên", "Cấp xã"],
    ]
    out = tmp_path / "units.yaml"
    result = dondoc.ok("units", "import", sheet(tmp_path / "ds.xlsx", rows), "--write-yaml", out)
    assert f"Đã ghi danh mục cơ quan, đơn vị vừa đọc vào {out}." in result.stdout
    listing = dondoc.ok("units", "list").stdout
    assert listing.startswith("Ủy ban nhân dân huyện Long Mỹ\n")
    assert "  XP       UBND xã Xà Phiên" in listing
    assert "  [phong-chuyen-mon] Phòng chuyên môn: NV, TP" in listing and "  [cap-xa] Cấp xã: XP" in listing
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["units"][1] == {
        "code": "TP",
        "name": "Phòng Tư pháp",
        "aliases": ["P. Tư pháp", "Tư pháp"],
        "groups": ["phong-chuyen-mon"],
    }
    # The YAML written imports to the same units, and the aliases name them.
    assert "(0 mới, 0 cập nhật, 0 xóa), 3 nhóm" in dondoc.ok("units", "import", out).stdout
    assert dondoc.ok("units", "list").stdout == listing


def test_a_csv_in_utf8_with_bom_and_semicolons(dondoc: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "don-vi.csv"
    text = "sep=;\nSTT;Tên cơ quan;Mã\n1;Sở Tài chính;STC\n2;Sở Y tế;\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    dondoc.ok("units", "import", path, "--organization", "UBND tỉnh Hà Tĩnh")
    listing = dondoc.ok("units", "list").stdout
    assert listing == (
        "UBND tỉnh Hà Tĩnh\n  STC      Sở Tài chính\n  YT       Sở Y tế\n  [all] Tất cả cơ quan, đơn vị: STC, YT\n"
    )


def test_a_list_without_title_needs_the_organisation(dondoc: Dondoc, tmp_path: Path) -> None:
    path = sheet(tmp_path / "ds.xlsx", [["STT", "Tên đơn vị"], [1, "Sở Nội vụ"]])
    result = dondoc("units", "import", path)
    assert result.code == 1
    assert "tệp không cho biết đây là cơ quan, đơn vị của cơ quan nào" in result.stderr
    assert '--organization "TÊN"' in result.stderr
    assert dondoc("units", "list").code == 1  # nothing was written


def test_bad_rows_are_named_with_row_column_and_value_and_nothing_is_written(dondoc: Dondoc, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["DANH SÁCH CƠ QUAN, ĐƠN VỊ THUỘC UBND XÃ TÂN PHÚ"],
        ["STT", "Tên đơn vị", "Mã"],
        [1, "Công an xã", "CA"],
        [2, "", "VP"],
        [3, "Công an xã", "CAX"],
        [4, "Trạm Y tế", "CA"],
        [5, "Văn phòng HĐND và UBND", "VP UB"],
    ]
    result = dondoc("units", "import", sheet(tmp_path / "ds.xlsx", rows))
    assert result.code == 1
    assert "Không nhập được, chưa ghi gì: có 4 lỗi." in result.stderr
    assert "dòng 4, cột B (Tên đơn vị): cơ quan, đơn vị chưa có tên: «2 | VP»" in result.stderr
    assert "dòng 5, cột B (Tên đơn vị): trùng tên với dòng 3: «Công an xã»" in result.stderr
    assert "dòng 6, cột C (Mã): trùng mã với dòng 3: «CA»" in result.stderr
    assert "dòng 7, cột C (Mã): mã chỉ gồm chữ cái, chữ số, dấu _ và -: «VP UB»" in result.stderr
    assert dondoc("units", "list").code == 1


def test_a_table_without_a_name_column_says_which_words_were_looked_for(dondoc: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text("STT,Họ và tên,Chức vụ\n1,Nguyễn Văn A,Trưởng phòng\n", encoding="utf-8")
    result = dondoc("units", "import", path, "--organization", "UBND xã Tân Phú")
    assert result.code == 1
    assert (
        "không tìm thấy danh sách cơ quan, đơn vị: cần một dòng tiêu đề có cột tên như "
        "«Tên cơ quan», «Tên đơn vị», «Cơ quan, đơn vị», «Đơn vị»"
    ) in result.stderr
    assert dondoc("units", "list").code == 1


def test_names_equal_but_for_diacritics_are_two_units_and_a_clash_names_both_rows(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    rows: list[list[object]] = [
        ["STT", "Tên đơn vị", "Tên khác"],
        [1, "UBND xã Bình Thành", ""],
        [2, "UBND xã Bình Thạnh", ""],
    ]
    dondoc.ok("units", "import", sheet(tmp_path / "a.xlsx", rows), "--organization", "UBND tỉnh Đồng Tháp")
    listing = dondoc.ok("units", "list").stdout
    assert "  BT       UBND xã Bình Thành\n  BT2      UBND xã Bình Thạnh\n" in listing
    rows.append([3, "Công an xã Bình Thành", "UBND xã Bình Thạnh"])
    result = dondoc("units", "import", sheet(tmp_path / "b.xlsx", rows), "--organization", "UBND tỉnh Đồng Tháp")
    assert result.code == 1
    assert "dòng 4: tên này đã thuộc về dòng 3: «UBND xã Bình Thạnh»" in result.stderr
    assert dondoc.ok("units", "list").stdout == listing


def test_a_list_over_a_yaml_registry_keeps_its_groups_bots_and_settings(dondoc: Dondoc, tmp_path: Path) -> None:
    """A clerk who set the organisation up from a registry file (a group the appendices name, other
    names, a Zalo bot, a lighter reminder policy) and later imports the list of units loses none of it."""
    registry = tmp_path / "units.yaml"
    registry.write_text(
        yaml.safe_dump(
            {
                "organization": "UBND tỉnh Quảng Trị",
                "coordinator": "NV",
                "units": [
                    {"code": "VPU", "name": "Văn phòng UBND tỉnh"},
                    {"code": "NV", "name": "Sở Nội vụ", "aliases": ["SNV"]},
                    {"code": "NNMT", "name": "Sở Nông nghiệp và Môi trường"},
                    {"code": "CT", "name": "UBND xã Cồn Tiên", "groups": ["dp"]},
                    {"code": "DH", "name": "UBND phường Đông Hà", "groups": ["dp"]},
                ],
                "groups": [{"code": "dp", "name": "Các địa phương", "aliases": ["Địa phương cấp xã"]}],
                "reminders": {"lead_days_before": [3]},
                "channels": {
                    "zalo": {
                        "bots": [
                            {
                                "name": "qt1",
                                "display_name": "Bot CCHC Quảng Trị",
                                "token_env": "ZALO_QT1",
                                "units": ["dp"],
                            }
                        ]
                    }
                },
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    dondoc.ok("units", "import", registry)
    result = dondoc.ok(
        "units", "import", _province_list(tmp_path / "danh-sach.xlsx"), "--write-yaml", tmp_path / "out.yaml"
    )
    assert "(1 mới, 0 cập nhật, 0 xóa)" in result.stdout  # Cửa Tùng is new; the others are the same units
    listing = dondoc.ok("units", "list").stdout.splitlines()
    assert "  [dp] Các địa phương: CT, DH" in listing  # the file's group, under its code
    assert "  [xa-phuong] UBND các xã, phường: CT, DH, CUATUNG" in listing  # the list's heading
    assert "  zalo:qt1 (Bot CCHC Quảng Trị, ZALO_QT1): CT, DH" in listing  # the bot is still there
    # An appendix naming the file's group and a unit's other name still reads them.
    plan = tmp_path / "phu-luc.csv"
    plan.write_text(
        "STT,Nội dung,Cơ quan chủ trì,Thời hạn\n1,Rà soát,Địa phương cấp xã,30/06/2026\n2,Báo cáo,SNV,31/03/2026\n",
        encoding="utf-8",
    )
    dondoc.ok("plan", "import", plan, "--year", "2026")
    shown = dondoc.ok("plan", "show").stdout.splitlines()
    assert any("Rà soát" in line and "CT, DH" in line for line in shown)
    assert any("Báo cáo" in line and "NV" in line for line in shown)
    written = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert written["coordinator"] == "NV"
    assert written["reminders"] == {"lead_days_before": [3]}
    assert written["channels"]["zalo"]["bots"][0]["name"] == "qt1"


def test_a_communes_list_of_focal_points_under_its_letterhead(dondoc: Dondoc, tmp_path: Path) -> None:
    """A commune's list as its office keeps it: the letterhead names the commune (no "thuộc …" in the
    title), the name column is "Bộ phận / Ấp", and the focal points' names and phones are not units."""
    path = sheet(
        tmp_path / "ds.xlsx",
        [
            ["UBND XÃ TÂN PHƯỚC", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["Số: 12/DS-UBND", "", "Độc lập - Tự do - Hạnh phúc"],
            ["DANH SÁCH ĐẦU MỐI CÁC BỘ PHẬN, ẤP"],
            ["TT", "Bộ phận / Ấp", "Họ và tên đầu mối", "Số điện thoại"],
            [1, "Văn phòng HĐND và UBND", "Nguyễn Văn A", "0912345678"],
            [2, "Phòng Kinh tế", "Trần Thị B", "0987654321"],
            [3, "Ấp 1", "Phạm D", ""],
        ],
    )
    result = dondoc.ok("units", "import", path)
    assert "UBND xã Tân Phước: 3 cơ quan, đơn vị (3 mới" in result.stdout
    listing = dondoc.ok("units", "list").stdout.splitlines()
    assert [line.split(maxsplit=1)[1] for line in listing[1:4]] == ["Văn phòng HĐND và UBND", "Phòng Kinh tế", "Ấp 1"]
    assert not any("Nguyễn Văn A" in line or "0912345678" in line for line in listing)


def test_a_header_of_two_rows_under_merged_cells_is_no_unit(dondoc: Dondoc, tmp_path: Path) -> None:
    """ "Cán bộ đầu mối" merged over "Họ và tên" | "SĐT": the header's second row repeats the merged
    labels beside it, and is not a unit called «Tên đơn vị»; nor is the header repeated on a new page."""
    path = sheet(
        tmp_path / "ds.xlsx",
        [
            ["DANH SÁCH ĐƠN VỊ THUỘC UBND XÃ TÂN PHƯỚC"],
            ["TT", "Tên đơn vị", "Cán bộ đầu mối", ""],
            ["", "", "Họ và tên", "SĐT"],
            [1, "Văn phòng HĐND và UBND xã", "Nguyễn Văn A", "0912345678"],
            ["TT", "Tên đơn vị", "Cán bộ đầu mối", ""],  # the header again, on the next page
            [2, "Ấp Tân Lợi", "Trần B", "0987654321"],
        ],
        merged=("A2:A3", "B2:B3", "C2:D2"),
    )
    result = dondoc.ok("units", "import", path)
    assert "UBND xã Tân Phước: 2 cơ quan, đơn vị (2 mới" in result.stdout
    names = [line.split(maxsplit=1)[1] for line in dondoc.ok("units", "list").stdout.splitlines()[1:3]]
    assert names == ["Văn phòng HĐND và UBND xã", "Ấp Tân Lợi"]


def test_a_csv_title_cut_at_its_comma_is_no_header(dondoc: Dondoc, tmp_path: Path) -> None:
    """A CSV whose title holds an unquoted comma: "DANH SÁCH CÁC CƠ QUAN" | " ĐƠN VỊ THUỘC …" is the
    title in two cells, not a header with a column «Đơn vị thuộc …»."""
    path = tmp_path / "ds.csv"
    path.write_text(
        "DANH SÁCH CÁC CƠ QUAN, ĐƠN VỊ THUỘC UBND TỈNH QUẢNG TRỊ\n"
        "STT,Tên cơ quan,Mã\n"
        "1,Sở Nội vụ,NV\n"
        "2,Sở Tư pháp,TP\n",
        encoding="utf-8",
    )
    result = dondoc.ok("units", "import", path)
    assert "UBND tỉnh Quảng Trị: 2 cơ quan, đơn vị (2 mới" in result.stdout
    assert dondoc.ok("units", "list").stdout.splitlines()[1:3] == ["  NV       Sở Nội vụ", "  TP       Sở Tư pháp"]
