"""The database unreachable for a while: every message is answered "the system is busy", nothing is
half-written, a confirmation that could not be saved is never told as saved, and everything works
again by itself when the database is back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Report
from dondoc.handlers.dispatcher import Busy
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.outage import Outage

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
BUSY_VI = "Hệ thống đang bận, đồng chí thử lại sau ít phút"


@pytest.fixture
def outage(engine: Engine) -> Iterator[Outage]:
    outage = Outage(engine)
    yield outage
    outage.close()


def _reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report)).all())


def _at_the_confirmation(engine: Engine) -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), "100", name="Lan")
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    chat.send("60")
    chat.send("Đã xây dựng dự thảo")
    chat.press("Bỏ qua")
    assert chat.buttons()[:1] == ["Xác nhận"]
    return chat


def test_a_confirmation_while_the_database_is_down_is_told_as_not_saved_and_goes_through_after(
    engine: Engine, outage: Outage
) -> None:
    chat = _at_the_confirmation(engine)
    with outage.window():
        replies = chat.press("Xác nhận")
        typed = chat.send("/tasks")
    assert outage.refused
    for answer in (replies, typed):
        assert len(answer) == 1 and isinstance(answer[0], Busy)
        assert BUSY_VI in answer[0].text and "chưa được lưu" in answer[0].text
        assert "Đã ghi nhận" not in answer[0].text
    assert replies[0].toast and BUSY_VI in replies[0].toast
    assert _reports(engine) == []

    chat.press("Xác nhận")  # the database is back: the same button, pressed again
    assert "Đã ghi nhận" in chat.last
    assert len(_reports(engine)) == 1


def test_a_confirmation_whose_commit_fails_is_never_told_as_saved(engine: Engine, outage: Outage) -> None:
    chat = _at_the_confirmation(engine)
    real = outage._do_commit

    def commit_fails(connection: object) -> None:  # every statement runs; the commit is lost
        outage.down = True
        try:
            real(connection)
        finally:
            outage.down = False

    engine.dialect.do_commit = commit_fails  # type: ignore[method-assign,assignment]
    try:
        replies = chat.press("Xác nhận")
    finally:
        engine.dialect.do_commit = real  # type: ignore[method-assign]
    assert [type(r) for r in replies] == [Busy]
    assert "Đã ghi nhận" not in replies[0].text and "chưa được lưu" in replies[0].text
    assert _reports(engine) == []
    chat.press("Xác nhận")
    assert "Đã ghi nhận" in chat.last and len(_reports(engine)) == 1


def test_the_busy_answer_speaks_the_persons_language(engine: Engine, outage: Outage) -> None:
    chat = Chat(make_dispatcher(engine, NOW), "200", name="Anna", language_code="en")
    with outage.window():
        replies = chat.send("/start")
    assert replies[0].text == (
        "The system is busy, please try again in a few minutes. What you just sent was not saved."
    )


def test_a_message_after_the_server_dropped_every_connection_is_answered_as_usual(
    engine: Engine, outage: Outage
) -> None:
    """A restarted server (on PostgreSQL every pooled connection is cut) between two messages: the
    next one is answered as usual, on a new connection, although the event's connection is not
    pinged before use; the person never hears that the system is busy."""
    chat = Chat(make_dispatcher(engine, NOW), "100", name="Lan")
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    with outage.window():
        pass  # the connections are cut; the server answers again at once
    replies = chat.send("60")
    assert not any(isinstance(reply, Busy) for reply in replies)
    assert "Bỏ qua" in chat.buttons()  # the next question: the note, which may be skipped
    chat.send("Đã xây dựng dự thảo")
    chat.press("Bỏ qua")
    chat.press("Xác nhận")
    assert "Đã ghi nhận" in chat.last
    assert [report.percent for report in _reports(engine)] == [60]
