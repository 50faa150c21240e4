"""Several Zalo bots (issue 10, item 3): invites name the bot that serves the unit, a code sent to
another bot is refused and stays valid, one person links Telegram and Zalo, and reminders and
managers' alerts go to the chat the person wrote from last. The Zalo adapter is built elsewhere: the
dispatcher is driven with the channel keys it will use (``zalo:ln1``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import ChannelAccount, Invite, MemberRole, Person, Unit
from dondoc.db.queries import managers_of, reachable_members
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.plan.zalo_bots import ZaloBotInfo
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.plan.test_zalo_bots_registry import write_long_my_bots
from tests.scheduler.test_sweeper import Outbox

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)


def _with_bots(store: Dondoc, tmp_path: Path) -> None:
    store.ok("units", "import", write_long_my_bots(tmp_path))


def _invite(engine: Engine) -> Invite:
    """The newest invite."""
    with Session(engine) as session:
        invite = session.exec(select(Invite).order_by(col(Invite.id).desc())).first()
    assert invite is not None
    return invite


def _accounts(engine: Engine) -> list[ChannelAccount]:
    with Session(engine) as session:
        return list(session.exec(select(ChannelAccount).order_by(col(ChannelAccount.id))).all())


# ------------------------------------------------------------------------------------------- invites


def test_the_invite_command_names_the_bot_that_serves_the_unit(sample_store: Dondoc, tmp_path: Path) -> None:
    _with_bots(sample_store, tmp_path)
    result = sample_store.ok("invite", "XP", "--role", "focal", "--json").json()
    code = result["code"]
    assert result["link"] is None  # no TELEGRAM_BOT_USERNAME: no t.me link to a bot that may not be ours
    assert result["zalo"] == {
        "bot": "zalo:ln2",
        "name": "Bot CCHC Long Mỹ 2",
        "instructions": f"Mở Zalo, tìm Bot CCHC Long Mỹ 2, gửi mã {code}",
    }
    text = sample_store.ok(
        "invite", "NV", "--lang", "en", env={"TELEGRAM_BOT_USERNAME": "cchc_bot"}
    ).stdout.splitlines()
    assert text[2] == f"Open Zalo, find Bot CCHC Long Mỹ 1 and send the code {text[0]}"
    assert text[1] == f"https://t.me/cchc_bot?start={text[0]}"


def test_without_named_bots_the_invite_names_the_one_zalo_bot_if_there_is_one(sample_store: Dondoc) -> None:
    assert sample_store.ok("invite", "XP", "--json").json()["zalo"] is None  # Telegram only
    env = {"ZALO_BOT_TOKEN": "12345:abc", "ZALO_BOT_NAME": "Bot CCHC Long Mỹ"}
    result = sample_store.ok("invite", "XP", "--json", env=env).json()
    assert result["zalo"] == {
        "bot": "zalo",
        "name": "Bot CCHC Long Mỹ",
        "instructions": f"Mở Zalo, tìm Bot CCHC Long Mỹ, gửi mã {result['code']}",
    }
    unnamed = sample_store.ok("invite", "XP", "--json", env={"ZALO_BOT_TOKEN": "12345:abc"}).json()
    assert unnamed["zalo"]["name"] is None and unnamed["zalo"]["instructions"].startswith("Mở Zalo, tìm bot")


def test_an_admin_invite_in_chat_names_the_bot(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    _with_bots(sample_store, tmp_path)
    admin = Chat(make_dispatcher(engine, NOW), "700", channel="telegram")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    admin.send("/invite xa phien focal")
    lines = admin.last.splitlines()
    code = lines[1]
    assert f"Mở Zalo, tìm Bot CCHC Long Mỹ 2, gửi mã {code}" in lines
    assert lines[-1] == f"https://t.me/dondoc_test_bot?start={code}"


# ------------------------------------------------------------------------------------- the wrong bot


def test_a_code_sent_to_the_wrong_bot_is_refused_naming_the_right_one_and_stays_valid(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    dispatcher = make_dispatcher(engine, NOW)
    code = invite_code(engine, "XP", now=NOW)  # Xà Phiên is served by ln2
    wrong = Chat(dispatcher, "z-1", channel="zalo:ln1")
    wrong.send(code)
    assert "Bot CCHC Long Mỹ 2" in wrong.last and "vẫn còn hiệu lực" in wrong.last
    unnamed = Chat(dispatcher, "z-2", channel="zalo")  # the one bot of ZALO_BOT_TOKEN serves none of them
    unnamed.send(f"/start {code}")
    assert "Bot CCHC Long Mỹ 2" in unnamed.last
    assert _invite(engine).used_at is None
    assert _accounts(engine) == []
    right = Chat(dispatcher, "z-3", channel="zalo:ln2")
    right.send(code)
    assert "đầu mối của Ủy ban nhân dân xã Xà Phiên" in right.last
    assert [(a.channel, a.external_id) for a in _accounts(engine)] == [("zalo:ln2", "z-3")]
    wrong.send(code)
    assert "đã được sử dụng" in wrong.last


def test_telegram_takes_any_code_and_an_unnamed_bot_serves_what_no_named_bot_serves(engine: Engine) -> None:
    # No bot named in the registry: the one Zalo bot serves every unit, Telegram too.
    single = ZaloBotInfo(key="zalo", name=None, display_name="Bot CCHC", token_env="ZALO_BOT_TOKEN")
    dispatcher = Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot", zalo=single))
    zalo = Chat(dispatcher, "z-9", channel="zalo")
    zalo.send(invite_code(engine, "XP", now=NOW))
    assert "Xà Phiên" in zalo.last
    telegram = Chat(dispatcher, "t-9", channel="telegram")
    telegram.send(invite_code(engine, "NV", now=NOW))
    assert "Phòng Nội vụ" in telegram.last


# ----------------------------------------------------------------------------------- linking channels


def _focal_on_telegram(engine: Engine, unit: str = "XP", at: datetime = NOW) -> Chat:
    chat = Chat(make_dispatcher(engine, at), "100", channel="telegram")
    chat.send(f"/start {invite_code(engine, unit, now=at)}")
    return chat


def _link_code(chat: Chat) -> str:
    chat.send("/link")
    return next(line for line in chat.last.splitlines() if len(line) == 9 and line[4] == "-")


def test_a_person_links_zalo_to_their_telegram_registration(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    telegram = _focal_on_telegram(engine)
    code = _link_code(telegram)
    assert "Mở Zalo, tìm Bot CCHC Long Mỹ 2, gửi mã" in telegram.last and "15 phút" in telegram.last
    with Session(engine) as session:
        stored = session.exec(select(Invite).order_by(col(Invite.id).desc())).first()
        assert stored is not None and code.replace("-", "") not in stored.code_hash  # hashed, like invites
    zalo = Chat(telegram.dispatcher, "z-100", channel="zalo:ln2", name="An Zalo")
    zalo.send(code)
    assert "Đã liên kết" in zalo.last
    accounts = _accounts(engine)
    assert [(a.channel, a.external_id) for a in accounts] == [("telegram", "100"), ("zalo:ln2", "z-100")]
    assert accounts[0].person_id == accounts[1].person_id
    with Session(engine) as session:
        assert len(session.exec(select(Person)).all()) == 1
    zalo.send("/whoami")
    assert "Xà Phiên" in zalo.last
    assert "Telegram" in zalo.last and "Zalo — Bot CCHC Long Mỹ 2 (đang dùng)" in zalo.last
    zalo.send("/tasks")
    assert "I.2" in zalo.last  # the same person, the same unit, from Zalo
    # The code works once.
    other = Chat(telegram.dispatcher, "z-101", channel="zalo:ln2")
    other.send(code)
    assert "đã được sử dụng" in other.last
    assert len(_accounts(engine)) == 2


def test_a_link_code_expires_and_is_refused_where_it_does_not_belong(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    telegram = _focal_on_telegram(engine)
    code = _link_code(telegram)
    # Sent to a bot that does not serve the unit: refused, still valid.
    wrong = Chat(telegram.dispatcher, "z-200", channel="zalo:ln1")
    wrong.send(code)
    assert "Bot CCHC Long Mỹ 2" in wrong.last
    # Sent from a chat already registered to someone else: refused, still valid.
    someone = Chat(telegram.dispatcher, "z-201", channel="zalo:ln2")
    someone.send(invite_code(engine, "LN", now=NOW))
    someone.send(f"/link {code}")
    assert "chưa đăng ký" in someone.last
    # Sent from the same chat: nothing to link.
    telegram.send(f"/start {code}")
    assert "đã được liên kết" in telegram.last
    with Session(engine) as session:
        assert session.exec(select(Invite).where(col(Invite.link_person_id).is_not(None))).one().used_at is None
    telegram.dispatcher.clock.advance(timedelta(minutes=16))
    late = Chat(telegram.dispatcher, "z-202", channel="zalo:ln2")
    late.send(code)
    assert "đã hết hạn" in late.last
    assert len(_accounts(engine)) == 2  # telegram 100 and z-201 (someone else)


def test_link_from_a_stranger_without_a_code_explains_how_to_get_in(engine: Engine) -> None:
    stranger = Chat(make_dispatcher(engine, NOW), "z-300", channel="zalo")
    stranger.send("/link")
    assert "mã mời" in stranger.last
    assert _accounts(engine) == []


# ------------------------------------------------------------------------------- the last-used chat


def _linked(engine: Engine, clock: Clock, unit: str, role: MemberRole, user: str, bot: str) -> tuple[Chat, Chat]:
    dispatcher = make_dispatcher(engine, clock.now())
    dispatcher.clock = clock
    telegram = Chat(dispatcher, f"t-{user}", channel="telegram")
    telegram.send(f"/start {invite_code(engine, unit, role, now=clock.now())}")
    clock.advance(timedelta(minutes=1))
    code = _link_code(telegram)
    clock.advance(timedelta(minutes=1))
    zalo = Chat(dispatcher, f"z-{user}", channel=bot)
    zalo.send(code)
    assert "Đã liên kết" in zalo.last
    return telegram, zalo


async def test_reminders_go_to_the_chat_the_person_wrote_from_last(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    telegram, _zalo = _linked(engine, clock, "NV", MemberRole.FOCAL, "1", "zalo:ln1")
    outbox_telegram, outbox_zalo = Outbox(), Outbox()
    service = reminder_service(
        engine, clock, WorkCalendar(), {"telegram": outbox_telegram.send, "zalo:ln1": outbox_zalo.send}
    )
    service.schedule()
    clock.set(MONDAY)
    await service.tick()
    assert len(outbox_zalo.texts("z-1")) == 1 and outbox_telegram.sent == []  # Zalo was used last
    clock.advance(timedelta(hours=1))
    telegram.send("/tasks")  # now Telegram is the last one used
    for day in range(1, 15):
        clock.set(MONDAY + timedelta(days=day))
        await service.tick()
    assert outbox_telegram.texts("t-1")
    assert len(outbox_zalo.sent) == 1


async def test_managers_alerts_go_to_the_chat_they_wrote_from_last(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    clock = Clock(NOW, frozen=True)
    manager_telegram, _manager_zalo = _linked(engine, clock, "NV", MemberRole.MANAGER, "2", "zalo:ln1")
    focal = Chat(manager_telegram.dispatcher, "z-focal", channel="zalo:ln2")
    focal.send(invite_code(engine, "XP", now=clock.now()))
    alerts = [r for r in focal.send("I.2 vướng chờ ý kiến Sở Nội vụ") if r.to is not None]
    assert [(a.to.channel, a.to.chat_id) for a in alerts if a.to] == [("zalo:ln1", "z-2")]
    clock.advance(timedelta(minutes=5))
    manager_telegram.send("/status")
    alerts = [r for r in focal.send("I.2 vướng thiếu kinh phí") if r.to is not None]
    assert [(a.to.channel, a.to.chat_id) for a in alerts if a.to] == [("telegram", "t-2")]


def test_without_any_message_the_oldest_account_is_used(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    _with_bots(sample_store, tmp_path)
    clock = Clock(NOW, frozen=True)
    _linked(engine, clock, "NV", MemberRole.MANAGER, "3", "zalo:ln1")
    with Session(engine) as session:
        for account in session.exec(select(ChannelAccount)):
            account.last_used_at = None  # accounts from before this was recorded
            session.add(account)
        session.commit()
        nv = session.exec(select(Unit).where(Unit.code == "NV")).one()
        [(_person, account)] = managers_of(session, nv)
        assert account.channel == "telegram"
        [member] = reachable_members(session, (MemberRole.MANAGER,), unit_ids=[nv.id or 0], bound=True)
        assert member.account is not None and member.account.channel == "telegram"


async def test_a_reminder_goes_to_a_linked_chat_this_process_can_reach(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    # Zalo was used last, but this process runs Telegram only (the Zalo bot left the registry, say):
    # the reminder goes to Telegram rather than waiting for a Zalo bot that may never come back.
    _with_bots(sample_store, tmp_path)
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    _linked(engine, clock, "NV", MemberRole.FOCAL, "4", "zalo:ln1")
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"telegram": outbox.send})
    service.schedule()
    clock.set(MONDAY)
    await service.tick()
    assert len(outbox.texts("t-4")) == 1


async def test_the_weekly_digest_goes_to_the_chat_the_manager_wrote_from_last(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _with_bots(sample_store, tmp_path)
    clock = Clock(datetime(2022, 2, 14, 7, 0, tzinfo=TZ), frozen=True)  # a Monday
    telegram, _zalo = _linked(engine, clock, "NV", MemberRole.MANAGER, "5", "zalo:ln1")
    outbox_telegram, outbox_zalo = Outbox(), Outbox()
    senders = {"telegram": outbox_telegram.send, "zalo:ln1": outbox_zalo.send}
    service = reminder_service(engine, clock, WorkCalendar(), senders)
    clock.set(datetime(2022, 2, 14, 8, 0, tzinfo=TZ))
    assert await service.send_weekly(clock.now()) == 1
    assert [t for t in outbox_zalo.texts("z-5") if "Tổng hợp tuần" in t] and outbox_telegram.sent == []
    # Next week the manager has written from Telegram last: the digest goes there.
    clock.set(datetime(2022, 2, 18, 9, 0, tzinfo=TZ))
    telegram.send("/overdue")
    clock.set(datetime(2022, 2, 21, 8, 0, tzinfo=TZ))
    assert await service.send_weekly(clock.now()) == 1
    assert [t for t in outbox_telegram.texts("t-5") if "Tổng hợp tuần" in t]
    assert len(outbox_zalo.sent) == 1
