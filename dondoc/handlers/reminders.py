"""Reminder digests as people read them, and what their buttons do.

One message per person per send time lists every item due: task code, short title, due date and
what is due, each with a row of buttons — report on it, **Nhắc lại sau** (snooze to the next
working day), **Đã hoàn thành** (straight to the completion step). A button carries only the
reminder's id; it is checked against the database and the person pressing it. On Zalo, which has no
buttons, the same choices are numbered lines to type: the digest says "type the number", never "tap".

:class:`ReminderMessages` is what the reminder job (:mod:`dondoc.scheduler.sweeper`) says: the
digests, the managers' alert about an unreachable focal point and the managers' weekly digest.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from sqlmodel import col, select

from dondoc.db.models import (
    Assignment,
    Audience,
    Occurrence,
    Person,
    Reminder,
    ReminderDelivery,
    ReminderKind,
    Report,
    Status,
    Task,
    Unit,
)
from dondoc.db.queries import closed_occurrence, correction_target
from dondoc.handlers import report
from dondoc.handlers.absences import cover_lines
from dondoc.handlers.context import Context
from dondoc.handlers.events import Choice, Reply, esc, has_buttons, plain
from dondoc.handlers.figures import render_figures_due
from dondoc.i18n import N_, _, current_language, format_date, ngettext
from dondoc.plan.absences import Cover
from dondoc.plan.extensions import approved_extensions
from dondoc.plan.progress import Chased, PlanStatus, chased_deadlines, restored_reports, silent_items, status_label
from dondoc.scheduler.figures import Owed
from dondoc.scheduler.outbox import Digest, DueItem
from dondoc.tz import TZ, stored_in_vietnam

PREFIX = "R"
# Buttons for the first items only: a keyboard of more than about a hundred buttons is refused by
# Telegram, and a long list of buttons is no use on a phone; the rest are reachable by /report.
MAX_ITEMS_WITH_BUTTONS = 10
# A digest button's data: R<reminder id>:<r|s|d>, the id in ASCII digits and within an INTEGER column.
# Actions: r report, s snooze, d done; e answer the explanation asked (giải trình); y / n approve or refuse
# the request for more time a managers' reminder is about.
_BUTTON = re.compile(r"R([0-9]{1,10}):([rsdeyn])", re.ASCII)
MAX_ID = 2**31 - 1


def parse_button(data: str) -> tuple[int, str] | None:
    """The reminder id and action in a digest button's data, or None if it is not one of ours."""
    match = _BUTTON.fullmatch(data)
    if match is None or int(match.group(1)) > MAX_ID:
        return None
    return int(match.group(1)), match.group(2)


def button_data(reminder_id: int, action: str) -> str:
    return f"{PREFIX}{reminder_id}:{action}"


_KIND_LABELS: dict[ReminderKind, str] = {
    ReminderKind.BEFORE: N_("before the deadline"),
    ReminderKind.DUE: N_("deadline reached"),
    ReminderKind.OVERDUE: N_("overdue"),
    ReminderKind.ESCALATION: N_("overdue, to managers"),
    ReminderKind.CHECKIN: N_("progress check-in"),
    ReminderKind.SNOOZE: N_("reminder asked for again"),
    ReminderKind.EXPLANATION: N_("explanation asked"),
    ReminderKind.EXTENSION: N_("request for more time waiting"),
}


def kind_label(kind: str) -> str:
    """A reminder's kind (a :class:`ReminderKind` or its stored value) for people, in the current language."""
    return _(_KIND_LABELS[ReminderKind(kind)])


def what_is_due(kind: str, due: date, today: date) -> str:
    days = (due - today).days
    if kind == ReminderKind.CHECKIN:
        return _("continuous task: please update its results")
    if kind in (ReminderKind.OVERDUE, ReminderKind.ESCALATION) or days < 0:
        late = max(1, -days)
        return ngettext("overdue by {n} day", "overdue by {n} days", late).format(n=late)
    if days == 0:
        return _("due today")
    return ngettext("due in {n} day", "due in {n} days", days).format(n=days)


