"""Reader for XCRI-CAP course feeds (versions 1.2 and 1.1): bytes in, raw records and issues out.

XCRI-CAP is the UK's XML format for advertising courses: a `catalog` holds `provider`s, a
provider holds `course`s, and a course holds `presentation`s (its runs, with dates, place,
mode and cost). This reader turns each course into one `RawRecord` with feed-format-v1 field
names and each presentation into one entry of `RawRecord.instances`; mapping the values to
the common schema stays the normaliser's job. Nothing here does I/O.

What the reader promises:

- A document that cannot be read as a whole raises `FeedFormatError` (its subclass
  `FeedLimitExceeded` for a limit) with the line and column of the problem: malformed or
  truncated XML, a DTD (any `<!DOCTYPE>`), bytes that are not in the declared encoding, or a
  root element that is not an XCRI-CAP catalog, provider or course.
- Otherwise every `<course>` becomes exactly one record, in document order, with locator
  `line N` (its start tag's line; the last one for a tag written over several). A course the catalogue cannot accept (no identifier,
  no title) still comes back, carrying an error issue that says which field and why, so
  the ingest report names it and a snapshot does not withdraw what was stored for it.
- Feed-level issues, each reported once per feed: extension elements (namespaces that are
  not XCRI-CAP's or the standards it uses), vocabulary terms we do not know, presentations
  whose machine-readable and written dates disagree, and a corrected encoding declaration.

Safety: any `<!DOCTYPE>` is refused by a scan of the prolog before the XML parser sees a
byte, which stops entity expansion (billion laughs, quadratic blow-up) and external
entities (XXE with file:// or http://) whatever the parser settings; the parser is locked
down as well (no entity resolution, no network, no DTD loading, no huge trees). Element
nesting is bounded by `ReadLimits.max_depth`, the number of courses by `max_records`, and
wall-clock time is checked between courses.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from lxml import etree

from normaliser.issues import Issue, IssueCode
from normaliser.parsers.dates import parse_dates
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    FeedFormatError,
    FeedLimitExceeded,
    FeedReadResult,
    RawRecord,
    ReadLimits,
)
from normaliser.readers.xml_flavours import describe_xml_root

# Namespaces, as spelled in the XCRI-CAP 1.2 specification (xcri.org wiki, "XCRI CAP 1.2",
# mirrored in github.com/Cetis/xcri) and in the XCRI .NET library's namespace table
# (github.com/CornwallCollege/UNITe2XCRI-CAP, 3rd Party/XCRISource/XCRI/Configuration.cs).
XCRI_CAP_12_NAMESPACE = "http://xcri.org/profiles/1.2/catalog"
XCRI_CAP_11_NAMESPACE = "http://xcri.org/profiles/catalog"
XCRI_CAP_NAMESPACES: tuple[str, ...] = (XCRI_CAP_12_NAMESPACE, XCRI_CAP_11_NAMESPACE)
_MLO = "http://purl.org/net/mlo"  # CEN EN 15982, Metadata for Learning Opportunities
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_CREDIT = "http://purl.org/net/cm"  # CEN CWA 16077, Educational Credit Information Model
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# Elements in these namespaces are XCRI-CAP's own; anything else inside a course is an
# extension. The terms namespaces only name xsi:type values; geo and XHTML appear inside
# locations and descriptive text.
_STANDARD_NAMESPACES = frozenset(
    {
        XCRI_CAP_12_NAMESPACE,
        XCRI_CAP_11_NAMESPACE,
        _MLO,
        _DC,
        _DCTERMS,
        _CREDIT,
        "http://xcri.org/profiles/1.2/catalog/terms",
        "http://xcri.org/profiles/catalog/terms",
        "http://www.w3.org/2003/01/geo/wgs84_pos",
        "http://www.w3.org/1999/xhtml",
    }
)
# A costs extension ('CE:cost' with an @amount in pounds, or 'TBC'), as in Cornwall College's
# feed (its schemaLocation: core.cornwall.ac.uk/xcri/PresentationCostsExtension.xsd). It is the
# only place such feeds give a fee, so its amount is read as the price.
_COSTS_EXTENSION = "http://xcri.co.uk/CostsExtension"
_ROOT_NAMES = frozenset({"catalog", "provider", "course"})
_COURSE_TAGS = frozenset(f"{{{namespace}}}course" for namespace in XCRI_CAP_NAMESPACES)
_PROVIDER_TAGS = frozenset(f"{{{namespace}}}provider" for namespace in XCRI_CAP_NAMESPACES)
_CATALOG_TAGS = frozenset(f"{{{namespace}}}catalog" for namespace in XCRI_CAP_NAMESPACES)

# Recommended codes and labels of the presentation's engagement elements, from the XCRI-CAP
# 1.2 specification ("the <studyMode> / <attendanceMode> / <attendancePattern> element").
# None marks the code for "not known", which says nothing and is dropped.
_STUDY_MODES: dict[str, str | None] = {
    "NK": None,
    "FL": "Flexible",
    "FT": "Full time",
    "PF": "Part of a full time programme",
    "PT": "Part time",
}
_ATTENDANCE_MODES: dict[str, str | None] = {
    "CM": "Campus",
    "DA": "Distance with attendance",
    "DS": "Distance without attendance",
    "NC": "Face-to-face non-campus",
    "MM": "Mixed mode",
    "ON": "Online (no attendance)",
    "WB": "Work-based",
}
_ATTENDANCE_PATTERNS: dict[str, str | None] = {
    "DT": "Daytime",
    "EV": "Evening",
    "TW": "Twilight",
    "DR": "Day/Block release",
    "WE": "Weekend",
    "CS": "Customised",
}
_NO_ATTENDANCE = frozenset({"ON", "DS"})  # online, distance without attendance
# Words of an engagement that is not (only) attendance at a venue.
_REMOTE_WORDS_RE = re.compile(
    r"distance|online|on-line|home|remote|flexible|mixed|blended|e-learning|work[\s-]*based"
)
_ENGAGEMENT_VOCABULARIES = {
    "attendanceMode": _ATTENDANCE_MODES,
    "studyMode": _STUDY_MODES,
    "attendancePattern": _ATTENDANCE_PATTERNS,
}
# A value written as a code ('UNK') rather than a label ('Campus').
_CODE_RE = re.compile(r"[A-Z]{2,4}")

# xsi:type refinements of <description>, folded (lower case, no spaces), from "XCRI Terms
# 1.1" and "XCRI Terms 1.2" (xcri.org wiki). The ones a field of ours takes; the other known
# terms (career outcome, structure, topic, ...) have no field and are left out quietly.
_DESCRIPTION_TERM_FIELDS = {
    "learningoutcome": "learning_outcomes",
    "assessmentstrategy": "assessment",
    "prerequisites": "prerequisites",
    "aim": "objective",
}
_KNOWN_DESCRIPTION_TERMS = frozenset(
    {
        "aim",
        "applicationprocedure",
        "assessmentstrategy",
        "careeroutcome",
        "contacthours",
        "contactpattern",
        "entryprofile",
        "events",
        "indicativeresource",
        "leadsto",
        "learningoutcome",
        "policy",
        "prerequisites",
        "providedresource",
        "regulations",
        "requiredresource",
        "specialfeature",
        "support",
        "structure",
        "studyhours",
        "teachingstrategy",
        "topic",
    }
)

# Single-letter qualification levels are the ESFA LARS 'NotionalNVQLevelv2' codes (E entry,
# 1-8, H higher, M mixed, X not known; ILR validation service, LARSConstants), which English
# further-education systems put in dcterms:educationLevel. E becomes words the level parser
# reads; the others name no single level.
_LARS_LEVEL_WORDS = {"E": "Entry level"}
_LARS_NO_LEVEL = {"H": "higher level (no single level)", "M": "mixed level", "X": "not known"}

# W3C-DTF (a year, year-month, date, or date and time), as XCRI-CAP's @dtf must be.
_DTF_RE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)?)?")
_AMOUNT_RE = re.compile(r"\d+(?:\.\d+)?")
_ISO_DURATION_RE = re.compile(r"P(?=\d|T\d)[0-9YMWD]*(?:T[0-9HMS.]+)?")

_SPACE_RE = re.compile(r"[ \t\r\n]*")
_LEADING_SPACE_RE = re.compile(r"[ \t\r\n\ufeff]*")
_DECLARATION_RE = re.compile(r"[ \t\r\n\ufeff]*(<\?xml[ \t\r\n][^<>]{0,500}?\?>)")
_DECLARED_ENCODING_RE = re.compile(
    rb"[ \t\r\n]*<\?xml[ \t\r\n][^<>]{0,500}?encoding[ \t\r\n]*=[ \t\r\n]*[\"']([A-Za-z0-9._-]{1,40})[\"']"
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Declared encodings under which a provider's UTF-8 bytes would silently turn into mojibake.
_WESTERN_SINGLE_BYTE = frozenset({"iso8859-1", "iso8859-15", "cp1252", "ascii"})
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_XCRI_NAMESPACE_IN_TEXT_RE = re.compile(r"http://xcri\.org/profiles/(?:1\.2/)?catalog(?![/\w.])")
_FIRST_TAG_RE = re.compile(r"<(?![?!/])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>?")
_LXML_POSITION_SUFFIX_RE = re.compile(r",? line \d+, column \d+$")

_XCRI_CAP_EXPECTED = "an XCRI-CAP feed is an XML document with a <catalog> root element"

_CHUNK = 256 * 1024  # bytes fed to the parser at a time: limits are checked between chunks


def looks_like_xcri_cap(data: bytes) -> bool:
    """True when the first element is an XCRI-CAP catalog, provider or course (cheap sniff).

    Only the first 4 KiB are looked at; a true answer is no promise the feed reads.
    """
    head = data[:4096]
    encoding, bom_length = sniff_xml_encoding(head)
    text = head[bom_length:].decode(encoding or "utf-8", errors="ignore")
    tag = _FIRST_TAG_RE.search(text)
    return bool(
        tag and tag.group(1) in _ROOT_NAMES and _XCRI_NAMESPACE_IN_TEXT_RE.search(tag.group(2))
    )


def read_xcri_cap(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read an XCRI-CAP 1.2 or 1.1 feed; one record per course, one instance per presentation.

    Raises FeedFormatError (FeedLimitExceeded for a limit) when the document as a whole
    cannot be read; see the module docstring for what comes back otherwise.
    """
    deadline = limits.deadline()
    notes = _FeedNotes()
    text = decode_xml(data, notes)
    text = blank_xml_declaration(text)
    check_xml_prolog(text)
    reader = _StreamReader(limits, deadline, notes)
    records = reader.read(text.encode("utf-8"))
    return FeedReadResult(records=records, issues=notes.issues())


