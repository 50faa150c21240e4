"""An adviser whose language is English: what they read names English words they can type (or
explains the Vietnamese one), dates read "31 Mar", and nobody is addressed as "comrade"."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import MemberRole, Report, Status
from dondoc.handlers.events import plain
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.scheduler.test_sweeper import Outbox
from tests.targets.helpers import import_targets

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
APRIL = datetime(2022, 4, 5, 9, 0, tzinfo=TZ)  # I.2 of Xà Phiên overdue since 31/03/2022


def _english(
    engine: Engine, unit: str, role: MemberRole = MemberRole.FOCAL, at: datetime = NOW, user: str = "700"
) -> Chat:
    chat = Chat(make_dispatcher(engine, at), user, name="Anna Smith", language_code="en")
    chat.send(f"/start {invite_code(engine, unit, role, now=at)}")
    return chat


def _reports(engine: Engine) -> list[Report]:
    with Session(engine) as session:
        return list(session.exec(select(Report).order_by(col(Report.id))).all())


def test_the_welcome_does_not_call_an_english_reader_comrade(engine: Engine) -> None:
    chat = _english(engine, "XP")
    assert "Welcome, Anna Smith." in chat.last, chat.last
    assert "comrade" not in chat.last


def test_the_quick_report_line_names_english_words(engine: Engine) -> None:
    chat = _english(engine, "XP")
    chat.send("I.2 xyz")
    said = plain(chat.last)
    assert "«I.2 done»" in said and "«I.2 blocked reason»" in said and "«I.2 not started»" in said, said
    assert "Type undo within 10 minutes" in said
    assert "«I.2 xong»" not in said and "Type hủy" not in said


def test_not_started_and_undo_are_read_in_english(engine: Engine) -> None:
    chat = _english(engine, "XP")
    chat.send("I.2 not started")
    assert [(r.status, r.percent) for r in _reports(engine)] == [(Status.NOT_STARTED, 0)], chat.last
    chat.send("I.2 60")
    assert "Type undo within 10 minutes to cancel this report." in chat.last, chat.last
    chat.send("undo")
    assert chat.last.startswith("Undone: the report of 09:00 is cancelled."), chat.last
    assert _reports(engine)[-1].percent == 0


def test_blocked_without_a_reason_asks_for_it_after_blocked(engine: Engine) -> None:
    chat = _english(engine, "XP")
    chat.send("I.2 blocked")
    assert "Please say what is blocking it, after “blocked”." in chat.last, chat.last
    assert _reports(engine) == []


def test_giaoviec_takes_due_and_its_usage_says_so(engine: Engine) -> None:
    manager = _english(engine, "NV", MemberRole.MANAGER, user="701")
    manager.send("/giaoviec")
    assert "Usage: /giaoviec UNITS: TEXT due DATE" in manager.last and "hạn" not in manager.last, manager.last
    manager.send("/giaoviec XP Send the staffing report due 15/06")
    assert "given to Ủy ban nhân dân xã Xà Phiên: Send the staffing report — due 15 Jun 2022." in manager.last, (
        manager.last
    )
    manager.send("/giaoviec XP Send the report due someday")
    assert "15/06 or 15/06/2022" in manager.last and "cuối tháng, the end of the month" in manager.last, manager.last


def test_overdue_and_nonresponders_write_short_dates_in_english(engine: Engine) -> None:
    manager = _english(engine, "NV", MemberRole.MANAGER, at=APRIL, user="702")
    manager.send("/overdue")
    said = plain(manager.last)
    assert "I.2 (31 Mar 0%)" in said and "31/03" not in said, said
    assert any(label.endswith("I.2 (31 Mar)") for label in manager.buttons()), manager.buttons
    manager.send("/nonresponders")
    assert "(31 Mar" in plain(manager.last) and "31/03" not in plain(manager.last), manager.last


def test_an_extension_is_refused_with_the_english_word_the_request_names(engine: Engine) -> None:
    focal = _english(engine, "XP", user="703")
    focal.send("/giahan")
    assert "/giahan NUMBER approve or /giahan NUMBER refuse REASON" in focal.last, focal.last
    manager = Chat(focal.dispatcher, "704", name="Lê Lãnh Đạo", language_code="en")
    manager.send(f"/start {invite_code(engine, 'XP', MemberRole.MANAGER, now=NOW)}")
    focal.send("/giahan I.2 30/06 waiting for the province")
    asked = [r.text for r in focal.history if r.to is not None and r.to.chat_id == "704"]
    assert asked and "/giahan 1 approve or /giahan 1 refuse REASON" in asked[-1], asked
    manager.send("/giahan 1 refuse not now")
    told = [r.text for r in manager.history if r.to is not None and r.to.chat_id == "703"]
    assert told and "was not approved" in told[-1], manager.history[-3:]


def test_reminder_settings_usage_names_english_words(engine: Engine) -> None:
    focal = _english(engine, "XP", user="705")
    focal.send("/help")
    assert "/nhacviec time 14:00" in focal.last and "/nhacviec gio" not in focal.last, focal.last
    focal.send("/nhacviec whenever")
    assert "/nhacviec weekly friday" in focal.last and "/nhacviec tat nhac" not in focal.last, focal.last


async def test_a_reminder_greets_by_name_and_shows_done(engine: Engine) -> None:
    start = datetime(2022, 1, 23, 20, 0, tzinfo=TZ)
    clock = Clock(start, frozen=True)
    dispatcher = make_dispatcher(engine, start)
    dispatcher.clock = clock
    focal = Chat(dispatcher, "706", name="Anna Smith", language_code="en")
    focal.send(f"/start {invite_code(engine, 'NV', now=start)}")
    outbox = Outbox()
    service = reminder_service(engine, clock, WorkCalendar(), {"test": outbox.send})
    for moment in (datetime(2022, 1, 23, 21, 0, tzinfo=TZ), datetime.combine(date(2022, 1, 24), time(8, 0), tzinfo=TZ)):
        clock.set(moment)
        await service.tick()
    [text] = [plain(t) for t in outbox.texts("706")]
    assert "Dear Anna Smith (Phòng Nội vụ)" in text and "comrade" not in text, text
    assert "Quick report: type «I.1 60» or «I.1 done»." in text, text


def test_the_command_line_status_dates_read_in_english(sample_store: Dondoc) -> None:
    out = sample_store.ok("--lang", "en", "status", "--at", "2022-04-05").stdout
    assert "Status at 5 Apr 2022" in out and "05/04/2022" not in out, out


def test_yes_or_no_figures_are_shown_and_asked_in_english(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    focal = _english(engine, "NV", user="707")
    focal.send("/help")
    assert "«ISO Q1 yes» or «ISO Q1 no»" in plain(focal.last), focal.last
    focal.send("ISO Q1 maybe")
    assert "is not a yes or a no: type yes or no." in focal.last, focal.last


def test_a_misspelt_status_word_is_guessed_in_english_for_an_english_reader(engine: Engine) -> None:
    chat = _english(engine, "XP")
    chat.send("I.2 doen")
    assert "Did you mean «I.2 done»?" in plain(chat.last), chat.last
    chat.send("I.2 blokced")
    assert "Did you mean «I.2 blocked»?" in plain(chat.last), chat.last
    vietnamese = Chat(make_dispatcher(engine, NOW), "701", name="Lê Văn Bình", language_code="vi")
    vietnamese.send(f"/start {invite_code(engine, 'XP', MemberRole.DEPUTY, now=NOW)}")
    vietnamese.send("I.2 xongg")
    assert "«I.2 xong»" in plain(vietnamese.last), vietnamese.last


def test_giaoviec_reads_a_deadline_written_in_english(engine: Engine) -> None:
    manager = _english(engine, "NV", MemberRole.MANAGER, user="703")  # Tuesday 15 March 2022
    for typed, due in (
        ("tomorrow", "16 Mar 2022"),
        ("Friday", "18 Mar 2022"),
        ("next Friday", "25 Mar 2022"),
        ("end of the month", "31 Mar 2022"),
    ):
        manager.send(f"/giaoviec XP Send the staffing report due {typed}")
        assert f"Send the staffing report — due {due}." in manager.last, (typed, manager.last)
    manager.send("/giaoviec XP Send the report due someday")
    said = manager.last
    assert "tomorrow, Friday, next Friday or end of the month" in said, said
