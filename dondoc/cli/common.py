"""What every command shares: the settings of this run, the global options (``--db``, ``--lang``,
``--org``, ``--log-format``, accepted before the command or after it), the logs of the long-running
commands, the options several commands take, what the commands that enter something on a unit's
behalf look up (the unit, its assignment, the moment), and the
way a command ends (one line on standard error and an exit code).

Exit codes: 0 done, 1 the input was refused (every problem listed), 2 wrong usage or configuration.
"""

from __future__ import annotations

import difflib
import errno
import functools
import inspect
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, Protocol, TypeVar

import typer
from alembic.util import CommandError
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from dondoc.bot.config import Settings, TelegramConfig
from dondoc.bot.logs import (
    LogFormatError,
    Redact,
    configure_logging,
    configured_secrets,
    json_record,
    log_format,
    registry_token_variables,
    requested_format,
    reset_logging,
)
from dondoc.bot.logs import log_format as log_format_checked
from dondoc.db.models import Assignment, Organization, Plan, Unit
from dondoc.db.queries import active_assignment
from dondoc.db.session import StoreError, current_revision, known_revision, make_engine, open_store
from dondoc.handlers.onboarding import units_typed
from dondoc.i18n import LANGUAGES, N_, _, ngettext, set_language
from dondoc.plan import dates
from dondoc.plan.problems import InputError, Problem
from dondoc.plan.progress import several_units
from dondoc.plan.store import NotFound, find_organization, find_plan
from dondoc.scheduler.calendar import WorkCalendar, calendar_from_file
from dondoc.scheduler.clock import FIRST_YEAR, LAST_YEAR, Clock, ClockSettingError, clock_at
from dondoc.text import match_key
from dondoc.tz import TZ

P = ParamSpec("P")

# What the options that take a date or an instant show in the help ("--at NGÀY"), through the
# catalogue like the other value names (dondoc.cli.help_i18n translates a metavar set here).
# TRANSLATORS: what a date option takes, in the help (--at DATE); capitals, no spaces
DATE = N_("DATE")
# TRANSLATORS: what an option taking a date and a time shows in the help (--at DATE_TIME); capitals, no spaces
DATE_TIME = N_("DATE_TIME")
# TRANSLATORS: what --org takes in the help (--org NAME: an organisation's name or part of it); capitals, no spaces
NAME = N_("NAME")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (else DONDOC_DATABASE_URL, else sqlite:///dondoc.db)."),
]
SandboxDbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: dondoc-sandbox.db in the current folder, whatever DONDOC_DATABASE_URL says).",
    ),
]
LangOption = Annotated[
    str | None, typer.Option("--lang", metavar="vi|en", help="Language of messages: vi (default) or en.")
]
OrgOption = Annotated[
    str | None,
    typer.Option("--org", metavar=NAME, help="Organisation name (any part of it), when the store holds several."),
]
LogFormatOption = Annotated[
    str | None,
    typer.Option(
        "--log-format",
        help="Logs of run and serve: text (default) or json, one object a line (else DONDOC_LOG_FORMAT).",
    ),
]
LONG_RUNNING = ("run", "serve")  # the commands that log (to standard error) rather than print
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PlanOption = Annotated[str | None, typer.Option("--plan", help="Plan key (default: the newest plan).")]
AtOption = Annotated[str | None, typer.Option("--at", metavar=DATE, help="Status as of this date (default: today).")]


def task_option(example: str = "III.4.") -> Any:
    """``--task``, the code of a task of the plan (``example`` shows one in the help)."""
    return typer.Option("--task", help=f"Task code, e.g. {example}")


def at_option(done: str) -> Any:
    """``--at``, the day something entered on paper was ``done`` (read by :func:`entered_at`)."""
    return typer.Option("--at", metavar=DATE, help=f"The day it was {done} (default today).")


def output_option(kind: str) -> Any:
    """``-o``/``--output``, the ``kind`` file (docx, PNG, xlsx) a command writes."""
    return typer.Option("-o", "--output", dir_okay=False, help=f"The {kind} file to write.")


DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check the file, write nothing.")]
TaskOption = Annotated[str, task_option()]
UnitOption = Annotated[str, typer.Option("--unit", help="Unit code or name.")]


# ---------------------------------------------------------------- the settings of this run


