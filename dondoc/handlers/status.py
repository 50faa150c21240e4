"""``/status`` for managers: the plan in the official categories, overall and by area, sized for a
phone screen: on Telegram a monospace table no wider than 32 characters; on Zalo (plain text in a
proportional font, where columns never line up) one line per area that reads without alignment
("I. Cải cách thể chế: 3 hoàn thành đúng hạn · 1 quá hạn"). The on-time rate is "—" while no item
is done or overdue: it is undefined then, not 0 %.

``/nonresponders`` lists each unit's unreported tasks once, with the due dates in question ("I.8
(15/02, 15/03)": a monthly task owes two)."""

from __future__ import annotations

import io
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date

from sqlmodel import col, select

from dondoc.db.models import Area, Assignment, MemberRole, Organization, Plan, Role, Task, Unit
from dondoc.db.queries import organization_tree, reachable_members
from dondoc.handlers import explanations
from dondoc.handlers.context import MANAGING_ROLES, REPORTING_ROLES, Context, MenuFlow, page_nav, split_action
from dondoc.handlers.events import OutFile, channel_family, esc, shown_length
from dondoc.handlers.reminders import PLAIN_MESSAGE_LIMIT, compact_unit_name
from dondoc.handlers.tasks import show_history
from dondoc.i18n import N_, _, format_date, format_short_date, ngettext
from dondoc.plan import explanations as plan_explanations
from dondoc.plan.explanations import ItemKey
from dondoc.plan.extensions import describe_due
from dondoc.plan.figures import format_on_time_rate
from dondoc.plan.progress import (
    CATEGORIES,
    Category,
    Item,
    PlanStatus,
    StatusSummary,
    category_label,
    diacritic_twins,
    match_units,
    plan_status,
    plan_summary,
    several_units,
    silent_by,
    silent_items,
    status_label,
    summarize,
    units_named_in_part,
)
from dondoc.plan.registry import load_registry
from dondoc.plan.rollup import (
    Rollup,
    count_organizations,
    no_plan_yet,
    organizations_without_plan,
    plans_of,
    rollup,
    write_rollup_xlsx,
)
from dondoc.text import match_key

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
# A category's count in a line of words (Zalo's by-area lines): "3 quá hạn".
COUNTED: dict[Category, str] = {
    "done_on_time": N_("{n} done on time"),
    "done_late": N_("{n} done late"),
    "in_progress": N_("{n} in progress"),
    "not_started": N_("{n} not started"),
    "overdue": N_("{n} overdue"),
}
AREA_TITLE = 60  # characters of an area's title in a by-area line


PAGE_LINES = 15
MAX_ASK_BUTTONS = 10  # "Yêu cầu giải trình" buttons on one /overdue page
# Characters of the answer that names a province's organisations with no plan yet: one Zalo message
# (2,000), with room to spare.
NO_PLAN_ROOM = PLAIN_MESSAGE_LIMIT - 200
# A province's /status, paged when it is longer than one message: the room for the page's choices
# (Zalo's numbered "« Trang trước" / "Trang sau »" and the line saying to type one), and Telegram's
# limit (4,096 characters of the message as sent, tags and all: what the adapter's split counts).
NAV_ROOM = 120
TELEGRAM_MESSAGE_LIMIT = 4096
# Characters kept for the example of :func:`_ask_others_hint` ("Ví dụ: /giaitrinh LDTBXH VII.12").
HINT_EXAMPLE_ROOM = 60
# Characters of /overdue's line naming a province's organisations with no plan yet.
MISSING_LINE = 300


def _plans(ctx: Context) -> list[tuple[Organization, Plan]]:
    """The plans this person follows: their organisation's (where they manage), or every organisation's
    under a province; replies when there is none (:func:`none_planned`)."""
    plans = plans_of(ctx.session, ctx.managed_organizations())
    if not plans:
        ctx.reply(none_planned(ctx))
    return plans


def none_planned(ctx: Context) -> str:
    """The answer when no plan is there to show. Under a province, the organisations under it are named
    as ``dondoc status --org`` and the roll-up workbook name them ("X: chưa nhập kế hoạch"), in one Zalo
    message however many there are: past :data:`NO_PLAN_ROOM`, by their short names on one line
    ("xã Tân Phước Hưng"), then counted."""
    missing = _without_plan(ctx, [])
    if not missing:
        return _("No plan has been imported yet.")
    provinces = ctx.session.exec(
        select(Organization.name).where(col(Organization.id).in_(ctx.organizations(MemberRole.PROVINCE)))
    ).all()
    none = ngettext(
        "the organisation under it has no plan imported yet.",
        "none of the {count} organisations under it has a plan imported yet.",
        len(missing),
    ).format(count=len(missing))
    head = f"<b>{esc(', '.join(sorted(provinces)))}</b>: {none}"
    tail = _(
        "Once the system administrator imports their plans (dondoc plan import FILE --org ORGANISATION), "
        "/status rolls them up here."
    )
    lines = [f"• <b>{esc(org.name)}</b>: {no_plan_yet()}" for org in missing]
    text = "\n".join([head, *lines, "", tail])
    if shown_length(text) <= NO_PLAN_ROOM:
        return text
    shown: list[str] = []
    for org in missing:
        name = esc(compact_unit_name(org.name))
        trial = _names_line([*shown, name], len(missing) - len(shown) - 1)
        if shown and shown_length("\n".join([head, trial, "", tail])) > NO_PLAN_ROOM:
            break
        shown.append(name)
    return "\n".join([head, _names_line(shown, len(missing) - len(shown)), "", tail])


