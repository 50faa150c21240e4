"""The pending reminders' list (:class:`~dondoc.db.models.ReminderDue`, migrations 0021 and 0024): the
database keeps it, whatever statement changes a reminder, so a pass finds exactly the rows that are
pending and due, and reads in it what it sends of them. On PostgreSQL, marking a row sent then rewrites it within its page (a heap-only update): no index
names a column that sending writes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Organization,
    Person,
    Reminder,
    ReminderDue,
    ReminderKind,
    ReminderState,
    Unit,
)
from dondoc.db.session import session_scope
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.outbox import Sent, claim_due, defer, mark_held, mark_sent, release, release_held
from dondoc.scheduler.schedule import replan

SLOT = datetime(2022, 3, 14, 8, 0, tzinfo=TZ)  # a Monday, 08:00


def a_person(engine: Engine) -> int:
    """Someone for the sent digests to have reached."""
    with session_scope(engine) as session:
        org_id = session.exec(select(Organization.id)).first()
        assert org_id is not None
        person = Person(organization_id=org_id, full_name="Nguyễn Văn A", created_at=SLOT)
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id


def listed(engine: Engine) -> dict[int, datetime]:
    with Session(engine) as session:
        return {row.reminder_id: row.send_at for row in session.exec(select(ReminderDue))}


def copied(engine: Engine) -> list[tuple[object, ...]]:
    """What the list carries of each pending reminder for a pass's claim (migration 0024)."""
    with Session(engine) as session:
        rows = session.connection().execute(
            sa_select(
                col(ReminderDue.reminder_id),
                col(ReminderDue.assignment_id),
                col(ReminderDue.kind),
                col(ReminderDue.due),
                col(ReminderDue.attempts),
                col(ReminderDue.audience),
                col(ReminderDue.task_id),
                col(ReminderDue.unit_id),
                col(ReminderDue.organization_id),
            ).order_by(col(ReminderDue.reminder_id))
        )
        return [tuple(row) for row in rows]


def joined(engine: Engine) -> list[tuple[object, ...]]:
    """The same, read from the pending reminders, their assignments and their units."""
    with Session(engine) as session:
        rows = session.connection().execute(
            sa_select(
                col(Reminder.id),
                col(Reminder.assignment_id),
                col(Reminder.kind),
                col(Reminder.due),
                col(Reminder.attempts),
                col(Reminder.audience),
                col(Assignment.task_id),
                col(Assignment.unit_id),
                col(Unit.organization_id),
            )
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(col(Reminder.state) == ReminderState.PENDING)
            .order_by(col(Reminder.id))
        )
        return [tuple(row) for row in rows]


def pending(engine: Engine) -> dict[int, datetime]:
    with Session(engine) as session:
        rows = session.exec(select(Reminder).where(col(Reminder.state) == ReminderState.PENDING))
        return {row.id or 0: row.send_at for row in rows}


def test_the_list_follows_every_change_of_a_reminders_state_and_time(engine: Engine) -> None:
    with session_scope(engine) as session:  # a month of the sample plan's reminders, as a morning plans them
        added, _cancelled = replan(session, WorkCalendar(), SLOT - timedelta(hours=1), horizon=timedelta(days=30))
    assert added > 20
    assert listed(engine) == pending(engine)
    assert copied(engine) == joined(engine) and len(copied(engine)) == len(pending(engine))
    with Session(engine) as session:  # (the store holds the reminders planned at its import too)
        first = session.exec(
            select(Reminder).where(col(Reminder.send_at) <= SLOT + timedelta(days=30)).order_by(col(Reminder.id))
        ).all()[:12]
    assert len(first) == 12 and all(r.state == ReminderState.PENDING for r in first)
    ids = [r.id for r in first if r.id is not None]
    later = SLOT + timedelta(hours=3)

    person = a_person(engine)
    with session_scope(engine) as session:
        mark_sent(session, [Sent(ids[0:3], "m1", person)], SLOT)  # sent: off the list
        mark_held(session, ids[3:5], "no reachable focal point")  # held: off the list
        release(session, ids[5:6], later, "timeout")  # tried again later: listed for then
        defer(session, ids[6:7], later, SLOT)  # wanted later today: listed for then
        session.exec(update(Reminder).where(col(Reminder.id) == ids[7]).values(state=ReminderState.CANCELLED))
        session.exec(delete(Reminder).where(col(Reminder.id) == ids[8]))  # a task removed from the plan
    now = listed(engine)
    assert now == pending(engine)
    assert copied(engine) == joined(engine)  # (a retry's attempts counted in the list too)
    assert {row[0]: row[4] for row in copied(engine)}[ids[5]] == 1
    assert not set(ids[0:5]) & set(now) and ids[7] not in now and ids[8] not in now
    assert now[ids[5]] == later and now[ids[6]] == later

    # Held, then a focal point is bound: pending again, listed again; a pass claims them.
    with Session(engine) as session:
        unit_id = session.exec(select(Assignment.unit_id).where(Assignment.id == first[3].assignment_id)).one()
    with session_scope(engine) as session:
        assert release_held(session, unit_id, SLOT) >= 1
    assert ids[3] in listed(engine) and listed(engine) == pending(engine)
    assert copied(engine) == joined(engine)
    with session_scope(engine) as session:
        due = claim_due(session, SLOT, "test")
    assert ids[3] in due and not set(ids[0:3]) & set(due) and ids[5] not in due


