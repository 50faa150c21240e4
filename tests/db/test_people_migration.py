"""Migration 0007_people: a store made before it keeps its people and chat accounts, but no longer
their usernames (only name, unit, role, chat id and language are kept)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from dondoc.db.session import open_store
from tests.db.old_store import at_revision


@pytest.mark.unmigrated
def test_upgrading_drops_usernames_and_keeps_everyone(sqlite_url: str) -> None:
    with at_revision(sqlite_url, "0006_appx_warn") as connection:
        connection.execute(text("INSERT INTO organization (id, name, settings) VALUES (1, 'UBND huyện', '{}')"))
        connection.execute(
            text(
                "INSERT INTO person (id, organization_id, full_name, language, unreachable, created_at) "
                "VALUES (1, 1, 'Nguyễn Văn An', 'vi', 0, '2022-03-15 02:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO channelaccount (id, person_id, channel, external_id, chat_id, username, language_code) "
                "VALUES (1, 1, 'telegram', '4711', '4711', 'an_private', 'vi')"
            )
        )
    engine = open_store(sqlite_url)
    assert "username" not in {c["name"] for c in inspect(engine).get_columns("channelaccount")}
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT person_id, channel, external_id, chat_id FROM channelaccount")).all()
        names = connection.execute(text("SELECT full_name FROM person")).scalars().all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "telegram", "4711", "4711")] and names == ["Nguyễn Văn An"]
