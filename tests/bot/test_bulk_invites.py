"""Invites for many units at once: ``dondoc invite create`` takes several units, groups ("xa", "UBND
các xã") or ``--all``, skips the units that already have someone or a pending code, writes a sheet a
clerk can mail-merge (0600: the codes are secrets), refuses the whole command for a name that fits
nothing; ``/invite GROUP ROLE`` in chat lists the codes."""

from __future__ import annotations

import csv
import stat
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import Invite, MemberRole, Membership, Unit
from dondoc.scheduler.clock import TZ
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher
from tests.plan.test_zalo_bots_registry import write_long_my_bots

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
COMMUNES = ["VV", "LN", "LT", "THO", "THU", "VTD", "VVA", "XP"]  # the sample's group "xa"
UNITS = 21  # the sample registry's active units


def _invites(engine: Engine) -> list[tuple[str, str]]:
    """(unit code, role) of every invite in the store."""
    with Session(engine) as session:
        rows = session.exec(select(Unit.code, Invite.role).join(Invite, col(Invite.unit_id) == Unit.id)).all()
    return [(code, str(role)) for code, role in rows]


def test_a_group_gives_one_code_for_each_of_its_units(sample_store: Dondoc, engine: Engine) -> None:
    result = sample_store.ok("invite", "create", "xa", "--json").json()
    assert [row["unit"] for row in result["invites"]] == COMMUNES
    assert len({row["code"] for row in result["invites"]}) == len(COMMUNES)
    assert {row["role_name"] for row in result["invites"]} == {"đầu mối"}
    # Printed without -o: one code a line, with its unit.
    text = sample_store.ok("invite", "create", "UBND các xã, thị trấn", "--role", "deputy")
    lines = text.stdout.splitlines()
    assert [line.split("\t")[1] for line in lines] == COMMUNES
    assert "Đã tạo mã mời đầu mối dự phòng: 8" in " ".join(text.stderr.split()), text.stderr
    assert sorted(_invites(engine)) == sorted([(c, "focal") for c in COMMUNES] + [(c, "deputy") for c in COMMUNES])


def test_all_skips_the_units_already_bound_or_with_a_pending_code_and_says_so(
    sample_store: Dondoc, engine: Engine
) -> None:
    focal = Chat(make_dispatcher(engine, NOW), "501")
    focal.send(f"/start {invite_code(engine, 'NV', now=NOW)}")
    assert "Phòng Nội vụ" in focal.last
    sample_store.ok("invite", "TP")  # a pending code for Phòng Tư pháp
    made = sample_store.ok("invite", "create", "--all")
    units = [line.split("\t")[1] for line in made.stdout.splitlines()]
    assert len(units) == UNITS - 2 and "NV" not in units and "TP" not in units
    said = " ".join(made.stderr.split())
    assert "đã có đầu mối: 1; đã có mã chờ: 1" in said, said
    assert "--again" in said
    again = sample_store.ok("invite", "create", "--all", "--again", "--json").json()
    assert len(again["invites"]) == UNITS


