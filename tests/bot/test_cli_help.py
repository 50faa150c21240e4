"""``dondoc --help`` and the parser's messages in the language of the run: Vietnamese by default,
English with ``--lang en`` or ``DONDOC_LANG=en`` (``dondoc/cli/help_i18n.py``). Commands run through
``main()``, the console entry point, as ``dondoc …`` would; the last tests walk the whole command tree,
so that a command added without a Vietnamese help fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
import typer.core
from typer._click.core import Command
from typer.testing import CliRunner

from dondoc.cli import app, help_i18n, main
from dondoc.i18n import set_language, translations
from dondoc.i18n_check import cli_help_messages
from tests.conftest import Result, empty_sqlite_url

# Help texts whose Vietnamese is the English (none yet: a value list such as "json or xlsx." still
# translates its "or"). Add one here only when it truly reads the same in Vietnamese.
SAME_IN_VIETNAMESE: frozenset[str] = frozenset()


class Main:
    """``dondoc ARGS…`` through ``main()`` from an empty folder, with a clean environment."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
        with self.monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            with pytest.raises(SystemExit) as exited:
                main([str(arg) for arg in args])
        set_language(None)
        out, err = self.capsys.readouterr()
        code = exited.value.code
        return Result(code if isinstance(code, int) else 1, out, err)


@pytest.fixture
def dondoc(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Main:
    for name in ("DONDOC_LANG", "DONDOC_DATABASE_URL", "DONDOC_DEBUG"):
        monkeypatch.setenv(name, "")  # remembered, so that anything a command sets is undone
        monkeypatch.delenv(name)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)  # no .env of the repository
    return Main(capsys, monkeypatch)


def vietnamese_only(text: str, *english: str) -> None:
    """None of the ``english`` sentences, nor Click's headings, is left in ``text``."""
    for sentence in ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message and exit.", *english):
        assert sentence not in text, sentence


# ---------------------------------------------------------------- the help


def test_the_help_is_vietnamese_by_default(dondoc: Main) -> None:
    result = dondoc("--help")
    assert result.code == 0, result.stderr
    for text in (
        "Cách dùng: dondoc [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...",
        "Tùy chọn:",
        "Lệnh:",
        "Hiển thị hướng dẫn này rồi thoát.",
        "Ngôn ngữ hiển thị: vi (mặc định) hoặc en.",
        "Kế hoạch và phụ lục kèm theo.",
        "Giao nhiệm vụ ngoài kế hoạch.",
    ):
        assert text in result.stdout, text
    vietnamese_only(
        result.stdout, "Plans and their appendices.", "Language of messages", "follow up an action plan", "[OPTIONS]"
    )


def test_a_commands_help_is_vietnamese_by_default(dondoc: Main) -> None:
    result = dondoc("plan", "import", "--help")
    assert result.code == 0, result.stderr
    for text in (
        "Cách dùng: dondoc plan import [TÙY_CHỌN] TỆP",
        "Nhập phụ lục của kế hoạch; nhập lại tệp đã sửa sẽ cập nhật các nhiệm vụ theo",
        "Đối số:",
        "Tệp phụ lục: xlsx, docx hoặc csv.  [bắt buộc]",
        "[mặc định: 5000;",
        "Năm của kế hoạch, nếu tiêu đề không ghi.",
        "In kết quả dạng JSON.",
    ):
        assert text in result.stdout, text
    vietnamese_only(
        result.stdout, "Import a plan's appendix", "Appendix: xlsx", "[required]", "default:", "Print the result"
    )


def test_the_sandboxs_db_help_names_its_own_file(dondoc: Main) -> None:
    """The sandbox never uses DONDOC_DATABASE_URL: its help must not say it does."""
    result = dondoc("sandbox", "--help")
    assert result.code == 0, result.stderr
    assert "dondoc-sandbox.db" in " ".join(result.stdout.split())
    assert "sqlite:///dondoc.db" not in result.stdout


def test_the_help_of_commands_registered_from_other_modules(dondoc: Main) -> None:
    """``forget``, ``invite list``: registered as ``app.command(…)(function)``, their docstring translated."""
    forget = dondoc("forget", "--help")
    assert forget.code == 0
    assert "Xóa dữ liệu cá nhân và mã tài khoản chat của một người" in forget.stdout
    assert "Không hỏi xác nhận." in forget.stdout
    vietnamese_only(forget.stdout, "Erase a person's", "Do not ask")
    invites = dondoc("invite", "--help")
    assert "Thu hồi một lời mời hoặc mã liên kết đang chờ" in invites.stdout
    assert "Mã nhiệm vụ, ví dụ I.2." in dondoc("extension", "add", "--help").stdout  # help=f"…" of task_option()


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "en", "plan", "import", "--help"),
        ("plan", "import", "--help", "--lang", "en"),
        ("--lang=en", "plan", "import", "--help"),
    ],
)
def test_lang_en_gives_the_english_help(dondoc: Main, args: tuple[str, ...]) -> None:
    result = dondoc(*args)
    assert result.code == 0, result.stderr
    for text in ("Usage: dondoc plan import", "Import a plan's appendix", "Arguments:", "Options:", "[required]"):
        assert text in result.stdout, text
    assert "Show this message and exit." in result.stdout
    assert "Cách dùng" not in result.stdout and "Tệp phụ lục" not in result.stdout