def _names_line(names: Sequence[str], more: int) -> str:
    """ "xã A, xã B … và 12 cơ quan khác": ``names``, then how many more are left out."""
    rest = ngettext("… and {count} more organisation", "… and {count} more organisations", more).format(count=more)
    return ", ".join(names) + (" " + rest if more else "")


def _without_plan(ctx: Context, plans: Sequence[tuple[Organization, Plan]]) -> list[Organization]:
    """Under a province: the organisations under it that have no plan yet (the province's own body
    aside), so that its /status names them rather than leave them out unseen."""
    province = ctx.organizations(MemberRole.PROVINCE)
    if not province:
        return []
    return organizations_without_plan(ctx.session, organization_tree(ctx.session, province), plans, roots=province)


def _units_typed(ctx: Context, org: Organization, text: str) -> list[str] | None:
    """The units of ``org`` that ``text`` names, typed any way ("xa phien", "Xà Phiên", "XP")."""
    return match_units(load_registry(ctx.session, org), text)


def show_status(ctx: Context, args: str) -> None:
    """``/status`` (the whole plan) or ``/status UNIT``; several organisations (a province) rolled up,
    or ``/status ORGANISATION`` for one of them (or those its name's words name: "/status huyện")."""
    _status_answer(ctx, args, 0)


def _status_answer(ctx: Context, args: str, page: int) -> None:
    """:func:`show_status`; ``page``: of a province's answer too long for one message (:func:`_paged_rollup`)."""
    plans = _plans(ctx)
    if not plans:
        ctx.end()
        return
    missing = _without_plan(ctx, plans)
    chosen: dict[int, list[str]] | None = None
    named = False  # /status ORGANISATION: one or a few of a province's organisations
    if args:
        chosen = {}
        for org, _found in plans:
            codes = _units_typed(ctx, org, args)
            if codes is not None and org.id is not None:
                chosen[org.id] = codes
        several = [org for org, _plan in plans] + missing if len(plans) + len(missing) > 1 else []
        wanted = _organizations_typed(several, args) if not chosen else set()
        if not chosen and not wanted:  # part of a unit's name ("hanh chinh cong"), as people type it
            for org, _found in plans:
                registry = load_registry(ctx.session, org)
                codes = units_named_in_part(registry, args)
                twins = diacritic_twins(registry, codes)
                if twins:  # "xa binh thanh": "Bình Thành" and "Bình Thạnh" are two communes, not one answer
                    ctx.end()
                    ctx.reply(several_units(args, twins, esc))
                    return
                if codes and org.id is not None:
                    chosen[org.id] = codes
        if not chosen and not wanted:
            ctx.end()
            ctx.reply(_("No unit called {unit}.").format(unit=esc(args)))
            return
        if wanted:
            chosen, named = None, True
            plans = [(org, plan) for org, plan in plans if org.id in wanted]
            missing = [org for org in missing if org.id in wanted]
            if not plans:  # only organisations with no plan yet
                ctx.end()
                ctx.reply("\n".join(f"• <b>{esc(org.name)}</b>: {no_plan_yet()}" for org in missing))
                return
    # On Telegram the by-area table; on Zalo a line per area, named by its title.
    table = ctx.has_buttons
    titles = {} if table else area_titles(ctx, [plan for _org, plan in plans])
    if len(plans) == 1 and not missing:
        ctx.end()
        org, plan = plans[0]
        if chosen is None:
            summary = plan_summary(ctx.session, plan, ctx.now.date())
            title = f"{org.name} — {plan.title}" if named else plan.title
            ctx.reply(render_status(title, summary, table=table, area_titles=titles))
            return
        codes = chosen[org.id or 0]
        summary = plan_summary(ctx.session, plan, ctx.now.date(), unit_codes=codes)
        names = sorted(set(summary.unit_names.values()))
        lead, support = _task_roles(ctx, plan, codes)
        # The focal point's /tasks lists the tasks it supports too: say why the counts differ.
        scope = _("Counted: the {lead} tasks the unit leads (chủ trì); the {support} it supports are not.").format(
            lead=lead, support=support
        )
        ctx.reply(
            render_status(
                f"{plan.title} — {', '.join(names) or args}", summary, table=table, area_titles=titles, scope=scope
            )
        )
        return
    result = rollup(ctx.session, plans, ctx.now.date(), chosen, missing)
    title = count_organizations(result)
    if args:
        title += f" — {args}"
    text = render_status(title, result.total, table=table, area_titles=titles)
    whole = text + "\n\n" + render_organizations(result)
    if _message_length(ctx, whole) <= _message_limit(ctx):
        ctx.end()
        ctx.reply(whole)
        return
    # Paged: the units most overdue by their organisations' short names too ("(UBND xã Tân Phước Hưng)").
    short = {key: compact_unit_name(name) for key, name in result.total.unit_names.items()}
    text = render_status(title, replace(result.total, unit_names=short), table=table, area_titles=titles)
    _paged_rollup(ctx, args, page, title, text, result)


