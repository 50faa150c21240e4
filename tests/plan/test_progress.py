"""Where the plan stands at a date: the five official categories, as leaders read them with
``dondoc status``. Reports are written straight into the store, the way the bot records them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from typing import TypeVar

import pytest
from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Plan, Report, Role, Status, Task, Unit
from dondoc.db.session import make_engine
from dondoc.plan.progress import (
    CATEGORIES,
    Item,
    PlanStatus,
    ReportRow,
    attach_reports,
    categorize,
    end_of_day,
    on_time_rate,
    plan_status,
    plan_summary,
    summarize,
)
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.factories import add_report


def report(
    session: Session,
    task_code: str,
    unit_code: str,
    status: Status | str,
    percent: int,
    at: datetime,
    completed_on: date | None = None,
    note: str = "",
) -> None:
    """Record a report of ``unit_code`` on ``task_code`` at ``at`` (naive = Vietnam time)."""
    add_report(session, task_code, unit_code, status, at, percent=percent, completed_on=completed_on, note=note)


def status_at(store: Dondoc, day: date, units: Collection[str] | None = None) -> PlanStatus:
    engine = make_engine(store.url)
    try:
        with Session(engine) as session:
            plan = session.exec(select(Plan)).one()
            return plan_status(session, plan, day, units)
    finally:
        engine.dispose()


def item(result: PlanStatus, task: str, unit: str, due: date | None = None) -> Item:
    found = [i for i in result.items if i.task == task and i.unit == unit and (due is None or i.due == due)]
    assert len(found) == 1, found
    return found[0]


D = date
R = TypeVar("R")
T = datetime
Q1, Q2, Q3, Q4 = D(2022, 3, 31), D(2022, 6, 30), D(2022, 9, 30), D(2022, 12, 31)


def test_an_item_without_reports_is_not_started_until_its_due_date_then_overdue(sample_store: Dondoc) -> None:
    # I.1: Phòng Nội vụ leads, due 31/01/2022.
    before = item(status_at(sample_store, D(2022, 1, 15)), "I.1", "NV")
    assert (before.category, before.percent, before.reported_at, before.blocked) == ("not_started", 0, None, False)
    assert item(status_at(sample_store, D(2022, 1, 31)), "I.1", "NV").category == "not_started"  # due day
    assert item(status_at(sample_store, D(2022, 2, 1)), "I.1", "NV").category == "overdue"


def test_a_report_before_the_due_date_is_in_progress_and_overdue_after_it(
    sample_store: Dondoc, session: Session
) -> None:
    report(session, "I.1", "NV", "in_progress", 60, T(2022, 1, 20, 9, 0), note="Đã dự thảo")
    during = item(status_at(sample_store, D(2022, 1, 25)), "I.1", "NV")
    assert (during.category, during.percent, during.note) == ("in_progress", 60, "Đã dự thảo")
    assert during.reported_at == T(2022, 1, 20, 9, 0, tzinfo=TZ)
    late = item(status_at(sample_store, D(2022, 2, 1)), "I.1", "NV")
    assert (late.category, late.percent) == ("overdue", 60)


def test_a_not_started_report_is_no_progress_but_keeps_its_percent_and_note(
    sample_store: Dondoc, session: Session
) -> None:
    report(session, "I.1", "NV", "in_progress", 30, T(2022, 1, 10, 9, 0))
    report(session, "I.1", "NV", "not_started", 0, T(2022, 1, 12, 9, 0), note="Báo nhầm, chưa làm")
    got = item(status_at(sample_store, D(2022, 1, 15)), "I.1", "NV")
    assert (got.category, got.percent, got.note) == ("not_started", 0, "Báo nhầm, chưa làm")
    assert got.reported_at is not None and got.reported_at.day == 12


def test_done_on_time_and_done_late_follow_the_completion_date(sample_store: Dondoc, session: Session) -> None:
    # All three due 31/03/2022.
    report(session, "I.3", "TCKH", "done", 100, T(2022, 3, 30, 15, 0))
    # Reported late, but the unit says it was completed on the due date: on time.
    report(session, "I.4", "NV", "done", 100, T(2022, 4, 5, 8, 0), completed_on=D(2022, 3, 31))
    # Reported on time, completion date after the due date: late.
    report(session, "III.1", "VP", "done", 100, T(2022, 3, 29, 8, 0), completed_on=D(2022, 4, 2))
    result = status_at(sample_store, D(2022, 4, 10))
    on_time = item(result, "I.3", "TCKH")
    assert (on_time.category, on_time.percent, on_time.completed_on) == ("done_on_time", 100, D(2022, 3, 30))
    assert item(result, "I.4", "NV").category == "done_on_time"
    late = item(result, "III.1", "VP")
    assert (late.category, late.completed_on) == ("done_late", D(2022, 4, 2))


def test_without_a_completion_date_the_day_of_the_report_in_vietnam_counts(
    sample_store: Dondoc, session: Session
) -> None:
    # 00:30 on 1 April in Hà Nội is still 31 March in UTC: the Vietnamese day decides.
    report(session, "I.3", "TCKH", "done", 100, T(2022, 4, 1, 0, 30))
    # 23:30 on 31 March in Hà Nội: on time.
    report(session, "I.4", "NV", "in_progress", 90, T(2022, 3, 1, 0, 30))
    report(session, "I.4", "NV", "done", 100, T(2022, 3, 31, 23, 30))
    result = status_at(sample_store, D(2022, 4, 1))
    assert item(result, "I.3", "TCKH").category == "done_late"
    assert item(result, "I.3", "TCKH").completed_on == D(2022, 4, 1)
    assert item(result, "I.4", "NV").category == "done_on_time"
    assert item(result, "I.4", "NV").percent == 100


def test_reports_after_the_end_of_the_day_in_vietnam_are_not_yet_known(sample_store: Dondoc, session: Session) -> None:
    report(session, "I.1", "NV", "in_progress", 50, T(2022, 1, 10, 23, 30))
    # 00:30 on 11 January in Hà Nội = 17:30 on 10 January UTC: not known at the end of 10 January.
    report(session, "I.1", "NV", "blocked", 55, T(2022, 1, 11, 0, 30))
    report(session, "I.1", "NV", "done", 100, T(2022, 2, 10, 9, 0))
    on_10 = item(status_at(sample_store, D(2022, 1, 10)), "I.1", "NV")
    assert (on_10.category, on_10.percent, on_10.blocked) == ("in_progress", 50, False)
    assert item(status_at(sample_store, D(2022, 1, 9)), "I.1", "NV").category == "not_started"
    assert item(status_at(sample_store, D(2022, 1, 11)), "I.1", "NV").blocked is True
    assert item(status_at(sample_store, D(2022, 2, 9)), "I.1", "NV").category == "overdue"
    assert item(status_at(sample_store, D(2022, 2, 10)), "I.1", "NV").category == "done_late"


def test_blocked_is_a_flag_beside_the_category_of_the_latest_report(sample_store: Dondoc, session: Session) -> None:
    # III.1: Văn phòng leads, due 31/03/2022.
    report(session, "III.1", "VP", "blocked", 20, T(2022, 3, 10, 10, 0))
    during = item(status_at(sample_store, D(2022, 3, 15)), "III.1", "VP")
    assert (during.category, during.blocked, during.percent) == ("in_progress", True, 20)
    after = item(status_at(sample_store, D(2022, 4, 1)), "III.1", "VP")
    assert (after.category, after.blocked) == ("overdue", True)
    report(session, "III.1", "VP", "in_progress", 40, T(2022, 4, 2, 10, 0))
    cleared = item(status_at(sample_store, D(2022, 4, 3)), "III.1", "VP")
    assert (cleared.category, cleared.blocked, cleared.percent) == ("overdue", False, 40)
    report(session, "III.1", "VP", "done", 100, T(2022, 4, 5, 10, 0))
    done = item(status_at(sample_store, D(2022, 4, 5)), "III.1", "VP")
    assert (done.category, done.blocked) == ("done_late", False)


def test_a_quarterly_task_closes_one_quarter_per_done_report(sample_store: Dondoc, session: Session) -> None:
    # VI.2 "Hằng quý", Phòng Tài chính - Kế hoạch leads.
    report(session, "VI.2", "TCKH", "done", 100, T(2022, 3, 20, 9, 0))
    april = status_at(sample_store, D(2022, 4, 10))
    assert item(april, "VI.2", "TCKH", Q1).category == "done_on_time"
    q2 = item(april, "VI.2", "TCKH", Q2)
    assert (q2.category, q2.percent, q2.reported_at) == ("not_started", 0, None)
    assert [i.due for i in april.items if i.task == "VI.2"] == [Q1, Q2, Q3, Q4]
    report(session, "VI.2", "TCKH", "in_progress", 30, T(2022, 4, 15, 9, 0))
    report(session, "VI.2", "TCKH", "done", 100, T(2022, 6, 28, 9, 0))
    july = status_at(sample_store, D(2022, 7, 1))
    assert [item(july, "VI.2", "TCKH", due).category for due in (Q1, Q2, Q3, Q4)] == [
        "done_on_time",
        "done_on_time",
        "not_started",
        "not_started",
    ]


def test_a_late_done_report_counts_for_the_open_quarter_not_the_current_one(
    sample_store: Dondoc, session: Session
) -> None:
    # I.11 "Hằng quý", Phòng Nội vụ: the Q1 report arrives in April.
    report(session, "I.11", "NV", "in_progress", 50, T(2022, 3, 15, 9, 0))
    report(session, "I.11", "NV", "in_progress", 70, T(2022, 4, 3, 9, 0))  # still Q1: it is not done
    early_april = status_at(sample_store, D(2022, 4, 4))
    assert (item(early_april, "I.11", "NV", Q1).category, item(early_april, "I.11", "NV", Q1).percent) == (
        "overdue",
        70,
    )
    assert item(early_april, "I.11", "NV", Q2).category == "not_started"
    assert item(early_april, "I.11", "NV", Q2).reported_at is None

    report(session, "I.11", "NV", "done", 100, T(2022, 4, 5, 9, 0))
    april = status_at(sample_store, D(2022, 4, 10))
    q1 = item(april, "I.11", "NV", Q1)
    assert (q1.category, q1.completed_on) == ("done_late", D(2022, 4, 5))
    assert item(april, "I.11", "NV", Q2).category == "not_started"

    report(session, "I.11", "NV", "done", 100, T(2022, 6, 20, 9, 0))  # the second done closes Q2
    july = status_at(sample_store, D(2022, 7, 5))
    assert item(july, "I.11", "NV", Q2).category == "done_on_time"
    assert item(july, "I.11", "NV", Q3).category == "not_started"


def test_supporting_units_reports_are_details_never_counts(sample_store: Dondoc, session: Session) -> None:
    baseline = status_at(sample_store, D(2022, 1, 20))
    # I.1: Phòng Nội vụ leads; Văn phòng and Phòng Tư pháp support.
    report(session, "I.1", "VP", "done", 100, T(2022, 1, 15, 9, 0), note="Đã góp ý")
    report(session, "I.1", "TP", "blocked", 10, T(2022, 1, 16, 9, 0))
    result = status_at(sample_store, D(2022, 1, 20))
    lead = item(result, "I.1", "NV")
    assert (lead.category, lead.percent, lead.blocked) == ("not_started", 0, False)
    assert not [i for i in result.items if i.task == "I.1" and i.unit != "NV"]
    assert result.totals == baseline.totals and result.by_unit == baseline.by_unit
    assert [(s.unit, s.status, s.percent, s.note) for s in lead.support] == [
        ("VP", Status.DONE, 100, "Đã góp ý"),
        ("TP", Status.BLOCKED, 10, ""),
    ]


def test_continuous_tasks_are_listed_apart_with_their_last_check_in(sample_store: Dondoc, session: Session) -> None:
    # I.7 "Thường xuyên", Phòng Văn hóa và Thông tin leads.
    report(session, "I.7", "VHTT", "in_progress", 40, T(2022, 2, 1, 9, 0))
    report(session, "I.7", "VHTT", "in_progress", 45, T(2022, 3, 1, 9, 0), note="Tháng 3")
    result = status_at(sample_store, D(2022, 3, 10))
    assert not [i for i in result.items if i.task == "I.7"]
    (entry,) = [c for c in result.continuous if c.task == "I.7"]
    assert (entry.unit, entry.status, entry.percent, entry.note) == ("VHTT", Status.IN_PROGRESS, 45, "Tháng 3")
    assert entry.last_report_at == T(2022, 3, 1, 9, 0, tzinfo=TZ)
    never = [c for c in result.continuous if c.task == "II.1"]
    assert [(c.unit, c.status, c.last_report_at, c.percent) for c in never] == [("TP", None, None, 0)]
    codes = {c.task for c in result.continuous}
    assert codes == {"I.7", "II.1", "II.5", "III.4", "V.6"}


def test_counts_by_area_and_unit_and_the_on_time_rate(sample_store: Dondoc, session: Session) -> None:
    # Phòng Tài chính - Kế hoạch leads I.3 (Q1), III.6 (30/06), VI.1 (half-yearly), VI.2 (quarterly),
    # and, with every unit, I.2 (Q1) and I.10 (quarterly), on which it does not report here.
    report(session, "I.3", "TCKH", "done", 100, T(2022, 3, 25, 9, 0))  # on time
    report(session, "VI.2", "TCKH", "done", 100, T(2022, 4, 8, 9, 0))  # Q1 late
    report(session, "VI.2", "TCKH", "done", 100, T(2022, 6, 29, 9, 0))  # Q2 on time
    report(session, "VI.1", "TCKH", "in_progress", 80, T(2022, 6, 1, 9, 0))  # H1 overdue on 1 July
    report(session, "III.6", "TCKH", "blocked", 10, T(2022, 5, 1, 9, 0))  # overdue on 1 July
    result = status_at(sample_store, D(2022, 7, 1), ["TCKH"])
    assert {i.unit for i in result.items} == {"TCKH"}
    assert result.totals == {
        "done_on_time": 2,
        "done_late": 1,
        "in_progress": 0,
        "not_started": 5,  # VI.1 H2, VI.2 Q3 and Q4, I.10 Q3 and Q4
        "overdue": 5,  # III.6, VI.1 H1, I.2, I.10 Q1 and Q2
    }
    assert result.on_time_rate == 0.25  # 2 / (2 + 1 + 5)
    assert list(result.by_unit) == ["TCKH"] and result.by_unit["TCKH"] == result.totals
    assert list(result.by_area) == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert result.by_area["I"] == dict(zip(CATEGORIES, (1, 0, 0, 2, 3), strict=True))
    assert result.by_area["III"] == dict(zip(CATEGORIES, (0, 0, 0, 0, 1), strict=True))
    assert result.by_area["VI"] == dict(zip(CATEGORIES, (1, 1, 0, 3, 1), strict=True))
    assert result.by_area["II"] == dict.fromkeys(CATEGORIES, 0)
    whole = status_at(sample_store, D(2022, 7, 1))
    assert sum(whole.totals.values()) == len(whole.items)
    assert whole.totals == {c: sum(u[c] for u in whole.by_unit.values()) for c in CATEGORIES}
    assert whole.totals == {c: sum(a[c] for a in whole.by_area.values()) for c in CATEGORIES}
    done = whole.totals["done_on_time"]
    assert whole.on_time_rate == round(done / (done + whole.totals["done_late"] + whole.totals["overdue"]), 4)


def test_the_on_time_rate_is_rounded_and_zero_when_nothing_is_due() -> None:
    assert on_time_rate(dict(zip(CATEGORIES, (1, 1, 5, 7, 1), strict=True))) == 0.3333
    assert on_time_rate(dict(zip(CATEGORIES, (2, 0, 0, 0, 1), strict=True))) == 0.6667
    assert on_time_rate(dict(zip(CATEGORIES, (0, 0, 4, 9, 0), strict=True))) == 0.0


def test_items_follow_the_appendix_then_the_registry_then_the_due_date(sample_store: Dondoc) -> None:
    result = status_at(sample_store, D(2022, 1, 1))
    positions = [i.position for i in result.items]
    assert positions == sorted(positions)
    # I.2 is led by every office and commune: registry order, Văn phòng first, Xà Phiên last.
    i2 = [i.unit for i in result.items if i.task == "I.2"]
    assert i2[:3] == ["VP", "NV", "TP"] and i2[-1] == "XP" and len(i2) == 21
    i8 = [i.due for i in result.items if i.task == "I.8"]
    assert i8 == sorted(i8) and len(i8) == 12
    assert list(result.by_unit)[:3] == ["VP", "NV", "TP"]


def test_inactive_tasks_and_assignments_are_left_out(sample_store: Dondoc, session: Session) -> None:
    assignment = session.exec(
        select(Assignment)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Task.code == "I.2", Unit.code == "XP")
    ).one()
    assignment.active = False
    task = session.exec(select(Task).where(Task.code == "I.1")).one()
    task.active = False
    session.add(assignment)
    session.add(task)
    session.commit()
    result = status_at(sample_store, D(2022, 1, 1))
    assert not [i for i in result.items if i.task == "I.1"]
    assert "XP" not in [i.unit for i in result.items if i.task == "I.2"]
    assert len([i for i in result.items if i.task == "I.2"]) == 20


def test_status_json_has_the_documented_shape(sample_store: Dondoc, session: Session) -> None:
    report(session, "I.1", "NV", "in_progress", 60, T(2022, 1, 20, 9, 0))
    report(session, "I.7", "VHTT", "blocked", 5, T(2022, 2, 3, 14, 5))
    data = sample_store.ok("status", "--at", "01/04/2022", "--json").json()
    assert list(data) == ["as_of", "totals", "on_time_rate", "by_area", "by_unit", "items", "continuous", "undated"]
    assert data["as_of"] == "2022-04-01"
    assert list(data["totals"]) == list(CATEGORIES)
    assert isinstance(data["on_time_rate"], float)
    assert all(list(counts) == list(CATEGORIES) for counts in data["by_area"].values())
    assert all(list(counts) == list(CATEGORIES) for counts in data["by_unit"].values())
    first = data["items"][0]
    assert first == {
        "task": "I.1",
        "unit": "NV",
        "due": "2022-01-31",
        "category": "overdue",
        "percent": 60,
        "blocked": False,
        "reported_at": "2022-01-20T09:00:00+07:00",
    }
    assert data["items"][1]["reported_at"] is None
    i7 = [c for c in data["continuous"] if c["task"] == "I.7"]
    assert i7 == [
        {
            "task": "I.7",
            "unit": "VHTT",
            "last_report_at": "2022-02-03T14:05:00+07:00",
            "status": "blocked",
            "percent": 5,
        }
    ]
    assert sum(data["totals"].values()) == len(data["items"])


def test_status_defaults_to_today_by_the_clock(sample_store: Dondoc) -> None:
    data = sample_store.ok("status", "--json", env={"DONDOC_NOW": "2022-02-01T08:00:00+07:00"}).json()
    assert data["as_of"] == "2022-02-01"
    assert data["items"][0]["category"] == "overdue"  # I.1, due 31/01


@pytest.mark.parametrize("typed", ["xa phien", "Xà Phiên", "XP", "UBND xã Xà Phiên"])
def test_status_for_one_unit_typed_any_way(sample_store: Dondoc, session: Session, typed: str) -> None:
    report(session, "I.2", "XP", "in_progress", 20, T(2022, 3, 1, 9, 0))
    report(session, "I.2", "NV", "done", 100, T(2022, 3, 1, 9, 0))
    data = sample_store.ok("status", "--at", "2022-03-15", "--unit", typed, "--json").json()
    assert {i["unit"] for i in data["items"]} == {"XP"}
    # I.2 (31/03) and I.10 every quarter: the tasks Xà Phiên leads.
    assert [(i["task"], i["due"]) for i in data["items"]] == [
        ("I.2", "2022-03-31"),
        ("I.10", "2022-03-31"),
        ("I.10", "2022-06-30"),
        ("I.10", "2022-09-30"),
        ("I.10", "2022-12-31"),
    ]
    assert data["items"][0]["category"] == "in_progress"
    assert data["totals"] == {"done_on_time": 0, "done_late": 0, "in_progress": 1, "not_started": 4, "overdue": 0}
    assert list(data["by_unit"]) == ["XP"]
    assert data["continuous"] == []


def test_an_unknown_unit_is_refused(sample_store: Dondoc) -> None:
    result = sample_store("status", "--unit", "xa khong co", "--json")
    assert result.code == 1
    assert result.stdout == ""
    assert "xa khong co" in result.stderr


def test_status_prints_a_table_for_people(sample_store: Dondoc, session: Session) -> None:
    report(session, "I.1", "NV", "blocked", 10, T(2022, 1, 20, 9, 0))
    out = sample_store.ok("status", "--at", "2022-02-01", "--unit", "NV", "--lang", "en").stdout
    assert "Status at 1 Feb 2022" in out  # English dates read "31 Jan 2022", never the ambiguous "01/02"
    assert "Overdue" in out and "On-time rate: 0.0%" in out
    line = next(line for line in out.splitlines() if line.strip().startswith("I.1 "))
    assert "NV" in line and "31 Jan 2022" in line and "10%" in line and "blocked" in line


def test_a_report_on_a_support_assignment_of_another_task_does_not_leak(sample_store: Dondoc, session: Session) -> None:
    # Xà Phiên supports I.8 and leads I.2 and I.10: its I.8 report must reach neither.
    report(session, "I.8", "XP", "done", 100, T(2022, 1, 10, 9, 0))
    result = status_at(sample_store, D(2022, 1, 15), ["XP"])
    assert [i.category for i in result.items] == ["not_started"] * 5
    roles = session.exec(
        select(Assignment.role)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Task.code == "I.8", Unit.code == "XP")
    ).one()
    assert roles == Role.SUPPORT
    i8 = status_at(sample_store, D(2022, 1, 15))
    assert [s.unit for s in item(i8, "I.8", "TTVH", D(2022, 1, 31)).support] == ["XP"]
    assert item(i8, "I.8", "TTVH", D(2022, 2, 28)).support == []


def _with_statements(sample_store: Dondoc, compute: Callable[[Session, Plan], R]) -> tuple[R, list[str]]:
    """What ``compute`` returns for the sample plan in a fresh session, and the SQL statements it ran."""
    from sqlalchemy import event

    engine = make_engine(sample_store.url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Session(engine) as fresh:
        plan = fresh.exec(select(Plan)).one()
        statements.clear()
        result = compute(fresh, plan)
    engine.dispose()
    return result, statements


def test_status_is_computed_from_a_handful_of_queries(sample_store: Dondoc, session: Session) -> None:
    for day in range(1, 20):
        report(session, "I.8", "TTVH", "done", 100, T(2022, 1, day, 9, 0) + timedelta(days=day * 14))
        report(session, "I.10", "XP", "in_progress", day, T(2022, 1, 1, 9, 0) + timedelta(days=day * 3))
    result, statements = _with_statements(sample_store, lambda fresh, plan: plan_status(fresh, plan, D(2022, 12, 31)))
    assert len(result.items) > 150
    assert len(statements) <= 8, statements


def _mixed_reports(session: Session) -> None:
    """Reports of every kind at several dates: late and on-time done reports, corrections, blocked
    reports, quarters closed late, supporting units' reports, continuous check-ins, and two reports
    at the same instant."""
    report(session, "I.1", "NV", "in_progress", 30, T(2022, 1, 10, 9, 0))
    report(session, "I.1", "NV", "blocked", 35, T(2022, 1, 20, 9, 0))
    report(session, "I.1", "NV", "done", 100, T(2022, 2, 3, 9, 0))  # late, without a completion date
    report(session, "I.1", "VP", "done", 100, T(2022, 1, 15, 9, 0))  # support: never counted
    report(session, "I.3", "TCKH", "done", 100, T(2022, 4, 1, 0, 30))  # 31 March in UTC: late
    report(session, "I.4", "NV", "done", 100, T(2022, 4, 5, 8, 0), completed_on=D(2022, 3, 31))
    report(session, "III.1", "VP", "blocked", 20, T(2022, 3, 10, 10, 0))
    report(session, "III.1", "VP", "in_progress", 40, T(2022, 4, 2, 10, 0))
    report(session, "I.11", "NV", "in_progress", 50, T(2022, 3, 15, 9, 0))
    report(session, "I.11", "NV", "done", 100, T(2022, 4, 5, 9, 0))  # Q1, late
    report(session, "I.11", "NV", "not_started", 0, T(2022, 5, 1, 9, 0))  # a correction on Q2
    report(session, "I.11", "NV", "done", 100, T(2022, 6, 20, 9, 0))  # Q2
    report(session, "I.11", "NV", "blocked", 10, T(2022, 7, 20, 9, 0))  # Q3
    report(session, "VI.2", "TCKH", "done", 100, T(2022, 3, 20, 9, 0))
    report(session, "VI.2", "TCKH", "done", 100, T(2022, 3, 20, 9, 0))  # the same instant: Q2 too
    # Q3 started: more than a week after the completions, so it opens Q3 rather than correcting Q2's
    report(session, "VI.2", "TCKH", "in_progress", 10, T(2022, 4, 1, 9, 0))
    report(session, "I.2", "XP", "in_progress", 20, T(2022, 3, 1, 9, 0))
    report(session, "I.2", "NV", "done", 100, T(2022, 3, 1, 9, 0))
    report(session, "I.7", "VHTT", "in_progress", 40, T(2022, 2, 1, 9, 0))
    for day in range(1, 13):
        report(session, "I.8", "TTVH", "done" if day % 3 else "in_progress", 50, T(2022, day, 25, 9, 0))


SAMPLE_DAYS = (
    D(2022, 1, 1),
    D(2022, 1, 20),
    D(2022, 3, 15),
    D(2022, 3, 31),
    D(2022, 4, 1),
    D(2022, 6, 30),
    D(2022, 7, 25),
    D(2022, 12, 31),
)


@pytest.mark.parametrize("units", [None, ["NV"], ["TCKH", "XP"], ["VHTT"]])
def test_the_summary_agrees_with_the_full_status(
    sample_store: Dondoc, session: Session, units: list[str] | None
) -> None:
    _mixed_reports(session)
    engine = make_engine(sample_store.url)
    try:
        with Session(engine) as fresh:
            plan = fresh.exec(select(Plan)).one()
            for day in SAMPLE_DAYS:
                full = plan_status(fresh, plan, day, units)
                summary = plan_summary(fresh, plan, day, units)
                assert summary == summarize(full), day
                assert list(summary.by_area) == list(full.by_area)
                assert list(summary.by_unit) == list(full.by_unit)
    finally:
        engine.dispose()
    april = summarize(status_at(sample_store, D(2022, 4, 10)))
    assert april.items > 150 and april.continuous == 5
    assert all(april.totals[c] for c in CATEGORIES)  # the sample has every category
    assert summarize(status_at(sample_store, D(2022, 3, 15))).blocked == 1  # III.1
    assert summarize(status_at(sample_store, D(2022, 7, 25))).blocked == 1  # I.11, third quarter


def test_only_done_reports_and_the_newest_one_decide(sample_store: Dondoc, session: Session) -> None:
    # The status reads each assignment's done reports and its newest report only; every deadline must
    # show what attaching all the reports in time order gives.
    _mixed_reports(session)
    for day in SAMPLE_DAYS:
        result = status_at(sample_store, day)
        everything = session.exec(
            select(Report).where(Report.reported_at < end_of_day(day)).order_by(col(Report.reported_at), col(Report.id))
        ).all()
        for assignment in session.exec(select(Assignment).where(Assignment.role == Role.LEAD)):
            task = session.get(Task, assignment.task_id)
            unit = session.get(Unit, assignment.unit_id)
            assert task is not None and unit is not None
            rows = [
                ReportRow(
                    r.assignment_id,
                    r.status,
                    r.percent,
                    r.note,
                    r.blocked_reason,
                    r.completed_on,
                    r.reported_at,
                    id=r.id,
                    corrects=r.corrects_report_id,
                )
                for r in everything
                if r.assignment_id == assignment.id
            ]
            dues = [i.due for i in result.items if i.task == task.code and i.unit == unit.code]
            for slot, got in zip(
                attach_reports(dues, rows),
                [i for i in result.items if i.task == task.code and i.unit == unit.code],
                strict=True,
            ):
                assert got.category == categorize(slot, day), (day, got)
                latest = slot.latest
                assert got.reported_at == (latest.reported_at if latest else None), (day, got)
                assert got.note == (latest.note if latest else ""), (day, got)


def test_the_summary_is_computed_from_a_handful_of_queries(sample_store: Dondoc, session: Session) -> None:
    _mixed_reports(session)
    summary, statements = _with_statements(sample_store, lambda fresh, plan: plan_summary(fresh, plan, D(2022, 12, 31)))
    assert summary.items > 150
    assert len(statements) <= 6, statements
