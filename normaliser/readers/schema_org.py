"""Reader for schema.org `Course` JSON-LD: courses and their runs in, raw records out.

The markup search engines read (https://schema.org/Course, and Google's course info
guide, https://developers.google.com/search/docs/appearance/structured-data/course-info).
A feed or a web page may hold a single object, an array of them, an `@graph`, or an
`ItemList` whose `itemListElement`s are `ListItem`s with the course as `item`; a `WebPage`
may carry its course as `mainEntity`. The context may be `http://schema.org`,
`https://schema.org/` or `{"@vocab": ...}`, and properties may be written bare, with a
`schema:` prefix (or any prefix the context binds to schema.org) or as full IRIs.

Each `hasCourseInstance` (a CourseInstance) becomes one run in `RawRecord.instances`:
its dates, `courseMode`, location and its own `offers`. The course's own `offers` give the
record's price. The id is, in this order, `courseCode` (the provider's own code for the
course, which is what feed format v1 means by id), `identifier`, `@id`, and lastly `url`:
a page address is the weakest, as it changes when a site is reorganised. A course with
none of them is an error naming the item.

`records_from_jsonld_items` takes JSON-LD already parsed (what a crawler extracts from a
web page, e.g. with extruct); `read_schema_org` parses the bytes and reads them through the
same code, adding only line numbers. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    RECORD_FIELD,
    FeedFormatError,
    FeedReadResult,
    RawRecord,
    ReadLimits,
)
from normaliser.readers.jsonld import (
    NO_TYPE,
    NOT_A_NODE,
    Node,
    NodeIndex,
    Terms,
    as_list,
    check_depth,
    contexts_of,
    describe_counts,
    is_blank_node_id,
    is_language_map,
    is_value_object,
    load_json_document,
    node_types,
    preview,
    put_field,
    texts,
    written_types,
)

SCHEMA_TERMS = Terms(
    namespaces={"schema": ("https://schema.org/", "http://schema.org/")}, default_prefix="schema"
)
# The schema.org context aliases "type" to "@type" (https://schema.org/docs/jsonldcontext.jsonld).
_TYPE_KEYS = ("@type", "type")
COURSE_TYPE = "schema:Course"
# What becomes an offering: a course, and a programme (https://schema.org/
# EducationalOccupationalProgram, and its WorkBasedProgram), which universities mark up their
# degrees and certificates with; its `hasCourse` courses (and Courses it `hasPart`) are
# offerings of their own too, each counting towards the programme.
OFFERING_TYPES = frozenset(
    {COURSE_TYPE, "schema:EducationalOccupationalProgram", "schema:WorkBasedProgram"}
)
_PART_PROPERTIES = ("schema:hasCourse", "schema:hasPart")
_PROGRAMME_TYPES = frozenset(
    {"schema:EducationalOccupationalProgram", "schema:WorkBasedProgram", "schema:Course"}
)

_BOM = b"\xef\xbb\xbf"
_SCHEMA_MARKERS = (b"schema.org", b'"schema:')
_TYPE_MARKERS = (b'"@type"', b'"@context"')
_URL = re.compile(r"^https?://", re.IGNORECASE)

# Every property the reader consults; anything else on a course is listed once, as not
# read, and kept in the record's `extra` when it is plain text.
_READ_PROPERTIES = frozenset(
    {
        "schema:type",
        "schema:courseCode",
        "schema:identifier",
        "schema:url",
        "schema:name",
        "schema:description",
        "schema:numberOfCredits",
        "schema:timeRequired",
        "schema:offers",
        "schema:isAccessibleForFree",
        "schema:hasCourseInstance",
        "schema:inLanguage",
        "schema:availableLanguage",
        "schema:about",
        "schema:keywords",
        "schema:teaches",
        "schema:coursePrerequisites",
        "schema:educationalCredentialAwarded",
        "schema:occupationalCredentialAwarded",
        "schema:educationalLevel",
        "schema:provider",
        "schema:isPartOf",
        # programmes (https://schema.org/EducationalOccupationalProgram)
        "schema:timeToComplete",
        "schema:programPrerequisites",
        "schema:educationalProgramMode",
        "schema:hasCourse",
        "schema:hasPart",
        "schema:startDate",
        "schema:endDate",
    }
)


def _is_offering(types: Iterable[str]) -> bool:
    return not OFFERING_TYPES.isdisjoint(types)


def looks_like_schema_org(data: bytes) -> bool:
    """True when the bytes start like JSON-LD and name schema.org early on (and not CTDL,
    whose documents borrow a few schema.org terms)."""
    head = data[:65536]
    start = head[len(_BOM) :] if head.startswith(_BOM) else head
    start = start.lstrip(b" \t\r\n")
    return (
        start[:1] in (b"{", b"[")
        and any(marker in head for marker in _TYPE_MARKERS)
        and any(marker in head for marker in _SCHEMA_MARKERS)
        and b"ceterms:" not in head
        and b"purl.org/ctdl" not in head
    )


def read_schema_org(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read a schema.org JSON-LD feed: one record per Course, each CourseInstance a run.

    The bytes are parsed and handed on as `records_from_jsonld_items` would take them; only
    line numbers are added. Raises FeedFormatError for invalid JSON, nesting deeper than the
    limits allow, or a document without any Course in it (an empty feed would withdraw
    every offering).
    """
    deadline = limits.deadline()
    document = load_json_document(data, limits, "schema.org JSON-LD")
    value = document.value
    if not isinstance(value, (dict, list)):
        raise FeedFormatError(
            "the top level of the JSON-LD is not an object or an array; schema.org markup "
            'is an object such as {"@context": "https://schema.org", "@type": "Course", '
            "...}, or an array of them"
        )
    if isinstance(value, list):
        items, line_of = value, document.line_of
    else:  # read as a list of one, whose paths start with that one index
        items, line_of = [value], (lambda path: document.line_of(path[1:]))
    reader = _Reader(items, "", limits, deadline, line_of)
    result = reader.read()
    if not result.records:
        raise FeedFormatError(reader.no_course_reason())
    return result


