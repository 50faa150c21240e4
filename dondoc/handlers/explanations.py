"""Explanations of overdue items in chat (giải trình): ``/giaitrinh``, the ``/overdue`` buttons, and the
focal point's answer.

A manager (or administrator) asks from ``/overdue`` — one tap on **Yêu cầu giải trình XP · III.4**
(a numbered choice on Zalo) — or by typing ``/giaitrinh XP III.4`` (``/giaitrinh Xà Phiên III.4
25/03`` to give the day it is due; by default the 3rd working day after). The unit's focal points and
deputies get the request with the item, the day it is due and how to answer: the **Giải trình**
button (then one message), or one line, ``/giaitrinh III.4 NỘI DUNG GIẢI TRÌNH``. The manager who asked
(the unit's managers when it was asked on paper) is told the answer. ``/giaitrinh`` alone lists the
unanswered requests (late ones first) to a manager, and their open requests to a focal point. Until
it is answered, a request is reminded like a deadline (:mod:`dondoc.scheduler.requests`). On Zalo,
which has no buttons, every prompt says to type the choice's number instead of tapping.
"""

from __future__ import annotations

import json
import re
from datetime import date

from sqlmodel import col, select

from dondoc.db.models import Assignment, ChannelAccount, Plan, Reminder, Role, Task, Unit
from dondoc.db.queries import active_assignment, current_plan, managers_of, reachable_members
from dondoc.handlers.context import MANAGING_ROLES, REPORTING_ROLES, Context
from dondoc.handlers.events import Address, Attachment, Choice, esc, has_buttons
from dondoc.i18n import _, format_date, ngettext
from dondoc.plan import explanations
from dondoc.plan.dates import DateProblem, read_date
from dondoc.plan.explanations import ExplanationView
from dondoc.plan.progress import Item, plan_status
from dondoc.scheduler.calendar import WorkCalendar, calendar_from_env
from dondoc.text import match_key
from dondoc.tz import TZ

FLOW_NAME = "explanation"
PREFIX = "E"
_BUTTON = re.compile(r"E([0-9]{1,10}):a", re.ASCII)
MAX_ID = 2**31 - 1
MAX_LISTED = 30  # lines of /giaitrinh's lists; the rest are counted ("dondoc explanation list" has all)
ASK_ACTION = "ask"  # the /overdue page's action: ask:<json [plan id, unit code, task code, due]>


def button_data(explanation_id: int) -> str:
    return f"{PREFIX}{explanation_id}:a"


def parse_button(data: str) -> int | None:
    match = _BUTTON.fullmatch(data)
    if match is None or int(match.group(1)) > MAX_ID:
        return None
    return int(match.group(1))


def usage(ctx: Context) -> str:
    from dondoc.handlers.onboarding import with_own_codes  # as find_unit below: imported when used

    return with_own_codes(
        ctx,
        _(
            "Usage: managers ask with /giaitrinh UNIT CODE [DUE DATE] — for example /giaitrinh XP III.4 or "
            "/giaitrinh XP III.4 25/03; focal points answer with /giaitrinh CODE EXPLANATION — for example "
            "/giaitrinh III.4 waiting for the opinion of the level above. /giaitrinh alone lists the open requests."
        ),
    )


def _short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _calendar(ctx: Context) -> WorkCalendar:
    return ctx.settings.calendar or calendar_from_env()


def _replan(ctx: Context, assignment_id: int) -> None:
    """The request's reminders are planned (or stopped) at once, not at the next day's planning."""
    from dondoc.scheduler.schedule import replan

    replan(ctx.session, _calendar(ctx), ctx.now, assignment_ids=[assignment_id])


# ---------------------------------------------------------------- the command


def command(ctx: Context, args: str) -> None:
    """``/giaitrinh``: a list (no arguments), a request (managers) or an answer (focal points)."""
    words = args.split()
    managing = ctx.organizations(*MANAGING_ROLES)
    reporting = ctx.reporting_units()
    if not words:
        if managing:
            _manager_list(ctx, managing)
        if reporting:
            _focal_list(ctx)
        if not managing and not reporting:
            ctx.reply(usage(ctx))
        return
    if reporting:
        mine = [v for v in _open_for_me(ctx) if match_key(v.task) == match_key(words[0])]
        if mine:
            text = args.strip()[len(words[0]) :].strip()
            if text:
                _submit(ctx, mine[0].id, text)
            else:
                begin_answer(ctx, mine[0].id)
            return
    if managing:
        _typed_request(ctx, managing, words)
        return
    ctx.reply(_("No explanation is asked of your unit about {code}.").format(code=esc(words[0])) + "\n" + usage(ctx))


