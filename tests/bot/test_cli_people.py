"""``dondoc people``, ``dondoc forget`` and ``dondoc invite list | revoke | attempts``: an administrator
sees who is bound, removes an official who left, revokes invites, erases a person's personal data
(Decree 13/2023/NĐ-CP) and shows a person everything stored about them."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.cli import app
from dondoc.db.models import ChannelAccount, Conversation, MemberRole, Person, Report
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.i18n import set_language
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
AT_NOW = {"DONDOC_NOW": NOW.isoformat()}


def _bind(engine: Engine, dispatcher: Dispatcher, user_id: str, unit: str, name: str, role: MemberRole) -> Chat:
    chat = Chat(dispatcher, user_id, name=name)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    return chat


def _people(engine: Engine) -> tuple[Chat, Chat]:
    dispatcher = make_dispatcher(engine, NOW)
    an = _bind(engine, dispatcher, "301", "XP", "Nguyễn Văn An", MemberRole.FOCAL)
    binh = _bind(engine, dispatcher, "302", "NV", "Lê Thị Bình", MemberRole.MANAGER)
    return an, binh


def test_people_list_shows_who_is_bound_and_pending_invites_without_codes(sample_store: Dondoc, engine: Engine) -> None:
    _people(engine)
    code = sample_store.ok("invite", "NV", "--role", "deputy", "--json", env=AT_NOW).json()["code"]
    listed = sample_store.ok("people", "list", "--json", env=AT_NOW).json()
    assert [(p["name"], p["memberships"][0]["unit"], p["memberships"][0]["role"]) for p in listed["people"]] == [
        ("Lê Thị Bình", "NV", "manager"),
        ("Nguyễn Văn An", "XP", "focal"),
    ]
    an = listed["people"][1]
    assert an["language"] == "vi"
    assert an["channels"] == [{"channel": "test", "id": "301", "last_used_at": "2022-03-15T09:00:00+07:00"}]
    assert [(i["unit"], i["role"]) for i in listed["invites"]] == [("NV", "deputy")]
    text = sample_store.ok("people", "list", env=AT_NOW).stdout
    assert "Nguyễn Văn An" in text and "15/03/2022 09:00" in text and "Lời mời chưa dùng: 1" in text
    assert code not in text and code not in json.dumps(listed)
    only_xp = sample_store.ok("people", "list", "--unit", "xa phien", "--json", env=AT_NOW).json()
    assert [p["name"] for p in only_xp["people"]] == ["Nguyễn Văn An"] and only_xp["invites"] == []
    assert sample_store.ok("invite", "list", "--json", env=AT_NOW).json()["invites"][0]["role"] == "deputy"


def test_people_remove_ends_access_keeps_reports_and_refuses_an_ambiguous_name(
    sample_store: Dondoc, engine: Engine
) -> None:
    an, _binh = _people(engine)
    an.send("I.2 60")
    twin = _bind(engine, make_dispatcher(engine, NOW), "303", "NV", "Nguyễn Văn An", MemberRole.FOCAL)
    ambiguous = sample_store("people", "remove", "nguyen van an")
    assert ambiguous.code == 1 and "2 người" in ambiguous.stderr and "Phòng Nội vụ" in ambiguous.stderr
    twin.send("/tasks")
    an.send("/tasks")
    assert "I.2" in an.last  # nothing changed
    removed = sample_store.ok("people", "remove", "nguyen van an", "--unit", "XP")
    assert "Đã xóa" in removed.stdout and "Xà Phiên" in removed.stdout
    an.send("/tasks")
    assert "mã mời" in an.last
    twin.send("/whoami")
    assert "Phòng Nội vụ" in twin.last
    with Session(engine) as session:
        assert len(session.exec(select(Report)).all()) == 1
    by_chat = sample_store.ok("people", "remove", "test:302")  # a chat id
    assert "Lê Thị Bình" in by_chat.stdout
    gone = sample_store("people", "remove", "Lê Thị Bình")
    assert gone.code == 1 and "không có ai" in gone.stderr


def test_invite_revoke_by_code_or_by_id(sample_store: Dondoc, engine: Engine) -> None:
    first = sample_store.ok("invite", "XP", "--json", env=AT_NOW).json()["code"]
    sample_store.ok("invite", "NV", "--role", "manager", env=AT_NOW)
    revoked = sample_store.ok("invite", "revoke", first.lower(), env=AT_NOW)
    assert "Đã thu hồi" in revoked.stdout
    pending = sample_store.ok("invite", "list", "--json", env=AT_NOW).json()["invites"]
    assert [i["unit"] for i in pending] == ["NV"]
    sample_store.ok("invite", "revoke", f"i{pending[0]['id']}", env=AT_NOW)
    assert sample_store.ok("invite", "list", "--json", env=AT_NOW).json()["invites"] == []
    again = sample_store("invite", "revoke", first, env=AT_NOW)
    assert again.code == 1 and "đã bị thu hồi" in again.stderr
    unknown = sample_store("invite", "revoke", "ZZZZ-ZZZZ", env=AT_NOW)
    assert unknown.code == 1 and "không có lời mời" in unknown.stderr
    chat = Chat(make_dispatcher(engine, NOW), "310", name="Phạm Mới Đến")
    chat.send(first)
    assert "đã bị thu hồi" in chat.last


def test_invite_attempts_shows_the_chats_that_guessed(sample_store: Dondoc, engine: Engine) -> None:
    guesser = Chat(make_dispatcher(engine, NOW), "666")
    for wrong in ["AAAA-BBBB", "CCCC-DDDD", "EEEE-FFFF", "GGGG-HHHH", "JJJJ-KKKK"]:
        guesser.send(wrong)
    found = sample_store.ok("invite", "attempts", "--json", env=AT_NOW).json()["attempts"]
    assert found == [
        {
            "channel": "test",
            "chat_id": "666",
            "wrong": 5,
            "last_at": "2022-03-15T09:00:00+07:00",
            "locked_until": "2022-03-15T09:30:00+07:00",
            "lockouts": 1,
            "refused_while_locked": 0,
        }
    ]
    assert "AAAA" not in json.dumps(found)
    text = sample_store.ok("invite", "attempts", env=AT_NOW).stdout
    assert "test:666" in text and "bị khóa đến 15/03/2022 09:30" in text


def test_forget_erases_personal_data_and_keeps_reports_with_the_unit(sample_store: Dondoc, engine: Engine) -> None:
    an, binh = _people(engine)
    an.send("I.2 xong")
    an.send("/link")  # a pending link code they made
    an.send("/report I.3")  # a conversation in progress
    refused = sample_store.runner.invoke(app, ["--db", sample_store.url, "forget", "Nguyễn Văn An"], input="n\n")
    set_language(None)
    assert refused.exit_code == 1 and "Không có gì thay đổi" in refused.stderr
    with Session(engine) as session:
        assert session.exec(select(Person).where(Person.full_name == "Nguyễn Văn An")).first() is not None
    result = sample_store.ok("forget", "nguyen van an", "--yes", "--json", env=AT_NOW).json()
    person_id = result["person"]
    assert result["name"] == f"Người đã xóa #{person_id}"
    assert result["channel_accounts_deleted"] == 1 and result["conversations_deleted"] == 1
    assert result["invites_revoked"] == 1 and result["reports_kept"] == 1
    with Session(engine) as session:
        assert session.exec(select(ChannelAccount).where(ChannelAccount.person_id == person_id)).all() == []
        assert session.exec(select(Conversation).where(Conversation.user_id == "301")).all() == []
        assert "Nguyễn Văn An" not in [p.full_name for p in session.exec(select(Person))]
    status = sample_store.ok("status", "--at", "2022-03-15", "--unit", "XP", "--json").json()
    assert next(i for i in status["items"] if i["task"] == "I.2")["category"] in {"done_on_time", "done_late"}
    an.send("/tasks")
    assert "mã mời" in an.last  # the chat is a stranger's now
    binh.send("/history I.2")
    assert f"Người đã xóa #{person_id}" in binh.last and "Nguyễn Văn An" not in binh.last
    text = sample_store.ok("forget", f"#{person_id}", "--yes").stdout
    assert "Đã xóa dữ liệu cá nhân" in text  # twice is harmless


def test_people_export_shows_everything_stored_about_a_person(sample_store: Dondoc, engine: Engine) -> None:
    an, _binh = _people(engine)
    an.send("I.2 60% đã trình dự thảo")
    an.send("/report I.3")
    data = sample_store.ok("people", "export", "301", "--json").json()
    assert data["person"]["full_name"] == "Nguyễn Văn An"
    assert [(a["channel"], a["external_id"]) for a in data["channel_accounts"]] == [("test", "301")]
    assert [(m["unit_code"], m["role"]) for m in data["memberships"]] == [("XP", "focal")]
    assert [(r["task"], r["unit"], r["percent"], r["note"]) for r in data["reports"]] == [
        ("I.2", "XP", 60, "đã trình dự thảo")
    ]
    assert [c["flow"] for c in data["conversations"]] == ["report"]
    assert data["invites"] and all("code_hash" not in i for i in data["invites"])
    text = sample_store.ok("people", "export", "Nguyen Van An").stdout
    assert "full_name: Nguyễn Văn An" in text and "I.2" in text
