"""The ``dondoc`` command line: results on standard output, diagnostics on standard error.

Global options (``--db``, ``--lang``, ``--org``) may be given before the command or after it.
Exit codes: 0 done, 1 the input was refused (every problem listed), 2 wrong usage.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

import typer
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from dondoc.bot.app import open_app
from dondoc.bot.config import TelegramConfig, load_dotenv
from dondoc.db.models import Assignment, MemberRole, Plan, Status, Task
from dondoc.db.session import StoreError, open_store, session_scope
from dondoc.handlers.context import Settings as BotSettings
from dondoc.handlers.onboarding import create_invite, find_unit, role_name
from dondoc.i18n import _, format_datetime, ngettext, set_language
from dondoc.plan.appendix import read_appendix
from dondoc.plan.dates import check_completion_date, describe
from dondoc.plan.export import load_tasks, plan_json, write_plan_xlsx
from dondoc.plan.problems import InputError
from dondoc.plan.progress import status_label
from dondoc.plan.registry import apply_registry, build_matcher, load_registry, read_registry
from dondoc.plan.store import NotFound, WouldRetire, find_organization, find_plan, save_appendix
from dondoc.plan.tables import DEFAULT_MAX_ROWS, PROGRESS_EVERY
from dondoc.scheduler.calendar import calendar_from_env
from dondoc.scheduler.clock import FIRST_YEAR, LAST_YEAR, Clock, ClockSettingError, clock_from_env
from dondoc.scheduler.preview import reminder_preview
from dondoc.scheduler.schedule import add_report, replan
from dondoc.tz import TZ

app = typer.Typer(
    help="dondoc: follow up an action plan's tasks with the units that carry them out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
units_app = typer.Typer(help="The unit registry.", no_args_is_help=True)
plan_app = typer.Typer(help="Plans and their appendices.", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(plan_app, name="plan")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (else DONDOC_DATABASE_URL, else sqlite:///dondoc.db)."),
]
LangOption = Annotated[str | None, typer.Option("--lang", help="Language of messages: vi (default) or en.")]
OrgOption = Annotated[str | None, typer.Option("--org", help="Organisation name, when the store holds several.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PlanOption = Annotated[str | None, typer.Option("--plan", help="Plan key (default: the newest plan).")]
AtOption = Annotated[str | None, typer.Option("--at", help="Status as of this date (default: today).")]


@dataclass
class Settings:
    db: str | None = None
    lang: str | None = None
    org: str | None = None


_settings = Settings()


@app.callback()
def main_options(db: DbOption = None, lang: LangOption = None, org: OrgOption = None) -> None:
    """Options that apply to every command."""
    load_dotenv()  # before anything reads the environment: DONDOC_LANG, DONDOC_NOW, DONDOC_DATABASE_URL …
    _settings.db, _settings.lang, _settings.org = db, lang, org
    set_language(lang or os.environ.get("DONDOC_LANG"))


def _apply(db: str | None, lang: str | None, org: str | None = None) -> None:
    """Options repeated after the command override the ones before it."""
    if db:
        _settings.db = db
    if lang:
        _settings.lang = lang
        set_language(lang)
    if org:
        _settings.org = org


def _store() -> Engine:
    try:
        return open_store(_settings.db)
    except StoreError as error:
        _usage(str(error))


def _clock() -> Clock:
    try:
        return clock_from_env()
    except ClockSettingError as error:
        _usage(str(error))


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _usage(message: str) -> NoReturn:
    """Wrong usage or configuration: one line, exit 2."""
    _fail(message, 2)


def _refuse(error: InputError) -> NoReturn:
    typer.echo(_("Refused, nothing was written: {count} problem(s).").format(count=len(error.problems)), err=True)
    for problem in error.problems:
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")


def _read_date(value: str, option: str) -> date | None:
    """The date ``value`` writes, None when it is not written as a date; refuses a day that does not exist."""
    text = value.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _VN_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        _usage(_("{option}: the date {value} does not exist").format(option=option, value=value))


def _check_year(day: date | datetime, value: str, option: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        _usage(
            _("{option}: {value} is out of range: dondoc works with dates from {first} to {last}").format(
                option=option, value=value, first=FIRST_YEAR, last=LAST_YEAR
            )
        )


def parse_cli_date(value: str, option: str = "--at", *, bounded: bool = True) -> date:
    """A date as ISO (2022-03-31) or as written in Vietnam (31/03/2022), in the years dondoc handles
    unless ``bounded`` is false; anything else ends the command with one line naming ``option``."""
    day = _read_date(value, option)
    if day is None:
        _usage(_("{option}: not a date: {value} (use 2022-03-31 or 31/03/2022)").format(option=option, value=value))
    if bounded:
        _check_year(day, value, option)
    return day


# ---------------------------------------------------------------- units


@units_app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Registry YAML file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file, write nothing.")] = False,
    new_organization: Annotated[
        bool,
        typer.Option("--new-organization", help="Create a second organisation when the file names another one."),
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Import or update the unit registry (units, groups, coordinator) from a YAML file."""
    _apply(db, lang)
    try:
        registry = read_registry(file)
    except InputError as error:
        _refuse(error)
    engine = _store()
    with session_scope(engine) as session:
        try:
            changes = apply_registry(session, registry, new_organization=new_organization)
        except InputError as error:
            _refuse(error)  # the scope rolls back: nothing written
        if dry_run:
            session.rollback()
    if as_json:
        _print_json(
            {
                "organization": changes.organization,
                "added": changes.added,
                "updated": changes.updated,
                "removed": changes.removed,
                "deactivated": changes.deactivated,
                "groups": changes.groups,
                "dry_run": dry_run,
            }
        )
        return
    typer.echo(
        _("{org}: {units} units ({added} new, {updated} updated, {removed} removed), {groups} groups.").format(
            org=changes.organization,
            units=len(registry.units),
            added=len(changes.added),
            updated=len(changes.updated),
            removed=len(changes.removed),
            groups=changes.groups,
        )
    )
    if changes.deactivated:
        typer.echo(
            _("Kept as inactive because they have history: {codes}").format(codes=", ".join(changes.deactivated)),
            err=True,
        )
    if dry_run:
        typer.echo(_("Dry run: nothing was written."), err=True)


