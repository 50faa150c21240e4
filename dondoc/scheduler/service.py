"""The reminder job as the bot runs it: one APScheduler interval job that replans once a day and
sweeps every minute. Nothing it needs lives in memory: the outbox is the state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Generic

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from dondoc.db.models import Dispatch, ReminderState
from dondoc.db.session import session_scope
from dondoc.db.usage import month_of, month_usage
from dondoc.i18n import normalize_language, use_language
from dondoc.plan.channels import WARN_SHARE
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.schedule import replan
from dondoc.scheduler.sweeper import Deliver, M, NotSent, ReminderTexts, Sweeper, SweepResult, administrators
from dondoc.scheduler.weekly import WeeklyDigest, due_digests, mark_dispatched
from dondoc.tz import TZ

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60
WEEKLY_TIME = time(8, 0)  # the weekly digest's time on each organisation's digest day


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

    def schedule(self, now: datetime | None = None) -> tuple[int, int]:
        """Replan the outbox (idempotent); returns (added, cancelled)."""
        moment = now or self.clock.now()
        with session_scope(self.engine) as session:
            return replan(session, self.calendar, moment)

    async def tick(self) -> SweepResult:
        now = self.clock.now()
        if self._scheduled_on != now.date():
            added, cancelled = await asyncio.to_thread(self.schedule, now)
            log.info("reminders planned: %d added, %d cancelled", added, cancelled)
            self._scheduled_on = now.date()
        result = await self.sweeper.sweep()
        if now.time() >= WEEKLY_TIME and self.calendar.in_office_hours(now):
            await self.send_weekly(now)
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
                continue  # the claim's lease runs out and a later tick tries again
            await asyncio.to_thread(self._dispatched, digest.key, now, outcome)
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

    def _dispatched(self, key: str, now: datetime, message_id: str | None) -> None:
        with session_scope(self.engine) as session:
            mark_dispatched(session, key, now, message_id)

    def start(self, seconds: int = SWEEP_SECONDS) -> None:
        """Run :meth:`tick` every ``seconds`` on the running event loop."""
        scheduler = AsyncIOScheduler(timezone=TZ)
        scheduler.add_job(
            self.tick, "interval", seconds=seconds, max_instances=1, coalesce=True, next_run_time=datetime.now(TZ)
        )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
