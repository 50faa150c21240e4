"""``dondoc absence add | list | cancel``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 6, 6, 9, 0, tzinfo=TZ)
ENV = {"DONDOC_NOW": "2022-06-06T09:00"}


def bind(engine: Engine) -> Chat:
    dispatcher = make_dispatcher(engine, NOW)
    focal = Chat(dispatcher, "300", name="Nguyễn Văn Mối")
    focal.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
    deputy = Chat(dispatcher, "301", name="Trần Thị Phó")
    deputy.send(f"/start {invite_code(engine, 'XP', MemberRole.DEPUTY, now=NOW)}")
    return focal


def test_add_list_and_cancel(engine: Engine, sample_store: Dondoc) -> None:
    focal = bind(engine)
    added = sample_store.ok(
        "absence", "add", "--person", "Nguyễn Văn Mối", "--from", "10/06/2022", "--to", "2022-06-20",
        "--reason", "nghỉ phép", "--json", env=ENV,
    ).json()  # fmt: skip
    assert (added["person"], added["from"], added["to"], added["reason"]) == (
        "Nguyễn Văn Mối",
        "2022-06-10",
        "2022-06-20",
        "nghỉ phép",
    )
    assert ["Trần Thị Phó"] in added["stand_ins"].values()
    text = sample_store.ok("absence", "list", env=ENV).stdout
    assert "Nguyễn Văn Mối" in text and "10/06/2022 → 20/06/2022" in text and "nghỉ phép" in text
    assert sample_store.ok("absence", "list", "--at", "2022-06-21", "--json", env=ENV).json() == []
    [current] = sample_store.ok("absence", "list", "--at", "2022-06-15", "--json", env=ENV).json()
    assert current["current"] is True
    focal.send("/whoami")
    assert "Vắng mặt từ 10/06/2022 đến 20/06/2022" in focal.last

    assert "Đã hủy" in sample_store.ok("absence", "cancel", str(added["id"]), env=ENV).stdout
    assert sample_store.ok("absence", "list", "--json", env=ENV).json() == []
    assert sample_store.ok("absence", "list", "--all", "--json", env=ENV).json()[0]["cancelled"] is True
    again = sample_store("absence", "cancel", str(added["id"]), env=ENV)
    assert again.code != 0 and "đã được hủy" in again.stderr


def test_bad_input_names_the_option_and_writes_nothing(engine: Engine, sample_store: Dondoc) -> None:
    bind(engine)
    cases = [
        (["--from", "2022-06-20", "--to", "2022-06-10"], "--to"),
        (["--from", "2022-06-01"], "--from"),
        (["--from", "31/02/2022"], "--from"),
        (["--from", "2022-06-10", "--to", "2024-06-10"], "--to"),
    ]
    for options, named in cases:
        result = sample_store("absence", "add", "--person", "Nguyễn Văn Mối", *options, env=ENV)
        assert result.code != 0 and named in result.stderr, (options, result.stderr)
    unknown = sample_store("absence", "add", "--person", "Không Có Ai", "--from", "2022-06-10", env=ENV)
    assert unknown.code != 0 and "Không Có Ai" in unknown.stderr
    assert sample_store.ok("absence", "list", "--all", "--json", env=ENV).json() == []


def test_the_preview_lists_the_stand_in_while_the_focal_point_is_away(engine: Engine, sample_store: Dondoc) -> None:
    focal = bind(engine)
    listed = sample_store.ok("people", "list", "--json", env=ENV).json()["people"]
    people = {p["name"]: str(p["id"]) for p in listed}
    mine, deputy = people["Nguyễn Văn Mối"], people["Trần Thị Phó"]
    sample_store.ok(
        "absence", "add", "--person", "Nguyễn Văn Mối", "--from", "2022-06-13", "--to", "2022-07-08", env=ENV
    )
    entries = sample_store.ok(
        "reminders",
        "preview",
        "--from",
        "2022-06-07",
        "--to",
        "2022-09-30",
        "--at",
        "2022-06-06T09:00",
        "--json",
        env=ENV,
    ).json()
    receivers: dict[bool, set[str]] = {True: set(), False: set()}
    for entry in entries:
        if entry["to"] == {"unit": "XP", "role": "focal"}:
            away = "2022-06-13" <= entry["send_at"][:10] <= "2022-07-08"
            receivers[away].update(entry["recipients"])
    assert receivers[True] == {deputy}, entries  # away: the deputy alone, as the sweeper will send
    assert receivers[False] == {mine, deputy}  # before and after
    focal.send("/whoami")
    assert "Vắng mặt từ 13/06/2022 đến 08/07/2022" in focal.last