@units_app.command("list")
def units_list(as_json: JsonOption = False, db: DbOption = None, lang: LangOption = None) -> None:
    """List the registry's units and groups."""
    _apply(db, lang)
    with session_scope(_store()) as session:
        org = _organization(session)
        registry = load_registry(session, org)
    if as_json:
        _print_json(
            {
                "organization": registry.organization,
                "coordinator": registry.coordinator,
                "units": [{"code": u.code, "name": u.name, "groups": u.groups} for u in registry.units],
                "groups": [
                    {"code": g.code, "name": g.name, "units": list(registry.members(g))} for g in registry.groups
                ],
            }
        )
        return
    typer.echo(registry.organization)
    for unit in registry.units:
        typer.echo(f"  {unit.code:<8} {unit.name}")
    for group in registry.groups:
        typer.echo(f"  [{group.code}] {group.name}: {', '.join(registry.members(group))}")


def _organization(session: Any) -> Any:
    try:
        return find_organization(session, _settings.org)
    except NotFound as exc:
        _fail(str(exc))


# ---------------------------------------------------------------- plan


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Appendix: xlsx, docx or csv.")],
    year: Annotated[int | None, typer.Option("--year", help="Plan year, if the title does not say it.")] = None,
    key: Annotated[str | None, typer.Option("--plan", help="Plan key (default: the year).")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and list what would change; write nothing.")
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove the plan's tasks that the file lacks (else refused).")
    ] = False,
    max_rows: Annotated[
        int,
        typer.Option("--max-rows", envvar="DONDOC_MAX_TASKS", min=1, help="Refuse files with more tasks than this."),
    ] = DEFAULT_MAX_ROWS,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Import a plan's appendix; re-importing a corrected file updates tasks by code."""
    _apply(db, lang, org_name)
    engine = _store()
    with session_scope(engine) as session:
        org = _organization(session)
        matcher = build_matcher(load_registry(session, org))
    try:
        calendar = calendar_from_env()
        appendix = read_appendix(file, matcher, year, max_rows=max_rows, progress=_rows_read)
    except InputError as error:
        _refuse(error)
    with file.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    now = _clock().now()
    plan_key = key or str(appendix.year)
    if len(appendix.tasks) >= PROGRESS_EVERY:
        typer.echo(_("Saving {count} tasks…").format(count=len(appendix.tasks)), err=True)
    with session_scope(engine) as session:
        org = _organization(session)
        try:
            changes = save_appendix(
                session,
                org,
                appendix,
                key=plan_key,
                source_file=file.name,
                source_sha256=digest,
                now=now,
                prune=prune or dry_run,  # a dry run shows what pruning would retire
            )
        except WouldRetire as refused:
            _refuse_retiring(plan_key, refused.codes)
        if dry_run:
            session.rollback()
        else:
            replan(session, calendar, now)  # the outbox follows the corrected appendix
    if as_json:
        _print_json(
            {
                "plan": plan_key,
                "title": appendix.title,
                "year": appendix.year,
                "tasks": len(appendix.tasks),
                "added": changes.added,
                "updated": changes.updated,
                "unchanged": changes.unchanged,
                "removed": changes.removed,
                "deactivated": changes.deactivated,
                "dry_run": dry_run,
            }
        )
        return
    typer.echo(
        _(
            "Plan “{title}” ({year}): {tasks} tasks in {areas} areas — {added} new, {updated} updated, "
            "{unchanged} unchanged, {removed} removed."
        ).format(
            title=appendix.title,
            year=appendix.year,
            tasks=len(appendix.tasks),
            areas=len(appendix.areas),
            added=len(changes.added),
            updated=len(changes.updated),
            unchanged=changes.unchanged,
            removed=len(changes.removed),
        )
    )
    if dry_run:
        for label, codes in (
            (_("Would add: {codes}"), changes.added),
            (_("Would update: {codes}"), changes.updated),
            (_("Would remove: {codes}"), changes.removed),
            (_("Would keep as inactive because they have reports: {codes}"), changes.deactivated),
        ):
            if codes:
                typer.echo(label.format(codes=_code_list(codes)))
        if (changes.removed or changes.deactivated) and not prune:
            typer.echo(_("The import itself needs --prune to remove these tasks."), err=True)
        typer.echo(_("Dry run: nothing was written."), err=True)
    elif changes.deactivated:
        typer.echo(
            _("Kept as inactive because they have reports: {codes}").format(codes=", ".join(changes.deactivated)),
            err=True,
        )


