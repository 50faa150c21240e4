"""Glue for python-telegram-bot: exact update tracking and running an Application against the server."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from dondoc.bot.local_api.world import UpdateQueue

__all__ = ["TrackingUpdateProcessor"]


class TrackingUpdateProcessor(BaseUpdateProcessor):
    """An update processor that tells the server when the bot has finished each update.

    Install it with ``ApplicationBuilder().concurrent_updates(api.update_processor())`` (the builders
    of :class:`~dondoc.bot.local_api.server.LocalBotApi` do so); :meth:`LocalBotApi.wait_idle` is then
    exact instead of relying on a quiet period. With ``max_concurrent_updates=1`` (the default) updates
    are handled one at a time, like PTB's default.
    """

    def __init__(self, queue: UpdateQueue, max_concurrent_updates: int = 1) -> None:
        super().__init__(max_concurrent_updates)
        self._queue = queue
        queue.tracks_processing = True

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Process the update, then report it as finished (even if a handler raised)."""
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                self._queue.finish(update.update_id)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
