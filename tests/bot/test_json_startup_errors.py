"""Under ``--log-format json`` (or ``DONDOC_LOG_FORMAT=json``) every line dondoc writes on standard
error is one JSON object, the fields of the logs' own records (time, level, logger, message), even
the lines written before the logs are set up: a wrong option or setting, Click's usage errors, the
last-resort "Unexpected error". Without JSON they stay the plain lines they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import click
import pytest
from click.testing import CliRunner

from dondoc.bot import logs
from dondoc.cli import main
from dondoc.i18n import set_language

TELEGRAM_TOKEN = "7012345678:AAHk2-Rk9Zq1mB5xYtLw3cVnP0sDfGhJkLz"
CODE = "K7QM-3FXP"
REPOSITORY = Path(__file__).resolve().parents[2]


class _Console:
    """The console script ``dondoc`` (``main()``), as :class:`CliRunner` invokes a command."""

    name = "dondoc"

    def main(self, args: Sequence[str], prog_name: str, **extra: Any) -> None:
        main(list(args))


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DONDOC_LOG_FORMAT", "DONDOC_LANG", "DONDOC_DEBUG", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)  # no .env of the repository


def dondoc(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and standard error of ``dondoc --db … ARGS`` run as the console script."""
    url = f"sqlite:///{tmp_path / 'dondoc.db'}"
    result = CliRunner().invoke(cast(click.Command, _Console()), ["--db", url, *args], env=env)
    set_language(None)
    logs.reset_logging()
    return result.exit_code, result.stderr


def records(stderr: str) -> list[dict[str, Any]]:
    """Every line of ``stderr`` read as JSON (fails on a line that is not)."""
    lines = stderr.strip().splitlines()
    assert lines, "nothing on standard error"
    found = [json.loads(line) for line in lines]
    for record in found:
        assert set(record) == {"time", "level", "logger", "message"}, record
        assert record["level"] == "ERROR" and record["logger"] == "dondoc.cli"
    return found


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--log-format", "json", "run", "--bogus"], {}),
        (["run", "--log-format=json", "--bogus"], {}),
        (["run", "--bogus"], {"DONDOC_LOG_FORMAT": "json"}),
        (["--log-format", "JSON", "serve", "--bogus"], {}),
    ],
)
def test_an_unknown_option_is_one_json_line(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    code, stderr = dondoc(tmp_path, "--lang", "en", *args, env=env)
    assert code == 2
    [record] = records(stderr)
    assert record["message"].startswith("No such option: --bogus")
    assert "--help' for help." in record["message"]


def test_a_missing_argument_is_one_json_line_in_the_language_of_the_run(tmp_path: Path) -> None:
    code, stderr = dondoc(tmp_path, "--log-format", "json", "units", "import")
    assert code == 2
    [record] = records(stderr)
    assert record["message"] == "Thiếu đối số 'TỆP'. Gõ 'dondoc units import --help' để xem hướng dẫn."


def test_what_was_typed_is_escaped_and_its_secrets_taken_out(tmp_path: Path) -> None:
    code, stderr = dondoc(
        tmp_path,
        "--lang",
        "en",
        "--log-format",
        "json",
        "run",
        TELEGRAM_TOKEN,
        CODE,
        '"}\n{"level": "INFO',
        env={"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN},
    )
    assert code == 2
    [record] = records(stderr)  # the quote and the line break typed stay inside the one record
    assert record["message"].startswith("Got unexpected extra argument(s) (<TELEGRAM_BOT_TOKEN> <code> ")
    assert '"}' in record["message"] and '"level": "INFO)' in record["message"]
    assert TELEGRAM_TOKEN not in stderr and CODE not in stderr


def test_a_wrong_log_format_is_json_when_the_environment_asks_for_json_and_plain_otherwise(tmp_path: Path) -> None:
    code, stderr = dondoc(tmp_path, "--lang", "en", "--log-format", "xml", "run", env={"DONDOC_LOG_FORMAT": "json"})
    assert code == 2
    [record] = records(stderr)
    assert record["message"] == "--log-format / DONDOC_LOG_FORMAT: xml is not a log format (use text or json)"
    # without JSON asked for, the lines stay plain
    code, stderr = dondoc(tmp_path, "--lang", "en", "run", "--bogus")
    assert code == 2
    assert "Usage: dondoc run [OPTIONS]" in stderr and "Error: No such option: --bogus" in stderr
    code, stderr = dondoc(tmp_path, "--lang", "en", "--log-format", "xml", "run")
    assert stderr.strip() == "--log-format / DONDOC_LOG_FORMAT: xml is not a log format (use text or json)"
    code, stderr = dondoc(tmp_path, "--lang", "en", "--log-format", "text", "run", env={"DONDOC_LOG_FORMAT": "json"})
    assert code == 2 and not stderr.startswith("{")  # the option wins over the environment
    Path(".env").write_bytes(b"DONDOC_NOW=\xff\xfe\n")
    code, stderr = dondoc(tmp_path, "run")
    assert code == 1 and stderr.startswith("Lỗi ngoài dự kiến: UnicodeDecodeError: ")


def test_a_wrong_setting_read_before_the_logs_is_one_json_line(tmp_path: Path) -> None:
    code, stderr = dondoc(tmp_path, "run", env={"DONDOC_LANG": "xx", "DONDOC_LOG_FORMAT": "json"})
    assert code == 2
    [record] = records(stderr)
    assert record["message"] == "DONDOC_LANG: xx không phải là ngôn ngữ được hỗ trợ (dùng một trong: vi, en)"
    code, stderr = dondoc(tmp_path, "--log-format", "json", "--lang", "xx", "run")
    assert code == 2
    assert records(stderr)[0]["message"].startswith("--lang: xx")


def test_the_last_resort_is_one_json_line(tmp_path: Path) -> None:
    Path(".env").write_bytes(b"DONDOC_NOW=\xff\xfe\n")  # a .env that cannot be read
    code, stderr = dondoc(tmp_path, "--log-format", "json", "run")
    assert code == 1
    [record] = records(stderr)
    assert record["message"].startswith("Lỗi ngoài dự kiến: UnicodeDecodeError: ")
    assert record["message"].endswith("Chạy lại với DONDOC_DEBUG=1 để xem chi tiết.")


@pytest.mark.slow
def test_the_console_script_writes_only_json_lines(tmp_path: Path) -> None:
    """The real process: ``python -m dondoc --log-format json run --bogus``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DONDOC_", "TELEGRAM_", "ZALO_"))}
    env["PYTHONPATH"] = str(REPOSITORY)
    done = subprocess.run(
        [sys.executable, "-m", "dondoc", "--lang", "en", "--log-format", "json", "run", "--bogus"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    [record] = records(done.stderr)
    assert record["message"].startswith("No such option: --bogus")
