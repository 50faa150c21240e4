"""``/giaoviec``: a manager or an administrator gives a task outside the plan in one line.

``/giaoviec Phòng Nội vụ, UBND xã Lương Nghĩa: Báo cáo kết quả rà soát văn bản hạn 15/06``: the units as
officials write them (a name, an alias or a code, any case, with or without diacritics; separated by
commas or semicolons) and a colon, or ``/giaoviec XP, LN Báo cáo … hạn 15/06``: codes or one-word names
(commas optional) without the colon; the task's text, then ``hạn`` and the deadline as people write it — ``15/06``,
``15/06/2022``, ``hôm nay``, ``ngày mai``, ``thứ Sáu tuần này`` (``thứ 6``), ``cuối tháng``, ``cuối
tuần`` (in English ``due`` and ``tomorrow``, ``Friday``, ``next Friday``, ``end of the month``). The task joins the organisation's plan of the year (:mod:`dondoc.plan.adhoc`), the units'
focal points are told at once and its reminders are planned.
"""

from __future__ import annotations

import calendar as months
import re
from datetime import date, timedelta

from dondoc.db.models import Organization, Unit
from dondoc.handlers.absences import cover_lines
from dondoc.handlers.context import MANAGING_ROLES, Context
from dondoc.handlers.events import Address, esc
from dondoc.handlers.onboarding import find_unit, units_refused, units_typed, with_own_codes
from dondoc.i18n import _, format_date
from dondoc.plan.absences import focal_recipients
from dondoc.plan.adhoc import distinct, give_task
from dondoc.plan.dates import read_date
from dondoc.text import match_key
from dondoc.tz import in_vietnam

_WEEKDAYS = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3, "sau": 4, "6": 4, "bay": 5, "7": 5}
# The same in English ("due Friday", "due next Friday", "due end of the month"), as the English usage names.
_EN_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5}
_EN_MONTH_END = ("end of month", "end of the month", "month end")
_EN_WEEK_END = ("end of week", "end of the week", "week end", "this week")


def usage(ctx: Context) -> str:
    # A topic any public body has (a province, a commune, a ministry), and the person's own unit codes.
    return with_own_codes(
        ctx,
        _(
            "Usage: /giaoviec UNITS: TEXT hạn DATE — for example /giaoviec Phòng Nội vụ, Phòng Tư pháp: Báo cáo kết quả"
            " rà soát văn bản hạn 15/06, or by codes /giaoviec XP, LN Báo cáo kết quả rà soát văn bản hạn 15/06"
        ),
    )


def read_deadline(text: str, today: date) -> date | None:
    """A deadline as people write it (see the module), or None."""
    found = read_date(text, today.year)
    if isinstance(found, date):
        return found
    key = match_key(text)
    if key in ("hom nay", "today"):
        return today
    if key in ("ngay mai", "tomorrow"):
        return today + timedelta(days=1)
    if key in ("cuoi thang", "cuoi thang nay", *_EN_MONTH_END):
        return today.replace(day=months.monthrange(today.year, today.month)[1])
    if key in ("cuoi tuan", "cuoi tuan nay", *_EN_WEEK_END):
        return today + timedelta(days=(4 - today.weekday()) % 7)  # Friday: the last working day
    english = key.split()
    if english and english[-1] in _EN_WEEKDAYS and english[:-1] in ([], ["this"], ["next"]):
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=(7 if english[:-1] == ["next"] else 0) + _EN_WEEKDAYS[english[-1]])
    words = key.split()
    if len(words) >= 2 and words[0] == "thu" and words[1] in _WEEKDAYS:
        rest = " ".join(words[2:])
        monday = today - timedelta(days=today.weekday())
        if rest in ("", "tuan nay", "nay"):
            return monday + timedelta(days=_WEEKDAYS[words[1]])
        if rest == "tuan sau":
            return monday + timedelta(days=7 + _WEEKDAYS[words[1]])
    return None


_LIST = re.compile(r"[,;]")


def _coded_units(ctx: Context, org_id: int, head: list[str]) -> tuple[list[Unit], str]:
    """The units of the colon-less form (each leading word a code or a one-word name) and the text after."""
    units, taken = _leading_units(ctx, org_id, head)
    return units, " ".join(head[taken:]).strip(" ,;:-")


def _leading_units(ctx: Context, org_id: int, head: list[str]) -> tuple[list[Unit], int]:
    """The units the leading words name one by one, and how many words they are."""
    units: list[Unit] = []
    for word in head:
        found = find_unit(ctx.session, org_id, word.strip(",;"))
        if found is None:
            break
        units.append(found)
    return units, len(units)


