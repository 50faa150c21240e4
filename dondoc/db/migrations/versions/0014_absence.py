"""absences (vắng mặt): a person's reminders go to a stand-in meanwhile

Revision ID: 0014_absence
Revises: 0013_explain
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014_absence"
down_revision: str | None = "0013_explain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_person_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cancelled_by_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["recorded_by_person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_absence_organization_id", "absence", ["organization_id"], unique=False)
    op.create_index("ix_absence_person_dates", "absence", ["person_id", "starts_on", "ends_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_absence_person_dates", table_name="absence")
    op.drop_index("ix_absence_organization_id", table_name="absence")
    op.drop_table("absence")
