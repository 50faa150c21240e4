"""Requests for more time in chat (đề nghị gia hạn): ``/giahan``, the report flow's "Request an
extension", and the managers' answer.

A focal point (or deputy) asks in one line — ``/giahan I.2 30/06 chờ hướng dẫn của Sở`` — or step by
step (``/giahan I.2``, or "Vướng mắc" → "Đề nghị gia hạn" in ``/report``): the proposed date, read by
the one date rule (:func:`dondoc.plan.dates.read_date`), and a reason. The unit's managers and the
coordinating unit's managers get the request with **Đồng ý** / **Không đồng ý** (buttons on Telegram,
numbered choices on Zalo: the button data ``X<id>:y|n`` is the same), or answer by typing
``/giahan <số> đồng ý`` / ``/giahan <số> không đồng ý <lý do>``. The first answer wins; a later one is
told who answered. An approval moves the deadline (:mod:`dondoc.plan.extensions`) and replans the
assignment's reminders at once.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import col, select

from dondoc.db.models import (
    Assignment,
    ChannelAccount,
    Extension,
    ExtensionState,
    MemberRole,
    Person,
    Reminder,
    Task,
    Unit,
)
from dondoc.db.queries import AssignmentView, managers_of
from dondoc.handlers.context import Context
from dondoc.handlers.events import Address, Attachment, Choice, esc, has_buttons
from dondoc.i18n import _, format_date
from dondoc.plan import extensions
from dondoc.plan.dates import DateProblem, describe_day, read_date
from dondoc.text import match_key

FLOW_NAME = "extension"
PREFIX = "X"
_BUTTON = re.compile(r"X([0-9]{1,10}):([yn])", re.ASCII)
MAX_ID = 2**31 - 1
_YES = ("dong y", "duyet", "yes", "approve", "y", "co")
_NO = ("khong dong y", "khong", "tu choi", "no", "reject", "refuse", "n")


def button_data(extension_id: int, approve: bool) -> str:
    return f"{PREFIX}{extension_id}:{'y' if approve else 'n'}"


def parse_button(data: str) -> tuple[int, bool] | None:
    match = _BUTTON.fullmatch(data)
    if match is None or int(match.group(1)) > MAX_ID:
        return None
    return int(match.group(1)), match.group(2) == "y"


def usage(ctx: Context) -> str:
    """How to ask, with a task of the person's own plan for the sample's I.2."""
    from dondoc.handlers.onboarding import with_own_codes  # imported when used, as in explanations

    return with_own_codes(
        ctx,
        _(
            "Usage: /giahan CODE DATE REASON — for example /giahan I.2 30/06 waiting for guidance from the level "
            "above. Managers answer with /giahan NUMBER đồng ý or /giahan NUMBER không đồng ý REASON."
        ),
    )


# ---------------------------------------------------------------- asking


def command(ctx: Context, args: str) -> None:
    """``/giahan``: a request (focal points, deputies) or a typed answer (managers, administrators)."""
    first, _sep, rest = args.strip().partition(" ")
    if first.isdigit() and ctx.has_role(MemberRole.MANAGER, MemberRole.ADMIN):
        _typed_answer(ctx, int(first), rest.strip())
        return
    if not first and ctx.has_role(MemberRole.MANAGER, MemberRole.ADMIN):
        _pending_list(ctx)
        return
    if not ctx.reporting_units():
        ctx.reply(usage(ctx))
        return
    if not first:
        ctx.reply(usage(ctx))
        return
    view = _assignment(ctx, first)
    if view is None:
        ctx.reply(_("Your unit has no task {code}.").format(code=esc(first)) + "\n" + usage(ctx))
        return
    due = _open_due(ctx, view)
    if due is None:
        return
    ctx.go(FLOW_NAME, "date", assignment=view.id, due=due.isoformat())
    date_text, _sep, reason = rest.strip().partition(" ")
    if not date_text:
        _ask_date(ctx)
        return
    if _take_date(ctx, date_text) and reason.strip():
        _submit(ctx, reason.strip())
    elif ctx.step == "reason":
        _ask_reason(ctx)


def begin_for_assignment(ctx: Context, assignment_id: int) -> None:
    """From the report flow ("Vướng mắc" → "Đề nghị gia hạn"): ask the date, then the reason."""
    view = next((v for v in _views(ctx) if v.id == assignment_id), None)
    if view is None:
        ctx.end()
        ctx.reply(_("This task is no longer assigned to your unit. Nothing was saved."))
        return
    due = _open_due(ctx, view)
    if due is None:
        ctx.end()
        return
    ctx.go(FLOW_NAME, "date", assignment=view.id, due=due.isoformat())
    _ask_date(ctx)


def _views(ctx: Context) -> list[AssignmentView]:
    from dondoc.handlers.report import my_assignments

    return my_assignments(ctx)


def _assignment(ctx: Context, code: str) -> AssignmentView | None:
    wanted = match_key(code)
    return next((v for v in _views(ctx) if match_key(v.task.code) == wanted), None)


def _open_due(ctx: Context, view: AssignmentView) -> date | None:
    due = extensions.open_due(ctx.session, view.assignment)
    if due is None:
        ctx.reply(_("{code} has no open deadline to extend.").format(code=esc(view.task.code)))
        return None
    assert view.id is not None
    pending = ctx.session.exec(
        select(Extension.id).where(
            Extension.assignment_id == view.id, Extension.due == due, Extension.state == ExtensionState.PENDING
        )
    ).first()
    if pending is not None:
        ctx.reply(
            _("A request for more time on {code} is already waiting for an answer (no. {number}).").format(
                code=esc(view.task.code), number=pending
            )
        )
        return None
    return due


def _current_due(ctx: Context) -> date:
    return date.fromisoformat(str(ctx.data["due"]))


def _ask_date(ctx: Context) -> None:
    assignment = ctx.session.get(Assignment, ctx.data.get("assignment"))
    moved = (
        extensions.current_extension(ctx.session, assignment.id, _current_due(ctx))
        if assignment is not None and assignment.id is not None
        else None
    )
    due = _current_due(ctx)
    following = (due.replace(day=1) + timedelta(days=62)).replace(day=1) - timedelta(days=1)  # end of next month
    ctx.reply(
        _(
            "The deadline is {dates}. To what date do you ask to extend it? Type it as day/month/year, "
            "for example {example}."
        ).format(dates=extensions.describe_due(due, moved), example=f"{following:%d/%m/%Y}")
    )


def _ask_reason(ctx: Context) -> None:
    ctx.reply(_("Why is more time needed? Managers will see the reason."))


def _take_date(ctx: Context, text: str) -> bool:
    """Read the proposed date; on a problem, say what is wrong and stay at the date step."""
    found = read_date(text, ctx.now.year)
    due = _current_due(ctx)
    if isinstance(found, DateProblem):
        ctx.reply(describe_day(found, esc(text), due.year))
        return False
    assignment = ctx.session.get(Assignment, ctx.data.get("assignment"))
    moved = (
        extensions.current_extension(ctx.session, assignment.id, due)
        if assignment is not None and assignment.id is not None
        else None
    )
    latest = moved or due
    if found <= latest or found <= ctx.now.date():
        ctx.reply(
            _("{typed} is not later than the deadline ({due}) and today: please type a later date.").format(
                typed=format_date(found), due=format_date(latest)
            )
        )
        return False
    ctx.go(FLOW_NAME, "reason", new_due=found.isoformat())
    return True


def _submit(ctx: Context, reason: str) -> None:
    data = ctx.data
    assignment = ctx.session.get(Assignment, data.get("assignment"))
    allowed = {u.id for u in ctx.reporting_units()}
    if assignment is None or not assignment.active or assignment.unit_id not in allowed:
        ctx.end()
        ctx.reply(_("This task is no longer assigned to your unit. Nothing was saved."))
        return
    task = ctx.session.get(Task, assignment.task_id)
    unit = ctx.session.get(Unit, assignment.unit_id)
    assert task is not None and unit is not None
    due, new_due = _current_due(ctx), date.fromisoformat(str(data["new_due"]))
    row = extensions.request(
        ctx.session,
        assignment,
        due=due,
        new_due=new_due,
        reason=reason,
        at=ctx.now,
        person_id=ctx.person.id if ctx.person else None,
    )
    ctx.end()
    assert row.id is not None
    _replan(ctx, assignment.id)  # the managers are reminded while it waits (dondoc.scheduler.requests)
    managers = [(p, a) for p, a in managers_of(ctx.session, unit) if p.id != (ctx.person.id if ctx.person else None)]

    def request_text(channel: str) -> str:
        """The request as a manager reads it on ``channel`` (no buttons on Zalo: a number to type)."""
        if has_buttons(channel):
            text = _(
                "📅 Request no. {number} for more time: <b>{unit}</b> asks to extend {code} — {title} from {due} to "
                "{new}.\nReason: {reason}\nRequested by {name}.\nAnswer with the buttons, or type /giahan {number} "
                "đồng ý or /giahan {number} không đồng ý REASON."
            )
        else:
            text = _(
                "📅 Request no. {number} for more time: <b>{unit}</b> asks to extend {code} — {title} from {due} to "
                "{new}.\nReason: {reason}\nRequested by {name}.\nAnswer by typing the number of a choice below, or "
                "type /giahan {number} đồng ý or /giahan {number} không đồng ý REASON."
            )
        return text.format(
            number=row.id,
            unit=esc(unit.name),
            code=esc(task.code),
            title=esc(_short(task.title)),
            due=format_date(due),
            new=format_date(new_due),
            reason=esc(reason),
            name=esc(ctx.person.full_name if ctx.person else ""),
        )

    choices = [[Choice(_("Approve"), button_data(row.id, True)), Choice(_("Refuse"), button_data(row.id, False))]]
    for _person, account in managers:
        ctx.reply(request_text(account.channel), choices, to=Address(channel=account.channel, chat_id=account.chat_id))
    if managers:
        ctx.reply(
            _("Your request no. {number} to extend {code} to {new} was sent to the managers.").format(
                number=row.id, code=esc(task.code), new=format_date(new_due)
            )
        )
    else:
        ctx.reply(
            _(
                "Your request no. {number} to extend {code} to {new} was recorded, but no manager can receive it yet: "
                "please tell them."
            ).format(number=row.id, code=esc(task.code), new=format_date(new_due))
        )


def _short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


class _ExtensionFlow:
    """The steps of a request: the date, then the reason."""

    def on_action(self, ctx: Context, action: str) -> None:
        if action == "cancel":
            ctx.end()
            ctx.reply(_("Cancelled. Nothing was saved."))

    def on_text(self, ctx: Context, text: str) -> None:
        if ctx.step == "date":
            if _take_date(ctx, text):
                _ask_reason(ctx)
        elif ctx.step == "reason":
            if text.strip():
                _submit(ctx, text.strip())
            else:
                _ask_reason(ctx)

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        ctx.reply(_("Please answer the question above first."))


FLOW = _ExtensionFlow()


# ---------------------------------------------------------------- answering


def on_button(ctx: Context, data: str) -> None:
    """A press on **Đồng ý** / **Không đồng ý** (or its number typed on Zalo)."""
    parsed = parse_button(data)
    if parsed is None:
        ctx.reply(_("This button is no longer valid."), toast=_("Expired"))
        return
    _answer(ctx, parsed[0], parsed[1], "")


def _typed_answer(ctx: Context, number: int, text: str) -> None:
    """``/giahan 12 đồng ý [lý do]`` or ``/giahan 12 không đồng ý lý do``."""
    typed = text.split()
    keys = [match_key(word) for word in typed]
    for phrases, approve in ((_NO, False), (_YES, True)):  # "không đồng ý" before "đồng ý"
        for phrase in phrases:
            size = len(phrase.split())
            if " ".join(keys[:size]) == phrase:
                if number > MAX_ID:
                    break
                _answer(ctx, number, approve, " ".join(typed[size:]).strip(" :,-"))
                return
    ctx.reply(usage(ctx))


def _answer(ctx: Context, number: int, approve: bool, note: str) -> None:
    row = ctx.session.get(Extension, number)
    assignment = ctx.session.get(Assignment, row.assignment_id) if row is not None else None
    unit = ctx.session.get(Unit, assignment.unit_id) if assignment is not None else None
    me = ctx.person.id if ctx.person else None
    if row is None or assignment is None or unit is None or not _may_answer(ctx, unit):
        ctx.reply(_("There is no request no. {number} for you to answer.").format(number=number), toast=_("Expired"))
        return
    task = ctx.session.get(Task, assignment.task_id)
    code = esc(task.code if task else "")
    if not extensions.answer(ctx.session, number, approve=approve, person_id=me, at=ctx.now, note=note):
        row = ctx.session.get(Extension, number)
        assert row is not None
        who = ctx.session.get(Person, row.answered_by_person_id) if row.answered_by_person_id else None
        ctx.reply(
            _("Request no. {number} was already answered by {name}: {answer}.").format(
                number=number, name=esc(who.full_name if who else "—"), answer=_answer_label(row.state)
            ),
            toast=_("Already answered"),
        )
        return
    row = ctx.session.get(Extension, number)
    assert row is not None and assignment.id is not None
    if approve:
        from dondoc.scheduler.calendar import calendar_from_env
        from dondoc.scheduler.extend import apply_extension

        apply_extension(ctx.session, row, ctx.settings.calendar or calendar_from_env(), ctx.now)
    else:
        _replan(ctx, assignment.id)  # its reminders to the managers stop
    label = _answer_label(row.state)
    detail = f" ({esc(note)})" if note else ""
    ctx.reply(
        _("Recorded: request no. {number} ({code}, {unit}) — {answer}{note}. The unit is told.").format(
            number=number, code=code, unit=esc(unit.code), answer=label, note=detail
        ),
        toast=label,
    )
    name = esc(ctx.person.full_name if ctx.person else "")
    if approve:
        told = _(
            "Your request no. {number}: {code} is extended from {due} to {new} (approved by {name}){note}."
        ).format(
            number=number, code=code, due=format_date(row.due), new=format_date(row.new_due), name=name, note=detail
        )
    else:
        told = _(
            "Your request no. {number} to extend {code} was not approved by {name}{note}; the deadline stays {due}."
        ).format(number=number, code=code, name=name, note=detail, due=format_date(row.due))
    if row.requested_by_person_id is not None:
        for account in _accounts(ctx, row.requested_by_person_id):
            ctx.reply(told, to=Address(channel=account.channel, chat_id=account.chat_id))
    others = _("Request no. {number} ({code}, {unit}) was answered by {name}: {answer}.").format(
        number=number, code=code, unit=esc(unit.code), name=name, answer=label
    )
    for person, account in managers_of(ctx.session, unit):
        if person.id != me:
            ctx.reply(others, to=Address(channel=account.channel, chat_id=account.chat_id))


def _may_answer(ctx: Context, unit: Unit) -> bool:
    """The unit's managers, the coordinating unit's, and the organisation's administrators."""
    if ctx.person is None:
        return False
    if unit.organization_id in ctx.organizations(MemberRole.ADMIN):
        return True
    return any(person.id == ctx.person.id for person, _account in managers_of(ctx.session, unit))


