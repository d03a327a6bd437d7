"""Plain text from a description that may be HTML: tags dropped, entities decoded, paragraphs kept."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

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
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_to_text(raw: str | None) -> str | None:
    """Readable plain text, or None when nothing is left. Plain text input keeps its line breaks."""
    if raw is None:
        return None
    source = str(raw).replace("\r\n", "\n").replace("\r", "\n")
    if _TAG_HINT_RE.search(source):
        collector = _TextCollector()
        collector.feed(source)
        collector.close()
        text = "".join(collector.chunks)
    else:
        text = html.unescape(source)
    return _tidy(text)


def _tidy(text: str) -> str | None:
    text = text.replace("\u00a0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    joined = re.sub(r"\n{3,}", _PARAGRAPH, "\n".join(lines)).strip()
    return joined or None
