"""One-line reports: ``I.2 60``, ``I.2 xong 28/01 Quyết định số 120/QĐ-UBND``, ``I.2 vướng …``,
``I.2 chưa``, recorded at once with one reply; ``hủy`` within :data:`UNDO_WINDOW` appends a report
that restores the state before it (both stay in the history). When nothing stood before the undone
report on its deadline (the unit's first report), the appended report *withdraws* it: both count as
never made, and the unit is still one that has not reported (``Report.withdraws``,
:mod:`dondoc.plan.progress`).

A task code is read as typed or without its dots (``I2``, ``i 2``, ``ii.3``) when that names one of
the person's tasks alone; someone who reports for no unit (a manager) is told who reports and what
they can use instead.

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
from dondoc.db.queries import AssignmentView, standing
from dondoc.handlers import report
from dondoc.handlers.context import REPORTING_ROLES, VIEWING_ROLES, Context
from dondoc.handlers.events import esc
from dondoc.i18n import _, current_language, format_date
from dondoc.plan.dates import DateProblem, read_completion_date
from dondoc.plan.dates import describe as describe_date_problem
from dondoc.plan.progress import status_label
from dondoc.scheduler.schedule import add_report
from dondoc.text import match_key
from dondoc.tz import TZ

UNDO_WINDOW = timedelta(minutes=10)
UNDO_WORDS = {"huy", "undo"}  # "undo": the word the English syntax line names
_NUMBER = re.compile(r"^(-?\d+)%?$")  # a percentage (out of range too: the reply says so)
# What a task code looks like: "I.2", "III.4.a", "2.1", "VII" (Roman or Arabic numbers, dots between),
# also typed without the dot after the Roman number ("I2", "II3.a").
_CODE_LIKE = re.compile(r"^(?:[IVXLC]+\.?\d{1,3}|[IVXLC]+|\d{1,3})(?:\.[0-9A-Za-z]{1,3})*\.?$", re.IGNORECASE)
# A code's first part typed apart from the rest ("i 2 50"): a Roman or Arabic number, then its number.
_CODE_HEAD = re.compile(r"^(?:[IVXLC]+|\d{1,3})\.?$", re.IGNORECASE)
_CODE_TAIL = re.compile(r"^\d{1,3}(?:\.[0-9A-Za-z]{1,3})*\.?$")
_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?$")
# Status words as matching keys (diacritics and case ignored), longest first.
_DONE = (("hoan", "thanh"), ("xong",), ("ht",), ("done",))
_BLOCKED = (("vuong", "mac"), ("vuong",), ("blocked",))
_NOT_STARTED = (("chua", "thuc", "hien"), ("chua",), ("not", "started"))
# What a misspelt status word is taken for, as people write it (typed forms are matched without diacritics).
_GUESSES = {"xong": "xong", "hoan thanh": "hoàn thành", "vuong": "vướng", "chua": "chưa"}
# In English, the words its syntax line names come first (the Vietnamese ones work there too).
_GUESSES_EN = {"done": "done", "blocked": "blocked", "not started": "not started", **_GUESSES}


@dataclass
class Parsed:
    status: Status
    percent: int
    note: str = ""
    completed_on: date | None = None
    blocked_reason: str = ""
    problems: list[str] = field(default_factory=list)


def syntax(code: str, issuer: str = "UBND") -> str:
    """How to report in one line, with ``code`` as the example (already safe to show) and a document of
    the organisation ``issuer`` names (:func:`report.issuer`: "UBND", "BNV") as its evidence."""
    return _(
        "Quick report: «{code} 60» or «{code} 60% note» (in progress), «{code} xong» or «{code} xong 28/01 Quyết định số 120/QĐ-{issuer}» (done), «{code} vướng reason» (blocked), «{code} chưa» (not started). Type hủy within 10 minutes to undo."
    ).format(code=code, issuer=esc(issuer))


def handle(ctx: Context, text: str) -> bool:
    """Record ``text`` as a one-line report if it starts with one of the person's task codes (or undo
    with ``hủy``); False when it is neither, so the caller does what it did before."""
    if match_key(text) in UNDO_WORDS and ctx.flow != report.FLOW_NAME:  # (also under a list on screen)
        undo(ctx)
        return True
    readings = _readings(text)
    if not readings or not readings[0].key:
        return False
    views = report.my_assignments(ctx)
    reading, mine = _match(views, readings)
    if reading is None:
        code = _plan_code(ctx, readings)
        if code is not None:
            if not readings[0].rest:
                return False  # a code alone: the report conversation's own reading
            ctx.reply(_("Your unit has no task {code}.").format(code=esc(code)) + " " + _("Nothing was saved."))
            return True
        return _no_such_task(ctx, views, readings)
    if not reading.rest:
        return False  # a code alone: the report conversation's own reading
    codes = sorted({v.task.code for v in mine}, key=lambda c: min(v.task.position for v in mine if v.task.code == c))
    if len(codes) > 1:
        ctx.reply(
            _("«{typed}» may be any of {codes}: please type the code with its dots, e.g. «{example} 60».").format(
                typed=esc(reading.typed), codes=", ".join(esc(c) for c in codes), example=esc(codes[0])
            )
            + "\n"
            + _("Nothing was saved.")
        )
        return True
    if len(mine) > 1:
        units = ", ".join(esc(v.unit.name) for v in mine)
        ctx.reply(
            _("{code} is a task of several of your units ({units}): please use /report {code} and choose one.").format(
                code=esc(mine[0].task.code), units=units
            )
        )
        return True
    view = mine[0]
    parsed = parse(reading.rest, view, _plan_year(ctx, view.task), ctx.now.date())
    if parsed is None or parsed.problems:
        problems = parsed.problems if parsed is not None else [_nearest(reading.rest, view.task.code)]
        ctx.reply("\n".join([*problems, _("Nothing was saved."), syntax(esc(view.task.code), report.issuer(ctx))]))
        return True
    _record(ctx, view, parsed)
    return True


def names_own_task(ctx: Context, text: str) -> bool:
    """Whether ``text`` reads as a one-line report (a number or a status word after the code) on one
    of the person's tasks, typed as written or without its dots."""
    readings = _readings(text)
    if not readings or not readings[0].key or not ctx.has_role(*REPORTING_ROLES):
        return False
    if not any(reading.rest for reading in readings):  # a code alone ("60" typed at the percent step):
        return False  # no report, and no query for the person's tasks on every answer of a report
    reading, _mine = _match(report.my_assignments(ctx), readings)
    return reading is not None and _report_reading([reading]) is not None


