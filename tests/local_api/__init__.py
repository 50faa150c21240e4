"""Tests of the local Telegram Bot API server (dondoc.bot.local_api)."""
