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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.resources import as_file
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from dondoc.bot.app import reminder_service
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser
from dondoc.bot.telegram import TelegramChannel, telegram_sender
from dondoc.cli.demo import SAMPLE_PLAN
from dondoc.db.models import (
    Assignment,
    ChannelAccount,
    MemberRole,
    Membership,
    Organization,
    Person,
    Plan,
    Reminder,
    ReminderKind,
    Role,
    Task,
    Unit,
)
from dondoc.db.session import session_scope
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Reply, RetryLater, TemporaryFailure, Unreachable
from dondoc.handlers.onboarding import create_invite
from dondoc.handlers.reminders import render_digest
from dondoc.i18n import use_language
from dondoc.plan.appendix import read_appendix
from dondoc.plan.registry import apply_registry, build_matcher, load_registry, read_registry
from dondoc.plan.store import find_organization, save_appendix
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
FOCAL_UNIT = "XP"  # Ủy ban nhân dân xã Xà Phiên, lead on task I.2 of the sample plan
TASK = "I.2"
FANOUT_USER_BASE = 500_000_001
TELEGRAM_RATE = 30.0  # messages per second, Telegram's overall limit for a bot
HANG_GUARD = 120.0  # seconds: only stops a hung benchmark


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


def more_invites(engine: Engine, count: int) -> list[str]:
    """``count`` more invite codes for focal points of :data:`FOCAL_UNIT`."""
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.code == FOCAL_UNIT)).one()
        return [create_invite(session, unit, MemberRole.FOCAL, NOW, timedelta(days=7)).code for _ in range(count)]


@dataclass
class StepResult:
    ratio: float  # typed step ÷ PTB echo
    step_seconds: float
    echo_seconds: float
    button_ratio: float  # button step ÷ a PTB bot doing the same three requests for a press
    button_seconds: float
    button_echo_seconds: float
    rounds: int
    reply: str
    violations: int


async def bench_step(engine: Engine, invite: str, rounds: int, warmup: int = 3) -> StepResult:
    """Two steps of /report through the bot built as ``dondoc run`` builds it (``TelegramChannel.build``
    with its rate limiter), from the update being pushed to the bot's next question arriving:

    - typed: a bound focal point types "60" at the percent step;
    - button: one presses "50%" there (answerCallbackQuery, the buttons removed, the next question).

    Against plain PTB bots without a limiter, each on a Bot API server of its own in the same event
    loop: an echo, and a button handler making the same three requests. Each round is a different focal
    point, bound before the rounds start, as people report on their own phones: no chat sends faster
    than a person would (the limiter would rightly hold a chat that did).

    The baseline's rounds are interleaved with dondoc's, which goes first in every other round: a
    machine busier in one part of the run (another process, a collection) weighs on both sides alike
    instead of on whichever side ran then.
    """
    count = warmup + rounds
    codes = [invite, *more_invites(engine, 2 * count - 1)]

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        if message.text == "menu":
            buttons = InlineKeyboardMarkup([[InlineKeyboardButton("50%", callback_data="pct:50")]])
            await message.reply_text("Tỷ lệ hoàn thành?", reply_markup=buttons)
        else:
            await message.reply_text(message.text)

    async def pressed_echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
        await query.message.reply_text(query.data or "")

    async def timed(api: LocalBotApi, user: SimulatedUser, typed: str | None) -> tuple[float, str]:
        """Seconds from ``user`` typing ``typed`` (or pressing "50%") to the bot's next message."""
        await api.wait_idle(HANG_GUARD)
        start = time.perf_counter()
        if typed is None:
            await user.press_button("50%")
        else:
            await user.send(typed)
        answer = await user.next_message(HANG_GUARD)
        return time.perf_counter() - start, answer.text or ""

    step_times: list[float] = []
    button_times: list[float] = []
    echo_times: list[float] = []
    button_echo_times: list[float] = []
    reply = ""
    spec = bundled_spec()
    async with LocalBotApi(spec=spec, strict=False) as api, LocalBotApi(spec=spec, strict=False) as echo_api:
        # The clock runs, as a deployment's does: each message records when its chat was used (a frozen
        # clock recorded the same moment again, which writes nothing, and hid that write).
        dispatcher = Dispatcher(engine, Clock(NOW), Deployment(bot_username="dondoc_test_bot"))
        application = TelegramChannel(dispatcher).build(api.token, builder=api.application_builder())
        echo_app = echo_api.application_builder().build()
        echo_app.add_handler(MessageHandler(filters.TEXT, echo))
        echo_app.add_handler(CallbackQueryHandler(pressed_echo))
        async with api.running(application), echo_api.running(echo_app):
            people = [api.user(first_name=f"Đầu mối {n}", language_code="vi") for n in range(2 * count)]
            for person, code in zip(people, codes, strict=True):
                await person.send(f"/start {code}")
                await person.next_message(HANG_GUARD)
            user = echo_api.user(first_name="Tiếng vọng", language_code="vi")
            for round_number in range(count):
                typed, pressed = people[2 * round_number], people[2 * round_number + 1]
                for person in (typed, pressed):
                    await person.send(f"/report {TASK}")
                    await person.next_message(HANG_GUARD)
                    await person.press_button("Đang thực hiện")
                    await person.next_message(HANG_GUARD)
                dondoc_first = round_number % 2 == 0
                if dondoc_first:
                    elapsed, reply = await timed(api, typed, "60")
                    echoed, _text = await timed(echo_api, user, "60")
                else:
                    echoed, _text = await timed(echo_api, user, "60")
                    elapsed, reply = await timed(api, typed, "60")
                await user.send("menu")
                await user.next_message(HANG_GUARD)
                if dondoc_first:
                    pressed_in, _text = await timed(api, pressed, None)
                    button_echoed, _text = await timed(echo_api, user, None)
                else:
                    button_echoed, _text = await timed(echo_api, user, None)
                    pressed_in, _text = await timed(api, pressed, None)
                if round_number >= warmup:
                    step_times.append(elapsed)
                    button_times.append(pressed_in)
                    echo_times.append(echoed)
                    button_echo_times.append(button_echoed)
            await api.wait_idle(HANG_GUARD)
            await echo_api.wait_idle(HANG_GUARD)
        violations = sum(len(a.violations) + len(a.handler_errors) for a in (api, echo_api))
    step, echoed = statistics.median(step_times), statistics.median(echo_times)
    button, button_echo = statistics.median(button_times), statistics.median(button_echo_times)
    return StepResult(step / echoed, step, echoed, button / button_echo, button, button_echo, rounds, reply, violations)


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
        dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
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