def _message_limit(ctx: Context) -> int:
    """Characters of one message on the person's channel: Zalo's 2,000, Telegram's 4,096."""
    return TELEGRAM_MESSAGE_LIMIT if ctx.has_buttons else PLAIN_MESSAGE_LIMIT


def _message_length(ctx: Context, text: str) -> int:
    """How long ``text`` is as the channel's limit counts it: Zalo's plain text, Telegram's with its tags."""
    return len(text) if ctx.has_buttons else shown_length(text)


def _paged_rollup(ctx: Context, args: str, page: int, title: str, head: str, result: Rollup) -> None:
    """A province's /status too long for one message (a hundred communes): each page one message. The
    first has the totals, by area and the organisations most overdue first, as many as fit; the next
    pages the others, a line each; each page ends with how many are left and how to see one
    (/status NAME), and "« Trang trước" / "Trang sau »" (on Zalo, numbered lines to type)."""
    lines = _organization_lines(result)
    room = _message_limit(ctx) - NAV_ROOM - _message_length(ctx, _more_organizations(len(lines))) - 1
    by_organisation = "<b>" + _("By organisation, the most overdue first") + "</b>"
    first = head + "\n\n" + by_organisation
    later = f"<b>{esc(title)}</b> — {by_organisation} (99/99)"  # at its longest
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(lines) or not bounds:
        size = _message_length(ctx, first if not bounds else later)
        end = start
        while end < len(lines) and size + 1 + _message_length(ctx, lines[end]) <= room:
            size += 1 + _message_length(ctx, lines[end])
            end += 1
        if end == start and bounds:  # a line longer than a page: alone on its page
            end += 1
        bounds.append((start, end))
        start = end
    pages = len(bounds)
    page = max(0, min(page, pages - 1))
    start, end = bounds[page]
    top = first if page == 0 else f"<b>{esc(title)}</b> — {by_organisation} ({page + 1}/{pages})"
    text = "\n".join([top, *lines[start:end]])
    if end < len(lines):
        text += "\n" + _more_organizations(len(lines) - end)
    ctx.go("pages", "status", status_args=args or None)
    nav = page_nav(page, pages, "status")
    ctx.reply(text, ctx.offer([nav]) if nav else None)


def _more_organizations(count: int) -> str:
    """ "… và 70 cơ quan khác — gõ /status TÊN để xem một cơ quan"."""
    return _names_line([], count).lstrip() + " — " + _("type /status NAME to see one of them")


def _organization_lines(result: Rollup) -> list[str]:
    """The roll-up's organisations a line each by their short names ("xã Tân Phước Hưng"), the most
    overdue first, then those with no plan yet."""
    ranked = sorted(result.organizations, key=lambda entry: -entry.summary.totals["overdue"])
    lines = []
    for entry in ranked:
        counts = entry.summary.totals
        figures = " ".join(f"{ICONS[c]}{counts[c]}" for c in CATEGORIES)
        rate = format_on_time_rate(counts)
        lines.append(f"• <b>{esc(compact_unit_name(entry.organization.name))}</b>: {figures} · {rate}")
    lines += [f"• <b>{esc(compact_unit_name(org.name))}</b>: {no_plan_yet()}" for org in result.without_plan]
    return lines


def _organizations_typed(orgs: Sequence[Organization], text: str) -> set[int]:
    """The ids of the organisations ``text`` names, typed any way: one by its full or short name ("xa
    tan phuoc hung"), else every one whose name has those words ("huyện"); none when none has."""
    wanted = match_key(text)
    if not wanted:
        return set()
    names = {org.id: (match_key(org.name), match_key(compact_unit_name(org.name))) for org in orgs if org.id}
    exact = {org_id for org_id, keys in names.items() if wanted in keys}
    return exact or {org_id for org_id, (full, _short) in names.items() if f" {wanted} " in f" {full} "}


def _task_roles(ctx: Context, plan: Plan, codes: Collection[str]) -> tuple[int, int]:
    """How many of the plan's active tasks the units ``codes`` lead, and how many more they only support."""
    rows = ctx.session.exec(
        select(Assignment.task_id, Assignment.role)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            Task.plan_id == plan.id,
            col(Task.active),
            col(Assignment.active),
            Unit.organization_id == plan.organization_id,
            col(Unit.code).in_(list(codes)),
        )
    ).all()
    led = {task_id for task_id, role in rows if role == Role.LEAD}
    supported = {task_id for task_id, role in rows if role == Role.SUPPORT} - led
    return len(led), len(supported)


def area_titles(ctx: Context, plans: Sequence[Plan]) -> dict[str, str]:
    """Each area code's title ("I" → "Cải cách thể chế"), from the first of ``plans`` that has it (the
    plans of a province share their Roman numerals)."""
    ids = [plan.id for plan in plans if plan.id is not None]
    order = {plan_id: number for number, plan_id in enumerate(ids)}
    rows = ctx.session.exec(select(Area).where(col(Area.plan_id).in_(ids))).all()
    titles: dict[str, str] = {}
    for area in sorted(rows, key=lambda a: (order[a.plan_id], a.position)):
        titles.setdefault(area.code, area.title)
    return titles


