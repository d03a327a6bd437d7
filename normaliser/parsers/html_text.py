"""Plain text from a description that may be HTML: tags dropped, entities decoded, paragraphs kept."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from normaliser.parsers.memo import memoised

# Elements that start a new paragraph, and those whose content is never text for people.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "nav",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "table",
        "tr",
        "figure",
        "figcaption",
        "address",
        "hr",
        "form",
        "fieldset",
    }
)
_LINE_TAGS = frozenset({"br", "li", "dt", "dd", "td", "th"})
_HIDDEN_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "iframe", "object", "svg"}
)
_TAG_HINT_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|<!--")
_PARAGRAPH = "\n\n"
# Runs of spaces and tabs within a line, to become one space. A run that is one space
# already is left alone: most are, and replacing costs time.
_LINE_SPACES_RE = re.compile(r"(?: [ \t\f\v]|[\t\f\v])[ \t\f\v]*")
# The tags most descriptions are made of: '<p>', '</li>', '<br/>', '<a href="...">'. Their
# text is collected without html.parser, which is slow; anything else (comments, unquoted
# or unspaced attributes, script and the other hidden elements) goes through html.parser.
# Whitespace is written out as html.parser's tag regexes have it ([\t\n\r\f ], not \s).
_SIMPLE_TAG_RE = re.compile(
    r"<(?:(?P<start>[a-zA-Z][a-zA-Z0-9]*)"
    r"(?:[\t\n\r\f ]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=(?:\"[^\"]*\"|'[^']*'))?)*"
    r"[\t\n\r\f ]*(?P<empty>/?)"
    r"|/(?P<end>[a-zA-Z][a-zA-Z0-9]*)[\t\n\r\f ]*)>"
)


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
            self.chunks.append(_one_space(data))


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
    parts = _SIMPLE_TAG_RE.split(source)  # text, then (start, '/' or '', end, text) per tag
    chunks: list[str] = []
    text = parts[0]
    if text:
        if "<" in text:
            return None
        chunks.append(_data_text(text))
    for start, empty, end, text in zip(
        parts[1::4], parts[2::4], parts[3::4], parts[4::4], strict=True
    ):
        key = (start, empty, end)
        mark = _TAG_TEXTS[key] if key in _TAG_TEXTS else _tag_text(start, empty, end)
        if mark is None:
            return None
        if mark:
            chunks.append(mark)
        if text:
            if "<" in text:
                return None
            chunks.append(_data_text(text))
    return "".join(chunks)


def _data_text(text: str) -> str:
    """_TextCollector.handle_data for the text between two tags."""
    if text.isspace():
        return " "
    return _one_space(html.unescape(text) if "&" in text else text)


# What each tag as written adds to the text ('\n\n', '\n- ', '\n', ''), None for the
# hidden elements; filled as tags are met, and bounded so odd markup cannot grow it.
_TAG_TEXTS: dict[tuple[str | None, str | None, str | None], str | None] = {}


def _tag_text(start: str | None, empty: str | None, end: str | None) -> str | None:
    tag = (start or end or "").lower()
    if tag in _HIDDEN_TAGS:
        mark = None
    elif tag in _BLOCK_TAGS:
        mark = _PARAGRAPH
    elif end is not None:
        mark = ""
    elif tag == "li" and not empty:
        mark = "\n- "
    else:
        mark = "\n" if tag in _LINE_TAGS else ""
    if len(_TAG_TEXTS) < 1024:
        _TAG_TEXTS[(start, empty, end)] = mark
    return mark


def _one_space(text: str) -> str:
    """Every run of whitespace as one space, as re.sub(r"\\s+", " ", text) (\\s is str.isspace)."""
    words = text.split()
    if not words:
        return " " if text else ""
    joined = " ".join(words)
    if text[0].isspace():
        joined = " " + joined
    if text[-1].isspace():
        joined += " "
    return joined


def _tidy(text: str) -> str | None:
    """Per line: runs of spaces and tabs as one space, none at either end; then at most one
    empty line in a row, and none at the start or end."""
    text = text.replace("\u00a0", " ")
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:
        text = _LINE_SPACES_RE.sub(" ", text)
    if "\n" not in text:
        return text.strip() or None
    text = "\n".join([line.strip() for line in text.split("\n")])
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", _PARAGRAPH)
    return text.strip() or None
