"""Plan targets in chat: units report their figures, managers see each target against its goal.

- ``/figures [CODE] [PERIOD]``: one question at a time — the target (numbered choices), then the
  numbers (typed), or **Có** / **Không** for a yes/no share, or a rate — read back with the unit's
  rate ("Tỷ lệ của đơn vị: 96,3%") before **Xác nhận**. Nothing is stored before it; a correction
  is a new entry and the history keeps both.
- One line, beside the one-line reports: ``HS Q1 120/125``, ``ISO Q1 có``, ``HL Q1 96,5%`` (the
  period may be left out: the one being collected). Recorded at once and read back with the rate.
- ``/targets [PERIOD]`` and ``/targets CODE [PERIOD]`` for managers: each target's value against its
  goal; by unit, worst first, with the last four periods as a trend; units that did not report named.
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

from dondoc.db.models import Figure, MemberRole, Organization, PlanTarget, TargetKind, Unit
from dondoc.handlers.context import MANAGING_ROLES, REPORTING_ROLES, Context, split_action
from dondoc.handlers.events import Attachment, esc
from dondoc.i18n import _, format_date, ngettext
from dondoc.plan.figures import (
    NumberProblem,
    Period,
    format_count,
    format_rate,
    goal_label,
    parse_period,
    read_percent,
    read_whole,
)
from dondoc.plan.targets import (
    FigureProblem,
    TargetValue,
    check_ratio,
    find_target,
    latest_figures,
    list_targets,
    record_figure,
    target_every,
    target_values,
    unit_rate,
    windows_of,
)
from dondoc.scheduler.figures import Owed
from dondoc.text import match_key

FLOW_NAME = "figures"
_YES = {"co", "yes", "y", "dat", "roi", "da", "co ap dung"}
_NO = {"khong", "no", "n", "chua", "k", "ko", "khong dat"}
_SHORT = 60


def _short(text: str, limit: int = _SHORT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _organization(ctx: Context, *roles: MemberRole) -> Organization | None:
    """The organisation whose targets the person works on: the first where they hold one of ``roles``
    (by default a reporting role). Powers never cross organisations."""
    ids = ctx.organizations(*(roles or REPORTING_ROLES))
    return ctx.session.get(Organization, ids[0]) if ids else None


def _my_targets(ctx: Context) -> list[tuple[PlanTarget, Unit]]:
    """(target, unit) for every target one of the person's units reports, in the targets' order."""
    org = _organization(ctx)
    if org is None or org.id is None:
        return []
    units = [u for u in ctx.reporting_units() if u.organization_id == org.id]
    return [(t, u) for t in list_targets(ctx.session, org.id) for u in units if u.code in t.units]


def _period_for(ctx: Context, target: PlanTarget, typed: str | None) -> Period | str:
    """The period typed, or the one being collected; a message when it is not a period of the target."""
    org = _organization(ctx)
    assert org is not None
    if not typed:
        return windows_of(org).current(target_every(target), ctx.now.date())
    period = parse_period(typed, ctx.now.year)
    if period is None:
        half = Period(ctx.now.year, "half-year", 1).short()
        return _("“{typed}” is not a period: type Q1, T3, {half}, 2022 or 2022-Q1.").format(typed=esc(typed), half=half)
    if period.every != target_every(target):
        return _("{code} is reported for each {every}: “{typed}” is not one.").format(
            code=esc(target.code), every=_every_word(target), typed=esc(typed)
        )
    return period


def _every_word(target: PlanTarget) -> str:
    from dondoc.plan.targets import every_label

    return every_label(target_every(target))


def syntax(target: PlanTarget, period: Period) -> str:
    """How to send the target's figures in one line (already safe to show)."""
    word = esc(target.aliases[0] if target.aliases else target.code)
    kind = TargetKind(target.kind)
    if kind == TargetKind.RATIO:
        return _("«{word} {period} 120/125» ({numerator} / {denominator})").format(
            word=word, period=period.short(), numerator=esc(target.numerator), denominator=esc(target.denominator)
        )
    if kind == TargetKind.SHARE:
        return _("«{word} {period} có» or «{word} {period} không»").format(word=word, period=period.short())
    return _("«{word} {period} 96,5%»").format(word=word, period=period.short())


