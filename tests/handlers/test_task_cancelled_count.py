"""/task leaves out what hủy cancelled and counts the reports cancelled, not hủy's own lines: one
report cancelled once reads 1, not 2."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dondoc.handlers.events import plain
from tests.explanations.test_bot import world


def test_one_cancelled_report_is_counted_once(engine: Engine) -> None:
    focal, manager, _other = world(engine)
    focal.send("I.2 50 đã trình dự thảo")
    focal.send("hủy")
    assert "Đã hủy" in focal.last, focal.last

    manager.send("/task I.2")

    assert plain(manager.last).splitlines()[-1] == "Không hiện các báo cáo đã hủy: 1 (xem /history I.2)"
