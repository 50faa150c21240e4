"""plan targets (chỉ tiêu) and the units' figures

Revision ID: 0009_targets
Revises: 0008_zalo_serve
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_targets"
down_revision: str | None = "0008_zalo_serve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plantarget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("numerator", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("denominator", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("goal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("every", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "code"),
    )
    op.create_index(op.f("ix_plantarget_organization_id"), "plantarget", ["organization_id"], unique=False)
    op.create_table(
        "figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=True),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Boolean(), nullable=True),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reporter_person_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_admin", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["reporter_person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["target_id"], ["plantarget.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_figure_target_period_unit", "figure", ["target_id", "period", "unit_id"], unique=False)
    op.create_index(op.f("ix_figure_unit_id"), "figure", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_figure_unit_id"), table_name="figure")
    op.drop_index("ix_figure_target_period_unit", table_name="figure")
    op.drop_table("figure")
    op.drop_index(op.f("ix_plantarget_organization_id"), table_name="plantarget")
    op.drop_table("plantarget")