def names_other_task(ctx: Context, text: str) -> bool:
    """Whether ``text`` reads as a one-line report on one of the person's tasks other than the open
    report's (at its note step, "I.8 60 đang làm" is a report on I.8; "I.2 xong phần dự thảo" is I.2's
    own note)."""
    if not names_own_task(ctx, text):
        return False
    _reading, mine = _match(report.my_assignments(ctx), _readings(text))
    return bool(mine) and not any(view.id == ctx.data.get("assignment") for view in mine)


def handle_in_report(ctx: Context, text: str) -> bool:
    """A one-line report typed while a report conversation is open (``I.8 60`` at its evidence step):
    recorded as any one-line report, which closes the open one; the reply says what became of it
    (replaced when on the same task; otherwise not saved, and the line that saves it). When the line
    cannot be recorded, the open report stays, and the reply says so. False for any other line: the
    open question's answer."""
    if not names_own_task(ctx, text):
        return False
    code = report.open_task(ctx)
    readings = _readings(text)
    _reading, mine = _match(report.my_assignments(ctx), readings)
    same = any(view.id == ctx.data.get("assignment") for view in mine)
    left = None if same else report.unfinished(ctx)
    first = len(ctx.replies)
    handle(ctx, text)
    if code is None:
        return True
    if ctx.flow == report.FLOW_NAME:  # nothing recorded: the open report is as it was
        after = _("Your report on {code} is still open: answer its last question, or type /cancel to stop it.").format(
            code=esc(code)
        )
    elif same:
        after = _("The report on {code} you had started is closed: this one replaces it.").format(code=esc(code))
    else:
        after = left or ""
    own = [reply for reply in ctx.replies[first:] if reply.to is None and reply.text]
    if own and after:
        own[-1].text += "\n\n" + after
    elif after:
        ctx.reply(after)
    return True


