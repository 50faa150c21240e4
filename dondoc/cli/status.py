"""``dondoc status``, ``dondoc export``, ``dondoc chart``: where the plan stands, as text, workbook or chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlmodel import Session

from dondoc.cli.common import (
    DATE,
    AtOption,
    JsonOption,
    PlanOption,
    as_of,
    calendar,
    clock,
    fail,
    global_options,
    organization,
    os_error_reason,
    output_option,
    plan,
    print_json,
    quoted,
    store,
    usage,
)
from dondoc.db.models import Organization, Plan
from dondoc.db.session import session_scope
from dondoc.i18n import _, format_date
from dondoc.plan import progress
from dondoc.plan.console import status_lines
from dondoc.plan.figures import format_on_time_rate
from dondoc.plan.registry import load_registry
from dondoc.plan.rollup import (
    count_organizations,
    no_plan_yet,
    organizations_under,
    organizations_without_plan,
    plans_of,
    rollup,
    write_rollup_xlsx,
)


@global_options
def status(
    at: Annotated[
        str | None, typer.Option("--at", metavar=DATE, help="Report as of this date (default: today).")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="Only this lead unit: its code or its name, typed any way."),
    ] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where the plan stands at a date: done on time, done late, in progress, not started, overdue; for
    a province, every organisation under it by organisation and by area."""
    day = as_of(at)
    with session_scope(store()) as session:
        if key is None and _rolled_up(session, day, unit, as_json):
            return
        found = plan(session, key)
        unit_codes: list[str] | None = None
        if unit is not None:
            registry = load_registry(session, organization(session))
            unit_codes = progress.match_units(registry, unit) or progress.units_named_in_part(registry, unit) or None
            twins = progress.diacritic_twins(registry, unit_codes or ())
            if twins:  # "xa binh thanh": "Bình Thành" and "Bình Thạnh" are two communes, not one answer
                fail(progress.several_units(unit, twins))
            if unit_codes is None:
                fail(_("unknown unit: {unit}").format(unit=quoted(unit)))
        result = progress.plan_status(session, found, day, unit_codes)
        if as_json:
            print_json(result.to_json())
            return
        for line in status_lines(found, result):
            typer.echo(line)


def _province(session: Session) -> list[tuple[Organization, Plan]] | None:
    """The plans of the ``--org`` organisation and of every organisation under it, when it has some
    under it (a province); None for an organisation on its own."""
    province = _province_plans(session)
    return province[1] if province is not None else None


def _province_plans(
    session: Session,
) -> tuple[Organization, list[tuple[Organization, Plan]], list[Organization]] | None:
    """As :func:`_province`, with the ``--org`` organisation first and the organisations under it that
    have no plan yet last (named in the roll-up, so that the province sees who is missing)."""
    root = organization(session)
    orgs = organizations_under(session, root)
    if len(orgs) < 2:
        return None
    ids = [o.id for o in orgs if o.id is not None]
    plans = plans_of(session, ids)
    return root, plans, organizations_without_plan(session, ids, plans, roots=[root.id or 0])


def _rolled_up(session: Session, day: date, unit: str | None, as_json: bool) -> bool:
    """``dondoc status`` for a province: every organisation under it, by organisation and by area."""
    province = _province_plans(session)
    if province is None:
        return False
    root, plans, missing = province
    chosen: dict[int, list[str]] | None = None
    if unit is not None:
        chosen = {}
        for org, _found in plans:
            codes = progress.match_units(load_registry(session, org), unit)
            if codes is not None and org.id is not None:
                chosen[org.id] = codes
        if not chosen:
            fail(_("unknown unit: {unit}").format(unit=quoted(unit)))
    result = rollup(session, plans, day, chosen, missing)
    if as_json:
        print_json(result.to_json())
        return True
    total = result.total
    typer.echo(f"{root.name} — {count_organizations(result)} — {format_date(day)}")
    for category in progress.CATEGORIES:
        typer.echo(f"  {progress.category_label(category)}: {total.totals[category]}")
    typer.echo("  " + _("On-time rate: {rate}").format(rate=format_on_time_rate(total.totals, why=True)))
    typer.echo(_("By organisation"))
    for entry in result.organizations:
        counts = " · ".join(f"{progress.category_label(c)} {entry.summary.totals[c]}" for c in progress.CATEGORIES)
        typer.echo(f"  {entry.organization.name}: {counts}")
    for org in result.without_plan:
        typer.echo(f"  {org.name}: {no_plan_yet()}")
    typer.echo(_("By area"))
    for area, counts_by in total.by_area.items():
        counts = " · ".join(f"{progress.category_label(c)} {counts_by[c]}" for c in progress.CATEGORIES)
        typer.echo(f"  {area or '—'}: {counts}")
    return True