SWEEP_FANOUT_AT = datetime(2022, 3, 16, 8, 0, tzinfo=TZ)  # a Wednesday, 08:00
SWEEP_FANOUT_USER_BASE = 600_000_001
SWEEP_FANOUT_LATENCY = 0.15  # seconds: a round trip from Vietnam to the Bot API


def add_fanout_units(engine: Engine, users: Sequence[SimulatedUser], at: datetime, name: str) -> None:
    """An organisation ``name`` with one unit, task and focal point (bound on Telegram in the user's
    chat) for each of ``users``, and one reminder for each unit due at ``at``: one digest each."""
    with session_scope(engine) as session:
        organization = Organization(name=name)
        session.add(organization)
        session.flush()
        assert organization.id is not None
        plan = Plan(organization_id=organization.id, key=str(at.year), title=name, year=at.year)
        session.add(plan)
        session.flush()
        assert plan.id is not None
        for n, user in enumerate(users, start=1):
            unit = Unit(organization_id=organization.id, code=f"F{n}", name=f"Đơn vị {n}", position=n)
            task = Task(plan_id=plan.id, code=f"I.{n}", number=str(n), title=f"Nhiệm vụ {n}")
            person = Person(organization_id=organization.id, full_name=f"Đầu mối {n}", created_at=at)
            session.add_all([unit, task, person])
            session.flush()
            assert unit.id is not None and task.id is not None and person.id is not None
            session.add(
                ChannelAccount(
                    person_id=person.id,
                    channel="telegram",
                    external_id=str(user.user_id),
                    chat_id=str(user.chat_id),
                    language_code="vi",
                )
            )
            session.add(Membership(person_id=person.id, unit_id=unit.id, role=MemberRole.FOCAL, created_at=at))
            assignment = Assignment(task_id=task.id, unit_id=unit.id, role=Role.LEAD)
            session.add(assignment)
            session.flush()
            assert assignment.id is not None
            session.add(
                Reminder(
                    assignment_id=assignment.id,
                    due=at.date() + timedelta(days=3),
                    kind=ReminderKind.BEFORE,
                    send_on=at.date(),
                    send_at=at,
                )
            )


async def bench_sweep_fanout(
    engine: Engine, messages: int, latency: float, window: int | None = None, run: int = 0
) -> FanoutResult:
    """One reminder pass (``Sweeper.sweep``) sending ``messages`` digests through ``telegram_sender``, the
    bot built as ``dondoc run`` builds it (its limiter included), to a server ``latency`` seconds away
    that allows 30 sends a second. ``window``: the pass's digests on their way at once (default: the
    sweeper's own). Each run adds its own organisation, units and users to ``engine``'s store, due an
    hour after the run before (``run``: 0, 1, …)."""
    at = SWEEP_FANOUT_AT + timedelta(hours=run)
    base = SWEEP_FANOUT_USER_BASE + 10_000 * run
    spec = bundled_spec()
    async with LocalBotApi(spec=spec, strict=False, rate_limit_per_second=TELEGRAM_RATE, latency=latency) as api:
        users = [api.user(base + n, first_name=f"Đầu mối {n}") for n in range(messages)]
        add_fanout_units(engine, users, at, f"Fan-out {base}")
        clock = Clock(at, frozen=True)
        dispatcher = Dispatcher(engine, clock, Deployment(bot_username="dondoc_test_bot"))
        application = TelegramChannel(dispatcher).build(api.token, builder=api.application_builder())
        async with api.running(application):
            sweeper = reminder_service(
                engine, clock, WorkCalendar(), {"telegram": telegram_sender(application.bot)}
            ).sweeper
            if window is not None:
                sweeper.window = window
            start = time.perf_counter()
            result = await asyncio.wait_for(sweeper.sweep(), HANG_GUARD)
            seconds = time.perf_counter() - start
            await api.wait_idle()
        sent = sum(1 for user in users if user.messages)
        violations = len(api.violations) + len(api.handler_errors)
        rejected = api.stats.rejected_429
    failed = messages - result.messages
    return FanoutResult(result.messages / seconds / TELEGRAM_RATE, rejected, sent, failed, seconds, violations)
