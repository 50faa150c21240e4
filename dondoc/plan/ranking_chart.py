"""The units' scores as a picture (``dondoc ranking chart``): one horizontal bar per rated unit, best
on top, coloured by its rating band, the bands' lower limits as dotted lines. Rendered like
:mod:`dondoc.plan.chart` (Agg on a figure of its own, DejaVu Sans)."""

from __future__ import annotations

import io

from dondoc.i18n import _, format_date
from dondoc.plan.chart import FONT_FAMILY, short_label
from dondoc.plan.ranking import Ranking, format_score, period_label

# From the best band to the worst; a scheme with more bands repeats the last colour.
BAND_COLOURS = ("2E7D32", "66BB6A", "1E88E5", "FFB300", "E53935")


def band_colour(ranking: Ranking, name: str) -> str:
    names = [band.name for band in ranking.scheme.sorted_bands()]
    index = names.index(name) if name in names else len(names) - 1
    return BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]


def render_ranking_png(ranking: Ranking, title: str, dpi: int = 120) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.patches import Patch

    rated = ranking.rated
    font_file = findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT_FAMILY]}):
        font = FontProperties(fname=font_file, size=9)
        figure = Figure(figsize=(10, 2.4 + 0.32 * max(len(rated), 1)), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        heading = _("Scores for the {period}, as of {date}").format(
            period=period_label(ranking.period, ranking.year), date=format_date(ranking.as_of)
        )
        figure.suptitle(f"{title}\n{heading}", fontproperties=FontProperties(fname=font_file, size=12, weight="bold"))
        axis = figure.add_subplot()
        labels = [
            f"{entry.rank}. "
            + short_label(entry.unit, entry.name)
            + (f" ({entry.organization})" if entry.organization else "")
            for entry in rated
        ]
        scores = [entry.score or 0.0 for entry in rated]
        colours = ["#" + band_colour(ranking, entry.band.name if entry.band else "") for entry in rated]
        positions = list(range(len(rated)))
        bars = axis.barh(positions, scores, color=colours, edgecolor="white")
        for bar, score in zip(bars, scores, strict=True):
            axis.text(
                bar.get_width() + 0.8,
                bar.get_y() + bar.get_height() / 2,
                format_score(score),
                va="center",
                fontproperties=font,
            )
        for band in ranking.scheme.sorted_bands():
            if band.min > 0:
                axis.axvline(band.min, color="#9E9E9E", linestyle=":", linewidth=1)
        axis.set_yticks(positions, labels)
        for label in axis.get_yticklabels():
            label.set_fontproperties(font)
        axis.invert_yaxis()  # the best on top
        axis.set_xlim(0, 108)
        axis.spines[["top", "right"]].set_visible(False)
        axis.grid(axis="x", color="#EEEEEE", linewidth=0.6)
        axis.set_axisbelow(True)
        if not rated:
            axis.text(50, 0, _("No unit has an item to rate yet."), ha="center", va="center", fontproperties=font)
        legend = [
            Patch(color="#" + band_colour(ranking, band.name), label=f"{band.label()} (≥ {band.min:g})")
            for band in ranking.scheme.sorted_bands()
        ]
        figure.legend(handles=legend, loc="outside lower center", ncols=len(legend), prop=font, frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": "dondoc"})
    return buffer.getvalue()
