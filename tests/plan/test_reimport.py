"""Importing a corrected appendix over a plan with reports: each report stays with its task's text,
whatever number the corrected file gives it (a task inserted in the middle renumbers those after
it), and a number given to a wholly other task does not carry the old task's reports over."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, create_engine, select

from dondoc.db.models import Assignment, Report, Task
from tests.conftest import Dondoc
from tests.plan.layouts import Appendix, Area, write_registry, write_xlsx
from tests.plan.layouts import Task as Row
from tests.plan.test_layouts import Admin

AREA = Area("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
PLAN = Row(1, "Ban hành kế hoạch năm", "Văn phòng", "Tư pháp", "Kế hoạch", "Tháng 01/2022")
TRAINING = Row(2, "Tổ chức tập huấn kỹ năng số", "Văn hóa - Xã hội", "Tư pháp", "Lớp tập huấn", "Quý II/2022")
REVIEW = Row(3, "Sơ kết 6 tháng thực hiện kế hoạch", "Văn phòng", "Tư pháp", "Báo cáo", "Tháng 6/2022")


def _renumbered(rows: list[Row]) -> Appendix:
    return Appendix(rows=[AREA, *(replace(r, stt=i) for i, r in enumerate(rows, 1))])


def _report(admin: Admin, code: str, unit: str, note: str) -> None:
    result = admin.run(
        "report",
        "add",
        "--task",
        code,
        "--unit",
        unit,
        "--status",
        "in_progress",
        "--percent",
        "50",
        "--note",
        note,
        "--at",
        "2022-01-10",
    )
    assert result.exit_code == 0, result.stderr


def _notes_by_title(admin: Admin) -> dict[str, list[str]]:
    """Each task's reports (their notes) under the task's text, and the task's code and state."""
    engine = create_engine(admin.db)
    with Session(engine) as session:
        rows = session.exec(
            select(Task.title, Task.code, Task.active, Report.note)
            .join(Assignment, Assignment.task_id == Task.id)  # type: ignore[arg-type]
            .join(Report, Report.assignment_id == Assignment.id)  # type: ignore[arg-type]
        ).all()
    engine.dispose()
    found: dict[str, list[str]] = {}
    for title, code, active, note in rows:
        found.setdefault(" ".join(title.split()), []).append(f"{code}{'' if active else ' (inactive)'}: {note}")
    return found


def _import(admin: Admin, appendix: Appendix, path: Path, *options: str) -> dict[str, object]:
    result = admin.import_plan(write_xlsx(appendix, path).path, "--json", *options)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_a_task_inserted_at_the_top_renumbers_the_others_and_their_reports_follow_them(
    admin: Admin, tmp_path: Path
) -> None:
    admin.imports(write_xlsx(_renumbered([PLAN, TRAINING, REVIEW]), tmp_path / "v1.xlsx").path)
    _report(admin, "I.2", "Văn hóa - Xã hội", "đã mở 2 lớp")
    _report(admin, "I.3", "Văn phòng", "đang tổng hợp")
    urgent = Row(0, "Kiện toàn Ban chỉ đạo cải cách hành chính", "Văn phòng", "", "Quyết định", "Tháng 01/2022")
    corrected = _renumbered([urgent, PLAN, TRAINING, REVIEW])

    preview = admin.import_plan(write_xlsx(corrected, tmp_path / "v2.xlsx").path, "--dry-run")
    assert preview.exit_code == 0, preview.stderr
    assert "I.2 → I.3" in preview.stdout and "I.3 → I.4" in preview.stdout
    result = _import(admin, corrected, tmp_path / "v2.xlsx")  # no --prune needed: nothing is lost

    assert result["renumbered"] == [
        {"from": "I.1", "to": "I.2"},
        {"from": "I.2", "to": "I.3"},
        {"from": "I.3", "to": "I.4"},
    ]
    assert result["added"] == ["I.1"]
    assert _notes_by_title(admin) == {
        "Tổ chức tập huấn kỹ năng số": ["I.3: đã mở 2 lớp"],
        "Sơ kết 6 tháng thực hiện kế hoạch": ["I.4: đang tổng hợp"],
    }
    assert admin.export().task("I.1")["title"].startswith("Kiện toàn")


