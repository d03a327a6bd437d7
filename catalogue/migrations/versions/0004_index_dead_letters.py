"""index dead letters: index updates the search engine refused for good

Revision ID: 0004
Revises: 0003_postgres
Create Date: 2026-11-24 10:00:00

See catalogue.models.IndexDeadLetterRow and catalogue.indexer.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_postgres"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("offering_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("index_dead_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_index_dead_letters_offering_id"), ["offering_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_index_dead_letters_resolved_at"), ["resolved_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("index_dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_dead_letters_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_index_dead_letters_offering_id"))
    op.drop_table("index_dead_letters")
