"""Reader for Credential Engine's CTDL JSON-LD: learning opportunities in, raw records out.

CTDL (Credential Transparency Description Language, https://credreg.net/ctdl/terms) is
what the Credential Registry publishes. A document is one resource (`{"@type":
"ceterms:Course", ...}`) or an `@graph` of several, where profiles, organizations and
credentials may be separate nodes referred to by `@id`. References are followed within the
document only; nothing is fetched.

Offerings are the three learning-opportunity classes: `ceterms:Course`,
`ceterms:LearningProgram` and `ceterms:LearningOpportunityProfile`. Every other top-level
node (an organization, a credential, a manifest) is skipped and counted in one feed-level
note; a document with no offering at all is refused, because an empty snapshot would
withdraw every offering the provider has.

Each offering's values are written out as feed-format-v1 fields, as text the normaliser's
parsers read; what each CTDL property becomes is said where it is read below. The id is
the CTID (`ceterms:ctid`): the Registry assigns it once and it survives a change of
publisher URL, whereas `@id` is a URL that differs between the Registry, a sandbox and the
provider's own copy. Only a record without a CTID falls back to its `@id`.

Records have no `instances`: CTDL describes a learning opportunity, not its runs (the
dates on a CostProfile say when a price applies, not when a course starts). Other nodes of
the same document add what they say about an offering: a credential that requires it and
nothing else is what it leads to (`credential_type`); a credential or program that needs
it among others is what it counts towards (`stackable_into`).

Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections import Counter
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
    JsonDocument,
    JsonNumber,
    Node,
    NodeIndex,
    Terms,
    as_list,
    contexts_of,
    describe_counts,
    is_blank_node_id,
    is_language_map,
    load_json_document,
    node_types,
    preview,
    put_field,
    texts,
    written_types,
)

# Namespaces as bound by the CTDL JSON-LD context, https://credreg.net/ctdl/schema/context/json
# (ceterms, ceasn), and the schema.org and qdata terms CTDL profiles borrow (ValueProfile's
# schema:value, https://credreg.net/ctdl/terms/ValueProfile).
CTDL_TERMS = Terms(
    namespaces={
        "ceterms": ("https://purl.org/ctdl/terms/", "http://purl.org/ctdl/terms/"),
        "ceasn": ("https://purl.org/ctdlasn/terms/", "http://purl.org/ctdlasn/terms/"),
        "schema": ("https://schema.org/", "http://schema.org/"),
        "qdata": ("https://credreg.net/qdata/terms/", "http://credreg.net/qdata/terms/"),
    },
    default_prefix="ceterms",
)

# The learning-opportunity classes (https://credreg.net/ctdl/terms#LearningOpportunityProfile
# and its subclasses Course and LearningProgram).
OFFERING_TYPES: tuple[str, ...] = (
    "ceterms:Course",
    "ceterms:LearningProgram",
    "ceterms:LearningOpportunityProfile",
)

# Subclasses of ceterms:Credential (https://credreg.net/ctdl/terms#Credential) end in one of
# these words; a node of such a type that requires a learning opportunity says what that
# opportunity leads to.
_CREDENTIAL_TYPE_RE = re.compile(
    r"(?:Credential|Degree|Doctorate|Certificate|Certification|Badge|Diploma|License"
    r"|CertificateOf[A-Z]\w*|GeneralEducationDevelopment)$"
)
# Top-level nodes that are parts of other nodes rather than resources of their own: they
# are read through the references to them and not reported as skipped.
_PART_TYPE_RE = re.compile(
    r"^(?:ceterms|schema|qdata):(?:\w*Profile|CredentialAlignmentObject|Place|ContactPoint"
    r"|IdentifierValue|QuantitativeValue|MonetaryAmount|ValueProfile)$"
)

# The cost-type concept for the total of the other costs
# (https://credreg.net/ctdl/terms/CostType: costType:AggregateCost).
_AGGREGATE_COST = "AggregateCost"
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SINGLE_ISO_DURATION = re.compile(
    r"^P(?:(\d+(?:[.,]\d+)?)([YMWD])|T(\d+(?:[.,]\d+)?)([HM]))$", re.IGNORECASE
)
_ISO_UNIT_WORDS = {"Y": "years", "M": "months", "W": "weeks", "D": "days"}
_ISO_TIME_UNIT_WORDS = {"H": "hours", "M": "minutes"}
_BOM = b"\xef\xbb\xbf"
_CTDL_MARKERS = (b"ceterms:", b"purl.org/ctdl/terms", b"credreg.net/ctdl")

# Every property the reader consults; anything else on an offering is listed once, as
# not read, and kept in the record's `extra` when it is plain text.
_READ_PROPERTIES = frozenset(
    {
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:description",
        "ceterms:subjectWebpage",
        "ceterms:creditValue",
        "ceterms:creditUnitValue",
        "ceterms:creditUnitType",
        "ceterms:creditHourValue",
        "ceterms:creditHourType",
        "ceterms:isNonCredit",
        "ceterms:estimatedDuration",
        "ceterms:timeRequired",
        "ceterms:estimatedCost",
        "ceterms:deliveryType",
        "ceterms:deliveryTypeDescription",
        "ceterms:availableAt",
        "ceterms:inLanguage",
        "ceterms:subject",
        "ceterms:keyword",
        "ceterms:instructionalProgramType",
        "ceterms:occupationType",
        "ceterms:teaches",
        "ceterms:targetCompetency",
        "ceterms:entryCondition",
        "ceterms:requires",
        "ceterms:assessmentMethodType",
        "ceterms:assessmentMethodDescription",
        "ceterms:isPartOf",
        "ceterms:hasPart",
        "ceterms:isRequiredFor",
        "ceterms:accreditedBy",
        "ceterms:approvedBy",
        "ceterms:recognizedBy",
        "ceterms:regulatedBy",
        "ceterms:offeredBy",
        "ceterms:ownedBy",
        "ceterms:audienceLevelType",
    }
)

_QUALITY_ASSURANCE = (
    ("ceterms:accreditedBy", "Accredited by"),
    ("ceterms:approvedBy", "Approved by"),
    ("ceterms:recognizedBy", "Recognized by"),
    ("ceterms:regulatedBy", "Regulated by"),
)


def looks_like_ctdl(data: bytes) -> bool:
    """True when the bytes start like a JSON document and name the CTDL vocabulary early on."""
    head = data[:65536]
    start = head[len(_BOM) :] if head.startswith(_BOM) else head
    start = start.lstrip(b" \t\r\n")
    return start[:1] in (b"{", b"[") and any(marker in head for marker in _CTDL_MARKERS)


def read_ctdl(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read a CTDL JSON-LD document: one record per Course, LearningProgram or profile.

    Raises FeedFormatError for invalid JSON, a document nested deeper than the limits allow,
    or one without any learning opportunity in it.
    """
    deadline = limits.deadline()
    document = load_json_document(data, limits, "CTDL")
    terms = CTDL_TERMS.with_contexts(contexts_of(document.value))
    index = NodeIndex(document.value, terms, alternate_ids=("ceterms:ctid",))
    top_level, not_nodes = _top_level_nodes(document.value)

    offerings: list[_Placed] = []
    skipped: Counter[str] = Counter()
    parts: Counter[str] = Counter()  # profiles and the like: said when nothing else is there
    if not_nodes:
        skipped[NOT_A_NODE] = not_nodes
    for placed in top_level:
        types = node_types(placed.raw, terms)
        if any(t in OFFERING_TYPES for t in types):
            offerings.append(placed)
        elif not any(_PART_TYPE_RE.match(t) for t in types):
            written = written_types(placed.raw)
            skipped[written[0] if written else NO_TYPE] += 1
        else:
            parts[written_types(placed.raw)[0]] += 1

    if not offerings:
        # Name what the document is (an AssessmentProfile is "not a learning opportunity"),
        # never "no typed node" when typed nodes are there.
        found = skipped + parts
        count = sum(found.values())
        held = (
            f"it holds {describe_counts(found)}, which {'is' if count == 1 else 'are'} not "
            f"{'a learning opportunity' if count == 1 else 'learning opportunities'}"
            if found
            else "it holds no typed node at all"
        )
        raise FeedFormatError(
            f"no learning opportunity in this CTDL document: {held}. This reader reads "
            f"{_type_list()}; a credential or an organization is not an offering, so publish "
            "the courses or programs that lead to it"
        )

    links = _Links.build(top_level, index, terms)
    feed_issues: list[Issue] = []
    if skipped:
        feed_issues.append(
            Issue.info(
                RECORD_FIELD,
                IssueCode.UNKNOWN_FIELD,
                f"{describe_counts(skipped)} {'is' if sum(skipped.values()) == 1 else 'are'} not "
                f"{'an offering' if sum(skipped.values()) == 1 else 'offerings'} and "
                f"{'was' if sum(skipped.values()) == 1 else 'were'} skipped; offerings are "
                f"{_type_list()}",
                value=describe_counts(skipped),
            )
        )

    records: list[RawRecord] = []
    not_read: dict[str, None] = {}
    for number, placed in enumerate(offerings, start=1):
        limits.check_count(number)
        limits.check_deadline(deadline)
        builder = _RecordBuilder(index.node(placed.raw), placed, index, links, document)
        records.append(builder.build())
        not_read.update(dict.fromkeys(builder.not_read))
    if not_read:
        names = ", ".join(sorted(not_read))
        feed_issues.append(
            Issue.info(
                RECORD_FIELD,
                IssueCode.UNKNOWN_FIELD,
                f"{len(not_read)} propert{'y' if len(not_read) == 1 else 'ies'} of the offerings "
                f"{'is' if len(not_read) == 1 else 'are'} not mapped to the common schema; their "
                f"plain values are kept with each record as written: {names}",
                value=names if len(names) <= 200 else names[:199] + "…",
            )
        )
    return FeedReadResult(records=records, issues=feed_issues)


