"""Evaluating and ranking units (đánh giá, xếp loại): a score out of 100 per lead unit for a period,
its rating band and its rank.

The *scheme* comes from the registry's optional ``ranking:`` section (defaults below, documented in
``docs/ranking.md``): weights of five criteria, the number of working days a reminder may wait for
an answer, and the rating bands. Each criterion is a share from 0 to 1:

- ``on_time`` — the unit's counted items done on time (out of its counted items);
- ``late`` — done late (partial credit: its weight is at most ``on_time``'s);
- ``overdue`` — still open after their deadline: a *penalty*, its weight subtracted;
- ``reminders`` — reminders sent to the unit (its focal points) answered by a report on the same
  assignment within ``reminder_days`` working days (the project calendar);
- ``targets`` — the unit's own figures that meet their target's goal, one per target and target period
  inside the ranking period (a figure not given once its due date has passed counts as not met).

An item counts in a period when its deadline falls on or before the period's end (q1: 31/03, half:
30/06, q3: 30/09, year: 31/12 of the plan's year) and, at ``--at``, it is done or its deadline has
passed. An extension approved on or before the original deadline moves the deadline the ranking judges
against (an item finished by its new date is on time, and it counts in the period of its new date);
one approved after the original deadline had passed does not: the item is judged against its original
date.

score = (on_time·s + late·s − overdue·s + reminders·s + targets·s) × 100 ÷ (on_time + reminders +
targets), counting ``reminders`` and ``targets`` (top and bottom) only for a unit they apply to (it was
sent reminders whose answer time is over / it reports targets with a figure due): the weights are
renormalised so a unit that does everything on time scores 100 either way. The score is kept between 0
and 100 and rounded to one decimal; each criterion's *part* is its term of that sum, so the parts add
up to the score (before it is kept above 0). Units rank by score, highest first; equal scores share a
rank (1, 1, 3). A unit with no counted item is *not rated*.

Pure computation over the store: nothing is written. The calendar is passed in (the plan layer does
not reach the scheduler); without one, Monday to Friday are the working days.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Audience,
    Extension,
    ExtensionState,
    Figure,
    Organization,
    Plan,
    Reminder,
    Report,
    Role,
    Task,
    Unit,
)
from dondoc.db.queries import standing
from dondoc.i18n import N_, _
from dondoc.plan.problems import Problem, refusal, validation_problems
from dondoc.plan.progress import Item, PlanStatus, end_of_day, plan_status
from dondoc.tz import stored_in_vietnam

RankingPeriod = Literal["q1", "half", "q3", "year"]
PERIODS: tuple[RankingPeriod, ...] = ("q1", "half", "q3", "year")
LAST_MONTH: dict[RankingPeriod, int] = {"q1": 3, "half": 6, "q3": 9, "year": 12}
SETTINGS_KEY = "ranking"  # Organization.settings[SETTINGS_KEY]: the registry's ranking section

Criterion = Literal["on_time", "late", "overdue", "reminders", "targets"]
CRITERIA: tuple[Criterion, ...] = ("on_time", "late", "overdue", "reminders", "targets")


def criterion_label(criterion: Criterion) -> str:
    labels: dict[Criterion, str] = {
        "on_time": _("Done on time"),
        "late": _("Done late"),
        "overdue": _("Overdue (penalty)"),
        "reminders": _("Reminders answered"),
        "targets": _("Targets met"),
    }
    return labels[criterion]


def criterion_short(criterion: Criterion) -> str:
    """A criterion's name short enough for a column head."""
    labels: dict[Criterion, str] = {
        "on_time": _("On time"),
        "late": _("Late"),
        "overdue": _("Overdue"),
        "reminders": _("Reminders"),
        "targets": _("Targets"),
    }
    return labels[criterion]


