"""Configuration from the environment and a ``.env`` file in the working folder, which every command
reads first (variables already in the environment win over the file).

Tokens never live in the repository: ``TELEGRAM_BOT_TOKEN`` comes from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

OFFICIAL_API = "https://api.telegram.org/bot"


def load_dotenv(path: Path = Path(".env")) -> None:
    """Set variables from ``path`` (KEY=VALUE lines) that the environment does not already set."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _sep, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    base_url: str  # requests go to <base_url><token>/<method>
    base_file_url: str
    bot_username: str | None
    webhook_secret: str | None

    @classmethod
    def from_env(cls) -> TelegramConfig:
        base = os.environ.get("TELEGRAM_API_BASE_URL") or OFFICIAL_API
        file_base = os.environ.get("TELEGRAM_API_FILE_URL") or base.replace("/bot", "/file/bot", 1)
        return cls(
            token=os.environ.get("TELEGRAM_BOT_TOKEN", ""),
            base_url=base,
            base_file_url=file_base,
            bot_username=os.environ.get("TELEGRAM_BOT_USERNAME") or None,
            webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
        )
