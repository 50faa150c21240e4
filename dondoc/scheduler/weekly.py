"""The weekly managers' digest (08:00 on the organisation's digest day, Monday unless its reminder
policy says otherwise): what is overdue, and which units have not answered.

Managers of the coordinating unit get the whole organisation; other managers get their own units.
Each digest is claimed by a unique key in the ``dispatch`` table before it is sent, so a restart or
a second process sends it once (at-least-once like the outbox: a claim whose lease ran out is
taken again). Its text is :func:`dondoc.handlers.reminders.render_weekly`, passed in.

It goes to managers only, at the organisation's time: a person's own reminder settings (``/nhacviec``,
:mod:`dondoc.scheduler.personal`) are for what a focal point or deputy receives and do not move it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dondoc.db.models import (
    ChannelAccount,
    Dispatch,
    MemberRole,
    Organization,
    Person,
    ReminderState,
)
from dondoc.db.queries import current_plan, reachable_members
from dondoc.i18n import normalize_language, use_language
from dondoc.plan.policy import Policy
from dondoc.plan.progress import PlanStatus, plan_status
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.outbox import LEASE
from dondoc.tz import TZ

M = TypeVar("M")
WEEKLY_TIME = time(8, 0)  # the weekly digest's time on each organisation's digest day
# The digest's message for a manager: (plan status, the manager's name, their units (None: all), now).
RenderWeekly = Callable[[PlanStatus, str, set[str] | None, datetime], M]


@dataclass
class WeeklyDigest(Generic[M]):
    key: str
    account: ChannelAccount
    message: M


def due_digests(
    session: Session, now: datetime, render: RenderWeekly[M], channels: Collection[str] | None = None
) -> list[WeeklyDigest[M]]:
    """This week's digests not yet claimed (or whose claim expired), for the organisations whose
    digest day (:attr:`Policy.weekly_digest_weekday`) is today: claimed now for the caller, then
    rendered by ``render`` in each manager's language, each to the account the manager used last
    (among those on ``channels``, when given). The plan's status is computed only when a
    digest was claimed, not at every tick of the day."""
    week = now.isocalendar()
    digests: list[WeeklyDigest[M]] = []
    for org in session.exec(select(Organization)):
        assert org.id is not None
        if Policy.from_settings(org.settings.get("reminders", {})).weekly_digest_weekday != now.weekday():
            continue
        plan = current_plan(session, org.id)
        if plan is None:
            continue
        claimed: list[tuple[str, Person, ChannelAccount, set[str] | None]] = []
        for person, account, unit_codes in weekly_managers(session, org, channels):
            key = f"weekly:{week.year}-W{week.week:02d}:person:{person.id}"
            if person.organization_id != org.id:  # a manager in several organisations: one digest each
                key += f":org:{org.id}"
            if _claim(session, key, now):
                claimed.append((key, person, account, unit_codes))
        if not claimed:
            continue
        status = plan_status(session, plan, now.date())
        for key, person, account, unit_codes in claimed:
            language = person.language or normalize_language(account.language_code)
            with use_language(language):
                message = render(status, person.full_name, unit_codes, now)
            digests.append(WeeklyDigest(key, account, message))
    return digests


def weekly_moment(org: Organization, day: date, calendar: WorkCalendar) -> datetime | None:
    """When ``org``'s weekly digest goes out on ``day``: the first moment from :data:`WEEKLY_TIME` in
    office hours, on its digest day when that is a working day; None on other days (a digest day that
    is a holiday has no digest that week, as the reminder job sends it only in office hours)."""
    if Policy.from_settings(org.settings.get("reminders", {})).weekly_digest_weekday != day.weekday():
        return None
    if not calendar.is_working_day(day):
        return None
    moment = datetime.combine(day, max(WEEKLY_TIME, calendar.office_start), tzinfo=TZ)
    return moment if calendar.in_office_hours(moment) else None


def weekly_managers(
    session: Session, org: Organization, channels: Collection[str] | None = None
) -> list[tuple[Person, ChannelAccount, set[str] | None]]:
    """Reachable managers with the units they see (None: all of them, for the coordinator's)."""
    assert org.id is not None
    members = reachable_members(session, (MemberRole.MANAGER,), organization_id=org.id, bound=True, channels=channels)
    seen: dict[int, tuple[Person, ChannelAccount, set[str] | None]] = {}
    for member in members:
        person, account, code = member.person, member.account, member.unit_code
        assert person.id is not None and account is not None
        _p, _a, units = seen.get(person.id, (person, account, set()))
        units = None if units is None or code == org.coordinator_code else units | {code}
        seen[person.id] = (person, account, units)
    return list(seen.values())


def _claim(session: Session, key: str, now: datetime) -> bool:
    existing = session.exec(select(Dispatch).where(Dispatch.key == key)).first()
    if existing is None:
        try:
            with session.begin_nested():
                session.add(Dispatch(key=key, claimed_at=now))
        except IntegrityError:
            return False  # another process claimed it a moment ago
        return True
    expired = existing.state == ReminderState.CLAIMED and existing.claimed_at < now - LEASE
    if expired:
        existing.claimed_at = now
        session.add(existing)
    return expired


def retry_dispatch(session: Session, key: str, at: datetime) -> None:
    """A digest the channel did not take for a passing reason: its claim runs out at ``at``, when any
    process takes it again (rather than after the whole lease)."""
    row = session.exec(select(Dispatch).where(Dispatch.key == key)).first()
    if row is not None and row.state == ReminderState.CLAIMED:
        row.claimed_at = at - LEASE
        session.add(row)


def mark_dispatched(session: Session, key: str, now: datetime, message_id: str | None) -> None:
    row = session.exec(select(Dispatch).where(Dispatch.key == key)).one()
    row.state, row.sent_at, row.message_id = ReminderState.SENT, now, message_id
    session.add(row)
