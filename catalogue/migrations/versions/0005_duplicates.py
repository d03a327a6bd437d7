"""duplicates: offerings that reached us twice, and the keys that find them

Revision ID: 0005
Revises: 0006
Create Date: 2026-11-25 12:00:00

Numbered 0005 as planned, but it follows 0006 (crawl runs), which was written on top of
0004 first: one line of history, one head. See catalogue.models.OfferingDuplicateRow and
OfferingMatchKeyRow, and catalogue.duplicates.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offering_duplicates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("primary_id", sa.String(length=32), nullable=False),
        sa.Column("secondary_id", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.String(length=100), nullable=False),
        sa.Column("title_similarity", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["primary_id"],
            ["offerings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["secondary_id"],
            ["offerings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secondary_id"),
    )
    with op.batch_alter_table("offering_duplicates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offering_duplicates_primary_id"), ["primary_id"], unique=False
        )
    op.create_table(
        "offering_match_keys",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("offering_id", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("names_institution", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
        ),
        sa.PrimaryKeyConstraint("kind", "key", "offering_id"),
    )
    with op.batch_alter_table("offering_match_keys", schema=None) as batch_op:
        batch_op.create_index("ix_offering_match_keys_offering", ["offering_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offering_match_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_offering_match_keys_offering")
    op.drop_table("offering_match_keys")
    with op.batch_alter_table("offering_duplicates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offering_duplicates_primary_id"))
    op.drop_table("offering_duplicates")
