"""Two communes whose names differ only in their diacritics ("Bình Thành", "Bình Thạnh"): a manager's
/status names the one spelt, and asks which one is meant when typed without diacritics — never the two
summed up as if one unit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.clock import Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, import_plan
from tests.handlers.test_scope import NOW, invite_in

PROVINCE = "Ủy ban nhân dân tỉnh Thử"
REGISTRY = {
    "organization": PROVINCE,
    "coordinator": "SNV",
    "units": [
        {"code": "SNV", "name": "Sở Nội vụ"},
        {"code": "BT1", "name": "Ủy ban nhân dân xã Bình Thành"},
        {"code": "BT2", "name": "Ủy ban nhân dân xã Bình Thạnh"},
    ],
}
APPENDIX = [
    ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian hoàn thành"],
    ["1", "Niêm yết thủ tục hành chính", "UBND xã Bình Thành", "", "Báo cáo", "Quý I/2022"],
    ["2", "Rà soát thủ tục hành chính", "UBND xã Bình Thạnh", "", "Báo cáo", "Quý II/2022"],
    ["3", "Số hóa hồ sơ", "UBND xã Bình Thạnh", "", "Báo cáo", "Quý II/2022"],
]


def twins_store(dondoc: Dondoc, tmp_path: Path) -> Engine:
    """The province of :data:`REGISTRY` with the plan of :data:`APPENDIX` imported; its engine."""
    import_plan(dondoc, tmp_path, REGISTRY, APPENDIX)
    return open_store(dondoc.url)


def twins_chat(engine: Engine, role: MemberRole = MemberRole.MANAGER, *, now: datetime = NOW) -> Chat:
    """Someone holding ``role`` in the Sở Nội vụ of that province, in chat (their clock at ``now``)."""
    dispatcher = Dispatcher(engine, Clock(now, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    chat = Chat(dispatcher, "901", name="Trần Văn Hùng")
    chat.send(f"/start {invite_in(engine, PROVINCE, 'SNV', role)}")
    return chat


def test_status_of_a_commune_typed_without_diacritics_asks_which(dondoc: Dondoc, tmp_path: Path) -> None:
    engine = twins_store(dondoc, tmp_path)
    manager = twins_chat(engine)

    manager.send("/status UBND xã Bình Thạnh")
    assert "Bình Thạnh" in manager.last and "Bình Thành" not in manager.last, manager.last
    manager.send("/status xa binh thanh")
    said = manager.last
    assert "«xa binh thanh» ứng với nhiều đơn vị" in said, said
    assert "Ủy ban nhân dân xã Bình Thành (BT1); Ủy ban nhân dân xã Bình Thạnh (BT2)" in said, said
    engine.dispose()
