"""withdraws: report.withdraws marks the ``hủy`` of a report that nothing stood before on its
deadline; that report and the one it withdraws count as never made (both stay in the history)

Revision ID: 0022_withdraws
Revises: 0021_reminderdue

Before, such an undo appended a "not started, 0 %" report that counted as an answer: the unit left the
non-responders. The reports already stored keep ``false`` (what they meant then).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_withdraws"
down_revision: str | None = "0021_reminderdue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both stores (SQLite's batch mode would copy the table, and the table's
    # partial index with it): existing rows take the default.
    op.add_column("report", sa.Column("withdraws", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("report", "withdraws")