def records_from_jsonld_items(
    items: list[dict], locator_prefix: str, limits: ReadLimits = DEFAULT_LIMITS
) -> FeedReadResult:
    """Records from JSON-LD objects that are already parsed, such as those extracted from
    one web page. `locator_prefix` is put in front of every locator as given (for example
    the page URL and a space), so a report says where each course came from.

    A list without any Course gives no records and a feed-level note saying what it held:
    most pages of a site are not course pages.
    """
    deadline = limits.deadline()
    check_depth(items, limits.max_depth, f"{locator_prefix}JSON-LD".strip())
    reader = _Reader(list(items), locator_prefix, limits, deadline, None)
    result = reader.read()
    if not result.records:
        result.issues.append(Issue.info(RECORD_FIELD, IssueCode.MISSING, reader.no_course_reason()))
    return result


# --- finding the courses -------------------------------------------------------------------


@dataclass
class _Placed:
    raw: dict
    path: tuple[str | int, ...]
    locator: str


class _Reader:
    """Finds the courses in a list of JSON-LD items and reads each into a record."""

    def __init__(
        self,
        items: list,
        prefix: str,
        limits: ReadLimits,
        deadline: float,
        line_of: Callable[[tuple], int | None] | None,
    ) -> None:
        self.items = items
        self.prefix = prefix
        self.limits = limits
        self.deadline = deadline
        self.line_of = line_of
        self.terms = SCHEMA_TERMS.with_contexts(contexts_of(items))
        self.index = NodeIndex(items, self.terms)
        self.courses: list[_Placed] = []
        self.links_only = 0
        self._course_at: dict[int, int] = {}  # id(course node) -> its index in self.courses
        self._placed_by_reference: set[int] = set()
        self._others: list[dict] = []  # nodes that are not courses, reported unless used
        self._not_nodes = 0
        # id(course node) -> the programmes (raw nodes) that hold it as hasCourse / hasPart
        self.part_of: dict[int, list[dict]] = {}

    def read(self) -> FeedReadResult:
        for i, item in enumerate(self.items):
            if isinstance(item, dict):
                self._visit(item, (i,), f"item {i + 1}")
            else:
                self._not_nodes += 1

        records: list[RawRecord] = []
        not_read: dict[str, None] = {}
        for number, placed in enumerate(self.courses, start=1):
            self.limits.check_count(number)
            self.limits.check_deadline(self.deadline)
            builder = _RecordBuilder(self.index.node(placed.raw), placed, self)
            records.append(builder.build())
            not_read.update(dict.fromkeys(builder.not_read))

        issues: list[Issue] = []
        skipped = self.skipped()
        if skipped and records:
            listed = describe_counts(skipped)
            issues.append(
                Issue.info(
                    RECORD_FIELD,
                    IssueCode.UNKNOWN_FIELD,
                    f"{listed} {'is' if sum(skipped.values()) == 1 else 'are'} not a Course, nor "
                    "used by one, and skipped",
                    value=listed,
                )
            )
        if self.links_only:
            issues.append(
                Issue.info(
                    RECORD_FIELD,
                    IssueCode.MISSING,
                    f"{self.links_only} ItemList entr{'y' if self.links_only == 1 else 'ies'} only "
                    "link to a course page (url) without the Course itself; their courses are read "
                    "from those pages",
                    value=str(self.links_only),
                )
            )
        if not_read:
            names = ", ".join(sorted(not_read))
            issues.append(
                Issue.info(
                    RECORD_FIELD,
                    IssueCode.UNKNOWN_FIELD,
                    f"{len(not_read)} propert{'y' if len(not_read) == 1 else 'ies'} of the courses "
                    f"{'is' if len(not_read) == 1 else 'are'} not mapped to the common schema; "
                    f"their plain values are kept with each record as written: {names}",
                    value=names if len(names) <= 200 else names[:199] + "…",
                )
            )
        return FeedReadResult(records=records, issues=issues, skipped=dict(skipped))

    def skipped(self) -> Counter[str]:
        """Types of the nodes that are neither a course nor referred to from one (an Offer
        or an Organization in an @graph is part of the course that names it)."""
        used: set[str] = set()
        referable = any(isinstance(other.get("@id"), str) for other in self._others)
        stack: list[object] = [placed.raw for placed in self.courses] if referable else []
        while stack:
            current = stack.pop()
            if isinstance(current, dict):
                node_id = current.get("@id")
                if isinstance(node_id, str):
                    used.add(node_id.strip())
                stack.extend(current.values())
            elif isinstance(current, list):
                stack.extend(current)
            elif isinstance(current, str):
                used.add(current.strip())
        counts: Counter[str] = Counter()
        if self._not_nodes:
            counts[NOT_A_NODE] = self._not_nodes
        for other in self._others:
            node_id = other.get("@id")
            if isinstance(node_id, str) and node_id.strip() in used:
                continue
            written = written_types(other, _TYPE_KEYS)
            counts[written[0] if written else NO_TYPE] += 1
        return counts

    def no_course_reason(self) -> str:
        skipped = self.skipped()
        held = f"it holds {describe_counts(skipped)}" if skipped else "it holds no typed node"
        links = (
            f" and {self.links_only} ItemList link(s) to course pages" if self.links_only else ""
        )
        return (
            f"no schema.org Course in this JSON-LD: {held}{links}. Each offering must be "
            'a node with "@type": "Course" or "EducationalOccupationalProgram" (at the top level, in an @graph, as an '
            "ItemList's ListItem item, or as a WebPage's mainEntity)"
        )

    def _child_locator(self, path: tuple, locator: str, container: str, number: int) -> str:
        """'item N' for the members of a document's only top-level object (its @graph or
        ItemList), else the parent's locator with the container and position added."""
        if len(self.items) == 1 and len(path) == 1:
            return f"item {number}"
        return f"{locator}, {container} {number}"

    def _add_course(self, raw: dict, path: tuple, locator: str, by_reference: bool) -> None:
        """Keep each course once, placed where it is written rather than where it is
        referred to (a WebPage's mainEntity or a ListItem pointing into the @graph)."""
        placed = _Placed(raw, path, self.prefix + locator)
        known = self._course_at.get(id(raw))
        if known is None:
            self._course_at[id(raw)] = len(self.courses)
            self.courses.append(placed)
            if by_reference:
                self._placed_by_reference.add(id(raw))
        elif id(raw) in self._placed_by_reference and not by_reference:
            self.courses[known] = placed
            self._placed_by_reference.discard(id(raw))

    def _visit(self, value: object, path: tuple, locator: str, by_reference: bool = False) -> None:
        if not isinstance(value, dict):
            return
        types = node_types(value, self.terms, _TYPE_KEYS)
        graph = value.get("@graph")
        if isinstance(graph, list):
            for j, member in enumerate(graph):
                self._visit(
                    member,
                    (*path, "@graph", j),
                    self._child_locator(path, locator, "@graph item", j + 1),
                )
        if _is_offering(types):
            self._add_course(value, path, locator, by_reference)
            self._parts(value, path, locator)
            return
        node = self.index.node(value)
        elements = node.get("schema:itemListElement")
        # Only a plain ItemList lists offerings; a BreadcrumbList (a subtype) lists pages.
        if "schema:ItemList" in types or (not types and elements is not None):
            key = node.written.get("schema:itemListElement", "itemListElement")
            for k, element in enumerate(as_list(elements)):
                where = (*path, key, k) if isinstance(elements, list) else (*path, key)
                self._list_element(
                    element, where, self._child_locator(path, locator, "itemListElement", k + 1)
                )
            return
        main = node.get("schema:mainEntity")
        target, _ = self.index.resolve(main) if isinstance(main, dict) else (None, None)
        if target is not None and _is_offering(node_types(target.raw, self.terms, _TYPE_KEYS)):
            inline = isinstance(main, dict) and len(main) > 1  # target came from the dict
            self._visit(
                target.raw,
                (*path, node.written["schema:mainEntity"]) if inline else path,
                f"{locator}, mainEntity",
                by_reference=not inline,
            )
            return
        if types or not isinstance(graph, list):
            self._others.append(value)

    def _parts(self, offering: dict, path: tuple, locator: str) -> None:
        """The courses a programme (or a course) is made of: offerings of their own, each
        placed where it is written, and each told what it counts towards."""
        node = self.index.node(offering)
        for name in _PART_PROPERTIES:
            value = node.get(name)
            key = node.written.get(name, name.removeprefix("schema:"))
            for k, element in enumerate(as_list(value)):
                target, _ = (
                    self.index.resolve(element) if isinstance(element, dict) else (None, None)
                )
                if target is None or target.raw is offering:
                    continue
                if not _is_offering(node_types(target.raw, self.terms, _TYPE_KEYS)):
                    continue  # a part that is no course (a WebPage, a CreativeWork)
                parents = self.part_of.setdefault(id(target.raw), [])
                if any(p is offering for p in parents):
                    continue  # a cycle of parts, or the same part listed twice
                parents.append(offering)
                inline = isinstance(element, dict) and len(element) > 1
                where = (*path, key, k) if isinstance(value, list) else (*path, key)
                self._visit(
                    target.raw,
                    where if inline else path,
                    f"{locator}, {key.rsplit(':', 1)[-1]} {k + 1}",
                    by_reference=not inline,
                )

    def _list_element(self, element: object, path: tuple, locator: str) -> None:
        if not isinstance(element, dict):
            if isinstance(element, str) and element.strip():
                self.links_only += 1  # a bare URL in the list
            return
        if _is_offering(node_types(element, self.terms, _TYPE_KEYS)):
            self._visit(element, path, locator)
            return
        list_item = self.index.node(element)
        item = list_item.get("schema:item")
        target, _ = self.index.resolve(item) if item is not None else (None, None)
        if target is not None and _is_offering(node_types(target.raw, self.terms, _TYPE_KEYS)):
            inline = isinstance(item, dict) and len(item) > 1
            self._visit(
                target.raw,
                (*path, list_item.written["schema:item"]) if inline else path,
                locator,
                by_reference=not inline,
            )
        elif item is not None or list_item.get("schema:url") is not None:
            self.links_only += 1


