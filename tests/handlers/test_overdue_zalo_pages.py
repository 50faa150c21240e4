"""What the manager audit on Zalo found in /overdue: after the 31/03 deadline, 56 items on 7 pages of
about 5 items — a page kept to 10 "Yêu cầu giải trình" choices, each page a Zalo message from a monthly
budget. Now a page is as long as one message holds; its first 10 items are numbered choices and it
says how to ask about the others (/giaitrinh ĐƠN_VỊ MÃ); one page says no "(1/1)"."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.engine import Engine

from dondoc.bot.zalo.channel import render
from dondoc.db.models import MemberRole
from dondoc.handlers.events import Reply, plain
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

APRIL_5 = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)
ITEM = re.compile(r"\b\d\d/\d\d(?:/\d{4})? \d+%")  # one late deadline of a task: "31/03 0%"


def _manager(engine: Engine, now: datetime, channel: str = "zalo") -> Chat:
    manager = Chat(make_dispatcher(engine, now), "801", name="Trần Văn Hùng", channel=channel)
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=now)}")
    return manager


def _pages(manager: Chat) -> list[Reply]:
    """Every page of /overdue on Zalo, turned by typing the number of "Trang sau »"."""
    pages = [manager.send("/overdue")[-1]]
    while True:
        part = render(pages[-1]).parts[-1]
        following = re.search(r"(?m)^(\d+)\. Trang sau »$", part)
        if following is None:
            return pages
        pages.append(manager.send(following.group(1))[-1])
        assert len(pages) < 10


def test_overdue_after_the_deadline_takes_two_zalo_messages_not_seven(engine: Engine) -> None:
    manager = _manager(engine, APRIL_5)
    status = plain(manager.send("/status")[-1].text)
    assert "⏰ Quá hạn: 56" in status, status

    pages = _pages(manager)
    parts = [render(page).parts for page in pages]
    assert [len(p) for p in parts] == [1, 1], parts  # each page one message, two in all
    first, second = (p[0] for p in parts)
    assert first.startswith("Nội dung quá hạn: 56 (1/2)\n") and second.startswith("Nội dung quá hạn: 56 (2/2)\n")
    # every overdue item /status counts is on a page, once
    assert sum(len(ITEM.findall(text)) for text in (first, second)) == 56
    for text in (first, second):
        asks = re.findall(r"(?m)^\d+\. Yêu cầu giải trình: ", text)
        assert len(asks) == min(10, len(ITEM.findall(text))), text  # the page's first 10 items as choices
    assert "1. Yêu cầu giải trình: NV · I.1 (31/01)" in first
    # a monthly task three months late is one entry, its late deadlines short: not three "(…/2022, 0%)"
    assert "III.5 (31/01 0%; 28/02 0%; 31/03 0%)" in first, first
    assert "Để yêu cầu giải trình các nhiệm vụ khác: /giaitrinh ĐƠN_VỊ MÃ. Ví dụ: /giaitrinh TP I.2" in first, (
        first
    )  # an item of the page that is not a choice


def test_a_choice_of_the_page_and_the_typed_command_both_ask(engine: Engine) -> None:
    manager = _manager(engine, APRIL_5)
    [page] = render(manager.send("/overdue")[-1]).parts
    number = re.search(r"(?m)^(\d+)\. Yêu cầu giải trình: VP · III\.1 \(31/03\)$", page)
    assert number is not None, page
    confirm = plain(manager.send(number.group(1))[-1].text)
    assert "III.1" in confirm and "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện" in confirm, confirm
    manager.press("Gửi")
    assert "yêu cầu số 1 đề nghị Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện giải trình III.1" in manager.last

    manager.send("/giaitrinh TP I.2")  # as the page says, for an item past its choices
    assert "yêu cầu số 2 đề nghị Phòng Tư pháp giải trình I.2 trước ngày" in manager.last, manager.last


def test_one_page_of_overdue_items_says_no_page_number(engine: Engine) -> None:
    """On 15/03 a few items are overdue: one page, and no "(1/1)" on either channel."""
    for user, channel in (("zalo", "zalo"), ("telegram", "telegram")):
        manager = _manager(engine, datetime(2022, 3, 15, 9, 0, tzinfo=TZ), channel)
        manager.send("/overdue")
        first = manager.last.splitlines()[0]
        assert re.fullmatch(r"Nội dung quá hạn: \d+", first), (user, manager.last)
        assert "Trang sau" not in manager.last
