"""Test data made the way the product makes it: reports on the sample plan's assignments."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Organization, Person, Status, Task, Unit
from dondoc.scheduler import schedule
from dondoc.scheduler.clock import TZ


def add_report(
    session: Session,
    task_code: str,
    unit_code: str,
    status: Status | str,
    at: datetime,
    *,
    percent: int | None = None,
    note: str = "",
    blocked_reason: str = "",
    completed_on: date | None = None,
    evidence_ref: str = "",
    evidence_kind: str = "",
    reporter: str = "",
) -> None:
    """Record a report of ``unit_code`` on ``task_code`` at ``at`` (naive = Vietnam time) through the bot's
    own :func:`dondoc.scheduler.schedule.add_report`."""
    assignment = session.exec(
        select(Assignment)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Task.code == task_code, Unit.code == unit_code)
    ).one()
    assert assignment.id is not None
    person_id = None
    if reporter:
        org = session.exec(select(Organization)).one()
        person = Person(organization_id=org.id or 0, full_name=reporter, created_at=at.replace(tzinfo=TZ))
        session.add(person)
        session.flush()
        person_id = person.id
    schedule.add_report(
        session,
        assignment,
        status=Status(status),
        percent=percent if percent is not None else 0,
        reported_at=at if at.tzinfo else at.replace(tzinfo=TZ),
        note=note,
        completed_on=completed_on,
        blocked_reason=blocked_reason,
        evidence_ref=evidence_ref,
        evidence_file_id="file-123" if evidence_kind else "",
        evidence_kind=evidence_kind,
        reporter_person_id=person_id,
    )
    session.commit()
