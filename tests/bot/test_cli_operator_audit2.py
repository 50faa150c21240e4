"""A second operator audit of the command line, on a store holding a province and a district: the
sandbox plays the organisation ``--org`` names, ``--org`` takes part of a name typed any way, typed
values are quoted in errors, the help names dates and languages, an unrelated organisation is not
"the nearest", an export is refused under a name of another kind (and says when it replaced a file),
and a backup's size reads as people read sizes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import yaml

from dondoc.i18n import use_language
from tests.bot.test_cli_help import Main
from tests.conftest import SAMPLE, Dondoc, Result, empty_sqlite_url

PROVINCE = "Ủy ban nhân dân tỉnh Hậu Giang"
DISTRICT = "Ủy ban nhân dân huyện Long Mỹ"


def _registry(tmp_path: Path, name: str, organization: str, units: list[dict[str, str]]) -> Path:
    path = tmp_path / name
    data = {"organization": organization, "coordinator": units[0]["code"], "units": units}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def two(tmp_path: Path) -> Dondoc:
    """The province (imported first, its coordinator the Sở Nội vụ), then the sample district with its plan."""
    store = Dondoc(empty_sqlite_url(tmp_path / "two.db"))
    units = [{"code": "SNV", "name": "Sở Nội vụ"}, {"code": "VPUB", "name": "Văn phòng UBND tỉnh"}]
    store.ok("units", "import", _registry(tmp_path, "tinh.yaml", PROVINCE, units))
    store.ok("units", "import", SAMPLE / "units.yaml", "--new-organization")
    store.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx", "--org", DISTRICT)
    return store


def _sandbox(officer: Main, store: Dondoc, monkeypatch: pytest.MonkeyPatch, typed: str, *args: str) -> Result:
    """``dondoc --db STORE sandbox ARGS`` through the console entry point, ``typed`` on standard input."""
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(typed))
        return officer("--db", store.url, "sandbox", *args)


@pytest.mark.slow
def test_the_sandbox_plays_the_organisation_org_names(
    dondoc_main: Main, two: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _sandbox(dondoc_main, two, monkeypatch, "/as\n", "--org", DISTRICT)
    assert result.code == 0, result.stderr
    assert "Đồng chí đang là: Nguyễn Thị Lan, đầu mối — Phòng Nội vụ" in result.stdout
    assert "Sở Nội vụ" not in result.stdout
    assert f"Các vai đồng chí có thể đóng ở {DISTRICT}:" in result.stdout  # /as: the units of the one played
    # part of the name, without diacritics, says the same
    again = _sandbox(dondoc_main, two, monkeypatch, "", "--org", "long my")
    assert again.code == 0, again.stderr
    assert "đầu mối — Phòng Nội vụ" in again.stdout and "Sở Nội vụ" not in again.stdout


@pytest.mark.slow
def test_org_takes_any_part_of_the_name_typed_any_way(two: Dondoc) -> None:
    for typed in ("long my", "Long Mỹ", "LONG MY", "huyện long mỹ"):
        result = two("status", "--org", typed, "--at", "2022-04-01")
        assert result.code == 0, (typed, result.stderr)
        assert "Tình hình đến ngày 01/04/2022" in result.stdout
    several = two("status", "--org", "uy ban")
    assert several.code == 2
    assert (
        several.stderr.strip()
        == f"«uy ban» khớp với nhiều cơ quan: «{DISTRICT}»; «{PROVINCE}»; đồng chí gõ thêm phần tên"
    )
    none = two("status", "--org", "long my xyz")
    assert none.code == 2
    assert none.stderr.startswith("Không có cơ quan nào tên «long my xyz» — ")
    assert DISTRICT in none.stderr
    typo = two("status", "--org", "tinh hau giag")
    assert "Không có cơ quan nào tên «tinh hau giag» — có phải đồng chí muốn chọn" in typo.stderr
    assert f"«{PROVINCE}»?" in typo.stderr and DISTRICT not in typo.stderr


@pytest.mark.slow
def test_typed_values_are_quoted_in_errors(two: Dondoc) -> None:
    unit = two("invite", "QQ", "--org", DISTRICT)
    assert unit.code == 1 and "«QQ»" in unit.stderr
    status = two("status", "--unit", "QQ", "--org", DISTRICT)
    assert "Không có cơ quan, đơn vị: «QQ»" in status.stderr
    role = two("invite", "NV", "--role", "boss", "--org", DISTRICT)
    assert "vai trò không hợp lệ «boss»" in role.stderr


def test_the_help_names_dates_and_languages(dondoc_main: Main) -> None:
    vi = dondoc_main("status", "--help").stdout
    assert "--at NGÀY" in vi and "--lang vi|en" in vi and "--at VĂN_BẢN" not in vi
    assert "--org TÊN" in vi and "một phần của tên" in vi  # a name, any part of it (was VĂN_BẢN)
    en = dondoc_main("--lang", "en", "absence", "add", "--help").stdout
    assert "--from DATE" in en and "--to DATE" in en
    assert "--at NGÀY_GIỜ" in dondoc_main("reminders", "preview", "--help").stdout
    imported = " ".join(dondoc_main("plan", "import", "--help").stdout.split())
    assert "[mặc định: 5000; x>=1]" in imported and "(5000)" not in imported
    assert "--issued NGÀY" in imported


@pytest.fixture
def dondoc_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Main:
    for name in ("DONDOC_LANG", "DONDOC_DATABASE_URL", "DONDOC_DEBUG"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return Main(capsys, monkeypatch)


def test_an_unrelated_organisation_is_not_called_the_nearest(tmp_path: Path) -> None:
    store = Dondoc(empty_sqlite_url(tmp_path / "one.db"))
    store.ok("units", "import", _registry(tmp_path, "tinh.yaml", PROVINCE, [{"code": "SNV", "name": "Sở Nội vụ"}]))
    commune = _registry(tmp_path, "xa.yaml", "Ủy ban nhân dân xã Long Trị", [{"code": "VP", "name": "Văn phòng"}])
    result = store("units", "import", commune)
    assert result.code == 1
    assert "gần nhất" not in result.stderr
    assert "để thêm cơ quan này, đồng chí thêm --new-organization" in result.stderr
    typo = _registry(tmp_path, "typo.yaml", "UBND tinh Hau Giang", [{"code": "SNV", "name": "Sở Nội vụ"}])
    assert f"tên gần nhất là «{PROVINCE}»" in store("units", "import", typo).stderr


@pytest.mark.slow
def test_an_export_is_refused_under_another_kinds_name_and_says_it_replaced(tmp_path: Path, two: Dondoc) -> None:
    wrong = tmp_path / "tinh-hinh.csv"
    refused = two("export", "-o", wrong, "--org", DISTRICT)
    assert refused.code == 2 and not wrong.exists()
    assert "không có đuôi .xlsx" in refused.stderr and "tinh-hinh.xlsx" in refused.stderr
    weekly = tmp_path / "tinh-hinh.xlsx"
    assert two("export", "-o", weekly, "--org", DISTRICT).stderr.strip() == f"Đã ghi: {weekly}"
    again = two("export", "-o", weekly, "--org", DISTRICT)
    assert again.code == 0
    assert again.stderr.strip() == f"Đã ghi: {weekly} (thay cho tệp cũ cùng tên)"
    draft = tmp_path / "bao-cao.xlsx"  # the report draft is a Word file
    refused = two("report", "draft", "--period", "q1", "-o", draft, "--org", DISTRICT)
    assert refused.code == 2 and not draft.exists()
    assert "không có đuôi .docx" in refused.stderr and "bao-cao.docx" in refused.stderr


def test_a_backups_size_reads_as_people_read_it(tmp_path: Path) -> None:
    store = Dondoc(empty_sqlite_url(tmp_path / "b.db"))
    from dondoc.cli.ops import file_size

    result = store.ok("backup", "-o", tmp_path / "b.backup")
    assert " byte" not in result.stdout and " KB, kiểm tra toàn vẹn đạt." in result.stdout
    with use_language("vi"):
        assert [file_size(n) for n in (812, 692224, 734_003, 5_500_000)] == ["812 byte", "676 KB", "717 KB", "5,2 MB"]
    with use_language("en"):
        assert file_size(5_500_000) == "5.2 MB" and file_size(1) == "1 byte"
