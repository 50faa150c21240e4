"""The composition root with two channels: Telegram (the real PTB stack against the local Bot API
server) and a test double. What goes to a person goes out through the sender of that person's channel."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from dondoc.bot.app import assemble
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.db.models import MemberRole
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, Outbox, invite_code

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 is due in 7 days: its focal points are reminded
OTHER = "zalo"


async def test_replies_and_reminders_go_out_through_the_recipients_channel(
    engine: Engine, sample_store: Dondoc
) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    app = assemble(engine, clock, WorkCalendar(), bot_username="dondoc_test_bot")
    other = Outbox()  # the other channel's sender
    app.attach(OTHER, other.send)
    async with LocalBotApi(spec=bundled_spec(), strict=True) as api:
        application = app.attach_telegram(
            api.token, builder=api.application_builder(), rate_limit=False, run_reminders=False
        )
        async with api.running(application):
            # NV's focal point on Telegram; its deputy and a manager on the other channel.
            lan = api.user(first_name="Lan", language_code="vi")
            await lan.send(f"/start {invite_code(engine, 'NV', now=clock.now())}")
            await lan.next_message()
            deputy = Chat(app.dispatcher, "701", name="Mai", channel=OTHER)
            deputy.send(f"/start {invite_code(engine, 'NV', MemberRole.DEPUTY, now=clock.now())}")
            manager = Chat(app.dispatcher, "702", name="Hùng", channel=OTHER)
            manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=clock.now())}")

            app.reminders.schedule()  # at 07:00, as the daily replan does: 08:00's reminders are ahead
            clock.set(MONDAY)
            result = await app.reminders.tick()
            await api.wait_idle()
            assert result.messages >= 2  # the other units have no focal point yet: theirs are held
            reminder = await lan.next_message()
            assert "I.1" in (reminder.text or "") and "còn 7 ngày" in (reminder.text or "")
            assert len(other.texts("701")) == 1 and "I.1" in other.texts("701")[0]

            # A report on Telegram that alerts the managers: the alert to the manager on the other
            # channel goes out through that channel's sender.
            await lan.send("/report I.1")
            await lan.next_message()
            await lan.press_button("Vướng mắc")
            await lan.next_message()
            await lan.press_button("25%")
            await lan.next_message()
            await lan.send("Chưa có hướng dẫn của tỉnh")
            await lan.next_message()
            await lan.press_button("Bỏ qua")
            await lan.next_message()
            await lan.press_button("Xác nhận")
            await lan.next_message()
            await api.wait_idle()
    alerts = [text for text in other.texts("702") if "Chưa có hướng dẫn của tỉnh" in text]
    assert len(alerts) == 1 and "I.1" in alerts[0]
    assert not any("Chưa có hướng dẫn của tỉnh" in text for text in other.texts("701"))