def _answer_label(state: str) -> str:
    if state == ExtensionState.APPROVED:
        return _("Approved")
    if state == ExtensionState.REJECTED:
        return _("Refused")
    return _("pending")


def _accounts(ctx: Context, person_id: int) -> list[ChannelAccount]:
    """The account a person is reached on: the one used last."""
    accounts = list(
        ctx.session.exec(
            select(ChannelAccount)
            .where(ChannelAccount.person_id == person_id)
            .order_by(col(ChannelAccount.last_used_at).desc(), col(ChannelAccount.id))
        )
    )
    return accounts[:1]


def _replan(ctx: Context, assignment_id: int | None) -> None:
    from dondoc.scheduler.calendar import calendar_from_env
    from dondoc.scheduler.schedule import replan

    if assignment_id is not None:
        replan(ctx.session, ctx.settings.calendar or calendar_from_env(), ctx.now, assignment_ids=[assignment_id])


def from_reminder(ctx: Context, reminder: Reminder, approve: bool) -> None:
    """**Đồng ý** / **Không đồng ý** on a managers' reminder about a request still waiting."""
    row = ctx.session.exec(
        select(Extension)
        .where(Extension.assignment_id == reminder.assignment_id, Extension.due == reminder.due)
        .order_by(col(Extension.id).desc())
    ).first()
    if row is None or row.id is None:
        ctx.reply(_("This button is no longer valid."), toast=_("Expired"))
        return
    _answer(ctx, row.id, approve, "")


