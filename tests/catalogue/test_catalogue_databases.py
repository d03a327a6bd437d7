"""What differs between the catalogue databases, and that the catalogue behaves the same on
each: string lengths, time zones, ordering, concurrent writers, the search file beside a
PostgreSQL catalogue. Runs on SQLite and PostgreSQL (see tests/conftest.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from catalogue.db import MIGRATIONS_DIR, create_catalogue_engine, migrate
from catalogue.errors import InvalidRequest
from catalogue.models import IngestIssueRow, OfferingRow
from catalogue.search.query import SearchQuery
from catalogue.store import as_utc
from microcred.services import build_services
from tests.catalogue.test_ingest import feed
from tests.conftest import POSTGRES_URL

HEADER = "id,title,url\n"


def test_an_id_longer_than_the_catalogue_keeps_is_refused_by_name(services, provider):
    long_id = "X" * 301
    content = f"{HEADER}{long_id},Long id course,\nOK1,Fine course,\n".encode()
    report = services.import_feed(provider.id, content, format="csv")
    assert (report.status, report.accepted, report.rejected) == ("applied", 1, 1)
    [error] = report.errors
    assert (error.locator, error.field) == ("line 2", "id") and "at most 300" in error.message
    # Every issue row fits its columns, the record id in it cut, not the write failed.
    with services.catalogue.session() as session:
        stored = (
            session.query(IngestIssueRow.record_id)
            .filter(IngestIssueRow.run_id == report.run_id, IngestIssueRow.field == "id")
            .scalar()
        )
    assert len(stored) == 300 and stored.endswith("…")


def test_an_over_long_url_is_a_warning_and_not_the_source_url(services, provider):
    url = "https://example.org/" + "a" * 2000
    report = services.import_feed(
        provider.id,
        f"{HEADER}U1,Long url,{url}\n".encode(),
        format="csv",
        filename="f" * 600 + ".csv",
    )
    assert report.accepted == 1
    assert any(w.field == "url" and "over 2000" in w.message for w in report.warnings)
    with services.catalogue.session() as session:
        row = session.query(OfferingRow).one()
    assert row.source_url is None and row.document["url"] == url
    submission = services.catalogue.get_submission(report.submission_id)
    assert len(submission.filename) == 500


def test_an_over_long_idempotency_key_is_an_invalid_request(services, provider):
    with pytest.raises(InvalidRequest, match="at most 200"):
        services.ingest.store_submission(
            provider.id,
            feed("A1"),
            format="csv",
            mode="delta",
            channel="push",
            idempotency_key="k" * 201,
        )


def test_times_come_back_in_utc(services, provider):
    report = services.import_feed(provider.id, feed("A1"), format="csv")
    received = services.catalogue.get_submission(report.submission_id).received_at
    [hit] = services.backend.search(SearchQuery(text="data")).hits
    stored = services.catalogue.get_offering(hit.id)
    assert as_utc(received).utcoffset() == timedelta(0)
    assert stored.provenance.first_seen.utcoffset() == timedelta(0)
    auckland = datetime(2027, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=13)))
    assert as_utc(auckland) == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    assert as_utc(auckland).isoformat() == "2027-01-01T00:00:00+00:00"


def test_withdrawn_ids_come_in_code_point_order_on_every_database(services, provider):
    ids = ["b1", "A10", "a-2", "A9", "Z"]
    services.import_feed(
        provider.id,
        (HEADER + "".join(f"{i},Course {i},\n" for i in ids) + "KEEP,Kept course,\n").encode(),
        format="csv",
    )
    report = services.import_feed(
        provider.id, f"{HEADER}KEEP,Kept course,\n".encode(), format="csv", confirm_withdrawals=True
    )
    assert report.withdrawn_ids == sorted(ids) == ["A10", "A9", "Z", "a-2", "b1"]
    assert services.ingest.report_for(report.submission_id).withdrawn_ids == sorted(ids)


def test_two_writers_on_one_provider_do_not_collide(services, provider):
    """Two feeds of the same provider applied at once (an API worker and the scheduler)
    must both apply, one after the other, each offering getting one version per change."""
    services.import_feed(provider.id, feed("A1", "A2"), format="csv")
    changed = [
        feed("A1", "A2", changes={"A1": line})
        for line in (
            "A1,Introduction to Data Science,NZQF Level 5,15 credits,Online,NZ$1300,6 weeks,\n",
            "A1,Introduction to Data Science,NZQF Level 5,15 credits,Online,NZ$1400,6 weeks,\n",
        )
    ]
    ids = [
        services.ingest.store_submission(
            provider.id, c, format="csv", mode="snapshot", channel="push"
        )
        for c in changed
    ]
    reports, barrier = {}, threading.Barrier(2)

    def apply(submission_id: int) -> None:
        barrier.wait()
        reports[submission_id] = services.ingest.process(submission_id)

    threads = [threading.Thread(target=apply, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [reports[i].status for i in ids] == ["applied", "applied"], [
        reports[i].error for i in ids
    ]
    [history] = [
        services.catalogue.offering_history(h.id)
        for h in services.backend.search(SearchQuery(text="data")).hits
    ]
    assert [h.version for h in history] == [1, 2, 3]


def test_the_sqlite_search_index_lives_beside_a_postgresql_catalogue(
    settings, catalogue_db, services, provider
):
    services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    assert services.backend.search(SearchQuery(text="dairy")).total == 1
    catalogue_tables = set(inspect(services.engine).get_table_names())
    search_file = settings.data_dir / "search.db"
    if catalogue_db == "sqlite":
        assert "search_docs" in catalogue_tables and not search_file.exists()
    else:
        assert not any(t.startswith("search_") for t in catalogue_tables)
        assert search_file.exists()
        # Losing the file loses nothing: the next start rebuilds it from the catalogue.
        services.close()
        search_file.unlink()
        restarted = build_services(settings)
        try:
            assert restarted.backend.search(SearchQuery(text="dairy")).total == 1
        finally:
            restarted.close()


@pytest.mark.postgresql_only("JSONB and BIGINT are PostgreSQL column types")
def test_postgresql_columns_from_0003(services):
    with services.engine.connect() as conn:
        types = dict(
            conn.execute(
                text(
                    "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND "
                    "(column_name = 'document' OR (column_name = 'id' AND table_name IN "
                    "('ingest_issues', 'index_outbox')))"
                )
            ).all()
        )
        sequence = conn.execute(
            text(
                "SELECT data_type FROM information_schema.sequences WHERE sequence_schema = "
                "current_schema() AND sequence_name = 'ingest_issues_id_seq'"
            )
        ).scalar_one()
    assert types == {
        "offerings.document": "jsonb",
        "offering_versions.document": "json",
        "ingest_issues.id": "bigint",
        "index_outbox.id": "bigint",
    }
    assert sequence == "bigint"


@pytest.mark.postgresql_only("the advisory lock is PostgreSQL's; SQLite locks the file")
def test_processes_starting_together_migrate_once(make_catalogue_url):
    """The api and the scheduler start at the same moment on an empty database."""
    url = make_catalogue_url()
    engines = [create_catalogue_engine(url) for _ in range(3)]
    errors, barrier = [], threading.Barrier(len(engines))

    def start(engine) -> None:
        barrier.wait()
        try:
            migrate(engine)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        with engines[0].connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
            )
    finally:
        for engine in engines:
            engine.dispose()


def test_the_engine_takes_a_plain_postgresql_url_as_psycopg():
    engine = create_catalogue_engine("postgresql://someone@127.0.0.1:1/nothing")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_the_cli_imports_into_the_catalogue_the_url_names(tmp_path, catalogue_url):
    """`microcred import` as an operator runs it with MICROCRED_DATABASE_URL set."""
    env = dict(os.environ, MICROCRED_DATA_DIR=str(tmp_path / "data"))
    env.pop("MICROCRED_DATABASE_URL", None)
    if catalogue_url:
        env["MICROCRED_DATABASE_URL"] = catalogue_url
    feed_file = tmp_path / "feed.csv"
    feed_file.write_bytes(feed("A1", "A2", "A3"))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "microcred.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    imported = cli(
        "import",
        "--provider",
        "te-awa",
        "--name",
        "Te Awa",
        "--country",
        "NZ",
        "--currency",
        "NZD",
        str(feed_file),
    )
    assert imported.returncode == 0, imported.stderr
    assert "created 3" in imported.stdout
    listed = cli("providers", "list")
    assert listed.returncode == 0 and re.search(r"te-awa\s+NZ\s+3\s+Te Awa", listed.stdout)
    # On PostgreSQL the catalogue is in the database, not in the data dir.
    assert (tmp_path / "data" / "microcred.db").exists() == (catalogue_url is None)


def test_a_postgresql_url_may_repeat_its_options(postgres_admin):
    """A repeated query key is a tuple in SQLAlchemy's URL; each `options` is passed on,
    beside the UTC time zone the catalogue adds (this used to raise a TypeError)."""
    url = make_url(POSTGRES_URL).update_query_pairs(
        [("options", "-c statement_timeout=4321"), ("options", "-c lock_timeout=1234")]
    )
    engine = create_catalogue_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            settings = [
                conn.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("statement_timeout", "lock_timeout", "timezone")
            ]
    finally:
        engine.dispose()
    assert settings == ["4321ms", "1234ms", "UTC"]
