"""What the migration tests write into a database at an older revision before upgrading it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from sqlalchemy.engine import Connection
from sqlmodel import Session

from dondoc.db.models import Assignment, Organization, Plan, Role, Task, Unit
from dondoc.db.session import alembic_config, make_engine


@contextmanager
def at_revision(url: str, revision: str) -> Iterator[Connection]:
    """The database at ``url`` migrated to ``revision`` only, its connection in one transaction
    (committed when the block ends; the engine is then disposed)."""
    old = make_engine(url)
    config = alembic_config(old)
    try:
        with old.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            yield connection
    finally:
        old.dispose()


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
