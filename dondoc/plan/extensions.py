"""Requests for more time (đề nghị gia hạn): asking, answering, and what an approved one changes.

A request is about one deadline of one assignment: the earliest occurrence the unit has not closed
when it asks (:func:`open_due`). Its managers and the coordinating unit's managers answer **Đồng ý**
or **Không đồng ý**; the first answer wins (:func:`answer`, a conditional update, so two managers
answering at once, from two processes, cannot both win). An approved request moves that
occurrence's deadline to the new date for that assignment only:

- the categories (:mod:`dondoc.plan.progress`) judge the occurrence against the new date, from the
  moment it was approved on — unless the organisation's settings say ``extensions: judge_against:
  original``, then against the original date (the new date is still shown);
- its reminders are planned around the new date (:func:`dondoc.scheduler.schedule.schedule_reminders`);
- the original date is kept (``Extension.due``) and shown beside the new one ("hạn 31/03/2022, gia hạn
  đến 30/06/2022", :func:`describe_due`).

Several approved requests on one deadline: the newest approval counts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Extension,
    ExtensionState,
    Occurrence,
    Organization,
    Report,
    Status,
    Task,
    Unit,
)
from dondoc.i18n import _, format_date
from dondoc.plan import deadline_requests
from dondoc.plan.deadline_requests import RequestView

ExtensionKey = tuple[int, date]  # (assignment id, original due date)


def judge_against_original(settings: dict[str, Any]) -> bool:
    """Whether the organisation judges extended deadlines against their original date."""
    section = settings.get("extensions") or {}
    return isinstance(section, dict) and section.get("judge_against") == "original"


def approved_extensions(
    connection: Connection,
    *,
    assignment_ids: Collection[int] | None = None,
    plan_id: int | None = None,
    before: datetime | None = None,
) -> dict[ExtensionKey, date]:
    """(assignment id, original due date) → the approved new due date (the newest approval), for
    approvals made before ``before`` (all when ``None``)."""
    query = sa_select(col(Extension.assignment_id), col(Extension.due), col(Extension.new_due)).where(
        col(Extension.state) == ExtensionState.APPROVED
    )
    if assignment_ids is not None:
        query = query.where(col(Extension.assignment_id).in_(list(assignment_ids)))
    if plan_id is not None:
        query = (
            query.join(Assignment, col(Assignment.id) == Extension.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(col(Task.plan_id) == plan_id)
        )
    if before is not None:
        query = query.where(col(Extension.answered_at) < before)
    found: dict[ExtensionKey, date] = {}
    for assignment_id, due, new_due in connection.execute(
        query.order_by(col(Extension.answered_at), col(Extension.id))
    ):
        found[(assignment_id, due)] = new_due
    return found


def describe_due(due: date, extended_to: date | None) -> str:
    """ "31/03/2022", or "31/03/2022, extended to 30/06/2022" for an extended deadline."""
    if extended_to is None or extended_to == due:
        return format_date(due)
    return _("{due}, extended to {new}").format(due=format_date(due), new=format_date(extended_to))


def open_due(session: Session, assignment: Assignment) -> date | None:
    """The assignment's earliest deadline not closed by a done report (uncorrected): the one a
    request for more time is about. ``None`` when every deadline is closed (or the task has none)."""
    session.flush()
    dues: list[date] = [
        due
        for (due,) in session.connection().execute(
            sa_select(col(Occurrence.due))
            .where(col(Occurrence.task_id) == assignment.task_id)
            .order_by(col(Occurrence.due))
        )
    ]
    rows = session.exec(
        select(Report.id, Report.status, Report.corrects_report_id).where(Report.assignment_id == assignment.id)
    ).all()
    corrected = {fix for _id, _status, fix in rows if fix is not None}
    closed = sum(1 for rid, status, _fix in rows if status == Status.DONE and rid not in corrected)
    return dues[closed] if closed < len(dues) else None


def current_extension(session: Session, assignment_id: int, due: date) -> date | None:
    """The approved new date of one deadline, ``None`` when it was not extended."""
    found = approved_extensions(session.connection(), assignment_ids=[assignment_id])
    return found.get((assignment_id, due))


def request(
    session: Session,
    assignment: Assignment,
    *,
    due: date,
    new_due: date,
    reason: str,
    at: datetime,
    person_id: int | None,
) -> Extension:
    """Record a pending request."""
    return _record(
        session, assignment, ExtensionState.PENDING, due, new_due, reason, at, requested_by_person_id=person_id
    )


def record_approved(
    session: Session, assignment: Assignment, *, due: date, new_due: date, reason: str, at: datetime
) -> Extension:
    """An extension approved on paper, entered by an administrator (``dondoc extension add``)."""
    return _record(
        session, assignment, ExtensionState.APPROVED, due, new_due, reason, at, answered_at=at, entered_by_admin=True
    )


def _record(
    session: Session,
    assignment: Assignment,
    state: ExtensionState,
    due: date,
    new_due: date,
    reason: str,
    at: datetime,
    **more: Any,
) -> Extension:
    assert assignment.id is not None
    row = Extension(
        assignment_id=assignment.id, due=due, new_due=new_due, reason=reason, state=state, requested_at=at, **more
    )
    return deadline_requests.add(session, row)


def answer(
    session: Session, extension_id: int, *, approve: bool, person_id: int | None, at: datetime, note: str = ""
) -> bool:
    """Answer a pending request; ``False`` when someone answered it first (nothing changes then)."""
    return deadline_requests.answer_once(
        session,
        Extension,
        extension_id,
        col(Extension.state) == ExtensionState.PENDING,
        state=ExtensionState.APPROVED if approve else ExtensionState.REJECTED,
        answered_at=at,
        answered_by_person_id=person_id,
        answer_note=note,
    )


@dataclass
class ExtensionView(RequestView):
    """One request as listings show it."""

    new_due: date
    reason: str
    state: str
    answer_note: str

    def to_json(self) -> dict[str, Any]:
        return {
            **self.deadline_json(),
            "new_due": self.new_due.isoformat(),
            "reason": self.reason,
            "state": self.state,
            "requested_at": self.requested_at.isoformat(),
            "requested_by": self.requested_by or None,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "answered_by": self.answered_by or None,
            "answer_note": self.answer_note,
            "entered_by_admin": self.entered_by_admin,
        }


def list_extensions(
    session: Session, organization_ids: Collection[int], extension_id: int | None = None
) -> list[ExtensionView]:
    """The requests on the organisations' units, oldest first."""
    query = deadline_requests.with_task_and_unit(Extension, organization_ids)
    if extension_id is not None:
        query = query.where(Extension.id == extension_id)
    rows, names = deadline_requests.rows_and_names(session, query, organization_ids)
    return [
        ExtensionView.of(
            ext, task, unit, names, new_due=ext.new_due, reason=ext.reason, state=ext.state, answer_note=ext.answer_note
        )
        for ext, task, unit in rows
    ]


def organization_of(session: Session, assignment: Assignment) -> Organization | None:
    unit = session.get(Unit, assignment.unit_id)
    return session.get(Organization, unit.organization_id) if unit is not None else None
