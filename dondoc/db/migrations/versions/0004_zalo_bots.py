"""zalobot: the Zalo bots a registry names; channelaccount.last_used_at; invite.link_person_id

Revision ID: 0004_zalo_bots
Revises: 0003_zalo_budget
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_zalo_bots"
down_revision: str | None = "0003_zalo_budget"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zalobot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("token_env", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "name"),
    )
    with op.batch_alter_table("zalobot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zalobot_organization_id"), ["organization_id"], unique=False)
    with op.batch_alter_table("channelaccount", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_invite_link_person_id", "person", ["link_person_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invite_link_person_id", type_="foreignkey")
        batch_op.drop_column("link_person_id")
    with op.batch_alter_table("channelaccount", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
    with op.batch_alter_table("zalobot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zalobot_organization_id"))
    op.drop_table("zalobot")