def format_score(value: float | None) -> str:
    """``87.5`` → ``87,5`` (in Vietnamese), ``87.5`` (in English); None → ``—``."""
    if value is None:
        return "—"
    from babel.numbers import format_decimal

    from dondoc.i18n import current_language

    return str(format_decimal(value, "0.0", locale=current_language()))


def describe_weights(scheme: Scheme) -> str:
    """The scheme's weights in one sentence, under the ranking (``dondoc ranking``, the status workbook)."""
    weights = scheme.weights
    return _(
        "Weights: on time {on_time}, late {late}, overdue −{overdue}, reminders answered within {days} "
        "working days {reminders}, targets met {targets}"
    ).format(
        on_time=f"{weights.on_time:g}",
        late=f"{weights.late:g}",
        overdue=f"{weights.overdue:g}",
        reminders=f"{weights.reminders:g}",
        targets=f"{weights.targets:g}",
        days=scheme.reminder_days,
    )


def period_end(period: RankingPeriod, year: int) -> date:
    """The last day a period counts: 31/03, 30/06, 30/09 or 31/12 of ``year``."""
    month = LAST_MONTH[period]
    return date(year, 12, 31) if month == 12 else date(year, month + 1, 1) - timedelta(days=1)


def period_label(period: RankingPeriod, year: int) -> str:
    labels = {
        "q1": _("first quarter of {year}"),
        "half": _("first six months of {year}"),
        "q3": _("first nine months of {year}"),
        "year": _("year {year}"),
    }
    return labels[period].format(year=year)


def read_period(text: str) -> RankingPeriod | None:
    """``q1``, ``half``, ``q3`` or ``year`` typed any way, in English or Vietnamese, with or without
    diacritics, spaces or hyphens: ``quý 1``, ``6 tháng``, ``nửa-năm``, ``6 tháng đầu năm``, ``9 tháng``,
    ``cả năm``, ``năm``."""
    from dondoc.text import match_key

    key = re.sub(r"[\s_-]+", "", match_key(text))
    aliases: dict[str, RankingPeriod] = {
        "q1": "q1",
        "quy1": "q1",
        "quyi": "q1",
        "3thang": "q1",
        "3thangdaunam": "q1",
        "half": "half",
        "h1": "half",
        "6thang": "half",
        "6t": "half",
        "6thangdau": "half",
        "6thangdaunam": "half",
        "nuanam": "half",
        "nuanamdau": "half",
        "q3": "q3",
        "9thang": "q3",
        "9t": "q3",
        "9thangdaunam": "q3",
        "quy3": "q3",
        "year": "year",
        "nam": "year",
        "canam": "year",
    }
    return aliases.get(key)


# ---------------------------------------------------------------- the scheme


# The default bands: names from the catalogue (Xuất sắc, Tốt, Khá, Trung bình, Yếu).
DEFAULT_BAND_NAMES = (N_("Excellent"), N_("Good"), N_("Fair"), N_("Average"), N_("Weak"))


def _number(value: Any) -> Any:
    if isinstance(value, bool) or (value is not None and not isinstance(value, int | float)):
        raise refusal(_("expected a number"))
    return value


Weight = Annotated[float, BeforeValidator(_number), Field(ge=0, le=100)]


class Weights(BaseModel):
    """``ranking: weights:`` — each criterion's weight (``overdue`` is subtracted)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on_time: Weight = 50
    late: Weight = 20
    overdue: Weight = 10
    reminders: Weight = 25
    targets: Weight = 25


def _band_name(value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split())
        if not value:
            raise refusal(_("required field is missing"))
    return value


class Band(BaseModel):
    """A rating band: a score of at least ``min`` gets ``name``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, BeforeValidator(_band_name)]
    min: Annotated[float, BeforeValidator(_number), Field(ge=0, le=100)]
    builtin: bool = Field(default=False, exclude=True)

    def label(self) -> str:
        return _(self.name) if self.builtin else self.name