# --- finding the nodes -------------------------------------------------------------------


@dataclass
class _Placed:
    """A top-level node, where it sits in the document, and how reports name it."""

    raw: dict
    path: tuple[str | int, ...]
    locator: str


def _top_level_nodes(root: object) -> tuple[list[_Placed], int]:
    """The nodes at the top of the document (or of its @graph), and how many of the
    values there are not JSON objects at all."""
    if isinstance(root, dict):
        graph = root.get("@graph")
        if isinstance(graph, list):
            return (
                [
                    _Placed(node, ("@graph", j), f"item {j + 1}")
                    for j, node in enumerate(graph)
                    if isinstance(node, dict)
                ],
                sum(1 for node in graph if not isinstance(node, dict)),
            )
        return [_Placed(root, (), "item 1")], 0
    if isinstance(root, list):
        placed: list[_Placed] = []
        not_nodes = 0
        for i, item in enumerate(root):
            graph = item.get("@graph") if isinstance(item, dict) else None
            if isinstance(graph, list):
                placed.extend(
                    _Placed(node, (i, "@graph", j), f"item {i + 1}, @graph item {j + 1}")
                    for j, node in enumerate(graph)
                    if isinstance(node, dict)
                )
                not_nodes += sum(1 for node in graph if not isinstance(node, dict))
            elif isinstance(item, dict):
                placed.append(_Placed(item, (i,), f"item {i + 1}"))
            else:
                not_nodes += 1
        return placed, not_nodes
    raise FeedFormatError(
        f"the top level of the CTDL document is {_json_kind(root)}; a CTDL document is a JSON "
        'object such as {"@context": ..., "@type": "ceterms:Course", ...} or one with an '
        '"@graph" array of such nodes'
    )


