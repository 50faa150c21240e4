"""``dondoc extension …``: extensions of deadlines approved on paper, and the list of requests."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli.common import (
    DATE,
    JsonOption,
    PlanOption,
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
    task_option,
    unit_assignment,
)
from dondoc.db.session import session_scope
from dondoc.i18n import _, format_date
from dondoc.plan import extensions
from dondoc.scheduler.extend import apply_extension

extension_app = typer.Typer(help="Extensions of deadlines (gia hạn).", no_args_is_help=True)


@extension_app.command("add")
@global_options
def extension_add(
    task: Annotated[str, task_option("I.2.")],
    unit: UnitOption,
    to: Annotated[str, typer.Option("--to", metavar=DATE, help="The new due date, e.g. 2022-06-30.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the deadline moves.")] = "",
    at: Annotated[str | None, at_option("approved")] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an extension approved on paper (marked as entered by an administrator): the unit's
    earliest open deadline of the task moves to the new date, and its reminders with it."""
    now = clock().now()
    new_due = parse_cli_date(to, "--to")
    approved_at = entered_at(at, now)
    with session_scope(store()) as session:
        found_plan = plan(session, key)
        found, row = unit_assignment(session, found_plan, task, unit)
        due = extensions.open_due(session, row)
        if due is None:
            fail(_("{task} · {unit} has no open deadline to extend").format(task=task, unit=found.code))
        if new_due <= due:
            fail(
                _("--to: {new} is not after the deadline {due}").format(new=format_date(new_due), due=format_date(due))
            )
        recorded = extensions.record_approved(session, row, due=due, new_due=new_due, reason=reason, at=approved_at)
        apply_extension(session, recorded, calendar(), now)
        unit_code = found.code
    result = {"task": task, "unit": unit_code, "due": due.isoformat(), "new_due": new_due.isoformat()}
    if as_json:
        print_json(result)
    else:
        typer.echo(
            _("Recorded: {code} — due {dates}.").format(
                code=f"{task} · {unit_code}", dates=extensions.describe_due(due, new_due)
            )
        )


@extension_app.command("list")
@global_options
def extension_list(as_json: JsonOption = False) -> None:
    """Every request for more time of the organisation, with its answer."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        views = extensions.list_extensions(session, [org.id])
    print_list(views, as_json, _("No extension requests."), _line)


def _line(view: extensions.ExtensionView) -> str:
    labels = {"pending": _("pending"), "approved": _("approved"), "rejected": _("rejected")}
    return (
        f"#{view.id} {view.task} · {view.unit}: {extensions.describe_due(view.due, view.new_due)}"
        f" — {labels.get(view.state, view.state)}" + (f" — {view.reason}" if view.reason else "")
    )