def default_bands() -> tuple[Band, ...]:
    return tuple(
        Band(name=name, min=minimum, builtin=True)
        for name, minimum in zip(DEFAULT_BAND_NAMES, (90, 75, 60, 50, 0), strict=True)
    )


class Scheme(BaseModel):
    """An organisation's ranking scheme; :meth:`from_settings` reads the registry's ``ranking:``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: Weights = Weights()
    reminder_days: Annotated[int, Field(ge=1, le=60)] = 3  # working days to answer a reminder
    bands: tuple[Band, ...] = Field(default_factory=default_bands)

    def sorted_bands(self) -> list[Band]:
        """Highest first."""
        return sorted(self.bands, key=lambda band: -band.min)

    def band(self, score: float) -> Band:
        return next(band for band in self.sorted_bands() if score >= band.min)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Scheme:
        """The scheme of a ``ranking:`` section as the registry gives it; :class:`SchemeError` naming
        every problem (``ranking.weights.late``, the value) otherwise."""
        if settings is None:
            return cls()
        if not isinstance(settings, Mapping):
            raise SchemeError([Problem(SETTINGS_KEY, _("expected a mapping"), str(settings))])
        try:
            scheme = cls.model_validate(dict(settings))
        except ValidationError as error:
            problems = validation_problems(error)
            raise SchemeError(
                [
                    Problem(f"{SETTINGS_KEY}.{p.where}" if p.where != "/" else SETTINGS_KEY, p.message, p.value)
                    for p in problems
                ]
            ) from None
        problems = scheme.problems()
        if problems:
            raise SchemeError(problems)
        return scheme

    def problems(self) -> list[Problem]:
        """What the fields' own checks cannot see: the weights and bands together."""
        found: list[Problem] = []
        weights = self.weights
        where = f"{SETTINGS_KEY}.weights"
        if weights.on_time <= 0:
            found.append(Problem(f"{where}.on_time", _("must be more than 0"), _shown(weights.on_time)))
        if weights.late > weights.on_time:
            message = _("may not be more than on_time ({on_time}): a late item cannot earn more than one on time")
            found.append(
                Problem(f"{where}.late", message.format(on_time=_shown(weights.on_time)), _shown(weights.late))
            )
        if not self.bands:
            found.append(Problem(f"{SETTINGS_KEY}.bands", _("give at least one band")))
            return found
        seen_names: set[str] = set()
        seen_mins: set[float] = set()
        for number, band in enumerate(self.bands, start=1):
            if band.name.casefold() in seen_names:
                found.append(
                    Problem(f"{SETTINGS_KEY}.bands[{number}].name", _("another band has this name"), band.name)
                )
            if band.min in seen_mins:
                found.append(
                    Problem(
                        f"{SETTINGS_KEY}.bands[{number}].min", _("another band starts at this score"), _shown(band.min)
                    )
                )
            seen_names.add(band.name.casefold())
            seen_mins.add(band.min)
        if min(seen_mins) != 0:
            message = _("the lowest band must start at 0, so that every score has a band")
            found.append(Problem(f"{SETTINGS_KEY}.bands", message, _shown(min(seen_mins))))
        return found

    def to_settings(self) -> dict[str, Any]:
        """What the store keeps (the registry's section, checked)."""
        return {
            "weights": self.weights.model_dump(),
            "reminder_days": self.reminder_days,
            "bands": [{"name": b.name, "min": b.min} for b in self.bands],
        }

    def is_default(self) -> bool:
        return self == Scheme()


class SchemeError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def scheme_of(organization: Organization) -> Scheme:
    """The organisation's scheme as stored; a stored section that no longer reads gives the defaults."""
    raw = organization.settings.get(SETTINGS_KEY) if organization.settings else None
    if not raw:
        return Scheme()
    try:
        scheme = Scheme.from_settings(raw)
    except SchemeError:
        return Scheme()
    if all(b.name in DEFAULT_BAND_NAMES for b in scheme.bands) and [b.min for b in scheme.bands] == [
        b.min for b in default_bands()
    ]:  # the defaults written out: still translated
        return scheme.model_copy(update={"bands": default_bands()})
    return scheme


