"""``dondoc reminders …``: the reminders the scheduler plans."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

import typer

from dondoc.bot.config import SettingError, budget_defaults
from dondoc.cli.common import (
    DATE,
    DATE_TIME,
    JsonOption,
    PlanOption,
    calendar,
    check_year,
    clock,
    fail,
    global_options,
    organization,
    parse_cli_date,
    plan,
    print_json,
    read_date,
    settings,
    store,
    usage,
)
from dondoc.db.models import MemberRole
from dondoc.db.session import session_scope
from dondoc.handlers.onboarding import role_name
from dondoc.handlers.reminders import kind_label
from dondoc.i18n import _, format_date, format_datetime
from dondoc.plan.channels import load_budgets
from dondoc.scheduler.preview import budget_projection, message_count, reminder_preview
from dondoc.tz import TZ, in_vietnam

reminders_app = typer.Typer(help="Reminders the scheduler plans.", no_args_is_help=True)

MAX_PREVIEW_YEARS = 3


def parse_cli_instant(value: str, option: str = "--at") -> datetime:
    """An instant in Vietnam time: ISO (2022-01-20T09:00), 20/01/2022 09:00, or a date (its 00:00)."""
    text = " ".join(value.split())
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M"):
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            day = read_date(text, option)
            if day is None:
                usage(
                    _("{option}: not a date and time: {value} (use 2022-01-20T09:00 or 20/01/2022 09:00)").format(
                        option=option, value=value
                    )
                )
            moment = datetime.combine(day, time.min)
    check_year(moment, value, option)
    return in_vietnam(moment)


@reminders_app.command("preview")
@global_options
def reminders_preview(
    start: Annotated[str, typer.Option("--from", metavar=DATE, help="First day of sending to show.")],
    end: Annotated[str, typer.Option("--to", metavar=DATE, help="Last day of sending to show.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar=DATE_TIME, help="Plan as if now were this instant: 2022-01-20T09:00 (default: now)."
        ),
    ] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
    budget: Annotated[
        bool,
        typer.Option("--budget", help="Only the projection of each month's messages per channel against its budget."),
    ] = False,
) -> None:
    """Show the reminders the scheduler would send in a period, sending nothing, and each month's
    messages per channel against its budget."""
    first, last = parse_cli_date(start, "--from"), parse_cli_date(end, "--to")
    if last < first:
        usage(_("--to: the end date {end} is before the start date {start}").format(end=end, start=start))
    if (last - first).days >= MAX_PREVIEW_YEARS * 366:
        usage(
            _("the period from {start} to {end} is too long: preview at most {years} years at a time").format(
                start=start, end=end, years=MAX_PREVIEW_YEARS
            )
        )
    now = parse_cli_instant(at) if at else clock().now().astimezone(TZ)
    with session_scope(store()) as session:
        org = organization(session)
        found = plan(session, key)
        work_calendar = calendar()
        try:
            entries = reminder_preview(session, org, found, work_calendar, now, first, last)
        except ValueError as error:
            fail(_("The organisation's reminder settings are not valid: {error}").format(error=error))
        try:
            budgets = load_budgets(session, budget_defaults(settings()))
        except SettingError as error:
            usage(str(error))
        projection = budget_projection(session, org, entries, budgets)
        title, year = found.title, found.year
    if as_json:
        print_json({"months": projection} if budget else entries)
        return
    if budget:
        _print_projection(projection)
        return
    roles = {"focal": role_name(MemberRole.FOCAL), "manager": role_name(MemberRole.MANAGER)}
    typer.echo(f"{title} ({year})")
    typer.echo(
        _("Reminders from {start} to {end}, as if it were {at}; nothing is sent.").format(
            start=format_date(first), end=format_date(last), at=format_datetime(now)
        )
    )
    if not entries:
        typer.echo(_("No reminder in this period."))
        return
    for entry in entries:
        count = len(entry["recipients"])
        who = _("recipients: {count}").format(count=count) if count else _("nobody can receive it yet")
        when = format_datetime(datetime.fromisoformat(entry["send_at"]))
        typer.echo(f"\n{when}  {entry['to']['unit']} · {roles[entry['to']['role']]} · {who}")
        for item in entry["items"]:
            due = format_date(date.fromisoformat(item["due"]))
            if item["kind"] == "weekly":
                typer.echo("    " + _("weekly summary of the plan ({week})").format(week=item["week"]))
            elif item["kind"] == "figures":
                what = _("figures for {period} not sent").format(period=item["period"])
                typer.echo(f"    {item['target']:<8} {due}  {what} ({kind_label(item['stage'])})")
            else:
                typer.echo(f"    {item['task']:<8} {due}  {kind_label(item['kind'])}")
    typer.echo("")
    typer.echo(
        _("Messages to send: {count} (in {entries} entries above)").format(
            count=message_count(entries), entries=len(entries)
        )
    )
    _print_projection(projection)


def _print_projection(projection: list[dict[str, Any]]) -> None:
    """Each month's messages per channel against its budget; the months over it are flagged."""
    typer.echo("")
    if not projection:
        typer.echo(_("No reminder reaches anyone on a channel yet: no message to project."))
        return
    typer.echo(
        _(
            "Messages per month and channel: reminders, plus one reply in and one out estimated for each "
            "reminder to a focal point:"
        )
    )
    for row in projection:
        budget = row["budget"]
        year, month = row["month"].split("-")
        line = _("{month}/{year}  {channel}: {total} messages ({reminders} reminders, {replies} replies)").format(
            month=month,
            year=year,
            channel=row["channel"],
            total=row["total"],
            reminders=row["reminders"],
            replies=row["replies_in"] + row["replies_out"],
        )
        if budget is not None:
            line += " — " + _("budget {budget}").format(budget=budget)
        if row["over"]:
            line += "  " + _("⚠ over the budget")
        typer.echo(line)
