"""Defects of the operations audit (/tmp/opsaudit, items 6 and 7) that a person sees in chat: a
province's ``/status`` names the organisations under it that have no plan yet, and an administrator's
``/help`` offers the province role where it means something."""

from __future__ import annotations

from pathlib import Path

from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import Clock
from tests.conftest import SAMPLE, Dondoc
from tests.handlers.helpers import Chat
from tests.handlers.test_province import PROVINCE, _province
from tests.handlers.test_scope import NOW, A, B, invite_in


def _province_without_b_plan(dondoc: Dondoc, tmp_path: Path) -> None:
    """The province over A (the sample, with its plan) and B (its registry only: no plan yet)."""
    _province(dondoc, tmp_path, b_plan=False)


def test_the_province_status_names_an_organisation_with_no_plan_yet(sample_store: Dondoc, tmp_path: Path) -> None:
    _province_without_b_plan(sample_store, tmp_path)
    engine = open_store(sample_store.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    province = Chat(dispatcher, "700", name="Lãnh Đạo Tỉnh")
    province.send(f"/start {invite_in(engine, PROVINCE, 'VPUB', MemberRole.PROVINCE)}")
    assert "đã được ghi nhận" in province.last

    province.send("/status")
    status = plain(province.history[-1].text)
    assert A in status  # the one plan there is, named by its organisation
    assert f"{B}: chưa nhập kế hoạch" in status, status
    assert "1 cơ quan có kế hoạch, 1 cơ quan chưa nhập kế hoạch" in status, status
    assert f"{PROVINCE}: chưa nhập kế hoạch" not in status  # the province's own body owes none

    province.send("/status XP")  # a unit's status over the province: who cannot count still shows
    assert f"{B}: chưa nhập kế hoạch" in plain(province.history[-1].text)

    # Once B's plan is in, nobody is missing.
    sample_store.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx", "--org", B)
    province.send("/status")
    status = plain(province.history[-1].text)
    assert "2 cơ quan" in status and "chưa nhập kế hoạch" not in status, status
    engine.dispose()


def test_help_offers_the_province_role_to_the_provinces_administrator_only(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    _province_without_b_plan(sample_store, tmp_path)
    engine = open_store(sample_store.url)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    province_admin = Chat(dispatcher, "800", name="Quản Trị Tỉnh")
    province_admin.send(f"/start {invite_in(engine, PROVINCE, 'VPUB', MemberRole.ADMIN)}")
    province_admin.send("/help")
    assert "/invite — cấp mã mời: /invite ĐƠN_VỊ focal|deputy|manager|admin|province" in province_admin.last
    province_admin.send("/invite VPUB")  # no role: the usage names the province role too
    assert "Cách dùng: /invite ĐƠN_VỊ focal|deputy|manager|admin|province — ví dụ" in province_admin.last

    # A district's administrator: nothing under the district, so the role would see only the district.
    district_admin = Chat(dispatcher, "801", name="Quản Trị Huyện")
    district_admin.send(f"/start {invite_in(engine, A, 'NV', MemberRole.ADMIN)}")
    district_admin.send("/help")
    assert "/invite ĐƠN_VỊ focal|deputy|manager|admin\n" in district_admin.last
    assert "province" not in district_admin.last
    engine.dispose()
