"""Plan targets (chỉ tiêu): ``dondoc targets import FILE.yaml``, the units' figures and each
target's value against its goal.

A target's value is always computed from the units' figures, never typed: Σ numerators ÷ Σ
denominators for a *ratio*, units answering yes ÷ units reporting for a *share*, the mean of the
units' rates for a *percent*. Figures are append-only: a correction is a new row and the newest
counts. Units that did not report are named, not dropped.

```yaml
reporting:          # optional; the CCHC windows by default
  start_day: 15
targets:
  - code: T1
    text: "Giải quyết trước hạn, đúng hạn từ 95% trở lên số hồ sơ thủ tục hành chính"
    kind: ratio
    numerator: "Số hồ sơ giải quyết trước hạn và đúng hạn"
    denominator: "Số hồ sơ đã giải quyết"
    goal: ">= 95%"
    units: [xa, VP]
    every: quarter
    aliases: [HS]     # optional: words for one-line figures (HS Q1 120/125)
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from sqlmodel import Session, col, select

from dondoc.db.models import Figure, Organization, PlanTarget, TargetKind, Unit
from dondoc.i18n import _, format_date
from dondoc.plan.figures import (
    EVERY,
    Every,
    Goal,
    NumberProblem,
    Period,
    Windows,
    format_count,
    goal_label,
    read_goal,
)
from dondoc.plan.problems import InputError, Problem, read_yaml, validate
from dondoc.plan.registry import OptionalText, RequiredText, Strings, build_matcher, load_registry
from dondoc.plan.units import Target as UnitTarget
from dondoc.plan.units import expand
from dondoc.text import match_key

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
SETTINGS_KEY = "targets"  # Organization.settings[SETTINGS_KEY]: the reporting windows


def _goal_text(value: Any) -> Any:
    """A goal written as a number: ``95`` is 95%, ``0.95`` (a fraction up to 1) is 95% too."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value <= 1:
        value = round(value * 100, 6)
    return f"{value:g}%"


# Ways of writing a target's period, folded: the file's word for it.
_EVERY_WORDS: dict[str, Every] = {
    "month": "month", "monthly": "month", "thang": "month", "hang thang": "month",
    "quarter": "quarter", "quarterly": "quarter", "quy": "quarter", "hang quy": "quarter",
    "half year": "half-year", "halfyear": "half-year", "half": "half-year", "semester": "half-year",
    "semiannual": "half-year", "semi annual": "half-year", "6 thang": "half-year", "6 months": "half-year",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "nam": "year", "hang nam": "year",
}  # fmt: skip
_ALL_UNITS = {"all", "tat ca", "tat ca don vi", "all units"}


class _TargetEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: RequiredText
    text: RequiredText
    kind: RequiredText = "ratio"
    numerator: OptionalText = None
    denominator: OptionalText = None
    question: OptionalText = None
    goal: Annotated[str, BeforeValidator(_goal_text)]
    units: Strings | None = None  # None: every unit of the registry
    every: RequiredText = "quarter"
    aliases: Strings = []


class _Reporting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_day: int = 15
    months_before: int = 1
    due_days: int = 1
    remind_days_before: int = 3
    overdue_every: int = 2
    remind_for_days: int = 30


class TargetsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reporting: _Reporting | None = None
    targets: list[_TargetEntry]


@dataclass
class TargetSpec:
    code: str
    text: str
    kind: TargetKind
    numerator: str
    denominator: str
    goal: str
    every: Every
    units: list[str]
    aliases: list[str] = field(default_factory=list)


@dataclass
class TargetsImport:
    targets: list[TargetSpec]
    reporting: dict[str, int]


@dataclass
class TargetChanges:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def _messages(loc: tuple[int | str, ...], kind: str) -> str | None:
    if not loc and kind in ("model_type", "dict_type"):
        return _("expected a mapping with targets")
    if len(loc) == 2 and loc[0] == "targets" and kind in ("model_type", "dict_type"):
        return _("expected a mapping with code, text, kind, goal, units and every")
    return None