@dataclass
class Run:
    """This run's configuration: the settings (environment, ``.env``) with the global options on top."""

    settings: Settings = field(default_factory=Settings)
    org: str | None = None
    log_format: str | None = None  # --log-format
    db_option: str | None = None  # --db as typed (the sandbox uses its own file unless given one)
    redact: Redact | None = None  # the logs' filter, once a long-running command set them up
    logs: str | None = None  # the logs' format (text, json), once a long-running command set them up
    running: bool = False  # the command itself runs (its global options read): start-up is over


_run: Run | None = None
# The log format the command line asks for, read by main() before Click parses anything (None: not
# read, as when a test invokes the app itself): what start-up errors are written in.
_requested: str | None = None


def current() -> Run:
    """This run's configuration (read from the environment if no command set it up yet)."""
    global _run
    if _run is None:
        _run = Run()
    return _run


def current_if_started() -> Run | None:
    return _run


def start(db: str | None, lang: str | None, org: str | None, log_format: str | None = None) -> None:
    """Read the environment and ``.env`` once; the global options given before the command win."""
    global _run
    _run = Run(Settings(), org)
    set_language(_run.settings.lang)  # a wrong --lang is told in the language of DONDOC_LANG
    apply_options(db, lang, org, log_format)
    if not lang:
        check_language(_run.settings.lang, "DONDOC_LANG")


def check_language(value: str | None, option: str) -> None:
    """``value`` (of ``option``) names a language dondoc speaks (``vi``, ``en``, or a tag such as
    ``en-US``); another ends the command naming it and the languages there are (exit 2)."""
    if value is None or not value.strip():
        return
    if value.strip().replace("_", "-").split("-")[0].lower() not in LANGUAGES:
        usage(
            _("{option}: {value} is not a supported language (use one of: {languages})").format(
                option=option, value=value, languages=", ".join(LANGUAGES)
            )
        )


def apply_options(db: str | None, lang: str | None, org: str | None, log_format: str | None = None) -> None:
    """Global options: the ones repeated after the command override the ones before it."""
    run = current()
    check_language(lang, "--lang")
    update = {name: value for name, value in (("database_url", db), ("lang", lang)) if value}
    if update:
        run.settings = run.settings.model_copy(update=update)
    if lang:
        set_language(lang)
    if db:
        run.db_option = db
    if org:
        run.org = org
    if log_format:
        try:  # a typo is told by every command, not only by run and serve, which log
            log_format_checked(log_format)
        except LogFormatError as error:
            usage(str(error))
        run.log_format = log_format
        if run.redact is not None:  # given after the command: the logs are set up again in that format
            start_logging()


def start_logging() -> None:
    """The logs of a long-running command: ``--log-format`` (else ``DONDOC_LOG_FORMAT``, else text) on
    standard error, with the deployment's tokens, secrets and invite codes taken out of every record."""
    run = current()
    try:
        chosen = log_format(run.log_format or run.settings.log_format)
    except LogFormatError as error:
        usage(str(error))
    secrets = configured_secrets(run.settings, _registry_token_variables())
    run.redact = configure_logging(chosen, secrets)
    run.logs = chosen


def request_log_format(args: Sequence[str] | None) -> None:
    """Note the log format ``args`` (the command line, before Click parses it) ask for, else
    ``DONDOC_LOG_FORMAT``; None forgets it (the run is over)."""
    global _requested
    if args is None:
        _requested = None
        return
    try:
        configured = Settings().log_format
    except Exception:  # a .env that cannot be read: the command reports it, in the format asked for
        configured = os.environ.get("DONDOC_LOG_FORMAT")
    _requested = requested_format(args, configured)


def json_requested() -> bool:
    """Whether this run's lines on standard error are to be JSON (``--log-format json`` anywhere on
    the command line, else ``DONDOC_LOG_FORMAT=json``), whether or not the logs are set up yet."""
    if _requested is not None:
        return _requested == "json"
    run = current_if_started()
    if run is None:
        return requested_format([], os.environ.get("DONDOC_LOG_FORMAT")) == "json"
    typed = ["--log-format", run.log_format] if run.log_format else []
    return requested_format(typed, run.settings.log_format) == "json"


