"""Each Zalo bot's people against the 50 users it takes (or the registry's ``users_per_bot``): the IT
officer reads it in ``dondoc usage`` and the administrators' ``/people``, and an invite for a unit
whose bot is full says so, naming the bot and the way out, instead of counting by hand in
``dondoc people list``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.db.models import ChannelAccount, MemberRole, Membership, Person, Unit
from dondoc.db.session import session_scope
from dondoc.tz import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.plan.test_zalo_bots_registry import LONG_MY_BOTS, _write, with_bots, write_long_my_bots

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def _bind(engine: Engine, unit_code: str, channel: str, count: int, *, start: int = 0) -> list[int]:
    """``count`` people bound to ``unit_code`` (deputies), each with a chat on ``channel``; their ids."""
    ids = []
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
        assert unit.id is not None
        for number in range(start, start + count):
            person = Person(organization_id=unit.organization_id, full_name=f"Người {number}", created_at=NOW)
            session.add(person)
            session.flush()
            assert person.id is not None
            session.add(Membership(person_id=person.id, unit_id=unit.id, role=MemberRole.DEPUTY, created_at=NOW))
            session.add(
                ChannelAccount(
                    person_id=person.id, channel=channel, external_id=f"{channel}-{number}", chat_id=f"{number}"
                )
            )
            ids.append(person.id)
    return ids


def _rows(store: Dondoc) -> dict[str, dict[str, object]]:
    found = store.ok("usage", "--month", "2022-03", "--json").json()
    return {row["channel"]: row for row in found["channels"]}


def test_usage_shows_each_zalo_bots_people_against_its_users(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    _bind(engine, "NV", "zalo:ln1", 3)
    left = _bind(engine, "XP", "zalo:ln2", 46)
    _bind(engine, "XP", "telegram", 2)  # Telegram takes anyone
    with Session(engine) as session:  # someone who left: removed, their chat kept, no longer counted
        session.delete(session.exec(select(Membership).where(Membership.person_id == left[0])).one())
        session.commit()

    rows = _rows(sample_store)
    assert {k: (r["people"], r["users"], r["users_state"]) for k, r in rows.items()} == {
        "zalo:ln1": (3, 50, "ok"),
        "zalo:ln2": (45, 50, "near"),  # 90 %: the next invites may not fit
    }
    text = sample_store.ok("usage", "--month", "2022-03", "--lang", "en").stdout
    assert "users" in text.splitlines()[1]
    assert [line.split()[-1] for line in text.splitlines()[2:4]] == ["3/50", "45/50"]
    assert "Zalo bots at 90 percent of their users or more: zalo:ln2 (45/50)" in text
    assert "over their users" not in text

    _bind(engine, "XP", "zalo:ln2", 6, start=100)  # 51
    _bind(engine, "VV", "zalo", 1)  # the one bot of ZALO_BOT_TOKEN: listed once someone is bound on it
    rows = _rows(sample_store)
    assert (rows["zalo:ln2"]["people"], rows["zalo:ln2"]["users_state"]) == (51, "over")
    assert (rows["zalo"]["people"], rows["zalo"]["users"]) == (1, 50)
    text = sample_store.ok("usage", "--month", "2022-03").stdout
    assert "người dùng" in text.splitlines()[1] and "51/50" in text
    assert "zalo:ln2 (51/50)" in text.splitlines()[-1] and "A full bot" in text.splitlines()[-1]


def test_a_paid_plans_users_per_bot_is_the_limit(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    data = with_bots(LONG_MY_BOTS)
    data["channels"]["zalo"]["users_per_bot"] = 200
    sample_store.ok("units", "import", _write(tmp_path / "paid.yaml", data))
    _bind(engine, "XP", "zalo:ln2", 51)
    assert (_rows(sample_store)["zalo:ln2"]["people"], _rows(sample_store)["zalo:ln2"]["users"]) == (51, 200)
    text = sample_store.ok("usage", "--month", "2022-03", "--lang", "en").stdout
    assert "51/200" in text and "90 percent" not in text


def test_an_invite_for_a_full_bot_is_made_and_says_so(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    _bind(engine, "XP", "zalo:ln2", 50)
    result = sample_store.ok("invite", "LN", "--role", "focal", "--json").json()  # Lương Nghĩa: also on ln2
    assert result["code"] and result["zalo"]["bot"] == "zalo:ln2"
    assert len(result["warnings"]) == 1 and "Bot CCHC Long Mỹ 2" in result["warnings"][0]
    made = sample_store.ok("invite", "LN", "--lang", "en")
    assert made.stdout.splitlines()[0]  # the code, all the same
    assert (
        "Warning: the Zalo bot Bot CCHC Long Mỹ 2 already has 50 people and takes 50 users. The invite is made all "
        "the same (the new person may replace someone who left: remove them first). Way out: move some of its "
        'units to another bot (README, "A full bot").'
    ) in made.stderr
    room = sample_store.ok("invite", "NV", "--json").json()  # ln1 has room
    assert room["warnings"] == []
    assert "Warning" not in sample_store.ok("invite", "NV", "--lang", "en").stderr


def test_a_chat_invite_for_a_full_bot_says_so(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    _bind(engine, "NV", "zalo:ln1", 2)
    _bind(engine, "XP", "zalo:ln2", 50)
    admin = Chat(make_dispatcher(engine), "700", channel="telegram", language_code="en")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    admin.send("/lang en")
    admin.send("/invite LN focal")
    lines = admin.last.splitlines()
    assert f"Open Zalo, find Bot CCHC Long Mỹ 2 and send the code {lines[1]}" in lines  # made all the same
    assert lines[-1].startswith("Warning: the Zalo bot Bot CCHC Long Mỹ 2 already has 50 people and takes 50 users.")
    assert lines[-1].endswith('move some of its units to another bot (README, "A full bot").')
    admin.send("/invite NV deputy")
    assert "Warning" not in admin.last
    admin.send("/lang vi")
    admin.send("/invite LN focal")
    assert "Cảnh báo: bot Zalo Bot CCHC Long Mỹ 2 đã có 50 người" in admin.last


def test_people_says_each_bots_people_in_one_line(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    _bind(engine, "NV", "zalo:ln1", 2)
    _bind(engine, "XP", "zalo:ln2", 50)
    admin = Chat(make_dispatcher(engine), "700", channel="telegram", language_code="en")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    admin.send("/lang en")
    admin.send("/people")
    assert "Zalo bots, people/users: ln1 2/50, ln2 50/50 (near the limit)." in admin.last.splitlines()
    _bind(engine, "XP", "zalo:ln2", 1, start=100)
    admin.send("/lang vi")
    admin.send("/people")
    line = next(line for line in admin.last.splitlines() if line.startswith("Bot Zalo"))
    assert line == "Bot Zalo, người dùng: ln1 2/50, ln2 51/50 (vượt giới hạn).", line
