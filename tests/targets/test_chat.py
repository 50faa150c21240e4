"""Targets in chat: the /figures conversation typed with numbers only, one-line figures, refusals,
and /targets for managers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import Figure, MemberRole
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.targets.helpers import figures_add, import_targets, ratio

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def _person(engine: Engine, unit: str, role: MemberRole = MemberRole.FOCAL, user_id: str = "300") -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), user_id)
    chat.send(f"/start {invite_code(engine, unit, role, now=NOW)}")
    return chat


def _figures(engine: Engine) -> list[Figure]:
    with Session(engine) as session:
        return list(session.exec(select(Figure).order_by(col(Figure.id))).all())


def test_the_conversation_typed_with_numbers_only_reads_back_the_rate_before_confirming(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    chat = _person(engine, "XP")
    chat.send("/figures")
    assert [b.split(" · ")[0] for b in chat.buttons()] == ["T1", "ISO", "HL"]  # numbered choices on Zalo
    chat.send("1")  # T1
    assert "Số hồ sơ giải quyết trước hạn và đúng hạn" in chat.last and "Quý 1/2022" in chat.last
    chat.send("1.234")  # the Vietnamese thousands separator
    assert "Số hồ sơ đã giải quyết" in chat.last
    chat.send("1.281")
    assert "Tỷ lệ của đơn vị: 96,3%" in chat.last
    assert _figures(engine) == []  # nothing before Xác nhận
    chat.send("1")  # Xác nhận
    [figure] = _figures(engine)
    assert (figure.numerator, figure.denominator, figure.period) == (1234, 1281, "2022-Q1")
    assert not figure.entered_by_admin
    # A yes/no share, answered by its number.
    chat.send("/figures")
    chat.send("2")  # ISO
    assert "ISO 9001" in chat.last
    chat.send("1")  # Có
    assert "Có" in chat.last and "100,0%" in chat.last
    chat.send("1")
    assert _figures(engine)[-1].answer is True


def test_impossible_numbers_are_refused_naming_the_value_and_nothing_is_stored(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    chat = _person(engine, "XP")
    chat.send("/figures T1")
    chat.send("-5")
    assert "-5" in chat.last and "âm" in chat.last
    chat.send("nhiều")
    assert "nhiều" in chat.last and "không phải là số" in chat.last
    chat.send("12,5")
    assert "12,5" in chat.last and "số nguyên" in chat.last
    chat.send("130")
    chat.send("125")  # more settled than received
    assert "130" in chat.last and "125" in chat.last and "Chưa lưu gì" in chat.last
    assert _figures(engine) == []
    chat.send("120")
    chat.send("125")
    assert "96,0%" in chat.last


def test_corrections_add_entries_and_the_newest_counts(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    chat = _person(engine, "XP")
    chat.send("HS Q1 120/125")
    chat.send("/figures HS")
    assert "96,0%" in chat.last  # what was sent before is shown
    chat.send("100")
    chat.send("125")
    chat.send("1")
    assert [(f.numerator, f.denominator) for f in _figures(engine)] == [(120, 125), (100, 125)]
    result = sample_store.ok("targets", "status", "--period", "2022-Q1", "--json").json()
    assert result["targets"][0]["value"] == 0.8


def test_one_line_figures_are_recorded_and_read_back_with_the_rate(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    chat = _person(engine, "XP")
    replies = chat.send("HS Q1 120/125")
    assert len(replies) == 1 and "Tỷ lệ của đơn vị: 96,0%" in chat.last
    chat.send("ISO Q1 có")
    assert "100,0%" in chat.last
    chat.send("iso quý 1 khong")
    chat.send("HL Q1 96,5%")
    assert "96,5%" in chat.last
    chat.send("HS 1.234/1.281")  # the period being collected
    figures = _figures(engine)
    assert [(f.numerator, f.denominator, f.answer, f.period) for f in figures[:3]] == [
        (120, 125, None, "2022-Q1"),
        (None, None, True, "2022-Q1"),
        (None, None, False, "2022-Q1"),
    ]
    assert figures[3].rate == 0.965
    assert (figures[4].numerator, figures[4].period) == (1234, "2022-Q1")
    # One-line task reports still work beside them.
    chat.send("I.2 60")
    assert "I.2" in chat.last and "60%" in chat.last


def test_impossible_one_line_figures_are_refused_and_not_stored(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    chat = _person(engine, "XP")
    chat.send("HS Q1 130/125")
    assert "130" in chat.last and "Chưa lưu gì" in chat.last and "HS Q1 120/125" in chat.last
    chat.send("HS Q1 -3/125")
    assert "-3" in chat.last
    chat.send("HS Q1 abc/125")
    assert "abc" in chat.last
    chat.send("ISO Q1 có lẽ")
    assert "có lẽ" in chat.last
    chat.send("HL Q1 120%")
    assert "120%" in chat.last
    chat.send("HS T3 120/125")  # a month for a quarterly target
    assert "T3" in chat.last
    assert _figures(engine) == []
    other = _person(engine, "TP", user_id="301")  # TP does not report HS
    other.send("HS Q1 120/125")
    assert "không báo cáo chỉ tiêu T1" in other.last
    assert _figures(engine) == []


def test_managers_see_each_target_and_by_unit_worst_first_with_a_trend(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    for unit, line in (("XP", "120/125"), ("VV", "50/100")):
        sample_store.ok(*figures_add("T1", unit, "2021-Q4", *ratio("90", "100")))
        num, den = line.split("/")
        sample_store.ok(*figures_add("T1", unit, "2022-Q1", *ratio(num, den)))
    manager = _person(engine, "NV", MemberRole.MANAGER, user_id="400")
    manager.send("/targets")
    text = manager.last
    assert "T1" in text and "75,6%" in text and "≥" not in text and "từ 95% trở lên" in text and ">=" not in text
    assert "chưa đạt" in text and "2/3" in text
    manager.send("/targets T1")
    text = manager.last
    assert text.index("VV") < text.index("XP")  # worst first
    assert "90,0% → 50,0%" in text  # the unit's trend
    assert "Ủy ban nhân dân xã Lương Nghĩa" in text  # who did not report is named
    focal = _person(engine, "XP", user_id="401")
    focal.send("/targets")
    assert "không dùng được" in focal.last