# --- bytes to text ---------------------------------------------------------------------


def sniff_xml_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding a BOM or the byte pattern of '<' in UTF-16 proves, and the BOM's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return "utf-16-be", 0
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return "utf-16-le", 0
    return None, 0


def decode_xml(data: bytes, notes: _FeedNotes, expected: str = _XCRI_CAP_EXPECTED) -> str:
    """The document as text, decoded as its BOM or declaration says; refused if it is not.

    `expected` says what the feed should be ("an XCRI-CAP feed is ..."), for the refusals.
    `notes` only needs an `add(issue)` method.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise FeedFormatError(f"the feed is empty: {expected}", offset=0)
    encoding, bom_length = sniff_xml_encoding(data)
    body = data[bom_length:]
    if encoding is not None:
        return _strict_decode(body, encoding, bom_length, f"its byte order mark says {encoding}")

    match = _DECLARED_ENCODING_RE.match(data)
    declared = match.group(1).decode("ascii") if match else None
    if declared is None:
        return _strict_decode(body, "utf-8", 0, "it declares no encoding, which means UTF-8")
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise FeedFormatError(
            f"the XML declaration names encoding {declared!r}, which we do not know; save the "
            'feed as UTF-8 and declare encoding="UTF-8"',
            line=1,
        ) from None
    if codec.startswith(("utf-16", "utf-32")) or (
        codec in _WESTERN_SINGLE_BYTE and not body.isascii()
    ):
        # The declaration was readable as ASCII, so the bytes cannot be UTF-16 or UTF-32; and
        # non-ASCII bytes that form valid UTF-8 under a Western single-byte declaration are
        # UTF-8 whose declaration is wrong (the other reading would be rare mojibake).
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            if codec.startswith(("utf-16", "utf-32")):
                raise FeedFormatError(
                    f"the XML declaration says encoding {declared!r}, but the bytes are not "
                    f'{declared}: save the feed as UTF-8 and declare encoding="UTF-8"',
                    line=1,
                ) from None
        else:
            notes.add(
                Issue.warning(
                    "encoding",
                    IssueCode.INVALID,
                    f"the XML declaration says encoding {declared!r}, but the bytes are UTF-8; "
                    'they were read as UTF-8. Declare encoding="UTF-8" in the feed.',
                    declared,
                )
            )
            return text
    return _strict_decode(body, codec, 0, f"it declares encoding {declared!r}")


def _strict_decode(body: bytes, encoding: str, bom_length: int, why: str) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        prefix = body[: exc.start].decode(encoding, errors="replace")
        line, column = _line_and_column(prefix)
        bad = body[exc.start : exc.start + min(exc.end - exc.start, 4)].hex(" ").upper()
        hint = (
            "; the file was probably saved as Windows-1252 or Latin-1: save it as UTF-8, "
            "or declare the encoding it really has"
            if encoding == "utf-8"
            else '; save the feed as UTF-8 and declare encoding="UTF-8"'
        )
        raise FeedFormatError(
            f"the feed is not valid {encoding} ({why}): byte(s) {bad} ({exc.reason}){hint}",
            line=line,
            column=column,
            offset=bom_length + exc.start,
        ) from exc


def _line_and_column(prefix: str) -> tuple[int, int]:
    """1-based line and column of the character just after `prefix`."""
    line, line_start = 1, 0
    for match in _LINE_BREAK_RE.finditer(prefix):
        line += 1
        line_start = match.end()
    return line, len(prefix) - line_start + 1


def blank_xml_declaration(text: str) -> str:
    """The text with its XML declaration (and any BOM before it) turned into spaces.

    The text is already decoded and is handed to the parser as UTF-8, so the declared
    encoding must not be obeyed again. Blanking rather than cutting keeps every line and
    column where the provider's file has them, and lets whitespace before the declaration
    (which XML forbids but feeds do have) through as the whitespace allowed before the root.
    """
    match = _DECLARATION_RE.match(text) or _LEADING_SPACE_RE.match(text)
    end = match.end() if match else 0
    if not end:
        return text
    return re.sub(r"[^\r\n]", " ", text[:end]) + text[end:]


def check_xml_prolog(
    text: str,
    format_title: str = "XCRI-CAP",
    expected: str = _XCRI_CAP_EXPECTED,
    starts_with: str = "<?xml ...?> or <catalog",
) -> None:
    """Refuse a DTD, and anything that is not XML, before the parser reads a byte."""
    position = 0
    while True:
        position = _SPACE_RE.match(text, position).end()  # type: ignore[union-attr]  # \s* always matches
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
        elif text.startswith("<?", position):
            end = text.find("?>", position + 2)
        else:
            break
        if end < 0:
            return  # an unclosed comment or instruction: the parser says where
        position = end + 2 + (text[end] == "-")
    line, column = _line_and_column(text[:position])
    head = text[position : position + 64]
    if head[:9].upper() == "<!DOCTYPE":
        if head[9:].lstrip().lower().startswith("html"):
            raise FeedFormatError(
                f"not an {format_title} feed: this is an HTML web page; "
                "register the address of the XML feed itself",
                line=line,
                column=column,
            )
        raise FeedFormatError(
            "XML feeds may not contain a DTD (DOCTYPE); remove the <!DOCTYPE ...> declaration: "
            f"{format_title} needs none, and a DTD can define entities that expand without bound or "
            "read local files and web addresses, so it is refused before anything is parsed",
            line=line,
            column=column,
        )
    if position >= len(text):
        raise FeedFormatError(f"the feed has no root element: {expected}", line=line, column=column)
    if not head.startswith("<"):
        looks = "JSON" if head[:1] in "[{" else "plain text or CSV"
        raise FeedFormatError(
            f"not an XML document: it starts with {head[:30]!r}, which looks like {looks}; an "
            f"{format_title} feed starts with {starts_with}",
            line=line,
            column=column,
        )


# --- streaming the document ------------------------------------------------------------


def locked_down_xml_parser() -> etree.XMLPullParser:
    # The prolog check has refused any DTD already; these settings hold on their own too.
    return etree.XMLPullParser(
        events=("start", "end"),
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parsed_tag(element: etree._Element) -> str:
    """The tag of an element as the parser made it, which is always a str (lxml types it
    wider, as a tag set by hand may be bytes or a QName)."""
    return cast(str, element.tag)


def element_name(element: etree._Element) -> tuple[str | None, str]:
    """(namespace, local name) of an element's '{namespace}local' tag."""
    tag = parsed_tag(element)
    if tag[0] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


