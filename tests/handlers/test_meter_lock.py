"""One person's slow event never holds back another person's.

Every event is counted on its channel's message meter in the event's transaction (the message
budget), and the meter has one row per channel and month that every event writes. Counted as the
event was loaded, an event held that row until it committed: while a manager's /export built its
workbook (seconds for a province), every other person's message on the channel waited for it, in
every process. The count is now the event's last statement before its commit.

The slow event here is /export, held inside its handler until the test lets it go; the other
person's message must be answered meanwhile. Both events are counted.
"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.db.usage import month_usage
from dondoc.handlers.events import Inbound, Reply, plain
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import hold_export, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
CHANNEL = "telegram"
MANAGER, FOCAL = "7001", "7002"
GUARD = 10.0  # seconds: only ends a test that would otherwise hang; nothing waits this long when it passes


def _event(user: str, text: str) -> Inbound:
    return Inbound(channel=CHANNEL, chat_id=user, user_id=user, text=text, language_code="vi")


def _counted_in(engine: Engine) -> int:
    with Session(engine) as session:
        return sum(usage.inbound for usage in month_usage(session, "2022-03") if usage.channel == CHANNEL)


@pytest.mark.parametrize("second", ["/tasks", "60"], ids=["command", "conversation-step"])
def test_a_message_is_answered_while_another_persons_export_is_still_being_made(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    setup = make_dispatcher(engine, NOW)
    setup.handle(_event(MANAGER, f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}"), count_on=CHANNEL)
    setup.handle(_event(FOCAL, f"/start {invite_code(engine, 'XP', now=NOW)}"), count_on=CHANNEL)
    if second == "60":  # the focal point is at the report's percent question (a stored conversation)
        setup.handle(_event(FOCAL, "/report I.2"), count_on=CHANNEL)
        pressed = setup.handle(_event(FOCAL, "Đang thực hiện"), count_on=CHANNEL)
        assert "phần trăm" in plain(pressed[-1].text)
    before = _counted_in(engine)

    inside, release = hold_export(monkeypatch, "the workbook", GUARD)

    # Two processes: each its own engine and dispatcher.
    engines = [open_store(str(engine.url.render_as_string(hide_password=False))) for _ in range(2)]
    exported: list[list[Reply]] = []
    answered: list[list[Reply]] = []
    done = threading.Event()

    def export() -> None:
        exported.append(make_dispatcher(engines[0], NOW).handle(_event(MANAGER, "/export"), count_on=CHANNEL))

    def other() -> None:
        answered.append(make_dispatcher(engines[1], NOW).handle(_event(FOCAL, second), count_on=CHANNEL))
        done.set()

    exporting = threading.Thread(target=export)
    exporting.start()
    try:
        assert inside.wait(GUARD), "the export never started"
        other_thread = threading.Thread(target=other)
        other_thread.start()
        # Answered while the export is still held in its handler (before: held back until it ended).
        assert done.wait(GUARD) and not release.is_set()
        assert exporting.is_alive()
    finally:
        release.set()
        exporting.join(GUARD)
        for engine_ in engines:
            engine_.dispose()
    other_thread.join(GUARD)

    text = " ".join(plain(reply.text) for reply in answered[0])
    if second == "60":
        assert "ghi chú" in text  # the percent was taken and the next question (the note) asked
    else:
        assert "I.2" in text  # the unit's tasks
    assert [reply.text for reply in exported[0]] == ["the workbook"]
    assert _counted_in(engine) == before + 2  # both events counted, once each
