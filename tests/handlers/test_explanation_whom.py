"""/giaitrinh UNIT CODE typed for a unit that does not lead the task: the manager is told why (no part
in it, or only supporting it) and which unit to ask, not that the task "is not overdue" while the
unit's own /tasks shows it overdue."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dondoc.handlers.events import plain
from tests.explanations.test_bot import world


def test_a_unit_with_no_part_in_the_task_is_named_with_the_unit_to_ask(engine: Engine) -> None:
    _focal, manager, _other = world(engine)

    manager.send("/giaitrinh XP I.1")  # I.1: Phòng Nội vụ leads it, Xà Phiên has no part in it

    assert plain(manager.last) == (
        "Ủy ban nhân dân xã Xà Phiên không được giao nhiệm vụ I.1: giải trình được yêu cầu đối với đơn vị chủ trì (NV)."
    )


def test_a_supporting_unit_is_told_apart_from_one_whose_task_is_not_overdue(engine: Engine) -> None:
    _focal, manager, _other = world(engine)

    manager.send("/giaitrinh NV I.8")  # I.8 (due 31/01, 28/02): Nội vụ supports it, TTVH leads it

    assert plain(manager.last) == (
        "Phòng Nội vụ chỉ phối hợp thực hiện I.8: giải trình được yêu cầu đối với đơn vị chủ trì (TTVH)."
    )
    assert "không quá hạn" not in manager.last
