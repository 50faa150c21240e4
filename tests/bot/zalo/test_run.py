"""``dondoc run`` and ``dondoc invite`` with a Zalo bot configured: a getMe check first (one line when the
token or the address is wrong), the invite saying where to send the code, and the acceptance scenario
of issue 10 against the Zalo-shaped fake server, ``dondoc run`` in a subprocess."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, create_engine, select

from dondoc.bot.zalo.fake import HANG_GUARD, FakeZaloServer, ZaloUser
from dondoc.db.models import ChannelAccount
from tests.conftest import SAMPLE, Dondoc


def zalo_env(server: FakeZaloServer, token: str | None = None) -> dict[str, str]:
    return {"ZALO_BOT_TOKEN": token or server.token, "ZALO_API_BASE_URL": server.base_url}


async def test_an_invite_says_which_zalo_bot_to_send_the_code_to(sample_store: Dondoc) -> None:
    async with FakeZaloServer(bot_name="Bot CCHC Long Mỹ") as server:
        made = await asyncio.to_thread(
            sample_store.ok, "invite", "NV", "--role", "focal", "--json", env=zalo_env(server)
        )
        text = await asyncio.to_thread(sample_store.ok, "invite", "XP", env=zalo_env(server))
    invite = made.json()
    assert (invite["zalo"]["bot"], invite["zalo"]["name"]) == ("zalo", "Bot CCHC Long Mỹ")  # named by getMe
    assert invite["zalo"]["instructions"] == f"Mở Zalo, tìm Bot CCHC Long Mỹ, gửi mã {invite['code']}"
    assert "Mở Zalo, tìm Bot CCHC Long Mỹ, gửi mã" in text.stdout
    plain = await asyncio.to_thread(sample_store.ok, "invite", "XP", "--json")
    assert plain.json()["zalo"] is None  # no Zalo bot configured, no Zalo line


async def test_run_with_a_wrong_zalo_token_or_address_is_one_line(sample_store: Dondoc) -> None:
    async with FakeZaloServer() as server:
        wrong = "1:not-the-token-of-this-bot"
        refused = await asyncio.to_thread(sample_store, "--lang", "en", "run", env=zalo_env(server, wrong))
    assert refused.code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "refused the bot token" in refused.stderr and "ZALO_BOT_TOKEN" in refused.stderr
    assert wrong not in refused.stderr + refused.stdout
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}/bot"
        env = {"ZALO_BOT_TOKEN": "9:secret-token", "ZALO_API_BASE_URL": base}
        unreachable = await asyncio.to_thread(sample_store, "--lang", "en", "run", env=env)
    assert unreachable.code == 2 and "Cannot reach the Zalo Bot API" in unreachable.stderr
    assert base in unreachable.stderr and "secret-token" not in unreachable.stderr


# ---------------------------------------------------------------- the acceptance scenario


def _clean_env() -> dict[str, str]:
    """This process's environment without any channel's or dondoc's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DONDOC_"))}


@dataclass
class _Run:
    pid: int
    output: str = ""  # what the process printed, once it stopped


@asynccontextmanager
async def _dondoc_run(env: dict[str, str]) -> AsyncIterator[_Run]:
    """``dondoc run`` in a process of its own, stopped (SIGTERM) on leaving: it must exit with 0."""
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dondoc", "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    run = _Run(bot.pid)
    try:
        yield run
    finally:
        bot.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(bot.communicate(), HANG_GUARD)
        run.output = output.decode()
    assert bot.returncode == 0, run.output


async def _say(server: FakeZaloServer, user: ZaloUser, text: str) -> list[str]:
    """``user`` types ``text``; the bot's answer (each step here answers with one message). ``dondoc
    run`` polls again while it handles an update (several at once): its polling again does not say
    it has answered, the answer does. A message more would come among the next step's, or in the
    counts at the end."""
    before = len(user.messages)
    await user.send_text(text)
    assert await server.signal.wait_for(lambda: len(user.messages) > before, HANG_GUARD), f"no answer to {text!r}"
    await server.settled(HANG_GUARD)
    return [m.text for m in user.messages[before:]]


def _number(text: str, label: str) -> str:
    found = re.search(rf"^(\d+)\. {re.escape(label)}", text, re.MULTILINE)
    assert found is not None, f"no choice {label!r} in:\n{text}"
    return found.group(1)


