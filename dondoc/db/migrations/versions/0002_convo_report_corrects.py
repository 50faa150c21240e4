"""report.corrects_report_id: a report that corrects a completion

Revision ID: 0002_convo
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_convo"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corrects_report_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_report_corrects_report_id", "report", ["corrects_report_id"], ["id"])
        batch_op.create_index("ix_report_corrects_report_id", ["corrects_report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_corrects_report_id")
        batch_op.drop_constraint("fk_report_corrects_report_id", type_="foreignkey")
        batch_op.drop_column("corrects_report_id")
