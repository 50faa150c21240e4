"""``/giaoviec`` with the units named as officials write them: a list of names, aliases or codes (any
case, with or without diacritics) before a colon; the colon-less form of codes keeps working, a colon
inside its text too; a name that is no unit, or fits two communes, is refused and nothing is given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dondoc.db.models import Assignment, MemberRole, Role, Task, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.extensions.test_bot import bound
from tests.handlers.helpers import Chat, make_dispatcher
from tests.handlers.test_scope import NOW as INVITED
from tests.handlers.test_status_diacritics import twins_chat, twins_store

NOW = datetime(2022, 6, 8, 9, 0, tzinfo=TZ)  # a Wednesday
LN = "Ủy ban nhân dân xã Lương Nghĩa"


def _leads(engine: Engine) -> dict[str, set[str]]:
    """Each task given outside the plan (PS.n) and the codes of the units that lead it."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Task.code, Unit.code)
            .join(Assignment, col(Assignment.task_id) == Task.id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(col(Task.code).startswith("PS."), Assignment.role == Role.LEAD)
        ).all()
    leads: dict[str, set[str]] = {}
    for task, unit in rows:
        leads.setdefault(task, set()).add(unit)
    return leads


@pytest.fixture
def manager(engine: Engine) -> Chat:
    """A manager of the coordinating office (Phòng Nội vụ) of the Long Mỹ sample."""
    return bound(make_dispatcher(engine, NOW), engine, "301", "NV", MemberRole.MANAGER, "Lê Lãnh Đạo", NOW)


def test_units_named_in_full_before_a_colon(engine: Engine, manager: Chat) -> None:
    focal = bound(manager.dispatcher, engine, "300", "LN", MemberRole.FOCAL, "Nguyễn Đầu Mối", NOW)
    replies = manager.send("/giaoviec Phòng Nội vụ, UBND xã Lương Nghĩa: Báo cáo tình hình hạn 15/06")
    said = manager.last
    assert f"Đã giao nhiệm vụ PS.1 cho Phòng Nội vụ, {LN}: Báo cáo tình hình — hạn 15/06/2022." in said, said
    assert _leads(engine) == {"PS.1": {"NV", "LN"}}
    told = [plain(r.text) for r in replies if r.to is not None and r.to.chat_id == focal.user_id]
    assert told and "Báo cáo tình hình" in told[0] and "Phòng" not in told[0], told


def test_names_typed_without_diacritics_and_in_any_case(engine: Engine, manager: Chat) -> None:
    manager.send("/giaoviec phong tu phap; UY BAN NHAN DAN XA LUONG NGHIA: Rà soát văn bản hạn cuối tháng")
    said = manager.last
    assert f"PS.1 cho Phòng Tư pháp, {LN}: Rà soát văn bản — hạn 30/06/2022" in said, said
    assert _leads(engine) == {"PS.1": {"TP", "LN"}}


def test_an_alias_names_its_unit(engine: Engine, manager: Chat) -> None:
    manager.send("/giaoviec Văn phòng HĐND và UBND huyện: Tổng hợp báo cáo hạn cuối tháng")
    said = manager.last
    assert "cho Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện: Tổng hợp báo cáo" in said, said
    assert _leads(engine) == {"PS.1": {"VP"}}


def test_codes_and_names_mixed_in_one_list(engine: Engine, manager: Chat) -> None:
    manager.send("/giaoviec XP, Phòng Tài chính - Kế hoạch: Báo cáo: số liệu quý II hạn 15/06")
    said = manager.last
    assert "cho Ủy ban nhân dân xã Xà Phiên, Phòng Tài chính - Kế hoạch: Báo cáo: số liệu quý II" in said, said
    assert _leads(engine) == {"PS.1": {"XP", "TCKH"}}


