"""``dondoc targets import``, ``dondoc figures add`` and ``dondoc targets status --json``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from dondoc.db.models import Figure
from dondoc.db.session import open_store
from tests.conftest import SAMPLE, Dondoc
from tests.targets.helpers import TARGETS, figures_add, import_targets, ratio


def test_the_long_my_file_holds_every_target_of_section_ii(sample_store: Dondoc) -> None:
    result = sample_store.ok("targets", "import", SAMPLE / "targets.yaml", "--json").json()
    assert len(result["targets"]) == 11  # the eleven bullets of "II. MỤC TIÊU"
    status = sample_store.ok("targets", "status", "--period", "2022-Q1", "--json").json()
    goals = {t["code"]: t["goal"] for t in status["targets"]}
    assert goals["T2"] == ">= 95%" and goals["T4"] == ">= 80%" and goals["T5"] == ">= 60%" and goals["T8"] == "> 80%"


def test_demo_loads_the_targets_so_the_sandbox_shows_them(dondoc: Dondoc) -> None:
    dondoc.ok("demo")
    assert len(dondoc.ok("targets", "status", "--period", "2022-Q1", "--json").json()["targets"]) == 11


@pytest.mark.parametrize(
    ("change", "where", "value"),
    [
        (("kind: ratio", "kind: average"), "targets[1].kind", "average"),
        (('goal: ">= 95%"', 'goal: "nhiều"'), "targets[1].goal", "nhiều"),
        (('goal: ">= 95%"', 'goal: ">= 150%"'), "targets[1].goal", ">= 150%"),
        (("units: [XP, VV, LN]", "units: [XP, Xã Không Có]"), "targets[1].units", "Xã Không Có"),
        (("every: quarter\n    aliases", "every: weekly\n    aliases"), "targets[1].every", "weekly"),
        (("code: ISO", "code: HS"), "targets[2].code", "HS"),
        (('    numerator: "Số hồ sơ giải quyết trước hạn và đúng hạn"\n', ""), "targets[1].numerator", ""),
        (
            ("    every: quarter\n    aliases: [HS]", "    every: quarter\n    colour: red"),
            "targets[1].colour",
            "colour",
        ),
    ],
)
def test_a_wrong_targets_file_is_refused_naming_the_field_and_value(
    sample_store: Dondoc, tmp_path: Path, change: tuple[str, str], where: str, value: str
) -> None:
    path = tmp_path / "targets.yaml"
    assert change[0] in TARGETS
    path.write_text(TARGETS.replace(change[0], change[1], 1), encoding="utf-8")
    result = sample_store("targets", "import", path)
    assert result.code == 1
    assert where in result.stderr and value in result.stderr
    assert sample_store.ok("targets", "status", "--json").json()["targets"] == []  # nothing written


def test_status_json_computes_each_value_from_the_units_figures(sample_store: Dondoc, tmp_path: Path) -> None:
    import_targets(sample_store, tmp_path)
    add = [
        ("T1", "XP", "--numerator", "1.234", "--denominator", "1.281"),
        ("T1", "VV", "--numerator", "500", "--denominator", "520"),
        ("ISO", "XP", "--yes"),
        ("ISO", "VV", "--no"),
        ("ISO", "NV", "--yes"),
        ("HL", "XP", "--rate", "96,5%"),
        ("HL", "VV", "--rate", "70"),
        ("T1", "LN", "--numerator", "10", "--denominator", "10"),  # another period: not counted in Q1
    ]
    for target, unit, *values in add:
        period = "2022-Q2" if unit == "LN" else "2022-Q1"
        sample_store.ok(*figures_add(target, unit, period, *values))
    result = sample_store.ok("targets", "status", "--period", "2022-Q1", "--json").json()
    assert result == {
        "period": "2022-Q1",
        "targets": [
            {
                "code": "T1",
                "value": round(1734 / 1801, 3),
                "goal": ">= 95%",
                "met": True,
                "reported_units": ["VV", "XP"],
                "missing_units": ["LN"],
            },
            {
                "code": "ISO",
                "value": round(2 / 3, 3),
                "goal": "100%",
                "met": False,
                "reported_units": ["NV", "VV", "XP"],
                "missing_units": ["LN"],
            },
            {
                "code": "HL",
                "value": 0.833,
                "goal": "> 80%",
                "met": True,
                "reported_units": ["VV", "XP"],
                "missing_units": [],
            },
        ],
    }
    nobody = sample_store.ok("targets", "status", "--period", "2022-Q3", "--json").json()
    assert [t["value"] for t in nobody["targets"]] == [None, None, None]
    assert [t["met"] for t in nobody["targets"]] == [None, None, None]
    assert nobody["targets"][0]["missing_units"] == ["VV", "LN", "XP"]


def test_figures_add_is_marked_as_entered_by_an_admin_and_corrections_keep_the_history(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    base = figures_add("HS", "Xà Phiên", "2022-Q1")
    sample_store.ok(*base, *ratio("120", "125"))
    out = sample_store.ok(*base, *ratio("100", "125"), "--json").json()
    assert out["entered_by_admin"] is True and out["rate"] == 0.8
    engine = open_store(sample_store.url)
    with Session(engine) as session:
        figures = session.exec(select(Figure)).all()
        assert [(f.numerator, f.entered_by_admin) for f in figures] == [(120, True), (100, True)]
    engine.dispose()
    status = sample_store.ok("targets", "status", "--period", "2022-Q1", "--json").json()
    assert status["targets"][0]["value"] == 0.8


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (("--numerator", "130", "--denominator", "125"), "130"),
        (("--numerator", "-1", "--denominator", "125"), "-1"),
        (("--numerator", "mười", "--denominator", "125"), "mười"),
        (("--numerator", "12,5", "--denominator", "125"), "12,5"),
        (("--yes",), "--numerator"),
    ],
)
def test_impossible_figures_are_refused_and_not_stored(
    sample_store: Dondoc, tmp_path: Path, values: tuple[str, ...], shown: str
) -> None:
    import_targets(sample_store, tmp_path)
    result = sample_store(*figures_add("T1", "XP", "2022-Q1", *values))
    assert result.code in (1, 2) and shown in result.stderr
    status = sample_store.ok("targets", "status", "--period", "2022-Q1", "--json").json()
    assert status["targets"][0]["reported_units"] == []


def test_a_unit_that_does_not_report_a_target_or_a_wrong_period_is_refused(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    import_targets(sample_store, tmp_path)
    result = sample_store(*figures_add("T1", "TP", "2022-Q1", *ratio("1", "2")))
    assert result.code == 1 and "TP" in result.stderr
    result = sample_store(*figures_add("T1", "XP", "2022-03", *ratio("1", "2")))
    assert result.code == 1 and "2022-03" in result.stderr


def test_goals_periods_and_units_are_read_the_ways_people_write_them(sample_store: Dondoc, tmp_path: Path) -> None:
    text = (
        TARGETS.replace('goal: ">= 95%"', 'goal: "từ 95% trở lên"')
        .replace("every: quarter\n    aliases", "every: quarterly\n    aliases")
        .replace("units: [XP, VV, LN, NV]", "units: [all]")
        .replace("    units: [XP, VV]\n", "")  # HL: every unit
        .replace('goal: "> 80%"', "goal: 0.8")
    )
    import_targets(sample_store, tmp_path, text)
    sample_store.ok(*figures_add("T1", "XP", "Q1/2022", *ratio("95", "100")))
    sample_store.ok(*figures_add("HL", "XP", "2022-Q1", "--rate", "80"))
    status = sample_store.ok("targets", "status", "--period", "2022-Q1", "--json").json()["targets"]
    assert status[0]["met"] is True and status[0]["goal"] == "từ 95% trở lên"
    assert len(status[1]["missing_units"]) == 21  # every unit of the registry
    assert status[2]["goal"] == "80%" and status[2]["met"] is True  # a bare number means at least
    assert len(status[2]["missing_units"]) == 20
