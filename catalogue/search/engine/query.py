"""SearchQuery to an Elasticsearch/OpenSearch request body. Pure: no client, no I/O.

The meaning follows the SQLite backend: every word is required (in any text field), quoted
words are a phrase, the last bare word also matches as a prefix; filters as in
query.Filters, with instance filters inside one nested run; facets count the filtered result,
a facet whose own field is selected without that field (disjunctive counts, post_filter).
On top, words match with typos (fuzziness AUTO) and through the synonym list
(catalogue/search/synonyms.txt): in the index's search analyzer, or, for an index with core
analysis (no synonym filter), expanded in the query as on SQLite.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from catalogue.search import fields as search_fields
from catalogue.search.fields import Kind, Level
from catalogue.search.fts_text import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    UserTerm,
    last_term_is_prefix,
    user_terms,
)
from catalogue.search.query import (
    Cursor,
    Facet,
    Filters,
    SearchQuery,
    SortKey,
    disjunctive_fields,
    facet_groups,
    without,
)
from catalogue.search.synonyms import SynonymList, phrase_words

# Field weights: the SQLite backend's BM25 column weights (title, description, outcomes,
# provider name), so both rank a title match above a description match.
TEXT_FIELDS = {"title": 10.0, "description": 1.0, "outcomes": 2.0, "provider_name": 4.0}
# A typo in the first letter is rare, and fixing the first letter cuts the terms a fuzzy
# word expands to by an order of magnitude.
FUZZY_PREFIX_LENGTH = 1
# How many titles a suggestion query reads to find `size` distinct ones.
SUGGEST_OVERFETCH = 4

INSTANCE_PATH = "instances"
START_DATE_PATH = "instances.start_date"
FACET_FIELD_PREFIX = "keywords."


def engine_paths(spec: search_fields.FilterField) -> tuple[str, ...]:
    """The mapped field(s) a registry field reads (a hierarchy reads one per code length)."""
    if spec.by_length:
        return tuple(f"{FACET_FIELD_PREFIX}{name}" for name in spec.by_length.values())
    return (spec.engine,)


def filter_fields() -> dict[str, tuple[str, ...]]:
    """Filter attribute -> the mapped field(s) it reads, for every attribute of Filters
    (tests check that each field exists in the mapping)."""
    return {
        parameter: engine_paths(spec)
        for spec in search_fields.FIELDS
        for parameter in spec.parameters
    }


FILTER_FIELDS = filter_fields()
FACET_AGGREGATION_PREFIX = "facet_"


# --- text ------------------------------------------------------------------------------------
def _fields(suffix: str = "") -> list[str]:
    return [f"{name}{suffix}^{weight:g}" for name, weight in TEXT_FIELDS.items()]


def _word_clause(word: str) -> dict[str, Any]:
    """One bare word, in any text field, typos allowed. Typos are looked for in the stemmed
    fields and in the unstemmed `.folded` ones: a typo often changes the stem beyond reach
    (`sustainabel` stems to itself, four edits from `sustain`) while the word as written
    stays one edit from `sustainable`."""
    return {
        "multi_match": {
            "query": word,
            "fields": _fields() + _fields(".folded"),
            "type": "best_fields",
            "fuzziness": "AUTO",
            "prefix_length": FUZZY_PREFIX_LENGTH,
        }
    }


def _exact_clause(words: tuple[str, ...]) -> dict[str, Any]:
    """A quoted word or phrase: as written (after folding and stemming), no typos."""
    kind = "phrase" if len(words) > 1 else "best_fields"
    return {"multi_match": {"query": " ".join(words), "fields": _fields(), "type": kind}}


def _prefix_clause(word: str) -> dict[str, Any]:
    """The last word as typed so far: whole (with typos) or as the start of a word. The
    prefix runs on the unstemmed `.folded` sub-fields: a stem is no prefix of its words."""
    return {
        "bool": {
            "should": [
                _word_clause(word),
                {
                    "multi_match": {
                        "query": word,
                        "fields": _fields(".folded"),
                        "type": "phrase_prefix",
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def text_clause(text: str | None, synonyms: SynonymList | None = None) -> dict[str, Any] | None:
    """The query part for user text; None when the text holds no words. User text never
    becomes query syntax: it is split into words and phrases first (fts_text.user_terms),
    and each goes into a match query as a plain value.

    With `synonyms` (an index with core analysis, which has no synonym filter), bare words
    forming a phrase of the list match any phrase of its group, as on SQLite."""
    terms = user_terms(text or "")
    if not terms:
        return None
    if synonyms is not None:
        return _expanded(terms, synonyms)
    prefix = last_term_is_prefix(terms)
    required: list[dict[str, Any]] = []
    bare: list[str] = []
    for position, term in enumerate(terms):
        if term.quoted:
            required.append(_exact_clause(term.words))
            continue
        word = term.words[0]
        bare.append(word)
        is_last = position == len(terms) - 1
        required.append(_prefix_clause(word) if is_last and prefix else _word_clause(word))
    return _every_term(required, bare, terms)


def _expanded(terms: list[UserTerm], synonyms: SynonymList) -> dict[str, Any]:
    """Every term required, a run of bare words that is a phrase of the synonym list as
    any phrase of its group (the SQLite backend's fts_match_expression, in query DSL)."""
    prefix = last_term_is_prefix(terms)
    required: list[dict[str, Any]] = []
    position = 0
    while position < len(terms):
        term = terms[position]
        found = None
        if not term.quoted:
            run: list[str] = []
            for later in terms[position:]:
                if later.quoted:
                    break
                run.append(later.words[0])
            found = synonyms.match(run, 0)
        if found is not None:
            length, group = found
            required.append(
                {
                    "bool": {
                        "should": [_exact_clause(phrase_words(p)) for p in group],
                        "minimum_should_match": 1,
                    }
                }
            )
            position += length
            continue
        is_last = position == len(terms) - 1
        if term.quoted:
            required.append(_exact_clause(term.words))
        elif is_last and prefix:
            required.append(_prefix_clause(term.words[0]))
        else:
            required.append(_word_clause(term.words[0]))
        position += 1
    return {"bool": {"must": required}}


def _every_term(
    required: list[dict[str, Any]], bare: list[str], terms: list[UserTerm]
) -> dict[str, Any]:
    """Every term required; and, for two or more bare words, the alternative of those words
    together in one field, so a multi-word synonym (`machine learning` for `ml`) can match
    as a whole. Alone, each word already expands through the synonyms of the search analyzer."""
    every_term = {"bool": {"must": required}}
    if len(bare) < 2:
        return every_term
    phrases = [_exact_clause(t.words) for t in terms if t.quoted]
    together = {
        "multi_match": {
            "query": " ".join(bare),
            "fields": _fields(),
            "type": "best_fields",
            "operator": "and",
        }
    }
    return {
        "bool": {
            "should": [every_term, {"bool": {"must": [together, *phrases]}}],
            "minimum_should_match": 1,
        }
    }


# --- filters ----------------------------------------------------------------------------------
def _range(field: str, low: Any, high: Any) -> dict[str, Any] | None:
    bounds = {}
    if low is not None:
        bounds["gte"] = low.isoformat() if isinstance(low, date) else low
    if high is not None:
        bounds["lte"] = high.isoformat() if isinstance(high, date) else high
    return {"range": {field: bounds}} if bounds else None


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """Filter context clauses (no scoring): offering fields directly, instance fields in
    one nested clause, so they must hold for the same run."""
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []
    for spec in search_fields.FIELDS:
        clause = _field_clause(spec, filters)
        if clause is not None:
            (run if spec.level is Level.INSTANCE else out).append(clause)
    if run:
        out.append({"nested": {"path": INSTANCE_PATH, "query": {"bool": {"filter": run}}}})
    return out


def _field_clause(spec: search_fields.FilterField, filters: Filters) -> dict[str, Any] | None:
    if spec.kind is Kind.FLAG:
        value = getattr(filters, spec.name)
        return None if value is None else {"term": {spec.engine: value}}
    if spec.kind is Kind.RANGE:
        low, high = (getattr(filters, p) for p in spec.parameters)
        return _range(spec.engine, low, high)
    values = getattr(filters, spec.name)
    if not values:
        return None
    if not spec.by_length:
        return {"terms": {spec.engine: list(values)}}
    by_field: dict[str, list[str]] = {}
    for code in values:
        by_field.setdefault(f"{FACET_FIELD_PREFIX}{spec.by_length[len(code)]}", []).append(code)
    return {
        "bool": {
            "should": [{"terms": {f: codes}} for f, codes in by_field.items()],
            "minimum_should_match": 1,
        }
    }


# --- sort and cursor ----------------------------------------------------------------------------
def sort_clause(sort: SortKey, today: date) -> list[dict[str, Any]]:
    """The sort, then the offering id: a unique last key makes search_after pages exact.
    Offerings without a value sort last; the engine stands in a sentinel for their value
    ("Infinity", "-Infinity" or the largest long), which search_after takes back as it is."""
    by_sort: dict[SortKey, dict[str, Any]] = {
        SortKey.RELEVANCE: {"_score": {"order": "desc"}},
        SortKey.PRICE: {"price_ref": {"order": "asc", "missing": "_last"}},
        SortKey.PRICE_DESC: {"price_ref": {"order": "desc", "missing": "_last"}},
        SortKey.CREDITS: {"ects": {"order": "asc", "missing": "_last"}},
        SortKey.CREDITS_DESC: {"ects": {"order": "desc", "missing": "_last"}},
        SortKey.NEWEST: {"first_seen": {"order": "desc"}},
        SortKey.TITLE: {"title_sort": {"order": "asc"}},
        SortKey.MIXED: {"id": {"order": "asc"}},
        # The soonest run that starts today or later.
        SortKey.START_DATE: {
            START_DATE_PATH: {
                "order": "asc",
                "mode": "min",
                "missing": "_last",
                "nested": {
                    "path": INSTANCE_PATH,
                    "filter": {"range": {START_DATE_PATH: {"gte": today.isoformat()}}},
                },
            }
        },
    }
    primary = by_sort[sort]
    return [primary, {"id": {"order": "asc"}}]


def cursor_for(sort: SortKey, sort_values: list[Any]) -> str:
    """The cursor after a hit, from the engine's sort values of that hit ([key, id]).
    There is no index sequence to pin as the watermark: a page is defined by its sort key
    alone, so an offering indexed between two pages shows up if it sorts after the cursor."""
    key, offering_id = sort_values
    return Cursor(sort=sort, key=[key is None, key, offering_id], watermark=0).encode()


# --- facets -------------------------------------------------------------------------------------
FACET_VALUES = "values"  # the terms aggregation inside a facet's filter aggregation


def _terms(facet: Facet, size: int) -> dict[str, Any]:
    return {
        "terms": {
            "field": f"{FACET_FIELD_PREFIX}{facet.value}",
            "size": size,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
    }


def facet_aggregations(query: SearchQuery) -> dict[str, Any]:
    """One terms aggregation per facet, over the keyword values build_document computed;
    ordered as the SQLite backend orders buckets: count, then value. With disjunctive
    fields selected (query.disjunctive_fields), the top-level query leaves those fields out
    (the post_filter applies them to the hits) and each facet is a filter aggregation of
    the filters query.facet_groups gives it, around its terms aggregation."""
    if not disjunctive_fields(query):
        return {
            f"{FACET_AGGREGATION_PREFIX}{facet.value}": _terms(facet, query.facet_size)
            for facet in query.facets
        }
    out: dict[str, Any] = {}
    for filters, facets in facet_groups(query):
        clauses = filter_clauses(filters)
        for facet in facets:
            out[f"{FACET_AGGREGATION_PREFIX}{facet.value}"] = {
                "filter": {"bool": {"filter": clauses}},
                "aggs": {FACET_VALUES: _terms(facet, query.facet_size)},
            }
    return out


# --- the request --------------------------------------------------------------------------------
def highlight_request(text: dict[str, Any]) -> dict[str, Any]:
    """The whole title and one snippet of the description, matches between the private-use
    markers of fts_text, so render_highlight escapes the text and marks it up as for SQLite."""
    return {
        "pre_tags": [HIGHLIGHT_OPEN],
        "post_tags": [HIGHLIGHT_CLOSE],
        # Prefix matches run on the `.folded` sub-fields; marking them in the title and
        # description needs terms from any field.
        "require_field_match": False,
        "highlight_query": text,
        # The `.folded` fields are highlighted for the did-you-mean only (a typo of a word
        # that stems far from its root matches there): engine.results.correction_from_highlights.
        "fields": {
            "title": {"number_of_fragments": 0},
            "description": {"fragment_size": 160, "number_of_fragments": 1},
            "title.folded": {"number_of_fragments": 0},
            "description.folded": {"fragment_size": 160, "number_of_fragments": 1},
        },
    }


def compile_search(query: SearchQuery, *, synonyms: SynonymList | None = None) -> dict[str, Any]:
    """The search body of one page: size + 1 hits (the extra one says whether a next page
    exists), exact total, facets, highlights, and search_after from the cursor. `synonyms`:
    expand them in the query (for an index whose analysis has no synonym filter)."""
    sort = query.effective_sort
    text = text_clause(query.text, synonyms)
    disjunctive = disjunctive_fields(query) if query.facets else []
    # Fields whose own facets count without them are applied after the aggregations, in
    # the post_filter; the query narrows by every other field.
    bool_query: dict[str, Any] = {"filter": filter_clauses(without(query.filters, *disjunctive))}
    if text is not None:
        bool_query["must"] = [text]
    elif query.text and query.text.strip():
        # Text with no word in it (`"\`, `?!`) finds nothing, as on SQLite; blank is no query.
        bool_query["must"] = [{"match_none": {}}]
    body: dict[str, Any] = {
        "query": {"bool": bool_query},
        "size": query.size + 1,
        "track_total_hits": True,
        "sort": sort_clause(sort, query.today or date.today()),
        "_source": ["summary"],
    }
    if disjunctive:
        body["post_filter"] = {"bool": {"filter": filter_clauses(query.filters)}}
    if query.facets:
        body["aggs"] = facet_aggregations(query)
    if text is not None and query.highlight:
        body["highlight"] = highlight_request(text)
    if query.cursor:
        key = Cursor.decode(query.cursor, sort).key
        body["search_after"] = [key[1], key[2]]
    return body


def compile_suggest(prefix: str, size: int) -> dict[str, Any] | None:
    """Titles whose words start with the typed words, best title match first; None when the
    prefix holds no words. The last word (from MIN_PREFIX_LENGTH letters) is looked up in the
    edge n-grams of `title.suggest`; earlier words must be whole words of the title."""
    terms = user_terms(prefix)
    if not terms:
        return None
    words = [w for term in terms for w in term.words]
    *whole, last = words
    must: list[dict[str, Any]] = []
    if whole:
        must.append({"match": {"title.folded": {"query": " ".join(whole), "operator": "and"}}})
    last_field = "title.suggest" if last_term_is_prefix(terms) else "title.folded"
    must.append({"match": {last_field: {"query": last}}})
    return {
        "query": {"bool": {"must": must}},
        "size": size * SUGGEST_OVERFETCH,
        "sort": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
        "_source": ["title"],
    }
