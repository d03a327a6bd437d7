"""Engine creation and schema migration for the catalogue database."""

from __future__ import annotations

from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets searches read while an ingest writes; NORMAL sync is durable across
    # application crashes in WAL mode and much faster than FULL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cursor.execute("PRAGMA temp_store=MEMORY")  # the per-query match table of search
    cursor.execute("PRAGMA mmap_size=268435456")  # read pages without copying them
    cursor.close()


def _json_text(value) -> str:
    return orjson.dumps(value).decode()


# orjson: the catalogue writes every offering document twice (current and version), so
# JSON encoding is on the ingest hot path.
JSON_OPTIONS = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def create_catalogue_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and the pragmas above on every connection,
    PostgreSQL sessions run in UTC. `postgresql://` means the psycopg (3) driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **JSON_OPTIONS)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            # SQLAlchemy's default PostgreSQL driver is psycopg2, which we do not install.
            parsed = parsed.set(drivername="postgresql+psycopg")
        # timestamptz values come back in the session's time zone; in UTC they print the
        # same on every server, as SQLite's do. Kept beside any `options` the URL carries
        # (a search_path, say), since connect_args would replace them.
        given = parsed.query.get("options")  # a tuple when the URL repeats it
        given_options = (given,) if isinstance(given, str) else tuple(given or ())
        options = " ".join(filter(None, (*given_options, "-c timezone=UTC")))
        return create_engine(
            parsed, pool_pre_ping=True, connect_args={"options": options}, **JSON_OPTIONS
        )
    return create_engine(parsed, pool_pre_ping=True, **JSON_OPTIONS)


# Any fixed 64-bit number, the same in every process that migrates this catalogue.
_MIGRATION_LOCK = 0x6D6963726F637264  # "microcrd"


def migrate(engine: Engine) -> None:
    """Bring the catalogue schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The api and the scheduler start together and both migrate: one waits for the
            # other's transaction (DDL is transactional on PostgreSQL), then finds nothing
            # left to do. SQLite serialises writers by itself.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
