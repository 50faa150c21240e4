"""One-line reports: ``I.2 60``, ``I.2 xong 28/01 Quyết định số 120/QĐ-UBND``, ``I.2 vướng …``,
``I.2 chưa``, recorded at once with one reply; ``hủy`` within :data:`UNDO_WINDOW` appends a report
that restores the state before it (both stay in the history).

What can be undone is kept in the ``conversation`` table (``last_oneline``: report id and time), never
only in memory.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from dondoc.db.models import Assignment, Plan, Report, Status, Task, Unit
from dondoc.db.queries import AssignmentView
from dondoc.handlers import report
from dondoc.handlers.context import Context
from dondoc.handlers.events import esc
from dondoc.i18n import _, format_date
from dondoc.plan.dates import DateProblem, read_completion_date
from dondoc.plan.dates import describe as describe_date_problem
from dondoc.plan.progress import status_label
from dondoc.scheduler.schedule import add_report
from dondoc.text import match_key
from dondoc.tz import TZ

UNDO_WINDOW = timedelta(minutes=10)
UNDO_WORDS = {"huy"}
_NUMBER = re.compile(r"^(\d{1,3})%?$")
# What a task code looks like: "I.2", "III.4.a", "2.1", "VII" (Roman or Arabic numbers, dots between).
_CODE_LIKE = re.compile(r"^(?:[IVXLC]+|\d{1,3})(?:\.[0-9A-Za-z]{1,3})*\.?$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?$")
# Status words as matching keys (diacritics and case ignored), longest first.
_DONE = (("hoan", "thanh"), ("xong",), ("ht",), ("done",))
_BLOCKED = (("vuong", "mac"), ("vuong",), ("blocked",))
_NOT_STARTED = (("chua", "thuc", "hien"), ("chua",))
# What a misspelt status word is taken for, as people write it (typed forms are matched without diacritics).
_GUESSES = {"xong": "xong", "hoan thanh": "hoàn thành", "vuong": "vướng", "chua": "chưa"}


@dataclass
class Parsed:
    status: Status
    percent: int
    note: str = ""
    completed_on: date | None = None
    blocked_reason: str = ""
    problems: list[str] = field(default_factory=list)


def syntax(code: str) -> str:
    """How to report in one line, with ``code`` as the example (already safe to show)."""
    return _(
        "Quick report: «{code} 60» or «{code} 60% note» (in progress), «{code} xong» or «{code} xong 28/01 Quyết định số 120/QĐ-UBND» (done), «{code} vướng reason» (blocked), «{code} chưa» (not started). Type hủy within 10 minutes to undo."
    ).format(code=code)


def handle(ctx: Context, text: str) -> bool:
    """Record ``text`` as a one-line report if it starts with one of the person's task codes (or undo
    with ``hủy``); False when it is neither, so the caller does what it did before."""
    if match_key(text) in UNDO_WORDS and not ctx.flow:
        undo(ctx)
        return True
    first, rest = [*text.split(maxsplit=1), "", ""][:2]
    if not first or not rest.strip():
        return False  # a code alone: the report conversation's own reading
    key = match_key(first)
    if not key:
        return False
    views = report.my_assignments(ctx)
    mine = [v for v in views if match_key(v.task.code) == key]
    if not mine:
        tasks = ctx.session.exec(select(Task).where(col(Task.active).is_(True))).all()
        if any(match_key(t.code) == key for t in tasks):
            ctx.reply(_("Your unit has no task {code}.").format(code=esc(first)) + " " + _("Nothing was saved."))
            return True
        return _no_such_task(ctx, views, first, rest)
    if len(mine) > 1:
        units = ", ".join(esc(v.unit.name) for v in mine)
        ctx.reply(
            _("{code} is a task of several of your units ({units}): please use /report {code} and choose one.").format(
                code=esc(mine[0].task.code), units=units
            )
        )
        return True
    view = mine[0]
    parsed = parse(rest, view, _plan_year(ctx, view.task), ctx.now.date())
    if parsed is None or parsed.problems:
        problems = parsed.problems if parsed is not None else [_nearest(rest, view.task.code)]
        ctx.reply("\n".join([*problems, _("Nothing was saved."), syntax(esc(view.task.code))]))
        return True
    _record(ctx, view, parsed)
    return True


def _no_such_task(ctx: Context, views: list[AssignmentView], first: str, rest: str) -> bool:
    """``first`` is no task's code, but the line reads as a one-line report (``I.99 xong``) from someone
    who reports: say so, offering the nearest of their own codes, rather than the generic help. Any
    other line (``chào anh``) is not ours: False."""
    if not views or not _CODE_LIKE.match(first):
        return False
    tokens = rest.split()
    keys = [match_key(t) for t in tokens]
    if not (_NUMBER.match(tokens[0]) or any(_starts(keys, words) for words in (_DONE, _BLOCKED, _NOT_STARTED))):
        return False
    codes = {match_key(v.task.code): v.task.code for v in views}
    lines = [_("There is no task {code} in the plan.").format(code=esc(first)) + " " + _("Nothing was saved.")]
    near = difflib.get_close_matches(match_key(first), list(codes), n=3, cutoff=0.6)
    if near:
        lines.append(
            _("Your unit's tasks closest to it: {codes}.").format(codes=", ".join(esc(codes[k]) for k in near))
        )
    lines.append(_("/tasks lists your unit's tasks with their codes."))
    ctx.reply("\n".join(lines))
    return True


def _nearest(rest: str, code: str) -> str:
    words = match_key(rest).split()
    head = " ".join(words[:2]) if words else ""
    guess = difflib.get_close_matches(head, list(_GUESSES), n=1, cutoff=0.4) or difflib.get_close_matches(
        words[0] if words else "", list(_GUESSES), n=1, cutoff=0.4
    )
    if guess:
        return _("I could not read “{typed}”. Did you mean «{code} {guess}»?").format(
            typed=esc(rest.strip()), code=esc(code), guess=_GUESSES[guess[0]]
        )
    return _("I could not read “{typed}” as a report.").format(typed=esc(rest.strip()))


def _starts(keys: list[str], options: tuple[tuple[str, ...], ...]) -> int:
    """How many words of ``keys`` one of ``options`` takes (0: none matches)."""
    for option in options:
        if tuple(keys[: len(option)]) == option:
            return len(option)
    return 0


def parse(rest: str, view: AssignmentView, plan_year: int, today: date) -> Parsed | None:
    """The report written after the task code, or None when it cannot be read."""
    tokens = rest.split()
    if not tokens:
        return None
    keys = [match_key(t) for t in tokens]
    number = _NUMBER.match(tokens[0])
    if number:
        percent = int(number.group(1))
        if percent > 100:
            return None
        note = " ".join(tokens[1:])
        if percent == 100:
            return Parsed(Status.DONE, 100, note=note, completed_on=today)
        return Parsed(Status.NOT_STARTED if percent == 0 else Status.IN_PROGRESS, percent, note=note)
    if taken := _starts(keys, _DONE):
        after = tokens[taken:]
        completed_on = today
        problems: list[str] = []
        if after and _DATE_LIKE.match(after[0]):
            day = read_completion_date(after[0], plan_year, today)
            if isinstance(day, DateProblem):
                problems.append(describe_date_problem(day, esc(after[0]), plan_year, today))
            else:
                completed_on = day
            after = after[1:]
        return Parsed(Status.DONE, 100, note=" ".join(after), completed_on=completed_on, problems=problems)
    if taken := _starts(keys, _BLOCKED):
        reason = " ".join(tokens[taken:])
        if not reason:
            return Parsed(Status.BLOCKED, 0, problems=[_("Please say what is blocking it, after “vướng”.")])
        latest = view.latest
        percent = latest.percent if latest is not None and latest.status != Status.DONE else 0
        return Parsed(Status.BLOCKED, percent, note=reason, blocked_reason=reason)
    if taken := _starts(keys, _NOT_STARTED):
        return Parsed(Status.NOT_STARTED, 0, note=" ".join(tokens[taken:]))
    return None


def _plan_year(ctx: Context, task: Task) -> int:
    plan = ctx.session.get(Plan, task.plan_id)
    return plan.year if plan else ctx.now.date().year


def _record(ctx: Context, view: AssignmentView, parsed: Parsed) -> None:
    assert ctx.person is not None
    found = report.DOCUMENT_NUMBER.search(parsed.note)
    recorded = add_report(
        ctx.session,
        view.assignment,
        status=parsed.status,
        percent=parsed.percent,
        reported_at=ctx.now,
        note=parsed.note,
        completed_on=parsed.completed_on,
        blocked_reason=parsed.blocked_reason,
        evidence_ref=found.group(1) if found else "",
        reporter_person_id=ctx.person.id,
        calendar=ctx.settings.calendar,
    )
    _remember(ctx, recorded)
    ctx.reply(_read_back(view.task, view.unit, recorded) + "\n" + _("Type hủy within 10 minutes to undo this report."))
    if parsed.status == Status.BLOCKED:
        report.alert_managers(ctx, view.task, view.unit, parsed.blocked_reason)


def _read_back(task: Task, unit: Unit, recorded: Report) -> str:
    lines = [
        _("Recorded: {code} — {unit}: {status} {percent}%.").format(
            code=f"<b>{esc(task.code)}</b>",
            unit=esc(unit.name),
            status=status_label(recorded.status),
            percent=recorded.percent,
        )
    ]
    if recorded.completed_on is not None:
        lines.append(_("Completed on: {date}").format(date=format_date(recorded.completed_on)))
    if recorded.blocked_reason:
        lines.append(_("Blocked by: {reason}").format(reason=esc(recorded.blocked_reason)))
    elif recorded.note:
        lines.append(_("Note: {note}").format(note=esc(recorded.note)))
    if recorded.evidence_ref:
        lines.append(_("Document: {ref}").format(ref=esc(recorded.evidence_ref)))
    return "\n".join(lines)


def _remember(ctx: Context, recorded: Report) -> None:
    """Keep what ``hủy`` may undo in the conversation row (no conversation is open)."""
    ctx.go("", "", last_oneline={"report": recorded.id, "at": ctx.now.isoformat()})


def undo(ctx: Context) -> None:
    """``hủy``: append a report restoring the state before the person's last one-line report."""
    last = ctx.data.get("last_oneline") if not ctx.flow else None
    at = datetime.fromisoformat(last["at"]) if isinstance(last, dict) and last.get("at") else None
    if last is None or at is None or ctx.now - at > UNDO_WINDOW:
        ctx.reply(_("There is no one-line report to undo: a report can be undone only within 10 minutes."))
        return
    undone = ctx.session.get(Report, last.get("report"))
    assignment = ctx.session.get(Assignment, undone.assignment_id) if undone else None
    allowed = {u.id for u in ctx.reporting_units()}
    if undone is None or assignment is None or not assignment.active or assignment.unit_id not in allowed:
        ctx.go("", "", last_oneline=None)
        ctx.reply(_("This task is no longer assigned to your unit. Nothing was saved."))
        return
    newest = ctx.session.exec(
        select(Report).where(Report.assignment_id == assignment.id).order_by(col(Report.id).desc())
    ).first()
    if newest is not None and newest.id != undone.id:
        ctx.go("", "", last_oneline=None)
        ctx.reply(_("A newer report on this task has been recorded since; nothing was undone."))
        return
    earlier = ctx.session.exec(
        select(Report)
        .where(Report.assignment_id == assignment.id, col(Report.id) < undone.id)
        .order_by(col(Report.id).desc())
    ).first()
    assert ctx.person is not None
    when = undone.reported_at.astimezone(TZ).strftime("%H:%M")
    note = _("Cancels the report of {time}").format(time=when)
    restored = add_report(
        ctx.session,
        assignment,
        status=earlier.status if earlier else Status.NOT_STARTED,
        percent=earlier.percent if earlier else 0,
        reported_at=ctx.now,
        note=note,
        completed_on=earlier.completed_on if earlier else None,
        blocked_reason=earlier.blocked_reason if earlier else "",
        evidence_ref=earlier.evidence_ref if earlier else "",
        reporter_person_id=ctx.person.id,
        corrects=undone.id,
        calendar=ctx.settings.calendar,
    )
    ctx.go("", "", last_oneline=None)
    task = ctx.session.get(Task, assignment.task_id)
    unit = ctx.session.get(Unit, assignment.unit_id)
    assert task is not None and unit is not None
    ctx.reply(
        _("Undone: the report of {time} is cancelled; both stay in the history.").format(time=when)
        + "\n"
        + _read_back(task, unit, restored)
    )