class DeadlineLines(dict[tuple[str, str, str, date], str]):
    """A deadline's line in a digest (after its number), the same in every unit's list, by (task
    code, title, reminder kind, due date): rendered the first time it is asked for, in the current
    language, as of ``today`` (a pass keeps one of these for each language). What is the unit's own —
    an earlier deadline of the task still open (:meth:`open_before`) — goes on a line of its own."""

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today
        self.earlier: dict[tuple[date, date | None], str] = {}

    def __missing__(self, key: tuple[str, str, str, date]) -> str:
        code, title, kind, due = key
        when = _("due {date}").format(date=format_date(due))
        line = self[key] = (
            f"<b>{esc(code)}</b> {esc(report.short(title))}\n   {when} — {what_is_due(kind, due, self.today)}"
        )
        return line

    def open_before(self, day: date, to: date | None = None) -> str:
        """The line under a deadline whose assignment has the earlier deadline ``day`` not reported
        done (:attr:`DueItem.open_before`): a report on the task is recorded for that one first —
        extended to ``to`` when a request for more time on it was approved (its new date named)."""
        line = self.earlier.get((day, to))
        if line is None:
            if to is None:
                text = _(
                    "The deadline {date} is not reported done yet: a report is recorded for that deadline first."
                ).format(date=format_date(day))
            else:
                text = _(
                    "The deadline {date} (extended to {new}) is not reported done yet: "
                    "a report is recorded for that deadline first."
                ).format(date=format_date(day), new=format_date(to))
            line = self.earlier[(day, to)] = "   ⏰ " + text
        return line


@dataclass
class RenderCache:
    """What the digests of one sweep share: a unit's focal points get the same list, rendered once."""

    bodies: dict[tuple[tuple[int, ...], str], tuple[str, list[list[Choice]]]] = field(default_factory=dict)
    # The deadlines' lines, by (language, today).
    lines: dict[tuple[str, date], DeadlineLines] = field(default_factory=dict)


# A digest's items taken apart in C (``map``), not attribute by attribute in the interpreter: a nation's
# 08:00 pass renders 110,000 of them.
_UNIT_NAME = operator.itemgetter(DueItem._fields.index("unit_name"))
_KIND = operator.itemgetter(DueItem._fields.index("kind"))
_LINE_KEY = operator.itemgetter(*(DueItem._fields.index(f) for f in ("task_code", "task_title", "kind", "due")))
# A list's order (due date, the plan's order of tasks, the registry's of units), then what puts a
# deadline's reminders side by side, the newest (latest send time) last.
_ENTRY_ORDER = operator.itemgetter(
    *(DueItem._fields.index(f) for f in ("due", "task_position", "unit_position", "assignment_id", "send_at"))
)
_DEADLINE = operator.itemgetter(DueItem._fields.index("assignment_id"), DueItem._fields.index("due"))
_OPEN_BEFORE = operator.itemgetter(DueItem._fields.index("open_before"))
_OPEN_BEFORE_TO = operator.itemgetter(DueItem._fields.index("open_before_to"))
_ASSIGNMENT = operator.itemgetter(DueItem._fields.index("assignment_id"))


def newest_per_deadline(items: Sequence[DueItem]) -> list[DueItem]:
    """One entry per deadline (assignment and due date), its newest reminder (reminders missed while
    the bot was down arrive together), in a list's order: by due date, the plan's order of tasks,
    the registry's order of units."""
    entries = sorted(items, key=_ENTRY_ORDER)
    # A deadline's reminders share its due date, task and unit: they are side by side, the newest last.
    deadlines = list(map(_DEADLINE, entries))
    return [
        entry
        for entry, deadline, after in zip(entries, deadlines, [*deadlines[1:], None], strict=True)
        if deadline != after
    ]


def _one_per_task(entries: list[DueItem]) -> list[DueItem]:
    """A unit's task once in its list: of an assignment with several deadlines due a reminder (a monthly
    task two months late), the earliest — a report on the task is recorded for its earliest open deadline
    whichever line is chosen, so a second line would only be a second choice doing the same."""
    assignments = list(map(_ASSIGNMENT, entries))
    if len(set(assignments)) == len(assignments):  # (most lists: each task once already)
        return entries
    seen: set[int] = set()
    kept: list[DueItem] = []
    for entry, assignment in zip(entries, assignments, strict=True):
        if assignment not in seen:
            seen.add(assignment)
            kept.append(entry)
    return kept if len(kept) < len(entries) else entries


def render_digest(digest: Digest, today: date, cache: RenderCache | None = None) -> Reply:
    """The message for one recipient, in the current language."""
    name = esc(digest.recipient.person.full_name or "")
    tap = has_buttons(digest.recipient.account.channel)  # Zalo: the choices are numbered lines to type
    if digest.audience == Audience.MANAGER:
        return _manager_alert(name, digest.items, today, tap=tap)
    units = sorted(set(map(_UNIT_NAME, digest.items)))
    header = _("<b>Reminder</b> — Dear comrade {name} ({units}):").format(name=name, units=esc(", ".join(units)))
    if digest.covering:
        header += "\n" + "\n".join(cover_lines(digest.covering))
    key = (
        tuple(digest.reminder_ids),
        current_language() + ("" if digest.buttons else ":info") + ("" if tap else ":typed"),
    )
    body = cache.bodies.get(key) if cache is not None else None
    if body is None:
        body = _digest_body(digest.items, today, buttons=digest.buttons, tap=tap, lines=cache.lines if cache else None)
        if cache is not None:
            cache.bodies[key] = body
    text, rows = body
    return Reply(text=f"{header}\n{text}", choices=rows)


