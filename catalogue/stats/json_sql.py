"""Reading inside JSON documents in SQL, per dialect: the one place SQLite and PostgreSQL
differ for the agency queries. Paths are fixed names of ours, never user input; values are
always bound parameters.

SQLite: the JSON1 functions (json_extract, json_type, json_each, json_array_length) over the
document text. PostgreSQL: the jsonb operators (#>, #>>) and jsonb_array_elements over the
JSONB current document (migration 0003_postgres).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime
from typing import Any

PathPart = str | int


class JsonSql(ABC):
    name: str
    true: str
    false: str

    @abstractmethod
    def text(self, json: str, *path: PathPart) -> str:
        """The scalar at `path` as text (NULL when absent)."""

    @abstractmethod
    def number(self, json: str, *path: PathPart) -> str:
        """The number at `path` as a double."""

    @abstractmethod
    def integer(self, json: str, *path: PathPart) -> str: ...

    @abstractmethod
    def is_true(self, json: str, *path: PathPart) -> str:
        """Condition: the value at `path` is JSON true."""

    @abstractmethod
    def present(self, json: str, *path: PathPart) -> str:
        """Condition: `path` holds a value (not absent, not null)."""

    @abstractmethod
    def elements(self, json: str, alias: str, *path: PathPart) -> str:
        """A FROM item: one row per element of the array at `path`, as `alias.value`."""

    @abstractmethod
    def element_text(self, alias: str) -> str:
        """A text element of an array from `elements`, as text."""

    @abstractmethod
    def array_length(self, json: str, *path: PathPart) -> str:
        """Length of the array at `path`; 0 when absent."""

    @abstractmethod
    def document_text(self, column: str) -> str:
        """The whole document as JSON text (for orjson on the Python side)."""

    @abstractmethod
    def as_date(self, expression: str) -> str:
        """An ISO date text in the document, comparable with date_value()."""

    @abstractmethod
    def date_value(self, value: date) -> Any: ...

    @abstractmethod
    def utc_day(self, column: str) -> str:
        """The UTC calendar day of a timestamp column."""

    @abstractmethod
    def timestamp_value(self, value: datetime) -> Any:
        """A timestamp to bind, comparable with the catalogue's timestamp columns."""

    @staticmethod
    def timestamp_result(value: Any) -> datetime | None:
        """A timestamp column read through a plain-text statement, as an aware UTC datetime
        (SQLite hands back the stored text, PostgreSQL a datetime)."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_path(path: tuple[PathPart, ...]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return f"'{out}'"


class SqliteJson(JsonSql):
    name = "sqlite"
    true, false = "1", "0"

    def text(self, json: str, *path: PathPart) -> str:
        return f"json_extract({json}, {_sqlite_path(path)})"

    def number(self, json: str, *path: PathPart) -> str:
        # json_extract gives INTEGER for 10 and REAL for 7.5; one type for both.
        return f"CAST(json_extract({json}, {_sqlite_path(path)}) AS REAL)"

    def integer(self, json: str, *path: PathPart) -> str:
        return f"json_extract({json}, {_sqlite_path(path)})"

    def is_true(self, json: str, *path: PathPart) -> str:
        return f"(coalesce(json_type({json}, {_sqlite_path(path)}), '') = 'true')"

    def present(self, json: str, *path: PathPart) -> str:
        return f"(coalesce(json_type({json}, {_sqlite_path(path)}), 'null') <> 'null')"

    def elements(self, json: str, alias: str, *path: PathPart) -> str:
        return f"json_each({json}, {_sqlite_path(path)}) AS {alias}"

    def element_text(self, alias: str) -> str:
        return f"{alias}.value"

    def array_length(self, json: str, *path: PathPart) -> str:
        return f"coalesce(json_array_length({json}, {_sqlite_path(path)}), 0)"

    def document_text(self, column: str) -> str:
        return column

    def as_date(self, expression: str) -> str:
        return expression  # ISO dates compare as text

    def date_value(self, value: date) -> Any:
        return value.isoformat()

    def utc_day(self, column: str) -> str:
        return f"date({column})"  # stored as UTC text

    def timestamp_value(self, value: datetime) -> Any:
        # As SQLAlchemy stores DateTime on SQLite: UTC, no offset, so text order is time order.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _pg_path(path: tuple[PathPart, ...]) -> str:
    return "'{" + ",".join(str(p) for p in path) + "}'"


class PostgresJson(JsonSql):
    name = "postgresql"
    true, false = "true", "false"

    def text(self, json: str, *path: PathPart) -> str:
        return f"({json} #>> {_pg_path(path)})"

    def number(self, json: str, *path: PathPart) -> str:
        return f"({json} #>> {_pg_path(path)})::float8"

    def integer(self, json: str, *path: PathPart) -> str:
        return f"({json} #>> {_pg_path(path)})::int"

    def is_true(self, json: str, *path: PathPart) -> str:
        return f"coalesce(({json} #> {_pg_path(path)}) = 'true'::jsonb, false)"

    def present(self, json: str, *path: PathPart) -> str:
        return f"(coalesce(jsonb_typeof({json} #> {_pg_path(path)}), 'null') <> 'null')"

    def elements(self, json: str, alias: str, *path: PathPart) -> str:
        return f"jsonb_array_elements({json} #> {_pg_path(path)}) AS {alias}(value)"

    def element_text(self, alias: str) -> str:
        return f"({alias}.value #>> '{{}}')"

    def array_length(self, json: str, *path: PathPart) -> str:
        return f"coalesce(jsonb_array_length({json} #> {_pg_path(path)}), 0)"

    def document_text(self, column: str) -> str:
        return f"{column}::text"

    def as_date(self, expression: str) -> str:
        return f"({expression})::date"

    def date_value(self, value: date) -> Any:
        return value

    def utc_day(self, column: str) -> str:
        return f"({column} AT TIME ZONE 'UTC')::date"

    def timestamp_value(self, value: datetime) -> Any:
        return value


def json_sql_for(dialect_name: str) -> JsonSql:
    if dialect_name == "sqlite":
        return SqliteJson()
    if dialect_name == "postgresql":
        return PostgresJson()
    raise ValueError(
        f"agency statistics support SQLite and PostgreSQL catalogues, not {dialect_name}"
    )
