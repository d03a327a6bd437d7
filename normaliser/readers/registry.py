"""Every feed format we read, by name: which reader, which media types, how to tell it apart.

Format names are what a provider gives as `format=` (or what a media type maps to):
`csv`, `json`, `xlsx` (feed format v1), `xcri-cap`, `elm-loq-xml`, `loms-xml`, `elm-jsonld`,
`ctdl`, `schema-org`, `microcred-changes`, and `profile:<name>` for
a source read through a bundled mapping profile. Leaving the format out detects it from the
bytes, which is reliable for everything but mapping profiles (a profile's CSV looks like any
other CSV), so those must always be named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from normaliser.readers.base import DEFAULT_LIMITS, FeedFormatError, FeedReadResult, ReadLimits
from normaliser.readers.crawl_records import looks_like_crawl_records, read_crawl_records
from normaliser.readers.ctdl import looks_like_ctdl, read_ctdl
from normaliser.readers.elm_jsonld import looks_like_elm_jsonld, read_elm_jsonld
from normaliser.readers.elm_xml import looks_like_elm_loq_xml, read_elm_loq_xml
from normaliser.readers.feed_v1 import read_feed_v1, sniff_feed_v1_format
from normaliser.readers.loms_xml import looks_like_loms_xml, read_loms_xml
from normaliser.readers.microcred_changes import (
    looks_like_microcred_changes,
    read_microcred_changes,
)
from normaliser.readers.profiles import (
    MappingProfile,
    MappingProfileError,
    bundled_profile,
    read_with_profile,
)
from normaliser.readers.schema_org import looks_like_schema_org, read_schema_org
from normaliser.readers.storable_text import make_storable
from normaliser.readers.xcri_cap import looks_like_xcri_cap, read_xcri_cap
from normaliser.readers.xlsx import XLSX_MEDIA_TYPE, looks_like_xlsx, read_xlsx
from normaliser.readers.xml_flavours import describe_xml_root, xml_root

PROFILE_PREFIX = "profile:"

Reader = Callable[[bytes, ReadLimits], FeedReadResult]


@dataclass(frozen=True)
class FeedFormat:
    name: str
    title: str
    media_types: tuple[str, ...]
    read: Reader
    # Cheap test on the first bytes; the first format (in FORMATS order) that claims a
    # feed reads it.
    looks_like: Callable[[bytes], bool] | None = None


def _v1(format_name: str) -> Reader:
    def read(data: bytes, limits: ReadLimits) -> FeedReadResult:
        result = read_feed_v1(data, format_name, limits)
        return result

    return read


def _formats() -> tuple[FeedFormat, ...]:
    return (
        FeedFormat("csv", "Feed format v1, CSV", ("text/csv", "application/csv"), _v1("csv")),
        # `application/json`, `application/xml` and `text/xml` name no format of their own (a
        # CTDL record is JSON, an ELM document XML), so with them the bytes decide.
        FeedFormat("json", "Feed format v1, JSON", (), _v1("json")),
        # A spreadsheet with feed format v1's columns, read like the CSV.
        FeedFormat(
            "xlsx",
            "Feed format v1, XLSX spreadsheet",
            (XLSX_MEDIA_TYPE,),
            read_xlsx,
            looks_like_xlsx,
        ),
        FeedFormat(
            "xcri-cap",
            "XCRI-CAP 1.2 / 1.1 XML",
            ("application/xcri-cap+xml",),
            read_xcri_cap,
            looks_like_xcri_cap,
        ),
        # XML flavours are told apart by the root element and its namespace.
        FeedFormat(
            "elm-loq-xml",
            "ELM v3 LOQ XML (Europass Qualifications Dataset Register)",
            (),
            read_elm_loq_xml,
            looks_like_elm_loq_xml,
        ),
        FeedFormat(
            "loms-xml",
            "Europass LOMS XML (the QMS learning-opportunity upload)",
            (),
            read_loms_xml,
            looks_like_loms_xml,
        ),
        # JSON-LD: `application/ld+json` names neither vocabulary, so the bytes decide.
        FeedFormat("ctdl", "CTDL JSON-LD (Credential Engine)", (), read_ctdl, looks_like_ctdl),
        FeedFormat(
            "elm-jsonld",
            "ELM v3 JSON-LD (learning opportunities, qualifications, a credential's claims)",
            (),
            read_elm_jsonld,
            looks_like_elm_jsonld,
        ),
        FeedFormat(
            "schema-org", "schema.org Course JSON-LD", (), read_schema_org, looks_like_schema_org
        ),
        # Another microcred's GET /v1/changes, harvested as a pull source (crawlers.harvest).
        FeedFormat(
            "microcred-changes",
            "Another microcred's changes feed (GET /v1/changes)",
            (),
            read_microcred_changes,
            looks_like_microcred_changes,
        ),
        # What a crawl of a provider's web pages found (crawlers/), stored as its submission.
        FeedFormat(
            "crawl-records",
            "Records read from web pages by the crawler",
            (),
            read_crawl_records,
            looks_like_crawl_records,
        ),
    )


FORMATS: tuple[FeedFormat, ...] = _formats()
_BY_NAME = {f.name: f for f in FORMATS}
_BY_MEDIA_TYPE = {media: f.name for f in FORMATS for media in f.media_types}


def format_names() -> list[str]:
    return [f.name for f in FORMATS] + [f"{PROFILE_PREFIX}<name>"]


def format_for_media_type(content_type: str | None) -> str | None:
    """The format a request's Content-Type names, or None when it names none we know
    (`application/octet-stream`, `text/plain`: then the bytes decide)."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return _BY_MEDIA_TYPE.get(media)