def _typed_request(ctx: Context, managing: list[int], words: list[str]) -> None:
    """``/giaitrinh UNIT CODE [DATE]``: the unit may be typed by code or name, in several words."""
    plans = [(org_id, plan) for org_id in managing if (plan := current_plan(ctx.session, org_id)) is not None]
    if not plans:
        ctx.reply(_("No plan has been imported yet."))
        return
    for index in range(1, len(words)):
        for org_id, plan in plans:
            task_code = _task_code(ctx, plan, words[index])
            if task_code is None:
                continue
            from dondoc.handlers.onboarding import units_refused, units_typed

            unit_text = " ".join(words[:index])
            fits = units_typed(ctx.session, org_id, unit_text)
            if len(fits) != 1:
                ctx.reply(units_refused(fits, unit_text))
                return
            unit = fits[0]
            rest = " ".join(words[index + 1 :])
            answer_due: date | None = None
            if rest:
                found = read_date(rest, ctx.now.year)
                if isinstance(found, DateProblem):
                    ctx.reply(
                        _("“{typed}” is not a date: please type it as dd/mm/yyyy (for example 30/06/{year}).").format(
                            typed=esc(rest), year=ctx.now.year
                        )
                    )
                    return
                if found <= ctx.now.date():
                    ctx.reply(
                        _("The explanation must be due after today: {typed} is not.").format(typed=format_date(found))
                    )
                    return
                answer_due = found
            ask(ctx, plan, unit, task_code, None, answer_due)
            return
    ctx.reply(_("There is no task code in “{typed}”.").format(typed=esc(" ".join(words))) + "\n" + usage(ctx))


def _task_code(ctx: Context, plan: Plan, typed: str) -> str | None:
    wanted = match_key(typed)
    if not wanted:
        return None
    for code in ctx.session.exec(select(Task.code).where(Task.plan_id == plan.id, col(Task.active))):
        if match_key(code) == wanted:
            return code
    return None


# ---------------------------------------------------------------- asking


def overdue_action(plan_id: int, item: Item) -> str:
    """The action of an /overdue page's button asking for an explanation of ``item``."""
    return f"{ASK_ACTION}:" + json.dumps([plan_id, item.unit, item.task, item.due.isoformat()])


def from_overdue(ctx: Context, value: str) -> None:
    """A tap on **Yêu cầu giải trình** in ``/overdue`` (the action was written by this process: the
    person's powers are checked again all the same)."""
    try:
        plan_id, unit_code, task_code, due = json.loads(value)
        plan = ctx.session.get(Plan, int(plan_id))
        day = date.fromisoformat(str(due))
    except (ValueError, TypeError):
        plan, day = None, None
    unit = (
        ctx.session.exec(
            select(Unit).where(Unit.organization_id == plan.organization_id, Unit.code == unit_code)
        ).first()
        if plan is not None
        else None
    )
    if plan is None or unit is None:
        ctx.reply(_("This button is no longer valid."), toast=_("Expired"))
        return
    if ctx.flow == FLOW_NAME and ctx.step == CONFIRM_STEP and ctx.data.get("ask") == value:
        ctx.end()  # (the confirmation's "Send")
        ask(ctx, plan, unit, str(task_code), day, None)
        return
    _confirm_ask(ctx, plan, unit, str(task_code), day, value)


CONFIRM_STEP = "confirm"


