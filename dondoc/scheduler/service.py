"""The reminder job as the bot runs it: one APScheduler interval job that sweeps every
:data:`SWEEP_SECONDS` (a send that failed for a passing reason is due again within seconds, see
:func:`~dondoc.scheduler.outbox.retry_delay`) and, once a minute, replans (once a day), sends the
weekly digests and checks the budgets. Nothing it needs lives in memory: the outbox is the state.

When the database cannot be reached the job logs it, keeps its schedule and goes on by itself
when the database is back: what is due then goes out at the next pass."""

from __future__ import annotations

import asyncio
import logging
import time as timer
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from dondoc.db.errors import unavailable
from dondoc.db.models import Dispatch, ReminderState
from dondoc.db.session import session_scope
from dondoc.db.usage import month_of, month_usage
from dondoc.i18n import normalize_language, use_language
from dondoc.plan.channels import WARN_SHARE
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.figures import FigureTexts, due_figure_reminders
from dondoc.scheduler.outbox import retry_delay
from dondoc.scheduler.schedule import replan
from dondoc.scheduler.sweeper import (
    Deliver,
    Failure,
    M,
    NotSent,
    ReminderTexts,
    Sweeper,
    SweepResult,
    administrators,
)
from dondoc.scheduler.weekly import WEEKLY_TIME, WeeklyDigest, due_digests, mark_dispatched, retry_dispatch
from dondoc.tz import TZ

log = logging.getLogger(__name__)
SWEEP_SECONDS = 15  # how often the job runs: the latest a retry due at any moment waits
TICK = timedelta(seconds=60)  # how often a run also replans, sends weekly digests and checks budgets


@dataclass(frozen=True)
class Pass:
    """One run of the job, as ``/healthz`` and ``/metrics`` report it: when it started (the job's
    clock), how it ended (``ok``, ``database unavailable``, ``error``) and how long it took."""

    at: datetime
    outcome: str
    seconds: float


