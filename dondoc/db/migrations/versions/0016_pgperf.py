"""the done reports of an assignment in time order, in an index of their own (status, export, rollup)

Revision ID: 0016_pgperf
Revises: 0015_nhacviec
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_pgperf"
down_revision: str | None = "0015_nhacviec"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE = sa.text("status = 'DONE'")


def upgrade() -> None:
    op.create_index(
        "ix_report_done",
        "report",
        ["assignment_id", "reported_at", "id"],
        unique=False,
        postgresql_where=DONE,
        sqlite_where=DONE,
    )


def downgrade() -> None:
    op.drop_index("ix_report_done", table_name="report")
