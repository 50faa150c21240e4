"""dueclaim: reminderdue carries what a pass's claim reads of each pending reminder (its assignment,
kind, due date, attempts, audience; the assignment's task and unit; the unit's organisation), kept by
the same triggers, so that the claim reads the list alone

Revision ID: 0024_dueclaim
Revises: 0023_restores

A pass's claim joined the pending list to ``reminder``, ``assignment`` and ``unit`` (a nation's 08:00:
110,000 rows of each, hashed): most of the 0.2 s the database took over the statement, while the
pass waited for it. Now the list has the columns the claim reads, written by the triggers that keep
it (0021) — a reminder's own columns from the statement's rows, the task, unit and organisation
looked up by key, each row's own (a lookup in a subquery the planner keeps apart, never a join it
could hash: a trigger's plan is made once per connection, and a plan made for a replan's thousands of
rows would then hash the whole of ``assignment`` for every record of a pass). The claim's statement
on a copy of the national store: 250 ms → 120 ms (psql). An assignment never changes its task or
unit, nor a unit its organisation (nothing writes those columns): what the list copies of them stays
true. The list is made anew by the upgrade (dropped and filled from the pending reminders), as the
downgrade makes 0021's again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024_dueclaim"
down_revision: str | None = "0023_restores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The list's columns after its key and time, in the order the claim reads them, and where each comes
# from: ``r`` the reminder, ``w`` its assignment's task and unit and the unit's organisation.
COPIED = "assignment_id, kind, due, attempts, audience"
LOOKED_UP = "task_id, unit_id, organization_id"
COLUMNS = f"reminder_id, send_at, {COPIED}, {LOOKED_UP}"
# PostgreSQL: the task, unit and organisation of a statement's row ``r``, looked up by key (``OFFSET 0``
# keeps the subquery apart: the planner does not turn it into a join of the whole tables).
PG_LOOKUP = (
    "CROSS JOIN LATERAL (SELECT a.task_id, a.unit_id, u.organization_id FROM assignment a"
    " JOIN unit u ON u.id = a.unit_id WHERE a.id = r.assignment_id OFFSET 0) w"
)
PG_ROWS = (
    "SELECT r.id, r.send_at, r.assignment_id, r.kind, r.due, r.attempts, r.audience,"
    " w.task_id, w.unit_id, w.organization_id"
)
PG_FUNCTIONS = (
    f"""
    CREATE OR REPLACE FUNCTION reminderdue_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO reminderdue ({COLUMNS})
        {PG_ROWS} FROM inserted_reminder r {PG_LOOKUP} WHERE r.state = 'PENDING';
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION reminderdue_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM reminderdue
        WHERE reminder_id = ANY (ARRAY(SELECT id FROM updated_reminder WHERE state <> 'PENDING'));
        INSERT INTO reminderdue ({COLUMNS})
        {PG_ROWS} FROM updated_reminder r {PG_LOOKUP} WHERE r.state = 'PENDING'
        ON CONFLICT (reminder_id) DO UPDATE SET send_at = EXCLUDED.send_at, attempts = EXCLUDED.attempts
        WHERE (reminderdue.send_at, reminderdue.attempts) IS DISTINCT FROM (EXCLUDED.send_at, EXCLUDED.attempts);
        RETURN NULL;
    END $$
    """,
)
# The 0021 functions, for the downgrade (the delete trigger's is the same in both).
PG_FUNCTIONS_0021 = (
    """
    CREATE OR REPLACE FUNCTION reminderdue_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO reminderdue (reminder_id, send_at)
        SELECT id, send_at FROM inserted_reminder WHERE state = 'PENDING';
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION reminderdue_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM reminderdue
        WHERE reminder_id = ANY (ARRAY(SELECT id FROM updated_reminder WHERE state <> 'PENDING'));
        INSERT INTO reminderdue (reminder_id, send_at)
        SELECT id, send_at FROM updated_reminder WHERE state = 'PENDING'
        ON CONFLICT (reminder_id) DO UPDATE SET send_at = EXCLUDED.send_at
        WHERE reminderdue.send_at IS DISTINCT FROM EXCLUDED.send_at;
        RETURN NULL;
    END $$
    """,
)
# SQLite: row triggers; the lookup is by key in any case.
SQLITE_ROW = (
    "SELECT NEW.id, NEW.send_at, NEW.assignment_id, NEW.kind, NEW.due, NEW.attempts, NEW.audience,"
    " a.task_id, a.unit_id, u.organization_id FROM assignment a JOIN unit u ON u.id = a.unit_id"
    " WHERE a.id = NEW.assignment_id"
)
SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER reminderdue_insert AFTER INSERT ON reminder WHEN NEW.state = 'PENDING'
    BEGIN
        INSERT INTO reminderdue ({COLUMNS}) {SQLITE_ROW};
    END
    """,
    f"""
    CREATE TRIGGER reminderdue_update AFTER UPDATE OF state, send_at, attempts ON reminder
    BEGIN
        DELETE FROM reminderdue WHERE reminder_id = OLD.id AND NEW.state <> 'PENDING';
        INSERT INTO reminderdue ({COLUMNS}) {SQLITE_ROW} AND NEW.state = 'PENDING'
        ON CONFLICT (reminder_id) DO UPDATE SET send_at = excluded.send_at, attempts = excluded.attempts;
    END
    """,
    """
    CREATE TRIGGER reminderdue_delete AFTER DELETE ON reminder
    BEGIN
        DELETE FROM reminderdue WHERE reminder_id = OLD.id;
    END
    """,
)
SQLITE_TRIGGERS_0021 = (
    """
    CREATE TRIGGER reminderdue_insert AFTER INSERT ON reminder WHEN NEW.state = 'PENDING'
    BEGIN
        INSERT INTO reminderdue (reminder_id, send_at) VALUES (NEW.id, NEW.send_at);
    END
    """,
    """
    CREATE TRIGGER reminderdue_update AFTER UPDATE OF state, send_at ON reminder
    BEGIN
        DELETE FROM reminderdue WHERE reminder_id = OLD.id AND NEW.state <> 'PENDING';
        INSERT INTO reminderdue (reminder_id, send_at) SELECT NEW.id, NEW.send_at WHERE NEW.state = 'PENDING'
        ON CONFLICT (reminder_id) DO UPDATE SET send_at = excluded.send_at;
    END
    """,
    SQLITE_TRIGGERS[2],
)


