"""The message meter: every message counted per channel key, month (Vietnam time) and direction,
atomically, so two processes on one database count together."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import Session

from dondoc.db.session import open_store, session_scope
from dondoc.db.usage import Usage, count_messages, month_usage
from dondoc.scheduler.clock import TZ

MARCH = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def test_two_processes_count_into_the_same_rows(db_url: str) -> None:
    first, second = open_store(db_url), open_store(db_url)  # two processes' engines on one database
    try:
        count_messages(first, "zalo:longmy1", "in", MARCH)
        count_messages(second, "zalo:longmy1", "in", MARCH, n=2)
        with session_scope(second) as session:  # inside another transaction, committed by its owner
            count_messages(session, "zalo:longmy1", "out", MARCH, n=3)
        count_messages(first, "telegram", "out", MARCH)
        with Session(first) as session:
            assert month_usage(session, "2022-03") == [
                Usage("telegram", "2022-03", 0, 1),
                Usage("zalo:longmy1", "2022-03", 3, 3),
            ]
    finally:
        first.dispose()
        second.dispose()


def test_concurrent_counting_loses_nothing(db_url: str) -> None:
    engines = [open_store(db_url), open_store(db_url)]
    start = threading.Barrier(len(engines))

    def count(engine_index: int) -> None:
        start.wait()
        for _ in range(25):
            count_messages(engines[engine_index], "zalo", "out", MARCH)

    threads = [threading.Thread(target=count, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engines[0]) as session:
        assert [u.total for u in month_usage(session, "2022-03")] == [50]
    for engine in engines:
        engine.dispose()


def test_months_are_counted_in_vietnam_time(db_url: str) -> None:
    engine = open_store(db_url)
    # 17:30 UTC on 31 March is 00:30 on 1 April in Hanoi.
    count_messages(engine, "zalo", "in", datetime(2022, 3, 31, 17, 30, tzinfo=UTC))
    count_messages(engine, "zalo", "in", datetime(2022, 3, 31, 16, 30, tzinfo=UTC))
    with Session(engine) as session:
        assert [u.inbound for u in month_usage(session, "2022-04")] == [1]
        assert [u.inbound for u in month_usage(session, "2022-03")] == [1]
    engine.dispose()
