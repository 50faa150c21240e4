"""``python -m benchmarks [--db URL] [--quick]``: dondoc's performance figures, measured in one run.

Prints one ``name: value`` line per figure (and context lines starting with ``#``):

- ``status_ratio`` — /status end to end through ``Dispatcher.handle`` ÷ one SQL GROUP BY over the same
  tables (medians); goal ≤ 3
- ``export_seconds`` — /export's status workbook (summary and detail) of the whole plan; goal ≤ 10
- ``plan_seconds`` — ``schedule_reminders`` for every reminder of the year, from scratch; goal ≤ 5
- ``sweep_seconds`` — one ``Sweeper.sweep()`` at the busiest 08:00 slot, recording sender; goal ≤ 0.5
- ``step_ratio`` — one report-conversation step (typing "60") through PTB and the local Bot API, the bot
  built as ``dondoc run`` builds it (its rate limiter included) ÷ a PTB echo; goal ≤ 2
- ``button_ratio`` — the same for pressing "50%" (answer, buttons removed, next question) ÷ a PTB bot
  making the same three requests; goal ≤ 2
- ``fanout_ratio`` — reminders per second through ``telegram_sender`` as ``dondoc run`` builds the bot,
  against a server allowing 30 sends per second, ÷ 30; goal ≥ 0.9
- ``fanout_429`` — how many 429 answers that server gave; goal 0
- ``sweep_fanout_ratio`` — digests per second of one reminder pass (``Sweeper.sweep``) through
  ``telegram_sender``, the bot built as ``dondoc run`` builds it, to a server 150 ms away (a round trip
  from Vietnam) that allows 30 sends per second, ÷ 30; goal ≥ 0.9 (a context line gives the same
  pass with one digest on its way at a time, as before release 0021)
- ``rss_mb`` — the process's peak resident memory (one malloc arena, as ``dondoc run`` sets it:
  :mod:`dondoc.bot.memory`); goal ≤ 200

The store is a temporary SQLite file unless ``--db URL`` names an empty database. ``--quick`` runs a
10× smaller workload (for the smoke test; its figures are not the goals' figures).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram.ext import AIORateLimiter

from benchmarks import chat, store, workload
from dondoc.bot.cpu import AUTO, keep_on_one_core
from dondoc.bot.memory import fewer_arenas
from dondoc.db.session import open_store

FIGURES = (
    "status_ratio",
    "export_seconds",
    "plan_seconds",
    "sweep_seconds",
    "step_ratio",
    "button_ratio",
    "fanout_ratio",
    "fanout_429",
    "sweep_fanout_ratio",
    "rss_mb",
)
# Telegram rejects bigger inline keyboards ("Reply markup is too long"); the local server does not check it.
INLINE_BUTTONS = 100


def emit(name: str, value: float | int) -> None:
    print(f"{name}: {value}" if isinstance(value, int) else f"{name}: {value:.3f}", flush=True)


def note(line: str) -> None:
    print(f"# {line}", flush=True)


def processor_line(sweep: store.SweepOutcome) -> str:
    """What the timed pass cost this process's processors (on PostgreSQL, the interpreter's share)."""
    user, system = sweep.processor
    return (
        f"the pass's processor time in this process: {user:.2f} s user + {system:.2f} s system "
        f"in {sweep.seconds:.2f} s (the interpreter runs one thread at a time)"
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", help="database URL of an empty database (default: a temporary SQLite file)")
    parser.add_argument("--quick", action="store_true", help="a 10x smaller workload (for the smoke test)")
    parser.add_argument(
        "--scale",
        choices=sorted(workload.SCALES),
        default="province",
        help="province (default: every figure) or national (34 provinces: status_ratio, sweep_seconds, rss_mb only)",
    )
    parser.add_argument("--factor", type=int, default=1, help=argparse.SUPPRESS)  # the smoke test's tiny nation
    args = parser.parse_args(argv)
    began = time.perf_counter()
    # As ``dondoc run``, ``serve`` and ``sandbox`` start: one malloc arena (dondoc.bot.memory).
    note("malloc: one arena, as dondoc run sets it" if fewer_arenas() else "malloc: the environment's arenas")
    # As ``dondoc run`` starts (DONDOC_CPU, default auto): the threads on one core (dondoc.bot.cpu).
    core = keep_on_one_core(os.environ.get("DONDOC_CPU"), AUTO)
    note(
        f"processor: the threads kept on core {core}, as dondoc run keeps them (DONDOC_CPU=all: anywhere)"
        if core is not None
        else "processor: the threads where the system schedules them (DONDOC_CPU, or the environment's choice)"
    )
    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'province.db'}"
        engine = open_store(url)
        try:
            if args.scale == "national":
                national(engine, workload.NATIONAL.smaller(args.factor * (10 if args.quick else 1)))
            else:
                run(engine, url, Path(folder), quick=args.quick)
        finally:
            engine.dispose()
    note(f"total {time.perf_counter() - began:.1f} s")
    return 0


def run(engine: Engine, url: str, folder: Path, *, quick: bool) -> None:
    scale = workload.FULL.smaller(10) if quick else workload.FULL
    workload.ensure_empty(engine)
    start = time.perf_counter()
    work = workload.build(engine, scale)
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(work.tasks_by_kind.items()))
    statuses = ", ".join(f"{status} {count}" for status, count in work.reports_by_status.items())
    note(f"store: {engine.url.get_backend_name()}{' (quick: 10x smaller)' if quick else ''}")
    note(
        f"workload: {work.units} units, {work.tasks} tasks ({kinds}), {work.assignments} assignments "
        f"({work.lead_assignments} lead), {work.items} lead deadlines, {work.reports} reports ({statuses}), "
        f"{work.focal_points} focal points; generated in {time.perf_counter() - start:.1f} s; peak {peak_mb():.0f} MB"
    )

    status = store.bench_status(engine, work, runs=3 if quick else 5)
    if f": {work.items} " not in status.reply and f": {work.items}\n" not in status.reply:
        note(f"WARNING: the /status reply does not show {work.items} items: {status.reply[:200]!r}")
    note(
        f"/status as of {store.STATUS_AT:%d/%m/%Y} (plan_status + render_status via Dispatcher.handle): "
        f"median {status.status_seconds:.3f} s; "
        f"GROUP BY: median {status.sql_seconds:.3f} s; peak {peak_mb():.0f} MB"
    )
    emit("status_ratio", status.ratio)

    export = store.bench_export(engine, work)
    note(
        f"/export as of {store.STATUS_AT:%d/%m/%Y}: {export.rows} detail rows, {export.size / 1e6:.1f} MB; "
        f"peak {peak_mb():.0f} MB"
    )
    emit("export_seconds", export.seconds)

    plan = store.bench_plan(engine, candidates=6)
    kinds = ", ".join(f"{kind} {count}" for kind, count in plan.kinds.most_common())
    note(f"schedule_reminders for {YEAR_TEXT}: {plan.reminders} reminders ({kinds}); peak {peak_mb():.0f} MB")
    note("busiest days of that plan (no report counted): " + ", ".join(f"{d} {n}" for d, n in plan.busiest))
    emit("plan_seconds", plan.seconds)

    start = time.perf_counter()
    day, count, slot_kinds = store.busiest_slot(engine, [d for d, _n in plan.busiest])
    note(
        f"busiest 08:00 slot once the reports made by then count: {day} with {count} reminders "
        f"({', '.join(f'{k} {n}' for k, n in slot_kinds.most_common())}); chosen in {time.perf_counter() - start:.1f} s"
    )
    sweep = store.bench_sweep(engine, day)
    result = sweep.result
    note(
        f"sweep: replan wrote {sweep.planned} rows; the pass claimed {result.claimed}, sent {result.messages} "
        f"messages (largest {max(sweep.parts, default=0)} reminders), held {result.held}, retried {result.retried}; "
        f"peak {peak_mb():.0f} MB"
    )
    note(processor_line(sweep))
    crowded = sum(1 for count in sweep.buttons if count > INLINE_BUTTONS)
    note(
        f"{crowded} of those messages carry more than {INLINE_BUTTONS} inline buttons "
        f"(most: {max(sweep.buttons, default=0)}), beyond what Telegram is reported to accept in one keyboard"
    )
    emit("sweep_seconds", sweep.seconds)

    small_url = f"sqlite:///{folder / 'sample.db'}" if url.startswith("sqlite") else sibling_database(engine)
    small = open_store(small_url)
    try:
        invite = chat.import_sample(small)
        step = collected(asyncio.run(chat.bench_step(small, invite, rounds=20 if quick else 50)))
        note(
            f"report steps as `dondoc run` builds the bot (sample plan store), {step.rounds} rounds each: typed '60' "
            f"median {step.step_seconds * 1000:.1f} ms vs PTB echo {step.echo_seconds * 1000:.1f} ms; "
            f"pressed '50%' median {step.button_seconds * 1000:.1f} ms vs a PTB button handler "
            f"{step.button_echo_seconds * 1000:.1f} ms; Bot API violations or handler errors: {step.violations}"
        )
        emit("step_ratio", step.ratio)
        emit("button_ratio", step.button_ratio)

        messages = 60 if quick else 300
        fanout = collected(asyncio.run(chat.bench_fanout(small, messages)))
        note(
            f"fan-out as `dondoc run` builds the bot (TelegramChannel.build's limiter): {messages} digests to "
            f"{messages} users in {fanout.seconds:.1f} s, {fanout.failed} failed, {fanout.rejected_429} answered 429"
        )
        emit("fanout_ratio", fanout.ratio)
        emit("fanout_429", fanout.rejected_429)
        for label, limiter in (("PTB's default AIORateLimiter", AIORateLimiter(max_retries=3)), ("dondoc's", None)):
            burst = collected(asyncio.run(chat.bench_fanout(small, messages, limiter, concurrent=True)))
            note(
                f"fan-out with {label} limiter, all sends at once: ratio {burst.ratio:.3f}, "
                f"429s {burst.rejected_429}, {burst.failed} failed, {burst.seconds:.1f} s"
            )

        latency = chat.SWEEP_FANOUT_LATENCY
        alone = collected(asyncio.run(chat.bench_sweep_fanout(small, messages // 5, latency, window=1, run=0)))
        swept = asyncio.run(chat.bench_sweep_fanout(small, messages, latency, run=1))
        note(
            f"reminder pass to a server {latency * 1000:.0f} ms away: {messages} digests in {swept.seconds:.1f} s "
            f"({swept.failed} not sent, {swept.rejected_429} answered 429, Bot API violations {swept.violations}); "
            f"one digest at a time: {alone.ratio * chat.TELEGRAM_RATE:.1f} a second (ratio {alone.ratio:.2f})"
        )
        emit("sweep_fanout_ratio", swept.ratio)
    finally:
        small.dispose()
        if not url.startswith("sqlite"):
            drop_database(engine, small.url.database)

    emit("rss_mb", peak_mb())


T = TypeVar("T")


def collected(result: T) -> T:
    """``result``, once the garbage of the phase that made it is collected. Each chat phase builds an
    Application and a local Bot API server of its own (a running bot builds one of each), and what
    one left in reference cycles still counted in a later phase's peak (as ``bench_plan`` and
    ``bench_export`` collect theirs). The province figure on PostgreSQL: 193.9–200.7 MB in six runs
    without it, 193.1–196.9 in five with it."""
    gc.collect()
    return result


def sibling_database(engine: Engine) -> str:
    """A new, empty PostgreSQL database beside ``engine``'s, for the chat benchmarks' small store (the
    sample plan's organisation cannot share the province's store); dropped when they are done."""
    name = f"{engine.url.database}_chat"
    drop_database(engine, name)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return engine.url.set(database=name).render_as_string(hide_password=False)


def drop_database(engine: Engine, name: str | None) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


YEAR_TEXT = f"1/1–31/12/{workload.YEAR}"
# The busiest 08:00 slot of the province workload (found by ``run``): the nation's plans share its deadlines.
NATIONAL_DAY = date(workload.YEAR, 12, 23)
NATIONAL_FIGURES = ("status_ratio", "sweep_seconds", "rss_mb")


def national(engine: Engine, scale: workload.Scale) -> None:
    """``--scale national``: /status rolled up over every province by a manager holding the province
    role at the root, against one GROUP BY over every plan; one sweep at the busiest 08:00 slot."""
    workload.ensure_empty(engine)
    start = time.perf_counter()
    work = workload.build(engine, scale)
    note(f"store: {engine.url.get_backend_name()} (national: {scale.provinces} provinces)")
    note(
        f"workload: {work.units} units, {work.tasks} tasks, {work.assignments} assignments "
        f"({work.lead_assignments} lead), {work.items} lead deadlines, {work.reports} reports, "
        f"{work.focal_points} focal points; generated in {time.perf_counter() - start:.1f} s; peak {peak_mb():.0f} MB"
    )
    status = store.bench_status(engine, work, runs=3)
    note(
        f"/status of {len(work.plan_ids)} provinces as of {store.STATUS_AT:%d/%m/%Y}: median "
        f"{status.status_seconds:.3f} s; GROUP BY: median {status.sql_seconds:.3f} s; peak {peak_mb():.0f} MB"
    )
    emit("status_ratio", status.ratio)
    sweep = store.bench_sweep(engine, NATIONAL_DAY)
    result = sweep.result
    note(
        f"sweep at 08:00 on {NATIONAL_DAY}: replan wrote {sweep.planned} rows; the pass claimed {result.claimed}, "
        f"sent {result.messages} messages, held {result.held}; peak {peak_mb():.0f} MB"
    )
    note(processor_line(sweep))
    emit("sweep_seconds", sweep.seconds)
    emit("rss_mb", peak_mb())


if __name__ == "__main__":
    sys.exit(main())
