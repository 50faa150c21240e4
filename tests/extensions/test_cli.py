"""``dondoc extension add`` and ``dondoc extension list``: an extension approved on paper moves the
deadline the categories judge against, and its reminders."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from openpyxl import load_workbook

from tests.conftest import SAMPLE, Dondoc


def item(status: dict[str, Any], task: str, unit: str) -> dict[str, Any]:
    return next(i for i in status["items"] if i["task"] == task and i["unit"] == unit)


def status_at(dondoc: Dondoc, day: str) -> dict[str, Any]:
    found: dict[str, Any] = dondoc.ok("status", "--at", day, "--json").json()
    return found


def test_an_extension_makes_status_judge_the_item_against_its_new_date(sample_store: Dondoc) -> None:
    assert item(status_at(sample_store, "2022-04-15"), "I.2", "NV")["category"] == "overdue"
    sample_store.ok(
        "extension", "add", "--task", "I.2", "--unit", "NV", "--to", "2022-06-30",
        "--reason", "chờ hướng dẫn của Sở", "--at", "2022-03-20",
    )  # fmt: skip
    extended = item(status_at(sample_store, "2022-04-15"), "I.2", "NV")
    assert extended["category"] == "not_started"
    assert extended["due"] == "2022-03-31" and extended["extended_to"] == "2022-06-30"
    assert item(status_at(sample_store, "2022-04-15"), "I.2", "XP")["category"] == "overdue"  # other units keep theirs
    assert item(status_at(sample_store, "2022-07-01"), "I.2", "NV")["category"] == "overdue"
    # before the approval, the item was judged against its original date
    assert "extended_to" not in item(status_at(sample_store, "2022-03-10"), "I.2", "NV")


def test_a_report_after_the_original_date_but_by_the_new_one_is_on_time(sample_store: Dondoc) -> None:
    sample_store.ok("extension", "add", "--task", "I.2", "--unit", "NV", "--to", "30/06/2022", "--at", "2022-03-20")
    sample_store.ok("report", "add", "--task", "I.2", "--unit", "NV", "--status", "done", "--at", "2022-05-10")
    assert item(status_at(sample_store, "2022-05-20"), "I.2", "NV")["category"] == "done_on_time"


def test_the_list_shows_the_extension_marked_as_entered_by_an_administrator(sample_store: Dondoc) -> None:
    assert sample_store.ok("extension", "list", "--json").json() == []
    sample_store.ok("extension", "add", "--task", "I.2", "--unit", "NV", "--to", "2022-06-30", "--reason", "chờ Sở")
    [entry] = sample_store.ok("extension", "list", "--json").json()
    assert entry["task"] == "I.2" and entry["unit"] == "NV"
    assert (entry["due"], entry["new_due"], entry["state"]) == ("2022-03-31", "2022-06-30", "approved")
    assert entry["entered_by_admin"] is True and entry["reason"] == "chờ Sở"
    assert "31/03/2022" in sample_store.ok("extension", "list").stdout


def test_an_extension_moves_the_reminders_in_the_preview(sample_store: Dondoc) -> None:
    def dues(at: str) -> set[str]:
        entries = sample_store.ok(
            "reminders", "preview", "--from", "2022-03-21", "--to", "2022-07-31", "--at", at, "--json"
        ).json()
        entries = entries["entries"] if isinstance(entries, dict) else entries
        return {
            i["due"]
            for e in entries
            if e["to"] == {"unit": "NV", "role": "focal"}
            for i in e["items"]
            if i["task"] == "I.2"
        }

    assert dues("2022-03-20T18:00") == {"2022-03-31"}
    sample_store.ok("extension", "add", "--task", "I.2", "--unit", "NV", "--to", "2022-06-30", "--at", "2022-03-20")
    assert dues("2022-03-20T18:00") == {"2022-06-30"}


def test_bad_extensions_are_refused_and_write_nothing(sample_store: Dondoc) -> None:
    base = ("extension", "add", "--task", "I.2", "--unit", "NV")
    assert "01/03/2022" in sample_store(*base, "--to", "2022-03-01").stderr
    assert "ZZ" in sample_store("extension", "add", "--task", "I.2", "--unit", "ZZ", "--to", "2022-06-30").stderr
    assert "IX.9" in sample_store("extension", "add", "--task", "IX.9", "--unit", "NV", "--to", "2022-06-30").stderr
    assert "31/02/2022" in sample_store(*base, "--to", "31/02/2022").stderr
    assert sample_store.ok("extension", "list", "--json").json() == []


def test_a_setting_makes_the_categories_judge_against_the_original_date(sample_store: Dondoc, tmp_path: Path) -> None:
    data = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    data["extensions"] = {"judge_against": "original"}
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)
    sample_store.ok("extension", "add", "--task", "I.2", "--unit", "NV", "--to", "2022-06-30", "--at", "2022-03-20")
    judged = item(status_at(sample_store, "2022-04-15"), "I.2", "NV")
    assert (judged["category"], judged["extended_to"]) == ("overdue", "2022-06-30")
    data["extensions"] = {"judge_against": "sometimes"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = sample_store("units", "import", path)
    assert refused.code != 0 and "judge_against" in refused.stderr


def test_the_workbook_and_the_report_draft_show_both_dates(sample_store: Dondoc, tmp_path: Path) -> None:
    sample_store.ok("extension", "add", "--task", "I.2", "--unit", "NV", "--to", "2022-06-30", "--at", "2022-03-20")
    sample_store.ok("export", "--at", "2022-04-15", "-o", tmp_path / "status.xlsx")
    detail = load_workbook(tmp_path / "status.xlsx", read_only=True)["Chi tiết"]
    rows = list(detail.iter_rows(values_only=True))
    assert (rows[0][4], rows[0][14]) == ("Thời hạn", "Gia hạn đến")
    [nv] = [r for r in rows if r[0] == "I.2" and r[2] == "Phòng Nội vụ"]
    assert (nv[4], nv[14]) == (datetime(2022, 3, 31), datetime(2022, 6, 30))  # each date in its own column
    sample_store.ok("report", "draft", "--period", "half", "-o", tmp_path / "draft.docx")
    document = Document(str(tmp_path / "draft.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "31/03/2022, gia hạn đến 30/06/2022" in text
