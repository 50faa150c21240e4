"""``dondoc ranking``: each unit's score, rating band and rank for a period (đánh giá, xếp loại), and
``dondoc ranking chart``: the scores as a picture."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from dondoc.cli.common import (
    AtOption,
    JsonOption,
    PlanOption,
    as_of,
    calendar,
    global_options,
    organization,
    output_option,
    plan,
    print_json,
    store,
    usage,
)
from dondoc.cli.status import _province, write_picture
from dondoc.db.models import Organization
from dondoc.db.session import session_scope
from dondoc.i18n import _, format_date
from dondoc.plan.ranking import (
    CRITERIA,
    PERIODS,
    Ranking,
    RankingPeriod,
    criterion_short,
    describe_weights,
    format_score,
    period_label,
    rank_plans,
)

PeriodOption = Annotated[
    str, typer.Option("--period", help="q1 (to 31/03), half (to 30/06), q3 (to 30/09) or year (to 31/12).")
]
WorstOption = Annotated[bool, typer.Option("--worst-first", help="The lowest scores first.")]

ranking_app = typer.Typer(
    help="Evaluate and rank the units (đánh giá, xếp loại): dondoc ranking [--period year] [--json].",
    invoke_without_command=True,
)


def _period(value: str) -> RankingPeriod:
    for period in PERIODS:
        if value.strip().lower() == period:
            return period
    usage(_("--period: unknown period {value}: use q1, half, q3 or year").format(value=value))


def compute(session: Session, key: str | None, period: RankingPeriod, day_text: str | None) -> Ranking:
    """The ranking of the plan (``--plan``), else of the organisation's newest plan, else, for a
    province, of every organisation under it together."""
    day = as_of(day_text)
    plans = _province(session) if key is None else None
    if plans:
        return rank_plans(session, plans, period, day, calendar(), province=organization(session))
    found = plan(session, key)
    return rank_plans(session, [(_org(session, found.organization_id), found)], period, day, calendar())


def _org(session: Session, organization_id: int) -> Organization:
    found = session.get(Organization, organization_id)
    assert found is not None
    return found


@ranking_app.callback()
@global_options
def ranking(
    ctx: typer.Context,
    period: PeriodOption = "year",
    at: AtOption = None,
    key: PlanOption = None,
    worst_first: WorstOption = False,
    as_json: JsonOption = False,
) -> None:
    """Each unit's score out of 100, each criterion's part, its rating band and rank (equal scores
    share a rank); units with no item due in the period are listed as not rated."""
    if ctx.invoked_subcommand is not None:
        return
    chosen = _period(period)
    with session_scope(store()) as session:
        result = compute(session, key, chosen, at)
    if as_json:
        print_json(result.to_json(worst_first))
        return
    for line in ranking_lines(result, worst_first):
        typer.echo(line)


def ranking_lines(result: Ranking, worst_first: bool = False) -> list[str]:
    """The ranking as a table for a terminal."""
    lines = [
        _("Ranking for the {period} (items due by {end}), as of {date}").format(
            period=period_label(result.period, result.year),
            end=format_date(result.end),
            date=format_date(result.as_of),
        ),
        "",
    ]
    heads = [_("Rank"), _("Unit"), _("Score"), _("Band"), *(criterion_short(c) for c in CRITERIA)]
    rows: list[list[str]] = []
    for entry in result.ordered(worst_first):
        if not entry.rated:
            continue
        unit = entry.unit + (f" ({entry.organization})" if entry.organization else "")
        parts = [format_score(entry.criteria[c].part) for c in CRITERIA]
        rows.append(
            [str(entry.rank), unit, format_score(entry.score), entry.band.label() if entry.band else "", *parts]
        )
    if rows:
        widths = [max(len(row[i]) for row in [heads, *rows]) for i in range(len(heads))]
        right = {0, 2, *range(4, len(heads))}
        for row in [heads, *rows]:
            lines.append(
                "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row))
            )
    else:
        lines.append(_("No unit has an item to rate yet."))
    not_rated = result.not_rated
    if not_rated:
        lines.append("")
        lines.append(
            _("Not rated (no item due in the period): {units}").format(units=", ".join(u.unit for u in not_rated))
        )
    lines.append("")
    lines.append(describe_weights(result.scheme))
    return lines


@ranking_app.command("chart")
@global_options
def ranking_chart(
    output: Annotated[Path, output_option("PNG")],
    period: PeriodOption = "year",
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draw the units' scores as a PNG: one bar per rated unit, coloured by its band."""
    from dondoc.plan.ranking_chart import render_ranking_png

    chosen = _period(period)
    with session_scope(store()) as session:
        result = compute(session, key, chosen, at)
        title = _("Unit ranking")
    png = render_ranking_png(result, title)
    summary = {"period": result.period, "as_of": result.as_of.isoformat(), "units": [u.unit for u in result.rated]}
    write_picture(output, png, as_json, summary)
