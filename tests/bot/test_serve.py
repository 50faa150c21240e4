"""``dondoc serve``: the web app that hosts the webhooks, driven through httpx's ASGI transport.

Telegram runs as the real PTB stack against the local Bot API server: a simulated user types, the
server queues the update as Telegram would, and the test delivers it to the webhook the way Telegram
does (a POST with the secret header). Zalo is either a test double of the channel (what the web app
gives it) or the real channel against the fake Zalo server, whose updates are delivered the same way,
or posted by the server itself to the app served by uvicorn. Every wait awaits the web app's own
tasks or the servers' events, never the clock."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import assemble
from dondoc.bot.config import TelegramConfig, ZaloConfig
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.web import (
    TELEGRAM_SECRET_HEADER,
    ZALO_SECRET_HEADER,
    WebApp,
    ZaloHook,
    derived_secret,
    serve_app,
)
from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo.fake import FakeZaloServer
from dondoc.db.models import ChannelAccount, Person, Report, Status, WebhookDelivery
from dondoc.db.session import open_store
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import SAMPLE, Dondoc
from tests.handlers.helpers import invite_code

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
PUBLIC_URL = "https://dondoc.example.vn"
HANG_GUARD = 120.0  # only stops a hung test: every wait ends on an event
ZALO_TOKEN = "1234567890:zalo-test-token"


# ------------------------------------------------------------------ a Zalo bot as the web app sees it


@dataclass
class ZaloClientDouble:
    webhooks: list[tuple[str, str]] = field(default_factory=list)

    async def set_webhook(self, url: str, secret_token: str) -> bool:
        self.webhooks.append((url, secret_token))
        return True

    async def aclose(self) -> None:
        pass


@dataclass
class ZaloDouble:
    """Records the updates it is given to handle."""

    key: str = "zalo"
    client: ZaloClientDouble = field(default_factory=ZaloClientDouble)
    handled: list[dict[str, Any]] = field(default_factory=list)
    told_busy: list[dict[str, Any]] = field(default_factory=list)

    async def process_update(self, update: Mapping[str, Any]) -> None:
        self.handled.append(dict(update))

    async def tell_busy(self, update: Mapping[str, Any]) -> None:
        self.told_busy.append(dict(update))


def zalo_message(text: str, message_id: str = "a1b2c3", user_id: str = "6a1f0000000000000001") -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": message_id,
            "from": {"id": user_id, "display_name": "Nguyễn Thị Lan", "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "date": 1647309600000,
            "text": text,
        },
    }


# ------------------------------------------------------------------ the web app


def web_app(
    engine: Engine,
    api: LocalBotApi | None = None,
    *,
    zalo: Sequence[ZaloDouble] = (),
    public_url: str | None = None,
    clock: Clock | None = None,
) -> WebApp:
    app = assemble(engine, clock or Clock(NOW, frozen=True), WorkCalendar(), bot_username="dondoc_test_bot")
    telegram = None
    if api is not None:
        telegram = TelegramConfig(api.token, api.base_url, api.base_file_url, None, None)
    hooks = [ZaloHook(bot, derived_secret(ZALO_TOKEN, bot.key)) for bot in zalo]
    return serve_app(
        app,
        telegram,
        zalo=hooks,
        public_url=public_url,
        builder=api.application_builder() if api is not None else None,
        rate_limit=False,
        run_reminders=False,
    )


@dataclass
class Served:
    web: WebApp
    http: httpx.AsyncClient

    async def post(self, path: str, body: object, secret: str | None, header: str) -> httpx.Response:
        headers = {header: secret} if secret is not None else {}
        response = await self.http.post(path, json=body, headers=headers)
        await self.web.idle()  # the update was answered at once: wait until it has been handled
        return response

    async def telegram(self, update: Mapping[str, Any], secret: str | None) -> httpx.Response:
        return await self.post("/telegram", update, secret, TELEGRAM_SECRET_HEADER)

    async def zalo(self, body: object, secret: str | None, path: str = "/zalo") -> httpx.Response:
        return await self.post(path, body, secret, ZALO_SECRET_HEADER)


async def serving(stack: AsyncExitStack, web: WebApp) -> Served:
    await stack.enter_async_context(web.running())
    transport = httpx.ASGITransport(app=web.asgi)
    http = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://dondoc.test"))
    return Served(web, http)


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        yield api


async def telegram_updates(api: LocalBotApi) -> list[dict[str, Any]]:
    """The updates Telegram holds for the bot (what it would POST to the webhook), taken off its queue."""
    queue = api.world.updates
    updates = await queue.get_updates(offset=None, limit=100, timeout=0, allowed_updates=None)
    if updates:
        await queue.get_updates(offset=updates[-1]["update_id"] + 1, limit=100, timeout=0, allowed_updates=None)
    return updates


def telegram_secret(api: LocalBotApi) -> str:
    return derived_secret(api.token, "telegram")


def bound_people(engine: Engine) -> list[Person]:
    with Session(engine) as session:
        return list(session.exec(select(Person)).all())


# ------------------------------------------------------------------ Telegram


async def test_a_telegram_update_with_the_right_secret_is_handled_and_answered(
    api: LocalBotApi, engine: Engine
) -> None:
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, api))
        lan = api.user(first_name="Lan")
        await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
        [update] = await telegram_updates(api)

        response = await served.telegram(update, telegram_secret(api))

        assert response.status_code == 200
        greeting = await lan.next_message(HANG_GUARD)
        assert "Ủy ban nhân dân xã Xà Phiên" in (greeting.text or "")
        with Session(engine) as session:
            account = session.exec(select(ChannelAccount)).one()
        assert (account.channel, account.chat_id) == ("telegram", str(lan.chat_id))


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "x" * 43])
async def test_a_telegram_call_without_the_right_secret_is_refused_and_changes_nothing(
    api: LocalBotApi, engine: Engine, secret: str | None
) -> None:
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, api))
        lan = api.user(first_name="Lan")
        await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
        [update] = await telegram_updates(api)

        response = await served.telegram(update, secret)

        assert response.status_code in (401, 403)
        assert lan.messages == []
        assert bound_people(engine) == []
        with Session(engine) as session:
            assert session.exec(select(WebhookDelivery)).all() == []
        # the real secret still works afterwards: nothing was taken in by the refused call
        assert (await served.telegram(update, telegram_secret(api))).status_code == 200
        await lan.next_message(HANG_GUARD)


async def test_a_telegram_update_delivered_twice_is_handled_once(api: LocalBotApi, engine: Engine) -> None:
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, api))
        lan = api.user(first_name="Lan")
        await lan.send("/help")
        [update] = await telegram_updates(api)

        first = await served.telegram(update, telegram_secret(api))
        again = await served.telegram(update, telegram_secret(api))

        assert (first.status_code, again.status_code) == (200, 200)
        assert len(lan.messages) == 1


async def test_two_serve_processes_on_one_database_handle_a_repeated_telegram_update_once(
    api: LocalBotApi, engine: Engine
) -> None:
    other_engine = open_store(str(engine.url.render_as_string(hide_password=False)))
    try:
        async with AsyncExitStack() as stack:
            one = await serving(stack, web_app(engine, api))
            two = await serving(stack, web_app(other_engine, api))
            lan = api.user(first_name="Lan")
            await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
            [update] = await telegram_updates(api)

            answers = [
                await one.telegram(update, telegram_secret(api)),
                await two.telegram(update, telegram_secret(api)),
            ]

            assert [a.status_code for a in answers] == [200, 200]
            assert len(lan.messages) == 1
            assert len(bound_people(engine)) == 1
    finally:
        other_engine.dispose()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'[{"update_id": 1}]',
        b'{"update_id": "1"}',
        b'{"message": {}}',
        b'{"update_id": 7, "message": "hi"}',
    ],
)
async def test_a_telegram_body_that_is_no_update_is_refused(api: LocalBotApi, engine: Engine, body: bytes) -> None:
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, api))
        response = await served.http.post(
            "/telegram", content=body, headers={TELEGRAM_SECRET_HEADER: telegram_secret(api)}
        )
        await served.web.idle()
    assert response.status_code == 400
    assert api.calls("sendMessage") == []
    with Session(engine) as session:
        assert session.exec(select(WebhookDelivery)).all() == []


async def test_on_start_the_webhooks_are_set_at_the_public_url_with_the_derived_secrets(
    api: LocalBotApi, engine: Engine
) -> None:
    zalo, named = ZaloDouble(), ZaloDouble(key="zalo:Long Mỹ 1")
    web = web_app(engine, api, zalo=[zalo, named], public_url=PUBLIC_URL + "/")
    async with web.running():
        pass

    secret = telegram_secret(api)
    assert [(c["url"], c["secret_token"]) for c in api.calls("setWebhook")] == [(f"{PUBLIC_URL}/telegram", secret)]
    assert zalo.client.webhooks == [(f"{PUBLIC_URL}/zalo", derived_secret(ZALO_TOKEN, "zalo"))]
    assert named.client.webhooks == [
        (f"{PUBLIC_URL}/zalo/Long%20M%E1%BB%B9%201", derived_secret(ZALO_TOKEN, "zalo:Long Mỹ 1"))
    ]
    # the same token gives the same secret in every process, made of the characters Telegram allows
    assert derived_secret(api.token, "telegram") == secret
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,256}", secret)
    assert derived_secret(api.token, "zalo") != secret


async def test_without_a_public_url_the_log_says_the_webhooks_were_not_set(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    zalo = ZaloDouble()
    with caplog.at_level(logging.INFO, logger="dondoc"):
        async with web_app(engine, zalo=[zalo]).running():
            pass
    assert zalo.client.webhooks == []
    assert "webhooks were not set" in caplog.text and "--public-url" in caplog.text


# ------------------------------------------------------------------ Zalo


ZALO_SECRET = derived_secret(ZALO_TOKEN, "zalo")


async def test_a_zalo_update_is_taken_wrapped_or_bare(engine: Engine) -> None:
    zalo = ZaloDouble()
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo]))
        wrapped = {"ok": True, "result": zalo_message("/start K7QM-3FXP", message_id="m-1")}
        bare = zalo_message("I.2 60", message_id="m-2")

        answers = [await served.zalo(wrapped, ZALO_SECRET), await served.zalo(bare, ZALO_SECRET)]

    assert [a.status_code for a in answers] == [200, 200]
    assert [u["message"]["text"] for u in zalo.handled] == ["/start K7QM-3FXP", "I.2 60"]
    assert all(set(u) == {"event_name", "message"} for u in zalo.handled)


@pytest.mark.parametrize(
    "body",
    [
        "Nguyễn Thị Lan: I.2 60",
        [zalo_message("Nguyễn Thị Lan: I.2 60")],
        {"ok": False, "error_code": 400, "description": "Nguyễn Thị Lan: I.2 60"},
        {"ok": True, "result": "Nguyễn Thị Lan: I.2 60"},
        {"event_name": "message.text.received", "text": "Nguyễn Thị Lan: I.2 60"},
        {"message": zalo_message("Nguyễn Thị Lan: I.2 60")["message"]},
    ],
)
async def test_a_body_that_is_no_zalo_update_is_refused_and_not_logged(
    engine: Engine, body: object, caplog: pytest.LogCaptureFixture
) -> None:
    zalo = ZaloDouble()
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo]))
        with caplog.at_level(logging.DEBUG):
            response = await served.zalo(body, ZALO_SECRET)

    assert response.status_code == 400
    assert zalo.handled == []
    assert "Nguyễn" not in caplog.text and "I.2 60" not in caplog.text


async def test_a_zalo_body_that_is_not_json_is_refused(engine: Engine) -> None:
    zalo = ZaloDouble()
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo]))
        response = await served.http.post("/zalo", content=b"\xff{not json", headers={ZALO_SECRET_HEADER: ZALO_SECRET})
    assert response.status_code == 400
    assert zalo.handled == []


async def test_a_zalo_body_over_a_megabyte_is_refused_unread(engine: Engine) -> None:
    zalo = ZaloDouble()
    message = zalo_message("I.2 60")
    message["message"]["caption"] = "x" * (1 << 20)
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo]))
        response = await served.zalo(message, ZALO_SECRET)
    assert response.status_code == 413
    assert zalo.handled == []


@pytest.mark.parametrize("secret", [None, "", ZALO_SECRET[:-1], derived_secret("another token", "zalo")])
async def test_a_zalo_call_without_the_right_secret_is_refused_and_changes_nothing(
    engine: Engine, secret: str | None
) -> None:
    zalo = ZaloDouble()
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo]))
        response = await served.zalo(zalo_message("/start K7QM-3FXP"), secret)

    assert response.status_code in (401, 403)
    assert zalo.handled == []
    with Session(engine) as session:
        assert session.exec(select(WebhookDelivery)).all() == []


async def test_two_serve_processes_on_one_database_handle_a_repeated_zalo_message_once(engine: Engine) -> None:
    other_engine = open_store(str(engine.url.render_as_string(hide_password=False)))
    one_bot, two_bot = ZaloDouble(), ZaloDouble()
    try:
        async with AsyncExitStack() as stack:
            one = await serving(stack, web_app(engine, zalo=[one_bot]))
            two = await serving(stack, web_app(other_engine, zalo=[two_bot]))
            message = zalo_message("I.2 xong", message_id="dup-1")

            # both at once (Zalo retried while the first was still being answered), then once more
            answers = [
                *await asyncio.gather(
                    one.zalo({"ok": True, "result": message}, ZALO_SECRET), two.zalo(message, ZALO_SECRET)
                ),
                await one.zalo(message, ZALO_SECRET),
            ]
    finally:
        other_engine.dispose()

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len(one_bot.handled) + len(two_bot.handled) == 1


async def test_each_zalo_bot_has_its_webhook_and_its_own_message_ids(engine: Engine) -> None:
    first, second = ZaloDouble(key="zalo:lm1"), ZaloDouble(key="zalo:Long Mỹ 2")
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[first, second]))
        message = zalo_message("I.2 60", message_id="same")
        answers = [
            await served.zalo(message, derived_secret(ZALO_TOKEN, "zalo:lm1"), path="/zalo/lm1"),
            await served.zalo(
                message, derived_secret(ZALO_TOKEN, "zalo:Long Mỹ 2"), path="/zalo/Long%20M%E1%BB%B9%202"
            ),
            await served.zalo(message, derived_secret(ZALO_TOKEN, "zalo:lm1"), path="/zalo/Long%20M%E1%BB%B9%202"),
            await served.zalo(message, derived_secret(ZALO_TOKEN, "zalo:lm1"), path="/zalo/lm3"),
            await served.zalo(message, derived_secret(ZALO_TOKEN, "zalo:lm1"), path="/zalo"),
        ]
    assert [a.status_code for a in answers] == [200, 200, 403, 404, 404]
    assert (len(first.handled), len(second.handled)) == (1, 1)


async def test_deliveries_older_than_a_week_are_forgotten(engine: Engine) -> None:
    clock = Clock(NOW, frozen=True)
    zalo = ZaloDouble()
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo], clock=clock))
        await served.zalo(zalo_message("I.2 60", message_id="old"), ZALO_SECRET)
        clock.advance(timedelta(days=8))
        await served.zalo(zalo_message("I.2 70", message_id="new"), ZALO_SECRET)
    with Session(engine) as session:
        assert [row.key for row in session.exec(select(WebhookDelivery))] == ["new"]


# ------------------------------------------------------------------ health and nothing else


async def test_healthz_answers_while_the_database_does(engine: Engine) -> None:
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine))
        response = await served.http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_healthz_answers_503_when_the_database_is_gone(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    try:
        async with AsyncExitStack() as stack:
            served = await serving(stack, web_app(engine))
            assert (await served.http.get("/healthz")).status_code == 200
            engine.dispose()
            path = Path(sqlite_url.removeprefix("sqlite:///"))
            for file in path.parent.glob(path.name + "*"):
                file.unlink()
            path.parent.rmdir()
            response = await served.http.get("/healthz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/telegram"),
        ("POST", "/healthz"),
        ("POST", "/zalo/unknown-bot"),
        ("POST", "/zalo"),  # no Zalo bot configured here
        ("GET", "/docs"),
        ("POST", "/telegram/../healthz"),
    ],
)
async def test_nothing_else_is_served(api: LocalBotApi, engine: Engine, method: str, path: str) -> None:
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, api))
        response = await served.http.request(method, path)
    assert response.status_code == 404


# ------------------------------------------------------------------ answered at once, handled after


@dataclass
class SlowZalo(ZaloDouble):
    """Starts handling, then waits to be released."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def process_update(self, update: Mapping[str, Any]) -> None:
        self.started.set()
        await self.release.wait()
        self.handled.append(dict(update))


