"""The schema comes from Alembic migrations, and they describe exactly what the models declare."""

from __future__ import annotations

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
