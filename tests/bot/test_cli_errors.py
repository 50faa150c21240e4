"""The command line's answers to wrong settings and out-of-range values: one line on standard error
that names the problem and what to do, exit 2 (wrong usage or configuration) or 1 (input refused),
never a traceback. Commands run through ``main()``, the console entry point, as ``dondoc …`` would."""

from __future__ import annotations

import io
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dondoc.cli import app, main
from dondoc.i18n import set_language
from tests.conftest import Dondoc, Result, empty_sqlite_url

TOKEN = "123456789:AAHsecret-token-never-printed"


@pytest.fixture
def dondoc_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Dondoc:
    """``dondoc …`` through the console entry point, from an empty folder with a clean environment."""
    for name in (
        "DONDOC_NOW",
        "DONDOC_CLOCK_SPEED",
        "DONDOC_CLOCK_ORIGIN",
        "DONDOC_LANG",
        "DONDOC_DATABASE_URL",
        "DONDOC_DEBUG",
        "TELEGRAM_BOT_TOKEN",
    ):
        monkeypatch.setenv(name, "")  # remembered, so that anything a command sets is undone
        monkeypatch.delenv(name)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)

    class Main(Dondoc):
        def __call__(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
            with monkeypatch.context() as patch:
                for name, value in (env or {}).items():
                    patch.setenv(name, value)
                with pytest.raises(SystemExit) as exited:
                    main(["--db", self.url, *map(str, args)] if self.url else list(map(str, args)))
            set_language(None)
            out, err = capsys.readouterr()
            code = exited.value.code
            return Result(code if isinstance(code, int) else 1, out, err)

    return Main(empty_sqlite_url(tmp_path / "dondoc.db"))


@pytest.fixture
def sample_main(dondoc_main: Dondoc, sample_store: Dondoc) -> Dondoc:
    """The entry point on a store holding the Long Mỹ 2022 sample plan."""
    dondoc_main.url = sample_store.url
    return dondoc_main


def one_line(result: Result, code: int, *words: str) -> str:
    """The result failed with ``code`` and a single line on standard error naming ``words``."""
    assert result.code == code, (result.code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# ---------------------------------------------------------------- DONDOC_NOW


@pytest.mark.parametrize("value", ["garbage", "2022-13-45", "9999-12-31T08:00"])
def test_a_bad_dondoc_now_is_named(dondoc_main: Dondoc, value: str) -> None:
    result = dondoc_main("--lang", "en", "status", env={"DONDOC_NOW": value})
    one_line(result, 2, "DONDOC_NOW", value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DONDOC_CLOCK_SPEED", "fast"),
        ("DONDOC_CLOCK_SPEED", "0"),
        ("DONDOC_CLOCK_SPEED", "-2"),
        ("DONDOC_CLOCK_SPEED", "nan"),
        ("DONDOC_CLOCK_SPEED", "1e9"),
        ("DONDOC_CLOCK_ORIGIN", "yesterday"),
        ("DONDOC_CLOCK_ORIGIN", "-1"),
    ],
)
def test_a_bad_clock_speed_or_origin_is_named(dondoc_main: Dondoc, variable: str, value: str) -> None:
    result = dondoc_main("--lang", "en", "status", env={"DONDOC_NOW": "2022-03-15T09:00", variable: value})
    one_line(result, 2, variable, value)


def test_a_clock_origin_without_dondoc_now_is_named(dondoc_main: Dondoc) -> None:
    result = dondoc_main("--lang", "en", "status", env={"DONDOC_CLOCK_ORIGIN": "1764670000"})
    one_line(result, 2, "DONDOC_CLOCK_ORIGIN", "DONDOC_NOW")


@pytest.mark.parametrize("value", ["garbage", "0", "-5"])
def test_a_bad_task_limit_is_named(sample_main: Dondoc, value: str) -> None:
    appendix = Path(__file__).resolve().parents[2] / "dondoc" / "data" / "long-my-2022" / "phu-luc-cchc-2022.csv"
    result = sample_main("--lang", "en", "plan", "import", appendix, env={"DONDOC_MAX_TASKS": value})
    one_line(result, 2, "DONDOC_MAX_TASKS", value)


# ---------------------------------------------------------------- --db


def test_a_database_in_a_missing_folder(dondoc_main: Dondoc, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    dondoc_main.url = f"sqlite:///{missing / 'dondoc.db'}"
    line = one_line(dondoc_main("--lang", "en", "units", "list"), 2, str(missing))
    assert "does not exist" in line
    assert not missing.exists()


def test_a_database_path_through_a_file(dondoc_main: Dondoc, tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    dondoc_main.url = f"sqlite:///{tmp_path / 'plain-file' / 'dondoc.db'}"
    one_line(dondoc_main("--lang", "en", "units", "list"), 2, "plain-file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_a_database_in_a_read_only_folder(dondoc_main: Dondoc, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        dondoc_main.url = f"sqlite:///{folder / 'dondoc.db'}"
        one_line(dondoc_main("--lang", "en", "units", "list"), 2, str(folder))
    finally:
        folder.chmod(stat.S_IRWXU)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("garbage", ["garbage", "sqlite:///"]),
        ("mysql://admin:hunter2@db.example/dondoc", ["mysql", "postgresql://"]),
        ("/var/lib/dondoc.db", ["sqlite:////var/lib/dondoc.db"]),
    ],
)
def test_a_url_that_is_not_a_supported_database(dondoc_main: Dondoc, url: str, words: list[str]) -> None:
    dondoc_main.url = url
    line = one_line(dondoc_main("--lang", "en", "units", "list"), 2, *words)
    assert "hunter2" not in line


def test_an_unreachable_postgresql_server(dondoc_main: Dondoc) -> None:
    pytest.importorskip("psycopg")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        port = closed.getsockname()[1]
        dondoc_main.url = f"postgresql://dondoc:hunter2@127.0.0.1:{port}/dondoc"
        line = one_line(dondoc_main("--lang", "en", "units", "list"), 2, f"127.0.0.1:{port}")
    assert "hunter2" not in line


# ---------------------------------------------------------------- dates and durations out of range


def test_status_at_a_date_out_of_range(sample_main: Dondoc) -> None:
    one_line(sample_main("--lang", "en", "status", "--at", "9999-12-31"), 2, "--at", "9999-12-31", "2100")
    one_line(sample_main("--lang", "en", "status", "--at", "31/02/2022"), 2, "31/02/2022", "does not exist")
    assert sample_main("status", "--at", "2100-12-31").code == 0


def test_reminders_preview_over_centuries(sample_main: Dondoc) -> None:
    result = sample_main("--lang", "en", "reminders", "preview", "--from", "0001-01-01", "--to", "9999-12-31")
    one_line(result, 2, "0001-01-01")
    too_long = sample_main("--lang", "en", "reminders", "preview", "--from", "2022-01-01", "--to", "2030-12-31")
    one_line(too_long, 2, "2022-01-01", "2030-12-31", "years")
    at = ["--from", "2022-01-01", "--to", "2022-01-31", "--at", "9999-12-31T08:00"]
    one_line(sample_main("--lang", "en", "reminders", "preview", *at), 2, "9999-12-31T08:00")


def test_invite_validity_must_be_positive_and_at_most_a_year(sample_main: Dondoc) -> None:
    one_line(sample_main("--lang", "en", "invite", "XP", "--expires", "999999999d"), 2, "999999999d", "365")
    one_line(sample_main("--lang", "en", "invite", "XP", "--expires", "0d"), 2, "0d")
    assert sample_main("invite", "XP", "--expires", "365d").code == 0


def test_report_draft_year_out_of_range(sample_main: Dondoc, tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    result = sample_main("--lang", "en", "report", "draft", "--period", "q1", "--year", "99999", "-o", out)
    one_line(result, 2, "99999")
    assert not out.exists()


# ---------------------------------------------------------------- report add --at


def item_i1(store: Dondoc) -> dict[str, object]:
    data = store("status", "--at", "2022-03-15", "--unit", "NV", "--json", env={"DONDOC_NOW": "2022-03-15T09:00"})
    return next(i for i in data.json()["items"] if i["task"] == "I.1")


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("01/01/1900", ["01/01/1900", "2022"]),
        ("31/12/2021", ["31/12/2021", "2022"]),
        ("01/01/2099", ["01/01/2099", "future"]),
        ("16/03/2022", ["16/03/2022", "future", "15 Mar 2022"]),
    ],
)
def test_report_add_refuses_a_date_outside_the_plan_year_and_today(
    sample_main: Dondoc, day: str, words: list[str]
) -> None:
    before = item_i1(sample_main)
    args = ["report", "add", "--task", "I.1", "--unit", "NV", "--status", "done", "--at", day]
    result = sample_main("--lang", "en", *args, env={"DONDOC_NOW": "2022-03-15T09:00"})
    one_line(result, 1, *words)
    assert item_i1(sample_main) == before  # nothing was written


def test_report_add_refuses_a_day_that_does_not_exist(sample_main: Dondoc) -> None:
    args = ["report", "add", "--task", "I.1", "--unit", "NV", "--status", "done", "--at", "31/02/2022"]
    one_line(sample_main("--lang", "en", *args), 2, "31/02/2022", "does not exist")


def test_report_add_accepts_the_plan_year_up_to_today(sample_main: Dondoc) -> None:
    args = ["report", "add", "--task", "I.1", "--unit", "NV", "--status", "done"]
    now = {"DONDOC_NOW": "2022-03-15T09:00"}
    assert sample_main(*args, "--at", "01/01/2022", env=now).code == 0
    assert sample_main(*args, "--at", "15/03/2022", env=now).code == 0
    # late work in the next year is still reported
    assert sample_main(*args, "--at", "10/01/2023", env={"DONDOC_NOW": "2023-02-01T09:00"}).code == 0


# ---------------------------------------------------------------- dondoc run against a wrong API


@contextmanager
def serving_html(status: int, body: bytes) -> Iterator[str]:
    """A web server answering every request with ``status`` and the HTML page ``body``: its address
    as a Bot API base URL."""

    class Page(BaseHTTPRequestHandler):
        def _page(self) -> None:
            if self.command == "POST":
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _page

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def html_server() -> Iterator[str]:
    """A web server that answers every request with an HTML page, as a captive portal would."""
    with serving_html(200, b"<html><body>Welcome to the hotel network</body></html>") as url:
        yield url


def test_run_when_the_bot_api_is_unreachable(dondoc_main: Dondoc) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}/bot"
        result = dondoc_main("--lang", "en", "run", env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base})
    line = one_line(result, 2, "Cannot reach the Telegram Bot API", base, "TELEGRAM_API_BASE_URL")
    assert TOKEN not in result.stderr + result.stdout and "secret-token" not in line


