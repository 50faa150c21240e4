"""``ZaloClient``: a thin client of the Zalo Bot API over httpx.

Every call is ``POST <base><TOKEN>/<method>`` with a JSON body, and every answer is the envelope
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N, "description": "…"}``: HTTP 200 alone
means nothing, ``ok`` does. Failures become the channel-neutral exceptions of
:mod:`dondoc.handlers.events`:

- 429: :class:`~dondoc.handlers.events.QuotaSpent` (the month's message quota is spent; it is not a
  rate limit, retrying in seconds does not help);
- 5xx, timeouts, connection errors, an answer that is not the envelope:
  :class:`~dondoc.handlers.events.TemporaryFailure`;
- 403 (a chat the bot may not write to: the person never wrote to it, or blocked it):
  :class:`~dondoc.handlers.events.Unreachable`;
- any other 4xx, and a message Zalo would refuse (empty, over 2,000 characters):
  :class:`~dondoc.handlers.events.Rejected`.

The token is part of every URL, so it never reaches an exception, a log line or a repr: messages are
built here from the method and Zalo's description, httpx's own request log has the token replaced,
and the client's repr names the base URL only. Only the fields Zalo defines are ever sent.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from dondoc.handlers.events import QuotaSpent, Rejected, TemporaryFailure, Unreachable

OFFICIAL_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
TEXT_LIMIT = 2000  # characters of a message's text (and of a photo's caption)
POLL_TIMEOUT = 30  # seconds getUpdates waits for an update
_MARGIN = 10.0  # the client waits this much longer than the poll itself
_REQUEST_TIMEOUT = 30.0
DOWNLOAD_LIMIT = 10 * 1024 * 1024  # bytes: the largest photo downloaded
TOKEN_PLACEHOLDER = "<ZALO_BOT_TOKEN>"

JsonDict = dict[str, Any]


def text_length(text: str) -> int:
    """The length Zalo's limit is checked against, counted safely: in UTF-16 units, so an emoji
    counts two (never less than the characters Zalo counts)."""
    return len(text.encode("utf-16-le")) // 2


class _Redact(logging.Filter):
    """Replaces the token in httpx's request log lines (they print the whole URL)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            if isinstance(record.msg, str) and self.token in record.msg:
                record.msg = record.msg.replace(self.token, TOKEN_PLACEHOLDER)
            if record.args:
                args = record.args if isinstance(record.args, tuple) else (record.args,)
                record.args = tuple(
                    str(arg).replace(self.token, TOKEN_PLACEHOLDER) if self.token in str(arg) else arg for arg in args
                )
        return True