def render_organizations(result: Rollup) -> str:
    """The roll-up by organisation: each one's counts in the five categories and its on-time rate."""
    lines = ["<b>" + _("By organisation") + "</b>"]
    for entry in result.organizations:
        counts = entry.summary.totals
        figures = " ".join(f"{ICONS[c]}{counts[c]}" for c in CATEGORIES)
        rate = format_on_time_rate(entry.summary.totals)
        lines.append(f"• <b>{esc(entry.organization.name)}</b>: {figures} · {rate}")
    lines += [f"• <b>{esc(org.name)}</b>: {no_plan_yet()}" for org in result.without_plan]
    return "\n".join(lines)


def overdue(ctx: Context, _args: str) -> None:
    ctx.go("pages", "overdue")
    _page(ctx, "overdue", 0)


def nonresponders(ctx: Context, _args: str) -> None:
    ctx.go("pages", "nonresponders")
    _page(ctx, "nonresponders", 0)


def _overdue_lines(
    ctx: Context, status: PlanStatus, org_id: int, asked: Collection[ItemKey] = ()
) -> tuple[str, list[str]]:
    """The heading and one line per unit; ``asked``: the items with an explanation request waiting (📋)."""
    # unit → task → its late deadlines, each as "31/01 0%" (the year only when not this year's; an
    # extension named): a monthly task three months late is one entry, "I.8 (31/01 0%; 28/02 0%)", not three.
    by_unit: dict[str, dict[str, list[str]]] = {}
    names: dict[str, str] = {}
    today = ctx.now.date()
    count = 0
    for item in status.items:
        if item.category == "overdue":
            count += 1
            names[item.unit] = item.unit_name
            flag = " ⚠" if item.blocked else ""
            flag += " 📋" if (item.task, item.unit, item.due) in asked else ""
            if item.extended_to is None:
                due = _short_dates([item.due], today)
            else:
                due = describe_due(item.due, item.extended_to)
            by_unit.setdefault(item.unit, {}).setdefault(item.task, []).append(f"{due} {item.percent}%{flag}")
    lines = [
        f"<b>{esc(names[code])}</b>: " + ", ".join(f"{esc(task)} ({'; '.join(dues)})" for task, dues in tasks.items())
        for code, tasks in by_unit.items()
    ]
    return _("Overdue items: {count}").format(count=count), lines


def _nonresponder_lines(ctx: Context, status: PlanStatus, org_id: int) -> tuple[str, list[str]]:
    """Units with items due within a week or overdue and no report on them, and units nobody can
    reach (no bound, reachable focal point)."""
    today = ctx.now.date()
    # unit → task → its due dates in question: a recurring task owes several, each task shown once
    silent: dict[str, dict[str, list[date]]] = {}
    names = {item.unit: item.unit_name for item in status.items}
    for item in silent_items(status.items, today):
        due = item.extended_to or item.due
        dues = silent.setdefault(item.unit, {}).setdefault(item.task, [])
        if due not in dues:
            dues.append(due)
    reachable = {member.unit_code for member in reachable_members(ctx.session, REPORTING_ROLES, organization_id=org_id)}
    # A unit nobody can reach is marked 🔕 on its own line, once (with its tasks when it owes some); the
    # heading, on every page, says what the mark means.
    lines = [
        ("🔕 " if code not in reachable else "")
        + f"<b>{esc(names[code])}</b>: "
        + ", ".join(f"{esc(task)} ({_short_dates(dues, today)})" for task, dues in tasks.items())
        for code, tasks in silent.items()
    ]
    lines += [
        "🔕 " + _("{unit}: no focal point the bot can reach").format(unit=esc(names[code]))
        for code in names
        if code not in reachable and code not in silent
    ]
    heading = _("Units that have not reported on items due by {date}: {count}").format(
        date=format_date(silent_by(today)), count=len(silent)
    )
    unreached = sum(1 for code in names if code not in reachable)
    if unreached:
        heading += " · 🔕 " + ngettext(
            "{n} unit with no focal point the bot can reach",
            "{n} units with no focal point the bot can reach",
            unreached,
        ).format(n=unreached)
    return heading, lines


def _short_dates(days: Sequence[date], today: date) -> str:
    """ "15/02, 15/03": day and month, with the year only for a day of another year than ``today``'s."""
    return ", ".join(format_short_date(day) if day.year == today.year else format_date(day) for day in sorted(days))


