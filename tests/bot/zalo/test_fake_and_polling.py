"""The fake server's webhook mode and the development poller: deleteWebhook first, an empty poll
polls again, errors back off (capped), and stop() ends it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo.fake import HANG_GUARD, FakeZaloServer
from dondoc.bot.zalo.polling import ZaloPolling
from dondoc.handlers.events import Rejected


class _Receiver(tornado.web.RequestHandler):
    def initialize(self, received: list[tuple[dict[str, Any], str]]) -> None:
        self.received = received

    def post(self) -> None:
        self.received.append((json.loads(self.request.body), self.request.headers.get("X-Bot-Api-Secret-Token", "")))
        self.write({"message": "Success"})


async def test_with_a_webhook_each_update_is_posted_bare_with_the_secret_and_polling_gets_nothing() -> None:
    received: list[tuple[dict[str, Any], str]] = []
    app = tornado.web.Application([(r"/zalo", _Receiver, {"received": received})])
    server = tornado.httpserver.HTTPServer(app)
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        async with FakeZaloServer(max_poll_wait=0.001) as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
            await client.set_webhook(f"http://127.0.0.1:{port}/zalo", "a-secret-of-some-length")
            lan = zalo.user("Lan")
            await lan.send_text("I.1 xong")
            assert await client.get_updates(30) is None
            [(body, secret)] = received
            assert secret == "a-secret-of-some-length"
            assert body["event_name"] == "message.text.received" and "ok" not in body  # bare
            assert body["message"]["text"] == "I.1 xong" and isinstance(body["message"]["chat"]["id"], str)
            assert zalo.webhook_answers == [200]
            zalo.assert_no_violations()
    finally:
        server.stop()


async def test_undefined_fields_and_methods_are_recorded_as_violations() -> None:
    async with FakeZaloServer() as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
        lan = zalo.user("Lan")
        await lan.send_text("hi")
        with pytest.raises(Rejected):
            await client.call("sendMessage", {"chat_id": lan.chat_id, "text": "hi", "parse_mode": "HTML"})
        with pytest.raises(Rejected):
            await client.call("editMessageText", {"chat_id": lan.chat_id})
        with pytest.raises(Rejected):
            await client.call("sendMessage", {"chat_id": lan.chat_id, "text": "x" * 2001})
        violations = [str(v) for v in zalo.take_violations()]
    assert len(violations) == 3 and "parse_mode" in violations[0] and "unknown method" in violations[1]
    assert "2001 characters" in violations[2] and not lan.messages


async def test_polling_deletes_the_webhook_first_and_polls_again_after_an_empty_poll() -> None:
    handled: list[Mapping[str, Any]] = []

    async def handle(update: Mapping[str, Any]) -> None:
        handled.append(update)

    async with FakeZaloServer(max_poll_wait=0) as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
        zalo.webhook_url, zalo.webhook_secret = "https://example.invalid/hook", "some-secret"
        poller = ZaloPolling(client, handle)
        task = asyncio.create_task(poller.run())
        await zalo.signal.wait_for(lambda: len(zalo.calls("getUpdates")) >= 3, HANG_GUARD)
        assert zalo.requests[0].method == "deleteWebhook" and zalo.webhook_url is None
        assert {r.status for r in zalo.requests[1:]} == {408}  # empty polls, polled again at once
        await zalo.user("Lan").send_text("xin chào")
        await zalo.signal.wait_for(lambda: bool(handled), HANG_GUARD)
        poller.stop()
        await task
    assert handled[0]["message"]["text"] == "xin chào" and poller.errors == 0


async def test_errors_back_off_doubling_up_to_a_cap_and_stop_ends_a_wait() -> None:
    waits: list[float] = []
    resumed = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 6:
            resumed.set()
            await asyncio.Event().wait()  # a long wait, ended by stop()

    async def handle(update: Mapping[str, Any]) -> None:
        raise AssertionError("no update expected")

    async with FakeZaloServer(max_poll_wait=0) as zalo, ZaloClient(zalo.token, zalo.base_url) as client:
        zalo.fail_next("deleteWebhook", 502, "Bad Gateway")
        for _ in range(4):
            zalo.fail_next("getUpdates", 503, "Service Unavailable")
        zalo.fail_next("getUpdates", 401, "Unauthorized")
        poller = ZaloPolling(client, handle, sleep=sleep, first_wait=1, max_wait=4)
        task = asyncio.create_task(poller.run())
        await resumed.wait()
        poller.stop()
        await task
    assert waits == [1, 1, 2, 4, 4, 4]  # deleteWebhook's, then getUpdates' doubling, capped at 4
    assert poller.errors == 6
