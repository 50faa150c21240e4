"""The production web entry point (``dondoc serve``): one ASGI application that hosts the webhooks.

Routes, and nothing else (everything else is 404):

- ``POST /telegram``: Telegram's webhook, fed to the PTB application (started without an updater);
- ``POST /zalo`` for the Zalo bot of ``ZALO_BOT_TOKEN`` (channel key ``zalo``), ``POST /zalo/<name>``
  for each named Zalo bot (channel key ``zalo:<name>``);
- ``GET /healthz``: 200 when the database answers, 503 when it does not or when the reminder job has
  not run successfully for :data:`STALLED` (with the ``reason``); with the reminder job's last run
  (when it started, its outcome, how long it took), whether it is overdue, and its last successful run;
- ``GET /metrics``: the process's metrics in the Prometheus text format (:mod:`dondoc.bot.metrics`).

A webhook call is checked (its secret header, compared in constant time), recorded in the
``webhook_delivery`` table under its update's id (a delivery the platform repeats is answered 200 and
dropped, also by another process on the same store), answered 200 at once, and handled afterwards
in a task the application tracks: shutting down waits for the tasks in flight. Telegram's updates go
through the PTB application's update processor (one at a time by default); a Zalo chat's updates are
handled one at a time, in the order they came. A body that is not an update is answered 400 and
logged without its text.

The secrets are ``TELEGRAM_WEBHOOK_SECRET`` and ``ZALO_WEBHOOK_SECRET`` or, when unset, derived from
each bot's token (:func:`derived_secret`), so every process of a deployment agrees on them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from dondoc.bot.app import App
from dondoc.bot.config import TelegramConfig, ZaloConfig
from dondoc.bot.metrics import CONTENT_TYPE, Metrics
from dondoc.bot.telegram import CHANNEL as TELEGRAM
from dondoc.bot.telegram import Builder, application_builder
from dondoc.bot.turns import Turns
from dondoc.bot.zalo.channel import CHANNEL as ZALO
from dondoc.bot.zalo.polling import update_chat
from dondoc.db.deliveries import first_delivery, prune_deliveries
from dondoc.db.errors import unavailable
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.service import SWEEP_SECONDS, Pass

log = logging.getLogger(__name__)

TelegramApp = Application[Any, Any, Any, Any, Any, Any]
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kilobytes; a megabyte is refused unread
PRUNE_EVERY = timedelta(hours=1)


# ------------------------------------------------------------------ secrets


def derived_secret(token: str, label: str) -> str:
    """The webhook secret of the bot with ``token`` when none is configured: HMAC-SHA256 of a fixed
    label keyed by the token, 43 URL-safe characters (Telegram allows ``A-Z a-z 0-9 _ -``, 1–256;
    Zalo 8–256). Every process of a deployment computes the same one; nobody without the token can."""
    digest = hmac.new(token.encode(), f"dondoc webhook secret: {label}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def webhook_secret(configured: str | None, token: str, label: str) -> str:
    """``configured`` (``TELEGRAM_WEBHOOK_SECRET``, ``ZALO_WEBHOOK_SECRET``) when set, else the secret
    derived from the bot's ``token``."""
    return (configured or "").strip() or derived_secret(token, label)


def _authorised(given: str | None, secret: str) -> bool:
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode("utf-8"))


# ------------------------------------------------------------------ what the web app serves


class ZaloWebhookClient(Protocol):
    """The part of :class:`~dondoc.bot.zalo.client.ZaloClient` the web app uses."""

    async def set_webhook(self, url: str, secret_token: str) -> Any: ...

    async def aclose(self) -> None: ...


class ZaloTarget(Protocol):
    """The part of :class:`~dondoc.bot.zalo.channel.ZaloChannel` the web app uses."""

    @property
    def key(self) -> str:
        """The channel key: ``zalo`` or ``zalo:<name>``."""
        ...

    @property
    def client(self) -> ZaloWebhookClient: ...

    async def process_update(self, update: Mapping[str, Any]) -> None:
        """Handle one bare update completely (never raises)."""
        ...

    async def tell_busy(self, update: Mapping[str, Any]) -> None:
        """Tell the person who sent ``update`` that the system is busy, without the database (never raises)."""
        ...


