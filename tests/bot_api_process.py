"""The local Bot API as a process of its own, failing a share of the sends on purpose, for the
restart drill (``tests/bot/test_restart_drill.py``)::

    python -m tests.bot_api_process LOG RATE SEED USER_ID…

It serves the Bot API on a free port of 127.0.0.1 (printed first: ``port N``), knows the simulated
users ``USER_ID…`` (each has started the bot), answers about ``RATE`` of the ``sendMessage`` calls
with a 500 or a 429 (:class:`~dondoc.bot.local_api.faults.SendFailures`, seeded with ``SEED``), and
appends every request to ``LOG``, one JSON object a line: ``t`` (Unix time), ``method``, ``chat``,
``status``, ``text`` (its first line). Each line is one ``write`` on a file opened for appending, so
the test reads a whole record of what the bot asked and what it was answered, while it runs. Stops
on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Mapping
from typing import Any

from dondoc.bot.local_api import LocalBotApi, bundled_spec
from dondoc.bot.local_api.faults import SendFailures


class RecordingBotApi(LocalBotApi):
    """The local Bot API, writing each request it answered to a log file as it goes."""

    def __init__(self, log_path: str, faults: SendFailures) -> None:
        super().__init__(spec=bundled_spec(), strict=False, faults=faults)
        self.log_fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _log(self, method: str, params: Mapping[str, Any], files: Mapping[str, Any], status: int) -> None:
        super()._log(method, params, files, status)
        text = str(params.get("text") or "").split("\n", 1)[0][:80]
        record = {"t": time.time(), "method": method, "chat": str(params.get("chat_id", "")), "status": status}
        os.write(self.log_fd, (json.dumps({**record, "text": text}, ensure_ascii=False) + "\n").encode())


async def serve(log_path: str, rate: float, seed: int, users: list[int]) -> None:
    api = RecordingBotApi(log_path, SendFailures(rate=rate, seed=seed))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with api:
        for user_id in users:
            api.user(user_id=user_id, first_name=f"Đầu mối {user_id}")
        print(f"port {api.port}", flush=True)
        await stop.wait()
    injected = api.faults.injected if isinstance(api.faults, SendFailures) else {}
    print(f"injected 500={injected.get(500, 0)} 429={injected.get(429, 0)}", flush=True)


def main(argv: list[str]) -> int:
    log_path, rate, seed, *users = argv
    asyncio.run(serve(log_path, float(rate), int(seed), [int(u) for u in users]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