# What one message holds on a channel without buttons (Zalo: 2,000 characters, counted here in UTF-16
# units as Zalo's client counts them). The managers' overdue alert is cut to fit one rather than go as
# several: a Zalo bot's messages are a monthly budget.
PLAIN_MESSAGE_LIMIT = 2000
# Room kept under the text for what Zalo adds to the choices' labels (the requests for more time's
# numbered Đồng ý / Không đồng ý): the blank line, a legend ("Thêm chữ b sau số (ví dụ 1b): …", for one
# request) and the closing instruction — at most about 75 characters in either language.
_TYPED_CHOICES_MARGIN = 80
_UNIT_TITLES = ("Ủy ban nhân dân ", "Uỷ ban nhân dân ", "UBND ")
_UNIT_ABBREVIATIONS = (("Hội đồng nhân dân", "HĐND"), ("Ủy ban nhân dân", "UBND"), ("Uỷ ban nhân dân", "UBND"))


def compact_unit_name(name: str) -> str:
    """A unit's name in a list of many: the title "Ủy ban nhân dân" dropped and the councils' names
    abbreviated as offices write them ("Ủy ban nhân dân xã Xà Phiên" → "xã Xà Phiên", "Văn phòng Hội
    đồng nhân dân và Ủy ban nhân dân huyện" → "Văn phòng HĐND và UBND huyện")."""
    for title in _UNIT_TITLES:
        if name.startswith(title) and len(name) > len(title):
            name = name[len(title) :]
            break
    for long, short in _UNIT_ABBREVIATIONS:
        name = name.replace(long, short)
    return name


@dataclass
class _LateGroup:
    """Overdue deadlines of one due date on which the same units are late: the units once, then the tasks."""

    heading: str  # the due date's line, on its first group only ("" on the others)
    units: list[str]  # the late units' names, escaped, in the registry's order
    tasks: list[str]  # a line per task, in the plan's order

    @property
    def items(self) -> int:
        return len(self.units) * len(self.tasks)

    def lines(self, units: int | None = None, tasks: int | None = None) -> list[str]:
        """Its lines, naming only the first ``units`` units and listing only the first ``tasks`` tasks."""
        shown = self.units[:units]
        if len(self.units) == 1:
            who = f"<b>{shown[0]}</b>"
        else:
            count = ngettext("{n} unit", "{n} units", len(self.units)).format(n=len(self.units))
            who = f"<b>{count}</b>: " + ", ".join(shown) + (", …" if len(shown) < len(self.units) else "")
        return ["", *([self.heading] if self.heading else []), who, *self.tasks[:tasks]]


def _shown_length(text: str) -> int:
    """How long ``text`` is as a plain-text channel shows it (markup removed), in UTF-16 units."""
    return len(plain(text).encode("utf-16-le")) // 2


def _late_groups(overdue: Sequence[DueItem], today: date) -> list[_LateGroup]:
    """The overdue deadlines by due date (the oldest first), and within a date the tasks on which the same
    units are late together: the groups of the most units first, then in the registry's order. A task late
    at many units is one group; a unit's tasks late there alone are another, as a unit's list was."""
    names = {item.unit_id: compact_unit_name(item.unit_name) for item in overdue}
    counts: dict[str, int] = defaultdict(int)
    for short in names.values():
        counts[short] += 1
    clashing = {short for short, count in counts.items() if count > 1}
    for item in overdue:  # two units whose short names are the same are named in full
        if names[item.unit_id] in clashing:
            names[item.unit_id] = item.unit_name
    by_due: dict[date, dict[tuple[int, str, str], dict[int, int]]] = defaultdict(dict)
    for item in overdue:
        task = (item.task_position, item.task_code, item.task_title)
        by_due[item.due].setdefault(task, {})[item.unit_id] = item.unit_position
    groups: list[_LateGroup] = []
    for due in sorted(by_due):
        together: dict[tuple[int, ...], list[tuple[int, str, str]]] = defaultdict(list)
        for task, late in by_due[due].items():
            together[tuple(sorted(late, key=lambda u: (late[u], u)))].append(task)
        positions = {unit: position for late in by_due[due].values() for unit, position in late.items()}
        order = sorted(together, key=lambda units: (-len(units), positions[units[0]], min(together[units])))
        heading = _("<b>Due {date}</b> — {overdue}:").format(
            date=format_date(due), overdue=what_is_due(ReminderKind.ESCALATION, due, today)
        )
        for index, units in enumerate(order):
            groups.append(
                _LateGroup(
                    heading=heading if index == 0 else "",
                    units=[esc(names[unit]) for unit in units],
                    tasks=[
                        f"• <b>{esc(code)}</b> {esc(report.short(title))}"
                        for _p, code, title in sorted(together[units])
                    ],
                )
            )
    return groups


