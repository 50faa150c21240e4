"""Vietnamese working days and office hours, with a body's own overrides file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from dondoc.plan.problems import InputError
from dondoc.scheduler.calendar import OFFICE_END, OFFICE_START, Overrides, WorkCalendar, calendar_from_env
from dondoc.scheduler.clock import TZ

ROOT = Path(__file__).resolve().parents[2]

# The days off in lieu are included: 01/01 was a Saturday, Giỗ Tổ (10/04) a Sunday, 30/04–01/05 a weekend.
HOLIDAYS_2022 = [
    date(2022, 1, 3),
    date(2022, 1, 31),
    date(2022, 2, 1),
    date(2022, 2, 2),
    date(2022, 2, 3),
    date(2022, 2, 4),
    date(2022, 4, 11),
    date(2022, 5, 2),
    date(2022, 5, 3),
    date(2022, 9, 1),
    date(2022, 9, 2),
]


def days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def test_working_days_of_2022() -> None:
    calendar = WorkCalendar()
    working = [d for d in days(2022) if calendar.is_working_day(d)]
    assert all(d.weekday() < 5 for d in working)
    assert not set(HOLIDAYS_2022) & set(working)
    assert len(working) == 260 - len(HOLIDAYS_2022)
    assert calendar.is_working_day(date(2022, 1, 28))
    assert not calendar.is_working_day(date(2022, 1, 29))  # Saturday


def test_other_years_load_lazily() -> None:
    calendar = WorkCalendar()
    assert not calendar.is_working_day(date(2023, 1, 23))  # Tết Quý Mão
    assert not calendar.is_working_day(date(2021, 2, 12))  # Tết Tân Sửu
    assert calendar.is_working_day(date(2021, 12, 31))


def test_moving_to_working_days() -> None:
    calendar = WorkCalendar()
    assert calendar.on_or_before(date(2022, 1, 31)) == date(2022, 1, 28)
    assert calendar.on_or_before(date(2022, 1, 28)) == date(2022, 1, 28)
    assert calendar.on_or_after(date(2022, 1, 31)) == date(2022, 2, 7)
    assert calendar.on_or_after(date(2022, 9, 1)) == date(2022, 9, 5)
    assert calendar.working_day_after(date(2022, 1, 31), 1) == date(2022, 2, 7)
    assert calendar.working_day_after(date(2022, 1, 31), 3) == date(2022, 2, 9)
    assert calendar.working_day_after(date(2022, 1, 28), 1) == date(2022, 2, 7)
    with pytest.raises(ValueError):
        calendar.working_day_after(date(2022, 1, 28), 0)


def test_across_new_year() -> None:
    calendar = WorkCalendar()
    assert calendar.on_or_before(date(2022, 1, 3)) == date(2021, 12, 31)
    assert calendar.on_or_after(date(2022, 12, 31)) == date(2023, 1, 3)  # 02/01/2023 is New Year in lieu
    assert calendar.working_day_after(date(2022, 12, 29), 2) == date(2023, 1, 3)
    assert calendar.working_days_between(date(2022, 12, 29), date(2023, 1, 4)) == [
        date(2022, 12, 29),
        date(2022, 12, 30),
        date(2023, 1, 3),
        date(2023, 1, 4),
    ]
    # a calendar first asked about a late year still answers about earlier ones
    late = WorkCalendar()
    assert late.on_or_before(date(2023, 1, 2)) == date(2022, 12, 30)
    assert late.on_or_before(date(2021, 1, 1)) == date(2020, 12, 31)


def test_moving_to_working_days_agrees_day_by_day_whatever_year_was_asked_first() -> None:
    """The calendar answers from tables of the years it has loaded: every day of 2021–2023 gets the
    same answer as counting the days one by one, however those years came to be loaded."""
    truth = WorkCalendar()

    def before(day: date) -> date:
        while not truth.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def after(day: date) -> date:
        while not truth.is_working_day(day):
            day += timedelta(days=1)
        return day

    days = [date(2021, 1, 1) + timedelta(days=n) for n in range(3 * 365)]
    for first in (date(2022, 6, 1), date(2023, 12, 31), date(2021, 1, 1)):
        calendar = WorkCalendar()
        calendar.is_working_day(first)  # that year loaded first, the others as they are asked
        for day in days:
            assert calendar.on_or_before(day) == before(day), day
            assert calendar.on_or_after(day) == after(day), day


def test_office_hours() -> None:
    calendar = WorkCalendar()
    assert (calendar.office_start, calendar.office_end) == (OFFICE_START, OFFICE_END) == (time(7, 30), time(17, 0))
    friday = date(2022, 1, 28)
    assert calendar.in_office_hours(datetime.combine(friday, time(7, 30), tzinfo=TZ))
    assert calendar.in_office_hours(datetime.combine(friday, time(16, 59), tzinfo=TZ))
    assert not calendar.in_office_hours(datetime.combine(friday, time(17, 0), tzinfo=TZ))
    assert not calendar.in_office_hours(datetime.combine(friday, time(7, 29), tzinfo=TZ))
    assert not calendar.in_office_hours(datetime(2022, 1, 29, 9, 0, tzinfo=TZ))  # Saturday
    assert not calendar.in_office_hours(datetime(2022, 2, 1, 9, 0, tzinfo=TZ))  # Tết
    assert calendar.in_office_hours(datetime(2022, 1, 28, 2, 0, tzinfo=UTC))  # 09:00 in Vietnam
    assert calendar.in_office_hours(datetime(2022, 1, 28, 9, 0))  # naive: Vietnam time


def test_next_office_time() -> None:
    calendar = WorkCalendar()
    inside = datetime(2022, 1, 28, 10, 15, tzinfo=TZ)
    assert calendar.next_office_time(inside) == inside
    assert calendar.next_office_time(datetime(2022, 1, 28, 6, 0, tzinfo=TZ)) == datetime(2022, 1, 28, 7, 30, tzinfo=TZ)
    assert calendar.next_office_time(datetime(2022, 1, 28, 17, 0, tzinfo=TZ)) == datetime(2022, 2, 7, 7, 30, tzinfo=TZ)
    assert calendar.next_office_time(datetime(2022, 1, 29, 9, 0, tzinfo=TZ)) == datetime(2022, 2, 7, 7, 30, tzinfo=TZ)
    assert calendar.next_office_time(datetime(2022, 3, 4, 12, 0, tzinfo=UTC)) == datetime(2022, 3, 7, 7, 30, tzinfo=TZ)
    moved = calendar.next_office_time(datetime(2022, 3, 4, 2, 0, tzinfo=UTC))
    assert moved == datetime(2022, 3, 4, 9, 0, tzinfo=TZ)
    assert moved.utcoffset() == timedelta(hours=7)


def test_custom_office_hours() -> None:
    calendar = WorkCalendar(office_start=time(8, 0), office_end=time(16, 30))
    assert not calendar.in_office_hours(datetime(2022, 3, 4, 7, 45, tzinfo=TZ))
    assert calendar.next_office_time(datetime(2022, 3, 4, 16, 30, tzinfo=TZ)) == datetime(2022, 3, 7, 8, 0, tzinfo=TZ)
    with pytest.raises(ValueError):
        WorkCalendar(office_start=time(17, 0), office_end=time(7, 30))


def test_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "days_off:\n  - 2022-03-07\n  - '28/01/2022'\nworking_days: ['2022-01-08', '12/02/2022']\n", encoding="utf-8"
    )
    overrides = Overrides.load(path)
    assert overrides.days_off == {date(2022, 3, 7), date(2022, 1, 28)}
    assert overrides.working_days == {date(2022, 1, 8), date(2022, 2, 12)}
    calendar = WorkCalendar(overrides)
    assert calendar.is_working_day(date(2022, 1, 8))  # a make-up Saturday
    assert calendar.is_working_day(date(2022, 2, 12))
    assert not calendar.is_working_day(date(2022, 1, 28))  # an extra day off
    assert not calendar.is_working_day(date(2022, 3, 7))
    assert calendar.on_or_before(date(2022, 1, 31)) == date(2022, 1, 27)
    assert calendar.on_or_before(date(2022, 1, 9)) == date(2022, 1, 8)
    assert calendar.working_day_after(date(2022, 1, 31), 1) == date(2022, 2, 7)
    assert calendar.working_day_after(date(2022, 2, 11), 1) == date(2022, 2, 12)
    assert calendar.in_office_hours(datetime(2022, 2, 12, 9, 0, tzinfo=TZ))
    assert calendar.next_office_time(datetime(2022, 3, 4, 18, 0, tzinfo=TZ)) == datetime(2022, 3, 8, 7, 30, tzinfo=TZ)


def test_empty_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert Overrides.load(path) == Overrides()


def test_bad_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "days_off: ['2022-02-30', 'soon', '2022-05-04']\nworking_days: 2022-01-08\nholidays: []\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        Overrides.load(path)
    found = {(p.where, p.value) for p in caught.value.problems}
    assert found == {
        ("days_off[1]", "2022-02-30"),
        ("days_off[2]", "soon"),
        ("working_days", "2022-01-08"),
        ("holidays", "holidays"),
    }


def test_overrides_contradiction_and_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("days_off: ['2022-01-08']\nworking_days: ['08/01/2022']\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        Overrides.load(path)
    assert [(p.where, p.value) for p in caught.value.problems] == [("working_days", "2022-01-08")]

    path.write_text("days_off: [2022-01-08\n", encoding="utf-8")
    with pytest.raises(InputError):
        Overrides.load(path)
    path.write_text("days_off: [2022-02-30]\n", encoding="utf-8")  # YAML reads it as an impossible date
    with pytest.raises(InputError):
        Overrides.load(path)
    path.write_text("- 2022-01-08\n", encoding="utf-8")
    with pytest.raises(InputError):
        Overrides.load(path)
    with pytest.raises(InputError):
        Overrides.load(tmp_path / "missing.yaml")


def test_bundled_example_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    example = ROOT / "data" / "calendar" / "vn-2022.yaml"
    overrides = Overrides.load(example)
    assert overrides.days_off and overrides.working_days
    monkeypatch.setenv("DONDOC_CALENDAR", str(example))
    calendar = calendar_from_env()
    assert calendar.overrides == overrides
    saturday = next(iter(overrides.working_days))
    assert saturday.weekday() == 5 and calendar.is_working_day(saturday)
    monkeypatch.delenv("DONDOC_CALENDAR")
    assert calendar_from_env().overrides == Overrides()


def test_a_calendar_file_reads_dates_as_the_chat_does() -> None:
    """One reading of a typed date (dondoc.plan.dates.read_date): dots and two-digit years too."""
    overrides = Overrides.parse({"days_off": ["02.09.2022", "5/9/22", "2022-09-01"]})
    assert overrides.days_off == {date(2022, 9, 1), date(2022, 9, 2), date(2022, 9, 5)}
    with pytest.raises(InputError):
        Overrides.parse({"days_off": ["31/02/2022"]})  # no such day