@dataclass
class _Links:
    """What other nodes of the document say about each learning opportunity (by @id)."""

    credentials: dict[str, list[tuple[Node, bool]]]  # credential, and whether it needs only this
    parents: dict[str, list[Node]]  # learning opportunities that have it as a part

    @classmethod
    def build(cls, top_level: list[_Placed], index: NodeIndex, terms: Terms) -> _Links:
        credentials: dict[str, list[tuple[Node, bool]]] = {}
        parents: dict[str, list[Node]] = {}
        for placed in top_level:
            node = index.node(placed.raw)
            types = node_types(placed.raw, terms)
            if any(t in OFFERING_TYPES for t in types):
                for part in as_list(node.get("ceterms:hasPart")):
                    target = _target_id(part, index)
                    if target:
                        parents.setdefault(target, []).append(node)
            elif any(_CREDENTIAL_TYPE_RE.search(t) for t in types):
                targets = [
                    t
                    for profile in as_list(node.get("ceterms:requires"))
                    for t in _required_opportunities(profile, index)
                ]
                for target in dict.fromkeys(targets):
                    credentials.setdefault(target, []).append((node, len(set(targets)) == 1))
        return cls(credentials, parents)


def _required_opportunities(profile: object, index: NodeIndex) -> list[str]:
    condition, _ = index.resolve(profile)
    if condition is None:
        return []
    return [
        target
        for value in as_list(condition.get("ceterms:targetLearningOpportunity"))
        if (target := _target_id(value, index))
    ]


