"""The views the chat audit found at odds: /tasks shows the deadline being chased (the one reminders
and /status are about, ⏰ when overdue, with an approved extension), reports undone with ``hủy`` leave
no trace in the views and the workbook, /export and /chart on Zalo say what works there, and
/status UNIT says what it counts."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.zalo.channel import render
from dondoc.db.models import MemberRole, Plan
from dondoc.handlers.events import Reply, plain
from dondoc.plan.status_workbook import write_status_xlsx
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.bot.zalo.conftest import running_zalo
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MORNING = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)
APRIL_5 = datetime(2022, 4, 5, 8, 0, tzinfo=TZ)  # I.10's first quarter (31/03) is 5 days past


def _people(engine: Engine, now: datetime = MORNING, channel: str = "test") -> tuple[Chat, Chat]:
    """Xà Phiên's focal point and a manager of Phòng Nội vụ, on one dispatcher."""
    focal = Chat(make_dispatcher(engine, now), "500", channel=channel)
    focal.send(f"/start {invite_code(engine, 'XP', now=now)}")
    manager = Chat(focal.dispatcher, "501", name="Lê Thị Mai", channel=channel)
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=now)}")
    return focal, manager


def _task_entry(focal: Chat, code: str) -> str:
    """The task's entry in /tasks (every page): its heading line and the line of its state."""
    replies = focal.send("/tasks")
    while True:
        text = plain(replies[-1].text)
        blocks = [b for b in text.split("\n\n") if b.startswith(f"{code} (")]
        if blocks:
            lines = blocks[0].splitlines()
            return f"{lines[0]}\n{lines[-1]}"
        if not any(c.label.startswith("Trang sau") for row in replies[-1].choices for c in row):
            raise AssertionError(f"{code} not in /tasks")
        replies = focal.press("Trang sau")


def _zalo_text(replies: list[Reply]) -> str:
    return "\n".join(part for reply in replies for part in render(reply).parts)


# ---------------------------------------------------------------- /tasks, /status UNIT and the reminder


async def test_tasks_status_and_the_reminder_agree_on_an_overdue_quarter(engine: Engine) -> None:
    """I.10 (Xà Phiên leads it, quarterly): 70 %, then a "xong" undone. On 05/04 the reminder chases the
    31/03 quarter as overdue, /status XP counts it overdue, and /tasks shows that quarter with ⏰."""
    async with running_zalo(engine, Clock(MORNING, frozen=True)) as zalo:
        hung = await zalo.bound("XP", name="Trần Văn Hùng")
        mai = await zalo.bound("NV", MemberRole.MANAGER, name="Lê Thị Mai")
        await zalo.say(hung, "I.10 70 da trinh")
        await zalo.say(hung, "I.10 xong Công văn số 45/UBND-VP")
        [undone] = await zalo.say(hung, "hủy")
        assert "Đang thực hiện 70%" in undone

        zalo.clock.set(APRIL_5 - timedelta(hours=1))
        zalo.app.reminders.schedule()  # the 07:00 replan
        zalo.clock.set(APRIL_5)
        before = len(hung.messages)
        await zalo.app.reminders.tick()
        reminder = "\n".join(await zalo.settle(hung, before))
        assert "I.10" in reminder and "hạn 31/03/2022 — quá hạn 5 ngày" in reminder

        status = "\n".join(await zalo.say(mai, "/status XP"))
        assert "⏰ Quá hạn: 2" in status  # I.2 and I.10's first quarter

        tasks = "\n".join(await zalo.say(hung, "/tasks"))
        assert "I.10 (chủ trì) — 31/03/2022 ⏰ quá hạn 5 ngày" in tasks
        assert "I.10 (chủ trì) — 30/06/2022" not in tasks
        # its state is the 70 % of 15/03 that the hủy restored, not dated by the hủy
        entry = tasks[tasks.index("I.10 (chủ trì)") :].split("\n\n")[0]
        assert "↳ Đang thực hiện 70% (15/03/2022)" in entry
        # overdue tasks first: the first entry of the first page is overdue
        first = next(line for line in tasks.splitlines() if "(chủ trì)" in line or "(phối hợp)" in line)
        assert "⏰ quá hạn" in first


def test_tasks_shows_an_approved_extension_and_the_extended_date_is_not_overdue(engine: Engine) -> None:
    focal, manager = _people(engine)
    focal.send("/giahan I.11 30/04 chờ số liệu tổng hợp của các ấp")
    manager.send("/giahan")
    manager.press("Đồng ý")
    focal.dispatcher.clock.set(APRIL_5)
    entry = _task_entry(focal, "I.11")
    assert entry.startswith("I.11 (phối hợp) — 31/03/2022, gia hạn đến 30/04/2022"), entry
    assert "⏰" not in entry


def test_a_task_done_on_its_only_deadline_is_not_marked_overdue(engine: Engine) -> None:
    focal, _manager = _people(engine)
    focal.dispatcher.clock.set(APRIL_5)
    focal.send("I.3 xong")  # due 31/03, done on 05/04
    entry = _task_entry(focal, "I.3")
    assert entry.startswith("I.3 (phối hợp) — 31/03/2022\n"), entry
    assert "Hoàn thành 100% (05/04/2022)" in entry


