"""``/ranking [q1|half|q3|year] [worst]`` (in Vietnamese too: ``quy1``, ``6thang``, ``nửa năm``,
``9thang``, ``cả năm``, ``kém``) for managers: each unit's score, rating band and rank, a
page at a time and sized for a phone (two short lines a unit); ``worst`` puts the lowest scores
first. Computed by :mod:`dondoc.plan.ranking` over the organisations the person manages (a province:
every organisation under it, ranked together)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from dondoc.db.models import Organization
from dondoc.handlers.context import Context, MenuFlow, page_nav, paginate, split_action
from dondoc.handlers.events import esc, shown_length
from dondoc.handlers.reminders import PLAIN_MESSAGE_LIMIT
from dondoc.handlers.status import none_planned
from dondoc.i18n import _, format_date
from dondoc.plan.ranking import Band, Ranking, RankingPeriod, format_score, period_label, rank_plans, read_period
from dondoc.plan.rollup import plans_of
from dondoc.text import match_key

FLOW_NAME = "ranking"
PAGE_SIZE = 8  # units a page: two lines each
NAV_ROOM = 120  # Zalo: the page's numbered "« Trang trước" / "Trang sau »" and the line saying to type one
NAME_LIMIT = 28  # characters of a unit's name on a phone line
WIDTH = 32  # a phone line
_WORST = {"worst", "kem", "kemnhat", "thap", "thapnhat", "cuoi", "worstfirst"}


def command(ctx: Context, args: str) -> None:
    period: RankingPeriod = "year"
    worst = False
    words = args.split()
    while words:
        # the longest period at the front: "6 tháng đầu năm", "cả năm", "quý 1", "q1"
        size, found = next(
            ((n, p) for n in (4, 3, 2, 1) if n <= len(words) and (p := read_period(" ".join(words[:n]))) is not None),
            (1, None),
        )
        two = match_key(" ".join(words[:2])).replace(" ", "")
        if found is None and len(words) > 1 and two in _WORST:  # "kém nhất", "thấp nhất"
            size = 2
        word = words[0]
        words = words[size:]
        if found is not None:
            period = found
        elif size == 2 or match_key(word).replace(" ", "") in _WORST:
            worst = True
        else:
            ctx.reply(_("Usage: /ranking [q1|half|q3|year] [worst] — for example /ranking q1, or /ranking year worst"))
            return
    result = _compute(ctx, period)
    if result is None:
        ctx.end()
        return
    _show(ctx, period, worst, 0, _snapshot(result, worst), fresh=True)


def _compute(ctx: Context, period: RankingPeriod) -> Ranking | None:
    organizations = ctx.managed_organizations()
    plans = plans_of(ctx.session, organizations)
    if not plans:
        ctx.reply(none_planned(ctx))  # under a province: the organisations that have none yet, named
        return None
    from dondoc.scheduler.calendar import calendar_from_env

    province = None
    if len(organizations) > 1:  # a province: its units with each one's organisation, in its bands
        province = ctx.session.get(Organization, organizations[0])
    calendar = ctx.settings.calendar or calendar_from_env()
    return rank_plans(ctx.session, plans, period, ctx.now.date(), calendar, province=province)


def _line(row: list[Any], bands: list[list[Any]], *, typed: bool = False) -> str:
    """A unit's lines; ``typed`` (Zalo, where choices are numbered lines to type): its rank as "#1",
    which no one takes for the choice "1. Trang sau »"."""
    rank, unit, score, band, name, organization = row
    label = _band_label(bands[band]) if band is not None else ""
    number = f"#{rank}" if typed else f"{rank}."
    head = f"{number} <b>{esc(unit)}</b> {format_score(score)} · {esc(label)}"
    text = f"{head}\n   {esc(name)}"
    if organization:  # a province: the unit's organisation on a line of its own
        text += f"\n   {esc(organization)}"
    return text


def _band_label(band: list[Any]) -> str:
    """A band as kept in the conversation: [name, built in, count]; a built-in name is translated."""
    name, builtin = str(band[0]), bool(band[1])
    return Band(name=name, min=0, builtin=builtin).label()


def _without_title(name: str) -> str:
    """ "Ủy ban nhân dân huyện Long Mỹ" → "huyện Long Mỹ": the part that tells organisations apart."""
    for title in ("Ủy ban nhân dân ", "Uỷ ban nhân dân ", "UBND "):
        if name.startswith(title) and len(name) > len(title):
            return name[len(title) :]
    return name


def _short(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1].rstrip() + "…"


def _wrap(parts: list[str], separator: str) -> list[str]:
    """``parts`` joined by ``separator`` on lines of at most :data:`WIDTH` characters (a longer part
    alone on its line), each escaped."""
    lines: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current}{separator}{part}" if current else part
        if current and len(joined) > WIDTH:
            lines.append(current)
            current = part
        else:
            current = joined
    if current:
        lines.append(current)
    return [esc(line) for line in lines]


def _snapshot(result: Ranking, worst: bool) -> dict[str, Any]:
    """What the pages show, computed once: kept in the conversation (in the database), so turning a
    page only renders. Compact: each rated unit as [rank, code, score, band index, name, organisation]
    with the names already shortened; the bands as [name, built in, count]."""
    bands = result.band_counts()
    index = {band.name: i for i, (band, _count) in enumerate(bands)}
    rows = [
        [
            entry.rank,
            entry.unit,
            entry.score,
            index.get(entry.band.name) if entry.band else None,
            _short(_without_title(entry.name)),
            _short(_without_title(entry.organization)) if entry.organization else "",
        ]
        for entry in result.ordered(worst)
        if entry.rated
    ]
    return {
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "rows": rows,
        "bands": [[band.name, band.builtin, count] for band, count in bands],
        "not_rated": [u.unit for u in result.not_rated],
    }


def _show(
    ctx: Context, period: RankingPeriod, worst: bool, page: int, snapshot: dict[str, Any], *, fresh: bool = False
) -> None:
    """A page of the ranking kept in ``snapshot``; ``fresh``: just computed, kept for the next pages."""
    rows: list[list[Any]] = snapshot["rows"]
    bands: list[list[Any]] = snapshot["bands"]
    title = _("Ranking: {period}").format(period=period_label(period, int(snapshot["year"])))
    as_of = date.fromisoformat(str(snapshot["as_of"]))
    lines = ["<b>" + esc(title) + "</b>", _("As of {date}").format(date=format_date(as_of))]
    if not rows:
        ctx.end()
        lines.append(_("No unit has an item to rate yet."))
        ctx.reply("\n".join(lines))
        return
    typed = not ctx.has_buttons
    footer = ["", *_wrap([f"{_band_label(band)}: {band[2]}" for band in bands if band[2]], " · ")]
    not_rated: list[str] = snapshot["not_rated"]
    if not_rated:
        footer += _wrap([_("Not rated:"), *not_rated], " ")
    if typed:  # Zalo: each message from a monthly budget, so as many units a page as one holds
        chunk, page, pages = _plain_page(rows, bands, page, shown_length("\n".join([*lines, *footer])))
    else:
        chunk, page, pages = paginate(rows, page, PAGE_SIZE)
    if pages > 1:
        lines[-1] += f" · {page + 1}/{pages}"
    if worst:
        lines.append(_("Lowest scores first"))
    lines += [_line(row, bands, typed=typed) for row in chunk]
    if page == pages - 1:
        lines += footer
    nav = page_nav(page, pages, "page")
    if fresh:  # kept in the conversation: the next pages only render it
        ctx.go(FLOW_NAME, "list", period=period, worst=worst, **snapshot)
    else:
        ctx.go(FLOW_NAME, "list")
    ctx.reply("\n".join(lines), ctx.offer([nav]) if nav else None)


def _plain_page(
    rows: list[list[Any]], bands: list[list[Any]], page: int, fixed: int
) -> tuple[Sequence[list[Any]], int, int]:
    """Page ``page`` of ``rows`` on Zalo, each page as many units as fit one message besides ``fixed``
    characters (the heading and the closing counts, kept on every page) and the page's numbered
    choices: (its rows, its index clamped to the pages there are, the number of pages)."""
    room = PLAIN_MESSAGE_LIMIT - fixed - NAV_ROOM
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(rows) or not bounds:
        end, size = start, 0
        while end < len(rows):
            size += shown_length(_line(rows[end], bands, typed=True)) + 1
            if end > start and size > room:
                break
            end += 1
        bounds.append((start, end))
        start = end
    page = max(0, min(page, len(bounds) - 1))
    start, end = bounds[page]
    return rows[start:end], page, len(bounds)


class _RankingFlow(MenuFlow):
    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        data = ctx.data
        period = read_period(str(data.get("period", "year"))) or "year"
        if kind == "page" and value.isdigit() and isinstance(data.get("rows"), list):
            _show(ctx, period, bool(data.get("worst")), int(value), data)
            return
        ctx.end()
        ctx.reply(self.hint(ctx))


FLOW = _RankingFlow()