def detect_format(data: bytes) -> str:
    """The format the bytes are in; FeedFormatError naming what an XML document looks like
    when it is no XML format we read (LHEO, an HTML page, ...)."""
    for feed_format in FORMATS:
        if feed_format.looks_like is not None and feed_format.looks_like(data):
            return feed_format.name
    if data.startswith(b"PK\x03\x04"):
        raise FeedFormatError(
            "this is a zip archive but not an XLSX spreadsheet (a Word or OpenDocument file, "
            "or a folder of files zipped); send the feed itself: CSV, XLSX, JSON or XML"
        )
    root = xml_root(data)
    if root is not None:
        _refuse_xml(*root)
    _refuse_unread_jsonld(data)
    return sniff_feed_v1_format(data)


# JSON-LD contexts of formats we know but do not read, by a piece of the context IRI:
# Open Badges 2.0 (https://w3id.org/openbadges/v2) and 3.0
# (https://purl.imsglobal.org/spec/ob/v3p0/context.json), both 1EdTech specifications.
_UNREAD_CONTEXTS = (
    ("w3id.org/openbadges", "an Open Badges 2.0 badge"),
    ("purl.imsglobal.org/spec/ob/", "an Open Badges 3.0 credential"),
)
_CONTEXT_RE = re.compile(rb'"@context"\s*:\s*\[?\s*"([^"\\]{1,300})"')


def _refuse_unread_jsonld(data: bytes) -> None:
    """A JSON-LD document no JSON-LD reader claimed is refused naming its vocabulary, rather
    than read as feed format v1 (which would say 'wrap it in [ ]')."""
    # @context opens a JSON-LD document (or its first node); looking only near the start
    # keeps a feed-format-v1 description that happens to mention "@context" out of it.
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] not in (b"{", b"[") or b'"@context"' not in head[:1024]:
        return
    match = _CONTEXT_RE.search(head)
    context = match.group(1).decode("utf-8", errors="replace") if match else None
    looks = next((title for piece, title in _UNREAD_CONTEXTS if context and piece in context), None)
    readable = "CTDL (ctdl), schema.org (schema-org) and ELM (elm-jsonld)"
    if looks:
        raise FeedFormatError(
            f"this looks like {looks} (JSON-LD with @context {context!r}), "
            f"which microcred does not read yet; the JSON-LD it reads is "
            f"{readable}"
        )
    raise FeedFormatError(
        f"this is JSON-LD with @context {context!r}, in no vocabulary microcred reads; the "
        f"JSON-LD it reads is {readable}. A feed-format-v1 JSON feed has no @context"
    )


