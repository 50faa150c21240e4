"""A mistaken "Hoàn thành" is corrected by reporting again: the correction takes its place in the
categories, the history keeps both, and the reminders the completion stopped come back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Plan, Reminder, ReminderState, Report, Role, Status, Task, Unit
from dondoc.db.session import open_store, session_scope
from dondoc.plan.progress import Item, ReportRow, attach_reports, categorize, plan_status, plan_summary, summarize
from dondoc.scheduler.calendar import calendar_from_env
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.schedule import add_report, replan
from tests.conftest import Dondoc

Q1, Q2 = date(2022, 3, 31), date(2022, 6, 30)


@pytest.fixture
def engine(sample_store: Dondoc) -> Iterator[Engine]:
    engine = open_store(sample_store.url)
    yield engine
    engine.dispose()


def _at(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2022, month, day, hour, 0, tzinfo=TZ)


def report(
    engine: Engine, task: str, unit: str, status: Status, at: datetime, percent: int = 0, **extra: object
) -> Report:
    """Record a report the way the bot and ``dondoc report add`` do (``scheduler.schedule.add_report``)."""
    with session_scope(engine) as session:
        assignment = session.exec(
            select(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Task.code == task, Unit.code == unit)
        ).one()
        return add_report(session, assignment, status=status, percent=percent, reported_at=at, **extra)  # type: ignore[arg-type]


def items(engine: Engine, day: date, task: str, unit: str) -> list[Item]:
    with Session(engine) as session:
        plan = session.exec(select(Plan)).one()
        full = plan_status(session, plan, day)
        assert plan_summary(session, plan, day) == summarize(full)  # /status's counts agree
        return [i for i in full.items if i.task == task and i.unit == unit]


def test_in_progress_soon_after_a_mistaken_done_puts_a_single_deadline_task_back_in_progress(engine: Engine) -> None:
    done = report(engine, "I.4", "NV", Status.DONE, _at(15, 3), completed_on=date(2022, 3, 15))
    assert [(i.category, i.percent) for i in items(engine, date(2022, 3, 16), "I.4", "NV")] == [("done_on_time", 100)]
    fix = report(engine, "I.4", "NV", Status.IN_PROGRESS, _at(16, 3), percent=30)
    assert fix.corrects_report_id == done.id
    (item,) = items(engine, date(2022, 3, 16), "I.4", "NV")
    assert (item.category, item.percent, item.completed_on) == ("in_progress", 30, None)
    # Before the correction was made, the plan's state at that date is what it was.
    assert items(engine, date(2022, 3, 15), "I.4", "NV")[0].category == "done_on_time"
    # It is the unit's word until the next report: a later completion closes the deadline again.
    report(engine, "I.4", "NV", Status.DONE, _at(5, 4), completed_on=date(2022, 4, 4))
    (item,) = items(engine, date(2022, 4, 10), "I.4", "NV")
    assert (item.category, item.completed_on) == ("done_late", date(2022, 4, 4))
    with Session(engine) as session:
        statuses = [r.status for r in session.exec(select(Report).order_by(col(Report.id)))]
    assert statuses == [Status.DONE, Status.IN_PROGRESS, Status.DONE]  # the history keeps every report


def test_a_second_done_with_another_date_replaces_the_first_date(engine: Engine) -> None:
    report(engine, "I.4", "NV", Status.DONE, _at(20, 3), completed_on=date(2022, 3, 20))
    report(engine, "I.4", "NV", Status.DONE, _at(21, 3), completed_on=date(2022, 4, 2))
    (item,) = items(engine, date(2022, 4, 10), "I.4", "NV")
    assert (item.category, item.completed_on) == ("done_late", date(2022, 4, 2))


def test_a_recurring_task_a_correction_reopens_the_quarter_but_next_quarter_news_does_not(engine: Engine) -> None:
    # I.11 "Hằng quý", Phòng Nội vụ: Q1 reported done early, then corrected within the week.
    report(engine, "I.11", "NV", Status.DONE, _at(20, 3))
    report(engine, "I.11", "NV", Status.IN_PROGRESS, _at(22, 3), percent=40)
    q1, q2 = items(engine, date(2022, 3, 25), "I.11", "NV")[:2]
    assert (q1.due, q1.category, q1.percent) == (Q1, "in_progress", 40)
    assert q2.category == "not_started"
    # Q1 done on its last day; a report a few days later is the second quarter's news, not a correction.
    report(engine, "I.11", "NV", Status.DONE, _at(31, 3))
    news = report(engine, "I.11", "NV", Status.IN_PROGRESS, _at(4, 4), percent=20)
    assert news.corrects_report_id is None
    q1, q2 = items(engine, date(2022, 4, 5), "I.11", "NV")[:2]
    assert (q1.category, q2.category, q2.percent) == ("done_on_time", "in_progress", 20)


def test_a_report_marked_as_a_correction_replaces_the_done_report_it_names(engine: Engine) -> None:
    done = report(engine, "I.11", "NV", Status.DONE, _at(31, 3))
    report(engine, "I.11", "NV", Status.NOT_STARTED, _at(20, 4), corrects=done.id)
    q1, q2 = items(engine, date(2022, 4, 20), "I.11", "NV")[:2]
    assert (q1.category, q2.category) == ("overdue", "not_started")
    with pytest.raises(ValueError):
        report(engine, "I.4", "NV", Status.DONE, _at(20, 4), corrects=done.id)  # another task's report


def _pending(engine: Engine, task: str) -> list[tuple[date, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Reminder)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(Task.code == task, Assignment.role == Role.LEAD, Reminder.state == ReminderState.PENDING)
            .order_by(col(Reminder.send_at), col(Reminder.kind))  # a total order: both stores agree
        )
        return [(r.send_on, r.kind) for r in rows]


def test_the_reminders_a_mistaken_completion_stopped_come_back_when_it_is_corrected(engine: Engine) -> None:
    calendar = calendar_from_env()
    with session_scope(engine) as session:
        replan(session, calendar, _at(20, 3, 7))
    before = _pending(engine, "I.4")
    assert (date(2022, 3, 31), "due") in before
    report(engine, "I.4", "NV", Status.DONE, _at(20, 3))
    assert _pending(engine, "I.4") == []
    report(engine, "I.4", "NV", Status.IN_PROGRESS, _at(21, 3), percent=30)
    soon = [r for r in before if date(2022, 3, 21) < r[0] <= date(2022, 4, 25)]  # the next five weeks
    assert soon and [r for r in _pending(engine, "I.4") if r[0] <= date(2022, 4, 25)] == soon
    with session_scope(engine) as session:  # and the next replan keeps them
        replan(session, calendar, _at(22, 3, 0))
    assert (date(2022, 3, 31), "due") in _pending(engine, "I.4")


def test_the_status_and_attaching_every_report_agree_on_corrections(engine: Engine) -> None:
    # The status reads only the deciding reports; the workbook's detail attaches every report.
    done = report(engine, "I.11", "NV", Status.DONE, _at(20, 3))
    report(engine, "I.11", "NV", Status.IN_PROGRESS, _at(22, 3), percent=40)
    report(engine, "I.11", "NV", Status.BLOCKED, _at(1, 4), percent=45, blocked_reason="thiếu kinh phí")
    day = date(2022, 4, 2)
    with Session(engine) as session:
        rows = [
            ReportRow(
                r.assignment_id, r.status, r.percent, r.note, r.blocked_reason, r.completed_on, r.reported_at
            )._replace(id=r.id, corrects=r.corrects_report_id)
            for r in session.exec(
                select(Report).where(Report.assignment_id == done.assignment_id).order_by(col(Report.reported_at))
            )
        ]
    shown = items(engine, day, "I.11", "NV")
    slots = attach_reports([i.due for i in shown], rows)
    assert [categorize(slot, day) for slot in slots] == [i.category for i in shown]
    assert (shown[0].category, shown[0].blocked, shown[0].percent) == ("overdue", True, 45)
