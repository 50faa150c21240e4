"""plan.warnings: what the last import left out or assumed; deadlinekind 'UNDATED'

Revision ID: 0006_appx_warn
Revises: 0005_zalo_channel
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_appx_warn"
down_revision: str | None = "0005_zalo_channel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    if op.get_bind().dialect.name == "postgresql":
        # A native enum on PostgreSQL (SQLite stores the name as text, unchecked).
        # Inside the upgrade's one transaction (PostgreSQL 12+); the value is used only after it commits.
        op.execute("ALTER TYPE deadlinekind ADD VALUE IF NOT EXISTS 'UNDATED'")


def downgrade() -> None:
    op.execute("UPDATE task SET deadline_kind = 'FIXED' WHERE deadline_kind = 'UNDATED'")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("warnings")
