"""The reminder and target criteria: a reminder counts as answered when the unit reports on the same
assignment within N working days of it (the project calendar: holidays are not working days); the
target criterion applies only to units that report targets, and the weights are renormalised for the
others. Also the score's arithmetic and the shared ranks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, Audience, Reminder, ReminderState, Task, Unit
from dondoc.db.session import open_store
from dondoc.plan.ranking import Scheme, UnitScore, rank, score_unit
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.ranking.conftest import write_registry


def unit(ranking: dict[str, Any], code: str) -> dict[str, Any]:
    return next(u for u in ranking["units"] if u["unit"] == code)


def done(dondoc: Dondoc, task: str, code: str, day: str) -> None:
    dondoc.ok("report", "add", "--task", task, "--unit", code, "--status", "done", "--at", day)


def sent(dondoc: Dondoc, task: str, code: str, due: date, at: datetime) -> None:
    """A reminder on the unit's deadline, delivered to its focal points at ``at`` (as the sweeper marks it)."""
    engine = open_store(dondoc.url)
    try:
        with Session(engine) as session:
            assignment_id = session.exec(
                select(Assignment.id)
                .join(Task, col(Task.id) == Assignment.task_id)
                .join(Unit, col(Unit.id) == Assignment.unit_id)
                .where(Task.code == task, Unit.code == code)
            ).one()
            assert assignment_id is not None
            moment = at.replace(tzinfo=TZ)
            session.add(
                Reminder(
                    assignment_id=assignment_id,
                    due=due,
                    kind="snooze",
                    send_on=moment.date(),
                    send_at=moment,
                    audience=Audience.FOCAL,
                    state=ReminderState.SENT,
                    sent_at=moment,
                )
            )
            session.commit()
    finally:
        engine.dispose()


def test_a_reminder_answered_within_the_working_days_counts_and_a_late_answer_does_not(small: Dondoc) -> None:
    q1 = date(2022, 3, 31)
    sent(small, "I.1", "NV", q1, datetime(2022, 3, 24, 8, 0))  # Thursday: 3 working days → Tuesday 29/03
    small.ok("report", "add", "--task", "I.1", "--unit", "NV", "--status", "in_progress", "--at", "2022-03-29")
    sent(small, "I.3", "TP", q1, datetime(2022, 3, 24, 8, 0))
    small.ok("report", "add", "--task", "I.3", "--unit", "TP", "--status", "in_progress", "--at", "2022-03-30")
    sent(small, "I.5", "XP", q1, datetime(2022, 3, 31, 8, 0))  # its three working days are not over at 01/04
    for code, task in (("NV", "I.1"), ("TP", "I.3")):
        done(small, task, code, "2022-03-31")
    done(small, "I.5", "XP", "2022-03-30")  # before the reminder: it answers nothing
    ranking = small.ok("ranking", "--period", "q1", "--at", "2022-04-01", "--json").json()
    nv, tp, xp = (unit(ranking, c)["criteria"]["reminders"] for c in ("NV", "TP", "XP"))
    assert (nv["share"], nv["of"], nv["part"]) == (1.0, 1, 33.3)  # 25 of 75, renormalised to 100
    assert (tp["share"], tp["of"], tp["part"]) == (0.0, 1, 0.0)
    assert (xp["share"], xp["of"]) == (None, 0)  # not decided yet: left out
    assert unit(ranking, "NV")["score"] == 100.0 and unit(ranking, "TP")["score"] == 66.7
    assert unit(ranking, "XP")["score"] == 100.0  # the criterion does not apply to XP yet
    later = small.ok("ranking", "--period", "q1", "--at", "2022-04-10", "--json").json()
    assert unit(later, "XP")["criteria"]["reminders"]["share"] == 0.0  # its time is over, unanswered


def test_holidays_are_not_working_days_for_the_answer(small: Dondoc, tmp_path: Path) -> None:
    # Sent Friday 08/04/2022; Monday 11/04 is the Hùng Kings' holiday (observed): one working day runs to 12/04.
    half = date(2022, 6, 30)
    sent(small, "I.2", "NV", half, datetime(2022, 4, 8, 8, 0))
    small.ok("report", "add", "--task", "I.2", "--unit", "NV", "--status", "in_progress", "--at", "2022-04-12")
    done(small, "I.1", "NV", "2022-03-30")
    small.ok("units", "import", write_registry(tmp_path / "units.yaml", {"reminder_days": 1}))
    ranking = small.ok("ranking", "--period", "half", "--at", "2022-04-20", "--json").json()
    assert unit(ranking, "NV")["criteria"]["reminders"]["share"] == 1.0
    # (Monday to Friday alone would have ended the time on Monday 11/04, and the answer been late)


