"""What managers and focal points read in /status, /nonresponders and the prompts, on each channel
(chat audit): the on-time rate is "—" while nothing is done or overdue (undefined, not 0 %); Zalo
(plain text in a proportional font) gets the by-area counts as lines, not a table whose columns
never line up; a recurring task owed twice is named once with its due dates; and Zalo, which has no
buttons, is never told to tap one ("bấm") but to type the choice's number."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.zalo.channel import render
from dondoc.db.models import ChannelAccount, MemberRole, Person, Plan
from dondoc.db.session import open_store
from dondoc.handlers.context import Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Reply, plain
from dondoc.handlers.reminders import render_digest
from dondoc.i18n import use_language
from dondoc.plan.console import status_lines
from dondoc.plan.progress import plan_status
from dondoc.scheduler.clock import TZ, Clock
from dondoc.scheduler.outbox import Digest, DueItem, Recipient
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.handlers.test_province import PROVINCE, _province
from tests.handlers.test_scope import A, B

BEFORE_ANY_DEADLINE = datetime(2022, 1, 10, 9, 0, tzinfo=TZ)  # the sample's first deadlines are 31/01/2022
MID_MARCH = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)  # I.1 of Phòng Nội vụ overdue since 31/01/2022
APRIL = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)  # I.2 of Xà Phiên overdue since 31/03/2022
RATE = "Tỷ lệ đúng hạn"
UNDEFINED = "Tỷ lệ đúng hạn: — (chưa có nội dung nào hoàn thành hoặc quá hạn)"
TAP = re.compile(r"\bbấm\b|\bnhấn\b|\bnút\b", re.IGNORECASE)


def _manager(engine: Engine, at: datetime, channel: str = "test", user: str = "900") -> Chat:
    chat = Chat(make_dispatcher(engine, at), user, name="Lê Lãnh Đạo", channel=channel)
    chat.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=at)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat


def _rate_line(text: str) -> str:
    return next(line for line in plain(text).splitlines() if line.startswith(RATE))


# ------------------------------------------------------------------------------- the on-time rate


def test_the_on_time_rate_is_a_dash_while_nothing_is_done_or_overdue(engine: Engine) -> None:
    for channel in ("test", "zalo"):
        manager = _manager(engine, BEFORE_ANY_DEADLINE, channel, user=f"{channel}-1")
        manager.send("/status")
        assert _rate_line(manager.last) == UNDEFINED, manager.last
        assert "0,0%" not in manager.last
        manager.send("/status xa phien")  # one unit: nothing due either
        assert _rate_line(manager.last) == UNDEFINED, manager.last

    # once something is overdue the rate is defined: 0 of 5 on time is 0 %
    manager = _manager(engine, MID_MARCH, user="901")
    manager.send("/status")
    assert _rate_line(manager.last) == "Tỷ lệ đúng hạn: 0,0%", manager.last

    # the terminal's `dondoc status` says the same
    with Session(engine) as session, use_language("vi"):
        plan = session.exec(select(Plan)).one()
        lines = list(status_lines(plan, plan_status(session, plan, BEFORE_ANY_DEADLINE.date())))
        later = list(status_lines(plan, plan_status(session, plan, MID_MARCH.date())))
    assert UNDEFINED in lines and "Tỷ lệ đúng hạn: 0,0%" in later


# ------------------------------------------------------------------------------- the by-area counts


def test_status_on_zalo_lists_the_areas_as_lines_and_telegram_keeps_its_table(engine: Engine) -> None:
    zalo = _manager(engine, MID_MARCH, "zalo", "z-1")
    zalo.send("/status")
    text = zalo.history[-1].text
    assert "<pre>" not in text
    lines = plain(text).splitlines()
    assert "• I. Công tác chỉ đạo, điều hành cải cách hành chính: 126 chưa thực hiện · 3 quá hạn" in lines, text
    assert "• II. Cải cách thể chế: 5 chưa thực hiện" in lines, text
    assert "ĐH: Hoàn thành đúng hạn" not in text  # no legend of column heads: there are no columns
    parts = render(zalo.history[-1]).parts
    assert parts and all(len(part) <= 2000 for part in parts)

    telegram = _manager(engine, MID_MARCH, "test", "t-1")
    telegram.send("/status")
    text = telegram.history[-1].text
    assert "<pre>" in text and "ĐH: Hoàn thành đúng hạn" in text
    assert "Công tác chỉ đạo" not in text  # the table names areas by their numerals


def test_a_province_on_zalo_gets_area_lines_and_each_organisations_rate(sample_store: Dondoc, tmp_path: Path) -> None:
    _province(sample_store, tmp_path)
    invite = sample_store.ok("invite", "VPUB", "--org", PROVINCE, "--role", "province", "--json").json()
    engine = open_store(sample_store.url)
    clock = Clock(BEFORE_ANY_DEADLINE, frozen=True)
    dispatcher = Dispatcher(engine, clock, Deployment(bot_username="dondoc_test_bot"))
    province = Chat(dispatcher, "z-700", name="Lãnh Đạo Tỉnh", channel="zalo")
    province.send(f"/start {invite['code']}")
    province.send("/status")
    text = plain(province.history[-1].text)
    assert "<pre>" not in province.history[-1].text
    assert "• VII. Xây dựng và phát triển Chính quyền điện tử: 20 chưa thực hiện" in text, text  # both plans
    assert _rate_line(text) == UNDEFINED
    for name in (A, B):  # nothing due in either: no "0,0%" per organisation
        [line] = [line for line in text.splitlines() if line.startswith(f"• {name}:")]
        assert line.endswith("· —"), line
    engine.dispose()


# ------------------------------------------------------------------------------- /nonresponders


def test_nonresponders_name_a_recurring_task_once_with_its_due_dates(engine: Engine) -> None:
    manager = _manager(engine, MID_MARCH)
    manager.send("/nonresponders")
    text = manager.last
    # I.8 and III.5 are monthly: January's and February's deadlines are both unreported
    assert "• 🔕 Trung tâm Văn hóa – Thể thao và Truyền thanh huyện: I.8 (31/01, 28/02)" in text, text  # no focal point
    assert "III.5 (31/01, 28/02)" in text
    assert "• 🔕 Phòng Nội vụ: I.1 (31/01)" in text
    for line in text.splitlines():
        codes = re.findall(r"\b[IVX]+\.\d+\b", line)
        assert len(codes) == len(set(codes)), line  # no "I.8, I.8"


# ------------------------------------------------------------------------------- Zalo prompts


def _due_item(reminder_id: int, code: str, kind: str, due: date, audience: str = "focal") -> DueItem:
    return DueItem(
        reminder_id=reminder_id,
        assignment_id=reminder_id,
        kind=kind,
        due=due,
        send_at=datetime.combine(due, datetime.min.time(), tzinfo=TZ),
        attempts=1,
        audience=audience,
        task_code=code,
        task_title=f"Nhiệm vụ {code}",
        task_position=reminder_id,
        unit_id=1,
        unit_code="XP",
        unit_name="UBND xã Xà Phiên",
        unit_position=0,
        organization_id=1,
    )


def _digest(channel: str, items: list[DueItem], audience: str = "focal") -> Digest:
    person = Person(id=1, organization_id=1, full_name="Lê Thị Mai", created_at=MID_MARCH)
    account = ChannelAccount(person_id=1, channel=channel, external_id="9", chat_id="9")
    return Digest(recipient=Recipient(person, account), audience=audience, items=items)


def test_a_digest_on_zalo_says_type_the_number_never_tap(engine: Engine) -> None:
    today = MID_MARCH.date()
    items = [
        _due_item(1, "I.2", "before", today + timedelta(days=3)),
        _due_item(2, "I.3", "overdue", today - timedelta(days=5)),
        _due_item(3, "I.4", "explanation", today + timedelta(days=2)),
    ]
    asked = [_due_item(4, "I.5", "overdue", today - timedelta(days=2), "manager")]
    asked.append(_due_item(5, "I.6", "extension", today + timedelta(days=9), "manager"))
    with use_language("vi"):
        for channel in ("zalo", "zalo:ln2"):
            for digest in (_digest(channel, items), _digest(channel, asked, "manager")):
                reply = render_digest(digest, today)
                assert reply.choices  # the choices are still offered, as numbered lines
                assert not TAP.search(plain(reply.text)), reply.text
                assert "gõ số của lựa chọn" in plain(reply.text), reply.text
                assert not TAP.search("\n".join(render(reply).parts))
        focal = render_digest(_digest("zalo", items), today).text
        assert "để báo cáo, để được nhắc lại vào ngày làm việc tiếp theo" in focal
        assert "«Giải trình»" in focal
        telegram = render_digest(_digest("telegram", items), today)  # Telegram still shows buttons
        assert "bấm nút để báo cáo" in plain(telegram.text) and "Bấm «Giải trình»" in plain(telegram.text)


def _sent_to(chat: Chat, user: str) -> list[Reply]:
    return [r for r in chat.history if r.to is not None and r.to.chat_id == user]


def test_an_explanation_request_and_the_list_on_zalo_say_type_the_number(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, APRIL)
    on_zalo = Chat(dispatcher, "z-300", name="Nguyễn Đầu Mối", channel="zalo")
    on_zalo.send(f"/start {invite_code(engine, 'XP', MemberRole.FOCAL, now=APRIL)}")
    on_telegram = Chat(dispatcher, "t-301", name="Trần Phó", channel="test")
    on_telegram.send(f"/start {invite_code(engine, 'XP', MemberRole.DEPUTY, now=APRIL)}")
    manager = Chat(dispatcher, "z-302", name="Lê Lãnh Đạo", channel="zalo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=APRIL)}")

    manager.send("/giaitrinh XP I.2")
    [to_zalo] = _sent_to(manager, "z-300")
    assert not TAP.search(plain(to_zalo.text)), to_zalo.text
    assert "gõ số của lựa chọn «Giải trình» bên dưới, hoặc gõ /giaitrinh I.2" in plain(to_zalo.text)
    assert [c.label for row in to_zalo.choices for c in row] == ["Giải trình"]
    [to_telegram] = _sent_to(manager, "t-301")  # the deputy on Telegram has the button
    assert "bấm «Giải trình»" in plain(to_telegram.text)

    on_zalo.send("/giaitrinh")
    assert "I.2" in on_zalo.last and not TAP.search(on_zalo.last), on_zalo.last
    assert "gõ số của lựa chọn bên dưới" in on_zalo.last
    on_zalo.press("Giải trình I.2")  # its number typed, as the Zalo adapter resolves it
    assert "một tin nhắn" in on_zalo.last, on_zalo.last


def test_removing_a_person_on_zalo_asks_for_a_number_not_a_press(engine: Engine) -> None:
    dispatcher = make_dispatcher(engine, MID_MARCH)
    admin = Chat(dispatcher, "z-400", name="Trần Quản Trị", channel="zalo")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=MID_MARCH)}")
    for user, name in (("z-401", "Nguyễn Văn An"), ("z-402", "Nguyễn Văn Anh")):
        Chat(dispatcher, user, name=name, channel="zalo").send(
            f"/start {invite_code(engine, 'XP', MemberRole.FOCAL, now=MID_MARCH)}"
        )
    admin.send("/people")
    replies = admin.send("Xóa người")  # the choice typed by its label
    replies += admin.send("Nguyễn Văn")  # two people match
    replies += admin.send("Không Có Ai")  # nobody does
    texts = [plain(r.text) for r in replies if r.text]
    assert len(texts) == 4, texts
    for text in texts:
        assert not TAP.search(text) and "gõ số" in text.lower(), text
