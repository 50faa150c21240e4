"""``dondoc reminders preview``: the planner's output over the sample plan (Long Mỹ 2022), sending
nothing. Task I.1 is due 31/01/2022 (Tết), led by NV (also the coordinator), supported by VP and
the district's departments."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from dondoc.db.models import MemberRole, Membership, Organization, Person, Plan, Unit
from dondoc.db.session import make_engine
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.preview import reminder_preview
from tests.conftest import Dondoc

I1_SUPPORT = {"VP", "TP", "TCKH", "VHTT", "KTHT", "TNMT", "LDTBXH", "GDDT", "NNPTNT", "YT", "TTR"}


def preview(store: Dondoc, start: str, end: str, at: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = store.ok(
        "reminders", "preview", "--from", start, "--to", end, "--at", at, "--json"
    ).json()
    return entries


def items_of(entries: list[dict[str, Any]], task: str) -> list[tuple[str, str, str, str, str]]:
    """(send_at, unit, role, due, kind) of every item of ``task``."""
    return [
        (e["send_at"], e["to"]["unit"], e["to"]["role"], i["due"], i["kind"])
        for e in entries
        for i in e["items"]
        if i.get("task") == task
    ]


def test_the_tet_example(sample_store: Dondoc) -> None:
    entries = preview(sample_store, "2022-01-01", "2022-02-10", "2022-01-01")
    lead = [item for item in items_of(entries, "I.1") if item[1] == "NV"]
    assert lead == [
        ("2022-01-24T08:00:00+07:00", "NV", "focal", "2022-01-31", "before"),
        ("2022-01-28T08:00:00+07:00", "NV", "focal", "2022-01-31", "due"),
        ("2022-02-07T08:00:00+07:00", "NV", "focal", "2022-01-31", "overdue"),
        ("2022-02-09T08:00:00+07:00", "NV", "focal", "2022-01-31", "overdue"),
        ("2022-02-09T08:00:00+07:00", "NV", "manager", "2022-01-31", "escalation"),
    ]
    support = [item for item in items_of(entries, "I.1") if item[1] != "NV"]
    assert {item[1] for item in support} == I1_SUPPORT
    assert {item[0] for item in support} == {"2022-01-24T08:00:00+07:00"}
    assert {(item[2], item[4]) for item in support} == {("focal", "before")}
    first = next(e for e in entries if e["items"][0]["kind"] != "weekly")
    assert first["send_at"] == "2022-01-24T08:00:00+07:00"
    assert set(first) == {"send_at", "to", "recipients", "items"}
    assert first["recipients"] == []


def test_supporting_units_get_the_week_before_only(sample_store: Dondoc) -> None:
    entries = preview(sample_store, "2022-01-01", "2022-12-31", "2022-01-01")
    support = [item for item in items_of(entries, "I.1") if item[1] != "NV"]
    assert len(support) == len(I1_SUPPORT)
    assert all(item[0] == "2022-01-24T08:00:00+07:00" and item[4] == "before" for item in support)
    kinds_to_support = {i["kind"] for e in entries for i in e["items"] if e["to"]["unit"] in I1_SUPPORT}
    assert "before" in kinds_to_support


def test_escalations_reach_the_unit_and_the_coordinator(sample_store: Dondoc) -> None:
    entries = preview(sample_store, "2022-01-01", "2022-06-30", "2022-01-01")
    managers = {(e["send_at"], e["to"]["unit"]): e for e in entries if e["to"]["role"] == "manager"}
    assert managers
    others = [(key, e) for key, e in managers.items() if key[1] != "NV"]
    assert others  # III.5, led by VP, is due 31/01 too
    for (send_at, _unit), entry in others:
        coordinator_items = managers[(send_at, "NV")]["items"]
        for item in entry["items"]:
            assert item["kind"] == "escalation"
            assert item in coordinator_items
    assert ("2022-02-09T08:00:00+07:00", "VP") in managers
    assert {"task": "III.5", "due": "2022-01-31", "kind": "escalation"} in managers[
        ("2022-02-09T08:00:00+07:00", "VP")
    ]["items"]


def test_a_done_report_stops_the_reminders(sample_store: Dondoc) -> None:
    before = preview(sample_store, "2022-01-01", "2022-12-31", "2022-01-28")
    assert [item[4] for item in items_of(before, "I.1")][:2] == ["due", "overdue"]
    sample_store.ok("report", "add", "--task", "I.1", "--unit", "NV", "--status", "done", "--at", "2022-01-27")
    after = preview(sample_store, "2022-01-01", "2022-12-31", "2022-01-28")
    assert items_of(after, "I.1") == []
    assert items_of(after, "III.5")  # other tasks go on
    # as if now were before the report: it has not arrived yet
    earlier = preview(sample_store, "2022-01-01", "2022-12-31", "2022-01-26T09:00")
    assert [item[4] for item in items_of(earlier, "I.1") if item[1] == "NV"][:2] == ["due", "overdue"]


def test_after_drops_the_past_and_from_bounds_the_listing(sample_store: Dondoc) -> None:
    entries = preview(sample_store, "2022-01-01", "2022-02-10", "24/01/2022 08:00")
    assert all(e["send_at"] > "2022-01-24T08:00:00+07:00" for e in entries)
    assert items_of(entries, "I.1")[0][:3] == ("2022-01-28T08:00:00+07:00", "NV", "focal")
    window = preview(sample_store, "2022-02-07", "2022-02-07", "2022-01-01")
    assert window and {e["send_at"][:10] for e in window} == {"2022-02-07"}


def test_one_entry_per_recipient_and_time(sample_store: Dondoc) -> None:
    entries = preview(sample_store, "2022-01-01", "2022-12-31", "2022-01-01")
    # (a manager's weekly summary is a message of its own, beside the escalations sent at that time)
    keys = [(e["send_at"], e["to"]["unit"], e["to"]["role"], e["items"][0]["kind"] == "weekly") for e in entries]
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys)
    for entry in entries:
        items = [(i.get("task"), i["due"], i["kind"]) for i in entry["items"]]
        assert len(items) == len(set(items)) and items


def test_a_whole_year_stays_in_office_hours_of_working_days(sample_store: Dondoc) -> None:
    entries = preview(sample_store, "2022-01-01", "2022-12-31", "2022-01-01")
    calendar = WorkCalendar()
    kinds = Counter(i["kind"] for e in entries for i in e["items"])
    assert set(kinds) == {"before", "due", "overdue", "escalation", "checkin", "weekly"}
    for entry in entries:
        moment = datetime.fromisoformat(entry["send_at"])
        assert moment.year == 2022
        assert moment.weekday() < 5 and calendar.is_working_day(moment.date()), entry
        assert time(7, 30) <= moment.astimezone(TZ).time() < time(17, 0)
    checkins = {e["send_at"][:10] for e in entries if any(i["kind"] == "checkin" for i in e["items"])}
    assert checkins == {"2022-03-01", "2022-06-01", "2022-09-05", "2022-12-01"}


def _add_people(url: str) -> dict[str, int]:
    engine = make_engine(url)
    now = datetime(2022, 1, 2, 9, 0, tzinfo=TZ)
    ids: dict[str, int] = {}
    with Session(engine) as session:
        org = session.exec(select(Organization)).one()
        units = {u.code: u for u in session.exec(select(Unit))}
        for name, unit, role, unreachable in (
            ("focal", "NV", MemberRole.FOCAL, False),
            ("deputy", "NV", MemberRole.DEPUTY, False),
            ("gone", "NV", MemberRole.FOCAL, True),
            ("boss", "NV", MemberRole.MANAGER, False),
            ("admin", "NV", MemberRole.ADMIN, False),
            ("vp", "VP", MemberRole.FOCAL, False),
        ):
            person = Person(organization_id=org.id or 0, full_name=name, unreachable=unreachable, created_at=now)
            session.add(person)
            session.flush()
            assert person.id is not None
            session.add(Membership(person_id=person.id, unit_id=units[unit].id or 0, role=role, created_at=now))
            ids[name] = person.id
        session.commit()
    engine.dispose()
    return ids


def test_recipients(sample_store: Dondoc) -> None:
    ids = _add_people(sample_store.url)
    entries = preview(sample_store, "2022-01-01", "2022-02-10", "2022-01-01")
    by_key = {(e["send_at"], e["to"]["unit"], e["to"]["role"]): e["recipients"] for e in entries}
    focal = sorted([ids["focal"], ids["deputy"]])
    assert by_key[("2022-01-24T08:00:00+07:00", "NV", "focal")] == [str(i) for i in focal]
    assert by_key[("2022-02-09T08:00:00+07:00", "NV", "manager")] == [str(ids["boss"])]
    assert by_key[("2022-01-24T08:00:00+07:00", "VP", "focal")] == [str(ids["vp"])]
    assert by_key[("2022-02-09T08:00:00+07:00", "VP", "manager")] == []


def test_a_fixed_number_of_queries(sample_store: Dondoc) -> None:
    engine = make_engine(sample_store.url)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    try:
        with Session(engine) as session:
            org = session.exec(select(Organization)).one()
            plan = session.exec(select(Plan)).one()
            event.listen(engine, "before_cursor_execute", count)
            start = datetime(2022, 1, 1, tzinfo=TZ)
            entries = reminder_preview(session, org, plan, WorkCalendar(), start, date(2022, 1, 1), date(2022, 12, 31))
            event.remove(engine, "before_cursor_execute", count)
    finally:
        engine.dispose()
    assert len(entries) > 100
    # the deadlines' planning (8), the requests waiting for an answer (2), the targets (1) and the
    # weekly summaries (the current plan, its managers)
    assert len(statements) <= 13, statements


def test_readable_listing(sample_store: Dondoc) -> None:
    result = sample_store.ok(
        "reminders", "preview", "--from", "2022-01-28", "--to", "2022-01-28", "--at", "2022-01-20", "--lang", "en"
    )
    lines = result.stdout.splitlines()
    assert any("28 Jan 2022 08:00" in line and "NV" in line for line in lines)
    assert any(line.split()[:1] == ["I.1"] and "31 Jan 2022" in line for line in lines)
    empty = sample_store.ok("reminders", "preview", "--from", "2022-01-29", "--to", "2022-01-30", "--at", "2022-01-20")
    assert empty.stdout.strip()
    quiet = sample_store.ok(
        "reminders", "preview", "--from", "2022-01-29", "--to", "2022-01-30", "--at", "2022-01-20", "--json"
    )
    assert quiet.json() == []


def test_bad_arguments(sample_store: Dondoc) -> None:
    assert sample_store("reminders", "preview", "--from", "2022-01-01", "--to", "2022-01-31", "--at", "soon").code == 2
    assert sample_store("reminders", "preview", "--from", "2022-02-01", "--to", "2022-01-31").code == 2
    assert sample_store("reminders", "preview", "--from", "2022-13-01", "--to", "2022-01-31").code == 2


def test_the_managers_weekly_summary_is_in_the_preview(sample_store: Dondoc) -> None:
    """The weekly summary goes to the coordinating unit's managers at 08:00 on the digest day (Monday by
    default) when it is a working day: not on Monday 11/04/2022 (Giỗ Tổ Hùng Vương, observed) nor on
    02/05/2022 (the 30/4 holiday observed). The text counts messages, not listing entries."""
    entries = preview(sample_store, "2022-04-01", "2022-05-10", "2022-03-31T18:00")
    weekly = [(e["send_at"], e["to"], e["items"]) for e in entries if e["items"][0]["kind"] == "weekly"]
    assert [(at, to) for at, to, _items in weekly] == [
        (f"2022-{day}T08:00:00+07:00", {"unit": "NV", "role": "manager"})
        for day in ("04-04", "04-18", "04-25", "05-09")
    ]
    assert weekly[0][2] == [{"kind": "weekly", "week": "2022-W14", "due": "2022-04-04"}]
    engine = make_engine(sample_store.url)
    with Session(engine) as session:
        org = session.exec(select(Organization)).one()
        org.settings = {**org.settings, "reminders": {**org.settings.get("reminders", {}), "weekly_digest_weekday": 4}}
        session.add(org)
        session.commit()
    engine.dispose()
    fridays = preview(sample_store, "2022-04-01", "2022-04-30", "2022-03-31T18:00")
    assert [e["send_at"][:10] for e in fridays if e["items"][0]["kind"] == "weekly"] == [
        "2022-04-01",
        "2022-04-08",
        "2022-04-15",
        "2022-04-22",
        "2022-04-29",
    ]
    text = sample_store.ok(
        "reminders", "preview", "--from", "2022-04-01", "--to", "2022-04-01", "--at", "2022-03-31T18:00", "--lang", "en"
    ).stdout
    assert "weekly summary of the plan (2022-W13)" in text
    assert "Messages to send: 0 (in " in text  # nobody is bound yet in the sample store