def read_back(target: PlanTarget, unit: Unit, period: Period, figure: Figure) -> str:
    """What was recorded, with the unit's rate: "Tỷ lệ của đơn vị: 96,3%"."""
    kind = TargetKind(target.kind)
    lines = [
        _("<b>{code}</b> — {unit}, {period}").format(code=esc(target.code), unit=esc(unit.name), period=period.label())
    ]
    if kind == TargetKind.RATIO:
        lines.append(f"{esc(target.numerator)}: {format_count(figure.numerator)}")
        lines.append(f"{esc(target.denominator)}: {format_count(figure.denominator)}")
    elif kind == TargetKind.SHARE:
        lines.append(_("Answer: {answer}").format(answer=_("Yes") if figure.answer else _("No")))
    rate = unit_rate(target, figure)
    lines.append(_("Unit's rate: {rate}").format(rate=format_rate(rate)))
    return "\n".join(lines)


# ---------------------------------------------------------------- one line


def _read_ratio(text: str) -> tuple[int, int]:
    parts = [p for p in re.split(r"\s*/\s*|\s+(?:tren|trên|of|/)\s+", text.strip()) if p]
    if len(parts) != 2:
        raise NumberProblem(_("“{typed}” is not two counts: type them as 120/125.").format(typed=text.strip()))
    return read_whole(parts[0]), read_whole(parts[1])


def _read_answer(text: str) -> bool | None:
    key = match_key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def handle_line(ctx: Context, text: str) -> bool:
    """Record ``text`` as a one-line figure if it starts with a target's code or alias; False when
    it does not, so the caller goes on."""
    tokens = text.split()
    if len(tokens) < 2:
        return False
    org = _organization(ctx)
    if org is None or org.id is None:
        return False
    target = find_target(list_targets(ctx.session, org.id), tokens[0])
    if target is None:
        return False
    units = [u for u in ctx.reporting_units() if u.code in target.units]
    if not units:
        ctx.reply(
            _("Your unit does not report target {code}.").format(code=esc(target.code)) + " " + _("Nothing was saved.")
        )
        return True
    if len(units) > 1:
        names = ", ".join(esc(u.name) for u in units)
        ctx.reply(
            _("Several of your units report {code} ({units}): please use /figures {code}.").format(
                code=esc(target.code), units=names
            )
        )
        return True
    rest = tokens[1:]
    typed_period: str | None = None
    for size in (4, 3, 2, 1):  # "6 tháng đầu năm có", "quý 1 120/125", "Q1 120/125"
        if len(rest) > size and parse_period(" ".join(rest[:size]), ctx.now.year) is not None:
            typed_period, rest = " ".join(rest[:size]), rest[size:]
            break
    period = _period_for(ctx, target, typed_period)
    if isinstance(period, str):
        ctx.reply(period + "\n" + _("Nothing was saved."))
        return True
    value = " ".join(rest)
    try:
        figure = _record_typed(ctx, target, units[0], period, value)
    except (NumberProblem, FigureProblem) as exc:
        ctx.reply(esc(str(exc)) + "\n" + _("Nothing was saved.") + "\n" + syntax(target, period))
        return True
    ctx.reply(_("Recorded.") + " " + read_back(target, units[0], period, figure))
    return True


def _record_typed(ctx: Context, target: PlanTarget, unit: Unit, period: Period, value: str) -> Figure:
    kind = TargetKind(target.kind)
    assert ctx.person is not None
    common = {"reported_at": ctx.now, "reporter_person_id": ctx.person.id}
    if kind == TargetKind.RATIO:
        numerator, denominator = _read_ratio(value)
        return record_figure(ctx.session, target, unit, period, numerator=numerator, denominator=denominator, **common)  # type: ignore[arg-type]
    if kind == TargetKind.SHARE:
        answer = _read_answer(value)
        if answer is None:
            raise NumberProblem(_("“{typed}” is not a yes or a no: type có or không.").format(typed=value.strip()))
        return record_figure(ctx.session, target, unit, period, answer=answer, **common)  # type: ignore[arg-type]
    return record_figure(ctx.session, target, unit, period, rate=read_percent(value), **common)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the conversation


