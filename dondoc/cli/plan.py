"""``dondoc plan …``: plans and their appendices."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from dondoc.cli.common import (
    DATE,
    JsonOption,
    PlanOption,
    calendar,
    clock,
    fail,
    global_options,
    organization,
    os_error_reason,
    parse_cli_date,
    plan,
    print_json,
    print_list,
    refuse,
    sentence,
    settings,
    show_warnings,
    store,
    usage,
)
from dondoc.db.models import (
    AdhocTask,
    Area,
    Assignment,
    Explanation,
    Extension,
    Occurrence,
    Plan,
    Reminder,
    ReminderDelivery,
    Report,
    StoredFile,
    Task,
)
from dondoc.db.queries import current_plan
from dondoc.db.session import session_scope
from dondoc.i18n import _, ngettext
from dondoc.plan.appendix import Appendix, read_appendix
from dondoc.plan.console import plan_lines
from dondoc.plan.deadlines import FIRST_PLAN_YEAR, LAST_PLAN_YEAR
from dondoc.plan.export import load_tasks, plan_json, write_plan_xlsx
from dondoc.plan.problems import InputError, Problem
from dondoc.plan.registry import build_matcher, load_registry
from dondoc.plan.review import write_review
from dondoc.plan.store import WouldRetire, save_appendix
from dondoc.plan.tables import DEFAULT_MAX_ROWS, PROGRESS_EVERY
from dondoc.scheduler.schedule import replan
from dondoc.text import one_line

plan_app = typer.Typer(help="Plans and their appendices.", no_args_is_help=True)


def max_tasks(option: int | None) -> int:
    """The import limit: ``--max-rows``, else ``DONDOC_MAX_TASKS``, else the default."""
    if option is not None:
        return option
    value = (settings().max_tasks or "").strip()
    if not value:
        return DEFAULT_MAX_ROWS
    if not value.isdigit() or int(value) < 1:
        usage(
            _("DONDOC_MAX_TASKS is not a number of tasks: {value} (use a whole number from 1, or unset it)").format(
                value=value
            )
        )
    return int(value)


@plan_app.command("import")
@global_options
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
        int | None,
        typer.Option(
            "--max-rows",
            min=1,
            show_default=str(DEFAULT_MAX_ROWS),
            help="Refuse files with more tasks than this (else DONDOC_MAX_TASKS).",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse the file for warnings too (what was left out or assumed).")
    ] = False,
    issued: Annotated[
        str | None,
        typer.Option(
            "--issued",
            metavar=DATE,
            help="The plan's issue date: dates the deadlines counted from it (100 ngày kể từ …).",
        ),
    ] = None,
    review: Annotated[
        Path | None,
        typer.Option(
            "--review",
            dir_okay=False,
            help="Write what was read, with each row's warnings and errors, as an appendix workbook to correct.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a plan's appendix; re-importing a corrected file updates tasks by code."""
    if year is not None and not FIRST_PLAN_YEAR <= year <= LAST_PLAN_YEAR:
        usage(
            _("--year: {value} is out of range: a plan's year is from {first} to {last}").format(
                value=year, first=FIRST_PLAN_YEAR, last=LAST_PLAN_YEAR
            )
        )
    limit = max_tasks(max_rows)
    issued_on = parse_cli_date(issued, "--issued") if issued else None
    engine = store()
    with session_scope(engine) as session:
        registry = load_registry(session, organization(session))
    matcher = build_matcher(registry)
    unit_names = {unit.code: unit.name for unit in registry.units}
    work_calendar = calendar()
    try:
        appendix = read_appendix(file, matcher, year, max_rows=limit, progress=_rows_read, issued=issued_on)
    except InputError as error:
        if review is not None and isinstance(error.partial, Appendix):
            _write_review(review, error.partial, unit_names)
        refuse(error)
    if review is not None:
        _write_review(review, appendix, unit_names)
    if strict and appendix.warnings:
        refuse(InputError([warning.as_error() for warning in appendix.warnings]))
    show_warnings(appendix.warnings)
    with file.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    now = clock().now()
    plan_key = key or str(appendix.year)
    if len(appendix.tasks) >= PROGRESS_EVERY:
        typer.echo(_("Saving {count} tasks…").format(count=len(appendix.tasks)), err=True)
    with session_scope(engine) as session:
        org = organization(session)
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
            _refuse_retiring(plan_key, refused.codes, refused.replaced)
        if dry_run:
            session.rollback()
        else:
            replan(session, work_calendar, now)  # the outbox follows the corrected appendix
    if as_json:
        print_json(
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
                "renumbered": [{"from": old, "to": new} for old, new in changes.renumbered],
                "replaced": [{"code": code, "from": old, "to": new} for code, old, new in changes.replaced],
                "dry_run": dry_run,
                "warnings": [warning.to_json() for warning in appendix.warnings],
                "undated": [task.code for task in appendix.tasks if task.deadline.kind == "undated"],
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
    if changes.renumbered:
        moves = _code_list([f"{old} → {new}" for old, new in changes.renumbered])
        typer.echo(
            (
                _("Would renumber (their reports follow them): {moves}")
                if dry_run
                else _("Renumbered (their reports followed them): {moves}")
            ).format(moves=moves)
        )
    for replaced in changes.replaced:
        typer.echo(_replaced_line(*replaced), err=True)
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


def _write_review(path: Path, appendix: Appendix, unit_names: dict[str, str]) -> None:
    try:
        write_review(path, appendix, unit_names)
    except OSError as error:
        reason = os_error_reason(error, path)
        typer.echo(sentence(_("cannot write {path}: {error}").format(path=path, error=reason)), err=True)
        return
    typer.echo(_("Review workbook written: {path}").format(path=path), err=True)


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


def _replaced_line(code: str, old_title: str, new_title: str) -> str:
    return _(
        "Task {code} has reports, and the file gives its number a wholly other text: «{old}» → «{new}». "
        "The reports stay with the old task, kept as inactive; the new {code} starts with none."
    ).format(code=code, old=one_line(old_title)[:120], new=one_line(new_title)[:120])


def _refuse_retiring(plan_key: str, codes: list[str], replaced: list[tuple[str, str, str]]) -> NoReturn:
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
    for line in replaced:
        typer.echo(_replaced_line(*line), err=True)
    typer.echo(_("If they are to go, run the import again with --prune (--dry-run shows every change)."), err=True)
    raise typer.Exit(1)


@plan_app.command("export")
@global_options
def plan_export(
    fmt: Annotated[str, typer.Option("--format", help="json or xlsx.")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    key: PlanOption = None,
) -> None:
    """Export a plan: JSON (to standard output unless -o) or the appendix as xlsx."""
    if fmt not in ("json", "xlsx"):
        raise typer.BadParameter(_("unknown format {fmt}: use json or xlsx").format(fmt=fmt), param_hint="--format")
    if fmt == "xlsx" and output is None:
        raise typer.BadParameter(_("xlsx needs an output file: -o FILE.xlsx"), param_hint="-o")
    with session_scope(store()) as session:
        found = plan(session, key)
        if fmt == "xlsx":
            assert output is not None
            write_plan_xlsx(session, found, output)
            typer.echo(_("Written: {path}").format(path=output), err=True)
            return
        data = plan_json(session, found)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(_("Written: {path}").format(path=output), err=True)


@plan_app.command("show")
@global_options
def plan_show(
    key: PlanOption = None,
    warnings: Annotated[
        bool, typer.Option("--warnings", help="Show what the last import left out or assumed.")
    ] = False,
) -> None:
    """Show a plan's tasks by area, with lead units and due dates."""
    with session_scope(store()) as session:
        found = plan(session, key)
        if warnings:
            typer.echo(f"{found.title} ({found.year})")
            stored = [Problem.from_json(entry) for entry in found.warnings]
            if not stored:
                typer.echo(_("The last import gave no warnings."))
            for warning in stored:
                typer.echo(f"  - {warning}")
            return
        views = load_tasks(session, found)
        for line in plan_lines(found, views):
            typer.echo(line)


# ---------------------------------------------------------------------- dondoc plan list | remove


@dataclass
class PlanRow:
    """A plan of the organisation as ``plan list`` shows it."""

    key: str
    title: str
    year: int
    tasks: int  # active tasks
    reports: int  # progress reports on its tasks
    default: bool  # the plan commands use when --plan is not given

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "year": self.year,
            "tasks": self.tasks,
            "reports": self.reports,
            "default": self.default,
        }


def _plan_rows(session: Session, organization_id: int) -> list[PlanRow]:
    """The organisation's plans, newest year first, with their counts (one query for each count)."""
    plans = session.exec(
        select(Plan).where(Plan.organization_id == organization_id).order_by(col(Plan.year).desc(), col(Plan.id).desc())
    ).all()
    ids = [found.id for found in plans]
    tasks = dict(
        session.exec(
            select(Task.plan_id, func.count())
            .where(col(Task.plan_id).in_(ids), col(Task.active))
            .group_by(col(Task.plan_id))
        ).all()
    )
    reports = dict(
        session.exec(
            select(Task.plan_id, func.count())
            .select_from(Report)
            .join(Assignment, col(Assignment.id) == Report.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(col(Task.plan_id).in_(ids))
            .group_by(col(Task.plan_id))
        ).all()
    )
    newest = current_plan(session, organization_id)
    return [
        PlanRow(
            key=found.key,
            title=found.title,
            year=found.year,
            tasks=tasks.get(found.id or 0, 0),
            reports=reports.get(found.id or 0, 0),
            default=newest is not None and found.id == newest.id,
        )
        for found in plans
    ]


def _plan_line(row: PlanRow) -> str:
    line = _("{key}: “{title}” ({year}) — {tasks} tasks, {reports} progress reports").format(
        key=row.key, title=row.title, year=row.year, tasks=row.tasks, reports=row.reports
    )
    if row.default:
        line += " " + _("[default: used when --plan is not given]")
    return line


@plan_app.command("list")
@global_options
def plan_list(as_json: JsonOption = False) -> None:
    """The organisation's plans: key, title, year, tasks, reports, and the default one."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        rows = _plan_rows(session, org.id)
    print_list(rows, as_json, _("No plan imported yet: run `dondoc plan import FILE` first."), _plan_line)


@dataclass
class Removed:
    """What removing a plan deleted, row counts by kind."""

    tasks: int = 0
    assignments: int = 0
    reminders: int = 0
    reports: int = 0
    extensions: int = 0
    explanations: int = 0


def remove_plan(session: Session, plan_id: int) -> Removed:
    """Delete the plan and every row that belongs to it alone, children first (set-based statements
    in the caller's transaction): deliveries of its reminders, its reminders (the pending ones'
    :class:`ReminderDue` rows go with them, by trigger), requests for more time, explanations, reports
    and the evidence files only they refer to, assignments, due dates, the source of tasks given
    outside the plan, tasks, areas, the plan."""
    connection = session.connection()
    tasks = select(Task.id).where(Task.plan_id == plan_id)
    assignments = select(Assignment.id).where(col(Assignment.task_id).in_(tasks))
    reminders = select(Reminder.id).where(col(Reminder.assignment_id).in_(assignments))
    reports = select(Report.id).where(col(Report.assignment_id).in_(assignments))
    evidence = set(
        session.exec(
            select(Report.evidence_file_id).where(
                col(Report.assignment_id).in_(assignments), col(Report.evidence_file_id).startswith(_STORED)
            )
        ).all()
    )
    removed = Removed()

    def count(statement: Any) -> int:
        return int(connection.execute(statement).rowcount or 0)

    connection.execute(delete(ReminderDelivery).where(col(ReminderDelivery.reminder_id).in_(reminders)))
    removed.reminders = count(delete(Reminder).where(col(Reminder.assignment_id).in_(assignments)))
    removed.extensions = count(delete(Extension).where(col(Extension.assignment_id).in_(assignments)))
    removed.explanations = count(delete(Explanation).where(col(Explanation.assignment_id).in_(assignments)))
    # A correction refers to the report it corrects, of the same assignment: unlinked first, so that
    # no order of deletion within the statement matters.
    connection.execute(
        update(Report)
        .where(col(Report.id).in_(reports), col(Report.corrects_report_id).is_not(None))
        .values(corrects_report_id=None)
    )
    removed.reports = count(delete(Report).where(col(Report.assignment_id).in_(assignments)))
    if evidence:
        still = set(session.exec(select(Report.evidence_file_id).where(col(Report.evidence_file_id).in_(evidence))))
        files = [int(ref[len(_STORED) :]) for ref in evidence - still if ref[len(_STORED) :].isdigit()]
        if files:
            connection.execute(delete(StoredFile).where(col(StoredFile.id).in_(files)))
    removed.assignments = count(delete(Assignment).where(col(Assignment.task_id).in_(tasks)))
    connection.execute(delete(Occurrence).where(col(Occurrence.task_id).in_(tasks)))
    connection.execute(delete(AdhocTask).where(col(AdhocTask.task_id).in_(tasks)))
    removed.tasks = count(delete(Task).where(col(Task.plan_id) == plan_id))
    connection.execute(delete(Area).where(col(Area.plan_id) == plan_id))
    connection.execute(delete(Plan).where(col(Plan.id) == plan_id))
    session.expunge_all()  # the ORM's copies of the deleted rows are gone from the store
    return removed


_STORED = "stored:"  # a report's evidence kept in the store (StoredFile), as its evidence_file_id


@plan_app.command("remove")
@global_options
def plan_remove(
    key: Annotated[str, typer.Argument(help="The plan's key (see `dondoc plan list`).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    with_reports: Annotated[
        bool, typer.Option("--with-reports", help="Also delete the plan's progress reports (else refused).")
    ] = False,
) -> None:
    """Delete a plan with its tasks, assignments and reminders; refused while it has progress reports
    unless --with-reports."""
    with session_scope(store()) as session:
        org = organization(session)
        assert org.id is not None
        found = session.exec(select(Plan).where(Plan.organization_id == org.id, Plan.key == key)).first()
        if found is None:
            fail(_("no plan {key}: `dondoc plan list` shows the plans").format(key=key))
        row = next(row for row in _plan_rows(session, org.id) if row.key == key)
        if row.reports and not with_reports:
            fail(
                ngettext(
                    "Refused, nothing was deleted: plan {key} has {count} progress report. Add --with-reports "
                    "to delete it with the plan (`dondoc plan export` keeps a copy of the plan first).",
                    "Refused, nothing was deleted: plan {key} has {count} progress reports. Add --with-reports "
                    "to delete them with the plan (`dondoc plan export` keeps a copy of the plan first).",
                    row.reports,
                ).format(key=key, count=row.reports)
            )
        if not yes:
            question = ngettext(
                "Delete plan {key} “{title}” ({year}) with its {tasks} tasks, their reminders and {reports} "
                "progress report?",
                "Delete plan {key} “{title}” ({year}) with its {tasks} tasks, their reminders and {reports} "
                "progress reports?",
                row.reports,
            ).format(key=key, title=row.title, year=row.year, tasks=row.tasks, reports=row.reports)
            try:
                confirmed = typer.confirm(question, default=False, err=True)
            except typer.Abort:  # no answer (end of input): the question's line ends here
                typer.echo(err=True)
                confirmed = False
            if not confirmed:
                fail(_("Nothing was deleted."))
        assert found.id is not None
        removed = remove_plan(session, found.id)
        newest = current_plan(session, org.id)
    typer.echo(
        _(
            "Plan {key} deleted: {tasks} tasks, {assignments} assignments, {reminders} reminders, "
            "{reports} progress reports."
        ).format(
            key=key,
            tasks=removed.tasks,
            assignments=removed.assignments,
            reminders=removed.reminders,
            reports=removed.reports,
        )
    )
    if newest is not None:
        typer.echo(_("The default plan is now {key} ({year}).").format(key=newest.key, year=newest.year), err=True)
