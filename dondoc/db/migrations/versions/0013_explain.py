"""explanations of overdue items (giải trình)

Revision ID: 0013_explain
Revises: 0012_resil
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_explain"
down_revision: str | None = "0012_resil"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "explanation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("requested_by_person_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_admin", sa.Boolean(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answered_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["answered_by_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["requested_by_person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_explanation_assignment_due", "explanation", ["assignment_id", "due"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_explanation_assignment_due", table_name="explanation")
    op.drop_table("explanation")
