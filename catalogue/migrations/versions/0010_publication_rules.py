"""publication rules: which providers and fields go to which federation target

Revision ID: 0010_publication_rules
Revises: 0009
Create Date: 2026-12-04 02:30:00

See catalogue.publication. No row for a target means everything goes to it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_publication_rules"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publication_rules",
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("excluded_providers", sa.JSON(), nullable=False),
        sa.Column("withheld_fields", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target"),
    )


def downgrade() -> None:
    op.drop_table("publication_rules")