def test_a_row_written_in_any_state_is_listed_only_when_pending(engine: Engine) -> None:
    with Session(engine) as session:
        assignment_id = session.exec(select(Assignment.id)).first()
    assert assignment_id is not None
    rows = [
        Reminder(
            assignment_id=assignment_id,
            due=date(2022, 3, 20 + n),
            kind=ReminderKind.BEFORE,
            send_on=SLOT.date(),
            send_at=SLOT,
            state=state,
        )
        for n, state in enumerate((ReminderState.PENDING, ReminderState.HELD, ReminderState.SENT))
    ]
    with session_scope(engine) as session:
        session.add_all(rows)
    assert {r.id for r in rows} & set(listed(engine)) == {rows[0].id}
    with session_scope(engine) as session:
        assert claim_due(session, SLOT, "test") == [rows[0].id]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_marking_rows_sent_rewrites_them_within_their_pages_on_postgresql(engine: Engine) -> None:
    with session_scope(engine) as session:
        replan(session, WorkCalendar(), SLOT - timedelta(hours=1), horizon=timedelta(days=30))
    with Session(engine) as session:
        rows = select(Reminder.id).where(col(Reminder.send_at) <= SLOT + timedelta(days=30)).order_by(col(Reminder.id))
        ids = [i for i in session.exec(rows).all() if i is not None]
    assert len(ids) > 20
    with engine.connect() as connection:
        indexed = connection.exec_driver_sql(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'reminder'::regclass"
        ).scalars()
        assert not {"state", "sent_at", "message_id", "last_error"} & set(indexed)
    person = a_person(engine)
    with session_scope(engine) as session:  # this transaction's own counts: no waiting for the statistics
        mark_sent(session, [Sent(ids[n : n + 5], f"m{n}", person) for n in range(0, 20, 5)], SLOT)
        updated, in_place = (
            session.connection()
            .exec_driver_sql(
                "SELECT pg_stat_get_xact_tuples_updated('reminder'::regclass),"
                " pg_stat_get_xact_tuples_hot_updated('reminder'::regclass)"
            )
            .one()
        )
    assert (updated, in_place) == (20, 20)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_replan_writes_each_send_times_rows_unit_by_unit_on_sqlite(engine: Engine) -> None:
    """A pass records what it sent batch by batch, each digest a unit's reminders of one send time; SQLite
    logs each page a batch changed whole, so those rows are written side by side (in the plan's order a
    unit's rows lay in as many pages as it has tasks)."""
    with session_scope(engine) as session:
        replan(session, WorkCalendar(), SLOT - timedelta(hours=1), horizon=timedelta(days=30))
    with Session(engine) as session:
        rows = session.exec(
            select(Reminder.send_at, Assignment.unit_id)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .where(
                col(Reminder.send_at) > SLOT - timedelta(hours=1), col(Reminder.send_at) <= SLOT + timedelta(days=30)
            )
            .order_by(col(Reminder.id))
        ).all()
    places = [(send_at, unit_id) for send_at, unit_id in rows]
    assert len({send_at for send_at, _unit in places}) > 1 and len({unit for _send_at, unit in places}) > 5
    assert places == sorted(places)