def _fit(groups: list[_LateGroup], room: int) -> tuple[list[str], int]:
    """The lines of ``groups`` that fit in ``room`` characters as shown, and how many overdue items are
    left out: whole groups while they fit, then as much of the next as fits (its first tasks, then as
    many of its units as the rest of the room takes)."""
    lines: list[str] = []
    used = 0
    left = 0
    cut = False
    for group in groups:
        if cut:
            left += group.items
            continue
        cost = _shown_length("\n".join(group.lines())) + 1
        if used + cost <= room:
            lines += group.lines()
            used += cost
            continue
        cut = True
        units, tasks = _part_that_fits(group, room - used)
        if tasks:
            lines += group.lines(units, tasks)
        left += group.items - units * tasks
    return lines, left


def _part_that_fits(group: _LateGroup, room: int) -> tuple[int, int]:
    """How many of ``group``'s units and tasks fit in ``room``: its first tasks, then as many of its units
    as the rest of the room takes (no task: nothing of it fits)."""

    def fits(units: int, tasks: int) -> bool:
        return _shown_length("\n".join(group.lines(units, tasks))) + 1 <= room

    units, tasks = 1, 0
    while tasks < len(group.tasks) and fits(units, tasks + 1):
        tasks += 1
    while tasks and units < len(group.units) and fits(units + 1, tasks):
        units += 1
    return units, tasks


def _more_overdue(left: int) -> str:
    """The line that ends an overdue list cut to fit a message."""
    return ngettext(
        "… and {n} more overdue item — type /overdue or /status to see them all.",
        "… and {n} more overdue items — type /overdue or /status to see them all.",
        left,
    ).format(n=left)


def _manager_alert(name: str, items: Sequence[DueItem], today: date, *, tap: bool) -> Reply:
    """The managers' alert: the overdue deadlines grouped by due date and by the units late on them
    together, with counts; then the requests for more time waiting for their answer, always whole. Where
    there are no buttons (Zalo, ``tap`` False), the overdue list is cut to keep the alert one message."""
    asked = [i for i in items if i.kind == ReminderKind.EXTENSION]
    late = [i for i in items if i.kind != ReminderKind.EXTENSION]
    overdue = newest_per_deadline(late) if late else []  # a deadline once, were its reminders several
    if not overdue:
        text, buttons = _extension_lines(asked, today, tap=tap)
        header = _("<b>Requests for more time</b> — for the attention of comrade {name}:").format(name=name)
        return Reply(text=f"{header}\n{text}", choices=buttons)
    units = len({i.unit_id for i in overdue})
    # What the count is: the deadlines this alert is about (those whose escalation is due today), not
    # every item overdue — those of earlier deadlines were in earlier alerts and are in /overdue.
    head = [
        _("<b>Overdue tasks</b> — for the attention of comrade {name}:").format(name=name),
        _("{items} (due {dates}) at {units}. Every item overdue, earlier deadlines too: type /overdue.").format(
            items=ngettext("{n} newly overdue item", "{n} newly overdue items", len(overdue)).format(n=len(overdue)),
            dates=", ".join(format_date(day) for day in sorted({i.due for i in overdue})),
            units=ngettext("{n} unit", "{n} units", units).format(n=units),
        ),
    ]
    rows: list[list[Choice]] = []
    tail: list[str] = []
    if asked:
        text, rows = _extension_lines(asked, today, tap=tap)
        tail = ["", "<b>" + _("Requests for more time") + "</b>", text]
    groups = _late_groups(overdue, today)
    body = [line for group in groups for line in group.lines()]
    footer = ["", _("See /status for the whole plan.")]
    if not tap:
        choices = sum(_shown_length(f"{n}. {c.label}") + 1 for n, c in enumerate((c for r in rows for c in r), 1))
        room = PLAIN_MESSAGE_LIMIT - choices - (_TYPED_CHOICES_MARGIN if rows else 0)
        if _shown_length("\n".join([*head, *body, *footer, *tail])) > room:
            # Room kept for the line saying what is left out, at its longest (nothing of the list shown).
            kept = max(_more_overdue(len(overdue)), footer[1], key=_shown_length)
            body, left = _fit(groups, room - _shown_length("\n".join([*head, "", kept, *tail])))
            if left:
                footer = ["", _more_overdue(left)]
    return Reply(text="\n".join([*head, *body, *footer, *tail]), choices=rows)


