"""The sweeper: one job, run every minute by APScheduler, that drains the reminder outbox.

Each pass (in office hours on working days only) claims every due reminder, merges them into one
message per person, sends through the person's channel (several messages on their way at once:
:data:`SEND_WINDOW`) and records the outcome. Reminders missed
while the bot was down are simply due, so the next pass sends them, merged. Delivery is
at-least-once (see :mod:`dondoc.scheduler.outbox`).

When a channel says its monthly quota is spent (:attr:`Failure.QUOTA`, Zalo's 429), the channel key
is put on hold in the database (:class:`~dondoc.db.models.QuotaHold`): the pass stops sending on it,
that key's reminders are held (state ``held``, reason ``quota:<key>``: kept, not retried) and the
administrators are told once, on another channel if they have one. Each pass releases the holds of
past months and those whose budget was raised since, and their reminders go out.

The sweeper knows no channel and no wording: the composition root (:mod:`dondoc.bot.app`) gives it
the senders of the channels and the texts (rendered by :mod:`dondoc.handlers.reminders`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import operator
import socket
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import chain
from typing import Generic, NamedTuple, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import (
    ChannelAccount,
    MemberRole,
    Membership,
    Person,
    Reminder,
    ReminderState,
    Unit,
    ZaloBot,
)
from dondoc.db.session import AsyncStatements, session_scope
from dondoc.db.usage import hold_quota, month_of, open_holds, release_hold
from dondoc.i18n import normalize_language, use_language
from dondoc.plan.channels import Budgets, load_budgets
from dondoc.plan.progress import PlanStatus
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.outbox import (
    Digest,
    DueItem,
    Record,
    Sent,
    claim_due_items,
    compose,
    defer,
    mark_done,
    mark_failed,
    mark_held,
    mark_muted,
    mark_sent,
    prepare_record,
    release,
    release_leases,
    retry_delay,
)
from dondoc.scheduler.personal import deferred, without_muted
from dondoc.scheduler.schedule import policy_times

log = logging.getLogger(__name__)

_REMINDER_IDS = operator.attrgetter("reminder_ids")

# Sent digests are recorded in batches: a crash can repeat at most one batch (at-least-once). A
# failed send first records the batch, so that its retry (any process may take it) leaves out
# everyone the reminder already reached.
RECORD_BATCH = 50

# Digests a pass has on their way at once: a channel's round trip (a tenth of a second or more from
# Vietnam) is what a fan-out waits on; each channel's sender keeps to the pace its platform allows.
SEND_WINDOW = 8

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
    QUOTA = "quota"  # the channel key's monthly quota is spent: hold its reminders until it is not


@dataclass(frozen=True)
class NotSent:
    failure: Failure
    reason: str
    retry_after: float = 0.0  # seconds, for RETRY_LATER


# How the reminder job reaches one channel: deliver one message to one chat, return its message id
# or why it was not sent (any exception counts as a temporary failure, and is logged).
Deliver = Callable[[str, M], Awaitable[str | NotSent | None]]

# What a pass did with reminders, for the deployment's metrics: (channel key, outcome, how many
# reminders). Outcomes: ``sent``, ``held`` (nobody to receive them, the key's quota, a blocked bot:
# channel ``none`` when nobody can receive them), ``failed`` (refused for good), ``retried``.
Observe = Callable[[str, str, int], None]


def _unobserved(channel: str, outcome: str, count: int) -> None:
    """The default :data:`Observe`: nothing is counted."""


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

    def budget_warning(self, channel: str, used: int, budget: int) -> M_co:
        """The administrators' alert that ``channel`` used ``used`` of its monthly ``budget``."""
        ...

    def quota_spent(self, channel: str) -> M_co:
        """The administrators' alert that ``channel``'s monthly quota is spent: its reminders are held."""
        ...


class Composed(NamedTuple):
    """A group of claimed reminders, composed: its digests, the reminders wanted later today (when),
    and in how many of the digests each reminder is."""

    digests: list[Digest]
    later: dict[int, datetime]
    counts: Counter[int]


