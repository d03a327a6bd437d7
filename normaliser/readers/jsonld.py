"""What the JSON-LD readers (CTDL, schema.org) share: loading, terms, texts and references.

This is not a JSON-LD processor. Contexts are never fetched and documents are never
expanded; instead the readers accept the few spellings providers actually use for one
term (`ceterms:name`, the full IRI `https://purl.org/ctdl/terms/name`, a bare `name`) and
resolve `@id` references within the one document they were given. Nothing here does I/O.

Values in JSON-LD may be a string, a number, a boolean, a list, a language map
(`{"en-US": "..."}`), a value object (`{"@value": "...", "@language": "en"}`) or a node (an
object of its own, possibly only `{"@id": "..."}` pointing at another node). `texts` reads
the first five kinds as text; nodes are each reader's business.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import FeedFormatError, FeedLimitExceeded, ReadLimits

_UTF8_BOM = b"\xef\xbb\xbf"
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A JSON string (already known to be valid) or one bracket: enough to measure nesting.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# BCP 47 language tags as they appear as language-map keys: 'en', 'en-US', 'mi', 'zh-Hant-TW'.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_BLANK_NODE_PREFIX = "_:"


class JsonNumber(str):
    """A JSON number kept as the provider wrote it: `995.00` stays '995.00', not 995.0."""


# --- loading ---------------------------------------------------------------------------


@dataclass
class JsonDocument:
    """A parsed JSON text that can still say on which line any of its values starts."""

    value: object
    text: str
    _offsets: dict[tuple, int | None] = field(default_factory=dict, repr=False)
    _children: dict[tuple, dict[str | int, int]] = field(default_factory=dict, repr=False)
    _line_starts: list[int] | None = field(default=None, repr=False)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """The line (from 1) where the value at `path` (keys and list indexes) starts."""
        offset = self._offset(path)
        if offset is None:
            return None
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        return bisect.bisect_right(self._line_starts, offset)

    def _offset(self, path: tuple[str | int, ...]) -> int | None:
        if path not in self._offsets:
            if not path:
                self._offsets[path] = _skip_whitespace(self.text, 0)
            else:
                parent = self._offset(path[:-1])
                self._offsets[path] = (
                    None if parent is None else self._child_offsets(path[:-1], parent).get(path[-1])
                )
        return self._offsets[path]

    def _child_offsets(self, parent_path: tuple, start: int) -> dict[str | int, int]:
        """Where each member (or element) of the container at `start` begins; walked once."""
        if parent_path not in self._children:
            self._children[parent_path] = _container_offsets(self.text, start)
        return self._children[parent_path]


def load_json_document(data: bytes, limits: ReadLimits, format_name: str) -> JsonDocument:
    """Decode and parse a JSON feed; refuse it whole, with its position, if it is not JSON.

    Numbers stay as written (`JsonNumber`). Nesting deeper than `limits.max_depth` raises
    FeedLimitExceeded at the first container that is too deep.
    """
    text = _decode(data, format_name)
    bom_length = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    decoder = json.JSONDecoder(
        parse_int=JsonNumber, parse_float=JsonNumber, parse_constant=JsonNumber
    )
    try:
        value = decode_within_depth(decoder, text, limits.max_depth, f"the {format_name} document")
    except json.JSONDecodeError as exc:
        raise FeedFormatError(
            f"invalid JSON in the {format_name} document: {exc.msg}",
            line=exc.lineno,
            column=exc.colno,
            offset=bom_length + len(text[: exc.pos].encode("utf-8")),
        ) from exc
    return JsonDocument(value=value, text=text)


def decode_within_depth(decoder: json.JSONDecoder, text: str, max_depth: int, where: str) -> object:
    """`decoder.decode(text)`, refusing (FeedLimitExceeded, with line and column) a text whose
    lists and objects nest deeper than `max_depth`. Python's parser recurses once per level,
    so a 1 KB text of brackets would otherwise raise RecursionError, which no reader reports
    as a feed problem. json.JSONDecodeError passes through for the caller to word."""
    try:
        value = decoder.decode(text)
    except RecursionError:
        _check_text_depth(text, max_depth)
        raise FeedLimitExceeded(  # only reached when max_depth is above Python's own limit
            f"{where} is nested too deeply to read"
        ) from None
    try:
        check_depth(value, max_depth, where)
    except FeedLimitExceeded:
        _check_text_depth(text, max_depth)  # the slower scan that can say where
        raise
    return value


def check_depth(value: object, max_depth: int, where: str) -> None:
    """Refuse an already parsed value nested deeper than `max_depth` lists and objects."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if not isinstance(current, (list, dict)):
            continue
        if depth > max_depth:
            raise FeedLimitExceeded(
                f"{where} is nested more than {max_depth} levels deep (objects within objects "
                "or lists); flatten it, e.g. by giving nodes an @id and referring to them"
            )
        children = current.values() if isinstance(current, dict) else current
        stack.extend((child, depth + 1) for child in children)


