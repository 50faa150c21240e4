"""The chat's wording fits any level of government: a ministry (Bộ, with its Vụ and Cục) is not shown
a district's topic (landslides), the bundled Long Mỹ sample's unit codes ("XP", "LN"), nor a role
called "province monitoring" ("theo dõi cấp tỉnh") for following the organisations under it."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.clock import Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat
from tests.handlers.test_scope import NOW, invite_in

MINISTRY = "Bộ Tư pháp"
REGISTRY = {
    "organization": MINISTRY,
    "units": [
        {"code": "VPB", "name": "Văn phòng Bộ"},
        {"code": "TCCB", "name": "Vụ Tổ chức cán bộ"},
        {"code": "KTVB", "name": "Cục Kiểm tra văn bản quy phạm pháp luật"},
    ],
}
UNDER = {  # an organisation under the ministry, with its own registry (parent:)
    "organization": "Cục Quản lý thi hành án dân sự",
    "parent": MINISTRY,
    "units": [{"code": "VPC", "name": "Văn phòng Cục"}, {"code": "NV1", "name": "Phòng Nghiệp vụ 1"}],
}
APPENDIX = [
    ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian hoàn thành"],
    ["I", "CÔNG TÁC CHỈ ĐẠO", "", "", "", ""],
    ["1", "Ban hành kế hoạch cải cách hành chính năm 2022", "Văn phòng Bộ", "", "Kế hoạch", "Quý I/2022"],
    ["II", "CẢI CÁCH TỔ CHỨC BỘ MÁY", "", "", "", ""],
    ["1", "Rà soát vị trí việc làm", "Vụ Tổ chức cán bộ", "", "Báo cáo", "Quý II/2022"],
    [
        "2",
        "Rà soát văn bản quy phạm pháp luật",
        "Cục Kiểm tra văn bản quy phạm pháp luật",
        "",
        "Báo cáo",
        "Quý III/2022",
    ],
]  # tasks I.1, II.1, II.2: none of the sample's I.2 or III.4


def _registry(dondoc: Dondoc, tmp_path: Path, data: Mapping[str, object], *extra: str) -> None:
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    dondoc.ok("units", "import", path, *extra)


def _ministry(dondoc: Dondoc, tmp_path: Path, *, plan: bool = True) -> Engine:
    _registry(dondoc, tmp_path, REGISTRY)
    if plan:
        appendix = tmp_path / "phu-luc.csv"
        with appendix.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(APPENDIX)
        dondoc.ok("plan", "import", appendix, "--year", "2022")
    return open_store(dondoc.url)


def _chat(engine: Engine, user: str, unit: str, role: MemberRole, name: str) -> Chat:
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    chat = Chat(dispatcher, user, name=name)
    chat.send(f"/start {invite_in(engine, MINISTRY, unit, role)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat


def test_a_ministrys_manager_is_shown_a_task_any_public_body_gives(dondoc: Dondoc, tmp_path: Path) -> None:
    engine = _ministry(dondoc, tmp_path)
    manager = _chat(engine, "901", "VPB", MemberRole.MANAGER, "Trần Văn Hùng")

    manager.send("/giaoviec")
    said = manager.last
    assert "/giaoviec TCCB, KTVB Báo cáo kết quả rà soát văn bản hạn 15/06" in said, said
    assert "sạt lở" not in said and "XP" not in said, said
    engine.dispose()


def test_a_ministrys_administrator_is_shown_its_own_unit_in_the_usage_of_invite(dondoc: Dondoc, tmp_path: Path) -> None:
    engine = _ministry(dondoc, tmp_path)
    admin = _chat(engine, "902", "VPB", MemberRole.ADMIN, "Lê Thị Mai")

    admin.send("/invite")
    said = admin.last
    assert "/invite TCCB focal" in said, said
    assert "XP" not in said, said
    engine.dispose()


def test_the_usage_of_giahan_history_and_task_names_the_ministrys_own_tasks(dondoc: Dondoc, tmp_path: Path) -> None:
    engine = _ministry(dondoc, tmp_path)
    focal = _chat(engine, "906", "TCCB", MemberRole.FOCAL, "Phạm Văn Nam")
    manager = _chat(engine, "907", "VPB", MemberRole.MANAGER, "Trần Văn Hùng")

    focal.send("/giahan")
    assert "/giahan II.1 30/06 chờ hướng dẫn của cấp trên" in focal.last, focal.last  # the task TCCB leads
    focal.send("/history")
    assert "/history II.1" in focal.last, focal.last
    manager.send("/task")
    assert "/task II.1" in manager.last, manager.last  # a task another unit leads (VPB leads I.1)
    for said in (focal.history[-3].text, focal.last, manager.last):
        assert "I.2" not in said and "III.4" not in said, said
    engine.dispose()


def test_before_the_plan_the_usage_of_invite_names_the_ministrys_own_unit(dondoc: Dondoc, tmp_path: Path) -> None:
    engine = _ministry(dondoc, tmp_path, plan=False)  # people are invited before the plan is imported
    admin = _chat(engine, "903", "VPB", MemberRole.ADMIN, "Lê Thị Mai")

    admin.send("/invite")
    assert "/invite TCCB focal" in admin.last and "XP" not in admin.last, admin.last
    admin.send("/help")
    assert "/invite TCCB focal" not in admin.last  # the help's line has no example to replace
    assert "XP" not in admin.last and "LN" not in admin.last, admin.last
    engine.dispose()


def test_the_role_over_the_organisations_under_a_ministry_is_not_called_a_provinces(
    dondoc: Dondoc, tmp_path: Path
) -> None:
    engine = _ministry(dondoc, tmp_path, plan=False)
    _registry(dondoc, tmp_path, UNDER, "--new-organization")
    admin = _chat(engine, "904", "VPB", MemberRole.ADMIN, "Lê Thị Mai")

    admin.send("/invite VPB province")
    said = admin.history[-1].text
    assert "Mã mời theo dõi chung của <b>Văn phòng Bộ</b>" in said, said
    code = next(line for line in said.split("\n") if line.startswith("<code>"))[6:-7]
    leader = Chat(admin.dispatcher, "905", name="Nguyễn Văn Bộ")
    leader.send(f"/start {code}")
    assert "Đồng chí đã được ghi nhận là theo dõi chung của Văn phòng Bộ." in leader.last, leader.last
    leader.send("/whoami")
    assert "• theo dõi chung — Văn phòng Bộ (VPB)" in leader.last, leader.last
    assert "tỉnh" not in leader.last, leader.last
    engine.dispose()