def _shown(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------- the result


class WorkingDays(Protocol):
    """What the ranking needs of the work calendar (:class:`dondoc.scheduler.calendar.WorkCalendar`)."""

    def working_day_after(self, day: date, n: int) -> date: ...


class Weekdays:
    """Monday to Friday: the fallback when no calendar is given."""

    def working_day_after(self, day: date, n: int) -> date:
        found = day
        while n > 0:
            found += timedelta(days=1)
            if found.weekday() < 5:
                n -= 1
        return found


@dataclass
class Part:
    """One criterion of one unit: its share (None: it does not apply), weight and part of the score."""

    share: float | None
    weight: float
    part: float | None
    counted: int = 0  # how many things the share is out of
    met: int = 0  # how many of them count for it

    def to_json(self) -> dict[str, Any]:
        return {
            "share": None if self.share is None else round(self.share, 4),
            "weight": self.weight,
            "part": self.part,
            "of": self.counted,
            "count": self.met,
        }


@dataclass
class UnitScore:
    unit: str  # code
    name: str
    organization: str = ""  # a province's ranking: the unit's organisation
    items: int = 0  # counted items
    score: float | None = None  # None: not rated
    band: Band | None = None
    rank: int | None = None
    criteria: dict[Criterion, Part] = field(default_factory=dict)

    @property
    def rated(self) -> bool:
        return self.score is not None

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "unit": self.unit,
            "name": self.name,
            "score": self.score,
            "band": self.band.label() if self.band else None,
            "rank": self.rank,
            "items": self.items,
            "criteria": {c: part.to_json() for c, part in self.criteria.items()},
        }
        if self.organization:
            found["organization"] = self.organization
        return found


@dataclass
class Ranking:
    period: RankingPeriod
    year: int
    end: date  # the period's last day
    as_of: date
    scheme: Scheme
    units: list[UnitScore]  # rated first, best first (rank order), then the units not rated

    @property
    def rated(self) -> list[UnitScore]:
        return [u for u in self.units if u.rated]

    @property
    def not_rated(self) -> list[UnitScore]:
        return [u for u in self.units if not u.rated]

    def ordered(self, worst_first: bool = False) -> list[UnitScore]:
        rated = self.rated
        return [*(reversed(rated) if worst_first else rated), *self.not_rated]

    def band_counts(self) -> list[tuple[Band, int]]:
        return [
            (band, sum(1 for u in self.rated if u.band is not None and u.band.name == band.name))
            for band in self.scheme.sorted_bands()
        ]

    def to_json(self, worst_first: bool = False) -> dict[str, Any]:
        return {
            "period": self.period,
            "year": self.year,
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "scheme": {
                "weights": self.scheme.weights.model_dump(),
                "reminder_days": self.scheme.reminder_days,
                "bands": [{"name": b.label(), "min": b.min} for b in self.scheme.sorted_bands()],
            },
            "units": [u.to_json() for u in self.ordered(worst_first)],
        }


# ---------------------------------------------------------------- the computation


def rank_plan(
    session: Session,
    plan: Plan,
    period: RankingPeriod,
    as_of: date,
    calendar: WorkingDays | None = None,
    *,
    scheme: Scheme | None = None,
    status: PlanStatus | None = None,
) -> Ranking:
    """Every active unit of the plan's organisation, scored for ``period`` at the end of ``as_of``
    (``status``: the plan's status at ``as_of`` when the caller has it already)."""
    organization = session.get(Organization, plan.organization_id)
    assert organization is not None
    chosen = scheme if scheme is not None else scheme_of(organization)
    scores = _unit_scores(session, plan, organization, period, as_of, calendar or Weekdays(), chosen, status)
    return Ranking(period, plan.year, period_end(period, plan.year), as_of, chosen, rank(scores))