@dataclass
class SweepResult:
    claimed: int = 0
    messages: int = 0
    held: int = 0
    retried: int = 0
    unreachable: list[int] = field(default_factory=list)
    quota_held: int = 0  # reminders held because their channel key's quota is spent
    released: int = 0  # reminders released from a quota hold (a new month, a higher budget)


def quota_reason(channel: str) -> str:
    """The ``last_error`` of a reminder held because ``channel``'s quota is spent."""
    return f"quota:{channel}"


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
        budgets: Mapping[str, int | None] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.calendar = calendar
        self.senders = senders
        self.texts = texts
        self.worker = worker or f"{socket.gethostname()}:{id(self):x}"
        self.budget_defaults: Mapping[str, int | None] = budgets or {}
        self.held: set[str] = set()  # channel keys on hold in the current pass
        # A pass the database left half-way (it went away): what was sent but not recorded is
        # recorded by the next pass, and the organisations it leased are taken again by it at once
        # (a worker takes its own leases back) and given back at its end.
        self.unrecorded: list[Sent] = []
        self.leasing = False  # leases of this worker may be held (given back at a pass's end)
        # One pass at a time: a worker takes its own leases back, so two passes of one sweeper at
        # once would send the same reminders (the job never overlaps itself; this makes sure).
        self._one_pass = asyncio.Lock()
        self.window = SEND_WINDOW  # digests on their way at once
        self.observe: Observe = _unobserved  # the composition root counts the outcomes (/metrics)

    def budgets(self, session: Session) -> Budgets:
        """Each channel key's monthly budget, as the registry and the deployment set them now."""
        return load_budgets(session, self.budget_defaults)

    async def sweep(self) -> SweepResult:
        """One pass; does nothing outside office hours (what is due waits for the next slot)."""
        async with self._one_pass:
            with pass_settings():
                return await self._sweep()

    async def _sweep(self) -> SweepResult:
        now = self.clock.now()
        result = SweepResult()
        if not self.calendar.in_office_hours(now):
            return result
        if self.unrecorded:
            await asyncio.to_thread(self._recover, now)
        self.held = await asyncio.to_thread(self._quota_holds, now, result)
        try:
            await self._send_due(now, result)
        finally:  # the organisations go back to every sweeper (a lease left behind runs out by itself)
            try:
                await asyncio.to_thread(self._release_leases)
            except Exception:
                log.warning("could not give back the outbox leases of %s; the next pass does", self.worker)
        return result

    async def _send_due(self, now: datetime, result: SweepResult) -> None:
        """Claim what is due, send it in one message per person, record the outcomes.

        Up to :attr:`window` digests are on their way at once (a channel's round trip is a tenth of
        a second or more: one at a time, a province's 500 digests would take a minute and more; the
        channel's own limiter keeps the pace it allows). The pass never has more than
        :data:`RECORD_BATCH` digests sent (or on their way) and not yet recorded. From half that many
        sent it records them while sending goes on, and builds the next record while one is being
        written (building a record is the interpreter's work, writing it mostly the database's: the
        two overlap); at that many it waits for room."""
        groups = await asyncio.to_thread(self._claim, now, result)
        # A reminder for several people is in several digests: it is sent (the row) once every one
        # of them went out in this pass; one that failed for someone is retried for them alone. One
        # that someone wants later today (``later``) goes back to the outbox for then, after the pass.
        # (Counted as each group of organisations is composed: a reminder's digests are all in its own.)
        remaining: Counter[int] = Counter()
        later: dict[int, datetime] = {}
        failed: set[int] = set()
        sent: list[Sent] = []
        spent: dict[str, list[int]] = {}  # channel key → reminders to hold: its quota ran out in this pass
        on_the_way: set[asyncio.Future[None]] = set()
        recording: set[asyncio.Future[None]] = set()  # records started while sending goes on
        in_record = 0  # sent, taken by a record, not yet in the database
        last_record: asyncio.Event | None = None  # set once the record started last is over
        # PostgreSQL: the records are built and written on the event loop, on a connection of the
        # pass's own (closed at its end), not each in a thread: a nation's 08:00 pass waited on its
        # 200 records (never more than RECORD_BATCH digests sent and not recorded), and each paid the
        # hand-overs to a thread and back and that thread's waits for the interpreter's lock — 1.1 s
        # of records in a 1.9 s pass, 0.9 s on the event loop (a pass of 1.75 s; built there as well,
        # 1.70 s). A record is still built while the one before is written: the loop is free then.
        statements = AsyncStatements(self.engine) if AsyncStatements.usable(self.engine) else None

        async def record() -> None:
            """Record what was sent so far; when it returns, everything sent before the call is in the
            database. Records are written in the order they were taken (each waits for the one before
            it), and each is built while the one before is being written."""
            nonlocal sent, in_record, last_record
            batch, sent = sent, []
            before, over = last_record, asyncio.Event()
            last_record = over
            try:
                if batch:
                    in_record += len(batch)
                    complete = {i for done in batch for i in done.reminder_ids if not remaining[i] and i not in failed}
                    try:
                        if statements is not None:  # (on the loop: a thread's hand-overs cost more than it)
                            prepared = self._prepare_record(batch, now, complete)
                        else:
                            prepared = await asyncio.to_thread(self._prepare_record, batch, now, complete)
                        if before is not None:
                            await before.wait()
                        if statements is not None and prepared.statement is not None:
                            await statements.execute(prepared.statement, prepared.values or {})
                        else:
                            await asyncio.to_thread(prepared.write)
                    except Exception:  # the database went away: recorded at the next pass, not sent again
                        self.unrecorded += batch
                        raise
                    finally:
                        in_record -= len(batch)
                elif before is not None:
                    await before.wait()
            finally:
                over.set()

        def record_soon() -> None:
            """Start recording what was sent, while sending goes on (one record written and the next
            built at most: a third would only wait)."""
            if sent and len(recording) < 2:
                recording.add(asyncio.ensure_future(record()))

        async def deliver(item: tuple[Digest, M]) -> None:
            key, ids = item[0].recipient.account.channel, item[0].reminder_ids
            outcome = await self._deliver(item, now, result, record)
            remaining.subtract(ids)
            if outcome is not None:
                sent.append(outcome)
            else:
                failed.update(ids)
                if key in self.held:
                    spent.setdefault(key, []).extend(ids)
            if outcome is not None and not failed.isdisjoint(ids):
                # (a reminder already released for someone else's retry: recorded at once, so that
                # the process taking the retry leaves this person out)
                await record()

        async def arrived(every: bool = False) -> None:
            """Wait for one digest on its way or one record under way (``every``: all of both) to end;
            a send or a record that failed stops the pass."""
            waiting = on_the_way | recording
            if not waiting:
                return
            done, _pending = await asyncio.wait(
                waiting, return_when=asyncio.ALL_COMPLETED if every else asyncio.FIRST_COMPLETED
            )
            on_the_way.difference_update(done)
            recording.difference_update(done)
            errors = [error for task in done if (error := task.exception()) is not None]
            if errors:
                raise errors[0]

        async def composed() -> AsyncGenerator[tuple[Digest, M], None]:
            """The pass's digests with their messages, organisations by organisations
            (:data:`COMPOSE_LINES`): the next group is composed while this one is sent."""
            render = self.texts.digest_renderer()

            def compose_group(number: int) -> asyncio.Future[Composed]:
                return asyncio.ensure_future(asyncio.to_thread(self._compose, now, *groups[number], result))

            ahead: asyncio.Future[Composed] | None = compose_group(0)
            try:
                for number in range(len(groups)):
                    assert ahead is not None
                    digests, wanted_later, counts = await ahead
                    ahead = compose_group(number + 1) if number + 1 < len(groups) else None
                    if remaining.keys().isdisjoint(counts):  # (as they are: groups of whole organisations)
                        dict.update(remaining, counts)
                    else:
                        remaining.update(counts)
                    later.update(wanted_later)
                    failed.update(wanted_later)
                    async for item in self._rendered(render, digests, now):
                        yield item
            finally:  # (the pass stopped: the group under way is composed all the same, its rows left due)
                if ahead is not None:
                    await asyncio.gather(ahead, return_exceptions=True)

        try:
            async with aclosing(composed()) as items:
                async for item in items:
                    while len(on_the_way) >= self.window:
                        await arrived()
                    if len(sent) >= RECORD_BATCH // 2:
                        record_soon()
                    while in_record + len(sent) + len(on_the_way) >= RECORD_BATCH:
                        record_soon()
                        if not on_the_way and not recording:
                            break  # (a record a failed send started: its digest is on its way, never here)
                        await arrived()
                    key = item[0].recipient.account.channel
                    if key in self.held:  # (a quota may have run out while this one waited its turn)
                        ids = item[0].reminder_ids
                        spent.setdefault(key, []).extend(ids)
                        failed.update(ids)
                        remaining.subtract(ids)
                        self.observe(key, "held", len(ids))
                        continue
                    on_the_way.add(asyncio.ensure_future(deliver(item)))
            await arrived(every=True)
        finally:  # what went out is recorded even if the pass stops (it would go again after the lease)
            # The pass stopped (the database went away): those on their way arrive first.
            await asyncio.gather(*on_the_way, *recording, return_exceptions=True)
            try:
                await record()
            finally:
                if statements is not None:
                    await statements.close()
            if spent:  # after the sent ones: who got it on another channel is recorded, not sent it again
                result.quota_held += await asyncio.to_thread(self._hold_spent, spent)
            if later:  # those that failed for someone are released already: their retry defers again
                await asyncio.to_thread(self._defer, later, now)

    async def _rendered(
        self, render: Callable[[Digest, date], M], digests: list[Digest], now: datetime
    ) -> AsyncIterator[tuple[Digest, M]]:
        """The digests with their messages, rendered a batch ahead in a worker thread: the next batch
        is rendered while this one is sent and recorded."""
        batches = [digests[i : i + RECORD_BATCH] for i in range(0, len(digests), RECORD_BATCH)]
        ahead = [asyncio.ensure_future(asyncio.to_thread(self._render, render, batch, now)) for batch in batches[:1]]
        for number in range(len(batches)):
            messages = await ahead.pop()
            if number + 1 < len(batches):
                ahead.append(asyncio.ensure_future(asyncio.to_thread(self._render, render, batches[number + 1], now)))
            for item in messages:
                yield item

    @staticmethod
    def _render(render: Callable[[Digest, date], M], digests: list[Digest], now: datetime) -> list[tuple[Digest, M]]:
        """Each digest's message, in its receiver's language."""
        rendered = []
        for digest in digests:
            person = digest.recipient.person
            with use_language(person.language or normalize_language(digest.recipient.account.language_code)):
                rendered.append((digest, render(digest, now.date())))
        return rendered

    def _defer(self, later: dict[int, datetime], now: datetime) -> None:
        """Back to the outbox, each for the earliest time a receiver who has not got it wants it."""
        by_time: dict[datetime, list[int]] = defaultdict(list)
        for rid, at in later.items():
            by_time[at].append(rid)
        with session_scope(self.engine) as session:
            for at, ids in sorted(by_time.items()):
                defer(session, ids, at, now)

    def _release_leases(self) -> None:
        if not self.leasing:
            return
        with session_scope(self.engine) as session:
            release_leases(session, self.worker)
        self.leasing = False

    def _quota_holds(self, now: datetime, result: SweepResult) -> set[str]:
        """The channel keys on hold now; holds of past months, or whose budget was raised since,
        are released and their reminders go out in this pass."""
        month = month_of(now)
        held: set[str] = set()
        with session_scope(self.engine) as session:
            holds = open_holds(session)
            if not holds:
                return held
            budgets = self.budgets(session)
            for hold in holds:
                budget = budgets(hold.channel)
                raised = budget is None or (hold.budget is not None and budget > hold.budget)
                if hold.month == month and not raised:
                    held.add(hold.channel)
                    continue
                release_hold(session, hold, now)
                result.released += _release_quota(session, hold.channel, now)
                log.info("channel %s: quota hold of %s released", hold.channel, hold.month)
        return held

    def _recover(self, now: datetime) -> None:
        """Put right what a pass that the database left half-way could not: record to whom it sent
        what (per person: the reminders are still pending, and this very pass sends them to whoever
        does not have them yet, and marks sent a reminder everyone has)."""
        with session_scope(self.engine) as session:
            mark_sent(session, self.unrecorded, now, complete=())
        log.info("put right a pass the database interrupted: %d sends recorded", len(self.unrecorded))
        self.unrecorded = []

    def _hold_spent(self, spent: dict[str, list[int]]) -> int:
        with session_scope(self.engine) as session:
            for key, ids in spent.items():
                mark_held(session, ids, quota_reason(key))
            session.flush()
            held = len(
                session.exec(
                    select(Reminder.id).where(
                        col(Reminder.id).in_({i for ids in spent.values() for i in ids}),
                        Reminder.state == ReminderState.HELD,
                    )
                ).all()
            )
        return held

    def _claim(self, now: datetime, result: SweepResult) -> list[tuple[list[int], list[DueItem]]]:
        """Lease the organisations with reminders due and read those reminders (their lines), in
        groups of whole organisations to compose one after the other (:func:`by_organisations`)."""
        with session_scope(self.engine) as session:
            ids, lines = claim_due_items(session, now, self.worker)
        self.leasing = self.leasing or bool(ids)  # (nothing due: no lease taken)
        result.claimed = len(ids)
        return by_organisations(ids, lines, COMPOSE_LINES)

    def _compose(self, now: datetime, ids: list[int], lines: list[DueItem], result: SweepResult) -> Composed:
        """The digests of claimed reminders (``ids``, ``lines``: theirs; rendered as they are sent:
        :meth:`_rendered`), the reminders some receivers want later today (``/nhacviec``), each
        with the earliest of those times, and how many of the digests each reminder is in."""
        if not ids:
            return Composed([], {}, Counter())
        with session_scope(self.engine) as session:
            digests, held, done = compose(session, lines, list(self.senders), now)
            if done:  # every recipient has them already (recorded per person): nothing to send
                mark_done(session, done, now)
            digests = [d for d in digests if d.recipient.account.channel in self.senders]
            digests, muted = without_muted(session, digests)  # check-ins their receivers muted (/nhacviec)
            if muted:
                mark_muted(session, muted)
            digests, later = deferred(  # who wants them later today (/nhacviec) gets them then
                session, digests, now, self.calendar, lambda units: policy_times(session, units, self.calendar)
            )
            in_digests = list(chain.from_iterable(map(_REMINDER_IDS, digests)))  # (in C: a nation has 110,000)
            routed = set(in_digests).union(muted, later, held, done)
            held += [i for i in ids if i not in routed]
            if held:
                mark_held(session, held, "no reachable focal point")
                self.observe("none", "held", len(held))
            result.held += len(held)
            return Composed(digests, later, Counter(in_digests))

    async def _deliver(
        self, item: tuple[Digest, M], now: datetime, result: SweepResult, record: Callable[[], Awaitable[None]]
    ) -> Sent | None:
        """Send one digest; returns what to record as sent (recorded in batches by the caller). When it
        fails, ``record`` first records the batch sent so far: the retry, which any process may take,
        then leaves out everyone this pass reached."""
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
            self.observe(account.channel, "sent", len(ids))
            return Sent(ids, outcome, digest.recipient.person.id or 0)
        await record()
        failures = {Failure.QUOTA: "held", Failure.UNREACHABLE: "held", Failure.REJECTED: "failed"}
        self.observe(account.channel, failures.get(outcome.failure, "retried"), len(ids))
        if outcome.failure == Failure.QUOTA:
            if account.channel in self.held:  # said already by another digest that was on its way
                return None
            log.warning("channel %s: the monthly quota is spent; its reminders are held", account.channel)
            self.held.add(account.channel)
            for channel, chat_id, alert in await asyncio.to_thread(self._quota_spent, account.channel, now):
                await self._alert(channel, chat_id, alert)
        elif outcome.failure == Failure.UNREACHABLE:
            result.unreachable.append(digest.recipient.person.id or 0)
            for channel, chat_id, alert in await asyncio.to_thread(self._unreachable, digest):
                await self._alert(channel, chat_id, alert)
        elif outcome.failure == Failure.RETRY_LATER:  # the channel names when (Telegram's retry_after)
            result.retried += len(ids)
            at = self.clock.now() + timedelta(seconds=max(1.0, outcome.retry_after))
            await asyncio.to_thread(self._release, ids, at, outcome.reason)
        elif outcome.failure == Failure.REJECTED:
            log.error("digest for %s refused by the channel: %s", account.chat_id, outcome.reason)
            await asyncio.to_thread(self._fail, ids, outcome.reason)
        else:  # a timeout, a 5xx, or anything unforeseen: again within seconds, then backing off
            result.retried += len(ids)
            at = self.clock.now() + retry_delay(1 + max(item.attempts for item in digest.items))
            await asyncio.to_thread(self._release, ids, at, outcome.reason or "temporary failure")
        return None

    def _prepare_record(self, sent: list[Sent], now: datetime, complete: set[int]) -> Record:
        """A batch's record, built, to be written (:class:`~dondoc.scheduler.outbox.Record`)."""
        return prepare_record(self.engine, sent, now, complete)

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

    def _quota_spent(self, key: str, now: datetime) -> list[tuple[str, str, M]]:
        """Put ``key`` on hold for this month; the first time, the alerts to the administrators, each
        on another channel than ``key`` (logged when an administrator has none)."""
        with session_scope(self.engine) as session:
            if not hold_quota(session, key, now, self.budgets(session)(key)):
                return []
            alerts: list[tuple[str, str, M]] = []
            for person, account in administrators(session, avoid=key, usable=set(self.senders) - self.held, about=key):
                if account is None or account.channel == key:
                    log.warning("channel %s: quota spent; administrator %s has no other channel", key, person.id)
                    continue
                with use_language(person.language or normalize_language(account.language_code)):
                    alerts.append((account.channel, account.chat_id, self.texts.quota_spent(key)))
            if not alerts:
                log.warning("channel %s: quota spent, reminders held; no administrator could be told", key)
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


