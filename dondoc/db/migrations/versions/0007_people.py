"""people: no usernames kept; invites revocable and attributed to their maker; wrong invite codes
recorded and chats locked out (inviteattempt, invitelock)

Revision ID: 0007_people
Revises: 0006_appx_warn
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_people"
down_revision: str | None = "0006_appx_warn"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channelaccount", schema=None) as batch_op:
        batch_op.drop_column("username")  # not needed for the job (Decree 13/2023/NĐ-CP): dropped with its data
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key("fk_invite_created_by_person_id", "person", ["created_by_person_id"], ["id"])
    op.create_table(
        "inviteattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inviteattempt_chat_time", "inviteattempt", ["channel", "chat_id", "attempted_at"], unique=False)
    op.create_table(
        "invitelock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("locked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "chat_id"),
    )


def downgrade() -> None:
    op.drop_table("invitelock")
    op.drop_index("ix_inviteattempt_chat_time", table_name="inviteattempt")
    op.drop_table("inviteattempt")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invite_created_by_person_id", type_="foreignkey")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("created_by_person_id")
    with op.batch_alter_table("channelaccount", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