def error_record(text: str) -> str:
    """``text`` as one JSON log line of level ERROR, the deployment's secrets and anything shaped like
    a token or an invite code taken out, as the logs would write it."""
    run = current_if_started()
    try:
        secrets = configured_secrets(run.settings if run is not None else Settings())
    except Exception:  # settings that cannot be read: the shapes of tokens and codes are still taken out
        secrets = {}
    return json_record(text, redact=Redact(secrets))


def stop_logging() -> None:
    reset_logging()
    current().redact = None
    current().logs = None


def _registry_token_variables() -> list[str]:
    """The ``token_env`` variables of the registry's Zalo bots, read from the store as it is (not
    migrated; a SQLite file that does not exist is not created): none when it cannot say."""
    url = settings().database_url or ""
    try:
        parsed = make_url(url or "sqlite:///dondoc.db")
        if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
            return []
        engine = make_engine(parsed.render_as_string(hide_password=False))
    except Exception:  # the command reports what is wrong with the store in its own words
        return []
    try:
        return registry_token_variables(engine)
    finally:
        engine.dispose()


def settings() -> Settings:
    return current().settings


def configured_bot_username(config: TelegramConfig) -> str | None:
    """The Telegram bot's username of ``TELEGRAM_BOT_USERNAME`` (written with or without @), if set:
    nothing here makes one up (``run`` and ``serve`` ask Telegram, ``invite`` asks no one)."""
    return (config.bot_username or "").strip().removeprefix("@") or None


def global_options(command: Callable[P, None]) -> Callable[..., None]:
    """``command`` also accepting ``--db``, ``--lang``, ``--org`` and ``--log-format`` after its name
    (they override the ones given before it)."""
    return _with_options(command, DbOption)


def sandbox_options(command: Callable[P, None]) -> Callable[..., None]:
    """:func:`global_options` for the sandbox, whose ``--db`` help names its own default file."""
    return _with_options(command, SandboxDbOption)


def _with_options(command: Callable[P, None], db_option: object) -> Callable[..., None]:
    shared = {"db": db_option, "lang": LangOption, "org": OrgOption, "log_format": LogFormatOption}

    @functools.wraps(command)
    def with_options(
        *args: Any,
        db: str | None = None,
        lang: str | None = None,
        org: str | None = None,
        log_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        apply_options(db, lang, org, log_format)
        current().running = True
        command(*args, **kwargs)

    signature = inspect.signature(command, eval_str=True)  # the annotations themselves, for typer
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in shared.items()
    ]
    with_options.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *extra])  # type: ignore[attr-defined]
    with_options.__annotations__ = {**command.__annotations__, **shared}
    return with_options


# ---------------------------------------------------------------- what the settings open


def store() -> Engine:
    try:
        return open_store(settings().database_url)
    except StoreError as error:
        usage(str(error))
    except CommandError:  # Alembic cannot place the database's revision: a newer release migrated it
        refuse_newer_database()
        raise


def refuse_newer_database() -> None:
    """A database at a revision this version does not know is refused untouched, in the words of
    ``dondoc db upgrade`` (exit 1); anything else is left to the caller."""
    try:
        engine = open_store(settings().database_url, upgrade=False)
    except StoreError:
        return
    try:
        revision = current_revision(engine)
        shown = engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()
    if revision is not None and not known_revision(revision):
        fail(
            _(
                "The database {url} is at revision {revision}, which this version of dondoc does not know "
                "(a newer release migrated it): install that release, or restore a backup made before it."
            ).format(url=shown, revision=revision)
        )


def clock() -> Clock:
    try:
        return clock_at(settings().now, settings().clock_speed, settings().clock_origin)
    except ClockSettingError as error:
        usage(str(error))


def calendar() -> WorkCalendar:
    """The work calendar with the overrides of ``DONDOC_CALENDAR``; a bad file is refused (exit 1)."""
    try:
        return calendar_from_file(settings().calendar)
    except InputError as error:
        refuse(error)