def _pending_list(ctx: Context) -> None:
    """``/giahan`` for a manager: the requests waiting for an answer that they may give, with buttons."""
    orgs = ctx.organizations(MemberRole.MANAGER, MemberRole.ADMIN)
    waiting = []
    for view in extensions.list_extensions(ctx.session, orgs):
        if view.state != ExtensionState.PENDING:
            continue
        unit = ctx.session.exec(select(Unit).where(col(Unit.organization_id).in_(orgs), Unit.code == view.unit)).first()
        if unit is not None and _may_answer(ctx, unit):
            waiting.append(view)
    if not waiting:
        ctx.reply(_("No request for more time is waiting for your answer.") + "\n" + usage(ctx))
        return
    lines = ["<b>" + _("Requests for more time waiting for your answer: {count}").format(count=len(waiting)) + "</b>"]
    rows: list[list[Choice]] = []
    for view in waiting[:30]:
        lines.append(
            "• "
            + _("no. {number} — {unit} · {code}: from {due} to {new} — {reason}").format(
                number=view.id,
                unit=esc(view.unit_name),
                code=esc(view.task),
                due=format_date(view.due),
                new=format_date(view.new_due),
                reason=esc(view.reason),
            )
        )
        if len(rows) < 10:
            rows.append(
                [
                    Choice(_("Approve no. {number}").format(number=view.id), button_data(view.id, True)),
                    Choice(_("Refuse no. {number}").format(number=view.id), button_data(view.id, False)),
                ]
            )
    ctx.reply("\n".join(lines), rows)
