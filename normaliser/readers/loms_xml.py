"""Reader for Europass LOMS XML, the learning-opportunity upload of the Europass QMS before ELM v3.

There is no official public documentation of this schema that we found. This reader follows
ONISEP's unofficial documentation of it (github.com/lheo/loms-schema, doc/source/loms.rst and
doc/source/loms/*.rst, "no guarantee that it reflects exactly the content of the schema
provided by the European commission"): root `<qmsLearningOpportunities>` in namespace
LOMS_NAMESPACE, opportunities in `<learningOpportunities>`, their `specifiedBy` a
`learningSpecification` or `qualification` in `<learningSpecificationReferences>`, texts as
`<title><text lang="fr">...</text></title>`. LOMS is ELM's predecessor, so its elements are
renamed to ELM v3's (RENAMED below) and its vocabulary URIs to ELM's, and the shared ELM
mapping (normaliser.readers.elm) makes the records. Nothing here does I/O; the XML is read
with the same safeguards as LOQ XML.
"""

from __future__ import annotations

from lxml import etree

from normaliser.readers import elm_vocab as vocab
from normaliser.readers.base import DEFAULT_LIMITS, FeedReadResult, ReadLimits
from normaliser.readers.elm import ElmGraph, ElmNode, map_elm_graph
from normaliser.readers.elm_xml import check_root_is, parse_bounded_xml
from normaliser.readers.xcri_cap import (
    _FeedNotes,
    blank_xml_declaration,
    check_xml_prolog,
    decode_xml,
    element_name,
)
from normaliser.readers.xml_flavours import LOMS_NAMESPACE, xml_root

FORMAT_TITLE = "Europass LOMS XML"
_EXPECTED = (
    f"a {FORMAT_TITLE} document is an XML document with a <qmsLearningOpportunities> "
    f"root element in namespace {LOMS_NAMESPACE!r}"
)

# LOMS element -> the ELM v3 property that says the same (loms.rst against ELM.ttl).
RENAMED = {
    "learningSpecification": "learningAchievementSpecification",  # a node kind
    "organization": "organisation",
    "specifiedBy": "learningAchievementSpecification",
    "providedAt": "location",
    "referenceLanguage": "defaultLanguage",
    "priceDetails": "priceDetail",
    "hasISCED-FCode": "ISCEDFCode",
    "eqfLevel": "EQFLevel",
    "nqfLevel": "NQFLevel",
    "hasEducationSubject": "educationSubject",
    "learningSettingType": "learningSetting",
    "entryRequirementsNote": "entryRequirement",
    "hasLocation": "location",
    "hasAddress": "address",
    "supplementaryDoc": "supplementaryDocument",
}
# Elements that only wrap a list (<learningOutcomes><learningOutcome idref=.../>...).
_WRAPPERS = frozenset({"learningOutcomes", "awardingOpportunities"})
# LOMS vocabulary URIs (the *enum.rst pages of loms-schema) to ELM v3's (loq/cv/*.xsd).
_URI_PREFIXES = (
    ("http://data.europa.eu/esco/eqf/", vocab.EQF_LEVEL_PREFIX),
    ("http://data.europa.eu/esco/isced-f/", vocab.ISCED_F_PREFIX),
)
_MODES = {  # learningmodetypeenum.rst -> europass-modes.xsd
    "http://data.europa.eu/europass/modeOfLearningAndAssessment/online": "920fbb3cbe",
    "http://data.europa.eu/europass/modeOfLearningAndAssessment/presential": "9191af2ed9",
    "http://data.europa.eu/europass/modeOfLearningAndAssessment/workbased": "729f3bed4b",
    "http://data.europa.eu/europass/modeOfLearningAndAssessment/blended": "e92d221e4d",
}
# ectscreditpointsystemenum.rst -> credit-points.xsd (European Credit Transfer System)
_ECTS_SCHEME = "http://data.europa.eu/europass/educationalCreditPointSystem/ects"


def looks_like_loms_xml(data: bytes) -> bool:
    """True when the root element is a LOMS <qmsLearningOpportunities> (cheap sniff)."""
    return xml_root(data) == (LOMS_NAMESPACE, "qmsLearningOpportunities")


