"""several processes on one catalogue: submission leases, scheduled-run claims, shared rate
limit windows, indexer heartbeats

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 09:00:00

See catalogue.models (SubmissionRow's claim columns, ScheduledRunRow, RateLimitWindowRow,
IndexerHeartbeatRow) and catalogue.coordination. A submission left `processing` by a worker
of an older version has no lease, which counts as run out: the next worker takes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("claims", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "scheduled_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "kind", "source_id", "due_at", name="uq_scheduled_runs_kind_source_due"
        ),
    )
    with op.batch_alter_table("scheduled_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_runs_claimed_at"), ["claimed_at"], unique=False
        )
    op.create_table(
        "rate_limit_windows",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start"),
    )
    op.create_table(
        "indexer_heartbeats",
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("drained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("process_id"),
    )
    with op.batch_alter_table("indexer_heartbeats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indexer_heartbeats_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indexer_heartbeats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indexer_heartbeats_expires_at"))
    op.drop_table("indexer_heartbeats")
    op.drop_table("rate_limit_windows")
    with op.batch_alter_table("scheduled_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_runs_claimed_at"))
    op.drop_table("scheduled_runs")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("claims")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("claimed_by")