@dataclass(frozen=True)
class ZaloHook:
    """One Zalo bot's webhook: its channel and the secret Zalo sends in ``X-Bot-Api-Secret-Token``."""

    channel: ZaloTarget
    secret: str

    @property
    def name(self) -> str | None:
        """The bot's name: None for the channel ``zalo``, ``<name>`` for ``zalo:<name>``."""
        _family, _colon, name = self.channel.key.partition(":")
        return name or None

    @property
    def path(self) -> str:
        """Where Zalo posts this bot's updates: ``/zalo`` for the channel ``zalo``, ``/zalo/<name>``
        (percent-encoded) for ``zalo:<name>``."""
        return "/zalo" if self.name is None else "/zalo/" + quote(self.name, safe="")


@dataclass(frozen=True)
class TelegramHook:
    """Telegram's webhook: the PTB application (built without an updater) and its secret."""

    application: TelegramApp
    secret: str

    path = "/telegram"


def zalo_update(body: object) -> Mapping[str, Any] | None:
    """The bare update (``{"event_name": …, "message": {…}}``) of a Zalo webhook body, which comes
    wrapped (``{"ok": true, "result": {…}}``) or bare; None when it is neither."""
    if isinstance(body, dict) and body.get("ok") is True and "result" in body:
        body = body["result"]
    if not isinstance(body, dict):
        return None
    if not isinstance(body.get("event_name"), str) or not isinstance(body.get("message"), dict):
        return None
    return body


def _zalo_message_id(update: Mapping[str, Any]) -> str | None:
    message_id = update["message"].get("message_id")
    if isinstance(message_id, str | int) and not isinstance(message_id, bool) and str(message_id):
        return str(message_id)
    return None


class Swept(Protocol):
    """The part of the reminder job that ``/healthz`` reports: its last run, its last successful
    run, and when it was started."""

    @property
    def last_pass(self) -> Pass | None: ...

    @property
    def last_success(self) -> Pass | None: ...

    @property
    def started_at(self) -> datetime: ...


# The reminder job is overdue when its last run started longer ago than this (it runs every SWEEP_SECONDS).
OVERDUE = timedelta(seconds=4 * SWEEP_SECONDS)
# /healthz answers 503 when the reminder job has had no successful run for this long (since it started,
# before its first): 20 runs, far more than a long national pass or a slow minute takes.
STALLED = timedelta(minutes=5)


class Lifecycle(Protocol):
    """Something that runs while the web app does (the reminder job)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _answer(status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({"ok": 200 <= status < 300, **extra}, status_code=status)


class _BadBody(Exception):
    """The body of a webhook call is not JSON (or too long)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


async def _json_body(request: Request) -> object:
    size = request.headers.get("content-length", "")
    if size.isdigit() and int(size) > MAX_BODY:
        raise _BadBody(413, "too long")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _BadBody(413, "too long")
    try:
        return json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        raise _BadBody(400, "not JSON") from None