# ---------------------------------------------------------------- hủy leaves no trace


def test_an_undone_completion_leaves_the_restored_reports_date_and_note_in_tasks_and_the_workbook(
    engine: Engine,
) -> None:
    focal, _manager = _people(engine)
    focal.send("I.2 vướng chờ ý kiến thẩm định của Phòng Tài chính - Kế hoạch")
    focal.send("I.10 70 da trinh")
    focal.dispatcher.clock.set(APRIL_5)
    focal.send("I.10 xong Công văn số 45/UBND-VP")
    focal.send("hủy")
    focal.send("I.2 xong 1/4 QĐ số 56/QĐ-UBND")
    focal.send("huỷ")

    assert _task_entry(focal, "I.2").endswith("↳ Vướng mắc 0% (15/03/2022)")
    assert _task_entry(focal, "I.10").endswith("↳ Đang thực hiện 70% (15/03/2022)")

    with Session(engine) as session:
        plan = session.exec(select(Plan)).one()
        buffer = io.BytesIO()
        write_status_xlsx(session, plan, APRIL_5.date(), buffer, calendar=WorkCalendar())
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert not [c for c in cells if "Hủy báo cáo lúc" in c]
    assert any("da trinh" in c for c in cells)  # I.10's note, as reported on 15/03
    assert any("chờ ý kiến thẩm định" in c for c in cells)


def test_task_shows_managers_no_withdrawn_report_and_history_marks_them(engine: Engine) -> None:
    focal, manager = _people(engine)
    focal.send("I.8 50 đang soạn dự thảo")
    focal.send("hủy")
    focal.send("I.8 50 đang soạn dự thảo")
    focal.send("huy")

    replies = manager.send("/task I.8")
    shown = plain(replies[-1].text)
    assert "Hủy báo cáo lúc" not in shown and "Chưa thực hiện 0%" not in shown
    assert "Đang thực hiện 50%" not in shown
    assert "Chưa có báo cáo." in shown
    assert "Không hiện các báo cáo đã hủy: 2 (xem /history I.8)" in shown  # two reports, each cancelled once

    focal.send("/history I.8")
    history = focal.last
    assert history.count("Đang thực hiện 50% — đã hủy") == 2
    assert history.count("↩ Hủy báo cáo lúc 08:30 — trở lại chưa có báo cáo") == 2
    assert "Chưa thực hiện 0%" not in history


# ---------------------------------------------------------------- /export and /chart on Zalo


def test_on_zalo_export_says_who_can_make_the_workbook_and_never_points_to_telegram(engine: Engine) -> None:
    _focal, manager = _people(engine, channel="zalo")
    shown = _zalo_text(manager.send("/export"))
    assert "Quản trị viên hệ thống" in shown and "dondoc export" in shown
    assert "/status" in shown and "/overdue" in shown
    assert "Telegram" not in shown


def test_on_zalo_chart_gives_the_figures_by_area_and_by_unit_as_text(engine: Engine) -> None:
    focal, manager = _people(engine, channel="zalo")
    focal.send("I.2 60")
    replies = manager.send("/chart")
    assert all(reply.file is None for reply in replies)
    shown = _zalo_text(replies)
    assert "Telegram" not in shown
    assert "Theo lĩnh vực" in shown and "Theo đơn vị" in shown
    assert "• XP · xã Xà Phiên: 🔄1 ⏳4" in shown
    assert len(render(replies[-1]).parts) == 1  # one message of the month's budget


def test_on_telegram_chart_and_export_still_send_files(engine: Engine) -> None:
    _focal, manager = _people(engine, channel="telegram")
    assert manager.send("/chart")[-1].file is not None
    assert manager.send("/export")[-1].file is not None


# ---------------------------------------------------------------- /status UNIT says what it counts


def test_status_of_a_unit_says_it_counts_the_tasks_it_leads_and_how_many_it_supports(engine: Engine) -> None:
    focal, manager = _people(engine)
    manager.send("/status xa phien")
    status = manager.last
    assert "Tính đến ngày 15/03/2022: 5 nội dung (mỗi thời hạn của mỗi cơ quan chủ trì)" in status
    assert "Chỉ tính 2 nhiệm vụ đơn vị chủ trì; 27 nhiệm vụ đơn vị phối hợp không tính ở đây." in status
    focal.send("/tasks")
    assert "Nhiệm vụ của đơn vị (29)" in focal.last  # 2 + 27


def test_the_report_task_picker_lists_tasks_in_the_order_of_tasks(engine: Engine) -> None:
    """/report without a code offers the tasks as /tasks lists them: the overdue ones, being chased,
    first — not the next deadline still ahead."""
    focal, _manager = _people(engine)
    focal.dispatcher.clock.set(APRIL_5)
    listed = [
        line.split(" ", 1)[0]
        for line in plain(focal.send("/tasks")[-1].text).splitlines()
        if line[:1] in "IVX" and " (" in line
    ]
    offered = [c.label.split(" · ")[0] for row in focal.send("/report")[-1].choices for c in row if " · " in c.label]
    assert offered and listed and offered[: len(listed)] == listed[: len(offered)]
