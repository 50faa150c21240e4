"""A reminder that goes to several people (a unit's focal point and deputies, its managers) is
delivered to each of them at most once: when the send fails for one of them, the retry goes to that
one alone, not again to those who already have it — in this process, after a restart, or from a
second process (the per-recipient record is in the database, ``reminderdelivery``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import (
    Assignment,
    Audience,
    MemberRole,
    QuotaHold,
    Reminder,
    ReminderDelivery,
    ReminderState,
    SentDigest,
    Unit,
)
from dondoc.handlers.events import QuotaSpent, Rejected, Reply, RetryLater, TemporaryFailure, Unreachable
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import LEASE
from dondoc.scheduler.service import SWEEP_SECONDS, ReminderService
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)
FOCAL, DEPUTY, SECOND_DEPUTY = "500", "502", "503"


class Channel:
    """Records each digest it delivers; ``fail`` says which send to refuse (by chat and attempt)."""

    def __init__(self, fail: Callable[[str, int], Exception | None]) -> None:
        self.fail = fail
        self.attempts: Counter[str] = Counter()
        self.delivered: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.attempts[chat_id] += 1
        error = self.fail(chat_id, self.attempts[chat_id])
        if error is not None:
            raise error
        self.delivered.append((chat_id, reply))
        return str(len(self.delivered))

    def digests(self) -> Counter[str]:
        """Reminder digests delivered to each chat (an alert to managers is not one)."""
        return Counter(chat for chat, reply in self.delivered if not reply.text.startswith("⚠"))


def _unit_with_three_people(engine: Engine, clock: Clock) -> None:
    """Phòng Nội vụ (NV) with a focal point and two deputies, each in their own chat: the unit's
    reminders go to all three."""
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    people = {FOCAL: MemberRole.FOCAL, DEPUTY: MemberRole.DEPUTY, SECOND_DEPUTY: MemberRole.DEPUTY}
    for chat_id, role in people.items():
        chat = Chat(dispatcher, chat_id, name=f"Cán bộ {chat_id}")
        chat.send(f"/start {invite_code(engine, 'NV', role, now=clock.now())}")
        assert "Kính chào" in chat.last, chat.last


def _service(engine: Engine, clock: Clock, channel: Channel) -> ReminderService[Reply]:
    return reminder_service(engine, clock, WorkCalendar(), {"test": channel.send})


async def _run_until(services: list[ReminderService[Reply]], clock: Clock, end: datetime) -> None:
    """The reminder job of each process in turn, every SWEEP_SECONDS until ``end``."""
    while clock.now() <= end:
        for service in services:
            await service.run()
        clock.advance(timedelta(seconds=SWEEP_SECONDS))


def _states(engine: Engine) -> Counter[str]:
    """The states of Monday's reminders to NV's focal points (the other units have nobody bound, and
    neither has NV a manager: theirs are held)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Reminder)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Reminder.send_on == MONDAY.date(), Reminder.audience == Audience.FOCAL, Unit.code == "NV")
        ).all()
    return Counter(str(r.state) for r in rows)


FAILURES: dict[str, Callable[[], Exception]] = {
    "a 5xx": lambda: TemporaryFailure("500 Internal Server Error"),
    "a 429": lambda: RetryLater(5),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
async def test_a_send_failing_for_one_of_three_people_is_retried_for_that_one_alone(
    engine: Engine, sample_store: Dondoc, failure: str
) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    _unit_with_three_people(engine, clock)
    channel = Channel(lambda chat, attempt: FAILURES[failure]() if chat == DEPUTY and attempt == 1 else None)
    service = _service(engine, clock, channel)
    service.schedule()
    clock.set(MONDAY)

    await _run_until([service], clock, MONDAY + timedelta(minutes=2))

    assert channel.attempts[DEPUTY] == 2  # it failed once, then went out
    assert channel.digests() == {FOCAL: 1, DEPUTY: 1, SECOND_DEPUTY: 1}
    assert set(_states(engine)) == {ReminderState.SENT}
    reminders = _states(engine).total()
    with Session(engine) as session:
        deliveries = session.exec(select(ReminderDelivery)).all()
        digests = session.exec(select(SentDigest)).all()
    # The two who got it at once are recorded per reminder (the deputy's retry leaves them out); the
    # retry reached the last one, so it is sent: no per-person row for that one.
    assert sorted(Counter(d.person_id for d in deliveries).values()) == [reminders, reminders]
    received = Counter((d.person_id, int(i)) for d in digests for i in d.reminder_ids.split(","))
    assert len(received) == 3 * reminders and set(received.values()) == {1}  # each person, each reminder, once
    exported = sample_store.ok("people", "export", f"test:{DEPUTY}", "--json").json()
    assert {r["unit"] for r in exported["reminders_received"]} == {"NV"}  # what the person was sent is theirs
    assert len(exported["reminders_received"]) == reminders


async def test_two_processes_and_a_restart_never_repeat_a_digest_to_someone_who_has_it(engine: Engine) -> None:
    """Process A sends at 08:00 and fails for the deputy; process B (another worker on the same
    store) and A restarted (a new service, nothing kept in memory) start meanwhile — each replans the
    day when it starts, which must not cancel the retry waiting — and the first retry fails again:
    each of the three still gets the digest once."""
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    _unit_with_three_people(engine, clock)
    channel = Channel(lambda chat, attempt: TemporaryFailure("502") if chat == DEPUTY and attempt <= 2 else None)
    first, second = _service(engine, clock, channel), _service(engine, clock, channel)
    first.schedule()
    clock.set(MONDAY)
    await first.run()
    assert channel.digests() == {FOCAL: 1, SECOND_DEPUTY: 1}
    restarted = _service(engine, clock, channel)
    await _run_until([second, restarted], clock, MONDAY + timedelta(minutes=3))

    assert channel.attempts[DEPUTY] == 3
    assert channel.digests() == {FOCAL: 1, DEPUTY: 1, SECOND_DEPUTY: 1}
    assert set(_states(engine)) == {ReminderState.SENT}


@pytest.mark.parametrize(
    "failure",
    [
        Rejected("Bad Request: can't parse entities"),
        Unreachable("Forbidden: bot was blocked by the user"),
        QuotaSpent("quota"),
    ],
    ids=["rejected", "unreachable", "quota"],
)
async def test_a_lasting_failure_for_one_person_never_repeats_the_digest_to_the_others(
    engine: Engine, failure: Exception
) -> None:
    """Refused for good, blocked, or the channel's quota spent for one recipient: the others got
    it once, and nothing later (a lease running out, a hold released) sends it to them again."""
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    _unit_with_three_people(engine, clock)
    channel = Channel(lambda chat, attempt: failure if chat == DEPUTY and attempt == 1 else None)
    service = _service(engine, clock, channel)
    service.schedule()
    clock.set(MONDAY)
    await _run_until([service], clock, MONDAY + timedelta(minutes=1))
    with Session(engine) as session:  # whatever was held is released (a new binding, a new month)
        session.exec(delete(QuotaHold))
        for reminder in session.exec(select(Reminder).where(Reminder.state == ReminderState.HELD)):
            reminder.state, reminder.send_at = ReminderState.PENDING, clock.now()
            session.add(reminder)
        session.commit()
    clock.set(MONDAY + LEASE + timedelta(minutes=1))
    await _run_until([_service(engine, clock, channel)], clock, clock.now() + timedelta(minutes=1))

    digests = channel.digests()
    assert (digests[FOCAL], digests[SECOND_DEPUTY]) == (1, 1), digests
    assert digests[DEPUTY] <= 1
