"""/help's examples use the person's own plan and registry: a commune whose plan has no task III.4 and
no unit XP (the bundled sample's) is shown its own codes to type."""

from __future__ import annotations

from pathlib import Path

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.clock import Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, import_plan
from tests.handlers.test_scope import NOW, invite_in

COMMUNE = "Ủy ban nhân dân xã Tân Phước"
REGISTRY = {
    "organization": COMMUNE,
    "units": [
        {"code": "VP", "name": "Văn phòng HĐND và UBND xã", "aliases": ["UBND xã"]},
        {"code": "HCC", "name": "Trung tâm Phục vụ hành chính công xã"},
        {"code": "AP1", "name": "Ấp 1", "groups": ["ap"]},
        {"code": "AP2", "name": "Ấp 2", "groups": ["ap"]},
    ],
    "groups": [{"code": "ap", "name": "Các ấp"}],
}
APPENDIX = [
    ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian hoàn thành"],
    ["I", "CÔNG TÁC CHỈ ĐẠO", "", "", "", ""],
    ["1", "Ban hành kế hoạch CCHC năm 2022", "UBND xã", "Các ấp", "Kế hoạch", "Quý I/2022"],
    ["2", "Rà soát thủ tục hành chính", "Trung tâm Phục vụ hành chính công xã", "", "Báo cáo", "Quý II/2022"],
]


def _commune(dondoc: Dondoc, tmp_path: Path) -> None:
    import_plan(dondoc, tmp_path, REGISTRY, APPENDIX)


def test_help_shows_the_communes_own_codes(dondoc: Dondoc, tmp_path: Path) -> None:
    _commune(dondoc, tmp_path)
    engine = open_store(dondoc.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    focal = Chat(dispatcher, "801", name="Nguyễn Thị Lan")
    focal.send(f"/start {invite_in(engine, COMMUNE, 'VP')}")
    manager = Chat(dispatcher, "802", name="Trần Văn Hùng")
    manager.send(f"/start {invite_in(engine, COMMUNE, 'VP', MemberRole.MANAGER)}")

    focal.send("/help")
    said = focal.last
    assert "/history I.1" in said and "/giahan I.1 30/06" in said, said  # its own task (VP leads I.1)
    assert "III.4" not in said and "XP" not in said and "I.2" not in said, said
    assert "/giaitrinh I.1 NỘI_DUNG" in said and "lãnh đạo" not in said, said  # the focal point's form alone
    manager.send("/help")
    said = manager.last
    # A task and a unit that leads it, other than the manager's own: typed as shown, it can be asked.
    assert "/task I.2" in said and "/giaitrinh HCC I.2" in said, said
    assert "/giaoviec HCC, AP1" in said, said
    assert "đầu mối)" not in said and "NỘI_DUNG;" not in said, said  # the manager's form alone
    assert "III.4" not in said and "XP" not in said and "LN" not in said, said
    engine.dispose()


def test_status_takes_part_of_a_units_name(dondoc: Dondoc, tmp_path: Path) -> None:
    _commune(dondoc, tmp_path)
    engine = open_store(dondoc.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    manager = Chat(dispatcher, "802", name="Trần Văn Hùng")
    manager.send(f"/start {invite_in(engine, COMMUNE, 'VP', MemberRole.MANAGER)}")

    manager.send("/status hanh chinh cong")
    said = manager.last
    assert "Không có cơ quan, đơn vị nào" not in said, said
    assert "Trung tâm Phục vụ hành chính công xã" in said and "1 nội dung" in said, said
    manager.send("/status cong an")  # no unit has those words: said so, as before
    assert "Không có cơ quan, đơn vị nào" in manager.last, manager.last
    engine.dispose()