def organization(session: Session) -> Organization:
    """The organisation of ``--org`` (any part of its name that fits no other, typed with or without
    diacritics), or the only one in the store. Several without ``--org``, or a name that fits none or
    several, is wrong usage (exit 2): the line names the ones meant, or the nearest, or them all."""
    typed = current().org
    if not (typed or "").strip():
        try:
            return find_organization(session, None)
        except NotFound as exc:
            every = list(session.exec(select(Organization).order_by(Organization.name)))
            if not every:  # nothing imported yet: the input is missing, not the option
                fail(str(exc))
            usage(str(exc) + " — " + _("the organisations in this database: {names}").format(names=_names(every)))
    assert typed is not None
    every = list(session.exec(select(Organization).order_by(Organization.name)))
    fits = organizations_named(every, typed)
    if len(fits) == 1:
        return fits[0]
    if fits:
        usage(
            _("{name} fits several organisations: {names}; type more of the name").format(
                name=quoted(typed), names=_names(fits)
            )
        )
    if not every:
        fail(
            _(
                "no unit registry yet: run `dondoc units import FILE` first (a list of units in xlsx or csv, or a registry in YAML)"
            )
        )
    message = _("no organisation named {name}").format(name=quoted(typed))
    near = difflib.get_close_matches(match_key(typed), [match_key(org.name) for org in every], n=3, cutoff=0.6)
    nearest = [org for org in every if match_key(org.name) in near]
    if nearest:
        usage(message + " — " + _("did you mean {names}?").format(names=_names(nearest)))
    usage(message + " — " + _("the organisations in this database: {names}").format(names=_names(every)))


def organizations_named(every: Sequence[Organization], typed: str) -> list[Organization]:
    """The organisations of ``every`` that ``typed`` names: the one of that exact name, else the ones
    whose name is ``typed`` with case, diacritics and punctuation ignored, else the ones whose name has
    its words in a row ("long my"), else the ones whose name holds it at all ("Hậu Gia")."""
    exact = [org for org in every if org.name == typed.strip()]
    if exact:
        return exact
    wanted = match_key(typed)
    if len(wanted.replace(" ", "")) < 2:
        return []
    for fits in (
        lambda key: key == wanted,
        lambda key: f" {wanted} " in f" {key} ",
        lambda key: wanted in key,
    ):
        found = [org for org in every if fits(match_key(org.name))]
        if found:
            return found
    return []


def quoted(value: str) -> str:
    """A value a person typed, as an error names it: «long my»."""
    return f"«{value}»"


def _names(organizations: Sequence[Organization]) -> str:
    return "; ".join(quoted(org.name) for org in organizations)


def plan(session: Session, key: str | None) -> Plan:
    try:
        return find_plan(session, organization(session), key)
    except NotFound as exc:
        fail(str(exc))


def registry_unit(session: Session, organization_id: int | None, typed: str) -> Unit:
    """The organisation's unit typed by code or name; one not in the registry ends the command (exit 1)."""
    fits = units_typed(session, organization_id, typed)
    if len(fits) > 1:  # names differing only in their diacritics ("xa binh thanh"): never a guess
        fail(several_units(typed, fits))
    if not fits:
        fail(_("no unit {unit} in the registry").format(unit=quoted(typed)))
    return fits[0]


def unit_assignment(session: Session, found_plan: Plan, task: str, typed_unit: str) -> tuple[Unit, Assignment]:
    """The unit typed by code or name (``--unit``) and its active assignment to the plan's task of code
    ``task`` (``--task``); a unit not in the registry, or a task not assigned to it, ends the command
    (exit 1)."""
    found = registry_unit(session, found_plan.organization_id, typed_unit)
    assert found_plan.id is not None and found.id is not None
    row = active_assignment(session, found_plan.id, task, found.id)
    if row is None:
        fail(_("task {task} is not assigned to {unit}").format(task=task, unit=found.code))
    return found, row


# ---------------------------------------------------------------- ending a command


def fail(message: str, code: int = 1) -> NoReturn:
    complain(sentence(message))
    raise typer.Exit(code)


def complain(text: str) -> None:
    """Why a command stops, on standard error: as plain lines, or one log record of level ERROR when
    a long-running command logs in JSON (``--log-format json``), so that every line of it is JSON. A
    start-up error (an option or a setting refused before the command runs and its logs are set up)
    is one JSON line too when JSON was asked for (:func:`json_requested`)."""
    run = current_if_started()
    if run is not None and run.logs == "json":
        logging.getLogger("dondoc.cli").error(text)
    elif (run is None or not run.running) and json_requested():
        # before the logs are set up (a wrong option or setting): one JSON line all the same
        typer.echo(error_record(text), err=True)
    else:
        typer.echo(text, err=True)


