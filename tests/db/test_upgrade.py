"""``dondoc db upgrade`` on a database of the previous release's schema, full of data: every row of
every table, and every value in it, is still there at the newest revision, and dondoc reads it.

The previous release's schema is revision ``0002_convo``: the database is built by running the
migrations up to it, then filled through that schema itself (its tables reflected from the database,
not today's models), with rows of every kind each table held then. The upgrade goes to ``head``, so
the test keeps guarding every migration added later. A migration that deliberately drops or rewrites a
column of the old schema must say so in ``CHANGED_ON_PURPOSE``.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import Connection, Engine

from dondoc.db import session
from dondoc.db.session import alembic_config, head_revision, make_engine
from tests.conftest import Dondoc

pytestmark = pytest.mark.unmigrated  # the stores here start without a schema: the test builds an old one
PREVIOUS_RELEASE = "0002_convo"

# (table, column) that a later migration drops or rewrites on purpose: not compared.
CHANGED_ON_PURPOSE: set[tuple[str, str]] = {
    ("channelaccount", "username"),  # 0007_people: only what the job needs is kept (Decree 13/2023)
}


def _at(day: str, hour: int = 1, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


# Rows as the previous release wrote them (enum columns hold the member's name, as SQLAlchemy stores them).
ROWS: dict[str, list[dict[str, Any]]] = {
    "organization": [
        {
            "id": 1,
            "name": "Ủy ban nhân dân huyện Long Mỹ",
            "coordinator_code": "NV",
            "settings": {"reminders": {"send_time": "07:30", "lead_days_before": [7, 3]}},
        },
        {"id": 2, "name": "UBND xã Vĩnh Viễn", "coordinator_code": None, "settings": {}},
    ],
    "unit": [
        {
            "id": 1,
            "organization_id": 1,
            "code": "NV",
            "name": "Phòng Nội vụ",
            "aliases": ["Nội vụ", "P. Nội vụ"],
            "position": 0,
            "active": True,
        },
        {
            "id": 2,
            "organization_id": 1,
            "code": "XP",
            "name": "UBND xã Xà Phiên",
            "aliases": [],
            "position": 1,
            "active": True,
        },
        {
            "id": 3,
            "organization_id": 1,
            "code": "TTVH",
            "name": "Trung tâm Văn hóa – Thể thao",
            "aliases": ["TT VH"],
            "position": 2,
            "active": False,
        },
        {
            "id": 4,
            "organization_id": 2,
            "code": "VP",
            "name": "Văn phòng HĐND – UBND xã",
            "aliases": [],
            "position": 0,
            "active": True,
        },
    ],
    "unitgroup": [
        {
            "id": 1,
            "organization_id": 1,
            "code": "xa",
            "name": "UBND các xã, thị trấn",
            "aliases": ["các xã"],
            "all_units": False,
        },
        {
            "id": 2,
            "organization_id": 1,
            "code": "all",
            "name": "Tất cả cơ quan, đơn vị",
            "aliases": [],
            "all_units": True,
        },
    ],
    "unitgroupmember": [{"group_id": 1, "unit_id": 2}, {"group_id": 2, "unit_id": 1}, {"group_id": 2, "unit_id": 2}],
    "plan": [
        {
            "id": 1,
            "organization_id": 1,
            "key": "cchc-2022",
            "title": "Kế hoạch cải cách hành chính năm 2022",
            "year": 2022,
            "source_file": "phu-luc-cchc-2022.xlsx",
            "source_sha256": "9f" * 32,
            "imported_at": _at("2022-01-05", 2, 15),
        },
        {
            "id": 2,
            "organization_id": 2,
            "key": "cchc-2022",
            "title": "Kế hoạch CCHC xã 2022",
            "year": 2022,
            "source_file": "ke-hoach.docx",
            "source_sha256": "0a" * 32,
            "imported_at": None,
        },
    ],
    "area": [
        {"id": 1, "plan_id": 1, "code": "I", "title": "CẢI CÁCH THỂ CHẾ", "position": 0},
        {"id": 2, "plan_id": 1, "code": "II", "title": "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "position": 1},
    ],
    "task": [
        {
            "id": 1,
            "plan_id": 1,
            "area_id": 1,
            "code": "I.1",
            "number": "1",
            "title": "Rà soát văn bản quy phạm pháp luật",
            "product": "Báo cáo kết quả rà soát",
            "note": "",
            "deadline_text": "Trước 30/6/2022",
            "deadline_kind": "FIXED",
            "deadline_every": None,
            "source_row": 12,
            "position": 0,
            "active": True,
        },
        {
            "id": 2,
            "plan_id": 1,
            "area_id": 2,
            "code": "II.1",
            "number": "1",
            "title": "Báo cáo tình hình giải quyết thủ tục hành chính",
            "product": "Báo cáo",
            "note": "Gửi qua hệ thống",
            "deadline_text": "Hằng quý",
            "deadline_kind": "RECURRING",
            "deadline_every": "quarter",
            "source_row": 20,
            "position": 1,
            "active": True,
        },
        {
            "id": 3,
            "plan_id": 1,
            "area_id": None,
            "code": "III.4",
            "number": "4",
            "title": "Tuyên truyền cải cách hành chính",
            "product": "",
            "note": "",
            "deadline_text": "Thường xuyên",
            "deadline_kind": "CONTINUOUS",
            "deadline_every": None,
            "source_row": 31,
            "position": 2,
            "active": False,
        },
    ],
    "occurrence": [
        {"id": 1, "task_id": 1, "due": date(2022, 6, 30)},
        {"id": 2, "task_id": 2, "due": date(2022, 3, 31)},
        {"id": 3, "task_id": 2, "due": date(2022, 6, 30)},
    ],
    "assignment": [
        {"id": 1, "task_id": 1, "unit_id": 1, "role": "LEAD", "position": 0, "active": True},
        {"id": 2, "task_id": 1, "unit_id": 2, "role": "SUPPORT", "position": 1, "active": True},
        {"id": 3, "task_id": 2, "unit_id": 2, "role": "LEAD", "position": 0, "active": True},
        {"id": 4, "task_id": 3, "unit_id": 3, "role": "LEAD", "position": 0, "active": False},
    ],
    "person": [
        {
            "id": 1,
            "organization_id": 1,
            "full_name": "Nguyễn Thị Hồng Nhung",
            "language": "vi",
            "unreachable": False,
            "created_at": _at("2022-01-06"),
        },
        {
            "id": 2,
            "organization_id": 1,
            "full_name": "Trần Văn Đức",
            "language": None,
            "unreachable": True,
            "created_at": _at("2022-01-07", 3, 5),
        },
        {
            "id": 3,
            "organization_id": 1,
            "full_name": "Lê Minh Quân",
            "language": "en",
            "unreachable": False,
            "created_at": _at("2022-01-08"),
        },
    ],
    "channelaccount": [
        {
            "id": 1,
            "person_id": 1,
            "channel": "telegram",
            "external_id": "5550001",
            "chat_id": "5550001",
            "username": "nhung_nv",
            "language_code": "vi",
        },
        {
            "id": 2,
            "person_id": 2,
            "channel": "telegram",
            "external_id": "5550002",
            "chat_id": "5550002",
            "username": None,
            "language_code": None,
        },
        {
            "id": 3,
            "person_id": 3,
            "channel": "sandbox",
            "external_id": "manager",
            "chat_id": "manager",
            "username": None,
            "language_code": "en",
        },
    ],
    "membership": [
        {"id": 1, "person_id": 1, "unit_id": 1, "role": "FOCAL", "created_at": _at("2022-01-06")},
        {"id": 2, "person_id": 2, "unit_id": 2, "role": "FOCAL", "created_at": _at("2022-01-07")},
        {"id": 3, "person_id": 3, "unit_id": 1, "role": "MANAGER", "created_at": _at("2022-01-08")},
        {"id": 4, "person_id": 3, "unit_id": 1, "role": "ADMIN", "created_at": _at("2022-01-08")},
    ],
    "invite": [
        {
            "id": 1,
            "code_hash": "a1" * 32,
            "unit_id": 1,
            "role": "FOCAL",
            "created_at": _at("2022-01-05"),
            "expires_at": _at("2022-01-12"),
            "used_at": _at("2022-01-06"),
            "used_by_person_id": 1,
        },
        {
            "id": 2,
            "code_hash": "b2" * 32,
            "unit_id": 2,
            "role": "DEPUTY",
            "created_at": _at("2022-03-01"),
            "expires_at": _at("2022-03-08"),
            "used_at": None,
            "used_by_person_id": None,
        },
    ],
    "report": [
        {
            "id": 1,
            "assignment_id": 1,
            "status": "IN_PROGRESS",
            "percent": 60,
            "note": "Đã trình dự thảo",
            "blocked_reason": "",
            "completed_on": None,
            "evidence_ref": "",
            "evidence_file_id": "",
            "evidence_kind": "",
            "reported_at": _at("2022-02-10", 2, 30),
            "reporter_person_id": 1,
            "entered_by_admin": False,
            "corrects_report_id": None,
        },
        {
            "id": 2,
            "assignment_id": 1,
            "status": "DONE",
            "percent": 100,
            "note": "Quyết định số 120/QĐ-UBND",
            "blocked_reason": "",
            "completed_on": date(2022, 3, 1),
            "evidence_ref": "120/QĐ-UBND",
            "evidence_file_id": "AgACAgUAAxkBAAIB",
            "evidence_kind": "photo",
            "reported_at": _at("2022-03-01", 4),
            "reporter_person_id": 1,
            "entered_by_admin": False,
            "corrects_report_id": None,
        },
        {
            "id": 3,
            "assignment_id": 1,
            "status": "IN_PROGRESS",
            "percent": 90,
            "note": "Chưa xong, báo nhầm",
            "blocked_reason": "",
            "completed_on": None,
            "evidence_ref": "",
            "evidence_file_id": "",
            "evidence_kind": "",
            "reported_at": _at("2022-03-02", 1, 45),
            "reporter_person_id": 1,
            "entered_by_admin": False,
            "corrects_report_id": 2,
        },
        {
            "id": 4,
            "assignment_id": 3,
            "status": "BLOCKED",
            "percent": 0,
            "note": "",
            "blocked_reason": "Chờ ý kiến Sở Nội vụ",
            "completed_on": None,
            "evidence_ref": "",
            "evidence_file_id": "",
            "evidence_kind": "",
            "reported_at": _at("2022-03-05"),
            "reporter_person_id": None,
            "entered_by_admin": True,
            "corrects_report_id": None,
        },
    ],
    "reminder": [
        {
            "id": 1,
            "assignment_id": 1,
            "due": date(2022, 6, 30),
            "kind": "before",
            "send_on": date(2022, 6, 23),
            "send_at": _at("2022-06-23"),
            "audience": "focal",
            "state": "PENDING",
            "attempts": 0,
            "claimed_at": None,
            "claimed_by": None,
            "sent_at": None,
            "message_id": None,
            "last_error": "",
        },
        {
            "id": 2,
            "assignment_id": 3,
            "due": date(2022, 3, 31),
            "kind": "due",
            "send_on": date(2022, 3, 31),
            "send_at": _at("2022-03-31"),
            "audience": "focal",
            "state": "SENT",
            "attempts": 1,
            "claimed_at": _at("2022-03-31", 1, 0),
            "claimed_by": "host-1:4242",
            "sent_at": _at("2022-03-31", 1, 1),
            "message_id": "telegram:5550002:77",
            "last_error": "",
        },
        {
            "id": 3,
            "assignment_id": 3,
            "due": date(2022, 3, 31),
            "kind": "escalation",
            "send_on": date(2022, 4, 5),
            "send_at": _at("2022-04-05"),
            "audience": "manager",
            "state": "HELD",
            "attempts": 2,
            "claimed_at": None,
            "claimed_by": None,
            "sent_at": None,
            "message_id": None,
            "last_error": "Forbidden: bot was blocked by the user",
        },
    ],
    "dispatch": [
        {
            "id": 1,
            "key": "digest:2022-03-07:person:3",
            "state": "SENT",
            "claimed_at": _at("2022-03-07"),
            "sent_at": _at("2022-03-07", 1, 2),
            "message_id": "m-9",
        },
        {
            "id": 2,
            "key": "unreachable:person:2",
            "state": "CLAIMED",
            "claimed_at": _at("2022-03-08"),
            "sent_at": None,
            "message_id": None,
        },
    ],
    "conversation": [
        {
            "id": 1,
            "channel": "telegram",
            "chat_id": "5550001",
            "user_id": "5550001",
            "flow": "report",
            "step": "note",
            "data": {"task": "I.1", "status": "in_progress", "percent": 75, "note": "Đang hoàn thiện"},
            "version": 4,
            "updated_at": _at("2022-03-15", 2, 10),
        }
    ],
}


def _previous_release_database(url: str) -> Engine:
    """A database at the previous release's schema, the engine opened as dondoc opens it."""
    engine = make_engine(url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, PREVIOUS_RELEASE)
    return engine


