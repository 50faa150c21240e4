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

from dondoc.bot.app import open_app
from dondoc.bot.web import WebApp, serve_app
from dondoc.cli.bot import check_bot_api
from dondoc.cli.common import global_options, refuse, settings, usage
from dondoc.db.session import StoreError
from dondoc.i18n import _
from dondoc.plan.problems import InputError
from dondoc.scheduler.clock import ClockSettingError

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
) -> None:
    """Serve the bots' webhooks and /healthz, and send the reminders (production)."""
    address = public_address(public_url) if public_url is not None else None
    config = settings().telegram
    if not config.token:
        usage(_("TELEGRAM_BOT_TOKEN is not set: dondoc serve has no bot to serve."))
    if config.webhook_secret and not _TELEGRAM_SECRET.fullmatch(config.webhook_secret):
        usage(_("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -."))
    problem = asyncio.run(check_bot_api(config))
    if problem:
        usage(problem)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        bot_app = open_app(settings(), bot_username=config.bot_username or "dondoc_bot")
    except (StoreError, ClockSettingError) as error:
        usage(str(error))
    except InputError as error:
        refuse(error)
    run_server(serve_app(bot_app, config, public_url=address), host, port)
