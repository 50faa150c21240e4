"""While a focal point is away, the reminders they would get go to the unit's deputy focal point (or,
without one, to the unit's managers, told why), once each; afterwards they come back to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import Assignment, Dispatch, MemberRole, Reminder, ReminderState, Unit
from dondoc.handlers.events import Reply, plain
from dondoc.plan.absences import Cover
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.figures import Owed, due_figure_reminders
from dondoc.scheduler.service import ReminderService
from dondoc.scheduler.weekly import WeeklyDigest
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV: I.1 and I.8 due 31/01; XP: I.8 and III.5
COVER = "vắng mặt đến"


def setup(
    engine: Engine, outbox: Outbox, people: list[tuple[str, str, MemberRole, str]]
) -> tuple[ReminderService[Reply], dict[str, Chat]]:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    chats = {}
    for user, unit, role, name in people:
        chat = Chat(dispatcher, user, name=name)
        chat.send(f"/start {invite_code(engine, unit, role, now=clock.now())}")
        assert "đã được ghi nhận" in chat.last, chat.last
        chats[user] = chat
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    service.schedule()
    return service, chats


def at(service: ReminderService[Reply], moment: datetime) -> None:
    service.clock.set(moment)


def sent(outbox: Outbox, user: str) -> list[Reply]:
    """The reminders ``user`` got (not the managers' weekly summary, which Monday also brings)."""
    return [reply for to, reply in outbox.sent if to == user and "Tổng hợp tuần" not in reply.text]


async def test_the_deputy_gets_the_reminders_once_while_the_focal_point_is_away_and_then_they_come_back(
    engine: Engine,
) -> None:
    outbox = Outbox()
    service, chats = setup(
        engine,
        outbox,
        [
            ("500", "NV", MemberRole.FOCAL, "Nguyễn Đầu Mối"),
            ("502", "NV", MemberRole.DEPUTY, "Trần Cấp Phó"),
            ("501", "NV", MemberRole.MANAGER, "Lê Lãnh Đạo"),
        ],
    )
    focal = chats["500"]
    focal.send("/vangmat 24/01 28/01 nghỉ phép")
    assert "Đã ghi nhận" in focal.last and "24/01/2022" in focal.last and "28/01/2022" in focal.last, focal.last
    assert "Trần Cấp Phó" in focal.last  # where the reminders go meanwhile

    at(service, MONDAY)
    await service.tick()
    assert sent(outbox, "500") == []
    [digest] = sent(outbox, "502")  # one message, though the deputy receives the unit's reminders anyway
    text = plain(digest.text)
    assert "Nguyễn Đầu Mối" in text and f"{COVER} 28/01/2022" in text and "nhận thay" in text, text
    assert "I.1" in text and digest.choices  # the deputy can report for the unit from it
    assert sent(outbox, "501") == []  # the managers are not bothered: there is a deputy

    at(service, datetime(2022, 1, 28, 8, 0, tzinfo=TZ))  # the last day away: the due reminder
    await service.tick()
    assert sent(outbox, "500") == []
    assert "I.1" in plain(sent(outbox, "502")[-1].text)

    at(service, datetime(2022, 2, 7, 8, 0, tzinfo=TZ))  # after the absence: overdue, to the focal point again
    await service.tick()
    [back] = sent(outbox, "500")
    assert "I.1" in plain(back.text) and COVER not in plain(back.text)
    assert COVER not in plain(sent(outbox, "502")[-1].text)
    with Session(engine) as session:
        states = {
            r.state
            for r in session.exec(
                select(Reminder)
                .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
                .join(Unit, col(Unit.id) == Assignment.unit_id)
                .where(Unit.code == "NV", Reminder.send_on <= date(2022, 2, 7), Reminder.audience == "focal")
            )
        }
    assert states == {ReminderState.SENT}  # nothing of NV's was held for want of a recipient


async def test_without_a_deputy_the_unit_managers_get_them_with_the_reason_and_escalations_stay(
    engine: Engine,
) -> None:
    outbox = Outbox()
    service, chats = setup(
        engine,
        outbox,
        [
            ("600", "XP", MemberRole.FOCAL, "Phạm Đầu Mối"),
            ("601", "XP", MemberRole.MANAGER, "Võ Lãnh Đạo"),
            ("602", "NV", MemberRole.MANAGER, "Đỗ Điều Phối"),  # the coordinating unit's manager
        ],
    )
    focal = chats["600"]
    focal.send("/vangmat 24/01 26/01")
    assert "Võ Lãnh Đạo" in focal.last and "lãnh đạo" in focal.last, focal.last

    at(service, MONDAY)
    await service.tick()
    assert sent(outbox, "600") == []
    [told] = sent(outbox, "601")
    text = plain(told.text)
    assert "Phạm Đầu Mối" in text and f"{COVER} 26/01/2022" in text and "nhận thay" in text, text
    assert "I.8" in text and "III.5" in text
    assert told.choices == []  # a manager cannot report with the focal point's buttons
    assert sent(outbox, "602") == []  # the unit's own manager is enough

    at(service, datetime(2022, 2, 21, 8, 0, tzinfo=TZ))
    await service.tick()
    assert any("I.8" in plain(r.text) for r in sent(outbox, "600"))  # back to the focal point
    assert all(COVER not in plain(r.text) for r in sent(outbox, "601")[1:])


async def test_a_person_away_cancels_and_reminders_come_back_at_once(engine: Engine) -> None:
    outbox = Outbox()
    service, chats = setup(
        engine,
        outbox,
        [("500", "NV", MemberRole.FOCAL, "Nguyễn Đầu Mối"), ("502", "NV", MemberRole.DEPUTY, "Trần Cấp Phó")],
    )
    focal = chats["500"]
    focal.send("/vangmat 24/01 28/01")
    focal.send("/vangmat")
    assert "24/01/2022" in focal.last
    focal.press("Hủy số")
    assert "Đã hủy" in focal.last, focal.last
    at(service, MONDAY)
    await service.tick()
    assert len(sent(outbox, "500")) == 1 and COVER not in plain(sent(outbox, "500")[0].text)
    assert COVER not in plain(sent(outbox, "502")[0].text)


def test_figure_reminders_go_to_the_stand_in_once_per_day(engine: Engine, sample_store: object) -> None:
    from tests.conftest import SAMPLE, Dondoc

    assert isinstance(sample_store, Dondoc)
    sample_store.ok("targets", "import", SAMPLE / "targets.yaml")
    now = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)  # the first quarter's figures are due
    dispatcher = make_dispatcher(engine, now)
    focal = Chat(dispatcher, "700", name="Nguyễn Đầu Mối")
    focal.send(f"/start {invite_code(engine, 'XP', now=now)}")
    deputy = Chat(dispatcher, "701", name="Trần Cấp Phó")
    deputy.send(f"/start {invite_code(engine, 'XP', MemberRole.DEPUTY, now=now)}")
    focal.send("/vangmat 15/03 18/03")
    assert "Đã ghi nhận" in focal.last, focal.last

    class Texts:
        def figures_due(self, unit: Unit, owed: list[Owed], today: date, covering: Sequence[Cover] = ()) -> str:
            return f"covering={len(covering)}"

    with Session(engine) as session:
        first: list[WeeklyDigest[str]] = due_figure_reminders(session, now, WorkCalendar(), Texts())
        to = [(d.account.chat_id, d.message) for d in first if d.account.chat_id in ("700", "701")]
        session.commit()
        again: list[WeeklyDigest[str]] = due_figure_reminders(
            session, now, WorkCalendar(), Texts()
        )  # another process, same day
        keys = list(session.exec(select(Dispatch.key)))
    assert to == [("701", "covering=1")], to
    assert again == []
    assert all(":person:" in k for k in keys)
