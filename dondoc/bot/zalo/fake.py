"""``FakeZaloServer``: an in-process HTTP server shaped like the Zalo Bot API, for the tests and
``dondoc sandbox --channel zalo``.

It answers exactly as the Zalo Bot API is documented and measured (see issue 10):

- ``POST /bot<TOKEN>/<method>`` with a JSON body; every answer is the envelope ``{"ok": true,
  "result": …}`` or ``{"ok": false, "error_code": N, "description": "…"}``;
- ``getUpdates`` (only ``timeout``) returns **one** update, wrapped; when none arrives within the
  poll's timeout it answers HTTP 408 ``{"ok":false,"error_code":408,"description":"Request timeout"}``.
  The poll awaits an event, so a test never waits on the wall clock for an update; ``max_poll_wait``
  caps the wait of an empty poll (a tiny value in tests);
- ``setWebhook`` (``url``, ``secret_token`` of 8–256 characters), ``deleteWebhook``,
  ``getWebhookInfo`` (404 when none is set). With a webhook set, each update is POSTed **bare** to its
  URL with the header ``X-Bot-Api-Secret-Token`` (wrapped like a poll's with ``webhook_wrapped``: both
  shapes have been seen), and polling gets nothing;
- ``sendMessage`` (``chat_id``, ``text`` of 1–2,000 characters), ``sendPhoto`` (``chat_id``,
  ``photo`` by URL, ``caption``), ``sendSticker`` (``chat_id``, ``sticker``), ``sendChatAction``
  (``chat_id``, ``action``). The bot may write only to a chat that has written to it (else 403);
- every id is a string, dates are milliseconds; an image arrives as ``message.photo_url`` (the
  server serves its bytes at that URL); stickers, voice and unsupported messages have their events;
  chats are ``PRIVATE`` or ``GROUP``;
- after ``quota`` sends in the month every send answers 429 (the free plan's monthly quota).

Unlike the real server, an update sent while nothing polls waits for the next poll (real Zalo loses
it): tests stay deterministic. Requests Zalo would not understand — an unknown method, a field Zalo
does not define, a text over 2,000 characters — are refused and recorded in :attr:`violations`
(:meth:`assert_no_violations` fails a test on any).

Simulated people (:meth:`user`) write to the bot (``send_text``, ``send_image``, ``send_sticker``,
``send_voice``, ``send_unsupported``) and read what it sent to their chat (``messages``).
:meth:`settled` waits until the bot, polling, has taken every update and polls again: for a poller
that handles one update before it asks for the next (the sandbox's, the tests'), it has then
finished handling them; ``dondoc run``'s polls again while it handles several at once, so a test
of it waits for the answers themselves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web
from tornado.iostream import StreamClosedError

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
DEFAULT_TOKEN = "1234567890:dondocFakeZaloBotToken"
TEXT_LIMIT = 2000
HANG_GUARD = 120.0  # seconds: only stops a hung wait; nothing waits this long when things work
# A tiny PNG (1×1, white), the default image a simulated person sends.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4e60000000049454e44ae426082"
)

# The fields each method defines: anything else is a violation.
METHODS: dict[str, frozenset[str]] = {
    "getMe": frozenset(),
    "getUpdates": frozenset({"timeout"}),
    "setWebhook": frozenset({"url", "secret_token"}),
    "deleteWebhook": frozenset(),
    "getWebhookInfo": frozenset(),
    "sendMessage": frozenset({"chat_id", "text"}),
    "sendPhoto": frozenset({"chat_id", "photo", "caption"}),
    "sendSticker": frozenset({"chat_id", "sticker"}),
    "sendChatAction": frozenset({"chat_id", "action"}),
}
REQUIRED: dict[str, frozenset[str]] = {
    "setWebhook": frozenset({"url", "secret_token"}),
    "sendMessage": frozenset({"chat_id", "text"}),
    "sendPhoto": frozenset({"chat_id", "photo"}),
    "sendSticker": frozenset({"chat_id", "sticker"}),
    "sendChatAction": frozenset({"chat_id", "action"}),
}
SENDS = frozenset({"sendMessage", "sendPhoto", "sendSticker"})


class ZaloViolationError(AssertionError):
    """The bot sent requests the Zalo Bot API does not define."""


@dataclass(frozen=True)
class Violation:
    method: str
    message: str
    params: Mapping[str, Any]

    def __str__(self) -> str:
        return f"{self.method}: {self.message}"


@dataclass(frozen=True)
class SentMessage:
    """What the bot sent to a chat."""

    chat_id: str
    message_id: str
    kind: str  # text | photo | sticker
    text: str = ""
    photo: str = ""
    caption: str = ""


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    params: JsonDict
    status: int


class _Signal:
    """Wakes every waiter whenever the server's state changes."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def fire(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds (True) or ``timeout`` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
        return True