def cannot_write(output: Path, error: OSError) -> NoReturn:
    fail(_("cannot write {path}: {error}").format(path=output, error=os_error_reason(error, output)))


def write_picture(output: Path, png: bytes, as_json: bool, summary: dict[str, Any]) -> None:
    """Write a drawn PNG to ``output`` (a file that cannot be written ends the command), then say so
    (:func:`written`)."""
    check_suffix(output, ".png")
    replaced = output.is_file()
    try:
        output.write_bytes(png)
    except OSError as error:
        cannot_write(output, error)
    written(output, as_json, summary, replaced=replaced)


def check_suffix(output: Path, suffix: str) -> None:
    """``output`` ends in ``suffix`` (``.xlsx``), the kind of file the command writes: a file named for
    another kind (a workbook called x.csv) is refused, before anything is written (exit 2)."""
    if output.suffix.lower() != suffix:
        usage(
            _("-o: {path} does not end in {suffix}, but this command writes a {suffix} file: name it {example}").format(
                path=output, suffix=suffix, example=output.with_suffix(suffix).name
            )
        )


def written(output: Path, as_json: bool, summary: dict[str, Any], *, replaced: bool = False) -> None:
    """The written path on standard error (saying so when it replaced a file there: a weekly export to
    the same file); with ``--json`` a small summary on standard output."""
    if replaced:
        typer.echo(_("Written: {path} (it replaced the earlier file)").format(path=output), err=True)
    else:
        typer.echo(_("Written: {path}").format(path=output), err=True)
    if as_json:
        print_json({"path": str(output), **summary})


@global_options
def export_status(
    output: Annotated[Path, output_option("xlsx")],
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the plan's status as an xlsx workbook: a summary sheet and every item in appendix order."""
    from dondoc.plan.status_workbook import write_status_xlsx

    check_suffix(output, ".xlsx")
    replaced = output.is_file()
    day = as_of(at)
    with session_scope(store()) as session:
        province = _province_plans(session) if key is None else None
        if province is not None:  # a province: the roll-up by organisation and by area
            _root, plans, missing = province
            rolled = rollup(session, plans, day, missing=missing)
            try:
                write_rollup_xlsx(rolled, output, now=clock().now())  # today's: titled with the time
            except OSError as error:
                cannot_write(output, error)
            written(
                output,
                as_json,
                {
                    "organizations": [e.organization.name for e in rolled.organizations],
                    "as_of": day.isoformat(),
                    "totals": dict(rolled.total.totals),
                    "on_time_rate": rolled.total.on_time_rate,
                },
                replaced=replaced,
            )
            return
        found = plan(session, key)
        try:
            # The clock's time: a workbook of today's status is titled "Tình hình đến 09:15 ngày …".
            result = write_status_xlsx(session, found, day, output, calendar=calendar(), now=clock().now())
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
        replaced=replaced,
    )


@global_options
def chart(
    output: Annotated[Path, output_option("PNG")],
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draw the plan's status as a PNG: stacked bars by area and by lead unit in the five categories."""
    from dondoc.plan.chart import render_plan_chart

    day = as_of(at)
    with session_scope(store()) as session:
        found = plan(session, key)
        png, result = render_plan_chart(session, found, day, now=clock().now())  # today's: titled with the time
        plan_key = found.key
    write_picture(output, png, as_json, {"plan": plan_key, "as_of": day.isoformat(), "totals": dict(result.totals)})