@pytest.mark.slow
async def test_acceptance_a_focal_point_on_zalo_binds_reports_by_numbers_and_in_one_line(
    sample_store: Dondoc,
) -> None:
    async with FakeZaloServer(bot_name="Bot CCHC Long Mỹ 1") as server:
        env = _clean_env()
        # Only the Zalo bot is configured; the clock starts in the sample plan's year, after office hours
        # (so no reminder is due while the scenario runs), and the store is the test's.
        env |= zalo_env(server) | {"DONDOC_NOW": "2022-03-15T20:00", "DONDOC_DATABASE_URL": sample_store.url}
        invited = await asyncio.to_thread(sample_store.ok, "invite", "NV", "--role", "focal", "--json", env=env)
        code = invited.json()["code"]
        async with _dondoc_run(env) as run:
            lan = server.user("Nguyễn Thị Lan")
            [greeting] = await _say(server, lan, code)  # the bare code, as the first message
            assert "Phòng Nội vụ" in greeting

            [tasks] = await _say(server, lan, "/report")
            numbers = re.findall(r"^(\d+)\. (I\.\d+) ·", tasks, re.MULTILINE)
            number, task = next((n, t) for n, t in numbers if t != "I.1")
            [status] = await _say(server, lan, number)
            [percent] = await _say(server, lan, _number(status, "Đang thực hiện"))
            assert "từ 0 đến 100" in percent and "1. 25%" not in percent  # a typed number is the percentage
            [note] = await _say(server, lan, "60")
            [evidence] = await _say(server, lan, _number(note, "Bỏ qua"))
            [card] = await _say(server, lan, _number(evidence, "Bỏ qua"))
            assert "60%" in card
            [recorded] = await _say(server, lan, _number(card, "Xác nhận"))
            assert "Đã ghi nhận" in recorded

            one_line = await _say(server, lan, "I.1 xong 28/01/2022 Quyết định số 15/QĐ-UBND")
            assert len(one_line) == 1 and "I.1" in one_line[0]
        server.assert_no_violations()
        assert all(len(m.text) <= 2000 for m in server.sent)
        assert server.token not in run.output
        sent_by_the_bot = len(server.sent)
        assert len(lan.messages) == sent_by_the_bot == 9  # one answer to each, nothing more once stopped

    # Every message counted against the bot's month: the 9 Lan sent (the code, /report, 6 answers, the
    # one-line report) and every one the bot sent her.
    usage = sample_store.ok("usage", "--month", "2022-03", "--json", env=env).json()
    [zalo] = [row for row in usage["channels"] if row["channel"] == "zalo"]
    assert (zalo["in"], zalo["out"], zalo["budget"]) == (9, sent_by_the_bot, 3000)

    exported = sample_store.ok("plan", "export", "--format", "json").json()

    def nv(code: str) -> dict[str, object]:
        found = next(t for t in exported["tasks"] if t["code"] == code)
        return next(a for a in found["assignments"] if a["unit"] == "NV")

    assert (nv(task)["status"], nv(task)["percent"]) == ("in_progress", 60)
    assert (nv("I.1")["status"], nv("I.1")["percent"]) == ("done", 100)


@pytest.mark.slow
async def test_run_with_both_tokens_polls_zalo_and_telegram_in_one_process(sample_store: Dondoc) -> None:
    from dondoc.bot.local_api.server import LocalBotApi
    from dondoc.bot.local_api.spec import bundled_spec

    async with FakeZaloServer() as zalo, LocalBotApi(spec=bundled_spec(), strict=True) as telegram:
        env = _clean_env()
        env |= zalo_env(zalo) | {"DONDOC_NOW": "2022-03-15T20:00", "DONDOC_DATABASE_URL": sample_store.url}
        env |= {
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "TELEGRAM_API_FILE_URL": telegram.base_file_url,
        }
        on_zalo = (await asyncio.to_thread(sample_store.ok, "invite", "NV", "--json", env=env)).json()["code"]
        on_telegram = (await asyncio.to_thread(sample_store.ok, "invite", "XP", "--json", env=env)).json()["code"]
        async with _dondoc_run(env) as run:
            lan = zalo.user("Nguyễn Thị Lan")
            [greeting] = await _say(zalo, lan, on_zalo)
            assert "Phòng Nội vụ" in greeting
            hung = telegram.user(first_name="Hùng")
            await hung.send(f"/start {on_telegram}")
            welcome = await hung.next_message(HANG_GUARD)
            assert "Xà Phiên" in (welcome.text or "")
        zalo.assert_no_violations()
        assert telegram.token not in run.output and zalo.token not in run.output


def _with_bots(sample_store: Dondoc, tmp_path: Path) -> None:
    """The sample registry with every unit served by the named bot ln1 (its token in ZALO_TOKEN_LN1)."""
    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    registry["channels"] = {
        "zalo": {
            "bots": [{"name": "ln1", "display_name": "Bot CCHC 1", "token_env": "ZALO_TOKEN_LN1", "units": ["all"]}]
        }
    }
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)


def test_run_names_the_variable_of_a_registry_bot_without_its_token(sample_store: Dondoc, tmp_path: Path) -> None:
    _with_bots(sample_store, tmp_path)
    refused = sample_store("--lang", "en", "run", env={"ZALO_TOKEN_LN1": ""})
    assert refused.code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "ZALO_TOKEN_LN1 (zalo:ln1)" in refused.stderr


@pytest.mark.slow
async def test_run_polls_each_bot_the_registry_names_under_its_own_channel_key(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    async with FakeZaloServer(bot_name="Bot CCHC 1") as server:
        env = _clean_env()
        env |= {
            "ZALO_TOKEN_LN1": server.token,
            "ZALO_API_BASE_URL": server.base_url,
            "DONDOC_NOW": "2022-03-15T20:00",
            "DONDOC_DATABASE_URL": sample_store.url,
        }
        invited = (await asyncio.to_thread(sample_store.ok, "invite", "NV", "--json", env=env)).json()
        assert invited["zalo"]["bot"] == "zalo:ln1"
        assert invited["zalo"]["instructions"] == f"Mở Zalo, tìm Bot CCHC 1, gửi mã {invited['code']}"
        async with _dondoc_run(env):
            lan = server.user("Nguyễn Thị Lan")
            [greeting] = await _say(server, lan, invited["code"])
            assert "Phòng Nội vụ" in greeting
            [answer] = await _say(server, lan, "I.1 60")
            assert "I.1" in answer
        server.assert_no_violations()
    with Session(create_engine(sample_store.url)) as session:
        [account] = session.exec(select(ChannelAccount)).all()
    assert (account.channel, account.external_id) == ("zalo:ln1", lan.id)
