"""Every unhandled error reported to the deployment's administrators in chat, once per kind per hour.

:class:`ErrorReports` is a logging handler on the ``dondoc`` logger: a record of level ERROR or above
that carries an exception (what the channels, the web app and the reminder job log when something
they did not foresee went wrong) is an unhandled error. Its *kind* is the exception's type and the
place in dondoc's code where it was raised; its *context* is what was being done (the channel and
kind of update, the command's name, or the part of dondoc that logged it) — never the message text,
the exception's own text, a token or a code.

"Once per kind per hour" is a row in the ``dispatch`` table (key ``error:<hash of kind>:<hour>``),
claimed before sending: two processes that meet the same error in the same hour report it once.
The claim and the sends run as a task on the event loop (a record may come from a worker thread);
:meth:`ErrorReports.idle` waits for them. An error while reporting is only logged, as a warning.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dondoc.db.models import Dispatch, ReminderState
from dondoc.db.session import session_scope
from dondoc.handlers.events import Reply, Send, esc
from dondoc.i18n import _, normalize_language, use_language
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.sweeper import administrators

log = logging.getLogger(__name__)
_PACKAGE = Path(__file__).resolve().parents[1]  # dondoc/
_inside = threading.local()  # set while a record is being looked at: the reporter's own errors are not reported


@dataclass(frozen=True)
class ErrorKind:
    """What is reported: the exception's type, where dondoc raised it, and what it was doing."""

    name: str  # e.g. "KeyError"
    where: str  # e.g. "dondoc/handlers/report.py:120"
    context: str  # e.g. "telegram command /report", or the logger's name

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.name}@{self.where}".encode()).hexdigest()[:24]


def kind_of(error: BaseException, context: str) -> ErrorKind:
    """``error``'s kind: its type and the innermost frame of its traceback inside dondoc (else the innermost)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    for frame in reversed(frames):
        path = Path(frame.filename)
        if path.is_relative_to(_PACKAGE):
            where = f"dondoc/{path.relative_to(_PACKAGE).as_posix()}:{frame.lineno}"
            break
    if not where and frames:
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return ErrorKind(type(error).__name__, where or "?", context)


def claim_report(engine: Engine, kind: ErrorKind, now: datetime) -> bool:
    """Whether this process is the one to report ``kind`` in ``now``'s hour (Vietnam time)."""
    hour = now.astimezone(TZ).strftime("%Y-%m-%dT%H")
    try:
        with session_scope(engine) as session:
            session.add(Dispatch(key=f"error:{kind.key}:{hour}", claimed_at=now, state=ReminderState.SENT, sent_at=now))
    except IntegrityError:
        return False  # reported already this hour (by this process or another)
    return True


def report_text(kind: ErrorKind, now: datetime) -> str:
    """The administrators' report, in the current language."""
    return _(
        "⚠️ Unhandled error <b>{name}</b> at {where}, while handling: {context} ({time}). "
        "The same error is reported at most once an hour; the logs have the details."
    ).format(
        name=esc(kind.name),
        where=esc(kind.where),
        context=esc(kind.context),
        time=now.astimezone(TZ).strftime("%d/%m/%Y %H:%M"),
    )


class ErrorReports(logging.Handler):
    """The logging handler that reports unhandled errors to the administrators (see the module).
    ``count``: told the kind's name of every unhandled error, reported or not (the metrics' counter)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        senders: Mapping[str, Send],
        count: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(logging.ERROR)
        self.engine = engine
        self.clock = clock
        self.senders = senders
        self.count = count
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0  # the event loop's thread
        self._tasks: set[asyncio.Task[int]] = set()
        self._logger = logging.getLogger("dondoc")

    # -------------------------------------------------------------- lifecycle (a web app's background job)

    def start(self) -> None:
        """Report from now on, on the running event loop."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        if self not in self._logger.handlers:
            self._logger.addHandler(self)

    def stop(self) -> None:
        self._logger.removeHandler(self)
        self._loop = None

    async def idle(self) -> None:
        """Wait until every report begun has been claimed and sent."""
        await asyncio.sleep(0)  # one turn of the loop: a report a worker thread asked for is begun
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -------------------------------------------------------------- logging

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_inside, "active", False) or record.exc_info is None:
            return
        error = record.exc_info[1]
        loop = self._loop
        if error is None or loop is None or getattr(error, "_dondoc_reported", False):
            return
        _inside.active = True
        try:
            with contextlib.suppress(AttributeError):  # logged again higher up: counted and reported once
                error._dondoc_reported = True  # type: ignore[attr-defined]
            context = getattr(record, "context", None) or record.name
            kind = kind_of(error, str(context))
            if self.count is not None:
                self.count(kind.name)
            if threading.get_ident() == self._thread:
                self._spawn(kind, self.clock.now())
            else:  # from a worker thread: the loop starts it
                loop.call_soon_threadsafe(self._spawn, kind, self.clock.now())
        finally:
            _inside.active = False

    def _spawn(self, kind: ErrorKind, now: datetime) -> None:
        task = asyncio.get_running_loop().create_task(self.report(kind, now))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def report(self, kind: ErrorKind, now: datetime) -> int:
        """Claim ``kind`` for ``now``'s hour and tell every administrator; returns how many were told."""
        try:
            if not await asyncio.to_thread(claim_report, self.engine, kind, now):
                return 0
            messages = await asyncio.to_thread(self._messages, kind, now)
        except Exception as exc:
            log.warning("an error report could not be prepared: %s", type(exc).__name__)
            return 0
        told = 0
        for channel, chat_id, reply in messages:
            send = self.senders.get(channel)
            if send is None:
                continue
            try:
                await send(chat_id, reply)
            except Exception as exc:  # never reported again: that could loop
                log.warning("an error report to %s:%s was not delivered: %s", channel, chat_id, type(exc).__name__)
                continue
            told += 1
        log.info("unhandled error %s at %s reported to %d administrator(s)", kind.name, kind.where, told)
        return told

    def _messages(self, kind: ErrorKind, now: datetime) -> list[tuple[str, str, Reply]]:
        with session_scope(self.engine) as session:
            found = administrators(session, usable=set(self.senders))
            messages = []
            for person, account in found:
                if account is None:
                    continue
                with use_language(person.language or normalize_language(account.language_code)):
                    messages.append((account.channel, account.chat_id, Reply(text=report_text(kind, now))))
            return messages