class _StreamReader:
    """Walks the parser's events: checks the root and the limits, reads each course as it ends,
    then drops it so a large feed never sits in memory as a whole tree."""

    def __init__(self, limits: ReadLimits, deadline: float, notes: _FeedNotes) -> None:
        self.limits = limits
        self.deadline = deadline
        self.notes = notes
        self.records: list[RawRecord] = []
        # Presentations without a venue, waiting for their provider's address: XCRI-CAP says
        # a missing venue means the provider's, and its location may come after the courses.
        self.waiting_for_provider: list[dict[str, str | list[str]]] = []

    def read(self, document: bytes) -> list[RawRecord]:
        parser = locked_down_xml_parser()
        etree.clear_error_log()
        depth = 0
        try:
            for start in range(0, len(document), _CHUNK):
                parser.feed(document[start : start + _CHUNK])
                depth = self._handle(parser.read_events(), depth)
                self.limits.check_deadline(self.deadline)
            parser.close()
            self._handle(parser.read_events(), depth)
        except etree.XMLSyntaxError as exc:
            raise xml_syntax_error(exc) from exc
        return self.records

    def _handle(self, events: Iterator[tuple[str, etree._Element]], depth: int) -> int:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_root(element)
                tag = parsed_tag(element)
                if ":" in tag and tag[0] != "{":
                    prefix = tag.split(":", 1)[0]
                    raise FeedFormatError(
                        f"the namespace prefix {prefix!r} of <{tag}> is not declared; add "
                        f'xmlns:{prefix}="..." to the root element',
                        line=element.sourceline,
                    )
                if depth > self.limits.max_depth:
                    raise FeedLimitExceeded(
                        f"elements are nested more than {self.limits.max_depth} deep (at "
                        f"<{element_name(element)[1]}>); an XCRI-CAP feed needs about ten levels",
                        line=element.sourceline,
                    )
                continue
            depth -= 1
            tag = parsed_tag(element)
            if tag in _COURSE_TAGS:  # wherever it is: a course is never skipped
                self._course(element)
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)
            elif tag in _PROVIDER_TAGS:
                parent = element.getparent()
                if parent is None or parent.tag in _CATALOG_TAGS:  # not a venue's provider
                    self._provider_ended(element)
        return depth

    def _course(self, element: etree._Element) -> None:
        self.limits.check_count(len(self.records) + 1)
        self.limits.check_deadline(self.deadline)
        course = _CourseReader(element, self.notes)
        self.records.append(course.record())
        self.waiting_for_provider.extend(course.without_venue)

    def _provider_ended(self, provider: etree._Element) -> None:
        place = _organisation_place(provider)
        for instance in self.waiting_for_provider:
            if place:
                instance["location"] = place
        self.waiting_for_provider = []


