"""Several Zalo bots in one deployment (issue 10, item 3): the registry names which units each bot
serves (``channels: zalo: bots``), every mistake is named by field and value, and the bots are stored
per organisation, re-import safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from dondoc.db.models import Organization, Unit, ZaloBot
from dondoc.db.session import open_store
from dondoc.plan.zalo_bots import stored_zalo_bots, zalo_bot_for_unit
from tests.conftest import SAMPLE, Dondoc


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def with_bots(bots: list[dict[str, Any]]) -> dict[str, Any]:
    """The bundled Long Mỹ registry with ``channels: zalo: bots``."""
    data = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["channels"] = {"zalo": {"bots": bots}}
    return data


LONG_MY_BOTS: list[dict[str, Any]] = [
    {
        "name": "ln1",
        "display_name": "Bot CCHC Long Mỹ 1",
        "token_env": "ZALO_TOKEN_LN1",
        "units": ["phong", "TTVH"],
    },
    {
        "name": "ln2",
        "display_name": "Bot CCHC Long Mỹ 2",
        "token_env": "ZALO_TOKEN_LN2",
        "units": ["UBND các xã, thị trấn"],  # a group by its name, as the appendix names it
    },
]


def write_long_my_bots(tmp_path: Path) -> Path:
    return _write(tmp_path / "units-zalo.yaml", with_bots(LONG_MY_BOTS))


def test_bots_expand_groups_and_are_stored_per_organisation(dondoc: Dondoc, tmp_path: Path) -> None:
    dondoc.ok("units", "import", write_long_my_bots(tmp_path))
    bots = dondoc.ok("units", "list", "--json").json()["zalo_bots"]
    assert [(b["name"], b["channel"], b["display_name"], b["token_env"]) for b in bots] == [
        ("ln1", "zalo:ln1", "Bot CCHC Long Mỹ 1", "ZALO_TOKEN_LN1"),
        ("ln2", "zalo:ln2", "Bot CCHC Long Mỹ 2", "ZALO_TOKEN_LN2"),
    ]
    assert bots[0]["units"] == [
        "VP",
        "NV",
        "TP",
        "TCKH",
        "VHTT",
        "KTHT",
        "TNMT",
        "LDTBXH",
        "GDDT",
        "NNPTNT",
        "YT",
        "TTR",
        "TTVH",
    ]
    assert bots[1]["units"] == ["VV", "LN", "LT", "THO", "THU", "VTD", "VVA", "XP"]
    engine = open_store(dondoc.url)
    with Session(engine) as session:
        org = session.exec(select(Organization)).one()
        assert org.id is not None
        assert [b.key for b in stored_zalo_bots(session, org.id)] == ["zalo:ln1", "zalo:ln2"]
        xp = session.exec(select(Unit).where(Unit.code == "XP")).one()
        served = zalo_bot_for_unit(session, xp)
        assert served is not None and served.key == "zalo:ln2" and served.display_name == "Bot CCHC Long Mỹ 2"
    engine.dispose()


def test_a_registry_without_bots_names_none(dondoc: Dondoc) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    assert dondoc.ok("units", "list", "--json").json()["zalo_bots"] == []
    engine = open_store(dondoc.url)
    with Session(engine) as session:
        nv = session.exec(select(Unit).where(Unit.code == "NV")).one()
        assert zalo_bot_for_unit(session, nv) is None  # the one bot of ZALO_BOT_TOKEN, if any
    engine.dispose()


def test_each_mistake_in_the_bots_is_named_and_nothing_is_written(dondoc: Dondoc, tmp_path: Path) -> None:
    bots = [
        {
            "name": "ln1",
            "display_name": "Bot 1",
            "token_env": "ZALO_TOKEN_LN1",
            "units": ["NV", "Phòng Ngoại vụ", "XX"],
        },
        {"name": "ln1", "display_name": "Bot 2", "token_env": "ZALO_TOKEN_LN1", "units": ["Nội vụ"]},
        {"name": "Long My 3", "display_name": "Bot 3", "token_env": "ZALO TOKEN", "units": ["xa"]},
    ]
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", with_bots(bots)), "--lang", "en")
    assert result.code == 1, result.stdout
    err = result.stderr
    assert "channels.zalo.bots[1].units: no unit or group has this name: «Phòng Ngoại vụ»" in err
    assert "channels.zalo.bots[1].units: no unit or group has this name: «XX»" in err
    assert "channels.zalo.bots[2].name: another bot has this name: «ln1»" in err
    assert "channels.zalo.bots[2].token_env: another bot has this token variable: «ZALO_TOKEN_LN1»" in err
    assert "channels.zalo.bots[2].units: this unit is already served by bot ln1: «NV»" in err
    assert (
        "channels.zalo.bots[3].name: a bot name may only hold lowercase letters, digits and - "
        "(it makes the channel key zalo:<name>): «Long My 3»"
    ) in err
    assert "channels.zalo.bots[3].token_env: not an environment variable name: «ZALO TOKEN»" in err
    assert dondoc("units", "list").code == 1  # nothing was written


def test_a_bot_entry_of_the_wrong_shape_is_named(dondoc: Dondoc, tmp_path: Path) -> None:
    bots = [{"name": "ln4", "token_env": "ZALO_TOKEN_LN4", "units": ["NV"], "colour": "blue"}]
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", with_bots(bots)), "--lang", "en")
    assert result.code == 1
    assert "channels.zalo.bots[1].display_name: required field is missing" in result.stderr
    assert "channels.zalo.bots[1].colour: unknown field: «colour»" in result.stderr
    data = with_bots([])
    data["channels"] = {"zalo": {"bots": "ln1"}, "viber": {}}
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", data), "--lang", "en")
    assert "channels.zalo.bots: expected a list" in result.stderr
    assert "channels.viber: unknown field: «viber»" in result.stderr


def test_bot_mistakes_in_vietnamese(dondoc: Dondoc, tmp_path: Path) -> None:
    bots = [
        {"name": "ln1", "display_name": "Bot 1", "token_env": "ZALO_TOKEN_LN1", "units": ["phong"]},
        {"name": "ln2", "display_name": "Bot 2", "token_env": "ZALO_TOKEN_LN2", "units": ["TP", "Xã Ma"]},
    ]
    result = dondoc("units", "import", _write(tmp_path / "bad.yaml", with_bots(bots)))
    assert result.code == 1
    assert "channels.zalo.bots[2].units: đơn vị này đã do bot ln1 phục vụ: «TP»" in result.stderr
    assert "channels.zalo.bots[2].units: không có cơ quan, đơn vị hay nhóm nào mang tên này: «Xã Ma»" in result.stderr


def test_a_registry_with_bots_can_be_imported_again_and_changed(dondoc: Dondoc, tmp_path: Path) -> None:
    path = write_long_my_bots(tmp_path)
    dondoc.ok("units", "import", path)
    again = dondoc.ok("units", "import", path, "--json").json()
    assert again["added"] == again["updated"] == again["removed"] == []
    assert [b["name"] for b in dondoc.ok("units", "list", "--json").json()["zalo_bots"]] == ["ln1", "ln2"]
    # The second bot is split in two and renamed; the first one leaves: the file is the truth.
    changed = with_bots(
        [
            {"name": "xa-1", "display_name": "Bot xã 1", "token_env": "ZALO_TOKEN_XA1", "units": ["VV", "LN", "LT"]},
            {"name": "xa-2", "display_name": "Bot xã 2", "token_env": "ZALO_TOKEN_XA2", "units": ["THO", "THU"]},
        ]
    )
    dondoc.ok("units", "import", _write(tmp_path / "changed.yaml", changed))
    bots = dondoc.ok("units", "list", "--json").json()["zalo_bots"]
    assert [(b["channel"], b["units"]) for b in bots] == [
        ("zalo:xa-1", ["VV", "LN", "LT"]),
        ("zalo:xa-2", ["THO", "THU"]),
    ]
    dondoc.ok("units", "import", SAMPLE / "units.yaml")  # no channels section: no named bots
    assert dondoc.ok("units", "list", "--json").json()["zalo_bots"] == []
    engine = open_store(dondoc.url)
    with Session(engine) as session:
        assert session.exec(select(ZaloBot)).all() == []
    engine.dispose()


def test_a_registry_with_bots_is_imported_again_over_a_plan_with_history(sample_store: Dondoc, tmp_path: Path) -> None:
    sample_store.ok("invite", "XP", "--role", "focal")
    path = write_long_my_bots(tmp_path)
    first = sample_store.ok("units", "import", path, "--json").json()
    second = sample_store.ok("units", "import", path, "--json").json()
    assert first["removed"] == second["removed"] == [] and second["updated"] == []
    assert len(sample_store.ok("plan", "export").json()["tasks"]) == 42
    assert len(sample_store.ok("units", "list", "--json").json()["zalo_bots"]) == 2
