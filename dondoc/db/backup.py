"""Backups of the store: SQLite through its online backup API, PostgreSQL through ``pg_dump``.

SQLite: :func:`sqlite_backup` copies the database page by page with ``sqlite3.Connection.backup``,
which reads one consistent snapshot even while the bot writes (the committed transactions still in
the WAL file included, what is not committed yet left out); the copy is written beside the target
under a temporary name, turned into a standalone file (no WAL beside it), checked with
``PRAGMA integrity_check`` and only then moved into place, so a failed backup leaves nothing behind.

PostgreSQL: :func:`pg_dump_command` is the ``pg_dump`` command line (custom format, for
``pg_restore``); the password goes in ``PGPASSWORD``, never in the arguments (``ps`` shows those).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The backup could not be made; the message says why (no partial file is left)."""


@dataclass(frozen=True)
class SqliteBackup:
    path: Path
    size: int  # bytes
    pages: int


def sqlite_backup(source: Path, target: Path) -> SqliteBackup:
    """Copy the SQLite database ``source`` to ``target`` (which must not exist) while others may be
    writing it; the copy is checked before it takes its name. Raises :class:`BackupError`."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        # mode=ro: a backup never creates the database it was asked to copy
        origin = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
        try:
            origin.execute("PRAGMA busy_timeout=10000")
            copy = sqlite3.connect(partial)
            try:
                origin.backup(copy)  # one consistent snapshot, written pages restarting it are re-copied
                copy.execute("PRAGMA journal_mode=DELETE")  # a standalone file: restored by copying it back
                check = [row[0] for row in copy.execute("PRAGMA integrity_check")]
                pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
            finally:
                copy.close()
        finally:
            origin.close()
        if check != ["ok"]:
            raise BackupError("integrity_check: " + "; ".join(map(str, check[:5])))
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(str(error)) from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return SqliteBackup(target, target.stat().st_size, pages)


def libpq_url(url: str | URL) -> URL:
    """``url`` as libpq (``pg_dump``, ``psql``) reads it: no SQLAlchemy driver name, no password."""
    parsed = make_url(url) if isinstance(url, str) else url
    return URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )


def pg_dump_command(url: str | URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump`` arguments writing a custom-format dump of ``url`` to ``target``, and the
    environment variables it needs beside them (``PGPASSWORD`` when the URL has a password)."""
    parsed = make_url(url) if isinstance(url, str) else url
    env = {"PGPASSWORD": str(parsed.password)} if parsed.password else {}
    dsn = libpq_url(parsed).render_as_string(hide_password=False)
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"], env
