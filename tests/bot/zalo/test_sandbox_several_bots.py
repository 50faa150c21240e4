"""``dondoc sandbox --channel zalo`` on a registry naming several Zalo bots (``channels: zalo: bots``):
each person played writes to the bot of their unit, as the invite tells them, so an IT officer can
try the whole setup before any token exists."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.sandbox import ReadLine
from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.db.models import ChannelAccount
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.plan.test_zalo_bots_registry import write_long_my_bots


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def test_each_person_played_writes_to_the_bot_of_their_unit(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await ZaloSandbox(engine, clock, out).run(_typed(["/tasks", "/as XP", "/tasks", "/as NV", "/whoami"]))
    text = out.getvalue()
    assert "không phải bot này" not in text  # no invite code refused as another bot's
    assert "Nguyễn Thị Lan, đầu mối — Phòng Nội vụ (Bot CCHC Long Mỹ 1)" in text
    assert "Trần Văn Hùng, đầu mối — Ủy ban nhân dân xã Xà Phiên (Bot CCHC Long Mỹ 2)" in text
    assert "Đồng chí đang là: đầu mối — Phòng Nội vụ (Bot CCHC Long Mỹ 1)" in text
    with Session(engine) as session:
        channels = list(session.exec(select(ChannelAccount.channel).order_by(col(ChannelAccount.id))))
    assert channels == ["zalo:ln1", "zalo:ln2"]
    assert "\n! " not in text  # no request Zalo does not define


async def test_a_sandbox_run_again_plays_the_same_people_on_their_bots(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await ZaloSandbox(engine, clock, io.StringIO()).run(_typed(["/as XP"]))
    out = io.StringIO()
    await ZaloSandbox(engine, clock, out).run(_typed(["/as XP", "/whoami"]))
    text = out.getvalue()
    assert "không phải bot này" not in text and "mã mời" not in text.lower().split("/as xp")[-1]
    with Session(engine) as session:
        channels = list(session.exec(select(ChannelAccount.channel).order_by(col(ChannelAccount.id))))
    assert channels == ["zalo:ln1", "zalo:ln2"]