def _refuse_xml(namespace: str | None, name: str) -> None:
    looks = describe_xml_root(namespace, name)
    where = f"in namespace {namespace!r}" if namespace else "in no namespace"
    readable = (
        "xcri-cap (root <catalog>), elm-loq-xml (root <Courses>) and loms-xml (root "
        "<qmsLearningOpportunities>)"
    )
    if name.lower() == "html":
        raise FeedFormatError(
            "this is an HTML web page, not a feed; register the address of "
            "the feed itself, or ask for the site to be crawled"
        )
    if looks:
        raise FeedFormatError(
            f"this looks like {looks}, which microcred does not read yet (its root element is "
            f"<{name}> {where}); the XML formats it reads are {readable}"
        )
    raise FeedFormatError(
        f"an XML document with root element <{name}> {where} is in no format microcred reads; "
        f"the XML formats it reads are {readable}"
    )


# Finds the profile a `profile:<ref>` names (raising UnknownProfileError or
# MappingProfileError); the default knows only the bundled profiles. The composition root
# (microcred) gives one that also looks in the profiles folder and the catalogue.
ProfileFinder = Callable[[str], MappingProfile]

# A `profile:` reference ending so is a file path: for the command line only.
PROFILE_FILE_SUFFIX = ".toml"


def is_profile_path(reference: str) -> bool:
    return reference.lower().endswith(PROFILE_FILE_SUFFIX)


@dataclass(frozen=True)
class FeedReaders:
    """`read_feed` and `check_format_name` with profiles found by `find_profile`. Frozen
    and picklable when `find_profile` is, so a worker process can read with it."""

    find_profile: ProfileFinder = bundled_profile
    # A profile given as a file path (`profile:courses.toml`): the command line's choice; an
    # API request naming a path on the server is refused.
    allow_paths: bool = False

    def __call__(
        self, data: bytes, format: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
    ) -> FeedReadResult:
        return self.read(data, format, limits)

    def read(
        self, data: bytes, format: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
    ) -> FeedReadResult:
        """Read `data` as `format` (detected from the bytes when None). Every value that
        comes back can be stored on either database (normaliser.readers.storable_text)."""
        chosen = detect_format(data) if format is None else self.check_format(format)
        if chosen.startswith(PROFILE_PREFIX):
            profile = self.profile(chosen[len(PROFILE_PREFIX) :])
            result = read_with_profile(data, profile, limits)
            result.defaults = profile.context_defaults()
            return make_storable(result)
        return make_storable(_BY_NAME[chosen].read(data, limits))

    def check_format(self, name: str, *, allow_paths: bool | None = None) -> str:
        """`name` normalised, or FeedFormatError listing the formats we read. A profile
        reference is kept as written (a file path's case matters) and must load."""
        given = name.strip()
        if given.lower().startswith(PROFILE_PREFIX):
            reference = given[len(PROFILE_PREFIX) :].strip()
            paths = self.allow_paths if allow_paths is None else allow_paths
            if is_profile_path(reference) and not paths:
                raise FeedFormatError(
                    f"format {name!r} names a profile file; a file path is for the command "
                    "line (microcred import --format profile:PATH.toml). Put the profile in "
                    "the profiles folder or register it (PUT /v1/providers/{id}/profiles/"
                    "{name}) and name it as profile:<name>"
                )
            self.profile(reference)
            return PROFILE_PREFIX + (reference if is_profile_path(reference) else reference.lower())
        chosen = given.lower()
        if chosen in _BY_NAME:
            return chosen
        raise FeedFormatError(
            f"unknown feed format {name!r}: use one of "
            f"{', '.join(format_names())}, or leave it out to detect it"
        )

    def profile(self, reference: str) -> MappingProfile:
        """The profile `reference` names; a profile that does not load is a FeedFormatError
        (so the submission fails with the profile's own errors, not as a fault of ours)."""
        try:
            return self.find_profile(reference)
        except MappingProfileError as exc:
            raise FeedFormatError(str(exc)) from None


DEFAULT_READERS = FeedReaders()


def check_format_name(name: str) -> str:
    """`name` normalised, or FeedFormatError listing the formats we read (bundled profiles
    only; see FeedReaders for the others)."""
    return DEFAULT_READERS.check_format(name)


def read_feed(
    data: bytes, format: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> FeedReadResult:
    """Read `data` as `format` (detected from the bytes when None), with the bundled
    profiles. Every value that comes back can be stored on either database."""
    return DEFAULT_READERS.read(data, format, limits)