def _check_text_depth(text: str, max_depth: int) -> None:
    """Raise FeedLimitExceeded, with its line and column, at the first container nested
    deeper than `max_depth` in a JSON text."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                line, column = _line_and_column(text, match.start())
                raise FeedLimitExceeded(
                    f"the document is nested more than {max_depth} levels deep (objects within "
                    "objects or lists); flatten it, e.g. by giving nodes an @id and referring "
                    "to them",
                    line=line,
                    column=column,
                )
        elif token in "]}":
            depth -= 1


def _decode(data: bytes, format_name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FeedFormatError(
            f"the {format_name} document is UTF-16 encoded; save it as UTF-8", offset=0
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FeedFormatError(
            f"the {format_name} document contains a NUL byte, so it is binary data, not JSON text",
            offset=nul,
        )
    bom_length = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return data[bom_length:].decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[bom_length : bom_length + exc.start].decode("utf-8")
        line, column = _line_and_column(prefix, len(prefix))
        raise FeedFormatError(
            f"the {format_name} document is not valid UTF-8 ({exc.reason}); save it as UTF-8",
            line=line,
            column=column,
            offset=bom_length + exc.start,
        ) from exc


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    line, line_start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, position):
        line, line_start = line + 1, match.end()
    return line, position - line_start + 1


def _skip_whitespace(text: str, position: int) -> int:
    return _JSON_WHITESPACE.match(text, position).end()  # type: ignore[union-attr]


def _container_offsets(text: str, start: int) -> dict[str | int, int]:
    """Offsets of the values inside the (valid) array or object starting at `start`.

    json gives no positions, so the container is walked again with raw_decode, which says
    where each value ends. Keys of an object map to their value; indexes of an array to
    their element.
    """
    scanner = json.JSONDecoder()
    offsets: dict[str | int, int] = {}
    opening = text[start]
    if opening not in "[{":
        return offsets
    closing = "]" if opening == "[" else "}"
    position = _skip_whitespace(text, start + 1)
    index = 0
    while text[position] != closing:
        if opening == "{":
            key, position = scanner.raw_decode(text, position)
            position = _skip_whitespace(text, _skip_whitespace(text, position) + 1)  # past ":"
            offsets[key] = position
        else:
            offsets[index] = position
            index += 1
        _, position = scanner.raw_decode(text, position)
        position = _skip_whitespace(text, position)
        if text[position] == ",":
            position = _skip_whitespace(text, position + 1)
    return offsets


# --- terms -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """How one family of vocabularies may be written, so every spelling maps to one name.

    `namespaces` maps a canonical prefix to the namespace IRIs it stands for; a term
    written with a prefix the document's own @context binds to one of those IRIs counts
    too. Bare terms belong to `default_prefix`.
    """

    namespaces: Mapping[str, tuple[str, ...]]
    default_prefix: str
    aliases: Mapping[str, str] = field(default_factory=dict)  # written prefix -> canonical
    # Every node repeats the same few keys, so each spelling is worked out once.
    _known: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def with_contexts(self, contexts: Iterable[object]) -> Terms:
        """These terms plus the prefixes (and @vocab) the given @context values declare."""
        aliases = dict(self.aliases)
        default = self.default_prefix
        for context in contexts:
            for entry in context if isinstance(context, list) else [context]:
                if not isinstance(entry, dict):
                    continue  # a remote context is never fetched; its usual prefixes are known
                for name, iri in entry.items():
                    canonical = self._prefix_of_namespace(iri)
                    if canonical is None:
                        continue
                    if name == "@vocab":
                        default = canonical
                    elif not name.startswith("@"):
                        aliases[name] = canonical
        return Terms(self.namespaces, default, aliases)

    def canonical(self, term: object) -> str | None:
        """'prefix:local' for a property or type name as written, or None if not ours."""
        if not isinstance(term, str):
            return None
        if term not in self._known:
            if len(self._known) > 10_000:  # bound the memory a hostile feed can take
                self._known.clear()
            self._known[term] = self._canonical(term)
        return self._known[term]

    def _canonical(self, term: str) -> str | None:
        if not term or term.startswith("@"):
            return None
        for prefix, iris in self.namespaces.items():
            for iri in iris:
                if term.startswith(iri) and len(term) > len(iri):
                    return f"{prefix}:{term[len(iri) :]}"
        if "://" in term:
            return None
        written, colon, local = term.partition(":")
        if not colon:
            return f"{self.default_prefix}:{term}"
        if written in self.namespaces:
            return term
        if written in self.aliases:
            return f"{self.aliases[written]}:{local}"
        return None

    def _prefix_of_namespace(self, iri: object) -> str | None:
        # Contexts write the same namespace with and without its closing slash
        # ("http://schema.org" as well as "https://schema.org/").
        if not isinstance(iri, str):
            return None
        for prefix, iris in self.namespaces.items():
            if iri in iris or iri.strip() + "/" in iris:
                return prefix
        return None


def contexts_of(root: object) -> list[object]:
    """The @context values at the top of a document (or of each item of a top-level list)."""
    items = root if isinstance(root, list) else [root]
    return [item["@context"] for item in items if isinstance(item, dict) and "@context" in item]


class Node:
    """One JSON-LD node with its properties under canonical names ('ceterms:name')."""

    __slots__ = ("raw", "properties", "written", "foreign")

    def __init__(self, raw: dict, terms: Terms) -> None:
        self.raw = raw
        self.properties: dict[str, object] = {}
        self.written: dict[str, str] = {}  # canonical name -> the key as the provider wrote it
        self.foreign: dict[str, object] = {}  # keys of vocabularies these terms do not cover
        for key, value in raw.items():
            name = terms.canonical(key)
            if name is None:
                if isinstance(key, str) and not key.startswith("@"):
                    self.foreign[key] = value
            elif name not in self.properties:
                self.properties[name] = value
                self.written[name] = key

    def unread(self, read: frozenset[str]) -> dict[str, object]:
        """Properties, under the keys as written, that are not among the canonical `read`."""
        found = {
            self.written[name]: value for name, value in self.properties.items() if name not in read
        }
        found.update(self.foreign)
        return found

    def get(self, *names: str) -> object:
        """The value of the first of `names` the node has, or None."""
        for name in names:
            if name in self.properties:
                return self.properties[name]
        return None

    @property
    def node_id(self) -> str | None:
        value = self.raw.get("@id")
        return value.strip() if isinstance(value, str) and value.strip() else None


def node_types(raw: dict, terms: Terms, type_keys: tuple[str, ...] = ("@type",)) -> list[str]:
    """The node's types as canonical names; types from other vocabularies are left out."""
    found: list[str] = []
    for key in type_keys:
        for written in as_list(raw.get(key)):
            name = terms.canonical(written)
            if name is not None and name not in found:
                found.append(name)
    return found


