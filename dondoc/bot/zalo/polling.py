"""Polling the Zalo Bot API, for development (production uses the webhook: a message sent while
nothing polls is lost, because getUpdates has no offset).

:class:`ZaloPolling` deletes the webhook first (a bot with a webhook set gets nothing by polling),
then asks getUpdates for one update at a time and hands each to the channel before asking for the
next. An empty poll (Zalo's 408) polls again at once; an error waits, doubling the wait each time up
to a cap, and starts again from the smallest wait after a success. ``sleep`` can be replaced by a
test; :meth:`ZaloPolling.stop` ends the loop between two updates (a poll or a wait in progress is
cancelled, an update being handled is finished first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from dondoc.bot.zalo.client import POLL_TIMEOUT, ZaloClient
from dondoc.handlers.events import QuotaSpent, Rejected, RetryLater, TemporaryFailure, Unreachable

log = logging.getLogger(__name__)
Handle = Callable[[Mapping[str, Any]], Awaitable[None]]
Sleep = Callable[[float], Awaitable[object]]
T = TypeVar("T")
FIRST_WAIT = 1.0
MAX_WAIT = 60.0
_FAILURES = (TemporaryFailure, Rejected, Unreachable, RetryLater, QuotaSpent)


class ZaloPolling:
    def __init__(
        self,
        client: ZaloClient,
        handle: Handle,
        *,
        poll_timeout: int = POLL_TIMEOUT,
        sleep: Sleep = asyncio.sleep,
        first_wait: float = FIRST_WAIT,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.client = client
        self.handle = handle
        self.poll_timeout = poll_timeout
        self.sleep = sleep
        self.first_wait, self.max_wait = first_wait, max_wait
        self.wait = first_wait
        self.errors = 0  # failed requests so far (for tests and logs)
        self._stopping = False
        self._pending: asyncio.Task[Any] | None = None

    def stop(self) -> None:
        """End :meth:`run` (after the update being handled, if any)."""
        self._stopping = True
        if self._pending is not None:
            self._pending.cancel()

    async def _stoppable(self, awaitable: Awaitable[T]) -> T | None:
        """``awaitable``'s result, or None when :meth:`stop` cancelled it."""
        task: asyncio.Task[T] = asyncio.ensure_future(awaitable)
        self._pending = task
        try:
            return await task
        except asyncio.CancelledError:
            if self._stopping and task.cancelled():
                return None
            raise
        finally:
            self._pending = None

    async def _back_off(self, what: str, error: Exception) -> None:
        self.errors += 1
        log.warning("Zalo %s failed (%s); trying again in %.0f s", what, error, self.wait)
        await self._stoppable(self.sleep(self.wait))
        self.wait = min(self.wait * 2, self.max_wait)

    async def run(self) -> None:
        """Delete the webhook, then poll until :meth:`stop`."""
        while not self._stopping:
            try:
                await self._stoppable(self.client.delete_webhook())
                break
            except _FAILURES as error:
                await self._back_off("deleteWebhook", error)
        self.wait = self.first_wait
        while not self._stopping:
            try:
                update = await self._stoppable(self.client.get_updates(self.poll_timeout))
            except _FAILURES as error:
                await self._back_off("getUpdates", error)
                continue
            self.wait = self.first_wait
            if update is not None and not self._stopping:
                await self.handle(update)