def start(ctx: Context, args: str) -> None:
    """``/figures``, ``/figures HS``, ``/figures HS Q1``."""
    mine = _my_targets(ctx)
    if not mine:
        ctx.reply(_("Your unit reports no figures for the plan's targets."))
        return
    words = args.split()
    if words:
        target = find_target([t for t, _u in mine], words[0])
        if target is None:
            ctx.reply(_("Your unit does not report target {code}.").format(code=esc(words[0])))
        else:
            pairs = [(t, u) for t, u in mine if t.id == target.id]
            period = _period_for(ctx, target, " ".join(words[1:]) or None)
            if isinstance(period, str):
                ctx.reply(period)
                return
            if len(pairs) == 1:
                _begin(ctx, pairs[0][0], pairs[0][1], period)
                return
    _ask_target(ctx, mine)


def _ask_target(ctx: Context, mine: list[tuple[PlanTarget, Unit]]) -> None:
    org = _organization(ctx)
    assert org is not None
    windows = windows_of(org)
    periods = {t.id: windows.current(target_every(t), ctx.now.date()) for t, _u in mine}
    keys = sorted({p.key for p in periods.values()})
    latest = latest_figures(ctx.session, [t.id for t, _u in mine if t.id is not None], keys)
    several = len({u.id for _t, u in mine}) > 1
    options: list[list[tuple[str, str]]] = []
    for target, unit in mine:
        assert target.id is not None
        period = periods[target.id]
        done = (target.id, unit.id or 0, period.key) in latest
        label = f"{'✓ ' if done else ''}{target.code} · {period.short()} · {_short(target.text, 40)}"
        if several:
            label = f"{unit.code} · {label}"
        options.append([(label, f"t:{target.id}:{unit.id}:{period.key}")])
    ctx.go(FLOW_NAME, "target")
    ctx.reply(
        _("Which target are you sending figures for? Type its number (✓: already sent; sending again corrects it)."),
        ctx.offer(options),
    )


def _begin(ctx: Context, target: PlanTarget, unit: Unit, period: Period) -> None:
    ctx.go(FLOW_NAME, "", target=target.id, unit=unit.id, period=period.key, numerator=None, denominator=None)
    _ask_first(ctx, target, unit, period)


def _ask_first(ctx: Context, target: PlanTarget, unit: Unit, period: Period) -> None:
    kind = TargetKind(target.kind)
    header = _("<b>{code}</b> — {text}\n{unit}, {period}").format(
        code=esc(target.code), text=esc(_short(target.text, 160)), unit=esc(unit.name), period=period.label()
    )
    earlier = _latest(ctx, target, unit, period)
    if earlier is not None:
        header += "\n" + _("Already sent: {rate}. What you send now corrects it; both are kept.").format(
            rate=format_rate(unit_rate(target, earlier))
        )
    if kind == TargetKind.RATIO:
        ctx.go(FLOW_NAME, "numerator")
        ctx.reply(header + "\n\n" + _("{what}? Type a whole number.").format(what=esc(target.numerator)))
    elif kind == TargetKind.SHARE:
        ctx.go(FLOW_NAME, "answer")
        question = esc(target.numerator or target.text)
        ctx.reply(header + "\n\n" + question, ctx.offer([[(_("Yes"), "yes:1"), (_("No"), "yes:0")]]))
    else:
        ctx.go(FLOW_NAME, "rate")
        question = esc(target.numerator or target.text)
        ctx.reply(header + "\n\n" + question + "\n" + _("Type the rate, such as 96,5%."))


def _latest(ctx: Context, target: PlanTarget, unit: Unit, period: Period) -> Figure | None:
    found = latest_figures(ctx.session, [target.id or 0], [period.key])
    return found.get((target.id or 0, unit.id or 0, period.key))


