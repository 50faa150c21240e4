"""Operating ``dondoc serve`` (issue 12): ``/metrics`` in the Prometheus format, ``/healthz`` with the
reminder job's last run, and every unhandled error reported to the administrators in chat, once per
kind per hour (also across processes), with its context and never what the person wrote.

Driven through the ASGI app (httpx's transport); people type through the application's own dispatcher
on a recording channel (``test``); the reminder job is run by the test, with a frozen clock."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import AsyncExitStack
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.app import App, assemble
from dondoc.bot.error_reports import kind_of
from dondoc.bot.web import WebApp
from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.handlers.helpers import Chat, Outbox, invite_code

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)

# /healthz's sweeper before the reminder job's first run.
NOT_RUN_YET = {
    "last_pass": None,
    "outcome": None,
    "seconds": None,
    "overdue": False,
    "last_success": None,
    "stalled": False,
}


def application(engine: Engine, clock: Clock, outbox: Outbox) -> App:
    app = assemble(engine, clock, WorkCalendar(), bot_username="dondoc_test_bot")
    app.attach("test", outbox.send)
    return app


def web(app: App) -> WebApp:
    """The serve app as ``serve_app`` makes it, with the reminder job run by the test."""
    background = [app.error_reports] if app.error_reports is not None else []
    return WebApp(app.engine, app.clock, background=background, metrics=app.metrics, sweeper=app.reminders)


async def serving(stack: AsyncExitStack, web_app: WebApp) -> httpx.AsyncClient:
    await stack.enter_async_context(web_app.running())
    transport = httpx.ASGITransport(app=web_app.asgi)
    return await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://dondoc.test"))


def metric(page: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text page (0 when it is not there)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in page.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name and ",".join(sorted((match[2] or "").split(","))) == wanted:
            return float(match[3])
    return 0.0


# ------------------------------------------------------------------ /metrics and /healthz


async def test_metrics_count_updates_replies_reminders_and_sweeps(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    outbox = Outbox()
    app = application(engine, clock, outbox)
    async with AsyncExitStack() as stack:
        http = await serving(stack, web(app))
        focal = Chat(app.dispatcher, "500")
        focal.send(f"/start {invite_code(engine, 'NV', now=clock.now())}")
        focal.send("xin chào")
        before = (await http.get("/healthz")).json()
        app.reminders.schedule()
        clock.set(MONDAY)
        await app.reminders.run()
        response = await http.get("/metrics")
        health = (await http.get("/healthz")).json()

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    page = response.text
    assert metric(page, "dondoc_updates_handled_total", channel="test", kind="command") == 1
    assert metric(page, "dondoc_updates_handled_total", channel="test", kind="text") == 1
    assert metric(page, "dondoc_replies_total", channel="test") >= 2
    sent = metric(page, "dondoc_reminders_total", channel="test", outcome="sent")
    assert sent >= 1 and len(outbox.texts("500")) == 1  # one message carrying every reminder of NV's focal point
    assert metric(page, "dondoc_reminders_total", channel="none", outcome="held") > 0  # units with nobody bound
    assert metric(page, "dondoc_sweep_seconds_count") == 1
    assert metric(page, "dondoc_sweeps_total", outcome="ok") == 1
    assert before["sweeper"] == NOT_RUN_YET
    assert health["database"] == "ok"
    assert health["sweeper"]["last_pass"] == MONDAY.isoformat()
    assert health["sweeper"]["outcome"] == "ok"
    assert health["sweeper"]["overdue"] is False


async def test_metrics_are_there_at_0_before_the_first_event(engine: Engine) -> None:
    # An alert on a counter must see 0 from the first scrape, not "no data" until something happens.
    app = application(engine, Clock(MONDAY, frozen=True), Outbox())
    async with AsyncExitStack() as stack:
        http = await serving(stack, web(app))
        page = (await http.get("/metrics")).text
    samples = {line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1] for line in page.splitlines() if line[:1] != "#"}
    for name, labels in [
        ("dondoc_updates_handled_total", 'channel="test",kind="command"'),
        ("dondoc_updates_handled_total", 'channel="test",kind="text"'),
        ("dondoc_replies_total", 'channel="test"'),
        ("dondoc_reminders_total", 'channel="test",outcome="sent"'),
        ("dondoc_reminders_total", 'channel="test",outcome="failed"'),
        ("dondoc_reminders_total", 'channel="none",outcome="held"'),
        ("dondoc_sweeps_total", 'outcome="error"'),
    ]:
        assert samples.get(f"{name}{{{labels}}}") == "0.0", (name, labels)


async def test_healthz_says_when_the_reminder_job_is_overdue_or_failing(engine: Engine) -> None:
    clock = Clock(MONDAY, frozen=True)
    app = application(engine, clock, Outbox())
    async with AsyncExitStack() as stack:
        http = await serving(stack, web(app))
        await app.reminders.run()
        clock.advance(timedelta(minutes=5))  # no run since: the job is stuck
        overdue = (await http.get("/healthz")).json()["sweeper"]
        app.reminders.sweeper.calendar = None  # type: ignore[assignment]  # the next run fails
        with pytest.raises(AttributeError):
            await app.reminders.run()
        failing = (await http.get("/healthz")).json()["sweeper"]
        page = (await http.get("/metrics")).text

    assert overdue["outcome"] == "ok" and overdue["overdue"] is True
    assert failing["outcome"] == "error" and failing["overdue"] is False
    assert failing["last_pass"] == (MONDAY + timedelta(minutes=5)).isoformat()
    assert metric(page, "dondoc_sweeps_total", outcome="error") == 1


# ------------------------------------------------------------------ unhandled errors reported to the administrators


@pytest.fixture
def broken_tasks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``/tasks`` fails with an error nobody foresaw (everything else works)."""
    route = Dispatcher._route

    def failing(self: Dispatcher, ctx: object) -> None:
        if getattr(ctx, "inbound").text.startswith("/tasks"):  # noqa: B009
            raise ZeroDivisionError("division by zero in Nguyễn Thị Lan's secret-report")
        route(self, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(Dispatcher, "_route", failing)
    yield


async def test_an_unhandled_error_is_reported_to_the_administrators_once_per_kind_per_hour(
    engine: Engine, broken_tasks: None
) -> None:
    clock = Clock(MONDAY + timedelta(hours=1), frozen=True)
    outbox = Outbox()
    app = application(engine, clock, outbox)
    reports = app.error_reports
    assert reports is not None
    async with AsyncExitStack() as stack:
        http = await serving(stack, web(app))
        admin = Chat(app.dispatcher, "900", name="Trần Quản Trị")
        admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=clock.now())}")
        focal = Chat(app.dispatcher, "500")
        focal.send(f"/start {invite_code(engine, 'NV', now=clock.now())}")

        with pytest.raises(ZeroDivisionError):
            focal.send("/tasks secret-report of Lan")
        await reports.idle()
        with pytest.raises(ZeroDivisionError):  # the same error, the same hour: not again
            focal.send("/tasks")
        await reports.idle()
        reported = outbox.texts("900")

        clock.advance(timedelta(hours=1))  # a new hour: reported again
        with pytest.raises(ZeroDivisionError):
            focal.send("/tasks")
        await reports.idle()
        page = (await http.get("/metrics")).text

    [report] = reported
    assert "ZeroDivisionError" in report
    assert "test command /tasks" in report  # what was being done
    assert "secret-report" not in report and "Lan" not in report  # never what was written, nor the error's text
    assert "Lỗi chưa được xử lý" in report  # in the administrator's language (Vietnamese)
    assert len(outbox.texts("900")) == 2
    assert not any("ZeroDivisionError" in text for text in outbox.texts("500"))  # the person gets no report
    assert metric(page, "dondoc_errors_total", kind="ZeroDivisionError") == 3  # every one counted


