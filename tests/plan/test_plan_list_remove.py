"""``dondoc plan list`` and ``dondoc plan remove``: an administrator sees the organisation's plans
(which one commands use without ``--plan``) and deletes one imported by mistake with everything that
belongs to it alone — never its progress reports unless asked, never another plan's or another
organisation's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from dondoc.cli import app
from dondoc.db.models import (
    AdhocTask,
    Area,
    Assignment,
    Explanation,
    Extension,
    Occurrence,
    Person,
    Plan,
    Reminder,
    ReminderDelivery,
    ReminderDue,
    ReminderState,
    Report,
    Status,
    StoredFile,
    Task,
)
from dondoc.db.session import make_engine
from tests.conftest import SAMPLE, Dondoc, Result

ORG = "Ủy ban nhân dân huyện Long Mỹ"
TABLES: tuple[Any, ...] = (
    Plan,
    Area,
    Task,
    Occurrence,
    Assignment,
    AdhocTask,
    Report,
    Reminder,
    ReminderDue,
    ReminderDelivery,
    Extension,
    Explanation,
    StoredFile,
)


def _en(dondoc: Dondoc, *args: str | Path, answer: str | None = None) -> Result:
    """``dondoc … --lang en``, typing ``answer`` at a question."""
    result = dondoc.runner.invoke(
        app, ["--db", dondoc.url, "--lang", "en", *map(str, args)], input=answer, catch_exceptions=False
    )
    return Result(result.exit_code, result.stdout, result.stderr)


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        counts = {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in TABLES}
    engine.dispose()
    return counts


def _second_plan(dondoc: Dondoc) -> None:
    """The sample appendix imported again as plan x23 of 2023: the newest, so the default."""
    dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.csv", "--year", "2023", "--plan", "x23")


def _report(url: str, plan_key: str, *, evidence: str = "") -> None:
    """A done report, and its correction, on the first assignment of plan ``plan_key``."""
    engine = make_engine(url)
    with Session(engine) as session:
        assignment = session.exec(
            select(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(Plan.key == plan_key)
            .order_by(col(Assignment.id))
        ).first()
        assert assignment is not None and assignment.id is not None
        first = Report(
            assignment_id=assignment.id,
            status=Status.DONE,
            percent=100,
            completed_on=date(2022, 1, 20),
            reported_at=datetime(2022, 1, 20, 9, tzinfo=UTC),
            evidence_file_id=evidence,
        )
        session.add(first)
        session.flush()
        session.add(
            Report(
                assignment_id=assignment.id,
                status=Status.DONE,
                percent=100,
                completed_on=date(2022, 1, 21),
                reported_at=datetime(2022, 1, 21, 9, tzinfo=UTC),
                corrects_report_id=first.id,
            )
        )
        session.commit()
    engine.dispose()


def test_plan_list_shows_each_plan_and_the_default(sample_store: Dondoc) -> None:
    _second_plan(sample_store)
    _report(sample_store.url, "2022")
    listed = sample_store.ok("plan", "list", "--json").json()
    assert listed == [
        {"key": "x23", "title": "phu-luc-cchc-2022", "year": 2023, "tasks": 42, "reports": 0, "default": True},
        {
            "key": "2022",
            "title": "Nhiệm vụ cải cách hành chính năm 2022",
            "year": 2022,
            "tasks": 42,
            "reports": 2,
            "default": False,
        },
    ]
    text = _en(sample_store, "plan", "list")
    assert text.code == 0, text.stderr
    assert text.stdout.splitlines() == [
        "x23: “phu-luc-cchc-2022” (2023) — 42 tasks, 0 progress reports [default: used when --plan is not given]",
        "2022: “Nhiệm vụ cải cách hành chính năm 2022” (2022) — 42 tasks, 2 progress reports",
    ]


def test_plan_list_of_an_empty_store_says_how_to_import(dondoc: Dondoc) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    result = _en(dondoc, "plan", "list")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "No plan imported yet: run `dondoc plan import FILE` first."


def test_remove_refuses_a_plan_with_reports_and_deletes_nothing(sample_store: Dondoc) -> None:
    _report(sample_store.url, "2022")
    before = _counts(sample_store.url)
    result = _en(sample_store, "plan", "remove", "2022", "--yes")
    assert result.code == 1
    assert result.stderr.startswith("Refused, nothing was deleted: plan 2022 has 2 progress reports.")
    assert "--with-reports" in result.stderr
    assert _counts(sample_store.url) == before


def test_remove_asks_first_and_no_deletes_nothing(sample_store: Dondoc) -> None:
    before = _counts(sample_store.url)
    for answer in ("n\n", ""):  # no, or no answer at all
        result = _en(sample_store, "plan", "remove", "2022", answer=answer)
        assert result.code == 1
        assert "Delete plan 2022 “Nhiệm vụ cải cách hành chính năm 2022” (2022) with its 42 tasks" in result.stderr
        assert result.stderr.rstrip().endswith("Nothing was deleted.")
        assert _counts(sample_store.url) == before
    result = _en(sample_store, "plan", "remove", "2022", answer="y\n")
    assert result.code == 0, result.stderr
    assert "Plan 2022 deleted: 42 tasks," in result.stdout  # after the answer typed
    assert _counts(sample_store.url)["Plan"] == 0


def test_remove_unknown_plan_is_refused(sample_store: Dondoc) -> None:
    before = _counts(sample_store.url)
    result = _en(sample_store, "plan", "remove", "2150", "--yes")
    assert result.code == 1
    assert result.stderr.strip() == "No plan 2150: `dondoc plan list` shows the plans"
    assert _counts(sample_store.url) == before


def _attach_everything(url: str, plan_key: str) -> None:
    """A reminder delivered to a person, a request for more time, an explanation, a task given outside
    the plan and a report with its evidence kept in the store, all on plan ``plan_key``."""
    engine = make_engine(url)
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.key == plan_key)).one()
        assignment = session.exec(
            select(Assignment)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(Task.plan_id == plan.id)
            .order_by(col(Assignment.id))
        ).first()
        reminder = session.exec(
            select(Reminder)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .where(Task.plan_id == plan.id)
        ).first()
        assert assignment is not None and assignment.id is not None and reminder is not None
        now = datetime(2022, 2, 1, 9, tzinfo=UTC)
        person = Person(organization_id=plan.organization_id, full_name="Nguyễn Văn A", created_at=now)
        stored = StoredFile(channel="zalo", chat_id="1", kind="photo", sha256="0" * 64, data=b"x", created_at=now)
        session.add_all([person, stored])
        session.flush()
        assert person.id is not None and reminder.id is not None and plan.id is not None
        reminder.state = ReminderState.SENT
        session.add(reminder)
        session.add(ReminderDelivery(reminder_id=reminder.id, person_id=person.id, sent_at=now))
        session.add(
            Extension(assignment_id=assignment.id, due=date(2022, 3, 31), new_due=date(2022, 4, 30), requested_at=now)
        )
        session.add(
            Explanation(
                assignment_id=assignment.id, due=date(2022, 3, 31), answer_due=date(2022, 4, 5), requested_at=now
            )
        )
        adhoc = Task(plan_id=plan.id, code="PS.1", number="1", title="Việc phát sinh")
        session.add(adhoc)
        session.flush()
        assert adhoc.id is not None
        session.add(AdhocTask(task_id=adhoc.id, given_at=now))
        session.commit()
        evidence = f"stored:{stored.id}"
    engine.dispose()
    _report(url, plan_key, evidence=evidence)


def _plan_rows(url: str, plan_key: str) -> dict[str, int]:
    """How many rows of each kind belong to plan ``plan_key`` (of any organisation)."""
    engine = make_engine(url)
    with Session(engine) as session:
        tasks = select(Task.id).join(Plan, col(Plan.id) == Task.plan_id).where(Plan.key == plan_key)
        assignments = select(Assignment.id).where(col(Assignment.task_id).in_(tasks))
        reminders = select(Reminder.id).where(col(Reminder.assignment_id).in_(assignments))

        def count(model: Any, where: Any) -> int:
            return int(session.exec(select(func.count()).select_from(model).where(where)).one())

        counts = {
            "tasks": count(Task, col(Task.id).in_(tasks)),
            "occurrences": count(Occurrence, col(Occurrence.task_id).in_(tasks)),
            "assignments": count(Assignment, col(Assignment.id).in_(assignments)),
            "reminders": count(Reminder, col(Reminder.id).in_(reminders)),
            "due": count(ReminderDue, col(ReminderDue.reminder_id).in_(reminders)),
            "reports": count(Report, col(Report.assignment_id).in_(assignments)),
        }
    engine.dispose()
    return counts


def test_remove_with_reports_deletes_the_plan_and_what_is_only_its_own(sample_store: Dondoc) -> None:
    _second_plan(sample_store)
    _attach_everything(sample_store.url, "2022")
    other = _plan_rows(sample_store.url, "x23")
    assert other["tasks"] == 42 and other["reminders"] > 0 and other["due"] > 0
    people = _counts(sample_store.url)
    result = _en(sample_store, "plan", "remove", "2022", "--yes", "--with-reports")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("Plan 2022 deleted: 43 tasks,")
    assert result.stdout.rstrip().endswith(", 2 progress reports.")
    assert "The default plan is now x23 (2023)." in result.stderr
    assert _plan_rows(sample_store.url, "2022") == dict.fromkeys(other, 0)
    assert _plan_rows(sample_store.url, "x23") == other
    after = _counts(sample_store.url)
    for table in ("ReminderDelivery", "Extension", "Explanation", "AdhocTask", "StoredFile", "Report"):
        assert after[table] == 0, table
    assert after["Plan"] == 1 and after["Area"] == people["Area"] // 2
    assert [row["key"] for row in sample_store.ok("plan", "list", "--json").json()] == ["x23"]
    sample_store.ok("status", "--json")  # the remaining plan is the default and reads


def test_remove_is_scoped_to_the_organisation(sample_store: Dondoc, tmp_path: Path) -> None:
    registry = tmp_path / "xa.yaml"
    registry.write_text(
        "organization: Ủy ban nhân dân xã Tân Phú\nunits:\n  - code: VP\n    name: Văn phòng xã\n", encoding="utf-8"
    )
    sample_store.ok("units", "import", registry, "--new-organization")
    appendix = tmp_path / "phu-luc-xa-2022.csv"
    appendix.write_text("STT,Nội dung,Chủ trì,Thời hạn\n1,Rà soát thủ tục,Văn phòng xã,31/12/2022\n", encoding="utf-8")
    sample_store.ok("--org", "Ủy ban nhân dân xã Tân Phú", "plan", "import", appendix)
    result = _en(sample_store, "--org", ORG, "plan", "remove", "2022", "--yes")
    assert result.code == 0, result.stderr
    assert sample_store.ok("--org", ORG, "plan", "list", "--json").json() == []
    commune = sample_store.ok("--org", "Ủy ban nhân dân xã Tân Phú", "plan", "list", "--json").json()
    assert [(row["key"], row["tasks"], row["default"]) for row in commune] == [("2022", 1, True)]