def read_targets(path: Path, session: Session, organization: Organization) -> TargetsImport:
    """Parse and check a targets file against the stored registry; raises :class:`InputError`
    naming every problem (field and value)."""
    return parse_targets(read_yaml(path), session, organization)


def parse_targets(raw: Any, session: Session, organization: Organization) -> TargetsImport:
    found = validate(TargetsFile, raw, _messages)
    problems: list[Problem] = []
    matcher = build_matcher(load_registry(session, organization))
    specs: list[TargetSpec] = []
    seen: dict[str, str] = {}  # matching key of a code or alias → where it is
    kinds = {k.value for k in TargetKind}
    for i, entry in enumerate(found.targets):
        where = f"targets[{i + 1}]"
        if not _CODE.match(entry.code):
            message = _("a code may only hold letters, digits, ., _ and -")
            problems.append(Problem(f"{where}.code", message, entry.code))
        for name, field_name in [(entry.code, "code"), *((a, "aliases") for a in entry.aliases)]:
            key = match_key(name)
            if not key:
                continue
            if key in seen:
                message = _("this code or alias already belongs to {other}").format(other=seen[key])
                problems.append(Problem(f"{where}.{field_name}", message, name))
            seen.setdefault(key, where)
        kind = {"yes/no": "share", "yesno": "share", "rate": "percent"}.get(entry.kind.lower(), entry.kind.lower())
        if kind not in kinds:
            message = _("unknown kind: use ratio, share or percent")
            problems.append(Problem(f"{where}.kind", message, entry.kind))
        elif kind == TargetKind.RATIO:
            for name in ("numerator", "denominator"):
                if not getattr(entry, name):
                    problems.append(Problem(f"{where}.{name}", _("required field is missing")))
        every = _EVERY_WORDS.get(match_key(entry.every), entry.every.lower())
        if every not in EVERY:
            message = _("unknown period: use month, quarter, half-year or year")
            problems.append(Problem(f"{where}.every", message, entry.every))
        try:
            read_goal(entry.goal)
        except NumberProblem as exc:
            problems.append(Problem(f"{where}.goal", str(exc), entry.goal))
        targets: list[UnitTarget] = []
        if entry.units is not None and not entry.units:
            problems.append(Problem(f"{where}.units", _("required field is missing")))
        for name in entry.units if entry.units is not None else ["all"]:
            hits, unknown = matcher.match(name)
            if (unknown or not hits) and match_key(name) in _ALL_UNITS:
                everyone = tuple(u.code for u in load_registry(session, organization).units)
                hits, unknown = [UnitTarget("all", everyone, is_group=True)], []
            if unknown or not hits:
                problems.append(Problem(f"{where}.units", _("no unit or group has this name"), name))
            targets += hits
        question = entry.question or entry.numerator or ""
        specs.append(
            TargetSpec(
                code=entry.code,
                text=entry.text,
                kind=TargetKind(kind) if kind in kinds else TargetKind.RATIO,
                numerator=question if kind == TargetKind.SHARE else entry.numerator or "",
                denominator=entry.denominator or "",
                goal=entry.goal.strip(),
                every=every if every in EVERY else "quarter",
                units=expand(targets),
                aliases=entry.aliases,
            )
        )
    reporting = found.reporting or _Reporting()
    if not 1 <= reporting.start_day <= 28:
        problems.append(Problem("reporting.start_day", _("expected a day from 1 to 28"), str(reporting.start_day)))
    if not 0 <= reporting.months_before <= 11:
        message = _("expected a number from {min}").format(min=0) + " – 11"
        problems.append(Problem("reporting.months_before", message, str(reporting.months_before)))
    for name in ("due_days", "remind_days_before", "remind_for_days"):
        value = getattr(reporting, name)
        if not 0 <= value <= 366:
            problems.append(Problem(f"reporting.{name}", _("expected a number of days from 0 to 366"), str(value)))
    if not 1 <= reporting.overdue_every <= 30:
        message = _("expected a number of working days from 1 to 30")
        problems.append(Problem("reporting.overdue_every", message, str(reporting.overdue_every)))
    if problems:
        raise InputError(problems)
    return TargetsImport(specs, reporting.model_dump())


