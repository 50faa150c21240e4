"""Each plan target's value against its goal over the last four periods, as a PNG (``dondoc targets
chart``): one group of bars per target (oldest period first), the goal as a line over the group, a
period nobody reported left empty. Rendered like :mod:`dondoc.plan.chart` (Agg, DejaVu Sans)."""

from __future__ import annotations

import io
from datetime import date

from sqlmodel import Session

from dondoc.db.models import Organization
from dondoc.i18n import _
from dondoc.plan.chart import FONT_FAMILY
from dondoc.plan.figures import Period
from dondoc.plan.targets import TargetValue, list_targets, target_every, target_values, trend_periods, windows_of

_COLOURS = ("#C9D6EA", "#9DB6DA", "#5B86C5", "#1F4E96")  # oldest to newest
_GOAL_COLOUR = "#C00000"


def target_history(
    session: Session, organization: Organization, as_of: date, period: Period | None = None
) -> list[list[TargetValue]]:
    """For each target, its values over the four periods ending with ``period`` (or the one being
    collected at ``as_of``), oldest first."""
    assert organization.id is not None
    windows = windows_of(organization)
    history: list[list[TargetValue]] = []
    for target in list_targets(session, organization.id):
        last = period if period is not None else windows.current(target_every(target), as_of)
        periods = trend_periods(last) if last.every == target_every(target) else [last]
        history.append([target_values(session, organization, p, [target])[0] for p in periods])
    return history


def render_targets_png(history: list[list[TargetValue]], title: str, dpi: int = 120) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ticker import PercentFormatter

    font_file = findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT_FAMILY]}):
        font = FontProperties(fname=font_file, size=9)
        figure = Figure(figsize=(max(6.0, 1.1 * len(history) + 2), 4.8), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(title, fontproperties=FontProperties(fname=font_file, size=12, weight="bold"))
        axis = figure.add_subplot()
        width = 0.8 / 4
        for x, values in enumerate(history):
            offset = 4 - len(values)
            for i, value in enumerate(values):
                if value.value is not None:
                    axis.bar(
                        x - 0.4 + (offset + i + 0.5) * width,
                        float(value.value),
                        width,
                        color=_COLOURS[offset + i],
                        edgecolor="white",
                    )
            goal = float(values[-1].goal.value)
            axis.hlines(goal, x - 0.45, x + 0.45, colors=_GOAL_COLOUR, linewidth=2)
        axis.set_xticks(range(len(history)), [v[-1].target.code for v in history])
        for label in axis.get_xticklabels():
            label.set_fontproperties(font)
        axis.set_ylim(0, 1.05)
        axis.yaxis.set_major_formatter(PercentFormatter(1.0))
        axis.spines[["top", "right"]].set_visible(False)
        axis.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axis.set_axisbelow(True)
        axis.set_title(
            _("Bars: the last four periods, oldest first; red line: the goal"), loc="left", fontproperties=font
        )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": "dondoc"})
    return buffer.getvalue()
