"""``LocalBotApi``: an in-process HTTP server speaking the Telegram Bot API, for tests and the sandbox.

The real python-telegram-bot stack talks to it over HTTP on 127.0.0.1. Every request is checked
against the Bot API spec (:mod:`dondoc.bot.local_api.spec`); invalid ones are answered as Telegram
would (HTTP 400, ``Bad Request: ...``) and recorded in :attr:`LocalBotApi.violations`. Simulated users
(:meth:`LocalBotApi.user`) write to the bot and read its replies.

Example::

    async with LocalBotApi(spec_path=SPEC) as api:
        app = api.application_builder().build()
        app.add_handler(CommandHandler("start", start))
        async with api.running(app):
            user = api.user(first_name="Lan")
            await user.send("/start")
            reply = await user.next_message()
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web
from tornado.iostream import StreamClosedError

from dondoc.bot.local_api.methods import BotMethods, Call, UploadedFile
from dondoc.bot.local_api.ptb import TrackingUpdateProcessor
from dondoc.bot.local_api.ratelimit import RateLimiter
from dondoc.bot.local_api.spec import BotApiSpec, Issue
from dondoc.bot.local_api.users import SimulatedUser
from dondoc.bot.local_api.world import ApiError, ChatEvent, World

if TYPE_CHECKING:
    from telegram.ext import Application, ApplicationBuilder, ContextTypes
    from telegram.ext._applicationbuilder import InitApplicationBuilder

__all__ = [
    "DEFAULT_TOKEN",
    "ApiStats",
    "BotApiViolationError",
    "ErrorAnswer",
    "LocalBotApi",
    "RequestRecord",
    "Violation",
]

_LOGGER = logging.getLogger(__name__)

JsonDict = dict[str, Any]
BuilderT = TypeVar("BuilderT", bound="ApplicationBuilder[Any, Any, Any, Any, Any, Any]")

DEFAULT_TOKEN = "7000000001:AAHdondocLocalBotApiTestToken0123456"
_UNAUTHORIZED = ApiError(401, "Unauthorized")
_NOT_FOUND = ApiError(404, "Not Found")
_NOT_SENDS = frozenset({"sendChatAction"})
_OTHER_SENDS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


class BotApiViolationError(AssertionError):
    """The bot made requests that break the Bot API spec (raised on exit in strict mode)."""


@dataclass(frozen=True)
class Violation:
    """A request that breaks the spec: which method, what is wrong, and the parameters as sent."""

    method: str
    message: str
    params: Mapping[str, Any]

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ErrorAnswer:
    """An error answer the server gave (violations, runtime errors like 403, 429...)."""

    method: str
    code: int
    description: str


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it: decoded parameters, uploaded part names, HTTP status."""

    method: str
    params: Mapping[str, Any]
    files: tuple[str, ...]
    status: int


@dataclass
class ApiStats:
    """Counters: requests, successful sends, 429 rejections, error answers, calls per method."""

    requests: int = 0
    sent: int = 0
    rejected_429: int = 0
    errors: int = 0
    calls: Counter[str] = field(default_factory=Counter)


