"""Every acknowledged submission reaches an end (issue 16, findings 1, 2 and 7), on SQLite
and PostgreSQL: bytes a reader chokes on, characters a database cannot store, an over-long
CSV value and a fault of ours inside a reader each end the submission `applied` or `failed`
with a reason, never `processing`, and the feed's good records still land."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

import catalogue.ingest as ingest_module
from catalogue.models import OfferingRow, SubmissionRow
from normaliser.readers.base import FeedLimitExceeded, ReadLimits
from normaliser.readers.feed_v1 import MAX_VALUE_CHARACTERS, read_feed_v1_csv
from normaliser.readers.registry import read_feed


def submission_statuses(services) -> list[str]:
    with services.catalogue.session() as session:
        return list(session.scalars(select(SubmissionRow.status).order_by(SubmissionRow.id)))


def stored_titles(services) -> dict[str, str]:
    with services.catalogue.session() as session:
        rows = session.execute(select(OfferingRow.provider_offering_id, OfferingRow.document))
        return {offering_id: document["title"] for offering_id, document in rows.all()}


def test_a_json_feed_nested_481_levels_deep_fails_with_its_position(services, provider):
    """Before: RecursionError escaped the reader and the submission stayed `processing`."""
    deep = b"[" * 481 + b"]" * 481
    report = services.import_feed(provider.id, deep, format="json")
    assert report.status == "failed"
    assert "nested more than 64 levels deep" in report.error
    assert "line 1, column 65" in report.error
    assert submission_statuses(services) == ["failed"]

    checked = services.ingest.validate(provider.id, deep, format="json")
    assert checked.status == "failed" and "nested more than 64" in checked.error


def test_nul_and_lone_surrogates_are_removed_per_record_with_a_warning(services, provider):
    """Before, on PostgreSQL: JSONB refused the NUL, recording that failure failed too, and
    the submission stayed `processing`; SQLite stored the NUL inside the title."""
    feed = json.dumps(
        [
            {"id": "NUL-1", "title": "Data\u0000 Science", "description": "Bad \ud800 half"},
            {"id": "GOOD-2", "title": "Welding Basics"},
        ]
    ).encode()
    assert b"\\u0000" in feed and b"\\ud800" in feed
    report = services.import_feed(provider.id, feed, format="json")
    assert (report.status, report.accepted, report.rejected) == ("applied", 2, 0)
    assert stored_titles(services) == {"NUL-1": "Data Science", "GOOD-2": "Welding Basics"}
    warned = {
        (i.record_id, i.field)
        for i in report.warnings
        if "cannot store" in i.message or "no catalogue can store" in i.message
    }
    assert warned == {("NUL-1", "title"), ("NUL-1", "description")}
    assert submission_statuses(services) == ["applied"]


def test_an_over_long_csv_value_rejects_its_record_and_reading_goes_on(services, provider):
    """Before: one unquoted value over 131,072 characters refused the whole feed with "a quote
    opened and never closed"."""
    long_value = "x" * (MAX_VALUE_CHARACTERS + 1)
    feed = (
        "id,title,description\n"
        "A1,Welding Basics,short\n"
        f"A2,Pottery,{long_value}\n"
        "A3,Te Reo Māori Basics,short\n"
    ).encode()
    report = services.import_feed(provider.id, feed, format="csv")
    assert (report.status, report.accepted, report.rejected) == ("applied", 2, 1)
    assert set(stored_titles(services)) == {"A1", "A3"}
    [error] = report.errors
    assert (error.record_id, error.field) == ("A2", "description")
    assert "line 3, column 3 (description)" in error.message
    assert "131,073 characters long" in error.message


def test_a_fault_of_ours_in_a_reader_fails_the_submission_instead_of_sticking(
    services, provider, monkeypatch
):
    def broken_reader(*_args, **_kwargs):
        raise KeyError("a reader bug")

    monkeypatch.setattr(services.ingest, "reader", broken_reader)
    report = services.import_feed(provider.id, b"id,title\nA1,Welding\n", format="csv")
    assert report.status == "failed"
    assert "internal error (KeyError" in report.error
    assert submission_statuses(services) == ["failed"]
    checked = services.ingest.validate(provider.id, b"id,title\nA1,Welding\n", format="csv")
    assert checked.status == "failed" and "internal error" in checked.error


def test_when_recording_a_failure_fails_the_error_alone_is_recorded(
    services, provider, monkeypatch
):
    """The second failure of finding 2: the failure's own text could not be stored. The
    fallback records the outcome without the issues."""
    real_insert_run = ingest_module.IngestService._insert_run
    calls = {"n": 0}

    def insert_run_failing_once(self, conn, submission, report, started, status):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("the database refused the report")
        return real_insert_run(self, conn, submission, report, started, status=status)

    monkeypatch.setattr(ingest_module.IngestService, "_insert_run", insert_run_failing_once)
    report = services.import_feed(provider.id, b"[" * 100 + b"]" * 100, format="json")
    assert report.status == "failed" and "nested more than" in report.error
    assert calls["n"] == 2
    assert submission_statuses(services) == ["failed"]


@pytest.mark.sqlite_only("a pure reader check; no database involved")
def test_the_csv_reader_stops_at_record_limit_plus_one():
    """The limit is enforced while reading: the broken quote on line 9 is never reached."""
    rows = "".join(f"A{n},Course {n}\n" for n in range(1, 8)) + 'A8,"never closed\n'
    with pytest.raises(FeedLimitExceeded, match="more than 5 records"):
        read_feed_v1_csv(f"id,title\n{rows}".encode(), ReadLimits(max_records=5))
    with pytest.raises(FeedLimitExceeded, match="more than 5 records"):
        read_feed(f"id,title\n{rows}".encode(), "csv", ReadLimits(max_records=5))
