"""A province of a hundred communes, every one with a plan: ``/status`` on Zalo is one message (the
totals, by area, the organisations most behind first, the rest counted: on the next pages, or by name), and
Telegram's answer pages through the organisations within its 4,096 characters."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dondoc.bot.zalo.channel import render
from dondoc.db.models import Area, Assignment, MemberRole, Occurrence, Organization, Plan, Role, Task, Unit
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import plain
from dondoc.scheduler.clock import Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat
from tests.handlers.test_scope import NOW, invite_in

PROVINCE = "Ủy ban nhân dân tỉnh Hậu Giang"
COMMUNES = 100
AREAS = ("Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy hành chính nhà nước")


def commune(n: int) -> str:
    return f"Ủy ban nhân dân xã Tân Phước Hưng {n:03}"


def _id(row: Organization | Plan | Area | Task | Unit) -> int:
    assert row.id is not None
    return row.id


def _build(engine: Engine) -> None:
    """The province and its communes, each with a small plan of three tasks (one per area) led by its
    office: commune n has n % 4 of them overdue at :data:`NOW` (at most 3), the others due later."""
    past, later = NOW.date() - timedelta(days=30), date(NOW.year, 12, 31)
    with Session(engine) as session:
        root = Organization(name=PROVINCE)
        session.add(root)
        session.flush()
        session.add(Unit(organization_id=_id(root), code="VPUB", name="Văn phòng UBND tỉnh"))
        orgs = [Organization(name=commune(n), parent_id=root.id) for n in range(COMMUNES)]
        session.add_all(orgs)
        session.flush()
        units = [Unit(organization_id=_id(org), code="VP", name="Văn phòng UBND xã") for org in orgs]
        plans = [Plan(organization_id=_id(org), key="2022", title="Kế hoạch CCHC 2022", year=2022) for org in orgs]
        session.add_all([*units, *plans])
        session.flush()
        areas = [
            Area(plan_id=_id(plan), code=code, title=title, position=i)
            for plan in plans
            for i, (code, title) in enumerate(zip(("I", "II", "III"), AREAS, strict=True))
        ]
        session.add_all(areas)
        session.flush()
        tasks = [
            Task(plan_id=area.plan_id, area_id=_id(area), code=f"{area.code}.1", number="1", title="Nhiệm vụ")
            for area in areas
        ]
        session.add_all(tasks)
        session.flush()
        unit_of = {_id(plan): _id(unit) for plan, unit in zip(plans, units, strict=True)}
        session.add_all(Assignment(task_id=_id(task), unit_id=unit_of[task.plan_id], role=Role.LEAD) for task in tasks)
        session.add_all(
            Occurrence(task_id=_id(task), due=past if i % 3 < (i // 3) % 4 else later) for i, task in enumerate(tasks)
        )
        session.commit()


def _province(dondoc: Dondoc, channel: str) -> tuple[Chat, Engine]:
    engine = open_store(dondoc.url)
    _build(engine)
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))
    chat = Chat(dispatcher, "700", name="Lãnh Đạo Tỉnh", channel=channel)
    chat.send(f"/start {invite_in(engine, PROVINCE, 'VPUB', MemberRole.PROVINCE)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat, engine


def _pages(chat: Chat, nav: str) -> list[list[str]]:
    """Every page of the answer just given, as Zalo shows them (each a list of its messages), reached
    by typing the number of "Trang sau »" (``nav``) as long as a page offers it."""
    pages = []
    while True:
        parts = render(chat.history[-1]).parts
        pages.append(parts)
        number = next((line.split(".")[0] for line in parts[-1].splitlines() if line.endswith(nav)), None)
        if number is None:
            return pages
        chat.send(number)


def test_a_hundred_communes_status_on_zalo_is_one_message_a_page_most_overdue_first(dondoc: Dondoc) -> None:
    chat, engine = _province(dondoc, "zalo")
    chat.send("/status")
    pages = _pages(chat, "Trang sau »")
    assert all(len(parts) == 1 for parts in pages), [len(parts) for parts in pages]  # one message each
    first = pages[0][0]
    assert first.startswith("100 cơ quan\n"), first
    assert "⏰ Quá hạn: 150" in first and "Tỷ lệ đúng hạn: 0,0%" in first  # the totals
    assert "• I. Cải cách thể chế: 25 chưa thực hiện · 75 quá hạn" in first  # by area
    assert "Theo cơ quan, nhiều nội dung quá hạn nhất trước" in first
    listed = [line for line in first.splitlines() if line.startswith("• xã Tân Phước Hưng")]
    assert listed and all("⏰3 " in line for line in listed), listed  # the most overdue (3 each) first
    assert "Ủy ban nhân dân xã" not in first  # short names, a line each
    more = COMMUNES - len(listed)
    assert f"… và {more} cơ quan khác — gõ /status TÊN để xem một cơ quan" in first, first
    assert "Trang sau »" in first and len(pages) > 1

    # The whole list is reachable, page by page: every commune once, the least overdue last.
    shown = [line for parts in pages for line in parts[0].splitlines() if line.startswith("• xã Tân Phước Hưng")]
    assert sorted(line.split(":")[0][2:] for line in shown) == sorted(commune(n)[16:] for n in range(COMMUNES))
    assert "⏰0 " in shown[-1] and "(2/" in pages[1][0]
    assert "Trang sau" not in pages[-1][0] and "cơ quan khác" not in pages[-1][0]

    chat.send("/status tan phuoc hung 042")  # one of them, typed without diacritics
    said = render(chat.history[-1]).parts
    assert len(said) == 1 and said[0].startswith(f"{commune(42)} — Kế hoạch CCHC 2022"), said
    assert "⏰ Quá hạn: 2" in said[0] and "Theo cơ quan" not in said[0]
    engine.dispose()


def test_a_hundred_communes_status_on_telegram_pages_within_its_limit(dondoc: Dondoc) -> None:
    chat, engine = _province(dondoc, "telegram")
    chat.send("/status")
    texts = [chat.history[-1].text]
    while "Trang sau »" in chat.buttons():
        chat.press("Trang sau »")
        texts.append(chat.history[-1].text)
    assert all(len(text) <= 4096 for text in texts), [len(text) for text in texts]
    assert 1 < len(texts) < 4 and "<pre>" in texts[0]  # the by-area table, then the organisations
    names = {plain(line).split(":")[0] for text in texts for line in text.splitlines()}
    assert {f"• {commune(n)[16:]}" for n in range(COMMUNES)} <= names, names
    engine.dispose()