class LocalBotApi:
    """A Telegram Bot API server on 127.0.0.1 (random free port) running on the current event loop.

    Args:
        spec_path: the ``api.json`` to validate requests against (or pass ``spec``).
        spec: an already loaded spec (shared between tests to save loading time).
        strict: on exit, raise :class:`BotApiViolationError` if violations were recorded and not taken
            with :meth:`take_violations`, if the bot's handlers raised (see :meth:`running`), or if the
            bot called a method this server does not simulate (see :attr:`unsupported_calls`).
        token: the bot token the server accepts; any other gets 401 Unauthorized.
        bot_username: the bot's ``username`` (getMe).
        bot_name: the bot's ``first_name`` (getMe).
        rate_limit_per_second: sends allowed per second overall (``None``: no limit).
        rate_limit_per_chat_per_second: sends allowed per second to one chat (``None``: no limit).
        clock: monotonic clock for rate limiting (tests may pass a fake one).
        faults: called with each valid call's method and parameters; an :class:`ApiError` it returns is
            the answer instead (failures injected on purpose: :mod:`dondoc.bot.local_api.faults`).
        latency: seconds each answer but ``getUpdates``'s is held back, as a network's round trip
            would (for the benchmarks; the rate limits count a call when it arrives).
        host: interface to listen on.
        port: port to listen on; 0 picks a free one (see :attr:`port` once started).
    """

    def __init__(
        self,
        spec_path: str | Path | None = None,
        *,
        spec: BotApiSpec | None = None,
        strict: bool = True,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "dondoc_test_bot",
        bot_name: str = "Đôn đốc (thử nghiệm)",
        rate_limit_per_second: float | None = None,
        rate_limit_per_chat_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Callable[[str, Mapping[str, Any]], ApiError | None] | None = None,
        latency: float = 0.0,
    ) -> None:
        if spec is None:
            if spec_path is None:
                raise ValueError("LocalBotApi needs spec_path or spec")
            spec = BotApiSpec.load(spec_path)
        self.spec = spec
        self.strict = strict
        self.token = token
        self.host = host
        self.port = port
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 7000000001
        bot_user = {"id": bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.world = World(bot_user)
        returns = {name: method.returns for name, method in spec.methods.items()}
        self.methods = BotMethods(self.world, returns)
        self.limiter = RateLimiter(rate_limit_per_second, rate_limit_per_chat_per_second, clock)
        self.faults = faults
        self.latency = latency
        self.violations: list[Violation] = []
        self.errors: list[ErrorAnswer] = []
        self.requests: list[RequestRecord] = []
        self.handler_errors: list[BaseException] = []
        self.unsupported_calls: list[str] = []
        self.stats = ApiStats()
        self.users: dict[int, SimulatedUser] = {}
        self._next_user_id = 100_000_001
        self._in_flight = 0
        self._server: tornado.httpserver.HTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------------------

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        if self.strict and exc_type is None:
            self.assert_no_violations()

    async def start(self) -> None:
        """Listen on ``host``:``port`` (a free port when ``port`` is 0)."""
        app = tornado.web.Application(
            [
                (r"/bot(?P<token>[^/]+)/(?P<method>[^/]*)", _MethodHandler, {"api": self}),
                (r"/file/bot(?P<token>[^/]+)/(?P<path>.+)", _FileHandler, {"api": self}),
            ],
            log_function=_log_request,
        )
        self._server = tornado.httpserver.HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Release long polls and close the server."""
        self.world.updates.close()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (the token is appended by PTB)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot_user(self) -> JsonDict:
        """The bot's ``User`` object."""
        return self.world.bot_user

    # -- python-telegram-bot ----------------------------------------------------------------------

    def update_processor(self, max_concurrent_updates: int = 1) -> TrackingUpdateProcessor:
        """An update processor reporting finished updates, which makes :meth:`wait_idle` exact."""
        return TrackingUpdateProcessor(self.world.updates, max_concurrent_updates)

    def configure(self, builder: BuilderT) -> BuilderT:
        """Point an ``ApplicationBuilder`` at this server (token, URLs, update tracking)."""
        return (
            builder.token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
            .concurrent_updates(self.update_processor())
        )

    def application_builder(self) -> InitApplicationBuilder:
        """A fresh ``ApplicationBuilder`` already pointed at this server."""
        from telegram.ext import ApplicationBuilder

        return self.configure(ApplicationBuilder())

    @asynccontextmanager
    async def running(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        poll_timeout: float = 10.0,
        record_handler_errors: bool = True,
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        """Run ``application`` with long polling (``poll_interval=0``) for the ``async with`` body.

        With ``record_handler_errors`` an error handler is added that stores exceptions raised by the
        bot's handlers in :attr:`handler_errors` (in strict mode they fail the test on exit).
        """
        if record_handler_errors:
            application.add_error_handler(self._record_handler_error)
        await application.initialize()
        updater = application.updater
        if updater is None:
            raise ValueError("the application has no Updater; build it without .updater(None)")
        await updater.start_polling(poll_interval=0, timeout=int(poll_timeout))
        await application.start()
        try:
            yield application
        finally:
            if updater.running:
                await updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()

    async def _record_handler_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            _LOGGER.error("bot handler failed on %r", update, exc_info=context.error)
            self.handler_errors.append(context.error)

    # -- users and observation ---------------------------------------------------------------------

    def user(
        self,
        user_id: int | None = None,
        first_name: str = "Người dùng",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        *,
        started: bool = True,
    ) -> SimulatedUser:
        """The simulated user ``user_id`` (created on first use; a fresh id when ``None``).

        ``started=False``: the user never opened the chat, so the bot cannot write first (403).
        """
        if user_id is None:
            user_id = self._next_user_id
            self._next_user_id += 1
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        user = SimulatedUser(
            self.world,
            user_id,
            first_name,
            last_name,
            username,
            language_code,
            started=started,
            diagnose=self.diagnose,
        )
        self.users[user_id] = user
        return user

    def subscribe(self) -> asyncio.Queue[ChatEvent]:
        """A queue of :class:`~dondoc.bot.local_api.world.ChatEvent`: what the bot does, live."""
        return self.world.subscribe()

    def calls(self, method: str) -> list[Mapping[str, Any]]:
        """Decoded parameters of the successful calls of ``method``, oldest first."""
        return [r.params for r in self.requests if r.method == method and r.status == 200]

    def take_violations(self) -> list[Violation]:
        """Return the recorded violations and forget them (for tests that provoke them on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        """Raise :class:`BotApiViolationError` listing violations and handler errors, if any."""
        problems = [f"spec violation: {v}" for v in self.violations]
        problems += [f"bot handler error: {e!r}" for e in self.handler_errors]
        problems += [f"method not simulated by the local server: {m}" for m in self.unsupported_calls]
        if problems:
            raise BotApiViolationError("the bot misused the Bot API:\n" + "\n".join(problems))

    def diagnose(self) -> str:
        """A short account of what may have gone wrong (for timeout messages)."""
        lines = [f"violation: {v}" for v in self.violations[-5:]]
        lines += [f"error answer: {e.method} -> {e.code} {e.description}" for e in self.errors[-5:]]
        lines += [f"handler error: {e!r}" for e in self.handler_errors[-3:]]
        if self.world.updates.unfinished:
            lines.append(f"unfinished updates: {sorted(self.world.updates.unfinished)}")
        return "\n".join(lines)

    def is_idle(self) -> bool:
        """No update left to deliver or process, and no request being served (long polls aside)."""
        return not self.world.updates.unfinished and self._in_flight == 0

    async def wait_idle(self, timeout: float = 30.0, settle: float = 0.02) -> None:
        """Wait until the bot has handled every update and finished its requests.

        Idle must last ``settle`` seconds with no activity at all. Exact when the application uses
        :meth:`update_processor` (as :meth:`application_builder` does); otherwise updates count as done
        once confirmed, and ``settle`` covers the handler's work.

        Raises:
            TimeoutError: still busy after ``timeout`` seconds.
        """
        signal = self.world.signal
        loop_time = time.monotonic
        deadline = loop_time() + timeout
        while True:
            if not await signal.wait_for(self.is_idle, max(deadline - loop_time(), 0.0)):
                raise TimeoutError(f"the bot is still busy after {timeout} s\n{self.diagnose()}")
            marker = signal.count
            await asyncio.sleep(settle)
            if self.is_idle() and signal.count == marker:
                return

    # -- request pipeline ----------------------------------------------------------------------------

    async def handle(
        self,
        token: str,
        method_name: str,
        request: tornado.httputil.HTTPServerRequest,
        abandoned: Callable[[], bool],
    ) -> tuple[int, JsonDict]:
        """Serve one Bot API request; return the HTTP status and JSON body."""
        self.stats.requests += 1
        if token != self.token:
            return self._error(method_name, _UNAUTHORIZED)
        method = self.spec.canonical_method(method_name)
        if method is None:
            self._violate(method_name, [Issue(method_name or "/", "unknown method")], {})
            return self._error(method_name, _NOT_FOUND)
        self.stats.calls[method] += 1
        is_poll = method == "getUpdates"
        self._in_flight += 0 if is_poll else 1
        self.world.signal.fire()
        try:
            return await self._serve(method, request, abandoned)
        finally:
            self._in_flight -= 0 if is_poll else 1
            self.world.signal.fire()

    async def _serve(
        self, method: str, request: tornado.httputil.HTTPServerRequest, abandoned: Callable[[], bool]
    ) -> tuple[int, JsonDict]:
        try:
            raw, files = _read_request(request)
        except ApiError as error:
            return self._error(method, error)
        issues = self.spec.check(method, raw, files.keys())
        params = self.spec.decode_params(method, raw)
        if issues:
            self._violate(method, issues, raw)
            status, body = self._error(method, ApiError.bad_request(issues[0].telegram or str(issues[0])))
            self._log(method, params, files, status)
            return status, body
        status, body = await self._execute(Call(method, params, files, abandoned))
        self._log(method, params, files, status)
        return status, body

    async def _execute(self, call: Call) -> tuple[int, JsonDict]:
        is_send = _is_send_method(call.method)
        injected = self.faults(call.method, call.params) if self.faults is not None else None
        if injected is not None:
            return self._error(call.method, injected)
        if is_send and self.limiter.enabled:
            retry_after = self.limiter.acquire(call.get("chat_id"))
            if retry_after is not None:
                self.stats.rejected_429 += 1
                error = ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
                return self._error(call.method, error)
        if not self.methods.supports(call.method):
            self.unsupported_calls.append(call.method)
        try:
            result = await self.methods.call(call)
        except ApiError as error:
            return self._error(call.method, error)
        if is_send:
            self.stats.sent += 1
        return 200, {"ok": True, "result": result}

    def _violate(self, method: str, issues: list[Issue], params: Mapping[str, Any]) -> None:
        for issue in issues:
            _LOGGER.warning("Bot API spec violation: %s", issue)
            self.violations.append(Violation(method, str(issue), dict(params)))

    def _error(self, method: str, error: ApiError) -> tuple[int, JsonDict]:
        self.stats.errors += 1
        self.errors.append(ErrorAnswer(method, error.code, error.description))
        return error.code, error.to_json()

    def _log(self, method: str, params: Mapping[str, Any], files: Mapping[str, Any], status: int) -> None:
        self.requests.append(RequestRecord(method, dict(params), tuple(files), status))

    def file_contents(self, token: str, path: str) -> bytes | None:
        """Bytes of the file at ``path`` for the file download URL; ``None`` if not found / bad token."""
        if token != self.token:
            return None
        stored = self.world.file_by_path(path)
        return stored.data if stored is not None else None


# --------------------------------------------------------------------------------------------------
# HTTP plumbing


def _is_send_method(method: str) -> bool:
    """Whether ``method`` posts a message (counted in ``stats.sent``, subject to flood control)."""
    if method in _NOT_SENDS:
        return False
    return method.startswith("send") or method in _OTHER_SENDS


def _read_request(request: tornado.httputil.HTTPServerRequest) -> tuple[JsonDict, dict[str, UploadedFile]]:
    """Parameters (query string + body) and uploaded files of a request.

    Form-encoded and multipart values stay strings (the spec decodes them); JSON bodies give values.
    """
    params: JsonDict = {key: values[-1].decode("utf-8") for key, values in request.query_arguments.items()}
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("application/json") and request.body:
        try:
            body = json.loads(request.body)
        except ValueError as error:
            raise ApiError.bad_request("can't parse JSON request body") from error
        if not isinstance(body, dict):
            raise ApiError.bad_request("JSON request body must be an object")
        params.update(body)
    else:
        params.update({key: values[-1].decode("utf-8") for key, values in request.body_arguments.items()})
    files = {
        name: UploadedFile(parts[-1].filename or None, parts[-1].content_type or None, parts[-1].body)
        for name, parts in request.files.items()
        if parts
    }
    return params, files


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Log requests at DEBUG only (tornado logs every request at INFO by default)."""
    _LOGGER.debug("%s %s -> %s", handler.request.method, handler.request.path, handler.get_status())


class _MethodHandler(tornado.web.RequestHandler):
    """``/bot<token>/<method>``."""

    def initialize(self, api: LocalBotApi) -> None:
        self.api = api
        self.gone = False

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    def on_connection_close(self) -> None:
        """The client went away (e.g. PTB cancelled a long poll): stop waiting for it."""
        self.gone = True
        self.api.world.signal.fire()

    def compute_etag(self) -> None:
        return None

    async def _serve(self, token: str, method: str) -> None:
        status, body = await self.api.handle(token, method, self.request, lambda: self.gone)
        if self.api.latency and method.lower() != "getupdates":
            await asyncio.sleep(self.api.latency)
        if self.gone:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        with suppress(StreamClosedError):
            await self.finish(json.dumps(body, ensure_ascii=False))


class _FileHandler(tornado.web.RequestHandler):
    """``/file/bot<token>/<file_path>``: downloads of files the bot may getFile."""

    def initialize(self, api: LocalBotApi) -> None:
        self.api = api

    async def get(self, token: str, path: str) -> None:
        data = self.api.file_contents(token, path)
        if data is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            await self.finish(json.dumps(_NOT_FOUND.to_json()))
            return
        self.set_header("Content-Type", "application/octet-stream")
        await self.finish(data)
