"""The report conversation (báo cáo tiến độ): task → status → percent or completion date or
blocker → note → evidence → confirm. Diagram: ``docs/report.mmd``.

Every step can be answered by a button or by typing (the button's number, or its label with or
without diacritics), so the same flow works on channels without buttons. The state lives in the
``conversation`` table; nothing is recorded until the person confirms, and the confirmation checks
again that the task is still theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dondoc.db.models import Assignment, Organization, Plan, Report, Role, Status, Task, Unit
from dondoc.db.queries import CORRECTION_DAYS, AssignmentView, managers_of, unit_assignments
from dondoc.handlers.context import Context, page_nav, paginate, split_action
from dondoc.handlers.events import Address, Attachment, esc
from dondoc.i18n import N_, _, format_date, ngettext
from dondoc.plan.dates import DateProblem, read_completion_date
from dondoc.plan.dates import describe as describe_date_problem
from dondoc.plan.progress import Chased, ReportRow, chased_deadlines, status_label
from dondoc.scheduler.schedule import add_report
from dondoc.text import match_key
from dondoc.tz import TZ

FLOW_NAME = "report"


class Step(StrEnum):
    """The report conversation's steps, as ``conversation.step`` stores them; :data:`STEPS` says what
    each does with typing, a "Skip" and an answer it cannot read."""

    TASK = "task"
    STATUS = "status"
    PERCENT = "percent"
    DATE = "date"
    BLOCKER = "blocker"
    NOTE = "note"
    EVIDENCE = "evidence"
    CONFIRM = "confirm"


PAGE_SIZE = 8
ROLE_LABELS = {Role.LEAD: N_("lead"), Role.SUPPORT: N_("support")}
_PERCENT = re.compile(r"^\s*(\d{1,3})\s*%?\s*$")
_NUMBER = re.compile(r"^\s*[-+]?\d+(?:[.,]\d+)?\s*%?\s*$")  # a number, though not a percentage
_WORD = re.compile(r"[^\W\d_]{2}")  # two letters in a row: words, not a stray key
# Document numbers as Vietnamese offices write them: 15/KH-UBND, 61/2018/NĐ-CP, 123/QĐ-UBND.
DOCUMENT_NUMBER = re.compile(r"\b(\d{1,5}(?:/\d{4})?/[A-ZĐ][A-ZĐ0-9&]*(?:-[A-ZĐ0-9&]+)*)")
_SHORT_TITLE = 48
# Where an organisation's name goes on to its place ("Ủy ban nhân dân xã Tân Phước", "Sở Nội vụ tỉnh X").
_LEVELS = tuple(
    tuple(k.split()) for k in ("thanh pho", "thi xa", "thi tran", "dac khu", "tinh", "huyen", "xa", "phuong")
)  # not "quận": "Ban Quản lý …"


def issuer_abbreviation(name: str) -> str:
    """How an organisation's documents name it in their numbers ("… số 120/QĐ-BNV"): the initials of
    its name before its place, abbreviations kept ("Ủy ban nhân dân xã Tân Phước" → "UBND", "Bộ Nội vụ"
    → "BNV", "Bộ Giáo dục và Đào tạo" → "BGDĐT", "Sở Tài chính tỉnh X" → "STC"); "UBND" when the name
    gives none."""
    words = re.findall(r"[^\W\d_]+", name)
    keys = [match_key(w) for w in words]
    if keys[:4] == ["uy", "ban", "nhan", "dan"] or keys[:1] == ["ubnd"]:
        return "UBND"  # also "Ủy ban nhân dân quận 1"
    letters = ""
    for i, (word, key) in enumerate(zip(words, keys, strict=True)):
        if any(tuple(keys[i : i + len(level)]) == level for level in _LEVELS):
            break
        if key == "va":
            continue
        if len(word) > 1 and word.isupper():
            letters += word.replace("Ð", "Đ")  # "UBND xã …", "HĐND"
        else:
            first = word[0].upper()
            letters += first if first == "Đ" else match_key(first).upper()
    return letters if 2 <= len(letters) <= 8 else "UBND"


def issuer(ctx: Context) -> str:
    """The abbreviation of the person's organisation in its documents' numbers (see
    :func:`issuer_abbreviation`), for the examples of evidence: "UBND" for someone in none yet."""
    for _membership, unit in ctx.memberships:
        organization = ctx.session.get(Organization, unit.organization_id)
        if organization is not None:
            return issuer_abbreviation(organization.name)
    return "UBND"


def short(title: str, limit: int = _SHORT_TITLE) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def start(ctx: Context, args: str) -> None:
    """``/report`` (choose a task) or ``/report III.4`` (that task straight away)."""
    views = my_assignments(ctx)
    if not views:
        ctx.reply(_("Your unit has no tasks in the plan."))
        return
    if args:
        wanted = match_key(args)
        matching = [v for v in views if match_key(v.task.code) == wanted]
        if len(matching) == 1:
            _begin(ctx, matching[0])
            return
        if not matching:
            ctx.reply(_("Your unit has no task {code}.").format(code=esc(args)))
    ctx.go(FLOW_NAME, Step.TASK)
    _ask_task(ctx, views, page=0)


def begin_for_assignment(ctx: Context, assignment_id: int, status: Status | None = None) -> None:
    """Open the report on one assignment (from a reminder's button), optionally with a status chosen."""
    view = next((v for v in my_assignments(ctx) if v.id == assignment_id), None)
    if view is None:
        ctx.reply(_("This task is no longer assigned to your unit."))
        return
    left = unfinished(ctx) if ctx.data.get("assignment") != view.id else None
    first = len(ctx.replies)
    if status is None:
        _begin(ctx, view)
    else:  # the status is known: the task, then straight to the question after it, in one message
        ctx.go(FLOW_NAME, Step.STATUS, assignment=view.id, task=view.task.code, issuer=issuer(ctx))
        header = _header(ctx)
        if header is None:
            return
        _choose_status(ctx, status)
        lead(ctx, first, header + "\n" + _("Status: {status}").format(status=status_label(status)))
    if left:
        lead(ctx, first, left)


def my_assignments(ctx: Context) -> list[AssignmentView]:
    units = [u.id for u in ctx.reporting_units() if u.id is not None]
    views = unit_assignments(ctx.session, units)
    today = ctx.now.date()
    far = date.max
    return sorted(views, key=lambda v: (v.next_due(today) or far, v.task.position, v.unit.position))


def by_chased_deadline(
    ctx: Context, views: list[AssignmentView]
) -> tuple[list[AssignmentView], dict[int, Chased], dict[int, ReportRow]]:
    """``views`` in the order /tasks and the task picker show them: by the deadline each is chased for
    (the one reminders and /status are about: the earliest not closed), overdue ones first, tasks with
    every deadline closed or none last; with that deadline and the newest standing report of each."""
    chased, newest = chased_deadlines(ctx.session, {v.id: v.dates for v in views}, ctx.now.date())
    far = date.max

    def order(view: AssignmentView) -> tuple[int, date, int, int]:
        found = chased.get(view.id)
        if found is None:
            return (1, far, view.task.position, view.unit.position)
        return (1 if found.closed else 0, found.judged, view.task.position, view.unit.position)

    return sorted(views, key=order), chased, newest


def _ask_task(ctx: Context, views: list[AssignmentView], page: int) -> None:
    views = by_chased_deadline(ctx, views)[0]  # as /tasks lists them
    several_units = len({v.unit.id for v in views}) > 1
    chunk, page, pages = paginate(views, page, PAGE_SIZE)
    options: list[list[tuple[str, str]]] = []
    for view in chunk:
        label = f"{view.task.code} · {short(view.task.title, 36)}"
        if several_units:
            label = f"{view.unit.code} · {label}"
        options.append([(label, f"a:{view.id}")])
    nav = page_nav(page, pages, "page")
    if nav:
        options.append(nav)
    text = _("Which task are you reporting on? (page {page}/{pages})").format(page=page + 1, pages=pages)
    how = (
        _("Tap a task, or type its code (e.g. {code}).")
        if ctx.has_buttons
        else _("Type the task's number in the list, or its code (e.g. {code}).")
    )
    ctx.reply(text + "\n" + how.format(code=esc(chunk[0].task.code)), ctx.offer(options))


def _begin(ctx: Context, view: AssignmentView) -> None:
    # The organisation's initials for the note step's example, read here rather than at that step: a
    # typed percent is answered with two statements, not three.
    ctx.go(FLOW_NAME, Step.STATUS, assignment=view.id, task=view.task.code, issuer=issuer(ctx))
    _ask_status(ctx)


def _header(ctx: Context) -> str | None:
    """The conversation's task and unit, as the report's first question shows them (None: the task is
    no longer the person's, and they were told)."""
    view = _current(ctx)
    if view is None:
        return None
    assignment, task, unit = view
    return _("<b>{code}</b> — {title}\n{unit} ({role})").format(
        code=esc(task.code),
        title=esc(short(task.title, 120)),
        unit=esc(unit.name),
        role=_(ROLE_LABELS[assignment.role]),
    )


def lead(ctx: Context, first: int, text: str) -> None:
    """Put ``text`` at the head of the first reply to the person made since ``ctx.replies[first]``
    (one message rather than two: Zalo's messages are counted), or send it alone if there is none."""
    own = [reply for reply in ctx.replies[first:] if reply.to is None and reply.text]
    if own:
        own[0].text = text + "\n\n" + own[0].text
    else:
        ctx.reply(text)


def _ask_status(ctx: Context) -> None:
    header = _header(ctx)
    if header is None:
        return
    options = [
        [
            (status_label(Status.NOT_STARTED), "st:not_started"),
            (status_label(Status.IN_PROGRESS), "st:in_progress"),
        ],
        [(status_label(Status.DONE), "st:done"), (status_label(Status.BLOCKED), "st:blocked")],
    ]
    ctx.reply(header + "\n\n" + _("What is the status?"), ctx.offer(options))


def _current(ctx: Context) -> tuple[Assignment, Task, Unit] | None:
    """The conversation's assignment, checked again: still active, still this person's unit."""
    assignment = ctx.session.get(Assignment, ctx.data.get("assignment"))
    allowed = {u.id for u in ctx.reporting_units()}
    if assignment is None or not assignment.active or assignment.unit_id not in allowed:
        ctx.end()
        ctx.reply(_("This task is no longer assigned to your unit. Nothing was saved."))
        return None
    task = ctx.session.get(Task, assignment.task_id)
    unit = ctx.session.get(Unit, assignment.unit_id)
    if task is None or unit is None or not task.active:
        ctx.end()
        ctx.reply(_("This task has been removed from the plan. Nothing was saved."))
        return None
    return assignment, task, unit


def _choose_status(ctx: Context, status: Status) -> None:
    if status == Status.DONE:
        ctx.go(FLOW_NAME, Step.DATE, status=status.value, percent=100, blocked_reason=None)
        _ask_date(ctx)
    elif status == Status.NOT_STARTED:
        ctx.go(FLOW_NAME, Step.NOTE, status=status.value, percent=0, completed_on=None, blocked_reason=None)
        _ask_note(ctx)
    else:
        ctx.go(FLOW_NAME, Step.PERCENT, status=status.value, completed_on=None, blocked_reason=None)
        _ask_percent(ctx)


def _ask_date(ctx: Context) -> None:
    today = format_date(ctx.now.date())
    question = (
        _("On what date was it completed? Tap Today or type a date (dd/mm/yyyy).")
        if ctx.has_buttons
        else _("On what date was it completed? Type a date (dd/mm/yyyy), or choose Today.")
    )
    ctx.reply(question, ctx.offer([[(_("Today ({date})").format(date=today), "date:today")]]))


def _ask_percent(ctx: Context) -> None:
    """The percent step. Typing a number is its first reading (``60`` is 60 %), so on a channel without
    buttons the usual figures are not offered as numbered choices: a typed ``4`` would be 4 %, not
    the fourth choice."""
    blocked = ctx.data.get("status") == Status.BLOCKED.value
    if ctx.has_buttons:
        question = _("How far along is it? Tap a button or type a number such as 60.")
        options = [[("25%", "pct:25"), ("50%", "pct:50"), ("75%", "pct:75"), ("100%", "pct:100")]]
        choices = ctx.offer(options)
    else:
        question = _("How far along is it? Type a percentage from 0 to 100, such as 25, 50 or 60.")
        choices = []
    if blocked and not ctx.data.get("blocked_reason"):
        question += "\n" + _("Then say what is blocking it.")
    ctx.reply(question, choices)


def _ask_note(ctx: Context) -> None:
    ctx.reply(
        _(
            "Add a short note (what was done; a document number such as “Kế hoạch số 15/KH-{issuer}” is recorded as evidence), or skip."
        ).format(issuer=esc(ctx.data.get("issuer") or issuer(ctx))),
        ctx.offer([[(_("Skip"), "skip")]]),
    )


def _ask_blocker(ctx: Context) -> None:
    ctx.reply(
        _("What is blocking it? Managers will be told. Or ask for more time on this task."),
        ctx.offer([[(_("Request an extension"), "extend")]]),
    )


def _ask_evidence(ctx: Context) -> None:
    question = (
        _("Send a photo or a PDF as evidence, or skip.")
        if ctx.has_buttons
        else _("Send a photo as evidence (for example of the signed document), or skip.")
    )
    ctx.reply(question, ctx.offer([[(_("Skip"), "skip")]]))


def _percent_done(ctx: Context, percent: int) -> None:
    if ctx.data.get("status") == Status.BLOCKED.value:
        reason = ctx.data.get("blocked_reason")
        ctx.go(FLOW_NAME, Step.BLOCKER, percent=percent)
        if reason:  # typed at the percent step already
            _blocker_done(ctx, str(reason))
        else:
            _ask_blocker(ctx)
    else:
        ctx.go(FLOW_NAME, Step.NOTE, percent=percent)
        _ask_note(ctx)


def _note_done(ctx: Context, note: str) -> None:
    found = DOCUMENT_NUMBER.search(note)
    ctx.go(FLOW_NAME, Step.EVIDENCE, note=note, evidence_ref=found.group(1) if found else None)
    _ask_evidence(ctx)


def _summary(ctx: Context) -> None:
    current = _current(ctx)
    if current is None:
        return
    assignment, task, unit = current
    data = ctx.data
    status = Status(data["status"])
    lines = [
        "<b>" + _("Please check your report") + "</b>",
        _("Task: {code} — {title}").format(code=esc(task.code), title=esc(short(task.title, 80))),
        _("Unit: {unit} ({role})").format(unit=esc(unit.name), role=_(ROLE_LABELS[assignment.role])),
        _("Status: {status} — {percent}%").format(status=status_label(status), percent=data.get("percent", 0)),
    ]
    if data.get("completed_on"):
        lines.append(_("Completed on: {date}").format(date=format_date(date.fromisoformat(data["completed_on"]))))
    if data.get("blocked_reason"):
        lines.append(_("Blocked by: {reason}").format(reason=esc(data["blocked_reason"])))
    if data.get("note") and data.get("note") != data.get("blocked_reason"):
        lines.append(_("Note: {note}").format(note=esc(data["note"])))
    if data.get("evidence_ref"):
        lines.append(_("Document: {ref}").format(ref=esc(data["evidence_ref"])))
    if data.get("evidence_kind"):
        kind = (
            _("photo")
            if data["evidence_kind"] == "photo"
            else _("file {name}").format(name=esc(data.get("evidence_name", "")))
        )
        lines.append(_("Evidence: {kind}").format(kind=kind))
    ctx.go(FLOW_NAME, Step.CONFIRM)
    ctx.reply(
        "\n".join(lines),
        ctx.offer([[(_("Confirm"), "confirm"), (_("Edit"), "edit"), (_("Cancel"), "cancel")]]),
    )


def _confirm(ctx: Context) -> None:
    current = _current(ctx)
    if current is None:
        return
    assignment, task, unit = current
    data = ctx.data
    status = Status(data["status"])
    completed_on = date.fromisoformat(data["completed_on"]) if data.get("completed_on") else None
    assert ctx.person is not None
    recorded = add_report(
        ctx.session,
        assignment,
        status=status,
        percent=int(data.get("percent", 0)),
        reported_at=ctx.now,
        note=data.get("note", ""),
        completed_on=completed_on,
        blocked_reason=data.get("blocked_reason", ""),
        evidence_ref=data.get("evidence_ref", ""),
        evidence_file_id=data.get("evidence_file_id", ""),
        evidence_kind=data.get("evidence_kind", ""),
        reporter_person_id=ctx.person.id,
        calendar=ctx.settings.calendar,
    )
    ctx.end()
    # ``hủy`` undoes it as it undoes a one-line report (dondoc.handlers.oneline.undo), within its window.
    ctx.keep(last_oneline={"report": recorded.id, "at": ctx.now.isoformat()})
    text = _("Recorded: {code} — {status}, {percent}%. Thank you.").format(
        code=esc(task.code),
        status=status_label(status),
        percent=100 if status == Status.DONE else data.get("percent", 0),
    )
    corrected = ctx.session.get(Report, recorded.corrects_report_id) if recorded.corrects_report_id else None
    if corrected is not None and corrected.status == Status.DONE:
        text += " " + _("It replaces your report “{status}” of {date}; both stay in the history.").format(
            status=status_label(corrected.status), date=format_date(corrected.reported_at.astimezone(TZ).date())
        )
    if status == Status.DONE:  # the rule of dondoc.plan.progress: soon after, a new report replaces it
        text += " " + ngettext(
            "If it needs correcting, report again on this task within {days} day: the new report replaces this one.",
            "If it needs correcting, report again on this task within {days} days: the new report replaces this one.",
            CORRECTION_DAYS,
        ).format(days=CORRECTION_DAYS)
    else:
        text += " " + _("If it needs correcting, report again on this task: the newest report counts.")
    text += "\n" + _("Type hủy within 10 minutes to undo this report.")
    ctx.reply(text, toast=_("Recorded"))
    if status == Status.BLOCKED:
        alert_managers(ctx, task, unit, data.get("blocked_reason", ""))


def alert_managers(ctx: Context, task: Task, unit: Unit, reason: str) -> None:
    text = _("⚠ {unit} reports that {code} — {title} is blocked: {reason}").format(
        unit=f"<b>{esc(unit.name)}</b>", code=esc(task.code), title=esc(short(task.title)), reason=esc(reason)
    )
    for person, account in managers_of(ctx.session, unit):
        if person.id != (ctx.person.id if ctx.person else None):
            ctx.reply(text, to=Address(channel=account.channel, chat_id=account.chat_id))


def _plan_year(ctx: Context) -> int:
    """The year of the plan of the conversation's task (today's year if it cannot be found)."""
    assignment = ctx.session.get(Assignment, ctx.data.get("assignment"))
    task = ctx.session.get(Task, assignment.task_id) if assignment else None
    plan = ctx.session.get(Plan, task.plan_id) if task else None
    return plan.year if plan else ctx.now.date().year


def _ask_again_task(ctx: Context) -> None:
    ctx.go(FLOW_NAME, Step.TASK)
    _ask_task(ctx, my_assignments(ctx), 0)


def _ask_again_status(ctx: Context) -> None:
    ctx.go(FLOW_NAME, Step.STATUS)
    _ask_status(ctx)


def _ask_again_note(ctx: Context) -> None:
    ctx.go(FLOW_NAME, Step.NOTE)
    _ask_note(ctx)


def _ask_again_evidence(ctx: Context) -> None:
    ctx.go(FLOW_NAME, Step.EVIDENCE)
    _ask_evidence(ctx)


def _typed_task(ctx: Context, text: str) -> bool:
    """A task typed by its code."""
    matching = [v for v in my_assignments(ctx) if text and match_key(v.task.code) == match_key(text)]
    if len(matching) != 1:
        return False
    _begin(ctx, matching[0])
    return True


def _typed_percent(ctx: Context, text: str) -> bool:
    """A percentage (``60``, ``60%``); a number over 100 is refused as such; on a blocked task, words
    are the blocker, which the step after asks for (kept, then the percentage is asked again)."""
    match = _PERCENT.match(text)
    if match and int(match.group(1)) <= 100:
        _percent_done(ctx, int(match.group(1)))
        return True
    if match or _NUMBER.match(text):
        ctx.reply(
            _("{typed} is not a percentage: please type a whole number from 0 to 100.").format(typed=esc(text.strip()))
        )
        _ask_percent(ctx)
        return True
    if ctx.data.get("status") == Status.BLOCKED.value and _WORD.search(text) and ctx.resolve_typed(text) is None:
        ctx.go(FLOW_NAME, Step.PERCENT, blocked_reason=text.strip())
        ctx.reply(_("Noted what is blocking it: {reason}").format(reason=esc(text.strip())))
        _ask_percent(ctx)
        return True
    return False


def _typed_date(ctx: Context, text: str) -> bool:
    year, today = _plan_year(ctx), ctx.now.date()
    day = read_completion_date(text, year, today)
    if isinstance(day, DateProblem):
        ctx.reply(describe_date_problem(day, esc(text.strip()), year, today))
    else:
        _date_done(ctx, day)
    return True


def _date_done(ctx: Context, day: date) -> None:
    """The completion date is known: the note is asked, with the date as it was read (``hôm qua``)."""
    ctx.go(FLOW_NAME, Step.NOTE, completed_on=day.isoformat())
    first = len(ctx.replies)
    _ask_note(ctx)
    lead(ctx, first, _("Completed on: {date}").format(date=format_date(day)))


def _typed_blocker(ctx: Context, text: str) -> bool:
    if not text:
        return False
    _blocker_done(ctx, text)
    return True


def _blocker_done(ctx: Context, reason: str) -> None:
    """The blocker is known: it is the report's note too (as a one-line report keeps it), then evidence."""
    ctx.go(FLOW_NAME, Step.EVIDENCE, blocked_reason=reason, note=reason)
    found = DOCUMENT_NUMBER.search(reason)
    if found:
        ctx.go(FLOW_NAME, Step.EVIDENCE, evidence_ref=found.group(1))
    _ask_evidence(ctx)


def _typed_note(ctx: Context, text: str) -> bool:
    """The note; on a done task, a date alone (``14/3``) corrects the completion date instead."""
    if not text:
        return False
    if ctx.data.get("status") == Status.DONE.value:
        year, today = _plan_year(ctx), ctx.now.date()
        day = read_completion_date(text, year, today)
        if isinstance(day, date):
            _date_done(ctx, day)
            return True
        if day != DateProblem.NOT_A_DATE:  # a date, but not one it can have been done on
            first = len(ctx.replies)
            _ask_again_note(ctx)
            lead(ctx, first, describe_date_problem(day, esc(text.strip()), year, today))
            return True
    _note_done(ctx, text)
    return True


@dataclass(frozen=True)
class _StepRules:
    """What a step of the report does with an answer that is not a button press."""

    ask: Callable[[Context], None]  # put its question again
    typed: Callable[[Context, str], bool] | None = None  # read a typed answer; False: not one
    typed_first: bool = False  # read typing before matching it to a button (a code, a number)
    skip: Callable[[Context], None] | None = None  # the step's "Skip" button


STEPS: dict[Step, _StepRules] = {
    Step.TASK: _StepRules(ask=_ask_again_task, typed=_typed_task, typed_first=True),
    Step.STATUS: _StepRules(ask=_ask_again_status),
    Step.PERCENT: _StepRules(ask=_ask_percent, typed=_typed_percent, typed_first=True),
    Step.DATE: _StepRules(ask=_ask_date, typed=_typed_date),
    Step.BLOCKER: _StepRules(ask=_ask_blocker, typed=_typed_blocker),
    Step.NOTE: _StepRules(ask=_ask_again_note, typed=_typed_note, skip=lambda ctx: _note_done(ctx, "")),
    Step.EVIDENCE: _StepRules(ask=_ask_again_evidence, skip=_summary),
    Step.CONFIRM: _StepRules(ask=_summary),
}


def _rules(ctx: Context) -> _StepRules | None:
    """The rules of the conversation's current step (None outside the report's steps)."""
    try:
        return STEPS[Step(ctx.step)]
    except ValueError:
        return None


class _ReportFlow:
    """Answers to each step, by button (``on_action``), typing (``on_text``) or file (``on_file``)."""

    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        rules = _rules(ctx)
        if kind == "page":
            ctx.go(FLOW_NAME, Step.TASK)
            _ask_task(ctx, my_assignments(ctx), int(value))
        elif kind == "a":
            view = next((v for v in my_assignments(ctx) if v.id == int(value)), None)
            if view is None:
                ctx.end()
                ctx.reply(_("This task is no longer assigned to your unit. Nothing was saved."))
            else:
                _begin(ctx, view)
        elif kind == "st":
            _choose_status(ctx, Status(value))
        elif kind == "pct":
            _percent_done(ctx, int(value))
        elif kind == "date":
            _date_done(ctx, ctx.now.date())
        elif action == "skip" and rules is not None and rules.skip is not None:
            rules.skip(ctx)
        elif action == "extend":
            from dondoc.handlers import extensions

            extensions.begin_for_assignment(ctx, int(ctx.data.get("assignment", 0)))
        elif action == "confirm":
            _confirm(ctx)
        elif action == "edit":
            ctx.go(FLOW_NAME, Step.STATUS)
            _ask_status(ctx)
        elif action == "cancel":
            ctx.end()
            ctx.reply(_("Cancelled. Nothing was saved."))

    def on_text(self, ctx: Context, text: str) -> None:
        rules = _rules(ctx)
        typed = rules.typed if rules is not None else None
        if rules is not None and typed is not None and rules.typed_first and typed(ctx, text):
            return
        action = ctx.resolve_typed(text)
        if action is not None:
            self.on_action(ctx, action)
            return
        if rules is not None and typed is not None and not rules.typed_first and typed(ctx, text):
            return
        code = ctx.data.get("task")
        if code:
            said = _("Your report on {code} is open: answer the question below, or type /cancel to stop it.")
        else:
            said = _("Your report is open: answer the question below, or type /cancel to stop it.")
        said = _("Sorry, I did not understand that answer.") + " " + said.format(code=esc(str(code)))
        first = len(ctx.replies)
        if rules is not None:
            rules.ask(ctx)
        lead(ctx, first, said)

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        if ctx.step != Step.EVIDENCE:
            ctx.reply(_("Please answer the question above first; you can send a photo or PDF at the evidence step."))
            return
        if attachment.kind == "document" and attachment.mime_type != "application/pdf":
            ctx.reply(_("Please send a photo or a PDF file."))
            return
        ctx.go(
            FLOW_NAME,
            Step.EVIDENCE,
            evidence_file_id=attachment.file_id,
            evidence_kind=attachment.kind,
            evidence_name=attachment.file_name,
        )
        _summary(ctx)


FLOW = _ReportFlow()


def reported_label(view: AssignmentView) -> str:
    """The last reported state, short: "Đang thực hiện 60% (12/03/2022)"."""
    latest = view.latest
    if latest is None:
        return _("no report yet")
    day = latest.completed_on if latest.status == Status.DONE and latest.completed_on else None
    when = format_date(day or latest.reported_at.astimezone(TZ).date())
    return f"{status_label(latest.status)} {latest.percent}% ({when})"


# ---------------------------------------------------------------------- a report left unfinished

_LONGEST_LINE = 300  # a one-line report longer than this is not offered to be copied


def open_task(ctx: Context) -> str | None:
    """The code of the task whose report is open past its first step (None: no report, or no task
    chosen yet: nothing would be lost)."""
    if ctx.flow != FLOW_NAME or ctx.step in ("", Step.TASK):
        return None
    code = ctx.data.get("task")
    return str(code) if code else None


def resume_line(ctx: Context, typed: str = "", action: str | None = None) -> str | None:
    """The one-line report (:mod:`dondoc.handlers.oneline`) that records what the open report holds,
    with ``typed`` (or the button pressed, ``action``) read as the answer to its open question when it
    is one; None when a one-line report cannot say it all (a photo, a status, a percentage or a
    blocker's reason not given yet)."""
    data = ctx.data
    code = open_task(ctx)
    if code is None or data.get("evidence_file_id"):
        return None
    status, percent = data.get("status"), data.get("percent")
    completed, note = data.get("completed_on"), str(data.get("note") or "")
    reason = str(data.get("blocked_reason") or "")
    typed = "" if typed.strip().startswith("/") else typed.strip()
    if action is None and typed:
        action = ctx.resolve_typed(typed)
    if typed or action:
        action = action or ""
        if ctx.step == Step.STATUS and action.startswith("st:"):
            status = action[3:]
        elif ctx.step == Step.PERCENT and action.startswith("pct:"):
            percent = int(action[4:])
        elif ctx.step == Step.PERCENT and (match := _PERCENT.match(typed)):
            percent = int(match.group(1))
        elif ctx.step == Step.DATE:
            day = (
                ctx.now.date()
                if action == "date:today"
                else read_completion_date(typed, _plan_year(ctx), ctx.now.date())
            )
            completed = day.isoformat() if isinstance(day, date) else completed
        elif ctx.step == Step.NOTE and (action == "skip" or typed):
            note = "" if action == "skip" else typed
        elif ctx.step == Step.BLOCKER and typed:
            reason = typed
    if status == Status.DONE.value and completed:
        head = f"{code} xong {date.fromisoformat(completed).strftime('%d/%m/%Y')}"
    elif status == Status.IN_PROGRESS.value and isinstance(percent, int) and 0 < percent < 100:
        head = f"{code} {percent}"
    elif status == Status.NOT_STARTED.value:
        head = f"{code} chưa"
    elif status == Status.BLOCKED.value and reason.strip():  # "I.4 vướng 40% chờ ý kiến" (the reason is its note)
        done = f" {percent}%" if isinstance(percent, int) and 0 < percent < 100 else ""
        head, note = f"{code} vướng{done}", reason
    else:
        return None
    line = " ".join([head, *note.split()])
    return line if len(line) <= _LONGEST_LINE else None


def unfinished(ctx: Context, typed: str = "", *, idle: bool = False, action: str | None = None) -> str | None:
    """What to tell the person when something else closes their open report: which one, that it was
    not saved, and the line that saves it (or ``/report CODE``). None when no report was under way."""
    code = open_task(ctx)
    if code is None:
        return None
    if idle:
        said = _(
            "Your report on {code} was left unfinished for more than 30 minutes and has been closed; nothing was saved."
        )
    else:
        said = _("Your unfinished report on {code} has not been saved.")
    line = resume_line(ctx, typed, action)
    if line is not None:
        how = _("To save it, type:") + f"\n<code>{esc(line)}</code>"
    else:
        how = _("To report on it, type /report {code}.").format(code=esc(code))
    return said.format(code=esc(code)) + " " + how