async def test_an_update_is_answered_at_once_and_shutting_down_waits_for_its_handling(engine: Engine) -> None:
    zalo = SlowZalo()
    web = web_app(engine, zalo=[zalo])
    running = web.running()
    await running.__aenter__()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web.asgi), base_url="http://dondoc.test") as http:
        response = await http.post("/zalo", json=zalo_message("I.2 60"), headers={ZALO_SECRET_HEADER: ZALO_SECRET})
    assert response.status_code == 200
    await zalo.started.wait()
    assert zalo.handled == []  # answered while it is still being handled

    stopping = asyncio.create_task(running.__aexit__(None, None, None))
    for _turn in range(20):  # let the shutdown run as far as it can without the handling
        await asyncio.sleep(0)
    stopped_early = stopping.done()
    zalo.release.set()
    await stopping
    assert not stopped_early
    assert [u["message"]["text"] for u in zalo.handled] == ["I.2 60"]


@dataclass
class GatedZalo(ZaloDouble):
    """Holds the handling of the texts in ``gates`` until their gate opens; tells when a text in
    ``handled_events`` has been handled."""

    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    handled_events: dict[str, asyncio.Event] = field(default_factory=dict)
    begun: list[str] = field(default_factory=list)

    async def process_update(self, update: Mapping[str, Any]) -> None:
        text = update["message"]["text"]
        self.begun.append(text)
        if text in self.gates:
            await self.gates[text].wait()
        self.handled.append(dict(update))
        if text in self.handled_events:
            self.handled_events[text].set()


