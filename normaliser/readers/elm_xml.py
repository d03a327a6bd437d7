"""Reader for ELM v3 LOQ XML, the upload format of Europass's Qualifications Dataset Register.

A LOQ document (root `<Courses>` in namespace LOQ_NAMESPACE; schema and samples in
shared/reference/elm-v3-loq/loq/) lists its objects in sections, `learningOpportunityReferences`,
`learningAchievementSpecificationReferences` (qualifications or specifications),
`agentReferences`, `locationReferences` and so on, and links them by `idref`. Each object
becomes an `ElmNode` named by its element's local name; `normaliser.readers.elm` maps them to
records, one per learning opportunity. Nothing here does I/O.

Safety is XCRI-CAP's (normaliser.readers.xcri_cap, whose helpers this uses): any DTD is
refused before the parser sees a byte, the parser resolves no entities and loads nothing,
element nesting is bounded by `ReadLimits.max_depth`, the number of records by
`max_records`, and wall-clock time is checked between chunks and between records. The whole
tree is kept, since references point forwards as well as back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from normaliser.readers.base import (
    DEFAULT_LIMITS,
    FeedFormatError,
    FeedLimitExceeded,
    FeedReadResult,
    ReadLimits,
)
from normaliser.readers.elm import ElmGraph, ElmNode, map_elm_graph
from normaliser.readers.xcri_cap import (
    _FeedNotes,
    blank_xml_declaration,
    check_xml_prolog,
    decode_xml,
    element_name,
    locked_down_xml_parser,
    xml_syntax_error,
)
from normaliser.readers.xml_flavours import LOQ_NAMESPACE, describe_xml_root, xml_root

FORMAT_TITLE = "ELM LOQ XML"
_EXPECTED = (
    f"an {FORMAT_TITLE} document is an XML document with a <Courses> root element in "
    f"namespace {LOQ_NAMESPACE!r}"
)
_CHUNK = 256 * 1024


def looks_like_elm_loq_xml(data: bytes) -> bool:
    """True when the root element is a LOQ <Courses> (cheap sniff of the first bytes)."""
    return xml_root(data) == (LOQ_NAMESPACE, "Courses")


def read_elm_loq_xml(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read a LOQ XML document: one record per learning opportunity (with one instance, its
    dates, mode and price), plus one per qualification or specification no opportunity offers.

    Raises FeedFormatError (FeedLimitExceeded for a limit) when the document as a whole
    cannot be read or is not LOQ; a record the catalogue cannot accept (no title) still
    comes back, with an error issue naming it.
    """
    deadline = limits.deadline()
    notes = _FeedNotes()
    text = decode_xml(data, notes, _EXPECTED)
    text = blank_xml_declaration(text)
    check_xml_prolog(text, FORMAT_TITLE, _EXPECTED, "<?xml ...?> or <Courses")
    root = parse_bounded_xml(text.encode("utf-8"), limits, deadline, _check_root, _EXPECTED)
    nodes = [_node(item) for section in _children(root) for item in _children(section)]
    limits.check_deadline(deadline)
    records, issues = map_elm_graph(ElmGraph(_with_nested(nodes)), _locate, limits, deadline)
    return FeedReadResult(records=records, issues=notes.issues() + issues)


def parse_bounded_xml(
    document: bytes,
    limits: ReadLimits,
    deadline: float,
    check_root: Callable[[etree._Element], None],
    expected: str,
) -> etree._Element:
    """The whole tree of a document (already decoded and checked by check_xml_prolog), with
    depth bounded by the limits and the root checked as soon as it starts."""
    parser = locked_down_xml_parser()
    etree.clear_error_log()
    depth = 0
    root = None
    try:
        for start in range(0, len(document), _CHUNK):
            parser.feed(document[start : start + _CHUNK])
            depth, root = _check_events(parser.read_events(), depth, root, limits, check_root)
            limits.check_deadline(deadline)
        parser.close()
        depth, root = _check_events(parser.read_events(), depth, root, limits, check_root)
    except etree.XMLSyntaxError as exc:
        raise xml_syntax_error(exc) from exc
    if root is None:
        raise FeedFormatError(f"the feed has no root element: {expected}")
    return root


def _check_events(
    events: Iterator[tuple[str, etree._Element]],
    depth: int,
    root: etree._Element | None,
    limits: ReadLimits,
    check_root: Callable[[etree._Element], None],
) -> tuple[int, etree._Element | None]:
    for event, element in events:
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth == 1:
            root = element
            check_root(element)
        if depth > limits.max_depth:
            raise FeedLimitExceeded(
                f"elements are nested more than {limits.max_depth} deep (at "
                f"<{element_name(element)[1]}>); an ELM document needs about ten levels",
                line=element.sourceline,
            )
    return depth, root


def _check_root(root: etree._Element) -> None:
    check_root_is(root, LOQ_NAMESPACE, "Courses", FORMAT_TITLE, _EXPECTED)


def check_root_is(
    root: etree._Element, namespace_wanted: str, name_wanted: str, format_title: str, expected: str
) -> None:
    """Refuse a DTD (behind the prolog scan) and a root that is not the one wanted, saying
    what the document looks like."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise FeedFormatError(
            "XML feeds may not contain a DTD (DOCTYPE); remove the <!DOCTYPE ...> declaration",
            line=root.sourceline,
        )
    namespace, name = element_name(root)
    if (namespace, name) == (namespace_wanted, name_wanted):
        return
    where = f"in namespace {namespace!r}" if namespace else "in no namespace"
    looks = describe_xml_root(namespace, name)
    hint = f"; this looks like {looks}" if looks else ""
    raise FeedFormatError(
        f"not an {format_title} document: the root element is <{name}> "
        f"{where}{hint}. {expected[0].upper()}{expected[1:]}",
        line=root.sourceline,
    )


def _children(element: etree._Element) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str))


def _node(element: etree._Element) -> ElmNode:
    """An element as a node: its attributes `id`, `uri` / `idref`, `language`, its text when
    it has no child elements, and its children by local name."""
    node = ElmNode(
        kind=element_name(element)[1],
        id=_attribute(element, "id"),
        uri=_attribute(element, "uri") or _attribute(element, "idref"),
        language=_attribute(element, "language"),
        line=element.sourceline,
    )
    children = list(_children(element))
    if not children:
        node.text = (element.text or "").strip() or None
    for child in children:
        node.props.setdefault(element_name(child)[1], []).append(_node(child))
    return node


def _attribute(element: etree._Element, name: str) -> str | None:
    value = element.get(name)
    return value.strip() if value and value.strip() else None


def _with_nested(nodes: list[ElmNode]) -> Iterator[ElmNode]:
    """The top-level objects first, then any node with an id described inside one."""
    yield from nodes
    stack = [value for node in nodes for values in node.props.values() for value in values]
    while stack:
        node = stack.pop()
        if node.id and node.props:
            yield node
        stack.extend(value for values in node.props.values() for value in values)


def _locate(node: ElmNode, _number: int) -> tuple[str, int | None]:
    return f"line {node.line}", node.line
