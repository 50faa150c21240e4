"""``dondoc usage``: the messages a Telegram conversation and the reminder job put through, per
channel key and month, with each key's budget (from the deployment or the registry)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from dondoc.bot.app import assemble
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.db.usage import count_messages
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.conftest import SAMPLE, Dondoc
from tests.handlers.helpers import invite_code

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 is due in 7 days: its focal point is reminded


def channels(result: Any) -> dict[str, dict[str, Any]]:
    return {row["channel"]: row for row in result["channels"]}


async def test_a_conversation_and_a_reminder_on_telegram_are_counted_both_ways(
    engine: Engine, sample_store: Dondoc
) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    app = assemble(engine, clock, WorkCalendar(), bot_username="dondoc_test_bot")
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        application = app.attach_telegram(
            api.token, builder=api.application_builder(), rate_limit=False, run_reminders=False
        )
        async with api.running(application):
            lan = api.user(first_name="Lan", language_code="vi")
            await lan.send(f"/start {invite_code(engine, 'NV', now=clock.now())}")
            await lan.next_message()
            app.reminders.schedule()
            clock.set(MONDAY)
            await app.reminders.tick()  # the reminder goes out through the Telegram sender
            reminder = await lan.next_message()
            assert "I.1" in (reminder.text or "")
            await lan.send("I.1 60")  # a one-line report: one in, one out
            await lan.next_message()
            await lan.send("/tasks")
            await lan.next_message()
            await api.wait_idle(settle=0)
            sent_by_bot = len(lan.messages)

    usage = sample_store.ok("usage", "--month", "2022-01", "--json").json()
    assert usage["month"] == "2022-01"
    assert channels(usage)["telegram"] == {
        "channel": "telegram",
        "in": 3,
        "out": sent_by_bot,
        "total": 3 + sent_by_bot,
        "budget": None,  # Telegram has no budget unless one is set
        "share": None,
        "people": None,  # people against a bot's users: Zalo keys only
        "users": None,
        "users_state": None,
    }
    # Without --month: the month of the clock (DONDOC_NOW here).
    assert sample_store.ok("usage", "--json", env={"DONDOC_NOW": "2022-01-31T10:00"}).json() == usage
    assert sample_store.ok("usage", "--month", "2022-02", "--json").json() == {"month": "2022-02", "channels": []}
    text = sample_store.ok("usage", "--month", "01/2022", "--lang", "en").stdout
    assert "telegram" in text and str(3 + sent_by_bot) in text


def test_zalo_keys_get_3000_by_default_the_deployments_budget_or_the_registrys(
    engine: Engine, sample_store: Dondoc, tmp_path: Path
) -> None:
    march = datetime(2022, 3, 10, 9, 0, tzinfo=TZ)
    count_messages(engine, "zalo", "in", march, n=300)
    count_messages(engine, "zalo", "out", march, n=300)
    count_messages(engine, "zalo:longmy2", "out", march, n=100)

    found = channels(sample_store.ok("usage", "--month", "2022-03", "--json").json())
    assert (found["zalo"]["total"], found["zalo"]["budget"], found["zalo"]["share"]) == (600, 3000, 0.2)
    assert found["zalo:longmy2"]["budget"] == 3000

    deployment = {"DONDOC_ZALO_MONTHLY_BUDGET": "1200"}
    found = channels(sample_store.ok("usage", "--month", "2022-03", "--json", env=deployment).json())
    assert (found["zalo"]["budget"], found["zalo"]["share"]) == (1200, 0.5)

    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    registry["channels"] = {
        "zalo": {
            "budget": 2000,
            "bots": [
                {
                    "name": "longmy1",
                    "display_name": "Bot CCHC 1",
                    "token_env": "ZALO_TOKEN_1",
                    "budget": 1000,
                    "units": ["NV"],  # a bot serving nobody is refused
                },
                {"name": "longmy2", "display_name": "Bot CCHC 2", "token_env": "ZALO_TOKEN_2", "units": ["XP"]},
            ],
        },
        "telegram": {"budget": 5000},
    }
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)
    found = channels(sample_store.ok("usage", "--month", "2022-03", "--json", env=deployment).json())
    assert found["zalo"]["budget"] == 2000  # the registry's, over the deployment's default
    assert found["zalo:longmy1"] == {
        "channel": "zalo:longmy1",
        "in": 0,
        "out": 0,
        "total": 0,
        "budget": 1000,
        "share": 0.0,
        "people": 0,
        "users": 50,
        "users_state": "ok",
    }  # named in the registry: listed before it carried anything
    assert found["zalo:longmy2"]["budget"] == 2000

    bad = sample_store("usage", "--json", env={"DONDOC_ZALO_MONTHLY_BUDGET": "lots"})
    assert bad.code == 2 and "DONDOC_ZALO_MONTHLY_BUDGET" in bad.stderr and "lots" in bad.stderr
    month = sample_store("usage", "--month", "2022-13")
    assert month.code == 2 and "2022-13" in month.stderr


def test_a_bad_budget_in_the_registry_is_refused_naming_it(sample_store: Dondoc, tmp_path: Path) -> None:
    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    registry["channels"] = {
        "zalo": {"budget": -5, "reminders": {"lead_days_before": [0]}, "colour": "blue"},
    }
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    result = sample_store("units", "import", path, "--lang", "en")
    assert result.code == 1
    assert "channels.zalo.budget" in result.stderr and "-5" in result.stderr
    assert "channels.zalo.colour" in result.stderr
    registry["channels"] = {"zalo": {"reminders": {"lead_days_before": [0], "overdue_every": "weekly"}}}
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    result = sample_store("units", "import", path, "--lang", "en")
    assert result.code == 1
    assert "channels.zalo.reminders: lead_days_before[1]: expected a number from 1: «0»" in result.stderr
    assert "channels.zalo.reminders: overdue_every" in result.stderr
