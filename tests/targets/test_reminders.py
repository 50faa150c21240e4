"""Units late with their figures are reminded like a deadline (before, on and after the due day of the
CCHC window), with the one-line syntax of what is due; a unit that sent them is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from dondoc.bot.app import reminder_service
from dondoc.plan.figures import Period, Windows
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox
from tests.targets.helpers import import_targets


def test_the_cchc_windows_and_due_days() -> None:
    windows = Windows()
    assert windows.window(Period(2022, "quarter", 1)) == (datetime(2021, 12, 15).date(), datetime(2022, 3, 14).date())
    assert windows.window(Period(2022, "half-year", 1))[1] == datetime(2022, 6, 14).date()
    assert windows.window(Period(2022, "year", 1)) == (datetime(2021, 12, 15).date(), datetime(2022, 12, 14).date())
    assert windows.due(Period(2022, "quarter", 2)) == datetime(2022, 6, 15).date()
    calendar_months = Windows(start_day=1, months_before=0, due_days=0)
    assert calendar_months.window(Period(2022, "quarter", 1)) == (
        datetime(2022, 1, 1).date(),
        datetime(2022, 3, 31).date(),
    )


async def test_units_late_with_their_figures_are_reminded_with_the_syntax(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    outbox = Outbox()
    clock = Clock(datetime(2022, 3, 10, 7, 0, tzinfo=TZ), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    focal = Chat(dispatcher, "700")
    focal.send(f"/start {invite_code(engine, 'XP', now=clock.now())}")
    other = Chat(dispatcher, "701")
    other.send(f"/start {invite_code(engine, 'VV', now=clock.now())}")
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})

    def figures_texts(chat_id: str) -> list[str]:
        return [t for t in outbox.texts(chat_id) if "Số liệu chỉ tiêu" in t]

    clock.set(datetime(2022, 3, 10, 8, 0, tzinfo=TZ))  # Thursday: nothing yet
    await service.send_figure_reminders(clock.now())
    assert figures_texts("700") == []
    clock.set(datetime(2022, 3, 11, 8, 0, tzinfo=TZ))  # Friday before the due day (15/03, D−3 is a Saturday)
    assert await service.send_figure_reminders(clock.now()) == 2
    [before] = figures_texts("700")
    assert "Ủy ban nhân dân xã Xà Phiên" in before and "15/03/2022" in before
    assert "«HS Q1 120/125»" in before and "«ISO Q1 có»" in before and "«HL Q1 96,5%»" in before
    assert await service.send_figure_reminders(clock.now()) == 0  # once a day, whatever the ticks
    clock.set(datetime(2022, 3, 15, 8, 0, tzinfo=TZ))  # the due day
    await service.send_figure_reminders(clock.now())
    assert len(figures_texts("700")) == 2
    # XP sends everything; VV does not.
    focal.send("HS Q1 120/125")
    focal.send("ISO Q1 có")
    focal.send("HL Q1 90%")
    clock.set(datetime(2022, 3, 16, 8, 0, tzinfo=TZ))  # one working day late: not a reminder day
    await service.send_figure_reminders(clock.now())
    clock.set(datetime(2022, 3, 17, 8, 0, tzinfo=TZ))  # two working days late
    await service.send_figure_reminders(clock.now())
    assert len(figures_texts("700")) == 2
    late = figures_texts("701")
    assert len(late) == 3 and "quá hạn 2 ngày" in late[-1]
    clock.set(datetime(2022, 3, 17, 8, 0, tzinfo=TZ) + timedelta(days=40))  # long after: no more
    await service.send_figure_reminders(clock.now())
    assert len(figures_texts("701")) == 3
