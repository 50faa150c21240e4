"""The bundled Long Mỹ 2022 plan, as an administrator imports, re-imports and exports it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from dondoc.db.models import Assignment, Report, Status, Task
from dondoc.db.session import make_engine
from tests.conftest import SAMPLE, Dondoc


def _without_rows(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks without their source row, which differs between layouts of the same appendix."""
    return [{k: v for k, v in t.items() if k != "source_row"} for t in tasks]


def test_the_sample_appendix_imports_every_area_and_task(sample_store: Dondoc) -> None:
    data = sample_store.ok("plan", "export", "--format", "json").json()
    assert data["plan"]["year"] == 2022
    tasks = {t["code"]: t for t in data["tasks"]}
    assert len(tasks) == 42
    assert sorted({t["area"] for t in data["tasks"]}) == ["I", "II", "III", "IV", "V", "VI", "VII"]
    first = tasks["I.1"]
    assert first["lead"] == ["NV"]
    assert first["deadline"] == {
        "text": "Tháng 01/2022",
        "kind": "fixed",
        "every": None,
        "dates": ["2022-01-31"],
    }
    assert first["source_row"] == 9
    # "Các cơ quan, ban, ngành huyện, UBND các xã, thị trấn" expands to every office and commune.
    assert "XP" in tasks["I.2"]["lead"] and "NV" in tasks["I.2"]["lead"]
    continuous = [t for t in data["tasks"] if t["deadline"]["kind"] == "continuous"]
    assert continuous and all(t["deadline"]["dates"] == [] for t in continuous)
    monthly = [t for t in data["tasks"] if t["deadline"]["every"] == "month"]
    assert monthly and all(len(t["deadline"]["dates"]) == 12 for t in monthly)


def test_csv_and_xlsx_of_the_same_appendix_give_the_same_plan(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx")
    from_xlsx = dondoc.ok("plan", "export").json()["tasks"]
    dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.csv", "--plan", "csv")
    from_csv = dondoc.ok("plan", "export", "--plan", "csv").json()["tasks"]
    assert _without_rows(from_csv) == _without_rows(from_xlsx)


def test_importing_the_same_file_twice_changes_nothing(sample_store: Dondoc) -> None:
    before = sample_store.ok("plan", "export").stdout
    again = sample_store.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx", "--json").json()
    assert again["added"] == [] and again["updated"] == [] and again["unchanged"] == 42
    assert sample_store.ok("plan", "export").stdout == before


def test_the_xlsx_export_is_an_appendix_the_importer_reads_back(sample_store: Dondoc, tmp_path: Path) -> None:
    out = tmp_path / "phu-luc.xlsx"
    sample_store.ok("plan", "export", "--format", "xlsx", "-o", out)
    original = sample_store.ok("plan", "export").json()
    fresh = Dondoc(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ok("units", "import", SAMPLE / "units.yaml")
    fresh.ok("plan", "import", out)
    reread = fresh.ok("plan", "export").json()
    assert _without_rows(reread["tasks"]) == _without_rows(original["tasks"])
    assert reread["plan"] == original["plan"]


def test_a_corrected_appendix_keeps_reports_and_retires_dropped_tasks(dondoc: Dondoc, tmp_path: Path) -> None:
    sample_store = dondoc
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.csv")
    engine = make_engine(sample_store.url)
    with Session(engine) as session:
        task = session.exec(select(Task).where(Task.code == "II.5")).one()
        assignment = session.exec(select(Assignment).where(Assignment.task_id == task.id)).first()
        assert assignment is not None and assignment.id is not None
        from datetime import UTC, datetime

        session.add(
            Report(
                assignment_id=assignment.id,
                status=Status.IN_PROGRESS,
                percent=50,
                reported_at=datetime.now(UTC),
            )
        )
        session.commit()
    engine.dispose()
    # The corrected appendix changes I.1's deadline and drops II.4 (no reports) and II.5 (reported on).
    with (SAMPLE / "phu-luc-cchc-2022.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    corrected, area = [], ""
    for row in rows:
        if row[0] in ("I", "II", "III", "IV", "V", "VI", "VII"):
            area = row[0]
        if area == "II" and row[0] in ("4", "5"):
            continue
        if area == "I" and row[0] == "1":
            row = [cell.replace("Tháng 01/2022", "Tháng 02/2022") for cell in row]
        corrected.append(row)
    path = tmp_path / "phu-luc-sua.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(corrected)
    result = sample_store.ok("plan", "import", path, "--year", "2022", "--prune", "--json").json()
    # Rows below the dropped ones moved up: their source_row is updated, nothing else.
    assert "I.1" in result["updated"] and "I.2" not in result["updated"]
    assert result["removed"] == ["II.4"]
    assert result["deactivated"] == ["II.5"]
    tasks = {t["code"]: t for t in sample_store.ok("plan", "export").json()["tasks"]}
    assert tasks["I.1"]["deadline"]["dates"] == ["2022-02-28"]
    assert "II.4" not in tasks and "II.5" not in tasks
    engine = make_engine(sample_store.url)
    with Session(engine) as session:
        assert len(session.exec(select(Report)).all()) == 1
    engine.dispose()


def test_dry_run_checks_the_file_and_writes_nothing(dondoc: Dondoc) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    result = dondoc.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx", "--dry-run", "--json")
    assert len(result.json()["added"]) == 42
    missing = dondoc("plan", "export")
    assert missing.code == 1
    assert "Chưa nhập kế hoạch nào" in missing.stderr
