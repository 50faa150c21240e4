"""The reminder policy of an organisation: when to remind, and what its registry file may change.

The registry importer (:mod:`dondoc.plan.registry`) checks an organisation's ``reminders`` section
with it; the planner (:mod:`dondoc.scheduler.planner`) plans by it. Plain data: no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from dondoc.i18n import _
from dondoc.plan.problems import Problem, refusal, validation_problems


def _time(value: Any) -> Any:
    """A time of day as JSON writes it ("08:30"); anything else is left for the check of the type."""
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            raise refusal(_("expected a time of day such as 08:00")) from None
    return value


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise refusal(_("expected a local time of day, without a time zone"))
    return value


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


SendTime = Annotated[time, BeforeValidator(_time), AfterValidator(_local)]
Days = Annotated[tuple[Annotated[int, Field(ge=1)], ...], BeforeValidator(_tuple)]
Months = Annotated[tuple[Annotated[int, Field(ge=1, le=12)], ...], BeforeValidator(_tuple)]


class PolicyError(ValueError):
    """Reminder settings that are not valid: every problem, naming the setting and the value."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Policy(BaseModel):
    """When to remind; an organisation overrides any field in its settings (see :meth:`from_settings`).

    ``overdue_every = 0`` turns overdue nudges off and ``escalate_on_working_day = 0`` escalations.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    send_time: SendTime = time(8, 0)
    lead_days_before: Days = (7, 3)
    lead_working_day_before: bool = True
    lead_on_due: bool = True
    support_days_before: Days = (7,)
    overdue_every: Annotated[int, Field(ge=0)] = 2  # every n-th working day after the deadline: 1st, 3rd, 5th … for 2
    overdue_weekly_after_days: Annotated[int, Field(ge=0)] = 60  # calendar days after the deadline, then weekly
    escalate_on_working_day: Annotated[int, Field(ge=0)] = 3
    checkin_months: Months = (3, 6, 9, 12)
    weekly_digest_weekday: Annotated[int, Field(ge=0, le=6)] = 0  # Monday; for the managers' digest

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Policy:
        """The default policy with the fields that ``settings`` gives, as JSON writes them.

        ``settings`` is the reminder section of an organisation's settings (by convention
        ``Organization.settings["reminders"]``): ``{"send_time": "08:30", "lead_days_before": [10, 3],
        "overdue_every": 3}``. Unknown keys and bad values raise :class:`PolicyError` (a ValueError).
        """
        try:
            return cls.model_validate(dict(settings or {}))
        except ValidationError as error:
            raise PolicyError(validation_problems(error)) from None
