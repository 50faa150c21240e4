"""The Zalo Bot API client against the Zalo-shaped fake server: the envelope, the empty poll, webhooks,
and every failure mapped to the channel-neutral exceptions, the token never shown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo.fake import FakeZaloServer
from dondoc.handlers.events import QuotaSpent, Rejected, TemporaryFailure, Unreachable


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(max_poll_wait=0.01) as server:
        yield server
        server.assert_no_violations()


@pytest.fixture
async def client(zalo: FakeZaloServer) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(zalo.token, zalo.base_url) as client:
        yield client


async def test_get_me_and_one_update_per_poll_then_none(zalo: FakeZaloServer, client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["display_name"] == "Bot Đôn đốc"
    lan = zalo.user("Lan")
    await lan.send_text("xin chào")
    await lan.send_text("lần hai")
    first = await client.get_updates(timeout=30)
    second = await client.get_updates(timeout=30)
    assert first is not None and second is not None
    assert first["event_name"] == "message.text.received"
    assert (first["message"]["text"], second["message"]["text"]) == ("xin chào", "lần hai")
    assert first["message"]["from"]["id"] == lan.id and isinstance(first["message"]["date"], int)
    assert await client.get_updates(timeout=30) is None  # the 408 of an empty poll


async def test_send_message_returns_the_message_id_and_the_person_reads_it(
    zalo: FakeZaloServer, client: ZaloClient
) -> None:
    lan = zalo.user("Lan")
    await lan.send_text("hi")
    message_id = await client.send_message(lan.chat_id, "Chào đồng chí")
    assert message_id and lan.texts == ["Chào đồng chí"]


async def test_a_webhook_takes_the_updates_away_from_polling(zalo: FakeZaloServer, client: ZaloClient) -> None:
    assert await client.get_webhook_info() is None
    await client.set_webhook("https://example.invalid/zalo", "s3cret-s3cret")
    info = await client.get_webhook_info()
    assert info is not None and info["url"] == "https://example.invalid/zalo"
    await client.delete_webhook()
    assert await client.get_webhook_info() is None


async def test_a_spent_quota_is_quota_spent_not_a_rate_limit() -> None:
    async with FakeZaloServer(quota=1) as server, ZaloClient(server.token, server.base_url) as limited:
        lan = server.user("Lan")
        await lan.send_text("hi")
        await limited.send_message(lan.chat_id, "one")
        with pytest.raises(QuotaSpent) as caught:
            await limited.send_message(lan.chat_id, "two")
        assert isinstance(caught.value, Rejected)
        assert server.token not in str(caught.value)


async def test_a_server_error_is_a_temporary_failure(zalo: FakeZaloServer, client: ZaloClient) -> None:
    lan = zalo.user("Lan")
    await lan.send_text("hi")
    zalo.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(TemporaryFailure):
        await client.send_message(lan.chat_id, "one")
    assert await client.send_message(lan.chat_id, "again")


async def test_a_chat_that_never_wrote_is_unreachable_and_bad_requests_are_rejected(
    zalo: FakeZaloServer, client: ZaloClient
) -> None:
    with pytest.raises(Unreachable):
        await client.send_message("123456789", "hello")
    with pytest.raises(Rejected):
        await client.send_message("123456789", "x" * 2001)  # refused before it is sent
    with pytest.raises(Rejected):
        await client.send_message("123456789", "")
    assert not zalo.violations


async def test_an_error_answered_with_http_200_is_an_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": False, "error_code": 429, "description": "quota"})

    async with ZaloClient("tok:secret", "https://zalo.invalid/bot", transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(QuotaSpent):
            await client.send_message("1", "hi")


async def test_the_token_never_shows_in_errors_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    token = "99999:very-secret-token"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    caplog.set_level(logging.DEBUG)
    async with ZaloClient(token, "https://zalo.invalid/bot", transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(TemporaryFailure) as caught:
            await client.get_me()
        assert token not in str(caught.value) and token not in repr(client)
        assert caught.value.__suppress_context__  # the httpx error (and its URL) is not shown with it

    async with FakeZaloServer() as server, ZaloClient(server.token, server.base_url) as client:
        await client.get_me()
        assert server.token not in caplog.text
        assert "<ZALO_BOT_TOKEN>" in caplog.text  # httpx's request log, redacted
