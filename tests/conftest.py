"""Shared fixtures: a fresh store per test (SQLite, and PostgreSQL when one is configured) and a
command-line runner that reads like an administrator typing ``dondoc …``.

The bundled sample (registry and appendix of ``data/long-my-2022``) is imported through the command
line once per test session and per database kind; every test that asks for ``sample_store`` gets its
own copy of that database (SQLite: a copy of the file; PostgreSQL: ``CREATE DATABASE … TEMPLATE``).
"""

from __future__ import annotations

import atexit
import functools
import gc
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.db import session as store_session
from dondoc.db.session import open_store
from dondoc.i18n import set_language, use_language

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "dondoc" / "data" / "long-my-2022"  # the sample plan shipped as package data
POSTGRES_URL = os.environ.get("DONDOC_TEST_POSTGRES_URL", "")
# `dondoc run` keeps its process on one processor core (dondoc.bot.cpu). The tests run many bots in
# this process, which one of them must not hold to a core for the rest of the run (nor the processes
# started from here, unless a test asks): tests/bot/test_cpu.py sets DONDOC_CPU itself.
os.environ["DONDOC_CPU"] = "all"

# Property-based tests (hypothesis): the same few examples on every run, no deadline (a slow machine
# never fails a test); each example opens its own copy of the store (`fresh_sample`), so the
# function-scoped fixtures they share hold nothing an example changes. `HYPOTHESIS_PROFILE=explore` draws new
# examples each run, for hunting; the tests marked slow ask for many more examples themselves.
_PROFILE = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("dondoc", max_examples=25, derandomize=True, **_PROFILE)  # type: ignore[arg-type]
settings.register_profile("explore", max_examples=200, derandomize=False, **_PROFILE)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dondoc"))


# typer's CliRunner builds the click command from the app's functions on every invoke (reading every
# command's annotations: a quarter of a second each time); the console script builds it once per
# process, and so do the tests.
_build_command = getattr(typer.testing, "_get_command", None)
if _build_command is not None:
    setattr(typer.testing, "_get_command", functools.cache(_build_command))  # noqa: B010 (not exported)


# SQLAlchemy compiles a statement once per engine: its cache of compiled statements is the engine's,
# keyed by the engine's dialect. A process serves one engine; the tests open a new one for every
# store, and compiling their statements over and over was a sixth of the suite's time. So the
# tests' engines of one kind (SQLite, PostgreSQL) share the first one's dialect (initialised: the
# same library or server) and its cache.
_SHARED_DIALECTS: dict[str, tuple[Any, Any]] = {}


def _sharing_create_engine(url: Any, **kwargs: Any) -> Engine:
    engine = create_engine(url, **kwargs)
    key = f"{engine.dialect.name}+{engine.dialect.driver}"
    shared = _SHARED_DIALECTS.get(key)
    if shared is not None and shared[0].server_version_info is not None:
        engine.dialect, engine._compiled_cache = shared
    else:
        _SHARED_DIALECTS[key] = (engine.dialect, engine._compiled_cache)
    return engine


setattr(store_session, "create_engine", _sharing_create_engine)  # noqa: B010


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Dondoc:
    """Runs ``dondoc --db URL …`` in-process, the way the console script would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
        result = self.runner.invoke(app, ["--db", self.url, *map(str, args)], env=env, catch_exceptions=False)
        set_language(None)
        return Result(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
        result = self(*args, env=env)
        assert result.code == 0, result.stderr
        return result


def import_sample(dondoc: Dondoc) -> None:
    """Import the bundled Long Mỹ registry and appendix, as an administrator would."""
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx")


# --------------------------------------------------------------------------------------------------
# An empty store, migrated once per process: running every migration on a new SQLite file takes
# about a second, and most tests start from an empty or sample store. The migrations themselves are
# run by that first store (and tried by tests/db on both stores).

_EMPTY_SQLITE: list[Path] = []


def empty_sqlite_url(path: Path) -> str:
    """The URL of a new SQLite store at ``path`` with the newest schema and no rows."""
    if not _EMPTY_SQLITE:
        folder = Path(tempfile.mkdtemp(prefix="dondoc-empty-"))
        atexit.register(shutil.rmtree, folder, True)
        open_store(f"sqlite:///{folder / 'empty.db'}").dispose()
        _EMPTY_SQLITE.append(sqlite_snapshot(folder / "empty.db"))
    shutil.copyfile(_EMPTY_SQLITE[0], path)
    return f"sqlite:///{path}"


# --------------------------------------------------------------------------------------------------
# The sample, imported once per session


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (Vietnamese), whatever a test before it in the same
    worker chose: a person's language choice handled in the test's own thread (the tests' chats call
    the dispatcher directly) or an in-process command's ``--lang`` sets the language of the context it
    runs in, and the sandbox, for one, plays its people in the current language."""
    with use_language(None):
        yield


