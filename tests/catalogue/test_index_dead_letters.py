"""Dead letters on the embedded default (SQLite FTS5), on every catalogue database: an
offering whose index document cannot be built is set aside with the reason and holds up
nothing; /healthz counts it; `microcred index ...` lists and retries it."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from catalogue.models import IndexDeadLetterRow, OfferingRow
from catalogue.search.query import SearchQuery
from catalogue.store import offering_key
from microcred.services import build_services
from microcred.settings import Settings
from microcred.web import create_web_app
from normaliser.schema import Provider

HEADER = "id,title,level,credits,mode,price,duration,start_dates\n"


def feed(*rows: tuple[str, str]) -> bytes:
    return (
        HEADER
        + "".join(
            f"{i},{title},NZQF Level 5,15 credits,Online,NZ$900,6 weeks,\n" for i, title in rows
        )
    ).encode()


def break_stored_document(services, offering_id: str) -> None:
    """A row as a faulty earlier release might have written it: its title missing. The
    ingest of today cannot store such a thing (the schema requires a title), so the row
    is changed in the database, the way the fault would have left it."""
    with services.catalogue.sessions.begin() as session:
        row = session.get(OfferingRow, offering_id)
        document = dict(row.document)
        del document["title"]
        session.execute(
            update(OfferingRow).where(OfferingRow.id == offering_id).values(document=document)
        )


def letters(services) -> list[IndexDeadLetterRow]:
    with services.catalogue.session() as session:
        return list(session.scalars(select(IndexDeadLetterRow).order_by(IndexDeadLetterRow.id)))


def test_an_offering_whose_document_cannot_be_built_is_set_aside(services, provider):
    services.ingest.submit(
        provider.id, feed(("B1", "Data Literacy"), ("B2", "Dairy Herd Care")), format="csv"
    )
    bad = offering_key(provider.id, "B1")
    break_stored_document(services, bad)
    stats = services.indexer.drain()
    assert (stats.upserted, stats.dead_lettered, stats.stopped) == (1, 1, None)
    assert services.catalogue.index_lag()[0] == 0
    (letter,) = letters(services)
    assert (letter.offering_id, letter.version, letter.op, letter.status_code) == (
        bad,
        1,
        "upsert",
        None,
    )
    assert "could not be built" in letter.reason and "KeyError" in letter.reason

    # Nothing waits behind it.
    services.import_feed(
        provider.id,
        feed(("B1", "Data Literacy"), ("B2", "Dairy Herd Care"), ("B3", "Welding Safety")),
        format="csv",
    )
    assert services.backend.search(SearchQuery(text="welding")).total == 1
    body = TestClient(create_web_app(services, background=False)).get("/healthz").json()
    assert body["index_lag"] == {
        "pending": 0,
        "oldest_pending": None,
        "dead_letters": 1,
        "indexing": "current",
    }

    # Repaired by a newer version of the offering: indexed, and the letter is closed.
    services.import_feed(
        provider.id,
        feed(("B1", "Data Literacy II"), ("B2", "Dairy Herd Care"), ("B3", "Welding Safety")),
        format="csv",
    )
    assert services.backend.search(SearchQuery(text="literacy")).total == 1
    (letter,) = letters(services)
    assert letter.resolved_at is not None
    assert services.indexer.status().dead_letters == 0


def test_a_rebuild_retries_dead_letters_and_keeps_the_ones_that_fail_again(services, provider):
    services.ingest.submit(
        provider.id, feed(("B1", "Data Literacy"), ("B2", "Dairy Herd Care")), format="csv"
    )
    break_stored_document(services, offering_key(provider.id, "B1"))
    services.indexer.drain()
    stats = services.indexer.rebuild_with_stats()
    assert (stats.indexed, stats.dead_lettered) == (1, 1)
    (letter,) = letters(services)
    assert letter.resolved_at is None and letter.attempts == 2


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, MICROCRED_DATA_DIR=str(settings.data_dir), MICROCRED_NORMALISE_WORKERS="1"
    )
    if settings.database_url:
        env["MICROCRED_DATABASE_URL"] = settings.database_url
    return subprocess.run(
        [sys.executable, "-m", "microcred.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_index_commands_list_and_retry_dead_letters(settings):
    services = build_services(settings)
    provider = Provider(id="te-awa", name="Te Awa", country="NZ", default_currency="NZD")
    services.catalogue.upsert_provider(provider)
    services.ingest.submit(
        provider.id, feed(("B1", "Data Literacy"), ("B2", "Dairy Herd Care")), format="csv"
    )
    bad = offering_key(provider.id, "B1")
    break_stored_document(services, bad)
    services.indexer.drain()
    services.close()

    status = run_cli(settings, "index", "status")
    assert status.returncode == 0, status.stderr
    assert "indexing: current; pending 0" in status.stdout
    assert "open dead letters 1" in status.stdout

    listed = run_cli(settings, "index", "dead-letters")
    assert bad in listed.stdout and "KeyError" in listed.stdout
    assert "1 open dead letters" in listed.stdout

    # Still broken: refused again, and the command says so with its exit status.
    again = run_cli(settings, "index", "retry-dead-letters")
    assert again.returncode == 2
    assert "retried 1 dead-lettered offerings: 0 indexed, 1 refused again" in again.stdout

    # Repaired in the catalogue: the retry indexes it.
    services = build_services(settings)
    try:
        with services.catalogue.sessions.begin() as session:
            row = session.get(OfferingRow, bad)
            session.execute(
                update(OfferingRow)
                .where(OfferingRow.id == bad)
                .values(document=dict(row.document, title="Data Literacy"))
            )
    finally:
        services.close()
    fixed = run_cli(settings, "index", "retry-dead-letters")
    assert fixed.returncode == 0, fixed.stderr
    assert "1 indexed, 0 refused again" in fixed.stdout
    assert "open dead letters 0" in run_cli(settings, "index", "status").stdout

    reindex = run_cli(settings, "reindex")
    assert reindex.returncode == 0, reindex.stderr
    assert "reindexed 2 active offerings into the sqlite index" in reindex.stdout
