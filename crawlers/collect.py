"""The records of one crawl, gathered: each course once, however many pages show it.

A course is often on several pages: its own page and a listing that repeats its markup,
or two URLs of one page. The same content twice is dropped quietly (counted); different
content under one id keeps the copy from the course's own page (the page whose URL is the
record's URL) and otherwise the first one read, and says so in the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawlers.items import CourseRecordItem, PageIssuesItem
from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import RawRecord
from normaliser.readers.crawl_records import crawl_records_document

DUPLICATE = "duplicate"  # the same course, the same content, on another page
LISTING_COPY = "listing copy"  # replaced by the copy on the course's own page
CONFLICT = "conflicting duplicate"  # another content under an id already read


@dataclass
class _Kept:
    item: CourseRecordItem

    @property
    def own_page(self) -> bool:
        return self.item.record.fields.get("url") == self.item.page_url


@dataclass
class RecordCollector:
    kept: dict[str, _Kept] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    pages_with_courses: set[str] = field(default_factory=set)

    def add(self, item: CourseRecordItem) -> str | None:
        """Keep the record; returns why it was dropped instead, or None."""
        self.pages_with_courses.add(item.page_url)
        record = item.record
        key = record.record_id or f"\0{record.locator}"  # no id: kept, ingest rejects it
        earlier = self.kept.get(key)
        if earlier is None:
            self.kept[key] = _Kept(item)
            return None
        if _same(earlier.item.record, record):
            return self._drop(DUPLICATE)
        candidate = _Kept(item)
        if candidate.own_page and not earlier.own_page:
            self.kept[key] = candidate
            return self._drop(LISTING_COPY)
        self.issues.append(
            Issue.warning(
                "id",
                IssueCode.AMBIGUOUS,
                f"course {record.record_id!r} is on {earlier.item.page_url} and on "
                f"{item.page_url} with different content; the first was kept. Give each course "
                "its own courseCode, or make the pages agree",
                value=record.record_id,
            )
        )
        return self._drop(CONFLICT)

    def add_page_issues(self, item: PageIssuesItem) -> None:
        self.issues.extend(item.issues)

    def _drop(self, reason: str) -> str:
        self.dropped[reason] += 1
        return reason

    @property
    def records(self) -> list[RawRecord]:
        """In a fixed order (by id, then page), whatever order the pages came in."""
        return [kept.item.record for _, kept in sorted(self.kept.items())]

    def document(self) -> bytes:
        """The crawl-records document of what was kept: the same site gives the same bytes."""
        issues = sorted(self.issues, key=lambda i: (i.message, i.field))
        return crawl_records_document(self.records, issues)


def _same(first: RawRecord, second: RawRecord) -> bool:
    return (first.fields, first.instances, first.extra) == (
        second.fields,
        second.instances,
        second.extra,
    )
