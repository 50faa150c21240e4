"""Plain-text tables for a terminal (``dondoc plan show``, ``dondoc status``): the same data as the
workbook, the chart and the report draft, as lines of fixed-width text."""

from __future__ import annotations

import textwrap
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


# ``plan show`` fits a terminal 100 characters wide: code, title, lead units and due dates, each in its
# own column; a cell longer than its column goes on over the next lines of the same column.
PLAN_WIDTH = 100
_TITLE_WIDTH = 42
_LEAD_WIDTH = 18
_LEAD_LINES = 3  # more lead units than these lines hold are counted: "+12"


def _items_in_lines(items: Sequence[str], width: int, most: int | None = None) -> list[str]:
    """``items`` joined by commas, a line ending where the next would pass ``width``; beyond ``most``
    lines, the last ends with how many are left out ("+12")."""
    lines: list[list[str]] = []
    for index, item in enumerate(items):
        shown = item if index == len(items) - 1 else item + ","
        if lines and len(" ".join([*lines[-1], shown])) <= width:
            lines[-1].append(shown)
        elif most is not None and len(lines) == most:
            left = len(items) - index
            while len(lines[-1]) > 1 and len(" ".join([*lines[-1], f"+{left}"])) > width:
                lines[-1].pop()
                left += 1
            lines[-1].append(f"+{left}")
            break
        else:
            lines.append([shown])
    return [" ".join(line) for line in lines] or [""]


def _wrapped(text: str, width: int, most: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, at most ``most`` of them (the last ending in
    "…" when the text goes on)."""
    lines = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1] if len(lines[-1]) < width else lines[-1][: width - 1].rsplit(" ", 1)[0]
        lines[-1] = last.rstrip(" ,;:") + "…"
    return lines


def plan_lines(plan: Plan, views: Sequence[TaskView]) -> Iterator[str]:
    """A plan's tasks by area, with lead units and due dates, in a terminal 100 characters wide: a task
    led by many units lists them over a few lines of their column ("VP, NV, TP, TCKH," / "…, +12")."""
    yield f"{plan.title} ({plan.year})"
    area = None
    code_width = max([8, *(len(view.task.code) for view in views)])
    due_width = max(PLAN_WIDTH - 2 - code_width - 1 - _TITLE_WIDTH - 2 - _LEAD_WIDTH - 2, 12)
    for view in views:
        if view.area and view.area.code != area:
            area = view.area.code
            if area or view.area.title:  # (a plan without areas has one with neither: no heading)
                yield f"\n{area}. {view.area.title}" if area else f"\n{view.area.title}"
        dates = [_day(d) for d in view.dates[:4]] + (["…"] if len(view.dates) > 4 else [])
        due = _items_in_lines(dates, due_width) if dates else _wrapped(view.task.deadline_text, due_width, 3)
        lead = _items_in_lines([u.code for u in view.lead], _LEAD_WIDTH, _LEAD_LINES)
        height = max(len(due), len(lead))
        title = _wrapped(view.task.title, _TITLE_WIDTH, height)
        for line in range(height):
            code = view.task.code if line == 0 else ""
            cells = [
                f"{code:<{code_width}}",
                f"{title[line] if line < len(title) else '':<{_TITLE_WIDTH}}",
                f"{lead[line] if line < len(lead) else '':<{_LEAD_WIDTH}}",
                due[line] if line < len(due) else "",
            ]
            yield f"  {cells[0]} {cells[1]}  {cells[2]}  {cells[3]}".rstrip()


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
