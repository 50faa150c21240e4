"""What the migration tests write into a database at an older revision before upgrading it."""

from __future__ import annotations

from sqlmodel import Session

from dondoc.db.models import Assignment, Organization, Plan, Role, Task, Unit


def one_lead_assignment(session: Session) -> tuple[int, int]:
    """An organisation with one unit, one plan and one task the unit leads, flushed: (the
    organisation's id, the lead assignment's id)."""
    org = Organization(name="UBND xã Thử")
    session.add(org)
    session.flush()
    assert org.id is not None
    unit = Unit(organization_id=org.id, code="VP", name="Văn phòng")
    plan = Plan(organization_id=org.id, key="2022", title="Kế hoạch", year=2022)
    session.add_all([unit, plan])
    session.flush()
    assert plan.id and unit.id
    task = Task(plan_id=plan.id, code="I.1", number="1", title="Rà soát")
    session.add(task)
    session.flush()
    assert task.id
    assignment = Assignment(task_id=task.id, unit_id=unit.id, role=Role.LEAD)
    session.add(assignment)
    session.flush()
    assert assignment.id
    return org.id, assignment.id
