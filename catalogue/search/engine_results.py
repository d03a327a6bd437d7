"""An Elasticsearch/OpenSearch search response to the typed SearchResult. Pure: no I/O."""

from __future__ import annotations

from typing import Any

from catalogue.search.engine_query import FACET_AGGREGATION_PREFIX, FACET_VALUES, cursor_for
from catalogue.search.fts_text import HIGHLIGHT_OPEN, render_highlight
from catalogue.search.query import SearchQuery, SortKey
from catalogue.search.results import FacetBucket, Hit, SearchResult


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
        out[facet.value] = items[:query.facet_size]
    return out


def search_result(query: SearchQuery, response: dict[str, Any], *,
                  highlighted: bool) -> SearchResult:
    """The page of `query` from the response to compile_search(query), which asked for one
    hit more than the page holds to learn whether another page follows."""
    sort = query.effective_sort
    raw_hits = response["hits"]["hits"]
    hits = []
    for raw in raw_hits[:query.size]:
        summary = raw["_source"]["summary"]
        hit = Hit(id=raw["_id"], summary=summary,
                  score=raw.get("_score") if sort == SortKey.RELEVANCE else None)
        if highlighted:
            hit.highlights = _highlights(raw.get("highlight") or {}, summary.get("title", ""))
        hits.append(hit)
    next_cursor = None
    if len(raw_hits) > query.size:
        next_cursor = cursor_for(sort, raw_hits[query.size - 1]["sort"])
    total = response["hits"]["total"]
    return SearchResult(total=total["value"] if isinstance(total, dict) else total, hits=hits,
                        facets=_facets(query, response.get("aggregations") or {}),
                        next_cursor=next_cursor)


def suggested_titles(response: dict[str, Any], size: int) -> list[str]:
    """Distinct titles, in the order of the hits (several offerings can share a title)."""
    titles = dict.fromkeys(raw["_source"]["title"] for raw in response["hits"]["hits"])
    return list(titles)[:size]