def _page(ctx: Context, kind: str, page: int) -> None:
    plans = _plans(ctx)
    if not plans:
        ctx.end()
        return
    lines: list[str] = []
    askable: list[list[tuple[str, str]]] = []  # per line: the actions asking for an explanation of its items
    managing = ctx.organizations(*MANAGING_ROLES)
    title = _("{count} organisations").format(count=len(plans))
    missing = _without_plan(ctx, plans)  # under a province: named, as /status names them
    if missing:
        title = _("{count} organisations with a plan, {missing} without one yet").format(
            count=len(plans), missing=len(missing)
        )
    for org, plan in plans:
        assert org.id is not None and plan.id is not None
        status = plan_status(ctx.session, plan, ctx.now.date())
        if kind == "overdue":
            waiting = {k for k, v in plan_explanations.by_item(ctx.session, plan).items() if not v.answered}
            heading, found = _overdue_lines(ctx, status, org.id, waiting)
            groups = _overdue_groups(status, waiting, plan.id) if org.id in managing else [[] for _ in found]
        else:
            heading, found = _nonresponder_lines(ctx, status, org.id)
            groups = [[] for _ in found]
        if len(plans) == 1 and not missing:
            title = heading
        else:  # a province: each organisation's count, then its lines under its name
            lines.append(f"<b>{esc(org.name)}</b> — {heading}")
            askable.append([])
            found = [f"{esc(org.name)} — {line}" for line in found]
        lines += found
        askable += groups
    unplanned = _missing_line(missing)  # "• xã A, xã B: chưa nhập kế hoạch", on the first page
    if not lines:
        ctx.end()
        ctx.reply("\n".join(["<b>" + title + "</b>", *unplanned]))
        return
    # Telegram: pages of buttons, each item's within reach of a tap; Zalo: a page a message, by length.
    bounds = _page_bounds(askable) if ctx.has_buttons else _plain_page_bounds(title, unplanned, lines, askable)
    page = max(0, min(page, len(bounds) - 1))
    start, end = bounds[page]
    pages = len(bounds)
    chunk = lines[start:end]
    counter = f" ({page + 1}/{pages})" if pages > 1 else ""
    text = f"<b>{title}</b>{counter}\n" + "\n".join(
        [*(unplanned if page == 0 else []), *("• " + line for line in chunk)]
    )
    nav = page_nav(page, pages, kind)
    ctx.go("pages", kind)
    asks = [a for group in askable[start:end] for a in group]
    rows = [[(label, action)] for label, action in asks[:MAX_ASK_BUTTONS]]
    if len(asks) > MAX_ASK_BUTTONS:
        text += "\n" + _ask_others_hint(_typed_example([action for _label, action in asks]))
    if nav:
        rows.append(nav)
    ctx.reply(text, ctx.offer(rows) if rows else None)


def _missing_line(missing: Sequence[Organization]) -> list[str]:
    """The line naming a province's organisations with no plan yet, as /status says it ("X: chưa nhập
    kế hoạch"): by their full names, or past :data:`MISSING_LINE` characters by their short names and
    then counted ("xã A, xã B … và 40 cơ quan khác: chưa nhập kế hoạch"); none when there is none."""
    if not missing:
        return []
    line = f"• <b>{esc(', '.join(org.name for org in missing))}</b>: {no_plan_yet()}"
    if shown_length(line) <= MISSING_LINE:
        return [line]
    shown: list[str] = []
    for org in missing:
        trial = _names_line([*shown, esc(compact_unit_name(org.name))], len(missing) - len(shown) - 1)
        if shown and shown_length(f"• {trial}: {no_plan_yet()}") > MISSING_LINE:
            break
        shown.append(esc(compact_unit_name(org.name)))
    return [f"• {_names_line(shown, len(missing) - len(shown))}: {no_plan_yet()}"]


def _page_bounds(askable: list[list[tuple[str, str]]]) -> list[tuple[int, int]]:
    """The pages as (first line, end) slices: at most :data:`PAGE_LINES` lines, and no more lines than
    keep the page's "Yêu cầu giải trình" buttons within :data:`MAX_ASK_BUTTONS` (a line that alone has
    more keeps a page of its own), so that every overdue item can be asked about with one tap."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(askable):
        end, count = start, 0
        while end < len(askable) and end - start < PAGE_LINES:
            if end > start and count + len(askable[end]) > MAX_ASK_BUTTONS:
                break
            count += len(askable[end])
            end += 1
        bounds.append((start, end))
        start = end
    return bounds or [(0, 0)]


def _plain_page_bounds(
    title: str, unplanned: Sequence[str], lines: Sequence[str], askable: Sequence[Sequence[tuple[str, str]]]
) -> list[tuple[int, int]]:
    """On Zalo (no buttons, each message from a monthly budget): the pages as (first line, end) slices,
    each as many lines as one message holds with its numbered choices — the first
    :data:`MAX_ASK_BUTTONS` "Yêu cầu giải trình" of the page, "« Trang trước" / "Trang sau »" — and the
    line saying how to ask about the others (:func:`_ask_others_hint`); a line longer than a page alone."""
    head = f"{title} (99/99)"  # at its longest
    hint = shown_length(_ask_others_hint(None)) + HINT_EXAMPLE_ROOM
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(lines):
        size = shown_length("\n".join([head, *(unplanned if not bounds else [])])) + NAV_ROOM
        asks = 0
        end = start
        while end < len(lines):
            added = shown_length("• " + lines[end]) + 1
            for label, _action in askable[end]:
                asks += 1
                # a choice's numbered line ("10. Yêu cầu giải trình: …"), or once the hint for the others
                added += shown_length(f"{asks}. {label}") + 1 if asks <= MAX_ASK_BUTTONS else 0
                added += hint + 1 if asks == MAX_ASK_BUTTONS + 1 else 0
            if end > start and size + added > PLAIN_MESSAGE_LIMIT:
                break
            size += added
            end += 1
        bounds.append((start, end))
        start = end
    return bounds or [(0, 0)]


def _typed_example(actions: Sequence[str]) -> tuple[str, str] | None:
    """The (unit, task) of the first item past the :data:`MAX_ASK_BUTTONS` offered of a page's
    ``actions`` (its "Yêu cầu giải trình" actions) that ``/giaitrinh UNIT CODE`` names alone: a task
    with one overdue deadline on the page, if any."""
    pairs = [(str(item[1]), str(item[2])) for item in (json.loads(split_action(a)[1]) for a in actions)]
    others = pairs[MAX_ASK_BUTTONS:]
    return next((pair for pair in others if pairs.count(pair) == 1), others[0] if others else None)


def _ask_others_hint(example: tuple[str, str] | None) -> str:
    """How to ask about a page's overdue items beyond its :data:`MAX_ASK_BUTTONS` choices, with one of
    them (``example``: unit and task codes) as the example."""
    hint = _("To ask about the others: /giaitrinh UNIT CODE.")
    if example is None:
        return hint
    unit, task = example
    return hint + " " + _("For example: /giaitrinh {unit} {code}").format(unit=esc(unit), code=esc(task))


def _overdue_groups(status: PlanStatus, waiting: Collection[ItemKey], plan_id: int) -> list[list[tuple[str, str]]]:
    """For each unit line of :func:`_overdue_lines`: a "Yêu cầu giải trình" button (label, action) per
    overdue item with no explanation request waiting."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in status.items:
        if item.category == "overdue":
            group = groups.setdefault(item.unit, [])
            if (item.task, item.unit, item.due) not in waiting:
                # the deadline too: a monthly task has several overdue deadlines, each its own button
                label = _("Ask for an explanation: {unit} · {code} ({due})").format(
                    unit=item.unit, code=item.task, due=format_short_date(item.due)
                )
                group.append((label, explanations.overdue_action(plan_id, item)))
    return list(groups.values())


