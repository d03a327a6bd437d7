"""postgres: JSONB current documents, 64-bit ids for the tables that grow with every run

Revision ID: 0003_postgres
Revises: 0002
Create Date: 2026-11-23 22:00:00

PostgreSQL only; on SQLite this revision changes nothing (a JSON column there is text
either way, and an INTEGER primary key is already the 64-bit rowid). Why each change:
see the note at the top of catalogue/models.py.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_postgres"
down_revision = "0002"
branch_labels = None
depends_on = None

# The tables whose ids become BIGINT.
_GROWING = ("ingest_issues", "index_outbox")


def _sequence(table: str) -> str:
    return (
        op.get_bind()
        .execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        .scalar_one()
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE offerings ALTER COLUMN document TYPE JSONB USING document::jsonb")
    for table in _GROWING:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE BIGINT")
        # A SERIAL column's sequence is `AS integer` and would stop at 2^31 - 1 whatever the
        # column's type. Changing AS moves a maximum that was the old type's maximum to the
        # new type's (PostgreSQL docs, ALTER SEQUENCE: "data_type").
        op.execute(f"ALTER SEQUENCE {_sequence(table)} AS BIGINT")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _GROWING:
        op.execute(f"ALTER SEQUENCE {_sequence(table)} AS INTEGER")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE INTEGER")
    op.execute("ALTER TABLE offerings ALTER COLUMN document TYPE JSON USING document::json")
