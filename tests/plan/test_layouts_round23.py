"""Appendices of the 23rd import audit, read as the clerk who typed them sees them.

- a numbered heading ("3 | Cải cách thể chế") over rows numbered by a bullet ("-", "*", in the number
  cell or opening the text) or a letter ("a)") that name their own lead unit and deadline, with "+"
  (or "-") rows under some of them: each such row is a task numbered under the heading (3.1, 3.a),
  the rows under it its sub-tasks (3.1.1) when they name their own cells, its parts taking its cells
  when they do not; no row naming a lead unit or deadline is lost;
- a heading whose own lead unit and deadline no row under it takes: a warning naming its row;
- a deadline cell giving no date, only a phrase ("Khi có yêu cầu", "Theo chỉ đạo của UBND tỉnh"): read
  as continuous, and said once for the file with its rows ("Thường xuyên", "Hằng năm" … are clear).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.real_layouts import WRITERS, Sheet
from tests.plan.test_audit_layouts import admin, imported  # noqa: F401 (admin is a fixture)
from tests.plan.test_audit_layouts2 import sheet_of as sheet
from tests.plan.test_real_layouts import Admin

TITLE_LINES = ("PHỤ LỤC", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026")
TITLE: list[list[Any]] = [[line] for line in TITLE_LINES]
HEADER = ("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn")


def read(store: Admin) -> list[tuple[str, str, list[str], str]]:
    return [(t["code"], t["title"], t["lead"], t["deadline"]["text"]) for t in store.tasks()]


def bulleted(bullet: str, text: str, in_text: bool) -> tuple[str, str]:
    """The number and text cells of a row numbered by ``bullet``: in the number cell, or opening the text."""
    return ("", f"{bullet} {text}") if in_text else (bullet, text)


# --------------------------------------------------------------------------- bullets with cells of their own


@pytest.mark.parametrize("in_text", [False, True], ids=["bullet-in-number-cell", "bullet-in-text"])
@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_dash_rows_with_their_own_lead_and_deadline_are_tasks_and_plus_rows_under_them_too(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
    kind: str,
    in_text: bool,
) -> None:
    table = Sheet(
        title_lines=TITLE_LINES,
        header=(HEADER,),
        body=(
            ("1", "Tuyên truyền cải cách hành chính", "Sở Nội vụ", "", "Quý I/2026"),
            ("2", "Cải cách thể chế", "", "", ""),
            (*bulleted("-", "Rà soát văn bản QPPL", in_text), "Sở Tư pháp", "", "Quý II/2026"),
            (*bulleted("+", "Văn bản của thành phố", in_text), "Sở Tư pháp", "", "Quý II/2026"),
            (*bulleted("+", "Văn bản của các xã", in_text), "Sở Nội vụ", "", "Quý III/2026"),
            (*bulleted("-", "Kiểm tra văn bản", in_text), "Sở Tư pháp", "", "Quý IV/2026"),
            (*bulleted("+", "Văn bản của thành phố", in_text), "", "", ""),
            (*bulleted("+", "Văn bản của các xã", in_text), "", "", ""),
            ("3", "Tổng kết", "Sở Nội vụ", "", "Quý IV/2026"),
        ),
    )

    data = imported(admin, tmp_path, WRITERS[kind](table, tmp_path / f"phu-luc.{kind}"))

    # was refused ("task number -.1 is used twice"), "Rà soát văn bản QPPL" and the second "+" lost
    assert read(admin) == [
        ("1", "Tuyên truyền cải cách hành chính", ["SNV"], "Quý I/2026"),
        ("2.1", "Rà soát văn bản QPPL", ["STP"], "Quý II/2026"),
        ("2.1.1", "Văn bản của thành phố", ["STP"], "Quý II/2026"),
        ("2.1.2", "Văn bản của các xã", ["SNV"], "Quý III/2026"),
        # "+" rows with text only are the parts of the "-" row, as "- …" rows under "2 | … | lead | …" are
        ("2.2.1", "Văn bản của thành phố", ["STP"], "Quý IV/2026"),
        ("2.2.2", "Văn bản của các xã", ["STP"], "Quý IV/2026"),
        ("3", "Tổng kết", ["SNV"], "Quý IV/2026"),
    ]
    assert data["warnings"] == []


@pytest.mark.parametrize(
    ("first", "sub", "second", "codes"),
    [
        ("a)", "-", "b)", ["2.a", "2.a.1", "2.a.2", "2.b"]),
        ("*", "+", "*", ["2.1", "2.1.1", "2.1.2", "2.2"]),
        ("-", "+", "-", ["2.1", "2.1.1", "2.1.2", "2.2"]),
    ],
)
def test_letters_and_stars_with_their_own_cells_are_tasks_under_their_heading(
    admin: Admin,  # noqa: F811
    tmp_path: Path,
    first: str,
    sub: str,
    second: str,
    codes: list[str],
) -> None:
    rows: list[list[Any]] = [
        *TITLE,
        list(HEADER),
        [1, "Tuyên truyền", "Sở Nội vụ", None, "Quý I/2026"],
        [2, "Cải cách thủ tục hành chính"],
        [first, "Rà soát thủ tục", "Sở Tư pháp", None, "Quý II/2026"],
        [sub, "Thủ tục cấp thành phố", "Sở Tư pháp", None, "Quý II/2026"],
        [sub, "Thủ tục cấp xã", "Sở Y tế", None, "Quý III/2026"],
        [second, "Công bố thủ tục", "Sở Nội vụ", None, "Quý IV/2026"],
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    # was "a.1", "a.2", "b" (or "+.1"), the first row of each lost
    assert read(admin) == [
        ("1", "Tuyên truyền", ["SNV"], "Quý I/2026"),
        (codes[0], "Rà soát thủ tục", ["STP"], "Quý II/2026"),
        (codes[1], "Thủ tục cấp thành phố", ["STP"], "Quý II/2026"),
        (codes[2], "Thủ tục cấp xã", ["SYT"], "Quý III/2026"),
        (codes[3], "Công bố thủ tục", ["SNV"], "Quý IV/2026"),
    ]


def test_a_dash_heading_without_cells_numbers_its_plus_rows_and_its_siblings(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        list(HEADER),
        [1, "Tuyên truyền", "Sở Nội vụ", None, "Quý I/2026"],
        [2, "Cải cách thể chế"],
        [None, "- Nhóm văn bản của thành phố"],
        [None, "+ Rà soát nghị quyết", "Sở Tư pháp", None, "Quý II/2026"],
        [None, "+ Rà soát quyết định", "Sở Tư pháp", None, "Quý III/2026"],
        [None, "- Kiểm tra văn bản", "Sở Nội vụ", None, "Quý IV/2026"],
    ]

    imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    # was refused: "task number 1 is used twice"
    assert [t["code"] for t in admin.tasks()] == ["1", "2.1.1", "2.1.2", "2.2"]


# --------------------------------------------------------------------------- a heading whose cells go to no task


def test_a_heading_whose_lead_and_deadline_no_row_takes_is_named(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        list(HEADER),
        [1, "Tuyên truyền cải cách hành chính", "Sở Nội vụ", None, "Quý I/2026"],
        ["-", "Tuyên truyền trên báo", "Sở Tư pháp", None, "Quý II/2026"],
        ["-", "Tuyên truyền trên cổng thông tin", "Sở Y tế", None, "Quý III/2026"],
        [2, "Kiểm tra công vụ", "Sở Nội vụ", None, "Quý II/2026"],
        ["2.1", "Kiểm tra các sở", "Sở Nội vụ", None, "Quý III/2026"],
        ["2.2", "Kiểm tra các xã", None, None, "Quý IV/2026"],  # takes the heading's lead: no warning
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    assert [t["code"] for t in admin.tasks()] == ["1.1", "1.2", "2.1", "2.2"]
    # was silent: nobody chased for row 4, its text gone
    assert [(w["where"], w["value"]) for w in data["warnings"]] == [
        ("row 4, column C (Cơ quan chủ trì)", "Tuyên truyền cải cách hành chính")
    ]
    assert "its cells («Sở Nội vụ», «Quý I/2026») go to no task" in data["warnings"][0]["message"]


# --------------------------------------------------------------------------- phrases read as continuous


def test_deadline_phrases_read_as_continuous_are_said_once_with_their_rows(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    deadlines = [
        "Khi có yêu cầu",
        "Theo chỉ đạo của UBND tỉnh",
        "Theo tiến độ của Trung ương",
        "Thường xuyên",
        "Hằng năm",
        "Liên tục",
        "Cả năm 2026",
        "Thường xuyên, khi có yêu cầu",
        "Từ tháng 3/2026",
        "Quý IV/2026",
    ]
    rows: list[list[Any]] = [
        *TITLE,
        list(HEADER),
        *([n, f"Nhiệm vụ {n}", "Sở Nội vụ", None, text] for n, text in enumerate(deadlines, 1)),
    ]
    path = sheet(tmp_path / "phu-luc.xlsx", rows)

    data = imported(admin, tmp_path, path)

    assert [t["deadline"]["kind"] for t in admin.tasks()][:3] == ["continuous"] * 3
    # was: no warning at all
    assert [w["message"] for w in data["warnings"]] == [
        "3 tasks were read as continuous work (followed up, never overdue) from deadline cells that give no"
        " date, only a phrase (row 4 «Khi có yêu cầu»; row 5 «Theo chỉ đạo của UBND tỉnh»; row 6 «Theo tiến độ"
        " của Trung ương»): if they have deadlines, write their dates"
    ]
    result = admin.run("--lang", "vi", "plan", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert (
        "3 nhiệm vụ được hiểu là nhiệm vụ thường xuyên (theo dõi, không bao giờ quá hạn) vì ô thời hạn chỉ ghi"
        " một cụm từ, không ghi ngày (dòng 4 «Khi có yêu cầu»;" in result.stdout + result.stderr
    )


def test_more_than_five_phrases_are_counted_not_all_named(admin: Admin, tmp_path: Path) -> None:  # noqa: F811
    rows: list[list[Any]] = [
        *TITLE,
        list(HEADER),
        *([n, f"Nhiệm vụ {n}", "Sở Nội vụ", None, "Khi có yêu cầu"] for n in range(1, 8)),
    ]

    data = imported(admin, tmp_path, sheet(tmp_path / "phu-luc.xlsx", rows))

    [warning] = data["warnings"]
    assert warning["message"].startswith("7 tasks were read as continuous work")
    assert "row 8 «Khi có yêu cầu» and 2 more rows)" in warning["message"]
