"""each assignment's newest report and its status in one index (status, roll-ups: index-only scans)

Revision ID: 0017_statusperf
Revises: 0016_pgperf
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_statusperf"
down_revision: str | None = "0016_pgperf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_report_newest", "report", ["assignment_id", "reported_at", "id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_report_newest", table_name="report")
