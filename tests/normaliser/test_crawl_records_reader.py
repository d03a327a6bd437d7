"""The crawl-records format: what a crawl stores as its submission reads back exactly, and
anything else is refused whole, naming where."""

from __future__ import annotations

import json

import pytest

from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import FeedFormatError, RawRecord, ReadLimits
from normaliser.readers.crawl_records import crawl_records_document, read_crawl_records
from normaliser.readers.registry import detect_format, read_feed


def test_records_round_trip_with_runs_extra_and_issues():
    record = RawRecord(
        locator="/c/a item 1",
        fields={"id": "A", "title": "T", "subject": ["x", "y"]},
        instances=[{"start_date": "2027-01-01", "mode": "online"}],
        extra={"provider": "P"},
        issues=[Issue.warning("id", IssueCode.DEFAULTED, "page URL used")],
    )
    page_issue = Issue.warning("_record", IssueCode.UNPARSED, "block 2 of /c/b unreadable")
    data = crawl_records_document([record], [page_issue])
    assert detect_format(data) == "crawl-records"
    read = read_feed(data, "crawl-records")
    assert read.records == [record] and read.issues == [page_issue]


@pytest.mark.parametrize(
    "body, where",
    [
        ({"format": "microcred-crawl-records", "version": 2, "records": []}, "version"),
        (
            {
                "format": "microcred-crawl-records",
                "version": 1,
                "records": [{"locator": "x", "fields": {"id": 5}}],
            },
            "records.0.fields.id",
        ),
        ({"format": "microcred-crawl-records", "version": 1, "records": [], "more": 1}, "more"),
    ],
)
def test_a_malformed_document_is_refused_naming_where(body, where):
    with pytest.raises(FeedFormatError, match=where.replace(".", r"\.")):
        read_crawl_records(json.dumps(body).encode())


def test_an_empty_crawl_is_refused_and_the_record_limit_holds():
    with pytest.raises(FeedFormatError, match="no course"):
        read_crawl_records(crawl_records_document([], []))
    many = crawl_records_document(
        [RawRecord(locator=str(i), fields={"id": str(i)}) for i in range(3)], []
    )
    with pytest.raises(FeedFormatError, match="more than 2"):
        read_crawl_records(many, ReadLimits(max_records=2))