class ReminderMessages:
    """The reminder job's messages (:class:`dondoc.scheduler.sweeper.ReminderTexts`), as replies."""

    def digest_renderer(self) -> Callable[[Digest, date], Reply]:
        shared = RenderCache()

        def render(digest: Digest, today: date) -> Reply:
            return render_digest(digest, today, shared)

        return render

    def unreachable(self, person: str, unit: str) -> Reply:
        text = _(
            "⚠ Reminders cannot reach {name}, focal point of {unit}: the bot is blocked. "
            "Please ask the unit to name another focal point or to unblock the bot."
        ).format(name=esc(person), unit=esc(unit))
        return Reply(text=text)

    def weekly(self, status: PlanStatus, name: str, units: set[str] | None, now: datetime) -> Reply:
        return Reply(text=render_weekly(status, name, units, now))

    def figures_due(self, unit: Unit, owed: list[Owed], today: date, covering: Sequence[Cover] = ()) -> Reply:
        text = render_figures_due(unit, owed, today)
        if covering:
            text = "\n".join(cover_lines(covering)) + "\n" + text
        return Reply(text=text)

    def budget_warning(self, channel: str, used: int, budget: int) -> Reply:
        text = _(
            "⚠ The bot {channel} has used {used} of its {budget} messages this month ({percent}%). "
            "When they are spent, its reminders wait for the next month. "
            "Run «dondoc usage» to see every bot."
        ).format(channel=esc(channel), used=used, budget=budget, percent=round(100 * used / budget))
        return Reply(text=text)

    def quota_spent(self, channel: str) -> Reply:
        text = _(
            "⚠ The bot {channel} has spent its messages for this month: its reminders are held, not lost, "
            "and go out at the start of next month or as soon as its budget is raised."
        ).format(channel=esc(channel))
        return Reply(text=text)


def render_weekly(status: PlanStatus, name: str, units: set[str] | None, now: datetime) -> str:
    """Overdue items by unit, then units with items due soon or overdue and no report at all."""
    mine = [i for i in status.items if units is None or i.unit in units]
    overdue: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for item in mine:
        names[item.unit] = item.unit_name
        if item.category == "overdue":
            overdue[item.unit].append(f"{esc(item.task)} ({format_date(item.due)})")
    silent = {item.unit for item in silent_items(mine, now.date())}
    lines = [
        _("<b>Weekly summary</b> — for the attention of comrade {name}, as of {date}").format(
            name=esc(name), date=format_date(now.date())
        )
    ]
    if overdue:
        lines.append("\n<b>" + _("Overdue") + "</b>")
        lines += [f"• {esc(names[code])}: {', '.join(tasks)}" for code, tasks in overdue.items()]
    else:
        lines.append(_("Nothing is overdue."))
    if silent:
        lines.append("\n<b>" + _("Units that have not answered") + "</b>")
        lines += [f"• {esc(names[code])}" for code in sorted(silent, key=lambda c: names[c])]
    lines.append("\n" + _("See /status for the whole plan."))
    return "\n".join(lines)


def _extension_lines(items: list[DueItem], today: date, *, tap: bool = True) -> tuple[str, list[list[Choice]]]:
    """Requests for more time waiting for the manager's answer, with **Đồng ý** / **Không đồng ý**
    (``tap``: as buttons; otherwise as numbered choices to type, on Zalo)."""
    newest: dict[tuple[int, date], DueItem] = {}
    for item in sorted(items, key=lambda i: i.send_at):
        newest[(item.assignment_id, item.due)] = item
    lines: list[str] = []
    rows: list[list[Choice]] = []
    for item in sorted(newest.values(), key=lambda i: (i.unit_position, i.task_position)):
        lines.append(
            "• "
            + _("{unit} asks for more time on {code} — {title} (deadline {due}): waiting for your answer.").format(
                unit=esc(item.unit_name),
                code=esc(item.task_code),
                title=esc(report.short(item.task_title)),
                due=format_date(item.due),
            )
        )
        if len(rows) < MAX_ITEMS_WITH_BUTTONS:
            code = f"{item.task_code} · {item.unit_code}"
            rows.append(
                [
                    Choice(label=_("Approve {code}").format(code=code), data=button_data(item.reminder_id, "y")),
                    Choice(label=_("Refuse {code}").format(code=code), data=button_data(item.reminder_id, "n")),
                ]
            )
    if tap:
        lines.append(_("Answer with the buttons, or type /giahan to see every request waiting."))
    else:
        lines.append(_("Type the number of a choice below to answer, or type /giahan to see every request waiting."))
    return "\n".join(lines), rows


