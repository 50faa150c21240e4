"""Tasks given outside the plan (giao việc, nhiệm vụ phát sinh): the conclusions of a meeting, a
province's letter to answer by Friday.

Such a task lives in the organisation's plan of the year, in its own area **PS — Nhiệm vụ phát sinh**
(codes PS.1, PS.2, …), so that from then on it behaves like any task of the plan: reminders, reports,
``/status``, exports. Without a plan of that year, a plan "Nhiệm vụ phát sinh năm YYYY" is created
(key ``phat-sinh-YYYY``). Its source — who gave it, when, from which document — is an
:class:`~dondoc.db.models.AdhocTask` row; re-importing the appendix leaves these tasks alone
(:func:`dondoc.plan.store.save_appendix`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from dondoc.db.models import (
    AdhocTask,
    Area,
    Assignment,
    DeadlineKind,
    Occurrence,
    Organization,
    Plan,
    Role,
    Task,
    Unit,
)

AREA_CODE = "PS"
AREA_TITLE = "Nhiệm vụ phát sinh"  # data, as an appendix's own area titles are
FIRST_POSITION = 100_000  # after any appendix's tasks, which re-imports number from 0


@dataclass
class Given:
    task: Task
    plan: Plan
    assignment_ids: list[int]


def plan_of_year(session: Session, org: Organization, year: int) -> Plan:
    """The organisation's newest plan of ``year``, or a new "Nhiệm vụ phát sinh năm YYYY" plan."""
    assert org.id is not None
    found = session.exec(
        select(Plan).where(Plan.organization_id == org.id, Plan.year == year).order_by(col(Plan.id).desc())
    ).first()
    if found is not None:
        return found
    plan = Plan(organization_id=org.id, key=f"phat-sinh-{year}", title=f"{AREA_TITLE} năm {year}", year=year)
    session.add(plan)
    session.flush()
    return plan


def give_task(
    session: Session,
    org: Organization,
    units: Sequence[Unit],
    *,
    text: str,
    due: date,
    given_at: datetime,
    given_by_person_id: int | None = None,
    document: str = "",
    year: int | None = None,
) -> Given:
    """Add a task led by ``units`` with one deadline ``due`` to the plan of ``year`` (default the
    year of ``given_at``); returns it with its new assignments' ids (whose reminders to plan)."""
    plan = plan_of_year(session, org, year or given_at.year)
    assert plan.id is not None
    area = session.exec(select(Area).where(Area.plan_id == plan.id, Area.code == AREA_CODE)).first()
    if area is None:
        last = session.exec(select(func.max(Area.position)).where(Area.plan_id == plan.id)).one()
        area = Area(plan_id=plan.id, code=AREA_CODE, title=AREA_TITLE, position=(last or 0) + 1)
        session.add(area)
        session.flush()
    numbers = [
        int(code.split(".", 1)[1])
        for code in session.exec(select(Task.code).where(Task.plan_id == plan.id, Task.area_id == area.id))
        if code.split(".", 1)[-1].isdigit()
    ]
    number = max(numbers, default=0) + 1
    task = Task(
        plan_id=plan.id,
        area_id=area.id,
        code=f"{AREA_CODE}.{number}",
        number=str(number),
        title=text,
        note=document,
        deadline_text=due.strftime("%d/%m/%Y"),
        deadline_kind=DeadlineKind.FIXED,
        position=FIRST_POSITION + number,
    )
    session.add(task)
    session.flush()
    assert task.id is not None
    session.add(Occurrence(task_id=task.id, due=due))
    session.add(AdhocTask(task_id=task.id, given_at=given_at, given_by_person_id=given_by_person_id, document=document))
    assignments = []
    for position, unit in enumerate(distinct(units)):
        assert unit.id is not None
        assignment = Assignment(task_id=task.id, unit_id=unit.id, role=Role.LEAD, position=position)
        session.add(assignment)
        assignments.append(assignment)
    session.flush()
    return Given(task, plan, [a.id for a in assignments if a.id is not None])


def distinct(units: Sequence[Unit]) -> list[Unit]:
    """``units`` without repeats, in order."""
    return list({unit.id: unit for unit in units}.values())


def adhoc_task_ids(session: Session, plan_id: int) -> set[int]:
    """The ids of the plan's tasks given outside the appendix."""
    return {
        task_id
        for task_id in session.exec(
            select(AdhocTask.task_id).join(Task, col(Task.id) == AdhocTask.task_id).where(Task.plan_id == plan_id)
        )
    }
