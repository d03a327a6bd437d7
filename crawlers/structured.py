"""Courses from the schema.org markup of one web page: JSON-LD, microdata and RDFa.

JSON-LD script bodies are read here, leniently (crawlers.lenient_json); microdata and RDFa
with extruct, only on pages that carry their attributes (RDFa especially is slow to read).
Each syntax is handed to the schema.org reader on its own
(`normaliser.readers.schema_org.records_from_jsonld_items`), since references (`@id`,
blank nodes) only make sense within one. A course already read from an earlier syntax on
the same page (many sites have both a theme's microdata and an SEO plugin's JSON-LD) is
not read twice. Pure: a page's bytes in, records and issues out.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import extruct
from parsel import Selector

from crawlers.lenient_json import loads_lenient
from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import RECORD_FIELD, FeedFormatError, RawRecord, ReadLimits
from normaliser.readers.schema_org import records_from_jsonld_items
from normaliser.text import shorten

log = logging.getLogger(__name__)

# One page is small; these bound what a hostile one can make us do.
PAGE_LIMITS = ReadLimits(max_records=500, max_depth=64, max_seconds=10.0)
_JSONLD_SCRIPTS = (
    "//script[contains(translate(@type, 'APLICTONJSD', 'aplictonjsd'), 'ld+json')]/text()"
)
_RDFA_MARKERS = (b"typeof=", b"property=")


@dataclass
class PageRecords:
    """What one page gave: its course records, page-level issues (each message names
    the page), the course links its ItemLists hold, and counts for the crawl stats."""

    records: list[RawRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    listed_links: list[str] = field(default_factory=list)
    repaired_blocks: int = 0
    unreadable_blocks: int = 0
    # What was seen and not read as a course, by reason ('node: Event', 'markup block could
    # not be read'): the crawl report counts every one (crawlers.spiders.structured).
    skipped: Counter[str] = field(default_factory=Counter)


def page_locator(url: str) -> str:
    """The page as issue locators name it: its path and query. The catalogue keeps only
    50 characters of a locator, and the host is the provider's own."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def extract_structured(
    body: bytes, url: str, selector: Selector | None = None, encoding: str = "utf-8"
) -> PageRecords:
    """Every schema.org course on the page at `url`."""
    page = PageRecords()
    where = page_locator(url)
    if selector is None:
        selector = Selector(text=body.decode(encoding, errors="replace"))
    syntaxes: list[tuple[str, list]] = [("", _jsonld_items(selector, url, page))]
    if b"itemscope" in body:
        syntaxes.append(("microdata ", _extruct_items(body, url, "microdata", page)))
    if any(marker in body for marker in _RDFA_MARKERS):
        syntaxes.append(("RDFa ", _in_stable_order(_extruct_items(body, url, "rdfa", page))))
    seen_ids: set[str] = set()
    for label, items in syntaxes:
        if not items:
            continue
        page.listed_links.extend(_listed_links(items, url))
        try:
            result = records_from_jsonld_items(items, f"{where} {label}", PAGE_LIMITS)
        except FeedFormatError as exc:
            page.unreadable_blocks += 1
            page.skipped[f"{label or 'JSON-LD '}markup could not be read"] += 1
            page.issues.append(
                Issue.warning(
                    RECORD_FIELD,
                    IssueCode.UNPARSED,
                    f"the {label or 'JSON-LD '}markup of {url} could not be read: {exc}",
                )
            )
            continue
        for kind, count in result.skipped.items():
            page.skipped[f"node: {kind} (not a course or programme)"] += count
        for record in result.records:
            if record.record_id and record.record_id in seen_ids:
                page.skipped["node: the same course in another markup syntax"] += 1
                continue
            seen_ids.add(record.record_id or "")
            page.records.append(record)
    _resolve_links(page.records, url)
    _page_provenance(page.records, url)
    _page_language(page.records, selector)
    return page


# Fields whose values are links; a site-relative one ('/courses/x') means the page's site.
_LINK_FIELDS = ("url",)


def _resolve_links(records: list[RawRecord], url: str) -> None:
    """Site-relative links in the markup resolved against the page they are on."""

    def resolved(value: str | list[str]) -> str | list[str]:
        if isinstance(value, list):
            return [urljoin(url, v.strip()) for v in value]
        return urljoin(url, value.strip())

    for record in records:
        for name in _LINK_FIELDS:
            if name in record.fields:
                record.fields[name] = resolved(record.fields[name])
        for instance in record.instances:
            if "url" in instance:
                instance["url"] = resolved(instance["url"])


