"""One reminder process for the multi-process tests (``tests/scheduler/test_processes.py``).

    python -m tests.procs_runner fill URL COUNT AT        # COUNT due reminders, one focal point each
    python -m tests.procs_runner sweep URL AT LOG         # the real reminder job, frozen at AT

``sweep`` runs dondoc's own reminder job (:func:`dondoc.bot.app.reminder_service`: the real texts, the
real sweeper with its claims and leases) until a pass claims nothing, sending through a channel that
appends each delivery's chat id to ``LOG`` (one ``write`` on a file opened for appending, so two
processes never interleave and a ``kill -9`` loses nothing that was sent) and prints it on stdout.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import SQLModel

from dondoc.bot.app import reminder_service
from dondoc.db.models import (
    MemberRole,
    ReminderKind,
    Role,
)
from dondoc.db.session import open_store
from dondoc.handlers.events import Reply
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import Clock

CHANNEL = "procs"
CHAT_BASE = 700_000_000  # chat ids of the generated focal points: base + n


def chat_ids(count: int) -> set[str]:
    """The chat ids that ``fill`` gave the focal points of ``count`` reminders."""
    return {str(CHAT_BASE + n) for n in range(count)}


def fill(url: str, count: int, at: datetime) -> None:
    """An organisation with ``count`` units, one task each, one focal point each, and one reminder
    due at ``at`` for each unit: ``count`` reminders, ``count`` messages."""
    engine = open_store(url)
    tables = SQLModel.metadata.tables
    with engine.begin() as connection:
        connection.execute(insert(tables["organization"]).values(id=1, name="Tỉnh thử", settings={}))
        connection.execute(
            insert(tables["plan"]).values(id=1, organization_id=1, key="2022", title="Kế hoạch", year=2022, warnings=[])
        )
        rows = range(1, count + 1)
        connection.execute(
            insert(tables["unit"]),
            [
                {"id": n, "organization_id": 1, "code": f"U{n}", "name": f"Đơn vị {n}", "aliases": [], "position": n}
                for n in rows
            ],
        )
        connection.execute(
            insert(tables["task"]),
            [{"id": n, "plan_id": 1, "code": f"I.{n}", "number": str(n), "title": f"Nhiệm vụ {n}"} for n in rows],
        )
        connection.execute(
            insert(tables["assignment"]),
            [{"id": n, "task_id": n, "unit_id": n, "role": Role.LEAD} for n in rows],
        )
        connection.execute(
            insert(tables["person"]),
            [{"id": n, "organization_id": 1, "full_name": f"Cán bộ {n}", "created_at": at} for n in rows],
        )
        connection.execute(
            insert(tables["channelaccount"]),
            [
                {
                    "id": n,
                    "person_id": n,
                    "channel": CHANNEL,
                    "external_id": str(CHAT_BASE + n - 1),
                    "chat_id": str(CHAT_BASE + n - 1),
                    "language_code": "vi",
                }
                for n in rows
            ],
        )
        connection.execute(
            insert(tables["membership"]),
            [{"id": n, "person_id": n, "unit_id": n, "role": MemberRole.FOCAL, "created_at": at} for n in rows],
        )
        connection.execute(
            insert(tables["reminder"]),
            [
                {
                    "id": n,
                    "assignment_id": n,
                    "due": at.date() + timedelta(days=3),
                    "kind": ReminderKind.BEFORE,
                    "send_on": at.date(),
                    "send_at": at,
                }
                for n in rows
            ],
        )
    if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        with engine.begin() as connection:
            for table in (
                "organization",
                "plan",
                "unit",
                "task",
                "assignment",
                "person",
                "channelaccount",
                "membership",
                "reminder",
            ):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    engine.dispose()


async def sweep(url: str, at: datetime, log_path: str) -> int:
    """Run the reminder job at ``at`` until a pass claims nothing; returns the messages it sent."""
    engine = open_store(url, upgrade=False)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sent = 0

    async def send(chat_id: str, reply: Reply) -> str:
        nonlocal sent
        os.write(log, f"{chat_id}\n".encode())
        sent += 1
        print(f"sent {chat_id}", flush=True)
        await asyncio.sleep(0)  # a real channel awaits its HTTP call here: let the other tasks run
        return str(sent)

    service = reminder_service(engine, Clock(at, frozen=True), WorkCalendar(), {CHANNEL: send})
    while (await service.sweeper.sweep()).claimed:
        pass
    os.close(log)
    engine.dispose()
    return sent


def main(argv: list[str]) -> int:
    command, url, *rest = argv
    if command == "fill":
        fill(url, int(rest[0]), datetime.fromisoformat(rest[1]))
        return 0
    if command == "sweep":
        sent = asyncio.run(sweep(url, datetime.fromisoformat(rest[0]), rest[1]))
        print(f"done {sent}", flush=True)
        return 0
    print(f"unknown command {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
