"""The reminder policy as pure functions: which reminders one deadline (or one continuous task)
gets, and when. No database: the outbox writer and ``dondoc reminders preview`` feed it.

For a deadline ``D`` of an assignment that is not done (defaults of :class:`Policy`):

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

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any, Literal, get_args

from dondoc.db.models import Role
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ

Kind = Literal["before", "due", "overdue", "escalation", "checkin"]
Audience = Literal["focal", "manager"]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class Policy:
    """When to remind; an organisation overrides any field in its settings (see :meth:`from_settings`).

    ``overdue_every = 0`` turns overdue nudges off and ``escalate_on_working_day = 0`` escalations.
    """

    send_time: time = time(8, 0)
    lead_days_before: tuple[int, ...] = (7, 3)
    lead_working_day_before: bool = True
    lead_on_due: bool = True
    support_days_before: tuple[int, ...] = (7,)
    overdue_every: int = 2  # every n-th working day after the deadline: the 1st, 3rd, 5th … for 2
    overdue_weekly_after_days: int = 60  # calendar days after the deadline, then weekly
    escalate_on_working_day: int = 3
    checkin_months: tuple[int, ...] = (3, 6, 9, 12)
    weekly_digest_weekday: int = 0  # Monday; for the managers' digest

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.send_time, time) or self.send_time.tzinfo is not None:
            problems.append(f"send_time: expected a local time of day, not {self.send_time!r}")
        for name in ("lead_days_before", "support_days_before"):
            value = getattr(self, name)
            if not _ints(value) or any(n < 1 for n in value):
                problems.append(f"{name}: expected whole numbers of days >= 1, not {value!r}")
        for name in ("lead_working_day_before", "lead_on_due"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name}: expected true or false, not {getattr(self, name)!r}")
        for name in ("overdue_every", "overdue_weekly_after_days", "escalate_on_working_day"):
            value = getattr(self, name)
            if not _int(value) or value < 0:
                problems.append(f"{name}: expected a whole number >= 0, not {value!r}")
        if not _ints(self.checkin_months) or any(not 1 <= m <= 12 for m in self.checkin_months):
            problems.append(f"checkin_months: expected months 1 to 12, not {self.checkin_months!r}")
        if not _int(self.weekly_digest_weekday) or not 0 <= self.weekly_digest_weekday <= 6:
            problems.append(
                f"weekly_digest_weekday: expected 0 (Monday) to 6 (Sunday), not {self.weekly_digest_weekday!r}"
            )
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Policy:
        """The default policy with the fields that ``settings`` gives, as JSON writes them.

        ``settings`` is the reminder section of an organisation's settings (by convention
        ``Organization.settings["reminders"]``): ``{"send_time": "08:30", "lead_days_before": [10, 3],
        "overdue_every": 3}``. Unknown keys and bad values raise :class:`ValueError`.
        """
        if not settings:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in settings if k not in known)
        if unknown:
            raise ValueError(f"unknown reminder settings: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in settings.items():
            if key == "send_time":
                values[key] = _time(value)
            elif key in ("lead_days_before", "support_days_before", "checkin_months"):
                if not isinstance(value, list | tuple):
                    raise ValueError(f"{key}: expected a list of whole numbers, not {value!r}")
                values[key] = tuple(value)
            else:
                values[key] = value
        return cls(**values)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(value: Any) -> bool:
    return isinstance(value, tuple) and all(_int(v) for v in value)


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed
    raise ValueError(f"send_time: expected a time of day such as 08:00, not {value!r}")


@dataclass(frozen=True, order=True, slots=True)
class Planned:
    """One reminder to send: when, what kind, for which deadline, to whom."""

    send_at: datetime  # aware, Asia/Ho_Chi_Minh
    kind: Kind
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


def _first_ordinal(after: datetime, send_time: time) -> int:
    """The first day whose send time is strictly after ``after``."""
    local = after.replace(tzinfo=TZ) if after.tzinfo is None else after.astimezone(TZ)
    ordinal = local.date().toordinal()
    return ordinal if local.time() < send_time else ordinal + 1


def plan_occurrence(
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
    found: list[tuple[int, Kind, Audience]] = []

    if role == Role.LEAD:
        nominal: list[tuple[int, bool, Kind]] = [(d - n, False, "before") for n in policy.lead_days_before]
        if policy.lead_working_day_before:
            nominal.append((before(d - 1), False, "before"))
        if policy.lead_on_due:
            nominal.append((d, True, "due"))
        nominal.sort()
        merged: dict[int, Kind] = {}
        for day, _is_due, kind in nominal:
            merged[before(day)] = kind  # the latest nominal day wins the kind
        found.extend((day, kind, "focal") for day, kind in merged.items() if first <= day <= last)
        found.extend(_overdue(d, calendar, policy, first, last))
        if policy.escalate_on_working_day and d < last:
            day = calendar.ordinal_working_day_after(d, policy.escalate_on_working_day)
            if first <= day <= last:
                found.append((day, "escalation", "manager"))
    else:
        days = {before(d - n) for n in policy.support_days_before}
        found.extend((day, "before", "focal") for day in days if first <= day <= last)

    found.sort()
    cache = _instants(send_time)
    return [Planned(_at(cache, day, send_time), kind, due, audience) for day, kind, audience in found]


def _overdue(d: int, calendar: WorkCalendar, policy: Policy, first: int, last: int) -> list[tuple[int, Kind, Audience]]:
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
    return [(day, "overdue", "focal") for day in days if day >= first]


def plan_checkins(
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
        planned.append(Planned(_at(cache, day, send_time), "checkin", date.fromordinal(day), "focal"))
    return planned
