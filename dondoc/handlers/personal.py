"""``/nhacviec``: a person's own reminder settings — the send time, a weekly digest instead of daily
reminders, muted check-ins — shown with what comes from the organisation's policy, and changed
with choices (buttons on Telegram, numbered choices on Zalo) or in one line:

- ``/nhacviec giờ 14:00`` (``gio``, ``time``): reminders at 14:00, within office hours;
- ``/nhacviec tuần`` (``tuan``, ``weekly``), ``/nhacviec tuần thứ 6``: a weekly digest (Monday unless a day is given);
- ``/nhacviec ngày`` (``ngay``, ``daily``): daily reminders again;
- ``/nhacviec tắt nhắc`` (``tat nhac``, ``mute``) / ``/nhacviec bật nhắc`` (``bat nhac``, ``unmute``): check-ins muted or sent;
- ``/nhacviec mặc định`` (``mac dinh``, ``default``): the organisation's policy again.

Due-day and overdue reminders and escalations to managers are never muted. The rules and their
effect are :mod:`dondoc.scheduler.personal`'s.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from sqlmodel import col, select

from dondoc.db.models import MemberRole, Membership, Organization
from dondoc.handlers.context import REPORTING_ROLES, Context, MenuFlow, split_action
from dondoc.handlers.events import channel_family, esc
from dondoc.i18n import N_, _
from dondoc.plan.channels import channel_policies
from dondoc.plan.dates import read_time_of_day
from dondoc.plan.policy import Policy, PolicyError
from dondoc.scheduler import personal
from dondoc.scheduler.calendar import WorkCalendar, calendar_from_env
from dondoc.scheduler.personal import Personal, SettingError
from dondoc.text import match_key

FLOW_NAME = "nhacviec"
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"))
_SUGGESTED = (time(7, 30), time(8, 0), time(9, 0), time(13, 30), time(14, 0), time(16, 0))
# What a one-line form starts with (matching keys: diacritics and case ignored) → the action.
_TIME_WORDS = ("gio", "time", "luc")
_WEEKLY_WORDS = ("tuan", "weekly", "hang tuan", "moi tuan")
_DAILY_WORDS = ("ngay", "daily", "hang ngay", "moi ngay")
_MUTE_WORDS = ("tat nhac", "tat", "mute", "tat hoi tham", "khong nhac")
_UNMUTE_WORDS = ("bat nhac", "bat", "unmute", "bat hoi tham")
_RESET_WORDS = ("mac dinh", "default", "reset", "xoa")


def _calendar(ctx: Context) -> WorkCalendar:
    return ctx.settings.calendar or calendar_from_env()


def usage() -> str:
    return _(
        "Change in one line: /nhacviec gio 14:00 (send time), /nhacviec tuan (weekly digest, Monday; "
        "/nhacviec tuan thu 6 for Friday), /nhacviec ngay (daily), /nhacviec tat nhac (mute check-ins), "
        "/nhacviec bat nhac (check-ins again), /nhacviec mac dinh (the organisation's settings)."
    )


def weekday_name(day: int) -> str:
    return _(WEEKDAYS[day])


def _policy(ctx: Context) -> Policy:
    """The organisation's policy this person's reminders follow by default (their channel's, when the
    registry gives the channel a policy of its own)."""
    org_id = next((u.organization_id for m, u in ctx.memberships if m.role in REPORTING_ROLES), None)
    if org_id is None and ctx.person is not None:
        org_id = ctx.person.organization_id
    org = ctx.session.get(Organization, org_id) if org_id is not None else None
    if org is None:
        return Policy()
    try:
        by_channel = channel_policies(org.settings)
        return by_channel.get(channel_family(ctx.inbound.channel)) or Policy.from_settings(
            org.settings.get("reminders", {})
        )
    except PolicyError:
        return Policy()


def _mine(ctx: Context) -> Personal:
    assert ctx.person is not None and ctx.person.id is not None
    return personal.load(ctx.session, ctx.person.id)


def describe(ctx: Context, settings: Personal) -> list[str]:
    """The person's settings, one line each, saying which come from the organisation."""
    return describe_settings(settings, _policy(ctx))


def describe_settings(settings: Personal, policy: Policy) -> list[str]:
    """``settings`` one line each, those left unset as ``policy`` has them (marked as the organisation's)."""
    default = " " + _("(organisation's default)")
    send_time = settings.send_time or policy.send_time
    lines = [
        _("Send time: {time} on working days").format(time=f"{send_time:%H:%M}")
        + (default if settings.send_time is None else ""),
    ]
    if settings.weekly:
        lines.append(
            _("Reminders before deadlines and check-ins: one weekly digest on {day}").format(
                day=weekday_name(settings.weekday)
            )
        )
    else:
        lines.append(
            _("Reminders before deadlines: daily, as they fall") + (default if settings.frequency is None else "")
        )
    if settings.muted:
        lines.append(_("Check-ins on continuous tasks: muted"))
    else:
        lines.append(_("Check-ins on continuous tasks: sent") + (default if settings.mute_checkins is None else ""))
    return lines


