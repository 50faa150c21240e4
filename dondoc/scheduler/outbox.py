"""The reminder outbox: claiming due rows, deciding who gets them, and recording the outcome.

Rows are claimed with a lease: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, on SQLite with one
conditional UPDATE (SQLite serialises writers, so two sweepers never claim the same row). A claim
whose lease ran out (the process died between claiming and recording) is claimed again, which
makes delivery *at-least-once*: a crash after a send but before its record can repeat that one
message, while nothing is ever silently dropped. For a reminder, a rare duplicate is the lesser harm.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, String, and_, bindparam, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Audience,
    ChannelAccount,
    MemberRole,
    Organization,
    Person,
    Reminder,
    ReminderState,
    Task,
    Unit,
)
from dondoc.db.queries import ids_in, reachable_members

LEASE = timedelta(minutes=10)
# A send that failed for a passing reason (a timeout, a 5xx) is tried again FIRST_RETRY later, then
# twice as long after each failure, at most RETRY_CAP apart; after MAX_ATTEMPTS tries (about two and
# a half hours) it is given up as failed. The time is the row's ``send_at``: any process sends it.
FIRST_RETRY = timedelta(seconds=15)
RETRY_CAP = timedelta(minutes=30)
MAX_ATTEMPTS = 12


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed try (1, 2, …) a reminder is tried again: 15 s, 30 s,
    1 min, 2 min … at most :data:`RETRY_CAP`."""
    doublings = min(max(attempts, 1) - 1, 16)
    delay: timedelta = FIRST_RETRY * (1 << doublings)
    return min(RETRY_CAP, delay)


@dataclass
class Recipient:
    person: Person
    account: ChannelAccount


@dataclass(frozen=True, slots=True)
class DueItem:
    """A claimed reminder with what its line in a message shows (plain values, read in one query)."""

    reminder_id: int
    assignment_id: int
    kind: str  # a ReminderKind
    due: date
    send_at: datetime
    attempts: int
    audience: str  # an Audience
    task_code: str
    task_title: str
    task_position: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_position: int
    organization_id: int


@dataclass
class Digest:
    """Everything one person gets at one send time: a single message."""

    recipient: Recipient
    audience: str  # an Audience
    items: list[DueItem] = field(default_factory=list)

    @property
    def reminder_ids(self) -> list[int]:
        return [item.reminder_id for item in self.items]


def _due_clause(now: datetime, reminder: Any = Reminder) -> ColumnElement[bool]:
    return or_(
        and_(col(reminder.state) == ReminderState.PENDING, col(reminder.send_at) <= now),
        and_(col(reminder.state) == ReminderState.CLAIMED, col(reminder.claimed_at) < now - LEASE),
    )


def claim_due(session: Session, now: datetime, worker: str) -> list[int]:
    """Claim every reminder due at ``now`` (and expired claims) for ``worker``; commit is the caller's."""
    if session.get_bind().dialect.name == "postgresql":
        # One statement: the rows are locked (skipping those another sweeper holds), claimed and their
        # ids returned, without sending the ids back and forth.
        row = aliased(Reminder)
        locked = select(row.id).where(_due_clause(now, row)).with_for_update(skip_locked=True)
        claimed_ids = session.connection().execute(
            update(Reminder)
            .where(col(Reminder.id).in_(locked.scalar_subquery()))
            .values(state=ReminderState.CLAIMED, claimed_by=worker, claimed_at=now, attempts=Reminder.attempts + 1)
            .returning(col(Reminder.id))
        )
        return sorted(i for i in claimed_ids.scalars() if i)
    due = _due_clause(now)
    session.exec(
        update(Reminder)
        .where(due)
        .values(state=ReminderState.CLAIMED, claimed_by=worker, claimed_at=now, attempts=Reminder.attempts + 1)
    )
    claimed = session.exec(
        select(Reminder.id).where(
            col(Reminder.state) == ReminderState.CLAIMED, Reminder.claimed_by == worker, Reminder.claimed_at == now
        )
    )
    return [i for i in claimed if i is not None]


def compose(
    session: Session, reminder_ids: Sequence[int], channels: Collection[str] | None = None
) -> tuple[list[Digest], list[int]]:
    """Group claimed reminders into one digest per recipient, each to the account they used last (among
    those on ``channels``, when given); also return the ids nobody can receive (a unit without a
    reachable focal point): those are held, not dropped."""
    if not reminder_ids:
        return [], []
    query = (
        sa_select(
            col(Reminder.id),
            col(Reminder.assignment_id),
            col(Reminder.kind),
            col(Reminder.due),
            col(Reminder.send_at),
            col(Reminder.attempts),
            col(Reminder.audience),
            col(Task.code),
            col(Task.title),
            col(Task.position),
            col(Unit.id),
            col(Unit.code),
            col(Unit.name),
            col(Unit.position),
            col(Unit.organization_id),
        )
        .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(ids_in(session, col(Reminder.id), reminder_ids))
        .order_by(col(Reminder.due), col(Task.position), col(Unit.position))
    )
    items = [DueItem(*tuple(row)) for row in session.connection().execute(query)]
    units = {item.unit_id: item.organization_id for item in items}
    focal = _people_by_unit(session, set(units), (MemberRole.FOCAL, MemberRole.DEPUTY), channels)
    managers = _managers_by_unit(session, units, channels)
    digests: dict[tuple[int, str, str], Digest] = {}
    held: list[int] = []
    for item in items:
        people = (managers if item.audience == Audience.MANAGER else focal).get(item.unit_id, [])
        if not people:
            held.append(item.reminder_id)
            continue
        for recipient in people:
            key = (recipient.person.id or 0, recipient.account.channel, item.audience)
            digest = digests.setdefault(key, Digest(recipient=recipient, audience=item.audience))
            digest.items.append(item)
    return list(digests.values()), held


