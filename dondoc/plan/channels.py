"""What the registry says about each channel family: its monthly message budget and its reminder policy.

```yaml
channels:
  zalo:
    budget: 3000                  # messages a month, in and out, for each Zalo bot
    reminders:                    # the organisation's reminder policy, with these fields changed,
      lead_days_before: [3]       # for people whose delivery channel is a Zalo bot
      lead_working_day_before: false
      support_days_before: []
      overdue_weekly_after_days: 0
    bots:                         # each bot is its own channel key, zalo:<name>
      - name: longmy1
        budget: 2000              # this bot's own budget (other fields belong to the bots' setup)
  telegram:
    budget: 10000                 # Telegram has no budget unless one is set
```

A channel key's budget is, first found: its bot's ``budget``, its family's ``budget`` in the
registry, the deployment's default for the family (``DONDOC_ZALO_MONTHLY_BUDGET``, passed in as
``defaults``), :data:`DEFAULT_BUDGETS`. Plain data: no database but what :func:`load_budgets` reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from dondoc.db.models import Organization
from dondoc.plan.policy import Policy, PolicyError
from dondoc.plan.problems import Problem

# Messages a month per channel key, by family, when nothing else is configured: Zalo's free plan.
DEFAULT_BUDGETS: Mapping[str, int] = {"zalo": 3000}
WARN_SHARE = 0.8  # administrators are told once a month when a key reaches this share of its budget

Budget = Annotated[int, Field(ge=1, strict=True)]


def family(key: str) -> str:
    """The family of a channel key (``zalo:longmy1`` → ``zalo``), as :func:`dondoc.handlers.events.channel_family`."""
    return key.split(":", 1)[0]


class BotEntry(BaseModel):
    """A bot's entry: the budget reads ``name`` and ``budget``; a family's own entry (the registry's Zalo
    bots) adds the bot's setup."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1)]
    budget: Budget | None = None


class ChannelSection(BaseModel):
    """``channels: <family>:`` in a registry file."""

    model_config = ConfigDict(extra="forbid")

    budget: Budget | None = None
    reminders: dict[str, Any] | None = None
    bots: Sequence[BotEntry] | None = None


def channel_problems(
    channels: Mapping[str, ChannelSection], organisation_reminders: Mapping[str, Any]
) -> list[Problem]:
    """The channel reminder policies that are not valid, each naming its setting."""
    problems: list[Problem] = []
    for name, section in channels.items():
        if section.reminders is None:
            continue
        try:
            Policy.from_settings({**organisation_reminders, **section.reminders})
        except PolicyError as exc:
            where = f"channels.{name}.reminders"
            problems += [Problem(where, f"{p.where}: {p.message}", p.value) for p in exc.problems]
    return problems


def stored_channels(channels: Mapping[str, ChannelSection]) -> dict[str, Any]:
    """The channel sections as the organisation's settings keep them (JSON)."""
    return {name: section.model_dump(exclude_none=True) for name, section in channels.items()}


def channel_policies(settings: Mapping[str, Any]) -> dict[str, Policy]:
    """Family → its reminder policy, for the families whose registry section sets one (``settings``:
    an organisation's settings). Raises :class:`PolicyError` when one is not valid."""
    base = settings.get("reminders") or {}
    found: dict[str, Policy] = {}
    for name, section in (settings.get("channels") or {}).items():
        overrides = section.get("reminders") if isinstance(section, Mapping) else None
        if overrides is not None:
            found[name] = Policy.from_settings({**base, **overrides})
    return found


@dataclass
class Budgets:
    """Each channel key's monthly budget (None: no budget)."""

    defaults: Mapping[str, int | None] = field(default_factory=lambda: dict(DEFAULT_BUDGETS))
    sections: list[Mapping[str, Any]] = field(default_factory=list)  # every organisation's ``channels``

    def __call__(self, key: str) -> int | None:
        name = family(key)
        bot = key.split(":", 1)[1] if ":" in key else None
        found: list[int] = []
        for channels in self.sections:
            section = channels.get(name)
            if not isinstance(section, Mapping):
                continue
            own = next(
                (b.get("budget") for b in section.get("bots") or () if isinstance(b, Mapping) and b.get("name") == bot),
                None,
            )
            value = own if own is not None else section.get("budget")
            if isinstance(value, int):
                found.append(value)
        if found:
            return min(found)
        if name in self.defaults:
            return self.defaults[name]
        return DEFAULT_BUDGETS.get(name)

    def keys(self) -> list[str]:
        """The channel keys the registry names (each bot's key), to list even when they carried nothing."""
        keys: set[str] = set()
        for channels in self.sections:
            for name, section in channels.items():
                if isinstance(section, Mapping):
                    keys |= {f"{name}:{b['name']}" for b in section.get("bots") or () if isinstance(b, Mapping)}
        return sorted(keys)


def load_budgets(session: Session, defaults: Mapping[str, int | None] | None = None) -> Budgets:
    """The budgets as the registry of every organisation in the store and ``defaults`` set them."""
    sections = [
        org.settings.get("channels") or {} for org in session.exec(select(Organization)) if org.settings is not None
    ]
    return Budgets(dict(DEFAULT_BUDGETS) | dict(defaults or {}), sections)


def share(total: int, budget: int | None) -> float | None:
    """The share of ``budget`` that ``total`` uses (None without a budget)."""
    return None if not budget else total / budget
