"""Fixtures of the local Bot API server, shared with other test packages via fixtures.py."""

from tests.local_api.fixtures import bot_api  # noqa: F401
