"""A province where only some organisations have a plan: ``/overdue`` names those without one, as
``/status`` does ("X: chưa nhập kế hoạch"), in one line; the others' overdue items under their names."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from dondoc.bot.zalo.channel import render
from dondoc.db.models import Organization
from dondoc.db.session import open_store
from tests.conftest import Dondoc
from tests.handlers.test_province import PROVINCE, _province
from tests.handlers.test_province_no_plan import _province_chat
from tests.handlers.test_scope import A, B


def test_overdue_names_the_organisations_with_no_plan_yet(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path, b_plan=False)  # A has the sample plan, B its registry only
    province, engine = _province_chat(sample_store)

    province.send("/status")
    assert f"• {B}: chưa nhập kế hoạch" in province.last, province.last
    province.send("/overdue")
    said = province.last
    assert said.startswith("1 cơ quan có kế hoạch, 1 cơ quan chưa nhập kế hoạch\n"), said  # one page: no "(1/1)"
    assert f"• {B}: chưa nhập kế hoạch" in said, said
    assert f"• {A} — Nội dung quá hạn:" in said, said  # A's overdue items, under its name
    engine.dispose()


def test_overdue_counts_many_organisations_with_no_plan_on_one_line(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path, b_plan=False)
    engine = open_store(sample_store.url)
    with Session(engine) as session:
        root = session.exec(select(Organization).where(Organization.name == PROVINCE)).one()
        session.add_all(
            Organization(name=f"Ủy ban nhân dân xã Tân Phước Hưng số {n:03}", parent_id=root.id) for n in range(40)
        )
        session.commit()
    engine.dispose()
    province, engine = _province_chat(sample_store)

    province.send("/overdue")
    parts = render(province.history[-1]).parts
    assert len(parts) == 1, parts
    line = next(line for line in parts[0].splitlines() if line.endswith(": chưa nhập kế hoạch"))
    assert line.startswith("• thị xã Ngã Bảy, xã Tân Phước Hưng số 000"), line  # short names, then counted
    shown = line.count(", ") + 1
    assert f"… và {41 - shown} cơ quan khác: chưa nhập kế hoạch" in line, line
    assert len(line) <= 300 and A not in line
    engine.dispose()
