"""A commune's administrator manages the people bound to its units (Decree 13/2023/NĐ-CP): invite
codes typed on Zalo by someone already bound, a code sent twice, and what ``people export`` shows and
``forget`` erases of a person's absences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
AT_NOW = {"DONDOC_NOW": NOW.isoformat()}


def _focal(engine: Engine) -> tuple[Chat, str]:
    """Nguyễn Văn An, on Zalo, bound as Xà Phiên's focal point by typing the code (as Zalo users do)."""
    an = Chat(make_dispatcher(engine, NOW), "301", name="Nguyễn Văn An", channel="zalo")
    code = invite_code(engine, "XP", now=NOW)
    an.send(code)
    assert "đầu mối của Ủy ban nhân dân xã Xà Phiên" in an.last, an.last
    return an, code


def test_someone_bound_who_types_a_new_invite_code_on_zalo_gets_that_role(engine: Engine) -> None:
    an, _code = _focal(engine)
    an.send(invite_code(engine, "NV", MemberRole.DEPUTY, now=NOW))
    assert "đầu mối dự phòng của Phòng Nội vụ" in an.last, an.last
    an.send("/whoami")
    assert "Phòng Nội vụ" in an.last and "Xà Phiên" in an.last


def test_a_code_sent_twice_says_it_is_already_theirs_not_to_ask_for_a_new_one(engine: Engine) -> None:
    an, code = _focal(engine)
    for typed in (code, f"/start {code}"):
        an.send(typed)
        assert "Đồng chí đã dùng mã này rồi: đồng chí là đầu mối của Ủy ban nhân dân xã Xà Phiên." in an.last
        assert "mã mới" not in an.last


def test_a_withdrawn_code_typed_by_someone_bound_is_refused_as_withdrawn(sample_store: Dondoc, engine: Engine) -> None:
    an, _code = _focal(engine)
    code = sample_store.ok("invite", "NV", "--role", "deputy", "--json", env=AT_NOW).json()["code"]
    sample_store.ok("invite", "revoke", code, env=AT_NOW)
    an.send(code)
    assert "Mã mời này đã bị thu hồi" in an.last, an.last
    an.send("/whoami")
    assert "Phòng Nội vụ" not in an.last


def test_export_shows_a_persons_absences_and_forget_erases_their_reason(sample_store: Dondoc, engine: Engine) -> None:
    an, _code = _focal(engine)
    an.send("/vangmat 21/03 25/03 điều trị bệnh tại bệnh viện")
    exported = sample_store.ok("people", "export", "Nguyễn Văn An", env=AT_NOW).stdout
    assert "Vắng mặt (/vangmat):" in exported
    assert "    Lý do: điều trị bệnh tại bệnh viện" in exported.splitlines()
    assert "    Từ ngày: 21/03/2022" in exported.splitlines()
    person_id = sample_store.ok("people", "export", "301", "--json", env=AT_NOW).json()["person"]["id"]
    forgotten = sample_store.ok("forget", "nguyen van an", "--yes", env=AT_NOW).stdout
    assert "Đã xóa cả lý do của 1 lần vắng mặt" in forgotten
    listed = sample_store.ok("absence", "list", env=AT_NOW).stdout
    assert "bệnh" not in listed and "Nguyễn Văn An" not in listed
    assert "bệnh" not in sample_store.ok("people", "export", f"#{person_id}", env=AT_NOW).stdout


def test_removing_a_units_only_focal_point_says_how_to_invite_the_successor(
    sample_store: Dondoc, engine: Engine
) -> None:
    _an, _code = _focal(engine)
    removed = sample_store.ok("people", "remove", "Nguyễn Văn An", env=AT_NOW).stdout
    assert "Đã xóa #1 Nguyễn Văn An: đầu mối của Ủy ban nhân dân xã Xà Phiên." in removed
    assert (
        "Ủy ban nhân dân xã Xà Phiên nay không còn đầu mối, đầu mối dự phòng nào: nhắc việc của đơn vị được giữ "
        "lại cho đến khi mời người mới (dondoc invite XP --role focal)."
    ) in removed


def test_removing_a_focal_point_in_chat_on_zalo_names_the_unit_left_without_one(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    admin = Chat(dispatcher, "900", name="Trần Quản Trị", channel="zalo")
    admin.send(invite_code(engine, "NV", MemberRole.ADMIN, now=NOW))
    for user_id, name, role in (("301", "Nguyễn Văn An", MemberRole.FOCAL), ("302", "Lê Thị Bình", MemberRole.DEPUTY)):
        Chat(dispatcher, user_id, name=name, channel="zalo").send(invite_code(engine, "XP", role, now=NOW))
    admin.send("/people")
    admin.send("Xóa người")
    admin.send("nguyen van an")
    admin.send("Xác nhận")
    assert "Đã xóa Nguyễn Văn An" in admin.last and "không còn đầu mối" not in admin.last  # the deputy is left
    admin.send("/people")
    admin.send("Xóa người")
    admin.send("le thi binh")
    admin.send("Xác nhận")
    assert "Đã xóa Lê Thị Bình" in admin.last
    assert "Ủy ban nhân dân xã Xà Phiên nay không còn đầu mối, đầu mối dự phòng nào" in admin.last
    assert "(/invite XP focal)" in admin.last


def test_people_on_zalo_numbers_only_the_choices_and_a_wrong_number_asks_again(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    admin = Chat(dispatcher, "900", name="Trần Quản Trị", channel="zalo")
    admin.send(invite_code(engine, "NV", MemberRole.ADMIN, now=NOW))
    Chat(dispatcher, "301", name="Nguyễn Văn An", channel="zalo").send(invite_code(engine, "XP", now=NOW))
    invite_code(engine, "LT", now=NOW)
    admin.send("/people")
    assert "• Trần Quản Trị (#1)" in admin.last and "• Nguyễn Văn An (#2)" in admin.last
    assert "2. Nguyễn Văn An" not in admin.last  # "2" is "Thu hồi lời mời" on Zalo
    admin.send("5")
    assert admin.last == "Đồng chí vui lòng gõ số thứ tự của một lựa chọn ở trên, hoặc gõ /cancel.", admin.last
    admin.send("1")
    assert "Xóa ai?" in admin.last


def test_revoking_an_invite_names_the_day_it_stops_working_as_such(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    admin = Chat(dispatcher, "900", name="Trần Quản Trị")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    invite_code(engine, "XP", now=NOW)
    admin.send("/people")
    admin.press("Thu hồi")
    [choice] = [label for label in admin.buttons() if "XP" in label]
    # The date in brackets alone read as the day the invite was made.
    assert "— XP (còn hạn đến 22/03/2022 09:00)" in choice, choice
