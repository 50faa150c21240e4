"""The managers' overdue alert as they read it: grouped by due date and by the units late together on a
task, with counts, and on Zalo (plain text, 2,000 characters a message, a monthly budget of messages)
one message — the list cut with a pointer to /overdue when it would not fit."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy.engine import Engine

from dondoc.bot.app import reminder_service
from dondoc.bot.zalo.channel import render
from dondoc.bot.zalo.client import TEXT_LIMIT, text_length
from dondoc.db.models import ChannelAccount, MemberRole, Person, ReminderKind
from dondoc.handlers.events import plain
from dondoc.handlers.reminders import render_digest
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox

TODAY = date(2022, 4, 5)
DUE = date(2022, 3, 31)
CUT = "việc quá hạn khác — gõ /overdue hoặc /status để xem đủ."


def _item(reminder_id: int, code: str, position: int, unit: int, unit_name: str, **changes: object) -> DueItem:
    fields: dict[str, object] = {
        "reminder_id": reminder_id,
        "assignment_id": reminder_id,
        "kind": ReminderKind.ESCALATION,
        "due": DUE,
        "send_at": datetime(2022, 4, 5, 8, 0, tzinfo=TZ),
        "attempts": 0,
        "audience": "manager",
        "task_code": code,
        "task_title": f"Nhiệm vụ {code} về cải cách hành chính của huyện năm 2022",
        "task_position": position,
        "unit_id": unit,
        "unit_code": f"U{unit:02d}",
        "unit_name": unit_name,
        "unit_position": unit,
        "organization_id": 1,
    }
    fields.update(changes)
    return DueItem(**fields)  # type: ignore[arg-type]


def _alert(channel: str, items: list[DueItem]) -> tuple[str, list[str]]:
    """The alert's text (HTML) and, on Zalo, the messages the manager receives (on Telegram: [])."""
    person = Person(id=1, organization_id=1, full_name="Trần Văn Hùng", created_at=datetime(2022, 3, 1, tzinfo=TZ))
    account = ChannelAccount(person_id=1, channel=channel, external_id="1", chat_id="1")
    reply = render_digest(Digest(Recipient(person, account), "manager", items), TODAY)
    return reply.text, render(reply).parts if channel.startswith("zalo") else []


def _commune(n: int) -> str:
    return f"Ủy ban nhân dân xã Vĩnh Thuận Đông Số {n:02d}"


def test_a_task_late_at_many_units_is_one_line_naming_them_all_in_one_zalo_message() -> None:
    # 40 units late on I.2 and I.10 (the same units: one group), and three units late alone on tasks of their own.
    items = [
        _item(100 * u + p, code, p, u, _commune(u)) for u in range(1, 41) for p, code in ((2, "I.2"), (10, "I.10"))
    ]
    items += [
        _item(9001, "III.1", 31, 3, _commune(3)),
        _item(9002, "III.3", 33, 3, _commune(3)),
        _item(9003, "VI.2", 62, 7, _commune(7)),
        _item(9004, "I.8", 8, 41, "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện"),
    ]
    # The same deadline's reminder of the day before, missed (sent together): one item, not two.
    items.append(items[-1]._replace(reminder_id=9005, send_at=datetime(2022, 4, 4, 8, 0, tzinfo=TZ)))
    _text, parts = _alert("zalo", items)
    assert len(parts) == 1 and text_length(parts[0]) <= TEXT_LIMIT, [text_length(p) for p in parts]
    shown = parts[0]
    assert shown.startswith(
        "Nhiệm vụ quá hạn — Kính gửi đồng chí Trần Văn Hùng:\n84 việc quá hạn mới (hạn 31/03/2022) ở 41 đơn vị. "
    )
    assert "Hạn 31/03/2022 — quá hạn 5 ngày:\n40 đơn vị: xã Vĩnh Thuận Đông Số 01, xã Vĩnh Thuận Đông Số 02, " in shown
    names = shown.split("40 đơn vị: ", 1)[1].split("\n", 1)[0].split(", ")
    assert names == [f"xã Vĩnh Thuận Đông Số {n:02d}" for n in range(1, 41)]
    lines = shown.split("\n")
    assert (
        sum(line.startswith("• I.2 ") for line in lines) == 1 and sum(line.startswith("• I.10 ") for line in lines) == 1
    )
    # A unit late alone: its name, then its tasks, as a unit's list was.
    assert "\n\nxã Vĩnh Thuận Đông Số 03\n• III.1 Nhiệm vụ III.1" in shown
    assert "\n\nVăn phòng HĐND và UBND huyện\n• I.8 " in shown
    assert shown.count("• I.8 ") == 1  # its two reminders (one missed) are one item
    assert shown.rstrip().endswith("Xem /status để biết tình hình toàn bộ kế hoạch.") and CUT not in shown


def test_a_list_too_long_for_zalo_is_cut_with_the_count_left_out_and_whole_on_telegram() -> None:
    # 40 units each late on five tasks of its own: a paragraph per unit, far more than 2,000 characters.
    items = [
        _item(100 * u + i, f"II.{5 * (u - 1) + i}", 5 * (u - 1) + i, u, _commune(u))
        for u in range(1, 41)
        for i in range(1, 6)
    ]
    _text, parts = _alert("zalo", items)
    assert len(parts) == 1 and text_length(parts[0]) <= TEXT_LIMIT
    shown = parts[0]
    assert "200 việc quá hạn mới (hạn 31/03/2022) ở 40 đơn vị." in shown
    listed = [line for line in shown.split("\n") if line.startswith("• II.")]
    assert 10 <= len(listed) < 200
    assert shown.rstrip().endswith(f"… và {200 - len(listed)} {CUT}")
    assert "Xem /status để biết" not in shown
    # The units are listed in the registry's order, each under its name, the first ones shown.
    assert shown.split("\n")[4] == "xã Vĩnh Thuận Đông Số 01" and shown.split("\n")[5].startswith(
        "• II.1 Nhiệm vụ II.1"
    )
    # Telegram (4,096 characters, split by the channel when longer) keeps the whole list.
    telegram, _parts = _alert("telegram", items)
    assert sum(line.startswith("• <b>II.") for line in telegram.split("\n")) == 200
    assert CUT not in plain(telegram) and "Xem /status để biết" in plain(telegram)


