"""Which database errors mean "the database cannot be reached now" rather than a bug."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached now (a lost connection, a server down, a
    file that cannot be opened or stays locked, a pool with no connection to spare): the person is
    told the system is busy and the reminder job tries again; never a bug to report."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)


def lost_before_commit(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement that found its connection dead (SQLAlchemy has dropped the
    connection from the pool): the transaction cannot have committed, so the work may run again, on
    a new connection. A failed commit is not one: it may have committed."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated and exc.statement is not None