def rank_plans(
    session: Session,
    plans: Sequence[tuple[Organization, Plan]],
    period: RankingPeriod,
    as_of: date,
    calendar: WorkingDays | None = None,
    *,
    province: Organization | None = None,
) -> Ranking:
    """Several organisations at once: every unit of each, each scored by its own organisation's
    scheme, ranked together and named with its organisation; the bands are ``province``'s (the
    organisation above them, whose registry may set them), else the first organisation's. One plan
    and no province: :func:`rank_plan`."""
    if len(plans) == 1 and province is None:
        return rank_plan(session, plans[0][1], period, as_of, calendar)
    scores: list[UnitScore] = []
    first = scheme_of(province if province is not None else plans[0][0])
    year = plans[0][1].year
    for org, plan in plans:
        own = scheme_of(org)
        for score in _unit_scores(session, plan, org, period, as_of, calendar or Weekdays(), own):
            score.organization = org.name
            if score.score is not None:
                score.band = first.band(score.score)
            scores.append(score)
    return Ranking(period, year, period_end(period, year), as_of, first, rank(scores))


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Rated units by score, highest first, with their ranks (equal scores share one: 1, 1, 3), then
    the units not rated, in the order given."""
    rated = sorted((s for s in scores if s.score is not None), key=lambda s: -(s.score or 0.0))
    previous: float | None = None
    current = 0
    for position, entry in enumerate(rated, start=1):
        if entry.score != previous:
            current, previous = position, entry.score
        entry.rank = current
    return [*rated, *(s for s in scores if s.score is None)]


def score_unit(
    scheme: Scheme,
    counts: Mapping[str, int],
    reminders: tuple[int, int],
    targets: tuple[int, int],
) -> tuple[float | None, dict[Criterion, Part]]:
    """The score and parts from the counts: ``counts`` of ``on_time``, ``late``, ``overdue`` items;
    (answered, counted) reminders; (met, counted) target figures. None when no item counts."""
    weights = scheme.weights
    items = counts.get("on_time", 0) + counts.get("late", 0) + counts.get("overdue", 0)
    shares: dict[Criterion, tuple[Fraction | None, int, int]] = {}
    for criterion in ("on_time", "late", "overdue"):
        met = counts.get(criterion, 0)
        shares[criterion] = (Fraction(met, items) if items else None, items, met)
    answered, sent = reminders
    shares["reminders"] = (Fraction(answered, sent) if sent else None, sent, answered)
    met_targets, figures = targets
    shares["targets"] = (Fraction(met_targets, figures) if figures else None, figures, met_targets)
    weight: dict[Criterion, float] = {c: float(getattr(weights, c)) for c in CRITERIA}
    if not items:
        return None, {c: Part(None, weight[c], None, n, m) for c, (_s, n, m) in shares.items()}
    full = weight["on_time"] + sum(weight[c] for c in ("reminders", "targets") if shares[c][0] is not None)
    scale = Fraction(100) / Fraction(full).limit_denominator(10**6)
    parts: dict[Criterion, Part] = {}
    total = Fraction(0)
    for criterion in CRITERIA:
        share, counted, met = shares[criterion]
        if share is None:
            parts[criterion] = Part(None, weight[criterion], None, counted, met)
            continue
        sign = -1 if criterion == "overdue" else 1
        term = sign * Fraction(weight[criterion]).limit_denominator(10**6) * share * scale
        total += term
        parts[criterion] = Part(float(share), weight[criterion], round(float(term), 1), counted, met)
    score = round(min(100.0, max(0.0, float(total))), 1)
    return score, parts


@dataclass
class _Tally:
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    def as_counts(self) -> dict[str, int]:
        return {"on_time": self.on_time, "late": self.late, "overdue": self.overdue}


def judge_item(item: Item, as_of: date, extension: tuple[date, datetime] | None, last: date) -> str | None:
    """``on_time``, ``late``, ``overdue``, or None when the item does not count (its deadline is after
    ``last``, the period's end; or it is open and its deadline has not passed at ``as_of``).

    ``extension`` is the approved one (new date, approval time): it moves the deadline only when it was
    approved on or before the original deadline.
    """
    deadline = item.due
    if extension is not None:
        new_due, approved_at = extension
        if stored_in_vietnam(approved_at).date() <= item.due:
            deadline = new_due
    if deadline > last:
        return None
    if item.category in ("done_on_time", "done_late") and item.completed_on is not None:
        return "on_time" if item.completed_on <= deadline else "late"
    if as_of > deadline:
        return "overdue"
    return None


def _unit_scores(
    session: Session,
    plan: Plan,
    organization: Organization,
    period: RankingPeriod,
    as_of: date,
    calendar: WorkingDays,
    scheme: Scheme,
    status: PlanStatus | None = None,
) -> list[UnitScore]:
    assert plan.id is not None and organization.id is not None
    last = period_end(period, plan.year)
    if status is None or status.as_of != as_of:
        status = plan_status(session, plan, as_of)
    extensions = _extensions(session, plan, as_of)
    tallies: dict[str, _Tally] = {}
    for item in status.items:
        verdict = judge_item(item, as_of, extensions.get((item.task, item.unit, item.due)), last)
        if verdict is None:
            continue
        tally = tallies.setdefault(item.unit, _Tally())
        setattr(tally, verdict, getattr(tally, verdict) + 1)
    reminders = _reminders(session, plan, as_of, last, calendar, scheme.reminder_days)
    targets = _targets(session, organization, plan.year, period, as_of)
    units = session.exec(
        select(Unit).where(Unit.organization_id == organization.id, col(Unit.active)).order_by(col(Unit.position))
    ).all()
    scores: list[UnitScore] = []
    for unit in units:
        tally = tallies.get(unit.code, _Tally())
        score, parts = score_unit(
            scheme, tally.as_counts(), reminders.get(unit.code, (0, 0)), targets.get(unit.code, (0, 0))
        )
        scores.append(
            UnitScore(
                unit=unit.code,
                name=unit.name,
                items=tally.on_time + tally.late + tally.overdue,
                score=score,
                band=scheme.band(score) if score is not None else None,
                criteria=parts,
            )
        )
    return scores


def _extensions(session: Session, plan: Plan, as_of: date) -> dict[tuple[str, str, date], tuple[date, datetime]]:
    """(task code, unit code, original due) → (new due, approval time) of the newest approval made by
    the end of ``as_of`` (the same one the categories use)."""
    rows = session.connection().execute(
        sa_select(
            col(Task.code), col(Unit.code), col(Extension.due), col(Extension.new_due), col(Extension.answered_at)
        )
        .select_from(Extension)
        .join(Assignment, col(Assignment.id) == Extension.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            col(Task.plan_id) == plan.id,
            col(Extension.state) == ExtensionState.APPROVED,
            col(Extension.answered_at) < end_of_day(as_of),
        )
        .order_by(col(Extension.answered_at), col(Extension.id))
    )
    found: dict[tuple[str, str, date], tuple[date, datetime]] = {}
    for task, unit, due, new_due, answered_at in rows:
        if answered_at is not None:
            found[(task, unit, due)] = (new_due, answered_at)
    return found


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _reminders(
    session: Session, plan: Plan, as_of: date, last: date, calendar: WorkingDays, days: int
) -> dict[str, tuple[int, int]]:
    """unit code → (answered, counted): the reminders sent to the unit's focal points on the plan's
    lead assignments by the period's end; one counts once it was answered (a report on the same
    assignment from its sending to the end of the ``days``-th working day after) or that time is over
    at ``as_of``."""
    cutoff = _utc(end_of_day(min(as_of, last)))
    known = _utc(end_of_day(as_of))
    connection = session.connection()
    sent = connection.execute(
        sa_select(col(Reminder.assignment_id), col(Reminder.sent_at), col(Unit.code))
        .select_from(Reminder)
        .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            col(Task.plan_id) == plan.id,
            col(Task.active),
            col(Assignment.active),
            col(Assignment.role) == Role.LEAD,
            col(Reminder.audience) == Audience.FOCAL,
            col(Reminder.sent_at).is_not(None),
            col(Reminder.sent_at) < cutoff,
        )
    ).all()
    if not sent:
        return {}
    ids = sorted({row[0] for row in sent})
    times: dict[int, list[datetime]] = {}
    for assignment_id, reported_at in connection.execute(
        sa_select(col(Report.assignment_id), col(Report.reported_at))
        .where(col(Report.assignment_id).in_(ids), col(Report.reported_at) < known, standing(Report, before=known))
        .order_by(col(Report.assignment_id), col(Report.reported_at))
    ):
        times.setdefault(assignment_id, []).append(_utc(reported_at))
    found: dict[str, tuple[int, int]] = {}
    for assignment_id, sent_at, unit in sent:
        if sent_at is None:
            continue
        moment = _utc(sent_at)
        deadline = _utc(end_of_day(calendar.working_day_after(stored_in_vietnam(moment).date(), days)))
        reports = times.get(assignment_id, [])
        index = bisect_left(reports, moment)
        answered = index < len(reports) and reports[index] < deadline
        if not answered and deadline > known:
            continue  # its time to answer is not over yet
        yes, count = found.get(unit, (0, 0))
        found[unit] = (yes + (1 if answered else 0), count + 1)
    return found


def _targets(
    session: Session, organization: Organization, year: int, period: RankingPeriod, as_of: date
) -> dict[str, tuple[int, int]]:
    """unit code → (met, counted): for each target the unit reports and each of the target's periods
    inside the ranking period, the unit's newest figure known at ``as_of`` against the goal; a figure not
    given counts as not met once its due date has passed, and is left out before."""
    from dondoc.plan.figures import Period, period_of
    from dondoc.plan.targets import goal_of, list_targets, target_every, unit_rate, windows_of

    assert organization.id is not None
    targets = list_targets(session, organization.id)
    if not targets:
        return {}
    windows = windows_of(organization)
    last_month = LAST_MONTH[period]
    wanted: dict[int, list[Period]] = {}
    for target in targets:
        assert target.id is not None
        every = target_every(target)
        periods = {period_of(every, year, month) for month in range(1, last_month + 1)}
        wanted[target.id] = sorted(p for p in periods if p.months()[1] <= last_month)
    keys = sorted({p.key for ps in wanted.values() for p in ps})
    known = end_of_day(as_of)
    figures: dict[tuple[int, int, str], Figure] = {}
    for figure in session.exec(
        select(Figure)
        .where(
            col(Figure.target_id).in_(list(wanted)),
            col(Figure.period).in_(keys),
            col(Figure.reported_at) < known,
        )
        .order_by(col(Figure.id))
    ):
        figures[(figure.target_id, figure.unit_id, figure.period)] = figure
    units = {
        u.code: u.id
        for u in session.exec(select(Unit).where(Unit.organization_id == organization.id, col(Unit.active)))
    }
    found: dict[str, tuple[int, int]] = {}
    for target in targets:
        assert target.id is not None
        goal = goal_of(target)
        for code in target.units:
            unit_id = units.get(code)
            if unit_id is None:
                continue
            for target_period in wanted[target.id]:
                given = figures.get((target.id, unit_id, target_period.key))
                if given is None:
                    if windows.due(target_period) >= as_of:
                        continue  # not due yet
                    met = False
                else:
                    rate = unit_rate(target, given)
                    if rate is None:
                        continue
                    met = goal.met(rate)
                yes, count = found.get(code, (0, 0))
                found[code] = (yes + (1 if met else 0), count + 1)
    return found
