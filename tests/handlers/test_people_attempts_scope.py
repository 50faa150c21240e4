"""An administrator's ``/people`` says that its wrong-invite-code count is the whole deployment's, as
``dondoc invite attempts`` does: a wrong code names no organisation, so it cannot be counted by one."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.handlers.test_people import NOW, WRONG


def test_people_says_the_wrong_codes_are_counted_on_the_whole_deployment(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    admin = Chat(dispatcher, "900", name="Trần Quản Trị")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    guesser = Chat(dispatcher, "666")
    guesser.send(WRONG[0])
    admin.send("/people")
    line = next(line for line in admin.last.splitlines() if line.startswith("Mã mời sai"))
    assert line == (
        "Mã mời sai trong 24 giờ qua: 1 từ 1 cuộc trò chuyện, trên toàn hệ thống (mã sai không gắn với cơ quan nào)."
    ), line
