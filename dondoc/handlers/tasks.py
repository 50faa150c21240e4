"""``/tasks`` (my unit's tasks, nearest deadline first, paged for a phone) and ``/history CODE``."""

from __future__ import annotations

from dondoc.db.models import DeadlineKind, Status
from dondoc.db.queries import assignment_history, organization_unit_ids, unit_assignments
from dondoc.handlers.context import Context, MenuFlow, page_nav, paginate, split_action
from dondoc.handlers.events import esc
from dondoc.handlers.report import ROLE_LABELS, by_chased_deadline, short
from dondoc.i18n import _, format_date, format_datetime, ngettext
from dondoc.plan.extensions import describe_due
from dondoc.plan.progress import Chased, ReportRow, restored_reports, status_label
from dondoc.text import match_key
from dondoc.tz import stored_in_vietnam

PAGE_SIZE = 6


def list_tasks(ctx: Context, _args: str) -> None:
    ctx.go("tasks", "list")
    _show_page(ctx, 0)


def _show_page(ctx: Context, page: int) -> None:
    units = [u.id for u in ctx.reporting_units() if u.id is not None]
    today = ctx.now.date()
    views = unit_assignments(ctx.session, units)
    if not views:
        ctx.end()
        ctx.reply(_("Your unit has no tasks in the plan."))
        return
    # The deadline each task is chased for (the one reminders and /status are about), by the rules of
    # the categories: the earliest one not closed, overdue ones first.
    views, chased, newest = by_chased_deadline(ctx, views)
    chunk, page, pages = paginate(views, page, PAGE_SIZE)
    several_units = len({v.unit.id for v in views}) > 1
    lines = [_("<b>Your tasks</b> ({count}), page {page}/{pages}").format(count=len(views), page=page + 1, pages=pages)]
    for view in chunk:
        found = chased.get(view.id)
        if found is not None:
            when = describe_due(found.due, found.extended_to)
            late = found.days_late(today)
            if late > 0:
                when += " ⏰ " + ngettext("overdue by {n} day", "overdue by {n} days", late).format(n=late)
                if found.overdue > 1:  # a monthly task: the reminders are about the latest of them
                    when += " " + _("({count} deadlines overdue)").format(count=found.overdue)
            state = _state_for(found)
        else:
            when = _("no date yet") if view.task.deadline_kind == DeadlineKind.UNDATED else _("continuous")
            state = _row_label(newest.get(view.id))
        unit = f" · {esc(view.unit.code)}" if several_units else ""
        lines.append(
            f"\n<b>{esc(view.task.code)}</b>{unit} ({_(ROLE_LABELS[view.assignment.role])}) — {when}\n"
            f"{esc(short(view.task.title, 90))}\n↳ {state}"
        )
    nav = page_nav(page, pages, "page")
    lines.append("\n" + _("To report: /report or /report CODE."))
    ctx.reply("\n".join(lines), ctx.offer([nav]) if nav else None)


def _row_label(row: ReportRow | None) -> str:
    """A report's state, short: "Đang thực hiện 60% (12/03/2022)" (a done one dated by its completion)."""
    if row is None:
        return _("no report yet")
    day = row.completed_on if row.status == Status.DONE and row.completed_on else None
    when = format_date(day or stored_in_vietnam(row.reported_at).date())
    return f"{status_label(row.status)} {row.percent}% ({when})"


def _state_for(found: Chased) -> str:
    """What the unit last said about the deadline chased; for one not reported on yet, that, and the
    report on the deadline before."""
    if found.latest is not None:
        return _row_label(found.latest)
    if found.previous is not None:
        return _("no report on this deadline yet (before: {state})").format(state=_row_label(found.previous))
    return _("no report yet")


class _TasksFlow(MenuFlow):
    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        if kind == "page":
            ctx.go("tasks", "list")
            _show_page(ctx, int(value))


FLOW = _TasksFlow()


def history(ctx: Context, args: str) -> None:
    """``/history CODE``: every report on a task, the cancelled ones marked."""
    show_history(ctx, args)


def show_history(ctx: Context, args: str, *, standing_only: bool = False) -> None:
    """Every report on a task: the person's own units', or every unit's for managers. A report undone
    with ``hủy`` and its undoing count as never made: marked as such, or left out with
    ``standing_only`` (``/task``: the managers see the reports that stand)."""
    if not args:
        from dondoc.handlers.onboarding import with_own_codes  # imported when used, as in explanations

        ctx.reply(with_own_codes(ctx, _("Usage: /history CODE — for example /history III.4")))
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
    # What hủy left: withdrawals and the reports they withdraw, restoring reports and the ones they undid.
    withdrawn = {r.corrects_report_id for r, _person in reports if r.withdraws}
    restoring = restored_reports(
        ctx.session, [(r.id, r.assignment_id, r.corrects_report_id, r.note) for r, _person in reports]
    )
    undone = withdrawn | {r.corrects_report_id for r, _person in reports if r.id in restoring}
    task = views[0].task
    lines = [f"<b>{esc(task.code)}</b> — {esc(short(task.title, 100))}"]
    hidden = 0
    for report, person in reports:
        view = by_id[report.assignment_id]
        undoing = report.withdraws or report.id in restoring
        if standing_only and (undoing or report.id in undone):
            hidden += not undoing  # the reports cancelled, not hủy's own lines: one hủy, one report
            continue
        who = esc(person.full_name) if person and person.full_name else ""
        if report.entered_by_admin:
            who = _("entered by an administrator")
        unit = view.unit.name if several_organizations else view.unit.code  # codes repeat across them
        if undoing:
            back = (
                _("back to no report")
                if report.withdraws
                else _("back to: {state}").format(state=f"{status_label(report.status)} {report.percent}%")
            )
            line = f"• {format_datetime(report.reported_at)} · {esc(unit)} · ↩ {esc(report.note)} — {back}"
            if who:
                line += f" · {who}"
            lines.append(line)
            continue
        state = f"{status_label(report.status)} {report.percent}%"
        line = f"• {format_datetime(report.reported_at)} · {esc(unit)} · {state}"
        if report.status == Status.DONE and report.completed_on:
            line += " " + _("(completed {date})").format(date=format_date(report.completed_on))
        if report.id in undone:
            line += " — " + _("cancelled")
        if who:
            line += f" · {who}"
        if report.note:
            line += f"\n  {esc(report.note)}"
        lines.append(line)
    if len(lines) == 1:
        lines.append(_("No reports yet."))
    if hidden:
        lines.append(
            _("Reports cancelled with hủy are not shown: {count} (see /history {code})").format(
                count=hidden, code=esc(task.code)
            )
        )
    ctx.reply("\n".join(lines))
