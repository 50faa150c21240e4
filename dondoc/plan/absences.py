"""Absences (vắng mặt) and who receives a unit's reminders: :func:`focal_recipients`, the one place
every reminder to a unit's focal points is addressed (the outbox's digests, the figures' reminders,
and any kind added later that goes to a unit's focal points).

A person records an absence for themselves (``/vangmat 10/06 20/06 nghỉ phép``); an administrator, or
a manager of one of their units, records one for them (chat or ``dondoc absence add``). From the first
day to the last (both included), the reminders the person would get as a focal point or deputy of a
unit go instead to:

1. the unit's other bound focal points and deputies (đầu mối, cấp phó: ``MemberRole.DEPUTY``, bound
   by a ``/invite UNIT deputy`` code) who are not away themselves — they get the unit's reminders
   anyway, so each gets one message, with a line saying whom they stand in for;
2. when the unit has none: the unit's managers (else the coordinating unit's), with a line saying why
   ("… vắng mặt đến 20/06; đồng chí nhận thay");
3. when nobody at all can stand in: the person themselves, as if they were not away (nothing is lost).

Escalations (to managers) are not redirected. Recipients are resolved when a reminder is sent, so
delivery returns to the person by itself the day after the absence ends; an absence cancelled, the
same. Nothing is written per reminder: the outbox's and dispatch table's unique keys stay as they are,
which keeps delivery idempotent across processes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from dondoc.db.models import Absence, ChannelAccount, MemberRole, Membership, Organization, Person, Unit
from dondoc.db.queries import ids_among, reachable_members

MAX_DAYS = 366  # an absence longer than a year is a mistake (or a person who left: /people removes them)
MAX_REASON = 200
FOCAL_ROLES = (MemberRole.FOCAL, MemberRole.DEPUTY)


class AbsenceProblem(StrEnum):
    END_BEFORE_START = "end_before_start"
    IN_THE_PAST = "in_the_past"
    TOO_LONG = "too_long"
    OVERLAPS = "overlaps"


class AbsenceError(ValueError):
    """An absence that cannot be recorded; ``existing``: the one it overlaps."""

    def __init__(self, problem: AbsenceProblem, existing: Absence | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.existing = existing


def check_dates(start: date, end: date, today: date) -> AbsenceProblem | None:
    """What is wrong with an absence from ``start`` to ``end`` recorded on ``today``."""
    if end < start:
        return AbsenceProblem.END_BEFORE_START
    if start < today:
        return AbsenceProblem.IN_THE_PAST
    if (end - start).days + 1 > MAX_DAYS:
        return AbsenceProblem.TOO_LONG
    return None


def overlapping(session: Session, person_id: int, start: date, end: date) -> Absence | None:
    """The person's absence (not cancelled) that shares a day with ``start``–``end``."""
    return session.exec(
        select(Absence)
        .where(
            Absence.person_id == person_id,
            col(Absence.cancelled_at).is_(None),
            col(Absence.starts_on) <= end,
            col(Absence.ends_on) >= start,
        )
        .order_by(col(Absence.starts_on))
    ).first()


def home_organization(session: Session, person: Person) -> int:
    """The organisation an absence of ``person`` belongs to: that of their first unit, else their own."""
    found = session.exec(
        select(Unit.organization_id)
        .join(Membership, col(Membership.unit_id) == Unit.id)
        .where(Membership.person_id == person.id)
        .order_by(col(Membership.id))
    ).first()
    return found if found is not None else person.organization_id


def record_absence(
    session: Session,
    person: Person,
    *,
    start: date,
    end: date,
    at: datetime,
    today: date,
    reason: str = "",
    by: int | None = None,
    organization_id: int | None = None,
) -> Absence:
    """Record an absence, checked (:class:`AbsenceError` names the problem and nothing is written)."""
    assert person.id is not None
    problem = check_dates(start, end, today)
    if problem is not None:
        raise AbsenceError(problem)
    existing = overlapping(session, person.id, start, end)
    if existing is not None:
        raise AbsenceError(AbsenceProblem.OVERLAPS, existing)
    row = Absence(
        person_id=person.id,
        organization_id=organization_id if organization_id is not None else home_organization(session, person),
        starts_on=start,
        ends_on=end,
        reason=reason.strip()[:MAX_REASON],
        recorded_at=at,
        recorded_by_person_id=by,
    )
    session.add(row)
    session.flush()
    return row


