"""The benchmarks that go through python-telegram-bot and the local Bot API server.

Both use a *small* store (the bundled Long Mỹ 2022 sample plan, the one ``dondoc demo`` and the
tests import), not the province-scale one: ``step_ratio`` measures the conversation machinery (PTB,
the worker thread, the dispatcher's transaction and conversation state) rather than the size of the
tables, and ``fanout`` does not read the store at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import statistics
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.resources import as_file
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

from dondoc.bot.cli import SAMPLE_PLAN
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.telegram import TelegramChannel, telegram_sender
from dondoc.db.models import ChannelAccount, MemberRole, Person, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.context import Settings
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Reply, RetryLater, TemporaryFailure, Unreachable
from dondoc.handlers.onboarding import create_invite
from dondoc.handlers.reminders import render_digest
from dondoc.i18n import use_language
from dondoc.plan.appendix import read_appendix
from dondoc.plan.registry import apply_registry, build_matcher, load_registry, read_registry
from dondoc.plan.store import find_organization, save_appendix
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
FOCAL_UNIT = "XP"  # Ủy ban nhân dân xã Xà Phiên, lead on task I.2 of the sample plan
TASK = "I.2"
FANOUT_USER_BASE = 500_000_001
TELEGRAM_RATE = 30.0  # messages per second, Telegram's overall limit for a bot


def import_sample(engine: Engine) -> str:
    """The sample registry and appendix, as ``dondoc demo`` imports them; returns an invite code for
    the focal point of :data:`FOCAL_UNIT`."""
    with as_file(SAMPLE_PLAN) as sample:
        registry = read_registry(sample / "units.yaml")
        with session_scope(engine) as session:
            apply_registry(session, registry)
        appendix_file = sample / "phu-luc-cchc-2022.xlsx"
        with session_scope(engine) as session:
            organization = find_organization(session, registry.organization)
            matcher = build_matcher(load_registry(session, organization))
        appendix = read_appendix(appendix_file, matcher)
        appendix_sha256 = hashlib.sha256(appendix_file.read_bytes()).hexdigest()
    with session_scope(engine) as session:
        organization = find_organization(session, registry.organization)
        save_appendix(
            session,
            organization,
            appendix,
            key=str(appendix.year),
            source_file=appendix_file.name,
            source_sha256=appendix_sha256,
            now=NOW,
        )
        unit = session.exec(select(Unit).where(Unit.organization_id == organization.id, Unit.code == FOCAL_UNIT)).one()
        return create_invite(session, unit, MemberRole.FOCAL, NOW, timedelta(days=7)).code


@dataclass
class StepResult:
    ratio: float
    step_seconds: float
    echo_seconds: float
    rounds: int
    reply: str
    violations: int


async def bench_step(engine: Engine, invite: str, rounds: int, warmup: int = 3) -> StepResult:
    """A bound focal point types "60" at the percent step of /report: from the update being pushed
    to the bot's question arriving; then the same measure for a PTB echo handler on the same server.

    Both applications run without a rate limiter (the fan-out benchmark measures that), so a round's
    untimed steps cannot delay the timed one.
    """
    async with LocalBotApi(spec=bundled_spec(), strict=False) as api:
        dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Settings(bot_username="dondoc_test_bot"))
        application = TelegramChannel(dispatcher).build(api.token, builder=api.application_builder(), rate_limit=False)
        step_times: list[float] = []
        reply = ""
        async with api.running(application):
            lan = api.user(first_name="Lan", last_name="Trần", language_code="vi")
            await lan.send(f"/start {invite}")
            await lan.next_message()
            for round_number in range(warmup + rounds):
                await lan.send(f"/report {TASK}")
                await lan.next_message()
                await lan.press_button("Đang thực hiện")
                await lan.next_message()
                await api.wait_idle()
                start = time.perf_counter()
                await lan.send("60")
                answer = await lan.next_message()
                elapsed = time.perf_counter() - start
                reply = answer.text or ""
                if round_number >= warmup:
                    step_times.append(elapsed)
            await api.wait_idle()

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            if message is not None and message.text:
                await message.reply_text(message.text)

        echo_app = api.application_builder().build()
        echo_app.add_handler(MessageHandler(filters.TEXT, echo))
        echo_times: list[float] = []
        async with api.running(echo_app):
            user = api.user(first_name="Tiếng vọng", language_code="vi")
            for round_number in range(warmup + rounds):
                await api.wait_idle()
                start = time.perf_counter()
                await user.send("60")
                await user.next_message()
                elapsed = time.perf_counter() - start
                if round_number >= warmup:
                    echo_times.append(elapsed)
            await api.wait_idle()
        violations = len(api.violations) + len(api.handler_errors)
    step, echoed = statistics.median(step_times), statistics.median(echo_times)
    return StepResult(step / echoed, step, echoed, rounds, reply, violations)


def digest_reply(number: int) -> Reply:
    """A reminder digest of three tasks, rendered by dondoc as the sweeper would send it."""
    person = Person(id=number, organization_id=1, full_name=f"Đầu mối {number}", created_at=NOW)
    account = ChannelAccount(person_id=number, channel="telegram", external_id=str(number), chat_id=str(number))
    digest = Digest(recipient=Recipient(person, account), audience="focal")
    for index, (code, due) in enumerate(
        (("I.2", date(2022, 3, 31)), ("II.4", date(2022, 3, 18)), ("VI.1", date(2022, 3, 10)))
    ):
        digest.items.append(
            DueItem(
                reminder_id=number * 10 + index,
                assignment_id=index + 1,
                kind="overdue" if due < NOW.date() else "before",
                due=due,
                send_at=NOW,
                attempts=1,
                audience="focal",
                task_code=code,
                task_title="Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực đất đai",
                task_position=index,
                unit_id=1,
                unit_code="XP",
                unit_name="Ủy ban nhân dân xã Xà Phiên",
                unit_position=0,
                organization_id=1,
            )
        )
    with use_language("vi"):
        return render_digest(digest, NOW.date())


@dataclass
class FanoutResult:
    ratio: float
    rejected_429: int
    sent: int
    failed: int
    seconds: float
    violations: int


async def bench_fanout(
    engine: Engine, messages: int, limiter: AIORateLimiter | None = None, *, concurrent: bool = False
) -> FanoutResult:
    """``messages`` reminder digests to as many users through ``telegram_sender``, against a server that
    answers 429 beyond 30 sends in any one second. ``limiter=None`` builds the application exactly as
    ``dondoc run`` does (``TelegramChannel.build`` with its own AIORateLimiter); otherwise ``limiter``
    replaces it. Sequential by default, like ``Sweeper.sweep``; ``concurrent`` sends them all at once."""
    async with LocalBotApi(spec=bundled_spec(), strict=False, rate_limit_per_second=TELEGRAM_RATE) as api:
        users = [api.user(FANOUT_USER_BASE + n, first_name=f"Đầu mối {n}") for n in range(messages)]
        dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Settings(bot_username="dondoc_test_bot"))
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = api.application_builder()
        if limiter is not None:
            builder = builder.rate_limiter(limiter)
        application = TelegramChannel(dispatcher).build(api.token, builder=builder, rate_limit=limiter is None)
        replies = [digest_reply(user.user_id) for user in users]
        failed = 0
        async with api.running(application):
            send = telegram_sender(application.bot)

            async def one(chat_id: int, reply: Reply) -> bool:
                try:
                    await send(str(chat_id), reply)
                except (RetryLater, TemporaryFailure, Unreachable, TelegramError):
                    return False
                return True

            start = time.perf_counter()
            if concurrent:
                outcomes = await asyncio.gather(*(one(u.chat_id, r) for u, r in zip(users, replies, strict=True)))
            else:
                outcomes = [await one(u.chat_id, r) for u, r in zip(users, replies, strict=True)]
            seconds = time.perf_counter() - start
            failed = outcomes.count(False)
            await api.wait_idle()
        sent = sum(1 for user in users if user.messages)
        violations = len(api.violations) + len(api.handler_errors)
        rejected = api.stats.rejected_429
    rate = (messages - failed) / seconds
    return FanoutResult(rate / TELEGRAM_RATE, rejected, sent, failed, seconds, violations)
