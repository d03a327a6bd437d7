"""Which XML format a document is, from its root element: for detection and for refusals
that name what a document looks like rather than what it is not."""

from __future__ import annotations

import re

# ELM v3 LOQ: the targetNamespace of shared/reference/elm-v3-loq/loq/loq.xsd.
LOQ_NAMESPACE = "http://data.europa.eu/snb/model/ap/loq-constraints/"
XCRI_CAP_NAMESPACES = ("http://xcri.org/profiles/1.2/catalog", "http://xcri.org/profiles/catalog")

_FIRST_TAG_RE = re.compile(r"<(?![?!/])(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)([^>]*)>?")
_XMLNS_RE = re.compile(r"""xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(["'])(.*?)\2""", re.S)
_COMMENT_OR_PI_RE = re.compile(r"<!--.*?-->|<\?.*?\?>", re.S)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

# Formats we do not read, by the root element (namespace, local name) they are known by;
# None as the namespace matches any. Sources:
# - LHEO, France's course-offer language (lheo.gouv.fr/2.3/introduction.html; element list in
#   dev.lheo.org/languages/lheo/2.2/doc, "Élément racine d'un fichier en LHÉO/XML"): root
#   <lheo> holding offres / formation / action / session. Matched by name in any namespace.
# - RSS (<rss>) and Atom (<feed> in http://www.w3.org/2005/Atom): news feeds, often given by
#   mistake for a course feed.
# LOMS, the learning-opportunity XML of the Europass QMS (read by normaliser.readers.loms_xml;
# ONISEP's unofficial documentation of the schema, github.com/lheo/loms-schema,
# doc/source/loms.rst): root <qmsLearningOpportunities> in this namespace.
LOMS_NAMESPACE = "http://data.europa.eu/europass/qms-xml/schema/learning-opportunities"
_LHEO = "LHEO (France's course-offer XML: formation / action / session)"
_UNREAD: tuple[tuple[str | None, str, str], ...] = (
    (None, "lheo", _LHEO),
    (None, "rss", "an RSS news feed"),
    ("http://www.w3.org/2005/Atom", "feed", "an Atom news feed"),
    (None, "html", "an HTML web page"),
)


def xml_root(data: bytes) -> tuple[str | None, str] | None:
    """(namespace, local name) of the first element, read from the first 8 KiB; None if none."""
    head = data[:8192]
    for bom in _BOMS:
        if head.startswith(bom):
            encoding = {3: "utf-8"}.get(len(bom)) or (
                "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
            )
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
            text = head.decode("utf-16-be" if head[0] == 0 else "utf-16-le", errors="ignore")
        else:
            text = head.decode("utf-8", errors="ignore")
    text = _COMMENT_OR_PI_RE.sub("", text)
    if not text.lstrip().startswith("<"):
        return None
    tag = _FIRST_TAG_RE.search(text)
    if tag is None:
        return None
    prefix, name, attributes = tag.group(1), tag.group(2), tag.group(3)
    declared = {match.group(1): match.group(3) for match in _XMLNS_RE.finditer(attributes)}
    return declared.get(prefix), name


def describe_xml_root(namespace: str | None, name: str) -> str | None:
    """What a document with this root is, when it is a format we know but do not read."""
    if namespace == LOQ_NAMESPACE:
        return "ELM LOQ XML (format elm-loq-xml)"
    if namespace in XCRI_CAP_NAMESPACES:
        return "XCRI-CAP (format xcri-cap)"
    for known_namespace, known_name, title in _UNREAD:
        if name.lower() == known_name.lower() and known_namespace in (None, namespace):
            return title
    if namespace and "lheo" in namespace.lower():
        return _LHEO
    if namespace == LOMS_NAMESPACE:
        return "Europass LOMS XML (format loms-xml)"
    return None


def unread_xml_format(data: bytes) -> str | None:
    """The name of a format we know but do not read, when the document's root says so."""
    root = xml_root(data)
    if root is None:
        return None
    namespace, name = root
    if namespace in (LOQ_NAMESPACE, LOMS_NAMESPACE) or namespace in XCRI_CAP_NAMESPACES:
        return None
    return describe_xml_root(namespace, name)