def cancel_absence(session: Session, absence_id: int, *, at: datetime, by: int | None = None) -> bool:
    """Cancel an absence (a conditional update: cancelling twice, or from two processes, cancels once);
    False when it was cancelled already or does not exist."""
    result = session.exec(
        update(Absence)
        .where(col(Absence.id) == absence_id, col(Absence.cancelled_at).is_(None))
        .values(cancelled_at=at, cancelled_by_person_id=by)
    )
    session.expire_all()
    return bool(result.rowcount)


def absent_on(session: Session, person_ids: Collection[int], day: date) -> dict[int, Absence]:
    """person id → their absence covering ``day`` (not cancelled), for those away that day."""
    if not person_ids:
        return {}
    found: dict[int, Absence] = {}
    for row in session.exec(
        select(Absence)
        .where(
            ids_among(session, col(Absence.person_id), person_ids),
            col(Absence.cancelled_at).is_(None),
            col(Absence.starts_on) <= day,
            col(Absence.ends_on) >= day,
        )
        .order_by(col(Absence.ends_on).desc())
    ):
        found.setdefault(row.person_id, row)
    return found


def upcoming(session: Session, person_ids: Collection[int], today: date) -> list[Absence]:
    """The absences of ``person_ids`` not cancelled and not over by ``today``, soonest first."""
    if not person_ids:
        return []
    return list(
        session.exec(
            select(Absence)
            .where(
                col(Absence.person_id).in_(list(person_ids)),
                col(Absence.cancelled_at).is_(None),
                col(Absence.ends_on) >= today,
            )
            .order_by(col(Absence.starts_on), col(Absence.id))
        )
    )


@dataclass(frozen=True)
class AbsenceView:
    absence: Absence
    person: Person

    def to_json(self, today: date) -> dict[str, Any]:
        row = self.absence
        return {
            "id": row.id,
            "person_id": row.person_id,
            "person": self.person.full_name,
            "from": row.starts_on.isoformat(),
            "to": row.ends_on.isoformat(),
            "reason": row.reason,
            "recorded_by_person_id": row.recorded_by_person_id,
            "cancelled": row.cancelled_at is not None,
            "current": row.cancelled_at is None and row.starts_on <= today <= row.ends_on,
        }


def list_absences(
    session: Session, organization_ids: Collection[int], *, on: date | None = None, include_cancelled: bool = False
) -> list[AbsenceView]:
    """The organisations' absences, soonest first: those covering ``on`` when given, else all."""
    query = (
        select(Absence, Person)
        .join(Person, col(Person.id) == Absence.person_id)
        .where(col(Absence.organization_id).in_(list(organization_ids)))
    )
    if on is not None:
        query = query.where(col(Absence.starts_on) <= on, col(Absence.ends_on) >= on)
    if not include_cancelled:
        query = query.where(col(Absence.cancelled_at).is_(None))
    return [AbsenceView(a, p) for a, p in session.exec(query.order_by(col(Absence.starts_on), col(Absence.id)))]


# ---------------------------------------------------------------------- who receives a unit's reminders


@dataclass(frozen=True)
class Cover:
    """Someone away whose reminders a recipient receives instead."""

    person_id: int
    name: str
    unit_name: str
    until: date


@dataclass
class FocalRecipient:
    """Who receives a unit's focal-point reminders, on which account; ``covering``: the people away
    they stand in for; ``manager``: a manager standing in (not a focal point of the unit: the message
    offers no report buttons); ``manager_of``: the unit that manager leads — the unit itself, or the
    coordinating unit when the unit has no manager who can (``coordinator``)."""

    person: Person
    account: ChannelAccount
    covering: list[Cover] = field(default_factory=list)
    manager: bool = False
    manager_of: str = ""
    coordinator: bool = False


