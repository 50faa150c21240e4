"""The reminder policy as pure functions: which reminders one deadline (or one continuous task)
gets, and when. No database: the outbox writer and ``dondoc reminders preview`` feed it.

For a deadline ``D`` of an assignment that is not done (defaults of :class:`~dondoc.plan.policy.Policy`):

- the lead unit is reminded at 08:00 on ``D−7`` and ``D−3`` (calendar days) and on the working day
  before ``D`` (kind ``before``), and on ``D`` (kind ``due``). A reminder that falls on a day off
  moves to the previous working day; reminders that land on the same day merge into one, with the
  kind of the latest (so ``due`` wins over ``before``);
- supporting units get the ``D−7`` reminder only, moved the same way;
- once ``D`` has passed, the lead unit is nudged (``overdue``) on the 1st, 3rd, 5th … working day
  after ``D``; from 60 calendar days after ``D`` on, weekly: 7 calendar days after the previous
  nominal nudge (so the weekday holds), moved to the previous working day; when that would not be
  after the previous nudge (a long break), to the next working day instead, and the week counts on
  from there;
- on the 3rd working day after ``D`` the lead unit's managers get one ``escalation``;
- a continuous task ("Thường xuyên") has no deadline: its lead unit gets a ``checkin`` on the first
  working day of March, June, September and December, unless it reported since the first day of
  the month before.

Nothing is planned at or before ``after`` (reminders already due by then are the past) nor after
``until``. Everything works on day ordinals and the calendar's cached, sorted working days, so a
year for tens of thousands of assignments plans in well under a second or two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from dondoc.db.models import Audience, ReminderKind, Role
from dondoc.plan.policy import Policy
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.tz import TZ, in_vietnam


@dataclass(frozen=True, order=True, slots=True)
class Planned:
    """One reminder to send: when, what kind, for which deadline, to whom."""

    send_at: datetime  # aware, Asia/Ho_Chi_Minh
    kind: ReminderKind
    due: date  # the occurrence's due date (for a check-in: the check-in day)
    audience: Audience

    @property
    def send_on(self) -> date:
        return self.send_at.astimezone(TZ).date()


# Send instants by (send time, day ordinal): the same few hundred days come back for every assignment.
_AT: dict[time, dict[int, datetime]] = {}


def _instants(send_time: time) -> dict[int, datetime]:
    cache = _AT.get(send_time)
    if cache is None:
        cache = _AT[send_time] = {}
    return cache


def _at(cache: dict[int, datetime], ordinal: int, send_time: time) -> datetime:
    moment = cache.get(ordinal)
    if moment is None:
        moment = cache[ordinal] = datetime.combine(date.fromordinal(ordinal), send_time, tzinfo=TZ)
    return moment


def _send_time(calendar: WorkCalendar, policy: Policy) -> time:
    """The policy's time of day, or the office start when it falls outside office hours."""
    if calendar.office_start <= policy.send_time < calendar.office_end:
        return policy.send_time
    return calendar.office_start


def planned_send_time(calendar: WorkCalendar, policy: Policy) -> time:
    """The time of day that reminders planned by ``policy`` are sent at."""
    return _send_time(calendar, policy)


def _first_ordinal(after: datetime, send_time: time) -> int:
    """The first day whose send time is strictly after ``after``."""
    local = in_vietnam(after)
    ordinal = local.date().toordinal()
    return ordinal if local.time() < send_time else ordinal + 1


def schedule_occurrence(
    due: date,
    role: Role,
    calendar: WorkCalendar,
    policy: Policy,
    *,
    after: datetime,
    until: date,
    done_on: date | None = None,
) -> list[Planned]:
    """The reminders of one deadline of one assignment, sent after ``after`` and on or before ``until``.

    ``done_on`` is the completion date when the assignment's done report closed this deadline:
    then there is nothing to remind.
    """
    if done_on is not None:
        return []
    send_time = _send_time(calendar, policy)
    first = _first_ordinal(after, send_time)
    last = until.toordinal()
    d = due.toordinal()
    before = calendar.ordinal_on_or_before
    # (day ordinal, kind, audience); sorted as tuples, which is the order of the Planned built from them
    found: list[tuple[int, ReminderKind, Audience]] = []

    if role == Role.LEAD:
        nominal: list[tuple[int, bool, ReminderKind]] = [
            (d - n, False, ReminderKind.BEFORE) for n in policy.lead_days_before
        ]
        if policy.lead_working_day_before:
            nominal.append((before(d - 1), False, ReminderKind.BEFORE))
        if policy.lead_on_due:
            nominal.append((d, True, ReminderKind.DUE))
        nominal.sort()
        merged: dict[int, ReminderKind] = {}
        for day, _is_due, kind in nominal:
            merged[before(day)] = kind  # the latest nominal day wins the kind
        found.extend((day, kind, Audience.FOCAL) for day, kind in merged.items() if first <= day <= last)
        found.extend(_overdue(d, calendar, policy, first, last))
        if policy.escalate_on_working_day and d < last:
            day = calendar.ordinal_working_day_after(d, policy.escalate_on_working_day)
            if first <= day <= last:
                found.append((day, ReminderKind.ESCALATION, Audience.MANAGER))
    else:
        days = {before(d - n) for n in policy.support_days_before}
        found.extend((day, ReminderKind.BEFORE, Audience.FOCAL) for day in days if first <= day <= last)

    found.sort()
    cache = _instants(send_time)
    return [Planned(_at(cache, day, send_time), kind, due, audience) for day, kind, audience in found]


def _overdue(
    d: int, calendar: WorkCalendar, policy: Policy, first: int, last: int
) -> list[tuple[int, ReminderKind, Audience]]:
    """Overdue nudges of a deadline ``d`` (an ordinal): every n-th working day after it, then weekly."""
    every = policy.overdue_every
    if not every or last <= d:
        return []
    switch = d + policy.overdue_weekly_after_days
    window = calendar.ordinals_after(d, min(last, switch))
    days = window[::every]
    if not days:
        one = calendar.ordinal_working_day_after(d, 1)
        if one > last:
            return []
        days = [one]
    previous = nominal = days[-1]
    on_or_before = calendar.ordinal_on_or_before
    while last > switch:
        nominal += 7
        day = on_or_before(nominal)
        if day <= previous:  # a long break: move forward instead, and count the next week from there
            day = nominal = calendar.ordinal_on_or_after(max(nominal, previous + 1))
        if day > last:
            break
        days.append(day)
        previous = day
    return [(day, ReminderKind.OVERDUE, Audience.FOCAL) for day in days if day >= first]


def schedule_checkins(
    year: int,
    calendar: WorkCalendar,
    policy: Policy,
    *,
    after: datetime,
    until: date,
    last_report_on: date | None = None,
) -> list[Planned]:
    """Check-ins of a continuous task's lead unit in ``year``: the first working day of each check-in
    month, skipped when the unit reported (``last_report_on``) since the first day of the month before."""
    send_time = _send_time(calendar, policy)
    first = _first_ordinal(after, send_time)
    last = until.toordinal()
    cache = _instants(send_time)
    planned: list[Planned] = []
    for month in sorted(set(policy.checkin_months)):
        day = calendar.ordinal_on_or_after(date(year, month, 1).toordinal())
        if not first <= day <= last:
            continue
        if last_report_on is not None:
            window = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
            if last_report_on >= window:
                continue
        planned.append(Planned(_at(cache, day, send_time), ReminderKind.CHECKIN, date.fromordinal(day), Audience.FOCAL))
    return planned
