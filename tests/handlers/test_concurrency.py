"""Two processes handle the same chat at the same moment (a double tap reaching two bot instances):
nothing crashes, one answer wins, and the conversation stays whole. The two events are held until
both have read the conversation, then released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Conversation
from dondoc.db.session import open_store
from dondoc.handlers.context import Context
from dondoc.handlers.events import Inbound, Reply, plain
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
USER = "100"


def _together(monkeypatch: pytest.MonkeyPatch, url: str, events: list[Inbound]) -> list[list[Reply] | BaseException]:
    """Handle ``events`` in threads, each through its own Dispatcher and engine (as two processes
    would); every first read of the conversation waits until all of them have read it."""
    barrier = threading.Barrier(len(events))
    first_reads: set[int] = set()
    load = Context.load

    def load_then_wait(ctx: Context, *, touch: bool = False) -> None:
        load(ctx, touch=touch)
        me = threading.get_ident()
        if me not in first_reads:
            first_reads.add(me)
            barrier.wait(timeout=60)  # a fail-safe only: the other thread arrives at once

    monkeypatch.setattr(Context, "load", load_then_wait)
    results: list[list[Reply] | BaseException] = [[] for _ in events]
    engines = [open_store(url) for _ in events]

    def run(index: int) -> Callable[[], None]:
        def target() -> None:
            try:
                results[index] = make_dispatcher(engines[index], NOW).handle(events[index])
            except BaseException as exc:  # reported by the test
                results[index] = exc

        return target

    threads = [threading.Thread(target=run(i)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.setattr(Context, "load", load)
    for engine in engines:
        engine.dispose()
    return results


def _event(**kwargs: object) -> Inbound:
    return Inbound(channel="test", chat_id=USER, user_id=USER, language_code="vi", **kwargs)  # type: ignore[arg-type]


def _conversations(engine: Engine) -> list[Conversation]:
    with Session(engine) as session:
        return list(session.exec(select(Conversation).where(Conversation.user_id == USER)).all())


def test_two_first_messages_at_once_make_one_conversation(
    engine: Engine, sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(make_dispatcher(engine, NOW), USER)
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    assert _conversations(engine) == []

    results = _together(monkeypatch, sample_store.url, [_event(text="/report"), _event(text="/report")])

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert all(r for r in results)
    (conversation,) = _conversations(engine)
    assert (conversation.flow, conversation.step) == ("report", "task")
    chat.send("1")  # the menu that is showing works
    assert "Tình trạng thực hiện" in chat.last


def test_two_presses_at_once_one_wins_and_the_other_is_told(
    engine: Engine, sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(make_dispatcher(engine, NOW), USER)
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    chat.send("/report I.11")
    tokens = {c.label: c.data for r in chat.history if r.choices for row in r.choices for c in row}

    results = _together(
        monkeypatch,
        sample_store.url,
        [_event(choice=tokens["Đang thực hiện"]), _event(choice=tokens["Hoàn thành"])],
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    texts = [" ".join(plain(reply.text) for reply in r) for r in results if not isinstance(r, BaseException)]
    refused = [t for t in texts if "không còn hiệu lực" in t or "thực hiện lại" in t]
    assert len(refused) == 1, texts
    (conversation,) = _conversations(engine)
    expected = {"percent": "in_progress", "date": "done"}
    assert conversation.flow == "report" and conversation.data["status"] == expected[conversation.step]
