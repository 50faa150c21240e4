"""``dondoc run`` and ``dondoc sandbox``: the bot itself, assembled by :mod:`dondoc.bot.app`."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from dondoc.bot.app import open_app
from dondoc.bot.config import SettingError, TelegramConfig
from dondoc.cli.common import calendar, clock, current, fail, global_options, refuse, settings, store, usage
from dondoc.cli.demo import demo_import
from dondoc.db.queries import has_plan
from dondoc.db.session import StoreError, session_scope
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


async def check_bot_api(config: TelegramConfig) -> str | None:
    """Ask the configured Bot API who the bot is (getMe): None when it answers as the Bot API, else one
    line for people saying what is wrong. The token never appears in it."""
    base = config.base_url

    def unreachable(reason: str) -> str:
        reason = reason.replace(config.token, "<TELEGRAM_BOT_TOKEN>").strip().rstrip(".")
        return _(
            "Cannot reach the Telegram Bot API at {base}: {reason}. Check TELEGRAM_API_BASE_URL and the network."
        ).format(base=base, reason=reason)

    bot = Bot(config.token, base_url=base, base_file_url=config.base_file_url)
    with _quiet_logs("telegram", "httpx"):
        try:
            await bot.initialize()  # getMe
        except InvalidToken as error:
            if error.__cause__ is not None:  # an answer that is not JSON: someone else's web server
                return unreachable(_("the answer is not the Telegram Bot API's"))
            return _(
                "The Telegram Bot API at {base} refused the bot token ({reason}). Check TELEGRAM_BOT_TOKEN."
            ).format(base=base, reason=error.message)
        except TelegramError as error:
            if error.message == "Invalid server response":
                return unreachable(_("the answer is not the Telegram Bot API's"))
            return unreachable(error.message.removeprefix("httpx."))
        finally:
            with suppress(TelegramError):
                await bot.shutdown()
    return None


@global_options
def run(
    webhook_url: Annotated[str | None, typer.Option("--webhook-url", help="Public HTTPS URL for a webhook.")] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on for the webhook.")] = 8443,
) -> None:
    """Run the Telegram bot: long polling by default, or a webhook with a secret token."""
    config = settings().telegram
    if not config.token:
        fail(_("TELEGRAM_BOT_TOKEN is not set. To try the bot without a token, run `dondoc sandbox`."))
    problem = asyncio.run(check_bot_api(config))
    if problem:
        usage(problem)
    # the logs were set up before the command ran (--log-format, with the secrets taken out: cli.common)
    try:
        bot_app = open_app(settings(), bot_username=config.bot_username or "dondoc_bot")
    except (StoreError, ClockSettingError, SettingError) as error:
        usage(str(error))
    except InputError as error:
        refuse(error)
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


SANDBOX_START = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)


@global_options
def sandbox(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Sample folder to load when the store has no plan yet (default: the bundled one)."),
    ] = None,
) -> None:
    """Chat with the bot in the terminal: no token, no internet (the main demo)."""
    from dondoc.bot.sandbox import Sandbox, stdin_reader

    # The sandbox lives in the sample plan's year unless DONDOC_NOW says otherwise; the import
    # below plans its reminders from that moment too.
    run = current()
    if not (run.settings.now or "").strip():
        run.settings = run.settings.model_copy(update={"now": SANDBOX_START.isoformat()})
    engine = store()
    with session_scope(engine) as session:
        empty = not has_plan(session)
    if empty:
        demo_import(data)
    asyncio.run(Sandbox(engine, clock(), sys.stdout, calendar=calendar()).run(stdin_reader()))