def test_a_task_removed_in_the_middle_keeps_its_reports_and_the_next_one_keeps_its_own(
    admin: Admin, tmp_path: Path
) -> None:
    admin.imports(write_xlsx(_renumbered([PLAN, TRAINING, REVIEW]), tmp_path / "v1.xlsx").path)
    _report(admin, "I.2", "Văn hóa - Xã hội", "đã mở 2 lớp")
    _report(admin, "I.3", "Văn phòng", "đang tổng hợp")
    shorter = _renumbered([PLAN, REVIEW])

    refused = admin.import_plan(write_xlsx(shorter, tmp_path / "v2.xlsx").path)
    assert refused.exit_code == 1 and "I.2" in refused.stderr  # the training task would go: --prune
    result = _import(admin, shorter, tmp_path / "v2.xlsx", "--prune")

    assert result["deactivated"] == ["I.2"] and result["renumbered"] == [{"from": "I.3", "to": "I.2"}]
    notes = _notes_by_title(admin)
    assert notes["Sơ kết 6 tháng thực hiện kế hoạch"] == ["I.2: đang tổng hợp"]
    [(kept,)] = [v for k, v in notes.items() if k == "Tổ chức tập huấn kỹ năng số"]
    assert kept.startswith("I.2#") and kept.endswith("(inactive): đã mở 2 lớp")
    assert admin.export().codes == ["I.1", "I.2"]


def test_an_edited_and_moved_task_is_still_recognised(admin: Admin, tmp_path: Path) -> None:
    admin.imports(write_xlsx(_renumbered([PLAN, TRAINING, REVIEW]), tmp_path / "v1.xlsx").path)
    _report(admin, "I.3", "Văn phòng", "đang tổng hợp")
    edited = Row(0, "Sơ kết 6 tháng thực hiện Kế hoạch CCHC", "Văn phòng", "Tư pháp", "Báo cáo", "Tháng 6/2022")
    inserted = Row(0, "Rà soát thủ tục hành chính nội bộ", "Tư pháp", "", "Báo cáo", "Quý I/2022")
    _import(admin, _renumbered([inserted, PLAN, TRAINING, edited]), tmp_path / "v2.xlsx")
    assert _notes_by_title(admin) == {"Sơ kết 6 tháng thực hiện Kế hoạch CCHC": ["I.4: đang tổng hợp"]}


def test_a_number_given_to_a_wholly_other_task_does_not_take_the_old_tasks_reports(
    admin: Admin, tmp_path: Path
) -> None:
    admin.imports(write_xlsx(_renumbered([PLAN, TRAINING, REVIEW]), tmp_path / "v1.xlsx").path)
    _report(admin, "I.2", "Văn hóa - Xã hội", "đã mở 2 lớp")
    other = Row(2, "Công khai thủ tục hành chính trên Cổng dịch vụ công", "Văn phòng", "", "Danh mục", "Quý III/2022")
    replaced = Appendix(rows=[AREA, PLAN, other, REVIEW])

    refused = admin.import_plan(write_xlsx(replaced, tmp_path / "v2.xlsx").path)
    assert refused.exit_code == 1
    assert "Nhiệm vụ I.2 đã có báo cáo" in refused.stderr and "Tổ chức tập huấn kỹ năng số" in refused.stderr
    result = _import(admin, replaced, tmp_path / "v2.xlsx", "--prune")

    assert result["deactivated"] == ["I.2"] and result["added"] == ["I.2"]
    assert _notes_by_title(admin)["Tổ chức tập huấn kỹ năng số"][0].endswith("(inactive): đã mở 2 lớp")
    assert "Công khai thủ tục hành chính trên Cổng dịch vụ công" not in _notes_by_title(admin)