def test_dondoc_lang_en_gives_the_english_help(dondoc: Main) -> None:
    result = dondoc("--help", env={"DONDOC_LANG": "en"})
    assert result.code == 0
    assert "Usage: dondoc [OPTIONS]" in result.stdout and "Plans and their appendices." in result.stdout
    assert "Cách dùng" not in result.stdout
    # --lang wins over the setting, wherever it is
    assert (
        "Cách dùng: dondoc plan import"
        in dondoc("plan", "import", "--help", "--lang", "vi", env={"DONDOC_LANG": "en"}).stdout
    )


def test_dondoc_lang_in_dot_env_gives_the_english_help(dondoc: Main) -> None:
    Path(".env").write_text("DONDOC_LANG=en\n", encoding="utf-8")
    assert "Usage: dondoc units" in dondoc("units", "--help").stdout


def test_no_command_shows_the_vietnamese_help(dondoc: Main) -> None:
    result = dondoc("plan")
    assert result.code == 2  # as before: no_args_is_help
    assert "Cách dùng: dondoc plan" in result.stdout + result.stderr
    assert "Usage:" not in result.stdout + result.stderr


# ---------------------------------------------------------------- the parser's messages


def test_a_missing_argument_in_vietnamese(dondoc: Main) -> None:
    result = dondoc("plan", "import")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "Cách dùng: dondoc plan import [TÙY_CHỌN] TỆP",
        "Gõ 'dondoc plan import --help' để xem hướng dẫn.",
        "",
        "Lỗi: Thiếu đối số 'TỆP'.",
    ]


def test_a_missing_argument_in_english(dondoc: Main) -> None:
    result = dondoc("--lang", "en", "plan", "import")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "Usage: dondoc plan import [OPTIONS] FILE",
        "Try 'dondoc plan import --help' for help.",
        "",
        "Error: Missing argument 'FILE'.",
    ]


@pytest.mark.parametrize(
    ("args", "vietnamese", "english"),
    [
        (("plan", "--x"), "Lỗi: Không có tùy chọn: --x", "Error: No such option: --x"),
        (
            ("plan", "import", "f.xlsx", "--jso"),
            "Lỗi: Không có tùy chọn: --jso (có thể là: --json, --org)",
            "Error: No such option: --jso (Possible options: --json, --org)",
        ),
        (("plan", "nope"), "Lỗi: Không có lệnh 'nope'.", "Error: No such command 'nope'."),
        (("plann",), "Lỗi: Không có lệnh 'plann'. Có phải đồng chí định gõ 'plan'", "Did you mean 'plan'"),
        (
            ("plan", "import", "f.xlsx", "--year", "abc"),
            "Lỗi: Giá trị không hợp lệ cho '--year': Giá trị phải là số nguyên",
            "Error: Invalid value for '--year': Input should be a valid integer",
        ),
        (
            ("plan", "import", "f.xlsx", "--max-rows", "0"),
            "Lỗi: Giá trị không hợp lệ cho '--max-rows': Giá trị phải lớn hơn hoặc bằng 1",
            "Error: Invalid value for '--max-rows': Input should be greater than or equal to 1",
        ),
        (
            ("plan", "import", "no-such.xlsx"),
            "Lỗi: Giá trị không hợp lệ cho 'TỆP': tệp 'no-such.xlsx' không tồn tại.",
            "Error: Invalid value for 'FILE': file 'no-such.xlsx' does not exist.",
        ),
        (("plan", "import", "f.xlsx", "--year"), "Lỗi: Tùy chọn '--year' cần một giá trị.", "requires an argument"),
        (("plan", "import", "--dry-run=3", "f"), "Lỗi: Tùy chọn '--dry-run' không nhận giá trị.", "does not take"),
        (("units", "list", "extra"), "Lỗi: Thừa đối số (extra)", "Got unexpected extra argument(s) (extra)"),
    ],
)
def test_the_parsers_errors_in_both_languages(
    dondoc: Main, args: tuple[str, ...], vietnamese: str, english: str
) -> None:
    vi = dondoc(*args)
    assert vi.code == 2, vi.stderr
    assert vietnamese in vi.stderr
    assert "Error:" not in vi.stderr and "Usage:" not in vi.stderr and "for help" not in vi.stderr
    en = dondoc("--lang", "en", *args)
    assert en.code == 2
    assert english in en.stderr


def test_a_wrong_language_is_still_reported(dondoc: Main) -> None:
    """``--lang xx`` means Vietnamese for the help; the command says what is wrong, as before."""
    result = dondoc("--lang", "xx", "units", "list")
    assert result.code == 2
    assert "--lang: xx" in result.stderr
    assert "Cách dùng: dondoc units list" in dondoc("units", "list", "--help", "--lang", "xx").stdout


