"""Migration 0019_sentdigest: what each person received, recorded so far one row per reminder and
person, becomes one row per message; the per-person rows a retry still needs (reminders not yet sent
to everyone) stay, and ``people export`` shows the same reminders as before. Downgrading gives the
per-reminder rows back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from dondoc.db.models import (
    Person,
    Reminder,
    ReminderDelivery,
    ReminderState,
)
from dondoc.db.session import alembic_config, open_store
from dondoc.plan.people import PersonInfo, export_person
from tests.db.old_store import at_revision, one_lead_assignment

EARLY = datetime(2022, 3, 14, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
LATER = datetime(2022, 3, 15, 1, 0, tzinfo=UTC)


@pytest.mark.unmigrated
def test_deliveries_become_one_row_per_message_and_the_export_is_unchanged(db_url: str) -> None:
    with at_revision(db_url, "0018_donecover") as connection, Session(bind=connection) as session:
        org_id, assignment_id = one_lead_assignment(session)
        focal = Person(organization_id=org_id, full_name="Nguyễn Văn An", created_at=EARLY)
        deputy = Person(organization_id=org_id, full_name="Trần Thị Bình", created_at=EARLY)
        session.add_all([focal, deputy])
        session.flush()
        reminders = [
            Reminder(
                assignment_id=assignment_id,
                due=date(2022, 3, day),
                kind="before",
                send_on=date(2022, 3, 14),
                send_at=EARLY,
                state=state,
            )
            for day, state in ((20, ReminderState.SENT), (21, ReminderState.SENT), (22, ReminderState.PENDING))
        ]
        session.add_all(reminders)
        session.flush()
        first, second, retried = (r.id or 0 for r in reminders)
        people = (focal.id or 0, deputy.id or 0)
        session.add_all(
            [
                # The focal point's 08:00 message carried two reminders; the deputy's, one of them.
                ReminderDelivery(reminder_id=first, person_id=people[0], sent_at=EARLY, message_id="m1"),
                ReminderDelivery(reminder_id=second, person_id=people[0], sent_at=EARLY, message_id="m1"),
                ReminderDelivery(reminder_id=first, person_id=people[1], sent_at=EARLY, message_id="m2"),
                # A reminder still due to the deputy (their send failed): its retry needs this row.
                ReminderDelivery(reminder_id=retried, person_id=people[0], sent_at=LATER, message_id="m3"),
            ]
        )
        session.commit()

    engine = open_store(db_url)  # upgrades to the head
    with engine.connect() as connection:
        messages = connection.execute(
            text("SELECT person_id, message_id, reminder_ids FROM sentdigest ORDER BY message_id")
        ).all()
        kept = connection.execute(text("SELECT reminder_id, person_id FROM reminderdelivery")).all()
    assert [(p, m, sorted(map(int, ids.split(",")))) for p, m, ids in messages] == [
        (people[0], "m1", sorted([first, second])),
        (people[1], "m2", [first]),
        (people[0], "m3", [retried]),
    ]
    assert [tuple(row) for row in kept] == [(retried, people[0])]
    with Session(engine) as session:
        person = session.get(Person, people[0])
        assert person is not None
        received = export_person(session, PersonInfo(person))["reminders_received"]
    assert sorted((r["reminder_id"], r["message_id"], r["task"], r["unit"]) for r in received) == sorted(
        [(first, "m1", "I.1", "VP"), (second, "m1", "I.1", "VP"), (retried, "m3", "I.1", "VP")]
    )

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0018_donecover")
        back = connection.execute(text("SELECT reminder_id, person_id, message_id FROM reminderdelivery")).all()
    engine.dispose()
    assert sorted(tuple(row) for row in back) == sorted(
        [(first, people[0], "m1"), (second, people[0], "m1"), (first, people[1], "m2"), (retried, people[0], "m3")]
    )
