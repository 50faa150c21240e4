"""the done reports' index carries their completion date (status, roll-ups: index-only scans)

Revision ID: 0018_donecover
Revises: 0017_statusperf
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_donecover"
down_revision: str | None = "0017_statusperf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE = sa.text("status = 'DONE'")


def _done_index(*columns: str) -> None:
    op.create_index("ix_report_done", "report", list(columns), unique=False, postgresql_where=DONE, sqlite_where=DONE)


def upgrade() -> None:
    op.drop_index("ix_report_done", table_name="report")
    _done_index("assignment_id", "reported_at", "id", "completed_on")


def downgrade() -> None:
    op.drop_index("ix_report_done", table_name="report")
    _done_index("assignment_id", "reported_at", "id")