def answer_non_reporter(ctx: Context, text: str) -> bool:
    """A one-line report (``I.2 60``) from someone who reports for no unit (a manager, an
    administrator, the province): say that a task is reported on by its units' focal points, and what
    they can use instead. False for any other line, and for people who report."""
    if ctx.has_role(*REPORTING_ROLES):
        return False
    reading = _report_reading(_readings(text))
    if reading is None:
        return False
    ctx.end()  # a list on screen (/status pages) is left, as any other typed line leaves it
    code = _plan_code(ctx, [reading])
    lines = [] if code is not None else [_("There is no task {code} in the plan.").format(code=esc(reading.typed))]
    lines.append(
        _(
            "Only the focal point (or deputy) of a unit assigned to a task reports on its progress; "
            "you follow the reports. Nothing was saved."
        )
    )
    if ctx.has_role(*VIEWING_ROLES):
        lines.append(_("What you can use:"))
        if code is not None:
            lines.append("• " + _("/task {code} — each unit's reports on this task").format(code=esc(code)))
        lines += [
            "• " + _("/status — where the plan stands, by category and area"),
            "• " + _("/nonresponders — the units that have not reported"),
        ]
    else:
        lines.append(_("Type /help to see what you can do."))
    ctx.reply("\n".join(lines))
    return True


@dataclass(frozen=True)
class _Reading:
    """A way a line may start with a task code: the code as typed, its :func:`_code_key`, and the
    text after it (empty: a code alone)."""

    typed: str
    key: str
    rest: str


def _code_key(text: str) -> str:
    """A task code's key without its separators: «I.2», «I2», «i 2» and «i.2» are all ``i2``."""
    return match_key(text).replace(" ", "")


def _readings(text: str) -> list[_Reading]:
    """The ways ``text`` may start with a task code: its first word, then, when that is only a code's
    first part and the next word its number (``i 2 50``), its first two words."""
    first, rest = [*text.split(maxsplit=1), "", ""][:2]
    if not first:
        return []
    found = [_Reading(first, _code_key(first), rest.strip())]
    second, after = [*rest.split(maxsplit=1), "", ""][:2]
    if _CODE_HEAD.match(first) and _CODE_TAIL.match(second):
        typed = f"{first} {second}"
        found.append(_Reading(typed, _code_key(typed), after.strip()))
    return found


def _match(views: list[AssignmentView], readings: list[_Reading]) -> tuple[_Reading | None, list[AssignmentView]]:
    """The reading that names some of the person's tasks, and those: the first word as the code is
    written (case, diacritics and spacing aside), else the first reading whose code without its dots
    is theirs (several tasks when that leaves the code ambiguous: ``I13`` for I.1.3 and I.13)."""
    first = match_key(readings[0].typed)
    exact = [v for v in views if match_key(v.task.code) == first]
    if exact:
        return readings[0], exact
    for reading in readings:
        found = [v for v in views if _code_key(v.task.code) == reading.key]
        if found:
            return reading, found
    return None, []


def _plan_code(ctx: Context, readings: list[_Reading]) -> str | None:
    """The code of an active task in the plans of the person's organisations (and those they follow
    up: a province's) that a reading names (typed as written or without its dots), None when none does."""
    organizations = {unit.organization_id for _membership, unit in ctx.memberships}
    organizations.update(ctx.managed_organizations())
    codes = ctx.session.exec(
        select(Task.code)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(col(Task.active), col(Plan.organization_id).in_(organizations))
        .distinct()
    ).all()
    first = match_key(readings[0].typed)
    exact = [c for c in codes if match_key(c) == first]
    if exact:
        return exact[0]
    for reading in readings:
        found = sorted(c for c in codes if _code_key(c) == reading.key)
        if found:
            return found[0]
    return None


