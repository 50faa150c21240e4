"""A person's own reminder settings (``/nhacviec``, ``dondoc people settings``) and their effect.

A person may choose, each setting left unset following the organisation's policy
(:class:`~dondoc.plan.policy.Policy`, per organisation and channel family):

- the **send time** of their reminders (HH:MM, within the calendar's office hours);
- a **weekly digest** instead of daily reminders: the non-urgent reminders (*before a deadline*,
  *check-ins*) of the seven days from the digest day (Monday unless they chose another working
  weekday) are gathered into one message on that day; *due-day* and *overdue* reminders still come
  on their own day;
- **muting check-ins** of continuous tasks.

Escalations to managers, due-day and overdue reminders, and reminders a person asked for again
(*Nhắc lại sau*) are never muted nor gathered; escalations keep the unit's policy's time.

Reminders are planned per assignment, i.e. per unit, and a unit's focal points and deputies share
them (:mod:`dondoc.scheduler.schedule`). The unit's plan follows its receivers' settings when they
agree: a unit with one receiver (the usual case) gets exactly that person's settings; with several,
the earliest send time among them, the weekly digest only when all chose it on the same day, and no
check-ins only when all muted them. Where the sweeper composes messages, each receiver then gets the
unit's reminders at their own time (:func:`deferred`: who wants it later today waits, the row goes
back to the outbox for then), and a receiver who muted check-ins while another did not is left out of
the check-in's message (:func:`without_muted`).

Everything is in the unit's plan, so the outbox's unique keys (assignment, due date, kind, day) keep
replanning idempotent across processes, and ``dondoc reminders preview`` shows the effect.

The send time holds for **every** reminder a focal point or deputy receives, not only the deadlines':
explanations asked of their unit are planned at the unit's send time too
(:func:`dondoc.scheduler.schedule.replan`) and put off for a receiver who wants them later like the
others (:data:`TIMED`); the figures reminders of the plan targets, which are not rows of the outbox, go
to each receiver at their own time (:func:`dondoc.scheduler.figures.due_figure_reminders`). After a
change (:func:`replan_for`) whatever is still pending follows it: the day's rows planned for a time
that is now past go out at once rather than being lost, rows put off for a receiver's time are looked
at again by the next pass, and reminders asked for again (*Nhắc lại sau*) move to the unit's new time.
Escalations, requests for more time and the weekly digest, all to managers, keep the organisation's
times.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from dondoc.db.models import Audience, MemberRole, ReminderKind, ReminderSetting
from dondoc.db.queries import ids_among, reachable_members
from dondoc.plan.policy import Policy
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.outbox import Digest
from dondoc.scheduler.planner import Planned
from dondoc.text import fold, match_key
from dondoc.tz import TZ

DAILY = "daily"
WEEKLY = "weekly"
DEFAULT_WEEKDAY = 0  # Monday
WORKING_WEEKDAYS = range(5)  # Monday … Friday: the days a digest may be chosen for
# Kinds a weekly digest gathers, and the one kind that may be muted; the others always come on the day.
GATHERED = frozenset({ReminderKind.BEFORE, ReminderKind.CHECKIN})
MUTABLE = frozenset({ReminderKind.CHECKIN})


class SettingError(ValueError):
    """A setting that cannot be stored, with the message to show (already translated)."""


@dataclass(frozen=True, slots=True)
class Personal:
    """A person's settings as stored: None follows the organisation's policy."""

    send_time: time | None = None
    frequency: str | None = None
    digest_weekday: int | None = None
    mute_checkins: bool | None = None

    @property
    def weekly(self) -> bool:
        return self.frequency == WEEKLY

    @property
    def weekday(self) -> int:
        return self.digest_weekday if self.digest_weekday is not None else DEFAULT_WEEKDAY

    @property
    def muted(self) -> bool:
        return bool(self.mute_checkins)

    @property
    def is_default(self) -> bool:
        return self == Personal()


@dataclass(frozen=True, slots=True)
class UnitPlan:
    """What a unit's receivers' settings change in its plan (see the module's rule)."""

    send_times: tuple[time | None, ...]  # each receiver's (None: the policy's); the earliest is the unit's
    weekday: int | None  # the weekly digest's day, None: daily
    mute_checkins: bool


# ---------------------------------------------------------------------- reading and storing


def _personal(row: ReminderSetting | None) -> Personal:
    if row is None:
        return Personal()
    return Personal(row.send_time, row.frequency, row.digest_weekday, row.mute_checkins)


def load(session: Session, person_id: int) -> Personal:
    """``person_id``'s settings (all None when they chose nothing)."""
    return _personal(session.exec(select(ReminderSetting).where(ReminderSetting.person_id == person_id)).first())


def load_many(session: Session, person_ids: Collection[int]) -> dict[int, Personal]:
    """The settings of the people who chose any, by person id."""
    if not person_ids:
        return {}
    rows = session.exec(select(ReminderSetting).where(ids_among(session, col(ReminderSetting.person_id), person_ids)))
    return {row.person_id: _personal(row) for row in rows}


def office_window(calendar: WorkCalendar) -> str:
    return f"{calendar.office_start:%H:%M}–{calendar.office_end:%H:%M}"


def check(calendar: WorkCalendar, settings: Personal) -> None:
    """Raise :class:`SettingError` naming the problem when ``settings`` cannot be stored."""
    from dondoc.i18n import _

    if settings.send_time is not None and not calendar.office_start <= settings.send_time < calendar.office_end:
        raise SettingError(
            _("{time} is outside office hours: choose a time from {start} to before {end}.").format(
                time=f"{settings.send_time:%H:%M}",
                start=f"{calendar.office_start:%H:%M}",
                end=f"{calendar.office_end:%H:%M}",
            )
        )
    if settings.frequency not in (None, DAILY, WEEKLY):
        raise SettingError(_("frequency {value}: expected daily or weekly").format(value=settings.frequency))
    if settings.digest_weekday is not None and settings.digest_weekday not in WORKING_WEEKDAYS:
        raise SettingError(_("a weekly digest day must be Monday to Friday"))


def save(session: Session, person_id: int, settings: Personal, now: datetime, calendar: WorkCalendar) -> Personal:
    """Store ``person_id``'s settings (checked first: nothing is written when they are not valid);
    all None removes the row: the organisation's policy again."""
    check(calendar, settings)
    row = session.exec(select(ReminderSetting).where(ReminderSetting.person_id == person_id)).first()
    if settings.is_default:
        if row is not None:
            session.delete(row)
            session.flush()
        return settings
    if row is None:
        row = ReminderSetting(person_id=person_id, updated_at=now)
    row.send_time, row.frequency = settings.send_time, settings.frequency
    row.digest_weekday = settings.digest_weekday if settings.weekly else None
    row.mute_checkins, row.updated_at = settings.mute_checkins, now
    session.add(row)
    session.flush()
    return _personal(row)


def forget(session: Session, person_id: int) -> None:
    """Remove ``person_id``'s settings (their personal data is erased)."""
    row = session.exec(select(ReminderSetting).where(ReminderSetting.person_id == person_id)).first()
    if row is not None:
        session.delete(row)


def replan_for(session: Session, person_id: int, calendar: WorkCalendar, now: datetime) -> None:
    """Their units' pending reminders follow the new settings at once (the daily replan would too):
    replanned (:func:`dondoc.scheduler.schedule.replan`: a row of today whose new time has passed goes
    out at once); rows put off for a receiver's own time (:func:`deferred`) due now, so that the next
    pass puts them off again only for those who still want them later; and the reminders asked for
    again (*Nhắc lại sau*) to the unit's new send time."""
    from dondoc.db.models import Assignment, Membership
    from dondoc.scheduler.schedule import replan

    units = session.exec(
        select(Membership.unit_id).where(
            Membership.person_id == person_id, col(Membership.role).in_((MemberRole.FOCAL, MemberRole.DEPUTY))
        )
    ).all()
    if not units:
        return
    ids = [i for i in session.exec(select(Assignment.id).where(col(Assignment.unit_id).in_(units))) if i is not None]
    if ids:
        replan(session, calendar, now, assignment_ids=ids)
        _follow(session, ids, calendar, now)


def _follow(session: Session, assignment_ids: list[int], calendar: WorkCalendar, now: datetime) -> None:
    """What :func:`dondoc.scheduler.schedule.replan` leaves alone among the pending focal reminders of
    ``assignment_ids``: the rows put off for a receiver's time are due now (the next
    pass sends each receiver what they want by then, and puts it off again for the others: nobody gets
    it twice, as every delivery is recorded per person); the snoozes move to the same day at the unit's
    send time (at once when that has passed today)."""
    from dondoc.db.models import Assignment, Reminder, ReminderState
    from dondoc.scheduler.schedule import unit_send_times

    rows = session.exec(
        select(Reminder, Assignment.unit_id)
        .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
        .where(
            col(Reminder.assignment_id).in_(assignment_ids),
            Reminder.state == ReminderState.PENDING,
            Reminder.audience == Audience.FOCAL,
            Reminder.attempts == 0,  # a retry keeps its time
            col(Reminder.send_at) > now,
        )
    ).all()
    snoozes = [(row, unit_id) for row, unit_id in rows if row.kind == ReminderKind.SNOOZE and row.claimed_at is None]
    times = unit_send_times(session, {unit_id for _row, unit_id in snoozes}, calendar) if snoozes else {}
    for row, unit_id in rows:
        if row.kind != ReminderKind.SNOOZE and row.claimed_at is not None:  # put off for someone's time
            row.send_at = now
        elif row.kind == ReminderKind.SNOOZE and row.claimed_at is None and unit_id in times:
            row.send_at = max(datetime.combine(row.send_on, times[unit_id], tzinfo=TZ), now)
        else:
            continue
        session.add(row)
    session.flush()


# ---------------------------------------------------------------------- typed values

_TIME = re.compile(r"([0-9]{1,2})\s*(?:(?::|h|\.|gio)\s*(?:([0-9]{2})\s*(?:phut|p)?)?)?", re.ASCII)
_WEEKDAYS = {
    0: ("thu 2", "thu hai", "t2", "monday", "mon", "2"),
    1: ("thu 3", "thu ba", "t3", "tuesday", "tue", "3"),
    2: ("thu 4", "thu tu", "t4", "wednesday", "wed", "4"),
    3: ("thu 5", "thu nam", "t5", "thursday", "thu", "5"),
    4: ("thu 6", "thu sau", "t6", "friday", "fri", "6"),
}


def read_time(text: str) -> time | None:
    """A time of day as people type it: 14:00, 14h, 14h30, 8.30, 14 giờ 30; None if it is not one."""
    match = _TIME.fullmatch(fold(text).lower().strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def read_weekday(text: str) -> int | None:
    """A working weekday as people type it: thứ 2, thứ Hai, T2, Monday; None if it is not one."""
    key = match_key(text)
    for day, names in _WEEKDAYS.items():
        if key in names:
            return day
    return None


# ---------------------------------------------------------------------- the effect on planning


def unit_plans(session: Session, unit_ids: Collection[int]) -> dict[int, UnitPlan]:
    """The units among ``unit_ids`` whose receivers' settings change their plan (see the module)."""
    if not unit_ids or session.exec(select(ReminderSetting.id).limit(1)).first() is None:
        return {}  # nobody chose anything: the planning of a year stays as fast as it was
    receivers: dict[int, set[int]] = defaultdict(set)
    for member in reachable_members(session, (MemberRole.FOCAL, MemberRole.DEPUTY), unit_ids=unit_ids, bound=True):
        if member.person.id is not None:
            receivers[member.unit_id].add(member.person.id)
    chosen = load_many(session, {p for people in receivers.values() for p in people})
    if not chosen:
        return {}
    found: dict[int, UnitPlan] = {}
    for unit_id, people in receivers.items():
        settings = [chosen.get(p, Personal()) for p in people]
        if all(s.is_default for s in settings):
            continue
        times = tuple(sorted({s.send_time for s in settings}, key=lambda t: (t is None, t)))
        weekdays = {s.weekday if s.weekly else None for s in settings}
        weekday = next(iter(weekdays)) if len(weekdays) == 1 else None
        plan = UnitPlan(times, weekday, all(s.muted for s in settings))
        if plan != UnitPlan((None,), None, False):
            found[unit_id] = plan
    return found


def personal_policy(policy: Policy, plan: UnitPlan | None, calendar: WorkCalendar) -> Policy:
    """The policy to plan a unit's focal reminders by: the unit's send time when its receivers chose one."""
    if plan is None:
        return policy
    usable = [t for t in plan.send_times if t is not None and calendar.office_start <= t < calendar.office_end]
    if None in plan.send_times or len(usable) < len(plan.send_times):  # someone keeps the policy's time
        usable.append(policy.send_time)
    earliest = min(usable)
    return policy if earliest == policy.send_time else policy.model_copy(update={"send_time": earliest})


def adjust(
    planned: Iterable[Planned],
    escalations: Iterable[Planned],
    plan: UnitPlan,
    calendar: WorkCalendar,
    *,
    after: datetime,
) -> list[Planned]:
    """A unit's reminders as its receivers want them: ``planned`` (by :func:`personal_policy`) for
    the focal points, without muted check-ins, the gathered kinds moved to the weekly digest day;
    escalations to managers from ``escalations`` (planned by the unit's own policy), unchanged."""
    result: list[Planned] = [p for p in escalations if p.audience == Audience.MANAGER]
    for item in planned:
        if item.audience == Audience.MANAGER:
            continue
        if plan.mute_checkins and item.kind in MUTABLE:
            continue
        if plan.weekday is not None and item.kind in GATHERED:
            moved = _digest_day(item.send_on, plan.weekday, calendar)
            at = datetime.combine(moved, item.send_at.astimezone(TZ).time(), tzinfo=TZ)
            if at <= after:
                continue  # that week's digest day has passed: it went then (or the digest began since)
            item = replace(item, send_at=at)
        result.append(item)
    return sorted(set(result))  # two reminders moved to the same digest day are one


def _digest_day(day: date, weekday: int, calendar: WorkCalendar) -> date:
    """The digest day of the week that ``day`` falls in (the seven days from a digest day), moved to
    the previous working day when it is a day off."""
    from datetime import timedelta

    start = day - timedelta(days=(day.weekday() - weekday) % 7)
    return calendar.on_or_before(start)


# ---------------------------------------------------------------------- the effect on sending


def mutes(settings: Personal | None, kind: str) -> bool:
    """Whether a receiver with ``settings`` is left out of a reminder of ``kind`` (a muted check-in)."""
    return settings is not None and settings.muted and kind in MUTABLE


def own_send_time(settings: Personal | None, calendar: WorkCalendar) -> time | None:
    """A receiver's chosen send time when it can be used (in office hours, as planning reads it);
    None: they get reminders at their unit's policy time."""
    own = settings.send_time if settings is not None else None
    if own is not None and not calendar.office_start <= own < calendar.office_end:
        return None
    return own


def receiver_moment(kind: str, taken: datetime, own: time | None, policy: time | None) -> datetime | None:
    """When a receiver gets a reminder of ``kind`` that a sweep takes at ``taken`` (on its planned day),
    if later than that: the same day at their own time ``own``, or at their unit's ``policy`` time when
    they chose none, for the kinds planned at the send time (:data:`TIMED`); None: at ``taken``."""
    at = own or policy
    if kind not in TIMED or at is None:
        return None
    local = taken.astimezone(TZ)
    return datetime.combine(local.date(), at, tzinfo=TZ) if at > local.time() else None


def without_muted(session: Session, digests: list[Digest]) -> tuple[list[Digest], list[int]]:
    """The digests without the check-ins their recipient muted (a unit whose receivers do not all
    mute them still plans them), and the reminder ids nobody receives any more: every receiver muted
    them. Nothing else is ever muted."""
    muting = {
        person_id: settings
        for person_id, settings in load_many(
            session, {d.recipient.person.id for d in digests if d.recipient.person.id is not None}
        ).items()
        if settings.muted
    }
    if not muting:
        return digests, []
    kept: list[Digest] = []
    received: set[int] = set()
    dropped: set[int] = set()
    for digest in digests:
        settings = muting.get(digest.recipient.person.id or 0)
        if settings is not None:
            items = [item for item in digest.items if not mutes(settings, item.kind)]
            dropped.update(item.reminder_id for item in digest.items if mutes(settings, item.kind))
            digest = replace(digest, items=items)
        received.update(digest.reminder_ids)
        if digest.items:
            kept.append(digest)
    return kept, sorted(dropped - received)


# Kinds planned at the receivers' send time: a shared unit's one goes to each receiver at their own.
TIMED = frozenset(
    {ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.OVERDUE, ReminderKind.CHECKIN, ReminderKind.EXPLANATION}
)


def deferred(
    session: Session,
    digests: list[Digest],
    now: datetime,
    calendar: WorkCalendar,
    policy_times: Callable[[set[int]], Mapping[int, time]],
) -> tuple[list[Digest], dict[int, datetime]]:
    """The digests without what their recipient wants later today, and each reminder left out for
    someone with the earliest such time (it goes back to the outbox for then).

    A unit's reminder is planned at the earliest send time among its receivers (:func:`personal_policy`);
    each receiver gets it at their own: their chosen time, or their unit's policy time
    (``policy_times`` gives them by unit id) when they chose none. Only the kinds planned at the send
    time (:data:`TIMED`) wait, those of the day ``now`` and those missed on an earlier day (the job was
    down) alike; escalations to managers, snoozes and the others never.
    When nobody chose anything, nothing waits (every row is planned at the policy's time)."""
    timed = [d for d in digests if d.audience != Audience.MANAGER and any(i.kind in TIMED for i in d.items)]
    if not timed or session.exec(select(ReminderSetting.id).limit(1)).first() is None:
        return digests, {}
    chosen = load_many(session, {d.recipient.person.id for d in timed if d.recipient.person.id is not None})
    policy = policy_times({item.unit_id for d in timed for item in d.items})
    later: dict[int, datetime] = {}
    kept: list[Digest] = []
    for digest in digests:
        if digest.audience == Audience.MANAGER:
            kept.append(digest)
            continue
        own = own_send_time(chosen.get(digest.recipient.person.id or 0), calendar)
        items = []
        for item in digest.items:
            moment = receiver_moment(item.kind, now, own, policy.get(item.unit_id))
            if moment is not None:  # (one missed on an earlier day too: with the day's, at their time)
                later[item.reminder_id] = min(later.get(item.reminder_id, moment), moment)
            else:
                items.append(item)
        if items:
            kept.append(replace(digest, items=items) if len(items) < len(digest.items) else digest)
    return kept, later