async def test_a_persons_zalo_messages_are_handled_in_order_and_others_are_not_held_up(engine: Engine) -> None:
    zalo = GatedZalo(gates={"/report": asyncio.Event()}, handled_events={"I.3 xong": asyncio.Event()})
    lan, hung = "6a1f0000000000000001", "6a1f0000000000000002"
    async with AsyncExitStack() as stack:
        served = await serving(stack, web_app(engine, zalo=[zalo]))
        headers = {ZALO_SECRET_HEADER: ZALO_SECRET}
        for text, message_id, user in (("/report", "m1", lan), ("2", "m2", lan), ("I.3 xong", "m3", hung)):
            answer = await served.http.post("/zalo", json=zalo_message(text, message_id, user), headers=headers)
            assert answer.status_code == 200

        try:
            await zalo.handled_events["I.3 xong"].wait()  # Hùng's message went past Lan's, still held
            assert zalo.begun == ["/report", "I.3 xong"]  # Lan's "2" waits for her "/report"
        finally:
            zalo.gates["/report"].set()  # (also when the test fails: stopping waits for it)
        await served.web.idle()

    assert [u["message"]["text"] for u in zalo.handled] == ["I.3 xong", "/report", "2"]


# ------------------------------------------------------------------ the command


def start_and_stop(web: WebApp, host: str, port: int) -> None:
    """Instead of listening on a socket: start the web app (webhooks set) and stop it."""

    async def lifespan() -> None:
        async with web.running():
            pass

    asyncio.run(lifespan())