def _current(ctx: Context) -> tuple[PlanTarget, Unit, Period] | None:
    """The conversation's target, unit and period, checked again: the unit still reports it."""
    data = ctx.data
    target = ctx.session.get(PlanTarget, data.get("target"))
    unit = ctx.session.get(Unit, data.get("unit"))
    period = parse_period(str(data.get("period", "")))
    allowed = {u.id for u in ctx.reporting_units()}
    if target is None or unit is None or period is None or not target.active or unit.id not in allowed:
        ctx.end()
        ctx.reply(_("Your unit no longer reports this target. Nothing was saved."))
        return None
    if unit.code not in target.units:
        ctx.end()
        ctx.reply(_("Your unit no longer reports this target. Nothing was saved."))
        return None
    return target, unit, period


def _confirm_question(ctx: Context, target: PlanTarget, unit: Unit, period: Period, figure: Figure) -> None:
    ctx.go(FLOW_NAME, "confirm")
    ctx.reply(
        read_back(target, unit, period, figure) + "\n\n" + _("Is this right?"),
        ctx.offer([[(_("Confirm"), "confirm"), (_("Edit"), "edit"), (_("Cancel"), "cancel")]]),
    )


def _draft(ctx: Context, target: PlanTarget, unit: Unit, period: Period) -> Figure:
    """The figures typed so far as an unsaved row, for the read-back."""
    data = ctx.data
    rate = data.get("rate")
    return Figure(
        target_id=target.id or 0,
        unit_id=unit.id or 0,
        period=period.key,
        numerator=data.get("numerator"),
        denominator=data.get("denominator"),
        answer=data.get("answer"),
        rate=float(Fraction(rate)) if rate is not None else None,
        reported_at=ctx.now,
    )


class _Flow:
    def on_action(self, ctx: Context, action: str) -> None:
        kind, value = split_action(action)
        if ctx.step == "target" and kind == "t":
            target_id, unit_id, period_key = [*value.split(":"), "", "", ""][:3]
            target = ctx.session.get(PlanTarget, int(target_id) if target_id.isdigit() else 0)
            unit = ctx.session.get(Unit, int(unit_id) if unit_id.isdigit() else 0)
            period = parse_period(period_key)
            if target is None or unit is None or period is None:
                ctx.end()
                ctx.reply(_("Your unit no longer reports this target. Nothing was saved."))
                return
            _begin(ctx, target, unit, period)
            return
        current = _current(ctx)
        if current is None:
            return
        target, unit, period = current
        if ctx.step == "answer" and kind == "yes":
            ctx.go(FLOW_NAME, "confirm", answer=value == "1")
            _confirm_question(ctx, target, unit, period, _draft(ctx, target, unit, period))
        elif ctx.step == "confirm" and action == "confirm":
            self._save(ctx, target, unit, period)
        elif ctx.step == "confirm" and action == "edit":
            ctx.go(FLOW_NAME, "", numerator=None, denominator=None, answer=None, rate=None)
            _ask_first(ctx, target, unit, period)
        elif action == "cancel":
            ctx.end()
            ctx.reply(_("Cancelled. Nothing was saved."))
        else:
            ctx.reply(_("Please answer the question above, or type /cancel."))

    def _save(self, ctx: Context, target: PlanTarget, unit: Unit, period: Period) -> None:
        data = ctx.data
        assert ctx.person is not None
        rate = data.get("rate")
        try:
            figure = record_figure(
                ctx.session,
                target,
                unit,
                period,
                reported_at=ctx.now,
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                answer=data.get("answer"),
                rate=Fraction(rate) if rate is not None else None,
                reporter_person_id=ctx.person.id,
            )
        except FigureProblem as exc:
            ctx.end()
            ctx.reply(esc(str(exc)) + "\n" + _("Nothing was saved."))
            return
        ctx.end()
        left = _left(ctx)
        text = _("Recorded.") + " " + read_back(target, unit, period, figure)
        if left:
            text += "\n\n" + _("Still to send: {targets}. Type /figures to go on.").format(targets=", ".join(left))
        ctx.reply(text)

    def on_text(self, ctx: Context, text: str) -> None:
        action = ctx.resolve_typed(text)
        if action is not None:
            self.on_action(ctx, action)
            return
        if ctx.step == "answer":
            answer = _read_answer(text)
            if answer is not None:
                self.on_action(ctx, f"yes:{int(answer)}")
                return
        if ctx.step not in ("numerator", "denominator", "rate"):
            ctx.reply(_("Please type the number of one of the choices above, or /cancel."))
            return
        current = _current(ctx)
        if current is None:
            return
        target, unit, period = current
        try:
            if ctx.step == "rate":
                rate = read_percent(text)
                ctx.go(FLOW_NAME, "confirm", rate=str(rate))
                _confirm_question(ctx, target, unit, period, _draft(ctx, target, unit, period))
                return
            number = read_whole(text)
        except NumberProblem as exc:
            ctx.reply(esc(str(exc)) + " " + _("Nothing was saved; please type it again."))
            return
        if ctx.step == "numerator":
            ctx.go(FLOW_NAME, "denominator", numerator=number)
            ctx.reply(_("{what}? Type a whole number.").format(what=esc(target.denominator)))
            return
        numerator = int(ctx.data.get("numerator", 0))
        try:
            check_ratio(numerator, number)
        except FigureProblem as exc:
            ctx.go(FLOW_NAME, "numerator", numerator=None)
            ctx.reply(
                esc(str(exc))
                + " "
                + _("Nothing was saved.")
                + "\n"
                + _("{what}? Type a whole number.").format(what=esc(target.numerator))
            )
            return
        ctx.go(FLOW_NAME, "confirm", denominator=number)
        _confirm_question(ctx, target, unit, period, _draft(ctx, target, unit, period))

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        ctx.reply(_("Please answer the question above, or type /cancel."))


