"""Plain text from a description that may be HTML: tags dropped, entities decoded, paragraphs kept."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from normaliser.parsers.memo import memoised

# Elements that start a new paragraph, and those whose content is never text for people.
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "blockquote",
    "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "tr", "figure",
    "figcaption", "address", "hr", "form", "fieldset",
})
_LINE_TAGS = frozenset({"br", "li", "dt", "dd", "td", "th"})
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "iframe", "object", "svg"})
_TAG_HINT_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|<!--")
_PARAGRAPH = "\n\n"
_SPACES_RE = re.compile(r"\s+")
_LINE_SPACES_RE = re.compile(r"[ \t\f\v]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
# The tags most descriptions are made of: '<p>', '</li>', '<br/>', '<a href="...">'. Their
# text is collected without html.parser, which is slow; anything else (comments, unquoted
# or unspaced attributes, script and the other hidden elements) goes through html.parser.
# Whitespace is written out as html.parser's tag regexes have it ([\t\n\r\f ], not \s).
_SIMPLE_TAG_RE = re.compile(
    r"<(?:(?P<start>[a-zA-Z][a-zA-Z0-9]*)"
    r"(?:[\t\n\r\f ]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=(?:\"[^\"]*\"|'[^']*'))?)*"
    r"[\t\n\r\f ]*(?P<empty>/?)"
    r"|/(?P<end>[a-zA-Z][a-zA-Z0-9]*)[\t\n\r\f ]*)>")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append(_PARAGRAPH)
        elif tag == "li":
            self.chunks.append("\n- ")
        elif tag in _LINE_TAGS:
            self.chunks.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append(_PARAGRAPH)
        elif tag in _LINE_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.chunks.append(_PARAGRAPH)

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.chunks.append(_SPACES_RE.sub(" ", data))


@memoised
def html_to_text(raw: str | None) -> str | None:
    """Readable plain text, or None when nothing is left. Plain text input keeps its line breaks."""
    if raw is None:
        return None
    source = str(raw).replace("\r\n", "\n").replace("\r", "\n")
    if "<" in source and _TAG_HINT_RE.search(source):
        text = _simple_html_text(source)
        if text is None:
            collector = _TextCollector()
            collector.feed(source)
            collector.close()
            text = "".join(collector.chunks)
    else:
        text = html.unescape(source)
    return _tidy(text)


def _simple_html_text(source: str) -> str | None:
    """What _TextCollector makes of `source` when it has only simple tags; else None.

    Mirrors html.parser with convert_charrefs: the text between two tags is one piece,
    unescaped as a whole; every '<' must open a tag _SIMPLE_TAG_RE reads in full.
    """
    chunks: list[str] = []
    position = 0
    while True:
        start = source.find("<", position)
        if start < 0:
            if position < len(source):
                chunks.append(_SPACES_RE.sub(" ", html.unescape(source[position:])))
            return "".join(chunks)
        tag = _SIMPLE_TAG_RE.match(source, start)
        if tag is None:
            return None
        if position < start:
            chunks.append(_SPACES_RE.sub(" ", html.unescape(source[position:start])))
        position = tag.end()
        name = (tag.group("start") or tag.group("end")).lower()
        if name in _HIDDEN_TAGS:
            return None
        if tag.group("end"):
            if name in _BLOCK_TAGS:
                chunks.append(_PARAGRAPH)
        elif name in _BLOCK_TAGS:
            chunks.append(_PARAGRAPH)
        elif name == "li" and not tag.group("empty"):
            chunks.append("\n- ")
        elif name in _LINE_TAGS:
            chunks.append("\n")


def _tidy(text: str) -> str | None:
    text = text.replace("\u00a0", " ")
    if "\n" not in text:
        return _LINE_SPACES_RE.sub(" ", text).strip() or None
    lines = [_LINE_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]
    joined = _BLANK_LINES_RE.sub(_PARAGRAPH, "\n".join(lines)).strip()
    return joined or None
