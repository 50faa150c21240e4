"""Migration 0021_reminderdue: the pending reminders of an existing outbox are listed by the upgrade
(the first pass after it sends them, and nothing sent or held before), and the triggers keep the list
from then on; downgrading gives back the index on ``state`` and drops the list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session

from dondoc.db.models import Reminder, ReminderState
from dondoc.db.session import alembic_config, open_store, session_scope
from dondoc.scheduler.outbox import claim_due, claim_due_items
from tests.db.old_store import at_revision, one_lead_assignment

SLOT = datetime(2022, 3, 14, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


def reminders_in(session: Session, assignment_id: int, states: tuple[ReminderState, ...]) -> list[int | None]:
    """One reminder of the assignment in each of these states, committed: their ids (the nth has n
    attempts)."""
    rows = [
        Reminder(
            assignment_id=assignment_id,
            due=date(2022, 3, 20 + n),
            kind="before",
            send_on=date(2022, 3, 14),
            send_at=SLOT,
            attempts=n,
            state=state,
        )
        for n, state in enumerate(states)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


@pytest.mark.unmigrated
def test_pending_rows_before_the_upgrade_are_listed_and_sent_by_the_first_pass(db_url: str) -> None:
    with at_revision(db_url, "0020_outboxlease") as connection, Session(bind=connection) as session:
        _org_id, assignment_id = one_lead_assignment(session)
        ids = reminders_in(
            session,
            assignment_id,
            (ReminderState.PENDING, ReminderState.SENT, ReminderState.HELD, ReminderState.PENDING),
        )

    engine = open_store(db_url)  # upgrades to the head
    with engine.connect() as connection:
        listed = connection.execute(text("SELECT reminder_id FROM reminderdue ORDER BY reminder_id")).scalars().all()
        indexes = {index["name"] for index in inspect(connection).get_indexes("reminder")}
    assert listed == [ids[0], ids[3]]
    assert "ix_reminder_state_send_at" not in indexes and "ix_reminder_send_at" in indexes
    with session_scope(engine) as session:  # the first pass after the upgrade takes the pending ones
        assert claim_due(session, SLOT, "new-process") == [ids[0], ids[3]]
        session.get(Reminder, ids[2]).state = ReminderState.PENDING  # type: ignore[union-attr]
    with engine.connect() as connection:  # and the triggers keep the list from then on
        listed = connection.execute(text("SELECT reminder_id FROM reminderdue ORDER BY reminder_id")).scalars().all()
    assert listed == [ids[0], ids[2], ids[3]]

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0020_outboxlease")
        assert "reminderdue" not in inspect(connection).get_table_names()
        assert "ix_reminder_state_send_at" in {index["name"] for index in inspect(connection).get_indexes("reminder")}
        # No trigger is left behind to write to the list that is gone.
        connection.execute(text("UPDATE reminder SET state = 'SENT'"))
        connection.execute(text("DELETE FROM reminder"))
    engine.dispose()


@pytest.mark.unmigrated
def test_the_list_carries_what_the_claim_reads_after_the_upgrade_and_not_after_the_downgrade(db_url: str) -> None:
    """Migration 0024_dueclaim: the pending reminders of an existing outbox are listed anew with their
    assignment, kind, due date, attempts, audience, task, unit and organisation (the claim reads the
    list alone); downgraded, the list is 0021's again and its triggers still keep it."""
    with at_revision(db_url, "0023_restores") as connection, Session(bind=connection) as session:
        org_id, assignment_id = one_lead_assignment(session)
        ids = reminders_in(session, assignment_id, (ReminderState.PENDING, ReminderState.SENT, ReminderState.PENDING))
        task_id, unit_id = connection.execute(
            text("SELECT task_id, unit_id FROM assignment WHERE id = :a"), {"a": assignment_id}
        ).one()

    engine = open_store(db_url)  # upgrades to the head
    columns = "reminder_id, assignment_id, kind, attempts, audience, task_id, unit_id, organization_id"
    with engine.connect() as connection:
        listed = connection.execute(text(f"SELECT {columns} FROM reminderdue ORDER BY reminder_id")).all()
    assert [tuple(row) for row in listed] == [
        (ids[0], assignment_id, "before", 0, "focal", task_id, unit_id, org_id),
        (ids[2], assignment_id, "before", 2, "focal", task_id, unit_id, org_id),
    ]
    with session_scope(engine) as session:  # the first pass after the upgrade reads them from the list
        claimed, lines = claim_due_items(session, SLOT, "new-process")
    assert claimed == [ids[0], ids[2]] and [(line.reminder_id, line.attempts) for line in lines] == [
        (ids[0], 0),
        (ids[2], 2),
    ]

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0023_restores")
        assert {c["name"] for c in inspect(connection).get_columns("reminderdue")} == {"reminder_id", "send_at"}
        connection.execute(text("UPDATE reminder SET state = 'SENT' WHERE id = :i"), {"i": ids[0]})
        left = connection.execute(text("SELECT reminder_id FROM reminderdue ORDER BY reminder_id")).scalars().all()
        assert left == [ids[2]]
    engine.dispose()