@pytest.fixture(scope="session")
def sqlite_sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A standalone SQLite file holding the imported sample (no WAL left beside it)."""
    directory = tmp_path_factory.mktemp("sample")
    import_sample(Dondoc(empty_sqlite_url(directory / "import.db")))
    return sqlite_snapshot(directory / "import.db")


def sqlite_snapshot(path: Path) -> Path:
    """A standalone copy of the SQLite database at ``path`` (``<name>.snapshot``), to copy per test."""
    gc.collect()  # the command line leaves its engine to the garbage collector
    snapshot = path.with_suffix(".snapshot")
    source = sqlite3.connect(path)
    source.execute("VACUUM INTO ?", (str(snapshot),))
    source.close()
    return snapshot


@functools.cache
def _admin_engine() -> Engine:
    """One engine on the server's own database for CREATE and DROP DATABASE, shared by the session."""
    return create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


@functools.cache
def _copy_strategy() -> str:
    """How CREATE DATABASE copies its template: file by file from PostgreSQL 15 on (the default there,
    WAL_LOG, writes every page to the log: several times slower for a small test database)."""
    with _admin_engine().connect() as connection:
        version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    return " STRATEGY FILE_COPY" if version >= 150000 else ""


def create_database(name: str, template: str | None = None) -> None:
    """CREATE DATABASE ``name`` on the configured server, empty or a copy of ``template``."""
    with _admin_engine().connect() as connection:
        copy = f' TEMPLATE "{template}"{_copy_strategy()}' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))


def drop_database(name: str) -> None:
    with _admin_engine().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def disconnect(name: str) -> None:
    """End every session on the database ``name`` (a template must have none)."""
    with _admin_engine().connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
        )


def _database_url(name: str) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"


@contextmanager
def _postgres_template(fill: Callable[[str], None]) -> Iterator[str]:
    """The name of a new PostgreSQL database filled by ``fill(url)``, to be copied with TEMPLATE."""
    name = f"dondoc_template_{uuid.uuid4().hex[:12]}"
    create_database(name)
    try:
        fill(_database_url(name))
        gc.collect()  # the command line leaves its engines to the garbage collector
        disconnect(name)  # a template must have no other session
        yield name
    finally:
        drop_database(name)


@pytest.fixture(scope="session")
def postgres_sample_template() -> Iterator[str]:
    """A PostgreSQL database holding the imported sample."""
    with _postgres_template(lambda url: import_sample(Dondoc(url))) as name:
        yield name


@pytest.fixture(scope="session")
def postgres_empty_template() -> Iterator[str]:
    """A PostgreSQL database with the newest schema and no rows."""
    with _postgres_template(lambda url: open_store(url).dispose()) as name:
        yield name


# --------------------------------------------------------------------------------------------------
# One database per test


@contextmanager
def _postgres_database(template: str | None) -> Iterator[str]:
    """A throw-away PostgreSQL database on the configured server, empty or a copy of ``template``."""
    name = f"dondoc_test_{uuid.uuid4().hex[:12]}"
    create_database(name, template)
    try:
        yield _database_url(name)
    finally:
        drop_database(name)