def written_types(raw: dict, type_keys: tuple[str, ...] = ("@type",)) -> list[str]:
    for key in type_keys:
        found = [t for t in as_list(raw.get(key)) if isinstance(t, str) and t.strip()]
        if found:
            return found
    return []


def is_blank_node_id(node_id: str | None) -> bool:
    return bool(node_id and node_id.startswith(_BLANK_NODE_PREFIX))


# --- values ----------------------------------------------------------------------------


def as_list(value: object) -> list:
    """A value as a list: JSON-LD gives one value or an array (or an @list or @set object)."""
    if value is None:
        return []
    if isinstance(value, dict) and len(value) == 1 and ("@list" in value or "@set" in value):
        value = value.get("@list", value.get("@set"))
        if value is None:
            return []
    return value if isinstance(value, list) else [value]


def is_language_map(value: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(value, dict)
        and bool(value)
        and "@type" not in value
        and "@id" not in value  # the common case, decided fast
        and all(isinstance(key, str) and _LANGUAGE_TAG.match(key) for key in value)
        and all(isinstance(v, (str, list)) or v is None for v in value.values())
    )


def is_value_object(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and "@value" in value


def texts(value: object, languages: tuple[str, ...] = ()) -> list[str]:
    """Every plain text in a value: strings, numbers as written, language maps, value objects.

    From a language map (or a list of language-tagged value objects) only one language is
    taken: the first of `languages` it has, else English, else the first one written.
    Nodes are not text and give nothing.
    """
    found: list[str] = []
    for text in _texts(value, languages):
        text = _LINE_BREAK.sub("\n", text).strip()
        if text and text not in found:
            found.append(text)
    return found


def _texts(value: object, languages: tuple[str, ...]) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, bool):  # before numbers: JSON true must not become "1"
        yield "true" if value else "false"
    elif isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)):
        yield str(value)
    elif isinstance(value, dict) and ("@list" in value or "@set" in value):
        yield from _texts(value.get("@list", value.get("@set")), languages)
    elif isinstance(value, list):
        tagged: dict[str, list[object]] = {}
        for element in value:
            if is_value_object(element) and isinstance(element.get("@language"), str):
                tagged.setdefault(element["@language"], []).append(element["@value"])
        if len(tagged) > 1:
            for element in _pick_language(tagged, languages):
                yield from _texts(element, languages)
            value = [e for e in value if not (is_value_object(e) and "@language" in e)]
        for element in value:
            yield from _texts(element, languages)
    elif is_value_object(value):
        yield from _texts(value["@value"], languages)
    elif is_language_map(value):
        yield from _texts(_pick_language(value, languages), languages)


