"""``dondoc report …``: progress reports entered for a unit, and the periodic report draft."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dondoc.cli.common import (
    DATE,
    JsonOption,
    PlanOption,
    TaskOption,
    UnitOption,
    calendar,
    clock,
    entered_at,
    fail,
    global_options,
    output_option,
    plan,
    print_json,
    store,
    unit_assignment,
    usage,
)
from dondoc.cli.status import cannot_write, check_suffix, written
from dondoc.db.models import Status
from dondoc.db.session import session_scope
from dondoc.i18n import _
from dondoc.plan.dates import check_completion_date, describe
from dondoc.plan.progress import status_label
from dondoc.scheduler.clock import FIRST_YEAR, LAST_YEAR
from dondoc.scheduler.schedule import add_report
from dondoc.tz import TZ

report_app = typer.Typer(help="Progress reports.", no_args_is_help=True)


@report_app.command("add")
@global_options
def report_add(
    task: TaskOption,
    unit: UnitOption,
    status: Annotated[str, typer.Option("--status", help="not_started, in_progress, done or blocked.")],
    percent: Annotated[int | None, typer.Option("--percent", min=0, max=100, help="0 to 100.")] = None,
    at: Annotated[
        str | None, typer.Option("--at", metavar=DATE, help="Report date; for done, the completion date.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="What was done, or what blocks it.")] = "",
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a report on a unit's behalf (one that came by phone or on paper)."""
    if status not in {s.value for s in Status}:
        raise typer.BadParameter(
            _("unknown status {status}: use not_started, in_progress, done or blocked").format(status=status),
            param_hint="--status",
        )
    now = clock().now()
    reported_at = entered_at(at, now, bounded=False)
    day = reported_at.date()
    with session_scope(store()) as session:
        found_plan = plan(session, key)
        problem = check_completion_date(day, found_plan.year, now.date())
        if problem is not None:
            fail("--at: " + describe(problem, at or "", found_plan.year, now.date()))
        found, row = unit_assignment(session, found_plan, task, unit)
        kind = Status(status)
        report = add_report(
            session,
            row,
            status=kind,
            percent=percent if percent is not None else (100 if kind == Status.DONE else 0),
            reported_at=reported_at,
            note=note,
            completed_on=day if kind == Status.DONE else None,
            blocked_reason=note if kind == Status.BLOCKED else "",
            entered_by_admin=True,
            calendar=calendar(),
        )
    result = {
        "task": task,
        "unit": found.code,
        "status": report.status.value,
        "percent": report.percent,
        "completed_on": report.completed_on.isoformat() if report.completed_on else None,
        "reported_at": report.reported_at.astimezone(TZ).isoformat(),
    }
    if as_json:
        print_json(result)
    else:
        typer.echo(
            _("Recorded: {code} — {status}, {percent}%.").format(
                code=f"{task} · {found.code}", status=status_label(kind), percent=report.percent
            )
        )


@report_app.command("draft")
@global_options
def report_draft(
    period: Annotated[str, typer.Option("--period", help="q1, half, q3 or year.")],
    output: Annotated[Path, output_option("docx")],
    year: Annotated[int | None, typer.Option("--year", help="Report year (default: the plan's year).")] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draft the periodic administrative-reform report (docx): data from 15/12 of the previous year to
    the 14th of the period's last month, figures by area, blocked items, tasks due next."""
    from dondoc.plan.report_draft import PERIODS, report_window, write_report_draft

    chosen = next((p for p in PERIODS if p == period.strip().lower()), None)
    if chosen is None:
        raise typer.BadParameter(
            _("unknown period {period}: use q1, half, q3 or year").format(period=period), param_hint="--period"
        )
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        usage(
            _("--year: {year} is out of range: dondoc works with the years {first} to {last}").format(
                year=year, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    check_suffix(output, ".docx")
    with session_scope(store()) as session:
        found = plan(session, key)
        report_year = year if year is not None else found.year
        try:
            result = write_report_draft(session, found, chosen, report_year, output, calendar=calendar())
        except OSError as error:
            cannot_write(output, error)
        plan_key = found.key
    start, end = report_window(chosen, report_year)
    written(
        output,
        as_json,
        {
            "plan": plan_key,
            "period": chosen,
            "year": report_year,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "totals": dict(result.totals),
        },
    )
