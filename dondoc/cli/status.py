"""``dondoc status``, ``dondoc export``, ``dondoc chart``: where the plan stands, as text, workbook or chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from dondoc.cli.common import (
    AtOption,
    JsonOption,
    PlanOption,
    as_of,
    fail,
    global_options,
    organization,
    plan,
    print_json,
    store,
)
from dondoc.db.session import session_scope
from dondoc.i18n import _
from dondoc.plan.console import status_lines
from dondoc.plan.registry import load_registry


@global_options
def status(
    at: Annotated[str | None, typer.Option("--at", help="Report as of this date (default: today).")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="Only this lead unit: its code or its name, typed any way."),
    ] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where the plan stands at a date: done on time, done late, in progress, not started, overdue."""
    from dondoc.plan import progress

    day = as_of(at)
    with session_scope(store()) as session:
        found = plan(session, key)
        unit_codes: list[str] | None = None
        if unit is not None:
            unit_codes = progress.match_units(load_registry(session, organization(session)), unit)
            if unit_codes is None:
                fail(_("unknown unit: {unit}").format(unit=unit))
        result = progress.plan_status(session, found, day, unit_codes)
        if as_json:
            print_json(result.to_json())
            return
        for line in status_lines(found, result):
            typer.echo(line)


def cannot_write(output: Path, error: OSError) -> NoReturn:
    fail(_("cannot write {path}: {error}").format(path=output, error=error.strerror or error))


def written(output: Path, as_json: bool, summary: dict[str, Any]) -> None:
    """The written path on standard error; with ``--json`` a small summary on standard output."""
    typer.echo(_("Written: {path}").format(path=output), err=True)
    if as_json:
        print_json({"path": str(output), **summary})


@global_options
def export_status(
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False, help="The xlsx file to write.")],
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the plan's status as an xlsx workbook: a summary sheet and every item in appendix order."""
    from dondoc.plan.status_workbook import write_status_xlsx

    day = as_of(at)
    with session_scope(store()) as session:
        found = plan(session, key)
        try:
            result = write_status_xlsx(session, found, day, output)
        except OSError as error:
            cannot_write(output, error)
        plan_key = found.key
    written(
        output,
        as_json,
        {
            "plan": plan_key,
            "as_of": day.isoformat(),
            "totals": dict(result.totals),
            "on_time_rate": result.on_time_rate,
            "items": len(result.items),
            "continuous": len(result.continuous),
            "undated": len(result.undated),
        },
    )


@global_options
def chart(
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False, help="The PNG file to write.")],
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draw the plan's status as a PNG: stacked bars by area and by lead unit in the five categories."""
    from dondoc.plan.chart import render_plan_chart

    day = as_of(at)
    with session_scope(store()) as session:
        found = plan(session, key)
        png, result = render_plan_chart(session, found, day)
        plan_key = found.key
    try:
        output.write_bytes(png)
    except OSError as error:
        cannot_write(output, error)
    written(output, as_json, {"plan": plan_key, "as_of": day.isoformat(), "totals": dict(result.totals)})
