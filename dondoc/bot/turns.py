"""Turns: one holder at a time for each key (a chat), first come first served, while other keys'
holders go on. The channels take a chat's turn for each of its updates, so that the answers to a
conversation's questions never overtake each other while other people's updates are handled
meanwhile (:mod:`dondoc.bot.telegram`, :mod:`dondoc.bot.web`, :mod:`dondoc.bot.zalo.polling`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# Updates a channel handles at once (PTB's own default is one; Zalo's polling took one at a time):
# each holds a worker thread while the dispatcher runs, and asyncio's default pool has
# min(32, processors + 4) of them.
CONCURRENT_UPDATES = 8


class Turns:
    """A lock per key, made when first wanted and forgotten when nobody holds or awaits it
    (asyncio's locks are fair: the holders come in the order they asked)."""

    def __init__(self) -> None:
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # key → its lock, and how many want it

    def __len__(self) -> int:
        return len(self._turns)

    @asynccontextmanager
    async def __call__(self, key: str | None) -> AsyncIterator[None]:
        """``key``'s turn; None (an update that names no chat) waits for nobody's."""
        if key is None:
            yield
            return
        lock, waiting = self._turns.get(key, (asyncio.Lock(), 0))
        self._turns[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._turns[key]
            if waiting == 1:
                del self._turns[key]
            else:
                self._turns[key] = (lock, waiting - 1)
