"""A chat platform's Bot API as a process of its own, failing a share of the sends on purpose, for
the restart drill (``tests/bot/test_restart_drill.py``)::

    python -m tests.bot_api_process telegram|zalo LOG RATE SEED CHAT_ID…

``telegram``: the local Bot API (every request checked against the Bot API spec), its simulated users
``CHAT_ID…`` having started the bot; about ``RATE`` of the ``sendMessage`` calls are answered with a
500 or a 429 with ``retry_after`` (:class:`~dondoc.bot.local_api.faults.SendFailures`, seeded with
``SEED``). ``zalo``: the Zalo-shaped fake server, the chats ``CHAT_ID…`` having written to the bot;
the failures are 500s only (Zalo's 429 means the month's quota is spent, not "slow down").

It serves on a free port of 127.0.0.1 (printed first: ``port N``) and appends every request to
``LOG``, one JSON object a line: ``t`` (Unix time), ``method``, ``chat``, ``status``, ``text`` (its
first line). Each line is one ``write`` on a file opened for appending, so the test reads a whole
record of what the bot asked and what it was answered, while it runs. Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from dondoc.bot.local_api import LocalBotApi, bundled_spec
from dondoc.bot.local_api.faults import SendFailures
from dondoc.bot.zalo.fake import FakeZaloServer


class RequestLog:
    """Appends one JSON line per request to a file, in one ``write`` each."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, method: str, params: Mapping[str, Any], status: int) -> None:
        text = str(params.get("text") or "").split("\n", 1)[0][:80]
        record = {"t": time.time(), "method": method, "chat": str(params.get("chat_id", "")), "status": status}
        os.write(self.fd, (json.dumps({**record, "text": text}, ensure_ascii=False) + "\n").encode())


class RecordingBotApi(LocalBotApi):
    """The local Bot API, writing each request it answered to the log as it goes."""

    def __init__(self, log: RequestLog, faults: SendFailures) -> None:
        super().__init__(spec=bundled_spec(), strict=False, faults=faults)
        self.log = log

    def _log(self, method: str, params: Mapping[str, Any], files: Mapping[str, Any], status: int) -> None:
        super()._log(method, params, files, status)
        self.log.write(method, params, status)


class RecordingZalo(FakeZaloServer):
    """The fake Zalo server, writing each request it answered to the log as it goes."""

    def __init__(self, log: RequestLog, faults: Callable[[str, Mapping[str, Any]], tuple[int, str] | None]) -> None:
        super().__init__(faults=faults)
        self.log = log

    async def handle(
        self, token: str, method: str, body: bytes, http_method: str, gone: Callable[[], bool]
    ) -> tuple[int, dict[str, Any]]:
        status, answer = await super().handle(token, method, body, http_method, gone)
        if method != "getUpdates":
            try:
                params = json.loads(body) if body else {}
            except ValueError:
                params = {}
            self.log.write(method, params if isinstance(params, dict) else {}, status)
        return status, answer


async def serve(platform: str, log_path: str, rate: float, seed: int, chats: list[str]) -> None:
    log = RequestLog(log_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if platform == "telegram":
        faults = SendFailures(rate=rate, seed=seed)
        async with RecordingBotApi(log, faults) as api:
            for chat in chats:
                api.user(user_id=int(chat), first_name=f"Đầu mối {chat}")
            print(f"port {api.port}", flush=True)
            await stop.wait()
    else:
        faults = SendFailures(rate=rate, seed=seed, kinds=(500,))

        def zalo_faults(method: str, params: Mapping[str, Any]) -> tuple[int, str] | None:
            error = faults(method, params)
            return None if error is None else (error.code, error.description)

        async with RecordingZalo(log, zalo_faults) as zalo:
            for chat in chats:
                zalo.wrote_before(chat)
            print(f"port {zalo.port} token {zalo.token}", flush=True)
            await stop.wait()
    print(f"injected {dict(faults.injected)}", flush=True)


def main(argv: list[str]) -> int:
    platform, log_path, rate, seed, *chats = argv
    if platform not in ("telegram", "zalo"):
        print(f"unknown platform {platform!r}: telegram or zalo", file=sys.stderr)
        return 2
    asyncio.run(serve(platform, log_path, float(rate), int(seed), chats))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
