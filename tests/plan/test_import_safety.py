"""Importing without losing data: registries re-imported with groups, partial appendices that would
retire tasks, and a registry that names another organisation (issue #8, items 2 and 5)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from dondoc.db.models import Assignment, Organization, Reminder, Report, Status, Task
from dondoc.db.session import make_engine
from tests.conftest import SAMPLE, Dondoc


def _registry() -> dict[str, Any]:
    data = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _count(url: str, model: Any) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        n = len(session.exec(select(model)).all())
    engine.dispose()
    return n


def _report_on(url: str, task_code: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        task = session.exec(select(Task).where(Task.code == task_code)).one()
        assignment = session.exec(select(Assignment).where(Assignment.task_id == task.id)).first()
        assert assignment is not None and assignment.id is not None
        session.add(
            Report(assignment_id=assignment.id, status=Status.IN_PROGRESS, percent=50, reported_at=datetime.now(UTC))
        )
        session.commit()
    engine.dispose()


# --------------------------------------------------------------------------- item 2: registry re-import


def test_the_bundled_registry_can_be_imported_twice(dondoc: Dondoc) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    again = dondoc("units", "import", SAMPLE / "units.yaml", "--json")
    assert again.code == 0, again.stderr
    result = again.json()
    assert result["added"] == [] and result["updated"] == [] and result["removed"] == []
    assert result["groups"] == 3
    groups = {g["code"]: g["units"] for g in dondoc.ok("units", "list", "--json").json()["groups"]}
    assert groups["xa"] == ["VV", "LN", "LT", "THO", "THU", "VTD", "VVA", "XP"]


def test_a_unit_can_be_added_to_a_registry_with_groups_and_tasks(sample_store: Dondoc, tmp_path: Path) -> None:
    registry = _registry()
    registry["units"].append({"code": "XM", "name": "UBND xã Mới", "groups": ["xa"]})
    result = sample_store("units", "import", _write(tmp_path / "them.yaml", registry), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["added"] == ["XM"]
    groups = {g["code"]: g["units"] for g in sample_store.ok("units", "list", "--json").json()["groups"]}
    assert groups["xa"][-1] == "XM" and "XM" in groups["all"]
    # The plan is untouched and its tasks can still be read.
    assert len(sample_store.ok("plan", "export").json()["tasks"]) == 42


def test_a_unit_with_tasks_dropped_from_the_registry_is_kept_inactive(sample_store: Dondoc, tmp_path: Path) -> None:
    registry = _registry()
    registry["units"] = [u for u in registry["units"] if u["code"] not in ("XP", "TTR")]
    registry["units"].append({"code": "NEW", "name": "Ban Quản lý dự án", "groups": ["phong"]})
    result = sample_store("units", "import", _write(tmp_path / "bot.yaml", registry), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert sorted(data["deactivated"]) == ["TTR", "XP"] and data["added"] == ["NEW"]
    listing = sample_store.ok("units", "list", "--json").json()
    codes = [u["code"] for u in listing["units"]]
    assert "XP" not in codes and "NEW" in codes
    groups = {g["code"]: g["units"] for g in listing["groups"]}
    assert "XP" not in groups["xa"]
    # Their assignments are still in the store, and a third import changes nothing.
    assert _count(sample_store.url, Assignment) > 0
    third = sample_store.ok("units", "import", _write(tmp_path / "bot.yaml", registry), "--json").json()
    assert third["added"] == third["removed"] == third["deactivated"] == []


def test_a_unit_without_history_dropped_from_a_registry_with_groups_is_removed(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    registry = _registry()
    registry["units"] = [u for u in registry["units"] if u["code"] != "XP"]
    result = dondoc("units", "import", _write(tmp_path / "bot.yaml", registry), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["removed"] == ["XP"]
    assert "XP" not in [u["code"] for u in dondoc.ok("units", "list", "--json").json()["units"]]


def test_a_unit_with_a_pending_invite_is_kept_inactive(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    dondoc.ok("invite", "XP", "--role", "focal")
    registry = _registry()
    registry["units"] = [u for u in registry["units"] if u["code"] != "XP"]
    result = dondoc("units", "import", _write(tmp_path / "bot.yaml", registry), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["deactivated"] == ["XP"]


# --------------------------------------------------------------------------- item 5: organisation


def test_a_registry_naming_another_organisation_is_refused(sample_store: Dondoc, tmp_path: Path) -> None:
    registry = _registry()
    registry["organization"] = "Ủy ban nhân dân huyện Long Mý"  # a slip of the keyboard
    result = sample_store("units", "import", _write(tmp_path / "sai.yaml", registry))
    assert result.code == 1
    assert "Ủy ban nhân dân huyện Long Mý" in result.stderr
    assert "Ủy ban nhân dân huyện Long Mỹ" in result.stderr
    assert "--new-organization" in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(sample_store.url, Organization) == 1


def test_a_second_organisation_needs_new_organization(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    other = {"organization": "Ủy ban nhân dân xã Tân Phú", "units": [{"code": "VP", "name": "Văn phòng xã"}]}
    path = _write(tmp_path / "xa.yaml", other)
    assert dondoc("units", "import", path).code == 1
    result = dondoc("units", "import", path, "--new-organization", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["organization"] == "Ủy ban nhân dân xã Tân Phú"
    assert _count(dondoc.url, Organization) == 2


# --------------------------------------------------------------------------- item 5: pruning tasks


def _partial_csv(tmp_path: Path, keep: int) -> Path:
    """The sample appendix with only its first ``keep`` tasks."""
    with (SAMPLE / "phu-luc-cchc-2022.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    kept, tasks = [], 0
    for row in rows:
        if row[0].isdigit():
            tasks += 1
            if tasks > keep:
                continue
        kept.append(row)
    path = tmp_path / "phu-luc-thieu-2022.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(kept)
    return path


def test_a_partial_appendix_is_refused_without_prune(sample_store: Dondoc, tmp_path: Path) -> None:
    reminders = _count(sample_store.url, Reminder)
    assert reminders > 0
    before = sample_store.ok("plan", "export").json()
    result = sample_store("plan", "import", _partial_csv(tmp_path, 1))
    assert result.code == 1
    assert "--prune" in result.stderr
    assert "VII.9" in result.stderr and "I.2" in result.stderr
    assert "Traceback" not in result.stderr
    assert sample_store.ok("plan", "export").json() == before
    assert _count(sample_store.url, Reminder) == reminders


def test_dry_run_lists_what_would_be_removed(sample_store: Dondoc, tmp_path: Path) -> None:
    path = _partial_csv(tmp_path, 40)
    before = sample_store.ok("plan", "export").json()
    result = sample_store("plan", "import", path, "--dry-run")
    assert result.code == 0, result.stderr
    output = result.stdout + result.stderr
    assert "VII.8" in output and "VII.9" in output and "--prune" in output
    data = sample_store.ok("plan", "import", path, "--dry-run", "--json").json()
    assert data["removed"] == ["VII.8", "VII.9"] and data["dry_run"] is True
    assert sample_store.ok("plan", "export").json() == before


def test_prune_retires_the_missing_tasks(sample_store: Dondoc, tmp_path: Path) -> None:
    _report_on(sample_store.url, "VII.9")
    result = sample_store("plan", "import", _partial_csv(tmp_path, 40), "--prune", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["removed"] == ["VII.8"] and data["deactivated"] == ["VII.9"]
    codes = [t["code"] for t in sample_store.ok("plan", "export").json()["tasks"]]
    assert len(codes) == 40 and "VII.8" not in codes