class ZaloClient:
    """One Zalo bot, reached at ``<base_url><token>/<method>``.

    ``transport`` lets a test plug an httpx transport in; ``poll_timeout`` is what :meth:`get_updates`
    asks for by default."""

    def __init__(
        self,
        token: str,
        base_url: str = OFFICIAL_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        request_timeout: float = _REQUEST_TIMEOUT,
    ) -> None:
        self._token = token
        self.base_url = base_url
        self._http = httpx.AsyncClient(transport=transport, timeout=request_timeout, follow_redirects=False)
        self._redact = _Redact(token)
        logging.getLogger("httpx").addFilter(self._redact)

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self.base_url!r})"

    def redact(self, text: str) -> str:
        """``text`` with the token replaced (for messages built from what httpx says)."""
        return text.replace(self._token, TOKEN_PLACEHOLDER) if self._token else text

    async def aclose(self) -> None:
        logging.getLogger("httpx").removeFilter(self._redact)
        await self._http.aclose()

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ the methods

    async def get_me(self) -> JsonDict:
        """The bot's account (``id``, ``account_name``, ``display_name`` …)."""
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> JsonDict | None:
        """Wait up to ``timeout`` seconds for one update: the bare update (``{"event_name": …,
        "message": …}``), or None when none came (Zalo's HTTP 408)."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, read_timeout=timeout + _MARGIN)
        except _EmptyPoll:
            return None
        if isinstance(result, list):  # not seen, but harmless to accept: the first update
            result = result[0] if result else None
        return result if isinstance(result, dict) else None

    async def set_webhook(self, url: str, secret_token: str) -> None:
        if not 8 <= len(secret_token) <= 256:
            raise Rejected("setWebhook: the secret token must be 8 to 256 characters")
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> JsonDict | None:
        """The webhook set for the bot (``url`` …), or None when it has none (Zalo answers 404)."""
        try:
            result = await self.call("getWebhookInfo")
        except _NotFound:
            return None
        return result if isinstance(result, dict) else None

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send plain ``text`` (1 to 2,000 characters); returns the message id."""
        _check_text("sendMessage", text, allow_empty=False)
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return _message_id(result)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> str:
        """Send the photo at the public ``photo_url``; returns the message id."""
        _check_text("sendPhoto", caption, allow_empty=True)
        payload: JsonDict = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            payload["caption"] = caption
        return _message_id(await self.call("sendPhoto", payload))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def download(self, url: str, limit: int = DOWNLOAD_LIMIT) -> bytes:
        """The bytes at ``url`` (a photo a person sent: its URL is temporary), at most ``limit``;
        :class:`Rejected` if larger, :class:`TemporaryFailure` if it cannot be fetched now."""
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise Rejected(f"download: HTTP {response.status_code}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise Rejected(f"download: {declared} bytes, more than {limit}")
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise Rejected(f"download: more than {limit} bytes")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"download: {type(exc).__name__}") from None

    # ------------------------------------------------------------------ the envelope

    async def call(self, method: str, payload: JsonDict | None = None, *, read_timeout: float | None = None) -> Any:
        """POST ``payload`` to ``method`` and return the envelope's ``result``."""
        url = f"{self.base_url}{self._token}/{method}"
        timeout = httpx.Timeout(self._http.timeout.read, read=read_timeout) if read_timeout is not None else None
        try:
            response = await self._http.post(
                url, json=payload or {}, timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
            )
        except httpx.TimeoutException as exc:
            raise TemporaryFailure(f"{method}: timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"{method}: {type(exc).__name__}: {self.redact(str(exc))}") from None
        return self._result(method, response)

    def _result(self, method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True and response.status_code < 300:
            return body.get("result")
        code = response.status_code
        description = ""
        if isinstance(body, dict):
            raw_code = body.get("error_code")
            if isinstance(raw_code, int) and raw_code >= 400:
                code = raw_code  # an error answered with HTTP 200
            description = self.redact(str(body.get("description", "")))[:300]
        elif code < 400:  # HTTP 2xx that is not the envelope: someone else's server, or a broken proxy
            raise TemporaryFailure(f"{method}: the answer is not the Zalo Bot API's (HTTP {code})")
        message = f"{method}: {code} {description}".strip()
        if code == 408 and method == "getUpdates":
            raise _EmptyPoll(message)
        if code == 404 and method == "getWebhookInfo":
            raise _NotFound(message)
        if code == 429:
            raise QuotaSpent(message)
        if code == 403:
            raise Unreachable(message)
        if code >= 500 or code == 408 or (isinstance(body, dict) and code < 400):
            raise TemporaryFailure(message)
        raise Rejected(message)


class _EmptyPoll(Exception):
    """getUpdates' 408: nothing arrived during the poll."""


class _NotFound(Exception):
    """getWebhookInfo's 404: no webhook set."""


def _check_text(method: str, text: str, *, allow_empty: bool) -> None:
    if not text and not allow_empty:
        raise Rejected(f"{method}: empty text")
    if text_length(text) > TEXT_LIMIT:
        raise Rejected(f"{method}: text longer than {TEXT_LIMIT} characters")


def _message_id(result: Any) -> str:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    return ""
