"""``/tasks`` (my unit's tasks, nearest deadline first, paged for a phone) and ``/history CODE``."""

from __future__ import annotations

from dondoc.db.models import DeadlineKind, Status
from dondoc.db.queries import assignment_history, organization_unit_ids, unit_assignments
from dondoc.handlers.context import Context, MenuFlow, page_nav, paginate, split_action
from dondoc.handlers.events import esc
from dondoc.handlers.report import ROLE_LABELS, my_assignments, reported_label, short
from dondoc.i18n import _, format_date, format_datetime
from dondoc.plan.progress import status_label
from dondoc.text import match_key

PAGE_SIZE = 6


def list_tasks(ctx: Context, _args: str) -> None:
    ctx.go("tasks", "list")
    _show_page(ctx, 0)


def _show_page(ctx: Context, page: int) -> None:
    views = my_assignments(ctx)
    if not views:
        ctx.end()
        ctx.reply(_("Your unit has no tasks in the plan."))
        return
    chunk, page, pages = paginate(views, page, PAGE_SIZE)
    today = ctx.now.date()
    several_units = len({v.unit.id for v in views}) > 1
    lines = [_("<b>Your tasks</b> ({count}), page {page}/{pages}").format(count=len(views), page=page + 1, pages=pages)]
    for view in chunk:
        due = view.next_due(today)
        if due is not None:
            when = format_date(due)
        else:
            when = _("no date yet") if view.task.deadline_kind == DeadlineKind.UNDATED else _("continuous")
        overdue = " ⏰" if due is not None and due < today else ""
        unit = f" · {esc(view.unit.code)}" if several_units else ""
        lines.append(
            f"\n<b>{esc(view.task.code)}</b>{unit} ({_(ROLE_LABELS[view.assignment.role])}) — {when}{overdue}\n"
            f"{esc(short(view.task.title, 90))}\n↳ {reported_label(view)}"
        )
    nav = page_nav(page, pages, "page")
    lines.append("\n" + _("To report: /report or /report CODE."))
    ctx.reply("\n".join(lines), ctx.offer([nav]) if nav else None)


class _TasksFlow(MenuFlow):
    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        if kind == "page":
            ctx.go("tasks", "list")
            _show_page(ctx, int(value))

FLOW = _TasksFlow()


def history(ctx: Context, args: str) -> None:
    """Every report on a task: the person's own units', or every unit's for managers."""
    if not args:
        ctx.reply(_("Usage: /history CODE — for example /history III.4"))
        return
    wanted = match_key(args)
    # Their own units' reports, and every unit's of the organisations they follow up (never another's).
    units = [u.id for u in ctx.reporting_units() if u.id is not None]
    managed = ctx.managed_organizations()
    if managed:
        units = list(dict.fromkeys([*units, *organization_unit_ids(ctx.session, managed)]))
    views = [v for v in unit_assignments(ctx.session, units) if match_key(v.task.code) == wanted]
    if not views:
        ctx.reply(_("No task {code} for your unit.").format(code=esc(args)))
        return
    by_id = {v.id: v for v in views}
    several_organizations = len({v.unit.organization_id for v in views}) > 1
    reports = assignment_history(ctx.session, list(by_id))
    task = views[0].task
    lines = [f"<b>{esc(task.code)}</b> — {esc(short(task.title, 100))}"]
    if not reports:
        lines.append(_("No reports yet."))
    for report, person in reports:
        view = by_id[report.assignment_id]
        who = esc(person.full_name) if person and person.full_name else ""
        if report.entered_by_admin:
            who = _("entered by an administrator")
        state = f"{status_label(report.status)} {report.percent}%"
        unit = view.unit.name if several_organizations else view.unit.code  # codes repeat across them
        line = f"• {format_datetime(report.reported_at)} · {esc(unit)} · {state}"
        if report.status == Status.DONE and report.completed_on:
            line += " " + _("(completed {date})").format(date=format_date(report.completed_on))
        if who:
            line += f" · {who}"
        if report.note:
            line += f"\n  {esc(report.note)}"
        lines.append(line)
    ctx.reply("\n".join(lines))
