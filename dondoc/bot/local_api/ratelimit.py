"""Telegram-like flood control: too many sends in a one-second window get HTTP 429."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable

__all__ = ["RateLimiter"]

WINDOW_SECONDS = 1.0


class _Window:
    """Timestamps of the sends accepted during the last second."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.times: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        """Seconds to wait if one more send now would exceed the limit, else ``None``."""
        while self.times and self.times[0] <= now - WINDOW_SECONDS:
            self.times.popleft()
        if len(self.times) < self.limit:
            return None
        return max(1, math.ceil(self.times[0] + WINDOW_SECONDS - now))


class RateLimiter:
    """Limits sends overall (``per_second``) and per chat (``per_chat_per_second``); ``None`` = off."""

    def __init__(
        self,
        per_second: float | None = None,
        per_chat_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self._global = _Window(per_second) if per_second else None
        self._per_chat_limit = per_chat_per_second
        self._chats: dict[Hashable, _Window] = {}

    @property
    def enabled(self) -> bool:
        """Whether any limit is set."""
        return self._global is not None or bool(self._per_chat_limit)

    def acquire(self, chat: Hashable) -> int | None:
        """Count one send to ``chat``; if it is over a limit, count nothing and return retry_after."""
        now = self.clock()
        windows = [window for window in (self._global, self._chat_window(chat)) if window is not None]
        waits = [wait for wait in (window.retry_after(now) for window in windows) if wait is not None]
        if waits:
            return max(waits)
        for window in windows:
            window.times.append(now)
        return None

    def _chat_window(self, chat: Hashable) -> _Window | None:
        if not self._per_chat_limit:
            return None
        return self._chats.setdefault(chat, _Window(self._per_chat_limit))
