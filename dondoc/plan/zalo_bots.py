"""Which Zalo bot serves which unit: Zalo's free plan allows 50 users a bot, so a district or a
province runs several, each named in the unit registry (``channels: zalo: bots``) and stored per
organisation (:class:`~dondoc.db.models.ZaloBot`). Each bot is its own channel, ``zalo:<name>``
(a Zalo user id is only valid with the bot that saw it); ``zalo`` is the one bot configured by
``ZALO_BOT_TOKEN`` alone, which serves whatever no named bot serves. Plain lookups: the tokens are
read by :func:`dondoc.bot.zalo_bots.zalo_bots`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from dondoc.db.models import Unit, ZaloBot

ZALO = "zalo"  # the channel key of the one bot of ZALO_BOT_TOKEN
SINGLE_TOKEN_ENV = "ZALO_BOT_TOKEN"
BOT_NAME = re.compile(r"^[a-z0-9-]{1,32}$")  # a name makes the channel key zalo:<name>
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
ZALO_BOT_USERS = 50  # the users a Zalo bot takes on the free plan: a bot serving more units is refused


def bot_key(name: str) -> str:
    """The channel key of the bot named ``name``."""
    return f"{ZALO}:{name}"


def is_zalo(channel: str) -> bool:
    """Whether the channel key ``channel`` is a Zalo bot's (``zalo`` or ``zalo:<name>``)."""
    return channel.split(":", 1)[0] == ZALO


@dataclass(frozen=True)
class ZaloBotInfo:
    """A Zalo bot as the rest of dondoc sees it."""

    key: str  # its channel key: "zalo:ln1", or "zalo" for the one bot of ZALO_BOT_TOKEN
    name: str | None  # as in the registry; None for the one bot of ZALO_BOT_TOKEN
    display_name: str  # what people search for in Zalo; "" when not known
    token_env: str  # the variable that holds its token
    units: tuple[str, ...] = ()  # codes of the units it serves (named bots)


def _info(bot: ZaloBot) -> ZaloBotInfo:
    return ZaloBotInfo(bot_key(bot.name), bot.name, bot.display_name, bot.token_env, tuple(bot.units))


def stored_zalo_bots(session: Session, organization_id: int) -> list[ZaloBotInfo]:
    """The bots the organisation's registry names, in registry order."""
    bots = session.exec(
        select(ZaloBot).where(ZaloBot.organization_id == organization_id).order_by(col(ZaloBot.position))
    )
    return [_info(bot) for bot in bots]


def zalo_bot_for_unit(session: Session, unit: Unit) -> ZaloBotInfo | None:
    """The named bot that serves ``unit``; None when the registry names none for it (then the one bot
    of ``ZALO_BOT_TOKEN``, if the deployment has it, serves the unit)."""
    return next((bot for bot in stored_zalo_bots(session, unit.organization_id) if unit.code in bot.units), None)


def zalo_bot_serving(session: Session, unit: Unit, single: ZaloBotInfo | None) -> ZaloBotInfo | None:
    """The bot people of ``unit`` write to on Zalo: its named bot, else ``single`` (the one bot of
    ``ZALO_BOT_TOKEN``, None when the deployment has none)."""
    return zalo_bot_for_unit(session, unit) or single
