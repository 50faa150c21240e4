"""A sweep pass meets a refused message: it goes on, and what it sent is recorded once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from dondoc.bot.app import reminder_service
from dondoc.bot.local_api.markup import MarkupError, parse_text
from dondoc.db.models import MemberRole
from dondoc.handlers.events import Rejected, Reply, Unreachable
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import LEASE
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)
HOSTILE = "<b&\"'> Lan"


class HtmlChannel:
    """Refuses what Telegram would refuse (bad HTML); chat 500 blocked the bot."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> str:
        if chat_id == "500":
            raise Unreachable("Forbidden: bot was blocked by the user")
        try:
            parse_text(reply.text, "HTML")
        except MarkupError as exc:
            raise Rejected(str(exc)) from exc
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    def texts(self, chat_id: str) -> list[str]:
        return [reply.text for to, reply in self.sent if to == chat_id]


async def test_a_blocked_focal_point_with_markup_in_the_name_is_reported_and_the_pass_goes_on(
    engine: Engine,
) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    people = {
        "500": (HOSTILE, MemberRole.FOCAL),
        "501": ("Hùng", MemberRole.MANAGER),
        "502": ("Mai", MemberRole.DEPUTY),
        "503": ("Bình", MemberRole.DEPUTY),
    }
    for chat_id, (name, role) in people.items():
        Chat(dispatcher, chat_id, name=name).send(f"/start {invite_code(engine, 'NV', role, now=clock.now())}")
    channel = HtmlChannel()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": channel.send})
    service.schedule()
    clock.set(MONDAY)

    result = await service.tick()

    assert result.unreachable
    alerts = [text for text in channel.texts("501") if text.startswith("⚠")]
    assert len(alerts) == 1 and HOSTILE in parse_text(alerts[0], "HTML").text
    assert len(channel.texts("502")) == 1 and len(channel.texts("503")) == 1
    clock.set(MONDAY + LEASE + timedelta(minutes=1))
    await service.tick()
    assert len(channel.texts("502")) == 1 and len(channel.texts("503")) == 1  # recorded: not sent twice
