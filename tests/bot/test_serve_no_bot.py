"""``dondoc serve`` before any bot token: refused in words that say how to try the server anyway, and
``dondoc serve --no-bot`` (as the README's deployment steps run it) answers ``/healthz`` and ``/metrics``."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import httpx
import pytest

from tests.conftest import ROOT, Dondoc

NO_TOKEN = {"TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}
GUARD = 60.0  # seconds: the most the server may take to start or to stop


def test_serve_without_a_token_says_how_to_try_the_server(dondoc: Dondoc) -> None:
    result = dondoc("serve", env=NO_TOKEN)
    assert result.code == 2
    assert "ZALO_BOT_TOKEN" in result.stderr and "dondoc serve --no-bot" in result.stderr, result.stderr
    assert "/healthz" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_bot_takes_no_public_url(dondoc: Dondoc) -> None:
    result = dondoc("serve", "--no-bot", "--public-url", "https://dondoc.example.gov.vn", env=NO_TOKEN)
    assert result.code == 2 and "--public-url" in result.stderr, result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
async def test_serve_no_bot_answers_healthz_and_metrics_without_a_token(sqlite_url: str) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DONDOC_"))}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "dondoc",
        "--db",
        sqlite_url,
        "serve",
        "--no-bot",
        "--port",
        str(port),
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert server.stderr is not None
    log: list[str] = []
    try:

        async def started() -> None:
            assert server.stderr is not None
            while line := (await server.stderr.readline()).decode():
                log.append(line)
                if "Uvicorn running on" in line:
                    return
            raise AssertionError("dondoc serve --no-bot ended before it listened:\n" + "".join(log))

        await asyncio.wait_for(started(), GUARD)
        assert any("serving /healthz and /metrics only" in line for line in log), log  # the log says what it does
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            health = await http.get("/healthz")
            assert health.status_code == 200, health.text
            assert health.json()["database"] == "ok"
            metrics = await http.get("/metrics")
            assert metrics.status_code == 200 and "dondoc_updates_handled_total" in metrics.text
            assert (await http.post("/telegram", json={})).status_code == 404  # no bot, no webhook
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), GUARD)  # stopped by SIGTERM as a service manager stops it
