"""Failures the local Bot API server injects on purpose, for resilience tests and drills.

:class:`SendFailures` answers a share of the bot's ``sendMessage`` calls with an error, as Telegram
does on a bad day: half ``500 Internal Server Error`` (python-telegram-bot raises ``NetworkError``:
the reminder job tries again 15 s later, then backing off), half ``429 Too Many Requests`` with
``retry_after`` (flood control: the bot waits that long and tries again). Pass it to
:class:`~dondoc.bot.local_api.server.LocalBotApi` as ``faults``::

    LocalBotApi(spec=bundled_spec(), faults=SendFailures(rate=0.2, seed=12))
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dondoc.bot.local_api.world import ApiError


@dataclass
class SendFailures:
    """Fail about ``rate`` of the ``methods`` calls, alternately with a 500 and a 429 asking to retry
    after ``retry_after`` seconds; never more than ``max_in_a_row`` failures in a row to one chat (so
    every message gets through in the end: a chat failed three times in a row with a 500 would wait
    15 + 30 + 60 s of backoff). Seeded: the same calls fail on every run of one sequence."""

    rate: float = 0.2
    seed: int = 12
    retry_after: int = 1
    max_in_a_row: int = 2
    methods: frozenset[str] = frozenset({"sendMessage"})
    kinds: tuple[int, ...] = (500, 429)  # the statuses injected, in turn (Zalo: 500 only, its 429 is the quota)
    injected: Counter[int] = field(default_factory=Counter)  # status → how many were injected
    _in_a_row: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.rate < 1:
            raise ValueError(f"rate must be in [0, 1): {self.rate}")
        self._rng = random.Random(self.seed)

    def __call__(self, method: str, params: Mapping[str, Any]) -> ApiError | None:
        """The error to answer this call with, or None to serve it."""
        if method not in self.methods:
            return None
        chat = str(params.get("chat_id"))
        if self._in_a_row[chat] >= self.max_in_a_row or self._rng.random() >= self.rate:
            self._in_a_row[chat] = 0
            return None
        self._in_a_row[chat] += 1
        status = self.kinds[sum(self.injected.values()) % len(self.kinds)]
        self.injected[status] += 1
        if status != 429:
            return ApiError(status, "Internal Server Error" if status == 500 else "Bad Gateway")
        return ApiError(429, f"Too Many Requests: retry after {self.retry_after}", {"retry_after": self.retry_after})