def _explanation_lines(
    items: list[DueItem], today: date, *, buttons: bool = True, tap: bool = True
) -> tuple[list[str], list[list[Choice]]]:
    """Explanations asked of the unit and not given yet, each with its **Giải trình** button (``tap``:
    a button; otherwise a numbered choice to type, on Zalo)."""
    newest: dict[tuple[int, date], DueItem] = {}
    for item in sorted(items, key=lambda i: i.send_at):
        newest[(item.assignment_id, item.due)] = item
    lines = ["<b>" + _("Explanations asked of your unit") + "</b>"]
    rows: list[list[Choice]] = []
    for item in sorted(newest.values(), key=lambda i: (i.due, i.task_position, i.unit_position)):
        lines.append(
            f"• <b>{esc(item.task_code)}</b> {esc(report.short(item.task_title))}\n   "
            + _("explanation due {date}").format(date=format_date(item.due))
            + f" — {what_is_due(item.kind, item.due, today)}"
        )
        if buttons and (not tap or len(rows) < MAX_ITEMS_WITH_BUTTONS):
            label = _("Explain {code}").format(code=item.task_code)
            rows.append([Choice(label=label, data=button_data(item.reminder_id, "e"))])
    if buttons and tap:
        lines.append(_("Tap «Explain», or type /giaitrinh CODE YOUR EXPLANATION."))
    elif buttons:
        lines.append(_("Type the number of «Explain» below, or type /giaitrinh CODE YOUR EXPLANATION."))
    return lines, rows


def _digest_body(
    items: list[DueItem],
    today: date,
    *,
    buttons: bool = True,
    tap: bool = True,
    lines: dict[tuple[str, date], DeadlineLines] | None = None,
) -> tuple[str, list[list[Choice]]]:
    """The numbered list and its buttons (none for a manager standing in for a unit's focal points,
    who are away; ``tap``: the channel shows them as buttons, otherwise as numbered choices to type).
    Reminders missed while the bot was down arrive together: one line per deadline, the newest.
    ``lines``: the lines already rendered in this pass (a task's deadline is in many units' lists)."""
    if ReminderKind.EXPLANATION in map(_KIND, items):  # the deadlines first (if any), then the explanations asked
        asked = [i for i in items if i.kind == ReminderKind.EXPLANATION]
        rest = [i for i in items if i.kind != ReminderKind.EXPLANATION]
        first, first_rows = _digest_body(rest, today, buttons=buttons, tap=tap, lines=lines) if rest else ("", [])
        more, more_rows = _explanation_lines(asked, today, buttons=buttons, tap=tap)
        return "\n".join([first, *more] if first else more), first_rows + more_rows
    entries = _one_per_task(newest_per_deadline(items))
    language = current_language()
    shared = {} if lines is None else lines
    rendered = shared.get((language, today))
    if rendered is None:
        rendered = shared[(language, today)] = DeadlineLines(today)
    text = [f"{number}. {line}" for number, line in enumerate(map(rendered.__getitem__, map(_LINE_KEY, entries)), 1)]
    earlier = list(map(_OPEN_BEFORE, entries))
    if any(earlier):  # (the unit's own, under the line every unit's list shares)
        for index, (day, to) in enumerate(zip(earlier, map(_OPEN_BEFORE_TO, entries), strict=True)):
            if day is not None:
                text[index] += "\n" + rendered.open_before(day, to)
    rows: list[list[Choice]] = []
    if buttons:
        later, done = _("Remind me later"), _("Already done")
        rows = [
            [
                Choice(label=f"📝 {item.task_code}", data=button_data(item.reminder_id, "r")),
                Choice(label=later, data=button_data(item.reminder_id, "s")),
                Choice(label=done, data=button_data(item.reminder_id, "d")),
            ]
            # Zalo numbers every item (typed choices have no count limit); Telegram's keyboard does not take them all.
            for item in (entries[:MAX_ITEMS_WITH_BUTTONS] if tap else entries)
        ]
    if not buttons:
        text.append(_("Please see that the unit reports on them (an administrator can record a report for it)."))
        return "\n".join(text), rows
    if tap:
        text.append(_("Tap a button to report, to be reminded on the next working day, or to report it done."))
    else:
        text.append(
            _(
                "Type the number of a choice below to report, to be reminded on the next working day, "
                "or to report it done."
            )
        )
    if tap and len(entries) > MAX_ITEMS_WITH_BUTTONS:
        text.append(_("For the other tasks, use /report CODE or /tasks."))
    if entries:
        code = esc(entries[0].task_code)
        text.append(_("Quick report: type «{code} 60» or «{code} xong».").format(code=code))
    return "\n".join(text), rows