def _page_language(records: list[RawRecord], selector: Selector) -> None:
    """A course that names no language is taught in the page's (`<html lang>`), the
    language the provider wrote the page in; said on the record, as it is a guess."""
    lang = selector.xpath("/html/@lang").get() or selector.xpath("//html/@lang").get() or ""
    lang = lang.strip()
    if not lang:
        return
    for record in records:
        if "language" in record.fields:
            continue
        record.fields["language"] = lang
        record.issues.append(
            Issue.info(
                "language",
                IssueCode.DEFAULTED,
                "the markup names no language; the page's <html lang> is used",
                value=shorten(lang),
            )
        )


def _jsonld_items(selector: Selector, url: str, page: PageRecords) -> list:
    items: list = []
    for number, text in enumerate(selector.xpath(_JSONLD_SCRIPTS).getall(), start=1):
        result = loads_lenient(text)
        if result.value is None:
            page.unreadable_blocks += 1
            page.skipped["JSON-LD block could not be read"] += 1
            page.issues.append(
                Issue.warning(
                    RECORD_FIELD,
                    IssueCode.UNPARSED,
                    f"JSON-LD block {number} of {url} could not be read ({result.error}); any "
                    "course in it is missing from the catalogue until the page is fixed",
                )
            )
            continue
        if result.repairs:
            page.repaired_blocks += 1
            page.issues.append(
                Issue.warning(
                    RECORD_FIELD,
                    IssueCode.INVALID,
                    f"JSON-LD block {number} of {url} is not valid JSON; it was read after we "
                    f"{' and '.join(result.repairs)}. Search engines may not be as forgiving: "
                    "please fix the page",
                )
            )
        items.extend(result.value if isinstance(result.value, list) else [result.value])
    return items


def _extruct_items(body: bytes, url: str, syntax: str, page: PageRecords) -> list:
    try:
        found = extruct.extract(
            body, base_url=url, syntaxes=[syntax], uniform=True, errors="strict"
        )
    except Exception as exc:  # noqa: BLE001 - extruct raises whatever its parsers raise
        page.unreadable_blocks += 1
        page.skipped[f"{syntax} markup could not be read"] += 1
        page.issues.append(
            Issue.warning(
                RECORD_FIELD,
                IssueCode.UNPARSED,
                f"the {syntax} markup of {url} could not be read ({type(exc).__name__}: {exc})",
            )
        )
        return []
    return list(found.get(syntax) or [])


def _in_stable_order(items: list) -> list:
    """RDFa comes out of an RDF graph, in no fixed order and with blank-node ids that
    change on every read. Ordered by content with those ids masked, the same page gives
    the same locators on every crawl, so an unchanged site gives unchanged records."""

    def masked(value: object) -> object:
        if isinstance(value, dict):
            return {k: masked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [masked(v) for v in value]
        return "_:" if isinstance(value, str) and value.startswith("_:") else value

    return sorted(items, key=lambda item: json.dumps(masked(item), sort_keys=True, default=str))


def _listed_links(items: list, url: str) -> list[str]:
    """URLs of the pages an ItemList points to (Google's course-list markup lists course
    pages as ListItems with only a `url`)."""
    links: list[str] = []
    stack: list = list(items)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        types = node.get("@type") or node.get("type") or []
        types = types if isinstance(types, list) else [types]
        if any(
            isinstance(t, str) and t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "ListItem"
            for t in types
        ):
            target = node.get("url") or node.get("item")
            if isinstance(target, dict):
                target = target.get("url") or target.get("@id")
            if isinstance(target, str) and target.strip():
                links.append(urljoin(url, target.strip()))
        stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    return links


def _page_provenance(records: list[RawRecord], url: str) -> None:
    """A page with one course is that course's page: its URL is the page we read (a
    canonical URL in the markup may differ in host or slash; the page is what we can vouch
    for), and it is the course's id when the markup gives none. On a page with several
    courses (a listing), a course keeps its own `url` when it has one, as that leads to the
    course's own page."""
    for record in records:
        written = record.fields.get("url")
        if len(records) == 1 or not written:
            if written and written != url:
                record.extra["url (in the markup)"] = written
            record.fields["url"] = url
    if len(records) == 1 and "id" not in records[0].fields:
        record = records[0]
        missing = [i for i in record.issues if i.field == "id" and i.code == IssueCode.MISSING]
        if missing:
            record.issues = [i for i in record.issues if i not in missing]
            record.issues.append(
                Issue.warning(
                    "id",
                    IssueCode.DEFAULTED,
                    f"the Course on {url} has no courseCode, identifier or @id; the page URL is "
                    "its id, so it becomes a new offering if the page moves. Give it a courseCode",
                    value=url,
                )
            )
            record.fields["id"] = url
