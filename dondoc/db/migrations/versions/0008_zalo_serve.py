"""webhook_delivery: updates the webhooks took in, so a repeated delivery is dropped

Revision ID: 0008_zalo_serve
Revises: 0007_people
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_zalo_serve"
down_revision: str | None = "0007_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "key"),
    )
    op.create_index("ix_webhook_delivery_received_at", "webhook_delivery", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_received_at", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