def test_the_commands_are_unaffected(dondoc: Main, tmp_path: Path) -> None:
    """What the commands themselves say and their exit codes are the same through ``main()`` as
    through the app (``forget`` of nobody, an empty registry, a bad option value of dondoc's own)."""
    url = empty_sqlite_url(tmp_path / "dondoc.db")
    runner = CliRunner()
    for args in (
        ["forget", "nobody", "--yes"],
        ["units", "list"],
        ["--lang", "en", "forget", "nobody", "--yes"],
        ["invite", "create", "XP", "--expires", "forever"],
    ):
        through_main = dondoc("--db", url, *args)
        through_app = runner.invoke(app, ["--db", url, *args])
        set_language(None)
        assert (through_main.code, through_main.stdout, through_main.stderr) == (
            through_app.exit_code,
            through_app.stdout,
            through_app.stderr,
        ), args


def test_typers_own_words_are_put_back_after_the_run(dondoc: Main) -> None:
    before = getattr(typer.core, "_", None)
    dondoc("plan", "nope")
    assert getattr(typer.core, "_", None) is before


# ---------------------------------------------------------------- the language of the run


@pytest.mark.parametrize(
    ("args", "env", "language"),
    [
        ([], {}, "vi"),
        (["--lang", "en", "status"], {}, "en"),
        (["status", "--lang=en-US"], {}, "en"),
        (["--lang", "en", "status", "--lang", "vi"], {}, "vi"),  # the one after the command wins
        (["--lang", "xx"], {"DONDOC_LANG": "en"}, "vi"),
        (["status"], {"DONDOC_LANG": "en"}, "en"),
        (["status"], {"DONDOC_LANG": "klingon"}, "vi"),
        (["task", "add", "--", "--lang", "en"], {}, "vi"),
        (["--lang"], {"DONDOC_LANG": "en"}, "en"),
    ],
)
def test_the_language_of_the_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], env: dict[str, str], language: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DONDOC_LANG", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert help_i18n.chosen_language(args) == language


def test_a_message_of_no_known_shape_stays_as_it_is() -> None:
    assert help_i18n.localized_message("Something new happened.", "vi") == "Something new happened."
    assert help_i18n.localized_message("Missing argument 'X'.", "en") == "Missing argument 'X'."
    assert (
        help_i18n.localized_message("Invalid value for '--n': Input should be less than or equal to 9", "vi")
        == "Giá trị không hợp lệ cho '--n': Giá trị phải nhỏ hơn hoặc bằng 9"
    )


# ---------------------------------------------------------------- every help text has its Vietnamese


def english_tree() -> Command:
    return typer.main.get_command(app)


def test_every_help_text_of_the_command_tree_is_translated() -> None:
    """Walks the tree as the runtime does: each help text (commands, groups, options, arguments, the
    help option) has a Vietnamese different from the English. A command added without its Vietnamese
    fails here: run ``python -m dondoc.i18n_check --update`` and translate the new entries."""
    vi = translations("vi").gettext
    untranslated = sorted(
        f"{where}: {help_i18n.help_key(text)!r}"
        for where, text in help_i18n.help_texts(english_tree())
        if vi(help_i18n.help_key(text)) == help_i18n.help_key(text)
        and help_i18n.help_key(text) not in SAME_IN_VIETNAMESE
    )
    assert untranslated == []


def test_the_parsers_words_are_translated() -> None:
    vi = translations("vi").gettext
    words = [help_i18n.USAGE, help_i18n.HELP_OPTION, help_i18n.TRY_HELP, help_i18n.ERROR]
    words += [*help_i18n.TYPER_MESSAGES, *help_i18n.MESSAGES]
    assert [word for word in words if vi(word) == word] == []


def test_the_extraction_finds_every_help_text() -> None:
    """``dondoc.i18n_check`` reads the help texts from the source (``ast``); it finds all that Click
    holds, so that ``--update`` puts a new command's help in the catalogue."""
    extracted = {message for message, _file, _line in cli_help_messages()}
    extracted |= {*help_i18n.TYPER_MESSAGES, help_i18n.HELP_OPTION}
    missing = {help_i18n.help_key(text) for _where, text in help_i18n.help_texts(english_tree())} - extracted
    assert missing == set()


def test_a_form_feed_still_cuts_the_help() -> None:
    vi = translations("vi").gettext
    text = "Plans and their appendices.\f\nNotes for developers."
    assert help_i18n.help_key(text) == "Plans and their appendices."
    assert help_i18n.translated_help(text, vi) == "Kế hoạch và phụ lục kèm theo.\f\nNotes for developers."


def test_rich_formatting_stays_off() -> None:
    """Typer's rich help (``typer.rich_utils``, with English strings of its own) is never used."""
    for _path, command, _ctx in help_i18n.walk(english_tree()):
        assert getattr(command, "rich_markup_mode", None) is None, _path
