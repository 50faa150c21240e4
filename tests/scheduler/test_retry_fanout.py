"""A digest due at 08:00 reaches everyone by 08:02 even when one send in five fails once (a 5xx or a
429 with retry_after=5): the failed sends are tried again within seconds, from the outbox rows (any
process, or this one after a restart, would find them), not at a sweep minutes later.

The reminder job runs as ``dondoc run`` runs it (:meth:`ReminderService.run` every
:data:`SWEEP_SECONDS`), on a frozen clock the test moves: nothing waits on the wall clock."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Assignment, MemberRole, Organization, Reminder, ReminderState, Unit
from dondoc.handlers.events import Reply, RetryLater, TemporaryFailure
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import retry_delay
from dondoc.scheduler.service import SWEEP_SECONDS, ReminderService
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)
FOCAL_POINTS = 100


def add_units(engine: Engine, n: int, like: str = "NV") -> list[str]:
    """``n`` more units with the same assignments as ``like`` (so each is reminded at 08:00 Monday)."""
    codes = [f"U{k:03d}" for k in range(n)]
    with Session(engine) as session:
        org = session.exec(select(Organization)).one()
        model = session.exec(select(Unit).where(Unit.code == like)).one()
        assignments = session.exec(select(Assignment).where(Assignment.unit_id == model.id)).all()
        for position, code in enumerate(codes, start=1000):
            unit = Unit(organization_id=org.id or 0, code=code, name=f"Đơn vị {code}", position=position)
            session.add(unit)
            session.flush()
            for a in assignments:
                session.add(Assignment(task_id=a.task_id, unit_id=unit.id or 0, role=a.role, position=a.position))
        session.commit()
    return codes


def bind_focal_points(
    engine: Engine,
    clock: Clock,
    codes: list[str],
    channel: str = "test",
    chat_ids: list[str] | None = None,
    role: MemberRole = MemberRole.FOCAL,
) -> list[str]:
    """A focal point bound to each unit of ``codes``, each in their own chat; returns the chat ids."""
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    chats = []
    for k, code in enumerate(codes):
        chat_id = chat_ids[k] if chat_ids is not None else str(7000 + k)
        chat = Chat(dispatcher, chat_id, name=f"Đầu mối {k}", channel=channel)
        chat.send(f"/start {invite_code(engine, code, role, now=clock.now())}")
        assert "Kính chào" in chat.last, chat.last
        chats.append(chat.user_id)
    return chats


@dataclass
class FlakyChannel:
    """Fails the first send to one chat in five: alternately a 5xx (a temporary failure) and a 429
    asking to retry after 5 s. ``clock`` stamps each delivery."""

    clock: Clock
    delivered: list[tuple[str, datetime]] = field(default_factory=list)
    failed: Counter[str] = field(default_factory=Counter)
    failed_at: dict[str, datetime] = field(default_factory=dict)
    flaky: set[str] = field(default_factory=set)

    async def send(self, chat_id: str, reply: Reply) -> str:
        if chat_id in self.flaky and not self.failed[chat_id]:
            self.failed[chat_id] += 1
            self.failed_at[chat_id] = self.clock.now()
            if int(chat_id) % 2:
                raise TemporaryFailure("500 Internal Server Error")
            raise RetryLater(5)
        self.delivered.append((chat_id, self.clock.now()))
        return str(len(self.delivered))


async def run_until(service: ReminderService[Reply], clock: Clock, end: datetime) -> int:
    """The job as the scheduler runs it: every SWEEP_SECONDS until ``end``; returns the runs."""
    runs = 0
    while clock.now() <= end:
        await service.run()
        runs += 1
        clock.advance(timedelta(seconds=SWEEP_SECONDS))
    return runs


def test_a_temporary_failure_is_retried_within_seconds_then_backing_off() -> None:
    delays = [retry_delay(n) for n in range(1, 9)]
    assert delays[0] <= timedelta(seconds=30)
    assert delays[:4] == [timedelta(seconds=s) for s in (15, 30, 60, 120)]
    assert all(b >= a for a, b in pairwise(delays)) and delays[-1] <= timedelta(minutes=30)


@pytest.mark.slow  # seconds: run by CI (python3 dev.py test --all)
@pytest.mark.parametrize("start", [MONDAY - timedelta(seconds=5), MONDAY - timedelta(seconds=SWEEP_SECONDS - 1)])
async def test_a_digest_due_at_8_reaches_everyone_by_8_02_when_a_fifth_of_sends_fail_once(
    engine: Engine, start: datetime
) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    chats = bind_focal_points(engine, clock, add_units(engine, FOCAL_POINTS))
    channel = FlakyChannel(clock, flaky={c for k, c in enumerate(chats) if k % 5 == 0})
    service = reminder_service(engine, clock, WorkCalendar(), {"test": channel.send})
    service.schedule()
    clock.set(start)  # the job's runs fall anywhere in the minute

    await run_until(service, clock, MONDAY + timedelta(minutes=2))

    counts = Counter(chat for chat, _at in channel.delivered)
    sent = sum(counts.values())
    retried = sum(channel.failed.values())
    lost = sum(1 for chat in chats if counts[chat] == 0)
    duplicated = sum(n - 1 for chat, n in counts.items() if chat in chats and n > 1)
    print(f"fan-out of {len(chats)}: sent={sent} retried={retried} lost={lost} duplicated={duplicated}")
    assert retried == FOCAL_POINTS // 5
    assert (lost, duplicated) == (0, 0)
    last = max(at for chat, at in channel.delivered if chat in chats)
    retried_after = [at - channel.failed_at[chat] for chat, at in channel.delivered if chat in channel.failed_at]
    print(f"first retries after {min(retried_after)} to {max(retried_after)}; last delivery at {last:%H:%M:%S}")
    assert max(retried_after) <= timedelta(seconds=30)  # within seconds, not at a sweep minutes later
    assert last <= MONDAY + timedelta(minutes=2), last
    with Session(engine) as session:
        waiting = session.exec(
            select(Reminder).where(Reminder.send_at <= MONDAY, Reminder.state != ReminderState.SENT)
        ).all()
    assert [r for r in waiting if r.state != ReminderState.HELD] == []


async def test_a_weekly_digest_the_channel_failed_once_reaches_the_manager_by_8_02(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    bind_focal_points(engine, clock, ["NV"], role=MemberRole.MANAGER)
    failures = iter([TemporaryFailure("502 Bad Gateway")])
    delivered: list[tuple[str, datetime]] = []

    async def send(chat_id: str, reply: Reply) -> str:
        if "Tổng hợp tuần" in reply.text and (error := next(failures, None)) is not None:
            raise error
        delivered.append((reply.text, clock.now()))
        return str(len(delivered))

    service = reminder_service(engine, clock, WorkCalendar(), {"test": send})
    service.schedule()
    clock.set(MONDAY - timedelta(seconds=1))
    await run_until(service, clock, MONDAY + timedelta(minutes=2))
    weekly = [at for text, at in delivered if "Tổng hợp tuần" in text]
    assert len(weekly) == 1 and weekly[0] <= MONDAY + timedelta(minutes=2), weekly
