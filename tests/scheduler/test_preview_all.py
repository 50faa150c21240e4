"""``dondoc reminders preview`` shows every reminder the bot will send, as the sweeper sends it: the
reminders of explanation requests and of requests for more time waiting for an answer, the reminders
of the plan targets' figures, and a unit's reminders at each receiver's own send time without the
check-ins they muted (``/nhacviec``); ``--budget`` counts them so."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import ChannelAccount
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.extensions.test_bot import world
from tests.personal.test_reminders import DEPUTY, FOCAL, TimedOutbox, _received, _run, _with_deputy, mentions
from tests.targets.helpers import import_targets


def preview(store: Dondoc, start: str, end: str, at: str, *extra: str) -> Any:
    return store.ok("reminders", "preview", "--from", start, "--to", end, "--at", at, "--json", *extra).json()


def people(engine: Engine) -> dict[str, str]:
    """Person id (as the preview lists recipients) → chat id."""
    with Session(engine) as session:
        return {str(a.person_id): a.chat_id for a in session.exec(select(ChannelAccount))}


def test_explanation_and_extension_requests_are_in_the_preview(engine: Engine, sample_store: Dondoc) -> None:
    """Xã Xà Phiên's I.2 was due 31/03/2022. On 05/04 its focal point asks for more time (pending) and
    the coordinator asks it to explain on paper, due 08/04: the managers of XP and of the coordinating
    NV are reminded of the pending request on the 1st and 2nd working days after it, the focal
    point of the explanation before and on its due day."""
    focal, _manager, _coordinator = world(engine)
    focal.send("/giahan I.2 30/06/2022 chờ hướng dẫn của Sở")
    assert "30/06/2022" in focal.last, focal.last
    sample_store.ok("explanation", "add", "--task", "I.2", "--unit", "XP", "--at", "2022-04-05", "--due", "2022-04-08")
    entries = preview(sample_store, "2022-04-06", "2022-04-15", "2022-04-05T18:00")
    found = {
        (e["send_at"], e["to"]["unit"], e["to"]["role"], i["task"], i["due"], i["kind"])
        for e in entries
        for i in e["items"]
        if i["kind"] in ("explanation", "extension")
    }
    assert {
        ("2022-04-06T08:00:00+07:00", "XP", "manager", "I.2", "2022-03-31", "extension"),
        ("2022-04-06T08:00:00+07:00", "NV", "manager", "I.2", "2022-03-31", "extension"),
        ("2022-04-07T08:00:00+07:00", "XP", "manager", "I.2", "2022-03-31", "extension"),
        ("2022-04-07T08:00:00+07:00", "NV", "manager", "I.2", "2022-03-31", "extension"),
        ("2022-04-06T08:00:00+07:00", "XP", "focal", "I.2", "2022-04-08", "explanation"),  # told on paper's next day
        ("2022-04-07T08:00:00+07:00", "XP", "focal", "I.2", "2022-04-08", "explanation"),  # the day before
        ("2022-04-08T08:00:00+07:00", "XP", "focal", "I.2", "2022-04-08", "explanation"),  # the due day
    } <= found, sorted(found)
    assert {kind for *_rest, kind in found} == {"explanation", "extension"}
    chats = people(engine)
    to_managers = next(
        e for e in entries if e["send_at"].startswith("2022-04-06") and e["to"] == {"unit": "XP", "role": "manager"}
    )
    assert [chats[p] for p in to_managers["recipients"]] == ["301"]
    text = sample_store.ok(
        "reminders", "preview", "--from", "2022-04-06", "--to", "2022-04-08", "--at", "2022-04-05T18:00", "--lang", "en"
    ).stdout
    assert "request for more time waiting" in text and "explanation asked" in text
    answered = sample_store.ok("explanation", "answer", "1", "--text", "Đã xong", "--at", "2022-04-05")
    assert answered.code == 0
    later = preview(sample_store, "2022-04-06", "2022-04-15", "2022-04-05T18:00")
    assert not [i for e in later for i in e["items"] if i["kind"] == "explanation"]


def test_figures_reminders_are_in_the_preview_and_the_budget(
    engine: Engine, sample_store: Dondoc, tmp_path: Path
) -> None:
    """The targets' first-quarter figures are due 15/03/2022: units that have not sent them are
    reminded at 08:00 on Friday 11/03, on the 15th and every second working day after it."""
    import_targets(sample_store, tmp_path)
    focal, _manager, _coordinator = world(engine)  # XP's focal point "300" on the test channel
    entries = preview(sample_store, "2022-03-10", "2022-03-17", "2022-03-10T07:00")
    figures = [
        (e["send_at"], e["to"]["unit"], i["target"], i["period"], i["due"], i["stage"])
        for e in entries
        for i in e["items"]
        if i["kind"] == "figures"
    ]
    xp = [f for f in figures if f[1] == "XP"]
    assert [(at, target, stage) for at, _u, target, _p, _d, stage in xp] == [
        ("2022-03-11T08:00:00+07:00", "T1", "before"),
        ("2022-03-11T08:00:00+07:00", "ISO", "before"),
        ("2022-03-11T08:00:00+07:00", "HL", "before"),
        ("2022-03-15T08:00:00+07:00", "T1", "due"),
        ("2022-03-15T08:00:00+07:00", "ISO", "due"),
        ("2022-03-15T08:00:00+07:00", "HL", "due"),
        ("2022-03-17T08:00:00+07:00", "T1", "overdue"),
        ("2022-03-17T08:00:00+07:00", "ISO", "overdue"),
        ("2022-03-17T08:00:00+07:00", "HL", "overdue"),
    ]
    assert {(p, d) for *_r, p, d, _s in figures} == {("2022-Q1", "2022-03-15")}
    assert {f[1] for f in figures} == {"XP", "VV", "LN", "NV"}
    message = next(e for e in entries if e["send_at"].startswith("2022-03-11") and e["to"]["unit"] == "XP")
    assert [people(engine)[p] for p in message["recipients"]] == ["300"]
    assert all(set(i) == {"kind", "target", "period", "due", "stage"} for i in message["items"])

    [friday] = preview(sample_store, "2022-03-11", "2022-03-11", "2022-03-10T07:00", "--budget")["months"]
    assert (friday["month"], friday["channel"], friday["reminders"], friday["replies_in"]) == ("2022-03", "test", 1, 1)
    [march] = preview(sample_store, "2022-03-10", "2022-03-17", "2022-03-10T07:00", "--budget")["months"]
    digests = {
        (p, e["send_at"], e["to"]["role"])
        for e in entries
        if e["items"][0]["kind"] != "figures"
        for p in e["recipients"]
    }
    assert march["reminders"] == len({f[0] for f in xp}) + len(digests)  # a figures reminder is a message of its own
    text = sample_store.ok(
        "reminders", "preview", "--from", "2022-03-11", "--to", "2022-03-11", "--at", "2022-03-10T07:00", "--lang", "en"
    ).stdout
    assert any("T1" in line and "figures for 2022-Q1 not sent" in line for line in text.splitlines()), text

    def owed_by_xp(at: str) -> set[str]:
        late = preview(sample_store, "2022-04-06", "2022-04-14", at)  # still reminded, every 2nd working day
        return {i["target"] for e in late if e["to"]["unit"] == "XP" for i in e["items"] if i["kind"] == "figures"}

    assert owed_by_xp("2022-04-05T18:00") == {"T1", "ISO", "HL"}
    focal.send("HS Q1 120/125")  # XP sends one target's figures at 09:00 on 05/04 (the chats' clock)
    assert owed_by_xp("2022-04-05T18:00") == {"ISO", "HL"}
    assert owed_by_xp("2022-04-05T08:00") == {"T1", "ISO", "HL"}  # as if they had not come yet


def _own_times(engine: Engine, start: datetime) -> tuple[Any, TimedOutbox]:
    """Phòng Nội vụ's focal point keeps 08:00; its deputy chose 14:00 and muted check-ins."""
    outbox = TimedOutbox()
    service, deputy = _with_deputy(engine, start, outbox, "/nhacviec giờ 14:00", "/nhacviec tắt nhắc")
    assert "tắt nhắc" in deputy.last, deputy.last
    return service, outbox


