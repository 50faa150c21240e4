"""The weekly managers' digest (Monday 08:00): what is overdue, and which units have not answered.

Managers of the coordinating unit get the whole organisation; other managers get their own units.
Each digest is claimed by a unique key in the ``dispatch`` table before it is sent, so a restart or
a second process sends it once (at-least-once like the outbox: a claim whose lease ran out is
taken again).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dondoc.db.models import (
    ChannelAccount,
    Dispatch,
    MemberRole,
    Membership,
    Organization,
    Person,
    ReminderState,
    Unit,
)
from dondoc.db.queries import current_plan
from dondoc.handlers.events import Reply, esc
from dondoc.i18n import _, format_date, normalize_language, use_language
from dondoc.plan.progress import PlanStatus, plan_status
from dondoc.scheduler.outbox import LEASE

SOON = timedelta(days=7)


@dataclass
class WeeklyDigest:
    key: str
    account: ChannelAccount
    reply: Reply


def due_digests(session: Session, now: datetime) -> list[WeeklyDigest]:
    """This week's digests not yet claimed (or whose claim expired), claimed now for the caller."""
    week = now.isocalendar()
    digests: list[WeeklyDigest] = []
    for org in session.exec(select(Organization)):
        assert org.id is not None
        plan = current_plan(session, org.id)
        if plan is None:
            continue
        status = plan_status(session, plan, now.date())
        for person, account, unit_codes in _managers(session, org):
            key = f"weekly:{week.year}-W{week.week:02d}:person:{person.id}"
            if not _claim(session, key, now):
                continue
            language = person.language or normalize_language(account.language_code)
            with use_language(language):
                reply = Reply(text=render_weekly(status, person.full_name, unit_codes, now))
            digests.append(WeeklyDigest(key, account, reply))
    return digests


def _managers(session: Session, org: Organization) -> list[tuple[Person, ChannelAccount, set[str] | None]]:
    """Reachable managers with the units they see (None: all of them, for the coordinator's)."""
    rows = session.exec(
        select(Person, ChannelAccount, Unit.code)
        .join(Membership, col(Membership.person_id) == Person.id)
        .join(Unit, col(Unit.id) == Membership.unit_id)
        .join(ChannelAccount, col(ChannelAccount.person_id) == Person.id)
        .where(
            Unit.organization_id == org.id,
            Membership.role == MemberRole.MANAGER,
            col(Person.unreachable).is_(False),
        )
        .order_by(col(Person.id))
    ).all()
    seen: dict[int, tuple[Person, ChannelAccount, set[str] | None]] = {}
    for person, account, code in rows:
        assert person.id is not None
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


def mark_dispatched(session: Session, key: str, now: datetime, message_id: str | None) -> None:
    row = session.exec(select(Dispatch).where(Dispatch.key == key)).one()
    row.state, row.sent_at, row.message_id = ReminderState.SENT, now, message_id
    session.add(row)


def render_weekly(status: PlanStatus, name: str, units: set[str] | None, now: datetime) -> str:
    """Overdue items by unit, then units with items due soon or overdue and no report at all."""
    mine = [i for i in status.items if units is None or i.unit in units]
    overdue: dict[str, list[str]] = defaultdict(list)
    silent: set[str] = set()
    names: dict[str, str] = {}
    for item in mine:
        names[item.unit] = item.unit_name
        if item.category == "overdue":
            overdue[item.unit].append(f"{esc(item.task)} ({format_date(item.due)})")
        if item.category in ("overdue", "not_started") and item.reported_at is None and item.due <= now.date() + SOON:
            silent.add(item.unit)
    lines = [
        _("<b>Weekly summary</b> — for the attention of comrade {name}, as of {date}").format(
            name=esc(name), date=format_date(now.date())
        )
    ]
    if overdue:
        lines.append("\n<b>" + _("Overdue") + "</b>")
        lines += [f"• {esc(names[code])}: {', '.join(tasks)}" for code, tasks in overdue.items()]
    else:
        lines.append(_("Nothing is overdue."))
    if silent:
        lines.append("\n<b>" + _("Units that have not answered") + "</b>")
        lines += [f"• {esc(names[code])}" for code in sorted(silent, key=lambda c: names[c])]
    lines.append("\n" + _("See /status for the whole plan."))
    return "\n".join(lines)