def sentence(message: str) -> str:
    """``message`` as a line that starts a sentence: its first word capitalised when it is a plain word
    ("chưa có danh mục…" → "Chưa có danh mục…"; the catalogue's messages are also shown mid-sentence in
    chat). A first word that is an option, a file or a code ("--at: …", "sb.backup đã tồn tại") stays."""
    first = message.split(maxsplit=1)[0] if message.strip() else ""
    if first.rstrip(",:;").isalpha() and first[0].islower() and message.startswith(first):
        return message[0].upper() + message[1:]
    return message


def os_error_reason(error: OSError, path: Path) -> str:
    """Why ``path`` could not be written, in the run's language (the system's own words are English)."""
    if error.errno == errno.ENOENT and not path.parent.is_dir():
        return _("the folder {folder} does not exist").format(folder=path.parent)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("no permission to write there")
    if error.errno == errno.EISDIR:
        return _("it is a folder")
    if error.errno == errno.ENOTDIR:
        return _("part of the path is not a folder")
    if error.errno == errno.ENOSPC:
        return _("the disk is full")
    return str(error.strerror or error)


def usage(message: str) -> NoReturn:
    """Wrong usage or configuration: one line, exit 2."""
    fail(message, 2)


def refuse(error: InputError) -> NoReturn:
    lines = [_("Refused, nothing was written: {count} problem(s).").format(count=len(error.problems))]
    lines += [f"  - {problem}" for problem in error.problems]
    complain("\n".join(lines + _warning_lines(error.warnings)))
    raise typer.Exit(1)


def show_warnings(warnings: list[Problem]) -> None:
    """Warnings on standard error: what an import left out or assumed (it went ahead)."""
    for line in _warning_lines(warnings):
        typer.echo(line, err=True)


def _warning_lines(warnings: list[Problem]) -> list[str]:
    if not warnings:
        return []
    count = ngettext("{count} warning:", "{count} warnings:", len(warnings)).format(count=len(warnings))
    return [count, *(f"  - {warning}" for warning in warnings)]


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


class Listed(Protocol):
    def to_json(self) -> dict[str, Any]: ...


L = TypeVar("L", bound=Listed)


def print_list(rows: Sequence[L], as_json: bool, none: str, line: Callable[[L], str]) -> None:
    """A listing: the rows as a JSON array (``--json``), else ``none`` when there is none, else one
    ``line`` each."""
    if as_json:
        print_json([row.to_json() for row in rows])
        return
    if not rows:
        typer.echo(none)
    for row in rows:
        typer.echo(line(row))


# ---------------------------------------------------------------- dates typed on the command line


def read_date(value: str, option: str) -> date | None:
    """The date ``value`` writes (read as the chat reads dates), None when it is not written as a date;
    a day that does not exist ends the command naming ``option``."""
    found = dates.read_date(value.strip())
    if found == dates.DateProblem.NO_SUCH_DATE:
        usage(_("{option}: the date {value} does not exist").format(option=option, value=value))
    return None if isinstance(found, dates.DateProblem) else found


def check_year(day: date | datetime, value: str, option: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        usage(
            _("{option}: {value} is out of range: dondoc works with dates from {first} to {last}").format(
                option=option, value=value, first=FIRST_YEAR, last=LAST_YEAR
            )
        )


def parse_cli_date(value: str, option: str = "--at", *, bounded: bool = True) -> date:
    """A date as ISO (2022-03-31) or as written in Vietnam (31/03/2022), in the years dondoc handles
    unless ``bounded`` is false; anything else ends the command with one line naming ``option``."""
    day = read_date(value, option)
    if day is None:
        usage(_("{option}: not a date: {value} (use 2022-03-31 or 31/03/2022)").format(option=option, value=value))
    if bounded:
        check_year(day, value, option)
    return day


def entered_at(at: str | None, now: datetime, *, bounded: bool = True) -> datetime:
    """When something entered on paper happened (``--at``): now when it is today (or not given), else
    17:00 of that day in Vietnam."""
    day = parse_cli_date(at, bounded=bounded) if at else now.date()
    return now if day == now.date() else datetime.combine(day, time(17, 0), tzinfo=TZ)


def as_of(at: str | None) -> date:
    """The day ``--at`` names, else today."""
    return parse_cli_date(at) if at else clock().today()