def test_each_receiver_is_shown_at_their_own_time(engine: Engine, sample_store: Dondoc) -> None:
    _own_times(engine, datetime(2022, 1, 23, 20, 0, tzinfo=TZ))
    chats = people(engine)
    entries = preview(sample_store, "2022-01-24", "2022-01-24", "2022-01-23T20:00")
    nv = [
        (e["send_at"], [chats[p] for p in e["recipients"]], [i["task"] for i in e["items"]])
        for e in entries
        if e["to"] == {"unit": "NV", "role": "focal"}
    ]
    [weekly] = [e for e in entries if e["items"][0]["kind"] == "weekly"]  # Monday: the managers' summary
    assert (weekly["send_at"], weekly["to"]) == ("2022-01-24T08:00:00+07:00", {"unit": "NV", "role": "manager"})
    assert [(at, who) for at, who, _tasks in nv] == [
        ("2022-01-24T08:00:00+07:00", [FOCAL]),
        ("2022-01-24T14:00:00+07:00", [DEPUTY]),
    ]
    assert all("I.1" in tasks for _at, _who, tasks in nv)
    [january] = preview(sample_store, "2022-01-24", "2022-01-24", "2022-01-23T20:00", "--budget")["months"]
    assert (january["month"], january["reminders"]) == ("2022-01", 2 + len(weekly["recipients"]))