class _PagesFlow(MenuFlow):
    def on_action(self, ctx: Context, action: str) -> None:
        kind, page = split_action(action)
        if kind == explanations.ASK_ACTION:  # "Yêu cầu giải trình" on an /overdue page
            explanations.from_overdue(ctx, page)
            return
        if kind == "status":  # a province's /status, page by page
            args = ctx.conversation.data.get("status_args", "") if ctx.conversation is not None else ""
            _status_answer(ctx, str(args), int(page))
            return
        _page(ctx, kind, int(page))


PAGES_FLOW = _PagesFlow()


def task_detail(ctx: Context, args: str) -> None:
    """``/task CODE``: every unit's latest report on the task, then the history."""
    plans = _plans(ctx)
    if not plans:
        return
    if not args:
        from dondoc.handlers.onboarding import with_own_codes  # imported when used, as in explanations

        ctx.reply(with_own_codes(ctx, _("Usage: /task CODE — for example /task III.4")))
        return
    wanted = match_key(args)
    lines: list[str] = []
    for org, plan in plans:
        found = _task_lines(ctx, plan, wanted)
        if found and len(plans) > 1:
            lines.append(f"<b>{esc(org.name)}</b>")
        lines += found
    if not lines:
        ctx.reply(_("There is no task {code} in the plan.").format(code=esc(args)))
        return
    state = ctx.reply("\n".join(lines))
    shown = len(ctx.replies)
    show_history(ctx, args, standing_only=True)
    if not ctx.has_buttons and len(ctx.replies) == shown + 1:
        # On Zalo (each message from a monthly budget) the history goes in the same message when it fits.
        history = ctx.replies[-1]
        joined = state.text + "\n\n" + history.text
        if not history.choices and history.file is None and shown_length(joined) <= PLAIN_MESSAGE_LIMIT:
            state.text = joined
            ctx.replies.pop()


