"""The sweeper: one job, run every minute by APScheduler, that drains the reminder outbox.

Each pass (in office hours on working days only) claims every due reminder, merges them into one
message per person, sends through the person's channel and records the outcome. Reminders missed
while the bot was down are simply due, so the next pass sends them, merged. Delivery is
at-least-once (see :mod:`dondoc.scheduler.outbox`).

The sweeper knows no channel and no wording: the composition root (:mod:`dondoc.bot.app`) gives it
the senders of the channels and the texts (rendered by :mod:`dondoc.handlers.reminders`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from sqlalchemy.engine import Engine

from dondoc.db.models import Person, Unit
from dondoc.db.session import session_scope
from dondoc.i18n import normalize_language, use_language
from dondoc.plan.progress import PlanStatus
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import Digest, claim_due, compose, mark_failed, mark_held, mark_sent, release

log = logging.getLogger(__name__)

# Sent digests are recorded in batches: a crash can repeat at most one batch (at-least-once).
RECORD_BATCH = 50

# The message a channel sends (the handlers' Reply): the scheduler only passes it from the texts to
# the senders, so it does not need to know what it is.
M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)


class Failure(StrEnum):
    """Why a channel did not deliver, as the sweeper acts on it."""

    UNREACHABLE = "unreachable"  # for good, to this chat (the person blocked the bot): hold, tell managers
    RETRY_LATER = "retry_later"  # the channel asks to slow down: try again after ``retry_after`` seconds
    REJECTED = "rejected"  # this message, for good: retrying cannot help
    TEMPORARY = "temporary"  # a timeout or a network error: try again later


@dataclass(frozen=True)
class NotSent:
    failure: Failure
    reason: str
    retry_after: float = 0.0  # seconds, for RETRY_LATER


# How the reminder job reaches one channel: deliver one message to one chat, return its message id
# or why it was not sent (any exception counts as a temporary failure, and is logged).
Deliver = Callable[[str, M], Awaitable[str | NotSent | None]]


class ReminderTexts(Protocol[M_co]):
    """What the reminder job says, each in the current language (the handlers render it)."""

    def digest_renderer(self) -> Callable[[Digest, date], M_co]:
        """A renderer for one pass: the digests of a pass may share their rendering."""
        ...

    def unreachable(self, person: str, unit: str) -> M_co:
        """The alert to a unit's managers that reminders cannot reach its focal point ``person``."""
        ...

    def weekly(self, status: PlanStatus, name: str, units: set[str] | None, now: datetime) -> M_co:
        """The managers' weekly digest for ``name``, over ``units`` (None: every unit)."""
        ...


@dataclass
class SweepResult:
    claimed: int = 0
    messages: int = 0
    held: int = 0
    retried: int = 0
    unreachable: list[int] = field(default_factory=list)


