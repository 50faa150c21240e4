"""Recording a batch of sent digests on PostgreSQL (:func:`dondoc.scheduler.outbox._sent_statement_pg`)
finds the batch's reminder rows by their key. A nation's 08:00 pass records about a hundred batches of
a thousand rows each among 110,000 pending ones: with the batch's rows joined to the outbox by hash,
the planner read the whole table for each batch (25 ms of a record's 42 on the national benchmark).
And a replan that writes many rows leaves statistics that count them, so that the pass after it is
not planned for the few rows pending before."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import Reminder
from dondoc.db.session import session_scope
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.outbox import Sent, _sent_statement_pg
from dondoc.scheduler.schedule import ANALYZE_AFTER, replan

postgresql_only = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
NOW = datetime(2022, 3, 1, 8, 0, tzinfo=TZ)
START = datetime(2022, 1, 1, 7, 0, tzinfo=TZ)


@postgresql_only
def test_a_batchs_record_reads_its_reminders_by_key_not_the_whole_outbox(engine: Engine) -> None:
    with engine.begin() as connection:  # an outbox of some 30,000 pending reminders
        connection.exec_driver_sql(
            "INSERT INTO reminder (assignment_id, due, kind, send_on, send_at, audience, state, attempts,"
            " last_error) SELECT a.id, DATE '2022-01-01' + g, 'due', DATE '2022-01-01' + g,"
            " TIMESTAMPTZ '2022-03-01 01:00:00+00', 'focal', 'PENDING', 0, ''"
            " FROM assignment a CROSS JOIN generate_series(1, (30000 / (SELECT count(*) FROM assignment))::int) g"
            " ON CONFLICT DO NOTHING"
        )
        connection.exec_driver_sql("ANALYZE reminder")
    with Session(engine) as session:
        ids = list(session.exec(select(Reminder.id).order_by(col(Reminder.id)).limit(1000)))
        outbox = session.exec(select(Reminder.id)).all()
    assert len(outbox) > 20_000 and len(ids) == 1000
    batch = [Sent([i for i in ids[n : n + 20] if i is not None], f"m{n}", 1) for n in range(0, 1000, 20)]
    statement, values = _sent_statement_pg(engine.dialect, batch, NOW, None)
    with engine.connect() as connection:  # (only planned: the digests' person need not exist)
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, values))
    assert "Seq Scan on reminder" not in plan, plan
    assert "reminder_pkey" in plan, plan


@postgresql_only
def test_a_replan_that_writes_many_rows_leaves_statistics_that_count_them(engine: Engine) -> None:
    with session_scope(engine) as session:
        added, _cancelled = replan(session, WorkCalendar(), START, horizon=timedelta(days=366))
    assert added >= ANALYZE_AFTER
    with engine.connect() as connection:
        estimated = connection.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'reminder'").scalar()
        rows = connection.exec_driver_sql("SELECT count(*) FROM reminder").scalar()
    assert estimated == rows, (estimated, rows)