def on_button(ctx: Context, data: str) -> None:
    """A press on a digest's button: checked against the reminder and the pressing person's units."""
    parsed = parse_button(data)
    reminder = ctx.session.get(Reminder, parsed[0]) if parsed is not None else None
    if parsed is not None and reminder is not None and parsed[1] in "yn":
        from dondoc.handlers import extensions

        extensions.from_reminder(ctx, reminder, parsed[1] == "y")
        return
    assignment = ctx.session.get(Assignment, reminder.assignment_id) if reminder else None
    allowed = {u.id for u in ctx.reporting_units()}
    if parsed is None or reminder is None or assignment is None or assignment.unit_id not in allowed:
        ctx.reply(_("This button is no longer valid.") + " " + ctx.what_next(), toast=_("Expired"))
        return
    assert assignment.id is not None
    action = parsed[1]
    if action == "e":
        from dondoc.handlers import explanations

        explanations.from_reminder(ctx, reminder)
    elif action == "s":
        snooze(ctx, reminder, assignment)
    else:
        dues, chased = _chased(ctx, assignment)
        earlier = _earlier(dues, chased, reminder.due)
        answered = None if earlier else answered_since(ctx, assignment, reminder, chased)
        first = len(ctx.replies)
        report.begin_for_assignment(ctx, assignment.id, Status.DONE if action == "d" else None)
        if answered is not None and len(ctx.replies) > first:  # said at the top of the report's first question
            text = _answered_text(ctx, assignment, answered)
            ctx.replies[first] = replace(ctx.replies[first], text=f"{text}\n\n{ctx.replies[first].text}")
        if earlier and len(ctx.replies) > first:  # said at the top of the report's first question
            task = ctx.session.get(Task, assignment.task_id)
            note = ngettext(
                "Note: {code} still has the deadline {dates} not reported done. Reports are counted for the "
                "earliest deadline not yet done, so this report will be recorded for {first}, not for {due} "
                "named in the reminder.",
                "Note: {code} still has the deadlines {dates} not reported done. Reports are counted for the "
                "earliest deadline not yet done, so this report will be recorded for {first}, not for {due} "
                "named in the reminder.",
                len(earlier),
            ).format(
                code=esc(task.code if task else ""),
                dates=", ".join(map(format_date, earlier)),
                first=format_date(earlier[0]),
                due=format_date(reminder.due),
            )
            ctx.replies[first] = replace(ctx.replies[first], text=f"{note}\n\n{ctx.replies[first].text}")


def earlier_open_deadlines(ctx: Context, assignment: Assignment, due: date) -> list[date]:
    """The deadlines of ``assignment`` before ``due`` that no done report has closed yet: a report is
    counted for the deadline being chased, the earliest not done (:func:`chased_deadlines`, as
    /status and /tasks count it), so an answer to a reminder about ``due`` would land on the first.
    (The digest says the first of them under the deadline's line: :attr:`DueItem.open_before`.)"""
    return _earlier(*_chased(ctx, assignment), due)


def _chased(ctx: Context, assignment: Assignment) -> tuple[list[date], Chased | None]:
    """The due dates of ``assignment``'s task and the deadline being chased today."""
    assert assignment.id is not None
    dues = [
        o.due
        for o in ctx.session.exec(
            select(Occurrence).where(Occurrence.task_id == assignment.task_id).order_by(col(Occurrence.due))
        )
    ]
    return dues, chased_deadlines(ctx.session, {assignment.id: dues}, ctx.now.date())[0].get(assignment.id)


def _earlier(dues: list[date], chased: Chased | None, due: date) -> list[date]:
    """:func:`earlier_open_deadlines` (``due``: a reminder's, the chased deadline's new date when it
    was extended, which is that deadline's own)."""
    if chased is None or chased.closed or due == chased.extended_to:
        return []
    return [day for day in dues if chased.due <= day < due]