async def test_the_preview_shows_what_the_sweeper_sends(engine: Engine, sample_store: Dondoc) -> None:
    """The week of V.6's check-in (01/06/2022): the preview's messages to Phòng Nội vụ's people are
    those the reminder job sends, at the same times — the deputy at 14:00 and without the check-in
    they muted — and the budget counts them."""
    service, outbox = _own_times(engine, datetime(2022, 5, 29, 20, 0, tzinfo=TZ))
    chats = people(engine)
    entries = preview(sample_store, "2022-05-30", "2022-06-03", "2022-05-29T20:00")
    foreseen: dict[tuple[str, datetime], set[str]] = {}
    for entry in entries:
        for person in entry["recipients"]:
            key = (chats[person], datetime.fromisoformat(entry["send_at"]))
            foreseen.setdefault(key, set()).update(i.get("task", "Tổng hợp tuần") for i in entry["items"])
    checkins = {(chats[p], e["send_at"][:10]) for e in entries for p in e["recipients"] for i in e["items"]}
    assert (FOCAL, "2022-06-01") in checkins
    assert not [e for e in entries if DEPUTY in [chats[p] for p in e["recipients"]] and "checkin" in str(e["items"])]
    assert any(chat == DEPUTY and at.time() == time(14, 0) for chat, at in foreseen)

    await _run(service, date(2022, 5, 30), date(2022, 6, 3), (time(8, 0), time(14, 0)))
    sent: dict[tuple[str, datetime], str] = {}
    for chat in (FOCAL, DEPUTY, "501"):
        for when, text in _received(outbox, chat):
            sent[(chat, when)] = text
    assert set(sent) == set(foreseen), (sorted(sent), sorted(foreseen))
    assert any(text.startswith("Tổng hợp tuần") for text in sent.values())  # Monday's, to the manager
    for key, tasks in foreseen.items():
        assert all(mentions(sent[key], task) or sent[key].startswith(task) for task in tasks), (key, tasks, sent[key])
    assert not [text for (chat, _w), text in sent.items() if chat == DEPUTY and mentions(text, "V.6")]
    months = preview(sample_store, "2022-05-30", "2022-06-03", "2022-05-29T20:00", "--budget")["months"]
    assert sum(row["reminders"] for row in months if row["channel"] == "test") == len(sent)