def _people_by_unit(
    session: Session, unit_ids: set[int], roles: tuple[MemberRole, ...], channels: Collection[str] | None = None
) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = defaultdict(list)
    for member in reachable_members(session, roles, unit_ids=unit_ids, bound=True, channels=channels):
        assert member.account is not None
        if all(r.person.id != member.person.id for r in found[member.unit_id]):
            found[member.unit_id].append(Recipient(member.person, member.account))
    return found


def _managers_by_unit(
    session: Session, units: dict[int, int], channels: Collection[str] | None = None
) -> dict[int, list[Recipient]]:
    """For each unit (id → organisation id): its managers plus its organisation's coordinating
    unit's managers."""
    if not units:
        return {}
    org_ids = set(units.values())
    coordinators = {
        org.id: org.coordinator_code
        for org in session.exec(select(Organization).where(col(Organization.id).in_(org_ids)))
    }
    coordinator_units = {
        (u.organization_id, u.code): u.id
        for u in session.exec(
            select(Unit).where(
                col(Unit.organization_id).in_(org_ids), col(Unit.code).in_([c for c in coordinators.values() if c])
            )
        )
    }
    wanted = set(units) | {i for i in coordinator_units.values() if i is not None}
    managers = _people_by_unit(session, wanted, (MemberRole.MANAGER,), channels)
    result: dict[int, list[Recipient]] = {}
    for unit_id, org_id in units.items():
        people = list(managers.get(unit_id, []))
        coordinator = coordinator_units.get((org_id, coordinators.get(org_id) or ""))
        for recipient in managers.get(coordinator or -1, []):
            if all(r.person.id != recipient.person.id for r in people):
                people.append(recipient)
        result[unit_id] = people
    return result


def mark_sent(session: Session, sent: Sequence[tuple[Sequence[int], str | None]], now: datetime) -> None:
    """Record delivered digests (reminder ids, message id) in one executemany."""
    # A reminder shared by a unit's focal points went out in several digests: recorded once.
    first: dict[int, str | None] = {}
    for ids, message_id in sent:
        for rid in ids:
            first.setdefault(rid, message_id)
    if not first:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One UPDATE … FROM unnest(ids, message ids) rather than one UPDATE per reminder.
        data = sa_select(
            func.unnest(bindparam("rids", list(first), type_=ARRAY(Integer))).label("rid"),
            func.unnest(bindparam("mids", list(first.values()), type_=ARRAY(String))).label("mid"),
        ).subquery("sent")
        session.connection().execute(
            update(Reminder)
            .where(col(Reminder.id) == data.c.rid, col(Reminder.state) == ReminderState.CLAIMED)
            .values(state=ReminderState.SENT, sent_at=now, message_id=data.c.mid, last_error="")
        )
        return
    params = [{"rid": rid, "mid": message_id} for rid, message_id in first.items()]
    statement = (
        update(Reminder)
        .where(col(Reminder.id) == bindparam("rid"), col(Reminder.state) == ReminderState.CLAIMED)
        .values(state=ReminderState.SENT, sent_at=now, message_id=bindparam("mid"), last_error="")
    )
    session.connection().execute(statement, params)


def mark_held(session: Session, reminder_ids: Sequence[int], reason: str) -> None:
    """Nobody can receive these now (no reachable focal point); they wait for one to bind."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.CLAIMED)
        .values(state=ReminderState.HELD, last_error=reason)
    )


def mark_failed(session: Session, reminder_ids: Sequence[int], reason: str) -> None:
    """The channel refused these for good; kept with the reason, for an administrator to see."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.CLAIMED)
        .values(state=ReminderState.FAILED, last_error=reason)
    )


def release(session: Session, reminder_ids: Sequence[int], at: datetime, reason: str) -> None:
    """Back to pending, to be tried again at ``at`` (rate limit, network trouble); gives up after
    :data:`MAX_ATTEMPTS` tries."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.attempts) >= MAX_ATTEMPTS)
        .values(state=ReminderState.FAILED, last_error=reason)
    )
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.CLAIMED)
        .values(state=ReminderState.PENDING, send_at=at, claimed_by=None, claimed_at=None, last_error=reason)
    )


def release_held(session: Session, unit_id: int, now: datetime) -> int:
    """A focal point bound to the unit: its held reminders go out at the next sweep."""
    result = session.exec(
        update(Reminder)
        .where(
            col(Reminder.state) == ReminderState.HELD,
            col(Reminder.assignment_id).in_(select(Assignment.id).where(Assignment.unit_id == unit_id)),
        )
        .values(state=ReminderState.PENDING, send_at=now)
    )
    return int(result.rowcount or 0)
