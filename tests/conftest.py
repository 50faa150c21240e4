"""Shared fixtures: a fresh store per test (SQLite, and PostgreSQL when one is configured) and a
command-line runner that reads like an administrator typing ``dondoc …``."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dondoc.bot.cli import app
from dondoc.i18n import set_language

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "dondoc" / "data" / "long-my-2022"  # the sample plan shipped as package data
POSTGRES_URL = os.environ.get("DONDOC_TEST_POSTGRES_URL", "")


def _postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database on the configured server."""
    name = f"dondoc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL; the PostgreSQL variant runs when DONDOC_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dondoc.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL configured (DONDOC_TEST_POSTGRES_URL)")
    yield from _postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dondoc.db'}"


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


@pytest.fixture
def dondoc(db_url: str) -> Dondoc:
    return Dondoc(db_url)


@pytest.fixture
def sample_store(dondoc: Dondoc) -> Dondoc:
    """A store holding the bundled Long Mỹ registry and appendix."""
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx")
    return dondoc
