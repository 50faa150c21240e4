"""Plain-text tables for a terminal (``dondoc plan show``, ``dondoc status``): the same data as the
workbook, the chart and the report draft, as lines of fixed-width text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from dondoc.db.models import Plan
from dondoc.i18n import _, format_date
from dondoc.plan.export import TaskView
from dondoc.plan.figures import format_on_time_rate
from dondoc.plan.progress import CATEGORIES, PlanStatus, category_label, status_label


def _day(value: date) -> str:
    return format_date(value)  # "31/01/2022"; in English "31 Jan 2022", never the ambiguous "01/31"


def plan_lines(plan: Plan, views: Sequence[TaskView]) -> Iterator[str]:
    """A plan's tasks by area, with lead units and due dates."""
    yield f"{plan.title} ({plan.year})"
    area = None
    for view in views:
        if view.area and view.area.code != area:
            area = view.area.code
            yield f"\n{area}. {view.area.title}"
        due = ", ".join(_day(d) for d in view.dates[:4]) or view.task.deadline_text
        if len(view.dates) > 4:
            due += ", …"
        codes = [u.code for u in view.lead]
        lead = ", ".join(codes[:3]) + (f" +{len(codes) - 3}" if len(codes) > 3 else "")
        yield f"  {view.task.code:<8} {view.task.title[:60]:<60}  {lead:<10} {due}"


def status_lines(plan: Plan, result: PlanStatus) -> Iterator[str]:
    """Where the plan stands: counts by category in total, by area and by unit, the on-time rate, then
    every item with a deadline and every continuous task."""
    yield f"{plan.title} ({plan.year})"
    yield _("Status at {date}").format(date=_day(result.as_of))
    labels = [category_label(c) for c in CATEGORIES]
    widths = [max(len(label), 4) for label in labels]
    yield ""
    yield f"  {'':<10}" + "  ".join(f"{label:>{w}}" for label, w in zip(labels, widths, strict=True))

    def counts_row(name: str, counts: dict[Any, int]) -> str:
        cells = "  ".join(f"{counts[c]:>{w}}" for c, w in zip(CATEGORIES, widths, strict=True))
        return f"  {name:<10}{cells}"

    yield counts_row(_("Total"), result.totals)
    yield _("By area")
    for area, counts in result.by_area.items():
        yield counts_row(area or "-", counts)
    yield _("By unit")
    for code, counts in result.by_unit.items():
        yield counts_row(code, counts)
    yield _("On-time rate: {rate}").format(rate=format_on_time_rate(result.totals, why=True))
    if result.items:
        yield ""
        yield _("Tasks with a deadline")
    blocked = _("blocked")
    for item in result.items:
        flag = f"  [{blocked}]" if item.blocked else ""
        yield f"  {item.task:<8} {item.unit:<8} {_day(item.due)}  {category_label(item.category)}  {item.percent}%{flag}"
    if result.continuous:
        yield ""
        yield _("Continuous tasks")
    for citem in result.continuous:
        if citem.last_report_at is None or citem.status is None:
            last = _("no report yet")
        else:
            last = _("last report {date}: {status}, {percent}%").format(
                date=_day(citem.last_report_at.date()), status=status_label(citem.status), percent=citem.percent
            )
        yield f"  {citem.task:<8} {citem.unit:<8} {last}"
    if result.undated:
        yield ""
        yield _("No date yet (they count from the plan's issue date)")
    no_date = _("no date yet")
    for citem in result.undated:
        yield f"  {citem.task:<8} {citem.unit:<8} {no_date}"