def test_the_sheet_names_each_units_own_zalo_bot_and_only_its_owner_reads_it(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))  # NV on ln1, the communes on ln2
    output = tmp_path / "ma-moi.xlsx"
    output.write_bytes(b"")
    output.chmod(0o644)  # a file already there, readable by all: it is not left so
    result = sample_store.ok("invite", "create", "NV", "xa", "-o", output)
    assert result.stdout == ""  # the codes are in the file only
    said = " ".join(result.stderr.split())
    assert "bí mật" in said and "0600" in said and str(output) in said, said
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    rows = list(load_workbook(output).active.iter_rows(values_only=True))
    assert rows[0] == ("Mã đơn vị", "Tên đơn vị", "Vai trò", "Mã mời", "Hiệu lực đến", "Tin nhắn gửi đơn vị")
    assert [row[0] for row in rows[1:]] == ["NV", *COMMUNES]
    nv, xp = rows[1], rows[-1]
    assert nv[1] == "Phòng Nội vụ" and nv[2] == "đầu mối"
    assert nv[5] == f"Mở Zalo, tìm Bot CCHC Long Mỹ 1, gửi mã {nv[3]}"
    assert xp[1] == "Ủy ban nhân dân xã Xà Phiên"
    assert xp[5] == f"Mở Zalo, tìm Bot CCHC Long Mỹ 2, gửi mã {xp[3]}"
    assert isinstance(nv[4], datetime), nv[4]  # a date Excel sorts, shown dd/mm/yyyy hh:mm
    sheet = tmp_path / "ma-moi.csv"
    sample_store.ok("invite", "create", "LN", "--role", "deputy", "-o", sheet, "--lang", "en")
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header[:4] == ["Unit code", "Unit name", "Role", "Invite code"]
    assert row[:3] == ["LN", "Ủy ban nhân dân xã Lương Nghĩa", "deputy focal point"]
    assert row[5] == f"Open Zalo, find Bot CCHC Long Mỹ 2 and send the code {row[3]}"


def test_a_name_that_fits_nothing_refuses_the_whole_command(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    refused = sample_store("invite", "create", "xa", "xa phiem", "Các hội đoàn thể", "-o", tmp_path / "x.xlsx")
    assert refused.code == 1
    said = " ".join(refused.stderr.split())
    assert "«xa phiem»" in said and "«Xà Phiên»" in said, said  # the nearest name
    assert "«Các hội đoàn thể»" in said, said
    assert _invites(engine) == []
    assert not (tmp_path / "x.xlsx").exists()


def test_each_code_of_a_group_binds_its_units_focal_point(sample_store: Dondoc, engine: Engine) -> None:
    rows = sample_store.ok("invite", "create", "UBND các xã", "--json").json()["invites"]
    assert [row["unit"] for row in rows] == COMMUNES[1:]  # the communes, not the township
    dispatcher = make_dispatcher(engine, NOW)
    for number, row in enumerate(rows):
        chat = Chat(dispatcher, str(900 + number))
        chat.send(f"/start {row['code']}")
        assert f"đầu mối của {row['unit_name']}" in chat.last, chat.last
    with Session(engine) as session:
        bound = session.exec(
            select(Unit.code)
            .join(Membership, col(Membership.unit_id) == Unit.id)
            .where(Membership.role == MemberRole.FOCAL)
        ).all()
    assert sorted(bound) == sorted(COMMUNES[1:])


def test_an_administrator_invites_a_group_in_chat(sample_store: Dondoc, engine: Engine, tmp_path: Path) -> None:
    sample_store.ok("units", "import", write_long_my_bots(tmp_path))
    sample_store.ok("invite", "XP")  # pending: skipped
    admin = Chat(make_dispatcher(engine, NOW), "700", channel="zalo:ln1")
    admin.send(f"/start {invite_code(engine, 'NV', MemberRole.ADMIN, now=NOW)}")
    admin.send("/invite UBND các xã, thị trấn focal")
    reply = admin.last
    lines = reply.splitlines()
    assert lines[0].startswith("Mã mời đầu mối cho 7 đơn vị"), reply
    listed = [line for line in lines if line.startswith("• ")]
    assert [line.split("(")[1].split(")")[0] for line in listed] == [c for c in COMMUNES if c != "XP"]
    assert listed[0].startswith("• thị trấn Vĩnh Viễn (VV): ") and listed[0].endswith(" — Bot CCHC Long Mỹ 2")
    assert "đã có đầu mối: 0; đã có mã chờ: 1" in reply, reply
    assert len(reply) <= 2000
    code = listed[1].split(": ")[1].split(" ")[0]
    focal = Chat(make_dispatcher(engine, NOW), "701", channel="zalo:ln2")
    focal.send(code)
    assert "đầu mối của Ủy ban nhân dân xã Lương Nghĩa" in focal.last, focal.last