def _check_root(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # a second guard behind the prolog scan
        raise FeedFormatError(
            "XML feeds may not contain a DTD (DOCTYPE); remove the <!DOCTYPE ...> declaration",
            line=root.sourceline,
        )
    namespace, name = element_name(root)
    if name.lower() == "html":
        raise FeedFormatError(
            "not an XCRI-CAP feed: this is an HTML web page; register the "
            "address of the XML feed itself",
            line=root.sourceline,
        )
    if name in _ROOT_NAMES and namespace in XCRI_CAP_NAMESPACES:
        return
    where = f"in namespace {namespace!r}" if namespace else "in no namespace"
    looks = describe_xml_root(namespace, name)
    if looks:  # name what it is, not only what it is not
        where += f", so this looks like {looks}"
    raise FeedFormatError(
        f"not an XCRI-CAP feed: the root element is <{name}> {where}; an XCRI-CAP feed's root "
        f"is <catalog> (or <provider> or <course>) in namespace {XCRI_CAP_12_NAMESPACE!r} "
        f"(XCRI-CAP 1.2) or {XCRI_CAP_11_NAMESPACE!r} (1.1)",
        line=root.sourceline,
    )


def xml_syntax_error(exc: etree.XMLSyntaxError) -> FeedFormatError:
    line, column = exc.position if exc.position else (exc.lineno, None)
    message = exc.msg or str(exc)
    if not line:
        # The incremental parser can fail with a generic 'no element found' at line 0; the
        # (per-thread) error log, emptied when this read began, holds the real first error.
        first = next(iter(exc.error_log.filter_from_errors()), None)
        if first is not None:
            message, line, column = first.message, first.line, first.column
    message = _LXML_POSITION_SUFFIX_RE.sub("", message)
    if "Excessive depth" in message:
        return FeedLimitExceeded(
            f"elements are nested too deeply for an XML feed ({message})", line=line, column=column
        )
    hint = ""
    if "Premature end" in message or "EndTag" in message:
        hint = "; the file may have been cut off while uploading or being generated"
    elif "Entity" in message and "not defined" in message:
        hint = (
            "; XML knows only &amp; &lt; &gt; &quot; &apos; and numeric references: write "
            "&#233; for é, &#160; for a non-breaking space, or put HTML in <![CDATA[...]]>"
        )
    return FeedFormatError(
        f"the XML is malformed: {message}{hint}", line=line or None, column=column or None
    )


# --- one course ------------------------------------------------------------------------


@dataclass
class _FeedNotes:
    """Feed-level issues: each extension element and unknown term once per feed."""

    _issues: list[Issue] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _date_conflicts: dict[str, list[str]] = field(default_factory=dict)

    def add(self, issue: Issue) -> None:
        self._issues.append(issue)

    def first_time(self, key: tuple[str, str]) -> bool:
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def extension(self, element: etree._Element, where: str, detail: str = "") -> None:
        if not self.first_time(("extension", parsed_tag(element))):
            return
        namespace, name = element_name(element)
        written = f"{element.prefix}:{name}" if element.prefix else name
        self._issues.append(
            Issue.info(
                written,
                IssueCode.UNKNOWN_FIELD,
                f"<{written}> (namespace {namespace}, first in the {where} at line "
                f"{element.sourceline}) is not part of XCRI-CAP, so it is kept out of the "
                f"normalised fields{detail}",
                namespace,
            )
        )

    def unknown_term(
        self, element_name: str, term: str, line: int | None, kept: str = "so it was left out"
    ) -> None:
        if not self.first_time((element_name, term)):
            return
        self._issues.append(
            Issue.info(
                element_name,
                IssueCode.UNPARSED,
                f"{term!r} (first at line {line}) is not a term of the XCRI-CAP vocabulary for "
                f"<{element_name}>, {kept}",
                term,
            )
        )

    def date_conflict(self, field_name: str, line: int | None, dtf: str, text: str) -> None:
        self._date_conflicts.setdefault(field_name, []).append(
            f"line {line}: dtf {dtf!r}, text {text!r}"
        )

    def issues(self) -> list[Issue]:
        found = list(self._issues)
        for field_name, conflicts in self._date_conflicts.items():
            found.append(
                Issue.warning(
                    field_name,
                    IssueCode.AMBIGUOUS,
                    f"{len(conflicts)} presentation(s) give a machine-readable date (@dtf) that "
                    f"differs from the date written beside it (first at {conflicts[0]}); the "
                    "written date was used. A one-day difference usually means the feed converts "
                    "local midnight to UTC: write @dtf as a plain date.",
                    conflicts[0],
                )
            )
        return found


@dataclass
class _Qualification:
    level: str | None = None
    credential: str | None = None
    awarded_by: list[str] = field(default_factory=list)
    accredited_by: list[str] = field(default_factory=list)


class _CourseReader:
    """One <course> element read into feed-format-v1 fields and presentation instances."""

    def __init__(self, course: etree._Element, notes: _FeedNotes) -> None:
        self.course = course
        self.notes = notes
        self.line = course.sourceline
        self.fields: dict[str, str | list[str]] = {}
        self.extra: dict[str, str | list[str]] = {}
        self.issues: list[Issue] = []
        self.instances: list[dict[str, str | list[str]]] = []
        self.without_venue: list[dict[str, str | list[str]]] = []

    def record(self) -> RawRecord:
        identifiers: list[etree._Element] = []
        titles: list[str] = []
        texts: dict[str, list[str]] = {
            "description": [],
            "abstract": [],
            "objective": [],
            "learning_outcomes": [],
            "assessment": [],
            "prerequisites": [],
        }
        subjects: list[str] = []
        urls: list[str] = []
        course_types: list[str] = []
        course_levels: list[str] = []
        qualifications: list[_Qualification] = []
        credits: list[etree._Element] = []
        presentations: list[etree._Element] = []

        for child in _element_children(self.course):
            namespace, name = element_name(child)
            if namespace not in _STANDARD_NAMESPACES:
                self.notes.extension(child, "course")
                _add_extra(self.extra, child)
            elif name == "identifier":
                identifiers.append(child)
            elif name == "title":
                titles.append(_plain_text(child))
            elif name == "description":
                self._description(child, texts)
            elif name in ("abstract", "objective"):
                texts[name].append(_rich_text(child))
            elif name == "learningOutcome":
                texts["learning_outcomes"].append(_rich_text(child))
            elif name == "assessment":
                texts["assessment"].append(_rich_text(child))
            elif name in ("prerequisite", "entryRequirements"):
                texts["prerequisites"].append(_rich_text(child))
            elif name == "subject":
                subjects.append(_plain_text(child))
            elif name == "url":
                urls.append(_plain_text(child))
            elif name == "type":
                course_types.append(_plain_text(child))
            elif name == "level":
                course_levels.append(_plain_text(child))
            elif name == "qualification":
                qualifications.append(_read_qualification(child))
            elif name == "credit":
                credits.append(child)
            elif name == "presentation":
                presentations.append(child)

        record_id = self._identifier(identifiers)
        self._put("id", record_id)
        self._put("title", _first(titles))
        description = (
            _join(texts["description"]) or _join(texts["abstract"]) or _join(texts["objective"])
        )
        self._put("description", description)
        self._put("url", _first(urls))
        self._level(qualifications, course_levels)
        self._credits(credits)
        self._put("subject", "; ".join(_distinct(subjects)))
        outcomes = [text for text in texts["learning_outcomes"] if text]
        if outcomes:
            self.fields["learning_outcomes"] = outcomes
        self._put("assessment", _join(texts["assessment"]))
        self._put("prerequisites", _join(texts["prerequisites"]))
        self._presentations(presentations)
        self._put(
            "credential_type",
            _first([q.credential for q in qualifications if q.credential]) or _first(course_types),
        )
        assurance = [f"Awarded by {name}" for q in qualifications for name in q.awarded_by] + [
            f"Accredited by {name}" for q in qualifications for name in q.accredited_by
        ]
        self._put("quality_assurance", "; ".join(_distinct(assurance)))

        if "id" not in self.fields:
            self.issues.append(
                Issue.error(
                    "id",
                    IssueCode.MISSING,
                    f"the course at line {self.line} has no <dc:identifier>; give it one (a URI, or "
                    'an internal ID with xsi:type="courseDataProgramme:internalID") so it can be '
                    "updated and withdrawn",
                    None,
                )
            )
        if "title" not in self.fields:
            self.issues.append(
                Issue.error(
                    "title",
                    IssueCode.MISSING,
                    f"the course at line {self.line} has no <dc:title>; give the course's name",
                    record_id,
                )
            )
        return RawRecord(
            locator=f"line {self.line}",
            fields=self.fields,
            line=self.line,
            issues=self.issues,
            extra=self.extra,
            instances=self.instances,
        )

    def _put(self, name: str, value: str | None) -> None:
        if value and value.strip():
            self.fields[name] = value.strip()

    def _identifier(self, identifiers: list[etree._Element]) -> str | None:
        """The course's own identifier: an internal ID if the feed has one, else the untyped one.

        An internal ID (xsi:type '...:internalID', the term of JISC's Course Data Programme,
        as real feeds write 'courseDataProgramme:internalID') comes from
        the provider's own course system and survives a website redesign; the untyped
        identifier is the one XCRI-CAP 1.2 makes the course's identity (a URI, often its web
        address). Other typed identifiers (UCAS or KIS codes, widget URLs) belong to other
        systems, can be shared by several courses, and are never used.
        """
        internal = [_plain_text(i) for i in identifiers if _term(_xsi_type(i)) == "internalid"]
        untyped = [_plain_text(i) for i in identifiers if not _xsi_type(i)]
        chosen = _first(internal) or _first(untyped)
        if not internal and len([u for u in untyped if u]) > 1:
            self.issues.append(
                Issue.warning(
                    "id",
                    IssueCode.AMBIGUOUS,
                    "the course has several <dc:identifier>s without xsi:type; the first was used. "
                    "XCRI-CAP allows one untyped identifier; type the others",
                    chosen,
                )
            )
        return chosen

    def _description(self, element: etree._Element, texts: dict[str, list[str]]) -> None:
        if element.get("href") is not None:
            return  # a link instead of text: XCRI-CAP says such an element carries no text
        xsi_type = _xsi_type(element)
        term = _term(xsi_type)
        if not term:
            texts["description"].append(_rich_text(element))
        elif term in _DESCRIPTION_TERM_FIELDS:
            texts[_DESCRIPTION_TERM_FIELDS[term]].append(_rich_text(element))
        elif term not in _KNOWN_DESCRIPTION_TERMS:
            self.notes.unknown_term("description", xsi_type or "", element.sourceline)

    def _level(self, qualifications: list[_Qualification], course_levels: list[str]) -> None:
        written = _first([q.level for q in qualifications if q.level]) or _first(course_levels)
        if not written:
            return
        code = written.strip().upper()
        if code in _LARS_NO_LEVEL:
            self.issues.append(
                Issue.info(
                    "level",
                    IssueCode.UNPARSED,
                    f"education level {written!r} means {_LARS_NO_LEVEL[code]} (LARS level codes), "
                    "so no level was given",
                    written,
                )
            )
            return
        self._put("level", _LARS_LEVEL_WORDS.get(code, written))

    def _credits(self, credits: list[etree._Element]) -> None:
        # A credit's <level> is the level of the credit, not of the course (XCRI "Credit"
        # guidance, 1.1), so it never fills `level`.
        readable: list[tuple[str, str | None]] = []
        for credit in credits:
            parts = {
                name: _plain_text(child)
                for child in _element_children(credit)
                for namespace, name in [element_name(child)]
                if namespace in _STANDARD_NAMESPACES
            }
            if not parts.get("value"):
                self.issues.append(
                    Issue.warning(
                        "credits",
                        IssueCode.INVALID,
                        f"the <credit> at line {credit.sourceline} has no <credit:value>, so it was "
                        "ignored",
                        None,
                    )
                )
                continue
            readable.append((parts["value"], _scheme_name(parts.get("scheme"))))
        if not readable:
            return
        value, scheme = readable[0]
        self._put("credits", value)
        self._put("credit_system", scheme)
        if len(readable) > 1:
            others = ", ".join(f"{v} {s or '(no scheme)'}" for v, s in readable[1:])
            self.issues.append(
                Issue.info(
                    "credits",
                    IssueCode.AMBIGUOUS,
                    f"the course gives credits under several schemes; the first was used and "
                    f"these were not: {others}",
                    others,
                )
            )

    def _presentations(self, presentations: list[etree._Element]) -> None:
        languages: list[str] = []
        durations: list[str] = []
        prerequisites: list[str] = []
        for presentation in presentations:
            reader = _PresentationReader(presentation, self.notes)
            instance = reader.instance()
            self.instances.append(instance)
            if reader.takes_provider_address:
                self.without_venue.append(instance)
            languages.extend(reader.languages)
            prerequisites.extend(reader.prerequisites)
            if reader.duration:
                durations.append(reader.duration)
        self._put("language", "; ".join(_distinct(languages)))
        if "prerequisites" not in self.fields:  # XCRI-CAP 1.1 puts entry requirements on runs
            self._put("prerequisites", _join(_distinct(prerequisites)))
        distinct_durations = _distinct(durations)
        self._put("duration", _first(distinct_durations))
        if len(distinct_durations) > 1:
            self.issues.append(
                Issue.info(
                    "duration",
                    IssueCode.AMBIGUOUS,
                    "the presentations last different times; an offering has one duration, so the "
                    f"first was used: {', '.join(distinct_durations)}",
                    distinct_durations[0],
                )
            )


class _PresentationReader:
    """One <presentation> read into a dict keyed by normaliser.normalise.INSTANCE_FIELDS."""

    def __init__(self, presentation: etree._Element, notes: _FeedNotes) -> None:
        self.presentation = presentation
        self.notes = notes
        self.has_venue = False
        self.attendance_code: str | None = None
        self.languages: list[str] = []
        self.prerequisites: list[str] = []
        self.duration: str | None = None

    def instance(self) -> dict[str, str | list[str]]:
        run: dict[str, str | list[str]] = {}
        engagement: dict[str, str] = {}
        costs: list[str] = []
        places: list[str | None] = []
        for child in _element_children(self.presentation):
            namespace, name = element_name(child)
            if namespace not in _STANDARD_NAMESPACES:
                has_costs = any(True for _ in child.iter(f"{{{_COSTS_EXTENSION}}}cost"))
                costs.extend(_extension_costs(child))
                self.notes.extension(
                    child,
                    "presentation",
                    "; the amount of the cost extension (CE:cost) in it is read "
                    "as the presentation's price"
                    if has_costs
                    else "",
                )
            elif name == "start":
                _put(run, "start_date", self._temporal(child, "start_date"))
            elif name == "end":
                _put(run, "end_date", self._temporal(child, "end_date"))
            elif name in _ENGAGEMENT_VOCABULARIES and name not in engagement:
                code, label = self._engagement(child, name)
                if label:
                    engagement[name] = label
                if name == "attendanceMode":
                    self.attendance_code = code
            elif name == "cost":
                costs.insert(0, _plain_text(child))
            elif name == "venue":
                self.has_venue = True
                places.append(_venue_place(child))
            elif name == "languageOfInstruction":
                self.languages.append(_plain_text(child))
            elif name in ("prerequisite", "entryRequirements"):
                self.prerequisites.append(_rich_text(child))
            elif name == "duration" and not self.duration:
                interval = (child.get("interval") or "").strip()
                self.duration = (
                    interval if _ISO_DURATION_RE.fullmatch(interval) else _plain_text(child)
                ) or None
        # Delivery first: it is what the mode parser reads; the rest says how much and when.
        delivery = [
            engagement[name]
            for name in ("attendanceMode", "studyMode", "attendancePattern")
            if name in engagement
        ]
        if delivery and self.has_venue and self._attendance_unstated(delivery):
            # A presentation held at a venue, whose attendance says only when ("Evening",
            # "Part Time Day", "Full Time": Adam Smith College's feed), is attended there.
            # One that says nothing of attendance keeps its mode unknown: it may be blended.
            delivery.insert(0, _ATTENDANCE_MODES["CM"] or "Campus")
        _put(run, "mode", "; ".join(delivery))
        _put(run, "price", _first(costs))
        _put(run, "location", _first(places))
        return run

    def _attendance_unstated(self, delivery: list[str]) -> bool:
        """No attendance mode of the vocabulary, and no word of distance, online or mixed
        delivery anywhere in what the presentation says of its engagement."""
        if self.attendance_code in _ATTENDANCE_MODES:
            return False
        words = " ".join(delivery).lower()
        return not _REMOTE_WORDS_RE.search(words)

    @property
    def takes_provider_address(self) -> bool:
        """XCRI-CAP: a presentation without a venue is held at the provider's address; but
        one taught at a distance without attendance has no venue at all."""
        return not self.has_venue and self.attendance_code not in _NO_ATTENDANCE

    def _temporal(self, element: etree._Element, field_name: str) -> str | None:
        """The date of a start or end: @dtf, unless the written date is a different exact day."""
        text = _plain_text(element)
        dtf = (element.get("dtf") or "").strip()
        if not _DTF_RE.fullmatch(dtf):
            return text or None
        if text and len(dtf) >= 10:
            written = parse_dates([text], field_name)
            dates = written.value or []
            if len(dates) == 1 and not written.issues and dates[0].isoformat() != dtf[:10]:
                self.notes.date_conflict(field_name, element.sourceline, dtf, text)
                return text
        return dtf

    def _engagement(self, element: etree._Element, name: str) -> tuple[str | None, str | None]:
        """The vocabulary code (when the feed gives a known one) and the label to keep."""
        vocabulary = _ENGAGEMENT_VOCABULARIES[name]
        code = (element.get("identifier") or "").strip().upper()
        text = _plain_text(element)
        if code:
            if code not in vocabulary:
                self.notes.unknown_term(
                    name, code, element.sourceline, "so only the words written with it are kept"
                )
                return None, text or None
            return code, (text or vocabulary[code]) if vocabulary[code] else None
        if text.upper() in vocabulary:
            return text.upper(), vocabulary[text.upper()]
        if _CODE_RE.fullmatch(text):
            self.notes.unknown_term(name, text, element.sourceline)
            return None, None
        return None, text or None


# --- small helpers ---------------------------------------------------------------------


def _element_children(element: etree._Element) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str))


