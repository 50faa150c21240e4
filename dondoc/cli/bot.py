"""``dondoc run`` and ``dondoc sandbox``: the bot itself, assembled by :mod:`dondoc.bot.app`.

``dondoc run`` polls Zalo when ``ZALO_BOT_TOKEN`` is set, Telegram when ``TELEGRAM_BOT_TOKEN`` is set, both
in one event loop when both are, and runs the reminder job once for all of them. Each Bot API is asked
who the bot is first (getMe): a wrong token or address is one line, before anything starts."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from alembic.util import CommandError
from sqlalchemy import func
from sqlmodel import Session, select
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from dondoc.bot.app import App, open_app
from dondoc.bot.config import SettingError, TelegramConfig, ZaloConfig
from dondoc.bot.cpu import AUTO, keep_on_one_core
from dondoc.bot.turns import CONCURRENT_UPDATES
from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo.polling import ZaloPolling
from dondoc.bot.zalo_bots import ZaloBotConfig, ZaloConfigError, check_tokens, deployment_zalo_bots
from dondoc.cli.common import (
    calendar,
    clock,
    configured_bot_username,
    current,
    global_options,
    organization,
    refuse,
    refuse_newer_database,
    sandbox_options,
    settings,
    store,
    usage,
)
from dondoc.cli.demo import demo_import
from dondoc.db.models import Plan
from dondoc.db.queries import has_plan
from dondoc.db.session import StoreError, session_scope
from dondoc.handlers.events import Rejected, TemporaryFailure, Unreachable
from dondoc.i18n import _
from dondoc.plan.problems import InputError
from dondoc.scheduler.clock import ClockSettingError
from dondoc.tz import TZ


@contextmanager
def _quiet_logs(*names: str) -> Iterator[None]:
    """Silence libraries that log tracebacks of errors reported here in one line."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _not_json(error: BaseException) -> bool:
    """Whether ``error`` comes of an answer that is not JSON, whatever its HTTP status: the request
    layer raises ``TelegramError("Invalid server response")`` from the parser's ``ValueError``, and on
    a 401 or 404 wraps it in ``InvalidToken`` (which ``Bot.initialize`` wraps again)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ValueError) or (
            isinstance(seen, TelegramError) and seen.message == "Invalid server response"
        ):
            return True
        seen = seen.__cause__
    return False


def _innermost(error: InvalidToken) -> InvalidToken:
    """The ``InvalidToken`` the request layer raised for the HTTP answer (its message is the Bot API's
    description, e.g. "Unauthorized"), not the one ``Bot.initialize`` wraps it in (whose message
    holds the token)."""
    cause = error.__cause__
    return _innermost(cause) if isinstance(cause, InvalidToken) else error


async def check_bot_api(config: TelegramConfig) -> tuple[str | None, str | None]:
    """Ask the configured Bot API who the bot is (getMe): (None, the bot's username) when it answers
    as the Bot API, else (one line for people saying what is wrong, None). The token never appears in
    the line."""
    base = config.base_url

    def hidden(text: str) -> str:
        return text.replace(config.token, "<TELEGRAM_BOT_TOKEN>").strip().rstrip(".")

    def unreachable(reason: str) -> str:
        return _(
            "Cannot reach the Telegram Bot API at {base}: {reason}. Check TELEGRAM_API_BASE_URL and the network."
        ).format(base=base, reason=hidden(reason))

    bot = Bot(config.token, base_url=base, base_file_url=config.base_file_url)
    with _quiet_logs("telegram", "httpx"):
        try:
            await bot.initialize()  # getMe
        except InvalidToken as error:  # a 401 or 404 answer
            if _not_json(error):  # an HTML page, say: someone else's web server
                return unreachable(_("the answer is not the Telegram Bot API's")), None
            return _(
                "The Telegram Bot API at {base} refused the bot token ({reason}). Check TELEGRAM_BOT_TOKEN."
            ).format(base=base, reason=hidden(_innermost(error).message)), None
        except TelegramError as error:
            if _not_json(error):
                return unreachable(_("the answer is not the Telegram Bot API's")), None
            return unreachable(error.message.removeprefix("httpx.")), None
        else:
            return None, bot.username
        finally:
            with suppress(TelegramError):
                await bot.shutdown()


async def check_zalo_api(config: ZaloConfig) -> tuple[str | None, dict[str, Any]]:
    """Ask the configured Zalo Bot API who the bot is (getMe): (None, the bot's account) when it
    answers as the Zalo Bot API, else (one line for people saying what is wrong, {}). The token never
    appears in it."""
    base = config.base_url
    async with ZaloClient(config.token, base) as client:
        with _quiet_logs("httpx"):
            try:
                me = await client.get_me()
            except TemporaryFailure as error:
                reason = client.redact(str(error)).removeprefix("getMe: ").strip().rstrip(".")
                return _(
                    "Cannot reach the Zalo Bot API at {base}: {reason}. Check ZALO_API_BASE_URL and the network."
                ).format(base=base, reason=reason), {}
            except (Rejected, Unreachable) as error:
                reason = client.redact(str(error)).removeprefix("getMe: ").strip().rstrip(".")
                return _("The Zalo Bot API at {base} refused the bot token ({reason}). Check {variable}.").format(
                    base=base, reason=reason, variable=config.token_env
                ), {}
    return None, me


def log_serving(bot_app: App, channels: Sequence[str], *, reminders: bool) -> None:
    """The line a ``run`` or ``serve`` process starts with: the database it works on (its password
    hidden), the channels it serves (``channels``, e.g. "Telegram @dondoc_bot (webhook)") and whether
    the reminder job runs in it. Never a token, secret or code: the channels are named by their keys
    and the names people search for."""
    url = bot_app.engine.url
    database = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
    logging.getLogger(__name__).info(
        "serving the database %s; channels: %s; the reminder job %s",
        database,
        ", ".join(channels) or "none",
        "runs in this process" if reminders else "does not run in this process",
    )


def telegram_served(bot_app: App, how: str) -> str:
    """The Telegram bot as :func:`log_serving` names it: its username, and ``how`` (webhook, polling)."""
    username = bot_app.dispatcher.settings.bot_username
    return f"Telegram @{username} ({how})" if username else f"Telegram ({how})"


def zalo_served(key: str, name: str, how: str) -> str:
    """A Zalo bot as :func:`log_serving` names it: its channel key, its name, and ``how``."""
    return f"Zalo {key} «{name}» ({how})" if name else f"Zalo {key} ({how})"


def zalo_bot_name(config: ZaloConfig, me: Mapping[str, Any]) -> str:
    """What people search for in Zalo to find the bot: its configured name, else the name Zalo gives."""
    return config.bot_name or str(me.get("display_name") or me.get("account_name") or "")


@global_options
def run(
    webhook_url: Annotated[str | None, typer.Option("--webhook-url", help="Public HTTPS URL for a webhook.")] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on for the webhook.")] = 8443,
) -> None:
    """Run the bot: Zalo (ZALO_BOT_TOKEN) and/or Telegram (TELEGRAM_BOT_TOKEN), by polling; Telegram alone
    can use a webhook with a secret token."""
    config = settings().telegram
    try:
        # One process serves the bot (its updates go to one poller): its threads keep to one core.
        keep_on_one_core(settings().cpu, AUTO)
        bot_app = open_app(settings(), bot_username=configured_bot_username(config))
    except (StoreError, ClockSettingError, SettingError) as error:
        usage(str(error))
    except InputError as error:
        refuse(error)
    except CommandError:  # a database a newer release migrated
        refuse_newer_database()
        raise
    bots = zalo_bot_configs(bot_app)
    if not config.token and not bots:
        usage(
            _(
                "Neither ZALO_BOT_TOKEN nor TELEGRAM_BOT_TOKEN is set. To try the bot without a token, run `dondoc sandbox`."
            )
        )
    if webhook_url and bots:
        usage(_("--webhook-url is for Telegram alone: with ZALO_BOT_TOKEN set, run without it to poll both."))
    if config.token:
        problem, username = asyncio.run(check_bot_api(config))
        if problem:
            usage(problem)
        know_bot_username(bot_app, username)
    served = []
    for key, bot in bots:
        problem, me = asyncio.run(check_zalo_api(bot))
        if problem:
            usage(problem)
        served.append(zalo_served(key, zalo_bot_name(bot, me), "polling"))
    # the logs were set up before the command ran (--log-format, with the secrets taken out: cli.common)
    if config.token:
        served.insert(0, telegram_served(bot_app, "webhook" if webhook_url else "polling"))
    log_serving(bot_app, served, reminders=True)
    if bots:
        asyncio.run(poll_all(bot_app, config if config.token else None, bots))
        return
    application = bot_app.attach_telegram(config.token, base_url=config.base_url, base_file_url=config.base_file_url)
    if webhook_url:
        secret = config.webhook_secret or secrets.token_urlsafe(32)
        application.run_webhook(
            listen="0.0.0.0",
            port=port,
            url_path=urlsplit(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secret,
        )
    else:
        application.run_polling()


def know_bot_username(bot_app: App, username: str | None) -> None:
    """The Telegram bot's username as getMe gave it (else ``TELEGRAM_BOT_USERNAME``'s): the in-chat
    invite links name it; without either, they are left out rather than made up."""
    if username:
        bot_app.dispatcher.settings.bot_username = username


def zalo_bot_configs(bot_app: App) -> list[tuple[str, ZaloConfig]]:
    """Every Zalo bot the deployment runs (its channel key and configuration): the registries' bots
    and the one of ``ZALO_BOT_TOKEN``. A bot whose token variable is not set is one line, and exit 2."""
    bots = deployment_zalo_bots(settings(), bot_app.engine)
    try:
        check_tokens(bots)
    except ZaloConfigError as error:
        usage(str(error))
    return [bot_config(settings().zalo, bot) for bot in bots]


def bot_config(zalo: ZaloConfig, bot: ZaloBotConfig) -> tuple[str, ZaloConfig]:
    """A Zalo bot of the deployment (its channel key) as the client needs it: its own token, the API's
    address of ``ZALO_API_BASE_URL``."""
    return bot.key, replace(zalo, token=bot.token, token_env=bot.token_env, bot_name=bot.display_name or None)


async def poll_all(bot_app: App, telegram: TelegramConfig | None, zalo: list[tuple[str, ZaloConfig]]) -> None:
    """Polling of every Zalo bot (``zalo``: channel key and configuration), Telegram polling too when
    configured, and the reminder job once for all, in one event loop until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)
    application = None
    if telegram is not None:
        application = bot_app.attach_telegram(
            telegram.token, base_url=telegram.base_url, base_file_url=telegram.base_file_url, run_reminders=False
        )
        await application.initialize()
        if application.post_init is not None:  # what run_polling() would call: the bot's name, its commands
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling()
        await application.start()
    channels = [bot_app.attach_zalo(bot.token, base_url=bot.base_url, key=key) for key, bot in zalo]
    # Several updates at once, each chat's in turn (as Telegram's and the webhooks' are).
    pollers = [
        ZaloPolling(channel.client, channel.process_update, concurrency=CONCURRENT_UPDATES) for channel in channels
    ]
    polling = [asyncio.create_task(poller.run()) for poller in pollers]
    bot_app.start_jobs()
    logging.getLogger(__name__).info("polling Zalo%s; stop with Ctrl+C", " and Telegram" if application else "")
    try:
        await stop.wait()
    finally:
        bot_app.stop_jobs()
        for poller in pollers:
            poller.stop()
        await asyncio.gather(*polling)
        for channel in channels:
            await channel.client.aclose()
        if application is not None:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
            await application.shutdown()


