"""A database that goes away and comes back, for a window the test controls.

While it is down every statement and every commit fails with the driver's own ``OperationalError``
(SQLAlchemy wraps it as it would a real one); on PostgreSQL the pooled connections are also killed
with ``pg_terminate_backend`` when it goes down, so what comes back is a fresh connection, and the
statements run on the event loop on a connection of their own (a pass's records:
:class:`~dondoc.db.session.AsyncStatements`) fail too. (Commits fail through the engine's dialect,
which the tests' engines of a kind share: every one of them.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from dondoc.db.session import AsyncStatements


class Outage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.down = False
        self.refused = 0  # statements and commits refused while down
        self._commit = engine.dialect.do_commit
        self._connected = AsyncStatements._connected
        event.listen(engine, "before_cursor_execute", self._statement)
        engine.dialect.do_commit = self._do_commit  # type: ignore[method-assign]

        async def connected(statements: AsyncStatements) -> Any:
            if self.down:
                raise self._error()
            return await self._connected(statements)

        setattr(AsyncStatements, "_connected", connected)  # noqa: B010 (a method, put back by close)

    def _error(self) -> Exception:
        self.refused += 1
        error: type[Exception] = self.engine.dialect.loaded_dbapi.OperationalError
        return error("server closed the connection unexpectedly (the test took the database away)")

    def _statement(self, *_args: Any) -> None:
        if self.down:
            raise self._error()

    def _do_commit(self, dbapi_connection: Any) -> None:
        if self.down:
            raise self._error()
        self._commit(dbapi_connection)

    def start(self) -> None:
        self.down = True
        if self.engine.dialect.name == "postgresql":
            # (an engine of its own dialect: the tests' engines share theirs, do_commit included)
            admin = create_engine(self.engine.url)
            try:
                with admin.begin() as connection:
                    connection.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        )
                    )
            finally:
                admin.dispose()

    def end(self) -> None:
        self.down = False

    @contextmanager
    def window(self) -> Iterator[None]:
        """The database is unreachable inside the ``with`` block."""
        self.start()
        try:
            yield
        finally:
            self.end()

    def close(self) -> None:
        self.end()
        event.remove(self.engine, "before_cursor_execute", self._statement)
        self.engine.dialect.do_commit = self._commit  # type: ignore[method-assign]
        setattr(AsyncStatements, "_connected", self._connected)  # noqa: B010
