"""Engine creation and schema migration for the catalogue database."""

from __future__ import annotations

from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
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
    """An engine for `url`; SQLite gets WAL and the pragmas above on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **JSON_OPTIONS)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, **JSON_OPTIONS)


def migrate(engine: Engine) -> None:
    """Bring the catalogue schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