async def test_dondoc_serve_sets_the_telegram_webhook_with_the_secret_derived_from_the_token(
    api: LocalBotApi, sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dondoc.cli.serve.run_server", start_and_stop)
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_FILE_URL": api.base_file_url,
        "TELEGRAM_WEBHOOK_SECRET": "",
    }
    # the command runs its own event loop; this one serves the Bot API meanwhile
    result = await asyncio.to_thread(sample_store, "serve", "--public-url", PUBLIC_URL + "/", env=env)

    assert result.code == 0, result.stderr
    [call] = api.calls("setWebhook")
    assert (call["url"], call["secret_token"]) == (f"{PUBLIC_URL}/telegram", telegram_secret(api))


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        ((), {"TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}, "ZALO_BOT_TOKEN"),
        (("--public-url", "http://dondoc.example.vn"), {"TELEGRAM_BOT_TOKEN": "1:x"}, "--public-url"),
        (("--public-url", "dondoc.example.vn"), {"TELEGRAM_BOT_TOKEN": "1:x"}, "--public-url"),
        ((), {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "bí mật"}, "TELEGRAM_WEBHOOK_SECRET"),
        (
            (),
            {"TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "1:x", "ZALO_WEBHOOK_SECRET": "short"},
            "ZALO_WEBHOOK_SECRET",
        ),
    ],
)
def test_dondoc_serve_refuses_a_configuration_it_cannot_serve(
    sample_store: Dondoc, args: tuple[str, ...], env: dict[str, str], words: str
) -> None:
    result = sample_store("serve", *args, env=env)
    assert result.code == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ the real Zalo channel


async def zalo_updates(server: FakeZaloServer) -> list[dict[str, Any]]:
    """The updates Zalo holds for the bot (what it would POST to the webhook), taken off its queue."""
    taken = []
    async with ZaloClient(server.token, server.base_url) as client:
        while (update := await client.get_updates(timeout=0)) is not None:
            taken.append(update)
    return taken


async def test_zalo_messages_through_the_webhook_reach_the_real_channel_once(engine: Engine, session: Session) -> None:
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(FakeZaloServer())
        app = assemble(engine, Clock(NOW, frozen=True), WorkCalendar(), bot_username="dondoc_test_bot")
        config = ZaloConfig(server.token, server.base_url, None, None)
        served = await serving(stack, serve_app(app, None, [config], run_reminders=False))
        secret = derived_secret(server.token, "zalo")
        lan = server.user("Trần Thị Lan")

        await lan.send_text(invite_code(engine, "XP", now=NOW))
        [update] = await zalo_updates(server)
        answers = [await served.zalo({"ok": True, "result": update}, secret), await served.zalo(update, secret)]
        assert [a.status_code for a in answers] == [200, 200]
        [greeting] = lan.read_all()
        assert "Kính chào đồng chí" in greeting.text

        await lan.send_text("I.2 60")
        [update] = await zalo_updates(server)
        assert (await served.zalo(update, secret)).status_code == 200
        assert (await served.zalo(update, secret)).status_code == 200
        [answer] = lan.read_all()
        assert "60%" in answer.text

    server.assert_no_violations()
    reports = session.exec(select(Report)).all()
    assert [(r.status, r.percent) for r in reports] == [(Status.IN_PROGRESS, 60)]
    account = session.exec(select(ChannelAccount)).one()
    assert (account.channel, account.chat_id) == ("zalo", lan.chat_id)


@pytest.mark.parametrize("configured", [None, "a-secret-set-by-the-operator"])
async def test_dondoc_serve_sets_the_zalo_webhook_with_its_secret(
    sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch, configured: str | None
) -> None:
    monkeypatch.setattr("dondoc.cli.serve.run_server", start_and_stop)
    async with FakeZaloServer() as server:
        env = {
            "TELEGRAM_BOT_TOKEN": "",
            "ZALO_BOT_TOKEN": server.token,
            "ZALO_API_BASE_URL": server.base_url,
            "ZALO_WEBHOOK_SECRET": configured or "",
        }
        result = await asyncio.to_thread(sample_store, "serve", "--public-url", PUBLIC_URL, env=env)

    assert result.code == 0, result.stderr
    assert server.calls("setWebhook") == [
        {"url": f"{PUBLIC_URL}/zalo", "secret_token": configured or derived_secret(server.token, "zalo")}
    ]
    server.assert_no_violations()


async def test_dondoc_serve_sets_a_webhook_for_each_bot_the_registry_names(
    sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    registry["channels"] = {
        "zalo": {"bots": [{"name": "ln1", "display_name": "Bot 1", "token_env": "ZALO_TOKEN_LN1", "units": ["all"]}]}
    }
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)
    monkeypatch.setattr("dondoc.cli.serve.run_server", start_and_stop)
    async with FakeZaloServer() as server:
        env = {"TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "", "ZALO_API_BASE_URL": server.base_url}
        missing = await asyncio.to_thread(sample_store, "--lang", "en", "serve", env=env | {"ZALO_TOKEN_LN1": ""})
        assert missing.code == 2 and "ZALO_TOKEN_LN1 (zalo:ln1)" in missing.stderr
        env["ZALO_TOKEN_LN1"] = server.token
        result = await asyncio.to_thread(sample_store, "serve", "--public-url", PUBLIC_URL, env=env)
    assert result.code == 0, result.stderr
    assert server.calls("setWebhook") == [
        {"url": f"{PUBLIC_URL}/zalo/ln1", "secret_token": derived_secret(server.token, "zalo")}
    ]
    server.assert_no_violations()


async def test_dondoc_serve_says_when_zalo_refuses_the_token(sample_store: Dondoc) -> None:
    async with FakeZaloServer() as server:
        env = {"TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "1:not-this-bot", "ZALO_API_BASE_URL": server.base_url}
        result = await asyncio.to_thread(sample_store, "serve", env=env)
    assert result.code == 2
    assert "ZALO_BOT_TOKEN" in result.stderr and "not-this-bot" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("wrapped", [False, True])
async def test_served_over_http_a_zalo_bot_posting_to_its_webhook_is_answered(
    engine: Engine, session: Session, wrapped: bool
) -> None:
    """The whole path as deployed: uvicorn on a socket, the webhook set on start, Zalo posting to it."""
    async with FakeZaloServer(webhook_wrapped=wrapped) as server:
        app = assemble(engine, Clock(NOW, frozen=True), WorkCalendar(), bot_username="dondoc_test_bot")
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        address = f"http://127.0.0.1:{listening.getsockname()[1]}"
        config = ZaloConfig(server.token, server.base_url, None, None)
        web = serve_app(app, None, [config], public_url=address, run_reminders=False)
        uvicorn_server = uvicorn.Server(uvicorn.Config(web.asgi, lifespan="on", log_config=None))
        serving_task = asyncio.create_task(uvicorn_server.serve(sockets=[listening]))
        started = asyncio.create_task(web.started.wait())
        await asyncio.wait([started, serving_task], return_when=asyncio.FIRST_COMPLETED)
        assert web.started.is_set(), "the server did not start"
        try:
            assert (server.webhook_url, server.webhook_secret) == (
                f"{address}/zalo",
                derived_secret(server.token, "zalo"),
            )
            lan = server.user("Trần Thị Lan")
            await lan.send_text(invite_code(engine, "XP", now=NOW))  # Zalo posts it and gets the answer
            await web.idle()
            await lan.send_text("I.2 xong 28/01/2022 Quyết định số 15/QĐ-UBND")
            await web.idle()
        finally:
            uvicorn_server.should_exit = True
            await serving_task
            listening.close()
        server.assert_no_violations()

    assert server.webhook_answers == [200, 200]
    greeting, recorded = lan.texts
    assert "Kính chào đồng chí" in greeting and "15/QĐ-UBND" in recorded
    [report] = session.exec(select(Report)).all()
    assert report.status == Status.DONE
