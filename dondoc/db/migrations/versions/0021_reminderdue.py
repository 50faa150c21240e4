"""reminderdue: the pending reminders by send time, kept by triggers on reminder; no index on
reminder.state, so that marking a row sent rewrites it in place (PostgreSQL: a heap-only update, room
kept in each page)

Revision ID: 0021_reminderdue
Revises: 0020_outboxlease

A pass used to find its due rows through ``ix_reminder_state_send_at``; every row it then marked
sent changed an indexed column, so PostgreSQL wrote the row anew with an entry in each of the
table's three indexes (a nation's 08:00 pass: 110,000 rows, two thirds of the database's time in the
pass). Now the pending rows are listed in ``reminderdue`` (one narrow row each, deleted when the
reminder leaves ``pending``), maintained by the database on every insert and update of a reminder,
whatever statement makes it, so that no code path can forget it. A later migration that rebuilds the
``reminder`` table (SQLite's batch mode copies it) must create the triggers again:
``tests/scheduler/test_reminderdue.py`` checks them at the head.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021_reminderdue"
down_revision: str | None = "0020_outboxlease"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL: statement-level triggers, one set-based statement for all the rows a statement wrote
# (a pass records a thousand rows in one statement: one delete of their queue rows, not a thousand
# function calls). The rows to delete are looked up by key (``= ANY (ARRAY(…))``): a join with the
# statement's rows is planned once per connection, and hashed the whole queue for every record.
PG_FUNCTIONS = (
    """
    CREATE FUNCTION reminderdue_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO reminderdue (reminder_id, send_at)
        SELECT id, send_at FROM inserted_reminder WHERE state = 'PENDING';
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION reminderdue_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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
    """
    CREATE FUNCTION reminderdue_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM reminderdue WHERE reminder_id = ANY (ARRAY(SELECT id FROM deleted_reminder));
        RETURN NULL;
    END $$
    """,
)
PG_TRIGGERS = (
    "CREATE TRIGGER reminderdue_insert AFTER INSERT ON reminder REFERENCING NEW TABLE AS inserted_reminder "
    "FOR EACH STATEMENT EXECUTE FUNCTION reminderdue_inserted()",
    "CREATE TRIGGER reminderdue_update AFTER UPDATE ON reminder REFERENCING NEW TABLE AS updated_reminder "
    "FOR EACH STATEMENT EXECUTE FUNCTION reminderdue_updated()",
    "CREATE TRIGGER reminderdue_delete AFTER DELETE ON reminder REFERENCING OLD TABLE AS deleted_reminder "
    "FOR EACH STATEMENT EXECUTE FUNCTION reminderdue_deleted()",
)
# SQLite: row triggers (SQLite has no other kind).
SQLITE_TRIGGERS = (
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
    """
    CREATE TRIGGER reminderdue_delete AFTER DELETE ON reminder
    BEGIN
        DELETE FROM reminderdue WHERE reminder_id = OLD.id;
    END
    """,
)
# Room in each page of reminder for a row's new version (PostgreSQL): a sent row is rewritten in its
# own page only if there is room there; rows planned from now on leave it.
FILLFACTOR = 70


def upgrade() -> None:
    op.create_table(
        "reminderdue",
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("send_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reminder_id"),
    )
    op.create_index("ix_reminderdue_send_at", "reminderdue", ["send_at"], unique=False)
    op.execute("INSERT INTO reminderdue (reminder_id, send_at) SELECT id, send_at FROM reminder WHERE state = 'PENDING'")
    op.drop_index("ix_reminder_state_send_at", table_name="reminder")
    op.create_index("ix_reminder_send_at", "reminder", ["send_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
        op.execute(f"ALTER TABLE reminder SET (fillfactor = {FILLFACTOR})")
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS reminderdue_{name}" + (" ON reminder" if _pg() else ""))
    if _pg():
        for name in ("inserted", "updated", "deleted"):
            op.execute(f"DROP FUNCTION IF EXISTS reminderdue_{name}()")
        op.execute("ALTER TABLE reminder RESET (fillfactor)")
    op.drop_index("ix_reminder_send_at", table_name="reminder")
    op.create_index("ix_reminder_state_send_at", "reminder", ["state", "send_at"], unique=False)
    op.drop_index("ix_reminderdue_send_at", table_name="reminderdue")
    op.drop_table("reminderdue")


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
