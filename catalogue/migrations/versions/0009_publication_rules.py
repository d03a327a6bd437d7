"""publication rules: which providers and fields go to which federation target

Revision ID: 0009_publication_rules
Revises: 0008_changes
Create Date: 2026-12-04 02:30:00

See catalogue.publication. No row for a target means everything goes to it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_publication_rules'
down_revision = '0008_changes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('publication_rules',
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('excluded_providers', sa.JSON(), nullable=False),
    sa.Column('withheld_fields', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('target')
    )


def downgrade() -> None:
    op.drop_table('publication_rules')