def summary(ctx: Context) -> str:
    """One line for /whoami."""
    if ctx.person is None or ctx.person.id is None:
        return ""
    lines = describe(ctx, _mine(ctx))
    return _("Reminders: {settings} (/nhacviec)").format(settings="; ".join(lines))


def command(ctx: Context, args: str) -> None:
    """``/nhacviec`` (the settings and choices) or ``/nhacviec <change>`` in one line."""
    typed = args.strip()
    if not typed:
        show(ctx)
        return
    if not _one_line(ctx, typed):
        ctx.reply(_("I did not understand “{typed}”.").format(typed=esc(typed)) + "\n" + usage())


_WORDS = sorted(
    (*_TIME_WORDS, *_WEEKLY_WORDS, *_DAILY_WORDS, *_MUTE_WORDS, *_UNMUTE_WORDS, *_RESET_WORDS), key=len, reverse=True
)


def _one_line(ctx: Context, typed: str) -> bool:
    """Apply a one-line change (see the module); False when ``typed`` is not one."""
    key = match_key(typed)
    word = next((w for w in _WORDS if key == w or key.startswith(w + " ")), None)
    if word is None:
        found = read_time_of_day(typed)
        if found is None:
            return False
        _set_time(ctx, found)  # /nhacviec 14:00
        return True
    tail = _after_words(typed, len(word.split()))
    if word in _TIME_WORDS:
        if not tail:
            _ask_time(ctx)
            return True
        found = read_time_of_day(tail)
        if found is None:
            ctx.reply(
                _("“{typed}” is not a time of day: type hour:minute, for example 14:30 (or 2 pm).").format(
                    typed=esc(tail)
                )
            )
            return True
        _set_time(ctx, found)
    elif word in _WEEKLY_WORDS:
        day = personal.DEFAULT_WEEKDAY
        if tail:
            chosen = personal.read_weekday(tail)
            if chosen is None:
                ctx.reply(
                    _("“{typed}” is not a working weekday: choose Monday to Friday (thứ 2 to thứ 6).").format(
                        typed=esc(tail)
                    )
                )
                return True
            day = chosen
        _set_weekly(ctx, day)
    elif word in _DAILY_WORDS:
        _simple(ctx, "daily")
    elif word in _MUTE_WORDS:
        _simple(ctx, "mute")
    elif word in _UNMUTE_WORDS:
        _simple(ctx, "unmute")
    else:
        _simple(ctx, "reset")
    return True


def _after_words(typed: str, count: int) -> str:
    """``typed`` without its first ``count`` words."""
    parts = typed.split(maxsplit=count)
    return parts[count].strip() if len(parts) > count else ""


def show(ctx: Context) -> None:
    """The settings and the choices to change each."""
    settings = _mine(ctx)
    lines = [_("Your reminder settings:")]
    lines += [f"• {line}" for line in describe(ctx, settings)]
    lines += [
        "",
        _("Due-day and overdue reminders and escalations to managers always come on their day: they cannot be muted."),
    ]
    if not ctx.has_role(*REPORTING_ROLES):
        lines.append(
            _(
                "These settings apply to the reminders a focal point or deputy receives: you have no such role now. "
                "Managers' escalations and weekly digests follow the organisation's policy."
            )
        )
    elif _shares_reminders(ctx):
        lines.append(
            _(
                "Your unit's reminders also go to its other focal points or deputies: each of you gets them at "
                "your own time, but a weekly digest applies only when they all choose it on the same day."
            )
        )
    lines += ["", _("Choose what to change:")]
    options: list[list[tuple[str, str]]] = [[(_("Send time"), "time")]]
    if settings.weekly:
        options.append([(_("Daily reminders"), "daily"), (_("Digest day"), "weekly")])
    else:
        options.append([(_("Weekly digest"), "weekly")])
    options.append([(_("Send check-ins"), "unmute")] if settings.muted else [(_("Mute check-ins"), "mute")])
    if not settings.is_default:
        options.append([(_("Organisation's default"), "reset")])
    ctx.go(FLOW_NAME, "menu")
    ctx.reply("\n".join(lines), ctx.offer(options))


def _shares_reminders(ctx: Context) -> bool:
    units = [u.id for m, u in ctx.memberships if m.role in REPORTING_ROLES and u.id is not None]
    if not units or ctx.person is None:
        return False
    others = ctx.session.exec(
        select(Membership.person_id).where(
            col(Membership.unit_id).in_(units),
            Membership.person_id != ctx.person.id,
            col(Membership.role).in_((MemberRole.FOCAL, MemberRole.DEPUTY)),
        )
    ).first()
    return others is not None


