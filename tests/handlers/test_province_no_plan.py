"""A province whose organisations have no plan at all yet: ``/status``, ``/overdue``, ``/export`` and ``/ranking``
name the organisations under it, as ``dondoc status --org`` and the roll-up workbook do, in one Zalo
message even for a province of a hundred communes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.zalo.channel import split_plain
from dondoc.db.models import MemberRole, Organization
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.clock import Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat
from tests.handlers.test_province import PROVINCE, _province
from tests.handlers.test_scope import NOW, A, B, invite_in


def _province_chat(dondoc: Dondoc) -> tuple[Chat, Engine]:
    engine = open_store(dondoc.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    province = Chat(dispatcher, "700", name="Lãnh Đạo Tỉnh")
    province.send(f"/start {invite_in(engine, PROVINCE, 'VPUB', MemberRole.PROVINCE)}")
    assert "đã được ghi nhận" in province.last
    return province, engine


def test_a_province_with_no_plan_anywhere_names_its_organisations(dondoc: Dondoc, tmp_path: Path) -> None:
    # The province over A and B, registries only: no plan imported anywhere.
    _province(dondoc, tmp_path, b_plan=False)
    cli = dondoc.ok("status", "--org", PROVINCE).stdout
    assert f"{A}: chưa nhập kế hoạch" in cli and f"{B}: chưa nhập kế hoạch" in cli, cli
    province, engine = _province_chat(dondoc)

    for command in ("/status", "/overdue", "/export", "/ranking"):
        province.send(command)
        said = province.last
        assert "Chưa nhập kế hoạch nào" not in said, (command, said)
        assert f"{PROVINCE}: 2 cơ quan trực thuộc, chưa cơ quan nào nhập kế hoạch." in said, (command, said)
        assert f"• {A}: chưa nhập kế hoạch" in said and f"• {B}: chưa nhập kế hoạch" in said, (command, said)
        assert f"{PROVINCE}: chưa nhập kế hoạch" not in said  # the province's own body owes none
        assert "dondoc plan import" in said
    engine.dispose()


def test_a_hundred_communes_with_no_plan_fit_one_zalo_message(dondoc: Dondoc, tmp_path: Path) -> None:
    _province(dondoc, tmp_path, b_plan=False)
    engine = open_store(dondoc.url)
    with Session(engine) as session:
        root = session.exec(select(Organization).where(Organization.name == PROVINCE)).one()
        session.add_all(
            Organization(name=f"Ủy ban nhân dân xã Tân Phước Hưng số {n:03}", parent_id=root.id) for n in range(98)
        )
        session.commit()
    engine.dispose()
    province, engine = _province_chat(dondoc)

    province.send("/status")
    said = province.last
    assert len(split_plain(said)) == 1, len(said)  # one message of Zalo's monthly budget
    assert ": 100 cơ quan trực thuộc, chưa cơ quan nào nhập kế hoạch." in said, said
    assert "xã Tân Phước Hưng số 000" in said and "Ủy ban nhân dân xã" not in said  # short names
    shown = said.count("xã Tân Phước Hưng số")
    assert 50 < shown < 98, said
    assert f"… và {98 - shown} cơ quan khác" in said, said  # those left out counted, not dropped unseen
    engine.dispose()
