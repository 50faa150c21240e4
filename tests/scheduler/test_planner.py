"""The reminder policy: which reminders a deadline gets and when, on Vietnamese working days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest

from dondoc.db.models import Role
from dondoc.plan.policy import Policy
from dondoc.scheduler.calendar import Overrides, WorkCalendar
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.planner import Planned, schedule_checkins, schedule_occurrence

CALENDAR = WorkCalendar()
POLICY = Policy()
START = datetime(2022, 1, 1, tzinfo=TZ)
YEAR_END = date(2022, 12, 31)
TET = date(2022, 1, 31)  # Monday, Lunar New Year's Eve: task I.1 of the sample plan is due that day


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def summary(planned: list[Planned]) -> list[tuple[date, str, str]]:
    return [(p.send_on, p.kind, p.audience) for p in planned]


def lead(due: date, *, after: datetime = START, until: date = YEAR_END) -> list[Planned]:
    return schedule_occurrence(due, Role.LEAD, CALENDAR, POLICY, after=after, until=until)


def before_due(planned: list[Planned]) -> list[tuple[date, str, str]]:
    return [(p.send_on, p.kind, p.audience) for p in planned if p.kind in ("before", "due")]


def test_the_tet_example() -> None:
    planned = lead(TET, until=date(2022, 2, 10))
    assert summary(planned) == [
        (date(2022, 1, 24), "before", "focal"),  # D−7
        (date(2022, 1, 28), "due", "focal"),  # D−3, the working day before and D itself (Tết), merged
        (date(2022, 2, 7), "overdue", "focal"),  # 1st working day after D (Tết, then a weekend)
        (date(2022, 2, 9), "escalation", "manager"),  # 3rd working day after D
        (date(2022, 2, 9), "overdue", "focal"),  # 3rd
    ]
    assert all(p.send_at == at(p.send_on) and p.due == TET for p in planned)
    assert planned[0].send_at.isoformat() == "2022-01-24T08:00:00+07:00"
    assert planned == sorted(planned)


def test_supporting_units_get_the_week_before_only() -> None:
    planned = schedule_occurrence(TET, Role.SUPPORT, CALENDAR, POLICY, after=START, until=YEAR_END)
    assert summary(planned) == [(date(2022, 1, 24), "before", "focal")]
    # D−7 on a Saturday moves to the Friday before
    planned = schedule_occurrence(date(2022, 6, 25), Role.SUPPORT, CALENDAR, POLICY, after=START, until=YEAR_END)
    assert summary(planned) == [(date(2022, 6, 17), "before", "focal")]


def test_due_on_a_weekend() -> None:
    planned = lead(date(2022, 6, 18))  # Saturday
    assert before_due(planned) == [
        (date(2022, 6, 10), "before", "focal"),  # D−7 is a Saturday too: Friday 10/06
        (date(2022, 6, 15), "before", "focal"),  # D−3
        (date(2022, 6, 17), "due", "focal"),  # the working day before and D moved back: merged
    ]
    overdue = [p.send_on for p in planned if p.kind == "overdue"]
    assert overdue[:3] == [date(2022, 6, 20), date(2022, 6, 22), date(2022, 6, 24)]
    assert [p.send_on for p in planned if p.kind == "escalation"] == [date(2022, 6, 22)]


def test_due_on_national_day() -> None:
    planned = lead(date(2022, 9, 2))  # Friday, Quốc khánh (01–02/09 off)
    assert before_due(planned) == [
        (date(2022, 8, 26), "before", "focal"),
        (date(2022, 8, 30), "before", "focal"),
        (date(2022, 8, 31), "due", "focal"),
    ]
    assert [p.send_on for p in planned if p.kind == "overdue"][:2] == [date(2022, 9, 5), date(2022, 9, 7)]
    assert [p.send_on for p in planned if p.kind == "escalation"] == [date(2022, 9, 7)]


def test_an_ordinary_deadline() -> None:
    planned = lead(date(2022, 3, 31))  # Thursday
    assert before_due(planned) == [
        (date(2022, 3, 24), "before", "focal"),
        (date(2022, 3, 28), "before", "focal"),
        (date(2022, 3, 30), "before", "focal"),
        (date(2022, 3, 31), "due", "focal"),
    ]


def test_after_drops_what_is_already_past() -> None:
    assert before_due(lead(TET, after=at(date(2022, 1, 24), 7, 59)))[0] == (date(2022, 1, 24), "before", "focal")
    planned = lead(TET, after=at(date(2022, 1, 24)))  # send_at <= after is dropped
    assert before_due(planned) == [(date(2022, 1, 28), "due", "focal")]
    planned = lead(TET, after=at(date(2022, 2, 8), 12))
    assert summary(planned)[:3] == [
        (date(2022, 2, 9), "escalation", "manager"),
        (date(2022, 2, 9), "overdue", "focal"),
        (date(2022, 2, 11), "overdue", "focal"),
    ]
    assert lead(TET, after=datetime(2022, 1, 24, 0, 59)) == lead(TET, after=datetime(2022, 1, 23, 18, 0))


def test_until_bounds_the_plan() -> None:
    assert summary(lead(TET, until=date(2022, 1, 27))) == [(date(2022, 1, 24), "before", "focal")]
    assert [p.kind for p in lead(TET, until=date(2022, 2, 8))] == ["before", "due", "overdue"]
    assert lead(TET, until=date(2022, 1, 23)) == []


def test_done_stops_everything() -> None:
    assert schedule_occurrence(TET, Role.LEAD, CALENDAR, POLICY, after=START, until=YEAR_END, done_on=TET) == []
    assert schedule_occurrence(TET, Role.SUPPORT, CALENDAR, POLICY, after=START, until=YEAR_END, done_on=TET) == []


def test_overdue_every_second_working_day_then_weekly() -> None:
    overdue = [p.send_on for p in lead(TET) if p.kind == "overdue"]
    switch = TET + timedelta(days=60)  # 01/04/2022
    first_phase = [d for d in overdue if d <= switch]
    assert first_phase == CALENDAR.working_days_between(TET + timedelta(days=1), switch)[::2]
    assert first_phase[-1] == date(2022, 3, 31)
    weekly = [d for d in overdue if d > switch]
    assert weekly[:3] == [date(2022, 4, 7), date(2022, 4, 14), date(2022, 4, 21)]
    # Thursdays, except 01/09 (Quốc khánh) moved back to Wednesday 31/08; the weekday holds after it
    assert [d for d in weekly if d.weekday() != 3] == [date(2022, 8, 31)]
    assert date(2022, 9, 8) in weekly
    assert all(0 < (b - a).days <= 8 for a, b in pairwise(weekly))
    assert weekly[-1] == date(2022, 12, 29)


def test_weekly_nudges_after_a_long_break() -> None:
    # 04–15/07 off: the weekly nudge of 11/07 would move back onto the one of 01/07, so it moves
    # forward to the first working day after the break, and the weeks count on from there
    long_break = Overrides(days_off=frozenset(date(2022, 7, 4) + timedelta(days=i) for i in range(12)))
    calendar = WorkCalendar(long_break)
    planned = schedule_occurrence(date(2022, 4, 29), Role.LEAD, calendar, POLICY, after=START, until=date(2022, 8, 10))
    overdue = [p.send_on for p in planned if p.kind == "overdue"]
    assert overdue[-6:] == [
        date(2022, 6, 27),  # the last of every other working day (D+60 = 28/06)
        date(2022, 7, 1),  # 04/07 moved back
        date(2022, 7, 18),
        date(2022, 7, 25),
        date(2022, 8, 1),
        date(2022, 8, 8),
    ]
    assert len(overdue) == len(set(overdue)) and overdue == sorted(overdue)
    assert all(calendar.is_working_day(d) for d in overdue)


def test_nothing_on_a_weekend_or_holiday() -> None:
    holidays_2022 = {d for d in (START.date() + timedelta(days=i) for i in range(365)) if d.weekday() < 5}
    holidays_2022 = {d for d in holidays_2022 if not CALENDAR.is_working_day(d)}
    assert len(holidays_2022) == 11
    for offset in range(-10, 375):
        due = START.date() + timedelta(days=offset)
        for role in Role:
            for p in schedule_occurrence(due, role, CALENDAR, POLICY, after=START, until=YEAR_END):
                assert p.send_on.weekday() < 5 and p.send_on not in holidays_2022, (due, p)
                assert p.send_at.time() == time(8, 0) and p.send_at.utcoffset() == timedelta(hours=7)
                assert p.send_at > START and p.send_on <= YEAR_END


def test_checkins() -> None:
    planned = schedule_checkins(2022, CALENDAR, POLICY, after=START, until=YEAR_END)
    assert summary(planned) == [
        (date(2022, 3, 1), "checkin", "focal"),  # Tuesday
        (date(2022, 6, 1), "checkin", "focal"),  # Wednesday
        (date(2022, 9, 5), "checkin", "focal"),  # 01–02/09 Quốc khánh, 03–04 a weekend
        (date(2022, 12, 1), "checkin", "focal"),
    ]
    assert [p.due for p in planned] == [p.send_on for p in planned]
    later = schedule_checkins(2022, CALENDAR, POLICY, after=at(date(2022, 3, 1)), until=date(2022, 9, 30))
    assert [p.send_on for p in later] == [date(2022, 6, 1), date(2022, 9, 5)]


def test_a_recent_report_skips_the_checkin() -> None:
    planned = schedule_checkins(2022, CALENDAR, POLICY, after=START, until=YEAR_END, last_report_on=date(2022, 2, 15))
    assert [p.send_on for p in planned] == [date(2022, 6, 1), date(2022, 9, 5), date(2022, 12, 1)]
    planned = schedule_checkins(2022, CALENDAR, POLICY, after=START, until=YEAR_END, last_report_on=date(2022, 1, 31))
    assert len(planned) == 4


def test_policy_from_settings() -> None:
    assert Policy.from_settings({}) == Policy() == Policy.from_settings(None)
    policy = Policy.from_settings(
        {"send_time": "08:30", "lead_days_before": [10, 3], "overdue_every": 3, "escalate_on_working_day": 0}
    )
    assert policy.send_time == time(8, 30)
    assert policy.lead_days_before == (10, 3)
    planned = schedule_occurrence(date(2022, 3, 31), Role.LEAD, CALENDAR, policy, after=START, until=date(2022, 4, 30))
    assert all(p.send_at.time() == time(8, 30) for p in planned)
    assert before_due(planned)[0] == (date(2022, 3, 21), "before", "focal")
    assert not [p for p in planned if p.kind == "escalation"]
    overdue = [p.send_on for p in planned if p.kind == "overdue"]
    assert overdue[:2] == [date(2022, 4, 1), date(2022, 4, 6)]  # 1st and 4th working day (11/04 is Giỗ Tổ)
    quiet = Policy.from_settings({"overdue_every": 0, "lead_working_day_before": False, "lead_on_due": False})
    planned = schedule_occurrence(date(2022, 3, 31), Role.LEAD, CALENDAR, quiet, after=START, until=YEAR_END)
    assert summary(planned) == [
        (date(2022, 3, 24), "before", "focal"),
        (date(2022, 3, 28), "before", "focal"),
        (date(2022, 4, 5), "escalation", "manager"),
    ]


@pytest.mark.parametrize(
    "settings",
    [
        {"sendtime": "08:00"},
        {"send_time": "8 giờ"},
        {"send_time": 8},
        {"lead_days_before": 7},
        {"lead_days_before": [0]},
        {"overdue_every": -1},
        {"overdue_every": "2"},
        {"lead_on_due": "yes"},
        {"checkin_months": [13]},
        {"weekly_digest_weekday": 7},
    ],
)
def test_bad_settings(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy.from_settings(settings)


def test_send_time_outside_office_hours_uses_the_office_start() -> None:
    early = Policy(send_time=time(6, 0))
    planned = schedule_occurrence(TET, Role.SUPPORT, CALENDAR, early, after=START, until=YEAR_END)
    assert [p.send_at for p in planned] == [at(date(2022, 1, 24), 7, 30)]