def _plain_text(element: etree._Element) -> str:
    if len(element) == 0:
        return (element.text or "").strip()
    return " ".join(piece.strip() for piece in element.itertext() if piece.strip())


def _rich_text(element: etree._Element) -> str:
    """A descriptive text as the provider wrote it: HTML (from CDATA, escaped or as XHTML
    child elements) stays markup for the normaliser's html_to_text to read."""
    if len(element) == 0:
        return (element.text or "").strip()
    parts = [html.escape(element.text or "", quote=False)]
    for child in _element_children(element):
        _write_markup(child, parts)
    return "".join(parts).strip()


def _write_markup(element: etree._Element, parts: list[str]) -> None:
    """XHTML child elements as plain HTML, without namespaces or prefixes, so html_to_text
    sees '<p>' rather than '<xhtml:p xmlns:xhtml=...>'. Depth is bounded by max_depth."""
    name = _local(parsed_tag(element))
    attributes = "".join(
        f' {_local(key)}="{html.escape(value)}"' for key, value in element.attrib.items()
    )
    parts.append(f"<{name}{attributes}>")
    parts.append(html.escape(element.text or "", quote=False))
    for child in _element_children(element):
        _write_markup(child, parts)
    parts.append(f"</{name}>")
    parts.append(html.escape(element.tail or "", quote=False))