async def test_two_processes_meeting_the_same_error_report_it_once(db_url: str, sample_store: object) -> None:
    clock = Clock(MONDAY, frozen=True)
    engines = [open_store(db_url), open_store(db_url)]  # two processes: two engines on one database
    outboxes = [Outbox(), Outbox()]
    try:
        apps = [application(engine, clock, outbox) for engine, outbox in zip(engines, outboxes, strict=True)]
        Chat(apps[0].dispatcher, "900").send(
            f"/start {invite_code(engines[0], 'NV', MemberRole.ADMIN, now=clock.now())}"
        )
        try:
            raise ZeroDivisionError("in both")
        except ZeroDivisionError as error:
            kind = kind_of(error, "test command /tasks")
        told = await asyncio.gather(
            *(app.error_reports.report(kind, clock.now()) for app in apps if app.error_reports is not None)
        )
    finally:
        for engine in engines:
            engine.dispose()
    assert sorted(told) == [0, 1]
    assert len(outboxes[0].texts("900") + outboxes[1].texts("900")) == 1


async def test_an_error_report_names_no_command_a_person_made_up(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(MONDAY, frozen=True)
    outbox = Outbox()
    app = application(engine, clock, outbox)

    def failing(self: Dispatcher, ctx: object) -> None:
        raise KeyError("whatever")

    async with AsyncExitStack() as stack:
        await serving(stack, web(app))
        admin = Chat(app.dispatcher, "900")
        admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=clock.now())}")
        monkeypatch.setattr(Dispatcher, "_route", failing)
        with pytest.raises(KeyError):
            Chat(app.dispatcher, "777").send("/mysecretword K7QM-3FXP")
        await app.error_reports.idle()  # type: ignore[union-attr]

    [report] = outbox.texts("900")
    assert "KeyError" in report and "test command" in report
    assert "mysecretword" not in report and "K7QM" not in report


async def test_a_failing_run_of_the_reminder_job_is_reported_with_its_context(engine: Engine) -> None:
    clock = Clock(MONDAY, frozen=True)
    outbox = Outbox()
    app = application(engine, clock, outbox)
    async with AsyncExitStack() as stack:
        await serving(stack, web(app))
        Chat(app.dispatcher, "900").send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=clock.now())}")
        app.reminders.sweeper.calendar = None  # type: ignore[assignment]  # the run fails
        with pytest.raises(AttributeError):
            await app.reminders.run()
        await app.error_reports.idle()  # type: ignore[union-attr]

    [report] = outbox.texts("900")
    assert "AttributeError" in report and "reminder job" in report
    assert "dondoc/scheduler/" in report  # where it was raised