FLOW = _Flow()


def _left(ctx: Context) -> list[str]:
    """The targets the person's units have not sent for the period being collected."""
    mine = _my_targets(ctx)
    org = _organization(ctx)
    if not mine or org is None:
        return []
    windows = windows_of(org)
    periods = {t.id: windows.current(target_every(t), ctx.now.date()) for t, _u in mine}
    latest = latest_figures(
        ctx.session, [t.id for t, _u in mine if t.id is not None], sorted({p.key for p in periods.values()})
    )
    return [
        esc(t.aliases[0] if t.aliases else t.code)
        for t, u in mine
        if (t.id or 0, u.id or 0, periods[t.id].key) not in latest
    ]


def due_lines(ctx: Context) -> list[str]:
    """The one-line syntax of every target the person's units still owe (for /help)."""
    mine = _my_targets(ctx)
    org = _organization(ctx)
    if not mine or org is None:
        return []
    windows = windows_of(org)
    lines = [syntax(t, windows.current(target_every(t), ctx.now.date())) for t, _u in mine]
    return [_("Figures for the plan's targets: /figures, or in one line:"), *lines]


def render_figures_due(unit: Unit, owed: list[Owed], today: date) -> str:
    """The reminder to a unit late with (or soon owing) its targets' figures, with the one-line
    syntax of each."""
    lines = [_("📊 Figures for the plan's targets that {unit} has not sent yet:").format(unit=esc(unit.name))]
    for item in owed:
        days = (item.due - today).days
        if days < 0:
            when = ngettext("overdue by {n} day", "overdue by {n} days", -days).format(n=-days)
        elif days == 0:
            when = _("due today")
        else:
            when = ngettext("due in {n} day", "due in {n} days", days).format(n=days)
        lines.append(
            "• "
            + _("{code} ({period}), due {date}, {when}: type {syntax}").format(
                code=f"<b>{esc(item.target.code)}</b>",
                period=item.period.label(),
                date=format_date(item.due),
                when=when,
                syntax=syntax(item.target, item.period),
            )
        )
    lines.append(_("Or type /figures to answer one question at a time."))
    return "\n".join(lines)


# ---------------------------------------------------------------- managers


