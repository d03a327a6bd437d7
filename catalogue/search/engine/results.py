"""An Elasticsearch/OpenSearch search response to the typed SearchResult. Pure: no I/O."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from catalogue.search.engine.query import FACET_AGGREGATION_PREFIX, FACET_VALUES, cursor_for
from catalogue.search.fts_text import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, render_highlight
from catalogue.search.query import SearchQuery, SortKey
from catalogue.search.results import FacetBucket, Hit, SearchResult
from catalogue.search.spelling import corrected_text
from catalogue.search.synonyms import fold


def _highlights(raw: dict[str, Any], title: str) -> dict[str, str]:
    """As the SQLite backend gives them: always the title (marked where it matched), and a
    description snippet only when it holds a match."""
    out = {"title": render_highlight((raw.get("title") or [title])[0])}
    snippet = (raw.get("description") or [""])[0]
    if HIGHLIGHT_OPEN in snippet:
        out["description"] = render_highlight(snippet)
    return out


def _facets(query: SearchQuery, aggregations: dict[str, Any]) -> dict[str, list[FacetBucket]]:
    out: dict[str, list[FacetBucket]] = {}
    for facet in query.facets:
        aggregation = aggregations.get(f"{FACET_AGGREGATION_PREFIX}{facet.value}", {})
        # A disjunctive facet is a filter aggregation around the terms (FACET_VALUES).
        buckets = aggregation.get("buckets") or aggregation.get(FACET_VALUES, {}).get("buckets", [])
        items = [FacetBucket(value=str(b["key"]), count=b["doc_count"]) for b in buckets]
        items.sort(key=lambda b: (-b.count, b.value))
        out[facet.value] = items[: query.facet_size]
    return out


_MARKED = re.compile(f"{HIGHLIGHT_OPEN}(.*?){HIGHLIGHT_CLOSE}", re.S)
_WORD = re.compile(r"\w+", re.UNICODE)


def correction_from_highlights(text: str, highlights: list[dict[str, list[str]]]) -> str | None:
    """Did-you-mean from the page itself, at no extra request: the engines match typos
    (fuzziness AUTO), and their highlights (of every highlighted field, `.folded` ones
    included: a typo often matches there only) mark the words that matched. A bare word of
    the query (4+ letters) that no hit marks as typed (nor any marked word starting with
    it), while hits mark a variant within the edit limit of catalogue.search.spelling,
    becomes that variant (the one most hits mark)."""
    marked: list[set[str]] = []
    for fields in highlights:
        words: set[str] = set()
        for fragments in fields.values():
            for fragment in fragments:
                for inner in _MARKED.findall(fragment):
                    words.update(fold(w) for w in _WORD.findall(inner))
        marked.append(words)
    if not any(marked):
        return None
    counts = Counter(w for words in marked for w in words)

    def matches(word: str, _is_last: bool) -> int:
        folded = fold(word)
        return sum(1 for words in marked if any(w.startswith(folded) for w in words))

    return corrected_text(text, matches, lambda _word: counts.items())


def search_result(
    query: SearchQuery, response: dict[str, Any], *, highlighted: bool
) -> SearchResult:
    """The page of `query` from the response to compile_search(query), which asked for one
    hit more than the page holds to learn whether another page follows."""
    sort = query.effective_sort
    raw_hits = response["hits"]["hits"]
    hits = []
    for raw in raw_hits[: query.size]:
        summary = raw["_source"]["summary"]
        hit = Hit(
            id=raw["_id"],
            summary=summary,
            score=raw.get("_score") if sort == SortKey.RELEVANCE else None,
        )
        if highlighted:
            hit.highlights = _highlights(raw.get("highlight") or {}, summary.get("title", ""))
        hits.append(hit)
    next_cursor = None
    if len(raw_hits) > query.size:
        next_cursor = cursor_for(sort, raw_hits[query.size - 1]["sort"])
    total = response["hits"]["total"]
    corrected = (
        correction_from_highlights(
            query.text or "", [raw.get("highlight") or {} for raw in raw_hits[: query.size]]
        )
        if highlighted and query.correct
        else None
    )
    return SearchResult(
        total=total["value"] if isinstance(total, dict) else total,
        hits=hits,
        facets=_facets(query, response.get("aggregations") or {}),
        next_cursor=next_cursor,
        corrected_query=corrected,
    )


def suggested_titles(response: dict[str, Any], size: int) -> list[str]:
    """Distinct titles, in the order of the hits (several offerings can share a title)."""
    titles = dict.fromkeys(raw["_source"]["title"] for raw in response["hits"]["hits"])
    return list(titles)[:size]
