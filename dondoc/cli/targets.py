"""``dondoc targets …`` and ``dondoc figures add``: the plan's targets (chỉ tiêu) and the units' figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dondoc.cli.common import (
    DryRunOption,
    JsonOption,
    UnitOption,
    clock,
    fail,
    global_options,
    organization,
    output_option,
    print_json,
    refuse,
    registry_unit,
    store,
    usage,
)
from dondoc.db.models import TargetKind
from dondoc.db.session import session_scope
from dondoc.i18n import _
from dondoc.plan.figures import NumberProblem, Period, format_rate, parse_period, read_percent, read_whole
from dondoc.plan.problems import InputError
from dondoc.plan.targets import (
    FigureProblem,
    apply_targets,
    find_target,
    list_targets,
    read_targets,
    record_figure,
    status_json,
    target_values,
    unit_rate,
)

targets_app = typer.Typer(help="The plan's targets (chỉ tiêu).", no_args_is_help=True)
figures_app = typer.Typer(help="The units' figures for the targets.", no_args_is_help=True)


@targets_app.command("import")
@global_options
def targets_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Targets YAML file.")],
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Import or update the plan's targets from a YAML file (after the unit registry)."""
    with session_scope(store()) as session:
        org = organization(session)
        try:
            imported = read_targets(file, session, org)
        except InputError as error:
            refuse(error)
        changes = apply_targets(session, org, imported)
        if dry_run:
            session.rollback()
    if as_json:
        print_json(
            {
                "targets": [t.code for t in imported.targets],
                "added": changes.added,
                "updated": changes.updated,
                "removed": changes.removed,
                "deactivated": changes.deactivated,
                "dry_run": dry_run,
            }
        )
        return
    typer.echo(
        _("{count} targets ({added} new, {updated} updated, {removed} removed).").format(
            count=len(imported.targets),
            added=len(changes.added),
            updated=len(changes.updated),
            removed=len(changes.removed),
        )
    )
    if changes.deactivated:
        typer.echo(
            _("Kept as inactive because they have figures: {codes}").format(codes=", ".join(changes.deactivated)),
            err=True,
        )
    if dry_run:
        typer.echo(_("Dry run: nothing was written."), err=True)


def _period(text: str | None, default_year: int) -> Period | None:
    if text is None:
        return None
    found = parse_period(text, default_year)
    if found is None:
        usage(_("--period: {value} is not a period (use 2022-Q1, 2022-03, 2022-H1 or 2022)").format(value=text))
    return found


@targets_app.command("status")
@global_options
def targets_status(
    period: Annotated[str | None, typer.Option("--period", help="2022-Q1, 2022-03, 2022-H1 or 2022.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Each target's value for a period, computed from the units' figures, against its goal."""
    now = clock().now()
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        targets = list_targets(session, org.id)
        chosen = _period(period, now.year)
        if chosen is None:
            from dondoc.plan.targets import target_every, windows_of

            every = target_every(targets[0]) if targets else "quarter"
            chosen = windows_of(org).current(every, now.date())
        values = target_values(session, org, chosen, targets)
        if as_json:
            print_json(status_json(values, chosen))
            return
        if not values:
            typer.echo(_("No targets: import them with dondoc targets import FILE.yaml."))
            return
        typer.echo(chosen.label())
        for value in values:
            met = {True: _("met"), False: _("not met"), None: _("no figures")}[value.met]
            typer.echo(
                _("{code}: {value} (goal {goal}) — {met}; {reported}/{total} units reported").format(
                    code=value.target.code,
                    value=format_rate(value.value),
                    goal=value.target.goal,
                    met=met,
                    reported=len(value.reported),
                    total=len(value.units),
                )
            )
            if value.missing:
                typer.echo("  " + _("Not reported: {units}").format(units=", ".join(u.code for u in value.missing)))


@figures_app.command("add")
@global_options
def figures_add(
    target: Annotated[str, typer.Option("--target", help="Target code, e.g. T1.")],
    unit: UnitOption,
    period: Annotated[str, typer.Option("--period", help="2022-Q1, 2022-03, 2022-H1 or 2022.")],
    numerator: Annotated[str | None, typer.Option("--numerator", help="A ratio's first count (1.234 = 1234).")] = None,
    denominator: Annotated[str | None, typer.Option("--denominator", help="A ratio's second count.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="A share target: the unit meets it.")] = False,
    no: Annotated[bool, typer.Option("--no", help="A share target: the unit does not meet it.")] = False,
    rate: Annotated[str | None, typer.Option("--rate", help="A percent target: the unit's rate (96,5%).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a unit's figures on its behalf (figures that came on paper), marked as entered by an admin."""
    now = clock().now()
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        found = find_target(list_targets(session, org.id), target)
        if found is None:
            fail(_("no target {code}: import the targets first, or check the code").format(code=target))
        chosen = _period(period, now.year)
        assert chosen is not None
        who = registry_unit(session, org.id, unit)
        kind = TargetKind(found.kind)
        values: dict[str, object] = {}
        try:
            if kind == TargetKind.RATIO:
                if numerator is None or denominator is None or yes or no:
                    usage(_("target {code} is a ratio: give --numerator and --denominator").format(code=found.code))
                values = {"numerator": _whole(numerator, "--numerator")}
                values["denominator"] = _whole(denominator, "--denominator")
            elif kind == TargetKind.SHARE:
                if yes == no or numerator is not None or denominator is not None:
                    usage(_("target {code} is a yes/no share: give --yes or --no").format(code=found.code))
                values = {"answer": yes}
            else:
                if rate is None:
                    usage(_("target {code} is a rate: give --rate").format(code=found.code))
                try:
                    values = {"rate": read_percent(rate)}
                except NumberProblem as exc:
                    fail("--rate: " + str(exc))
            figure = record_figure(
                session,
                found,
                who,
                chosen,
                reported_at=now,
                entered_by_admin=True,
                **values,  # type: ignore[arg-type]
            )
        except FigureProblem as exc:
            fail(str(exc))
        own = unit_rate(found, figure)
        result = {
            "target": found.code,
            "unit": who.code,
            "period": chosen.key,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "answer": figure.answer,
            "rate": None if own is None else round(float(own), 3),
            "entered_by_admin": True,
        }
    if as_json:
        print_json(result)
        return
    typer.echo(
        _("Recorded: {code} · {unit} · {period}: {rate}.").format(
            code=found.code, unit=who.code, period=chosen.key, rate=format_rate(own)
        )
    )


def _whole(text: str, option: str) -> int:
    try:
        return read_whole(text)
    except NumberProblem as exc:
        fail(f"{option}: {exc}")


@targets_app.command("chart")
@global_options
def targets_chart(
    output: Annotated[Path, output_option("PNG")],
    period: Annotated[
        str | None, typer.Option("--period", help="The last period drawn (default: the current one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Draw each target's value against its goal over the last four periods (PNG)."""
    from dondoc.cli.status import write_picture
    from dondoc.plan.targets_chart import render_targets_png, target_history

    now = clock().now()
    with session_scope(store()) as session:
        org = organization(session)
        history = target_history(session, org, now.date(), _period(period, now.year))
        png = render_targets_png(history, _("Targets") + " — " + org.name)
    write_picture(output, png, as_json, {"targets": [values[-1].target.code for values in history]})
