"""outboxlease: a sweeper leases an organisation's due reminders for a pass instead of writing every
reminder row twice (claimed, then sent); rows a sweeper had claimed are pending again

Revision ID: 0020_outboxlease
Revises: 0019_sentdigest
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020_outboxlease"
down_revision: str | None = "0019_sentdigest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outboxlease",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organization_id"),
    )
    # A row claimed by the previous release's sweeper (a pass the upgrade stopped) is due again: the
    # claim's attempt is given back, its claim time kept as the mark of a row claimed before.
    op.execute(
        "UPDATE reminder SET state = 'PENDING', claimed_by = NULL, "
        "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE state = 'CLAIMED'"
    )


def downgrade() -> None:
    op.drop_table("outboxlease")
