"""reminderdelivery: each reminder delivered to each person, so a retry goes only to those who lack it

Revision ID: 0012_resil
Revises: 0011_extensions
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_resil"
down_revision: str | None = "0011_extensions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminderdelivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminder.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reminder_id", "person_id"),
    )
    op.create_index("ix_reminderdelivery_person_id", "reminderdelivery", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reminderdelivery_person_id", table_name="reminderdelivery")
    op.drop_table("reminderdelivery")
