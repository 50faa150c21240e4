"""The unit registry: import, re-import, and files that are refused with every problem named."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import SAMPLE, Dondoc


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_sample_registry_imports_units_groups_and_coordinator(dondoc: Dondoc) -> None:
    result = dondoc.ok("units", "import", SAMPLE / "units.yaml", "--json").json()
    assert result["organization"] == "Ủy ban nhân dân huyện Long Mỹ"
    assert len(result["added"]) == 21
    listing = dondoc.ok("units", "list", "--json").json()
    assert listing["coordinator"] == "NV"
    groups = {g["code"]: g["units"] for g in listing["groups"]}
    assert groups["xa"] == ["VV", "LN", "LT", "THO", "THU", "VTD", "VVA", "XP"]
    assert len(groups["all"]) == 21


def test_reimport_updates_by_code_and_removes_units_without_history(dondoc: Dondoc, tmp_path: Path) -> None:
    registry = {
        "organization": "Ủy ban nhân dân xã Tân Phú",
        "units": [
            {"code": "VP", "name": "Văn phòng HĐND và UBND xã"},
            {"code": "CA", "name": "Công an xã"},
        ],
    }
    dondoc.ok("units", "import", _write(tmp_path / "a.yaml", registry))
    registry["units"] = [{"code": "VP", "name": "Văn phòng Đảng ủy, HĐND và UBND xã"}]
    result = dondoc.ok("units", "import", _write(tmp_path / "b.yaml", registry), "--json").json()
    assert result["updated"] == ["VP"] and result["removed"] == ["CA"]
    units = dondoc.ok("units", "list", "--json").json()["units"]
    assert units == [{"code": "VP", "name": "Văn phòng Đảng ủy, HĐND và UBND xã", "groups": []}]


def test_a_broken_registry_names_each_problem_and_writes_nothing(dondoc: Dondoc, tmp_path: Path) -> None:
    broken = {
        "organization": "Sở Nội vụ tỉnh Cần Thơ",
        "coordinator": "XX",
        "units": [
            {"code": "CCHC", "name": "Phòng Cải cách hành chính"},
            {"code": "CCHC", "name": "Phòng Tổ chức biên chế"},
            {"code": "VT LT", "name": "Chi cục Văn thư - Lưu trữ", "groups": ["chicuc"]},
            {"code": "TTR", "name": "Thanh tra Sở", "aliases": ["Phong cai cach hanh chinh"]},
        ],
    }
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", broken))
    assert result.code == 1
    assert "units[2].code: trùng mã cơ quan, đơn vị: «CCHC»" in result.stderr
    assert "units[3].code: mã chỉ gồm chữ cái, chữ số, dấu _ và -: «VT LT»" in result.stderr
    assert "units[3].groups: không có nhóm nào mang mã này: «chicuc»" in result.stderr
    assert "coordinator: không có cơ quan, đơn vị nào mang mã này: «XX»" in result.stderr
    # The alias differs only by diacritics from another unit's name: ambiguous.
    assert "units[4]: tên này đã thuộc về units[1]" in result.stderr
    assert dondoc("units", "list").code == 1  # nothing was written


def test_registry_errors_in_english(dondoc: Dondoc, tmp_path: Path) -> None:
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", {"units": [{"code": "A"}]}), "--lang", "en")
    assert result.code == 1
    assert "organization: required field is missing" in result.stderr
    assert "units[1].name: required field is missing" in result.stderr


def test_the_reminder_policy_can_be_set_per_organisation(dondoc: Dondoc, tmp_path: Path) -> None:
    registry = {
        "organization": "Bộ Nội vụ",
        "units": [{"code": "VCCHC", "name": "Vụ Cải cách hành chính"}],
        "reminders": {"send_time": "08:30", "lead_days_before": [10, 3]},
    }
    dondoc.ok("units", "import", _write(tmp_path / "bo.yaml", registry))
    registry["reminders"] = {"send_time": "late", "colour": "red"}
    broken = dondoc("units", "import", _write(tmp_path / "bad.yaml", registry))
    assert broken.code == 1 and "reminders:" in broken.stderr


def test_bad_reminder_settings_are_named_field_by_field_in_the_users_language(dondoc: Dondoc, tmp_path: Path) -> None:
    registry = {
        "organization": "Bộ Nội vụ",
        "units": [{"code": "VCCHC", "name": "Vụ Cải cách hành chính"}],
        "reminders": {"send_time": "late", "checkin_months": [3, 13], "overdue_every": "2", "colour": "red"},
    }
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", registry))
    assert result.code == 1
    assert "reminders: send_time: cần giờ trong ngày, ví dụ 08:00: «late»" in result.stderr
    assert "reminders: checkin_months[2]: cần một số không quá 12: «13»" in result.stderr
    assert "reminders: overdue_every: cần một số nguyên: «2»" in result.stderr
    assert "reminders: colour: trường không hợp lệ: «colour»" in result.stderr
    english = dondoc("units", "import", _write(tmp_path / "bad.yaml", registry), "--lang", "en")
    assert "reminders: send_time: expected a time of day such as 08:00: «late»" in english.stderr


def test_a_unit_entry_with_a_flag_for_a_name_is_refused(dondoc: Dondoc, tmp_path: Path) -> None:
    registry = {"organization": "Bộ Nội vụ", "units": [{"code": "VP", "name": True, "aliases": "Văn phòng Bộ"}]}
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", registry), "--lang", "en")
    assert result.code == 1
    assert "units[1].name: expected text: «True»" in result.stderr
