"""What a province's IT administrator sees deploying dondoc for the first time, following the README:
a second organisation on the deployment, a mistyped ``--org`` or ``--log-format``, a database a
newer release migrated, a failed ``pg_dump``, ``dondoc serve --help`` and a person's export when
they hold roles in two organisations whose units share a name."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from dondoc.db.models import MemberRole
from dondoc.scheduler.clock import TZ
from tests.conftest import SAMPLE, Dondoc, empty_sqlite_url
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)
AT_NOW = {"DONDOC_NOW": NOW.isoformat()}
LONG_MY = "Ủy ban nhân dân huyện Long Mỹ"
PHUNG_HIEP = "Ủy ban nhân dân huyện Phụng Hiệp"


def _second_organisation(dondoc: Dondoc, folder: Path) -> None:
    registry = folder / "phung-hiep.yaml"
    registry.write_text(
        f"organization: {PHUNG_HIEP}\ncoordinator: PNV\nunits:\n"
        '  - code: PNV\n    name: "Phòng Nội vụ"\n  - code: PVP\n    name: "Văn phòng huyện Phụng Hiệp"\n',
        encoding="utf-8",
    )
    dondoc.ok("units", "import", registry, "--new-organization")


def test_several_organisations_without_org_is_a_usage_error_naming_them(sample_store: Dondoc, tmp_path: Path) -> None:
    _second_organisation(sample_store, tmp_path)
    listed = sample_store("people", "list")
    assert listed.code == 2  # wrong usage (README: exit 2), not a refused input
    assert "--org" in listed.stderr and LONG_MY in listed.stderr and PHUNG_HIEP in listed.stderr
    unknown = sample_store("people", "list", "--org", "Ha Noi")
    assert unknown.code == 2 and "Ha Noi" in unknown.stderr and PHUNG_HIEP in unknown.stderr


def test_org_typed_without_diacritics_is_found(sample_store: Dondoc, tmp_path: Path) -> None:
    _second_organisation(sample_store, tmp_path)
    units = sample_store.ok("units", "list", "--org", "uy ban nhan dan huyen phung hiep").stdout
    assert PHUNG_HIEP in units and "Văn phòng huyện Phụng Hiệp" in units and "Xà Phiên" not in units


def test_a_mistyped_log_format_is_refused_by_every_command(sample_store: Dondoc) -> None:
    typo = sample_store("units", "list", "--log-format", "yaml")
    assert typo.code == 2 and "yaml" in typo.stderr and "json" in typo.stderr
    assert sample_store("--log-format", "yaml", "units", "list").code == 2
    assert "Phòng Nội vụ" in sample_store.ok("units", "list", "--log-format", "JSON").stdout


def test_a_database_a_newer_release_migrated_is_refused_in_words(tmp_path: Path) -> None:
    url = empty_sqlite_url(tmp_path / "newer.db")
    with sqlite3.connect(tmp_path / "newer.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_future'")
    result = Dondoc(url)("units", "list")
    assert result.code == 1
    assert "0099_future" in result.stderr and "phiên bản dondoc này không biết" in result.stderr
    assert "CommandError" not in result.stderr and "ngoài dự kiến" not in result.stderr
    token = {"TELEGRAM_BOT_TOKEN": "7000000001:AAHdondocLocalBotApiTestToken0123456", "ZALO_BOT_TOKEN": ""}
    for command in ("serve", "run"):  # refused before any network call
        started = Dondoc(url)(command, env=token)
        assert started.code == 1 and "0099_future" in started.stderr and "CommandError" not in started.stderr


def test_a_failed_pg_dump_says_why(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def which(name: str) -> str | None:
        return f"/usr/bin/{name}"

    def run(args: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        stderr = (
            'pg_dump: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?\n"
        )
        return subprocess.CompletedProcess(args, 1, "", stderr)

    monkeypatch.setattr("dondoc.cli.ops.shutil.which", which)
    monkeypatch.setattr("dondoc.cli.ops.subprocess.run", run)
    result = Dondoc("postgresql://dondoc:secret@localhost/dondoc")("backup", "-o", tmp_path / "d.dump")
    assert result.code == 1
    assert "Connection refused" in result.stderr and "Is the server running" in result.stderr
    assert "\t" not in result.stderr and "secret" not in result.stderr
    assert not (tmp_path / "d.dump").exists()


def test_serve_help_names_metrics() -> None:
    shown = Dondoc("sqlite:///unused.db")("serve", "--help").stdout
    assert "/healthz" in shown and "/metrics" in shown


def test_export_of_a_person_in_two_organisations_names_each_roles_organisation(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    _second_organisation(sample_store, tmp_path)
    chat = Chat(make_dispatcher(engine, NOW), "401", name="Trần Văn Cường")
    chat.send(f"/start {invite_code(engine, 'NV', MemberRole.FOCAL, now=NOW)}")
    chat.send(f"/start {invite_code(engine, 'PNV', MemberRole.ADMIN, now=NOW)}")
    shown = sample_store.ok("people", "export", "tran van cuong", "--org", LONG_MY, env=AT_NOW).stdout
    roles = shown.split("\nVai trò:\n")[1].split("\nLời mời")[0]
    assert f"Phòng Nội vụ (NV), {LONG_MY}" in roles and f"Phòng Nội vụ (PNV), {PHUNG_HIEP}" in roles


def test_a_province_invite_on_an_organisation_with_nothing_under_it_is_flagged(
    sample_store: Dondoc, tmp_path: Path
) -> None:
    alone = sample_store.ok("invite", "VP", "--role", "province", env=AT_NOW)
    assert LONG_MY in alone.stderr and "parent:" in alone.stderr and alone.stdout.strip()  # the code is still made
    province = tmp_path / "tinh.yaml"
    province.write_text(
        "organization: Ủy ban nhân dân tỉnh Hậu Giang\ncoordinator: VPUB\nunits:\n"
        '  - code: VPUB\n    name: "Văn phòng Ủy ban nhân dân tỉnh"\n',
        encoding="utf-8",
    )
    sample_store.ok("units", "import", province, "--new-organization")
    member = tmp_path / "long-my.yaml"
    member.write_text(
        (SAMPLE / "units.yaml")
        .read_text(encoding="utf-8")
        .replace(f"organization: {LONG_MY}\n", f"organization: {LONG_MY}\nparent: Ủy ban nhân dân tỉnh Hậu Giang\n"),
        encoding="utf-8",
    )
    joined = sample_store.ok("units", "import", member, "--org", LONG_MY).stdout
    assert "Nay thuộc Ủy ban nhân dân tỉnh Hậu Giang" in joined  # the import says what the new line did
    again = sample_store.ok("units", "import", member, "--org", LONG_MY)
    assert "Hậu Giang" not in again.stdout  # nothing changed: nothing said
    parent = sample_store.ok("invite", "VPUB", "--role", "province", "--org", "Ủy ban nhân dân tỉnh Hậu Giang")
    assert "parent:" not in parent.stderr
    assert "parent:" not in sample_store.ok("invite", "VP", "--role", "manager", "--org", LONG_MY).stderr