def test_one_task_late_at_more_units_than_a_message_holds_names_the_first_and_counts_the_rest() -> None:
    items = [_item(u, "I.8", 8, u, _commune(u)) for u in range(1, 151)]
    _text, parts = _alert("zalo:ln2", items)  # a second Zalo bot: no buttons either
    assert len(parts) == 1 and text_length(parts[0]) <= TEXT_LIMIT
    shown = parts[0]
    units_line = next(line for line in shown.split("\n") if line.startswith("150 đơn vị: "))
    named = units_line.removeprefix("150 đơn vị: ").split(", ")
    assert named[-1] == "…" and named[:3] == [
        "xã Vĩnh Thuận Đông Số 01",
        "xã Vĩnh Thuận Đông Số 02",
        "xã Vĩnh Thuận Đông Số 03",
    ]
    assert "• I.8 Nhiệm vụ I.8" in shown
    assert shown.rstrip().endswith(f"… và {150 - (len(named) - 1)} {CUT}")


def test_names_and_titles_are_escaped() -> None:
    items = [
        _item(1, "I.2", 2, 1, "Phòng <Nội vụ> & Tư pháp", task_title="Báo cáo <b>quý</b> & năm"),
        _item(2, "I.2", 2, 2, "Ủy ban nhân dân xã A&B", task_title="Báo cáo <b>quý</b> & năm"),
    ]
    for channel in ("telegram", "zalo"):
        text, _parts = _alert(channel, items)
        assert "Phòng &lt;Nội vụ&gt; &amp; Tư pháp, xã A&amp;B" in text
        assert "Báo cáo &lt;b&gt;quý&lt;/b&gt; &amp; năm" in text and "<Nội" not in text
    _text, parts = _alert("zalo", items)
    assert "2 đơn vị: Phòng <Nội vụ> & Tư pháp, xã A&B\n• I.2 Báo cáo <b>quý</b> & năm" in parts[0]


def test_requests_for_more_time_stay_whole_and_answerable_when_the_list_is_cut() -> None:
    items = [
        _item(100 * u + i, f"II.{5 * (u - 1) + i}", 5 * (u - 1) + i, u, _commune(u))
        for u in range(1, 41)
        for i in range(1, 6)
    ]
    asked = [
        _item(50_000 + u, f"II.{5 * (u - 1) + 1}", 5 * (u - 1) + 1, u, _commune(u), kind=ReminderKind.EXTENSION)
        for u in (2, 5, 9)
    ]
    person = Person(id=1, organization_id=1, full_name="Trần Văn Hùng", created_at=datetime(2022, 3, 1, tzinfo=TZ))
    account = ChannelAccount(person_id=1, channel="zalo", external_id="1", chat_id="1")
    reply = render_digest(Digest(Recipient(person, account), "manager", items + asked), TODAY)
    shown = render(reply)
    assert len(shown.parts) == 1 and text_length(shown.parts[0]) <= TEXT_LIMIT
    message = shown.parts[0]
    assert CUT in message
    for u in (2, 5, 9):
        code = f"II.{5 * (u - 1) + 1}"
        assert f"• {_commune(u)} đề nghị gia hạn {code} — " in message
        assert f". Đồng ý {code} · U{u:02d}" in message and f". Không đồng ý {code} · U{u:02d}" in message
    assert shown.typed is not None
    answers = {shown.typed[str(n)] for n in range(1, 7)}
    assert answers == {f"R{50_000 + u}:{action}" for u in (2, 5, 9) for action in "yn"}


def test_the_sample_plans_alert_of_5_april_is_one_zalo_message(engine: Engine) -> None:
    """The Long Mỹ sample: on 05/04/2022 the manager of the coordinating unit was sent three Zalo messages."""
    start = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)
    outbox = Outbox()
    dispatcher = make_dispatcher(engine, start)
    manager = Chat(dispatcher, "z-501", name="Trần Văn Hùng", channel="zalo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=start)}")
    clock = Clock(start, frozen=True)
    service = reminder_service(engine, clock, WorkCalendar(), {"zalo": outbox.send})
    for day in (date(2022, 4, 1), date(2022, 4, 5)):
        clock.set(datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ))
        asyncio.run(service.tick())
    [alert] = [reply for to, reply in outbox.sent if to == "z-501" and "Nhiệm vụ quá hạn" in reply.text]
    parts = render(alert).parts
    assert len(parts) == 1 and text_length(parts[0]) <= TEXT_LIMIT, [text_length(p) for p in parts]
    shown = parts[0]
    assert (
        "51 việc quá hạn mới (hạn 31/03/2022) ở 21 đơn vị. Mọi việc đang quá hạn, kể cả các hạn trước: gõ /overdue."
        "\n\nHạn 31/03/2022 — quá hạn 5 ngày:\n21 đơn vị: Văn phòng HĐND và UBND huyện, " in shown
    )
    assert ", xã Xà Phiên\n• I.2 " in shown
    assert "\n\nVăn phòng HĐND và UBND huyện\n• III.1 " in shown
    assert CUT not in shown