SANDBOX_START = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)


def newest_plan_year(session: Session, organization_id: int | None = None) -> int | None:
    """The year of the newest plan of the organisation ``organization_id`` (the one a sandbox plays),
    else of the newest in the store (an organisation with no plan of its own: a province); None when
    the store holds none."""
    if organization_id is not None:
        own = session.exec(select(func.max(Plan.year)).where(Plan.organization_id == organization_id)).first()
        if own is not None:
            return own
    return session.exec(select(func.max(Plan.year))).first()


# The sandbox's own store, in the current folder (``--db`` chooses another).
SANDBOX_DATABASE = "sqlite:///dondoc-sandbox.db"


def shown_url(url: str) -> str:
    """A database URL to print: its password, if any, hidden."""
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


@sandbox_options
def sandbox(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Sample folder to load when the store has no plan yet (default: the bundled one)."),
    ] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="The channel to see it as: telegram (buttons) or zalo (plain text).")
    ] = "telegram",
) -> None:
    """Chat with the bot in the terminal: no token, no internet (the main demo)."""
    from dondoc.bot.sandbox import Sandbox, played_organization, stdin_reader
    from dondoc.bot.zalo.sandbox import ZaloSandbox

    if channel not in ("telegram", "zalo"):
        usage(_("--channel: {channel} is not a channel: use telegram or zalo").format(channel=channel))

    # The sandbox lives in the sample plan's year unless DONDOC_NOW says otherwise; the import
    # below plans its reminders from that moment too.
    run = current()
    if not run.db_option:
        # The sandbox plays people (a focal point, a manager) and saves what is typed: in a file of its
        # own, never in the database DONDOC_DATABASE_URL or .env name for the bot, unless --db says so.
        run.settings = run.settings.model_copy(update={"database_url": SANDBOX_DATABASE})
    else:
        typer.echo(
            _("The sandbox works on {database}: it adds the people it plays there and saves what is typed.").format(
                database=shown_url(run.db_option)
            )
        )
    defaulted = not (run.settings.now or "").strip()
    if defaulted:
        run.settings = run.settings.model_copy(update={"now": SANDBOX_START.isoformat()})
    engine = store()
    with session_scope(engine) as session:
        empty = not has_plan(session)
    if empty:
        demo_import(data)
    played = None  # --org: the organisation played (else the store's first)
    with session_scope(engine) as session:
        if run.org:
            played = organization(session).id
        shown = played_organization(session, played)
        # The year of the plan of the organisation played, not of the store's newest (a commune's 2026
        # plan beside the sample's 2022 one: each played in its own year).
        newest = newest_plan_year(session, shown.id if shown is not None else None)
    if not empty and defaulted and newest is not None and newest != SANDBOX_START.year:
        # A deployment's own plan (a 2026 plan tried in its store): mid-March of its year (a weekday),
        # so that its deadlines, reports and reminders read as they will.
        start = SANDBOX_START.replace(year=newest)
        start += timedelta(days=max(0, 7 - start.weekday()) if start.weekday() >= 5 else 0)
        run.settings = run.settings.model_copy(update={"now": start.isoformat()})
    kind = ZaloSandbox if channel == "zalo" else Sandbox
    chat = kind(engine, clock(), sys.stdout, calendar=calendar(), organization_id=played)
    asyncio.run(chat.run(stdin_reader()))
