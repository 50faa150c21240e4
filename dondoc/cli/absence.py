"""``dondoc absence …``: absences (vắng mặt) recorded from the command line, listed and cancelled.
While a person is away, their reminders go to whoever stands in for them (:mod:`dondoc.plan.absences`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from dondoc.cli.common import (
    DATE,
    JsonOption,
    clock,
    fail,
    global_options,
    organization,
    parse_cli_date,
    print_json,
    store,
)
from dondoc.cli.people import _one_person
from dondoc.db.models import Absence
from dondoc.db.session import session_scope
from dondoc.i18n import _, format_date
from dondoc.plan import absences
from dondoc.plan.absences import AbsenceError, AbsenceProblem

absence_app = typer.Typer(help="Absences (vắng mặt): reminders go to a stand-in meanwhile.", no_args_is_help=True)


def _days(start_on: str, end_on: str) -> str:
    return f"{start_on} → {end_on}"


@absence_app.command("add")
@global_options
def absence_add(
    person: Annotated[str, typer.Option("--person", help="Person id (12 or #12), name typed any way, or chat id.")],
    start: Annotated[
        str, typer.Option("--from", metavar=DATE, help="The first day away, e.g. 2022-06-10 or 10/06/2022.")
    ],
    end: Annotated[
        str | None, typer.Option("--to", metavar=DATE, help="The last day away (default: the first day).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown to whoever stands in).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record that someone is away from --from to --to (both days included): meanwhile their reminders
    go to their unit's deputy focal point (or, without one, to the unit's managers)."""
    now = clock().now()
    first = parse_cli_date(start, "--from")
    last = parse_cli_date(end, "--to") if end else first
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        info = _one_person(session, org.id, person, bound=True)
        try:
            row = absences.record_absence(
                session,
                info.person,
                start=first,
                end=last,
                reason=reason,
                at=now,
                today=now.date(),
                by=None,
                organization_id=org.id,
            )
        except AbsenceError as error:
            fail(_problem(error, first.isoformat(), last.isoformat(), now.date().isoformat()))
        view = absences.AbsenceView(row, info.person)
        result = view.to_json(now.date())
        stand_ins = absences.stand_ins(session, info.id, row.starts_on)
        result["stand_ins"] = {
            str(unit_id): [r.person.full_name for r in people] for unit_id, people in stand_ins.items()
        }
        names = "; ".join(", ".join(r.person.full_name for r in people) or "—" for people in stand_ins.values())
    if as_json:
        print_json(result)
        return
    typer.echo(
        _("Recorded absence no. {number}: {name}, {days}.").format(
            number=result["id"], name=result["person"], days=_days(result["from"], result["to"])
        )
    )
    if names:
        typer.echo(_("Reminders go to: {names}").format(names=names))


def _problem(error: AbsenceError, first: str, last: str, today: str) -> str:
    if error.problem == AbsenceProblem.END_BEFORE_START:
        return _("--to: {last} is before --from {first}").format(last=last, first=first)
    if error.problem == AbsenceProblem.IN_THE_PAST:
        return _("--from: {first} is in the past (today is {today})").format(first=first, today=today)
    if error.problem == AbsenceProblem.TOO_LONG:
        return _("--to: an absence lasts at most {limit} days").format(limit=absences.MAX_DAYS)
    existing = error.existing
    assert existing is not None
    return _("the person is already away {days} (no. {number}): cancel it first").format(
        days=_days(existing.starts_on.isoformat(), existing.ends_on.isoformat()), number=existing.id
    )


@absence_app.command("list")
@global_options
def absence_list(
    at: Annotated[str | None, typer.Option("--at", metavar=DATE, help="Only the absences covering this day.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Cancelled ones too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The organisation's absences (those covering --at when given), soonest first."""
    today = clock().now().date()
    day = parse_cli_date(at, "--at") if at else None
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        views = absences.list_absences(session, [org.id], on=day, include_cancelled=every)
        rows = [view.to_json(day or today) for view in views]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(_("No absences."))
        return
    for row in rows:
        start_on, end_on = format_date(_iso(row["from"])), format_date(_iso(row["to"]))
        flags = (" — " + _("cancelled")) if row["cancelled"] else ((" — " + _("away now")) if row["current"] else "")
        reason = f" — {row['reason']}" if row["reason"] else ""
        typer.echo(f"#{row['id']} {row['person']} (#{row['person_id']}): {start_on} → {end_on}{reason}{flags}")


def _iso(value: object) -> date:
    return date.fromisoformat(str(value))


@absence_app.command("cancel")
@global_options
def absence_cancel(
    number: Annotated[int, typer.Argument(help="The absence's number (see dondoc absence list).")],
) -> None:
    """Cancel an absence: reminders go to the person again at once."""
    now = clock().now()
    with session_scope(store()) as session:
        org = organization(session)
        row = session.get(Absence, number)
        if row is None or row.organization_id != org.id:
            fail(_("no absence no. {number} in this organisation").format(number=number))
        if not absences.cancel_absence(session, number, at=now, by=None):
            fail(_("absence no. {number} was already cancelled").format(number=number))
    typer.echo(_("Cancelled absence no. {number}.").format(number=number))
