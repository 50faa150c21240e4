"""The Zalo channel end to end: the real client and adapter polling the Zalo-shaped fake server, which
refuses (and records) anything Zalo does not define; every test ends with no such request and no
message over 2,000 characters."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.zalo.channel import render, split_plain, stored_file, zalo_sender
from dondoc.bot.zalo.client import ZaloClient
from dondoc.bot.zalo.fake import PNG, FakeZaloServer
from dondoc.db.models import MemberRole, Person, Reminder, ReminderKind, Report, Status
from dondoc.db.usage import month_of, month_usage
from dondoc.handlers.events import Choice, QuotaSpent, Reply, TemporaryFailure, Unreachable
from dondoc.handlers.reminders import button_data
from dondoc.scheduler.clock import Clock
from dondoc.tz import TZ
from tests.bot.zalo.conftest import Zalo, running_zalo
from tests.handlers.helpers import Chat, invite_code

MONDAY = datetime(2022, 1, 24, 8, 0, tzinfo=TZ)  # NV's I.1 is due in 7 days: its focal points are reminded


def reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))).all())


def number_of(text: str, label: str) -> str:
    """The number a message gives the choice whose label starts with ``label``."""
    found = re.search(rf"^(\d+)\. {re.escape(label)}", text, re.MULTILINE)
    assert found is not None, f"no choice {label!r} in:\n{text}"
    return found.group(1)


async def test_a_person_binds_by_sending_the_bare_code_first(zalo: Zalo, engine: Engine) -> None:
    lan = zalo.server.user("Trần Thị Lan")
    hello = await zalo.say(lan, "xin chào")
    assert len(hello) == 1 and "mã mời" in hello[0]
    greeting = await zalo.say(lan, invite_code(engine, "NV", now=zalo.clock.now()))
    assert len(greeting) == 1 and "Phòng Nội vụ" in greeting[0] and "Trần Thị Lan" in greeting[0]
    assert "<b>" not in greeting[0]  # plain text: Zalo shows no markup
    with Session(engine) as session:
        assert session.exec(select(Person)).one().full_name == "Trần Thị Lan"


async def test_the_whole_report_conversation_typed_with_numbers_only(zalo: Zalo, engine: Engine) -> None:
    lan = await zalo.bound("NV")
    [tasks] = await zalo.say(lan, "/report")
    first = number_of(tasks, "I.")
    assert "gõ số" in tasks
    [status] = await zalo.say(lan, first)
    [percent] = await zalo.say(lan, number_of(status, "Đang thực hiện"))
    # The percent step reads typing first, so it lists no numbered choices: a typed 3 is 3 %.
    assert "từ 0 đến 100" in percent and "1. 25%" not in percent
    [note] = await zalo.say(lan, "3")
    [evidence] = await zalo.say(lan, number_of(note, "Bỏ qua"))
    [card] = await zalo.say(lan, number_of(evidence, "Bỏ qua"))
    assert "Đang thực hiện — 3%" in card
    [done] = await zalo.say(lan, number_of(card, "Xác nhận"))
    assert "Đã ghi nhận" in done
    [report] = reports(engine)
    assert (report.status, report.percent) == (Status.IN_PROGRESS, 3)


async def test_a_choice_typed_by_its_label_without_diacritics(zalo: Zalo, engine: Engine) -> None:
    lan = await zalo.bound("NV")
    await zalo.say(lan, "/report I.1")
    [answer] = await zalo.say(lan, "hoan thanh")
    assert "ngày nào" in answer
    [note] = await zalo.say(lan, "1")  # today
    assert "ghi chú" in note


async def test_one_line_reports_of_every_form_get_exactly_one_reply(zalo: Zalo, engine: Engine) -> None:
    lan = await zalo.bound("NV")
    lines = [
        "I.1 60",
        "I.1 60% đã trình dự thảo",
        "I.1 xong",
        "I.1 hoàn thành",
        "I.1 hoan thanh",
        "I.1 100",
        "I.1 xong 28/01",
        "I.1 vướng chờ ý kiến Sở Nội vụ",
        "I.1 vuong thieu kinh phi",
        "I.1 chưa",
        "I.1 xong 28/01/2022 Quyết định số 15/QĐ-UBND",
    ]
    for line in lines:
        answer = await zalo.say(lan, line)
        assert len(answer) == 1, (line, answer)
        assert "I.1" in answer[0] and "hủy" in answer[0]
    recorded = reports(engine)
    assert len(recorded) == len(lines)
    last = recorded[-1]
    assert (last.status, last.completed_on, last.evidence_ref) == (
        Status.DONE,
        datetime(2022, 1, 28).date(),
        "15/QĐ-UBND",
    )


async def test_an_evidence_photo_is_kept_in_the_store(zalo: Zalo, engine: Engine) -> None:
    lan = await zalo.bound("NV")
    await zalo.say(lan, "/report I.1")
    await zalo.say(lan, "dang thuc hien")
    await zalo.say(lan, "50")
    [evidence] = await zalo.say(lan, "Đã trình dự thảo")
    assert "ảnh" in evidence
    before = len(lan.messages)
    photo = PNG + b"evidence"
    await lan.send_image(photo, caption="Ảnh biên bản")
    [card] = await zalo.settle(lan, before)
    zalo.server.expire_files()  # the URL was temporary: the copy must not depend on it
    assert "Minh chứng: ảnh" in card
    await zalo.say(lan, number_of(card, "Xác nhận"))
    [report] = reports(engine)
    assert report.evidence_kind == "photo" and report.evidence_file_id.startswith("stored:")
    kept = stored_file(engine, report.evidence_file_id)
    assert kept is not None and kept.data == photo


async def test_a_photo_from_a_stranger_is_not_stored_and_a_huge_one_is_refused(zalo: Zalo, engine: Engine) -> None:
    stranger = zalo.server.user("Người lạ")
    before = len(stranger.messages)
    await stranger.send_image(PNG)
    [answer] = await zalo.settle(stranger, before)
    assert "mã mời" in answer
    lan = await zalo.bound("NV")
    before = len(lan.messages)
    await lan.send_image(b"x" * (10 * 1024 * 1024 + 1))
    [refused] = await zalo.settle(lan, before)
    assert "10 MB" in refused
    assert stored_file(engine, "stored:1") is None


@pytest.mark.parametrize("kind", ["sticker", "voice", "unsupported"])
async def test_stickers_voice_and_other_messages_get_an_explanation(zalo: Zalo, kind: str) -> None:
    lan = await zalo.bound("NV")
    before = len(lan.messages)
    await getattr(lan, f"send_{kind}")()
    [answer] = await zalo.settle(lan, before)
    assert "không đọc được" in answer and "/help" in answer


async def test_a_group_chat_is_not_private(zalo: Zalo, engine: Engine) -> None:
    lan = await zalo.bound("NV", user_id="500")
    in_group = zalo.server.user("Trần Thị Lan", user_id="500", group_id="g-700")
    [told] = await zalo.say(in_group, "/report I.1")
    assert "riêng" in told and "t.me" not in told
    assert await zalo.say(in_group, "I.1 xong") == []
    await in_group.send_sticker()
    assert await zalo.settle(in_group, 1) == []
    assert reports(engine) == []
    assert "Phòng Nội vụ" in (await zalo.say(lan, "/whoami"))[0]  # the private chat is untouched


async def test_a_long_reply_is_split_under_2000_characters_at_line_breaks(zalo: Zalo) -> None:
    lan = await zalo.bound("NV")
    lines = [f"{n:03d}. " + "Nhiệm vụ cải cách hành chính " * 3 for n in range(120)]
    message_id = await zalo.channel.send(lan.chat_id, Reply(text="\n".join(lines)))
    parts = [m.text for m in lan.messages[1:]]
    assert message_id == lan.messages[-1].message_id
    assert len(parts) > 1 and all(len(part) <= 2000 for part in parts)
    assert [line.rstrip() for line in "\n".join(parts).split("\n")] == [line.rstrip() for line in lines]
    assert split_plain("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]


async def test_a_reminder_digest_arrives_numbered_and_typing_a_number_picks_its_button(engine: Engine) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    async with running_zalo(engine, clock) as zalo:
        lan = await zalo.bound("NV")
        zalo.app.reminders.schedule()  # at 07:00, as the daily replan does: 08:00's reminders are ahead
        clock.set(MONDAY)
        before = len(lan.messages)
        await zalo.app.reminders.tick()
        [digest] = await zalo.settle(lan, before)
        assert "I.1" in digest and "còn 7 ngày" in digest
        assert "1. 📝 I.1   2. 📝 I.8" in digest and "(ví dụ 1b): Nhắc lại sau" in digest
        # 2b: the second item's "Nhắc lại sau", as if its button were pressed.
        [snoozed] = await zalo.say(lan, "2b")
        assert "I.8" in snoozed and "25/01/2022" in snoozed
        # The answer recalls the item left, whose number still picks its button.
        assert "1. 📝 I.1" in snoozed and "2. 📝 I.8" not in snoozed
        [after] = await zalo.say(lan, "1")
        assert "I.1" in after and "Đang thực hiện" in after
        with Session(engine) as session:
            snoozes = session.exec(select(Reminder).where(Reminder.kind == ReminderKind.SNOOZE)).all()
        assert len(snoozes) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1", ["I.1", "Đang thực hiện"]),  # the first item's report button
        ("1C", ["ngày nào"]),  # its "Đã hoàn thành": the task, then straight to the completion date
        ("2 nhac lai sau", ["I.8", "25/01/2022"]),  # number and label, without diacritics
        ("i.8", ["I.8", "Đang thực hiện"]),  # a label only one choice has
    ],
)
async def test_a_digest_choice_typed_in_other_forms(engine: Engine, typed: str, expected: list[str]) -> None:
    clock = Clock(MONDAY - timedelta(hours=1), frozen=True)
    async with running_zalo(engine, clock) as zalo:
        lan = await zalo.bound("NV")
        zalo.app.reminders.schedule()
        clock.set(MONDAY)
        before = len(lan.messages)
        await zalo.app.reminders.tick()
        await zalo.settle(lan, before)
        answer = (await zalo.say(lan, typed))[-1]
        assert all(part in answer for part in expected), answer


def test_a_digest_of_ten_items_is_numbered_compactly() -> None:
    rows = [
        [
            Choice(f"📝 I.{n}", button_data(n, "r")),
            Choice("Nhắc lại sau", button_data(n, "s")),
            Choice("Đã hoàn thành", button_data(n, "d")),
        ]
        for n in range(1, 11)
    ]
    rendered = render(Reply(text="<b>Nhắc việc</b>", choices=rows))
    [text] = rendered.parts
    assert rendered.typed is not None
    assert len(text.splitlines()) < 10  # not thirty numbered lines
    assert "1. 📝 I.1" in text and "10. 📝 I.10" in text and "1b" in text and "1c" in text
    typed = rendered.typed
    assert typed["3"] == button_data(3, "r") and typed["3b"] == button_data(3, "s")
    assert typed["10c"] == button_data(10, "d") and typed["3 nhac lai sau"] == button_data(3, "s")
    assert typed["i 7"] == button_data(7, "r")  # a label only one choice has


async def test_status_for_a_manager_in_plain_text(zalo: Zalo) -> None:
    manager = await zalo.bound("NV", MemberRole.MANAGER, name="Lê Văn Hùng")
    [status] = await zalo.say(manager, "/status")
    assert "Hoàn thành" in status and "<b>" not in status and "&amp;" not in status


async def test_a_file_reply_says_it_cannot_go_to_zalo_and_what_works(zalo: Zalo) -> None:
    manager = await zalo.bound("NV", MemberRole.MANAGER, name="Lê Văn Hùng")
    [export] = await zalo.say(manager, "/export")
    assert "dondoc export" in export and "Telegram" not in export  # blocked in Vietnam: never sent there
    [chart] = await zalo.say(manager, "/chart")
    assert "Theo đơn vị" in chart  # the chart's figures, as text
    assert not zalo.server.calls("sendPhoto")


async def test_a_spent_quota_is_quota_spent_and_a_server_error_a_temporary_failure(engine: Engine) -> None:
    async with running_zalo(engine, Clock(MONDAY, frozen=True), quota=2) as zalo:
        lan = await zalo.bound("NV")  # one message sent
        send = zalo_sender(zalo.channel.client, engine, zalo.clock)
        zalo.server.fail_next("sendMessage", 502, "Bad Gateway")
        with pytest.raises(TemporaryFailure):
            await send(lan.chat_id, Reply(text="Nhắc việc"))
        await send(lan.chat_id, Reply(text="Nhắc việc"))  # the second of the month's two
        with pytest.raises(QuotaSpent):
            await send(lan.chat_id, Reply(text="Nhắc việc"))
        with pytest.raises(Unreachable):  # a chat that never wrote to the bot
            await send("424242", Reply(text="Nhắc việc"))
        # A reply that meets the spent quota is logged, never raised into the polling loop.
        await lan.send_text("/whoami")
        await zalo.server.settled()
        assert lan.texts[-1] == "Nhắc việc"


async def test_the_client_polls_again_after_an_empty_poll(engine: Engine) -> None:
    async with FakeZaloServer(max_poll_wait=0.001) as server, ZaloClient(server.token, server.base_url) as client:
        assert await client.get_updates(30) is None
        assert server.requests[-1].status == 408


async def test_an_alert_for_a_manager_on_another_channel_goes_through_its_sender(zalo: Zalo, engine: Engine) -> None:
    sent: list[tuple[str, Reply]] = []

    async def other(chat_id: str, reply: Reply) -> str:
        sent.append((chat_id, reply))
        return "1"

    zalo.app.attach("telegram", other)
    manager = Chat(zalo.app.dispatcher, "702", name="Hùng", channel="telegram")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=zalo.clock.now())}")
    lan = await zalo.bound("NV")
    [answer] = await zalo.say(lan, "I.1 vướng chờ ý kiến Sở Nội vụ")
    assert "I.1" in answer
    [(chat_id, alert)] = sent
    assert chat_id == "702" and "chờ ý kiến Sở Nội vụ" in alert.text
    assert all("chờ ý kiến" not in m.text or m is lan.messages[-1] for m in zalo.server.sent)


async def test_every_message_in_and_out_counts_against_the_bots_month(zalo: Zalo, engine: Engine) -> None:
    lan = await zalo.bound("NV")
    with Session(engine) as session:
        before = {u.channel: (u.inbound, u.outbound) for u in month_usage(session, month_of(zalo.clock.now()))}
    answer = await zalo.say(lan, "I.1 xong 28/01/2022 Quyết định số 15/QĐ-UBND")
    assert len(answer) == 1
    with Session(engine) as session:
        after = {u.channel: (u.inbound, u.outbound) for u in month_usage(session, month_of(zalo.clock.now()))}
    came, went = before.get("zalo", (0, 0))
    assert after["zalo"] == (came + 1, went + 1)  # one message in, one out: what Zalo's free plan counts


async def test_the_reminder_jobs_zalo_sender_sends_one_message_at_a_time(engine: Engine) -> None:
    """The reminder job has several digests on their way at once; a Zalo bot gets them one by one."""
    async with running_zalo(engine, Clock(MONDAY, frozen=True)) as zalo:
        people = [await zalo.bound("NV", name=f"Cán bộ {n}") for n in range(4)]
        send = zalo_sender(zalo.channel.client, engine, zalo.clock)
        client = zalo.channel.client
        under_way, most = 0, 0
        send_message = client.send_message

        async def counted(chat_id: str, text: str) -> str:
            nonlocal under_way, most
            under_way += 1
            most = max(most, under_way)
            try:
                return await send_message(chat_id, text)
            finally:
                under_way -= 1

        client.send_message = counted  # type: ignore[method-assign]
        await asyncio.gather(*(send(person.chat_id, Reply(text=f"Nhắc việc {n}")) for n, person in enumerate(people)))
        assert most == 1
        assert [person.texts[-1] for person in people] == [f"Nhắc việc {n}" for n in range(4)]
