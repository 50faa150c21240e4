"""``dondoc usage``: the messages each channel key carried in a month, against its budget, and each Zalo
bot's people, against the users it takes."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from dondoc.bot.config import SettingError, budget_defaults
from dondoc.cli.common import JsonOption, clock, global_options, print_json, settings, store, usage
from dondoc.db.session import session_scope
from dondoc.db.usage import month_of, month_usage
from dondoc.i18n import _
from dondoc.plan.channels import load_budgets, share
from dondoc.plan.zalo_users import bot_users, bound_keys

_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})|([0-9]{1,2})/([0-9]{4})")


def parse_month(value: str) -> str:
    """``2022-03`` or ``03/2022`` as the meter keys months (``2022-03``); anything else is refused."""
    match = _MONTH.fullmatch(value.strip())
    year, month = (match.group(1), match.group(2)) if match and match.group(1) else (None, None)
    if match and match.group(3):
        year, month = match.group(4), match.group(3)
    if year is None or month is None or not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2100:
        usage(_("--month: not a month: {value} (use 2022-03)").format(value=value))
    return f"{int(year):04d}-{int(month):02d}"


def usage_rows(month: str) -> list[dict[str, Any]]:
    """Each channel key's messages in ``month`` with its budget, as ``--json`` prints them; a Zalo key's
    people bound now against the users its bot takes (``people``, ``users``, ``users_state``: ok, near
    at 90 % or more, over), None for the other keys."""
    try:
        defaults = budget_defaults(settings())
    except SettingError as error:
        usage(str(error))
    with session_scope(store()) as session:
        budgets = load_budgets(session, defaults)
        found = month_usage(session, month, [*budgets.keys(), *bound_keys(session)])
        people = bot_users(session, [item.channel for item in found])
    rows = []
    for item in found:
        budget = budgets(item.channel)
        used = share(item.total, budget)
        rows.append(
            {
                "channel": item.channel,
                "in": item.inbound,
                "out": item.outbound,
                "total": item.total,
                "budget": budget,
                "share": round(used, 4) if used is not None else None,
                **(
                    people[item.channel].as_json()
                    if item.channel in people
                    else {"people": None, "users": None, "users_state": None}
                ),
            }
        )
    return rows


@global_options
def usage_command(
    month: Annotated[
        str | None, typer.Option("--month", help="The month, as 2022-03 (default: the current month).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Messages in and out of each channel and bot in a month, against its monthly budget; each Zalo bot's
    people bound now, against the users it takes."""
    key = parse_month(month) if month else month_of(clock().now())
    rows = usage_rows(key)
    if as_json:
        print_json({"month": key, "channels": rows})
        return
    year, number = key.split("-")
    typer.echo(_("Messages in {month}/{year} (Vietnam time)").format(month=number, year=year))
    if not rows:
        typer.echo(_("No message was counted in this month."))
        return
    headers = (_("channel"), _("in"), _("out"), _("total"), _("budget"), _("used"), _("users"))
    table = [
        (
            row["channel"],
            str(row["in"]),
            str(row["out"]),
            str(row["total"]),
            str(row["budget"]) if row["budget"] is not None else "—",
            f"{100 * row['share']:.0f}%" if row["share"] is not None else "—",
            f"{row['people']}/{row['users']}" if row["users"] is not None else "—",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [headers, *table]) for i in range(len(headers))]
    for line in [headers, *table]:
        typer.echo("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)))
    over = [row["channel"] for row in rows if row["share"] is not None and row["share"] >= 1]
    if over:
        typer.echo(_("Budget spent: {channels}").format(channels=", ".join(over)))
    _users_lines(rows)


def _users_lines(rows: list[dict[str, Any]]) -> None:
    """The Zalo bots at 90 % of their users or over, each with its count."""

    def named(state: str) -> str:
        return ", ".join(f"{r['channel']} ({r['people']}/{r['users']})" for r in rows if r["users_state"] == state)

    if near := named("near"):
        typer.echo(_("Zalo bots at 90 percent of their users or more: {bots}").format(bots=near))
    if over := named("over"):
        typer.echo(
            _(
                'Zalo bots over their users: {bots}. Move some of their units to another bot (README, "A full bot").'
            ).format(bots=over)
        )