class ReminderService(Generic[M]):
    """Plans the outbox and drains it; ``tick`` is the whole job. The composition root
    (:mod:`dondoc.bot.app`) gives it the channels' senders and the texts."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        calendar: WorkCalendar,
        senders: Mapping[str, Deliver[M]],
        texts: ReminderTexts[M],
        budgets: Mapping[str, int | None] | None = None,
    ) -> None:
        """``budgets``: the deployment's monthly budget of each channel family (``{"zalo": 3000}``),
        under what the registry sets (see :mod:`dondoc.plan.channels`)."""
        self.engine = engine
        self.clock = clock
        self.calendar = calendar
        self.texts = texts
        self.sweeper = Sweeper(engine, clock, calendar, senders, texts, budgets=budgets)
        self._scheduled_on: date | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._ticked_at: datetime | None = None
        self._down_since: datetime | None = None  # the database unreachable since then
        self.started_at = clock.now()  # when the job was set up (then started): /healthz waits from then
        self.last_pass: Pass | None = None  # the last run, whatever its outcome
        self.last_success: Pass | None = None  # the last run that ended ``ok``
        self.on_pass: Callable[[Pass], None] | None = None  # told of every run (the deployment's metrics)

    def schedule(self, now: datetime | None = None) -> tuple[int, int]:
        """Replan the outbox (idempotent); returns (added, cancelled)."""
        moment = now or self.clock.now()
        with session_scope(self.engine) as session:
            return replan(session, self.calendar, moment)

    async def run(self) -> SweepResult:
        """One run of the job (every :data:`SWEEP_SECONDS`): a sweep, and the whole :meth:`tick` when
        :data:`TICK` has passed since the last one. Never raises for a database that cannot be
        reached: the next run tries again."""
        now = self.clock.now()
        started = timer.perf_counter()
        try:
            if self._ticked_at is None or not self._ticked_at <= now < self._ticked_at + TICK:
                result = await self.tick()
            else:
                result = await self.sweeper.sweep()
                if result.claimed:
                    log.info("sweep: %d reminders in %d messages", result.claimed, result.messages)
        except Exception as exc:
            if not unavailable(exc):
                self._passed(now, "error", started)
                log.exception("reminders: the run failed", extra={"context": "reminder job"})
                raise
            self._passed(now, "database unavailable", started)
            if self._down_since is None:
                self._down_since = now
                said = str(exc).split("\n", 1)[0][:200]  # the driver's words, not the statement nor its values
                log.warning("reminders: the database is unavailable, trying again every %d s: %s", SWEEP_SECONDS, said)
            return SweepResult()
        self._passed(now, "ok", started)
        if self._down_since is not None:
            log.warning("reminders: the database is back (away since %s)", self._down_since.isoformat())
            self._down_since = None
        return result

    def _passed(self, now: datetime, outcome: str, started: float) -> None:
        self.last_pass = Pass(now, outcome, timer.perf_counter() - started)
        if outcome == "ok":
            self.last_success = self.last_pass
        if self.on_pass is not None:
            self.on_pass(self.last_pass)

    async def tick(self) -> SweepResult:
        now = self.clock.now()
        self._ticked_at = now
        if self._scheduled_on != now.date():
            added, cancelled = await asyncio.to_thread(self.schedule, now)
            log.info("reminders planned: %d added, %d cancelled", added, cancelled)
            self._scheduled_on = now.date()
        result = await self.sweeper.sweep()
        if now.time() >= WEEKLY_TIME and self.calendar.in_office_hours(now):
            await self.send_weekly(now)
        if self.calendar.in_office_hours(now):  # each receiver at their own time, maybe before 08:00
            await self.send_figure_reminders(now)
        if self.calendar.in_office_hours(now):
            await self.warn_budgets(now)
        if result.claimed:
            log.info("sweep: %d reminders in %d messages, %d held", result.claimed, result.messages, result.held)
        return result

    async def send_weekly(self, now: datetime) -> int:
        """The managers' weekly digests not sent yet this week; returns how many went out."""

        def claim() -> list[WeeklyDigest[M]]:
            with session_scope(self.engine) as session:
                return due_digests(session, now, self.texts.weekly, list(self.sweeper.senders))

        sent = 0
        for digest in await asyncio.to_thread(claim):
            send = self.sweeper.senders.get(digest.account.channel)
            if send is None or digest.account.channel in self.sweeper.held:
                continue  # a key whose quota is spent: the claim's lease runs out, a later tick tries again
            outcome = await send(digest.account.chat_id, digest.message)
            if isinstance(outcome, NotSent):
                log.warning("weekly digest %s not sent: %s", digest.key, outcome.reason)
                if outcome.failure in (Failure.TEMPORARY, Failure.RETRY_LATER):  # again within seconds
                    wait = timedelta(seconds=max(1.0, outcome.retry_after))
                    delay = retry_delay(1) if outcome.failure == Failure.TEMPORARY else wait
                    await asyncio.to_thread(self._retry_weekly, digest.key, self.clock.now() + delay)
                continue  # else the claim's lease runs out and a later tick tries again
            await asyncio.to_thread(self._dispatched, digest.key, now, outcome)
            sent += 1
        return sent

    async def send_figure_reminders(self, now: datetime) -> int:
        """Today's reminders to units late with their targets' figures (:mod:`dondoc.scheduler.figures`)."""
        texts = self.texts
        if not isinstance(texts, FigureTexts):
            return 0

        def claim() -> list[WeeklyDigest[M]]:
            with session_scope(self.engine) as session:
                return due_figure_reminders(session, now, self.calendar, texts, list(self.sweeper.senders))

        sent = 0
        for message in await asyncio.to_thread(claim):
            send = self.sweeper.senders.get(message.account.channel)
            if send is None or message.account.channel in self.sweeper.held:
                continue  # the claim's lease runs out and a later tick tries again
            outcome = await send(message.account.chat_id, message.message)
            if isinstance(outcome, NotSent):
                log.warning("figures reminder %s not sent: %s", message.key, outcome.reason)
                continue
            await asyncio.to_thread(self._dispatched, message.key, now, outcome)
            sent += 1
        return sent

    async def warn_budgets(self, now: datetime) -> int:
        """Tell the administrators, once per channel key and month (a row in ``dispatch``), that a
        key has used :data:`~dondoc.plan.channels.WARN_SHARE` of its monthly budget; returns how many
        alerts went out."""
        sent = 0
        for key, channel, chat_id, message in await asyncio.to_thread(self._budget_alerts, now):
            send = self.sweeper.senders.get(channel)
            if send is None:
                continue
            try:
                outcome = await send(chat_id, message)
            except Exception:  # one alert that fails never stops the job
                log.exception("could not send the budget alert %s to %s:%s", key, channel, chat_id)
                continue
            if isinstance(outcome, NotSent):
                log.warning("budget alert %s to %s:%s not sent: %s", key, channel, chat_id, outcome.reason)
                continue
            sent += 1
        return sent

    def _budget_alerts(self, now: datetime) -> list[tuple[str, str, str, M]]:
        month = month_of(now)
        alerts: list[tuple[str, str, str, M]] = []
        with session_scope(self.engine) as session:
            budgets = self.sweeper.budgets(session)
            for usage in month_usage(session, month):
                budget = budgets(usage.channel)
                if budget is None or usage.total < WARN_SHARE * budget:
                    continue
                key = f"budget:{usage.channel}:{month}"
                if session.exec(select(Dispatch.id).where(Dispatch.key == key)).first() is not None:
                    continue
                try:
                    with session.begin_nested():
                        session.add(Dispatch(key=key, claimed_at=now, state=ReminderState.SENT, sent_at=now))
                except IntegrityError:
                    continue  # another process is telling them
                usable = set(self.sweeper.senders) - self.sweeper.held
                found = administrators(session, usable=usable, about=usage.channel)
                for person, account in found:
                    if account is None:
                        continue
                    with use_language(person.language or normalize_language(account.language_code)):
                        message = self.texts.budget_warning(usage.channel, usage.total, budget)
                    alerts.append((key, account.channel, account.chat_id, message))
                log.warning("channel %s: %d of %d messages used in %s", usage.channel, usage.total, budget, month)
        return alerts

    def _retry_weekly(self, key: str, at: datetime) -> None:
        with session_scope(self.engine) as session:
            retry_dispatch(session, key, at)

    def _dispatched(self, key: str, now: datetime, message_id: str | None) -> None:
        with session_scope(self.engine) as session:
            mark_dispatched(session, key, now, message_id)

    def start(self, seconds: float = SWEEP_SECONDS) -> None:
        """Run :meth:`run` every ``seconds`` of the clock's time on the running event loop (a clock
        running faster than the wall clock, ``DONDOC_CLOCK_SPEED``, runs it as often in its time)."""
        self.started_at = self.clock.now()
        scheduler = AsyncIOScheduler(timezone=TZ)
        scheduler.add_job(
            self.run,
            "interval",
            seconds=self.clock.seconds(seconds),
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(TZ),
        )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
