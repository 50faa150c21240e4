"""Explanations of overdue items (giải trình): a manager asks, the unit's focal point answers.

A request is about one overdue deadline of one assignment (``Explanation.due``, the occurrence's
original date). The unit's focal points and deputies answer by ``answer_due``: by default the third
Vietnamese working day after the request (:func:`dondoc.scheduler.requests.default_answer_due`, by the
project calendar). The
request is written once and so is its answer: the first answer stands (:func:`answer` is a conditional
update, so two focal points answering at once, from two processes, cannot both win). A manager may ask
again about the same deadline once the previous request is answered; the history keeps every one.

Until it is answered, a request is reminded like a deadline (:mod:`dondoc.scheduler.requests`); the
answer is shown with the item in ``/task``, the status workbook (sheet "Giải trình") and the report
draft's overdue section.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Explanation, Plan, Task, Unit
from dondoc.i18n import _, format_date
from dondoc.plan import deadline_requests
from dondoc.plan.deadline_requests import RequestView
from dondoc.tz import TZ

MAX_ANSWER = 1500  # characters of an explanation (it is passed on in a message of at most 2,000 on Zalo)


def open_request(session: Session, assignment_id: int, due: date) -> Explanation | None:
    """The unanswered request about this deadline of this assignment, if any."""
    return session.exec(
        select(Explanation)
        .where(
            Explanation.assignment_id == assignment_id,
            Explanation.due == due,
            col(Explanation.answered_at).is_(None),
        )
        .order_by(col(Explanation.id))
    ).first()


def request(
    session: Session,
    assignment: Assignment,
    *,
    due: date,
    answer_due: date,
    at: datetime,
    person_id: int | None,
    entered_by_admin: bool = False,
) -> Explanation:
    """Record a request (the caller checked that none is open on this deadline)."""
    assert assignment.id is not None
    return deadline_requests.add(
        session,
        Explanation(
            assignment_id=assignment.id,
            due=due,
            answer_due=answer_due,
            requested_at=at,
            requested_by_person_id=person_id,
            entered_by_admin=entered_by_admin,
        ),
    )


def answer(session: Session, explanation_id: int, *, text: str, person_id: int | None, at: datetime) -> bool:
    """Answer an open request; ``False`` when it was answered first by someone else (nothing changes)."""
    return deadline_requests.answer_once(
        session,
        Explanation,
        explanation_id,
        col(Explanation.answered_at).is_(None),
        answer=text,
        answered_at=at,
        answered_by_person_id=person_id,
    )


@dataclass
class ExplanationView(RequestView):
    """One request as listings show it."""

    assignment_id: int
    organization_id: int
    plan_id: int
    task_title: str
    answer_due: date
    requested_by_person_id: int | None
    answer: str

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def late(self, today: date) -> bool:
        """Unanswered past its day."""
        return not self.answered and self.answer_due < today

    def to_json(self) -> dict[str, Any]:
        return {
            **self.deadline_json(),
            "answer_due": self.answer_due.isoformat(),
            "requested_at": self.requested_at.isoformat(),
            "requested_by": self.requested_by or None,
            "entered_by_admin": self.entered_by_admin,
            "answered": self.answered,
            "answer": self.answer if self.answered else None,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "answered_by": self.answered_by or None,
        }


def list_explanations(
    session: Session,
    organization_ids: Collection[int],
    *,
    unanswered: bool = False,
    unit_ids: Collection[int] | None = None,
    plan_id: int | None = None,
    before: datetime | None = None,
    explanation_id: int | None = None,
) -> list[ExplanationView]:
    """The requests about the organisations' units (requested before ``before``, when given), oldest
    first; ``unanswered``: the open ones only."""
    query = deadline_requests.with_task_and_unit(Explanation, organization_ids)
    if unanswered:
        query = query.where(col(Explanation.answered_at).is_(None))
    if unit_ids is not None:
        query = query.where(col(Unit.id).in_(list(unit_ids)))
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    if before is not None:
        query = query.where(col(Explanation.requested_at) < before)
    if explanation_id is not None:
        query = query.where(Explanation.id == explanation_id)
    rows, people = deadline_requests.rows_and_names(session, query)
    return [
        ExplanationView.of(
            row,
            task,
            unit,
            people,
            assignment_id=row.assignment_id,
            organization_id=unit.organization_id,
            plan_id=task.plan_id,
            task_title=task.title,
            answer_due=row.answer_due,
            requested_by_person_id=row.requested_by_person_id,
            answer=row.answer,
        )
        for row, task, unit in rows
    ]


ItemKey = tuple[str, str, date]  # (task code, unit code, original due date)


def by_item(session: Session, plan: Plan, before: datetime | None = None) -> dict[ItemKey, ExplanationView]:
    """The newest request about each item of the plan (requested before ``before``, when given)."""
    assert plan.id is not None
    found: dict[ItemKey, ExplanationView] = {}
    for view in list_explanations(session, [plan.organization_id], plan_id=plan.id, before=before):
        found[(view.task, view.unit, view.due)] = view
    return found


def describe(view: ExplanationView) -> str:
    """ "Explanation asked on 15/03/2022, answered 17/03/2022: …" or "… not answered yet (due 18/03/2022)"
    (plain text: the caller escapes it)."""
    asked = format_date(view.requested_at.astimezone(TZ).date())
    if view.answered_at is not None:
        return _("Explanation asked on {asked}, answered on {on}: {answer}").format(
            asked=asked, on=format_date(view.answered_at.astimezone(TZ).date()), answer=view.answer
        )
    return _("Explanation asked on {asked}, not answered yet (due {due})").format(
        asked=asked, due=format_date(view.answer_due)
    )


def write_explanations_sheet(
    wb: Any,
    header: Any,
    table: dict[tuple[bool, str], Any],
    session: Session,
    plan: Plan,
    as_of: date,
    *,
    date_format: Any = None,
) -> None:
    """An "Explanations" sheet (after the detail): every request made by the end of ``as_of``, with its
    answer; none when there is no request. The request's number is a number and its dates are real
    dates in ``date_format`` (default: dd/mm/yyyy), so that the clerk can sort and filter by them.
    ``table``: (bold?, kind) → format, kinds "text", "quoted" (quote-prefixed text) and "number"."""
    from dondoc.plan.export import FORMULA_START
    from dondoc.plan.progress import end_of_day

    views = list_explanations(session, [plan.organization_id], plan_id=plan.id, before=end_of_day(as_of))
    if not views:
        return
    ws = wb.add_worksheet(_("Explanations")[:31])
    columns = [
        (_("Request no."), 8),
        (_("Code"), 8),
        (_("Task"), 40),
        (_("Unit"), 24),
        (_("Deadline"), 12),
        (_("Asked on"), 12),
        (_("Asked by"), 20),
        (_("Explanation due"), 12),
        (_("Explanation"), 50),
        (_("Answered on"), 12),
        (_("Answered by"), 20),
    ]
    for column, (name, width) in enumerate(columns):
        ws.set_column(column, column, width)
        ws.write_string(0, column, name, header)
    ws.freeze_panes(1, 0)
    day = date_format if date_format is not None else wb.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    for row, view in enumerate(views, start=1):
        answered = view.answered_at is not None and view.answered_at <= end_of_day(as_of)
        asked_by = view.requested_by or (_("administrator") if view.entered_by_admin else "")
        cells: list[str | int | date | None] = [
            view.id,
            view.task,
            view.task_title,
            view.unit_name,
            view.due,
            view.requested_at.astimezone(TZ).date(),
            asked_by,
            view.answer_due,
            view.answer if answered else _("not answered yet"),
            view.answered_at.astimezone(TZ).date() if answered and view.answered_at else None,
            view.answered_by if answered else "",
        ]
        for column, value in enumerate(cells):
            if isinstance(value, int):
                ws.write_number(row, column, value, table[(False, "number")])
            elif isinstance(value, date):
                ws.write_datetime(row, column, value, day)
            elif value is None:
                ws.write_blank(row, column, None, day)
            else:
                # Typed text Excel would take for a formula once the clerk edits the cell ("-Do chờ …",
                # "+84 …", "=…", "@…"): quote-prefixed, as in the detail.
                kind = "quoted" if value.startswith(FORMULA_START) else "text"
                ws.write_string(row, column, value, table[(column == 1, kind)])
    ws.autofilter(0, 0, len(views), len(columns) - 1)
