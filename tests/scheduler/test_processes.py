"""Several real processes on one PostgreSQL database (issue 12): 1,000 due reminders are sent once by two
reminder jobs running side by side, and a job killed with ``kill -9`` in the middle of the fan-out
loses nothing when it is started again; what it repeats is within the at-least-once policy (at most
the :data:`~dondoc.scheduler.sweeper.RECORD_BATCH` messages sent but not yet recorded at the kill).

Each process is ``python -m tests.procs_runner sweep``: dondoc's own reminder job with a frozen clock,
sending through a channel that appends every delivery to one shared file. The counts (sent, lost,
duplicated) are printed in pytest's summary, so CI's log shows them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from dondoc.db.models import Reminder, ReminderState
from dondoc.db.session import open_store
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.outbox import LEASE
from dondoc.scheduler.sweeper import RECORD_BATCH
from tests.conftest import POSTGRES_URL, ROOT, _postgres_database
from tests.procs_runner import chat_ids, fill

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL configured (DONDOC_TEST_POSTGRES_URL)"),
]

COUNT = 1000
AT = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # a Monday, 08:00: in office hours
KILL_AFTER = 333  # deliveries seen before the kill: mid-batch, so some were sent but not recorded
COUNTS = "counts"  # the user property tests/conftest.py's pytest_terminal_summary prints (with xdist too)


@pytest.fixture
def store() -> Iterator[str]:
    """A fresh PostgreSQL database holding 1,000 reminders due at :data:`AT`, each to its own focal point."""
    with _postgres_database(None) as url:
        fill(url, COUNT, AT)
        yield url


def start(url: str, at: datetime, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.procs_runner", "sweep", url, at.isoformat(), str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def counts(log: Path) -> tuple[int, int, int]:
    """(sent, lost, duplicated) among the expected chat ids, from the shared delivery log."""
    deliveries = Counter(log.read_text().split()) if log.exists() else Counter[str]()
    expected = chat_ids(COUNT)
    assert set(deliveries) <= expected, "a delivery to a chat that has no reminder"
    sent = len(deliveries)
    return sent, len(expected) - sent, sum(deliveries.values()) - sent


def recorded(url: str) -> int:
    engine = open_store(url, upgrade=False)
    try:
        with Session(engine) as session:
            query = select(func.count()).select_from(Reminder).where(col(Reminder.state) == ReminderState.SENT)
            return int(session.exec(query).one())
    finally:
        engine.dispose()


def settled(url: str) -> None:
    """Wait until the server has ended every session of the killed process: a batch whose COMMIT it
    had sent when it died is then recorded or not for good (counted before, a commit the server was
    still finishing read as unrecorded, and the test expected sends repeated that were not)."""
    engine = open_store(url, upgrade=False)
    others = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"  # not the server's own workers (autovacuum)
    )
    try:
        for _attempt in range(600):  # a fail-safe only: the server ends them at once
            with engine.begin() as connection:  # a transaction each: the activity is read once in one
                if not connection.execute(others).scalar():
                    return
            time.sleep(0.05)  # polling the server's state, not timing anything
    finally:
        engine.dispose()
    raise AssertionError("the killed process's database sessions did not end")


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate()
    assert process.returncode == 0, err
    return out


def test_two_processes_send_a_thousand_reminders_once(
    store: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    log = tmp_path / "deliveries"
    first, second = start(store, AT, log), start(store, AT, log)
    outputs = [finish(first), finish(second)]
    sent, lost, duplicated = counts(log)
    shares = [out.count("sent ") for out in outputs]
    record_property(
        COUNTS,
        f"two processes, {COUNT} reminders: sent={sent} lost={lost} duplicated={duplicated} "
        f"(by process: {shares[0]} + {shares[1]})",
    )
    assert (sent, lost, duplicated) == (COUNT, 0, 0)
    assert recorded(store) == COUNT


def test_kill_9_mid_fan_out_then_restart_loses_nothing(
    store: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    log = tmp_path / "deliveries"
    victim = start(store, AT, log)
    assert victim.stdout is not None
    seen = 0
    for line in victim.stdout:  # the process announces each delivery as it makes it
        seen += line.startswith("sent ")
        if seen == KILL_AFTER:
            victim.send_signal(signal.SIGKILL)
            break
    victim.communicate()
    assert victim.returncode == -signal.SIGKILL
    before, _lost, _dup = counts(log)
    assert KILL_AFTER <= before < COUNT, "the kill did not land in the middle of the fan-out"
    settled(store)
    unrecorded = before - recorded(store)  # sent, not yet recorded: these go out again after the lease

    # Started again once the dead process's claims have run out (the lease): the rest goes out.
    finish(start(store, AT + LEASE + timedelta(minutes=1), log))
    sent, lost, duplicated = counts(log)
    record_property(
        COUNTS,
        f"kill -9 after {before} of {COUNT} deliveries ({unrecorded} not yet recorded), then restart: sent={sent} lost={lost} "
        f"duplicated={duplicated} (policy: at most {RECORD_BATCH}, the sends not yet recorded)",
    )
    assert (sent, lost) == (COUNT, 0)
    assert duplicated == unrecorded <= RECORD_BATCH
    assert recorded(store) == COUNT
