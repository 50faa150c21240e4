"""The manager's files as the office clerk reads them every week (second part of the audit): the detail
says when an item was completed, what deadline the signed plan gives and to when it was extended; the
explanations and targets sheets carry real dates, numbers and titles; a workbook made today says at
what time; the chat's file name says the year once; the chart says whose plan it is and what it counts."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from PIL.PngImagePlugin import PngImageFile
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import MemberRole, Plan
from dondoc.i18n import use_language
from dondoc.plan.progress import plan_status
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.factories import add_report
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.targets.helpers import import_long_my

PLAN = "Nhiệm vụ cải cách hành chính năm 2022"
ORGANIZATION = "Ủy ban nhân dân huyện Long Mỹ"
XP = "Ủy ban nhân dân xã Xà Phiên"
VHTT = "Phòng Văn hóa và Thông tin"
TTVH = "Trung tâm Văn hóa – Thể thao và Truyền thanh huyện"


def export(store: Dondoc, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    path = tmp_path / "tinh-hinh.xlsx"
    store.ok("export", *args, "-o", path, env=env)
    return load_workbook(path)


def lead_rows(ws: Any) -> dict[tuple[str, str], list[Any]]:
    """The detail's lead rows by (task, unit name); a recurring task's first deadline only."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "chủ trì":
            rows.setdefault((row[0].value, row[2].value), list(row))
    return rows


def day(cell: Any) -> date:
    assert cell.number_format == "dd/mm/yyyy", cell.coordinate
    assert isinstance(cell.value, datetime), (cell.coordinate, cell.value)  # a date, not text
    return cell.value.date()


# ---------------------------------------------------------------- the detail