def _target_id(value: object, index: NodeIndex) -> str | None:
    """The @id a reference or node stands for, preferring the node's own @id when found."""
    node, reference = index.resolve(value)
    if node is not None:
        return node.node_id
    return reference


# --- one record ----------------------------------------------------------------------------


class _RecordBuilder:
    """Reads one learning opportunity node into feed-format-v1 fields and issues."""

    def __init__(
        self, node: Node, placed: _Placed, index: NodeIndex, links: _Links, document: JsonDocument
    ) -> None:
        self.node = node
        self.placed = placed
        self.index = index
        self.links = links
        self.document = document
        self.fields: dict[str, str | list[str]] = {}
        self.extra: dict[str, str | list[str]] = {}
        self.issues: list[Issue] = []
        self.not_read: list[str] = []
        # Language maps are read in the offering's own language where it names one.
        self.languages = tuple(texts(node.get("ceterms:inLanguage")))

    def build(self) -> RawRecord:
        self._identity()
        self._put("description", self._text("ceterms:description"))
        self._put("url", self._text("ceterms:subjectWebpage"))
        self._put("credits", self._credits())
        self._put("duration", self._duration())
        self._put("price", self._prices())
        self._put("mode", self._mode())
        self._put("location", self._places())
        self._put("language", self._text("ceterms:inLanguage"))
        self._put("subject", self._subjects())
        self._put("learning_outcomes", self._outcomes())
        self._put("prerequisites", self._conditions("ceterms:entryCondition", "ceterms:requires"))
        self._put(
            "assessment",
            self._text("ceterms:assessmentMethodDescription")
            or self._concept_names(self.node.get("ceterms:assessmentMethodType")),
        )
        self._put("quality_assurance", self._quality_assurance())
        self._credential_links()
        self._put_extra(
            "provider",
            self._organizations("ceterms:offeredBy") or self._organizations("ceterms:ownedBy"),
        )
        # CTDL audience levels (audLevel:BeginnerLevel, ...) describe who the offering is
        # for, not a level in a qualification framework, so they never fill `level`.
        self._put_extra(
            "audience_level", self._concept_names(self.node.get("ceterms:audienceLevelType"))
        )
        self._keep_unread()
        return RawRecord(
            locator=self.placed.locator,
            fields=self.fields,
            line=self.document.line_of(self.placed.path),
            issues=self.issues,
            extra=self.extra,
        )

    # identity ---------------------------------------------------------------------------

    def _identity(self) -> None:
        ctid = self._text("ceterms:ctid")
        node_id = self.node.node_id
        title = self._text("ceterms:name")
        what = f"{self.placed.locator} ({written_types(self.node.raw)[0]})"
        if ctid:
            self.fields["id"] = ctid[0]
            if node_id:
                self.extra["@id"] = node_id
        elif node_id and not is_blank_node_id(node_id):
            self.fields["id"] = node_id
        else:
            blank = (
                f" (its @id {node_id!r} is a blank node, which changes from one export to the next)"
                if node_id
                else ""
            )
            self.issues.append(
                Issue.error(
                    "id",
                    IssueCode.MISSING,
                    f"{what} has no ceterms:ctid and no @id{blank}; give it its CTID",
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
                    f"{what} has no ceterms:name; every learning opportunity needs its name",
                    value=own_id if isinstance(own_id := self.fields.get("id"), str) else None,
                )
            )

    # values -----------------------------------------------------------------------------

    def _text(self, name: str) -> list[str]:
        return texts(self.node.get(name), self.languages)

    def _nodes(self, name: str, field: str) -> list[Node]:
        """The nodes a property holds or refers to; a reference outside the document is a
        warning on `field`, because its content is then lost to the record."""
        found: list[Node] = []
        missing: list[str] = []
        for value in as_list(self.node.get(name)):
            node, reference = self.index.resolve(value)
            if node is not None:
                found.append(node)
            elif reference:
                missing.append(reference)
        if missing:
            self.issues.append(
                Issue.warning(
                    field,
                    IssueCode.UNPARSED,
                    f"{name} in {self.placed.locator} refers to {len(missing)} node(s) that are not "
                    "in this document, and references are never fetched; put the node itself in "
                    "the document (inline, or in its @graph)",
                    value=preview(missing),
                )
            )
        return found

    def _credits(self) -> list[str]:
        # https://credreg.net/ctdl/terms/creditValue: a ValueProfile (formerly a
        # QuantitativeValue) with schema:value or schema:minValue/maxValue and a
        # ceterms:creditUnitType concept from https://credreg.net/ctdl/terms/CreditUnit.
        found: list[str] = []
        for profile in self._nodes("ceterms:creditValue", "credits"):
            amount = self._amount(profile)
            unit = self._concept_words(profile.get("ceterms:creditUnitType"))
            # creditUnit:DegreeCredit is credit of no named system; the profile's
            # description names it where the CreditUnit scheme has no concept (ECTS, ...).
            said = texts(profile.get("ceterms:description", "schema:description"), self.languages)
            if amount and unit and unit[0] == "Degree Credit" and said:
                found.append(f"{amount} {said[0]}")
            elif amount:
                found.append(f"{amount} {unit[0]}" if unit else amount)
            else:
                found.extend(
                    texts(profile.get("ceterms:description", "schema:description"), self.languages)
                )
        if not found and self.node.get("ceterms:creditValue") is not None:
            self.issues.append(
                Issue.warning(
                    "credits",
                    IssueCode.UNPARSED,
                    f"ceterms:creditValue in {self.placed.locator} has no schema:value, "
                    "minValue/maxValue or description",
                    value=preview(self.node.get("ceterms:creditValue")),
                )
            )
        # Older CTDL put the amount and unit straight on the learning opportunity.
        for value_name, unit_name in (
            ("ceterms:creditUnitValue", "ceterms:creditUnitType"),
            ("ceterms:creditHourValue", "ceterms:creditHourType"),
        ):
            if found:
                break
            amounts = self._text(value_name)
            if amounts:
                unit = self._concept_words(self.node.get(unit_name)) or (
                    ["credit hours"] if value_name == "ceterms:creditHourValue" else []
                )
                found.append(f"{amounts[0]} {unit[0]}" if unit else amounts[0])
        if not found and self._text("ceterms:isNonCredit") == ["true"]:
            found.append("non-credit")
        return found

    def _amount(self, profile: Node) -> str | None:
        exact = texts(profile.get("schema:value", "ceterms:value", "qdata:value"))
        if exact:
            return exact[0]
        low = texts(profile.get("schema:minValue", "ceterms:minValue", "qdata:minValue"))
        high = texts(profile.get("schema:maxValue", "ceterms:maxValue", "qdata:maxValue"))
        if low and high:
            return f"{low[0]}-{high[0]}"
        either = low or high
        return either[0] if either else None

    def _duration(self) -> list[str]:
        # https://credreg.net/ctdl/terms/estimatedDuration: DurationProfiles with an ISO 8601
        # exactDuration, or minimumDuration and maximumDuration, or only a description.
        for profile in self._nodes("ceterms:estimatedDuration", "duration"):
            exact = texts(profile.get("ceterms:exactDuration"))
            if exact:
                return exact[:1]
            low = texts(profile.get("ceterms:minimumDuration"))
            high = texts(profile.get("ceterms:maximumDuration"))
            if low or high:
                return [_duration_range(low[0] if low else None, high[0] if high else None)]
            described = texts(profile.get("ceterms:description"), self.languages)
            if described:
                return described[:1]
        return self._text("ceterms:timeRequired")[:1]

    def _prices(self) -> list[str]:
        # https://credreg.net/ctdl/terms/estimatedCost: CostProfiles with ceterms:price and
        # ceterms:currency (and a directCostType). A profile of type AggregateCost is the
        # total, so the items beside it are not prices of the offering.
        profiles = self._nodes("ceterms:estimatedCost", "price")
        priced = [p for p in profiles if texts(p.get("ceterms:price"))]
        totals = [
            p
            for p in priced
            if _AGGREGATE_COST in self._concept_words(p.get("ceterms:directCostType"), False)
        ]
        found: list[str] = []
        for profile in totals or priced:
            currency = texts(profile.get("ceterms:currency"))
            for amount in texts(profile.get("ceterms:price")):
                found.append(f"{amount} {currency[0]}" if currency else amount)
        if not found:
            for profile in profiles:
                found.extend(texts(profile.get("ceterms:description"), self.languages))
        return found

    def _mode(self) -> list[str]:
        # https://credreg.net/ctdl/terms/deliveryType: concepts from
        # https://credreg.net/ctdl/terms/Delivery (deliveryType:InPerson, OnlineOnly,
        # BlendedDelivery, VariableSite), which the mode parser reads as written. Several
        # concepts mean the offering can be taken either way, not that it is blended.
        concepts = self._concepts(self.node.get("ceterms:deliveryType"))
        if concepts:
            return [" or ".join(concepts)]
        return self._text("ceterms:deliveryTypeDescription")[:1]

    def _places(self) -> list[str]:
        found: list[str] = []
        for place in self._nodes("ceterms:availableAt", "location"):
            parts = [
                texts(place.get(f"ceterms:{name}"), self.languages)
                for name in ("addressLocality", "addressRegion", "addressCountry")
            ]
            words = [p[0] for p in parts if p]
            if words:
                found.append(", ".join(words))
            else:
                found.extend(texts(place.get("ceterms:name"), self.languages)[:1])
        return found

    def _subjects(self) -> list[str]:
        found: list[str] = []
        for subject in as_list(self.node.get("ceterms:subject")):
            # An ISCED-F code as an alignment object's codedNotation in the ISCED-F scheme
            # is read as the code; the subject parser takes "ISCED-F 0613".
            node = (
                self.index.node(subject)
                if isinstance(subject, dict) and not is_language_map(subject)
                else None
            )
            code = texts(node.get("ceterms:codedNotation"))[:1] if node is not None else []
            scheme = (
                " ".join(
                    texts(node.get("ceterms:framework"))
                    + texts(node.get("ceterms:frameworkName"), self.languages)
                )
                if node is not None
                else ""
            )
            if code and ("isced" in scheme.lower()):
                found.append(f"ISCED-F {code[0]}")
            else:
                found.extend(n for n in self._concept_names([subject]) if n not in found)
        # CIP codes (https://credreg.net/ctdl/terms/instructionalProgramType) and occupations
        # are kept as their names; the normaliser classifies words, not foreign codes.
        found.extend(self._concept_names(self.node.get("ceterms:instructionalProgramType")))
        found.extend(self._text("ceterms:keyword"))
        found.extend(self._concept_names(self.node.get("ceterms:occupationType")))
        return found

    def _outcomes(self) -> list[str]:
        found: list[str] = []
        for name in ("ceterms:teaches", "ceterms:targetCompetency"):
            found.extend(self._concept_names(self.node.get(name)))
        return found

    def _conditions(self, *names: str) -> list[str]:
        found: list[str] = []
        for name in names:
            for condition in self._nodes(name, "prerequisites"):
                said = texts(condition.get("ceterms:description"), self.languages) + texts(
                    condition.get("ceterms:condition"), self.languages
                )
                found.extend(said or texts(condition.get("ceterms:name"), self.languages))
        return found

    def _quality_assurance(self) -> list[str]:
        found: list[str] = []
        for name, verb in _QUALITY_ASSURANCE:
            found.extend(f"{verb} {organization}" for organization in self._organizations(name))
        return found

    def _credential_links(self) -> None:
        own_ids = {
            own for own in (self.node.node_id, *self._text("ceterms:ctid")) if own is not None
        }
        awarded: list[str] = []
        counts_towards: list[str] = []
        for own_id in own_ids:
            for credential, only_this in self.links.credentials.get(own_id, ()):
                name = texts(credential.get("ceterms:name"), self.languages)
                if only_this:  # the credential needs nothing else: completing this earns it
                    awarded.extend(_words(t) for t in written_types(credential.raw)[:1])
                elif name:
                    counts_towards.append(name[0])
            for parent in self.links.parents.get(own_id, ()):
                counts_towards.extend(texts(parent.get("ceterms:name"), self.languages)[:1])
        for parent in self._nodes("ceterms:isPartOf", "stackable_into"):
            counts_towards.extend(texts(parent.get("ceterms:name"), self.languages)[:1])
        for profile in self._nodes("ceterms:isRequiredFor", "stackable_into"):
            for value in as_list(profile.get("ceterms:targetCredential")):
                target, _ = self.index.resolve(value)
                if target is not None:
                    counts_towards.extend(texts(target.get("ceterms:name"), self.languages)[:1])
        self._put("credential_type", awarded)
        self._put("stackable_into", counts_towards)

    def _organizations(self, name: str) -> list[str]:
        """Names of the organizations a property refers to; the reference where the
        organization is not in the document."""
        found: list[str] = []
        for value in as_list(self.node.get(name)):
            organization, reference = self.index.resolve(value)
            if organization is not None:
                found.extend(
                    texts(organization.get("ceterms:name"), self.languages)[:1]
                    or ([organization.node_id] if organization.node_id else [])
                )
            elif reference:
                found.append(reference)
        return found

    # concepts ---------------------------------------------------------------------------

    def _concepts(self, value: object) -> list[str]:
        """Concept terms as written ('deliveryType:OnlineOnly'), from a plain term or a
        CredentialAlignmentObject's targetNode; its targetNodeName where no term is given."""
        found: list[str] = []
        for element in as_list(value):
            if isinstance(element, str):
                term = [element.strip()] if element.strip() else []
            elif isinstance(element, dict):
                node = self.index.node(element)
                term = (
                    texts(node.get("ceterms:targetNode"))[:1]
                    or ([node.node_id] if node.node_id else [])
                    or texts(node.get("ceterms:targetNodeName"), self.languages)[:1]
                )
            else:
                term = []
            found.extend(t for t in term if t not in found)
        return found

    def _concept_words(self, value: object, spaced: bool = True) -> list[str]:
        """The local names of concepts ('SemesterHour' from 'creditUnit:SemesterHour'), as
        words ('Semester Hour') unless `spaced` is False."""
        words = []
        for term in self._concepts(value):
            local = re.split(r"[:/#]", term)[-1]
            words.append(_words(local) if spaced else local)
        return words

    def _concept_names(self, value: object) -> list[str]:
        """What a list of alignment objects (or competencies, or plain words) is called."""
        found: list[str] = []
        for element in as_list(value):
            if isinstance(element, dict) and not is_language_map(element):
                node, _ = self.index.resolve(element)
                if node is None:
                    continue
                name = (
                    texts(node.get("ceterms:targetNodeName"), self.languages)
                    or texts(node.get("ceasn:competencyText"), self.languages)
                    or texts(node.get("ceterms:name"), self.languages)
                    or [_words(t.split(":")[-1]) for t in texts(node.get("ceterms:targetNode"))[:1]]
                )
            else:
                name = texts(element, self.languages)
            found.extend(n for n in name if n not in found)
        return found

    # output -----------------------------------------------------------------------------

    def _put(self, field: str, values: list[str]) -> None:
        put_field(self.fields, field, values, self.issues, self.placed.locator)

    def _put_extra(self, name: str, values: list[str]) -> None:
        put_field(self.extra, name, values, self.issues, self.placed.locator)

    def _keep_unread(self) -> None:
        for written, value in self.node.unread(_READ_PROPERTIES).items():
            self.not_read.append(written)
            plain = texts(value, self.languages) or self._concepts(
                [v for v in as_list(value) if isinstance(v, dict)]
            )
            self._put_extra(written, plain)