TARGETS = {
    "targets": [
        {
            "code": "T1",
            "text": "Hồ sơ giải quyết đúng hạn",
            "kind": "ratio",
            "numerator": "Số hồ sơ đúng hạn",
            "denominator": "Số hồ sơ",
            "goal": ">= 90%",
            "units": ["NV", "TP"],
            "every": "quarter",
        }
    ]
}


def test_the_target_criterion_applies_only_where_the_unit_has_targets(small: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(TARGETS, allow_unicode=True), encoding="utf-8")
    small.ok("targets", "import", path)
    env = {"DONDOC_NOW": "2022-04-05T09:00"}
    small.ok("figures", "add", "--target", "T1", "--unit", "NV", "--period", "2022-Q1",
             "--numerator", "95", "--denominator", "100", env=env)  # fmt: skip
    small.ok("figures", "add", "--target", "T1", "--unit", "TP", "--period", "2022-Q1",
             "--numerator", "50", "--denominator", "100", env=env)  # fmt: skip
    for code, task in (("NV", "I.1"), ("TP", "I.3"), ("XP", "I.5")):
        done(small, task, code, "2022-03-30")
    ranking = small.ok("ranking", "--period", "q1", "--at", "2022-04-20", "--json").json()
    nv, tp, xp = (unit(ranking, c) for c in ("NV", "TP", "XP"))
    assert (nv["criteria"]["targets"]["share"], nv["score"]) == (1.0, 100.0)
    assert (tp["criteria"]["targets"]["share"], tp["criteria"]["on_time"]["part"], tp["score"]) == (0.0, 66.7, 66.7)
    assert (xp["criteria"]["targets"]["share"], xp["score"]) == (None, 100.0)  # no target: renormalised
    assert (tp["band"], tp["rank"]) == ("Khá", 3)
    # the half-year: the second quarter's figures are not due yet at 20/04, so only Q1's count
    half = small.ok("ranking", "--period", "half", "--at", "2022-04-20", "--json").json()
    assert unit(half, "TP")["criteria"]["targets"]["of"] == 1
    # once Q2's figures are due (15/06) and not given, they count as not met
    late = small.ok("ranking", "--period", "half", "--at", "2022-06-20", "--json").json()
    assert (unit(late, "NV")["criteria"]["targets"]["of"], unit(late, "NV")["criteria"]["targets"]["count"]) == (2, 1)


def test_the_score_is_the_sum_of_the_parts_kept_between_0_and_100() -> None:
    scheme = Scheme()
    score, parts = score_unit(scheme, {"on_time": 2, "late": 1, "overdue": 1}, (3, 4), (0, 0))
    # (50·½ + 20·¼ − 10·¼ + 25·¾) × 100/75
    assert score == round((25 + 5 - 2.5 + 18.75) * 100 / 75, 1)
    assert (
        sum(p.part or 0 for p in parts.values())
        == score_unit(scheme, {"on_time": 2, "late": 1, "overdue": 1}, (3, 4), (0, 0))[0]
    )
    assert score_unit(scheme, {"overdue": 3}, (0, 2), (0, 1))[0] == 0.0
    assert score_unit(scheme, {}, (1, 1), (1, 1))[0] is None  # nothing due: not rated


def test_equal_scores_share_a_rank_and_bands_follow_the_scheme() -> None:
    scores = [
        UnitScore(code, code, score=value)
        for code, value in (("A", 80.0), ("B", 95.0), ("C", 80.0), ("D", None), ("E", 10.0))
    ]
    ranked = rank(scores)
    assert [(s.unit, s.rank) for s in ranked] == [("B", 1), ("A", 2), ("C", 2), ("E", 4), ("D", None)]
    scheme = Scheme()
    assert [scheme.band(v).name for v in (100, 90, 89.9, 75, 60, 50, 49.9, 0)] == [
        "Excellent", "Excellent", "Good", "Good", "Fair", "Average", "Weak", "Weak"
    ]  # fmt: skip
