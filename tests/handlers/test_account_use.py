"""Every message records the chat a person wrote from and when (reminders and alerts go to the chat
they used last; ``/people`` shows it). On PostgreSQL that write is part of the event's first statement,
the one that reads who wrote, instead of an UPDATE of its own at every message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import ChannelAccount
from dondoc.handlers.events import Inbound
from dondoc.scheduler.clock import TZ
from dondoc.tz import stored_in_vietnam
from tests.handlers.test_people import NOW, _team


def test_each_message_records_when_the_chat_was_used_without_a_write_of_its_own(engine: Engine) -> None:
    dispatcher, admin, focal, _other = _team(engine)
    dispatcher.clock.set(NOW + timedelta(hours=1, minutes=30))
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()).upper())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        focal.send("/tasks")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with Session(engine) as session:
        account = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "301")).one()
        assert account.last_used_at is not None
        assert stored_in_vietnam(account.last_used_at) == NOW.astimezone(TZ) + timedelta(hours=1, minutes=30)
    admin.send("/people")
    lines = admin.last.splitlines()
    focal_at = next(i for i, line in enumerate(lines) if "Nguyễn Văn An" in line)
    assert "15/03/2022 10:30" in lines[focal_at + 1]  # the chat's line under the person
    if engine.dialect.name == "postgresql":
        assert not [s for s in statements if s.startswith("UPDATE CHANNELACCOUNT")], statements
        assert "TOUCHED AS (UPDATE CHANNELACCOUNT" in statements[0]


def test_a_message_edited_or_sent_in_a_group_moves_no_delivery_chat(engine: Engine) -> None:
    dispatcher, _admin, focal, _other = _team(engine)
    dispatcher.clock.set(NOW + timedelta(hours=2))
    focal._send(text="/tasks", edited=True)
    dispatcher.handle(Inbound(channel="telegram", chat_id="-100500", user_id="301", text="/tasks", private=False))
    with Session(engine) as session:
        account = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "301")).one()
        assert account.chat_id == "301"
        assert account.last_used_at is not None and stored_in_vietnam(account.last_used_at) == NOW.astimezone(TZ)
