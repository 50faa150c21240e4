"""Every inbound event starts by reading who sent it (:meth:`dondoc.handlers.context.Context.load`):
on SQLite that read must find the person's memberships through the index, not build the join of every
membership with its unit for each event (which made a province store's load 20 times slower)."""

from __future__ import annotations

from sqlalchemy import Engine

from dondoc.handlers.context import _load_query
from tests.conftest import sqlite_only


@sqlite_only
def test_an_events_load_searches_the_persons_memberships_instead_of_scanning_them(engine: Engine) -> None:
    query = _load_query(False).compile(engine)
    values = {"event_channel": "telegram", "event_user": "1", "event_chat": "1"}
    arguments = [values.get(name, query.params.get(name)) for name in query.positiontup or ()]
    with engine.connect() as connection:
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + query.string, tuple(arguments))]
    assert not any(step.startswith(("SCAN membership", "SCAN unit", "MATERIALIZE")) for step in plan), plan
    assert any(step.startswith("SEARCH membership USING INDEX") for step in plan), plan
