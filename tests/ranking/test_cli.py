"""``dondoc ranking``: the acceptance of issue 14 through the command line, extensions approved before
and after the original deadline, bands, the chart, and the registry's ``ranking:`` section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import Dondoc
from tests.ranking.conftest import write_registry


def unit(ranking: dict[str, Any], code: str) -> dict[str, Any]:
    return next(u for u in ranking["units"] if u["unit"] == code)


def item(status: dict[str, Any], task: str, code: str) -> dict[str, Any]:
    return next(i for i in status["items"] if i["task"] == task and i["unit"] == code)


def done(dondoc: Dondoc, task: str, code: str, day: str) -> None:
    dondoc.ok("report", "add", "--task", task, "--unit", code, "--status", "done", "--at", day)


def test_on_time_ranks_above_late_above_nothing_with_the_default_weights(small: Dondoc) -> None:
    """Issue 14's acceptance: NV finishes everything on time (one task after an extension approved in
    time), TP finishes late, XP reports nothing, LN leads nothing."""
    done(small, "I.1", "NV", "2022-03-20")
    small.ok("extension", "add", "--task", "I.2", "--unit", "NV", "--to", "2022-08-31", "--at", "2022-06-01")
    done(small, "I.2", "NV", "2022-08-15")
    done(small, "I.3", "TP", "2022-04-10")
    done(small, "I.4", "TP", "2022-07-15")

    status = small.ok("status", "--at", "2022-08-20", "--json").json()
    extended = item(status, "I.2", "NV")
    assert (extended["category"], extended["extended_to"]) == ("done_on_time", "2022-08-31")
    assert item(status, "I.4", "TP")["category"] == "done_late"

    ranking = small.ok("ranking", "--period", "year", "--at", "2023-01-15", "--json").json()
    assert ranking["period"] == "year"
    assert [u["unit"] for u in ranking["units"]] == ["NV", "TP", "XP", "LN"]
    nv, tp, xp, ln = (unit(ranking, c) for c in ("NV", "TP", "XP", "LN"))
    assert (nv["score"], nv["band"], nv["rank"]) == (100.0, "Xuất sắc", 1)
    assert (tp["score"], tp["band"], tp["rank"]) == (40.0, "Yếu", 2)  # 20/50 of the full score
    assert (xp["score"], xp["rank"]) == (0.0, 3)
    assert (ln["score"], ln["band"], ln["rank"]) == (None, None, None)  # not rated
    assert nv["criteria"]["on_time"]["part"] == 100.0 and nv["criteria"]["on_time"]["of"] == 2
    assert tp["criteria"]["late"]["part"] == 40.0 and tp["criteria"]["on_time"]["part"] == 0.0
    assert xp["criteria"]["overdue"]["part"] == -20.0
    # reminders and targets do not apply here: their shares are null and the weights renormalised
    assert nv["criteria"]["reminders"]["share"] is None and nv["criteria"]["targets"]["part"] is None

    worst = small.ok("ranking", "--period", "year", "--at", "2023-01-15", "--json", "--worst-first").json()
    assert [u["unit"] for u in worst["units"]] == ["XP", "TP", "NV", "LN"]

    table = small.ok("ranking", "--period", "year", "--at", "2023-01-15").stdout
    lines = table.splitlines()
    assert lines.index(next(line for line in lines if " NV " in line)) < lines.index(
        next(line for line in lines if " TP " in line)
    )
    assert "Xuất sắc" in table and "100,0" in table
    assert "Chưa xếp loại (không có nhiệm vụ đến hạn trong kỳ): LN" in table


def test_an_extension_approved_after_the_original_deadline_counts_against_the_unit(small: Dondoc) -> None:
    # approved on 05/04, after the original 31/03: the category follows the new date, the ranking does not
    small.ok("extension", "add", "--task", "I.3", "--unit", "TP", "--to", "2022-04-30", "--at", "2022-04-05")
    done(small, "I.3", "TP", "2022-04-10")
    assert item(small.ok("status", "--at", "2022-04-20", "--json").json(), "I.3", "TP")["category"] == "done_on_time"
    late = unit(small.ok("ranking", "--period", "q1", "--at", "2022-04-20", "--json").json(), "TP")
    assert (late["criteria"]["late"]["count"], late["criteria"]["on_time"]["count"]) == (1, 0)
    assert late["score"] == 40.0


def test_an_extension_approved_before_the_original_deadline_does_not(small: Dondoc) -> None:
    small.ok("extension", "add", "--task", "I.3", "--unit", "TP", "--to", "2022-04-30", "--at", "2022-03-25")
    done(small, "I.3", "TP", "2022-04-10")
    on_time = unit(small.ok("ranking", "--period", "half", "--at", "2022-04-20", "--json").json(), "TP")
    assert (on_time["criteria"]["on_time"]["count"], on_time["score"]) == (1, 100.0)
    # moved past 31/03, the item no longer counts in the first quarter: TP has nothing to rate there
    q1 = unit(small.ok("ranking", "--period", "q1", "--at", "2022-04-20", "--json").json(), "TP")
    assert q1["score"] is None and q1["items"] == 0


def test_an_open_item_counts_only_once_its_deadline_has_passed(small: Dondoc) -> None:
    done(small, "I.2", "NV", "2022-02-10")  # done early: counts at once
    ranking = small.ok("ranking", "--period", "year", "--at", "2022-03-15", "--json").json()
    assert unit(ranking, "NV")["items"] == 1 and unit(ranking, "NV")["score"] == 100.0
    assert unit(ranking, "TP")["score"] is None  # nothing due yet, nothing done: not rated
    after = small.ok("ranking", "--period", "year", "--at", "2022-04-01", "--json").json()
    assert (unit(after, "NV")["items"], unit(after, "NV")["score"]) == (2, 40.0)  # I.1 overdue: 50 − 10 of 100
    assert (unit(after, "TP")["rank"], unit(after, "XP")["rank"]) == (2, 2)  # equal scores share a rank


def test_the_registry_sets_weights_and_bands(small: Dondoc, tmp_path: Path) -> None:
    scheme = {
        "weights": {"on_time": 60, "late": 60, "overdue": 0},
        "bands": [{"name": "Hoàn thành tốt", "min": 70}, {"name": "Chưa hoàn thành", "min": 0}],
    }
    small.ok("units", "import", write_registry(tmp_path / "units.yaml", scheme))
    done(small, "I.3", "TP", "2022-04-10")
    ranking = small.ok("ranking", "--period", "q1", "--at", "2022-04-20", "--json").json()
    tp = unit(ranking, "TP")
    assert (tp["score"], tp["band"]) == (100.0, "Hoàn thành tốt")  # late weighs as much as on time here
    assert unit(ranking, "XP")["band"] == "Chưa hoàn thành"
    assert ranking["scheme"]["weights"]["late"] == 60


def test_bad_ranking_sections_are_refused_naming_the_field_and_value(small: Dondoc, tmp_path: Path) -> None:
    cases = [
        ({"weights": {"late": 80}}, "ranking.weights.late", "80"),
        ({"weights": {"on_time": "nhiều"}}, "ranking.weights.on_time", "nhiều"),
        ({"weights": {"overdue": -5}}, "ranking.weights.overdue", "-5"),
        ({"bands": [{"name": "Tốt", "min": 50}]}, "ranking.bands", "50"),
        ({"bands": [{"name": "Tốt", "min": 120}, {"name": "Yếu", "min": 0}]}, "ranking.bands[1].min", "120"),
        ({"reminder_days": 0}, "ranking.reminder_days", "0"),
        ({"weight": {}}, "ranking.weight", "weight"),
    ]
    for section, where, value in cases:
        refused = small("units", "import", write_registry(tmp_path / "bad.yaml", section))
        assert refused.code == 1, section
        assert where in refused.stderr and f"«{value}»" in refused.stderr, refused.stderr
    # nothing was written: the defaults still rank
    ranking = small.ok("ranking", "--at", "2022-04-20", "--json").json()
    assert ranking["scheme"]["weights"] == {"on_time": 50, "late": 20, "overdue": 10, "reminders": 25, "targets": 25}


def test_bad_options_are_refused(small: Dondoc) -> None:
    refused = small("ranking", "--period", "q2")
    assert refused.code == 2 and "q2" in refused.stderr
    assert small("ranking", "--at", "31/02/2022").code != 0


def test_the_chart_is_a_png_of_the_rated_units(small: Dondoc, tmp_path: Path) -> None:
    done(small, "I.1", "NV", "2022-03-20")
    output = tmp_path / "scores.png"
    result = small.ok("ranking", "chart", "-o", output, "--at", "2022-04-20", "--json").json()
    assert output.read_bytes().startswith(b"\x89PNG")
    assert result["units"] == ["NV", "TP", "XP"]


def test_a_province_ranks_its_organisations_units_together(sample_store: Dondoc, tmp_path: Path) -> None:
    """A province (``parent:``) ranks the units of every organisation under it together, each named
    with its organisation; a district alone ranks its own."""
    import yaml

    from tests.conftest import SAMPLE

    province = tmp_path / "province.yaml"
    province.write_text(
        yaml.safe_dump(
            {"organization": "Ủy ban nhân dân tỉnh Hậu Giang", "units": [{"code": "SNV", "name": "Sở Nội vụ"}]},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    sample_store.ok("units", "import", province, "--new-organization")
    district = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    district["parent"] = "Ủy ban nhân dân tỉnh Hậu Giang"
    path = tmp_path / "district.yaml"
    path.write_text(yaml.safe_dump(district, allow_unicode=True), encoding="utf-8")
    sample_store.ok("units", "import", path)
    district_name = district["organization"]
    sample_store.ok(
        "report", "add", "--task", "I.2", "--unit", "XP", "--status", "done", "--at", "2022-03-20",
        "--org", district_name,
    )  # fmt: skip
    ranking = sample_store.ok(
        "ranking", "--org", "Ủy ban nhân dân tỉnh Hậu Giang", "--at", "2022-04-05", "--json"
    ).json()
    first = ranking["units"][0]
    assert (first["unit"], first["organization"], first["rank"]) == ("XP", district_name, 1)
    assert {u["organization"] for u in ranking["units"]} == {district_name}  # the province has no plan of its own
    alone = sample_store.ok("ranking", "--org", district_name, "--at", "2022-04-05", "--json").json()
    assert "organization" not in alone["units"][0]
    assert [u["score"] for u in alone["units"]] == [u["score"] for u in ranking["units"]]