def _named_units(ctx: Context, org_id: int, head: str) -> tuple[list[Unit], str] | str | None:
    """The units listed before the first colon (names, aliases or codes) and the text after it; None
    when there is no colon, or when the part before it is no list of units but the colon-less form
    reads the line (``XP Báo cáo: số liệu quý``); else why not: the first listed part that is no unit."""
    before, colon, after = head.partition(":")
    if not colon:
        return None
    parts = [part.strip() for part in _LIST.split(before)]
    parts = [part for part in parts if part]
    found = [units_typed(ctx.session, org_id, part) for part in parts]
    if parts and all(len(units) == 1 for units in found):
        return [units[0] for units in found], after.strip(" ,;:-")
    words = head.split()
    units, taken = _leading_units(ctx, org_id, words)
    # The colon-less form reads it unless its list of units went on (a comma after the last) into
    # what is no unit: "XP, Phòng Nội vu: …" names a unit wrongly, it does not give XP "Phòng Nội vu: …".
    if units and not words[taken - 1].endswith((",", ";")):
        return None
    refused = next(((part, units) for part, units in zip(parts, found, strict=True) if len(units) != 1), None)
    if refused is None:  # nothing before the colon
        return None
    return units_refused(refused[1], refused[0])


def command(ctx: Context, args: str) -> None:
    orgs = ctx.organizations(*MANAGING_ROLES)
    org = ctx.session.get(Organization, orgs[0]) if orgs else None
    if org is None or org.id is None:
        ctx.reply(usage(ctx))
        return
    words = args.split()
    # "hạn" before the deadline, or "due" as written (not "duệ"): the word the English usage names
    keys = ["han" if word.lower() == "due" else match_key(word) for word in words]
    if "han" not in keys:
        ctx.reply(usage(ctx))
        return
    cut = len(keys) - 1 - keys[::-1].index("han")
    head, deadline_text = words[:cut], " ".join(words[cut + 1 :])
    named = _named_units(ctx, org.id, " ".join(head))
    if isinstance(named, str):  # a colon after what is not a list of units, nor read the old way
        ctx.reply(named + "\n" + usage(ctx))
        return
    if named is not None:
        units, text = named
    else:
        units, text = _coded_units(ctx, org.id, head)
    if not units:
        ctx.reply(
            _("Name the units first: {word} is not a unit.").format(word=esc(head[0] if head else ""))
            + "\n"
            + usage(ctx)
        )
        return
    if not text:
        ctx.reply(_("Write what is to be done after the units.") + "\n" + usage(ctx))
        return
    due = read_deadline(deadline_text, ctx.now.date())
    if due is None:
        ctx.reply(
            _(
                "“{typed}” is not a deadline I can read: write it as 15/06, 15/06/2022, thứ Sáu tuần này or cuối tháng."
            ).format(typed=esc(deadline_text))
        )
        return
    if due < ctx.now.date():
        ctx.reply(_("The deadline {due} is already past.").format(due=format_date(due)))
        return
    given = give_task(
        ctx.session,
        org,
        units,
        text=text,
        due=due,
        given_at=ctx.now,
        given_by_person_id=ctx.person.id if ctx.person else None,
        year=due.year,
    )
    from dondoc.scheduler.calendar import calendar_from_env
    from dondoc.scheduler.schedule import replan

    replan(ctx.session, ctx.settings.calendar or calendar_from_env(), ctx.now, assignment_ids=given.assignment_ids)
    chosen = distinct(units)
    names = ", ".join(esc(u.name) for u in chosen)
    ctx.reply(
        _("Task {code} given to {units}: {text} — due {due}.").format(
            code=esc(given.task.code), units=names, text=esc(text), due=format_date(due)
        )
    )
    told = _("📌 New task {code} from {name}: {text} — due {due}. Report on it with /report {code}.").format(
        code=esc(given.task.code),
        name=esc(ctx.person.full_name if ctx.person else ""),
        text=esc(text),
        due=format_date(due),
    )
    # The units' focal points and deputies, or whoever stands in for those away (dondoc.plan.absences).
    recipients = focal_recipients(ctx.session, [u.id for u in chosen if u.id], in_vietnam(ctx.now).date())
    for people in recipients.values():
        for recipient in people:
            why = "".join(line + "\n" for line in cover_lines(recipient.covering))
            account = recipient.account
            ctx.reply(why + told, to=Address(channel=account.channel, chat_id=account.chat_id))
