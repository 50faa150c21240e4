"""A province's IT officer sets up several Zalo bots for ~120 units (``channels: zalo: bots``): the
mistakes a registry of that size invites are each refused in one line that says what to change —
a bot over the 50 users a Zalo bot takes, a bot or a group serving nobody, units given to two bots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import Dondoc


def _province(bots: list[dict[str, Any]], *, empty_group: bool = False) -> dict[str, Any]:
    """A province of 30 departments and 90 communes, with ``bots``."""
    units = [{"code": f"S{i:02d}", "name": f"Sở số {i}", "groups": ["so"]} for i in range(1, 31)]
    units += [{"code": f"X{i:02d}", "name": f"UBND xã số {i}", "groups": ["xa"]} for i in range(1, 91)]
    groups = [{"code": "so", "name": "Các sở, ban, ngành"}, {"code": "xa", "name": "UBND các xã, phường"}]
    if empty_group:
        groups.append({"code": "khac", "name": "Các cơ quan khác"})
    return {
        "organization": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "units": units,
        "groups": groups,
        "channels": {"zalo": {"bots": bots}},
    }


def _bot(number: int, units: list[str]) -> dict[str, Any]:
    return {
        "name": f"tn{number}",
        "display_name": f"Bot CCHC tỉnh {number}",
        "token_env": f"ZALO_TOKEN_TN{number}",
        "units": units,
    }


def _import(dondoc: Dondoc, tmp_path: Path, data: dict[str, Any], *lang: str) -> str:
    path = tmp_path / "units.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = dondoc("units", "import", path, *lang)
    assert result.code == 1, result.stdout
    assert dondoc("units", "list").code == 1  # nothing was written
    return result.stderr


def test_a_bot_serving_more_units_than_a_zalo_bot_takes_users_is_refused(dondoc: Dondoc, tmp_path: Path) -> None:
    data = _province([_bot(1, ["so"]), _bot(2, ["xa"])])  # 90 communes on one bot
    err = _import(dondoc, tmp_path, data, "--lang", "en")
    assert (
        "channels.zalo.bots[2].units: this bot serves 90 units, but a Zalo bot takes 50 users and each unit "
        "has at least its focal point: give some of its units to another bot (a paid Zalo plan that takes "
        "more: set channels: zalo: users_per_bot): «tn2»"
    ) in err
    assert "bots[1]" not in err
    err = _import(dondoc, tmp_path, data)
    assert "bot này phục vụ 90 cơ quan, đơn vị" in err and "«tn2»" in err
    # A paid plan that takes more users: the registry says so, and the same bots are taken.
    data["channels"]["zalo"]["users_per_bot"] = 200
    path = tmp_path / "paid.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    dondoc.ok("units", "import", path)


def test_units_given_to_two_bots_are_named_in_one_line_per_bot(dondoc: Dondoc, tmp_path: Path) -> None:
    xa = [f"X{i:02d}" for i in range(1, 46)]
    data = _province([_bot(1, ["so", "X01", "X02", "X03"]), _bot(2, xa), _bot(3, ["X03"])])
    err = _import(dondoc, tmp_path, data, "--lang", "en")
    assert (
        "channels.zalo.bots[2].units: these 3 units are already served by bot tn1: a unit has one bot: «X01, X02, X03»"
    ) in err
    assert "channels.zalo.bots[3].units: this unit is already served by bot tn1: «X03»" in err
    assert err.count("already served") == 2


def test_a_bot_or_a_group_serving_nobody_is_refused(dondoc: Dondoc, tmp_path: Path) -> None:
    data = _province([_bot(1, ["so", "khac"]), _bot(2, [])], empty_group=True)
    err = _import(dondoc, tmp_path, data, "--lang", "en")
    assert (
        "channels.zalo.bots[1].units: this group has no unit: list the units the bot serves, "
        "or give the group members: «khac»"
    ) in err
    assert (
        "channels.zalo.bots[2].units: this bot serves no unit: list the codes, names or groups "
        "of the units whose people use it: «tn2»"
    ) in err
    err = _import(dondoc, tmp_path, data)
    assert "nhóm này không có cơ quan, đơn vị nào" in err