def read_loms_xml(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read a LOMS document: one record per learning opportunity, one per specification
    none of them offers. FeedFormatError when the document as a whole cannot be read."""
    deadline = limits.deadline()
    notes = _FeedNotes()
    text = blank_xml_declaration(decode_xml(data, notes, _EXPECTED))
    check_xml_prolog(text, FORMAT_TITLE, _EXPECTED, "<?xml ...?> or <qmsLearningOpportunities")
    root = parse_bounded_xml(text.encode("utf-8"), limits, deadline, _check_root, _EXPECTED)
    nodes = [_node(item) for section in _children(root) for item in _children(section)]
    limits.check_deadline(deadline)
    records, issues = map_elm_graph(ElmGraph(nodes), _locate, limits, deadline)
    return FeedReadResult(records=records, issues=notes.issues() + issues)


def _check_root(root: etree._Element) -> None:
    check_root_is(root, LOMS_NAMESPACE, "qmsLearningOpportunities", FORMAT_TITLE, _EXPECTED)


def _children(element: etree._Element):
    return (child for child in element if isinstance(child.tag, str))


def _node(element: etree._Element) -> ElmNode:
    name = element_name(element)[1]
    node = ElmNode(
        kind=RENAMED.get(name, name),
        id=_attribute(element, "id"),
        uri=_uri(_attribute(element, "uri") or _attribute(element, "idref")),
        line=element.sourceline,
    )
    children = list(_children(element))
    texts = [child for child in children if element_name(child)[1] == "text"]
    if texts:  # a LanguageString or a Note: <text lang="fr" content-type="...">...</text>
        node.text = " ".join(" ".join(texts[0].itertext()).split()) or None
        node.language = _attribute(texts[0], "lang") or _attribute(texts[0], "language")
        return node
    if name == "amount":  # <amount unit="...currency/EUR">450</amount>
        node.props = {
            "value": [ElmNode(text=(element.text or "").strip() or None)],
            "unit": [ElmNode(uri=_attribute(element, "unit"))],
        }
        return node
    if name in ("hasECTSCreditPoints", "hasCreditPoints"):
        scheme = _attribute(element, "schemeID")
        framework = (
            vocab.CREDIT_PREFIX + "6fcec5c5af"
            if scheme in (None, _ECTS_SCHEME) and name == "hasECTSCreditPoints"
            else scheme
        )
        node.kind = "creditPoint"
        node.props = {
            "point": [ElmNode(text=(element.text or "").strip() or None)],
            "framework": [ElmNode(uri=framework)],
        }
        return node
    if not children:
        node.text = (element.text or "").strip() or None
    for child in children:
        child_name = element_name(child)[1]
        if child_name in _WRAPPERS:
            for item in _children(child):
                node.props.setdefault(_property(element_name(item)[1]), []).append(_node(item))
            continue
        node.props.setdefault(_property(child_name), []).append(_node(child))
    if name == "learningOpportunity":
        _as_temporal(node)
    if node.kind == "location" and "prefLabel" in node.props:  # a Location's <name>
        node.props.setdefault("geographicName", node.props["prefLabel"])
    if name == "learningOutcome" and "prefLabel" in node.props:
        node.props.setdefault("title", node.props["prefLabel"])
    return node


def _property(name: str) -> str:
    if name in ("hasECTSCreditPoints", "hasCreditPoints"):
        return "creditPoint"
    if name == "name":  # of a price or a location
        return "prefLabel"
    return RENAMED.get(name, name)


def _as_temporal(node: ElmNode) -> None:
    """LOMS startedAtDate / endedAtDate are ELM's temporal startDate / endDate."""
    period = ElmNode(kind="PeriodOfTime")
    for written, elm_name in (("startedAtDate", "startDate"), ("endedAtDate", "endDate")):
        if written in node.props:
            period.props[elm_name] = node.props.pop(written)
    if period.props:
        node.props["temporal"] = [period]


def _uri(uri: str | None) -> str | None:
    if not uri:
        return uri
    if uri in _MODES:
        return vocab.MODE_PREFIX + _MODES[uri]
    for loms, elm in _URI_PREFIXES:
        if uri.startswith(loms):
            return elm + uri[len(loms) :]
    return uri


def _attribute(element: etree._Element, name: str) -> str | None:
    value = element.get(name)
    return value.strip() if value and value.strip() else None


def _locate(node: ElmNode, _number: int) -> tuple[str, int | None]:
    return f"line {node.line}", node.line
