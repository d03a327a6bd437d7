"""What the spiders yield: course records, and notes about pages (their markup issues)."""

from __future__ import annotations

from dataclasses import dataclass, field

from normaliser.issues import Issue
from normaliser.readers.base import RawRecord


@dataclass
class CourseRecordItem:
    """One course as read from one page, not yet normalised."""

    record: RawRecord
    page_url: str


@dataclass
class PageIssuesItem:
    """Problems with one page's markup that belong to no single course."""

    page_url: str
    issues: list[Issue] = field(default_factory=list)