# A pass composes the digests of this many claimed reminders at a time (whole organisations: all a
# person receives at a send time is one organisation's), and sends those while it composes the next:
# the database records the sent ones meanwhile. A province's pass is one group; a nation's 110,000
# due reminders, five.
COMPOSE_LINES = 20_000


def by_organisations(ids: list[int], lines: list[DueItem], size: int) -> list[tuple[list[int], list[DueItem]]]:
    """Claimed reminders (``ids``, and ``lines``: theirs) in groups of whole
    organisations of ``size`` lines or more (the last may be smaller), each in that order, the
    organisations in the order of their first line; a claimed row without a line (its task is gone)
    goes with the first group, to be held."""
    by_organisation: dict[int, list[DueItem]] = {}
    for line in lines:
        by_organisation.setdefault(line.organization_id, []).append(line)
    groups: list[tuple[list[int], list[DueItem]]] = []
    group: list[DueItem] = []
    for organisation_lines in by_organisation.values():
        group.extend(organisation_lines)
        if len(group) >= size:
            groups.append(([line.reminder_id for line in group], group))
            group = []
    if group or not groups:
        groups.append(([line.reminder_id for line in group], group))
    listed = {line.reminder_id for line in lines}
    groups[0][0].extend(i for i in ids if i not in listed)
    return groups


