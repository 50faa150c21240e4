"""Pytest fixtures for driving the bot through the local Bot API server.

Import them in a ``conftest.py`` of any test package::

    from tests.local_api.fixtures import bot_api  # noqa: F401

``bot_api`` is a started :class:`~dondoc.bot.local_api.LocalBotApi` in strict mode: the test fails if
the bot sent any request that breaks the Bot API spec (or a handler raised, when the application runs
under ``bot_api.running(app)``) and the test did not take those with ``bot_api.take_violations()``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

import pytest

from dondoc.bot.local_api import BotApiSpec, BotApiViolationError, LocalBotApi, bundled_spec


@functools.cache
def load_spec() -> BotApiSpec:
    """The Bot API spec shipped with dondoc (``dondoc/bot/local_api/data/api.json``), loaded once."""
    return bundled_spec()


@pytest.fixture
async def bot_api() -> AsyncIterator[LocalBotApi]:
    """A started local Bot API server; the test fails on any recorded spec violation."""
    api = LocalBotApi(spec=load_spec(), strict=True)
    failure: str | None = None
    try:
        async with api:
            yield api
    except BotApiViolationError as error:
        failure = str(error)
    if failure is not None:
        pytest.fail(failure, pytrace=False)
