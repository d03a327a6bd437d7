"""Reader for ELM v3 JSON-LD: learning opportunities, learning achievement specifications and
qualifications, and the `specifiedBy` of the claims of a Europass digital credential.

Like the other JSON-LD readers (normaliser.readers.jsonld) this is no JSON-LD processor:
contexts are never fetched, and a property is known by its local name however it is written
(`title`, `dc:title`, `http://purl.org/dc/terms/title`), which is the name the ELM ontology
gives it (shared/reference/elm-v3-loq/ontology/ELM.ttl) and the LOQ XML uses too. Every
object becomes an `ElmNode`; `normaliser.readers.elm` maps them to records, one per learning
opportunity, then one per specification that no opportunity offers, such as the
qualification a credential's claim is `specifiedBy`. Nothing here does I/O.
"""

from __future__ import annotations

from collections import Counter

from normaliser.readers.base import DEFAULT_LIMITS, FeedFormatError, FeedReadResult, ReadLimits
from normaliser.readers.elm import (
    OPPORTUNITY_KINDS,
    SPECIFICATION_KINDS,
    ElmGraph,
    ElmNode,
    map_elm_graph,
)
from normaliser.readers.jsonld import (
    JsonDocument,
    as_list,
    is_language_map,
    is_value_object,
    load_json_document,
)

FORMAT_TITLE = "ELM JSON-LD"
_BOM = b"\xef\xbb\xbf"
# The ELM namespaces and context documents: http://data.europa.eu/snb/model/elm/ (ELM.ttl)
# and http://data.europa.eu/snb/model/context/... (the EDC and LOQ JSON-LD contexts).
_MARKERS = (b"data.europa.eu/snb/model",)
# Type names only ELM uses; CTDL and schema.org name theirs differently.
_TYPE_MARKERS = (
    b'"LearningAchievementSpecification"',
    b'"LearningOpportunity"',
    b'"Qualification"',
    b'"EuropeanDigitalCredential"',
)
_ID_KEYS = ("id", "@id")
_TYPE_KEYS = ("type", "@type")
_SKIPPED_KEYS = frozenset({"@context", "id", "@id", "type", "@type"})


def looks_like_elm_jsonld(data: bytes) -> bool:
    """True when the bytes start like JSON and name the ELM namespace or an ELM-only type."""
    head = data[:65536]
    start = head[len(_BOM) :] if head.startswith(_BOM) else head
    start = start.lstrip(b" \t\r\n")
    if start[:1] not in (b"{", b"["):
        return False
    if b"ceterms:" in head or b"purl.org/ctdl" in head:
        return False
    return any(marker in head for marker in _MARKERS) or (
        any(marker in head for marker in _TYPE_MARKERS[:2]) and b"schema.org" not in head
    )


def read_elm_jsonld(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> FeedReadResult:
    """Read an ELM JSON-LD document (one node, a list, an @graph or a credential).

    Raises FeedFormatError for invalid JSON, nesting beyond the limits, or a document with
    no learning opportunity and no specification in it.
    """
    deadline = limits.deadline()
    document = load_json_document(data, limits, FORMAT_TITLE)
    converter = _Converter(document)
    converter.value(document.value, ())
    limits.check_deadline(deadline)
    kinds = Counter(node.kind for node in converter.described if node.kind)
    if not any(
        node.kind.lower() in OPPORTUNITY_KINDS | SPECIFICATION_KINDS for node in converter.described
    ):
        held = (
            ", ".join(
                f"{count} {kind} node{'s' if count > 1 else ''}"
                for kind, count in kinds.most_common(8)
            )
            or "no typed node"
        )
        raise FeedFormatError(
            f"no learning opportunity in this {FORMAT_TITLE} document: it holds {held}. This "
            "reader reads LearningOpportunity, LearningAchievementSpecification and "
            "Qualification nodes (and the specifiedBy of a credential's claims)"
        )
    records, issues = map_elm_graph(
        ElmGraph(converter.described), converter.locate, limits, deadline
    )
    return FeedReadResult(records=records, issues=issues)


class _Converter:
    """JSON values to ElmNodes; every described object is kept, in document order."""

    def __init__(self, document: JsonDocument) -> None:
        self.document = document
        self.described: list[ElmNode] = []
        self._paths: dict[int, tuple] = {}

    def value(self, value: object, path: tuple) -> list[ElmNode]:
        if value is None:
            return []
        if isinstance(value, list) or (
            isinstance(value, dict) and ("@list" in value or "@set" in value) and len(value) == 1
        ):
            found: list[ElmNode] = []
            items = as_list(value)
            for index, item in enumerate(items):
                found.extend(self.value(item, (*path, index)))
            return found
        if isinstance(value, bool):
            return [ElmNode(text="true" if value else "false")]
        if isinstance(value, str):  # JsonNumber is a str: numbers stay as written
            text = value.strip()
            if not text:
                return []
            # A string where a node may stand is a reference (an IRI); keep it as both.
            is_iri = "://" in text or text.startswith(("urn:", "_:"))
            return [ElmNode(text=text, uri=text if is_iri else None)]
        if isinstance(value, (int, float)):
            return [ElmNode(text=str(value))]
        if not isinstance(value, dict):
            return []
        if is_value_object(value):
            language = value.get("@language")
            return [
                ElmNode(
                    text=str(value["@value"]).strip(),
                    language=language if isinstance(language, str) else None,
                )
            ]
        # ELM's contexts alias `id` and `type` to @id and @type, so an object with either is a
        # node, even though 'id' would also pass as a language tag (Indonesian).
        if is_language_map(value) and not any(key in value for key in (*_ID_KEYS, *_TYPE_KEYS)):
            return [
                ElmNode(text=text.strip(), language=language)
                for language, texts in value.items()
                for text in as_list(texts)
                if isinstance(text, str) and text.strip()
            ]
        return [self.node(value, path)]

    def node(self, raw: dict, path: tuple) -> ElmNode:
        node_id = next(
            (
                raw[key].strip()
                for key in _ID_KEYS
                if isinstance(raw.get(key), str) and raw[key].strip()
            ),
            None,
        )
        node = ElmNode(kind=_kind(raw), id=node_id)
        for key, value in raw.items():
            if key == "@graph":  # the nodes of a graph are nodes of the document, not values
                self.value(value, (*path, key))
                continue
            if key in _SKIPPED_KEYS or not isinstance(key, str) or key.startswith("@"):
                continue
            values = self.value(value, (*path, key))
            if values:
                node.props.setdefault(_local_name(key), []).extend(values)
        if node.props:
            self.described.append(node)
            self._paths[id(node)] = path
        elif node_id:
            node.uri = node_id  # {"id": ...} alone refers to a node described elsewhere
        return node

    def locate(self, node: ElmNode, number: int) -> tuple[str, int | None]:
        path = self._paths.get(id(node))
        line = self.document.line_of(path) if path is not None else None
        return f"item {number}", line


def _kind(raw: dict) -> str:
    """The node's type by local name, preferring the kinds this reader maps."""
    written = [
        _local_name(t)
        for key in _TYPE_KEYS
        for t in as_list(raw.get(key))
        if isinstance(t, str) and t.strip()
    ]
    for name in written:
        if name.lower() in OPPORTUNITY_KINDS | SPECIFICATION_KINDS:
            return name
    return written[0] if written else ""


def _local_name(term: str) -> str:
    """'dc:title', 'http://purl.org/dc/terms/title', 'title' -> 'title'."""
    for separator in ("#", "/", ":"):
        if separator in term:
            term = term.rsplit(separator, 1)[-1]
    return term