# While a pass runs, the cyclic garbage collector's youngest generation is collected after this many
# allocations, not CPython's 700: a nation's 08:00 pass makes some 500,000 short-lived objects that
# refcounting frees (lines, messages, buttons), and with the default the collector ran 1,115 times in
# it, six of them over the whole heap: 0.93 s of a 5 s pass (measured with ``gc.callbacks``); with
# 10,000, 74 times (one over the whole heap), 0.33 s. (100,000 saved 0.2 s more, but let the garbage
# of everything else the bot does meanwhile — a pass with real sends lasts minutes — pile up for
# longer: the province benchmark's peak memory rose by 2–4 MB.) The middle generation waits for
# PASS_GC_MIDDLE collections of the youngest instead of 10: the pass's lines and recipients live for
# the whole pass, and each middle collection went over them again, every tenth over the whole heap:
# 0.35 s of a nation's pass in the collector before, 0.10 s with 100 (``gc.callbacks`` during one
# pass), for some 3 MB more at the peak.
PASS_GC_THRESHOLD = 10_000
PASS_GC_MIDDLE = 100


# While a pass runs, a thread holding the interpreter's lock hands it over after this long when another
# asks for it, not CPython's 5 ms: the threads writing the pass's records wait on the database, then on
# the lock (some 200 records in a nation's pass, each needing it several times) while others render
# and compose; with 5 ms a record's wall time was about twice the database's (0.93 s of the
# database's time in 1.3-1.6 s of records). Seven interleaved pairs of a nation's pass: 2.73 s on
# average with 5 ms (2.50-3.02), 2.62 s with 0.5 ms (2.42-2.86).
PASS_SWITCH_INTERVAL = 0.0005


