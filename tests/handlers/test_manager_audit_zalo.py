"""The manager audit on Zalo (NV leader, 24/03 → 08/04/2022, the sample plan): the overdue alert says
what its count is (the deadlines newly overdue, not every overdue item); an extension of one deadline of a
monthly task (III.5, 31/01 → 30/04) leaves the task once in the unit's digest, the note naming the new
date, and out of /nonresponders' window; units without a focal point are marked 🔕 once, on their line."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from dondoc.bot.app import reminder_service
from dondoc.bot.zalo.channel import render
from dondoc.db.models import ChannelAccount, MemberRole, Person, ReminderKind
from dondoc.handlers.events import plain
from dondoc.handlers.reminders import render_digest
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox

ASKED = datetime(2022, 3, 24, 8, 0, tzinfo=TZ)
APRIL_1 = datetime(2022, 4, 1, 8, 0, tzinfo=TZ)


def _item(reminder_id: int, code: str, due: date, unit: int, **changes: object) -> DueItem:
    fields: dict[str, object] = {
        "reminder_id": reminder_id,
        "assignment_id": reminder_id,
        "kind": ReminderKind.ESCALATION,
        "due": due,
        "send_at": datetime(2022, 4, 5, 8, 0, tzinfo=TZ),
        "attempts": 0,
        "audience": "manager",
        "task_code": code,
        "task_title": f"Nhiệm vụ {code}",
        "task_position": reminder_id,
        "unit_id": unit,
        "unit_code": f"U{unit}",
        "unit_name": f"Phòng số {unit}",
        "unit_position": unit,
        "organization_id": 1,
    }
    fields.update(changes)
    return DueItem(**fields)  # type: ignore[arg-type]


def _shown(audience: str, items: list[DueItem]) -> str:
    person = Person(id=1, organization_id=1, full_name="Trần Văn Hùng", created_at=ASKED)
    account = ChannelAccount(person_id=1, channel="zalo", external_id="1", chat_id="1")
    [part] = render(render_digest(Digest(Recipient(person, account), audience, items), date(2022, 4, 5))).parts
    return part


def test_the_overdue_alert_says_its_count_is_of_the_deadline_newly_overdue_and_points_to_overdue() -> None:
    items = [_item(n, f"I.{n}", date(2022, 3, 31), unit=1 + n % 2) for n in range(1, 4)]
    shown = _shown("manager", items)
    assert shown.startswith(
        "Nhiệm vụ quá hạn — Kính gửi đồng chí Trần Văn Hùng:\n"
        "3 việc quá hạn mới (hạn 31/03/2022) ở 2 đơn vị. Mọi việc đang quá hạn, kể cả các hạn trước: gõ /overdue.\n"
    ), shown
    assert "3 việc quá hạn ở" not in shown


def test_a_task_with_two_deadlines_due_a_reminder_is_listed_once_naming_the_extension() -> None:
    # III.5 (monthly) of one unit: its 28/02 and 31/03 deadlines both due a reminder; 31/01, the one a
    # report is recorded for first, was extended to 30/04.
    extended = {"open_before": date(2022, 1, 31), "open_before_to": date(2022, 4, 30)}
    items = [
        _item(1, "III.5", date(2022, 2, 28), 1, kind=ReminderKind.OVERDUE, audience="focal", **extended),
        _item(2, "I.2", date(2022, 3, 31), 1, kind=ReminderKind.OVERDUE, audience="focal", task_position=2),
        _item(3, "III.5", date(2022, 3, 31), 1, kind=ReminderKind.OVERDUE, audience="focal", **extended)._replace(
            assignment_id=1
        ),
    ]
    shown = _shown("focal", items)
    assert shown.count("III.5 Nhiệm vụ III.5") == 1, shown
    assert "\n1. III.5 Nhiệm vụ III.5\n   hạn 28/02/2022 — quá hạn 36 ngày\n" in shown, shown
    assert (
        "⏰ Hạn 31/01/2022 (đã gia hạn đến 30/04/2022) chưa được báo cáo hoàn thành: "
        "báo cáo sẽ được ghi cho hạn đó trước." in shown
    )
    assert "1. 📝 III.5   2. 📝 I.2\n" in shown and "3. 📝" not in shown


def _all_pages(chat: Chat) -> list[str]:
    pages = [plain(chat.last)]
    while any(label.startswith("Trang sau") for label in chat.buttons()):
        chat.press("Trang sau")
        pages.append(plain(chat.last))
    return pages


@pytest.mark.slow
def test_an_extended_deadline_of_a_monthly_task_on_zalo(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, ASKED)
    manager = Chat(dispatcher, "z-501", name="Trần Văn Hùng", channel="zalo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=ASKED)}")
    vp = Chat(dispatcher, "z-502", name="Phạm Minh Tuấn", channel="zalo")
    vp.send(f"/start {invite_code(engine, 'VP', MemberRole.FOCAL, now=ASKED)}")
    xp = Chat(dispatcher, "z-503", name="Lê Thị Mai", channel="zalo")
    xp.send(f"/start {invite_code(engine, 'XP', MemberRole.FOCAL, now=ASKED)}")
    vp.send("/giahan III.5 30/04 Chờ phân bổ kinh phí")
    assert "từ 31/01/2022 đến 30/04/2022" in plain(vp.history[-2].text), vp.history[-2].text
    manager.send("/giahan 1 đồng ý")
    assert "Đồng ý" in manager.last, manager.last

    # 01/04: VP's digest names III.5 once, the note saying its 31/01 deadline was extended to 30/04.
    outbox = Outbox()
    clock = Clock(APRIL_1, frozen=True)
    asyncio.run(reminder_service(engine, clock, WorkCalendar(), {"zalo": outbox.send}).tick())
    [digest] = [reply for to, reply in outbox.sent if to == "z-502" and "Nhắc việc" in reply.text]
    [shown] = render(digest).parts
    assert shown.count(" III.5 ") == 1 and shown.count("📝 III.5") == 1, shown
    assert "Hạn 31/01/2022 (đã gia hạn đến 30/04/2022) chưa được báo cáo hoàn thành" in shown, shown
    assert "⏰ Hạn 31/01/2022 chưa được" not in shown

    # /nonresponders on 01/04 (window: due by 08/04): III.5's 28/02 and 31/03, not 30/04; the units
    # without a focal point are marked 🔕 on their own line, once, the heading saying what 🔕 means.
    dispatcher.clock = Clock(APRIL_1, frozen=True)
    manager.send("/nonresponders")
    pages = _all_pages(manager)
    assert pages[0].startswith(
        "Đơn vị chưa báo cáo các nội dung đến hạn trước ngày 08/04/2022: 21 · "
        "🔕 19 đơn vị chưa có đầu mối liên lạc được qua bot"
    ), pages[0]
    lines = [line for page in pages for line in page.splitlines() if line.startswith("• ")]
    [vp_line] = [line for line in lines if "Văn phòng Hội đồng nhân dân" in line]
    assert "III.5 (28/02, 31/03)" in vp_line and "30/04" not in vp_line, vp_line
    assert not vp_line.startswith("• 🔕")
    [tp] = [line for line in lines if "Phòng Tư pháp" in line]
    assert tp == "• 🔕 Phòng Tư pháp: I.2 (31/03), I.10 (31/03)", tp
    assert not any("chưa có đầu mối" in line for line in lines)
    assert len(lines) == 21 and len(pages) <= 2