def test_the_detail_shows_the_completion_date_the_category_is_judged_on(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    # Xà Phiên completed I.2 (due 31/03) on 04/04 and reported it on 05/04; VHTT completed VII.1 on
    # 01/04 and reported it on 05/04; both "Hoàn thành quá hạn" by their completion date.
    add_report(session, "I.2", "XP", "done", datetime(2022, 4, 5, 8, 30), completed_on=date(2022, 4, 4))
    add_report(session, "VII.1", "VHTT", "done", datetime(2022, 4, 5, 9, 0), completed_on=date(2022, 4, 1))
    add_report(session, "I.8", "TTVH", "done", datetime(2022, 1, 20, 9, 0))  # no date given: the report's day
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Chi tiết"]

    assert [c.value for c in ws[1]][11:13] == ["Ngày báo cáo", "Ngày hoàn thành"]
    rows = lead_rows(ws)
    for key, completed in (
        (("I.2", XP), date(2022, 4, 4)),
        (("VII.1", VHTT), date(2022, 4, 1)),
        (("I.8", TTVH), date(2022, 1, 20)),
    ):
        row = rows[key]
        assert day(row[12]) == completed, key
        assert row[5].value == ("Hoàn thành đúng hạn" if key[0] == "I.8" else "Hoàn thành quá hạn"), key
    assert day(rows[("I.2", XP)][11]) == date(2022, 4, 5)  # the report date stays beside it
    # Nothing completed, nothing shown.
    assert rows[("I.4", "Phòng Nội vụ")][12].value is None


def test_the_detail_shows_the_deadline_as_the_plan_words_it_and_an_extension_as_a_date(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    sample_store.ok("extension", "add", "--task", "I.4", "--unit", "NV", "--to", "2022-04-30", "--at", "2022-03-25")
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Chi tiết"]

    assert [c.value for c in ws[1]][13:] == ["Thời hạn theo kế hoạch", "Gia hạn đến"]
    rows = lead_rows(ws)
    assert rows[("I.2", XP)][13].value == "Quý I/2022"
    assert day(rows[("I.2", XP)][4]) == date(2022, 3, 31)  # the computed deadline stays a date
    assert rows[("I.8", TTVH)][13].value == "Hằng tháng"
    i4 = rows[("I.4", "Phòng Nội vụ")]
    assert i4[13].value == "Chậm nhất ngày 31/03/2022"
    assert day(i4[14]) == date(2022, 4, 30)  # sorts and filters as a date
    assert rows[("I.2", XP)][14].value is None
    # Filter, frozen header and printing cover the new columns.
    assert ws.auto_filter.ref == f"A1:O{ws.max_row}"
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.max_column == 15


# ---------------------------------------------------------------- explanations and targets


def test_the_explanations_sheet_has_real_dates_and_a_numbered_request(sample_store: Dondoc, tmp_path: Path) -> None:
    sample_store.ok("explanation", "add", "--task", "I.4", "--unit", "NV", "--at", "2022-04-05")
    sample_store.ok("explanation", "answer", "1", "--text", "-Do chờ Sở Tài chính thẩm định", "--at", "2022-04-07")
    ws = export(sample_store, tmp_path, "--at", "2022-04-10")["Giải trình"]

    assert [c.value for c in ws[1]][:1] == ["Số yêu cầu"]
    request = ws[2]
    assert (request[0].value, request[0].data_type) == (1, "n")  # a number, no green triangle
    assert day(request[4]) == date(2022, 3, 31)  # the deadline
    assert day(request[5]) == date(2022, 4, 5)  # asked on
    assert day(request[7]) > date(2022, 4, 5)  # explanation due
    assert day(request[9]) == date(2022, 4, 7)  # answered on
    assert ws.auto_filter.ref == "A1:K2"


def test_the_targets_sheet_names_the_plan_the_period_and_the_earlier_periods(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    import_long_my(sample_store)
    ws = export(sample_store, tmp_path, "--at", "2022-04-05")["Chỉ tiêu"]

    assert ws["A1"].value == f"Kết quả thực hiện chỉ tiêu — {PLAN}" and ws["A1"].font.b
    assert ws["A2"].value == "Kỳ báo cáo: Quý 1/2022, 6 tháng đầu năm 2022 — Tình hình đến ngày 05/04/2022"
    header = [c.value for c in ws[3]]
    assert header[:4] == ["Mã", "Chỉ tiêu", "Mục tiêu", "Kỳ"]
    # The periods before the current one, named (quarterly targets and half-yearly ones).
    assert header[8:] == [
        "Quý 4/2021\n6 tháng cuối năm 2021",
        "Quý 3/2021\n6 tháng đầu năm 2021",
        "Quý 2/2021\n6 tháng cuối năm 2020",
    ]
    assert not any("Kỳ trước" in str(value) for value in header)
    assert ws["A4"].value == "T1"
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
    assert ws.auto_filter.ref == f"A3:K{ws.max_row}"


# ---------------------------------------------------------------- the time in the title, the file name


def test_a_workbook_of_today_says_the_time_of_its_figures(sample_store: Dondoc, tmp_path: Path) -> None:
    now = {"DONDOC_NOW": "2022-04-05T09:15"}
    book = export(sample_store, tmp_path, env=now)
    assert book["Tổng hợp"]["A3"].value == "Tình hình đến 09:15 ngày 05/04/2022"
    for ws in book.worksheets:  # and every printed page
        assert ws.oddHeader.right.text == "Tình hình đến 09:15 ngày 05/04/2022", ws.title
    # A day named with --at: its figures run to the end of that day; no time.
    earlier = export(sample_store, tmp_path, "--at", "2022-04-04", env=now)
    assert earlier["Tổng hợp"]["A3"].value == "Tình hình đến ngày 04/04/2022"


def test_the_chat_export_says_the_time_and_names_the_year_once(engine: Engine, sample_store: Dondoc) -> None:
    dispatcher = make_dispatcher(engine, datetime(2022, 4, 5, 9, 15, tzinfo=TZ))
    manager = Chat(dispatcher, "301", name="Lê Lãnh Đạo")
    manager.send(f"/start {invite_code(engine, 'NV', MemberRole.MANAGER, now=dispatcher.clock.now())}")
    [reply] = manager.send("/export")

    assert reply.file is not None
    assert reply.file.file_name == "tinh-hinh-2022-04-05.xlsx"  # was tinh-hinh-2022-2022-04-05.xlsx
    assert reply.file.caption == "Tình hình đến 09:15 ngày 05/04/2022"
    book = load_workbook(io.BytesIO(reply.file.data))
    assert book["Tổng hợp"]["A3"].value == "Tình hình đến 09:15 ngày 05/04/2022"


# ---------------------------------------------------------------- the chart


@pytest.mark.slow
def test_the_chart_names_the_organisation_and_labels_its_axis(
    sample_store: Dondoc, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "bieu-do.png"
    sample_store.ok("chart", "--at", "2022-04-05", "-o", path)
    # The PNG's own title (what a file viewer shows), the same as the one drawn at its top.
    picture = Image.open(path)
    assert isinstance(picture, PngImageFile)
    title = picture.text.get("Title")
    assert title == f"{ORGANIZATION} — {PLAN} — Tình hình đến ngày 05/04/2022"

    from dondoc.plan.chart import status_figure

    status = plan_status(session, session.exec(select(Plan)).one(), date(2022, 4, 5))
    with use_language("vi"):
        figure = status_figure(status, PLAN, organization=ORGANIZATION)
    assert figure.get_suptitle() == f"{ORGANIZATION}\n{PLAN}\nTình hình đến ngày 05/04/2022"
    assert [axis.get_xlabel() for axis in figure.axes] == ["Số nội dung (mỗi thời hạn của một cơ quan chủ trì)"] * 2