def _ask_time(ctx: Context) -> None:
    calendar = _calendar(ctx)
    times = [t for t in _SUGGESTED if calendar.office_start <= t < calendar.office_end]
    ctx.go(FLOW_NAME, "time")
    text = _(
        "At what time should reminders come? Type hour:minute, for example 14:30, between {start} and {end}, or choose:"
    ).format(start=f"{calendar.office_start:%H:%M}", end=f"{calendar.office_end:%H:%M}")
    rows = [times[i : i + 3] for i in range(0, len(times), 3)]
    ctx.reply(text, ctx.offer([[(f"{t:%H:%M}", f"at:{t:%H:%M}") for t in row] for row in rows]))


def _ask_weekday(ctx: Context) -> None:
    ctx.go(FLOW_NAME, "weekday")
    ctx.reply(
        _("On which day should the weekly digest come?"),
        ctx.offer(
            [[(weekday_name(d), f"day:{d}") for d in range(0, 3)], [(weekday_name(d), f"day:{d}") for d in (3, 4)]]
        ),
    )


def _set_time(ctx: Context, chosen: time) -> None:
    _change(ctx, "time", replace(_mine(ctx), send_time=chosen))


def _set_weekly(ctx: Context, day: int) -> None:
    _change(ctx, "weekly", replace(_mine(ctx), frequency=personal.WEEKLY, digest_weekday=day))


def _simple(ctx: Context, what: str) -> None:
    """A change that needs no value: daily, mute, unmute, reset."""
    changes = {
        "daily": {"frequency": personal.DAILY, "digest_weekday": None},
        "mute": {"mute_checkins": True},
        "unmute": {"mute_checkins": False},
    }
    settings = Personal() if what == "reset" else replace(_mine(ctx), **changes[what])  # type: ignore[arg-type]
    _change(ctx, what, settings)


def _confirmation(what: str, saved: Personal) -> str:
    if what == "time" and saved.send_time is not None:
        return _("Done: your reminders will come at {time} on working days.").format(time=f"{saved.send_time:%H:%M}")
    if what == "weekly":
        return _(
            "Done: reminders before deadlines and check-ins will come together once a week, on {day}. "
            "Due-day and overdue reminders still come on their day."
        ).format(day=weekday_name(saved.weekday))
    if what == "daily":
        return _("Done: reminders will come daily, as they fall.")
    if what == "mute":
        return _("Done: check-ins on continuous tasks are muted. Due-day reminders and escalations still come.")
    if what == "unmute":
        return _("Done: check-ins on continuous tasks will come again.")
    return _("Done: your reminders follow the organisation's settings again.")


def _change(ctx: Context, what: str, settings: Personal) -> None:
    """Store ``settings`` (refused with the reason when not valid: nothing changes and the question
    stays), confirm ``what`` changed, and replan the person's units' reminders at once."""
    assert ctx.person is not None and ctx.person.id is not None
    calendar = _calendar(ctx)
    try:
        saved = personal.save(ctx.session, ctx.person.id, settings, ctx.now, calendar)
    except SettingError as error:
        ctx.reply(esc(str(error)))
        return
    personal.replan_for(ctx.session, ctx.person.id, calendar, ctx.now)
    ctx.end()
    ctx.reply(_confirmation(what, saved) + "\n" + "\n".join(f"• {line}" for line in describe(ctx, saved)))


class _Flow(MenuFlow):
    def hint(self, ctx: Context) -> str:
        return _("Type /nhacviec to see your reminder settings.")

    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        if kind == "time":
            _ask_time(ctx)
        elif kind == "at":
            found = read_time_of_day(value)
            if found is not None:
                _set_time(ctx, found)
        elif kind == "weekly":
            _ask_weekday(ctx)
        elif kind == "day" and value.isdigit():
            _set_weekly(ctx, int(value))
        elif kind == "daily":
            _simple(ctx, "daily")
        elif kind == "mute":
            _simple(ctx, "mute")
        elif kind == "unmute":
            _simple(ctx, "unmute")
        elif kind == "reset":
            _simple(ctx, "reset")

    def on_text(self, ctx: Context, text: str) -> None:
        action = ctx.resolve_typed(text)
        if action is not None:
            self.on_action(ctx, action)
            return
        if ctx.step == "time":
            found = read_time_of_day(text)
            if found is None:
                ctx.reply(
                    _("“{typed}” is not a time of day: type hour:minute, for example 14:30 (or 2 pm).").format(
                        typed=esc(text)
                    )
                )
                return
            _set_time(ctx, found)
            return
        if ctx.step == "weekday":
            day = personal.read_weekday(text)
            if day is None:
                ctx.reply(
                    _("“{typed}” is not a working weekday: choose Monday to Friday (thứ 2 to thứ 6).").format(
                        typed=esc(text)
                    )
                )
                return
            _set_weekly(ctx, day)
            return
        if _one_line(ctx, text):
            return
        super().on_text(ctx, text)


FLOW = _Flow()
