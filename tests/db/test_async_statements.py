"""Statements run on the event loop (:class:`dondoc.db.session.AsyncStatements`, a pass's records on
PostgreSQL): each one its own transaction, seen at once by every other connection; a server that is
away or that dropped the connection fails the statement as the engine's own statements fail (the
reminder job then says the database is unavailable and tries again), and the next statement opens
a new connection by itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from dondoc.db.errors import unavailable
from dondoc.db.session import AsyncStatements, make_engine, open_store


async def test_a_server_that_does_not_answer_fails_the_statement_as_unavailable() -> None:
    engine = make_engine("postgresql://dondoc:secret@127.0.0.1:1/dondoc")  # (nothing listens on port 1)
    statements = AsyncStatements(engine)
    assert AsyncStatements.usable(engine)
    with pytest.raises(OperationalError) as raised:
        await statements.execute("INSERT INTO unit (name) VALUES (%(name)s)", {"name": "Sở Nội vụ"})
    assert unavailable(raised.value)
    assert "Sở Nội vụ" not in str(raised.value)  # (the values are not shown)
    await statements.close()
    engine.dispose()


def test_other_databases_write_in_a_thread() -> None:
    engine = make_engine("sqlite://")
    assert not AsyncStatements.usable(engine)
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # (statements on the event loop are PostgreSQL's)
async def test_each_statement_commits_and_a_dropped_connection_is_replaced(db_url: str) -> None:
    engine = open_store(db_url)
    statements = AsyncStatements(engine)
    try:
        await statements.execute(
            "INSERT INTO organization (name, settings) VALUES (%(name)s, '{}')", {"name": "UBND huyện"}
        )
        with engine.connect() as connection:  # (committed: another connection sees it)
            assert connection.execute(text("SELECT name FROM organization")).scalars().all() == ["UBND huyện"]
            connection.execute(  # the server drops every other connection (a restart, an administrator)
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        with pytest.raises(OperationalError) as raised:
            await statements.execute("UPDATE organization SET name = %(name)s", {"name": "UBND tỉnh"})
        assert unavailable(raised.value)
        await statements.execute("UPDATE organization SET name = %(name)s", {"name": "UBND tỉnh"})
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM organization")).scalars().all() == ["UBND tỉnh"]
    finally:
        await statements.close()
        engine.dispose()
