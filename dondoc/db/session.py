"""Engine, sessions and schema migrations.

SQLite (the embedded default) runs in WAL mode with foreign keys on; PostgreSQL is the scale path.
Every entry point calls :func:`open_store`, which brings the schema to the latest Alembic revision,
so a fresh database and an old one behave the same.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlmodel import Session, create_engine

from dondoc.i18n import _

DEFAULT_URL = "sqlite:///dondoc.db"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_BACKENDS = ("sqlite", "postgresql", "postgres")
CONNECT_TIMEOUT = 10  # seconds to open a PostgreSQL connection (see make_engine)
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


class StoreError(Exception):
    """The configured database cannot be opened; the message says why and what to do."""


def database_url(explicit: str | None = None) -> str:
    """``--db`` if given, else ``DONDOC_DATABASE_URL``, else ``sqlite:///dondoc.db``."""
    return explicit or os.environ.get("DONDOC_DATABASE_URL") or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; postgres:// URLs use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pool_pre_ping's check of every connection handed out, except where the caller runs its work
    # again on a dead connection (see retried_on_lost); the most recently used connection goes out
    # first (the one a ping can most often skip, and whose prepared statements are warm).
    # A server that accepts but never answers (frozen, or cut off by a firewall): give up on a new
    # connection after CONNECT_TIMEOUT s rather than psycopg's 130 s, unless the URL or
    # PGCONNECT_TIMEOUT chooses.
    chosen = "connect_timeout" in make_url(url).query or os.environ.get("PGCONNECT_TIMEOUT")
    connect_args = {} if chosen else {"connect_timeout": CONNECT_TIMEOUT}
    engine = create_engine(url, pool_use_lifo=True, connect_args=connect_args)
    event.listen(engine.pool, "checkin", _idle_since)
    event.listen(engine.pool, "checkout", functools.partial(_ping, engine))
    return engine


# Inside retried_on_lost(), a connection used less than this long ago is handed out without a ping.
PING_AFTER = 10.0  # seconds
_RETRIED_ON_LOST: contextvars.ContextVar[bool] = contextvars.ContextVar("dondoc_retried_on_lost", default=False)


@contextmanager
def retried_on_lost() -> Iterator[None]:
    """Connections checked out inside are not pinged first when they were used a moment ago (within
    :data:`PING_AFTER`): a round trip less for each transaction. Only for a caller that runs its
    transaction again when a statement finds its connection dead (a restarted server;
    :func:`dondoc.db.errors.lost_before_commit`), as the dispatcher does for every event: SQLAlchemy
    has then dropped the pool's connections and the next attempt gets a new one."""
    token = _RETRIED_ON_LOST.set(True)
    try:
        yield
    finally:
        _RETRIED_ON_LOST.reset(token)


