"""Shared fixtures: a fresh catalogue per test, on every catalogue database selected.

Every test that uses `settings` (and so `services` and `provider`) runs once per database:
SQLite (a file in the test's own data dir) and PostgreSQL (a schema of its own in the
server at MICROCRED_TEST_POSTGRES_URL, created and migrated for the test and dropped after
it). Choose the databases with `--catalogue sqlite,postgresql` or MICROCRED_TEST_DATABASES;
both is the default. Without a reachable PostgreSQL the postgresql runs are skipped, saying
why, except under CI, where they fail.

A test that is about SQLite itself (pragmas, FTS5 internals) says so with
`@pytest.mark.sqlite_only("why")` and runs on SQLite alone; `postgresql_only("why")` is the
other way round (JSONB columns, advisory locks).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from catalogue.db import create_catalogue_engine
from microcred.local_engine import process_alive
from microcred.services import Services, build_services
from microcred.settings import Settings
from normaliser.schema import Provider

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"

DATABASES = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get(
    "MICROCRED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Test schemas are named mct_<pid of the pytest process>_<n>, so one run never touches
# another's (several people and CI share one server) and leftovers of a killed run can be
# told apart from schemas of a run still going.
SCHEMA_PREFIX = "mct_"
_SCHEMA_RE = re.compile(r"^mct_(\d+)_\d+$")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--catalogue",
        default=os.environ.get("MICROCRED_TEST_DATABASES", ",".join(DATABASES)),
        help="comma-separated catalogue databases to run the catalogue tests on: "
        "sqlite, postgresql (default: $MICROCRED_TEST_DATABASES or both)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite itself; no PostgreSQL run"
    )
    config.addinivalue_line(
        "markers", "postgresql_only(reason): the test is about PostgreSQL itself; no SQLite run"
    )
    chosen = [d.strip() for d in config.getoption("--catalogue").split(",") if d.strip()]
    unknown = set(chosen) - set(DATABASES)
    if unknown or not chosen:
        raise pytest.UsageError(
            f"--catalogue takes {', '.join(DATABASES)}, not {config.getoption('--catalogue')!r}"
        )
    config.catalogue_databases = chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "catalogue_db" not in metafunc.fixturenames:
        return
    databases = metafunc.config.catalogue_databases
    only = None
    for name in DATABASES:
        marker = metafunc.definition.get_closest_marker(f"{name}_only")
        if marker:
            only = (name, marker.args[0] if marker.args else "")
            databases = [d for d in databases if d == name]
    params = [
        pytest.param(d, id=d, marks=[pytest.mark.postgres] if d == "postgresql" else [])
        for d in databases
    ]
    if not params:
        params = [
            pytest.param(
                only[0],
                id=only[0],
                marks=pytest.mark.skip(
                    reason=f"{only[0]} only ({only[1]}), and --catalogue leaves {only[0]} out"
                ),
            )
        ]
    metafunc.parametrize("catalogue_db", params, indirect=True)


@pytest.fixture
def catalogue_db(request: pytest.FixtureRequest) -> str:
    """The catalogue database this run of the test is on: "sqlite" or "postgresql"."""
    return request.param


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test server's database, for making and dropping test schemas."""
    engine = create_catalogue_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not here"
        engine.dispose()
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL at {where} is not reachable ({type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}). "
            f"Start it (pg_ctlcluster --skip-systemctl-redirect <version> main start), "
            f"point MICROCRED_TEST_POSTGRES_URL at one, or run --catalogue sqlite"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    _drop_abandoned_schemas(engine)
    yield engine
    engine.dispose()


def _drop_abandoned_schemas(engine: Engine) -> None:
    """Schemas left by test runs that were killed before their teardown: their pytest is
    gone and nothing is connected to them. (A run in another PID namespace looks gone, but
    its test has a connection open while its schema exists.)"""
    with engine.begin() as conn:
        names = (
            conn.execute(
                text(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE :p AND nspname NOT IN "
                    "(SELECT application_name FROM pg_stat_activity)"
                ),
                {"p": SCHEMA_PREFIX + "%"},
            )
            .scalars()
            .all()
        )
        for name in names:
            match = _SCHEMA_RE.match(name)
            if match and not process_alive(int(match.group(1))):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))

    return True


_schema_numbers = itertools.count(1)


@pytest.fixture
def make_catalogue_url(
    request: pytest.FixtureRequest, catalogue_db: str
) -> Iterator[Callable[[], str | None]]:
    """Makes empty catalogues for this test: None on SQLite (the default file in a test's
    data dir is new already), a URL to a new schema on PostgreSQL. Every schema is dropped
    after the test, and whatever connection is still open to it is closed first."""
    schemas: list[str] = []
    admin = request.getfixturevalue("postgres_admin") if catalogue_db == "postgresql" else None

    def make() -> str | None:
        if admin is None:
            return None
        schema = f"{SCHEMA_PREFIX}{os.getpid()}_{next(_schema_numbers)}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        # application_name lets the teardown find connections a test left open.
        return (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}", "application_name": schema})
            .render_as_string(hide_password=False)
        )

    yield make
    for schema in schemas:
        with admin.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def catalogue_url(make_catalogue_url: Callable[[], str | None]) -> str | None:
    """MICROCRED_DATABASE_URL for this test's catalogue (None: SQLite in the data dir)."""
    return make_catalogue_url()


@pytest.fixture
def settings(tmp_path: Path, catalogue_url: str | None) -> Settings:
    # database_url is always given, so a MICROCRED_DATABASE_URL in the environment of
    # whoever runs the tests cannot point them at a real catalogue.
    return Settings(
        data_dir=tmp_path / "data", reference_currency="EUR", database_url=catalogue_url
    )


@pytest.fixture
def services(settings: Settings) -> Services:
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def provider(services: Services) -> Provider:
    provider = Provider(
        id="te-awa", name="Te Awa Institute of Technology", country="NZ", default_currency="NZD"
    )
    services.catalogue.upsert_provider(provider, default_language="en")
    return provider


def shared_data(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must run with ../shared beside the checkout")
        pytest.skip(f"{path} is not here: this checkout has no ../shared/data beside it")
    return path
