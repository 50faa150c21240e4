"""A reminder policy per channel family, set in the registry (``channels: zalo: reminders:``): the
units whose people receive on Zalo are planned by it, and ``dondoc reminders preview`` shows the
effect and each month's messages per channel against its budget."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Assignment, Reminder, Unit
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.conftest import SAMPLE, Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 1, 3, 7, 0, tzinfo=TZ)
ZALO_POLICY = {  # D−3 and D only, overdue weekly, nothing for supporting units
    "lead_days_before": [3],
    "lead_working_day_before": False,
    "support_days_before": [],
    "overdue_weekly_after_days": 0,
}


def import_channels(store: Dondoc, tmp_path: Path, channels: dict[str, Any]) -> None:
    registry = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    registry["channels"] = channels
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    store.ok("units", "import", path)


def preview(store: Dondoc, *extra: str) -> Any:
    return store.ok(
        "reminders", "preview", "--from", "2022-01-01", "--to", "2022-12-31", "--at", "2022-01-01", "--json", *extra
    ).json()


def by_unit(entries: list[dict[str, Any]], unit: str) -> list[tuple[str, str, str, str]]:
    return sorted(
        (entry["send_at"][:10], item["task"], item["due"], item["kind"])
        for entry in entries
        if entry["to"] == {"unit": unit, "role": "focal"}
        for item in entry["items"]
    )


def days_ahead(items: list[tuple[str, str, str, str]]) -> set[int]:
    return {
        (date.fromisoformat(due) - date.fromisoformat(sent)).days
        for sent, _task, due, kind in items
        if kind == "before"
    }


def bind(engine: Engine, unit: str, user: str, channel: str) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    Chat(dispatcher, user, channel=channel).send(f"/start {invite_code(engine, unit, now=NOW)}")


def test_units_on_zalo_are_reminded_by_the_zalo_policy_and_the_preview_shows_it(
    engine: Engine, sample_store: Dondoc, tmp_path: Path
) -> None:
    bind(engine, "NV", "800", "zalo:longmy1")
    bind(engine, "XP", "801", "telegram")
    before = preview(sample_store)
    assert days_ahead(by_unit(before, "NV")) >= {7, 3}

    import_channels(sample_store, tmp_path, {"zalo": {"budget": 5, "reminders": ZALO_POLICY}})
    after = preview(sample_store)
    nv_before, nv_after = by_unit(before, "NV"), by_unit(after, "NV")
    assert nv_after and len(nv_after) < len(nv_before)
    assert days_ahead(nv_after) <= {3, 4, 5}  # D−3, moved back to a working day
    assert {kind for *_rest, kind in nv_after} >= {"before", "due"}
    late = [sent for sent, task, due, kind in nv_after if kind == "overdue" and task == "I.1"]
    gaps = {(date.fromisoformat(b) - date.fromisoformat(a)).days for a, b in pairwise(late)}
    assert late and gaps and min(gaps) >= 4  # weekly (a holiday moves one back), not every second working day
    late_before = [sent for sent, task, due, kind in nv_before if kind == "overdue" and task == "I.1"]
    february = [sent for sent in late if sent.startswith("2022-02")]
    assert len(february) <= 4 < 8 <= len([sent for sent in late_before if sent.startswith("2022-02")])
    assert by_unit(after, "XP") == by_unit(before, "XP")  # Telegram's people keep the organisation's policy

    months = preview(sample_store, "--budget")["months"]
    zalo = [row for row in months if row["channel"] == "zalo:longmy1"]
    telegram = [row for row in months if row["channel"] == "telegram"]
    assert zalo and telegram
    assert all(row["budget"] == 5 for row in zalo)
    assert all(row["budget"] is None and not row["over"] for row in telegram)
    january = next(row for row in zalo if row["month"] == "2022-01")
    nv_january = {  # (to whoever can receive them: NV's focal point; no manager is bound for the weekly summary)
        entry["send_at"]
        for entry in after
        if entry["to"]["unit"] == "NV" and entry["send_at"] < "2022-02" and entry["recipients"]
    }
    assert january["reminders"] == len(nv_january)
    assert january["replies_in"] == january["replies_out"] == january["reminders"]  # one answer each, estimated
    assert january["total"] == 3 * january["reminders"] and january["over"] is (january["total"] > 5)
    assert any(row["over"] for row in zalo)
    text = sample_store.ok(
        "reminders", "preview", "--from", "2022-01-01", "--to", "2022-03-31", "--at", "2022-01-01", "--lang", "en"
    ).stdout
    assert "zalo:longmy1" in text and "over the budget" in text


def test_the_outbox_is_planned_by_the_zalo_policy(engine: Engine, sample_store: Dondoc, tmp_path: Path) -> None:
    bind(engine, "NV", "800", "zalo")
    import_channels(sample_store, tmp_path, {"zalo": {"reminders": ZALO_POLICY}})
    service = reminder_service(engine, Clock(NOW, frozen=True), WorkCalendar(), {})
    service.schedule(datetime(2022, 1, 17, 7, 0, tzinfo=TZ))  # I.1 of NV is due on 31/01
    with Session(engine) as session:
        rows = session.exec(
            select(Reminder)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Unit.code == "NV", Reminder.due == date(2022, 1, 31))
        ).all()
    # D−3 and D fall on the same working day before Tết (31/01/2022 is a day off): one reminder;
    # the organisation's policy would also remind on D−7 (24/01).
    assert sorted((r.send_on, r.kind) for r in rows if r.kind in ("before", "due")) == [(date(2022, 1, 28), "due")]