def _report_reading(readings: list[_Reading]) -> _Reading | None:
    """The reading whose code looks like a task code and whose rest reads as a one-line report
    (a number, or a status word first), the two-word one first (``i 99 xong``); None if none does."""
    for reading in reversed(readings):
        tokens = reading.rest.split()
        if not tokens or not _CODE_LIKE.match(reading.typed.replace(" ", "")):
            continue
        keys = [match_key(t) for t in tokens]
        if _NUMBER.match(tokens[0]) or any(_starts(keys, words) for words in (_DONE, _BLOCKED, _NOT_STARTED)):
            return reading
    return None


def _no_such_task(ctx: Context, views: list[AssignmentView], readings: list[_Reading]) -> bool:
    """The line names no task but reads as a one-line report (``I.99 xong``) from someone who
    reports: say so, offering the nearest of their own codes, rather than the generic help. Any other
    line (``chào anh``) is not ours: False."""
    reading = _report_reading(readings)
    if not views or reading is None:
        return False
    codes: dict[str, list[str]] = {}
    for view in views:
        codes.setdefault(_code_key(view.task.code), [])
        if view.task.code not in codes[_code_key(view.task.code)]:
            codes[_code_key(view.task.code)].append(view.task.code)
    lines = [_("There is no task {code} in the plan.").format(code=esc(reading.typed)) + " " + _("Nothing was saved.")]
    near = difflib.get_close_matches(reading.key, list(codes), n=3, cutoff=0.6)
    if near:
        lines.append(
            _("Your unit's tasks with a code close to it: {codes}.").format(
                codes=", ".join(esc(code) for key in near for code in codes[key])
            )
        )
    lines.append(_("Type /tasks to see your unit's tasks and their codes."))
    ctx.reply("\n".join(lines))
    return True