def _task_lines(ctx: Context, plan: Plan, wanted: str) -> list[str]:
    status = plan_status(ctx.session, plan, ctx.now.date())
    items = [i for i in status.items if match_key(i.task) == wanted]
    continuous = [c for c in status.continuous if match_key(c.task) == wanted]
    undated = [c for c in status.undated if match_key(c.task) == wanted]
    lines: list[str] = []
    asked = plan_explanations.by_item(ctx.session, plan) if items else {}
    today = ctx.now.date()
    coming = [i.extended_to or i.due for i in items if (i.extended_to or i.due) >= today]
    horizon = min(coming) if coming else None  # the next deadline: later ones only when reported on
    # Not started / overdue at 0 % with nothing else to say: one line per deadline naming the units
    # by code, not a line per unit and deadline (a recurring task for every unit: 80 lines, 3 messages).
    bare: dict[tuple[date, Category], list[str]] = {}
    later: set[date] = set()
    shown: list[Item] = []
    for item in items:
        plain_item = (
            item.category in ("not_started", "overdue")
            and item.percent == 0
            and not item.blocked
            and item.extended_to is None
            and not item.support
            and (item.task, item.unit, item.due) not in asked
        )
        if not plain_item:
            shown.append(item)
        elif horizon is not None and item.due > horizon:
            later.add(item.due)
        else:
            bare.setdefault((item.due, item.category), []).append(item.unit)
    for (due, category), units in bare.items():
        if len(units) == 1:
            shown += [i for i in items if i.unit == units[0] and i.due == due and i.category == category]
    order = {id(item): n for n, item in enumerate(items)}
    shown.sort(key=lambda item: order[id(item)])
    for item in shown:
        flag = " ⚠" if item.blocked else ""
        lines.append(
            f"{ICONS[item.category]} <b>{esc(item.unit_name)}</b> — {describe_due(item.due, item.extended_to)}: "
            f"{category_label(item.category)}, {item.percent}%{flag}"
        )
        explained = asked.get((item.task, item.unit, item.due))
        if explained is not None:
            lines.append("   📋 " + esc(plan_explanations.describe(explained)))
        for part in item.support:
            lines.append(f"   ↳ {esc(part.unit_name)}: {status_label(part.status)} {part.percent}%")
    for (due, category), units in sorted(bare.items()):
        if len(units) > 1:
            count = ngettext("{count} unit", "{count} units", len(units)).format(count=len(units))
            lines.append(
                f"{ICONS[category]} {format_date(due)} — {category_label(category)}, 0%: "
                f"{count} ({esc(', '.join(units))})"
            )
    if later:
        lines.append(
            _("Later deadlines, nothing reported yet: {dates}").format(
                dates=", ".join(format_date(day) for day in sorted(later))
            )
        )
    for entry in continuous:
        state = status_label(entry.status) if entry.status else _("no report yet")
        lines.append(f"🔁 <b>{esc(entry.unit_name)}</b>: {state} {entry.percent}%")
    no_date = _("no date yet")
    for entry in undated:
        state = status_label(entry.status) if entry.status else _("no report yet")
        lines.append(f"📅 <b>{esc(entry.unit_name)}</b> — {no_date}: {state} {entry.percent}%")
    return lines


def render_status(
    title: str,
    status: StatusSummary | PlanStatus,
    *,
    table: bool = True,
    area_titles: Mapping[str, str] | None = None,
    scope: str = "",
) -> str:
    """The ``/status`` text: counts only, so a :class:`StatusSummary` is enough (a full status is
    summarized first). ``table``: the by-area counts as a monospace table (Telegram); otherwise as a
    line of words per area, named by its title from ``area_titles`` (Zalo's plain text, whose
    proportional font lines up no column)."""
    if isinstance(status, PlanStatus):
        status = summarize(status)
    lines = [
        "<b>" + esc(title) + "</b>",
        _("As of {date}: {count} items (each deadline of each lead unit)").format(
            date=format_date(status.as_of), count=status.items
        ),
    ]
    if scope:  # what the count counts (a unit's: the tasks it leads)
        lines.append(scope)
    lines.append("")
    for category in CATEGORIES:
        lines.append(f"{ICONS[category]} {category_label(category)}: <b>{status.totals[category]}</b>")
    if status.blocked:
        lines.append("⚠ " + _("Blocked: {count}").format(count=status.blocked))
    lines.append(_("On-time rate: {rate}").format(rate=format_on_time_rate(status.totals, why=True)))
    lines.append("")
    if table:
        lines.append("<pre>" + _area_table(status) + "</pre>")
        lines.append(" · ".join(f"{_(SHORT[c])}: {category_label(c)}" for c in CATEGORIES))
    else:
        lines += _area_lines(status, area_titles or {})
    worst = sorted(
        ((counts["overdue"], code) for code, counts in status.by_unit.items() if counts["overdue"]),
        key=lambda pair: -pair[0],
    )[:TOP_UNITS]
    if worst:
        lines.append("")
        lines.append("<b>" + _("Most overdue") + "</b>")
        names = status.unit_names
        lines += [f"• {esc(names.get(code, code))}: {count}" for count, code in worst]
    if status.continuous:
        lines.append("")
        lines.append(_("Continuous tasks: {count} (see /task CODE)").format(count=status.continuous))
    if status.undated:
        lines.append(
            "📅 " + _("No date yet: {count} (they count from the plan's issue date)").format(count=status.undated)
        )
    return "\n".join(lines)


def _area_lines(status: StatusSummary, titles: Mapping[str, str]) -> list[str]:
    """The by-area counts as lines that read without alignment: "• I. Cải cách thể chế: 3 hoàn thành
    đúng hạn · 1 quá hạn" (the categories with a count only)."""
    lines = ["<b>" + _("By area") + "</b>"]
    empty: list[tuple[str, str]] = []  # (code, line): areas with only continuous or undated tasks
    undated = _("no item with a deadline")
    for area, counts in status.by_area.items():
        title = titles.get(area, "")
        if len(title) > AREA_TITLE:
            title = title[: AREA_TITLE - 1].rstrip() + "…"
        name = f"{area}. {title}" if area and title else area or title or "—"
        figures = " · ".join(_(COUNTED[c]).format(n=counts[c]) for c in CATEGORIES if counts[c])
        if not figures:  # only continuous or undated tasks
            empty.append((area, f"• {esc(name)}: {undated}"))
            continue
        lines.append(f"• {esc(name)}: {figures}")
    if len(empty) > 1 and all(code for code, _line in empty):  # one line, not one an area: "• II, IV: …"
        lines.append(f"• {esc(', '.join(code for code, _line in empty))}: {undated}")
    else:
        lines += [line for _code, line in empty]
    return lines