# --- one record ----------------------------------------------------------------------------


class _RecordBuilder:
    """Reads one Course node into feed-format-v1 fields, runs and issues."""

    def __init__(self, node: Node, placed: _Placed, reader: _Reader) -> None:
        self.node = node
        self.placed = placed
        self.index = reader.index
        self.terms = reader.terms
        self.line_of = reader.line_of
        self.part_of = reader.part_of.get(id(placed.raw), [])
        self.fields: dict[str, str | list[str]] = {}
        self.extra: dict[str, str | list[str]] = {}
        self.issues: list[Issue] = []
        self.instances: list[dict[str, str | list[str]]] = []
        self.not_read: list[str] = []
        # Language maps are read in the course's own language where it names one (that
        # language itself is read with no preference yet).
        self.languages: tuple[str, ...] = ()
        self.languages = tuple(self._names(node.get("schema:inLanguage")))

    def build(self) -> RawRecord:
        self._identity()
        self._put("description", self._text("schema:description"))
        self._put("url", self._text("schema:url"))
        self._put("credits", self._credits())
        self._runs()
        self._put(
            "duration",
            self._text("schema:timeRequired")[:1]
            or self._text("schema:timeToComplete")[:1]
            or self._workload(),
        )
        # A programme's own mode ("online", "full-time", "part-time"): the normaliser reads
        # what it can, and says so about the rest.
        if not any("mode" in run for run in self.instances):
            self._put("mode", self._names(self.node.get("schema:educationalProgramMode")))
        self._put(
            "price",
            self._offers(self.node.get("schema:offers"), "price")
            or (["Free"] if self._text("schema:isAccessibleForFree") == ["true"] else []),
        )
        self._put(
            "language",
            self._names(self.node.get("schema:inLanguage"))
            + self._names(self.node.get("schema:availableLanguage")),
        )
        self._put("subject", self._names(self.node.get("schema:about")) + self._keywords())
        # schema.org's `teaches` is "the competency or learning outcome" the course helps a
        # person learn (https://schema.org/teaches): a learning outcome, not a subject.
        self._put("learning_outcomes", self._names(self.node.get("schema:teaches")))
        self._put(
            "prerequisites",
            self._names(self.node.get("schema:coursePrerequisites"), "schema:targetName")
            + self._names(
                self.node.get("schema:programPrerequisites"),
                "schema:targetName",
                "schema:credentialCategory",
            ),
        )
        self._credential()
        self._put("stackable_into", self._programmes())
        self._put_extra("provider", self._names(self.node.get("schema:provider")))
        self._keep_unread()
        line = self.line_of(self.placed.path) if self.line_of else None
        return RawRecord(
            locator=self.placed.locator,
            fields=self.fields,
            line=line,
            issues=self.issues,
            extra=self.extra,
            instances=self.instances,
        )

    # identity ---------------------------------------------------------------------------

    def _identity(self) -> None:
        title = self._text("schema:name")
        node_id = self.node.node_id
        candidates = (
            self._text("schema:courseCode")
            or self._identifiers()
            or ([node_id] if node_id and not is_blank_node_id(node_id) else [])
            or self._text("schema:url")
        )
        if candidates:
            self.fields["id"] = candidates[0]
        else:
            self.issues.append(
                Issue.error(
                    "id",
                    IssueCode.MISSING,
                    f"the Course at {self.placed.locator}"
                    f"{' (' + repr(title[0]) + ')' if title else ''} has no courseCode, identifier, "
                    "@id or url, so it cannot be told apart from one run to the next; give it a "
                    "courseCode",
                    value=title[0] if title else None,
                )
            )
        if title:
            self._put("title", title)
        else:
            self.issues.append(
                Issue.error(
                    "title",
                    IssueCode.MISSING,
                    f"the Course at {self.placed.locator} has no name; every course needs one",
                    value=candidates[0] if candidates else None,
                )
            )

    def _identifiers(self) -> list[str]:
        # https://schema.org/identifier: Text, URL, or a PropertyValue with a value.
        found: list[str] = []
        for value in as_list(self.node.get("schema:identifier")):
            if isinstance(value, dict) and not (is_language_map(value) or is_value_object(value)):
                node, _ = self.index.resolve(value)
                found.extend(texts(node.get("schema:value")) if node else [])
            else:
                found.extend(texts(value))
        return found

    # values -----------------------------------------------------------------------------

    def _text(self, name: str, node: Node | None = None) -> list[str]:
        return texts((node or self.node).get(name), self.languages)

    def _names(self, value: object, *also: str) -> list[str]:
        """Plain texts, and the names of nodes (a Thing, Language, Organization, DefinedTerm,
        AlignmentObject): `schema:name`, then any property in `also`."""
        found: list[str] = []
        for element in as_list(value):
            node, reference = (
                self.index.resolve(element) if isinstance(element, dict) else (None, None)
            )
            if node is not None:
                for name in ("schema:name", *also):
                    named = texts(node.get(name), self.languages)
                    if named:
                        found.extend(named[:1])
                        break
            elif reference is None:
                found.extend(texts(element, self.languages))
        return list(dict.fromkeys(found))

    def _programmes(self) -> list[str]:
        """What the course counts towards: the programmes or courses it `isPartOf`. A web
        site or page it is part of is not a qualification, so only these types count."""
        found: list[str] = []
        for value in as_list(self.node.get("schema:isPartOf")):
            node, _ = self.index.resolve(value) if isinstance(value, dict) else (None, None)
            if node is None:
                found.extend(t for t in texts(value, self.languages) if not _URL.match(t))
            elif _PROGRAMME_TYPES & set(node_types(node.raw, self.terms, _TYPE_KEYS)):
                found.extend(self._text("schema:name", node)[:1])
        for programme in self.part_of:  # it is a hasCourse / hasPart of these
            found.extend(self._text("schema:name", self.index.node(programme))[:1])
        return list(dict.fromkeys(found))

    def _keywords(self) -> list[str]:
        # https://schema.org/keywords: "Multiple textual entries in a keywords list are
        # typically delimited by commas", or DefinedTerms.
        found: list[str] = []
        for keyword in self._names(self.node.get("schema:keywords")):
            found.extend(part.strip() for part in keyword.split(",") if part.strip())
        return found

    def _credits(self) -> list[str]:
        # https://schema.org/numberOfCredits: an Integer or a StructuredValue, in practice a
        # QuantitativeValue with value and unitText.
        found: list[str] = []
        for value in as_list(self.node.get("schema:numberOfCredits")):
            if isinstance(value, dict) and not (is_language_map(value) or is_value_object(value)):
                node, _ = self.index.resolve(value)
                if node is None:
                    continue
                amount = self._text("schema:value", node)
                unit = self._text("schema:unitText", node) or self._text("schema:name", node)
                if amount:
                    found.append(f"{amount[0]} {unit[0]}" if unit else amount[0])
                else:
                    self.issues.append(
                        Issue.warning(
                            "credits",
                            IssueCode.UNPARSED,
                            f"numberOfCredits in {self.placed.locator} is a node without a value",
                            value=preview(value),
                        )
                    )
            else:
                found.extend(texts(value))
        return found

    def _offers(self, value: object, field: str) -> list[str]:
        """Prices as text ('450 NZD', 'Free') from Offers, AggregateOffers or their
        priceSpecification (https://schema.org/Offer)."""
        found: list[str] = []
        for element in as_list(value):
            if not isinstance(element, dict):
                found.extend(texts(element))  # an offer given as plain text: 'Free', '$450'
                continue
            offer, reference = self.index.resolve(element)
            if offer is None:
                if reference:
                    self.issues.append(
                        Issue.warning(
                            field,
                            IssueCode.UNPARSED,
                            f"an offer in {self.placed.locator} refers to {reference!r}, which is not "
                            "in this JSON-LD; put the Offer itself in it",
                            value=reference,
                        )
                    )
                continue
            specification, _ = self.index.resolve(offer.get("schema:priceSpecification"))
            source = specification if offer.get("schema:price") is None and specification else offer
            currency = self._text("schema:priceCurrency", source)[:1]
            amounts = self._text("schema:price", source)
            low = self._text("schema:lowPrice", offer)  # an AggregateOffer's range
            high = self._text("schema:highPrice", offer)
            if not amounts and low and high:
                amounts = [f"{low[0]}-{high[0]}"]
            elif not amounts and (low or high):
                amounts = (low or high)[:1]
            if amounts:
                found.extend(
                    f"{amount} {currency[0]}" if currency else amount for amount in amounts
                )
            elif any(c.casefold() == "free" for c in self._text("schema:category", offer)):
                # Google's course guide: category "Free", "Partially Free", "Subscription",
                # "Paid". Only "Free" says what the course costs.
                found.append("Free")
        return found

    def _runs(self) -> None:
        # https://schema.org/CourseInstance: an Event, so it has startDate, endDate,
        # location, offers and eventAttendanceMode besides its own courseMode.
        for number, value in enumerate(as_list(self.node.get("schema:hasCourseInstance")), 1):
            run, reference = self.index.resolve(value)
            if run is None:
                what = (
                    "refers to a node that is not in this JSON-LD"
                    if isinstance(value, dict)
                    else "is not a CourseInstance node"
                )
                self.issues.append(
                    Issue.warning(
                        RECORD_FIELD,
                        IssueCode.UNPARSED,
                        f"hasCourseInstance {number} in {self.placed.locator} {what}; give each "
                        "run as a CourseInstance object",
                        value=preview(value),
                    )
                )
                continue
            instance: dict[str, str | list[str]] = {}
            for field, values in (
                ("start_date", self._text("schema:startDate", run)[:1]),
                ("end_date", self._text("schema:endDate", run)[:1]),
                (
                    "mode",
                    self._text("schema:courseMode", run)
                    or self._text("schema:eventAttendanceMode", run),
                ),
                ("location", self._places(run.get("schema:location"))),
                ("price", self._offers(run.get("schema:offers"), "price")),
            ):
                put_field(instance, field, values, self.issues, self.placed.locator)
            if instance:
                self.instances.append(instance)
        if not self.instances:
            # A programme gives its dates itself (https://schema.org/
            # EducationalOccupationalProgram: startDate, endDate), not as CourseInstances.
            instance = {}
            for field, values in (
                ("start_date", self._text("schema:startDate")[:1]),
                ("end_date", self._text("schema:endDate")[:1]),
            ):
                put_field(instance, field, values, self.issues, self.placed.locator)
            if instance:
                self.instances.append(instance)

    def _workload(self) -> list[str]:
        """The runs' courseWorkload (Google: total time, ISO 8601), when all runs agree."""
        workloads = {
            tuple(self._text("schema:courseWorkload", run)[:1])
            for value in as_list(self.node.get("schema:hasCourseInstance"))
            if (run := self.index.resolve(value)[0]) is not None
        }
        workloads.discard(())
        return list(workloads.pop()) if len(workloads) == 1 else []

    def _places(self, value: object) -> list[str]:
        """A run's location: text, a Place (with an address), a PostalAddress, or a
        VirtualLocation, which means online."""
        found: list[str] = []
        for element in as_list(value):
            node, _ = self.index.resolve(element) if isinstance(element, dict) else (None, None)
            if node is None:
                found.extend(texts(element, self.languages))
                continue
            types = node_types(node.raw, self.terms, _TYPE_KEYS)
            if "schema:VirtualLocation" in types:
                found.append("Online")
                continue
            address, _ = self.index.resolve(node.get("schema:address"))
            postal = address or node
            parts = [
                self._names(postal.get(f"schema:{name}"))
                for name in ("addressLocality", "addressRegion", "addressCountry")
            ]
            words = [p[0] for p in parts if p]
            if not words and address is None:
                words = texts(node.get("schema:address"), self.languages)[:1]
            found.append(
                ", ".join(words) if words else (self._text("schema:name", node) or [""])[0]
            )
        return [f for f in found if f]

    def _credential(self) -> None:
        # https://schema.org/educationalCredentialAwarded: Text, URL or an
        # EducationalOccupationalCredential with credentialCategory and educationalLevel.
        kinds: list[str] = []
        levels: list[str] = []
        for name in ("schema:educationalCredentialAwarded", "schema:occupationalCredentialAwarded"):
            for value in as_list(self.node.get(name)):
                credential, _ = (
                    self.index.resolve(value) if isinstance(value, dict) else (None, None)
                )
                if credential is None:
                    kinds.extend(t for t in texts(value, self.languages) if not _URL.match(t))
                    continue
                kinds.extend(
                    self._names(credential.get("schema:credentialCategory"), "schema:termCode")
                    or self._text("schema:name", credential)[:1]
                )
                levels.extend(self._names(credential.get("schema:educationalLevel")))
        self._put("credential_type", kinds)
        self._put("level", levels or self._names(self.node.get("schema:educationalLevel")))

    # output -----------------------------------------------------------------------------

    def _put(self, field: str, values: list[str]) -> None:
        put_field(self.fields, field, values, self.issues, self.placed.locator)

    def _put_extra(self, name: str, values: list[str]) -> None:
        put_field(self.extra, name, values, self.issues, self.placed.locator)

    def _keep_unread(self) -> None:
        for written, value in self.node.unread(_READ_PROPERTIES).items():
            self.not_read.append(written)
            self._put_extra(written, texts(value, self.languages))
