"""Reminders for the plan targets' figures: a unit that has not sent a period's figures is reminded
like a deadline — before the due day, on it, and every few working days once late — on working days,
until it sends them or :attr:`~dondoc.plan.figures.Windows.remind_for_days` pass. Each receiver gets it
at their own send time (``/nhacviec``, :func:`dondoc.scheduler.personal.own_send_time`), or at their
unit's policy time (08:00 unless the registry says otherwise) when they chose none, as their deadline
reminders: a unit's focal point and deputy with different times each get it once, at their own.

The due day is the end of the period's reporting window plus ``due_days`` (the CCHC windows: the
figures of the first quarter, 15/12–14/03, are due on 15/03). Each message is claimed by a unique key
in the ``dispatch`` table before it is sent (like the weekly digest), so a restart or a second
process sends it once. Its text comes from the handlers (:class:`FigureTexts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol, TypeVar, runtime_checkable

from sqlmodel import Session, col, select

from dondoc.db.models import Organization, PlanTarget, ReminderKind, Unit
from dondoc.i18n import normalize_language, use_language
from dondoc.plan.absences import Cover, FocalRecipient, focal_recipients
from dondoc.plan.figures import Period, Windows
from dondoc.plan.targets import latest_figures, list_targets, target_every, windows_of
from dondoc.scheduler import personal
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.weekly import WeeklyDigest, _claim
from dondoc.tz import in_vietnam

M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)
SEND_TIME = time(8, 0)  # the policy's default send time: a unit whose policy cannot be read


@dataclass(frozen=True)
class Owed:
    """A target's figures a unit has not sent: for ``period``, due on ``due``; ``kind`` is a
    :class:`ReminderKind` value (before, due, overdue)."""

    target: PlanTarget
    period: Period
    due: date
    kind: str


@runtime_checkable
class FigureTexts(Protocol[M_co]):
    def figures_due(self, unit: Unit, owed: list[Owed], today: date, covering: Sequence[Cover] = ()) -> M_co:
        """The reminder to a unit's focal points about the figures it owes (to someone standing in for
        the people ``covering`` names, who are away)."""
        ...


def owed_today(
    session: Session, organization: Organization, calendar: WorkCalendar, today: date
) -> dict[int, list[Owed]]:
    """Per unit id, the figures it owes that are reminded today."""
    return owed_on_days(session, organization, calendar, [today]).get(today, {})


def owed_on_days(
    session: Session,
    organization: Organization,
    calendar: WorkCalendar,
    days: Collection[date],
    reported_until: datetime | None = None,
) -> dict[date, dict[int, list[Owed]]]:
    """For each of ``days`` on which figures are reminded, per unit id, the figures it owes then
    (counting only those reported by ``reported_until``, when given: ``dondoc reminders preview``
    foresees the reminders as if no figures came after it). Three queries whatever the days."""
    assert organization.id is not None
    working = sorted(day for day in set(days) if calendar.is_working_day(day))
    if not working:
        return {}
    targets = list_targets(session, organization.id)
    if not targets:
        return {}
    windows = windows_of(organization)
    asked = {day: found for day in working if (found := _asked(targets, windows, calendar, day))}
    if not asked:
        return {}
    latest = latest_figures(
        session,
        sorted({t.id for found in asked.values() for t, *_rest in found if t.id is not None}),
        sorted({p.key for found in asked.values() for _t, p, *_r in found}),
        reported_until,
    )
    units = {
        u.code: u for u in session.exec(select(Unit).where(Unit.organization_id == organization.id, col(Unit.active)))
    }
    result: dict[date, dict[int, list[Owed]]] = {}
    for day, found in asked.items():
        owed: dict[int, list[Owed]] = defaultdict(list)
        for target, period, due, kind in found:
            for code in target.units:
                unit = units.get(code)
                if unit is None or unit.id is None or (target.id, unit.id, period.key) in latest:
                    continue
                owed[unit.id].append(Owed(target, period, due, kind))
        if owed:
            result[day] = dict(owed)
    return result


def _asked(
    targets: Sequence[PlanTarget], windows: Windows, calendar: WorkCalendar, today: date
) -> list[tuple[PlanTarget, Period, date, str]]:
    """The targets whose figures are reminded ``today`` (a working day): each with its period, due
    day and the kind of reminder (before, due, overdue)."""
    asked: list[tuple[PlanTarget, Period, date, str]] = []
    for target in targets:
        period = windows.current(target_every(target), today)
        due = windows.due(period)
        before = calendar.on_or_before(date.fromordinal(due.toordinal() - windows.remind_days_before))
        due_day = calendar.on_or_before(due)
        kind: str | None = None
        if today == due_day:
            kind = ReminderKind.DUE.value
        elif today == before and windows.remind_days_before > 0:
            kind = ReminderKind.BEFORE.value
        elif due < today <= date.fromordinal(due.toordinal() + windows.remind_for_days):
            late = len(calendar.working_days_between(date.fromordinal(due.toordinal() + 1), today))
            if late > 0 and late % max(1, windows.overdue_every) == 0:
                kind = ReminderKind.OVERDUE.value
        if kind is not None:
            asked.append((target, period, due, kind))
    return asked


def due_figure_reminders(
    session: Session,
    now: datetime,
    calendar: WorkCalendar,
    texts: FigureTexts[M],
    channels: Collection[str] | None = None,
) -> list[WeeklyDigest[M]]:
    """Today's reminders about missing figures not yet claimed: claimed now for the caller, one per
    focal point or deputy of each unit that owes figures (or whoever stands in for those away:
    :func:`dondoc.plan.absences.focal_recipients`) once their send time has come (:func:`send_times`),
    rendered in the person's language."""
    local = in_vietnam(now)
    if local.time() < calendar.office_start:  # nobody's send time is earlier
        return []
    today = local.date()
    messages: list[WeeklyDigest[M]] = []
    for org in session.exec(select(Organization)):
        owed = owed_today(session, org, calendar, today)
        if not owed:
            continue
        recipients = focal_recipients(session, list(owed), today, channels)
        at = send_times(session, recipients, calendar)
        for unit_id, people in recipients.items():
            for recipient in people:
                person, account = recipient.person, recipient.account
                if local.time() < at.get((unit_id, person.id or 0), SEND_TIME):
                    continue  # later today, at their own time
                key = f"figures:{today.isoformat()}:unit:{unit_id}:person:{person.id}"
                if not _claim(session, key, now):
                    continue
                unit = session.get(Unit, unit_id)
                assert unit is not None
                with use_language(person.language or normalize_language(account.language_code)):
                    message = texts.figures_due(unit, owed[unit_id], today, recipient.covering)
                messages.append(WeeklyDigest(key, account, message))
    return messages


def send_times(
    session: Session, recipients: Mapping[int, Sequence[FocalRecipient]], calendar: WorkCalendar
) -> dict[tuple[int, int], time]:
    """The time of day each receiver of each unit (by unit id and person id) gets its figures reminder:
    their own send time when they chose one that can be used, else their unit's policy time."""
    from dondoc.scheduler.schedule import policy_times

    chosen = personal.load_many(session, {r.person.id for people in recipients.values() for r in people if r.person.id})
    unit_times = policy_times(session, set(recipients), calendar)
    return {
        (unit_id, r.person.id or 0): personal.own_send_time(chosen.get(r.person.id or 0), calendar)
        or unit_times.get(unit_id, SEND_TIME)
        for unit_id, people in recipients.items()
        for r in people
    }
