"""The Zalo bot with its database away for a while: it keeps polling, tells whoever writes that the
system is busy, and carries on by itself when the database is back."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Report
from tests.bot.zalo.conftest import Zalo
from tests.outage import Outage

BUSY = "Hệ thống đang bận, đồng chí thử lại sau ít phút"


async def test_messages_while_the_database_is_away_are_answered_busy_and_the_bot_carries_on(
    zalo: Zalo, engine: Engine
) -> None:
    lan = await zalo.bound("NV")
    outage = Outage(engine)
    try:
        with outage.window():
            answers = [await zalo.say(lan, "/report"), await zalo.say(lan, "I.11 60% xong dự thảo")]
            before = len(lan.messages)
            await lan.send_sticker()
            answers.append(await zalo.settle(lan, before))
    finally:
        outage.close()
    assert outage.refused
    for answer in answers:
        assert len(answer) == 1 and BUSY in answer[0] and "chưa được lưu" in answer[0], answer
    with Session(engine) as session:
        assert session.exec(select(Report)).all() == []
    [tasks] = await zalo.say(lan, "/report")  # the database is back: the same poller goes on
    assert "gõ số" in tasks
