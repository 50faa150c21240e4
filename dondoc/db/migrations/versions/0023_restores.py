"""restores: report.restores_report_id marks the ``hủy`` that restored the report before the undone one
(views show that report's own date and note)

Revision ID: 0023_restores
Revises: 0022_withdraws

Reports stored before keep NULL: an undo made then shows as itself ("Hủy báo cáo lúc 08:30").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_restores"
down_revision: str | None = "0022_withdraws"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both stores (as 0022_withdraws: no copy of the table).
    op.add_column("report", sa.Column("restores_report_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("report", "restores_report_id")