def apply_targets(session: Session, organization: Organization, imported: TargetsImport) -> TargetChanges:
    """Write the targets: updated by code; a target dropped from the file is deleted, or kept
    inactive when it has figures."""
    assert organization.id is not None
    changes = TargetChanges()
    existing = {
        t.code.upper(): t for t in session.exec(select(PlanTarget).where(PlanTarget.organization_id == organization.id))
    }
    for position, spec in enumerate(imported.targets):
        row = existing.pop(spec.code.upper(), None)
        if row is None:
            row = PlanTarget(organization_id=organization.id, code=spec.code, text="", kind="", goal="")
            changes.added.append(spec.code)
        else:
            changes.updated.append(spec.code)
        row.code, row.text, row.kind = spec.code, spec.text, spec.kind.value
        row.numerator, row.denominator, row.goal = spec.numerator, spec.denominator, spec.goal
        row.every, row.units, row.aliases = spec.every, list(spec.units), list(spec.aliases)
        row.position, row.active = position, True
        session.add(row)
    for row in existing.values():
        if session.exec(select(Figure.id).where(Figure.target_id == row.id)).first() is not None:
            row.active = False
            session.add(row)
            changes.deactivated.append(row.code)
        else:
            session.delete(row)
            changes.removed.append(row.code)
    settings = dict(organization.settings)
    settings[SETTINGS_KEY] = imported.reporting
    organization.settings = settings
    session.add(organization)
    session.flush()
    return changes


# ---------------------------------------------------------------- reading the store


def windows_of(organization: Organization) -> Windows:
    return Windows.from_settings(organization.settings.get(SETTINGS_KEY))


def list_targets(session: Session, organization_id: int) -> list[PlanTarget]:
    return list(
        session.exec(
            select(PlanTarget)
            .where(PlanTarget.organization_id == organization_id, col(PlanTarget.active))
            .order_by(col(PlanTarget.position))
        )
    )


def find_target(targets: Sequence[PlanTarget], typed: str) -> PlanTarget | None:
    """The target ``typed`` names: its code or one of its aliases, typed any way."""
    key = match_key(typed)
    if not key:
        return None
    for target in targets:
        if key in (match_key(target.code), *(match_key(a) for a in target.aliases)):
            return target
    return None


def goal_of(target: PlanTarget) -> Goal:
    return read_goal(target.goal)


def target_every(target: PlanTarget) -> Every:
    return target.every if target.every in EVERY else "quarter"


# ---------------------------------------------------------------- recording figures


class FigureProblem(ValueError):
    """Figures that cannot be stored; the message (translated) names the value."""


def check_ratio(numerator: int, denominator: int) -> None:
    if numerator < 0 or denominator < 0:
        raise FigureProblem(_("A count cannot be negative: {value}.").format(value=min(numerator, denominator)))
    if numerator > denominator:
        raise FigureProblem(
            _("{numerator} is more than {denominator}: the first number cannot exceed the second.").format(
                numerator=format_count(numerator), denominator=format_count(denominator)
            )
        )


