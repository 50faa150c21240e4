"""Errors and warnings of ``dondoc plan import`` (issue #11): one vague cell must not block 150 good
rows. Warnings (what the importer left out or assumed) let the import go ahead and are listed on
standard error, in ``--json`` output and by ``plan show --warnings``; errors still refuse the file
with nothing written; ``--strict`` makes warnings errors. Relative deadlines ("100 ngày kể từ ngày ban
hành Kế hoạch", a "Số ngày" column) are dated by ``--issued``, else by the plan's date in the title
("Kèm theo Kế hoạch số 15/KH-UBND ngày 10/01/2022"), else imported undated, with one warning each way.

The tables are built here (invented texts) with :mod:`tests.plan.layouts`, for the commune registry
of xã Tân Phú that :mod:`tests.plan.test_layouts` registers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.plan.layouts import TITLE_LINES_2022, Appendix, Area, Task, write_docx, write_xlsx
from tests.plan.test_layouts import (
    Admin,
    fold,
    names_defect,
)


def warning_lines(stderr: str) -> list[str]:
    """The lines listed under "N cảnh báo:" / "N warnings:"."""
    lines = stderr.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if fold(line).rstrip(":").endswith(("canh bao", "warning", "warnings"))),
        None,
    )
    return [line for line in lines[start + 1 :] if line.startswith("  - ")] if start is not None else []


def imported_json(admin: Admin, path: Path, *options: str) -> dict[str, Any]:
    result = admin.import_plan(path, "--json", *options)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------- vague and unknown units

VAGUE = Appendix(
    rows=[
        Area("I", "HẠ TẦNG SỐ"),
        Task(1, "Rà soát hạ tầng mạng của xã", "Văn phòng, các đơn vị liên quan", "Tư pháp", deadline="Quý II/2022"),
        Task(2, "Cập nhật dữ liệu hộ tịch", "Tư pháp", "Văn phòng; cơ quan có liên quan", deadline="Tháng 6/2022"),
        Task(3, "Tập huấn kỹ năng số", "Văn hóa - Xã hội", "Công an xã và các đơn vị khác", deadline="Quý III/2022"),
        Task(4, "Tổng hợp báo cáo năm", "Văn phòng", "Các sở, ngành khác", deadline="Năm 2022"),
        Task(5, "Lắp đặt loa truyền thanh", "Địa chính - Xây dựng", "Ấp Phú Lộc", deadline="Quý IV/2022"),
    ]
)


def test_vague_phrases_beside_units_are_left_out_with_a_warning(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(VAGUE, tmp_path / "mo-ho.xlsx")
    result = admin.import_plan(built.path)

    assert result.exit_code == 0, result.stderr
    tasks = {t["code"]: t for t in admin.export().tasks}
    assert (tasks["I.1"]["lead"], tasks["I.1"]["support"]) == (["VP"], ["TP"])
    assert (tasks["I.2"]["lead"], tasks["I.2"]["support"]) == (["TP"], ["VP"])
    assert (tasks["I.3"]["lead"], tasks["I.3"]["support"]) == (["VHXH"], ["CA"])
    assert (tasks["I.4"]["lead"], tasks["I.4"]["support"]) == (["VP"], [])
    warnings = "\n".join(warning_lines(result.stderr))
    for content, text, column in (
        ("Rà soát hạ tầng mạng của xã", "các đơn vị liên quan", "Chủ trì"),
        ("Cập nhật dữ liệu hộ tịch", "cơ quan có liên quan", "Phối hợp"),
        ("Tập huấn kỹ năng số", "các đơn vị khác", "Phối hợp"),
        ("Tổng hợp báo cáo năm", "Các sở, ngành khác", "Phối hợp"),
    ):
        assert names_defect(warnings, row=built.row_of(content), text=text, column=column), warnings


def test_an_unknown_supporting_unit_is_a_warning_naming_the_nearest_names(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(VAGUE, tmp_path / "mo-ho.xlsx")
    result = admin.import_plan(built.path)

    assert result.exit_code == 0, result.stderr
    assert admin.export().task("I.5")["support"] == []
    line = next(line for line in warning_lines(result.stderr) if "Ấp Phú Lộc" in line)
    assert names_defect(line, row=built.row_of("Lắp đặt loa truyền thanh"), text="Ấp Phú Lộc", column="Phối hợp")
    assert "Ấp Phú Lợi" in line, line  # the nearest registry name, as a suggestion


def test_a_lead_cell_with_only_a_vague_phrase_is_still_an_error(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Task(1, "Rà soát hạ tầng mạng của xã", "Văn phòng", "Tư pháp", deadline="Quý II/2022"),
            Task(2, "Cập nhật dữ liệu", "Các cơ quan, đơn vị có liên quan", "Văn phòng", deadline="Quý II/2022"),
        ]
    )
    built = write_xlsx(appendix, tmp_path / "mo-ho.xlsx")
    stderr = admin.rejects(built.path)

    assert names_defect(stderr, row=built.row_of("Cập nhật dữ liệu"), column="Chủ trì", column_key="lead")
    assert admin.stored_tasks() == []


# --------------------------------------------------------------------------- errors stay errors

ERRORS: list[tuple[str, Task, str]] = [
    ("no content", Task(2, "", "Văn phòng", deadline="Quý II/2022"), "Nội dung"),
    (
        "unknown lead",
        Task(2, "Cập nhật dữ liệu", "Phòng Nội vụ", "Tư pháp; các đơn vị liên quan", deadline="Quý II/2022"),
        "Chủ trì",
    ),
    (
        "unreadable deadline",
        Task(2, "Cập nhật dữ liệu", "Văn phòng", deadline="Chưa xác định"),
        "Thời gian hoàn thành",
    ),
    ("impossible date", Task(2, "Cập nhật dữ liệu", "Văn phòng", deadline="31/02/2022"), "Thời gian hoàn thành"),
    ("number used twice", Task(1, "Cập nhật dữ liệu", "Văn phòng", deadline="Quý II/2022"), "STT"),
]


@pytest.mark.parametrize(("case", "bad", "column"), ERRORS, ids=[case for case, *_ in ERRORS])
def test_each_error_still_refuses_the_file_and_writes_nothing(
    admin: Admin, tmp_path: Path, case: str, bad: Task, column: str
) -> None:
    appendix = Appendix(
        rows=[
            Area("I", "HẠ TẦNG SỐ"),
            Task(
                1, "Rà soát hạ tầng mạng của xã", "Văn phòng", "Tư pháp; cơ quan có liên quan", deadline="Quý II/2022"
            ),
            bad,
        ]
    )
    built = write_xlsx(appendix, tmp_path / "loi.xlsx")
    stderr = admin.rejects(built.path)

    bad_row = built.row_of("Rà soát hạ tầng mạng của xã") + 1
    assert names_defect(stderr, row=bad_row, column=column), f"{case}:\n{stderr}"
    # The warning of the good row is listed too, apart from the errors.
    assert any("cơ quan có liên quan" in line for line in warning_lines(stderr)), stderr
    assert admin.stored_tasks() == []


def test_strict_turns_warnings_into_errors(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(VAGUE, tmp_path / "mo-ho.xlsx")
    stderr = admin.rejects(built.path, "--strict")

    assert names_defect(stderr, row=built.row_of("Lắp đặt loa truyền thanh"), text="Ấp Phú Lộc", column="Phối hợp")
    assert names_defect(stderr, row=built.row_of("Tổng hợp báo cáo năm"), text="Các sở, ngành khác")
    assert admin.stored_tasks() == []


def test_dry_run_shows_warnings_and_writes_nothing(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(VAGUE, tmp_path / "mo-ho.xlsx")
    result = admin.import_plan(built.path, "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert any("Ấp Phú Lộc" in line for line in warning_lines(result.stderr)), result.stderr
    assert admin.stored_tasks() == []


def test_json_output_lists_each_warning_with_row_column_header_and_text(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(VAGUE, tmp_path / "mo-ho.xlsx")
    data = imported_json(admin, built.path)

    found = [w for w in data["warnings"] if w["value"] == "Ấp Phú Lộc"]
    assert len(found) == 1
    warning = found[0]
    assert warning["severity"] == "warning"
    assert warning["row"] == built.row_of("Lắp đặt loa truyền thanh")
    assert (warning["column"], warning["header"]) == ("E", "Phối hợp")
    assert "Ấp Phú Lợi" in warning["message"]
    assert {w["value"] for w in data["warnings"]} >= {"các đơn vị liên quan", "cơ quan có liên quan"}


def test_plan_show_warnings_lists_the_last_imports_warnings(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(VAGUE, tmp_path / "mo-ho.xlsx")
    admin.imports(built.path)

    shown = admin.run("plan", "show", "--warnings")
    assert shown.exit_code == 0, shown.stderr
    assert names_defect(
        shown.stdout, row=built.row_of("Lắp đặt loa truyền thanh"), text="Ấp Phú Lộc", column="Phối hợp"
    )
    assert "các đơn vị liên quan" in shown.stdout

    clean = Appendix(
        rows=[
            Area("I", "HẠ TẦNG SỐ"),
            *(Task(n, f"Nhiệm vụ {n}", "Văn phòng", deadline="Quý II/2022") for n in range(1, 6)),
        ]
    )
    admin.imports(write_xlsx(clean, tmp_path / "sach.xlsx").path)
    again = admin.run("plan", "show", "--warnings")
    assert "Ấp Phú Lộc" not in again.stdout
    assert "không có cảnh báo" in again.stdout.lower(), again.stdout


def test_docx_warnings_name_the_table_and_row(admin: Admin, tmp_path: Path) -> None:
    built = write_docx(VAGUE, tmp_path / "mo-ho.docx")
    result = admin.import_plan(built.path, "--json")

    assert result.exit_code == 0, result.stderr
    warning = next(w for w in json.loads(result.stdout)["warnings"] if w["value"] == "Ấp Phú Lộc")
    assert warning["row"] == built.row_of("Lắp đặt loa truyền thanh")
    assert "bảng 1," in warning["where"]  # the letterhead above it is no table to the clerk


# --------------------------------------------------------------------------- assumptions


def test_a_year_taken_from_the_title_is_a_warning(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Task(1, "Ban hành kế hoạch", "Văn phòng", deadline="Trước 30/6"),
            Task(2, "Sơ kết", "Văn phòng", deadline="6 tháng cuối năm"),
            Task(3, "Tổng kết", "Văn phòng", deadline="15/12/2022"),
        ]
    )
    built = write_xlsx(appendix, tmp_path / "nam.xlsx")
    data = imported_json(admin, built.path)

    assert [t["deadline"]["dates"] for t in admin.export().tasks][:2] == [["2022-06-30"], ["2022-12-31"]]
    assumed = [w for w in data["warnings"] if "2022" in w["message"]]
    assert len(assumed) == 1 and assumed[0]["row"] is None, data["warnings"]
    assert fold("tiêu đề") in fold(assumed[0]["message"]) and assumed[0]["message"].startswith("2 ")

    again = imported_json(admin, built.path, "--year", "2022")
    assert again["warnings"] == []


def test_a_column_chosen_among_two_candidates_is_a_warning(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[Task(1, "Ban hành kế hoạch", "Văn phòng", deadline="Quý I/2022", note="Quý II/2022")],
        labels={"deadline": "Thời hạn hoàn thành", "note": "Thời gian báo cáo"},
    )
    built = write_xlsx(appendix, tmp_path / "hai-cot.xlsx")
    data = imported_json(admin, built.path)

    assert admin.export().tasks[0]["deadline"]["dates"] == ["2022-03-31"]  # the first candidate
    chosen = [w for w in data["warnings"] if w["header"] == "Thời gian báo cáo"]
    assert len(chosen) == 1 and "Thời hạn hoàn thành" in chosen[0]["message"], data["warnings"]


# --------------------------------------------------------------------------- relative deadlines

# A title that gives the plan no date (no "Kèm theo Kế hoạch số … ngày …", no dateline).
UNDATED_TITLE = TITLE_LINES_2022[:2]

RELATIVE = Appendix(
    title_lines=UNDATED_TITLE,
    rows=[
        Area("I", "CÔNG TÁC CHỈ ĐẠO"),
        Task(1, "Kiện toàn Ban chỉ đạo", "Văn phòng", deadline="100 ngày kể từ ngày ban hành Kế hoạch"),
        Task(2, "Ban hành quy chế", "Tư pháp", deadline="Sau 30 ngày kể từ ngày Kế hoạch có hiệu lực"),
        Task(3, "Phân công đầu mối", "Văn phòng", deadline="Trong vòng 15 ngày kể từ ngày ký"),
        Task(4, "Tổng kết năm", "Văn phòng", deadline="Tháng 12/2022"),
    ],
)


def test_relative_deadlines_without_issued_are_undated_with_one_warning(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx")
    data = imported_json(admin, built.path)

    tasks = {t["code"]: t["deadline"] for t in admin.export().tasks}
    assert [(tasks[c]["kind"], tasks[c]["dates"]) for c in ("I.1", "I.2", "I.3")] == [("undated", [])] * 3
    assert tasks["I.4"]["dates"] == ["2022-12-31"]
    assert data["undated"] == ["I.1", "I.2", "I.3"]
    about = [w for w in data["warnings"] if "--issued" in w["message"]]
    assert len(about) == 1 and about[0]["row"] is None and about[0]["message"].startswith("3 "), data["warnings"]
    assert not [w for w in data["warnings"] if w["row"] is not None]


def test_issued_dates_relative_deadlines(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx")
    data = imported_json(admin, built.path, "--issued", "15/01/2022")

    tasks = {t["code"]: t["deadline"] for t in admin.export().tasks}
    assert tasks["I.1"]["kind"] == "fixed" and tasks["I.1"]["dates"] == ["2022-04-25"]  # 15/01 + 100 days
    assert tasks["I.2"]["dates"] == ["2022-02-14"]
    assert tasks["I.3"]["dates"] == ["2022-01-30"]
    assert data["warnings"] == [] and data["undated"] == []


def test_the_titles_plan_date_dates_relative_deadlines_and_says_so(admin: Admin, tmp_path: Path) -> None:
    # "(Kèm theo Kế hoạch số 15/KH-UBND ngày 10/01/2022 …)": the plan the appendix goes with was issued then.
    dated = replace(RELATIVE, title_lines=TITLE_LINES_2022)
    data = imported_json(admin, write_xlsx(dated, tmp_path / "tuong-doi.xlsx").path)

    tasks = {t["code"]: t["deadline"] for t in admin.export().tasks}
    assert [(tasks[c]["kind"], tasks[c]["dates"]) for c in ("I.1", "I.2", "I.3")] == [
        ("fixed", ["2022-04-20"]),  # 10/01 + 100 days
        ("fixed", ["2022-02-09"]),
        ("fixed", ["2022-01-25"]),
    ]
    assert data["undated"] == []
    said = [w["message"] for w in data["warnings"]]
    assert len(said) == 1 and said[0].startswith("3 ") and "10/01/2022" in said[0] and "--issued" in said[0], said

    # --issued wins, and nothing is assumed then.
    again = imported_json(admin, write_xlsx(dated, tmp_path / "tuong-doi.xlsx").path, "--issued", "15/01/2022")
    assert {t["code"]: t["deadline"]["dates"] for t in admin.export().tasks}["I.1"] == ["2022-04-25"]
    assert again["warnings"] == []


def test_a_dateline_dates_them_but_a_cited_documents_date_does_not(admin: Admin, tmp_path: Path) -> None:
    cited = replace(
        RELATIVE,
        title_lines=(*UNDATED_TITLE, "(Thực hiện Quyết định số 03/QĐ-UBND ngày 05/01/2022 của UBND huyện)"),
    )
    data = imported_json(admin, write_xlsx(cited, tmp_path / "trich-dan.xlsx").path)
    assert data["undated"] == ["I.1", "I.2", "I.3"]  # another document's date is not the plan's

    dateline = replace(RELATIVE, title_lines=(*UNDATED_TITLE, "Tân Phú, ngày 12 tháng 01 năm 2022"))
    data = imported_json(admin, write_xlsx(dateline, tmp_path / "ngay-thang.xlsx").path)
    assert data["undated"] == []
    assert {t["code"]: t["deadline"]["dates"] for t in admin.export().tasks}["I.3"] == ["2022-01-27"]


def test_a_word_documents_dateline_dates_them(admin: Admin, tmp_path: Path) -> None:
    # The letterhead's "Tân Phú, ngày 10 tháng 01 năm 2022" beside the national motto is the plan's date.
    data = imported_json(admin, write_docx(RELATIVE, tmp_path / "tuong-doi.docx").path)
    assert data["undated"] == []
    assert {t["code"]: t["deadline"]["dates"] for t in admin.export().tasks}["I.1"] == ["2022-04-20"]


def test_a_duration_column_counts_days_from_the_issue_date(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Task(1, "Kiện toàn Ban chỉ đạo", "Văn phòng", deadline="30"),
            Task(2, "Ban hành quy chế", "Tư pháp", deadline="45 ngày"),
        ],
        labels={"deadline": "Thời gian thực hiện (ngày)"},
        title_lines=UNDATED_TITLE,
    )
    built = write_xlsx(appendix, tmp_path / "so-ngay.xlsx")
    undated = imported_json(admin, built.path)
    assert [t["deadline"]["kind"] for t in admin.export().tasks] == ["undated", "undated"]
    assert len([w for w in undated["warnings"] if "--issued" in w["message"]]) == 1

    imported_json(admin, built.path, "--issued", "2022-03-01")
    assert [t["deadline"]["dates"] for t in admin.export().tasks] == [["2022-03-31"], ["2022-04-15"]]


def test_issued_must_be_a_date(admin: Admin, tmp_path: Path) -> None:
    built = write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx")
    result = admin.import_plan(built.path, "--issued", "31/02/2022")
    assert result.exit_code == 2
    assert "--issued" in result.stderr
    assert admin.stored_tasks() == []


# --------------------------------------------------------------------------- undated tasks downstream


def test_undated_tasks_are_their_own_line_in_status_never_overdue(admin: Admin, tmp_path: Path) -> None:
    admin.imports(write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx").path)

    as_json = admin.run("status", "--at", "2022-12-31", "--json")
    assert as_json.exit_code == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [entry["task"] for entry in data["undated"]] == ["I.1", "I.2", "I.3"]
    assert data["continuous"] == []
    assert sum(data["totals"].values()) == 1 and data["totals"]["not_started"] == 1  # only I.4, due 31/12
    assert all(item["task"] == "I.4" for item in data["items"])

    text = admin.run("status", "--at", "2023-03-01")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if "chưa xác định thời hạn" in line.lower())
    assert [line.split()[0] for line in lines[heading + 1 : heading + 4]] == ["I.1", "I.2", "I.3"]
    data = json.loads(admin.run("status", "--at", "2023-03-01", "--json").stdout)
    assert data["totals"]["overdue"] == 1  # I.4 alone


def test_undated_tasks_get_no_reminders(admin: Admin, tmp_path: Path) -> None:
    admin.imports(write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx").path)

    result = admin.run(
        "reminders", "preview", "--from", "2022-01-01", "--to", "2022-12-31", "--at", "2022-01-01T00:00", "--json"
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "I.4" in text
    for code in ("I.1", "I.2", "I.3"):
        assert f'"{code}"' not in text


def test_undated_tasks_in_the_status_workbook(admin: Admin, tmp_path: Path) -> None:
    admin.imports(write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx").path)
    output = tmp_path / "tinh-hinh.xlsx"

    result = admin.run("export", "-o", str(output), "--at", "2023-03-01")
    assert result.exit_code == 0, result.stderr
    book = load_workbook(output, read_only=True)
    detail = [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]
    by_task = {row[0]: row for row in detail[1:]}
    for code in ("I.1", "I.2", "I.3"):
        assert by_task[code][5] == "chưa xác định thời hạn", by_task[code]
    assert by_task["I.4"][5] != "chưa xác định thời hạn"
    summary = " ".join(str(cell) for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell)
    assert "Chưa xác định thời hạn" in summary


# --------------------------------------------------------------------------- the phrase families


@pytest.mark.parametrize(
    ("fragment", "vague"),
    [
        ("các đơn vị liên quan", True),
        ("cơ quan có liên quan", True),
        ("các sở, ngành khác", True),
        ("và các đơn vị khác", True),
        ("các cơ quan, đơn vị, địa phương có liên quan", True),
        ("các phòng, ban chuyên môn khác", True),
        ("các cơ quan chức năng", True),
        ("Ấp Phú Hòa", False),
        ("các ấp khác", False),  # a place, not a generic collective
        ("Phòng Nội vụ", False),
        ("Hội Nông dân xã", False),
    ],
)
def test_vague_phrases_are_recognised_by_their_family(fragment: str, vague: bool) -> None:
    from dondoc.plan.relative import is_vague

    assert is_vague(fragment) is vague


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("100 ngày kể từ ngày ban hành Kế hoạch", (100, False)),
        ("Sau 30 ngày kể từ ngày Kế hoạch có hiệu lực", (30, False)),
        ("Trong vòng 15 ngày làm việc, kể từ ngày ký", (15, False)),
        ("Trong vòng 15 ngày", (15, False)),
        ("Trong thời hạn 45 ngày kể từ ngày Quyết định có hiệu lực", (45, False)),
        ("02 tuần kể từ ngày ban hành", (14, False)),
        ("06 tháng kể từ ngày ban hành Kế hoạch", (6, True)),
        ("6 tháng đầu năm", None),  # a half-year, not an offset
        ("Trước ngày 15/12/2022", None),
        ("Sau 30 ngày kể từ ngày 15/01/2022", None),  # the file dates the event
        ("Quý II/2022", None),
    ],
)
def test_relative_phrases(text: str, offset: tuple[int, bool] | None) -> None:
    from dondoc.plan.relative import relative_offset

    found = relative_offset(text)
    assert (None if found is None else (found.count, found.months)) == offset


def test_offsets_in_months_are_dated_by_the_calendar(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Task(1, "Kiện toàn Ban chỉ đạo", "Văn phòng", deadline="06 tháng kể từ ngày ban hành Kế hoạch"),
            Task(2, "Sơ kết", "Văn phòng", deadline="6 tháng đầu năm"),
        ]
    )
    imported_json(admin, write_xlsx(appendix, tmp_path / "thang.xlsx").path, "--issued", "31/08/2022")

    assert [t["deadline"]["dates"] for t in admin.export().tasks] == [["2023-02-28"], ["2022-06-30"]]


def test_status_in_chat_shows_undated_tasks_apart(admin: Admin, tmp_path: Path) -> None:
    from datetime import date

    from sqlmodel import Session, select

    from dondoc.db.models import Plan
    from dondoc.db.session import make_engine
    from dondoc.handlers.status import render_status
    from dondoc.plan.progress import plan_status, plan_summary, summarize

    admin.imports(write_xlsx(RELATIVE, tmp_path / "tuong-doi.xlsx").path)
    engine = make_engine(admin.db)
    with Session(engine) as session:
        plan = session.exec(select(Plan)).one()
        summary = plan_summary(session, plan, date(2023, 3, 1))
        assert summary == summarize(plan_status(session, plan, date(2023, 3, 1)))
        text = render_status(plan.title, summary)
    engine.dispose()
    assert (summary.undated, summary.items, summary.totals["overdue"], summary.continuous) == (3, 1, 1, 0)
    assert "Chưa xác định thời hạn: 3" in text


def test_an_offset_from_a_dated_event_is_a_date(admin: Admin, tmp_path: Path) -> None:
    appendix = Appendix(
        rows=[
            Task(1, "Ban hành quy chế", "Văn phòng", deadline="Sau 30 ngày kể từ ngày 15/01/2022"),
            Task(2, "Rà soát", "Văn phòng", deadline="Trong vòng 30 ngày kể từ ngày Nghị định có hiệu lực (01/7/2022)"),
        ]
    )
    data = imported_json(admin, write_xlsx(appendix, tmp_path / "su-kien.xlsx").path)

    assert [t["deadline"]["dates"] for t in admin.export().tasks] == [["2022-02-14"], ["2022-07-31"]]
    assert data["undated"] == [] and data["warnings"] == []
