"""``dondoc task add``: a task given outside the plan is followed up like any task."""

from __future__ import annotations

from typing import Any

from tests.conftest import SAMPLE, Dondoc

ADD = ("task", "add", "--unit", "XP", "--text", "Báo cáo tình hình sạt lở", "--due", "2022-06-15")


def xp_item(dondoc: Dondoc, code: str, day: str) -> dict[str, Any]:
    status = dondoc.ok("status", "--at", day, "--json").json()
    return next(i for i in status["items"] if i["task"] == code and i["unit"] == "XP")


def test_a_task_given_outside_the_plan_is_overdue_then_closed_by_a_report(sample_store: Dondoc) -> None:
    added = sample_store.ok(*ADD, "--document", "Thông báo 15/TB-UBND", "--json").json()
    code = added["task"]
    assert code == "PS.1" and added["units"] == ["XP"] and added["plan"] == "2022"
    assert xp_item(sample_store, code, "2022-06-10")["category"] == "not_started"
    assert xp_item(sample_store, code, "2022-06-20")["category"] == "overdue"
    sample_store.ok("report", "add", "--task", code, "--unit", "XP", "--status", "done", "--at", "2022-06-18")
    assert xp_item(sample_store, code, "2022-06-20")["category"] == "done_late"


def test_several_units_and_the_next_number(sample_store: Dondoc) -> None:
    sample_store.ok(*ADD)
    second = sample_store.ok(
        "task", "add", "--unit", "XP, LN", "--text", "Rà soát", "--due", "30/06/2022", "--json"
    ).json()
    assert (second["task"], second["units"]) == ("PS.2", ["XP", "LN"])
    status = sample_store.ok("status", "--at", "2022-07-01", "--json").json()
    assert {i["unit"] for i in status["items"] if i["task"] == "PS.2"} == {"XP", "LN"}


def test_reminders_are_planned_for_it(sample_store: Dondoc) -> None:
    sample_store.ok(*ADD)
    entries = sample_store.ok(
        "reminders", "preview", "--from", "2022-06-01", "--to", "2022-06-30", "--at", "2022-06-01T00:00", "--json"
    ).json()
    assert any(i["task"] == "PS.1" for e in entries if e["to"] == {"unit": "XP", "role": "focal"} for i in e["items"])


def test_reimporting_the_appendix_keeps_it(sample_store: Dondoc) -> None:
    sample_store.ok(*ADD)
    sample_store.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx")
    assert xp_item(sample_store, "PS.1", "2022-06-20")["category"] == "overdue"


def test_bad_input_is_refused_and_writes_nothing(sample_store: Dondoc) -> None:
    assert "ZZ" in sample_store("task", "add", "--unit", "ZZ", "--text", "x", "--due", "2022-06-15").stderr
    assert "--due" in sample_store("task", "add", "--unit", "XP", "--text", "x", "--due", "hôm nay").stderr
    assert "--text" in sample_store("task", "add", "--unit", "XP", "--text", " ", "--due", "2022-06-15").stderr
    status = sample_store.ok("status", "--at", "2022-07-01", "--json").json()
    assert not [i for i in status["items"] if i["task"].startswith("PS.")]
