"""The benchmarks that run on the province-scale store: /status, planning the year, one sweeper pass."""

from __future__ import annotations

import asyncio
import gc
import io
import resource
import statistics
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.workload import CHANNEL, YEAR, Workload
from dondoc.bot.app import reminder_service
from dondoc.db.models import Plan
from dondoc.db.session import session_scope
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Inbound, Reply
from dondoc.plan.status_workbook import write_status_xlsx
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.schedule import replan, schedule_reminders
from dondoc.scheduler.sweeper import SweepResult

# /status is asked on the last working day of the year: every report of the year counts.
STATUS_AT = datetime(YEAR, 12, 30, 9, 0, tzinfo=TZ)
YEAR_START = datetime(YEAR, 1, 1, 0, 0, tzinfo=TZ)
YEAR_END = date(YEAR, 12, 31)
SEND_TIME = clock_time(8, 0)
# The bare aggregate /status is compared with: one GROUP BY over the same joined tables.
GROUP_BY = text(
    "SELECT assignment.role, report.status, count(*) FROM report "
    "JOIN assignment ON assignment.id = report.assignment_id "
    "JOIN task ON task.id = assignment.task_id "
    "WHERE task.plan_id = :plan AND task.active AND assignment.active "
    "GROUP BY assignment.role, report.status"
)
# The same over every plan of the store (a nation: one plan per province, all of them the workload's).
GROUP_BY_ALL = text(
    "SELECT assignment.role, report.status, count(*) FROM report "
    "JOIN assignment ON assignment.id = report.assignment_id "
    "JOIN task ON task.id = assignment.task_id "
    "WHERE task.active AND assignment.active "
    "GROUP BY assignment.role, report.status"
)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


@dataclass
class StatusResult:
    ratio: float
    status_seconds: float
    sql_seconds: float
    reply: str


def bench_status(engine: Engine, workload: Workload, runs: int) -> StatusResult:
    """/status through ``Dispatcher.handle`` (identity, plan_status, render_status, the transaction)
    against one GROUP BY; one warm-up each, then ``runs`` of each, interleaved; medians."""
    dispatcher = Dispatcher(engine, Clock(STATUS_AT, frozen=True), Deployment(bot_username="dondoc_bench_bot"))
    inbound = Inbound(
        channel=CHANNEL,
        chat_id=workload.manager_user_id,
        user_id=workload.manager_user_id,
        text="/status",
        language_code="vi",
        display_name="Lãnh đạo Sở Nội vụ",
    )
    replies: list[Reply] = []

    def status() -> None:
        replies[:] = dispatcher.handle(inbound)

    def sql() -> None:
        with engine.connect() as connection:
            if len(workload.plan_ids) > 1:
                connection.execute(GROUP_BY_ALL).all()
            else:
                connection.execute(GROUP_BY, {"plan": workload.plan_id}).all()

    status()
    sql()
    status_times, sql_times = [], []
    for _run in range(runs):
        status_times.append(timed(status))
        sql_times.append(timed(sql))
    status_median, sql_median = statistics.median(status_times), statistics.median(sql_times)
    return StatusResult(status_median / sql_median, status_median, sql_median, replies[0].text if replies else "")


@dataclass
class PlanResult:
    seconds: float
    reminders: int
    kinds: Counter[str]
    busiest: list[tuple[date, int]]  # the busiest send days of the year plan, most reminders first


def bench_plan(engine: Engine, candidates: int) -> PlanResult:
    """``schedule_reminders`` for the whole year from scratch: a fresh calendar, reports counted as of 1 January."""
    with Session(engine) as session:
        calendar = WorkCalendar()
        start = time.perf_counter()
        count = sum(
            1
            for _item in schedule_reminders(
                session, calendar, after=YEAR_START, until=YEAR_END, reports_until=YEAR_START
            )
        )
        seconds = time.perf_counter() - start
        # A second, untimed pass for the context lines (which days are busiest).
        days: Counter[date] = Counter()
        kinds: Counter[str] = Counter()
        for item in schedule_reminders(session, calendar, after=YEAR_START, until=YEAR_END, reports_until=YEAR_START):
            days[item.planned.send_on] += 1
            kinds[str(item.planned.kind)] += 1
    gc.collect()
    return PlanResult(seconds, count, kinds, days.most_common(candidates))


