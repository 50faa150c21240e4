"""How many people each Zalo bot already has, against the users it takes (Zalo's free plan: 50, or
the registry's ``channels: zalo: users_per_bot`` for a paid plan): ``dondoc usage``, the
administrators' ``/people`` and the invites (``dondoc invite``, ``/invite``) say it, so that nobody
counts by hand in ``dondoc people list``.

A bot's people are the distinct persons holding a role (bound) who have a chat account on its
channel key: a Zalo user id is only valid with the bot that saw it, so someone bound in a unit moved
to another bot still counts on the bot they write to until they ``/link`` the new one. Someone
removed (``dondoc people remove``) no longer counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from dondoc.db.models import ChannelAccount, Membership, Organization
from dondoc.i18n import _
from dondoc.plan.zalo_bots import ZALO, ZALO_BOT_USERS, ZaloBotInfo, is_zalo

NEAR_SHARE = 0.9  # a bot with this share of its users is flagged: the next invites may not fit


@dataclass(frozen=True)
class BotUsers:
    """A Zalo bot's people against the users it takes."""

    key: str  # its channel key
    people: int
    limit: int

    @property
    def full(self) -> bool:
        """At or over its limit: a new person may not reach it."""
        return self.people >= self.limit

    @property
    def over(self) -> bool:
        return self.people > self.limit

    @property
    def near(self) -> bool:
        """At or over 90 % of its limit."""
        return self.people >= NEAR_SHARE * self.limit

    @property
    def state(self) -> str:
        """``over``, ``near`` (90 % or more, the limit included) or ``ok``."""
        return "over" if self.over else "near" if self.near else "ok"

    def as_json(self) -> dict[str, Any]:
        return {"people": self.people, "users": self.limit, "users_state": self.state}


def users_limit(sections: Iterable[Mapping[str, Any]], key: str) -> int:
    """The users the bot of ``key`` takes: the smallest ``users_per_bot`` of the registries that name
    it (any registry's, for ``zalo``, the one bot of ``ZALO_BOT_TOKEN``), else Zalo's free plan's.
    ``sections``: every organisation's stored ``channels`` settings."""
    name = key.split(":", 1)[1] if ":" in key else None
    found: list[int] = []
    for channels in sections:
        section = channels.get(ZALO)
        if not isinstance(section, Mapping):
            continue
        value = section.get("users_per_bot")
        names = {b.get("name") for b in section.get("bots") or () if isinstance(b, Mapping)}
        if isinstance(value, int) and (name is None or name in names):
            found.append(value)
    return min(found) if found else ZALO_BOT_USERS


def _sections(session: Session) -> list[Mapping[str, Any]]:
    return [(org.settings or {}).get("channels") or {} for org in session.exec(select(Organization))]


def bound_keys(session: Session) -> list[str]:
    """The Zalo channel keys someone bound has a chat on."""
    rows = session.exec(
        select(ChannelAccount.channel)
        .join(Membership, col(Membership.person_id) == ChannelAccount.person_id)
        .distinct()
    )
    return sorted(key for key in rows if is_zalo(key))


def bot_users(session: Session, keys: Iterable[str]) -> dict[str, BotUsers]:
    """Each Zalo key of ``keys`` with its people and its limit."""
    wanted = sorted({key for key in keys if is_zalo(key)})
    if not wanted:
        return {}
    counts: dict[str, set[int]] = {key: set() for key in wanted}
    rows = session.exec(
        select(ChannelAccount.channel, ChannelAccount.person_id)
        .join(Membership, col(Membership.person_id) == ChannelAccount.person_id)
        .where(col(ChannelAccount.channel).in_(wanted))
    )
    for channel, person_id in rows:
        counts[channel].add(person_id)
    sections = _sections(session)
    return {key: BotUsers(key, len(people), users_limit(sections, key)) for key, people in counts.items()}


def full_bot_warning(session: Session, bot: ZaloBotInfo) -> str | None:
    """What an invite for a unit ``bot`` serves says when the bot is at or over its users (the invite is
    still made: the person may replace someone who left); None when it has room."""
    found = bot_users(session, [bot.key])[bot.key]
    if not found.full:
        return None
    return _(
        "Warning: the Zalo bot {bot} already has {people} people and takes {users} users. The invite is made "
        "all the same (the new person may replace someone who left: remove them first). Way out: move some of "
        'its units to another bot (README, "A full bot").'
    ).format(bot=bot.display_name or bot.name or bot.key, people=found.people, users=found.limit)
