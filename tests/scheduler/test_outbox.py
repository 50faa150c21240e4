"""The outbox under two processes: claims never overlap, replanning never duplicates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from dondoc.db.models import Reminder
from dondoc.db.session import session_scope
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.outbox import LEASE, claim_due, release_leases
from dondoc.scheduler.schedule import replan

START = datetime(2022, 1, 1, 7, 0, tzinfo=TZ)


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Reminder)).one())


def test_replanning_twice_or_from_two_processes_inserts_nothing_twice(engine: Engine) -> None:
    calendar = WorkCalendar()
    before = _count(engine)  # what the import planned for its own "now"
    with session_scope(engine) as session:
        added, _cancelled = replan(session, calendar, START)
    assert added > 0 and _count(engine) == before + added
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _i: _replan(engine, calendar), range(2)))
    assert _count(engine) == before + added


def _replan(engine: Engine, calendar: WorkCalendar) -> None:
    with session_scope(engine) as session:
        replan(session, calendar, START)


def test_two_sweepers_claim_disjoint_sets(engine: Engine) -> None:
    with session_scope(engine) as session:
        replan(session, WorkCalendar(), START)
    at = datetime(2022, 2, 1, 8, 0, tzinfo=TZ)

    def claim(worker: str) -> list[int]:
        with session_scope(engine) as session:
            return claim_due(session, at, worker)

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(claim, ["a", "b"])
    assert first or second
    assert not set(first) & set(second)
    with Session(engine) as session:
        due = session.exec(select(func.count()).select_from(Reminder).where(Reminder.send_at <= at)).one()
    assert len(first) + len(second) == due


def test_a_lease_holds_the_organisation_until_it_is_given_back_or_runs_out(engine: Engine) -> None:
    """What one sweeper holds, another does not take: not while the first is sending (its lease), but
    as soon as it gives the lease back at the end of its pass, or once the lease ran out (it died);
    a sweeper takes its own lease again at once (its pass was interrupted)."""
    with session_scope(engine) as session:
        replan(session, WorkCalendar(), START)
    at = datetime(2022, 2, 1, 8, 0, tzinfo=TZ)

    def claim(worker: str, when: datetime = at) -> list[int]:
        with session_scope(engine) as session:
            return claim_due(session, when, worker)

    due = claim("a")
    assert due
    assert claim("b") == [] and claim("b", at + LEASE) == []  # held: a is sending
    assert claim("a", at + timedelta(seconds=15)) == due  # a's own, after an interrupted pass
    assert claim("b", at + timedelta(seconds=15) + LEASE + timedelta(seconds=1)) == due  # a died: b takes over
    with session_scope(engine) as session:
        release_leases(session, "b")  # b's pass ended (nothing recorded: the rows are still due)
    assert claim("c", at + timedelta(minutes=20)) == due
