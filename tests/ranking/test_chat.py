"""``/ranking`` in chat: managers only, a page of units at a time on phone-width lines, the next page
by button on Telegram and by typed number on Zalo, names escaped, the lowest first on request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.zalo.channel import render
from dondoc.db.models import MemberRole
from dondoc.db.session import open_store
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)


@pytest.fixture
def sample_engine(sample_store: Dondoc) -> Iterator[Engine]:
    engine = open_store(sample_store.url)
    yield engine
    engine.dispose()


def person(engine: Engine, user: str, unit: str, role: MemberRole, channel: str) -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), user, name="Lê Lãnh Đạo", channel=channel)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    return chat


def pages_read(chat: Chat, turn: str) -> list[str]:
    """Every page of /ranking, turning with ``turn`` (a press or a typed number) until there is no next page."""
    texts = [chat.last]
    while any(
        label.startswith("Trang sau")
        for reply in chat.history[-1:]
        for row in reply.choices
        for label in [c.label for c in row]
    ):
        if turn == "press":
            chat.press("Trang sau")
        else:
            rendered = render(chat.history[-1])
            number = next(line.split(".")[0].strip() for line in rendered.parts[-1].splitlines() if "Trang sau" in line)
            chat.send(number)
        texts.append(chat.last)
        assert len(texts) < 10
    return texts


def test_the_ranking_comes_a_page_at_a_time(sample_engine: Engine, sample_store: Dondoc) -> None:
    """On Telegram, 8 units a page (two lines each) turned by a button."""
    manager = person(sample_engine, "501", "NV", MemberRole.MANAGER, "telegram")
    sample_store.ok("report", "add", "--task", "I.2", "--unit", "XP", "--status", "done", "--at", "2022-03-20")
    manager.send("/ranking")
    first = manager.last
    assert "Xếp loại năm 2022" in first and "1/3" in first
    texts = pages_read(manager, "press")
    assert len(texts) == 3 and "3/3" in texts[-1]
    shown = "\n".join(texts)
    assert "1. XP" in shown.replace("<b>", "").replace("</b>", "")  # the only unit with something done
    assert "Yếu: " in texts[-1]  # the bands' counts close the last page
    for text in texts:
        for line in plain(text).splitlines():
            assert len(line) <= 34, line  # phone width
    ranks = [line.split(".")[0] for text in texts for line in plain(text).splitlines() if line[:1].isdigit()]
    assert ranks[0] == "1" and len(ranks) == 21


def test_on_zalo_the_ranking_is_one_message_whose_ranks_are_not_choices(
    sample_engine: Engine, sample_store: Dondoc
) -> None:
    """The manager audit on Zalo: 3 messages (from a monthly budget) for 21 units that fit one, and rank
    lines "1. VP 0,0 · Yếu" that read as the numbered choice "1. Trang sau »" typed on Zalo."""
    manager = person(sample_engine, "506", "NV", MemberRole.MANAGER, "zalo")
    sample_store.ok("report", "add", "--task", "I.2", "--unit", "XP", "--status", "done", "--at", "2022-03-20")
    replies = manager.send("/ranking")
    [part] = render(replies[-1]).parts  # one message, no page to turn
    lines = part.splitlines()
    assert lines[:3] == ["Xếp loại năm 2022", "Tính đến 05/04/2022", "#1 XP 40,0 · Yếu"], part
    assert not any(line[:1].isdigit() for line in lines), part  # nothing reads as a choice to type
    assert "Trang sau" not in part and "1/" not in part
    assert len([line for line in lines if line.startswith("#")]) == 21
    assert lines[-1] == "Yếu: 21"  # the bands' counts close it
    assert all(len(line) <= 34 for line in lines)  # phone width


@pytest.mark.slow
def test_a_province_ranking_on_zalo_turns_its_pages_by_typed_number(sample_store: Dondoc, tmp_path: Path) -> None:
    """Two districts' 43 units (three lines each) are more than one Zalo message: a page a message, as
    many as fit, the next by typing its number; every unit reached once."""
    from dondoc.handlers.context import Deployment
    from dondoc.handlers.dispatcher import Dispatcher
    from dondoc.scheduler.clock import Clock
    from tests.handlers.test_province import PROVINCE, _province

    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    engine = open_store(sample_store.url)
    try:
        dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
        province = Chat(dispatcher, "710", name="Lãnh Đạo Tỉnh", channel="zalo")
        province.send(f"/start {invite['code']}")
        province.send("/ranking")
        texts = pages_read(province, "type")
        assert len(texts) == 2, texts
        pages = [reply for reply in province.history if plain(reply.text).startswith("Xếp loại năm 2022")]
        assert [len(render(reply).parts) for reply in pages] == [1, 1]  # each page one message
        ranks = [line for text in texts for line in plain(text).splitlines() if line.startswith("#")]
        assert len(ranks) == 43  # both districts' units (21, and 22 in B), each once
        assert "Yếu: 43" in texts[-1] and "Yếu: 43" not in texts[0]  # the counts close the last page
    finally:
        engine.dispose()


def test_worst_first_and_a_period(sample_engine: Engine) -> None:
    manager = person(sample_engine, "502", "NV", MemberRole.MANAGER, "telegram")
    manager.send("/ranking q1 worst")
    assert "Xếp loại quý I năm 2022" in manager.last and "Điểm thấp nhất trước" in manager.last
    manager.send("/ranking quý 9")
    assert "Cách dùng: /ranking" in manager.last


def test_focal_points_cannot_rank(sample_engine: Engine) -> None:
    focal = person(sample_engine, "503", "XP", MemberRole.FOCAL, "telegram")
    focal.send("/ranking")
    assert "không dùng được lệnh /ranking" in focal.last
    assert "Xếp loại năm" not in focal.last


def test_unit_names_are_escaped(small: Dondoc) -> None:
    engine = open_store(small.url)
    try:
        manager = person(engine, "504", "NV", MemberRole.MANAGER, "telegram")
        small.ok("report", "add", "--task", "I.5", "--unit", "XP", "--status", "done", "--at", "2022-03-20")
        manager.send("/ranking")
        raw = manager.history[-1].text  # the markup sent to the channel
        assert "xã Xà Phiên &lt;b&gt;" in raw and "xã Xà Phiên <b>" not in raw
        assert "xã Xà Phiên <b>" in manager.last  # what the person reads
        assert "Chưa xếp loại: LN" in manager.last
    finally:
        engine.dispose()


def test_the_province_role_ranks_every_organisation_under_it(sample_store: Dondoc, tmp_path: Path) -> None:
    from dondoc.handlers.context import Deployment
    from dondoc.handlers.dispatcher import Dispatcher
    from dondoc.scheduler.clock import Clock
    from tests.handlers.test_province import PROVINCE, _province
    from tests.handlers.test_scope import NOW as INVITED
    from tests.handlers.test_scope import B, invite_in

    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    engine = open_store(sample_store.url)
    try:
        dispatcher = Dispatcher(engine, Clock(INVITED, frozen=True), Deployment(bot_username="dondoc_test_bot"))
        province = Chat(dispatcher, "700", name="Lãnh Đạo Tỉnh", channel="telegram")
        province.send(f"/start {invite['code']}")
        focal_b = Chat(dispatcher, "701", name="Đầu Mối B")
        focal_b.send(f"/start {invite_in(engine, B, 'XP')}")
        focal_b.send("I.2 xong")
        province.send("/ranking")
        first = plain(province.history[-1].text).splitlines()
        assert first[2].startswith("1. XP") and "[B]" in first[3]  # B's Xà Phiên, the only one with work done
        assert first[4].strip() == "thị xã Ngã Bảy"  # its organisation, without the title
        texts = pages_read(province, "press")
        for text in texts:
            assert all(len(line) <= 34 for line in plain(text).splitlines())
        shown = "\n".join(plain(text) for text in texts)
        assert "\n   huyện Long Mỹ" in shown  # both districts, ranked together
        assert "Văn phòng UBND tỉnh" not in shown  # the province has no plan of its own
    finally:
        engine.dispose()


def test_pages_show_the_ranking_computed_once(
    sample_engine: Engine, sample_store: Dondoc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranking is computed when /ranking runs and kept in the conversation: turning a page only
    renders it (a report that arrives between two pages changes nothing until /ranking is asked again)."""
    from dondoc.plan.ranking import Ranking, rank_plans

    calls: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Ranking:
        calls.append("rank")
        return rank_plans(*args, **kwargs)

    monkeypatch.setattr("dondoc.handlers.ranking.rank_plans", counted)
    manager = person(sample_engine, "505", "NV", MemberRole.MANAGER, "telegram")
    sample_store.ok("report", "add", "--task", "I.2", "--unit", "XP", "--status", "done", "--at", "2022-03-20")
    manager.send("/ranking")
    before = pages_read(manager, "press")
    assert len(before) == 3 and calls == ["rank"]

    manager.send("/ranking")
    assert manager.last == before[0] and len(calls) == 2
    sample_store.ok("report", "add", "--task", "I.2", "--unit", "VV", "--status", "done", "--at", "2022-03-20")
    pages = pages_read(manager, "press")
    assert pages == before and len(calls) == 2  # the pages only render what /ranking computed

    manager.send("/ranking")  # asked again: the new report counts
    after = pages_read(manager, "press")
    assert len(calls) == 3
    assert after != before and "1. VV" in plain(after[0]) and "1. VV" not in plain(before[0])