_V = TypeVar("_V")


def _pick_language(by_language: Mapping[str, _V], languages: tuple[str, ...]) -> _V:
    keys = list(by_language)
    for wanted in (*languages, "en"):
        primary = wanted.split("-")[0].casefold()
        for key in keys:
            if key.casefold() == wanted.casefold() or key.split("-")[0].casefold() == primary:
                return by_language[key]
    return by_language[keys[0]]


# Feed-format-v1 fields that hold one value: a second one is dropped with a warning rather
# than joined into one text the value parsers would misread.
SINGLE_VALUE_FIELDS = frozenset(
    {"id", "title", "description", "url", "credits", "duration", "level"}
)


def put_field(
    fields: dict[str, str | list[str]],
    field: str,
    values: list[str],
    issues: list[Issue],
    locator: str,
) -> None:
    """Store texts under a field: one as a string, several as a list, none not at all."""
    values = list(dict.fromkeys(v for v in values if v))
    if not values:
        return
    if len(values) > 1 and field in SINGLE_VALUE_FIELDS:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"{locator} gives {len(values)} different values for {field}; the first was kept",
                value=preview(values),
            )
        )
        values = values[:1]
    fields[field] = values[0] if len(values) == 1 else values


# Keys of `describe_counts` for top-level values that are not typed nodes.
NOT_A_NODE = "(not a JSON object)"
NO_TYPE = "(no @type)"


def describe_counts(counts: Counter[str]) -> str:
    """'3 ceterms:CredentialOrganization nodes, 1 node without @type' from counts by type."""
    parts = []
    for name, count in counts.most_common():
        plural = count != 1
        if name == NOT_A_NODE:
            parts.append(
                f"{count} value{'s' if plural else ''} that "
                f"{'are' if plural else 'is'} not a JSON object"
            )
        elif name == NO_TYPE:
            parts.append(f"{count} node{'s' if plural else ''} without @type")
        else:
            parts.append(f"{count} {name} node{'s' if plural else ''}")
    return ", ".join(parts)


def preview(value: object) -> str:
    """Short JSON text of a value for an issue."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:199] + "…"


# --- references ------------------------------------------------------------------------


class NodeIndex:
    """Every node in a document that has an @id, so references can be followed in it.

    Only the document itself is searched: a reference to anything outside it stays a
    reference, because readers never fetch.
    """

    def __init__(self, root: object, terms: Terms, alternate_ids: tuple[str, ...] = ()) -> None:
        """`alternate_ids` are properties that identify a node as well as its @id does (a
        CTDL CTID): a reference whose last path segment is one of them finds the node."""
        self.terms = terms
        self._by_id: dict[str, dict] = {}
        self._by_alternate_id: dict[str, dict] = {}
        self._nodes: dict[int, Node] = {}
        stack = [root]
        while stack:
            current = stack.pop()
            if isinstance(current, list):
                stack.extend(current)
            elif isinstance(current, dict):
                node_id = current.get("@id")
                # A bare {"@id": ...} is a reference, not the node's description.
                if isinstance(node_id, str) and len(current) > 1:
                    self._by_id.setdefault(node_id.strip(), current)
                for key, value in current.items():
                    if (
                        alternate_ids
                        and isinstance(value, str)
                        and value.strip()
                        and terms.canonical(key) in alternate_ids
                    ):
                        self._by_alternate_id.setdefault(value.strip(), current)
                stack.extend(current.values())

    def node(self, raw: dict) -> Node:
        cached = self._nodes.get(id(raw))
        if cached is None or cached.raw is not raw:
            cached = Node(raw, self.terms)
            self._nodes[id(raw)] = cached
        return cached

    def lookup(self, node_id: str) -> dict | None:
        reference = node_id.strip()
        found = self._by_id.get(reference)
        if found is None and self._by_alternate_id:
            found = self._by_alternate_id.get(reference.rstrip("/").rsplit("/", 1)[-1])
        return found

    def resolve(self, value: object) -> tuple[Node | None, str | None]:
        """The node a value is or refers to, or the reference when it is not in the document.

        Call it only where a node is expected: there a string is a reference (an @id).
        """
        if isinstance(value, dict):
            if is_value_object(value) or is_language_map(value):
                return None, None
            node_id = value.get("@id")
            if len(value) == 1 and isinstance(node_id, str):
                found = self.lookup(node_id)
                return (self.node(found), None) if found is not None else (None, node_id)
            return self.node(value), None
        if isinstance(value, str) and value.strip():
            found = self.lookup(value)
            return (self.node(found), None) if found is not None else (None, value.strip())
        return None, None
