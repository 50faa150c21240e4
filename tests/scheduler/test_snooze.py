"""“Nhắc lại sau” (snooze): the reminder comes back on the next working day, whatever happens between."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.db.models import Assignment, Reminder, ReminderKind, ReminderState, Role, Status, Task
from dondoc.db.session import session_scope
from dondoc.scheduler.calendar import calendar_from_env
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.schedule import add_report, add_snooze, replan


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def _snoozed_scenario(engine: Engine, steps: list[str]) -> str:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    # /as NV: the default persona; the 24/01 digest lists I.1 first, button [2] is “Nhắc lại sau”.
    script = ["/clock 24/01/2022 08:00", "2", *steps]
    await Sandbox(engine, clock, out).run(_typed(script))
    return out.getvalue()


async def test_a_snoozed_reminder_arrives_the_next_working_day_across_the_nightly_replan(engine: Engine) -> None:
    text = await _snoozed_scenario(engine, ["/clock 25/01/2022 00:01", "/clock 25/01/2022 08:00"])
    assert "Tôi sẽ nhắc lại" in text and "08:00 ngày 25/01/2022" in text
    after = text.split("Thời gian mô phỏng: 25/01/2022 08:00")[1]
    assert "Nhắc việc" in after and "I.1 " in after


async def test_a_snoozed_reminder_arrives_the_next_working_day(engine: Engine) -> None:
    text = await _snoozed_scenario(engine, ["/clock 25/01/2022 08:00"])
    after = text.split("Thời gian mô phỏng: 25/01/2022 08:00")[1]
    assert "Nhắc việc" in after and "I.1 " in after


def _lead(session: Session, code: str) -> Assignment:
    return session.exec(
        select(Assignment)
        .join(Task, col(Task.id) == Assignment.task_id)
        .where(Task.code == code, Assignment.role == Role.LEAD)
    ).first()  # type: ignore[return-value]


def _snooze_row(session: Session, assignment_id: int, at: datetime) -> Reminder:
    """What the button does (``handlers.reminders.snooze`` writes through ``add_snooze``)."""
    return add_snooze(session, assignment_id, due=date(2022, 1, 31), send_at=at, audience="focal")


def _pending_snoozes(engine: Engine, assignment_id: int) -> list[Reminder]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Reminder).where(
                    Reminder.assignment_id == assignment_id,
                    Reminder.kind == ReminderKind.SNOOZE,
                    Reminder.state == ReminderState.PENDING,
                )
            )
        )


def test_a_snooze_survives_replans_and_restarts_and_a_completion_cancels_it(engine: Engine) -> None:
    calendar = calendar_from_env()
    at = datetime(2022, 1, 25, 8, 0, tzinfo=TZ)
    with session_scope(engine) as session:
        replan(session, calendar, datetime(2022, 1, 24, 7, 0, tzinfo=TZ))
        assignment = _lead(session, "I.1")
        assert assignment.id is not None
        assignment_id = assignment.id
        _snooze_row(session, assignment_id, at)
    # The nightly replan, twice (two processes), and a restarted service with its first tick's plan.
    with session_scope(engine) as session:
        replan(session, calendar, datetime(2022, 1, 25, 0, 1, tzinfo=TZ))
    with session_scope(engine) as session:
        replan(session, calendar, datetime(2022, 1, 25, 0, 1, tzinfo=TZ))
    reminder_service(engine, Clock(datetime(2022, 1, 25, 0, 2, tzinfo=TZ)), calendar, {}).schedule()
    snoozes = _pending_snoozes(engine, assignment_id)
    assert [(s.send_at.astimezone(TZ), s.due) for s in snoozes] == [(at, date(2022, 1, 31))]
    # A second press on the same day does not make a second row.
    with session_scope(engine) as session:
        _snooze_row(session, assignment_id, at)
    assert len(_pending_snoozes(engine, assignment_id)) == 1
    # A report that is not a completion leaves it; a completion cancels it, and replanning does not revive it.
    with session_scope(engine) as session:
        lead = session.get(Assignment, assignment_id)
        assert lead is not None
        add_report(
            session, lead, status=Status.IN_PROGRESS, percent=50, reported_at=datetime(2022, 1, 24, 9, tzinfo=TZ)
        )
    assert len(_pending_snoozes(engine, assignment_id)) == 1
    with session_scope(engine) as session:
        lead = session.get(Assignment, assignment_id)
        assert lead is not None
        add_report(session, lead, status=Status.DONE, percent=100, reported_at=datetime(2022, 1, 24, 10, tzinfo=TZ))
    with session_scope(engine) as session:
        replan(session, calendar, datetime(2022, 1, 24, 11, 0, tzinfo=TZ))
    assert _pending_snoozes(engine, assignment_id) == []
