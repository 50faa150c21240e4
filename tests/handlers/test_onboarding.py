"""Getting in and the everyday commands: invites, strangers, /lang, /help, /invite, idle timeout."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Invite, MemberRole, Person
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def test_an_invite_works_once_is_stored_hashed_and_can_be_typed(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    code = invite_code(engine, "XP", now=NOW)
    with Session(engine) as session:
        stored = session.exec(select(Invite)).one()
    assert code.replace("-", "") not in stored.code_hash and len(stored.code_hash) == 64
    first = Chat(dispatcher, "201")
    first.send(code.lower().replace("-", ""))  # typed by hand, without the dash, in lower case
    assert "Ủy ban nhân dân xã Xà Phiên" in first.last
    second = Chat(dispatcher, "202")
    second.send(f"/start {code}")
    assert "đã được sử dụng" in second.last
    second.send("/tasks")
    assert "mã mời" in second.last


def test_an_expired_invite_is_refused(engine: Engine) -> None:
    code = invite_code(engine, "XP", now=NOW - timedelta(days=8))
    chat = Chat(make_dispatcher(engine, NOW), "203")
    chat.send(f"/start {code}")
    assert "đã hết hạn" in chat.last
    with Session(engine) as session:
        assert session.exec(select(Person)).all() == []


def test_help_lists_only_what_the_person_may_use(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    focal = Chat(dispatcher, "204")
    focal.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    focal.send("/help")
    assert "/report" in focal.last and "/status" not in focal.last and "/invite" not in focal.last
    focal.send("/status")
    assert "không dùng được lệnh /status" in focal.last
    manager = Chat(dispatcher, "205")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=NOW)}")
    manager.send("/help")
    assert "/status" in manager.last and "/report" not in manager.last


def test_an_admin_invites_from_chat(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    admin = Chat(dispatcher, "206")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    admin.send("/invite xa phien focal")
    assert "https://t.me/dondoc_test_bot?start=" in admin.last
    code = admin.last.split("start=")[1].strip()
    newcomer = Chat(dispatcher, "207")
    newcomer.send(f"/start {code}")
    assert "đầu mối của Ủy ban nhân dân xã Xà Phiên" in newcomer.last


def test_language_is_the_persons_choice_then_telegrams_then_vietnamese(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    chat = Chat(dispatcher, "208", language_code="en")
    chat.send("/start")
    assert "invite code" in chat.last  # a stranger with an English Telegram gets English
    chat.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    chat.send("/lang vi")
    assert "tiếng Việt" in chat.last
    chat.send("/whoami")
    assert "Đồng chí được ghi nhận là" in chat.last
    chat.send("/lang")
    chat.press("English")
    chat.send("/report I.2")
    assert chat.buttons() == ["Not started", "In progress", "Done", "Blocked"]


def test_an_idle_report_ends_politely_and_saves_nothing(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    chat = Chat(dispatcher, "209")
    chat.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    chat.send("/report I.2")
    chat.press("Đang thực hiện")
    dispatcher.clock.advance(timedelta(minutes=31))
    chat.send("60")
    assert "quá 30 phút" in chat.last
    chat.press_data("4:1")
    assert "không còn hiệu lực" in chat.last


def test_report_add_records_a_paper_report_marked_as_entered_by_an_admin(sample_store: Dondoc) -> None:
    result = sample_store.ok(
        "report", "add", "--task", "I.1", "--unit", "Phòng Nội vụ", "--status", "done", "--at", "28/01/2022", "--json"
    ).json()
    assert result == {
        "task": "I.1",
        "unit": "NV",
        "status": "done",
        "percent": 100,
        "completed_on": "2022-01-28",
        "reported_at": "2022-01-28T17:00:00+07:00",
    }
    status = sample_store.ok("status", "--at", "2022-02-01", "--unit", "NV", "--json").json()
    item = next(i for i in status["items"] if i["task"] == "I.1")
    assert item["category"] == "done_on_time"
    refused = sample_store("report", "add", "--task", "I.1", "--unit", "XP", "--status", "done")
    assert refused.code == 1 and "không giao cho XP" in refused.stderr
