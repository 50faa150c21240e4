"""Operations: ``dondoc db upgrade`` / ``dondoc db current`` (the schema's Alembic revision) and
``dondoc backup -o FILE`` (SQLite's online backup API; ``pg_dump`` for PostgreSQL)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from alembic.util import CommandError
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from dondoc.cli.common import fail, global_options, settings, usage
from dondoc.db.backup import BackupError, libpq_url, pg_dump_command, sqlite_backup
from dondoc.db.session import (
    StoreError,
    current_revision,
    database_url,
    head_revision,
    known_revision,
    migrate,
    open_store,
    pending_revisions,
)
from dondoc.i18n import _, current_language, ngettext

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


def _engine() -> Engine:
    """The configured database as it is (not migrated)."""
    try:
        return open_store(settings().database_url, upgrade=False)
    except StoreError as error:
        usage(str(error))


def _shown(engine: Engine) -> str:
    """The database's URL as the operator wrote it: no password, no driver dondoc chose (+psycopg)."""
    return engine.url.set(drivername=engine.url.get_backend_name()).render_as_string(hide_password=True)


def _revision_name(revision: str | None) -> str:
    return revision if revision is not None else _("an empty database (no schema)")


def _check_known(engine: Engine, revision: str | None) -> None:
    """A database a newer dondoc migrated cannot be handled by this one: say so (exit 1)."""
    if revision is not None and not known_revision(revision):
        fail(
            _(
                "The database {url} is at revision {revision}, which this version of dondoc does not know "
                "(a newer release migrated it): install that release, or restore a backup made before it."
            ).format(url=_shown(engine), revision=revision)
        )


@db_app.command("upgrade")
@global_options
def db_upgrade() -> None:
    """Run the schema migrations up to the newest one, saying from which revision to which."""
    engine = _engine()
    try:
        before = current_revision(engine)
        _check_known(engine, before)
        steps = pending_revisions(engine)
        try:
            migrate(engine)
        except (CommandError, StoreError) as error:
            fail(_("The migration of {url} failed: {error}").format(url=_shown(engine), error=error))
        after = current_revision(engine)
    finally:
        engine.dispose()
    if not steps:
        typer.echo(
            _("The database {url} is up to date: revision {revision}.").format(url=_shown(engine), revision=after)
        )
        return
    typer.echo(
        _("The database {url} was upgraded from {before} to {after} ({steps}).").format(
            url=_shown(engine), before=_revision_name(before), after=after, steps=", ".join(steps)
        )
    )


@db_app.command("current")
@global_options
def db_current() -> None:
    """Show the schema revision of the database and the migrations it lacks (changes nothing)."""
    url = _url()
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.exists():
            fail(_("There is no database at {path}.").format(path=path.absolute()))
    engine = _engine()
    try:
        revision = current_revision(engine)
        _check_known(engine, revision)
        steps = pending_revisions(engine)
    finally:
        engine.dispose()
    typer.echo(_("Database: {url}").format(url=_shown(engine)))
    typer.echo(_("Revision: {revision}").format(revision=_revision_name(revision)))
    if steps:
        typer.echo(
            _("Behind the newest revision {head} by {count} migration(s): {steps}. Run dondoc db upgrade.").format(
                head=head_revision(), count=len(steps), steps=", ".join(steps)
            )
        )
    else:
        typer.echo(_("Up to date (the newest revision of this version of dondoc)."))


def _url() -> URL:
    text = database_url(settings().database_url)
    try:
        return make_url(text)
    except (ArgumentError, ValueError):
        _engine()  # says what is wrong with the URL, in the store's words
        raise  # not reached


@global_options
def backup(
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write the backup to.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Back the database up while the bot runs: SQLite through its online backup API (the copy is
    checked), PostgreSQL through pg_dump (custom format, for pg_restore)."""
    url = _url()
    if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
        _engine()  # refused with the store's message
    if output.is_dir():
        usage(_("-o: {path} is a folder; name the backup file").format(path=output))
    if not output.absolute().parent.is_dir():
        usage(_("-o: the folder {folder} does not exist").format(folder=output.absolute().parent))
    if output.exists() and not force:
        fail(_("{path} already exists: choose another file, or add --force to overwrite it.").format(path=output))
    if url.get_backend_name() == "sqlite":
        _backup_sqlite(url, output)
    else:
        _backup_postgres(url, output)


def file_size(size: int) -> str:
    """A file's size as people read it, in the run's language: "812 byte", "676 KB", "0,7 MB"
    (Vietnamese decimal comma), "2,3 GB"."""
    from babel.numbers import format_decimal

    if size < 1024:
        return ngettext("{count} byte", "{count} bytes", size).format(count=size)
    if size < 1024 * 1024:
        return f"{format_decimal(round(size / 1024), '#,##0', locale=current_language())} KB"
    if size < 1024**3:
        return "{size} MB".format(size=format_decimal(size / 1024**2, "#,##0.0", locale=current_language()))
    return "{size} GB".format(size=format_decimal(size / 1024**3, "#,##0.0", locale=current_language()))


def _backup_sqlite(url: URL, output: Path) -> None:
    name = url.database or ""
    if not name or name == ":memory:" or url.query.get("mode") == "memory":
        usage(_("An in-memory database cannot be backed up."))
    source = Path(name)
    if not source.is_file():
        fail(_("There is no database at {path}.").format(path=source.absolute()))
    if source.absolute() == output.absolute():
        usage(_("-o: {path} is the database itself; choose another file").format(path=output))
    try:
        made = sqlite_backup(source, output)
    except BackupError as error:
        fail(_("The backup of {path} failed, nothing was written: {error}").format(path=source, error=error))
    typer.echo(
        _("Backup of {source} written to {path}: {size}, integrity check ok.").format(
            source=source, path=made.path, size=file_size(made.size)
        )
    )


def _backup_postgres(url: URL, output: Path) -> None:
    partial = output.with_name(f".{output.name}.partial")
    args, extra_env = pg_dump_command(url, partial)
    shown = shlex.join([*args[:-2], f"--file={output}", f"--dbname={libpq_url(url).render_as_string()}"])
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        usage(
            _(
                "pg_dump is not installed (Debian: apt-get install postgresql-client, of the server's major "
                "version or newer). Run it yourself, with the password in PGPASSWORD: {command}"
            ).format(command=shown)
        )
    typer.echo(_("Running: {command}").format(command=shown), err=True)
    env = {**os.environ, **extra_env}
    try:
        done = subprocess.run([pg_dump, *args[1:]], env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            # every line (the first says what failed, the next ones hint why), on one line
            detail = " ".join(line.strip() for line in done.stderr.splitlines() if line.strip())
            fail(_("pg_dump failed, nothing was written: {error}").format(error=detail))
        pg_restore = shutil.which("pg_restore")
        if pg_restore is not None:  # the dump can be read back: its table of contents lists
            listed = subprocess.run([pg_restore, "--list", str(partial)], capture_output=True, check=False)
            if listed.returncode != 0:
                fail(_("The dump pg_dump wrote cannot be read by pg_restore; nothing was kept."))
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    typer.echo(
        _("Backup of {database} written to {path}: {size} (restore with pg_restore).").format(
            database=url.database, path=output, size=file_size(output.stat().st_size)
        )
    )
