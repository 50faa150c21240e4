"""``dondoc serve``: the production entry point, one web server for the webhooks of every configured
bot, ``/healthz``, and the reminder job (:mod:`dondoc.bot.web`)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Annotated
from urllib.parse import urlsplit

import typer
import uvicorn
from alembic.util import CommandError

from dondoc.bot.app import open_app
from dondoc.bot.config import SettingError
from dondoc.bot.cpu import ANYWHERE, keep_on_one_core
from dondoc.bot.web import WebApp, serve_app, zalo_hook
from dondoc.cli.bot import (
    check_bot_api,
    check_zalo_api,
    know_bot_username,
    log_serving,
    telegram_served,
    zalo_bot_configs,
    zalo_bot_name,
    zalo_served,
)
from dondoc.cli.common import (
    configured_bot_username,
    global_options,
    refuse,
    refuse_newer_database,
    settings,
    usage,
)
from dondoc.db.session import StoreError
from dondoc.i18n import _
from dondoc.plan.problems import InputError
from dondoc.scheduler.clock import ClockSettingError

log = logging.getLogger(__name__)
_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def public_address(url: str) -> str:
    """``--public-url`` checked: an https:// address without query or fragment, with no final slash."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        usage(
            _(
                "--public-url must be the https:// address where this server is reached (e.g. {example}), not {url}"
            ).format(example="https://dondoc.example.gov.vn", url=url)
        )
    return url.strip().rstrip("/")


def run_server(web: WebApp, host: str, port: int) -> None:
    """Serve ``web`` with uvicorn until interrupted (SIGINT, SIGTERM): in-flight updates finish first."""
    # the logs were set up before the command ran (--log-format, with the secrets taken out: cli.common)
    config = uvicorn.Config(web.asgi, host=host, port=port, lifespan="on", log_config=None, server_header=False)
    uvicorn.Server(config).run()


@global_options
def serve(
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="The HTTPS address of this server; the webhooks are set there on start."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8080,
    no_bot: Annotated[
        bool,
        typer.Option(
            "--no-bot",
            help="Serve /healthz and /metrics only, with no bot and no reminders: to check the server before a token is set.",
        ),
    ] = False,
) -> None:
    """Serve the bots' webhooks, /healthz and /metrics (Prometheus), and send the reminders (production)."""
    address = public_address(public_url) if public_url is not None else None
    if no_bot and address is not None:
        usage(_("--no-bot serves no webhook: leave out --public-url."))
    telegram, zalo = settings().telegram, settings().zalo
    if telegram.token and telegram.webhook_secret and not _TELEGRAM_SECRET.fullmatch(telegram.webhook_secret):
        usage(_("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -."))
    if zalo.webhook_secret and not 8 <= len(zalo.webhook_secret) <= 256:
        usage(_("ZALO_WEBHOOK_SECRET must be 8 to 256 characters."))
    try:
        # Several processes may serve on one machine: each keeps to a core only where told (DONDOC_CPU).
        keep_on_one_core(settings().cpu, ANYWHERE)
        bot_app = open_app(settings(), bot_username=configured_bot_username(telegram))
    except (StoreError, ClockSettingError, SettingError) as error:
        usage(str(error))
    except InputError as error:
        refuse(error)
    except CommandError:  # a database a newer release migrated
        refuse_newer_database()
        raise
    if no_bot:  # a check of the server itself: no token asked for, no reminder sent (nobody could get it)
        log.warning(
            "--no-bot: serving /healthz and /metrics only on %s:%s; no bot, no webhook, no reminder is sent",
            host,
            port,
        )
        log_serving(bot_app, [], reminders=False)
        run_server(serve_app(bot_app, None, [], run_reminders=False), host, port)
        return
    # Every Zalo bot the registries name (each with the token of its own variable), and the one of ZALO_BOT_TOKEN.
    bots = zalo_bot_configs(bot_app)
    if not telegram.token and not bots:
        usage(
            _(
                "Neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set: dondoc serve has no bot to serve. To check "
                "that the server starts and answers /healthz and /metrics before a token is set: dondoc serve --no-bot"
            )
        )
    if telegram.token:
        problem, username = asyncio.run(check_bot_api(telegram))
        if problem:
            usage(problem)
        know_bot_username(bot_app, username)
    served = [telegram_served(bot_app, "webhook")] if telegram.token else []
    for key, bot in bots:
        problem, me = asyncio.run(check_zalo_api(bot))
        if problem:
            usage(problem)
        served.append(zalo_served(key, zalo_bot_name(bot, me), "webhook"))
    hooks = [zalo_hook(bot_app, bot, key) for key, bot in bots]
    web = serve_app(bot_app, telegram if telegram.token else None, hooks, public_url=address)
    log_serving(bot_app, served, reminders=True)
    run_server(web, host, port)
