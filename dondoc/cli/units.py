"""``dondoc units …``: the unit registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import col, select

from dondoc.cli.common import (
    NAME,
    DryRunOption,
    JsonOption,
    fail,
    global_options,
    organization,
    print_json,
    refuse,
    store,
)
from dondoc.db.models import Organization, Unit
from dondoc.db.session import session_scope
from dondoc.i18n import _
from dondoc.plan.problems import InputError
from dondoc.plan.registry import apply_registry, load_registry, read_registry
from dondoc.plan.registry_table import is_table, kept_from_store, read_registry_table, registry_yaml, stored_codes
from dondoc.plan.zalo_bots import bot_key

units_app = typer.Typer(help="The unit registry.", no_args_is_help=True)


@units_app.command("import")
@global_options
def units_import(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="Registry: a YAML file, or a list of units (xlsx, csv)."),
    ],
    dry_run: DryRunOption = False,
    new_organization: Annotated[
        bool,
        typer.Option("--new-organization", help="Create a second organisation when the file names another one."),
    ] = False,
    organization_name: Annotated[
        str | None,
        typer.Option(
            "--organization",
            metavar=NAME,
            help="A list of units (xlsx, csv): the organisation they belong to, when its title does not say.",
        ),
    ] = None,
    write_yaml: Annotated[
        Path | None,
        typer.Option(
            "--write-yaml",
            dir_okay=False,
            help="Also write the registry read as a YAML file, to add other names to and import again.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import or update the unit registry from a YAML file or a list of units (xlsx, csv)."""
    try:
        registry = None if is_table(file) else read_registry(file)
    except InputError as error:
        refuse(error)
    engine = store()
    if registry is None:  # a clerk's list: the units already in the store keep their codes
        with session_scope(engine) as session:
            stored = stored_codes(session)
        try:
            registry = read_registry_table(file, organization=organization_name, stored=stored)
            with session_scope(engine) as session:  # the settings, bots and groups a list cannot hold
                registry = kept_from_store(session, registry)
        except InputError as error:
            refuse(error)
    with session_scope(engine) as session:
        try:
            changes = apply_registry(session, registry, new_organization=new_organization)
        except InputError as error:
            refuse(error)  # the scope rolls back: nothing written
        # The units kept inactive, by the names the clerk wrote: "Ấp Tân Lợi (ATL)".
        units = {
            unit.code: unit
            for unit in session.exec(
                select(Unit)
                .join(Organization, col(Organization.id) == Unit.organization_id)
                .where(Organization.name == changes.organization)
            )
        }
        kept = {code: f"{units[code].name} ({code})" for code in changes.deactivated if code in units}
        added = {code: units[code].name for code in changes.added if code in units}
        if dry_run:
            session.rollback()
    if write_yaml is not None:
        try:
            # A YAML registry is copied as it is: its reminders, channels and comments kept.
            text = registry_yaml(registry) if is_table(file) else file.read_text(encoding="utf-8")
            write_yaml.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(_("cannot write {path}: {error}").format(path=write_yaml, error=error.strerror or error))
    if as_json:
        print_json(
            {
                "organization": changes.organization,
                "added": changes.added,
                "updated": changes.updated,
                "removed": changes.removed,
                "deactivated": changes.deactivated,
                "groups": changes.groups,
                "parent": changes.parent,
                "parent_changed": changes.parent_changed,
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
    if changes.parent_changed:
        typer.echo(
            _("It now belongs to {parent}: that organisation's province role sees its plans.").format(
                parent=changes.parent
            )
            if changes.parent
            else _("It no longer belongs to another organisation.")
        )
    if changes.deactivated:
        typer.echo(
            _("Kept as inactive because they have history: {codes}").format(
                codes="; ".join(kept.get(code, code) for code in changes.deactivated)
            ),
            err=True,
        )
        if added and is_table(file):  # a hamlet renamed is, to a list without codes, one gone and one new
            typer.echo(
                _(
                    "If one of them was renamed (new now: {added}), add a column «Mã», write its old code on the "
                    "row of its new name and import the list again: the unit keeps its people, invites and reports."
                ).format(added="; ".join(added.values())),
                err=True,
            )
    if write_yaml is not None:
        typer.echo(_("The registry read is written to {path}.").format(path=write_yaml))
    if dry_run:
        typer.echo(_("Dry run: nothing was written."), err=True)


@units_app.command("list")
@global_options
def units_list(as_json: JsonOption = False) -> None:
    """List the registry's units and groups."""
    with session_scope(store()) as session:
        registry = load_registry(session, organization(session))
    if as_json:
        print_json(
            {
                "organization": registry.organization,
                "parent": registry.parent,
                "coordinator": registry.coordinator,
                "units": [{"code": u.code, "name": u.name, "groups": u.groups} for u in registry.units],
                "groups": [
                    {"code": g.code, "name": g.name, "units": list(registry.members(g))} for g in registry.groups
                ],
                "zalo_bots": [
                    {
                        "name": b.name,
                        "channel": bot_key(b.name),
                        "display_name": b.display_name,
                        "token_env": b.token_env,
                        "units": b.units,
                    }
                    for b in registry.zalo_bots
                ],
            }
        )
        return
    typer.echo(registry.organization)
    for unit in registry.units:
        typer.echo(f"  {unit.code:<8} {unit.name}")
    for group in registry.groups:
        typer.echo(f"  [{group.code}] {group.name}: {', '.join(registry.members(group))}")
    for bot in registry.zalo_bots:
        typer.echo(f"  {bot_key(bot.name)} ({bot.display_name}, {bot.token_env}): {', '.join(bot.units)}")
