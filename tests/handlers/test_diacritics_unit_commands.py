"""Two communes whose names differ only in their diacritics ("Bình Thành" BT1, "Bình Thạnh" BT2): every
command naming a unit by its name takes the one spelt with its diacritics, and refuses a name typed
without them naming both with their codes — never the first of the two, never both summed up."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.db.models import Invite, MemberRole, Unit
from dondoc.db.session import session_scope
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat
from tests.handlers.test_status_diacritics import twins_chat, twins_store

BOTH = "Ủy ban nhân dân xã Bình Thành (BT1); Ủy ban nhân dân xã Bình Thạnh (BT2)"
BT2 = "Ủy ban nhân dân xã Bình Thạnh"


@pytest.fixture
def store(dondoc: Dondoc, tmp_path: Path) -> Iterator[Engine]:
    engine = twins_store(dondoc, tmp_path)
    yield engine
    engine.dispose()


def _chat(engine: Engine, role: MemberRole) -> Chat:
    return twins_chat(engine, role)


def _invited(engine: Engine) -> list[str]:
    """The units of the invites made, oldest first (the administrator's own is the first)."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Unit.code).join(Invite, col(Invite.unit_id) == Unit.id).order_by(col(Invite.id))
        ).all()
        return list(rows)


def test_invite_in_chat_takes_the_unit_spelt_and_refuses_one_without_diacritics(store: Engine) -> None:
    admin = _chat(store, MemberRole.ADMIN)

    admin.send(f"/invite {BT2} focal")
    assert f"đầu mối của {BT2}," in admin.last, admin.last
    assert _invited(store)[-1] == "BT2"
    admin.send("/invite UBND xa Binh Thanh focal")  # not a registered spelling at all
    admin.send("/invite Uy ban nhan dan xa Binh Thanh focal")
    assert "ứng với nhiều đơn vị" in admin.last and BOTH in admin.last, admin.last
    assert len(_invited(store)) == 2  # none made for either commune
    admin.send("/invite BT1 focal")
    assert _invited(store)[-1] == "BT1"


def test_people_of_a_unit_typed_without_diacritics_asks_which(store: Engine) -> None:
    admin = _chat(store, MemberRole.ADMIN)

    admin.send("/people Uy ban nhan dan xa Binh Thanh")
    assert "ứng với nhiều đơn vị" in admin.last and BOTH in admin.last, admin.last


def test_an_explanation_asked_of_a_unit_typed_without_diacritics_asks_which(store: Engine) -> None:
    manager = _chat(store, MemberRole.MANAGER)

    manager.send("/giaitrinh Uy ban nhan dan xa Binh Thanh 2")
    assert "ứng với nhiều đơn vị" in manager.last and BOTH in manager.last, manager.last
    manager.send(f"/giaitrinh {BT2} 2")
    assert BT2 in manager.last and "Bình Thành" not in manager.last, manager.last


def test_the_command_line_takes_the_unit_spelt_and_refuses_one_without_diacritics(
    dondoc: Dondoc, store: Engine
) -> None:
    made = dondoc.ok("invite", "create", BT2)
    assert "Bình Thạnh" in made.stderr and "Bình Thành" not in made.stderr, made.stderr
    refused = dondoc("invite", "create", "Uy ban nhan dan xa Binh Thanh")
    assert refused.code == 1
    assert BOTH in " ".join(refused.stderr.split()), refused.stderr
    assert _invited(store) == ["BT2"]
    removed = dondoc("people", "remove", "Trần Văn Hùng", "--unit", "Uy ban nhan dan xa Binh Thanh")
    assert removed.code == 1 and BOTH in " ".join(removed.stderr.split()), removed.stderr
    extended = dondoc(
        "extension", "add", "--task", "2", "--unit", "Uy ban nhan dan xa Binh Thanh", "--to", "2022-09-30"
    )
    assert extended.code == 1 and BOTH in " ".join(extended.stderr.split()), extended.stderr
    dondoc.ok("extension", "add", "--task", "2", "--unit", BT2, "--to", "2022-09-30")


def test_status_of_a_unit_typed_without_diacritics_on_the_command_line_asks_which(
    dondoc: Dondoc, store: Engine
) -> None:
    one = dondoc.ok("status", "--unit", "xã Bình Thạnh", "--at", "2022-12-31", "--json")
    assert '"BT1"' not in one.stdout and '"BT2"' in one.stdout, one.stdout
    both = dondoc("status", "--unit", "xa binh thanh", "--at", "2022-12-31")
    assert both.code == 1
    assert BOTH in " ".join(both.stderr.split()), both.stderr


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def test_the_sandbox_plays_the_unit_spelt_and_names_both_without_diacritics(store: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await Sandbox(store, clock, out).run(_typed(["/as Uy ban nhan dan xa Binh Thanh", f"/as {BT2}"]))
    text = out.getvalue()
    assert BOTH in text, text
    assert "BT1" not in _invited(store) and _invited(store)[-1] == "BT2"
