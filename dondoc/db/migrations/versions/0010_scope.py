"""scope: organisation.parent_id (a province and the organisations under it); memberrole 'PROVINCE'

Revision ID: 0010_scope
Revises: 0009_targets
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scope"
down_revision: str | None = "0009_targets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OLD = sa.Enum("FOCAL", "DEPUTY", "MANAGER", "ADMIN", name="memberrole")
_NEW = sa.Enum("FOCAL", "DEPUTY", "MANAGER", "ADMIN", "PROVINCE", name="memberrole")


def upgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_organization_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key("fk_organization_parent_id", "organization", ["parent_id"], ["id"])
    if op.get_bind().dialect.name == "postgresql":
        # A native enum on PostgreSQL.
        # Inside the upgrade's one transaction (PostgreSQL 12+); the value is used only after it commits.
        op.execute("ALTER TYPE memberrole ADD VALUE IF NOT EXISTS 'PROVINCE'")
        return
    # SQLite stores the name as text, as long as the longest name.
    for table in ("membership", "invite"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("role", existing_type=_OLD, type_=_NEW, existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM membership WHERE role = 'PROVINCE'")
    op.execute("DELETE FROM invite WHERE role = 'PROVINCE'")
    if op.get_bind().dialect.name != "postgresql":  # PostgreSQL cannot drop an enum value: it stays unused
        for table in ("membership", "invite"):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.alter_column("role", existing_type=_NEW, type_=_OLD, existing_nullable=False)
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_constraint("fk_organization_parent_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_organization_parent_id"))
        batch_op.drop_column("parent_id")
