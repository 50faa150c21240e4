"""The composition root: the one place that assembles dondoc for ``dondoc run`` and ``dondoc sandbox``.

It builds the store, the clock, the calendar, the dispatcher, the reminder service and the map
channel → sender, and wires them together: the reminder job sends through the sender of each
recipient's channel, in the messages the handlers render (:class:`ReminderMessages`), and a reply
addressed to a chat on another channel is delivered by that channel's sender. Nothing below this
module knows a channel, and no channel starts the reminder job itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from telegram.ext import Application

from dondoc.bot.config import Settings, budget_defaults
from dondoc.bot.error_reports import ErrorReports
from dondoc.bot.metrics import Metrics, update_kind
from dondoc.bot.telegram import CHANNEL as TELEGRAM
from dondoc.bot.telegram import Builder, TelegramChannel, telegram_sender
from dondoc.bot.zalo.channel import CHANNEL as ZALO
from dondoc.bot.zalo.channel import ZaloChannel
from dondoc.bot.zalo.client import OFFICIAL_BASE_URL as ZALO_API
from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo_bots import single_zalo_bot
from dondoc.db.session import open_store
from dondoc.db.usage import count_messages
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import COMMANDS, Dispatcher
from dondoc.handlers.events import Inbound, QuotaSpent, Rejected, Reply, RetryLater, Send, TemporaryFailure, Unreachable
from dondoc.handlers.reminders import ReminderMessages
from dondoc.plan.zalo_bots import ZaloBotInfo
from dondoc.scheduler.calendar import WorkCalendar, calendar_from_file
from dondoc.scheduler.clock import Clock, clock_at
from dondoc.scheduler.service import ReminderService
from dondoc.scheduler.sweeper import Deliver, Failure, NotSent

log = logging.getLogger(__name__)
_COMMAND_NAMES = frozenset(command.name for command in COMMANDS) | {"start", "link"}


def delivering(send: Send) -> Deliver[Reply]:
    """A channel's sender as the reminder job uses it: the channel's failures become its outcomes."""

    async def deliver(chat_id: str, reply: Reply) -> str | NotSent | None:
        try:
            return await send(chat_id, reply)
        except Unreachable as exc:
            return NotSent(Failure.UNREACHABLE, str(exc))
        except RetryLater as exc:
            return NotSent(Failure.RETRY_LATER, str(exc), exc.seconds)
        except QuotaSpent as exc:
            return NotSent(Failure.QUOTA, str(exc))
        except Rejected as exc:
            return NotSent(Failure.REJECTED, str(exc))
        except TemporaryFailure as exc:
            return NotSent(Failure.TEMPORARY, str(exc))

    return deliver


class Delivering(Mapping[str, Deliver[Reply]]):
    """The channels' senders (a live view: a channel attached later is reached too), for the reminder job."""

    def __init__(self, senders: Mapping[str, Send]) -> None:
        self._senders = senders

    def __getitem__(self, channel: str) -> Deliver[Reply]:
        return delivering(self._senders[channel])

    def __iter__(self) -> Iterator[str]:
        return iter(self._senders)

    def __len__(self) -> int:
        return len(self._senders)


def reminder_service(
    engine: Engine,
    clock: Clock,
    calendar: WorkCalendar,
    senders: Mapping[str, Send],
    budgets: Mapping[str, int | None] | None = None,
) -> ReminderService[Reply]:
    """The reminder job, sending the handlers' messages through ``senders`` (channel → sender);
    ``budgets``: the deployment's monthly budget per channel family (:func:`budget_defaults`)."""
    return ReminderService(engine, clock, calendar, Delivering(senders), ReminderMessages(), budgets)


class ObservedDispatcher(Dispatcher):
    """The dispatcher, counted (:class:`~dondoc.bot.metrics.Metrics`); an error it does not handle is
    logged with its context (channel, kind of update, command name: never what was written), which
    reports it to the administrators (:mod:`dondoc.bot.error_reports`), and raised on to the channel."""

    def __init__(self, engine: Engine, clock: Clock, settings: Deployment, metrics: Metrics) -> None:
        super().__init__(engine, clock, settings)
        self.metrics = metrics

    def handle(self, inbound: Inbound, *, count_on: str | None = None) -> list[Reply]:
        try:
            replies = super().handle(inbound, count_on=count_on)
        except Exception:
            log.exception("%s: an update could not be handled", inbound.channel, extra={"context": context_of(inbound)})
            raise
        self.metrics.handled(inbound, len(replies))
        return replies


def context_of(inbound: Inbound) -> str:
    """What a person was doing, for an error report: the channel, the kind of update and, for one of
    dondoc's commands, its name (nothing they wrote)."""
    kind = update_kind(inbound)
    if kind == "command":
        name = inbound.text.strip()[1:].partition(" ")[0].split("@", 1)[0].lower()
        if name in _COMMAND_NAMES:
            return f"{inbound.channel} {kind} /{name}"
    return f"{inbound.channel} {kind}"


