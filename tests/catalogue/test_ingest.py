"""The ingest path on a real catalogue, SQLite and PostgreSQL: idempotency, snapshot and
delta, rollback."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

import catalogue.ingest as ingest_module
from benchmarks.synthetic import synthetic_csv
from catalogue.models import (
    IngestIssueRow,
    OfferingRow,
    OfferingVersionRow,
    OutboxRow,
    SubmissionRow,
)
from catalogue.search.query import Filters, SearchQuery
from microcred.services import build_services
from microcred.settings import Settings
from normaliser.schema import Provider

HEADER = "id,title,level,credits,mode,price,duration,start_dates\n"
ROWS = {
    "A1": 'A1,Introduction to Data Science,NZQF Level 5,15 credits,Online,"NZ$1,250",6 weeks,2027-03-01\n',
    "A2": "A2,Te Reo Māori Basics,Level 3 NZQF,10 credits,Face to face,Free,10 weeks,1 March 2027\n",
    "A3": "A3,Sustainable Dairy Farming,NZQF Level 4,20 credits,Blended,NZ$900,12 weeks,\n",
}


def feed(*ids: str, changes: dict[str, str] | None = None) -> bytes:
    rows = [(changes or {}).get(i, ROWS[i]) for i in ids]
    return (HEADER + "".join(rows)).encode()


def table_count(services, model, *where) -> int:
    with services.catalogue.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot_of_catalogue(services) -> list[tuple]:
    with services.catalogue.session() as session:
        offerings = session.execute(
            select(
                OfferingRow.id, OfferingRow.version, OfferingRow.status, OfferingRow.content_hash
            ).order_by(OfferingRow.id)
        ).all()
        versions = session.scalar(select(func.count()).select_from(OfferingVersionRow))
        outbox = session.scalar(select(func.count()).select_from(OutboxRow))
    return [tuple(r) for r in offerings] + [("versions", versions), ("outbox", outbox)]


def test_first_import_creates_offerings_versions_and_index_work(services, provider):
    report = services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    assert (report.status, report.accepted, report.rejected, report.created) == ("applied", 3, 0, 3)
    assert table_count(services, OfferingRow) == 3
    assert table_count(services, OfferingVersionRow) == 3
    assert table_count(services, OutboxRow, OutboxRow.processed_at.is_(None)) == 0  # drained
    assert services.backend.search(SearchQuery(text="dairy")).total == 1


def test_raw_submission_is_kept_with_its_hash(services, provider):
    content = feed("A1")
    report = services.import_feed(provider.id, content, format="csv")
    submission = services.catalogue.get_submission(report.submission_id)
    assert submission.content == content
    assert submission.sha256 == hashlib.sha256(content).hexdigest()
    assert submission.status == "applied"


def test_same_feed_twice_changes_nothing(services, provider):
    services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    before = snapshot_of_catalogue(services)
    again = services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    assert (again.created, again.updated, again.unchanged, again.withdrawn) == (0, 0, 3, 0)
    assert snapshot_of_catalogue(services) == before


def test_changed_record_gets_a_new_version(services, provider):
    services.import_feed(provider.id, feed("A1", "A2"), format="csv")
    changed = ROWS["A1"].replace("NZ$1,250", "NZ$1,400")
    report = services.import_feed(
        provider.id, feed("A1", "A2", changes={"A1": changed}), format="csv"
    )
    assert (report.updated, report.unchanged) == (1, 1)
    [row] = [r for r in snapshot_of_catalogue(services) if len(r) == 4 and r[1] == 2]
    history = services.catalogue.offering_history(row[0])
    assert [h.version for h in history] == [1, 2]
    assert history[1].document["price"]["amount"] == 1400


def test_snapshot_withdraws_missing_offerings(services, provider):
    services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    report = services.import_feed(provider.id, feed("A1", "A2"), format="csv", mode="snapshot")
    assert report.withdrawn == 1 and report.withdrawn_ids == ["A3"]
    assert table_count(services, OfferingRow, OfferingRow.status == "withdrawn") == 1
    assert services.backend.search(SearchQuery(text="dairy")).total == 0
    # The withdrawn offering keeps its history and can come back.
    back = services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    assert back.updated == 1
    assert services.backend.search(SearchQuery(text="dairy")).total == 1


def test_delta_withdraws_nothing(services, provider):
    services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    report = services.import_feed(provider.id, feed("A2"), format="csv", mode="delta")
    assert report.withdrawn == 0
    assert table_count(services, OfferingRow, OfferingRow.status == "active") == 3


def test_rejected_record_is_not_withdrawn_by_a_snapshot(services, provider):
    services.import_feed(provider.id, feed("A1", "A2"), format="csv")
    broken = "A2,,Level 3 NZQF,10 credits,Face to face,Free,10 weeks,\n"  # title lost
    report = services.import_feed(
        provider.id, feed("A1", "A2", changes={"A2": broken}), format="csv"
    )
    assert report.rejected == 1 and report.withdrawn == 0
    assert any(i.record_id == "A2" and i.field == "title" for i in report.errors)
    assert table_count(services, OfferingRow, OfferingRow.status == "active") == 2


def test_bad_rows_are_named_and_good_rows_land(services, provider):
    content = (
        HEADER
        + ROWS["A1"]
        + ",No id here,,,,,,\n"
        + "A9,,,,,,,\n"
        + ROWS["A3"]
        + "A1,Duplicate of A1,,,,,,\n"
    ).encode()
    report = services.import_feed(provider.id, content, format="csv")
    assert (report.accepted, report.rejected) == (2, 3)
    errors = {(i.locator, i.field) for i in report.errors}
    assert ("line 3", "id") in errors
    assert ("line 4", "title") in errors
    assert ("line 6", "id") in errors
    stored = table_count(services, IngestIssueRow, IngestIssueRow.run_id == report.run_id)
    assert stored == len(report.issues)


def test_unreadable_feed_changes_nothing_and_is_reported(services, provider):
    services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    before = snapshot_of_catalogue(services)
    report = services.import_feed(provider.id, b"id,title\nX1,Caf\xe9 Skills\n", format="csv")
    assert report.status == "failed"
    assert "line 2" in report.error
    assert snapshot_of_catalogue(services) == before
    submission = services.catalogue.get_submission(report.submission_id)
    assert submission.status == "failed" and submission.content.startswith(b"id,title")


def test_failure_while_applying_rolls_everything_back(services, provider, monkeypatch):
    services.import_feed(provider.id, feed("A1", "A2"), format="csv")
    before = snapshot_of_catalogue(services)
    real_hash = ingest_module.content_hash
    calls = {"n": 0}

    def hash_that_fails_on_the_third_record(offering):
        # Fault injection, not a mock: the real database sees a transaction die half-way.
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real_hash(offering)

    monkeypatch.setattr(ingest_module, "content_hash", hash_that_fails_on_the_third_record)
    changed = ROWS["A1"].replace("6 weeks", "7 weeks")
    report = services.import_feed(
        provider.id, feed("A1", "A2", "A3", changes={"A1": changed}), format="csv"
    )
    assert report.status == "failed" and "disk on fire" in report.error
    assert snapshot_of_catalogue(services) == before
    assert services.catalogue.get_submission(report.submission_id).status == "failed"
    monkeypatch.setattr(ingest_module, "content_hash", real_hash)
    assert services.ingest.process(report.submission_id).status == "failed"  # not by itself
    retry = services.ingest.retry(report.submission_id)
    assert (retry.status, retry.created, retry.updated) == ("applied", 1, 1)


def test_unknown_provider_is_refused_before_anything_is_stored(services):
    from catalogue.errors import NotFound

    with pytest.raises(NotFound, match="providers list"):
        services.ingest.submit("nobody", feed("A1"), format="csv")
    assert table_count(services, SubmissionRow) == 0


def test_normalised_values_reach_the_catalogue(services, provider):
    services.import_feed(provider.id, feed("A1"), format="csv")
    [hit] = services.backend.search(SearchQuery(text="data science")).hits
    stored = services.catalogue.get_offering(hit.id)
    assert stored.level.framework == "NZQF" and stored.level.eqf == 5
    assert stored.credits.system == "NZ_CREDITS" and stored.credits.ects == 7.5
    assert stored.price.currency == "NZD" and stored.price.amount == 1250
    assert stored.price.amount_ref is not None and stored.price.ref_currency == "EUR"
    assert stored.provenance.channel == "cli" and stored.provenance.status == "active"
    assert stored.raw["price"] == "NZ$1,250"
    filtered = services.backend.search(
        SearchQuery(filters=Filters(mode=("online",), framework=("NZQF",)))
    )
    assert [h.id for h in filtered.hits] == [hit.id]


def test_migrations_match_the_models(services):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from catalogue.models import Base

    with services.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    # The search tables belong to the search backend and the jobs table to APScheduler, not
    # to the catalogue schema.
    def foreign(name: str) -> bool:
        return name.startswith("search_") or name == "apscheduler_jobs"

    diff = [
        d
        for d in diff
        if not (d[0] == "remove_table" and foreign(d[1].name))
        and not (d[0] == "remove_index" and foreign(d[1].table.name))
    ]
    assert diff == []


def test_index_rebuilds_from_the_catalogue_alone(services, provider):
    services.import_feed(provider.id, feed("A1", "A2", "A3"), format="csv")
    services.import_feed(provider.id, feed("A1", "A2"), format="csv")  # A3 withdrawn
    before = services.backend.search(SearchQuery(text="data")).hits
    services.backend.clear()
    assert services.backend.count() == 0
    assert services.indexer.rebuild() == 2
    assert services.backend.count() == services.catalogue.count_offerings() == 2
    after = services.backend.search(SearchQuery(text="data")).hits
    assert [(h.id, h.summary) for h in after] == [(h.id, h.summary) for h in before]


def test_an_index_of_an_older_document_format_is_rebuilt_on_start(settings, services, provider):
    services.import_feed(provider.id, feed("A1", "A2"), format="csv")
    services.backend.set_document_format(-1)
    services.backend.clear()
    services.close()
    restarted = build_services(settings)
    try:
        assert restarted.backend.count() == 2
        assert restarted.backend.search(SearchQuery(text="data science")).total == 1
        assert restarted.indexer.ensure_current_format() is False
    finally:
        restarted.close()


def test_worker_processes_normalise_exactly_as_in_process(tmp_path, make_catalogue_url):
    """Large feeds are normalised in worker processes; the catalogue must not tell the difference."""
    content = synthetic_csv(ingest_module.PARALLEL_THRESHOLD + 100, seed=3)
    stored = []
    for workers in (1, 2):
        built = build_services(
            Settings(
                data_dir=tmp_path / f"w{workers}",
                normalise_workers=workers,
                database_url=make_catalogue_url(),
            )
        )
        try:
            built.catalogue.upsert_provider(
                Provider(id="big", name="Big", country="NZ", default_currency="NZD")
            )
            report = built.ingest.submit("big", content, format="csv")
            assert (
                report.status == "applied"
                and report.accepted == ingest_module.PARALLEL_THRESHOLD + 100
            )
            with built.catalogue.session() as session:
                stored.append(
                    session.execute(
                        select(OfferingRow.id, OfferingRow.content_hash).order_by(OfferingRow.id)
                    ).all()
                )
            stored.append([(i.locator, i.field, i.code) for i in report.issues])
        finally:
            built.close()
    assert stored[0] == stored[2] and stored[1] == stored[3]


def test_unknown_format_name_is_a_failed_run_not_a_crash(services, provider):
    # 'ods' (OpenDocument) is read by no reader; 'xlsx' was the example here until XLSX was.
    report = services.import_feed(provider.id, feed("A1"), format="ods")
    assert report.status == "failed" and "unknown feed format 'ods'" in report.error
    assert services.catalogue.get_submission(report.submission_id).status == "failed"
