"""The completion date of a "Hoàn thành" report must make sense, and a refusal says what is wrong."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import Report
from dondoc.plan.dates import DateProblem, check_completion_date, read_completion_date
from dondoc.scheduler.clock import TZ
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
TODAY = NOW.date()


def _at_the_date_step(engine: Engine) -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), "100")
    chat.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    chat.send("/report I.4")
    chat.press("Hoàn thành")
    assert "ngày nào" in chat.last
    return chat


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/02/2022", "Không có ngày 31/02/2022"),
        ("29/02/2022", "Không có ngày 29/02/2022"),
        ("1/1/100", "trước năm của kế hoạch (2022)"),
        ("01/01/0001", "trước năm của kế hoạch (2022)"),
        ("15/03/1999", "trước năm của kế hoạch (2022)"),
        ("31/12/2021", "trước năm của kế hoạch (2022)"),
        ("16/03/2022", "chưa đến"),
        ("hôm kia", "không phải là ngày"),
        ("15/03/22/1", "không phải là ngày"),
    ],
)
def test_a_date_that_makes_no_sense_is_refused_with_its_actual_problem(
    engine: Engine, typed: str, expected: str
) -> None:
    chat = _at_the_date_step(engine)
    chat.send(typed)
    assert expected in chat.last
    others = {"Không có ngày", "trước năm của kế hoạch", "chưa đến", "không phải là ngày"} - {
        e for e in ("Không có ngày", "trước năm của kế hoạch", "chưa đến", "không phải là ngày") if e in expected
    }
    assert not any(other in chat.last for other in others), chat.last
    chat.send("14/03/2022")  # still at the date step: a good date goes on
    assert "ghi chú" in chat.last.lower()


def test_a_two_digit_year_is_this_century_and_the_date_is_recorded(engine: Engine) -> None:
    chat = _at_the_date_step(engine)
    chat.send("10/03/22")
    chat.send("bo qua")
    chat.send("bo qua")
    chat.send("xac nhan")
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
    assert report.completed_on == date(2022, 3, 10)


def test_what_is_typed_is_escaped_in_the_refusal(engine: Engine) -> None:
    chat = _at_the_date_step(engine)
    chat.send("<b>x</b>")
    own = [r for r in chat.history if r.to is None]
    assert "&lt;b&gt;x&lt;/b&gt;" in own[-1].text


def test_the_date_rule_is_one_function_the_command_line_can_share() -> None:
    assert check_completion_date(date(2023, 1, 10), 2022, date(2023, 2, 1)) is None  # late work is still reported
    assert check_completion_date(date(2021, 12, 31), 2022, TODAY) == DateProblem.BEFORE_PLAN_YEAR
    assert check_completion_date(date(2022, 3, 16), 2022, TODAY) == DateProblem.IN_THE_FUTURE
    assert read_completion_date("2022-03-01", 2022, TODAY) == date(2022, 3, 1)
    assert read_completion_date("1.3", 2022, TODAY) == date(2022, 3, 1)
    assert read_completion_date("0/1/2022", 2022, TODAY) == DateProblem.NO_SUCH_DATE
    assert read_completion_date("01/01/0000", 2022, TODAY) == DateProblem.BEFORE_PLAN_YEAR