class ZaloUser:
    """A person writing to the bot, in a private chat or in a group."""

    def __init__(self, server: FakeZaloServer, user_id: str, display_name: str, group_id: str | None) -> None:
        self.server = server
        self.id = user_id
        self.display_name = display_name
        self.chat_id = group_id or user_id
        self.chat_type = "GROUP" if group_id else "PRIVATE"
        self._read = 0

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent to this person's chat, oldest first."""
        return self.server.chat_messages(self.chat_id)

    @property
    def texts(self) -> list[str]:
        return [m.text or m.caption for m in self.messages]

    def read_all(self) -> list[SentMessage]:
        """The messages that came since the last call."""
        messages = self.messages
        unread, self._read = messages[self._read :], len(messages)
        return unread

    def _message(self, **extra: Any) -> JsonDict:
        return {
            "message_id": uuid.uuid4().hex,
            "from": {"id": self.id, "display_name": self.display_name, "is_bot": False},
            "chat": {"id": self.chat_id, "chat_type": self.chat_type},
            "date": int(time.time() * 1000),
            **extra,
        }

    async def send_text(self, text: str) -> None:
        await self.server.deliver({"event_name": "message.text.received", "message": self._message(text=text)})

    async def send_image(self, data: bytes = PNG, caption: str = "") -> str:
        """Send a photo; returns its (temporary) URL."""
        url = self.server.host_file(data)
        extra: JsonDict = {"photo_url": url}
        if caption:
            extra["caption"] = caption
        await self.server.deliver({"event_name": "message.image.received", "message": self._message(**extra)})
        return url

    async def send_sticker(self) -> None:
        sticker = {"sticker": "a1b2c3", "url": self.server.host_file(PNG)}
        await self.server.deliver({"event_name": "message.sticker.received", "message": self._message(**sticker)})

    async def send_voice(self) -> None:
        voice = {"url": self.server.host_file(b"#!AMR\n")}
        await self.server.deliver({"event_name": "message.voice.received", "message": self._message(**voice)})

    async def send_unsupported(self) -> None:
        await self.server.deliver({"event_name": "message.unsupported.received", "message": self._message()})