def test_run_when_the_bot_api_answers_html(dondoc_main: Dondoc, html_server: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": html_server}
    result = dondoc_main("--lang", "en", "run", env=env)
    line = one_line(result, 2, "Cannot reach the Telegram Bot API", html_server, "not the Telegram Bot API")
    assert TOKEN not in result.stderr + result.stdout and "hotel" not in line


# ---------------------------------------------------------------- the last-resort guard


def test_an_unexpected_error_is_one_line_unless_debugging(sample_main: Dondoc, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr("dondoc.plan.progress.plan_status", broken)
    line = one_line(sample_main("--lang", "en", "status"), 1, "the disk caught fire", "DONDOC_DEBUG=1")
    assert "RuntimeError" in line
    with pytest.raises(RuntimeError, match="caught fire"):
        sample_main("status", env={"DONDOC_DEBUG": "1"})


# ---------------------------------------------------------------- .env


def test_the_language_of_dot_env_is_used(sample_main: Dondoc) -> None:
    Path(".env").write_text("# settings of this office\nDONDOC_LANG=en\n", encoding="utf-8")
    result = sample_main("status", "--at", "2022-04-01")
    assert result.code == 0, result.stderr
    assert "Status at 1 Apr 2022" in result.stdout
    assert "On-time rate" in result.stdout
    # the environment and --lang still win over the file
    assert "Tình hình đến ngày" in sample_main("status", "--at", "2022-04-01", env={"DONDOC_LANG": "vi"}).stdout
    assert "Tình hình đến ngày" in sample_main("--lang", "vi", "status", "--at", "2022-04-01").stdout


def test_dot_env_is_read_once_and_not_written_into_the_environment(sample_main: Dondoc) -> None:
    Path(".env").write_text("DONDOC_LANG=en\nDONDOC_NOW=2022-04-01T09:00\n", encoding="utf-8")
    assert "Status at 1 Apr 2022" in sample_main("status").stdout  # DONDOC_NOW of the file sets today
    assert "DONDOC_LANG" not in os.environ and "DONDOC_NOW" not in os.environ
    # the options after the command win over the file too
    assert "Tình hình đến ngày 02/04/2022" in sample_main("status", "--lang", "vi", "--at", "2022-04-02").stdout


def sandbox(store: Dondoc, monkeypatch: pytest.MonkeyPatch, typed: str, *args: str) -> Result:
    """``dondoc sandbox`` with ``typed`` on standard input, then the end of input."""
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(typed))
        return store(*args, "sandbox")


def test_the_sandbox_speaks_the_language_of_dot_env(sample_main: Dondoc, monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("DONDOC_LANG=en\n", encoding="utf-8")
    result = sandbox(sample_main, monkeypatch, "/tasks\n")  # the end of input ends the sandbox
    assert result.code == 0, result.stderr
    assert "dondoc sandbox — the bot as it runs on Telegram" in result.stdout
    assert "Your tasks" in result.stdout and "I.1 (lead)" in result.stdout  # the bot too answers in English


def test_the_sandbox_clock_stays_in_the_years_dondoc_handles(
    sample_main: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = sandbox(sample_main, monkeypatch, "/clock 01/01/9999 08:00\n/tasks\n", "--lang", "en")
    assert result.code == 0, result.stderr
    assert "The clock goes from 2000 to 2100." in result.stdout
    assert "Your tasks" in result.stdout and "Traceback" not in result.stderr


def test_the_long_running_commands_take_one_malloc_arena(sample_main: Dondoc, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = sys.modules["dondoc.cli.main"]  # (the package's ``main`` is the function)
    capped: list[str] = []

    def fewer_arenas() -> bool:
        capped.append("capped")
        return True

    monkeypatch.setattr(entry, "fewer_arenas", fewer_arenas)
    assert sample_main("status", "--at", "2022-04-01").code == 0
    assert capped == []  # a command that prints and ends keeps the default
    assert sandbox(sample_main, monkeypatch, "/tasks\n", "--lang", "en").code == 0
    assert capped == ["capped"]


def test_the_sandbox_keeps_out_of_the_bots_database_unless_given_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DONDOC_DATABASE_URL (or .env) names the bot's database: the sandbox, which plays people and
    saves what is typed, works in a file of its own there; ``--db`` chooses, and is told."""
    monkeypatch.chdir(tmp_path)
    bots = tmp_path / "bot.db"
    runner = CliRunner()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO("/tasks\n"))
        result = runner.invoke(app, ["sandbox"], env={"DONDOC_DATABASE_URL": f"sqlite:///{bots}"})
    set_language(None)
    assert result.exit_code == 0, result.stderr
    assert "Nhiệm vụ của đồng chí" in result.stdout or "I.1" in result.stdout
    assert not bots.exists()  # the bot's database untouched
    assert (tmp_path / "dondoc-sandbox.db").is_file()
    chosen = tmp_path / "thu.db"
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO("/tasks\n"))
        result = runner.invoke(app, ["--db", f"sqlite:///{chosen}", "sandbox"])
    set_language(None)
    assert result.exit_code == 0, result.stderr
    assert chosen.is_file() and f"Sandbox dùng cơ sở dữ liệu sqlite:///{chosen}" in result.stdout