def _code_list(codes: list[str], shown: int = 100) -> str:
    """Task codes for a person to read: the first ``shown`` and how many more (``--json`` has all)."""
    text = ", ".join(codes[:shown])
    if len(codes) > shown:
        more = len(codes) - shown
        text += " " + ngettext("… and {count} more", "… and {count} more", more).format(count=more)
    return text


def _rows_read(rows: int) -> None:
    """Progress of a long import, on standard error."""
    typer.echo(_("… {rows} rows read").format(rows=rows), err=True)


def _refuse_retiring(plan_key: str, codes: list[str]) -> NoReturn:
    """A file that lacks tasks of the plan, imported without --prune."""
    typer.echo(
        ngettext(
            "Refused, nothing was written: the file lacks {count} task of plan {plan}, which would be "
            "removed with its reminders: {codes}.",
            "Refused, nothing was written: the file lacks {count} tasks of plan {plan}, which would be "
            "removed with their reminders: {codes}.",
            len(codes),
        ).format(count=len(codes), plan=plan_key, codes=_code_list(codes)),
        err=True,
    )
    typer.echo(_("If they are to go, run the import again with --prune (--dry-run shows every change)."), err=True)
    raise typer.Exit(1)


@plan_app.command("export")
def plan_export(
    fmt: Annotated[str, typer.Option("--format", help="json or xlsx.")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    key: PlanOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Export a plan: JSON (to standard output unless -o) or the appendix as xlsx."""
    _apply(db, lang, org_name)
    if fmt not in ("json", "xlsx"):
        raise typer.BadParameter(_("unknown format {fmt}: use json or xlsx").format(fmt=fmt), param_hint="--format")
    if fmt == "xlsx" and output is None:
        raise typer.BadParameter(_("xlsx needs an output file: -o FILE.xlsx"), param_hint="-o")
    with session_scope(_store()) as session:
        plan = _plan(session, key)
        if fmt == "xlsx":
            assert output is not None
            write_plan_xlsx(session, plan, output)
            typer.echo(_("Written: {path}").format(path=output), err=True)
            return
        data = plan_json(session, plan)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(_("Written: {path}").format(path=output), err=True)


@plan_app.command("show")
def plan_show(
    key: PlanOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Show a plan's tasks by area, with lead units and due dates."""
    _apply(db, lang, org_name)
    with session_scope(_store()) as session:
        plan = _plan(session, key)
        views = load_tasks(session, plan)
    typer.echo(f"{plan.title} ({plan.year})")
    area = None
    for view in views:
        if view.area and view.area.code != area:
            area = view.area.code
            typer.echo(f"\n{area}. {view.area.title}")
        due = ", ".join(d.strftime("%d/%m/%Y") for d in view.dates[:4]) or view.task.deadline_text
        if len(view.dates) > 4:
            due += ", …"
        codes = [u.code for u in view.lead]
        lead = ", ".join(codes[:3]) + (f" +{len(codes) - 3}" if len(codes) > 3 else "")
        typer.echo(f"  {view.task.code:<8} {view.task.title[:60]:<60}  {lead:<10} {due}")


def _plan(session: Any, key: str | None) -> Any:
    try:
        return find_plan(session, _organization(session), key)
    except NotFound as exc:
        _fail(str(exc))


# ---------------------------------------------------------------- demo

# The sample plan shipped with dondoc (package data): the Long Mỹ 2022 registry and appendix.
SAMPLE_PLAN: Traversable = files("dondoc").joinpath("data", "long-my-2022")


@app.command("demo")
def demo(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Folder with units.yaml and the appendix (xlsx, docx or csv); default: the bundled sample."
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Load the bundled sample plan (Long Mỹ 2022) into the store and show it."""
    _apply(db, lang)
    demo_import(data)
    typer.echo("")
    plan_show()


def demo_import(data: Path | None) -> None:
    """Import the registry and appendix of a sample folder (the xlsx when there are several); None: the
    bundled sample plan."""
    if data is None:
        with as_file(SAMPLE_PLAN) as bundled:
            demo_import(bundled)
        return
    registry = data / "units.yaml"
    appendices = sorted(p for p in data.glob("*") if p.suffix.lower() in (".xlsx", ".docx", ".csv"))
    if not registry.exists() or not appendices:
        _fail(_("no sample plan in {path}: give a folder with units.yaml and an appendix").format(path=data))
    preferred = [p for p in appendices if p.suffix.lower() == ".xlsx"] or appendices
    units_import(registry)
    plan_import(preferred[0])


# ---------------------------------------------------------------- status


@app.command("status")
def status(
    at: Annotated[str | None, typer.Option("--at", help="Report as of this date (default: today).")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="Only this lead unit: its code or its name, typed any way."),
    ] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Where the plan stands at a date: done on time, done late, in progress, not started, overdue."""
    from babel.numbers import format_percent

    from dondoc.i18n import current_language
    from dondoc.plan.progress import (
        CATEGORIES,
        category_label,
        match_units,
        plan_status,
        status_label,
    )

    _apply(db, lang, org_name)
    as_of = parse_cli_date(at) if at else _clock().today()
    with session_scope(_store()) as session:
        plan = _plan(session, key)
        unit_codes: list[str] | None = None
        if unit is not None:
            unit_codes = match_units(load_registry(session, _organization(session)), unit)
            if unit_codes is None:
                _fail(_("unknown unit: {unit}").format(unit=unit))
        result = plan_status(session, plan, as_of, unit_codes)
    if as_json:
        _print_json(result.to_json())
        return

    def day(value: date) -> str:
        return value.strftime("%d/%m/%Y")

    typer.echo(f"{plan.title} ({plan.year})")
    typer.echo(_("Status at {date}").format(date=day(as_of)))
    labels = [category_label(c) for c in CATEGORIES]
    widths = [max(len(label), 4) for label in labels]
    typer.echo("")
    typer.echo(f"  {'':<10}" + "  ".join(f"{label:>{w}}" for label, w in zip(labels, widths, strict=True)))

    def counts_row(name: str, counts: dict[Any, int]) -> None:
        cells = "  ".join(f"{counts[c]:>{w}}" for c, w in zip(CATEGORIES, widths, strict=True))
        typer.echo(f"  {name:<10}{cells}")

    counts_row(_("Total"), result.totals)
    typer.echo(_("By area"))
    for area, counts in result.by_area.items():
        counts_row(area or "-", counts)
    typer.echo(_("By unit"))
    for code, counts in result.by_unit.items():
        counts_row(code, counts)
    rate = format_percent(result.on_time_rate, "#,##0.0%", locale=current_language())
    typer.echo(_("On-time rate: {rate}").format(rate=rate))
    if result.items:
        typer.echo("")
        typer.echo(_("Tasks with a deadline"))
    blocked = _("blocked")
    for item in result.items:
        flag = f"  [{blocked}]" if item.blocked else ""
        typer.echo(
            f"  {item.task:<8} {item.unit:<8} {day(item.due)}  {category_label(item.category)}  {item.percent}%{flag}"
        )
    if result.continuous:
        typer.echo("")
        typer.echo(_("Continuous tasks"))
    for citem in result.continuous:
        if citem.last_report_at is None or citem.status is None:
            last = _("no report yet")
        else:
            last = _("last report {date}: {status}, {percent}%").format(
                date=day(citem.last_report_at.date()),
                status=status_label(citem.status),
                percent=citem.percent,
            )
        typer.echo(f"  {citem.task:<8} {citem.unit:<8} {last}")


# ---------------------------------------------------------------- people and reports

report_app = typer.Typer(help="Progress reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


MAX_INVITE_DAYS = 365


def _parse_duration(value: str) -> timedelta:
    """ "7d", "12h", "30m" or a number of days: more than nothing, at most a year."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm]?)\s*", value)
    if not match:
        _usage(_("--expires: not a duration: {value} (use 7d, 12h or 30m)").format(value=value))
    amount, unit = int(match.group(1)), match.group(2) or "d"
    minutes = amount * {"d": 24 * 60, "h": 60, "m": 1}[unit]
    if not 0 < minutes <= MAX_INVITE_DAYS * 24 * 60:
        _usage(
            _("--expires: {value} is not a validity dondoc accepts: give from 1m up to {days}d").format(
                value=value, days=MAX_INVITE_DAYS
            )
        )
    return timedelta(minutes=minutes)


@app.command("invite")
def invite(
    unit: Annotated[str, typer.Argument(help="Unit code or name.")],
    role: Annotated[str, typer.Option("--role", help="focal, deputy, manager or admin.")] = "focal",
    expires: Annotated[str, typer.Option("--expires", help="Validity: 7d, 12h, 30m.")] = "7d",
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Create a one-time invite code and deep link that binds a chat account to a unit and role."""
    _apply(db, lang, org_name)
    if role not in {r.value for r in MemberRole}:
        raise typer.BadParameter(_("unknown role {role}: use focal, deputy, manager or admin").format(role=role))
    valid_for = _parse_duration(expires)
    username = TelegramConfig.from_env().bot_username or BotSettings().bot_username
    with session_scope(_store()) as session:
        org = _organization(session)
        found = find_unit(session, org.id, unit)
        if found is None:
            _fail(_("no unit {unit} in the registry").format(unit=unit))
        new = create_invite(session, found, MemberRole(role), _clock().now(), valid_for)
    result = {
        "code": new.code,
        "link": new.link(username),
        "unit": new.unit.code,
        "role": new.role.value,
        "expires_at": new.expires_at.isoformat(),
    }
    if as_json:
        _print_json(result)
        return
    typer.echo(f"{new.code}\n{result['link']}")
    typer.echo(
        _("Invite for {role} of {unit}, valid until {date}:")
        .format(role=role_name(new.role), unit=new.unit.name, date=format_datetime(new.expires_at))
        .rstrip(":"),
        err=True,
    )


@report_app.command("add")
def report_add(
    task: Annotated[str, typer.Option("--task", help="Task code, e.g. III.4.")],
    unit: Annotated[str, typer.Option("--unit", help="Unit code or name.")],
    status: Annotated[str, typer.Option("--status", help="not_started, in_progress, done or blocked.")],
    percent: Annotated[int | None, typer.Option("--percent", min=0, max=100, help="0 to 100.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Report date; for done, the completion date.")] = None,
    note: Annotated[str, typer.Option("--note", help="What was done, or what blocks it.")] = "",
    key: PlanOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Record a report on a unit's behalf (one that came by phone or on paper)."""
    _apply(db, lang, org_name)
    if status not in {s.value for s in Status}:
        raise typer.BadParameter(
            _("unknown status {status}: use not_started, in_progress, done or blocked").format(status=status),
            param_hint="--status",
        )
    now = _clock().now()
    day = parse_cli_date(at, bounded=False) if at else now.date()
    reported_at = now if day == now.date() else datetime.combine(day, time(17, 0), tzinfo=TZ)
    with session_scope(_store()) as session:
        org = _organization(session)
        plan = _plan(session, key)
        problem = check_completion_date(day, plan.year, now.date())
        if problem is not None:
            _fail("--at: " + describe(problem, at or "", plan.year, now.date()))
        found = find_unit(session, org.id, unit)
        if found is None:
            _fail(_("no unit {unit} in the registry").format(unit=unit))
        row = session.exec(
            select(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(Task.plan_id == plan.id, Task.code == task, Assignment.unit_id == found.id, col(Assignment.active))
        ).first()
        if row is None:
            _fail(_("task {task} is not assigned to {unit}").format(task=task, unit=found.code))
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
        _print_json(result)
    else:
        typer.echo(
            _("Recorded: {code} — {status}, {percent}%.").format(
                code=f"{task} · {found.code}", status=status_label(kind), percent=report.percent
            )
        )


# ---------------------------------------------------------------- running the bot


@contextmanager
def _quiet_logs(*names: str) -> Iterator[None]:
    """Silence libraries that log tracebacks of errors reported here in one line."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


async def check_bot_api(config: TelegramConfig) -> str | None:
    """Ask the configured Bot API who the bot is (getMe): None when it answers as the Bot API, else one
    line for people saying what is wrong. The token never appears in it."""
    base = config.base_url

    def unreachable(reason: str) -> str:
        reason = reason.replace(config.token, "<TELEGRAM_BOT_TOKEN>").strip().rstrip(".")
        return _(
            "Cannot reach the Telegram Bot API at {base}: {reason}. Check TELEGRAM_API_BASE_URL and the network."
        ).format(base=base, reason=reason)

    bot = Bot(config.token, base_url=base, base_file_url=config.base_file_url)
    with _quiet_logs("telegram", "httpx"):
        try:
            await bot.initialize()  # getMe
        except InvalidToken as error:
            if error.__cause__ is not None:  # an answer that is not JSON: someone else's web server
                return unreachable(_("the answer is not the Telegram Bot API's"))
            return _(
                "The Telegram Bot API at {base} refused the bot token ({reason}). Check TELEGRAM_BOT_TOKEN."
            ).format(base=base, reason=error.message)
        except TelegramError as error:
            if error.message == "Invalid server response":
                return unreachable(_("the answer is not the Telegram Bot API's"))
            return unreachable(error.message.removeprefix("httpx."))
        finally:
            with suppress(TelegramError):
                await bot.shutdown()
    return None


@app.command("run")
def run(
    webhook_url: Annotated[str | None, typer.Option("--webhook-url", help="Public HTTPS URL for a webhook.")] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on for the webhook.")] = 8443,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Run the Telegram bot: long polling by default, or a webhook with a secret token."""
    _apply(db, lang)
    config = TelegramConfig.from_env()
    if not config.token:
        _fail(_("TELEGRAM_BOT_TOKEN is not set. To try the bot without a token, run `dondoc sandbox`."))
    problem = asyncio.run(check_bot_api(config))
    if problem:
        _usage(problem)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        bot_app = open_app(_settings.db, bot_username=config.bot_username or "dondoc_bot")
    except (StoreError, ClockSettingError) as error:
        _usage(str(error))
    application = bot_app.attach_telegram(config.token, base_url=config.base_url, base_file_url=config.base_file_url)
    if webhook_url:
        secret = config.webhook_secret or secrets.token_urlsafe(32)
        application.run_webhook(
            listen="0.0.0.0",
            port=port,
            url_path=urlsplit(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secret,
        )
    else:
        application.run_polling()


SANDBOX_START = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)


@app.command("sandbox")
def sandbox(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Sample folder to load when the store has no plan yet (default: the bundled one)."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Chat with the bot in the terminal: no token, no internet (the main demo)."""
    from dondoc.bot.sandbox import Sandbox, stdin_reader

    _apply(db, lang)
    # The sandbox lives in the sample plan's year unless DONDOC_NOW says otherwise; the import
    # below plans its reminders from that moment too.
    os.environ.setdefault("DONDOC_NOW", SANDBOX_START.isoformat())
    engine = _store()
    with session_scope(engine) as session:
        has_plan = session.exec(select(Plan.id).limit(1)).first() is not None
    if not has_plan:
        demo_import(data)
    clock = _clock()
    asyncio.run(Sandbox(engine, clock, sys.stdout).run(stdin_reader()))


# ---------------------------------------------------------------- reminders

reminders_app = typer.Typer(help="Reminders the scheduler plans.", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")


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
            day = _read_date(text, option)
            if day is None:
                _usage(
                    _("{option}: not a date and time: {value} (use 2022-01-20T09:00 or 20/01/2022 09:00)").format(
                        option=option, value=value
                    )
                )
            moment = datetime.combine(day, time.min)
    _check_year(moment, value, option)
    return moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment.astimezone(TZ)


MAX_PREVIEW_YEARS = 3


@reminders_app.command("preview")
def reminders_preview(
    start: Annotated[str, typer.Option("--from", help="First day of sending to show.")],
    end: Annotated[str, typer.Option("--to", help="Last day of sending to show.")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="Plan as if now were this instant: 2022-01-20T09:00 (default: now)."),
    ] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Show the reminders the scheduler would send in a period, sending nothing."""
    from dondoc.i18n import format_date

    _apply(db, lang, org_name)
    first, last = parse_cli_date(start, "--from"), parse_cli_date(end, "--to")
    if last < first:
        _usage(_("--to: the end date {end} is before the start date {start}").format(end=end, start=start))
    if (last - first).days >= MAX_PREVIEW_YEARS * 366:
        _usage(
            _("the period from {start} to {end} is too long: preview at most {years} years at a time").format(
                start=start, end=end, years=MAX_PREVIEW_YEARS
            )
        )
    now = parse_cli_instant(at) if at else _clock().now().astimezone(TZ)
    with session_scope(_store()) as session:
        org = _organization(session)
        plan = _plan(session, key)
        try:
            calendar = calendar_from_env()
        except InputError as error:
            _refuse(error)
        try:
            entries = reminder_preview(session, org, plan, calendar, now, first, last)
        except ValueError as error:
            _fail(_("The organisation's reminder settings are not valid: {error}").format(error=error))
        title, year = plan.title, plan.year
    if as_json:
        _print_json(entries)
        return
    labels = {
        "before": _("before the deadline"),
        "due": _("deadline reached"),
        "overdue": _("overdue"),
        "escalation": _("overdue, to managers"),
        "checkin": _("progress check-in"),
    }
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
            typer.echo(f"    {item['task']:<8} {due}  {labels[item['kind']]}")
    typer.echo("")
    typer.echo(_("Messages to send: {count}").format(count=len(entries)))


# ---------------------------------------------------------------- documents for people: workbook, chart, report draft


def _cannot_write(output: Path, error: OSError) -> NoReturn:
    _fail(_("cannot write {path}: {error}").format(path=output, error=error.strerror or error))


def _written(output: Path, as_json: bool, summary: dict[str, Any]) -> None:
    """The written path on standard error; with ``--json`` a small summary on standard output."""
    typer.echo(_("Written: {path}").format(path=output), err=True)
    if as_json:
        _print_json({"path": str(output), **summary})


@app.command("export")
def export_status(
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False, help="The xlsx file to write.")],
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Write the plan's status as an xlsx workbook: a summary sheet and every item in appendix order."""
    from dondoc.plan.reporting import write_status_xlsx

    _apply(db, lang, org_name)
    as_of = parse_cli_date(at) if at else _clock().today()
    with session_scope(_store()) as session:
        plan = _plan(session, key)
        try:
            status = write_status_xlsx(session, plan, as_of, output)
        except OSError as error:
            _cannot_write(output, error)
        plan_key = plan.key
    _written(
        output,
        as_json,
        {
            "plan": plan_key,
            "as_of": as_of.isoformat(),
            "totals": dict(status.totals),
            "on_time_rate": status.on_time_rate,
            "items": len(status.items),
            "continuous": len(status.continuous),
        },
    )


@app.command("chart")
def chart(
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False, help="The PNG file to write.")],
    at: AtOption = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Draw the plan's status as a PNG: stacked bars by area and by lead unit in the five categories."""
    from dondoc.plan.chart import render_plan_chart

    _apply(db, lang, org_name)
    as_of = parse_cli_date(at) if at else _clock().today()
    with session_scope(_store()) as session:
        plan = _plan(session, key)
        png, status = render_plan_chart(session, plan, as_of)
        plan_key = plan.key
    try:
        output.write_bytes(png)
    except OSError as error:
        _cannot_write(output, error)
    _written(output, as_json, {"plan": plan_key, "as_of": as_of.isoformat(), "totals": dict(status.totals)})


@report_app.command("draft")
def report_draft(
    period: Annotated[str, typer.Option("--period", help="q1, half, q3 or year.")],
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False, help="The docx file to write.")],
    year: Annotated[int | None, typer.Option("--year", help="Report year (default: the plan's year).")] = None,
    key: PlanOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Draft the periodic administrative-reform report (docx): data from 15/12 of the previous year to
    the 14th of the period's last month, figures by area, blocked items, tasks due next."""
    from dondoc.plan.draft import PERIODS, report_window, write_report_draft

    _apply(db, lang, org_name)
    chosen = next((p for p in PERIODS if p == period.strip().lower()), None)
    if chosen is None:
        raise typer.BadParameter(
            _("unknown period {period}: use q1, half, q3 or year").format(period=period), param_hint="--period"
        )
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        _usage(
            _("--year: {year} is out of range: dondoc works with the years {first} to {last}").format(
                year=year, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    with session_scope(_store()) as session:
        plan = _plan(session, key)
        report_year = year if year is not None else plan.year
        try:
            status = write_report_draft(session, plan, chosen, report_year, output)
        except OSError as error:
            _cannot_write(output, error)
        plan_key = plan.key
    start, end = report_window(chosen, report_year)
    _written(
        output,
        as_json,
        {
            "plan": plan_key,
            "period": chosen,
            "year": report_year,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "totals": dict(status.totals),
        },
    )


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``argv``: the arguments after ``dondoc``, default the command line)."""
    try:
        app(args=argv, prog_name="dondoc")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # the last resort: every expected problem has its own message
        if os.environ.get("DONDOC_DEBUG", "").strip() not in ("", "0"):
            raise
        detail = (str(error).strip().splitlines() or [""])[0]
        typer.echo(
            _("Unexpected error: {error}. Run with DONDOC_DEBUG=1 for details.").format(
                error=f"{type(error).__name__}: {detail}" if detail else type(error).__name__
            ),
            err=True,
        )
        sys.exit(1)
