"""The ``dondoc`` command line: results on standard output, diagnostics on standard error.

Global options (``--db``, ``--lang``, ``--org``) may be given before the command or after it.
Exit codes: 0 done, 1 the input was refused (every problem listed), 2 wrong usage.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy.engine import Engine

from dondoc.db.session import open_store, session_scope
from dondoc.i18n import _, set_language
from dondoc.plan.appendix import read_appendix
from dondoc.plan.export import load_tasks, plan_json, write_plan_xlsx
from dondoc.plan.problems import InputError
from dondoc.plan.registry import apply_registry, build_matcher, load_registry, read_registry
from dondoc.plan.store import NotFound, find_organization, find_plan, save_appendix
from dondoc.scheduler.clock import Clock, clock_from_env

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
OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organisation name, when the store holds several.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@dataclass
class Settings:
    db: str | None = None
    lang: str | None = None
    org: str | None = None


_settings = Settings()


@app.callback()
def main_options(db: DbOption = None, lang: LangOption = None, org: OrgOption = None) -> None:
    """Options that apply to every command."""
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
    return open_store(_settings.db)


def _clock() -> Clock:
    return clock_from_env()


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _refuse(error: InputError) -> NoReturn:
    typer.echo(
        _("Refused, nothing was written: {count} problem(s).").format(count=len(error.problems)), err=True
    )
    for problem in error.problems:
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def parse_cli_date(value: str) -> date:
    """A date as ISO (2022-03-31) or as written in Vietnam (31/03/2022)."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(_("not a date: {value} (use 2022-03-31 or 31/03/2022)").format(value=value))


# ---------------------------------------------------------------- units


@units_app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Registry YAML file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file, write nothing.")] = False,
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
        changes = apply_registry(session, registry)
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
        _(
            "{org}: {units} units ({added} new, {updated} updated, {removed} removed), {groups} groups."
        ).format(
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
            _("Kept as inactive because they have history: {codes}").format(
                codes=", ".join(changes.deactivated)
            ),
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
                    {"code": g.code, "name": g.name, "units": list(registry.members(g))}
                    for g in registry.groups
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
    year: Annotated[
        int | None, typer.Option("--year", help="Plan year, if the title does not say it.")
    ] = None,
    key: Annotated[str | None, typer.Option("--plan", help="Plan key (default: the year).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file, write nothing.")] = False,
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
        appendix = read_appendix(file, matcher, year)
    except InputError as error:
        _refuse(error)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    plan_key = key or str(appendix.year)
    with session_scope(engine) as session:
        org = _organization(session)
        changes = save_appendix(
            session,
            org,
            appendix,
            key=plan_key,
            source_file=file.name,
            source_sha256=digest,
            now=_clock().now(),
        )
        if dry_run:
            session.rollback()
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
    if changes.deactivated:
        typer.echo(
            _("Kept as inactive because they have reports: {codes}").format(
                codes=", ".join(changes.deactivated)
            ),
            err=True,
        )
    if dry_run:
        typer.echo(_("Dry run: nothing was written."), err=True)


@plan_app.command("export")
def plan_export(
    fmt: Annotated[str, typer.Option("--format", help="json or xlsx.")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    key: Annotated[str | None, typer.Option("--plan", help="Plan key (default: the newest plan).")] = None,
    db: DbOption = None,
    lang: LangOption = None,
    org_name: OrgOption = None,
) -> None:
    """Export a plan: JSON (to standard output unless -o) or the appendix as xlsx."""
    _apply(db, lang, org_name)
    if fmt not in ("json", "xlsx"):
        raise typer.BadParameter(
            _("unknown format {fmt}: use json or xlsx").format(fmt=fmt), param_hint="--format"
        )
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
    key: Annotated[str | None, typer.Option("--plan", help="Plan key (default: the newest plan).")] = None,
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
        lead = ", ".join(u.code for u in view.lead)
        typer.echo(f"  {view.task.code:<8} {view.task.title[:60]:<60}  {lead:<10} {due}")


def _plan(session: Any, key: str | None) -> Any:
    try:
        return find_plan(session, _organization(session), key)
    except NotFound as exc:
        _fail(str(exc))


# ---------------------------------------------------------------- demo

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "long-my-2022"


@app.command("demo")
def demo(
    data: Annotated[
        Path, typer.Option("--data", help="Folder with units.yaml and the appendix (xlsx, docx or csv).")
    ] = SAMPLE_DIR,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Load the bundled sample plan (Long Mỹ 2022) into the store and show it."""
    _apply(db, lang)
    registry = data / "units.yaml"
    appendices = sorted(p for p in data.glob("*") if p.suffix.lower() in (".xlsx", ".docx", ".csv"))
    if not registry.exists() or not appendices:
        _fail(_("no sample plan in {path}: give a folder with units.yaml and an appendix").format(path=data))
    units_import(registry)
    plan_import(appendices[-1] if appendices[-1].suffix != ".csv" else appendices[0])
    typer.echo("")
    plan_show()


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