def _nearest(rest: str, code: str) -> str:
    words = match_key(rest).split()
    head = " ".join(words[:2]) if words else ""
    guesses = _GUESSES_EN if current_language() == "en" else _GUESSES
    guess = difflib.get_close_matches(head, list(guesses), n=1, cutoff=0.4) or difflib.get_close_matches(
        words[0] if words else "", list(guesses), n=1, cutoff=0.4
    )
    if guess:
        return _("I could not read “{typed}”. Did you mean «{code} {guess}»?").format(
            typed=esc(rest.strip()), code=esc(code), guess=guesses[guess[0]]
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
        if not 0 <= percent <= 100:
            problem = _("The percentage done must be from 0 to 100; you typed {value}.").format(value=esc(tokens[0]))
            return Parsed(Status.IN_PROGRESS, 0, problems=[problem])
        note = " ".join(tokens[1:])
        if percent == 100:
            return Parsed(Status.DONE, 100, note=note, completed_on=today)
        if _starts(keys[1:], _BLOCKED):  # "I.4 40 vướng chờ ý kiến": blocked, 40 % done
            blocked = parse(note, view, plan_year, today)
            if blocked is not None and blocked.status == Status.BLOCKED and not blocked.problems:
                return Parsed(Status.BLOCKED, percent, note=blocked.note, blocked_reason=blocked.blocked_reason)
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
        after = tokens[taken:]
        given = _NUMBER.match(after[0]) if after else None  # "I.4 vướng 40% chờ ý kiến": 40 % done
        if given is not None and 0 <= int(given.group(1)) < 100:
            after = after[1:]
        else:
            given = None
        reason = " ".join(after)
        if not reason:
            return Parsed(Status.BLOCKED, 0, problems=[_("Please say what is blocking it, after “vướng”.")])
        latest = view.latest
        percent = latest.percent if latest is not None and latest.status != Status.DONE else 0
        if given is not None:
            percent = int(given.group(1))
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
    headline = _("Recorded: {code} — {unit}: {status} {percent}%.")
    return "\n".join([_state(headline, task, unit, recorded), *_details(recorded, note=True)])


def _state(headline: str, task: Task, unit: Unit, shown: Report) -> str:
    return headline.format(
        code=f"<b>{esc(task.code)}</b>",
        unit=esc(unit.name),
        status=status_label(shown.status),
        percent=shown.percent,
    )


def _details(shown: Report, *, note: bool) -> list[str]:
    """The report's completion date, what blocks it, its note (with ``note``) and its document."""
    lines: list[str] = []
    if shown.completed_on is not None:
        lines.append(_("Completed on: {date}").format(date=format_date(shown.completed_on)))
    if shown.blocked_reason:
        lines.append(_("Blocked by: {reason}").format(reason=esc(shown.blocked_reason)))
    elif note and shown.note:
        lines.append(_("Note: {note}").format(note=esc(shown.note)))
    if shown.evidence_ref:
        lines.append(_("Document: {ref}").format(ref=esc(shown.evidence_ref)))
    return lines


def _remember(ctx: Context, recorded: Report) -> None:
    """Keep what ``hủy`` may undo in the conversation row (no conversation is open)."""
    ctx.go("", "", last_oneline={"report": recorded.id, "at": ctx.now.isoformat()})


def undo(ctx: Context) -> None:
    """``hủy``: append a report restoring the state before the person's last one-line report; when
    nothing stood before it on its deadline, a withdrawal (both count as never made)."""
    last = ctx.data.get("last_oneline")
    at = datetime.fromisoformat(last["at"]) if isinstance(last, dict) and last.get("at") else None
    if last is None or at is None or ctx.now - at > UNDO_WINDOW:
        ctx.reply(
            _("There is no one-line report to undo: a report can be undone only within 10 minutes.")
            + " "
            + _("To change an older report, send a new one: the newest report counts.")
        )
        return
    undone = ctx.session.get(Report, last.get("report"))
    assignment = ctx.session.get(Assignment, undone.assignment_id) if undone else None
    allowed = {u.id for u in ctx.reporting_units()}
    if undone is None or assignment is None or not assignment.active or assignment.unit_id not in allowed:
        ctx.keep(last_oneline=None)
        ctx.reply(_("This task is no longer assigned to your unit: nothing was undone."))
        return
    newest = ctx.session.exec(
        select(Report).where(Report.assignment_id == assignment.id).order_by(col(Report.id).desc())
    ).first()
    if newest is not None and newest.id != undone.id:
        ctx.keep(last_oneline=None)
        ctx.reply(_("A newer report on this task has been recorded since; nothing was undone."))
        return
    # The report that stood before it (an earlier undone first report and its withdrawal never did).
    earlier = ctx.session.exec(
        select(Report)
        .where(Report.assignment_id == assignment.id, col(Report.id) < undone.id, standing(Report))
        .order_by(col(Report.id).desc())
    ).first()
    # Nothing stood before it on its deadline: no report at all, or a done report that closed the
    # deadline before (one it did not correct). Restoring that done report would close this deadline.
    withdraws = earlier is None or (earlier.status == Status.DONE and undone.corrects_report_id != earlier.id)
    assert ctx.person is not None
    when = undone.reported_at.astimezone(TZ).strftime("%H:%M")
    restored = add_report(
        ctx.session,
        assignment,
        status=earlier.status if earlier and not withdraws else Status.NOT_STARTED,
        percent=earlier.percent if earlier and not withdraws else 0,
        reported_at=ctx.now,
        note=_("Cancels the report of {time}").format(time=when),
        completed_on=earlier.completed_on if earlier and not withdraws else None,
        blocked_reason=earlier.blocked_reason if earlier and not withdraws else "",
        evidence_ref=earlier.evidence_ref if earlier and not withdraws else "",
        reporter_person_id=ctx.person.id,
        corrects=undone.id,
        withdraws=withdraws,
        restores=earlier.id if earlier is not None and not withdraws else None,
        calendar=ctx.settings.calendar,
    )
    ctx.keep(last_oneline=None)
    task = ctx.session.get(Task, assignment.task_id)
    unit = ctx.session.get(Unit, assignment.unit_id)
    assert task is not None and unit is not None
    lines = [_("Undone: the report of {time} is cancelled.").format(time=when)]
    if withdraws:
        lines.append(
            _("{code} — {unit}: back to no report on this deadline; reminders go on as before.").format(
                code=f"<b>{esc(task.code)}</b>", unit=esc(unit.name)
            )
        )
    else:
        lines.append(_state(_("Back to: {code} — {unit}: {status} {percent}%."), task, unit, restored))
        lines += _details(restored, note=False)
    lines.append(_("The cancelled report stays in the history: /history {code}").format(code=esc(task.code)))
    ctx.reply("\n".join(lines))
