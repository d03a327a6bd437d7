"""changes feed: a commit-ordered number on every offering version

Revision ID: 0008_changes
Revises: 0007
Create Date: 2026-12-04 01:20:00

See catalogue.changes. Versions recorded before this migration are numbered in the order
of their ids: nothing was writing while the migration ran, so that order is their commit
order as far as anyone can now tell.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_changes"
down_revision = "0007"
branch_labels = None
depends_on = None

GROWING_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("offering_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_seq", GROWING_ID, nullable=True))
    op.execute("UPDATE offering_versions SET change_seq = id")
    with op.batch_alter_table("offering_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offering_versions_change_seq"), ["change_seq"], unique=True
        )
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", GROWING_ID, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO change_counter (id, value) "
        "SELECT 1, COALESCE(MAX(id), 0) FROM offering_versions"
    )


def downgrade() -> None:
    op.drop_table("change_counter")
    with op.batch_alter_table("offering_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offering_versions_change_seq"))
        batch_op.drop_column("change_seq")
