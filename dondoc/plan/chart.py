"""The plan's status as a picture: two horizontal stacked bar charts, by area and by lead unit.

Rendered headless with matplotlib's Agg canvas on a ``Figure`` of its own (no pyplot, no global
figure state), in DejaVu Sans (shipped with matplotlib; it covers Vietnamese), with the categories in
the workbook's colours, so the chat can send the PNG and the CLI can write it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from dondoc.db.models import Area, Organization, Plan, Unit
from dondoc.i18n import _
from dondoc.plan.progress import CATEGORIES, Category, PlanStatus, category_label, plan_status
from dondoc.plan.status_workbook import CATEGORY_COLOURS, CATEGORY_TEXT_COLOURS, status_heading

FONT_FAMILY = "DejaVu Sans"
_BAR_HEIGHT_INCHES = 0.34
_LABEL_LIMIT = 42

# Words that open most unit and area names and say nothing in a chart's label.
_PREFIXES = ("Ủy ban nhân dân ", "UBND ", "Phòng ")


def short_label(code: str, name: str, limit: int = _LABEL_LIMIT) -> str:
    """``"NV · Nội vụ"``: the code, then the name without its generic opening, cut to ``limit``."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if not name or name == code:
        return code
    text = f"{code} · {name}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_status_png(
    status: PlanStatus,
    title: str,
    *,
    organization: str = "",
    area_labels: Mapping[str, str] | None = None,
    unit_labels: Mapping[str, str] | None = None,
    dpi: int = 120,
    now: datetime | None = None,
) -> bytes:
    """A PNG of ``status``: items by area and by lead unit, stacked in the five official categories
    (:func:`status_figure`); the title is also the PNG's own (its "Title" text, which file viewers show)."""
    import matplotlib

    figure = status_figure(
        status, title, organization=organization, area_labels=area_labels, unit_labels=unit_labels, dpi=dpi, now=now
    )
    buffer = io.BytesIO()
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT_FAMILY]}):
        metadata = {"Software": "dondoc", "Title": " — ".join(chart_title(status, title, organization, now))}
        figure.savefig(buffer, format="png", dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def chart_title(status: PlanStatus, title: str, organization: str = "", now: datetime | None = None) -> list[str]:
    """The chart's title lines: the organisation (when known), the plan, the status date; with the time
    when ``now`` (the caller's clock) falls on it, as the status workbook's title says it."""
    return [line for line in (organization, title, status_heading(status.as_of, now)) if line]


def status_figure(
    status: PlanStatus,
    title: str,
    *,
    organization: str = "",
    area_labels: Mapping[str, str] | None = None,
    unit_labels: Mapping[str, str] | None = None,
    dpi: int = 120,
    now: datetime | None = None,
) -> Any:
    """The chart as a matplotlib ``Figure``: titled with the organisation, the plan and the date
    (:func:`chart_title`; with the time when ``now`` falls on that date), bars by area and by lead unit
    counted in items along a labelled axis.

    ``area_labels`` / ``unit_labels`` name the bars (default: the codes)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties, findfont

    areas = list(status.by_area.items())
    units = list(status.by_unit.items())
    font_file = findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT_FAMILY]}):
        font = FontProperties(fname=font_file, size=9)
        bold = FontProperties(fname=font_file, size=11, weight="bold")
        rows = max(len(areas), 1) + max(len(units), 1)
        figure = Figure(figsize=(11, 3.2 + _BAR_HEIGHT_INCHES * rows), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        grid = figure.add_gridspec(2, 1, height_ratios=[max(len(areas), 1) + 1.5, max(len(units), 1) + 1.5])
        figure.suptitle(
            "\n".join(chart_title(status, title, organization, now)),
            fontproperties=FontProperties(fname=font_file, size=13, weight="bold"),
        )
        labels_area = [(area_labels or {}).get(code, code) or "-" for code, _counts in areas]
        labels_unit = [(unit_labels or {}).get(code, code) for code, _counts in units]
        _stacked(figure.add_subplot(grid[0]), _("By area"), labels_area, [c for _a, c in areas], font, bold)
        axis = figure.add_subplot(grid[1])
        bars = _stacked(axis, _("By unit"), labels_unit, [c for _u, c in units], font, bold)
        figure.legend(
            bars,
            [category_label(c) for c in CATEGORIES],
            loc="outside lower center",
            ncols=len(CATEGORIES),
            prop=font,
            frameon=False,
        )
    return figure


def _stacked(
    axis: Any,
    heading: str,
    labels: list[str],
    counts: list[dict[Category, int]],
    font: Any,
    bold: Any,
) -> list[Any]:
    """Horizontal bars, one per label, stacked by category in the official order; returns one bar
    container per category (for the legend)."""
    from matplotlib.ticker import MaxNLocator

    positions = list(range(len(labels)))
    left = [0] * len(labels)
    widest = max([sum(row.values()) for row in counts] + [1])
    containers = []
    for category in CATEGORIES:
        values = [row[category] for row in counts]
        bars = axis.barh(
            positions, values, left=left, color="#" + CATEGORY_COLOURS[category], edgecolor="white", linewidth=0.6
        )
        text_colour = "#" + CATEGORY_TEXT_COLOURS[category]
        for bar, value in zip(bars, values, strict=True):
            if value and value >= widest * 0.025 * len(str(value)):  # room for the number
                axis.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(value),
                    ha="center",
                    va="center",
                    color=text_colour,
                    fontproperties=font,
                )
        containers.append(bars)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axis.set_yticks(positions, labels)
    for label in axis.get_yticklabels():
        label.set_fontproperties(font)
    axis.invert_yaxis()  # the first area or unit on top, as in the appendix and the registry
    axis.set_title(heading, loc="left", fontproperties=bold)
    axis.set_xlim(0, max([*left, 1]) * 1.04)
    axis.set_xlabel(_("Number of items (one deadline of one lead unit)"), fontproperties=font)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.spines[["top", "right"]].set_visible(False)
    axis.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    axis.set_axisbelow(True)
    return containers


def render_plan_chart(
    session: Session, plan: Plan, as_of: date, *, now: datetime | None = None
) -> tuple[bytes, PlanStatus]:
    """The chart of ``plan`` at the end of ``as_of``, bars named by area title and unit short name;
    returns the PNG and the status it shows. ``now``: the caller's clock (a chart of today is titled
    with the time, "Tình hình đến 09:15 ngày 05/04/2022")."""
    status = plan_status(session, plan, as_of)
    areas = session.exec(select(Area).where(Area.plan_id == plan.id))
    units = session.exec(select(Unit).where(Unit.organization_id == plan.organization_id))
    area_labels = {a.code: short_label(a.code, a.title) for a in areas}
    unit_labels = {u.code: short_label(u.code, u.name) for u in units}
    organization = session.get(Organization, plan.organization_id)
    png = render_status_png(
        status,
        plan.title,
        organization=organization.name if organization is not None else "",
        area_labels=area_labels,
        unit_labels=unit_labels,
        now=now,
    )
    return png, status
