"""The logs of ``dondoc run`` / ``dondoc serve``: ``--log-format json`` (or ``DONDOC_LOG_FORMAT``) writes one
JSON object a line; no bot token (Telegram, Zalo, the registry's ``token_env`` ones), webhook secret or
invite code reaches them, whichever library logged it, in the message or in a traceback."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

from dondoc.bot import logs
from dondoc.bot.config import Settings
from dondoc.bot.logs import Redact, configure_logging, configured_secrets
from dondoc.db.session import StoreError
from tests.conftest import SAMPLE, Dondoc

TELEGRAM_TOKEN = "7012345678:AAHk2-Rk9Zq1mB5xYtLw3cVnP0sDfGhJkLz"
ZALO_TOKEN = "3451278:zalo-secret-token-value-0001"
LN1_TOKEN = "ln1-registry-secret-value-9f8e7d"  # the token of a bot the registry names, under any variable name
CODE = "K7QM-3FXP"


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "DONDOC_LOG_FORMAT", "LN1_CREDENTIAL"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)  # no .env of the repository
    yield
    logs.reset_logging()


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _fail_with_a_token() -> NoReturn:
    raise RuntimeError(f"POST https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage failed")


def test_json_lines_carry_time_level_logger_message_and_the_traceback_without_secrets() -> None:
    stream = io.StringIO()
    configure_logging("json", {TELEGRAM_TOKEN: "<TELEGRAM_BOT_TOKEN>", ZALO_TOKEN: "<ZALO_BOT_TOKEN>"}, stream=stream)
    logging.getLogger("telegram.ext.Updater").info("polling https://api.telegram.org/bot%s/getUpdates", TELEGRAM_TOKEN)
    logging.getLogger("dondoc.bot.zalo").warning("webhook https://bot-api.zapps.me/bot%s/setWebhook: 500", ZALO_TOKEN)
    logging.getLogger("dondoc.handlers").info("chat 42 sent /start %s", CODE)
    try:
        _fail_with_a_token()
    except RuntimeError:
        logging.getLogger("dondoc.bot.telegram").exception("error while handling an update")

    lines = _lines(stream)
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("INFO", "telegram.ext.Updater"),
        ("WARNING", "dondoc.bot.zalo"),
        ("INFO", "dondoc.handlers"),
        ("ERROR", "dondoc.bot.telegram"),
    ]
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)
    assert lines[0]["time"].endswith("+00:00")
    assert lines[0]["message"] == "polling https://api.telegram.org/bot<TELEGRAM_BOT_TOKEN>/getUpdates"
    assert "<ZALO_BOT_TOKEN>/setWebhook" in lines[1]["message"]
    assert lines[2]["message"] == "chat 42 sent /start <code>"
    assert "Traceback" in lines[3]["exception"] and "RuntimeError" in lines[3]["exception"]
    assert "_fail_with_a_token" in lines[3]["exception"]
    text = stream.getvalue()
    for secret in (TELEGRAM_TOKEN, ZALO_TOKEN, CODE, "AAHk2-Rk9Zq1mB5xYtLw3cVnP0sDfGhJkLz"):
        assert secret not in text


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("invite K7QM-3FXP for XP", "invite <code> for XP"),
        ("invite k7qm-3fxp typed in lower case", "invite <code> typed in lower case"),
        ("/start K7QM3FXP", "/start <code>"),
        ("/link k7qm3fxp", "/link <code>"),
        ("https://t.me/dondoc_bot?start=K7QM-3FXP", "https://t.me/dondoc_bot?start=<code>"),
        ("code K7QM3FXP alone", "code <code> alone"),
        ("an unknown token 123456789:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789", "an unknown token <token>"),
        # what is not a code stays
        ("plan 2022-2023, task III.4, due 30/06/2022", "plan 2022-2023, task III.4, due 30/06/2022"),
        ("sweep: 12 reminders in 3 messages, 0 held", "sweep: 12 reminders in 3 messages, 0 held"),
        ("channel zalo:ln1: quota hold of 2022-03 released", "channel zalo:ln1: quota hold of 2022-03 released"),
        ("reminder R12:s pressed; KEHOACH stays", "reminder R12:s pressed; KEHOACH stays"),
    ],
)
def test_codes_and_tokens_are_taken_out_and_ordinary_words_stay(message: str, shown: str) -> None:
    assert Redact().redact(message) == shown


def test_text_logs_are_redacted_too() -> None:
    stream = io.StringIO()
    configure_logging("text", {TELEGRAM_TOKEN: "<TELEGRAM_BOT_TOKEN>"}, stream=stream)
    logging.getLogger("httpx").warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TELEGRAM_TOKEN)
    line = stream.getvalue().strip()
    assert " WARNING httpx: HTTP Request: POST https://api.telegram.org/bot<TELEGRAM_BOT_TOKEN>/getMe" in line
    assert TELEGRAM_TOKEN not in line


def test_the_secrets_come_from_the_environment_dot_env_and_the_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    Path(".env").write_text(f"ZALO_BOT_TOKEN={ZALO_TOKEN}\nLN1_CREDENTIAL={LN1_TOKEN}\n", encoding="utf-8")
    settings = Settings(database_url="postgresql://dondoc:pg-password-42@db/dondoc")
    found = configured_secrets(settings, ["LN1_CREDENTIAL"])
    assert found == {
        TELEGRAM_TOKEN: "<TELEGRAM_BOT_TOKEN>",
        ZALO_TOKEN: "<ZALO_BOT_TOKEN>",
        LN1_TOKEN: "<LN1_CREDENTIAL>",
        "pg-password-42": "<password>",
    }


def _registry_with_a_zalo_bot(folder: Path) -> Path:
    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    registry["channels"] = {
        "zalo": {
            "bots": [
                {"name": "ln1", "display_name": "Bot CCHC Long Mỹ 1", "token_env": "LN1_CREDENTIAL", "units": ["NV"]}
            ]
        }
    }
    path = folder / "units-zalo.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["option before", "option after", "environment"])
def test_dondoc_run_logs_json_without_any_token_or_code(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """``dondoc run`` up to the moment it opens the bot: what is logged then is one JSON object a line,
    with the tokens of the environment, of .env and of the registry's Zalo bots taken out."""
    dondoc = Dondoc(sqlite_url)
    dondoc.ok("units", "import", _registry_with_a_zalo_bot(tmp_path))
    Path(".env").write_text(f"LN1_CREDENTIAL={LN1_TOKEN}\nZALO_BOT_TOKEN={ZALO_TOKEN}\n", encoding="utf-8")

    async def bot_api_answers(config: object) -> None:
        return None

    def open_app(*args: object, **kwargs: object) -> NoReturn:
        log = logging.getLogger("dondoc.bot.app")
        log.info("zalo:ln1 calls https://bot-api.zapps.me/bot%s/getMe", LN1_TOKEN)
        log.info("ZALO_BOT_TOKEN is %s; invite %s", ZALO_TOKEN, CODE)
        try:
            _fail_with_a_token()
        except RuntimeError:
            log.exception("could not start")
        raise StoreError("cannot open the database: test")

    monkeypatch.setattr("dondoc.cli.bot.check_bot_api", bot_api_answers)
    monkeypatch.setattr("dondoc.cli.bot.open_app", open_app)
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN}
    args: list[str] = {
        "option before": ["--log-format", "json", "run"],
        "option after": ["run", "--log-format", "json"],
        "environment": ["run"],
    }[where]
    if where == "environment":
        env["DONDOC_LOG_FORMAT"] = "json"
    result = dondoc("--lang", "en", *args, env=env)

    assert result.code == 2
    *lines, last = [json.loads(line) for line in result.stderr.strip().splitlines()]
    # the command's own words end it as a JSON record too (every line is JSON)
    assert (last["level"], last["message"]) == ("ERROR", "Cannot open the database: test")
    assert [line["message"] for line in lines] == [
        "zalo:ln1 calls https://bot-api.zapps.me/bot<LN1_CREDENTIAL>/getMe",
        "ZALO_BOT_TOKEN is <ZALO_BOT_TOKEN>; invite <code>",
        "could not start",
    ]
    assert "bot<TELEGRAM_BOT_TOKEN>/sendMessage" in lines[2]["exception"]
    for secret in (TELEGRAM_TOKEN, ZALO_TOKEN, LN1_TOKEN, CODE):
        assert secret not in result.stderr + result.stdout
    assert logs._installed == []  # the command's logging ends with it


def test_an_unknown_log_format_is_named(sqlite_url: str) -> None:
    result = Dondoc(sqlite_url)(
        "--lang", "en", "--log-format", "xml", "run", env={"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN}
    )
    assert result.code == 2
    assert result.stderr.strip() == "--log-format / DONDOC_LOG_FORMAT: xml is not a log format (use text or json)"
    result = Dondoc(sqlite_url)("--lang", "en", "run", env={"DONDOC_LOG_FORMAT": "yaml"})
    assert result.code == 2 and "yaml is not a log format" in result.stderr


def test_commands_that_print_do_not_log(sample_store: Dondoc) -> None:
    """``--log-format`` concerns run and serve: other commands keep their plain output, no log lines."""
    result = sample_store.ok("--log-format", "json", "units", "list")
    assert not any(line.startswith("{") for line in result.stderr.splitlines())
    assert logs._installed == []