def answered_since(ctx: Context, assignment: Assignment, reminder: Reminder, chased: Chased | None) -> Report | None:
    """The report on the reminder's deadline that the unit made after the reminder reached the
    person, when a report begun now replaces it (:mod:`dondoc.plan.progress`): the latest on the
    deadline still open, or a "Hoàn thành" that closed it and that a new report corrects. None when
    there is none (a report on another deadline, or made before the reminder, is not it). A report
    can be taken up again from the digest, on purpose (one cancelled halfway): the person is told."""
    received = _received_at(ctx, reminder)
    if received is None:
        return None
    found: Report | None
    target = correction_target(ctx.session, assignment, ctx.now)
    if target is not None:  # the newest report is a "Hoàn thành" that a new report corrects
        deadline = closed_occurrence(ctx.session, assignment, target)
        found = target
        extended = approved_extensions(ctx.session.connection(), assignment_ids=[target.assignment_id])
        new_due = extended.get((target.assignment_id, deadline)) if deadline is not None else None
    elif chased is not None and not chased.closed and chased.latest is not None and chased.latest.id is not None:
        deadline, new_due = chased.due, chased.extended_to
        found = ctx.session.get(Report, chased.latest.id)
    else:
        return None
    if found is None or deadline is None or reminder.due not in (deadline, new_due):
        return None
    # (a ``hủy`` that restored an earlier report stands for that one: its time and reporter, not the undoing's)
    found = restored_reports(ctx.session, [(found.id, found.assignment_id, found.corrects_report_id, found.note)]).get(
        found.id or 0, found
    )
    return found if stored_in_vietnam(found.reported_at) >= stored_in_vietnam(received) else None


def _received_at(ctx: Context, reminder: Reminder) -> datetime | None:
    """When the reminder reached the person (recorded for them when it was still due to others),
    else when it was sent."""
    person = ctx.person.id if ctx.person is not None else None
    delivery = ctx.session.exec(
        select(ReminderDelivery.sent_at).where(
            ReminderDelivery.reminder_id == reminder.id, ReminderDelivery.person_id == person
        )
    ).first()
    return delivery or reminder.sent_at


def _answered_text(ctx: Context, assignment: Assignment, answered: Report) -> str:
    """What the top of the report's first question says of the report it will replace."""
    task = ctx.session.get(Task, assignment.task_id)
    moment = stored_in_vietnam(answered.reported_at)
    values = {
        "code": esc(task.code if task else ""),
        "time": moment.strftime("%H:%M"),
        "date": format_date(moment.date()),
        "status": status_label(answered.status),
        "percent": 100 if answered.status == Status.DONE else answered.percent,
    }
    me = ctx.person.id if ctx.person is not None else None
    if answered.reporter_person_id is not None and answered.reporter_person_id == me:
        text = _("You reported on {code} at {time} on {date} ({status}, {percent}%).").format(**values)
    else:
        who = ctx.session.get(Person, answered.reporter_person_id) if answered.reporter_person_id else None
        if who is not None and who.full_name:
            text = _("Comrade {name} reported on {code} at {time} on {date} ({status}, {percent}%).").format(
                name=esc(who.full_name), **values
            )
        else:
            text = _("Your unit reported on {code} at {time} on {date} ({status}, {percent}%).").format(**values)
    return text + " " + _("A new report will replace that one.")


def snooze(ctx: Context, reminder: Reminder, assignment: Assignment) -> None:
    """Remind again on the next working day at the same time: a snooze row, which replanning keeps."""
    from dondoc.scheduler.calendar import calendar_from_env
    from dondoc.scheduler.schedule import add_snooze

    calendar = ctx.settings.calendar or calendar_from_env()
    day = calendar.working_day_after(ctx.now.date(), 1)
    send_at = datetime.combine(day, reminder.send_at.astimezone(TZ).time() if reminder.send_at else time(8), tzinfo=TZ)
    assert assignment.id is not None
    add_snooze(ctx.session, assignment.id, due=reminder.due, send_at=send_at, audience=reminder.audience)
    task = ctx.session.get(Task, assignment.task_id)
    unit = ctx.session.get(Unit, assignment.unit_id)
    ctx.reply(
        _("I will remind you about {code} ({unit}) on {date} at {time}.").format(
            code=esc(task.code if task else ""),
            unit=esc(unit.code if unit else ""),
            date=format_date(day),
            time=send_at.strftime("%H:%M"),
        ),
        toast=_("Snoozed"),
    )
