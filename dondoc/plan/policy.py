"""The reminder policy of an organisation: when to remind, and what its registry file may change.

The registry importer (:mod:`dondoc.plan.registry`) checks an organisation's ``reminders`` section
with it; the planner (:mod:`dondoc.scheduler.planner`) plans by it. Plain data: no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import time
from typing import Any


@dataclass(frozen=True)
class Policy:
    """When to remind; an organisation overrides any field in its settings (see :meth:`from_settings`).

    ``overdue_every = 0`` turns overdue nudges off and ``escalate_on_working_day = 0`` escalations.
    """

    send_time: time = time(8, 0)
    lead_days_before: tuple[int, ...] = (7, 3)
    lead_working_day_before: bool = True
    lead_on_due: bool = True
    support_days_before: tuple[int, ...] = (7,)
    overdue_every: int = 2  # every n-th working day after the deadline: the 1st, 3rd, 5th … for 2
    overdue_weekly_after_days: int = 60  # calendar days after the deadline, then weekly
    escalate_on_working_day: int = 3
    checkin_months: tuple[int, ...] = (3, 6, 9, 12)
    weekly_digest_weekday: int = 0  # Monday; for the managers' digest

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.send_time, time) or self.send_time.tzinfo is not None:
            problems.append(f"send_time: expected a local time of day, not {self.send_time!r}")
        for name in ("lead_days_before", "support_days_before"):
            value = getattr(self, name)
            if not _ints(value) or any(n < 1 for n in value):
                problems.append(f"{name}: expected whole numbers of days >= 1, not {value!r}")
        for name in ("lead_working_day_before", "lead_on_due"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name}: expected true or false, not {getattr(self, name)!r}")
        for name in ("overdue_every", "overdue_weekly_after_days", "escalate_on_working_day"):
            value = getattr(self, name)
            if not _int(value) or value < 0:
                problems.append(f"{name}: expected a whole number >= 0, not {value!r}")
        if not _ints(self.checkin_months) or any(not 1 <= m <= 12 for m in self.checkin_months):
            problems.append(f"checkin_months: expected months 1 to 12, not {self.checkin_months!r}")
        if not _int(self.weekly_digest_weekday) or not 0 <= self.weekly_digest_weekday <= 6:
            problems.append(
                f"weekly_digest_weekday: expected 0 (Monday) to 6 (Sunday), not {self.weekly_digest_weekday!r}"
            )
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Policy:
        """The default policy with the fields that ``settings`` gives, as JSON writes them.

        ``settings`` is the reminder section of an organisation's settings (by convention
        ``Organization.settings["reminders"]``): ``{"send_time": "08:30", "lead_days_before": [10, 3],
        "overdue_every": 3}``. Unknown keys and bad values raise :class:`ValueError`.
        """
        if not settings:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in settings if k not in known)
        if unknown:
            raise ValueError(f"unknown reminder settings: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in settings.items():
            if key == "send_time":
                values[key] = _time(value)
            elif key in ("lead_days_before", "support_days_before", "checkin_months"):
                if not isinstance(value, list | tuple):
                    raise ValueError(f"{key}: expected a list of whole numbers, not {value!r}")
                values[key] = tuple(value)
            else:
                values[key] = value
        return cls(**values)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(value: Any) -> bool:
    return isinstance(value, tuple) and all(_int(v) for v in value)


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed
    raise ValueError(f"send_time: expected a time of day such as 08:00, not {value!r}")