@contextmanager
def pass_settings() -> Iterator[None]:
    """For the duration (a pass: seconds), collect cyclic garbage less often and hand the interpreter's
    lock over sooner; as before afterwards."""
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(max(thresholds[0], PASS_GC_THRESHOLD), max(thresholds[1], PASS_GC_MIDDLE), thresholds[2])
    sys.setswitchinterval(min(interval, PASS_SWITCH_INTERVAL))
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)


def _bot_owners(session: Session, key: str) -> list[int]:
    """The organisations whose registry names the Zalo bot of channel key ``key`` (none for a key the
    deployment shares)."""
    family, _sep, name = key.partition(":")
    if family != "zalo" or not name:
        return []
    return [i for i in session.exec(select(ZaloBot.organization_id).where(ZaloBot.name == name)) if i is not None]


def _release_quota(session: Session, channel: str, now: datetime) -> int:
    """The reminders held because ``channel``'s quota was spent go out at the next sweep."""
    from sqlalchemy import update

    result = session.exec(
        update(Reminder)
        .where(col(Reminder.state) == ReminderState.HELD, col(Reminder.last_error) == quota_reason(channel))
        .values(state=ReminderState.PENDING, send_at=now, claimed_by=None, claimed_at=None, last_error="")
    )
    return int(result.rowcount or 0)