def upgrade() -> None:
    _drop_list()
    op.create_table(
        "reminderdue",
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("send_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("reminder_id"),
    )
    op.create_index("ix_reminderdue_send_at", "reminderdue", ["send_at"], unique=False)
    op.execute(
        f"INSERT INTO reminderdue ({COLUMNS}) SELECT r.id, r.send_at, r.assignment_id, r.kind, r.due, r.attempts,"
        " r.audience, a.task_id, a.unit_id, u.organization_id FROM reminder r"
        " JOIN assignment a ON a.id = r.assignment_id JOIN unit u ON u.id = a.unit_id WHERE r.state = 'PENDING'"
    )
    if _pg():
        for statement in PG_FUNCTIONS:
            op.execute(statement)
        _pg_triggers()
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    _drop_list()
    op.create_table(
        "reminderdue",
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("send_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reminder_id"),
    )
    op.create_index("ix_reminderdue_send_at", "reminderdue", ["send_at"], unique=False)
    op.execute("INSERT INTO reminderdue (reminder_id, send_at) SELECT id, send_at FROM reminder WHERE state = 'PENDING'")
    if _pg():
        for statement in PG_FUNCTIONS_0021:
            op.execute(statement)
        _pg_triggers()
    else:
        for statement in SQLITE_TRIGGERS_0021:
            op.execute(statement)


def _drop_list() -> None:
    """The triggers and the list, dropped (the functions stay on PostgreSQL: replaced after)."""
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS reminderdue_{name}" + (" ON reminder" if _pg() else ""))
    op.drop_index("ix_reminderdue_send_at", table_name="reminderdue")
    op.drop_table("reminderdue")


def _pg_triggers() -> None:
    """0021's statement triggers, on the functions as they are now."""
    for event, table, function in (
        ("INSERT", "NEW TABLE AS inserted_reminder", "reminderdue_inserted"),
        ("UPDATE", "NEW TABLE AS updated_reminder", "reminderdue_updated"),
        ("DELETE", "OLD TABLE AS deleted_reminder", "reminderdue_deleted"),
    ):
        op.execute(
            f"CREATE TRIGGER reminderdue_{event.lower()} AFTER {event} ON reminder REFERENCING {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
