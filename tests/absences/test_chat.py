"""``/vangmat`` in chat: for oneself, for someone else (administrators, managers), the list with its
cancel buttons, ``/whoami``, and every wrong input refused with its reason and nothing written."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Absence, MemberRole
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 6, 6, 9, 0, tzinfo=TZ)


def bound(dispatcher: Dispatcher, engine: Engine, user: str, unit: str, role: MemberRole, name: str) -> Chat:
    chat = Chat(dispatcher, user, name=name)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat


def absences(engine: Engine) -> list[Absence]:
    with Session(engine) as session:
        return list(session.exec(select(Absence).order_by(Absence.id)))  # type: ignore[arg-type]


@pytest.fixture
def people(engine: Engine) -> dict[str, Chat]:
    dispatcher = make_dispatcher(engine, NOW)
    return {
        "focal": bound(dispatcher, engine, "300", "XP", MemberRole.FOCAL, "Nguyễn Văn Mối"),
        "deputy": bound(dispatcher, engine, "301", "XP", MemberRole.DEPUTY, "Trần Thị Phó"),
        "other": bound(dispatcher, engine, "302", "LN", MemberRole.FOCAL, "Nguyễn Văn Khác"),
        "manager": bound(dispatcher, engine, "303", "XP", MemberRole.MANAGER, "Lê Lãnh Đạo"),
        "admin": bound(dispatcher, engine, "304", "NV", MemberRole.ADMIN, "Võ Quản Trị"),
    }


def test_a_focal_point_records_an_absence_and_whoami_shows_it(engine: Engine, people: dict[str, Chat]) -> None:
    focal = people["focal"]
    focal.send("/vangmat 10/06 20/06 nghỉ phép <b>năm</b>")
    reply = focal.last
    assert "Đã ghi nhận" in reply and "10/06/2022" in reply and "20/06/2022" in reply, reply
    assert "Trần Thị Phó" in reply and "21/06/2022" in reply  # the stand-in, and when it ends
    assert "&lt;b&gt;năm&lt;/b&gt;" in focal.history[-1].text  # what was typed is escaped
    [row] = absences(engine)
    assert (row.starts_on, row.ends_on, row.reason) == (date(2022, 6, 10), date(2022, 6, 20), "nghỉ phép <b>năm</b>")
    focal.send("/whoami")
    shown = plain(focal.last)
    assert "Vắng mặt từ 10/06/2022 đến 20/06/2022; trong thời gian vắng, nhắc việc của" in shown, shown
    assert "chuyển cho Trần Thị Phó" in shown, shown
    focal.send("/vangmat 06/06")  # today as well
    people["deputy"].send("/whoami")
    assert "Đồng chí nhận thay nhắc việc của Nguyễn Văn Mối" in people["deputy"].last, people["deputy"].last


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("10/6/2022 12/6/2022", date(2022, 6, 10), date(2022, 6, 12)),
        ("15/06", date(2022, 6, 15), date(2022, 6, 15)),  # one day
        ("từ 10/06 đến 20/06 họp", date(2022, 6, 10), date(2022, 6, 20)),
        ("10/06-20/06", date(2022, 6, 10), date(2022, 6, 20)),
        ("28/12 05/01 Tết", date(2022, 12, 28), date(2023, 1, 5)),  # the last day in the next year
        ("06/06", date(2022, 6, 6), date(2022, 6, 6)),  # today
    ],
)
def test_dates_as_people_type_them(engine: Engine, people: dict[str, Chat], typed: str, start: date, end: date) -> None:
    people["focal"].send(f"/vangmat {typed}")
    assert "Đã ghi nhận" in people["focal"].last, people["focal"].last
    [row] = absences(engine)
    assert (row.starts_on, row.ends_on) == (start, end)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20/06 10/06", "trước ngày đầu"),
        ("01/06 10/06", "đã qua"),
        ("31/06 02/07", "31/06"),
        ("mai", "Vắng mặt những ngày nào"),
        ("10/06/2022 10/06/2024", "366 ngày"),
        ("Lê Lãnh Đạo 10/06 12/06", "Chỉ quản trị viên hoặc lãnh đạo"),
    ],
)
def test_wrong_input_is_refused_with_its_reason_and_nothing_is_written(
    engine: Engine, people: dict[str, Chat], typed: str, expected: str
) -> None:
    people["focal"].send(f"/vangmat {typed}")
    assert expected in people["focal"].last, people["focal"].last
    assert absences(engine) == []


def test_an_overlapping_absence_is_refused(engine: Engine, people: dict[str, Chat]) -> None:
    focal = people["focal"]
    focal.send("/vangmat 10/06 20/06")
    focal.send("/vangmat 15/06 25/06")
    assert "trùng" in focal.last and "10/06/2022" in focal.last, focal.last
    assert len(absences(engine)) == 1


def test_an_administrator_records_one_for_someone_chosen_among_namesakes(
    engine: Engine, people: dict[str, Chat]
) -> None:
    admin, focal = people["admin"], people["focal"]
    admin.send("/vangmat Nguyễn Văn 10/06 12/06 đi học")
    assert "Có nhiều người" in admin.last, admin.last
    labels = [c.label for row in admin.history[-1].choices for c in row]
    assert "Nguyễn Văn Mối (XP)" in labels and "Nguyễn Văn Khác (LN)" in labels
    admin.press("Nguyễn Văn Mối")
    assert "Đã ghi nhận: Nguyễn Văn Mối vắng mặt từ 10/06/2022 đến 12/06/2022" in admin.last, admin.last
    told = [r for r in admin.history if r.to is not None and r.to.chat_id == "300"]
    assert told and "Võ Quản Trị" in told[-1].text and "đi học" in told[-1].text
    [row] = absences(engine)
    assert row.recorded_by_person_id is not None and row.reason == "đi học"
    focal.send("/vangmat")  # the person sees it, and may cancel it
    assert "10/06/2022" in focal.last
    admin.send("/vangmat")
    assert "Nguyễn Văn Mối" in admin.last
    admin.press("Hủy số")
    assert "Đã hủy" in admin.last
    assert absences(engine)[0].cancelled_at is not None


def test_a_manager_records_for_their_unit_only(engine: Engine, people: dict[str, Chat]) -> None:
    manager = people["manager"]
    manager.send("/vangmat Nguyễn Văn Khác 10/06 12/06")  # of LN: not the manager's unit
    assert "Không có ai tên Nguyễn Văn Khác" in manager.last, manager.last
    manager.send("/vangmat Nguyễn Văn Mối 10/06 12/06")
    assert "Đã ghi nhận" in manager.last
    [row] = absences(engine)
    other = people["other"]
    other.send(f"/vangmat hủy {row.id}")  # someone else's: refused
    assert "Không có lần vắng mặt số" in other.last
    assert absences(engine)[0].cancelled_at is None
    people["focal"].send(f"/vangmat huy {row.id}")  # one's own, in one line
    assert "Đã hủy" in people["focal"].last
    assert absences(engine)[0].cancelled_at is not None


def test_without_deputy_whoami_names_the_managers(engine: Engine, people: dict[str, Chat]) -> None:
    other = people["other"]  # LN has no deputy and no manager bound: the coordinating unit's has none either
    other.send("/vangmat 10/06 12/06")
    assert "không có ai nhận thay" in other.last, other.last
    dispatcher = other.dispatcher
    bound(dispatcher, engine, "305", "LN", MemberRole.MANAGER, "Đinh Lãnh Đạo")
    other.send("/whoami")
    assert "đồng chí Đinh Lãnh Đạo, lãnh đạo đơn vị" in other.last, other.last


def test_a_task_given_while_the_focal_point_is_away_is_announced_to_the_deputy(
    engine: Engine, people: dict[str, Chat]
) -> None:
    people["focal"].send("/vangmat 06/06 10/06")
    admin = people["admin"]
    admin.send("/giaoviec XP Báo cáo tình hình sạt lở hạn 30/06")
    assert "30/06/2022" in admin.last, admin.last
    to = {r.to.chat_id: plain(r.text) for r in admin.history if r.to is not None}
    assert "300" not in to
    assert "Nguyễn Văn Mối" in to["301"] and "vắng mặt đến 10/06/2022" in to["301"] and "sạt lở" in to["301"]