@dataclass
class SweepOutcome:
    seconds: float
    day: date
    planned: int
    result: SweepResult
    recorded: int
    parts: list[int] = field(default_factory=list)  # reminders per message, for the context line
    buttons: list[int] = field(default_factory=list)  # inline buttons per message
    # This process's processor time in the pass, user and system, every thread's (on PostgreSQL nearly
    # all of it the interpreter's, which runs one thread at a time: a pass cannot be much shorter than
    # it, however fast the database; on SQLite it includes the database's own work).
    processor: tuple[float, float] = (0.0, 0.0)


def busiest_slot(engine: Engine, days: list[date]) -> tuple[date, int, Counter[str]]:
    """Of ``days``, the one whose 08:00 slot holds the most reminders once the reports made by then
    are counted (what ``replan`` would really write that morning)."""
    calendar = WorkCalendar()
    best: tuple[date, int, Counter[str]] | None = None
    with Session(engine) as session:
        for day in days:
            morning = datetime.combine(day, clock_time(7, 0), tzinfo=TZ)
            kinds = Counter(
                str(item.planned.kind) for item in schedule_reminders(session, calendar, after=morning, until=day)
            )
            count = sum(kinds.values())
            if best is None or count > best[1]:
                best = (day, count, kinds)
    assert best is not None
    return best


def bench_sweep(engine: Engine, day: date) -> SweepOutcome:
    """Write the outbox for ``day`` with ``replan`` (a one-hour window from 07:00), then time one
    ``Sweeper.sweep()`` at 08:00 with a sender that only records what it is given, after the pass of
    the minute before (nothing due), as a running bot's sweeper has run every minute before 08:00."""
    calendar = WorkCalendar()
    morning = datetime.combine(day, clock_time(7, 0), tzinfo=TZ)
    with session_scope(engine) as session:
        added, _cancelled = replan(session, calendar, morning, horizon=timedelta(hours=1))
    recorded: list[tuple[str, Reply]] = []

    async def record(chat_id: str, reply: Reply) -> str | None:
        recorded.append((chat_id, reply))
        return str(len(recorded))

    at = datetime.combine(day, SEND_TIME, tzinfo=TZ)
    clock = Clock(at - timedelta(minutes=1), frozen=True)
    sweeper = reminder_service(engine, clock, calendar, {CHANNEL: record}).sweeper

    async def once() -> tuple[float, SweepResult, tuple[float, float]]:
        await sweeper.sweep()  # 07:59: nothing is due yet
        assert not recorded
        clock.set(at)
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        result = await sweeper.sweep()
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        return seconds, result, (after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)

    seconds, result, processor = asyncio.run(once())
    parts = [len(reply.choices) for _chat, reply in recorded]
    buttons = [sum(len(row) for row in reply.choices) for _chat, reply in recorded]
    return SweepOutcome(seconds, day, added, result, len(recorded), parts, buttons, processor)


@dataclass
class ExportResult:
    seconds: float
    size: int  # bytes of the workbook
    rows: int  # detail rows (items, supporting units' parts, continuous tasks)


def bench_export(engine: Engine, workload: Workload) -> ExportResult:
    """/export's work at the busiest date (every report of the year counts): the status workbook of
    the whole plan, written to memory, as the bot sends it."""
    buffer = io.BytesIO()
    with Session(engine) as session:
        plan = session.get(Plan, workload.plan_id)
        assert plan is not None
        start = time.perf_counter()
        write_status_xlsx(session, plan, STATUS_AT.date(), buffer)
        seconds = time.perf_counter() - start
    # The detail's rows counted as the sheet is inflated, a megabyte at a time: the whole sheet's XML
    # (some 80 MB) would weigh more than the export itself in the peak memory figure.
    rows = -1  # less the header
    with zipfile.ZipFile(buffer) as workbook, workbook.open("xl/worksheets/sheet2.xml") as sheet:
        tail = b""
        while chunk := sheet.read(1 << 20):
            data = tail + chunk
            rows += data.count(b"<row ")
            tail = data[-4:]  # shorter than "<row ": a tag cut in two is counted once, with the next chunk
    gc.collect()
    return ExportResult(seconds, len(buffer.getvalue()), rows)
