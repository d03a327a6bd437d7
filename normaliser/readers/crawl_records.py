"""Reader for the records a crawl read from a provider's web pages.

A crawl reads many pages; what it hands to the ingest path is one document of the raw
records it found (feed-format-v1 field names, as every reader gives them), each with the
page it came from in its locator and the issues met while reading it. Storing that
document as the submission keeps the rule that the raw input is kept before anything is
normalised, without keeping every page's HTML. The format is ours and versioned:

    {"format": "microcred-crawl-records", "version": 1,
     "issues": [{"field", "code", "severity", "message", "value"}, ...],   # page-level
     "records": [{"locator", "fields", "instances", "extra", "issues"}, ...]}

Only a crawler writes it, but a document pushed by anyone is checked as strictly as any
other feed: wrong shapes are refused whole, naming the record. Nothing here does I/O.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from normaliser.issues import Issue
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    FeedFormatError,
    FeedReadResult,
    RawRecord,
    ReadLimits,
)
from normaliser.readers.jsonld import check_depth

FORMAT_NAME = "microcred-crawl-records"
VERSION = 1
_MARKER = b'"format": "microcred-crawl-records"'

Value = str | list[str]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locator: str
    fields: dict[str, Value]
    instances: list[dict[str, Value]] = []
    extra: dict[str, Value] = {}
    issues: list[Issue] = []


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["microcred-crawl-records"]
    version: Literal[1]
    issues: list[Issue] = []
    records: list[_Record]


def looks_like_crawl_records(data: bytes) -> bool:
    return _MARKER in data[:200]


def crawl_records_document(records: list[RawRecord], issues: list[Issue]) -> bytes:
    """The document for `records` and page-level `issues`, in the order given. The same
    records and issues always give the same bytes, so an unchanged site can be noticed by
    the hash of its crawl."""
    body = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "issues": [issue.model_dump(mode="json") for issue in issues],
        "records": [
            {
                "locator": r.locator,
                "fields": r.fields,
                "instances": r.instances,
                "extra": r.extra,
                "issues": [issue.model_dump(mode="json") for issue in r.issues],
            }
            for r in records
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def read_crawl_records(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Raw records back from a crawl-records document. Raises FeedFormatError when the
    bytes are not such a document; an empty one is refused too, as a snapshot of it would
    withdraw every offering the crawl used to find."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedFormatError(f"the crawl-records document is not UTF-8 JSON: {exc}") from None
    if not isinstance(value, dict):
        raise FeedFormatError(
            "a crawl-records document is a JSON object with `format`, `version` and `records`"
        )
    check_depth(value, limits.max_depth, "the crawl-records document")
    limits.check_count(len(value.get("records") or []))
    try:
        document = _Document.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FeedFormatError(
            f"the crawl-records document is malformed at {where}: {first['msg']}"
        ) from None
    if not document.records:
        raise FeedFormatError("the crawl found no course on any page; nothing is applied")
    records = [
        RawRecord(
            locator=r.locator,
            fields=dict(r.fields),
            issues=list(r.issues),
            extra=dict(r.extra),
            instances=[dict(i) for i in r.instances],
        )
        for r in document.records
    ]
    return FeedReadResult(records=records, issues=list(document.issues))
