"""sentdigest: one row per message of reminders a person received (not one per reminder and person);
reminderdelivery keeps only what a retry needs (reminders not yet sent to everyone)

Revision ID: 0019_sentdigest
Revises: 0018_donecover
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_sentdigest"
down_revision: str | None = "0018_donecover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sentdigest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reminder_ids", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sentdigest_person_id", "sentdigest", ["person_id"], unique=False)
    # Every delivery so far becomes its message's row (the deliveries of one message share its
    # person, time and message id); those of reminders sent to everyone are then not needed.
    if op.get_bind().dialect.name == "postgresql":
        ids = "string_agg(reminder_id::text, ',' ORDER BY reminder_id)"
    else:
        ids = "group_concat(reminder_id, ',')"
    op.execute(
        "INSERT INTO sentdigest (person_id, sent_at, message_id, reminder_ids) "
        f"SELECT person_id, sent_at, message_id, {ids} FROM reminderdelivery "
        "GROUP BY person_id, sent_at, message_id ORDER BY min(id)"
    )
    op.execute(
        "DELETE FROM reminderdelivery WHERE reminder_id IN (SELECT id FROM reminder WHERE state = 'SENT')"
    )


def downgrade() -> None:
    # Each message's reminders back as one delivery each (what the previous release recorded).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO reminderdelivery (reminder_id, person_id, sent_at, message_id) "
            "SELECT DISTINCT ON (r.id, d.person_id) r.id, d.person_id, d.sent_at, d.message_id "
            "FROM sentdigest d CROSS JOIN LATERAL unnest(string_to_array(d.reminder_ids, ',')::int[]) AS u(rid) "
            "JOIN reminder r ON r.id = u.rid ORDER BY r.id, d.person_id, d.sent_at "
            "ON CONFLICT (reminder_id, person_id) DO NOTHING"
        )
    else:
        op.execute(
            "INSERT OR IGNORE INTO reminderdelivery (reminder_id, person_id, sent_at, message_id) "
            "SELECT r.id, d.person_id, d.sent_at, d.message_id FROM sentdigest d "
            "JOIN json_each('[' || d.reminder_ids || ']') AS u JOIN reminder r ON r.id = u.value "
            "ORDER BY d.sent_at"
        )
    op.drop_index("ix_sentdigest_person_id", table_name="sentdigest")
    op.drop_table("sentdigest")