@dataclass
class App:
    """dondoc assembled: every channel attached to it shares the dispatcher and the senders."""

    engine: Engine
    clock: Clock
    calendar: WorkCalendar
    dispatcher: Dispatcher
    senders: dict[str, Send]  # channel → its sender, filled as channels are attached
    reminders: ReminderService[Reply]
    metrics: Metrics = field(default_factory=Metrics)
    error_reports: ErrorReports | None = None  # reports unhandled errors to the administrators while started

    def attach(self, channel: str, send: Send) -> None:
        """A channel's sender: its reminders and the replies addressed to its chats go through it."""
        self.senders[channel] = send
        self.metrics.serving(channel)

    def start_jobs(self) -> None:
        """Start the reminder job and the error reports (on the running event loop)."""
        if self.error_reports is not None:
            self.error_reports.start()
        self.reminders.start()

    def stop_jobs(self) -> None:
        self.reminders.stop()
        if self.error_reports is not None:
            self.error_reports.stop()

    def attach_telegram(
        self,
        token: str,
        *,
        base_url: str | None = None,
        base_file_url: str | None = None,
        rate_limit: bool = True,
        builder: Builder | None = None,
        run_reminders: bool = True,
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        """The Telegram channel as a PTB application; with ``run_reminders`` the reminder job runs
        while the application does."""
        channel = TelegramChannel(
            self.dispatcher,
            self.senders,
            on_start=self.start_jobs if run_reminders else None,
            on_stop=self.stop_jobs if run_reminders else None,
        )
        application = channel.build(
            token, base_url=base_url, base_file_url=base_file_url, rate_limit=rate_limit, builder=builder
        )
        self.attach(TELEGRAM, telegram_sender(application.bot, self.meter(TELEGRAM)))
        return application

    def attach_zalo(
        self, token: str, *, base_url: str | None = None, key: str = ZALO, client: ZaloClient | None = None
    ) -> ZaloChannel:
        """One Zalo bot as the channel ``key``: its updates go to :meth:`ZaloChannel.process_update`
        (polling or a webhook, decided by the caller); its sender delivers reminders and the replies
        addressed to its chats. The caller closes ``channel.client``; the reminder job is started by
        the caller too (:meth:`ReminderService.start`), once for every channel."""
        channel = ZaloChannel(self.dispatcher, client or ZaloClient(token, base_url or ZALO_API), key, self.senders)
        self.attach(key, channel.send)
        return channel

    def meter(self, channel: str) -> Callable[[int], None]:
        """Counts ``n`` messages sent on ``channel`` now (called from a worker thread): what a
        channel's sender calls with the number of messages (parts) each send put out."""

        def count(n: int) -> None:
            count_messages(self.engine, channel, "out", self.clock.now(), n)

        return count


def assemble(
    engine: Engine,
    clock: Clock,
    calendar: WorkCalendar,
    *,
    bot_username: str | None,
    budgets: Mapping[str, int | None] | None = None,
    zalo: ZaloBotInfo | None = None,
) -> App:
    """dondoc on ``engine`` with ``clock`` and ``calendar``, no channel attached yet; ``budgets``: the
    deployment's monthly budget per channel family; ``zalo``: the one Zalo bot of ``ZALO_BOT_TOKEN``,
    when there is one (invites name it)."""
    senders: dict[str, Send] = {}
    metrics = Metrics()
    deployment = Deployment(bot_username=bot_username, calendar=calendar, zalo=zalo)
    dispatcher = ObservedDispatcher(engine, clock, deployment, metrics)
    service = reminder_service(engine, clock, calendar, senders, budgets)
    service.sweeper.observe = metrics.reminder
    service.on_pass = metrics.swept
    reports = ErrorReports(engine, clock, senders, count=metrics.error)
    return App(engine, clock, calendar, dispatcher, senders, service, metrics, reports)


def open_app(settings: Settings, *, bot_username: str | None) -> App:
    """dondoc from the configuration: the store at ``settings.database_url``, the clock of
    ``settings.now``, the calendar of ``settings.calendar``. Raises
    :class:`~dondoc.db.session.StoreError`, :class:`~dondoc.scheduler.clock.ClockSettingError` or
    :class:`~dondoc.plan.problems.InputError` or :class:`~dondoc.bot.config.SettingError` when one
    of them is wrong."""
    budgets = budget_defaults(settings)
    engine = open_store(settings.database_url)
    return assemble(
        engine,
        clock_at(settings.now, settings.clock_speed, settings.clock_origin),
        calendar_from_file(settings.calendar),
        bot_username=bot_username,
        budgets=budgets,
        zalo=single_zalo_bot(settings),
    )
