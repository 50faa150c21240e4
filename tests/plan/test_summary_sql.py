"""/status's counts come from the database (``plan_summaries``): they must be what attaching every
report in Python gives (``summarize(plan_status(...))``), on the tricky cases too — corrected
completions, extensions (the newest approval, only once approved, judged against the new or the
original date), several deadlines, done late, a completion without a date near midnight in Vietnam."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Organization, Plan, Report, Role, Status, Task, Unit
from dondoc.db.session import make_engine
from dondoc.plan.extensions import record_approved, request
from dondoc.plan.progress import plan_status, plan_summaries, plan_summary, summarize
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.plan.test_progress import SAMPLE_DAYS, _mixed_reports

D = date


def _assignment(session: Session, task: str, unit: str) -> Assignment:
    return session.exec(
        select(Assignment)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Task.code == task, Unit.code == unit)
    ).one()


def _vn(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def _tricky(session: Session) -> list[tuple[str, str, date]]:
    """The sample's mixed reports, extensions, and completions without a date; returns the lead
    deadlines (task, unit, due) those completions are about."""
    _mixed_reports(session)
    nv = _assignment(session, "I.11", "NV")  # quarterly; Q1 done late on 5/4 (see _mixed_reports)
    # Q1 extended twice: the newest approval (to 10/4) makes the 5/4 completion on time from 2/4 on.
    record_approved(session, nv, due=D(2022, 3, 31), new_due=D(2022, 4, 3), reason="a", at=_vn(2022, 3, 25, 9))
    record_approved(session, nv, due=D(2022, 3, 31), new_due=D(2022, 4, 10), reason="b", at=_vn(2022, 4, 2, 9))
    # A request nobody answered changes nothing.
    request(session, nv, due=D(2022, 6, 30), new_due=D(2022, 12, 1), reason="c", at=_vn(2022, 6, 1, 9), person_id=None)
    # Completions stored without a completion date (as imported): the day in Vietnam decides.
    plan = session.exec(select(Plan)).one()
    full = plan_status(session, plan, D(2022, 12, 31))
    touched = {(i.task, i.unit) for i in full.items if i.reported_at is not None}
    single = [
        i
        for i in full.items
        if (i.task, i.unit) not in touched and sum(1 for j in full.items if (j.task, j.unit) == (i.task, i.unit)) == 1
    ]
    assert len(single) >= 2
    on_time, late = single[0], single[1]
    following = date.fromordinal(late.due.toordinal() + 1)
    chosen = [
        # 23:30 on the due date in Vietnam (16:30 UTC): on time
        (on_time.task, on_time.unit, on_time.due, _vn(on_time.due.year, on_time.due.month, on_time.due.day, 23, 30)),
        # 06:00 the next day (23:00 UTC on the due date): a day late in Vietnam
        (late.task, late.unit, late.due, _vn(following.year, following.month, following.day, 6)),
    ]
    for task, unit, _due, moment in chosen:
        assignment = _assignment(session, task, unit)
        assert assignment.id is not None and assignment.role == Role.LEAD
        session.add(Report(assignment_id=assignment.id, status=Status.DONE, percent=100, reported_at=moment))
    session.commit()
    return [(task, unit, due) for task, unit, due, _moment in chosen]


def _judge_original(session: Session, yes: bool) -> None:
    org = session.exec(select(Organization)).one()
    org.settings = {**org.settings, "extensions": {"judge_against": "original"}} if yes else {}
    session.add(org)
    session.commit()


@pytest.mark.slow  # seconds: run by CI (python3 dev.py test --all)
def test_the_database_counts_what_attaching_every_report_gives(sample_store: Dondoc, session: Session) -> None:
    near_midnight = _tricky(session)
    engine = make_engine(sample_store.url)
    try:
        for original in (False, True):
            _judge_original(session, original)
            with Session(engine) as fresh:
                plan = fresh.exec(select(Plan)).one()
                for day in (*SAMPLE_DAYS, D(2022, 4, 2), D(2022, 4, 5)):
                    full = plan_status(fresh, plan, day)
                    assert plan_summary(fresh, plan, day) == summarize(full), (original, day)
                    # Without the supporting units' parts (the workbook reads them itself): the same items.
                    lean = plan_status(fresh, plan, day, support=False)
                    assert [i.to_json() for i in lean.items] == [i.to_json() for i in full.items]
                    assert [c.to_json() for c in lean.continuous] == [c.to_json() for c in full.continuous]
                    assert summarize(lean) == summarize(full) and not any(i.support for i in lean.items)
                    for units in (["NV"], ["TCKH", "XP"]):
                        assert plan_summary(fresh, plan, day, units) == summarize(plan_status(fresh, plan, day, units))
                    assert plan.id is not None
                    assert plan_summaries(fresh, [plan], day) == {plan.id: summarize(full)}
                year_end = plan_status(fresh, plan, D(2022, 12, 31))
                q1 = next(i for i in year_end.items if (i.task, i.unit, i.due) == ("I.11", "NV", D(2022, 3, 31)))
                # judged against the newest approval's 10/4, or the original 31/3
                assert q1.category == ("done_late" if original else "done_on_time")
                categories = [
                    next(i for i in year_end.items if (i.task, i.unit, i.due) == key).category for key in near_midnight
                ]
                assert categories == ["done_on_time", "done_late"]
    finally:
        engine.dispose()