def test_a_name_that_is_no_unit_is_refused_and_nothing_given(engine: Engine, manager: Chat) -> None:
    manager.send("/giaoviec Phòng Nội vụ, Phòng Ngoại <vụ>: Báo cáo hạn 15/06")
    said = manager.last
    assert "Không có cơ quan, đơn vị nào tên Phòng Ngoại <vụ>." in said, said
    assert "Phòng Nội vụ, Phòng Tư pháp: Báo cáo" in said, said  # how to write it
    assert "PS.1" not in said, said
    # A single unit typed wrongly is named whole, not by its first word.
    manager.send("/giaoviec Phong Noi vu sai: Báo cáo hạn 15/06")
    assert "Không có cơ quan, đơn vị nào tên Phong Noi vu sai." in manager.last, manager.last
    # After a code and a comma: the list went on, the code is not given "Phòng Ngoại vụ: Báo cáo".
    manager.send("/giaoviec XP, Phòng Ngoại vụ: Báo cáo hạn 15/06")
    assert "Không có cơ quan, đơn vị nào tên Phòng Ngoại vụ." in manager.last, manager.last
    assert _leads(engine) == {}


def test_the_old_form_of_codes_is_unchanged(engine: Engine, manager: Chat) -> None:
    manager.send("/giaoviec")
    usage = manager.last
    assert "/giaoviec Phòng Nội vụ, Phòng Tư pháp: Báo cáo kết quả rà soát văn bản hạn 15/06" in usage, usage
    manager.send("/giaoviec XP, LN Báo cáo tình hình sạt lở hạn 15/06")
    said = manager.last
    assert f"PS.1 cho Ủy ban nhân dân xã Xà Phiên, {LN}: Báo cáo tình hình sạt lở — hạn 15/06/2022" in said, said
    manager.send("/giaoviec Phòng Báo cáo hạn 15/06")
    assert "Phòng không phải là đơn vị" in manager.last, manager.last
    assert _leads(engine) == {"PS.1": {"XP", "LN"}}


def test_a_colon_inside_the_text_of_the_old_form(engine: Engine, manager: Chat) -> None:
    manager.send("/giaoviec XP Báo cáo: số liệu quý hạn 15/06")
    said = manager.last
    assert "PS.1 cho Ủy ban nhân dân xã Xà Phiên: Báo cáo: số liệu quý — hạn 15/06/2022" in said, said
    manager.send("/giaoviec XP, LN Kết quả: 3 văn bản hạn 15/06")
    said = manager.last
    assert f"PS.2 cho Ủy ban nhân dân xã Xà Phiên, {LN}: Kết quả: 3 văn bản — hạn 15/06/2022" in said, said
    # After names, the first colon ends the units: the text keeps its own.
    manager.send("/giaoviec Phòng Nội vụ: Báo cáo: số liệu quý hạn 15/06")
    said = manager.last
    assert "PS.3 cho Phòng Nội vụ: Báo cáo: số liệu quý — hạn 15/06/2022" in said, said
    assert _leads(engine) == {"PS.1": {"XP"}, "PS.2": {"XP", "LN"}, "PS.3": {"NV"}}


@pytest.fixture
def twins(dondoc: Dondoc, tmp_path: Path) -> Iterator[Engine]:
    """A province with two communes whose names differ only in their diacritics (BT1, BT2)."""
    engine = twins_store(dondoc, tmp_path)
    yield engine
    engine.dispose()


def test_two_communes_differing_in_diacritics_ask_which(twins: Engine) -> None:
    manager = twins_chat(twins, now=INVITED)

    manager.send("/giaoviec Sở Nội vụ, Uy ban nhan dan xa Binh Thanh: Báo cáo hạn 31/03")
    said = manager.last
    assert "«Uy ban nhan dan xa Binh Thanh» ứng với nhiều đơn vị" in said, said
    assert "Ủy ban nhân dân xã Bình Thành (BT1); Ủy ban nhân dân xã Bình Thạnh (BT2)" in said, said
    assert _leads(twins) == {}
    manager.send("/giaoviec Sở Nội vụ, Ủy ban nhân dân xã Bình Thạnh: Báo cáo hạn 31/03")
    said = manager.last
    assert "cho Sở Nội vụ, Ủy ban nhân dân xã Bình Thạnh: Báo cáo" in said and "Bình Thành" not in said, said
    assert _leads(twins) == {"PS.1": {"SNV", "BT2"}}
