"""The logs of the long-running commands (``dondoc run``, ``dondoc serve``): text or one JSON object a
line (``--log-format json`` / ``DONDOC_LOG_FORMAT``), with the deployment's secrets taken out.

Every record goes through :class:`Redact` before it is written, whatever library logged it: the bot
tokens the deployment is configured with (``TELEGRAM_BOT_TOKEN``, ``ZALO_BOT_TOKEN``, the variables
the registry's Zalo bots name in ``token_env``, the webhook secrets, the database password) become
``<NAME>``, anything shaped like a Telegram bot token becomes ``<token>``, and anything shaped like an
invite or link code (``K7QM-3FXP``, ``/start K7QM3FXP``, ``?start=…``) becomes ``<code>`` — in the
message, its arguments and the exception's traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from dondoc.bot.config import Settings
from dondoc.bot.zalo_bots import setting
from dondoc.db.models import ZaloBot
from dondoc.i18n import _
from dondoc.plan.zalo_bots import SINGLE_TOKEN_ENV

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# the variables holding secrets that may end up in a URL or an error message
SECRET_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    SINGLE_TOKEN_ENV,
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_WEBHOOK_SECRET",
)
_ALPHABET = "A-HJ-NP-Za-hj-np-z2-9"  # the invite codes' alphabet (no 0, 1, I, O), any case
_CODE = f"[{_ALPHABET}]{{4}}-[{_ALPHABET}]{{4}}|[A-HJ-NP-Z2-9]{{8}}"
_SHAPES = (
    # a Telegram bot token: the bot's id, a colon, 35 characters
    (re.compile(r"(?<![0-9])[0-9]{5,12}:[A-Za-z0-9_-]{30,}"), "<token>"),
    # a code after /start, /link or start= (a deep link), typed any way
    (re.compile(rf"((?:/start|/link|start=)\s*)[{_ALPHABET}]{{4}}-?[{_ALPHABET}]{{4}}(?![A-Za-z0-9])"), r"\1<code>"),
    # a code on its own: dashed, or eight capitals and digits with at least one digit and one letter
    (re.compile(rf"(?<![A-Za-z0-9])(?:{_CODE})(?![A-Za-z0-9])"), None),
)
_MIN_SECRET = 6  # shorter values would take out ordinary words


class LogFormatError(ValueError):
    """``--log-format`` / ``DONDOC_LOG_FORMAT`` is neither text nor json."""


def log_format(value: str | None) -> str:
    """``value`` checked (default text); :class:`LogFormatError` names it otherwise."""
    chosen = (value or "text").strip().lower()
    if chosen not in FORMATS:
        raise LogFormatError(
            _("--log-format / DONDOC_LOG_FORMAT: {value} is not a log format (use text or json)").format(value=value)
        )
    return chosen


def requested_format(args: Sequence[str], configured: str | None = None) -> str:
    """The log format a command line asks for, read before anything is parsed (its start-up errors
    come before the logs are set up): the last ``--log-format X`` / ``--log-format=X`` naming a format
    (before a ``--``), else ``configured`` (``DONDOC_LOG_FORMAT``) when it names one, else text. A
    value that is not a format is passed over here: the command itself names it."""
    chosen: str | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--log-format" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--log-format="):
            value = arg.partition("=")[2]
        if value is not None and value.strip().lower() in FORMATS:
            chosen = value.strip().lower()
    if chosen is None and configured is not None and configured.strip().lower() in FORMATS:
        chosen = configured.strip().lower()
    return chosen or "text"


def json_record(
    message: str, *, level: int = logging.ERROR, logger: str = "dondoc.cli", redact: Redact | None = None
) -> str:
    """``message`` as one line of the JSON logs (the fields of :class:`JsonFormatter`, through
    ``redact``), for what is written while no logs are set up: a start-up error, the last resort."""
    record = logging.LogRecord(logger, level, __file__, 0, message, None, None)
    (redact or Redact()).filter(record)
    return JsonFormatter().format(record)


def _is_code(text: str) -> bool:
    return "-" in text or (any(c.isdigit() for c in text) and any(c.isalpha() for c in text))


class Redact(logging.Filter):
    """Takes the deployment's secrets and anything shaped like a token or an invite code out of every
    record (message, arguments, traceback). Attached to the handler, so every library's records pass."""

    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.secrets: dict[str, str] = {}
        self.add(secrets or {})

    def add(self, secrets: Mapping[str, str]) -> None:
        """Also take out ``secrets`` (value → the name shown instead, e.g. ``<TELEGRAM_BOT_TOKEN>``)."""
        for value, name in secrets.items():
            if len(value.strip()) >= _MIN_SECRET:
                self.secrets[value.strip()] = name

    def redact(self, text: str) -> str:
        for value in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(value, self.secrets[value])
        for pattern, replacement in _SHAPES:
            if replacement is not None:
                text = pattern.sub(replacement, text)
            else:
                text = pattern.sub(lambda m: "<code>" if _is_code(m.group(0)) else m.group(0), text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and
    ``exception`` (the traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _StandardError(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record comes (as logging's last resort does)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


_installed: list[tuple[logging.Handler, int, dict[str, int]]] = []  # handler, root level, quiet loggers' levels
# Libraries kept to warnings: httpx logs a line per request, with the bot token in its URL; alembic a
# line per migration step, before every command's first line; apscheduler two lines per run of the
# reminder job, every 15 s (its warnings, a run missed or still running, stay).
_QUIET = ("httpx", "alembic", "apscheduler")


def configure_logging(
    fmt: str, secrets: Mapping[str, str] | None = None, *, stream: TextIO | None = None, level: int = logging.INFO
) -> Redact:
    """Send the logs to ``stream`` (default standard error) in ``fmt`` (``text`` or ``json``), through
    a :class:`Redact` holding ``secrets``; returns it, to add secrets learnt later. Calling it again
    replaces what it installed before; ``logging.basicConfig`` after it changes nothing."""
    chosen = log_format(fmt)
    reset_logging()
    root = logging.getLogger()
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.setFormatter(JsonFormatter() if chosen == "json" else logging.Formatter(TEXT_FORMAT))
    redact = Redact(secrets)
    handler.addFilter(redact)
    _installed.append((handler, root.level, {name: logging.getLogger(name).level for name in _QUIET}))
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redact


def reset_logging() -> None:
    """Undo :func:`configure_logging` (when the command ends, and in tests)."""
    root = logging.getLogger()
    while _installed:
        handler, root_level, levels = _installed.pop()
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, quiet_level in levels.items():
            logging.getLogger(name).setLevel(quiet_level)


def configured_secrets(settings: Settings, names: Iterable[str] = ()) -> dict[str, str]:
    """The secrets of the settings and of the variables ``names`` (the registry's ``token_env``):
    value → ``<NAME>``. The database URL's password too."""
    found: dict[str, str] = {}
    for name in (*SECRET_VARIABLES, *names):
        value = setting(settings, name)
        if value:
            found[value] = f"<{name}>"
    for value, name in (
        (settings.telegram_bot_token, "TELEGRAM_BOT_TOKEN"),
        (settings.telegram_webhook_secret or "", "TELEGRAM_WEBHOOK_SECRET"),
    ):
        if value.strip():
            found[value.strip()] = f"<{name}>"
    if settings.database_url:
        try:
            password = make_url(settings.database_url).password
        except Exception:  # a URL the store will refuse with its own message
            password = None
        if password:
            found[str(password)] = "<password>"
    return found


def registry_token_variables(engine: Engine) -> list[str]:
    """The variables the registry's Zalo bots read their tokens from, every organisation; none when
    the store cannot say (not migrated yet, unreachable: the command reports that itself)."""
    try:
        with Session(engine) as session:
            return sorted(set(session.exec(select(ZaloBot.token_env)).all()))
    except SQLAlchemyError:
        return []
