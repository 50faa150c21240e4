"""``dondoc backup -o FILE``: SQLite through the online backup API, consistent while the bot writes;
PostgreSQL through pg_dump (run here only where a server and pg_dump are available)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from dondoc.db.session import open_store
from tests.conftest import POSTGRES_URL, Dondoc, _postgres_database, import_sample

ORG = "Ủy ban nhân dân huyện Long Mỹ"


def _organizations(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM organization ORDER BY id")]


def test_a_backup_taken_while_the_bot_writes_holds_what_was_committed_and_is_checked(
    sqlite_url: str, tmp_path: Path
) -> None:
    open_store(sqlite_url).dispose()
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")  # what the bot committed stays in the WAL file
    writer.execute("INSERT INTO organization (name, settings) VALUES ('UBND xã Xà Phiên', '{}')")
    busy = sqlite3.connect(database, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")  # the bot in the middle of a transaction
    busy.execute("INSERT INTO organization (name, settings) VALUES ('not committed yet', '{}')")
    assert _organizations(database) == ["UBND xã Xà Phiên"]
    naive = tmp_path / "naive-copy.db"
    shutil.copyfile(database, naive)  # copying the file alone misses what is in the WAL
    assert _organizations(naive) == []

    output = tmp_path / "backups" / "dondoc-2022-03-15.db"
    output.parent.mkdir()
    result = Dondoc(sqlite_url).ok("--lang", "en", "backup", "-o", output)
    busy.rollback()
    busy.close()
    writer.close()

    assert "integrity check ok" in result.stdout and str(output) in result.stdout
    assert _organizations(output) == ["UBND xã Xà Phiên"]
    with sqlite3.connect(output) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one standalone file
    assert sorted(path.name for path in output.parent.iterdir()) == [output.name]  # no partial, no WAL


def test_a_restored_backup_is_the_store(sample_store: Dondoc, tmp_path: Path) -> None:
    if not sample_store.url.startswith("sqlite"):
        pytest.skip("the SQLite backup; PostgreSQL has its own test")
    before = sample_store.ok("status", "--at", "2022-06-30", "--json").json()
    output = tmp_path / "copy.db"
    sample_store.ok("backup", "-o", output)
    restored = Dondoc(f"sqlite:///{output}")  # restoring is copying the file back in place
    assert restored.ok("status", "--at", "2022-06-30", "--json").json() == before


def test_a_backup_never_overwrites_a_file_unless_forced(sqlite_url: str, tmp_path: Path) -> None:
    dondoc = Dondoc(sqlite_url)
    dondoc.ok("units", "import", Path(__file__).parents[2] / "dondoc" / "data" / "long-my-2022" / "units.yaml")
    output = tmp_path / "yesterday.db"
    output.write_bytes(b"yesterday's backup")
    refused = dondoc("--lang", "en", "backup", "-o", output)
    assert refused.code == 1
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert output.read_bytes() == b"yesterday's backup"
    dondoc.ok("backup", "-o", output, "--force")
    assert _organizations(output) == [ORG]


def test_a_backup_of_a_database_that_does_not_exist_writes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    output = tmp_path / "backup.db"
    result = Dondoc(f"sqlite:///{missing}")("--lang", "en", "backup", "-o", output)
    assert result.code == 1 and "There is no database" in result.stderr
    assert not missing.exists() and not output.exists()


def test_a_backup_into_a_missing_folder_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    open_store(sqlite_url).dispose()
    result = Dondoc(sqlite_url)("--lang", "en", "backup", "-o", tmp_path / "no" / "such" / "backup.db")
    assert result.code == 2 and "does not exist" in result.stderr


def test_without_pg_dump_the_command_to_run_is_printed_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://dondoc:s3cret-pass@db.example.gov.vn:5433/dondoc?sslmode=require"
    result = Dondoc(url)("--lang", "en", "backup", "-o", tmp_path / "dondoc.dump", env={"PATH": str(tmp_path)})
    assert result.code == 2, result.stderr
    assert "pg_dump is not installed" in result.stderr
    assert "pg_dump --format=custom" in result.stderr
    assert "--dbname=postgresql://dondoc@db.example.gov.vn:5433/dondoc?sslmode=require" in result.stderr
    assert "s3cret-pass" not in result.stderr + result.stdout
    assert not (tmp_path / "dondoc.dump").exists()


@pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL configured (DONDOC_TEST_POSTGRES_URL)")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_a_postgresql_backup_restores_with_pg_restore(tmp_path: Path) -> None:
    with _postgres_database(None) as url:
        dondoc = Dondoc(url)
        import_sample(dondoc)
        before = dondoc.ok("status", "--at", "2022-06-30", "--json").json()
        output = tmp_path / "dondoc.dump"
        result = dondoc.ok("--lang", "en", "backup", "-o", output)
        assert "restore with pg_restore" in result.stdout
        listed = subprocess.run(["pg_restore", "--list", str(output)], capture_output=True, text=True, check=True)
        assert "TABLE public report" in listed.stdout
        with _postgres_database(None) as target:
            subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(output)], check=True)
            assert Dondoc(target).ok("status", "--at", "2022-06-30", "--json").json() == before