def _idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping(engine: Engine, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    since = record.info.get("idle_since")
    if since is None:
        return  # a new connection
    if _RETRIED_ON_LOST.get() and time.monotonic() - since < PING_AFTER:
        return
    try:
        engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as error:
        raise DisconnectionError(str(error)) from error  # the pool drops it and checks out another


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration for ``engine``. Its values go through configparser, which reads ``%`` as
    an interpolation: doubled, so a password with an escaped character (``p%40ss``) or a folder named
    ``50%`` reaches Alembic as it is."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def _script_heads() -> frozenset[str]:
    """The head revisions of the migrations shipped with this version, read from the scripts once per
    process and folder (parsing them costs a tenth of a second, and every command opens the store)."""
    return _heads_in(MIGRATIONS_DIR)


@functools.cache
def _heads_in(directory: Path) -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(directory).replace("%", "%%"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent), in one transaction.

    On SQLite the foreign keys are not enforced while migrations run: a batch migration rebuilds a table
    (copy, drop, rename), and dropping a table that other rows reference would fail (or delete them).
    They are checked once at the end instead, and any dangling reference undoes the whole upgrade. Nor
    does SQLite check the triggers when such a rebuild renames its copy (``legacy_alter_table``): the
    pending list's triggers on ``reminder`` read ``assignment`` and ``unit`` (migration 0024), and
    renaming a rebuilt ``unit`` into place failed, the trigger naming a table that was not there for
    that moment."""
    cfg = alembic_config(engine)
    with engine.connect() as connection:
        heads = set(MigrationContext.configure(connection).get_current_heads())
        connection.rollback()
        if heads == _script_heads():
            return  # up to date: what every command finds, at the cost of one query
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only outside a transaction
            connection.exec_driver_sql("PRAGMA legacy_alter_table=ON")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
                if sqlite:
                    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise StoreError(
                            _(
                                "the schema migration left rows referring to missing rows ({rows}); nothing was changed"
                            ).format(rows=", ".join(f"{row[0]} {row[1]}" for row in dangling[:5]))
                        )
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.exec_driver_sql("PRAGMA legacy_alter_table=OFF")
                connection.commit()


def head_revision() -> str:
    """The newest schema revision this version of dondoc knows."""
    (head,) = _script_heads()  # one line of migrations: a single head
    return head


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this version's migrations (a newer release's database is not)."""
    return revision in {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None for a database dondoc never opened."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending_revisions(engine: Engine) -> list[str]:
    """The migrations :func:`migrate` would run on this database, oldest first."""
    current = current_revision(engine)
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.iterate_revisions("head", current)))]


def _parse(text: str) -> URL:
    """The URL of ``text``, refused with a message when it is not one dondoc can use."""
    shown = _PASSWORD.sub(r"\1***@", text)
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        if "://" not in text:
            raise StoreError(
                _(
                    "not a database URL: {url} (for a file, write sqlite:///{url}; for a server, postgresql://user@host/db)"
                ).format(url=shown)
            ) from None
        raise StoreError(
            _("not a database URL: {url} (use sqlite:///FILE or postgresql://user@host/db)").format(url=shown)
        ) from None
    backend = url.get_backend_name()
    if backend not in _BACKENDS:
        raise StoreError(
            _("dondoc cannot use {backend} databases: use sqlite:///FILE or postgresql://user@host/db").format(
                backend=backend
            )
        )
    return url


def _check_sqlite_file(url: URL) -> None:
    """A SQLite file must be creatable and writable: its folder exists and may be written."""
    name = url.database or ""
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("mode") == "memory":
        return
    path = Path(name).absolute()
    folder = path.parent
    if not folder.is_dir():
        problem = _("the folder {folder} does not exist") if not folder.exists() else _("{folder} is not a folder")
        raise StoreError(
            _("cannot open the database {path}: {problem}; create the folder or choose another --db").format(
                path=path, problem=problem.format(folder=folder)
            )
        )
    if path.is_dir():
        raise StoreError(_("cannot open the database {path}: it is a folder, not a file").format(path=path))
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        raise StoreError(
            _(
                "cannot open the database {path}: the folder {folder} or the file is read-only; choose another --db"
            ).format(path=path, folder=folder)
        )


def open_store(url: str | None = None, *, upgrade: bool = True) -> Engine:
    """The engine for the configured database, migrated to the latest schema (``upgrade=False``: as
    it is, only checked to answer).

    Raises :class:`StoreError`, with a message naming the problem, when the URL is not a database
    dondoc supports, its driver is missing, or the database cannot be opened.
    """
    text = database_url(url)
    parsed = _parse(text)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed)
    try:
        engine = make_engine(text)
    except ImportError as error:
        raise StoreError(
            _(
                "the driver for {url} is not installed ({error}): for PostgreSQL run pip install 'dondoc[postgres]'"
            ).format(url=shown, error=error)
        ) from None
    try:
        if upgrade:
            migrate(engine)
        else:
            with engine.connect():
                pass
    except DBAPIError as error:
        engine.dispose()
        reason = str(error.orig or error).strip().splitlines()[0] if str(error.orig or error).strip() else ""
        reason = _explained(_PASSWORD.sub(r"\1***@", reason))
        raise StoreError(_("cannot open the database {url}: {reason}").format(url=shown, reason=reason)) from None
    return engine


