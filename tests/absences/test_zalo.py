"""``/vangmat`` on Zalo: one-line forms and numbered choices, and the deputy's reminder digest while
the focal point is away (numbered, so the deputy can report from it)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Absence, MemberRole
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.bot.zalo.conftest import running_zalo

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 is due in 7 days


def number_of(text: str, label: str) -> str:
    found = re.search(rf"^(\d+)\. {re.escape(label)}", text, re.MULTILINE)
    assert found is not None, f"no choice {label!r} in:\n{text}"
    return found.group(1)


async def test_away_on_zalo_the_deputy_gets_the_numbered_digest_and_choices_are_typed(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    async with running_zalo(engine, clock) as zalo:
        lan = await zalo.bound("NV", name="Nguyễn Thị Lan")
        hoa = await zalo.bound("NV", MemberRole.DEPUTY, name="Trần Thị Hoa")
        admin = await zalo.bound("NV", MemberRole.ADMIN, name="Võ Quản Trị")
        namesake = await zalo.bound("LN", name="Nguyễn Văn Nam")

        [recorded] = await zalo.say(lan, "/vangmat 24/01 26/01 nghỉ phép")
        assert "Đã ghi nhận" in recorded and "Trần Thị Hoa" in recorded and "<b>" not in recorded, recorded

        zalo.app.reminders.schedule()
        clock.set(MONDAY)
        before_lan, before_hoa = len(lan.messages), len(hoa.messages)
        await zalo.app.reminders.tick()
        assert await zalo.settle(lan, before_lan) == []
        [digest] = await zalo.settle(hoa, before_hoa)
        assert "Nguyễn Thị Lan" in digest and "vắng mặt đến 26/01/2022; đồng chí nhận thay" in digest, digest
        assert "1. 📝 I.1" in digest
        [report] = await zalo.say(hoa, "1")  # the deputy reports for the unit from it
        assert "I.1" in report and "Đang thực hiện" in report

        # An administrator records one for someone, choosing among namesakes by number.
        [choose] = await zalo.say(admin, "/vangmat Nguyễn 27/01 28/01")
        assert "Có nhiều người" in choose
        [done] = await zalo.say(admin, number_of(choose, "Nguyễn Văn Nam"))
        assert "Đã ghi nhận: Nguyễn Văn Nam vắng mặt từ 27/01/2022 đến 28/01/2022" in done, done
        assert any("Võ Quản Trị" in m.text for m in namesake.messages)

        # The list, and cancelling by typing the number of its choice.
        [listed] = await zalo.say(lan, "/vangmat")
        assert "24/01/2022" in listed
        with Session(engine) as session:
            mine = session.exec(select(Absence).where(Absence.reason == "nghỉ phép")).one()
        [cancelled] = await zalo.say(lan, number_of(listed, f"Hủy số {mine.id}"))
        assert "Đã hủy" in cancelled
        [whoami] = await zalo.say(lan, "/whoami")
        assert "Vắng mặt" not in whoami