def test_a_task_reworded_in_place_keeps_its_reports(admin: Admin, tmp_path: Path) -> None:
    admin.imports(write_xlsx(_renumbered([PLAN, TRAINING, REVIEW]), tmp_path / "v1.xlsx").path)
    _report(admin, "I.2", "Văn hóa - Xã hội", "đã mở 2 lớp")
    reworded = Row(
        2,
        "Tổ chức tập huấn kỹ năng số cho cán bộ, công chức xã",
        "Văn hóa - Xã hội",
        "Tư pháp",
        "Lớp tập huấn",
        "Tháng 9/2022",
    )
    result = _import(admin, Appendix(rows=[AREA, PLAN, reworded, REVIEW]), tmp_path / "v2.xlsx")
    assert result["updated"] == ["I.2"] and not result["renumbered"] and not result["replaced"]
    assert _notes_by_title(admin) == {"Tổ chức tập huấn kỹ năng số cho cán bộ, công chức xã": ["I.2: đã mở 2 lớp"]}


def test_codes_that_change_hands_are_saved_on_either_store(dondoc: Dondoc, tmp_path: Path) -> None:
    """Two tasks swap numbers and the first number goes to a new task, while the task that had it is
    kept inactive (it has reports): the plan's codes stay unique at every step of the save, on
    SQLite and on PostgreSQL."""
    dondoc.ok("units", "import", write_registry(tmp_path / "don-vi.yaml"))
    dondoc.ok("plan", "import", write_xlsx(_renumbered([PLAN, TRAINING, REVIEW]), tmp_path / "v1.xlsx").path)
    for code, unit, note in (("I.1", "Văn phòng", "đã ban hành"), ("I.3", "Văn phòng", "đang tổng hợp")):
        dondoc.ok("report", "add", "--task", code, "--unit", unit, "--status", "in_progress", "--note", note)
    urgent = Row(0, "Kiện toàn Ban chỉ đạo cải cách hành chính", "Văn phòng", "", "Quyết định", "Tháng 01/2022")
    path = write_xlsx(_renumbered([urgent, REVIEW, TRAINING]), tmp_path / "v2.xlsx").path
    result = json.loads(dondoc.ok("plan", "import", path, "--prune", "--json").stdout)
    assert result["renumbered"] == [{"from": "I.3", "to": "I.2"}, {"from": "I.2", "to": "I.3"}]
    assert result["deactivated"] == ["I.1"] and result["added"] == ["I.1"]
    tasks = json.loads(dondoc.ok("plan", "export", "--format", "json").stdout)["tasks"]
    assert [(t["code"], t["title"][:6]) for t in tasks] == [("I.1", "Kiện t"), ("I.2", "Sơ kết"), ("I.3", "Tổ chứ")]
    again = json.loads(dondoc.ok("plan", "import", path, "--prune", "--json").stdout)
    assert again["added"] == [] and again["updated"] == [] and again["renumbered"] == []


def test_tasks_that_only_moved_down_the_sheet_are_not_listed_as_updated(admin: Admin, tmp_path: Path) -> None:
    other_area = Area("II", "CẢI CÁCH THỂ CHẾ")
    law = Row(1, "Rà soát văn bản quy phạm pháp luật", "Tư pháp", "", "Báo cáo", "Quý III/2022")
    admin.imports(write_xlsx(Appendix(rows=[AREA, PLAN, TRAINING, other_area, law]), tmp_path / "v1.xlsx").path)
    urgent = Row(3, "Kiện toàn Ban chỉ đạo cải cách hành chính", "Văn phòng", "", "Quyết định", "Tháng 01/2022")
    result = _import(admin, Appendix(rows=[AREA, PLAN, TRAINING, urgent, other_area, law]), tmp_path / "v2.xlsx")
    assert result["added"] == ["I.3"] and result["updated"] == [] and result["unchanged"] == 3
