"""Defects of the operations audit (/tmp/opsaudit, items 6, 9 and 15) that a person sees on the
command line and in the sandbox: ``dondoc status`` for a province names it and the organisations under
it with no plan yet; the sandbox on a store of several organisations offers the units of the one it
plays, to people with distinct names; chat apps are named as the chat names them (Telegram, Zalo)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.db.models import MemberRole, Person
from dondoc.db.session import open_store
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.handlers.test_ops_audit_chat import _province_without_b_plan
from tests.handlers.test_province import PROVINCE
from tests.handlers.test_scope import A, B

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
AT_NOW = {"DONDOC_NOW": NOW.isoformat()}


def test_status_of_a_province_names_it_and_the_organisations_with_no_plan_yet(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    _province_without_b_plan(sample_store, tmp_path)
    text = sample_store.ok("status", "--org", PROVINCE, env=AT_NOW).stdout
    header = text.splitlines()[0]
    assert header == f"{PROVINCE} — 1 cơ quan có kế hoạch, 1 cơ quan chưa nhập kế hoạch — 15/03/2022", text
    assert f"  {B}: chưa nhập kế hoạch" in text.splitlines()
    assert f"{A}: Hoàn thành đúng hạn" in text
    assert f"{PROVINCE}: chưa nhập kế hoạch" not in text  # the province's own body owes no plan
    result = sample_store.ok("status", "--org", PROVINCE, "--json", env=AT_NOW).json()
    assert result["without_plan"] == [B]
    assert [o["organization"] for o in result["organizations"]] == [A]


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def test_the_sandbox_on_several_organisations_offers_its_own_units_to_distinctly_named_people(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    _province_without_b_plan(sample_store, tmp_path)
    engine = open_store(sample_store.url)
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await Sandbox(engine, clock, io.StringIO()).run(_typed(["/quit"]))  # an earlier run: the manager (NV)
    out = io.StringIO()
    await Sandbox(engine, clock, out).run(_typed(["/as XP", "/as"]))  # a later run, as the audit did
    text = out.getvalue()
    listing = text[text.rindex("Các vai đồng chí có thể đóng") :]
    assert listing.startswith(f"Các vai đồng chí có thể đóng ở {A}:"), listing
    codes = listing.split("một trong các mã ", 1)[1].splitlines()[0].split(", ")
    assert len(codes) == len(set(codes)), codes  # each unit once (VP was listed twice)
    assert "VPUB" not in codes and "KT9" not in codes  # the province's and B's units cannot be played here
    with Session(engine) as session:
        names = list(session.exec(select(Person.full_name)))
    assert len(names) == 2 and len(set(names)) == 2, names  # the manager and XP's focal point
    engine.dispose()


def test_chat_apps_are_named_as_the_chat_names_them(sample_store: Dondoc, engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, NOW)
    an = Chat(dispatcher, "100000001", name="Nguyễn Văn An", channel="telegram")
    an.send(f"/start {invite_code(engine, 'XP', MemberRole.FOCAL, now=NOW)}")
    stranger = Chat(dispatcher, "100000003", name="Người Lạ", channel="telegram")
    stranger.send("/start ZZZZ-ZZZZ")  # a wrong code
    listed = sample_store.ok("people", "list", env=AT_NOW).stdout
    assert "Telegram 100000001, dùng lần cuối" in listed, listed
    assert "telegram" not in listed
    exported = sample_store.ok("people", "export", "Nguyễn Văn An", env=AT_NOW).stdout
    assert "Ứng dụng chat: Telegram" in exported, exported
    assert "telegram" not in exported
    assert sample_store.ok("people", "list", "--json", env=AT_NOW).json()["people"][0]["channels"][0]["channel"] == (
        "telegram"
    )  # programs keep the key
    attempts = sample_store.ok("invite", "attempts", env=AT_NOW).stdout
    assert "Telegram 100000003 — " in attempts, attempts