class Sweeper(Generic[M]):
    """Drains the outbox through the channels' senders, in the messages that ``texts`` renders."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        calendar: WorkCalendar,
        senders: Mapping[str, Deliver[M]],
        texts: ReminderTexts[M],
        worker: str | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.calendar = calendar
        self.senders = senders
        self.texts = texts
        self.worker = worker or f"{socket.gethostname()}:{id(self):x}"

    async def sweep(self) -> SweepResult:
        """One pass; does nothing outside office hours (what is due waits for the next slot)."""
        now = self.clock.now()
        result = SweepResult()
        if not self.calendar.in_office_hours(now):
            return result
        digests = await asyncio.to_thread(self._claim_and_compose, now, result)
        sent: list[tuple[list[int], str | None]] = []
        try:
            for digest in digests:
                outcome = await self._deliver(digest, now, result)
                if outcome is not None:
                    sent.append(outcome)
                if len(sent) >= RECORD_BATCH:
                    await asyncio.to_thread(self._mark_sent, sent, now)
                    sent = []
        finally:  # what went out is recorded even if the pass stops (it would go again after the lease)
            if sent:
                await asyncio.to_thread(self._mark_sent, sent, now)
        return result

    def _claim_and_compose(self, now: datetime, result: SweepResult) -> list[tuple[Digest, M]]:
        with session_scope(self.engine) as session:
            ids = claim_due(session, now, self.worker)
        result.claimed = len(ids)
        if not ids:
            return []
        with session_scope(self.engine) as session:
            digests, held = compose(session, ids, list(self.senders))
            digests = [d for d in digests if d.recipient.account.channel in self.senders]
            routed = {i for d in digests for i in d.reminder_ids}
            held += [i for i in ids if i not in routed and i not in held]
            if held:
                mark_held(session, held, "no reachable focal point")
            result.held = len(held)
            rendered = []
            render = self.texts.digest_renderer()
            for digest in digests:
                person = digest.recipient.person
                language = person.language or normalize_language(digest.recipient.account.language_code)
                with use_language(language):
                    rendered.append((digest, render(digest, now.date())))
            return rendered

    async def _deliver(
        self, item: tuple[Digest, M], now: datetime, result: SweepResult
    ) -> tuple[list[int], str | None] | None:
        """Send one digest; returns what to record as sent (recorded in batches by the caller)."""
        digest, message = item
        account = digest.recipient.account
        send = self.senders[account.channel]
        ids = digest.reminder_ids
        try:
            outcome = await send(account.chat_id, message)
        except Exception as exc:  # anything unforeseen: this digest waits, the pass goes on
            log.exception("unexpected error sending a digest to %s", account.chat_id)
            outcome = NotSent(Failure.TEMPORARY, str(exc))
        if not isinstance(outcome, NotSent):
            result.messages += 1
            return ids, outcome
        if outcome.failure == Failure.UNREACHABLE:
            result.unreachable.append(digest.recipient.person.id or 0)
            for channel, chat_id, alert in await asyncio.to_thread(self._unreachable, digest):
                await self._alert(channel, chat_id, alert)
        elif outcome.failure == Failure.RETRY_LATER:
            result.retried += len(ids)
            await asyncio.to_thread(self._release, ids, now + timedelta(seconds=outcome.retry_after), outcome.reason)
        elif outcome.failure == Failure.REJECTED:
            log.error("digest for %s refused by the channel: %s", account.chat_id, outcome.reason)
            await asyncio.to_thread(self._fail, ids, outcome.reason)
        else:  # a timeout, or anything unforeseen
            result.retried += len(ids)
            backoff = timedelta(minutes=min(60, 2 ** min(digest.items[0].attempts, 6)))
            await asyncio.to_thread(self._release, ids, now + backoff, outcome.reason or "temporary failure")
        return None

    def _mark_sent(self, sent: list[tuple[list[int], str | None]], now: datetime) -> None:
        with session_scope(self.engine) as session:
            mark_sent(session, sent, now)

    def _fail(self, ids: list[int], reason: str) -> None:
        with session_scope(self.engine) as session:
            mark_failed(session, ids, reason)

    def _release(self, ids: list[int], at: datetime, reason: str) -> None:
        with session_scope(self.engine) as session:
            release(session, ids, at, reason)

    def _unreachable(self, digest: Digest) -> list[tuple[str, str, M]]:
        """The person blocked the bot: stop writing to them, keep their reminders, tell their managers."""
        from dondoc.db.queries import managers_of

        with session_scope(self.engine) as session:
            person = session.get(Person, digest.recipient.person.id)
            if person is not None:
                person.unreachable = True
                session.add(person)
            mark_held(session, digest.reminder_ids, "recipient unreachable")
            alerts: list[tuple[str, str, M]] = []
            for unit_id in {item.unit_id for item in digest.items}:
                unit = session.get(Unit, unit_id)
                if unit is None:
                    continue
                for manager, account in managers_of(session, unit):
                    language = manager.language or normalize_language(account.language_code)
                    with use_language(language):
                        alert = self.texts.unreachable(digest.recipient.person.full_name, unit.name)
                    alerts.append((account.channel, account.chat_id, alert))
        return alerts

    async def _alert(self, channel: str, chat_id: str, message: M) -> None:
        send = self.senders.get(channel)
        if send is None:
            return
        try:
            outcome = await send(chat_id, message)
        except Exception:  # one alert that fails never stops the pass
            log.exception("could not alert %s:%s", channel, chat_id)
            return
        if isinstance(outcome, NotSent):
            log.warning("could not alert %s:%s: %s", channel, chat_id, outcome.reason)
