"""The Zalo bots a deployment runs, with their tokens: the bots the organisation's registry names
(``channels: zalo: bots``, each with the variable holding its token), and the one bot of
``ZALO_BOT_TOKEN`` (channel key ``zalo``), which serves the units no named bot serves.

Tokens are read like every setting (:mod:`dondoc.bot.config`): the environment first, then the
``.env`` file of the settings; they are never stored. ``dondoc run`` / ``dondoc serve`` attach one
Zalo channel per bot returned by :func:`zalo_bots`, each under its channel key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.config import Settings
from dondoc.db.models import Organization
from dondoc.i18n import _
from dondoc.plan.zalo_bots import SINGLE_TOKEN_ENV, ZALO, ZaloBotInfo, stored_zalo_bots

SINGLE_NAME_ENV = "ZALO_BOT_NAME"  # the display name of the one bot of ZALO_BOT_TOKEN, for invites


class ZaloConfigError(ValueError):
    """A Zalo bot the registry names has no token; the message names the bots and variables."""


@dataclass(frozen=True)
class ZaloBotConfig:
    """A Zalo bot to run: where it is known (``info``) and its token ("" when its variable is unset)."""

    info: ZaloBotInfo
    token: str

    @property
    def key(self) -> str:
        return self.info.key

    @property
    def display_name(self) -> str:
        return self.info.display_name

    @property
    def token_env(self) -> str:
        return self.info.token_env


def setting(settings: Settings, name: str) -> str:
    """The variable ``name`` as the settings read theirs: from the environment, else from the settings'
    ``.env`` file; "" when neither sets it."""
    value = os.environ.get(name)
    if value is None:
        env_file = settings.model_config.get("env_file")
        if isinstance(env_file, str | Path) and Path(env_file).is_file():
            value = dotenv_values(env_file, encoding=settings.model_config.get("env_file_encoding")).get(name)
    return (value or "").strip()


def single_zalo_bot(settings: Settings) -> ZaloBotInfo | None:
    """The one bot of ``ZALO_BOT_TOKEN`` (named by ``ZALO_BOT_NAME``, if set), None without that token."""
    if not setting(settings, SINGLE_TOKEN_ENV):
        return None
    return ZaloBotInfo(key=ZALO, name=None, display_name=setting(settings, SINGLE_NAME_ENV), token_env=SINGLE_TOKEN_ENV)


def zalo_bots(settings: Settings, session: Session, organization: Organization) -> list[ZaloBotConfig]:
    """Every Zalo bot of ``organization`` to run: the named ones in registry order (each with its token,
    "" when its variable is unset: see :func:`check_tokens`), then the one bot of ``ZALO_BOT_TOKEN`` when
    that is set and no named bot uses the same variable."""
    assert organization.id is not None
    named = [
        ZaloBotConfig(info, setting(settings, info.token_env)) for info in stored_zalo_bots(session, organization.id)
    ]
    single = single_zalo_bot(settings)
    if single is not None and all(bot.token_env != SINGLE_TOKEN_ENV for bot in named):
        named.append(ZaloBotConfig(single, setting(settings, SINGLE_TOKEN_ENV)))
    return named


def deployment_zalo_bots(settings: Settings, engine: Engine) -> list[ZaloBotConfig]:
    """Every Zalo bot the deployment runs, once each: the bots every organisation's registry names
    (:func:`zalo_bots`), and the one bot of ``ZALO_BOT_TOKEN`` when that is set."""
    found: dict[str, ZaloBotConfig] = {}
    with Session(engine) as session:
        for organization in session.exec(select(Organization).order_by(col(Organization.id))):
            for bot in zalo_bots(settings, session, organization):
                found.setdefault(bot.key, bot)
    single = single_zalo_bot(settings)
    if single is not None and all(bot.token_env != SINGLE_TOKEN_ENV for bot in found.values()):
        found.setdefault(single.key, ZaloBotConfig(single, setting(settings, SINGLE_TOKEN_ENV)))
    return list(found.values())


def check_tokens(bots: list[ZaloBotConfig]) -> None:
    """Raise :class:`ZaloConfigError` naming each bot whose token variable is not set."""
    missing = [bot for bot in bots if not bot.token]
    if missing:
        raise ZaloConfigError(
            _("no token for the Zalo bot(s) of the registry: set {variables}").format(
                variables=", ".join(f"{bot.token_env} ({bot.key})" for bot in missing)
            )
        )