class WebApp:
    """The ASGI application of ``dondoc serve`` (:attr:`asgi`); :meth:`running` starts and stops what
    it serves (the Starlette lifespan calls it; tests may call it themselves).

    ``public_url``: where the platforms reach this application (``https://…``); when given, the
    webhooks are set there on start, each with its secret. ``background``: jobs that run while the
    application does (the reminder job), started once the channels are."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        telegram: TelegramHook | None = None,
        zalo: Sequence[ZaloHook] = (),
        public_url: str | None = None,
        background: Sequence[Lifecycle] = (),
        metrics: Metrics | None = None,
        sweeper: Swept | None = None,
    ) -> None:
        """``metrics``: served at ``/metrics`` (a new, empty set when None); ``sweeper``: the reminder
        job whose last run ``/healthz`` reports."""
        self.engine = engine
        self.metrics = metrics or Metrics()
        self.sweeper = sweeper
        self.clock = clock
        self.telegram = telegram
        self.zalo = tuple(zalo)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.background = tuple(background)
        self._tasks: set[asyncio.Task[None]] = set()
        self._pruned_at: datetime | None = None
        self._turn = Turns()  # each chat's updates one at a time
        self.started = asyncio.Event()  # set once the webhooks are set and the jobs started
        self._zalo_by_name = {hook.name: hook for hook in self.zalo}
        if len(self._zalo_by_name) != len(self.zalo):
            raise ValueError(f"two Zalo bots share a channel key: {sorted(h.channel.key for h in self.zalo)}")
        routes = [
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/metrics", self.metrics_page, methods=["GET"]),
        ]
        if telegram is not None:
            routes.append(Route(telegram.path, self.telegram_webhook, methods=["POST"]))
        # One route for the unnamed bot, one for the named ones (a name is any text, never a pattern):
        # a name no bot has is not found.
        if None in self._zalo_by_name:
            routes.append(Route("/zalo", self._zalo_endpoint, methods=["POST"]))
        if len(self._zalo_by_name) > (None in self._zalo_by_name):
            routes.append(Route("/zalo/{name}", self._zalo_endpoint, methods=["POST"]))
        self.asgi = Starlette(
            routes=routes,
            lifespan=self._lifespan,
            exception_handlers={HTTPException: self._http_error},
        )

    # -------------------------------------------------------------- lifecycle

    @asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        async with self.running():
            yield

    @asynccontextmanager
    async def running(self) -> AsyncIterator[WebApp]:
        """Start the Telegram application, set the webhooks (with ``public_url``), start the
        background jobs; on leaving, stop them, wait for the updates in flight, stop Telegram and
        close the Zalo bots' clients."""
        application = self.telegram.application if self.telegram is not None else None
        try:
            if application is not None:
                await application.initialize()
                if application.post_init is not None:
                    await application.post_init(application)
                await application.start()
            if self.public_url:
                await self.set_webhooks(self.public_url)
            elif self.telegram is not None or self.zalo:  # said, so a bot that gets nothing is explained
                log.info(
                    "no public URL given: the webhooks were not set; each bot must already deliver to this "
                    "server's /telegram and /zalo paths (or start with --public-url https://…)"
                )
            for job in self.background:
                job.start()
            self.started.set()
            try:
                yield self
            finally:
                self.started.clear()
                for job in reversed(self.background):
                    job.stop()
                await self.idle()
        finally:
            try:
                if application is not None:
                    await _stop_telegram(application)
            finally:
                for hook in self.zalo:
                    await hook.channel.client.aclose()

    async def set_webhooks(self, public_url: str) -> None:
        """Tell each platform where to deliver this deployment's updates, with the secret to send."""
        if self.telegram is not None:
            url = public_url + self.telegram.path
            await self.telegram.application.bot.set_webhook(url, secret_token=self.telegram.secret)
            log.info("Telegram webhook set to %s", url)
        for hook in self.zalo:
            url = public_url + hook.path
            await hook.channel.client.set_webhook(url, hook.secret)
            log.info("Zalo webhook of %s set to %s", hook.channel.key, url)

    async def idle(self) -> None:
        """Wait until every update taken in has been handled."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _track(self, work: Coroutine[Any, Any, None], what: str, turn: str | None = None) -> None:
        """Handle an update in a task the web app waits for on stopping; updates with the same
        ``turn`` (a chat) are handled one at a time, in the order they came."""

        async def guarded() -> None:
            try:
                async with self._turn(turn):
                    await work
            except Exception:  # the channels log their own errors; this is the last resort
                log.exception("%s: handling an update failed", what)

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -------------------------------------------------------------- routes

    async def healthz(self, request: Request) -> Response:
        sweeper = self._sweeper_health()
        try:
            await asyncio.to_thread(self._ping)
        except Exception as error:
            log.warning("health check: the database does not answer: %s", type(error).__name__)
            return _answer(503, database="unavailable", sweeper=sweeper, reason="the database does not answer")
        stalled = self._stalled()
        if stalled is not None:
            return _answer(503, database="ok", sweeper=sweeper, reason=stalled)
        return _answer(200, database="ok", sweeper=sweeper)

    def _sweeper_health(self) -> dict[str, Any] | None:
        """The reminder job's last run: ``{"last_pass": ISO time, "outcome": …, "seconds": …, "overdue": …,
        "last_success": ISO time, "stalled": …}`` (``last_pass``, ``last_success`` None before the first
        such run); None when this process runs no reminder job."""
        if self.sweeper is None:
            return None
        last, success = self.sweeper.last_pass, self.sweeper.last_success
        health: dict[str, Any] = {"last_pass": None, "outcome": None, "seconds": None, "overdue": False}
        if last is not None:
            health = {
                "last_pass": last.at.isoformat(),
                "outcome": last.outcome,
                "seconds": round(last.seconds, 3),
                "overdue": self.clock.now() - last.at > OVERDUE,
            }
        health["last_success"] = success.at.isoformat() if success is not None else None
        health["stalled"] = self._stalled() is not None
        return health

    def _stalled(self) -> str | None:
        """Why the reminder job counts as stalled (no successful run for :data:`STALLED`, counted from
        its start before the first one), for ``/healthz``'s ``reason``; None while it is not."""
        if self.sweeper is None:
            return None
        success, last = self.sweeper.last_success, self.sweeper.last_pass
        since = success.at if success is not None else self.sweeper.started_at
        waited = self.clock.now() - since
        if waited <= STALLED:
            return None
        seconds = int(waited.total_seconds())
        if success is not None:
            reason = f"the reminder job has not run successfully for {seconds} s (last success {since.isoformat()})"
        else:
            reason = f"the reminder job has not run successfully in the {seconds} s since it started"
        if last is None:
            return reason + "; it has not run at all"
        return reason + f"; last run {last.at.isoformat()}: {last.outcome}"

    async def metrics_page(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=CONTENT_TYPE)

    def _ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT version_num FROM alembic_version")).one()

    async def telegram_webhook(self, request: Request) -> Response:
        hook = self.telegram
        assert hook is not None
        if not _authorised(request.headers.get(TELEGRAM_SECRET_HEADER), hook.secret):
            log.warning("Telegram webhook: a call without the right secret was refused")
            return _answer(403)
        try:
            body = await _json_body(request)
        except _BadBody as error:
            log.warning("Telegram webhook: a body was refused (%s)", error)
            return _answer(error.status)
        application = hook.application
        update_id = body.get("update_id") if isinstance(body, dict) else None
        update = None
        if isinstance(update_id, int) and not isinstance(update_id, bool):
            try:
                update = Update.de_json(body, application.bot)  # type: ignore[arg-type]
            except Exception as error:
                log.warning("Telegram webhook: update %s could not be read: %s", update_id, type(error).__name__)
        if update is None:
            log.warning("Telegram webhook: a body that is not an update was refused")
            return _answer(400)
        bot_id = application.bot.token.split(":", 1)[0]
        first = await self._first(TELEGRAM, f"{bot_id}:{update_id}")
        if first is None:
            return _answer(503)
        if first:
            self._track(
                application.update_processor.process_update(update, application.process_update(update)), TELEGRAM
            )
        return _answer(200)

    async def _zalo_endpoint(self, request: Request) -> Response:
        hook = self._zalo_by_name.get(request.path_params.get("name"))
        if hook is None:
            return _answer(404)
        return await self.zalo_webhook(hook, request)

    async def zalo_webhook(self, hook: ZaloHook, request: Request) -> Response:
        key = hook.channel.key
        if not _authorised(request.headers.get(ZALO_SECRET_HEADER), hook.secret):
            log.warning("Zalo webhook %s: a call without the right secret was refused", key)
            return _answer(403)
        try:
            update = zalo_update(await _json_body(request))
        except _BadBody as error:
            log.warning("Zalo webhook %s: a body was refused (%s)", key, error)
            return _answer(error.status)
        if update is None:
            log.warning("Zalo webhook %s: a body that is not a Zalo update was refused", key)
            return _answer(400)
        message_id = _zalo_message_id(update)
        if message_id is None:
            log.warning("Zalo webhook %s: a %s update without a message id", key, update["event_name"])
        chat_id = update_chat(update)
        turn = f"{key}/{chat_id}" if chat_id is not None else None
        if message_id is not None:
            first = await self._first(key, message_id)
            if first is None:
                # Whether Zalo delivers a message again after a 503 is not documented (Telegram does):
                # the person is told now that the system is busy and to send it again, as `dondoc run`
                # tells them, rather than left without an answer; nothing of it was handled.
                self._track(hook.channel.tell_busy(update), key, turn)
                return _answer(200)
            if not first:
                return _answer(200)
        # A person's messages are handled in the order Zalo posted them (the answers to a
        # conversation's questions must not overtake each other).
        self._track(hook.channel.process_update(update), key, turn)
        return _answer(200)

    async def _first(self, channel: str, key: str) -> bool | None:
        """Whether this is the first delivery of update ``key`` on ``channel``; None when the
        database cannot say (Telegram is answered 503 and delivers it again later; a person on Zalo is
        told the system is busy)."""
        now = self.clock.now()
        prune = self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY or now < self._pruned_at
        if prune:
            self._pruned_at = now

        def record() -> bool:
            first = first_delivery(self.engine, channel, key, now)
            if prune:
                prune_deliveries(self.engine, now)
            return first

        try:
            first = await asyncio.to_thread(record)
        except Exception as exc:
            if not unavailable(exc):
                log.exception("%s: update %s could not be recorded", channel, key)
            else:  # not a bug: one line, neither counted nor reported as an error
                log.warning(
                    "%s: update %s could not be recorded, the database is unavailable: %s",
                    channel,
                    key,
                    str(exc).split("\n", 1)[0][:200],
                )
            return None
        if not first:
            log.info("%s: update %s was delivered again; dropped", channel, key)
        return first

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        # Only the routes above exist: a wrong method on one of them is not found either.
        return _answer(404)


