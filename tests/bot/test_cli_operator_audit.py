"""What a province's IT officer meets setting dondoc up from the README: the help names arguments and
option values in the run's language (never Typer's "{file}" or "<str>"), an error line starts with a
capital letter, and a file that cannot be written says why in the run's language."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from dondoc.cli import app
from dondoc.cli.common import sentence
from dondoc.cli.help_i18n import ARGUMENT_NAMES, localize, walk
from tests.bot.test_cli_help import Main
from tests.conftest import Dondoc, empty_sqlite_url


@pytest.fixture
def officer(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Main:
    """``dondoc …`` through the console entry point, from an empty folder with a clean environment."""
    for name in ("DONDOC_LANG", "DONDOC_DATABASE_URL", "DONDOC_DEBUG"):
        monkeypatch.setenv(name, "")  # remembered, so that anything a command sets is undone
        monkeypatch.delenv(name)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return Main(capsys, monkeypatch)


TYPERS_OWN = ("{file}", "{person}", "{code}", "{unit}", "{key}", "{number}", "<str>", "<int", "<file>", "<path>")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_help_shows_typers_raw_names(language: str) -> None:
    """Every command's help, as ``dondoc … --help`` prints it: no "{file}", no "file <file>", no "<str>"."""
    for path, command, ctx in walk(localize(typer.main.get_command(app), language)):
        text = command.get_help(ctx)
        for raw in TYPERS_OWN:
            assert raw not in text, (" ".join(path), raw)


def test_every_argument_has_a_translated_name() -> None:
    for path, command, _ctx in walk(typer.main.get_command(app)):
        for param in command.params:
            if isinstance(param, typer.core.TyperArgument):
                assert param.name in ARGUMENT_NAMES, (" ".join(path), param.name)


def test_the_officer_reads_the_arguments_and_values_in_vietnamese(officer: Main) -> None:
    result = officer("people", "remove", "--help")
    assert result.stdout.startswith("Cách dùng: dondoc people remove [TÙY_CHỌN] NGƯỜI\n")
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert any(line.startswith("NGƯỜI  Mã số của người dùng") for line in lines)
    assert any(line.startswith("--unit VĂN_BẢN") for line in lines)
    assert any(line.startswith("--db VĂN_BẢN") for line in lines)
    assert "Cách dùng: dondoc invite revoke [TÙY_CHỌN] MÃ" in officer("invite", "revoke", "--help").stdout
    assert "--port SỐ" in officer("serve", "--help").stdout
    assert "-o, --output TỆP" in officer("export", "--help").stdout
    assert "-o, --output ĐƯỜNG_DẪN" in officer("backup", "--help").stdout
    assert "``" not in officer("people", "export", "--help").stdout


def test_english_help_names_them_as_click_does(officer: Main) -> None:
    result = officer("--lang", "en", "forget", "--help")
    assert result.stdout.startswith("Usage: dondoc forget [OPTIONS] PERSON\n")
    assert "--db TEXT" in result.stdout
    missing = officer("forget")
    assert missing.stderr.splitlines()[-1] == "Lỗi: Thiếu đối số 'NGƯỜI'."


def test_a_wrong_role_names_the_option(officer: Main) -> None:
    result = officer("invite", "NV", "--role", "boss")
    assert result.code == 2
    assert "Lỗi: Giá trị không hợp lệ cho '--role': vai trò không hợp lệ «boss»" in result.stderr


def test_an_error_line_starts_with_a_capital(tmp_path: Path) -> None:
    """``dondoc units list`` before any registry: the line starts a sentence, in both languages."""
    store = Dondoc(empty_sqlite_url(tmp_path / "fresh.db"))
    vi = store("units", "list")
    assert vi.code == 1
    assert vi.stderr.startswith("Chưa có danh mục cơ quan, đơn vị: hãy chạy `dondoc units import TỆP` trước (danh sách")
    en = store("--lang", "en", "people", "list")
    assert en.code == 1
    assert en.stderr[0].isupper(), en.stderr
    revoke = store("invite", "revoke", "i1")
    assert revoke.stderr[0].isupper(), revoke.stderr


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("chưa có danh mục", "Chưa có danh mục"),
        ("không có lời mời i3", "Không có lời mời i3"),
        ("đã hủy.", "Đã hủy."),
        ("sb.backup đã tồn tại", "sb.backup đã tồn tại"),  # a file name stays as typed
        ("--at: không có ngày 31/02/2022", "--at: không có ngày 31/02/2022"),
        ("Đã xong", "Đã xong"),
        ("", ""),
    ],
)
def test_sentence(message: str, shown: str) -> None:
    assert sentence(message) == shown


def test_a_status_workbook_into_a_missing_folder_says_why_in_vietnamese(sample_store: Dondoc, tmp_path: Path) -> None:
    target = tmp_path / "khong-co" / "tinh-hinh.xlsx"
    result = sample_store("export", "-o", target)
    assert result.code == 1
    assert result.stderr.strip() == f"Không ghi được {target}: thư mục {target.parent} không tồn tại"
    english = sample_store("--lang", "en", "export", "-o", target)
    assert "No such file or directory" not in english.stderr
    assert english.stderr.startswith("Cannot write"), english.stderr