# What PostgreSQL's client says when it cannot connect, explained in the run's language.
_REASONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r'password authentication failed for user "([^"]*)"'),
        lambda m: _("wrong password, or no user {user} on that server").format(user=m[1]),
    ),
    (
        re.compile(r'database "([^"]*)" does not exist'),
        lambda m: _("that server has no database {name} (create it, or correct its name in the URL)").format(name=m[1]),
    ),
    (
        re.compile(r'server at "([^"]*)", port (\d+) failed: Connection refused'),
        lambda m: _(
            "nothing answers at {host}, port {port}: PostgreSQL is not running there, or the port is wrong"
        ).format(host=m[1], port=m[2]),
    ),
    (
        re.compile(r"failed to resolve host '([^']*)'"),
        lambda m: _("the host {host} is not known (check its name)").format(host=m[1]),
    ),
    (
        re.compile(r"connection timeout expired"),
        lambda m: _("the server did not answer in time (is the host reachable, or is a firewall in the way?)"),
    ),
)


def _explained(reason: str) -> str:
    """``reason`` (the driver's first line) led by what it means, when it is one of the usual ones."""
    for pattern, explain in _REASONS:
        match = pattern.search(reason)
        if match is not None:
            return _("{explanation} — details: {reason}").format(explanation=explain(match), reason=reason)
    return reason


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work commits as one transaction, or rolls back entirely on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class AsyncStatements:
    """Statements run on the event loop rather than in a worker thread: PostgreSQL through psycopg's
    asynchronous connection, one of their own, in autocommit (each statement its own transaction),
    opened at the first statement and kept until :meth:`close`. For statements written one after the
    other while the interpreter is busy with other work (a pass's records: a nation's 08:00 writes
    some 200, one at a time): each one run in a thread paid the hand-over to the thread and back
    and the thread's waits for the interpreter's lock, a record's 5.5 ms against its 3 ms in the
    database. A statement that fails closes the connection (the next opens another) and raises as
    SQLAlchemy would have raised it (a lost server: an :class:`~sqlalchemy.exc.OperationalError`)."""

    def __init__(self, engine: Engine) -> None:
        # The engine's own connection arguments (host, database, user, the URL's options, its
        # adapters), with make_engine's connection timeout unless the URL or the environment sets one.
        args, params = engine.dialect.create_connect_args(engine.url)
        if "connect_timeout" not in params and not os.environ.get("PGCONNECT_TIMEOUT"):
            params["connect_timeout"] = CONNECT_TIMEOUT
        self._args: list[Any] = list(args)
        self._params: dict[str, Any] = dict(params)
        self._connection: Any = None  # a psycopg.AsyncConnection, once opened

    @staticmethod
    def usable(engine: Engine) -> bool:
        """Whether ``engine``'s statements can run so: PostgreSQL through psycopg, on an event loop
        psycopg can use (not Windows' default proactor loop; there the thread does it)."""
        if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
            return False
        proactor = getattr(asyncio, "ProactorEventLoop", None)
        return proactor is None or not isinstance(asyncio.get_running_loop(), proactor)

    async def _connected(self) -> Any:
        if self._connection is None:
            import psycopg

            self._connection = await psycopg.AsyncConnection.connect(*self._args, autocommit=True, **self._params)
        return self._connection

    async def execute(self, statement: str, values: Mapping[str, Any]) -> None:
        """Run ``statement`` (the driver's paramstyle: ``%(name)s``) with ``values``, as a transaction."""
        import psycopg

        try:
            connection = await self._connected()
            await connection.execute(statement, values)
        except psycopg.Error as error:
            await self.close()
            raise DBAPIError.instance(statement, values, error, psycopg.Error, hide_parameters=True) from error

    async def close(self) -> None:
        """Close the connection, if one is open (a dead one quietly)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with suppress(Exception):  # (already gone: nothing to give back)
                await connection.close()