def _confirm_ask(ctx: Context, plan: Plan, unit: Unit, task_code: str, due: date | None, value: str) -> None:
    """Before a request goes to another unit from a pick in /overdue: what will be sent, to whom, and
    **Gửi** / **Thôi** (a typed number or a tap is easily a slip)."""
    from dondoc.scheduler.requests import default_answer_due

    found = _askable(ctx, plan, unit, task_code, due)
    if found is None:
        return
    item, _assignment = found
    assert unit.id is not None
    names: list[str] = []
    for member in reachable_members(ctx.session, REPORTING_ROLES, unit_ids=[unit.id], bound=True):
        if member.account is not None and member.person.full_name not in names:
            names.append(member.person.full_name)
    answer_due = default_answer_due(_calendar(ctx), ctx.now)
    lines = [
        _(
            "Send a formal request to <b>{unit}</b> to explain why {code} is overdue (deadline {due}, {percent}%), "
            "to be answered by {answer_due}?"
        ).format(
            unit=esc(unit.name),
            code=esc(task_code),
            due=format_date(item.due),
            percent=item.percent,
            answer_due=format_date(answer_due),
        )
    ]
    if names:
        lines.append(_("It goes to: {names}.").format(names=esc(", ".join(names))))
    else:
        lines.append(
            _("No focal point of the unit can receive it yet: it will be recorded and sent as soon as one joins.")
        )
    ctx.go(FLOW_NAME, CONFIRM_STEP, ask=value)
    ctx.reply("\n".join(lines), ctx.offer([[(_("Send"), "send"), (_("Do not send"), "cancel")]]))


