"""``dondoc people``, ``dondoc forget`` and ``dondoc invite list | revoke | attempts``: an administrator
sees who is bound, removes an official who left, revokes invites, erases a person's personal data
(Decree 13/2023/NĐ-CP) and shows a person everything stored about them."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.cli import app
from dondoc.db.models import (
    Assignment,
    ChannelAccount,
    Conversation,
    InviteAttempt,
    MemberRole,
    Membership,
    Person,
    Reminder,
    ReminderState,
    Report,
    SentDigest,
)
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
    gone = sample_store("people", "remove", "Lê Thị Bình")  # found, but holding no role any more
    assert gone.code == 1 and "Lê Thị Bình không có vai trò nào" in gone.stderr


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
    assert unknown.code == 1 and "Không có lời mời" in unknown.stderr
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
    assert "  Họ và tên: Nguyễn Văn An" in text.splitlines() and "I.2" in text


def _roles(engine: Engine) -> list[tuple[int, int, str]]:
    with Session(engine) as session:
        return sorted((m.person_id, m.unit_id, m.role.value) for m in session.exec(select(Membership)))


def test_people_remove_of_someone_holding_no_role_there_says_so_and_changes_nothing(
    sample_store: Dondoc, engine: Engine
) -> None:
    _people(engine)
    an = sample_store.ok("people", "export", "301", "--json").json()["person"]["id"]
    before = _roles(engine)
    elsewhere = sample_store("people", "remove", str(an), "--unit", "NV")  # An is the focal point of XP
    assert elsewhere.code == 1 and elsewhere.stdout == ""
    assert elsewhere.stderr.strip() == f"#{an} Nguyễn Văn An không có vai trò nào ở NV; không có gì thay đổi."
    assert _roles(engine) == before
    sample_store.ok("people", "remove", str(an))
    after = _roles(engine)
    again = sample_store("people", "remove", str(an))  # no role left
    assert again.code == 1 and "không có ai" not in again.stderr
    assert f"#{an} Nguyễn Văn An không có vai trò nào ở Ủy ban nhân dân huyện Long Mỹ" in again.stderr
    by_name = sample_store("people", "remove", "nguyen van an", "--unit", "XP")
    assert by_name.code == 1 and f"#{an} Nguyễn Văn An không có vai trò nào ở XP" in by_name.stderr
    assert _roles(engine) == after
    assert sample_store.ok("people", "export", str(an), "--json").json()["person"]["full_name"] == "Nguyễn Văn An"
    nobody = sample_store("people", "remove", "Trần Không Có", "--unit", "XP")
    assert nobody.code == 1 and "Không có ai là Trần Không Có" in nobody.stderr
    english = sample_store("people", "remove", str(an), "--lang", "en")
    assert english.code == 1 and f"#{an} Nguyễn Văn An has no role in" in english.stderr


def test_people_remove_of_a_name_several_people_hold_none_of_them_there_lists_them(
    sample_store: Dondoc, engine: Engine
) -> None:
    _people(engine)
    _bind(engine, make_dispatcher(engine, NOW), "303", "NV", "Nguyễn Văn An", MemberRole.FOCAL)
    before = _roles(engine)
    neither = sample_store("people", "remove", "nguyen van an", "--unit", "VP")
    assert neither.code == 1 and _roles(engine) == before
    assert "Không ai trong 2 người tên nguyen van an có vai trò ở VP" in neither.stderr
    assert "Ủy ban nhân dân xã Xà Phiên" in neither.stderr and "Phòng Nội vụ" in neither.stderr
    one = sample_store.ok("people", "remove", "nguyen van an", "--unit", "NV")  # the one who holds a role there
    assert "Phòng Nội vụ" in one.stdout


def _everything_stored(sample_store: Dondoc, engine: Engine) -> int:
    """A person with a row in every section of ``people export``; their id."""
    an, _binh = _people(engine)
    an.send("I.2 60% đã trình dự thảo")
    an.send("/link")
    an.send("/vangmat 21/03 25/03 nghỉ phép")
    an.send("/report I.3")
    sample_store.ok("people", "settings", "301", "--time", "14:00", "--weekly", "friday", env=AT_NOW)
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.full_name == "Nguyễn Văn An")).one()
        report = session.exec(select(Report)).one()
        assignment = session.get(Assignment, report.assignment_id)
        assert assignment is not None and person.id is not None
        reminder = Reminder(
            assignment_id=assignment.id or 0,
            due=date(2022, 3, 31),
            kind="before",
            send_on=date(2022, 3, 15),
            send_at=NOW,
            state=ReminderState.SENT,
        )
        session.add(reminder)
        session.flush()
        session.add(SentDigest(person_id=person.id, sent_at=NOW, message_id="m1", reminder_ids=str(reminder.id)))
        session.add(InviteAttempt(channel="test", chat_id="301", attempted_at=NOW))
        session.commit()
        return person.id


def test_people_export_text_is_readable_in_the_users_language(sample_store: Dondoc, engine: Engine) -> None:
    person = _everything_stored(sample_store, engine)
    data = sample_store.ok("people", "export", str(person), "--json").json()
    assert all(data[key] for key in data), "every section has a row"
    # --json stays as it was: English keys, ISO dates, stored values
    assert list(data) == [
        "person",
        "channel_accounts",
        "memberships",
        "invites",
        "reports",
        "conversations",
        "invite_attempts",
        "reminders_received",
        "reminder_settings",
        "absences",
    ]
    assert data["person"]["full_name"] == "Nguyễn Văn An" and data["person"]["language"] is None
    assert data["channel_accounts"][0]["last_used_at"] == "2022-03-15T09:00:00+07:00"
    assert data["reminders_received"][0]["kind"] == "before" and data["reminders_received"][0]["due"] == "2022-03-31"
    text = sample_store.ok("people", "export", str(person), env=AT_NOW).stdout
    lines = text.splitlines()
    assert lines[0] == (
        f"Dữ liệu cá nhân đang lưu về #{person} Nguyễn Văn An (Nghị định 13/2023/NĐ-CP), tính đến 15/03/2022 09:00"
    )
    for heading in (
        "Thông tin cá nhân:",
        "Tài khoản chat:",
        "Vai trò:",
        "Lời mời và mã liên kết (không hiện mã):",
        "Báo cáo:",
        "Hội thoại đang dở:",
        "Mã mời sai đã gửi từ tài khoản chat của người này (không hiện mã):",
        "Nhắc việc đã gửi đến người này:",
        "Cài đặt nhắc việc riêng (/nhacviec):",
    ):
        assert heading in lines
    for line in (
        "  Họ và tên: Nguyễn Văn An",
        "  Cơ quan: Ủy ban nhân dân huyện Long Mỹ",
        "  Tài khoản chat 1:",
        "    Dùng lần cuối: 15/03/2022 09:00",
        "    Ngôn ngữ của ứng dụng chat: Tiếng Việt",
        "    Vai trò: đầu mối",
        "    Đơn vị: Ủy ban nhân dân xã Xà Phiên (XP)",
        "  Báo cáo 1:",
        "    Mã nhiệm vụ: I.2",
        "    Tình trạng: Đang thực hiện",
        "    Tỷ lệ hoàn thành: 60%",
        "    Ghi chú: đã trình dự thảo",
        "    Do quản trị viên nhập: Không",
        "    Lý do vướng mắc: —",
        "  Nhắc việc 1:",
        "    Thời hạn: 31/03/2022",
        "    Giờ nhận nhắc: 14:00",
        "    Tần suất: Gom nhắc theo tuần",
        "    Ngày gom nhắc theo tuần: Thứ Sáu",
        "    Từ ngày: 21/03/2022",
        "    Lý do: nghỉ phép",
    ):
        assert line in lines, line
    assert "None" not in text and "- 1" not in text and "+07:00" not in text
    raw = {
        name
        for section in data.values()
        for row in (section if isinstance(section, list) else [section])
        for name in row
    }
    assert not [line for line in lines if line.strip().split(":")[0] in raw]  # no field by its column name
    english = sample_store.ok("people", "export", str(person), "--lang", "en").stdout.splitlines()
    assert "  Full name: Nguyễn Văn An" in english and "    Status: In progress" in english
    assert "    Last used: 15 Mar 2022 09:00" in english


def test_forget_asks_in_the_users_language_and_a_missing_answer_changes_nothing(
    sample_store: Dondoc, engine: Engine
) -> None:
    _people(engine)

    def forget(answer: str, *lang: str) -> tuple[int, str]:
        result = sample_store.runner.invoke(app, ["--db", sample_store.url, *lang, "forget", "301"], input=answer)
        set_language(None)
        return result.exit_code, result.stderr

    for answer in ("", "n\n", "không\n", "what\n"):
        code, stderr = forget(answer)
        assert code == 1, answer
        assert "Nguyễn Văn An" in stderr and "[c/K]:" in stderr and "Đã hủy. Không có gì thay đổi." in stderr
        assert "[y/N]" not in stderr and "Aborted" not in stderr and "Error" not in stderr
    code, stderr = forget("", "--lang", "en")
    assert code == 1 and "[y/N]:" in stderr and "Cancelled. Nothing was changed." in stderr
    with Session(engine) as session:
        assert session.exec(select(ChannelAccount).where(col(ChannelAccount.external_id) == "301")).first()
        assert session.exec(select(Person).where(Person.full_name == "Nguyễn Văn An")).first() is not None
    code, stderr = forget("có\n")
    assert code == 0, stderr
    with Session(engine) as session:
        assert session.exec(select(Person).where(Person.full_name == "Nguyễn Văn An")).first() is None
        assert session.exec(select(ChannelAccount).where(col(ChannelAccount.external_id) == "301")).first() is None


def test_part_of_a_name_acts_on_nobody_without_a_question(sample_store: Dondoc, engine: Engine) -> None:
    # "an" is one word of "Nguyễn Văn An": enough to find him, not to erase or remove him unasked.
    _people(engine)
    erased = sample_store("forget", "an", "--yes", env=AT_NOW)
    assert erased.code == 1 and "Nguyễn Văn An" in erased.stderr and "chưa thay đổi gì" in erased.stderr
    removed = sample_store("people", "remove", "binh", env=AT_NOW)
    assert removed.code == 1 and "Lê Thị Bình" in removed.stderr
    listed = sample_store.ok("people", "list", "--json", env=AT_NOW).json()["people"]
    assert sorted(p["name"] for p in listed) == ["Lê Thị Bình", "Nguyễn Văn An"]  # both still there
    # The whole name (typed any way), the id or a chat id still do it.
    assert "Lê Thị Bình" in sample_store.ok("people", "remove", "le thi binh", env=AT_NOW).stdout
    sample_store.ok("forget", "test:301", "--yes", env=AT_NOW)
    assert sample_store.ok("people", "list", "--json", env=AT_NOW).json()["people"] == []


def test_removing_the_last_administrator_says_what_it_leaves(sample_store: Dondoc, engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    _bind(engine, dispatcher, "401", "NV", "Trần Quản Trị", MemberRole.ADMIN)
    _bind(engine, dispatcher, "402", "VP", "Đỗ Thứ Hai", MemberRole.ADMIN)
    first = sample_store.ok("people", "remove", "Đỗ Thứ Hai", env=AT_NOW)
    assert first.stderr == ""  # another administrator stays
    last = sample_store.ok("people", "remove", "Trần Quản Trị", env=AT_NOW)
    assert "quản trị viên duy nhất" in last.stderr and "/invite" in last.stderr and "--role admin" in last.stderr
    assert "Đã xóa" in last.stdout  # said, and done as asked
