"""Polling the Zalo Bot API, for development (production uses the webhook: a message sent while
nothing polls is lost, because getUpdates has no offset).

:class:`ZaloPolling` deletes the webhook first (a bot with a webhook set gets nothing by polling),
then asks getUpdates for one update at a time (Zalo gives no more) and hands each to the channel.
With ``concurrency`` above one (``dondoc run``: :data:`~dondoc.bot.turns.CONCURRENT_UPDATES`) it
asks for the next update while the ones before are handled, up to that many at once, each chat's
one after the other in the order they came (:func:`update_chat`, a
:class:`~dondoc.bot.turns.Turns`): one manager's ``/export`` (seconds for a province) no longer
holds every other person's message back, and a poll stays open meanwhile, where one at a time left
nothing polling (Zalo loses what comes then) for as long as each update took. With one (the
default, and the sandbox's: its fake server's ``settled`` counts on it) an update is handled before
the next is asked for.

An empty poll (Zalo's 408) polls again at once; an error waits, doubling the wait each time up to a
cap, and starts again from the smallest wait after a success. ``sleep`` can be replaced by a test;
:meth:`ZaloPolling.stop` ends the loop between two updates (a poll or a wait in progress is
cancelled; :meth:`ZaloPolling.run` returns once the updates being handled are finished).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from dondoc.bot.turns import Turns
from dondoc.bot.zalo.client import POLL_TIMEOUT, ZaloClient
from dondoc.handlers.events import QuotaSpent, Rejected, RetryLater, TemporaryFailure, Unreachable

log = logging.getLogger(__name__)
Handle = Callable[[Mapping[str, Any]], Awaitable[None]]
Sleep = Callable[[float], Awaitable[object]]
T = TypeVar("T")
FIRST_WAIT = 1.0
MAX_WAIT = 60.0
_FAILURES = (TemporaryFailure, Rejected, Unreachable, RetryLater, QuotaSpent)


def update_chat(update: Mapping[str, Any]) -> str | None:
    """The id of the chat a bare Zalo update (``{"event_name": …, "message": {…}}``) came from, or
    None when it names none."""
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, Mapping) else None
    chat_id = chat.get("id") if isinstance(chat, Mapping) else None
    return None if chat_id is None else str(chat_id)


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
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.client = client
        self.handle = handle
        self.poll_timeout = poll_timeout
        self.sleep = sleep
        self.first_wait, self.max_wait = first_wait, max_wait
        self.wait = first_wait
        self.errors = 0  # failed requests so far (for tests and logs)
        self._stopping = False
        self._pending: asyncio.Task[Any] | None = None
        self._slots = asyncio.Semaphore(concurrency)  # an update is asked for only when one is free
        self._turn = Turns()  # each chat's updates one at a time, in order
        self._handling: set[asyncio.Task[None]] = set()

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
        """Delete the webhook, then poll until :meth:`stop`; returns once the updates taken have
        been handled."""
        while not self._stopping:
            try:
                await self._stoppable(self.client.delete_webhook())
                break
            except _FAILURES as error:
                await self._back_off("deleteWebhook", error)
        self.wait = self.first_wait
        try:
            await self._poll()
        finally:
            while self._handling:
                await asyncio.gather(*self._handling, return_exceptions=True)

    async def _poll(self) -> None:
        while not self._stopping:
            await self._slots.acquire()
            started = False
            try:
                if self._stopping:
                    break
                try:
                    update = await self._stoppable(self.client.get_updates(self.poll_timeout))
                except _FAILURES as error:
                    await self._back_off("getUpdates", error)
                    continue
                self.wait = self.first_wait
                if update is not None and not self._stopping:
                    task = asyncio.get_running_loop().create_task(self._handled(update))
                    self._handling.add(task)
                    task.add_done_callback(self._handling.discard)
                    started = True
            finally:
                if not started:
                    self._slots.release()

    async def _handled(self, update: Mapping[str, Any]) -> None:
        """Handle ``update`` in its chat's turn, then free its slot."""
        try:
            async with self._turn(update_chat(update)):
                await self.handle(update)
        except Exception:  # the channel logs its own errors (it never raises); this is the last resort
            log.exception("Zalo: handling an update failed")
        finally:
            self._slots.release()
