"""A province on one deployment: each district's registry names it (``parent:``), and the province
role, invited like any other, sees every organisation under it rolled up by organisation and by area
(``/status``, ``/export``, ``dondoc status``, ``dondoc export``), and reports for none."""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml
from openpyxl import load_workbook

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.scheduler.clock import Clock
from tests.conftest import SAMPLE, Dondoc
from tests.handlers.helpers import Chat
from tests.handlers.test_scope import NOW, A, B, b_registry, invite_in

PROVINCE = "Ủy ban nhân dân tỉnh Hậu Giang"


def _province(dondoc: Dondoc, tmp_path: Path, *, b_plan: bool = True) -> None:
    """The province over A (the sample, with its plan) and B (with the same plan, or its registry only)."""
    province = {"organization": PROVINCE, "units": [{"code": "VPUB", "name": "Văn phòng UBND tỉnh"}]}
    path = tmp_path / "tinh.yaml"
    path.write_text(yaml.safe_dump(province, allow_unicode=True), encoding="utf-8")
    dondoc.ok("units", "import", path, "--new-organization")
    for source, name in ((SAMPLE / "units.yaml", "a.yaml"), (b_registry(tmp_path), "b2.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        data["parent"] = PROVINCE
        target = tmp_path / name
        target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        dondoc.ok("units", "import", target, "--new-organization")
    if b_plan:
        dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx", "--org", B)


def test_a_registry_naming_an_unknown_parent_is_refused(sample_store: Dondoc, tmp_path: Path) -> None:
    data = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    data["parent"] = "Ủy ban nhân dân tỉnh Hậu Gian"
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = sample_store("units", "import", path)
    assert result.code == 1
    assert "parent" in result.stderr and "Hậu Gian" in result.stderr


def test_the_province_role_rolls_up_every_organisation_and_reports_for_none(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    assert invite["role"] == "province"
    engine = open_store(sample_store.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    province = Chat(dispatcher, "700", name="Lãnh Đạo Tỉnh")
    province.send(f"/start {invite['code']}")
    assert "đã được ghi nhận" in province.last
    focal_b = Chat(dispatcher, "701", name="Đầu Mối B")
    focal_b.send(f"/start {invite_in(engine, B, 'XP')}")
    focal_b.send("I.2 xong")

    province.send("/status")
    status = province.history[-1].text
    assert "2 cơ quan" in status, status
    assert A in status and B in status
    assert "Hoàn thành đúng hạn: <b>1</b>" in status  # B's report counts in the province's total
    assert re.search(r"· \d+,\d%", status), status  # each organisation's on-time rate, with a decimal comma
    assert "<pre>" in status and "VII" in status  # by area

    province.send("/status XP")
    assert "2 cơ quan — XP" in province.history[-1].text

    province.send("/export")
    document = province.history[-1].file
    assert document is not None
    book = load_workbook(io.BytesIO(document.data), read_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert A in cells and B in cells and "VII" in cells

    province.send("/overdue")
    assert A in province.last and B in province.last
    province.send("/report")
    assert "không dùng được lệnh /report" in province.last
    province.send("I.2 60")  # not a one-line report: a province does not report
    assert "Đã ghi nhận" not in province.last

    # A district's manager still sees only their district.
    manager_a = Chat(dispatcher, "702", name="Lãnh Đạo A")
    manager_a.send(f"/start {invite_in(engine, A, 'NV', MemberRole.MANAGER)}")
    manager_a.send("/status")
    assert B not in manager_a.last and "Hoàn thành đúng hạn: 0" in manager_a.last

    result = sample_store.ok("status", "--org", PROVINCE, "--json").json()
    assert [o["organization"] for o in result["organizations"]] == [A, B]
    assert result["totals"]["done_on_time"] == 1 and "VII" in result["by_area"]
    text = sample_store.ok("status", "--org", PROVINCE).stdout
    assert A in text and B in text
    assert re.search(r"Tỷ lệ đúng hạn: \d+,\d%", text), text  # the language's decimal mark, as in chat
    assert B not in sample_store.ok("status", "--org", A).stdout
    sample_store.ok("export", "--org", PROVINCE, "-o", tmp_path / "tinh.xlsx")
    book = load_workbook(tmp_path / "tinh.xlsx", read_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert A in cells and B in cells
    engine.dispose()


def test_a_circle_of_parents_is_refused_and_the_parent_is_listed(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path)
    assert sample_store.ok("units", "list", "--org", A, "--json").json()["parent"] == PROVINCE
    province = {
        "organization": PROVINCE,
        "parent": A,  # the province under one of its own districts
        "units": [{"code": "VPUB", "name": "Văn phòng UBND tỉnh"}],
    }
    path = tmp_path / "tinh2.yaml"
    path.write_text(yaml.safe_dump(province, allow_unicode=True), encoding="utf-8")
    result = sample_store("units", "import", path)
    assert result.code == 1 and "parent" in result.stderr and "không thể trực thuộc chính nó" in result.stderr
    assert sample_store.ok("units", "list", "--org", PROVINCE, "--json").json()["parent"] is None


def test_the_provinces_administrator_invites_the_province_role_in_chat(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path)
    engine = open_store(sample_store.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    admin = Chat(dispatcher, "800", name="Quản Trị Tỉnh")
    admin.send(f"/start {invite_in(engine, PROVINCE, 'VPUB', MemberRole.ADMIN)}")
    admin.send("/invite VPUB province")
    code = next(line for line in admin.history[-1].text.split("\n") if line.startswith("<code>"))[6:-7]
    leader = Chat(dispatcher, "801", name="Chủ Tịch Tỉnh")
    leader.send(f"/start {code}")
    assert "theo dõi chung" in leader.last
    leader.send("/status")
    assert A in leader.history[-1].text and B in leader.history[-1].text
    admin.send("/invite XP province")  # a district's unit: not the province administrator's to name
    assert "Không có cơ quan, đơn vị nào tên XP" in admin.last
    engine.dispose()