def _old_tables(connection: Connection) -> dict[str, Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {name: table for name, table in metadata.tables.items() if name != "alembic_version"}


def _snapshot(connection: Connection, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables, the given columns only, in primary-key order."""
    metadata = MetaData()
    metadata.reflect(connection, only=list(columns))
    found = {}
    for name, names in columns.items():
        table = metadata.tables[name]
        keys = list(table.primary_key.columns) or [table.c[n] for n in names]
        wanted = [table.c[n] for n in names if (name, n) not in CHANGED_ON_PURPOSE]
        found[name] = [tuple(row) for row in connection.execute(select(*wanted).order_by(*keys))]
    return found


def _filled_previous_release(url: str) -> tuple[dict[str, list[str]], dict[str, list[tuple[Any, ...]]]]:
    """A database at the previous release's schema holding ``ROWS``: its tables' columns, and its rows."""
    engine = _previous_release_database(url)
    with engine.begin() as connection:
        tables = _old_tables(connection)
        assert set(ROWS) == set(tables), "every table of the previous release's schema gets rows here"
        for name in ROWS:  # parents before their children
            connection.execute(tables[name].insert(), ROWS[name])
        old_columns = {name: [column.name for column in table.columns] for name, table in tables.items()}
        before = _snapshot(connection, old_columns)
    if engine.dialect.name == "postgresql":  # the ids were given: the sequences move past them, as inserts would have
        with engine.begin() as connection:
            for name, table in tables.items():
                if "id" in table.c:
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT max(id) FROM \"{name}\"))"
                    )
    engine.dispose()
    assert {name: len(rows) for name, rows in before.items()} == {name: len(rows) for name, rows in ROWS.items()}
    return old_columns, before


def test_upgrading_the_previous_release_loses_nothing(db_url: str) -> None:
    old_columns, before = _filled_previous_release(db_url)

    result = Dondoc(db_url).ok("--lang", "en", "db", "upgrade")
    assert f"from {PREVIOUS_RELEASE} to {head_revision()}" in result.stdout

    engine = make_engine(db_url)
    with engine.connect() as connection:
        after = _snapshot(connection, old_columns)
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    present = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(old_columns) <= present
    for name in old_columns:
        assert after[name] == before[name], f"table {name} changed in the upgrade"

    # and dondoc reads what it holds: the registry, the plan, the reports
    dondoc = Dondoc(db_url)
    registry = dondoc.ok("--org", "Ủy ban nhân dân huyện Long Mỹ", "units", "list", "--json").json()
    assert registry["coordinator"] == "NV"
    assert {unit["code"] for unit in registry["units"]} >= {"NV", "XP"}
    exported = dondoc.ok("--org", "Ủy ban nhân dân huyện Long Mỹ", "plan", "export", "--format", "json").stdout
    assert "Rà soát văn bản quy phạm pháp luật" in exported
    current = dondoc.ok("--lang", "en", "db", "current").stdout
    assert "Up to date" in current and head_revision() in current


def test_db_current_tells_what_is_missing_and_changes_nothing(db_url: str) -> None:
    _previous_release_database(db_url).dispose()
    result = Dondoc(db_url).ok("--lang", "en", "db", "current")
    assert f"Revision: {PREVIOUS_RELEASE}" in result.stdout
    assert f"Behind the newest revision {head_revision()}" in result.stdout and "dondoc db upgrade" in result.stdout
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == PREVIOUS_RELEASE
    engine.dispose()


def test_a_database_of_a_newer_release_is_not_touched(db_url: str) -> None:
    Dondoc(db_url).ok("db", "upgrade")
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    engine.dispose()
    for command_line in (["db", "upgrade"], ["db", "current"]):
        result = Dondoc(db_url)("--lang", "en", *command_line)
        assert result.code == 1, result.stdout
        assert "0099_from_the_future" in result.stderr and "newer release" in result.stderr
        assert "Traceback" not in result.stderr


def test_db_current_of_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "dondoc.db"
    result = Dondoc(f"sqlite:///{missing}")("--lang", "en", "db", "current")
    assert result.code == 1 and "There is no database" in result.stderr
    assert not missing.exists()


REBUILD = '''"""rebuild person and unit, as a batch migration on SQLite does for most changes

Revision ID: 9999_rebuild
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "9999_rebuild"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, column in (("person", "full_name"), ("unit", "name")):
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(), nullable=False)


def downgrade() -> None:
    pass
'''


def test_a_later_migration_that_rebuilds_referenced_tables_keeps_their_rows(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite rebuilds a table to change it (copy, drop, rename): dropping ``person`` while channel
    accounts, memberships and reports refer to it must neither fail nor lose them."""
    old_columns, before = _filled_previous_release(sqlite_url)
    migrations = tmp_path / "migrations"
    shutil.copytree(session.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9999_rebuild.py").write_text(REBUILD.format(head=head_revision()), encoding="utf-8")
    monkeypatch.setattr(session, "MIGRATIONS_DIR", migrations)

    result = Dondoc(sqlite_url).ok("--lang", "en", "db", "upgrade")
    assert f"from {PREVIOUS_RELEASE} to 9999_rebuild" in result.stdout
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert _snapshot(connection, old_columns) == before
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again afterwards
    engine.dispose()
