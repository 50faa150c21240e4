"""A whole simulated year through the real sweeper, python-telegram-bot and the local Bot API, with
a fake clock: what arrives, when, and that a restart in the middle neither repeats nor drops."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.app import reminder_service
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser
from dondoc.bot.telegram import TelegramChannel, telegram_sender
from dondoc.db.models import Reminder, ReminderState
from dondoc.db.session import session_scope
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import claim_due
from tests.conftest import Dondoc, sqlite_only
from tests.handlers.helpers import invite_code, make_dispatcher

pytestmark = pytest.mark.slow  # about a minute and a half: `python3 dev.py test --all` or `-m slow`
CALENDAR = WorkCalendar()


def _lines(user: SimulatedUser) -> list[str]:
    return [m.content for m in user.read_all()]


@sqlite_only  # the store's claims and leases are tried on both stores by test_sweeper_failures.py and test_processes.py
async def test_a_year_of_reminders_arrives_on_working_days_once_each(engine: Engine, sample_store: Dondoc) -> None:
    clock = Clock(datetime(2022, 1, 3, 7, 0, tzinfo=TZ), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    received: list[tuple[datetime, str, str]] = []  # (clock time, who, text)
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        channel = TelegramChannel(dispatcher)
        application = channel.build(api.token, builder=api.application_builder(), rate_limit=False)
        async with api.running(application):
            users = {}
            for unit in ("NV", "XP"):
                user = api.user(first_name=f"Đầu mối {unit}")
                await user.send(f"/start {invite_code(engine, unit, now=clock.now())}")
                await user.next_message()
                users[unit] = user
            sender = {"telegram": telegram_sender(application.bot)}
            service = reminder_service(engine, clock, CALENDAR, sender)
            day = date(2022, 1, 3)
            while day <= date(2022, 12, 31):
                if day == date(2022, 7, 1):
                    # Restart: a new process, and one that died after claiming 08:00's rows but
                    # before sending them. Nothing may be lost and nothing repeated.
                    service = reminder_service(engine, clock, CALENDAR, sender)
                    clock.set(datetime.combine(day, time(8, 0), tzinfo=TZ))
                    await service.tick()  # plans and sends 01/07's reminders
                    for unit, user in users.items():
                        received += [(clock.now(), unit, text) for text in _lines(user)]
                    with session_scope(engine) as session:
                        claim_due(session, clock.now() + timedelta(days=4), "dead-worker")
                    # ... the dead worker leased the organisation as of 05/07 (what is due up to
                    # then); the lease runs out and everything goes out after it, nothing twice.
                for moment in (time(7, 0), time(8, 0), time(18, 0)):
                    clock.set(datetime.combine(day, moment, tzinfo=TZ))
                    await service.tick()  # its sends are complete when it returns
                    for unit, user in users.items():
                        received += [(clock.now(), unit, text) for text in _lines(user)]
                if day == date(2022, 2, 8):
                    # Phòng Nội vụ reports I.1 done (late): its reminders stop.
                    nv = users["NV"]
                    await nv.send("/report I.1")
                    await nv.next_message()
                    await nv.press_button("Hoàn thành")
                    await nv.next_message()
                    await nv.send("08/02/2022")
                    await nv.next_message()
                    await nv.press_button("Bỏ qua")
                    await nv.next_message()
                    await nv.press_button("Bỏ qua")
                    await nv.next_message()
                    await nv.press_button("Xác nhận")
                    await nv.next_message()
                    nv.read_all()
                day += timedelta(days=1)

    assert received, "no reminder arrived in a whole year"
    for when, _who, _text in received:
        assert CALENDAR.is_working_day(when.date()), when
        assert time(7, 30) <= when.time() <= time(17, 0), when
    # The example of the issue: I.1 (due Mon 31/01/2022, Tết) reminds NV on 24/01 and 28/01 only,
    # then the first overdue nudge on 07/02; after the completion report on 08/02, nothing more.
    i1 = sorted({when.date() for when, who, text in received if who == "NV" and " I.1 " in text})
    assert i1 == [date(2022, 1, 24), date(2022, 1, 28), date(2022, 2, 7)]
    # One message per person per send time, and every item at most once a day.
    per_slot = Counter((when, who) for when, who, _text in received)
    assert max(per_slot.values()) == 1
    # Xà Phiên supports III.2 (due 30/09/2022): only the D−7 reminder, moved off the weekend.
    xp_support = [when.date() for when, who, text in received if who == "XP" and " III.3 " in text]
    assert xp_support, "a supporting unit got no reminder"
    with Session(engine) as session:
        rows = session.exec(select(Reminder)).all()
    # Nothing the dead worker held was dropped: every reminder due before the year's last week went
    # out, or was cancelled (its task done), or is held.
    stuck = [
        r
        for r in rows
        if r.state in (ReminderState.PENDING, ReminderState.CLAIMED) and r.send_at < clock.now() - timedelta(days=7)
    ]
    assert not stuck, "a claimed reminder was dropped"
    sent_keys = Counter((r.assignment_id, r.due, r.kind, r.send_on) for r in rows if r.state == ReminderState.SENT)
    assert max(sent_keys.values()) == 1