def focal_recipients(
    session: Session, unit_ids: Collection[int], day: date, channels: Collection[str] | None = None
) -> dict[int, list[FocalRecipient]]:
    """For each unit, who receives on ``day`` what is addressed to its focal points and deputies (see
    the module's rule), each person once, on the account they used last (among ``channels`` when
    given). A unit nobody can receive for is left out (its reminders are held). A fixed number of
    queries, whatever the number of units."""
    units = set(unit_ids)
    if not units:
        return {}
    members: dict[int, dict[int, tuple[Person, ChannelAccount]]] = defaultdict(dict)
    for member in reachable_members(session, FOCAL_ROLES, unit_ids=units, bound=True, channels=channels):
        assert member.account is not None and member.person.id is not None
        members[member.unit_id].setdefault(member.person.id, (member.person, member.account))
    away = absent_on(session, {p for found in members.values() for p in found}, day)
    result: dict[int, list[FocalRecipient]] = {}
    uncovered: dict[int, list[Cover]] = {}
    names = _unit_names(session, [u for u, found in members.items() if away.keys() & found.keys()])
    for unit_id, found in members.items():
        covers = [
            Cover(pid, person.full_name, names.get(unit_id, ""), away[pid].ends_on)
            for pid, (person, _account) in found.items()
            if pid in away
        ]
        present = [FocalRecipient(p, a, list(covers)) for pid, (p, a) in found.items() if pid not in away]
        if present:
            result[unit_id] = present
        else:
            result[unit_id] = [FocalRecipient(p, a) for p, a in found.values()]  # nobody else, unless a manager
            uncovered[unit_id] = covers
    if uncovered:
        for unit_id, standing in _standing_managers(session, set(uncovered), day, channels).items():
            if standing.managers:
                result[unit_id] = [
                    FocalRecipient(
                        p,
                        a,
                        list(uncovered[unit_id]),
                        manager=True,
                        manager_of=standing.unit_name,
                        coordinator=standing.coordinator,
                    )
                    for p, a in standing.managers
                ]
    return result


def _unit_names(session: Session, unit_ids: Sequence[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    return {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))) if u.id is not None}


@dataclass(frozen=True)
class _Standing:
    """The managers who stand in for a unit's focal points, and which unit they lead."""

    managers: list[tuple[Person, ChannelAccount]]
    unit_name: str = ""
    coordinator: bool = False


def _standing_managers(
    session: Session, unit_ids: set[int], day: date, channels: Collection[str] | None
) -> dict[int, _Standing]:
    """For each unit whose focal points are all away: its managers not away, else the coordinating
    unit's."""
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))) if u.id is not None}
    org_ids = {u.organization_id for u in units.values()}
    coordinators: dict[int, Unit] = {}
    for org in session.exec(select(Organization).where(col(Organization.id).in_(org_ids))):
        if org.id is not None and org.coordinator_code:
            coordinator = session.exec(
                select(Unit).where(Unit.organization_id == org.id, Unit.code == org.coordinator_code)
            ).first()
            if coordinator is not None and coordinator.id is not None:
                coordinators[org.id] = coordinator
    wanted = set(units) | {c.id for c in coordinators.values() if c.id is not None}
    managers: dict[int, dict[int, tuple[Person, ChannelAccount]]] = defaultdict(dict)
    for member in reachable_members(session, (MemberRole.MANAGER,), unit_ids=wanted, bound=True, channels=channels):
        assert member.account is not None and member.person.id is not None
        managers[member.unit_id].setdefault(member.person.id, (member.person, member.account))
    away = absent_on(session, {p for found in managers.values() for p in found}, day)
    result: dict[int, _Standing] = {}
    for unit_id, unit in units.items():
        own = [m for pid, m in managers.get(unit_id, {}).items() if pid not in away]
        coordinator = coordinators.get(unit.organization_id)
        if own:
            result[unit_id] = _Standing(own, unit.name)
        elif coordinator is not None and coordinator.id is not None:
            theirs = [m for pid, m in managers.get(coordinator.id, {}).items() if pid not in away]
            result[unit_id] = _Standing(theirs, coordinator.name, coordinator=coordinator.id != unit_id)
        else:
            result[unit_id] = _Standing([])
    return result


def stand_ins(session: Session, person_id: int, day: date) -> dict[int, list[FocalRecipient]]:
    """For each unit where ``person_id`` is a focal point or deputy: who receives its reminders on
    ``day`` if the person is away then (an empty list: nobody can, they stay with the person)."""
    unit_ids = [
        m.unit_id
        for m in session.exec(
            select(Membership).where(Membership.person_id == person_id, col(Membership.role).in_(FOCAL_ROLES))
        )
    ]
    found = focal_recipients(session, unit_ids, day)
    return {
        unit_id: [r for r in found.get(unit_id, []) if r.person.id != person_id and r.covering]
        for unit_id in dict.fromkeys(unit_ids)
    }
