"""Configuration: one :class:`Settings`, read once from the environment and a ``.env`` file in the
working folder (variables already in the environment win over the file; command-line options win
over both, see :mod:`dondoc.cli`). Nothing writes it back into the environment: it is passed down.

Tokens never live in the repository: ``TELEGRAM_BOT_TOKEN`` and ``ZALO_BOT_TOKEN`` come from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from dondoc.i18n import _

OFFICIAL_API = "https://api.telegram.org/bot"
OFFICIAL_ZALO_API = "https://bot-api.zaloplatforms.com/bot"


class Settings(BaseSettings):
    """Every setting dondoc reads from the environment (``DONDOC_*``, ``TELEGRAM_*``, ``ZALO_*``) or ``.env``.

    Values are kept as written: the parts that use them (the clock, the store, the calendar, the
    import limit) check them and say in one line what is wrong."""

    model_config = SettingsConfigDict(
        env_prefix="DONDOC_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str | None = None  # DONDOC_DATABASE_URL
    lang: str | None = None  # DONDOC_LANG
    now: str | None = None  # DONDOC_NOW
    clock_speed: str | None = None  # DONDOC_CLOCK_SPEED: how many times as fast as the wall clock
    clock_origin: str | None = None  # DONDOC_CLOCK_ORIGIN: the Unix time at which the clock read DONDOC_NOW
    calendar: str | None = None  # DONDOC_CALENDAR
    max_tasks: str | None = None  # DONDOC_MAX_TASKS
    debug: str | None = None  # DONDOC_DEBUG
    log_format: str | None = None  # DONDOC_LOG_FORMAT: text or json, for run and serve
    cpu: str | None = None  # DONDOC_CPU: auto, all or a core's number (dondoc.bot.cpu)
    telegram_bot_token: str = Field("", validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str | None = Field(None, validation_alias=AliasChoices("TELEGRAM_API_BASE_URL"))
    telegram_api_file_url: str | None = Field(None, validation_alias=AliasChoices("TELEGRAM_API_FILE_URL"))
    telegram_bot_username: str | None = Field(None, validation_alias=AliasChoices("TELEGRAM_BOT_USERNAME"))
    telegram_webhook_secret: str | None = Field(None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET"))
    zalo_monthly_budget: str | None = None  # DONDOC_ZALO_MONTHLY_BUDGET: messages a month per Zalo bot
    zalo_bot_token: str = Field("", validation_alias=AliasChoices("ZALO_BOT_TOKEN"))
    zalo_api_base_url: str | None = Field(None, validation_alias=AliasChoices("ZALO_API_BASE_URL"))
    zalo_webhook_secret: str | None = Field(None, validation_alias=AliasChoices("ZALO_WEBHOOK_SECRET"))
    zalo_bot_name: str | None = Field(None, validation_alias=AliasChoices("ZALO_BOT_NAME"))

    @property
    def debugging(self) -> bool:
        return (self.debug or "").strip() not in ("", "0")

    @property
    def telegram(self) -> TelegramConfig:
        return TelegramConfig.from_settings(self)

    @property
    def zalo(self) -> ZaloConfig:
        return ZaloConfig.from_settings(self)


class SettingError(ValueError):
    """A setting that is not valid; the message names it, the value and what to write."""


def budget_defaults(settings: Settings) -> dict[str, int | None]:
    """The deployment's monthly message budget per channel family: ``DONDOC_ZALO_MONTHLY_BUDGET``
    for Zalo (default 3,000, the free plan; ``none`` for no budget). The registry's ``channels:``
    section overrides it per family and per bot (:mod:`dondoc.plan.channels`)."""
    value = (settings.zalo_monthly_budget or "").strip()
    if not value:
        return {}
    if value.lower() in ("none", "0"):
        return {"zalo": None}
    if not value.isdigit() or not value.isascii():
        raise SettingError(
            _(
                "DONDOC_ZALO_MONTHLY_BUDGET is not a number of messages: {value} "
                "(use a whole number such as 3000, or none for no budget)"
            ).format(value=value)
        )
    return {"zalo": int(value)}


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    base_url: str  # requests go to <base_url><token>/<method>
    base_file_url: str
    bot_username: str | None
    webhook_secret: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConfig:
        base = settings.telegram_api_base_url or OFFICIAL_API
        file_base = settings.telegram_api_file_url or base.replace("/bot", "/file/bot", 1)
        return cls(
            token=settings.telegram_bot_token,
            base_url=base,
            base_file_url=file_base,
            bot_username=settings.telegram_bot_username or None,
            webhook_secret=settings.telegram_webhook_secret or None,
        )


@dataclass(frozen=True)
class ZaloConfig:
    """The one Zalo bot configured by ``ZALO_BOT_TOKEN`` (channel key ``"zalo"``)."""

    token: str
    base_url: str  # requests go to <base_url><token>/<method>
    webhook_secret: str | None
    bot_name: str | None  # what people search for in Zalo (else the name getMe gives)
    token_env: str = "ZALO_BOT_TOKEN"  # the variable that holds the token (a registry bot names its own)

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloConfig:
        return cls(
            token=settings.zalo_bot_token.strip(),
            base_url=(settings.zalo_api_base_url or "").strip() or OFFICIAL_ZALO_API,
            webhook_secret=settings.zalo_webhook_secret or None,
            bot_name=(settings.zalo_bot_name or "").strip() or None,
        )
