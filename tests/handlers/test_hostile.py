"""A hostile or unlucky person: forged button data, markup in everything typed, presses from a group,
control characters, a question answered by typing while its buttons are still showing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.local_api.markup import parse_text
from dondoc.db.models import ChannelAccount, MemberRole, Person, Report
from dondoc.handlers.events import Inbound, Reply
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
HOSTILE = "<b&\"'>"


def _person(engine: Engine, unit: str = "NV", user_id: str = "100", role: MemberRole = MemberRole.FOCAL) -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), user_id, name=HOSTILE)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    return chat


def _valid_html(replies: list[Reply]) -> None:
    for reply in replies:
        parse_text(reply.text, "HTML")  # raises MarkupError, as Telegram refuses the message


@pytest.mark.parametrize(
    "data",
    [
        "R99999999999999999999:r",
        "R²:r",
        "R١:r",
        "R1:x",
        "R:r",
        "R-1:r",
        "R 1:r",
        "R1:r:r",
        "R2147483648:d",
        "99999999999999999999:1",
        "²:1",
        "1:²",
        "1:1:1",
        " 1:1",
        "-1:1",
        "",
        "garbage",
    ],
)
def test_a_forged_button_is_refused_with_an_answer(engine: Engine, data: str) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    replies = chat.press_data(data)
    assert "Lựa chọn này không còn hiệu lực" in chat.last
    assert [r.toast for r in replies if r.toast] == ["Đã hết hiệu lực"]
    chat.press("Đang thực hiện")  # the conversation goes on where it was
    assert "60" in chat.last


def test_markup_typed_anywhere_comes_back_escaped(engine: Engine) -> None:
    focal = _person(engine)
    manager = _person(engine, "NV", "200", MemberRole.MANAGER)
    _valid_html(focal.history + manager.history)
    assert HOSTILE in focal.last  # greeted by name, as typed
    unknown = focal.send("/<b")
    _valid_html(unknown)
    assert "/<b" in parse_text(unknown[0].text, "HTML").text
    for text in ["/a&b", f"/{HOSTILE}", "/report <b>", "/history <i>", "/history I.11"]:
        _valid_html(focal.send(text))
    focal.send("/report I.11")
    focal.press("Vướng mắc")
    focal.send("50")
    _valid_html(focal.send(f"chờ {HOSTILE} & <i>duyệt</i>"))
    _valid_html(focal.press("Bỏ qua"))
    _valid_html(confirmed := focal.press("Xác nhận"))
    alert = next(r for r in confirmed if r.to is not None)
    assert f"chờ {HOSTILE} & <i>duyệt</i>" in parse_text(alert.text, "HTML").text
    _valid_html(focal.send("/history I.11"))
    assert f"chờ {HOSTILE}" in focal.last
    for text in ["/status <b&", "/status", "/overdue", "/nonresponders", "/task <b>", "/task I.11", "/whoami"]:
        _valid_html(manager.send(text))
    _valid_html(manager.send(f"/invite {HOSTILE} focal"))


def test_a_press_from_a_group_does_not_move_the_delivery_chat(engine: Engine) -> None:
    focal = _person(engine)
    focal.send("/report I.11")
    token = next(
        c.data for r in focal.history if r.choices for row in r.choices for c in row if c.label == "Hoàn thành"
    )
    group = "-100200300"

    def from_group(**kwargs: object) -> list[Reply]:
        inbound = Inbound(channel="test", chat_id=group, user_id="100", private=False, **kwargs)  # type: ignore[arg-type]
        return focal.dispatcher.handle(inbound)

    pressed = from_group(choice=token)
    assert [r.text for r in pressed] == [""] and pressed[0].toast  # answered, nothing said in the group
    typed = from_group(text="/report I.11")
    assert len(typed) == 1 and "riêng" in typed[0].text
    assert from_group(text="xin chào") == []
    with Session(engine) as session:
        account = session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "100")).one()
    assert account.chat_id == "100"
    focal.press("Hoàn thành")  # the private conversation was not touched
    assert "ngày nào" in focal.last


def test_control_characters_never_reach_the_store(engine: Engine) -> None:
    chat = Chat(make_dispatcher(engine, NOW), "100", name="Lan\x00\x07 Trần")
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    chat.send("60")
    chat.send("Đã\x00 xong\r\nphần 1\x1b\tphần 2")
    chat.press("Bỏ qua")
    chat.press("Xác nhận")
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
        person = session.exec(select(Person)).one()
    assert report.note == "Đã xong\nphần 1\tphần 2"
    assert person.full_name == "Lan Trần"


def test_a_question_answered_by_typing_loses_its_buttons(engine: Engine) -> None:
    chat = _person(engine)
    chat.send("/report I.11")
    chat.press("Đang thực hiện")
    assert chat.buttons() == ["25%", "50%", "75%", "100%"]
    typed = chat.send("60")
    assert typed[0].drop_keyboard and not typed[0].text
    note = chat.send("Đã xong phần 1")
    assert note[0].drop_keyboard  # the note question's "Bỏ qua" goes
    assert chat.send("/whoami")[0].drop_keyboard  # a command ends the report: its buttons go
    assert not chat.send("/help")[0].drop_keyboard  # nothing was showing any more


def test_a_command_followed_by_a_line_break_is_still_that_command(engine: Engine) -> None:
    # Found by the property-based tests: "/history" and the task code on the next line was answered
    # "Unknown command /history\nI.11".
    chat = _person(engine, "NV", "200", MemberRole.MANAGER)
    chat.send("/task\nI.11")
    assert "Không có lệnh" not in chat.last
    assert chat.last.startswith("I.11 — Tổng hợp")
    chat.send("/status\txa phien")
    assert "Không có lệnh" not in chat.last and "Xà Phiên" in chat.last