def _area_table(status: StatusSummary) -> str:
    heads = [_(SHORT[c])[:3] for c in CATEGORIES]
    rows = [f"{'':<5}" + "".join(f"{h:>5}" for h in heads)]
    for area, counts in status.by_area.items():
        rows.append(esc(f"{(area or '—'):<5}") + "".join(f"{counts[c]:>5}" for c in CATEGORIES))
    rows.append(f"{'Σ':<5}" + "".join(f"{status.totals[c]:>5}" for c in CATEGORIES))
    return "\n".join(rows)


def export(ctx: Context, _args: str) -> None:
    """``/export``: the status workbook (summary and detail sheets) as a document. Zalo bots cannot
    send files: there the reply says who can make the workbook and where the figures are in the chat."""
    from dondoc.plan.status_workbook import status_heading, write_status_xlsx

    plans = _plans(ctx)
    if not plans:
        return
    if not _sends_files(ctx):
        ctx.reply(
            _(
                "A Zalo bot cannot send files, so the status workbook (xlsx) cannot come here. The system "
                "administrator (who runs the bot's server) can make it with «dondoc export -o status.xlsx» "
                "and send it to you by e-mail. The same figures in this chat: /status (by area), "
                "/status UNIT, /overdue (overdue items by unit), /nonresponders (units that have not reported), "
                "/chart (by unit)."
            )
        )
        return
    buffer = io.BytesIO()
    day = ctx.now.date()
    if len(plans) > 1:  # a province: the roll-up by organisation and by area
        rolled = rollup(ctx.session, plans, day, missing=_without_plan(ctx, plans))
        write_rollup_xlsx(rolled, buffer, now=ctx.now)  # titled with the time, as a district's workbook
        # Named in the reader's language: "tinh-hinh-tong-hop-2022-04-05.xlsx" in Vietnamese.
        name = _("status-roll-up-{day}.xlsx").format(day=day.isoformat())
    else:
        plan = plans[0][1]
        from dondoc.scheduler.calendar import calendar_from_env

        calendar = ctx.settings.calendar or calendar_from_env()
        write_status_xlsx(ctx.session, plan, day, buffer, calendar=calendar, now=ctx.now)  # titled with the time
        name = _("status-{day}.xlsx").format(day=day.isoformat())  # Vietnamese: "tinh-hinh-2022-04-05.xlsx"
        if plan.key != str(day.year):  # "tinh-hinh-2022-2022-04-05.xlsx" would name the year twice
            name = _("status-{plan}-{day}.xlsx").format(plan=plan.key, day=day.isoformat())
    caption = status_heading(day, ctx.now)  # as the workbook's title: "Tình hình đến 09:15 ngày 05/04/2022"
    ctx.reply("", file=OutFile(kind="document", file_name=name, data=buffer.getvalue(), caption=caption))


def _sends_files(ctx: Context) -> bool:
    """Whether the person's channel can carry a file or a picture made by the bot. Zalo cannot: its
    bots send no documents, and pictures only from a public web address, which the bot does not serve."""
    return channel_family(ctx.inbound.channel) != "zalo"


def chart(ctx: Context, _args: str) -> None:
    """``/chart``: status by area and by unit as a picture; on Zalo (no picture the bot can send) the
    chart's figures as text, one short line per area and per lead unit."""
    from dondoc.plan.chart import render_plan_chart, short_label
    from dondoc.plan.status_workbook import status_heading

    plans = _plans(ctx)
    for org, plan in plans:  # a province: one chart per organisation
        caption = status_heading(ctx.now.date(), ctx.now)  # as the chart's title: "… đến 09:15 ngày …"
        if len(plans) > 1:
            caption = f"{esc(org.name)} — {caption}"
        if not _sends_files(ctx):
            status = plan_status(ctx.session, plan, ctx.now.date(), support=False)
            titles = area_titles(ctx, [plan])
            names = {item.unit: item.unit_name for item in status.items}
            lines = [
                f"<b>{esc(plan.title)}</b>",
                caption,
                _("(A Zalo bot cannot send the chart as a picture: here are its figures.)"),
                " · ".join(f"{ICONS[c]} {category_label(c)}" for c in CATEGORIES),
                "",
                "<b>" + _("By area") + "</b>",
            ]
            lines += [
                f"• {esc(short_label(code, titles.get(code, ''), 34))}: {_icon_counts(counts)}"
                for code, counts in status.by_area.items()
            ]
            lines += ["", "<b>" + _("By unit") + "</b>"]
            lines += [
                f"• {esc(short_label(code, names.get(code, code), 34))}: {_icon_counts(counts)}"
                for code, counts in status.by_unit.items()
            ]
            ctx.reply("\n".join(lines))
            continue
        png, _status = render_plan_chart(ctx.session, plan, ctx.now.date(), now=ctx.now)
        ctx.reply("", file=OutFile(kind="photo", file_name="tinh-hinh.png", data=png, caption=caption))


def _icon_counts(counts: Mapping[Category, int]) -> str:
    """ "✅3 ⏰1": the categories with a count, by their icons; "—" when there is none."""
    return " ".join(f"{ICONS[c]}{counts[c]}" for c in CATEGORIES if counts[c]) or "—"