def record_figure(
    session: Session,
    target: PlanTarget,
    unit: Unit,
    period: Period,
    *,
    reported_at: datetime,
    numerator: int | None = None,
    denominator: int | None = None,
    answer: bool | None = None,
    rate: Fraction | None = None,
    reporter_person_id: int | None = None,
    entered_by_admin: bool = False,
) -> Figure:
    """Append a unit's figures (checked: whole numbers, numerator ≤ denominator, the right kind of
    figure for the target, a unit that reports it, a period of its length); raises
    :class:`FigureProblem` and writes nothing otherwise."""
    if unit.code not in target.units:
        raise FigureProblem(_("{unit} does not report target {code}.").format(unit=unit.code, code=target.code))
    if period.every != target_every(target):
        raise FigureProblem(
            _("Target {code} is reported by {every}: {period} is not such a period.").format(
                code=target.code, every=every_label(target_every(target)), period=period.key
            )
        )
    kind = TargetKind(target.kind)
    if kind == TargetKind.RATIO:
        if numerator is None or denominator is None:
            raise FigureProblem(
                _("Target {code} needs two counts: {numerator} and {denominator}.").format(
                    code=target.code, numerator=target.numerator, denominator=target.denominator
                )
            )
        check_ratio(numerator, denominator)
        answer, rate = None, None
    elif kind == TargetKind.SHARE:
        if answer is None:
            raise FigureProblem(_("Target {code} needs a yes or a no.").format(code=target.code))
        numerator = denominator = None
        rate = None
    else:
        if rate is None or not 0 <= rate <= 1:
            raise FigureProblem(_("Target {code} needs a rate from 0% to 100%.").format(code=target.code))
        numerator = denominator = None
        answer = None
    assert target.id is not None and unit.id is not None
    figure = Figure(
        target_id=target.id,
        unit_id=unit.id,
        period=period.key,
        numerator=numerator,
        denominator=denominator,
        answer=answer,
        rate=float(rate) if rate is not None else None,
        reported_at=reported_at,
        reporter_person_id=reporter_person_id,
        entered_by_admin=entered_by_admin,
    )
    session.add(figure)
    session.flush()
    return figure


def every_label(every: Every) -> str:
    return {
        "month": _("month"),
        "quarter": _("quarter"),
        "half-year": _("half-year"),
        "year": _("year"),
    }[every]


def unit_rate(target: PlanTarget, figure: Figure) -> Fraction | None:
    """A unit's own rate from its figures (a share: 100% for yes, 0% for no)."""
    kind = TargetKind(target.kind)
    if kind == TargetKind.RATIO:
        if not figure.denominator:
            return None
        return Fraction(figure.numerator or 0, figure.denominator)
    if kind == TargetKind.SHARE:
        return Fraction(1 if figure.answer else 0)
    return Fraction(figure.rate).limit_denominator(10**6) if figure.rate is not None else None


# ---------------------------------------------------------------- values


@dataclass
class UnitFigure:
    unit: Unit
    figure: Figure | None  # None: not reported

    @property
    def reported(self) -> bool:
        return self.figure is not None


@dataclass
class TargetValue:
    target: PlanTarget
    periods: list[Period]  # the target's periods counted (one, or several inside a longer one)
    value: Fraction | None
    goal: Goal
    units: list[UnitFigure]  # every unit that reports it, in registry order
    numerator: int = 0  # ratio: the sums
    denominator: int = 0

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.goal.met(self.value)

    @property
    def reported(self) -> list[Unit]:
        return [u.unit for u in self.units if u.reported]

    @property
    def missing(self) -> list[Unit]:
        return [u.unit for u in self.units if not u.reported]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.target.code,
            "value": None if self.value is None else round(float(self.value), 3),
            "goal": self.target.goal,
            "met": self.met,
            "reported_units": [u.code for u in self.reported],
            "missing_units": [u.code for u in self.missing],
        }


def periods_for(target: PlanTarget, period: Period) -> list[Period]:
    """The target's own periods that ``period`` stands for: those inside it (a quarterly target in
    a year: four quarters), or the one containing it (a yearly target asked for a quarter)."""
    every = target_every(target)
    if every == period.every:
        return [period]
    first, last = period.months()
    inside = {p for m in range(first, last + 1) if period.contains(p := _period_at(every, period.year, m))}
    if inside:
        return sorted(inside)
    return [_period_at(every, period.year, first)]


def _period_at(every: Every, year: int, month: int) -> Period:
    from dondoc.plan.figures import period_of

    return period_of(every, year, month)


def latest_figures(
    session: Session, target_ids: Sequence[int], period_keys: Sequence[str], reported_until: datetime | None = None
) -> dict[tuple[int, int, str], Figure]:
    """The newest figure of each (target, unit, period) (among those reported by ``reported_until``)."""
    if not target_ids or not period_keys:
        return {}
    query = select(Figure).where(col(Figure.target_id).in_(list(target_ids)), col(Figure.period).in_(list(period_keys)))
    if reported_until is not None:
        query = query.where(col(Figure.reported_at) <= reported_until)
    rows = session.exec(query.order_by(col(Figure.id))).all()
    return {(f.target_id, f.unit_id, f.period): f for f in rows}


