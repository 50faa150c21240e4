"""The reminder job against the message budget: administrators are told once when a bot reaches
80 % of its month, and a spent quota holds that bot's reminders (kept, not retried) until the next
month or a higher budget. The clock is moved, never waited for."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Assignment, MemberRole, Reminder, ReminderState, Unit
from dondoc.db.usage import count_messages
from dondoc.handlers.events import QuotaSpent, Reply
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.scheduler.service import ReminderService
from dondoc.tz import TZ
from tests.conftest import SAMPLE, Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 is due in 7 days: its focal point is reminded
FEBRUARY = datetime(2022, 2, 7, 8, 0, tzinfo=TZ)  # the first working day of February (after Tết)


@dataclass
class Channel:
    """A channel's sender that records what it sends; while ``spent``, it answers as Zalo does when
    the month's quota is used up."""

    name: str
    spent: bool = False
    calls: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.calls += 1
        if self.spent:
            raise QuotaSpent("429: the monthly quota is spent")
        self.sent.append((chat_id, reply.text))
        return str(len(self.sent))

    def texts(self, chat_id: str) -> list[str]:
        return [text for to, text in self.sent if to == chat_id]


@dataclass
class Deployment:
    clock: Clock
    zalo: Channel
    telegram: Channel
    service: ReminderService[Reply]

    def another_process(self) -> ReminderService[Reply]:
        senders = {"zalo": self.zalo.send, "telegram": self.telegram.send}
        return reminder_service(self.service.engine, self.clock, WorkCalendar(), senders, {"zalo": 10})


def deploy(
    engine: Engine, *, admin_channel: str = "telegram", budgets: dict[str, int | None] | None = None
) -> Deployment:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    Chat(dispatcher, "800", name="Lan", channel="zalo").send(f"/start {invite_code(engine, 'NV', now=clock.now())}")
    admin = Chat(dispatcher, "900", name="Quản trị", channel=admin_channel)
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=clock.now())}")
    zalo, telegram = Channel("zalo"), Channel("telegram")
    senders = {"zalo": zalo.send, "telegram": telegram.send}
    service = reminder_service(engine, clock, WorkCalendar(), senders, budgets)
    service.schedule()
    clock.set(MONDAY)
    return Deployment(clock, zalo, telegram, service)


def nv_reminders(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Reminder)
                .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
                .join(Unit, col(Unit.id) == Assignment.unit_id)
                .where(Unit.code == "NV", col(Reminder.send_at) <= MONDAY)
            )
        )


def alerts(channel: Channel, chat_id: str = "900") -> list[str]:
    return [text for text in channel.texts(chat_id) if text.startswith("⚠")]


async def test_administrators_are_told_once_a_month_when_a_bot_reaches_80_percent(
    engine: Engine, sample_store: Dondoc
) -> None:
    app = deploy(engine, budgets={"zalo": 10})
    count_messages(engine, "zalo", "out", MONDAY, n=7)
    await app.service.tick()
    assert alerts(app.telegram) == []  # 70 %

    count_messages(engine, "zalo", "in", MONDAY)  # 8 of 10
    app.clock.advance(timedelta(minutes=1))
    await app.service.tick()
    warned = alerts(app.telegram)
    assert len(warned) == 1 and "zalo" in warned[0] and "8" in warned[0] and "10" in warned[0]

    count_messages(engine, "zalo", "in", MONDAY)
    for service in (app.service, app.another_process()):  # later ticks, and a second process
        app.clock.advance(timedelta(minutes=1))
        await service.tick()
    assert len(alerts(app.telegram)) == 1

    app.clock.set(FEBRUARY)  # a new month: counted afresh, told afresh
    await app.service.tick()
    assert len(alerts(app.telegram)) == 1
    count_messages(engine, "zalo", "out", FEBRUARY, n=8)
    app.clock.advance(timedelta(minutes=1))
    await app.service.tick()
    assert len(alerts(app.telegram)) == 2


async def test_a_spent_quota_holds_the_bots_reminders_until_the_next_month(
    engine: Engine, sample_store: Dondoc
) -> None:
    app = deploy(engine)
    app.zalo.spent = True
    result = await app.service.tick()

    assert app.zalo.calls == 1 and result.quota_held >= 1
    held = nv_reminders(engine)
    assert held and all(r.state == ReminderState.HELD and r.last_error == "quota:zalo" for r in held)
    told = alerts(app.telegram)
    assert len(told) == 1 and "zalo" in told[0]  # on the administrator's other channel

    for minutes in (1, 30, 60 * 24):  # later passes, the next day: nothing goes out on Zalo, nothing is lost
        app.clock.set(MONDAY + timedelta(minutes=minutes))
        await app.service.tick()
    assert app.zalo.calls == 1 and len(alerts(app.telegram)) == 1
    assert all(r.state == ReminderState.HELD for r in nv_reminders(engine))

    app.zalo.spent = False  # Zalo counts from zero again in February
    app.clock.set(FEBRUARY)
    result = await app.service.tick()
    assert result.released >= len(held)
    assert any("I.1" in text for text in app.zalo.texts("800"))
    assert all(r.state == ReminderState.SENT for r in nv_reminders(engine))


async def test_a_higher_budget_releases_the_held_reminders_in_the_same_month(
    engine: Engine, sample_store: Dondoc, tmp_path: Path
) -> None:
    app = deploy(engine)
    app.zalo.spent = True
    await app.service.tick()
    assert all(r.state == ReminderState.HELD for r in nv_reminders(engine))

    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "units.yaml"
    registry["channels"] = {"zalo": {"budget": 3000}}  # the same budget: still held
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)
    app.clock.advance(timedelta(minutes=1))
    await app.service.tick()
    assert app.zalo.calls == 1

    registry["channels"] = {"zalo": {"budget": 6000}}  # the bot was moved to a paid plan
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)
    app.zalo.spent = False
    app.clock.advance(timedelta(minutes=1))
    result = await app.service.tick()
    assert result.released >= 1 and any("I.1" in text for text in app.zalo.texts("800"))


async def test_an_administrator_only_on_the_spent_bot_is_not_written_to_there(
    engine: Engine, sample_store: Dondoc, caplog: pytest.LogCaptureFixture
) -> None:
    app = deploy(engine, admin_channel="zalo")
    app.zalo.spent = True
    with caplog.at_level(logging.WARNING):
        await app.service.tick()
    assert app.zalo.calls == 1  # the reminder only: no alert sent into the spent quota
    assert "quota spent" in caplog.text
