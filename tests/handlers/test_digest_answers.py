"""A manager's pick in /overdue sends a formal request to another unit only once confirmed: what goes
and to whom is shown first, with «Gửi» / «Thôi» (a tap on Telegram, a typed number on Zalo)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Explanation
from tests.conftest import Dondoc
from tests.explanations.test_bot import ASK, sent_to, world


def requests(engine: Engine) -> list[Explanation]:
    with Session(engine) as session:
        return list(session.exec(select(Explanation)).all())


def test_a_pick_in_overdue_is_confirmed_before_the_request_goes(engine: Engine, sample_store: Dondoc) -> None:
    _focal, manager, _other = world(engine)
    manager.send("/overdue")
    while ASK not in manager.buttons():
        manager.press("Trang sau")
    manager.press(ASK)
    assert "Xà Phiên" in manager.last and "I.2" in manager.last and "31/03/2022" in manager.last
    assert manager.buttons() == ["Gửi", "Thôi"]
    assert not requests(engine) and not sent_to(manager, "300")  # nothing sent yet
    manager.press("Thôi")
    assert "Chưa gửi" in manager.last
    assert not requests(engine) and not sent_to(manager, "300")