def target_values(
    session: Session, organization: Organization, period: Period, targets: Sequence[PlanTarget] | None = None
) -> list[TargetValue]:
    """Each target's value for ``period`` from the units' newest figures."""
    assert organization.id is not None
    targets = list(targets) if targets is not None else list_targets(session, organization.id)
    units = {
        u.code: u
        for u in session.exec(
            select(Unit).where(Unit.organization_id == organization.id, col(Unit.active)).order_by(col(Unit.position))
        )
    }
    wanted = {t.id: periods_for(t, period) for t in targets}
    keys = sorted({p.key for ps in wanted.values() for p in ps})
    latest = latest_figures(session, [t.id for t in targets if t.id is not None], keys)
    values: list[TargetValue] = []
    for target in targets:
        assert target.id is not None
        periods = wanted[target.id]
        order = {code: i for i, code in enumerate(units)}
        rows: list[UnitFigure] = []
        for code in sorted((c for c in target.units if c in units), key=lambda c: order[c]):
            unit = units[code]
            found = [latest.get((target.id, unit.id or 0, p.key)) for p in periods]
            figures = [f for f in found if f is not None]
            rows.append(UnitFigure(unit, _combine(target, figures)))
        values.append(_value(target, periods, rows))
    return values


def _combine(target: PlanTarget, figures: list[Figure]) -> Figure | None:
    """A unit's figures over several of the target's periods as one (sums; the last yes/no; the mean rate)."""
    if not figures:
        return None
    if len(figures) == 1:
        return figures[0]
    last = figures[-1]
    kind = TargetKind(target.kind)
    combined = Figure(
        target_id=last.target_id,
        unit_id=last.unit_id,
        period=last.period,
        reported_at=max(f.reported_at for f in figures),
        entered_by_admin=any(f.entered_by_admin for f in figures),
    )
    if kind == TargetKind.RATIO:
        combined.numerator = sum(f.numerator or 0 for f in figures)
        combined.denominator = sum(f.denominator or 0 for f in figures)
    elif kind == TargetKind.SHARE:
        combined.answer = last.answer
    else:
        rates = [f.rate for f in figures if f.rate is not None]
        combined.rate = sum(rates) / len(rates) if rates else None
    return combined


def _value(target: PlanTarget, periods: list[Period], rows: list[UnitFigure]) -> TargetValue:
    kind = TargetKind(target.kind)
    figures = [r.figure for r in rows if r.figure is not None]
    value: Fraction | None = None
    numerator = denominator = 0
    if kind == TargetKind.RATIO:
        numerator = sum(f.numerator or 0 for f in figures)
        denominator = sum(f.denominator or 0 for f in figures)
        value = Fraction(numerator, denominator) if denominator else None
    elif kind == TargetKind.SHARE:
        numerator = sum(1 for f in figures if f.answer)
        denominator = len(figures)
        value = Fraction(numerator, denominator) if denominator else None
    else:
        rates = [Fraction(f.rate).limit_denominator(10**6) for f in figures if f.rate is not None]
        value = sum(rates, Fraction(0)) / len(rates) if rates else None
    return TargetValue(target, periods, value, goal_of(target), rows, numerator, denominator)


def status_json(values: list[TargetValue], period: Period) -> dict[str, Any]:
    return {"period": period.key, "targets": [v.to_json() for v in values]}


def history(session: Session, target: PlanTarget, unit: Unit, period: Period) -> list[Figure]:
    """Every figure the unit gave for the target and period, oldest first (corrections included)."""
    return list(
        session.exec(
            select(Figure)
            .where(Figure.target_id == target.id, Figure.unit_id == unit.id, Figure.period == period.key)
            .order_by(col(Figure.id))
        )
    )


# ---------------------------------------------------------------- the workbook's sheet and the report draft


