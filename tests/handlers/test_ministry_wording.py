"""What a ministry's people read in chat: the examples name the ministry's own documents ("Quyết định
số 120/QĐ-BNV", never "QĐ-UBND", which only a People's Committee issues), their own units' codes (not
the sample district's "XP"), and wait on "cấp trên" rather than on a "Sở" a ministry does not have."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from dondoc.db.models import MemberRole, Organization
from dondoc.db.session import session_scope
from dondoc.handlers.report import issuer_abbreviation
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MORNING = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)


def _as_ministry(engine: Engine) -> None:
    with session_scope(engine) as session:
        organization = session.exec(select(Organization)).one()
        organization.name = "Bộ Nội vụ"
        session.add(organization)


def _people(engine: Engine) -> tuple[Chat, Chat]:
    """Xà Phiên's focal point and a manager of Phòng Nội vụ."""
    focal = Chat(make_dispatcher(engine, MORNING), "500")
    focal.send(f"/start {invite_code(engine, 'XP', now=MORNING)}")
    manager = Chat(focal.dispatcher, "501", name="Lê Thị Mai")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=MORNING)}")
    return focal, manager


def test_a_ministrys_focal_point_is_shown_its_own_documents_as_evidence(engine: Engine) -> None:
    _as_ministry(engine)
    focal, _manager = _people(engine)

    focal.send("/help")
    assert "xong 28/01 Quyết định số 120/QĐ-BNV»" in focal.last
    assert "UBND" not in focal.last

    focal.send("/report")
    focal.press("I.11")
    focal.press("Đang thực hiện")
    focal.send("60")
    assert "số văn bản như “Kế hoạch số 15/KH-BNV”" in focal.last


def test_the_usage_of_giaitrinh_and_giahan_names_no_department_nor_the_samples_units(engine: Engine) -> None:
    _as_ministry(engine)
    focal, manager = _people(engine)

    manager.send("/giaitrinh 12345")
    assert "đang chờ ý kiến của cấp trên" in manager.last
    assert "/giaitrinh XP III.4" not in manager.last
    assert "ý kiến của Sở" not in manager.last

    focal.send("/giahan")
    assert "chờ hướng dẫn của cấp trên" in focal.last
    assert "hướng dẫn của Sở" not in focal.last


def test_an_organisations_abbreviation_in_document_numbers() -> None:
    assert issuer_abbreviation("Bộ Nội vụ") == "BNV"
    assert issuer_abbreviation("Bộ Giáo dục và Đào tạo") == "BGDĐT"
    assert issuer_abbreviation("Bộ Văn hóa, Thể thao và Du lịch") == "BVHTTDL"
    assert issuer_abbreviation("Sở Tài chính tỉnh Quảng Trị") == "STC"
    assert issuer_abbreviation("Ủy ban nhân dân xã Tân Phước, tỉnh Đồng Tháp") == "UBND"
    assert issuer_abbreviation("UBND huyện Long Mỹ") == "UBND"
    assert issuer_abbreviation("Ủy ban nhân dân quận 1") == "UBND"
    assert issuer_abbreviation("Ban Quản lý khu kinh tế tỉnh Quảng Trị") == "BQLKKT"
