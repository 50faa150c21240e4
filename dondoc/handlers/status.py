"""``/status`` for managers: the plan in the official categories, overall and by area, sized for a
phone screen (monospace tables no wider than 32 characters)."""

from __future__ import annotations

from dondoc.db.queries import current_plan
from dondoc.handlers.context import Context
from dondoc.handlers.events import esc
from dondoc.i18n import N_, _, format_date
from dondoc.plan.progress import CATEGORIES, Category, PlanStatus, category_label, plan_status

ICONS: dict[Category, str] = {
    "done_on_time": "✅",
    "done_late": "☑️",
    "in_progress": "🔄",
    "not_started": "⏳",
    "overdue": "⏰",
}
# Column heads of the by-area table, three letters at most each.
SHORT: dict[Category, str] = {
    "done_on_time": N_("OnT"),
    "done_late": N_("Lat"),
    "in_progress": N_("InP"),
    "not_started": N_("NoS"),
    "overdue": N_("Ovd"),
}
TOP_UNITS = 5


def show_status(ctx: Context, _args: str) -> None:
    assert ctx.person is not None
    plan = current_plan(ctx.session, ctx.person.organization_id)
    if plan is None:
        ctx.reply(_("No plan has been imported yet."))
        return
    status = plan_status(ctx.session, plan, ctx.now.date())
    ctx.reply(render_status(plan.title, status))


def render_status(title: str, status: PlanStatus) -> str:
    lines = [
        "<b>" + esc(title) + "</b>",
        _("As of {date}: {count} items").format(date=format_date(status.as_of), count=len(status.items)),
        "",
    ]
    for category in CATEGORIES:
        lines.append(f"{ICONS[category]} {category_label(category)}: <b>{status.totals[category]}</b>")
    blocked = sum(1 for item in status.items if item.blocked)
    if blocked:
        lines.append("⚠ " + _("Blocked: {count}").format(count=blocked))
    lines.append(_("On-time rate: {rate}").format(rate=f"{status.on_time_rate * 100:.1f}%"))
    lines.append("")
    lines.append("<pre>" + _area_table(status) + "</pre>")
    lines.append(" · ".join(f"{_(SHORT[c])}: {category_label(c)}" for c in CATEGORIES))
    worst = sorted(
        ((counts["overdue"], code) for code, counts in status.by_unit.items() if counts["overdue"]),
        key=lambda pair: -pair[0],
    )[:TOP_UNITS]
    if worst:
        lines.append("")
        lines.append("<b>" + _("Most overdue") + "</b>")
        names = {item.unit: item.unit_name for item in status.items}
        lines += [f"• {esc(names.get(code, code))}: {count}" for count, code in worst]
    if status.continuous:
        lines.append("")
        lines.append(_("Continuous tasks: {count} (see /task CODE)").format(count=len(status.continuous)))
    return "\n".join(lines)


def _area_table(status: PlanStatus) -> str:
    heads = [_(SHORT[c])[:3] for c in CATEGORIES]
    rows = [f"{'':<5}" + "".join(f"{h:>5}" for h in heads)]
    for area, counts in status.by_area.items():
        rows.append(f"{(area or '—'):<5}" + "".join(f"{counts[c]:>5}" for c in CATEGORIES))
    rows.append(f"{'Σ':<5}" + "".join(f"{status.totals[c]:>5}" for c in CATEGORIES))
    return "\n".join(rows)