def _duration_range(low: str | None, high: str | None) -> str:
    """Two ISO 8601 durations as one range the duration parser reads: 'P8W', 'P12W' ->
    '8 to 12 weeks'. Mixed units are written out in full ('8 weeks to 3 months')."""

    def parts(value: str | None) -> tuple[str, str] | None:
        match = _SINGLE_ISO_DURATION.match(value.strip()) if value else None
        if not match:
            return None
        if match.group(1):
            return match.group(1), _ISO_UNIT_WORDS[match.group(2).upper()]
        return match.group(3), _ISO_TIME_UNIT_WORDS[match.group(4).upper()]

    low_parts, high_parts = parts(low), parts(high)
    if low_parts and high_parts:
        if low_parts[1] == high_parts[1]:
            return f"{low_parts[0]} to {high_parts[0]} {low_parts[1]}"
        return f"{' '.join(low_parts)} to {' '.join(high_parts)}"
    if low and high:
        return f"{low} to {high}"
    return (low or high or "").strip()


def _words(term: str) -> str:
    """A CTDL term's local name as words: 'BachelorDegree' -> 'Bachelor Degree'."""
    local = term.split(":")[-1]
    return _CAMEL_BOUNDARY.sub(" ", local)


def _type_list() -> str:
    return ", ".join(OFFERING_TYPES[:-1]) + " and " + OFFERING_TYPES[-1]


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, JsonNumber):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"
