"""What a province's IT officer sees of ``dondoc serve`` and ``dondoc run`` (the operator audit of a
deployment on several processes): ``/healthz`` tells a reminder job that has not run successfully for
long (a monitor reads its status code), each process says at start what it serves, and with
``--log-format json`` a configuration it cannot start with is a JSON log record like every other line.
SQLite only; the tests move the clock, they never sleep."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.app import App, assemble
from dondoc.bot.logs import reset_logging
from dondoc.bot.web import WebApp
from dondoc.cli.bot import log_serving
from dondoc.db.session import make_engine, open_store
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.sweeper import SweepResult
from tests.bot.test_operations import NOT_RUN_YET
from tests.bot.test_serve import NOW
from tests.conftest import Dondoc

TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
ZALO_TOKEN = "987654321:zalo-operator-secret-token"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Engine]:
    engine = open_store(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _logs_reset() -> Iterator[None]:
    yield
    reset_logging()


@asynccontextmanager
async def _healthz(store: Engine, clock: Clock) -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    app = assemble(store, clock, WorkCalendar(), bot_username="dondoc_test_bot")
    # the reminder job reported, not started: the test runs it, at the moments it chooses
    web = WebApp(store, clock, metrics=app.metrics, sweeper=app.reminders)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(web.running())
        transport = httpx.ASGITransport(app=web.asgi)
        http = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://dondoc.test"))
        yield app, http


async def _failing_sweep() -> SweepResult:
    raise RuntimeError("the outbox query failed")


# ------------------------------------------------------------------ 1. /healthz and the job's successes


async def test_healthz_answers_503_once_the_reminder_job_has_failed_for_five_minutes(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(NOW, frozen=True)
    async with _healthz(store, clock) as (app, http):
        service = app.reminders
        await service.run()  # 09:00:00, ok
        first = await http.get("/healthz")

        monkeypatch.setattr(service.sweeper, "sweep", _failing_sweep)
        for _ in range(16):  # every run fails for 4 minutes: a slow spell, not yet an alert
            clock.advance(timedelta(seconds=15))
            with pytest.raises(RuntimeError):
                await service.run()
        slow = await http.get("/healthz")
        for _ in range(5):  # 09:05:15: more than 5 minutes without a success
            clock.advance(timedelta(seconds=15))
            with pytest.raises(RuntimeError):
                await service.run()
        failing = await http.get("/healthz")

        monkeypatch.undo()
        clock.advance(timedelta(seconds=15))
        await service.run()
        recovered = await http.get("/healthz")

    assert first.status_code == 200
    assert first.json()["sweeper"]["last_success"] == NOW.isoformat()
    assert slow.status_code == 200
    assert slow.json()["sweeper"]["outcome"] == "error"
    assert slow.json()["sweeper"]["last_success"] == NOW.isoformat()
    assert failing.status_code == 503
    body = failing.json()
    assert body["ok"] is False and body["database"] == "ok"
    sweeper = body["sweeper"]
    assert sweeper["last_pass"] == (NOW + timedelta(minutes=5, seconds=15)).isoformat()  # the last attempt
    assert sweeper["outcome"] == "error" and sweeper["overdue"] is False and sweeper["stalled"] is True
    assert sweeper["last_success"] == NOW.isoformat()
    assert body["reason"] == (
        f"the reminder job has not run successfully for 315 s (last success {NOW.isoformat()}); "
        f"last run {(NOW + timedelta(minutes=5, seconds=15)).isoformat()}: error"
    )
    assert recovered.status_code == 200
    assert recovered.json()["sweeper"]["stalled"] is False
    assert "reason" not in recovered.json()


async def test_healthz_gives_a_starting_job_five_minutes_then_answers_503_if_it_never_ran(store: Engine) -> None:
    clock = Clock(NOW, frozen=True)
    async with _healthz(store, clock) as (_app, http):
        starting = await http.get("/healthz")
        clock.advance(timedelta(minutes=4, seconds=59))  # its first run still going (a long national pass)
        slow = await http.get("/healthz")
        clock.advance(timedelta(minutes=1))
        stuck = await http.get("/healthz")

    assert starting.status_code == 200
    assert starting.json()["sweeper"] == NOT_RUN_YET
    assert slow.status_code == 200
    assert stuck.status_code == 503
    assert stuck.json()["reason"] == (
        "the reminder job has not run successfully in the 359 s since it started; it has not run at all"
    )


# ------------------------------------------------------------------ 2. what a process serves, said at start


async def _telegram_answers(config: object) -> tuple[None, str]:
    return None, "dondoc_longmy_bot"


async def _zalo_answers(config: object) -> tuple[None, dict[str, Any]]:
    return None, {"display_name": "Đôn đốc Long Mỹ"}


def _serving_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "serving the database" in line]


def test_dondoc_serve_says_at_start_what_it_serves(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dondoc.cli.serve.check_bot_api", _telegram_answers)
    monkeypatch.setattr("dondoc.cli.serve.check_zalo_api", _zalo_answers)
    monkeypatch.setattr("dondoc.cli.serve.run_server", lambda web, host, port: None)
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_BOT_NAME": ""}
    result = Dondoc(sqlite_url)("serve", env=env)

    assert result.code == 0, result.stderr
    [line] = _serving_lines(result.stderr)
    assert " INFO dondoc.cli.bot: " in line
    assert line.endswith(
        f"serving the database {sqlite_url}; channels: Telegram @dondoc_longmy_bot (webhook), "
        "Zalo zalo «Đôn đốc Long Mỹ» (webhook); the reminder job runs in this process"
    )
    for secret in (TELEGRAM_TOKEN, ZALO_TOKEN, "zalo-operator-secret"):
        assert secret not in result.stderr


def test_dondoc_run_says_at_start_what_it_polls(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def polled(*args: object) -> None:
        return None

    monkeypatch.setattr("dondoc.cli.bot.check_bot_api", _telegram_answers)
    monkeypatch.setattr("dondoc.cli.bot.check_zalo_api", _zalo_answers)
    monkeypatch.setattr("dondoc.cli.bot.poll_all", polled)
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_BOT_NAME": "Bot Long Mỹ"}
    result = Dondoc(sqlite_url)("run", "--log-format", "json", env=env)

    assert result.code == 0, result.stderr
    [line] = _serving_lines(result.stderr)
    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["message"] == (
        f"serving the database {sqlite_url}; channels: Telegram @dondoc_longmy_bot (polling), "
        "Zalo zalo «Bot Long Mỹ» (polling); the reminder job runs in this process"
    )


def test_the_start_line_names_a_postgresql_database_without_its_password(caplog: pytest.LogCaptureFixture) -> None:
    engine = make_engine("postgresql://dondoc:m4t-khau-rat-dai@db.longmy.gov.vn:5432/dondoc")  # never connected
    bot_app = cast(App, type("AppDouble", (), {"engine": engine})())
    try:
        with caplog.at_level(logging.INFO, "dondoc.cli.bot"):
            log_serving(bot_app, [], reminders=False)
    finally:
        engine.dispose()
    [line] = [r.getMessage() for r in caplog.records]
    assert line == (
        "serving the database postgresql://dondoc:***@db.longmy.gov.vn:5432/dondoc; channels: none; "
        "the reminder job does not run in this process"
    )


# ------------------------------------------------------------------ 3. a start-up error in JSON logs


@pytest.mark.parametrize("command", ["serve", "run"])
def test_with_json_logs_a_start_up_error_is_one_json_error_record(sqlite_url: str, command: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}
    result = Dondoc(sqlite_url)("--lang", "en", command, "--log-format", "json", env=env)

    assert result.code == 2
    records = [json.loads(line) for line in result.stderr.strip().splitlines()]  # every line is JSON
    assert records[-1]["level"] == "ERROR"
    assert records[-1]["message"].startswith("Neither ")
    assert "TELEGRAM_BOT_TOKEN" in records[-1]["message"] and "ZALO_BOT_TOKEN" in records[-1]["message"]


def test_with_json_logs_a_database_that_cannot_be_opened_is_a_json_error_record(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'dondoc.db'}"
    result = Dondoc(url)("--lang", "en", "serve", env={"TELEGRAM_BOT_TOKEN": "", "DONDOC_LOG_FORMAT": "json"})

    assert result.code == 2
    [record] = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert record["level"] == "ERROR" and record["logger"] == "dondoc.cli"
    assert "no-such-folder" in record["message"]
