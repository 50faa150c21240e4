"""What the two kinds of request about one deadline of one assignment share — a request for more time
(:mod:`dondoc.plan.extensions`) and an explanation of an overdue item (:mod:`dondoc.plan.explanations`):
writing one, answering it once, and listing them with their task, their unit and the names of the
people who asked and answered."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self, TypeVar

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from dondoc.db.models import Assignment, Explanation, Extension, Person, Task, Unit

Request = TypeVar("Request", Explanation, Extension)


def add(session: Session, row: Request) -> Request:
    """Write a new request (its id is known on return)."""
    session.add(row)
    session.flush()
    return row


def answer_once(
    session: Session,
    model: type[Explanation] | type[Extension],
    request_id: int,
    still_open: ColumnElement[bool],
    **values: Any,
) -> bool:
    """Write ``values`` (the answer) on the request while ``still_open`` holds, in one conditional
    update, so that of two people answering at once, from two processes, only the first wins;
    ``False`` when the request was answered first by someone else (nothing changes then)."""
    result = session.execute(
        update(model)
        .where(col(model.id) == request_id, still_open)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return bool(getattr(result, "rowcount", 0))


def with_task_and_unit(model: type[Request], organization_ids: Collection[int]) -> Select[Request, Task, Unit]:
    """The requests about the organisations' units, each with its task and unit, oldest first (the
    caller may narrow the query further)."""
    return (
        select(model, Task, Unit)
        .join(Assignment, col(Assignment.id) == model.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(col(Unit.organization_id).in_(list(organization_ids)))
        .order_by(col(model.requested_at), col(model.id))
    )


def rows_and_names(
    session: Session, query: Select[Request, Task, Unit], organization_ids: Collection[int] | None = None
) -> tuple[Sequence[tuple[Request, Task, Unit]], dict[int, str]]:
    """The rows of a :func:`with_task_and_unit` query, and the names of the people who asked and who
    answered them (:func:`people_names`)."""
    rows = session.exec(query).all()
    asked_or_answered = [i for row, *_rest in rows for i in (row.requested_by_person_id, row.answered_by_person_id)]
    return rows, people_names(session, asked_or_answered, organization_ids)


def people_names(
    session: Session, person_ids: Collection[int | None], organization_ids: Collection[int] | None = None
) -> dict[int, str]:
    """Person id → full name, for the ids given (``None`` ids are passed over), of the organisations
    when given; one query, none when there is no id."""
    wanted = {i for i in person_ids if i is not None}
    if not wanted:
        return {}
    query = select(Person).where(col(Person.id).in_(wanted))
    if organization_ids is not None:
        query = query.where(col(Person.organization_id).in_(list(organization_ids)))
    return {p.id: p.full_name for p in session.exec(query) if p.id is not None}


def name_of(names: dict[int, str], person_id: int | None) -> str:
    """The person's name from :func:`people_names`, ``""`` when there is no person (or not known)."""
    return names.get(person_id, "") if person_id is not None else ""


@dataclass
class RequestView:
    """What listings show of either kind of request: the deadline it is about, who asked and when, who
    answered and when (names ``""`` when nobody, or an administrator, did)."""

    id: int
    task: str
    unit: str
    unit_name: str
    due: date
    requested_at: datetime
    requested_by: str
    answered_at: datetime | None
    answered_by: str
    entered_by_admin: bool

    @classmethod
    def of(cls, row: Explanation | Extension, task: Task, unit: Unit, names: dict[int, str], **more: Any) -> Self:
        """The view of a row of :func:`rows_and_names`; ``more``: the fields of the kind of request."""
        assert row.id is not None
        return cls(
            id=row.id,
            task=task.code,
            unit=unit.code,
            unit_name=unit.name,
            due=row.due,
            requested_at=row.requested_at,
            requested_by=name_of(names, row.requested_by_person_id),
            answered_at=row.answered_at,
            answered_by=name_of(names, row.answered_by_person_id),
            entered_by_admin=row.entered_by_admin,
            **more,
        )

    def deadline_json(self) -> dict[str, Any]:
        """The first keys of either kind's JSON: the request and the deadline it is about."""
        return {"id": self.id, "task": self.task, "unit": self.unit, "due": self.due.isoformat()}
