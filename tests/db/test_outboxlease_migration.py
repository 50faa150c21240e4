"""Migration 0020_outboxlease: sweepers lease organisations instead of marking every reminder row
claimed. A row the previous release's sweeper had claimed when the upgrade stopped it is pending and
due again (its claim's attempt given back, its claim time kept as the mark of a row claimed before),
so the first pass after the upgrade sends it; rows waiting for a retry keep their count. Downgrading
drops the lease table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session

from dondoc.db.models import Reminder, ReminderState
from dondoc.db.session import alembic_config, open_store, session_scope
from dondoc.scheduler.outbox import claim_due
from tests.db.old_store import at_revision, one_lead_assignment

SLOT = datetime(2022, 3, 14, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


@pytest.mark.unmigrated
def test_rows_claimed_before_the_upgrade_are_due_again_and_sent_by_the_first_pass(db_url: str) -> None:
    with at_revision(db_url, "0019_sentdigest") as connection, Session(bind=connection) as session:
        _org_id, assignment_id = one_lead_assignment(session)
        claimed, retry = (
            Reminder(
                assignment_id=assignment_id,
                due=date(2022, 3, day),
                kind="before",
                send_on=date(2022, 3, 14),
                send_at=SLOT,
                state=state,
                attempts=attempts,
                claimed_at=SLOT if state == ReminderState.CLAIMED else None,
                claimed_by="host-1:4242" if state == ReminderState.CLAIMED else None,
            )
            for day, state, attempts in ((20, ReminderState.CLAIMED, 1), (21, ReminderState.PENDING, 2))
        )
        session.add_all([claimed, retry])
        session.commit()
        ids = (claimed.id, retry.id)

    engine = open_store(db_url)  # upgrades to the head
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, state, attempts, claimed_by, claimed_at IS NOT NULL FROM reminder ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [(ids[0], "PENDING", 0, None, True), (ids[1], "PENDING", 2, None, False)]
    with session_scope(engine) as session:  # the first pass after the upgrade takes both
        assert claim_due(session, SLOT, "new-process") == sorted(i for i in ids if i is not None)

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0019_sentdigest")
        assert "outboxlease" not in inspect(connection).get_table_names()
    engine.dispose()