def _leads(ctx: Context, plan: Plan, task_code: str) -> str:
    """The codes of the units that lead ``task_code`` of ``plan`` (plain text), "—" for none."""
    codes = ctx.session.exec(
        select(Unit.code)
        .join(Assignment, col(Assignment.unit_id) == Unit.id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(Task.plan_id == plan.id, Task.code == task_code, Assignment.role == Role.LEAD, col(Assignment.active))
        .order_by(col(Assignment.position))
    )
    return ", ".join(codes) or "—"


def _overdue_item(ctx: Context, plan: Plan, unit: Unit, task_code: str, due: date | None) -> Item | None:
    status = plan_status(ctx.session, plan, ctx.now.date(), unit_codes=[unit.code])
    for item in status.items:
        if item.category == "overdue" and item.task == task_code and (due is None or item.due == due):
            return item
    return None


def _askable(ctx: Context, plan: Plan, unit: Unit, task_code: str, due: date | None) -> tuple[Item, Assignment] | None:
    """The overdue item ``task_code`` of ``unit`` (deadline ``due``; the earliest overdue one when
    ``None``) and its assignment, if an explanation may be asked of it now; otherwise None, and the
    person is told why."""
    if unit.organization_id not in ctx.organizations(*MANAGING_ROLES):
        ctx.reply(_("No unit called {unit}.").format(unit=esc(unit.code)), toast=_("Expired"))
        return None
    item = _overdue_item(ctx, plan, unit, task_code, due)
    assert plan.id is not None and unit.id is not None
    assignment = active_assignment(ctx.session, plan.id, task_code, unit.id)
    if assignment is None:  # not "not overdue": the unit has no part in that task at all
        ctx.reply(
            _("{unit} has no part in {code}: an explanation is asked of the unit that leads it ({leads}).").format(
                unit=esc(unit.name), code=esc(task_code), leads=esc(_leads(ctx, plan, task_code))
            ),
            toast=_("Not overdue"),
        )
        return None
    if assignment.role == Role.SUPPORT:  # its /tasks may show it overdue: only the lead's items count
        ctx.reply(
            _("{unit} supports {code}: an explanation is asked of the unit that leads it ({leads}).").format(
                unit=esc(unit.name), code=esc(task_code), leads=esc(_leads(ctx, plan, task_code))
            ),
            toast=_("Not overdue"),
        )
        return None
    if item is None or assignment.id is None:
        ctx.reply(
            _("{code} of {unit} is not overdue: an explanation is asked about an overdue item.").format(
                code=esc(task_code), unit=esc(unit.name)
            ),
            toast=_("Not overdue"),
        )
        return None
    existing = explanations.open_request(ctx.session, assignment.id, item.due)
    if existing is not None:
        ctx.reply(
            _(
                "{unit} was already asked to explain {code} on {asked} (request no. {number}), due {due}: "
                "it has not answered yet."
            ).format(
                unit=esc(unit.name),
                code=esc(task_code),
                asked=format_date(existing.requested_at.astimezone(TZ).date()),
                number=existing.id,
                due=format_date(existing.answer_due),
            ),
            toast=_("Already asked"),
        )
        return None
    return item, assignment


def ask(ctx: Context, plan: Plan, unit: Unit, task_code: str, due: date | None, answer_due: date | None) -> None:
    """Ask ``unit`` to explain its overdue item ``task_code`` (its deadline ``due``; the earliest
    overdue one when ``None``), due by ``answer_due`` (by default the 3rd working day after today)."""
    from dondoc.scheduler.requests import default_answer_due

    found = _askable(ctx, plan, unit, task_code, due)
    if found is None:
        return
    item, assignment = found
    assert assignment.id is not None and unit.id is not None
    answer_due = answer_due or default_answer_due(_calendar(ctx), ctx.now)
    row = explanations.request(
        ctx.session,
        assignment,
        due=item.due,
        answer_due=answer_due,
        at=ctx.now,
        person_id=ctx.person.id if ctx.person else None,
    )
    assert row.id is not None
    _replan(ctx, assignment.id)
    task = ctx.session.get(Task, assignment.task_id)
    title = task.title if task else ""

    def request_text(channel: str) -> str:
        """The request as the focal point reads it on ``channel`` (no buttons on Zalo: a number to type)."""
        if has_buttons(channel):
            text = _(
                "📋 Explanation request no. {number}: {name} asks <b>{unit}</b> to explain why {code} — {title} is "
                "overdue (deadline {due}, {percent}%).\nPlease answer by {answer_due}: tap «Explain», or type "
                "/giaitrinh {code} YOUR EXPLANATION."
            )
        else:
            text = _(
                "📋 Explanation request no. {number}: {name} asks <b>{unit}</b> to explain why {code} — {title} is "
                "overdue (deadline {due}, {percent}%).\nPlease answer by {answer_due}: type the number of «Explain» "
                "below, or type /giaitrinh {code} YOUR EXPLANATION."
            )
        return text.format(
            number=row.id,
            name=esc(ctx.person.full_name if ctx.person else ""),
            unit=esc(unit.name),
            code=esc(task_code),
            title=esc(_short(title)),
            due=format_date(item.due),
            percent=item.percent,
            answer_due=format_date(answer_due),
        )

    choices = [[Choice(_("Explain"), button_data(row.id))]]
    seen: set[int | None] = set()
    for member in reachable_members(ctx.session, REPORTING_ROLES, unit_ids=[unit.id], bound=True):
        if member.account is None or member.person.id in seen:
            continue
        seen.add(member.person.id)
        channel = member.account.channel
        ctx.reply(request_text(channel), choices, to=Address(channel=channel, chat_id=member.account.chat_id))
    if seen:
        ctx.reply(
            _(
                "Sent: request no. {number} asks {unit} to explain {code} by {answer_due}. "
                "You will be told when they answer."
            ).format(number=row.id, unit=esc(unit.name), code=esc(task_code), answer_due=format_date(answer_due)),
            toast=_("Sent"),
        )
    else:
        ctx.reply(
            _(
                "Recorded: request no. {number} asks {unit} to explain {code} by {answer_due}, but no focal point "
                "of the unit can receive it yet: it will be reminded as soon as one joins."
            ).format(number=row.id, unit=esc(unit.name), code=esc(task_code), answer_due=format_date(answer_due)),
            toast=_("Recorded"),
        )


# ---------------------------------------------------------------- lists


def _late_text(view: ExplanationView, today: date) -> str:
    if view.answer_due < today:
        days = (today - view.answer_due).days
        return " ⏰ " + ngettext("late by {n} day", "late by {n} days", days).format(n=days)
    if view.answer_due == today:
        return " — " + _("due today")
    return ""


def _manager_list(ctx: Context, managing: list[int]) -> None:
    today = ctx.now.date()
    views = explanations.list_explanations(ctx.session, managing, unanswered=True)
    if not views:
        ctx.reply(_("No explanation request is waiting for an answer."))
        return
    views.sort(key=lambda v: (not v.late(today), v.answer_due, v.id))
    lines = ["<b>" + _("Explanations waiting for an answer: {count}").format(count=len(views)) + "</b>"]
    for view in views[:MAX_LISTED]:
        asked_by = view.requested_by or _("administrator")
        lines.append(
            "• "
            + _(
                "no. {number} — {unit} · {code} (deadline {due}) — explanation due {answer_due}, asked by {name}"
            ).format(
                number=view.id,
                unit=esc(view.unit_name),
                code=esc(view.task),
                due=format_date(view.due),
                answer_due=format_date(view.answer_due),
                name=esc(asked_by),
            )
            + _late_text(view, today)
        )
    if len(views) > MAX_LISTED:
        lines.append(
            _("… and {count} more: «dondoc explanation list --unanswered».").format(count=len(views) - MAX_LISTED)
        )
    ctx.reply("\n".join(lines))


def _open_for_me(ctx: Context) -> list[ExplanationView]:
    units = [u for u in ctx.reporting_units() if u.id is not None]
    if not units:
        return []
    orgs = sorted({u.organization_id for u in units})
    views = explanations.list_explanations(ctx.session, orgs, unanswered=True, unit_ids=[u.id for u in units if u.id])
    return sorted(views, key=lambda v: (v.answer_due, v.id))


def _focal_list(ctx: Context) -> None:
    today = ctx.now.date()
    views = _open_for_me(ctx)
    if not views:
        ctx.reply(_("No explanation is asked of your unit."))
        return
    lines = ["<b>" + _("Explanations asked of your unit: {count}").format(count=len(views)) + "</b>"]
    rows: list[list[Choice]] = []
    for view in views[:MAX_LISTED]:
        lines.append(
            "• "
            + _("{code} — {title} (deadline {due}): explain by {answer_due}").format(
                code=esc(view.task),
                title=esc(_short(view.task_title, 60)),
                due=format_date(view.due),
                answer_due=format_date(view.answer_due),
            )
            + _late_text(view, today)
        )
        if len(rows) < 10:
            rows.append([Choice(_("Explain {code}").format(code=view.task), button_data(view.id))])
    if ctx.has_buttons:
        lines.append(_("Tap a button, or type /giaitrinh CODE YOUR EXPLANATION."))
    else:
        lines.append(_("Type the number of a choice below, or type /giaitrinh CODE YOUR EXPLANATION."))
    ctx.reply("\n".join(lines), rows)


# ---------------------------------------------------------------- answering


def _mine(ctx: Context, explanation_id: int) -> ExplanationView | None:
    """The request if it was asked of one of the units this person reports for."""
    units = {u.id for u in ctx.reporting_units()}
    orgs = sorted({u.organization_id for u in ctx.reporting_units()})
    if not orgs:
        return None
    found = explanations.list_explanations(ctx.session, orgs, explanation_id=explanation_id)
    if not found:
        return None
    assignment = ctx.session.get(Assignment, found[0].assignment_id)
    return found[0] if assignment is not None and assignment.unit_id in units else None


def on_button(ctx: Context, data: str) -> None:
    """A press on **Giải trình** (or its number typed on Zalo)."""
    number = parse_button(data)
    if number is None or _mine(ctx, number) is None:
        ctx.reply(_("This button is no longer valid."), toast=_("Expired"))
        return
    begin_answer(ctx, number)


def from_reminder(ctx: Context, reminder: Reminder) -> None:
    """A reminder's **Giải trình** button: the open request on that assignment."""
    views = [v for v in _open_for_me(ctx) if v.assignment_id == reminder.assignment_id]
    if not views:
        ctx.reply(_("This explanation was already given."), toast=_("Already answered"))
        return
    begin_answer(ctx, views[0].id)


def begin_answer(ctx: Context, explanation_id: int) -> None:
    view = _mine(ctx, explanation_id)
    if view is None:
        ctx.reply(_("This button is no longer valid."), toast=_("Expired"))
        return
    if _already(ctx, view):
        return
    ctx.go(FLOW_NAME, "text", explanation=view.id)
    ctx.reply(
        _(
            "Explanation of the delay on {code} — {title} (deadline {due}), due {answer_due}: type it in one "
            "message. /cancel to stop."
        ).format(
            code=esc(view.task),
            title=esc(_short(view.task_title)),
            due=format_date(view.due),
            answer_due=format_date(view.answer_due),
        )
    )


def _already(ctx: Context, view: ExplanationView) -> bool:
    if view.answered_at is None:
        return False
    ctx.reply(
        _("Request no. {number} was already answered by {name} on {date}.").format(
            number=view.id,
            name=esc(view.answered_by or "—"),
            date=format_date(view.answered_at.astimezone(TZ).date()),
        ),
        toast=_("Already answered"),
    )
    return True


def _submit(ctx: Context, explanation_id: int, text: str) -> None:
    view = _mine(ctx, explanation_id)
    if view is None:
        ctx.end()
        ctx.reply(_("This request is no longer for your unit. Nothing was saved."))
        return
    if len(text) > explanations.MAX_ANSWER:
        ctx.reply(
            _("The explanation is too long ({count} characters, at most {limit}): please shorten it.").format(
                count=len(text), limit=explanations.MAX_ANSWER
            )
        )
        return
    me = ctx.person.id if ctx.person else None
    if not explanations.answer(ctx.session, view.id, text=text, person_id=me, at=ctx.now):
        ctx.end()
        refreshed = _mine(ctx, view.id)
        if refreshed is not None:
            _already(ctx, refreshed)
        return
    ctx.end()
    _replan(ctx, view.assignment_id)
    asker = (
        esc(view.requested_by) if view.requested_by_person_id is not None else _("the managers")
    )  # asked on paper: the unit's managers are told
    ctx.reply(
        _("Recorded your explanation on {code} (request no. {number}); {asker} is told.").format(
            code=esc(view.task), number=view.id, asker=asker
        ),
        toast=_("Recorded"),
    )
    told = _("📋 {unit} explained {code} (request no. {number}, deadline {due}):\n{answer}\n— {name}").format(
        unit=esc(view.unit_name),
        code=esc(view.task),
        number=view.id,
        due=format_date(view.due),
        answer=esc(text),
        name=esc(ctx.person.full_name if ctx.person else ""),
    )
    for address in _askers(ctx, view):
        ctx.reply(told, to=address)


def _askers(ctx: Context, view: ExplanationView) -> list[Address]:
    """Who is told the answer: the person who asked, on the account they used last; for a request
    recorded on paper, the unit's managers and the coordinating unit's."""
    if view.requested_by_person_id is not None:
        account = ctx.session.exec(
            select(ChannelAccount)
            .where(ChannelAccount.person_id == view.requested_by_person_id)
            .order_by(col(ChannelAccount.last_used_at).desc(), col(ChannelAccount.id))
        ).first()
        return [Address(channel=account.channel, chat_id=account.chat_id)] if account is not None else []
    assignment = ctx.session.get(Assignment, view.assignment_id)
    unit = ctx.session.get(Unit, assignment.unit_id) if assignment is not None else None
    if unit is None:
        return []
    return [Address(channel=a.channel, chat_id=a.chat_id) for _p, a in managers_of(ctx.session, unit)]


class _ExplanationFlow:
    """One step: the explanation's text."""

    def on_action(self, ctx: Context, action: str) -> None:
        if action == "send" and ctx.step == CONFIRM_STEP:
            from_overdue(ctx, str(ctx.data.get("ask", "")))
        elif action == "cancel" and ctx.step == CONFIRM_STEP:
            ctx.end()
            ctx.reply(_("Not sent: no request was made."))
        elif action == "cancel":
            ctx.end()
            ctx.reply(_("Cancelled. Nothing was saved."))

    def on_text(self, ctx: Context, text: str) -> None:
        if ctx.step == CONFIRM_STEP:
            action = ctx.resolve_typed(text)
            if action is not None:
                self.on_action(ctx, action)
            else:
                ctx.end()
                ctx.reply(_("Not sent: no request was made.") + " " + ctx.what_next())
            return
        number = ctx.data.get("explanation")
        if not text.strip() or not isinstance(number, int):
            ctx.reply(_("Please type your explanation in one message, or /cancel."))
            return
        _submit(ctx, number, text.strip())

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        ctx.reply(_("Please type your explanation in one message, or /cancel."))


FLOW = _ExplanationFlow()
