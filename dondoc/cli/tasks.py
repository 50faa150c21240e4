"""``dondoc task add``: a task given outside the plan (giao việc, nhiệm vụ phát sinh)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

import typer

from dondoc.cli.common import (
    DATE,
    JsonOption,
    at_option,
    calendar,
    clock,
    fail,
    global_options,
    organization,
    parse_cli_date,
    print_json,
    registry_unit,
    store,
)
from dondoc.db.session import session_scope
from dondoc.i18n import _, format_date
from dondoc.plan.adhoc import distinct, give_task
from dondoc.scheduler.schedule import replan
from dondoc.tz import TZ

task_app = typer.Typer(help="Tasks given outside the plan (giao việc).", no_args_is_help=True)


@task_app.command("add")
@global_options
def task_add(
    unit: Annotated[list[str], typer.Option("--unit", help="Unit code or name; repeat it, or separate with commas.")],
    text: Annotated[str, typer.Option("--text", help="What is to be done.")],
    due: Annotated[str, typer.Option("--due", metavar=DATE, help="The deadline, e.g. 2022-06-15 or 15/06/2022.")],
    document: Annotated[str, typer.Option("--document", help="The letter or conclusion it comes from.")] = "",
    at: Annotated[str | None, at_option("given")] = None,
    as_json: JsonOption = False,
) -> None:
    """Give a task outside the plan: it joins the organisation's plan of the year, in the area
    "Nhiệm vụ phát sinh", and is followed up like any task (reminders, reports, status, exports)."""
    now = clock().now()
    due_day = parse_cli_date(due, "--due")
    day = parse_cli_date(at) if at else now.date()
    given_at = now if day == now.date() else datetime.combine(day, time(9, 0), tzinfo=TZ)
    if not text.strip():
        fail(_("--text: the task's text is empty"))
    names = [name.strip() for option in unit for name in option.split(",") if name.strip()]
    if not names:
        fail(_("--unit: name at least one unit"))
    with session_scope(store()) as session:
        org = organization(session)
        units = []
        for name in names:
            units.append(registry_unit(session, org.id, name))
        given = give_task(
            session, org, units, text=text.strip(), due=due_day, given_at=given_at, document=document.strip(),
            year=due_day.year,
        )  # fmt: skip
        replan(session, calendar(), now, assignment_ids=given.assignment_ids)
        result = {
            "plan": given.plan.key,
            "task": given.task.code,
            "units": [u.code for u in distinct(units)],
            "due": due_day.isoformat(),
            "text": given.task.title,
            "document": document.strip(),
            "given_at": given_at.astimezone(TZ).isoformat(),
        }
    if as_json:
        print_json(result)
    else:
        typer.echo(
            _("Added {code} to the plan {plan}: {units}, due {due}.").format(
                code=result["task"], plan=result["plan"], units=", ".join(result["units"]), due=format_date(due_day)
            )
        )
