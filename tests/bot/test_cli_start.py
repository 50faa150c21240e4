"""What ``dondoc run``, ``dondoc serve`` and ``dondoc invite`` tell a new administrator before anything
runs: a bot token the Bot API refuses told apart from an address that is not the Bot API, the exit
code 2 of every configuration problem, a language dondoc does not speak refused, and no t.me link to a
bot that may not be ours (the username unknown). No internet: the Bot API is the local one, the web
server a local one, Zalo the fake Zalo server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import NoReturn

import pytest

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.web import WebApp, derived_secret
from dondoc.bot.zalo.fake import FakeZaloServer
from tests.bot.test_cli_errors import serving_html
from tests.bot.test_serve import serving, zalo_updates
from tests.conftest import Dondoc, Result

WRONG_TOKEN = "123456789:AAHwrong-token-never-printed"
NO_BOT = {"TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BOT_USERNAME": "", "ZALO_BOT_TOKEN": "", "ZALO_BOT_NAME": ""}


def one_line(result: Result, code: int) -> str:
    """The single line on standard error of a command that ended with ``code``."""
    assert result.code == code, (result.code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def never_served(web: WebApp, host: str, port: int) -> NoReturn:
    raise AssertionError("dondoc serve started although its Bot API check failed")


@pytest.fixture
def html_404() -> Iterator[str]:
    """A web server that is not the Bot API: every address is an HTML page "404 Not Found", as nginx
    answers for a path it does not serve."""

    page = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
    with serving_html(404, page) as url:
        yield url


# ---------------------------------------------------------------- a refused token, an address that is not the Bot API


@pytest.mark.parametrize("command", ["run", "serve"])
async def test_a_refused_token_is_told_apart_from_a_server_that_is_not_the_bot_api(
    sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch, html_404: str, command: str
) -> None:
    monkeypatch.setattr("dondoc.cli.serve.run_server", never_served)
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:  # 401 {"description": "Unauthorized"}
        env = NO_BOT | {"TELEGRAM_BOT_TOKEN": WRONG_TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        refused = await asyncio.to_thread(sample_store, "--lang", "en", command, env=env)
    assert one_line(refused, 2) == (
        f"The Telegram Bot API at {api.base_url} refused the bot token (Unauthorized). Check TELEGRAM_BOT_TOKEN."
    )
    assert WRONG_TOKEN not in refused.stdout + refused.stderr

    env = NO_BOT | {"TELEGRAM_BOT_TOKEN": WRONG_TOKEN, "TELEGRAM_API_BASE_URL": html_404}
    elsewhere = await asyncio.to_thread(sample_store, "--lang", "en", command, env=env)
    assert one_line(elsewhere, 2) == (
        f"Cannot reach the Telegram Bot API at {html_404}: the answer is not the Telegram Bot API's. "
        "Check TELEGRAM_API_BASE_URL and the network."
    )
    assert WRONG_TOKEN not in elsewhere.stdout + elsewhere.stderr and "Not Found" not in elsewhere.stderr


# ---------------------------------------------------------------- configuration problems: exit 2


def test_no_bot_token_at_all_is_a_configuration_error_for_run_as_for_serve(sample_store: Dondoc) -> None:
    for command in ("run", "serve"):
        line = one_line(sample_store("--lang", "en", command, env=NO_BOT), 2)
        assert "TELEGRAM_BOT_TOKEN" in line and "ZALO_BOT_TOKEN" in line, command


@pytest.mark.parametrize("args", [("--lang", "xx", "status"), ("status", "--lang", "xx"), ("--lang", "fr", "run")])
def test_a_language_dondoc_does_not_speak_is_refused(sample_store: Dondoc, args: tuple[str, ...]) -> None:
    value = args[args.index("--lang") + 1]
    english = sample_store(*args, env=NO_BOT | {"DONDOC_LANG": "en"})
    assert one_line(english, 2) == f"--lang: {value} is not a supported language (use one of: vi, en)"
    assert english.stdout == ""
    vietnamese = sample_store(*args, env=NO_BOT | {"DONDOC_LANG": ""})
    assert one_line(vietnamese, 2) == f"--lang: {value} không phải là ngôn ngữ được hỗ trợ (dùng một trong: vi, en)"


def test_a_language_setting_dondoc_does_not_speak_is_refused(sample_store: Dondoc) -> None:
    result = sample_store("status", env={"DONDOC_LANG": "klingon"})
    assert one_line(result, 2) == "DONDOC_LANG: klingon không phải là ngôn ngữ được hỗ trợ (dùng một trong: vi, en)"
    accepted = sample_store.ok("--lang", "EN", "status", "--at", "2022-04-01", env={"DONDOC_LANG": "en-US"})
    assert "Status at 1 Apr 2022" in accepted.stdout


# ---------------------------------------------------------------- invites: no link to a bot that may not be ours


def test_an_invite_without_the_bot_username_says_how_to_use_the_code_on_telegram(sample_store: Dondoc) -> None:
    env = NO_BOT | {"TELEGRAM_BOT_TOKEN": "123:not-asked"}  # the command asks no Bot API
    result = sample_store.ok("--lang", "en", "invite", "XP", "--role", "focal", env=env)
    code, *rest = result.stdout.splitlines()
    assert rest == [f"Open Telegram and send /start {code} to the bot"]
    assert "t.me" not in result.stdout and "dondoc_bot" not in result.stdout
    assert "Set TELEGRAM_BOT_USERNAME (the bot's username, without @) to print a t.me link too." in result.stderr
    made = sample_store.ok("invite", "XP", "--json", env=env).json()
    assert made["link"] is None


def test_an_invite_on_zalo_alone_names_no_telegram_bot(sample_store: Dondoc) -> None:
    env = NO_BOT | {"ZALO_BOT_TOKEN": "12345:abc", "ZALO_BOT_NAME": "Bot CCHC Long Mỹ"}
    result = sample_store.ok("invite", "XP", env=env)
    code, *rest = result.stdout.splitlines()
    assert rest == [f"Mở Zalo, tìm Bot CCHC Long Mỹ, gửi mã {code}"]
    assert "t.me" not in result.stdout + result.stderr and "TELEGRAM" not in result.stderr


def test_an_invite_with_no_bot_configured_names_neither_app_alone(sample_store: Dondoc) -> None:
    # A Zalo-first deployment whose command line runs without the bots' tokens: not "Mở Telegram".
    result = sample_store.ok("invite", "XP", env=NO_BOT)
    code, *rest = result.stdout.splitlines()
    assert rest == [f"Gửi mã {code} cho bot, trên Zalo hoặc Telegram"]
    assert "ZALO_BOT_TOKEN" in result.stderr and "TELEGRAM_BOT_USERNAME" not in result.stderr


def test_an_invite_with_the_bot_username_has_its_link(sample_store: Dondoc) -> None:
    env = NO_BOT | {"TELEGRAM_BOT_TOKEN": "123:not-asked", "TELEGRAM_BOT_USERNAME": "@cchc_longmy_bot"}
    result = sample_store.ok("invite", "XP", env=env)
    code, link = result.stdout.splitlines()
    assert link == f"https://t.me/cchc_longmy_bot?start={code}"
    assert "TELEGRAM_BOT_USERNAME" not in result.stderr


async def test_dondoc_serve_on_zalo_alone_puts_no_telegram_link_in_chat_invites(
    sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An administrator on Zalo asks ``/invite``: the code and the Zalo bot, no t.me link made up."""
    code = sample_store.ok("invite", "NV", "--role", "admin", "--json", env=NO_BOT).json()["code"]
    async with FakeZaloServer(bot_name="Bot CCHC Long Mỹ") as server:
        admin = server.user("Nguyễn Văn An")
        await admin.send_text(code)
        await admin.send_text("/invite XP focal")

        def chat(web: WebApp, host: str, port: int) -> None:  # instead of listening: the two messages posted
            async def post_updates() -> None:
                async with AsyncExitStack() as stack:
                    served = await serving(stack, web)
                    for update in await zalo_updates(server):
                        await served.zalo(update, derived_secret(server.token, "zalo"))

            asyncio.run(post_updates())

        monkeypatch.setattr("dondoc.cli.serve.run_server", chat)
        env = NO_BOT | {"ZALO_BOT_TOKEN": server.token, "ZALO_API_BASE_URL": server.base_url}
        env["ZALO_BOT_NAME"] = "Bot CCHC Long Mỹ"
        result = await asyncio.to_thread(sample_store, "serve", env=env)
    assert result.code == 0, result.stderr
    [invite] = [text for text in admin.texts if "Xà Phiên" in text]  # after the welcome (and any reminder)
    assert "Mở Zalo, tìm Bot CCHC Long Mỹ, gửi mã" in invite
    assert not [text for text in admin.texts if "t.me" in text or "dondoc_bot" in text]
    server.assert_no_violations()
