"""mapping profiles providers register through the API

Revision ID: 0009
Revises: 0008_changes
Create Date: 2026-12-04 02:00:00

See catalogue.models.MappingProfileRow and catalogue.profiles.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mapping_profiles",
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
        ),
        sa.PrimaryKeyConstraint("provider_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("mapping_profiles")