def _mark(value: TargetValue) -> str:
    return {True: "✅ " + _("met"), False: "❌ " + _("not met"), None: "— " + _("no figures yet")}[value.met]


def show_targets(ctx: Context, args: str) -> None:
    """``/targets [PERIOD]``; ``/targets CODE [PERIOD]``."""
    org = _organization(ctx, *MANAGING_ROLES)
    if org is None or org.id is None:
        return
    targets = list_targets(ctx.session, org.id)
    if not targets:
        ctx.reply(_("The plan has no targets yet (dondoc targets import FILE.yaml)."))
        return
    words = args.split()
    target = find_target(targets, words[0]) if words else None
    typed = " ".join(words[1:] if target is not None else words) or None
    period: Period | None
    if typed:
        period = parse_period(typed, ctx.now.year)
        if period is None:
            ctx.reply(
                _("“{typed}” is neither a target nor a period: type /targets, /targets T1 or /targets Q1.").format(
                    typed=esc(typed)
                )
            )
            return
    else:
        period = windows_of(org).current(target_every(target or targets[0]), ctx.now.date())
    if target is not None:
        _one_target(ctx, org, target, period)
        return
    lines = [_("<b>Targets — {period}</b>").format(period=period.label())]
    for value in target_values(ctx.session, org, period, targets):
        lines.append("")
        lines.append(f"<b>{esc(value.target.code)}</b> {esc(_short(value.target.text, 90))}")
        lines.append(
            _("{value} (goal {goal}) {mark} · {reported}/{total} units reported").format(
                value=format_rate(value.value),
                goal=esc(goal_label(value.target.goal)),
                mark=_mark(value),
                reported=len(value.reported),
                total=len(value.units),
            )
        )
    lines += ["", _("By unit: /targets {code}").format(code=esc(targets[0].code))]
    ctx.reply("\n".join(lines))


def _trend_period(period: Period) -> str:
    """A period in a trend: ``Q1/2022``, ``T3/2022``; half-years and years by their label."""
    if period.every in ("half-year", "year"):
        return period.label()
    return f"{period.short()}/{period.year}"


def _one_target(ctx: Context, org: Organization, target: PlanTarget, period: Period) -> None:
    periods = [period]
    for _i in range(3):
        periods.insert(0, periods[0].previous())
    if period.every != target_every(target):
        periods = [period]
    history = [target_values(ctx.session, org, p, [target])[0] for p in periods]
    value = history[-1]
    lines = [
        f"<b>{esc(target.code)}</b> — {esc(target.text)}",
        _("{period}: {value} (goal {goal}) {mark}").format(
            period=period.label(), value=format_rate(value.value), goal=esc(goal_label(target.goal)), mark=_mark(value)
        ),
    ]
    if len(history) > 1:
        trend = " → ".join(f"{_trend_period(p)}: {format_rate(v.value)}" for p, v in zip(periods, history, strict=True))
        lines.append(_("Trend: {trend}").format(trend=trend))
    rows = []
    for i, row in enumerate(value.units):
        if row.figure is None:
            continue
        rate = unit_rate(target, row.figure)
        past = [h.units[i].figure for h in history]
        rows.append((rate if rate is not None else Fraction(2), row.unit, rate, past))
    rows.sort(key=lambda r: (r[0], r[1].position))
    if rows:
        lines += ["", _("By unit, worst first:")]
    for _key, unit, rate, past in rows:
        trend = " → ".join(format_rate(unit_rate(target, f)) if f is not None else "—" for f in past)
        figures = ""
        figure = past[-1]
        if figure is not None and TargetKind(target.kind) == TargetKind.RATIO:
            figures = f" ({figure.numerator}/{figure.denominator})"
        line = f"{esc(unit.code)}: {format_rate(rate)}{figures}"
        if len(past) > 1:
            line += " · " + trend
        lines.append(line)
    if value.missing:
        lines += [
            "",
            _("Not reported ({count}): {units}").format(
                count=len(value.missing), units=", ".join(esc(u.name) for u in value.missing)
            ),
        ]
    ctx.reply("\n".join(lines))
