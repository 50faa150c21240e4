"""What a province's IT officer sees running ``dondoc serve`` on PostgreSQL (the operations audit of
/tmp/audit_ops): a database away for a while is one warning line per message in the logs, not a
traceback counted and reported as a bug, and the reminder job's line holds no SQL statement; the
job's runs every 15 s do not fill the logs; a server that never answers is given up on in seconds;
a database that cannot be opened is explained in Vietnamese; ``db current`` names the URL as written."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
from sqlalchemy.engine import Engine, make_url

from dondoc.bot.logs import configure_logging, reset_logging
from dondoc.bot.web import derived_secret
from tests.bot.test_serve import ZALO_TOKEN, ZaloDouble, serving, web_app, zalo_message
from tests.conftest import POSTGRES_URL, Dondoc
from tests.outage import Outage
from tests.scheduler.test_db_outage import _service


@pytest.fixture
def outage(engine: Engine) -> Iterator[Outage]:
    outage = Outage(engine)
    yield outage
    outage.close()


async def test_a_webhook_call_while_the_database_is_away_is_one_warning_line_not_an_error(
    engine: Engine, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    bot = ZaloDouble()
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[bot]))
        with outage.window(), caplog.at_level(logging.INFO):
            response = await served.zalo(zalo_message("/tasks"), derived_secret(ZALO_TOKEN, bot.key))
        metrics = (await served.http.get("/metrics")).text
        back = await served.zalo(zalo_message("/tasks"), derived_secret(ZALO_TOKEN, bot.key))

    # Whether Zalo delivers it again is not documented: the person is told the system is busy.
    assert response.status_code == 200 and len(bot.told_busy) == 1
    web = [r for r in caplog.records if r.name == "dondoc.bot.web"]
    assert [r.levelname for r in web] == ["WARNING"], [r.getMessage() for r in web]
    assert web[0].exc_info is None
    line = web[0].getMessage()
    assert "the database is unavailable" in line and "\n" not in line
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.name == "dondoc.bot.error_reports"]  # nothing to report
    assert 'dondoc_errors_total{kind="OperationalError"}' not in metrics
    # Sent again once it is back: handled, once (while away, nothing was).
    assert back.status_code == 200 and len(bot.handled) == 1 and len(bot.told_busy) == 1


def test_the_reminder_jobs_runs_every_15_s_are_not_logged() -> None:
    stream = io.StringIO()
    configure_logging("text", stream=stream)
    try:
        runs = logging.getLogger("apscheduler.executors.default")
        runs.info('Running job "ReminderService.run (trigger: interval[0:00:15], next run at: …)"')
        runs.info('Job "ReminderService.run (trigger: interval[0:00:15], next run at: …)" executed successfully')
        runs.warning('Run time of job "ReminderService.run" was missed by 0:00:20')
        logging.getLogger("dondoc.scheduler.service").info("sweep: 12 reminders in 9 messages")
    finally:
        reset_logging()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "was missed" in lines[0] and "sweep: 12 reminders" in lines[1]


async def test_the_reminder_job_says_the_database_is_away_in_one_line_without_the_statement(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _clock, _chats, _recorder, service = _service(engine, 2)
    outage = Outage(engine)
    try:
        with caplog.at_level(logging.WARNING, "dondoc.scheduler.service"), outage.window():
            await service.run()
    finally:
        outage.close()
    [line] = [r.getMessage() for r in caplog.records if "database is unavailable" in r.getMessage()]
    assert "\n" not in line and "[SQL" not in line and "[parameters" not in line, line
    assert "server closed the connection unexpectedly" in line  # what the driver said stays


@pytest.mark.slow
def test_a_database_server_that_accepts_but_never_answers_is_given_up_on_in_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PostgreSQL host frozen or cut off behind a firewall: ``dondoc db upgrade`` (the service's
    ExecStartPre), every webhook and /healthz waited psycopg's 130 s for each connection."""
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])  # and never a byte back
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    started = time.monotonic()
    try:
        result = Dondoc(f"postgresql://dondoc:secret@127.0.0.1:{port}/dondoc")("db", "current")
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
    assert time.monotonic() - started < 30
    assert result.code == 2
    assert result.stderr.startswith("Không mở được cơ sở dữ liệu postgresql://dondoc:***@127.0.0.1:")
    assert "timeout" in result.stderr and "secret" not in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "explanation"),
    [
        ("127.0.0.1:{port}", "không có gì trả lời ở 127.0.0.1, cổng {port}: PostgreSQL không chạy ở đó, hoặc sai cổng"),
        ("may-chu-khong-co.invalid:5432", "không tìm thấy máy chủ may-chu-khong-co.invalid (hãy kiểm tra lại tên)"),
    ],
)
def test_a_database_that_cannot_be_reached_is_explained_in_vietnamese(address: str, explanation: str) -> None:
    port = _free_port()
    url = f"postgresql://dondoc:secret@{address.format(port=port)}/dondoc"
    result = Dondoc(url)("db", "upgrade")
    assert result.code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"Không mở được cơ sở dữ liệu {url.replace(':secret@', ':***@')}: {explanation.format(port=port)}"
    )
    assert " — chi tiết: " in line  # the driver's own words follow, for a search


def test_a_missing_database_is_named_in_vietnamese() -> None:
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL configured (DONDOC_TEST_POSTGRES_URL)")
    url = make_url(POSTGRES_URL).set(database="khong_co_csdl_nay")
    result = Dondoc(url.render_as_string(hide_password=False))("db", "current")
    assert result.code == 2
    assert "máy chủ không có cơ sở dữ liệu khong_co_csdl_nay (hãy tạo nó, hoặc sửa tên trong địa chỉ)" in result.stderr


def test_db_current_names_the_database_as_the_operator_wrote_it() -> None:
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL configured (DONDOC_TEST_POSTGRES_URL)")
    url = make_url(POSTGRES_URL)
    result = Dondoc(url.render_as_string(hide_password=False))("db", "current")
    assert result.code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == "Cơ sở dữ liệu: " + url.set(drivername="postgresql").render_as_string(hide_password=True)
