"""The schema comes from Alembic migrations, and they describe exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from dondoc.db.session import open_store


def test_migrations_build_the_schema_the_models_declare(db_url: str) -> None:
    engine = open_store(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == [], "models changed without a migration: add one under dondoc/db/migrations/versions"


def test_opening_the_store_twice_is_harmless_and_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    open_store(sqlite_url).dispose()
    engine = open_store(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert "reminder" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_percent_sign_in_the_address_does_not_break_the_migrations(tmp_path: Path) -> None:
    """A password with an escaped character (``p%40ss``) or a folder named ``50%``: configparser,
    under Alembic, would read the ``%`` as an interpolation and refuse to open the store."""
    folder = tmp_path / "kế hoạch 50%"
    folder.mkdir()
    engine = open_store(f"sqlite:///{folder / 'dondoc.db'}")
    assert "reminder" in inspect(engine).get_table_names()
    engine.dispose()
    open_store(f"sqlite:///{folder / 'dondoc.db'}").dispose()  # and opened again: already at the head
