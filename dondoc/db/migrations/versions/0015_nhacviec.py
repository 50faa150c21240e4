"""a person's own reminder settings (/nhacviec): send time, weekly digest, muted check-ins

Revision ID: 0015_nhacviec
Revises: 0014_absence
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_nhacviec"
down_revision: str | None = "0014_absence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remindersetting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("send_time", sa.Time(), nullable=True),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("digest_weekday", sa.Integer(), nullable=True),
        sa.Column("mute_checkins", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("remindersetting")