def trend_periods(period: Period, count: int = 4) -> list[Period]:
    """``period`` and the ones before it, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return periods


def write_targets_sheet(
    wb: Any,
    header: Any,
    table: dict[tuple[bool, str], Any],
    session: Session,
    organization: Organization,
    as_of: date,
    *,
    plan_title: str = "",
    heading: str = "",
    title_format: Any = None,
    line_format: Any = None,
) -> int | None:
    """A "Targets" sheet: each target's value for the period being collected at ``as_of`` against its
    goal, the three periods before it, and the units that reported and did not; above them a title
    naming ``plan_title`` and a line with the period and ``heading`` ("Tình hình đến ngày …", default
    from ``as_of``); the header names the earlier periods ("Quý 4/2021").

    Returns how many rows stand above the targets (title, period, header), for the printed pages to
    repeat; None when the organisation has no targets (no sheet)."""
    assert organization.id is not None
    targets = list_targets(session, organization.id)
    if not targets:
        return None
    ws = wb.add_worksheet(_("Targets")[:31])
    windows = windows_of(organization)
    periods = {t.id: trend_periods(windows.current(target_every(t), as_of)) for t in targets}

    def labels(back: int, between: str = "\n") -> str:
        """The periods ``back`` before the current one: one per kind of period (a month, a quarter…)."""
        return between.join(dict.fromkeys(periods[t.id][-1 - back].label() for t in targets))

    columns = [
        (_("Code"), 8),
        (_("Target"), 50),
        (_("Goal"), 10),
        (_("Period"), 16),
        (_("Value"), 10),
        (_("Met"), 10),
        (_("Units reported"), 12),
        (_("Not reported"), 40),
        *((labels(n), 14) for n in (1, 2, 3)),
    ]
    heading = heading or _("Status at {date}").format(date=format_date(as_of))
    ws.write_string(0, 0, _("Targets — {plan}").format(plan=plan_title) if plan_title else _("Targets"), title_format)
    ws.write_string(
        1, 0, _("Reporting period: {periods} — {status}").format(periods=labels(0, ", "), status=heading), line_format
    )
    top = 3  # the title, the period and the header
    ws.set_row(top - 1, 33)
    for column, (name, width) in enumerate(columns):
        ws.set_column(column, column, width)
        ws.write_string(top - 1, column, name, header)
    ws.freeze_panes(top, 0)
    for row, target in enumerate(targets, start=top):
        chosen = periods[target.id]
        history = [target_values(session, organization, p, [target])[0] for p in chosen]
        value = history[-1]
        met = {True: _("met"), False: _("not met"), None: _("no figures")}[value.met]
        _text_cell(ws, row, 0, target.code, table, bold=True)
        _text_cell(ws, row, 1, target.text, table)
        _text_cell(ws, row, 2, goal_label(target.goal), table)  # an unreadable goal: as typed
        ws.write_string(row, 3, chosen[-1].label(), table[(False, "text")])
        _rate_cell(ws, row, 4, value.value, table)
        ws.write_string(row, 5, met, table[(False, "text")])
        ws.write_string(row, 6, f"{len(value.reported)}/{len(value.units)}", table[(False, "text")])
        _text_cell(ws, row, 7, ", ".join(u.code for u in value.missing), table)
        for offset, earlier in enumerate(reversed(history[:-1])):
            _rate_cell(ws, row, 8 + offset, earlier.value, table)
    ws.autofilter(top - 1, 0, top - 1 + len(targets), len(columns) - 1)
    return top


def _text_cell(
    ws: Any, row: int, column: int, value: str, table: dict[tuple[bool, str], Any], *, bold: bool = False
) -> None:
    """Typed text (a code, a target, a goal as written): quote-prefixed (``table``'s "quoted" format)
    when Excel would take it for a formula once the clerk edits the cell ("-…", "+…", "=…", "@…")."""
    from dondoc.plan.export import FORMULA_START

    ws.write_string(row, column, value, table[(bold, "quoted" if value.startswith(FORMULA_START) else "text")])


def _rate_cell(ws: Any, row: int, column: int, value: Fraction | None, table: dict[tuple[bool, str], Any]) -> None:
    if value is None:
        ws.write_string(row, column, "—", table[(False, "text")])
    else:
        ws.write_number(row, column, float(value), table[(False, "rate")])
