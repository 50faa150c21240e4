"""A sandbox run on a store an earlier run used: the people played then (the manager, say) are in the
chat again from the start, so what the bot sends them — a manager's alert of a blocked task — reaches
them and is shown under their name, on Telegram (where it was refused as sent to an unknown chat, with
a traceback) and on Zalo (where it went nowhere to be seen)."""

from __future__ import annotations

import io
import logging
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.sandbox import Sandbox
from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.scheduler.clock import TZ, Clock
from tests.bot.test_sandbox import _typed

START = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)


@pytest.mark.parametrize("kind", [Sandbox, ZaloSandbox])
async def test_a_manager_played_before_gets_the_alert_of_a_blocked_task(
    engine: Engine, kind: type[Sandbox], caplog: pytest.LogCaptureFixture
) -> None:
    await kind(engine, Clock(START), io.StringIO()).run(_typed(["/as manager"]))
    out = io.StringIO()
    with caplog.at_level(logging.WARNING):
        await kind(engine, Clock(START), out).run(_typed(["I.2 vướng chờ hướng dẫn của Sở"]))
    text = out.getvalue()
    assert "→ Gửi lãnh đạo — Phòng Nội vụ" in text, text
    assert "gặp vướng mắc: chờ hướng dẫn của Sở" in text, text
    # The person's own answer comes first, the manager's copy under it.
    assert text.index("Đã ghi nhận: I.2") < text.index("→ Gửi lãnh đạo"), text
    assert not [r for r in caplog.records if "refused" in r.getMessage()]
