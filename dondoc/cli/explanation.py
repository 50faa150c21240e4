"""``dondoc explanation …``: explanations of overdue items (giải trình) asked on paper, their answers,
and the list of requests."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli.common import (
    DATE,
    JsonOption,
    PlanOption,
    TaskOption,
    UnitOption,
    at_option,
    calendar,
    clock,
    entered_at,
    fail,
    global_options,
    organization,
    parse_cli_date,
    plan,
    print_json,
    print_list,
    store,
    unit_assignment,
)
from dondoc.db.session import session_scope
from dondoc.i18n import _, format_date
from dondoc.plan import explanations
from dondoc.plan.progress import plan_status
from dondoc.scheduler.requests import default_answer_due
from dondoc.scheduler.schedule import replan
from dondoc.tz import TZ

explanation_app = typer.Typer(help="Explanations of overdue items (giải trình).", no_args_is_help=True)


@explanation_app.command("add")
@global_options
def explanation_add(
    task: TaskOption,
    unit: UnitOption,
    due: Annotated[
        str | None,
        typer.Option("--due", metavar=DATE, help="The day the explanation is due (default: 3 working days later)."),
    ] = None,
    at: Annotated[str | None, at_option("asked")] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a request for an explanation asked on paper (marked as entered by an administrator):
    the unit's earliest item of the task overdue on that day; its focal points are reminded until
    they answer."""
    now = clock().now()
    asked_at = entered_at(at, now)
    work = calendar()
    answer_due = parse_cli_date(due, "--due") if due else default_answer_due(work, asked_at)
    if answer_due <= asked_at.date():
        fail(
            _("--due: {due} is not after the day it is asked ({at})").format(
                due=format_date(answer_due), at=format_date(asked_at.date())
            )
        )
    with session_scope(store()) as session:
        found_plan = plan(session, key)
        found, row = unit_assignment(session, found_plan, task, unit)
        assert row.id is not None
        status = plan_status(session, found_plan, asked_at.date(), unit_codes=[found.code])
        item = next((i for i in status.items if i.task == task and i.category == "overdue"), None)
        if item is None:
            fail(
                _("{task} · {unit} is not overdue on {date}").format(
                    task=task, unit=found.code, date=format_date(asked_at.date())
                )
            )
        if explanations.open_request(session, row.id, item.due) is not None:
            fail(
                _("{task} · {unit}: an explanation is already asked and not answered").format(
                    task=task, unit=found.code
                )
            )
        recorded = explanations.request(
            session, row, due=item.due, answer_due=answer_due, at=asked_at, person_id=None, entered_by_admin=True
        )
        replan(session, work, now, assignment_ids=[row.id])
        result = {
            "id": recorded.id,
            "task": task,
            "unit": found.code,
            "due": item.due.isoformat(),
            "answer_due": answer_due.isoformat(),
        }
    if as_json:
        print_json(result)
    else:
        typer.echo(
            _("Recorded: request no. {number} — {code} (deadline {due}), explanation due {answer_due}.").format(
                number=result["id"],
                code=f"{task} · {result['unit']}",
                due=format_date(item.due),
                answer_due=format_date(answer_due),
            )
        )


@explanation_app.command("answer")
@global_options
def explanation_answer(
    number: Annotated[int, typer.Argument(help="The request's number (from «dondoc explanation list»).")],
    text: Annotated[str, typer.Option("--text", help="The unit's explanation.")],
    at: Annotated[str | None, at_option("given")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record the explanation a unit gave on paper."""
    now = clock().now()
    given_at = entered_at(at, now)
    if not text.strip():
        fail(_("--text: the explanation is empty"))
    if len(text) > explanations.MAX_ANSWER:
        fail(_("--text: {count} characters, at most {limit}").format(count=len(text), limit=explanations.MAX_ANSWER))
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        found = explanations.list_explanations(session, [org.id], explanation_id=number)
        if not found:
            fail(_("no explanation request no. {number}").format(number=number))
        if found[0].answered:
            fail(_("request no. {number} is already answered").format(number=number))
        explanations.answer(session, number, text=text.strip(), person_id=None, at=given_at)
        replan(session, calendar(), now, assignment_ids=[found[0].assignment_id])
    if as_json:
        print_json({"id": number, "answered_at": given_at.isoformat()})
    else:
        typer.echo(_("Recorded: the answer to request no. {number}.").format(number=number))


@explanation_app.command("list")
@global_options
def explanation_list(
    unanswered: Annotated[bool, typer.Option("--unanswered", help="Only the requests not answered yet.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every request for an explanation of the organisation, with its answer."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        views = explanations.list_explanations(session, [org.id], unanswered=unanswered)
    print_list(views, as_json, _("No explanation requests."), _line)


def _line(view: explanations.ExplanationView) -> str:
    state = (
        _("answered {date}: {answer}").format(
            date=format_date(view.answered_at.astimezone(TZ).date()), answer=view.answer
        )
        if view.answered_at is not None
        else _("not answered (due {date})").format(date=format_date(view.answer_due))
    )
    return (
        f"#{view.id} {view.task} · {view.unit} ({format_date(view.due)}) — "
        + _("asked {date}").format(date=format_date(view.requested_at.astimezone(TZ).date()))
        + f" — {state}"
    )