async def _stop_telegram(application: TelegramApp) -> None:
    """Stop and shut down the application as ``run_webhook`` would, with its post_* hooks."""
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def zalo_hook(app: App, config: ZaloConfig, key: str = ZALO) -> ZaloHook:
    """The Zalo bot of ``config`` attached to ``app`` as the channel ``key``, with its webhook secret
    (``ZALO_WEBHOOK_SECRET`` or the one derived from its token)."""
    channel = app.attach_zalo(config.token, base_url=config.base_url, key=key)
    return ZaloHook(channel, webhook_secret(config.webhook_secret, config.token, ZALO))


def serve_app(
    app: App,
    telegram: TelegramConfig | None,
    zalo: Sequence[ZaloConfig | ZaloHook] = (),
    *,
    public_url: str | None = None,
    builder: Builder | None = None,
    rate_limit: bool = True,
    run_reminders: bool = True,
) -> WebApp:
    """The web app of ``dondoc serve`` on ``app``: Telegram's webhook when ``telegram`` has a token
    (its secret ``TELEGRAM_WEBHOOK_SECRET`` or the one derived from the token), a webhook for each
    Zalo bot (a configuration is attached to ``app`` as the channel ``zalo``; a hook is used as
    given), and the reminder job running while it does (``run_reminders``)."""
    hook = None
    if telegram is not None and telegram.token:
        application = app.attach_telegram(
            telegram.token,
            base_url=telegram.base_url,
            base_file_url=telegram.base_file_url,
            rate_limit=rate_limit,
            builder=(builder or application_builder()).updater(None),
            run_reminders=False,  # started below, once every channel is
        )
        hook = TelegramHook(application, webhook_secret(telegram.webhook_secret, telegram.token, TELEGRAM))
    hooks = [bot if isinstance(bot, ZaloHook) else zalo_hook(app, bot) for bot in zalo]
    return WebApp(
        app.engine,
        app.clock,
        telegram=hook,
        zalo=hooks,
        public_url=public_url,
        background=[
            *([app.error_reports] if app.error_reports is not None else []),
            *([app.reminders] if run_reminders else []),
        ],
        metrics=app.metrics,
        sweeper=app.reminders if run_reminders else None,
    )
