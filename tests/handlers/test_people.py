"""Administrators in chat: ``/people`` lists who is bound and lets them remove someone who left or
revoke an invite, always after a confirmation, everything by typing too. Guessing invite codes is
slowed down, and administrators see the attempts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import MemberRole, Person, Report
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
WRONG = ["AAAA-BBBB", "CCCC-DDDD", "EEEE-FFFF", "GGGG-HHHH", "JJJJ-KKKK"]


def _bind(engine: Engine, dispatcher: Dispatcher, user_id: str, unit: str, role: MemberRole, name: str) -> Chat:
    chat = Chat(dispatcher, user_id, name=name)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    assert "đã được ghi nhận" in chat.last or "Chào đồng chí" in chat.last, chat.last
    return chat


def _team(engine: Engine) -> tuple[Dispatcher, Chat, Chat, Chat]:
    dispatcher = make_dispatcher(engine, NOW)
    admin = _bind(engine, dispatcher, "900", "NV", MemberRole.ADMIN, "Trần Quản Trị")
    focal = _bind(engine, dispatcher, "301", "XP", MemberRole.FOCAL, "Nguyễn Văn An")
    other = _bind(engine, dispatcher, "302", "XP", MemberRole.DEPUTY, "Lê Thị Bình")
    return dispatcher, admin, focal, other


def test_people_lists_who_is_bound_with_chats_language_and_pending_invites(engine: Engine) -> None:
    _dispatcher, admin, focal, _other = _team(engine)
    code = invite_code(engine, "NV", now=NOW)
    admin.send("/people")
    text = admin.last
    assert "Nguyễn Văn An" in text and "Lê Thị Bình" in text and "Trần Quản Trị" in text
    assert "đầu mối — Ủy ban nhân dân xã Xà Phiên" in text
    assert "15/03/2022 09:00" in text  # when each chat was last used
    assert "· vi" in text
    assert "Lời mời chưa dùng: 1" in text and code not in text
    admin.send("/people xa phien")
    assert "Nguyễn Văn An" in admin.last and "Trần Quản Trị" not in admin.last
    focal.send("/people")
    assert "không dùng được lệnh /people" in focal.last


def test_an_admin_removes_someone_who_left_by_typing_after_confirming(engine: Engine) -> None:
    _dispatcher, admin, focal, other = _team(engine)
    focal.send("I.2 60")  # a one-line report, kept after the removal
    admin.send("/people")
    admin.send("Xoa nguoi")  # the button's label typed without diacritics
    assert "Xóa ai" in admin.last
    admin.send("nguyen van an")  # a name typed any way
    assert "Xóa <b>Nguyễn Văn An</b>" in admin.history[-1].text and admin.buttons() == ["Xác nhận", "Hủy"]
    focal.send("/tasks")
    assert "I.2" in focal.last  # nothing changes before the confirmation
    admin.send("xac nhan")
    assert "Đã xóa Nguyễn Văn An" in admin.last
    focal.send("/tasks")
    assert "mã mời" in focal.last  # a stranger now
    other.send("/tasks")
    assert "I.2" in other.last  # the deputy of the same unit is untouched
    with Session(engine) as session:
        assert len(session.exec(select(Report)).all()) == 1
    admin.send("/people")
    assert "Nguyễn Văn An" not in admin.last


def test_cancelling_or_an_ambiguous_name_changes_nothing(engine: Engine) -> None:
    dispatcher, admin, focal, _other = _team(engine)
    _bind(engine, dispatcher, "303", "NV", MemberRole.FOCAL, "Nguyễn Văn An")
    admin.send("/people")
    admin.press("Xóa")
    admin.send("Nguyen Van An")
    assert "2 người" in admin.history[-2].text
    assert [b for b in admin.buttons() if "Nguyễn Văn An" in b] == [
        b for b in admin.buttons() if b.startswith("Nguyễn Văn An (#")
    ]
    assert len([b for b in admin.buttons() if "Nguyễn Văn An" in b]) == 2
    admin.send("1")
    assert admin.buttons() == ["Xác nhận", "Hủy"]
    admin.send("huy")
    assert "Đã hủy" in admin.last
    focal.send("/tasks")
    assert "I.2" in focal.last


def test_someone_with_several_units_can_be_removed_from_one(engine: Engine) -> None:
    _dispatcher, admin, focal, _other = _team(engine)
    focal.send(f"/start {invite_code(engine, 'NV', MemberRole.FOCAL, now=NOW)}")  # also Nội vụ's focal point
    admin.send("/people")
    admin.press("Xóa")
    admin.press("Nguyễn Văn An")
    assert "Chỉ khỏi Ủy ban nhân dân xã Xà Phiên" in admin.buttons()
    admin.press("Chỉ khỏi Ủy ban nhân dân xã Xà Phiên")
    admin.press("Xác nhận")
    focal.send("/whoami")
    assert "Phòng Nội vụ" in focal.last and "Xà Phiên" not in focal.last


def test_an_admin_cannot_remove_themselves_in_chat(engine: Engine) -> None:
    _dispatcher, admin, _focal, _other = _team(engine)
    admin.send("/people")
    admin.press("Xóa")
    admin.send("#1")
    assert "không thể tự xóa" in admin.last
    admin.send("/people")
    assert "Trần Quản Trị" in admin.last


def test_an_admin_revokes_an_invite_in_chat(engine: Engine) -> None:
    dispatcher, admin, _focal, _other = _team(engine)
    code = invite_code(engine, "NV", now=NOW)
    admin.send("/people")
    admin.press("Thu hồi")
    assert code not in " ".join(admin.buttons())
    admin.send("1")
    admin.send("xac nhan")
    assert "Đã thu hồi" in admin.last
    newcomer = Chat(dispatcher, "400", name="Phạm Mới Đến")
    newcomer.send(code)
    assert "đã bị thu hồi" in newcomer.last
    with Session(engine) as session:
        assert session.exec(select(Person).where(Person.full_name == newcomer.name)).all() == []


def test_guessing_invite_codes_locks_the_chat_out_for_longer_each_time(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    admin = _bind(engine, dispatcher, "900", "NV", MemberRole.ADMIN, "Trần Quản Trị")
    guesser = Chat(dispatcher, "666")
    for wrong in WRONG[:4]:
        guesser.send(wrong)
        assert "không hợp lệ" in guesser.last and "thử lại" not in guesser.last
    guesser.send(f"/start {WRONG[4]}")
    assert "thử lại sau 15/03/2022 09:30" in guesser.last
    right = invite_code(engine, "XP", now=NOW)
    guesser.send(right)  # a right code during the lockout is refused too, and stays valid
    assert "thử lại sau 15/03/2022 09:30" in guesser.last
    second_process = Chat(make_dispatcher(engine, NOW + timedelta(minutes=1)), "666")
    second_process.send(right)
    assert "thử lại sau 15/03/2022 09:30" in second_process.last
    admin.send("/people")
    assert "Mã mời sai trong 24 giờ qua: 5 từ 1 cuộc trò chuyện" in admin.last
    assert "09:30" in admin.last

    dispatcher.clock.advance(timedelta(minutes=31))
    for wrong in WRONG:
        guesser.send(wrong)
    assert "thử lại sau 15/03/2022 10:31" in guesser.last  # 60 minutes the second time
    dispatcher.clock.advance(timedelta(minutes=61))
    guesser.send(right)
    assert "Xà Phiên" in guesser.last and "thử lại" not in guesser.last


def test_a_mistyped_code_now_and_then_does_not_lock_anyone_out(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    chat = Chat(dispatcher, "667")
    for wrong in WRONG[:4]:
        chat.send(wrong)
        dispatcher.clock.advance(timedelta(minutes=5))
    chat.send(WRONG[4])  # the fifth within 20 minutes, but only three within the last 15
    assert "thử lại" not in chat.last
    chat.send(invite_code(engine, "XP", now=dispatcher.clock.now()))
    assert "Xà Phiên" in chat.last


def test_no_username_or_profile_is_kept_about_a_person(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    chat = Chat(dispatcher, "701")
    chat._send(text=f"/start {invite_code(engine, 'XP', now=NOW)}", username="an_nguyen_private")
    columns = {c["name"] for c in inspect(engine).get_columns("channelaccount")}
    assert "username" not in columns
    assert columns <= {"id", "person_id", "channel", "external_id", "chat_id", "language_code", "last_used_at"}
    chat.send("/whoami")
    assert "an_nguyen_private" not in chat.last


async def test_someone_removed_gets_no_more_reminders_and_the_others_still_do(engine: Engine) -> None:
    monday = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)
    clock = Clock(monday - timedelta(hours=1), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    chats = {}
    for user_id, role, name in [
        ("900", MemberRole.ADMIN, "Trần Quản Trị"),
        ("500", MemberRole.FOCAL, "Nguyễn Văn An"),
        ("502", MemberRole.DEPUTY, "Lê Thị Bình"),
    ]:
        chats[user_id] = Chat(dispatcher, user_id, name=name)
        chats[user_id].send(f"/start {invite_code(engine, 'NV', role, now=clock.now())}")
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    service.schedule()
    admin = chats["900"]
    admin.send("/people")
    admin.press("Xóa người")
    admin.send("Nguyen Van An")
    admin.press("Xác nhận")
    clock.set(monday)
    await service.tick()
    assert outbox.texts("500") == []
    assert len(outbox.texts("502")) == 1 and "I.1" in outbox.texts("502")[0]
