"""The sweeper: one job, run every minute by APScheduler, that drains the reminder outbox.

Each pass (in office hours on working days only) claims every due reminder, merges them into one
message per person, sends through the person's channel and records the outcome. Reminders missed
while the bot was down are simply due, so the next pass sends them, merged. Delivery is
at-least-once (see :mod:`dondoc.scheduler.outbox`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from dondoc.db.models import Person, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.events import Reply, esc
from dondoc.handlers.reminders import RenderCache, render_digest
from dondoc.i18n import _, normalize_language, use_language
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import Digest, claim_due, compose, mark_failed, mark_held, mark_sent, release

log = logging.getLogger(__name__)


class Unreachable(Exception):
    """The channel refuses delivery to this chat for good (the person blocked the bot)."""


class RetryLater(Exception):
    """The channel asks to slow down (Telegram's 429 with retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class TemporaryFailure(Exception):
    """A timeout or network error: try again later."""


class Rejected(Exception):
    """The channel refused this message for good (a malformed request): retrying cannot help."""


# Sent digests are recorded in batches: a crash can repeat at most one batch (at-least-once).
RECORD_BATCH = 50

# A channel's sender: deliver one reply to one chat, return the message id.
Send = Callable[[str, Reply], Awaitable[str | None]]


@dataclass
class SweepResult:
    claimed: int = 0
    messages: int = 0
    held: int = 0
    retried: int = 0
    unreachable: list[int] = field(default_factory=list)


class Sweeper:
    """Drains the outbox through the channels' senders."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        calendar: WorkCalendar,
        senders: dict[str, Send],
        worker: str | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.calendar = calendar
        self.senders = senders
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

    def _claim_and_compose(self, now: datetime, result: SweepResult) -> list[tuple[Digest, Reply]]:
        with session_scope(self.engine) as session:
            ids = claim_due(session, now, self.worker)
        result.claimed = len(ids)
        if not ids:
            return []
        with session_scope(self.engine) as session:
            digests, held = compose(session, ids)
            digests = [d for d in digests if d.recipient.account.channel in self.senders]
            routed = {i for d in digests for i in d.reminder_ids}
            held += [i for i in ids if i not in routed and i not in held]
            if held:
                mark_held(session, held, "no reachable focal point")
            result.held = len(held)
            rendered = []
            shared = RenderCache()
            for digest in digests:
                person = digest.recipient.person
                language = person.language or normalize_language(digest.recipient.account.language_code)
                with use_language(language):
                    rendered.append((digest, render_digest(digest, now.date(), shared)))
            return rendered

    async def _deliver(
        self, item: tuple[Digest, Reply], now: datetime, result: SweepResult
    ) -> tuple[list[int], str | None] | None:
        """Send one digest; returns what to record as sent (recorded in batches by the caller)."""
        digest, reply = item
        account = digest.recipient.account
        send = self.senders[account.channel]
        ids = digest.reminder_ids
        try:
            message_id = await send(account.chat_id, reply)
        except Unreachable:
            result.unreachable.append(digest.recipient.person.id or 0)
            for channel, chat_id, alert in await asyncio.to_thread(self._unreachable, digest):
                await self._alert(channel, chat_id, alert)
            return None
        except RetryLater as exc:
            result.retried += len(ids)
            await asyncio.to_thread(self._release, ids, now + timedelta(seconds=exc.seconds), str(exc))
            return None
        except Rejected as exc:
            log.error("digest for %s refused by the channel: %s", account.chat_id, exc)
            await asyncio.to_thread(self._fail, ids, str(exc))
            return None
        except Exception as exc:  # a timeout, or anything unforeseen: this digest waits, the pass goes on
            if not isinstance(exc, TemporaryFailure):
                log.exception("unexpected error sending a digest to %s", account.chat_id)
            result.retried += len(ids)
            backoff = timedelta(minutes=min(60, 2 ** min(digest.items[0].attempts, 6)))
            await asyncio.to_thread(self._release, ids, now + backoff, str(exc) or "temporary failure")
            return None
        result.messages += 1
        return ids, message_id

    def _mark_sent(self, sent: list[tuple[list[int], str | None]], now: datetime) -> None:
        with session_scope(self.engine) as session:
            mark_sent(session, sent, now)

    def _fail(self, ids: list[int], reason: str) -> None:
        with session_scope(self.engine) as session:
            mark_failed(session, ids, reason)

    def _release(self, ids: list[int], at: datetime, reason: str) -> None:
        with session_scope(self.engine) as session:
            release(session, ids, at, reason)

    def _unreachable(self, digest: Digest) -> list[tuple[str, str, Reply]]:
        """The person blocked the bot: stop writing to them, keep their reminders, tell their managers."""
        from dondoc.db.queries import managers_of

        with session_scope(self.engine) as session:
            person = session.get(Person, digest.recipient.person.id)
            if person is not None:
                person.unreachable = True
                session.add(person)
            mark_held(session, digest.reminder_ids, "recipient unreachable")
            alerts: list[tuple[str, str, Reply]] = []
            for unit_id in {item.unit_id for item in digest.items}:
                unit = session.get(Unit, unit_id)
                if unit is None:
                    continue
                for manager, account in managers_of(session, unit):
                    language = manager.language or normalize_language(account.language_code)
                    with use_language(language):
                        text = _(
                            "⚠ Reminders cannot reach {name}, focal point of {unit}: the bot is blocked. "
                            "Please ask the unit to name another focal point or to unblock the bot."
                        ).format(name=esc(digest.recipient.person.full_name), unit=esc(unit.name))
                    alerts.append((account.channel, account.chat_id, Reply(text=text)))
        return alerts

    async def _alert(self, channel: str, chat_id: str, reply: Reply) -> None:
        send = self.senders.get(channel)
        if send is None:
            return
        try:
            await send(chat_id, reply)
        except (Unreachable, RetryLater, TemporaryFailure, Rejected) as exc:
            log.warning("could not alert %s:%s: %s", channel, chat_id, exc)
        except Exception:  # one alert that fails never stops the pass
            log.exception("could not alert %s:%s", channel, chat_id)