def _local(name: str) -> str:
    """'{namespace}p' or 'xhtml:p' -> 'p'."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _xsi_type(element: etree._Element) -> str | None:
    # Feeds that forget to declare the xsi prefix still mean xsi:type.
    return element.get(_XSI_TYPE) or element.get("xsi:type")


def _term(xsi_type: str | None) -> str:
    """An xsi:type term without its prefix, folded: 'xcriTerms:Learning Outcome' -> 'learningoutcome'."""
    if not xsi_type:
        return ""
    return xsi_type.rsplit(":", 1)[-1].replace(" ", "").casefold()


def _scheme_name(scheme: str | None) -> str | None:
    """A credit scheme URI as its name: 'http://purl.org/net/cm/terms/ECTS' -> 'ECTS'."""
    if not scheme:
        return None
    if "://" in scheme:
        return scheme.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1] or scheme
    return scheme


def _read_qualification(element: etree._Element) -> _Qualification:
    qualification = _Qualification()
    titles: list[str] = []
    for child in _element_children(element):
        namespace, name = element_name(child)
        if namespace not in _STANDARD_NAMESPACES:
            continue
        text = _plain_text(child)
        if name in ("educationLevel", "level") and not qualification.level:
            qualification.level = text or None
        elif name == "type" and text:
            qualification.credential = qualification.credential or text
        elif name == "title" and text:
            titles.append(text)
        elif name == "awardedBy" and text:
            qualification.awarded_by.append(" ".join(text.split()))
        elif name == "accreditedBy" and text:
            qualification.accredited_by.append(" ".join(text.split()))
    qualification.credential = qualification.credential or _first(titles)
    return qualification


def _extension_costs(element: etree._Element) -> list[str]:
    costs = []
    for cost in element.iter(f"{{{_COSTS_EXTENSION}}}cost"):
        amount = (cost.get("amount") or "").strip()
        if _AMOUNT_RE.fullmatch(amount.replace(",", "")):  # 'TBC' and the like: no price yet
            costs.append(amount)
    return costs


def _venue_place(venue: etree._Element) -> str | None:
    organisation = next(
        (child for child in _element_children(venue) if element_name(child)[1] == "provider"), venue
    )
    return _organisation_place(organisation, name_alone=True)


def _organisation_place(organisation: etree._Element, name_alone: bool = False) -> str | None:
    """One line for the place parser: the town if given, else the name and address.

    The place parser splits several places on line breaks, so address lines are joined with
    commas; with a town it gets that alone, as its first part is read as the city. A venue's
    name alone still says where (`name_alone`); a provider's name alone does not.
    """
    title = ""
    location = None
    for child in _element_children(organisation):
        namespace, name = element_name(child)
        if namespace not in _STANDARD_NAMESPACES:
            continue
        if name in ("title", "name") and not title:
            title = _plain_text(child)
        elif name == "location" and location is None:
            location = child
    if location is None and not name_alone:
        return None
    parts: dict[str, list[str]] = {"street": [], "town": [], "address": [], "postcode": []}
    for part in location if location is not None else ():
        if isinstance(part.tag, str) and element_name(part)[1] in parts:
            parts[element_name(part)[1]].extend(
                line.strip() for line in _LINE_BREAK_RE.split(_plain_text(part)) if line.strip()
            )
    # A venue named after its town ("Cornwall College St Austell", address "Tregonissey Road,
    # St Austell, Cornwall", in Cornwall College's feed) names the town it gives no mlo:town
    # for: the address line its name ends with.
    named_town = next(
        (
            line
            for line in parts["address"] + parts["street"]
            if title and len(line) > 2 and title.lower().endswith(" " + line.lower())
        ),
        None,
    )
    if parts["town"]:
        lines = parts["town"][:1] + parts["postcode"][:1]
    elif named_town:
        lines = [named_town] + parts["postcode"][:1]
    else:
        lines = [title] + parts["street"] + parts["address"] + parts["postcode"][:1]
    return ", ".join(_distinct(lines)) or None


def _add_extra(extra: dict[str, str | list[str]], element: etree._Element) -> None:
    text = " ".join(_plain_text(element).split())
    if not text:
        return
    namespace, name = element_name(element)
    key = f"{element.prefix}:{name}" if element.prefix else name
    if key not in extra:
        extra[key] = text
    elif isinstance(extra[key], list):
        extra[key].append(text)  # type: ignore[union-attr]
    else:
        extra[key] = [extra[key], text]  # type: ignore[list-item]


def _put(run: dict[str, str | list[str]], name: str, value: str | None) -> None:
    if value and value.strip():
        run[name] = value.strip()


def _first(values: Sequence[str | None]) -> str | None:
    return next((value for value in values if value and value.strip()), None)


def _distinct(values: Sequence[str | None]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def _join(texts: list[str]) -> str | None:
    kept = [text for text in texts if text]
    return "\n\n".join(kept) if kept else None
