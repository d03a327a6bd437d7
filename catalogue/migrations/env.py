"""Alembic environment: runs on the connection handed in by catalogue.db.migrate()."""

from alembic import context
from sqlalchemy import create_engine

from catalogue.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic -x url=...` from a shell, for operators.
        url = context.get_x_argument(as_dictionary=True)["url"]
        with create_engine(url).begin() as own_connection:
            context.configure(
                connection=own_connection, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