_HOLDS_SAMPLE: set[str] = set()  # URLs that db_url made as copies of the sample


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL; the PostgreSQL variant runs when DONDOC_TEST_POSTGRES_URL is set.

    Empty, unless the test uses ``sample_store``: then it is already a copy of the imported sample.
    """
    with_sample = "sample_store" in request.fixturenames
    with ExitStack() as stack:
        if request.param == "sqlite":
            path = tmp_path / "dondoc.db"
            if with_sample:
                shutil.copyfile(request.getfixturevalue("sqlite_sample_template"), path)
                url = f"sqlite:///{path}"
            elif request.node.get_closest_marker("unmigrated"):
                url = f"sqlite:///{path}"
            else:
                url = empty_sqlite_url(path)
        else:
            if not POSTGRES_URL:
                pytest.skip("no PostgreSQL configured (DONDOC_TEST_POSTGRES_URL)")
            template = None
            if with_sample:
                template = request.getfixturevalue("postgres_sample_template")
            elif not request.node.get_closest_marker("unmigrated"):
                template = request.getfixturevalue("postgres_empty_template")
            url = stack.enter_context(_postgres_database(template))
        if with_sample:
            _HOLDS_SAMPLE.add(url)
            stack.callback(_HOLDS_SAMPLE.discard, url)
        yield url


# For the long property-based and simulated-year tests: their subject is the handlers, channels and
# calendar, not the store, so they run on SQLite only; their shorter siblings run on both stores.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new SQLite store, migrated (empty, with no schema at all for a test marked ``unmigrated``)."""
    if request.node.get_closest_marker("unmigrated"):
        return f"sqlite:///{tmp_path / 'dondoc.db'}"
    return empty_sqlite_url(tmp_path / "dondoc.db")


@pytest.fixture
def dondoc(db_url: str) -> Dondoc:
    return Dondoc(db_url)


@pytest.fixture
def sample_store(dondoc: Dondoc) -> Dondoc:
    """A store holding the bundled Long Mỹ registry and appendix."""
    if dondoc.url not in _HOLDS_SAMPLE:  # asked for late (request.getfixturevalue): import it now
        import_sample(dondoc)
    return dondoc


@pytest.fixture
def fresh_sample(
    request: pytest.FixtureRequest, sample_store: Dondoc, tmp_path: Path
) -> Callable[[], AbstractContextManager[Engine]]:
    """Opens another fresh copy of the sample store, of the test's database kind, each time it is
    called: a property-based test starts every example from the same store."""
    copies = itertools.count()

    @contextmanager
    def fresh() -> Iterator[Engine]:
        with ExitStack() as stack:
            if sample_store.url.startswith("sqlite"):
                path = tmp_path / f"example-{next(copies)}.db"
                shutil.copyfile(request.getfixturevalue("sqlite_sample_template"), path)
                stack.callback(path.unlink)
                url = f"sqlite:///{path}"
            else:
                url = stack.enter_context(_postgres_database(request.getfixturevalue("postgres_sample_template")))
            engine = open_store(url)
            stack.callback(engine.dispose)
            yield engine

    return fresh


@pytest.fixture
def engine(sample_store: Dondoc) -> Iterator[Engine]:
    """An engine on the sample store."""
    engine = open_store(sample_store.url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the sample store."""
    with Session(engine) as session:
        yield session


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The multi-process tests' counts (sent, lost, duplicated), shown in every run's log (CI's too)."""
    lines = [
        str(value)
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if getattr(report, "when", "") == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "counts"
    ]
    if lines:
        terminalreporter.section("reminders across processes")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The test files that hold slow tests first, then the others by their number of tests, most first.

    ``dev.py test`` runs each file on one worker, the files handed out in this order
    (``--dist loadfile --no-loadscope-reorder``). xdist's own order (most tests first) left the restart
    drill, one test of two minutes of the wall clock, for the very end, alone on one worker while the
    other had nothing left to do: the whole run waited for it. Started first, the long tests run beside
    the many short ones."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    ordered = sorted(
        files.values(), key=lambda tests: (not any(test.get_closest_marker("slow") for test in tests), -len(tests))
    )
    items[:] = [item for tests in ordered for item in tests]