def administrators(
    session: Session, *, avoid: str | None = None, usable: set[str] | None = None, about: str | None = None
) -> list[tuple[Person, ChannelAccount | None]]:
    """Every administrator the bot may write to, once, each with the account to write on: one whose
    channel is not ``avoid`` when they have one, else the one on ``avoid``, among the ``usable``
    channels (None: any); None when they have no usable account at all. News ``about`` a channel key
    that a registry's Zalo bot owns (``zalo:<name>``) goes to that organisation's administrators only;
    about a key the deployment shares (``telegram``, ``zalo``), to every administrator."""
    query = (
        select(Person, ChannelAccount)
        .join(Membership, col(Membership.person_id) == Person.id)
        .join(ChannelAccount, col(ChannelAccount.person_id) == Person.id, isouter=True)
        .where(Membership.role == MemberRole.ADMIN, col(Person.unreachable).is_(False))
        .order_by(col(Person.id), col(ChannelAccount.id))
    )
    owners = _bot_owners(session, about) if about is not None else []
    if owners:
        query = query.join(Unit, col(Unit.id) == Membership.unit_id).where(col(Unit.organization_id).in_(owners))
    rows = session.exec(query).all()
    people: dict[int, Person] = {}
    accounts: dict[int, list[ChannelAccount]] = defaultdict(list)
    for person, account in rows:
        assert person.id is not None
        people[person.id] = person
        usable_account = account is not None and (usable is None or account.channel in usable)
        if account is not None and usable_account and all(a.id != account.id for a in accounts[person.id]):
            accounts[person.id].append(account)
    chosen: list[tuple[Person, ChannelAccount | None]] = []
    for person_id, person in people.items():
        mine = accounts.get(person_id, [])
        other = next((a for a in mine if a.channel != avoid), None)
        chosen.append((person, other or (mine[0] if mine else None)))
    return chosen