class FakeZaloServer:
    """A Zalo-shaped Bot API server on ``host`` (a free port unless ``port`` is given), running on the
    current event loop. See the module's documentation."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "Bot Đôn đốc",
        account_name: str = "bot.dondoc",
        quota: int | None = None,
        max_poll_wait: float | None = None,
        webhook_wrapped: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Callable[[str, Mapping[str, Any]], tuple[int, str] | None] | None = None,
    ) -> None:
        """``faults`` is called with each valid call's method and parameters (polls aside); a (status,
        description) it returns is the answer instead: failures injected on purpose."""
        self.token = token
        self.faults = faults
        self.bot = {
            "id": "7" + uuid.uuid5(uuid.NAMESPACE_URL, token).hex[:18],
            "account_name": account_name,
            "account_type": "BASIC",
            "can_join_groups": False,
            "display_name": bot_name,
        }
        self.quota = quota
        self.sent_count = 0
        self.max_poll_wait = max_poll_wait
        self.webhook_wrapped = webhook_wrapped  # post {"ok": true, "result": update} instead of the bare update
        self.host, self.port = host, port
        self.violations: list[Violation] = []
        self.requests: list[Request] = []
        self.sent: list[SentMessage] = []
        self.users: dict[str, ZaloUser] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_answers: list[int] = []
        self._queue: list[JsonDict] = []
        self._files: dict[str, bytes] = {}
        self._writable: set[str] = set()  # chats that wrote to the bot
        self._failures: dict[str, list[tuple[int, str]]] = {}
        self._polls_waiting = 0
        self._in_flight = 0
        self._pushing = 0
        self._closed = False
        self._next_user = 1
        self.signal = _Signal()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._http: httpx.AsyncClient | None = None

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeZaloServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = tornado.web.Application(
            [
                (r"/bot(?P<token>[^/]+)/(?P<method>[^/]*)", _MethodHandler, {"server": self}),
                (r"/files/(?P<name>[^/]+)", _FileHandler, {"server": self}),
            ],
            log_function=lambda handler: None,
        )
        self._server = tornado.httpserver.HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        self._closed = False
        self._http = httpx.AsyncClient(timeout=HANG_GUARD)

    async def stop(self) -> None:
        """Release waiting polls and close."""
        self._closed = True
        self.signal.fire()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @property
    def base_url(self) -> str:
        """The value of ``ZALO_API_BASE_URL`` for this server (requests go to ``<base><TOKEN>/…``)."""
        return f"http://{self.host}:{self.port}/bot"

    # ------------------------------------------------------------------ people

    def user(
        self, display_name: str = "Người dùng Zalo", *, user_id: str | None = None, group_id: str | None = None
    ) -> ZaloUser:
        """A person (created on first use); with ``group_id`` they write in that group chat."""
        if user_id is None:
            user_id = f"{9_000_000_000_000_000 + self._next_user}"
            self._next_user += 1
        key = f"{group_id or ''}/{user_id}"
        existing = self.users.get(key)
        if existing is None:
            existing = self.users[key] = ZaloUser(self, user_id, display_name, group_id)
        return existing

    def wrote_before(self, chat_id: str) -> None:
        """``chat_id`` wrote to the bot before this server started (the bot may write to it)."""
        self._writable.add(chat_id)

    def chat_messages(self, chat_id: str) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def host_file(self, data: bytes) -> str:
        name = uuid.uuid4().hex + ".jpg"
        self._files[name] = data
        return f"http://{self.host}:{self.port}/files/{name}"

    def expire_files(self) -> None:
        """Photo URLs are temporary: forget them all."""
        self._files.clear()

    async def deliver(self, update: JsonDict) -> None:
        """An update from a person: to the webhook when one is set, else to the next poll."""
        chat = update["message"]["chat"]["id"]
        self._writable.add(str(chat))
        if self.webhook_url is not None:
            await self._push(update)
            return
        self._queue.append(update)
        self.signal.fire()

    async def _push(self, update: JsonDict) -> None:
        assert self._http is not None and self.webhook_url is not None
        headers = {"X-Bot-Api-Secret-Token": self.webhook_secret or ""}
        self._pushing += 1
        try:
            body = {"ok": True, "result": update} if self.webhook_wrapped else update
            response = await self._http.post(self.webhook_url, json=body, headers=headers)
            self.webhook_answers.append(response.status_code)
        except httpx.HTTPError as exc:
            log.warning("webhook delivery failed: %s", exc)
            self.webhook_answers.append(0)
        finally:
            self._pushing -= 1
            self.signal.fire()

    # ------------------------------------------------------------------ observing

    def fail_next(self, method: str, status: int, description: str = "Internal Server Error") -> None:
        """The next call of ``method`` answers HTTP ``status`` with this description."""
        self._failures.setdefault(method, []).append((status, description))

    def calls(self, method: str) -> list[JsonDict]:
        return [r.params for r in self.requests if r.method == method]

    def take_violations(self) -> list[Violation]:
        taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            raise ZaloViolationError("requests Zalo does not define:\n" + "\n".join(map(str, self.violations)))

    def idle(self) -> bool:
        """Every update taken, no request being served, and the bot polling again (with a webhook:
        every update posted and answered)."""
        listening = self._polls_waiting > 0 or self.webhook_url is not None
        return not self._queue and self._in_flight == 0 and self._pushing == 0 and listening

    def pending_updates(self) -> int:
        """How many updates wait for the bot to poll them."""
        return len(self._queue)

    async def settled(self, timeout: float = HANG_GUARD) -> None:
        """Wait until the polling bot has taken every update and polls again (see the module's
        documentation)."""
        if not await self.signal.wait_for(self.idle, timeout):
            raise TimeoutError(f"the bot is still busy after {timeout} s (queue {len(self._queue)})")

    async def wait_for_sent(self, count: int, timeout: float = HANG_GUARD) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages in all; returns them all."""
        if not await self.signal.wait_for(lambda: len(self.sent) >= count, timeout):
            raise TimeoutError(f"{len(self.sent)} messages sent, not {count}")
        return list(self.sent)

    # ------------------------------------------------------------------ serving

    async def handle(
        self, token: str, method: str, body: bytes, http_method: str, gone: Callable[[], bool]
    ) -> tuple[int, JsonDict]:
        if token != self.token:
            return 401, _error(401, "Unauthorized")
        if method not in METHODS:
            self._violate(method, "unknown method", {})
            return 404, _error(404, "Not Found")
        try:
            params = json.loads(body) if body else {}
        except ValueError:
            params = None
        if not isinstance(params, dict):
            self._violate(method, "the body is not a JSON object", {})
            return 400, _error(400, "Bad Request")
        if http_method != "POST":
            self._violate(method, f"sent with {http_method}, not POST", params)
        status, answer = await self._serve(method, params, gone)
        self.requests.append(Request(method, params, status))
        self.signal.fire()
        return status, answer

    async def _serve(self, method: str, params: JsonDict, gone: Callable[[], bool]) -> tuple[int, JsonDict]:
        unknown = sorted(set(params) - METHODS[method])
        missing = sorted(REQUIRED.get(method, frozenset()) - set(params))
        if unknown or missing:
            what = (f"fields Zalo does not define: {', '.join(unknown)}" if unknown else "") + (
                f"missing fields: {', '.join(missing)}" if missing else ""
            )
            self._violate(method, what, params)
            return 400, _error(400, "Bad Request")
        injected = self.faults(method, params) if self.faults is not None and method != "getUpdates" else None
        if injected is not None:
            return injected[0], _error(*injected)
        failures = self._failures.get(method)
        if failures:
            status, description = failures.pop(0)
            return status, _error(status, description)
        if method == "getUpdates":
            return await self._poll(params, gone)
        self._in_flight += 1
        self.signal.fire()
        try:
            return self._answer(method, params)
        finally:
            self._in_flight -= 1
            self.signal.fire()

    async def _poll(self, params: JsonDict, gone: Callable[[], bool]) -> tuple[int, JsonDict]:
        raw = params.get("timeout", 30)
        try:
            wait = float(raw)
        except (TypeError, ValueError):
            self._violate("getUpdates", f"timeout is not a number: {raw!r}", params)
            return 400, _error(400, "Bad Request")
        if self.max_poll_wait is not None:
            wait = min(wait, self.max_poll_wait)
        polling = self.webhook_url is None

        def ready() -> bool:
            return self._closed or gone() or (polling and self.webhook_url is None and bool(self._queue))

        self._polls_waiting += 1
        self.signal.fire()
        try:
            await self.signal.wait_for(ready, wait)
        finally:
            self._polls_waiting -= 1
        if gone() or self._closed or self.webhook_url is not None or not self._queue:
            self.signal.fire()
            return 408, _error(408, "Request timeout")
        update = self._queue.pop(0)
        self.signal.fire()
        return 200, {"ok": True, "result": update}

    def _answer(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        if method == "getMe":
            return 200, {"ok": True, "result": dict(self.bot)}
        if method == "setWebhook":
            url, secret = params["url"], params["secret_token"]
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                return 400, _error(400, "Bad Request: invalid url")
            if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
                self._violate(method, "secret_token must be 8 to 256 characters", params)
                return 400, _error(400, "Bad Request: invalid secret_token")
            self.webhook_url, self.webhook_secret = url, secret
            self.signal.fire()
            return 200, {"ok": True, "result": {"url": url, "updated_at": _now_ms()}}
        if method == "deleteWebhook":
            self.webhook_url = self.webhook_secret = None
            return 200, {"ok": True, "result": {"url": "", "updated_at": _now_ms()}}
        if method == "getWebhookInfo":
            if self.webhook_url is None:
                return 404, _error(404, "Not Found")
            return 200, {"ok": True, "result": {"url": self.webhook_url, "updated_at": _now_ms()}}
        return self._send(method, params)

    def _send(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        chat_id = params["chat_id"]
        if not isinstance(chat_id, str):
            self._violate(method, f"chat_id must be a string, not {type(chat_id).__name__}", params)
            return 400, _error(400, "Bad Request: invalid chat_id")
        if method == "sendChatAction":
            if params["action"] not in ("typing", "upload_photo"):
                self._violate(method, f"unknown action {params['action']!r}", params)
                return 400, _error(400, "Bad Request")
            return 200, {"ok": True, "result": True}
        text_field = {"sendMessage": "text", "sendPhoto": "caption"}.get(method)
        if text_field is not None and text_field in params:
            text = params[text_field]
            if not isinstance(text, str) or (text_field == "text" and not text):
                self._violate(method, f"{text_field} must be a non-empty string", params)
                return 400, _error(400, f"Bad Request: {text_field} is empty")
            if len(text) > TEXT_LIMIT:
                self._violate(method, f"{text_field} of {len(text)} characters, over {TEXT_LIMIT}", params)
                return 400, _error(400, f"Bad Request: {text_field} is too long")
        if chat_id not in self._writable:
            return 403, _error(403, "Forbidden: the user has not interacted with the bot")
        if self.quota is not None and self.sent_count >= self.quota:
            return 429, _error(429, "Too Many Requests: the monthly quota is exhausted")
        self.sent_count += 1
        message_id = uuid.uuid4().hex
        kind = {"sendMessage": "text", "sendPhoto": "photo", "sendSticker": "sticker"}[method]
        message = SentMessage(
            chat_id=chat_id,
            message_id=message_id,
            kind=kind,
            text=str(params.get("text", "")),
            photo=str(params.get("photo", "")),
            caption=str(params.get("caption", "")),
        )
        self.sent.append(message)
        self.signal.fire()
        return 200, {"ok": True, "result": {"message_id": message_id, "date": _now_ms()}}

    def _violate(self, method: str, message: str, params: Mapping[str, Any]) -> None:
        log.warning("Zalo Bot API violation: %s: %s", method, message)
        self.violations.append(Violation(method, message, dict(params)))

    def file(self, name: str) -> bytes | None:
        return self._files.get(name)


def _error(code: int, description: str) -> JsonDict:
    return {"ok": False, "error_code": code, "description": description}


def _now_ms() -> int:
    return int(time.time() * 1000)


class _MethodHandler(tornado.web.RequestHandler):
    def initialize(self, server: FakeZaloServer) -> None:
        self.server = server
        self.gone = False

    def compute_etag(self) -> None:
        return None

    def on_connection_close(self) -> None:
        self.gone = True
        self.server.signal.fire()

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def _serve(self, token: str, method: str) -> None:
        status, body = await self.server.handle(
            token, method, self.request.body, self.request.method or "GET", lambda: self.gone
        )
        if self.gone:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        with suppress(StreamClosedError):
            await self.finish(json.dumps(body, ensure_ascii=False))


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, server: FakeZaloServer) -> None:
        self.server = server

    async def get(self, name: str) -> None:
        data = self.server.file(name)
        if data is None:
            self.set_status(404)
            await self.finish(b"")
            return
        self.set_header("Content-Type", "image/jpeg")
        await self.finish(data)
