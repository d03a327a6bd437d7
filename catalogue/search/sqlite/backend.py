"""Search on SQLite FTS5, in the catalogue's own database file (the embedded default).

Tables (all rebuildable from the catalogue):
  search_docs       one row per offering: numeric filter and sort columns, the result card
  search_fts        FTS5 over title, description, outcomes, provider name (rowid = docs rowid)
  search_values     (field, value, doc) for keyword filters and facets
  search_instances  one row per run, so instance filters match within one run
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from catalogue.stats.source import StatsSource

from catalogue.search import fields as search_fields
from catalogue.search.base import Capability, SearchBackend
from catalogue.search.documents import IndexDocument
from catalogue.search.fields import Kind, Level
from catalogue.search.fts_text import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    fts_match_expression,
    render_highlight,
)
from catalogue.search.query import Cursor, Filters, SearchQuery, SortKey, facet_groups
from catalogue.search.results import BackendHealth, FacetBucket, Hit, SearchResult
from catalogue.search.spelling import FEW_RESULTS, corrected_text, max_edits
from catalogue.search.synonyms import fold, synonyms

# Relevance weights per FTS column: title, description, learning outcomes, provider name.
BM25_WEIGHTS = (10.0, 1.0, 2.0, 4.0)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS search_docs (
        rowid INTEGER PRIMARY KEY,
        offering_id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        first_indexed_seq INTEGER NOT NULL,
        provider_id TEXT NOT NULL,
        title_sort TEXT NOT NULL,
        framework TEXT, eqf INTEGER, ects REAL, hours REAL, weeks REAL,
        price_ref REAL, is_free INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        credential_type TEXT, credit_system TEXT, free_key TEXT, price_band TEXT,
        credits_band TEXT)""",
    # The result cards live apart, so the rows that filters and sorts walk stay narrow
    # and many fit in one page.
    "CREATE TABLE IF NOT EXISTS search_cards (rowid INTEGER PRIMARY KEY, summary TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_search_docs_first_seen ON search_docs(first_seen, offering_id)",
    "CREATE INDEX IF NOT EXISTS ix_search_docs_price ON search_docs(price_ref, offering_id)",
    "CREATE INDEX IF NOT EXISTS ix_search_docs_ects ON search_docs(ects, offering_id)",
    "CREATE INDEX IF NOT EXISTS ix_search_docs_eqf ON search_docs(eqf)",
    """CREATE TABLE IF NOT EXISTS search_values (
        field TEXT NOT NULL, value TEXT NOT NULL, doc INTEGER NOT NULL,
        PRIMARY KEY (field, value, doc)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS ix_search_values_doc ON search_values(doc, field, value)",
    """CREATE TABLE IF NOT EXISTS search_instances (
        doc INTEGER NOT NULL, start_date TEXT, mode TEXT, pace TEXT, country TEXT,
        price_ref REAL, is_free INTEGER)""",
    # (doc, start_date): the soonest upcoming start of a document is one index seek.
    "CREATE INDEX IF NOT EXISTS ix_search_instances_doc ON search_instances(doc, start_date)",
    "CREATE INDEX IF NOT EXISTS ix_search_instances_start ON search_instances(start_date, doc)",
    # porter stems English words; unicode61 with remove_diacritics 2 folds macrons and
    # fadas so `maori` finds `Māori`. No prefix indexes: only the last word of a query is a
    # prefix, a range scan of the term index serves it, and prefix indexes would multiply
    # the cost of every write by four.
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, description, outcomes, provider_name,
        tokenize = "porter unicode61 remove_diacritics 2")""",
    # The words as written (no stemming; case folded, diacritics kept so a correction reads
    # as the catalogue spells it), for did-you-mean: an external-content table over
    # search_fts, positions not kept (detail=none), read only through its fts5vocab table.
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_words USING fts5(
        title, description, outcomes, provider_name, content='search_fts', detail=none,
        tokenize = "unicode61 remove_diacritics 0")""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_words_vocab USING fts5vocab(search_words, 'row')",
    "CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO search_meta VALUES ('seq', 0)",
)

# Facets with at most one value per offering, and the search_docs column holding it.
SINGLE_VALUED_FACETS = {
    "provider": "d.provider_id",
    "framework": "d.framework",
    "eqf": "d.eqf",
    "credential_type": "d.credential_type",
    "credit_system": "d.credit_system",
    "free": "d.free_key",
    "price_band": "d.price_band",
    "credits_band": "d.credits_band",
}
_DOC_COLUMNS = (
    "offering_id",
    "version",
    "provider_id",
    "title_sort",
    "framework",
    "eqf",
    "ects",
    "hours",
    "weeks",
    "price_ref",
    "is_free",
    "first_seen",
    "credential_type",
    "credit_system",
    "free_key",
    "price_band",
    "credits_band",
)
_INSERT_DOC = (
    f"INSERT INTO search_docs ({', '.join(_DOC_COLUMNS)}, first_indexed_seq) "
    f"VALUES ({', '.join('?' * (len(_DOC_COLUMNS) + 1))})"
)
_UPDATE_DOC = f"UPDATE search_docs SET {', '.join(c + '=?' for c in _DOC_COLUMNS)} WHERE rowid=?"


def _single(doc: IndexDocument, facet: str) -> str | None:
    values = doc.keywords.get(facet) or []
    return values[0] if len(values) == 1 else None


def _docs_row(doc: IndexDocument) -> tuple:
    return (
        doc.id,
        doc.version,
        doc.provider_id,
        doc.title.casefold(),
        doc.framework,
        doc.eqf,
        doc.ects,
        doc.hours,
        doc.weeks,
        doc.price_ref,
        int(doc.is_free),
        doc.first_seen,
        _single(doc, "credential_type"),
        _single(doc, "credit_system"),
        _single(doc, "free"),
        _single(doc, "price_band"),
        _single(doc, "credits_band"),
    )


INDEX_TABLES = (
    "search_words_vocab",
    "search_words",
    "search_fts",
    "search_values",
    "search_instances",
    "search_cards",
    "search_docs",
)


def driver_cursor(conn: Connection) -> sqlite3.Cursor:
    """A cursor of the sqlite3 connection under `conn`, for executemany and plain tuples."""
    driver = conn.connection.driver_connection
    if driver is None:
        raise RuntimeError("the search index connection was closed")
    return driver.cursor()


class SqliteFtsBackend(SearchBackend):
    name = "sqlite"
    capabilities = frozenset(
        {
            Capability.TEXT,
            Capability.PREFIX,
            Capability.HIGHLIGHT,
            Capability.FACETS,
            Capability.CURSOR,
            Capability.SUGGEST,
            Capability.SYNONYMS,
        }
    )

    def __init__(self, engine: Engine, *, owns_engine: bool = False) -> None:
        """`engine` is a SQLite database: the catalogue's own file (the embedded default) or,
        beside a PostgreSQL catalogue, a file of its own. The backend touches only its
        search_* tables. With `owns_engine`, close() disposes of the engine."""
        if engine.dialect.name != "sqlite":
            raise ValueError(
                "the SQLite FTS5 backend needs a SQLite database; "
                "use MICROCRED_SEARCH_BACKEND=elasticsearch or opensearch"
            )
        self.engine = engine
        self._owns_engine = owns_engine
        self._summaries = _SummaryCache()

    def stats_source(self) -> StatsSource:
        # Imported here: the stats module builds on this one.
        from catalogue.search.sqlite.stats import SqliteIndexStats

        return SqliteIndexStats(self)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    # writing ---------------------------------------------------------------------
    def ensure_index(self) -> None:
        with self.engine.begin() as conn:
            had_words = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name='search_words'"
            ).fetchone()
            for statement in SCHEMA:
                conn.exec_driver_sql(statement)
            if not had_words:
                # An index made before the vocabulary table: fill it from what is indexed.
                conn.exec_driver_sql(
                    "INSERT INTO search_words (rowid, title, description, outcomes, "
                    "provider_name) SELECT rowid, title, description, outcomes, provider_name "
                    "FROM search_fts"
                )

    def document_format(self) -> int | None:
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT value FROM search_meta WHERE key='document_format'"
            ).fetchone()
        return row[0] if row else None

    def set_document_format(self, version: int) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO search_meta VALUES ('document_format', ?)", (version,)
            )

    def upsert(self, documents: Sequence[IndexDocument]) -> None:
        if not documents:
            return
        with self.engine.begin() as conn:
            cur = driver_cursor(conn)
            seq = cur.execute("SELECT value FROM search_meta WHERE key='seq'").fetchone()[0]
            indexed: dict[str, tuple[int, int]] = {}
            ids = [d.id for d in documents]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                indexed.update(
                    (r[0], (r[1], r[2]))
                    for r in cur.execute(
                        f"SELECT offering_id, rowid, version FROM search_docs WHERE offering_id IN "
                        f"({','.join('?' * len(chunk))})",
                        chunk,
                    )
                )
            fts_rows: list[tuple] = []
            value_rows: list[tuple] = []
            instance_rows: list[tuple] = []
            card_rows: list[tuple] = []
            for doc in documents:
                existing = indexed.get(doc.id)
                if existing and existing[1] > doc.version:
                    continue  # a newer version is already indexed; a replay changes nothing
                seq += 1
                row = _docs_row(doc)
                if existing:
                    rowid = existing[0]
                    self._delete_children(cur, rowid)
                    cur.execute(_UPDATE_DOC, (*row, rowid))
                else:
                    cur.execute(_INSERT_DOC, (*row, seq))
                    rowid = cast(int, cur.lastrowid)  # set by the INSERT just run
                indexed[doc.id] = (rowid, doc.version)
                card_rows.append((rowid, orjson.dumps(doc.summary).decode()))
                fts_rows.append(
                    (rowid, doc.title, doc.description, doc.outcomes, doc.provider_name)
                )
                value_rows.extend(
                    (f, v, rowid) for f, values in doc.keywords.items() for v in values
                )
                instance_rows.extend(
                    (
                        rowid,
                        i.start_date,
                        i.mode,
                        i.pace,
                        i.country,
                        i.price_ref,
                        None if i.is_free is None else int(i.is_free),
                    )
                    for i in doc.instances
                )
            cur.executemany(
                "INSERT INTO search_fts (rowid, title, description, outcomes, "
                "provider_name) VALUES (?,?,?,?,?)",
                fts_rows,
            )
            cur.executemany(
                "INSERT INTO search_words (rowid, title, description, outcomes, "
                "provider_name) VALUES (?,?,?,?,?)",
                fts_rows,
            )
            cur.executemany("INSERT OR IGNORE INTO search_values VALUES (?,?,?)", value_rows)
            cur.executemany("INSERT INTO search_instances VALUES (?,?,?,?,?,?,?)", instance_rows)
            cur.executemany("INSERT OR REPLACE INTO search_cards VALUES (?,?)", card_rows)
            cur.execute("UPDATE search_meta SET value=? WHERE key='seq'", (seq,))

    @staticmethod
    def _delete_children(cur: sqlite3.Cursor, rowid: int) -> None:
        # An external-content table forgets a row by being told the values it indexed.
        cur.execute(
            "INSERT INTO search_words (search_words, rowid, title, description, "
            "outcomes, provider_name) SELECT 'delete', rowid, title, description, "
            "outcomes, provider_name FROM search_fts WHERE rowid=?",
            (rowid,),
        )
        cur.execute("DELETE FROM search_fts WHERE rowid=?", (rowid,))
        cur.execute("DELETE FROM search_values WHERE doc=?", (rowid,))
        cur.execute("DELETE FROM search_instances WHERE doc=?", (rowid,))
        cur.execute("DELETE FROM search_cards WHERE rowid=?", (rowid,))

    def delete(self, offering_ids: Sequence[str], versions: Sequence[int] | None = None) -> None:
        with self.engine.begin() as conn:
            cur = driver_cursor(conn)
            for index, offering_id in enumerate(offering_ids):
                existing = cur.execute(
                    "SELECT rowid, version FROM search_docs WHERE offering_id=?", (offering_id,)
                ).fetchone()
                if existing is None:
                    continue
                if versions is not None and existing[1] > versions[index]:
                    continue
                self._delete_children(cur, existing[0])
                cur.execute("DELETE FROM search_docs WHERE rowid=?", (existing[0],))
            # Any change moves the sequence on, so cached counts of the old state go stale.
            cur.execute("UPDATE search_meta SET value = value + 1 WHERE key='seq'")

    def clear(self) -> None:
        """Drop and recreate the index tables, so a rebuild also picks up a new layout."""
        with self.engine.begin() as conn:
            for table in INDEX_TABLES:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")  # fixed names only
            for statement in SCHEMA:
                conn.exec_driver_sql(statement)
            # Any change moves the sequence on, so cached counts of the old state go stale.
            conn.exec_driver_sql("UPDATE search_meta SET value = value + 1 WHERE key='seq'")

    # reading ---------------------------------------------------------------------
    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM search_docs").scalar_one()

    def health(self) -> BackendHealth:
        try:
            return BackendHealth(ok=True, backend=self.name, documents=self.count())
        except Exception as exc:  # noqa: BLE001 - health reports any failure as not ok
            return BackendHealth(ok=False, backend=self.name, detail=str(exc))

    def search(self, query: SearchQuery) -> SearchResult:
        """With `query.correct`, a text that finds nothing or very little (spelling.FEW_RESULTS)
        is looked at for misspelt words; when the corrected text finds more, its results are
        returned with `corrected_query` set."""
        result = self._search(query)
        if not (query.correct and query.has_words and result.total <= FEW_RESULTS):
            return result
        corrected = self.corrected_text(query.text or "")
        if corrected is None:
            return result
        better = self._search(query.model_copy(update={"text": corrected}))
        if better.total <= result.total:
            return result
        better.corrected_query = corrected
        return better

    def corrected_text(self, text: str) -> str | None:
        """`text` with its misspelt words corrected from the index's own vocabulary, or None."""
        with self.engine.connect() as conn:
            cur = driver_cursor(conn)

            def matches(word: str, is_last: bool) -> int:
                expression = fts_match_expression(word)
                if not is_last:
                    expression = expression.rstrip("*")
                return cur.execute(
                    "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (expression,)
                ).fetchone()[0]

            def vocabulary(word: str) -> list[tuple[str, int]]:
                # Terms starting with the same letter (a first-letter typo is rare, as the
                # engines assume too) and of a length within reach.
                first, edits = fold(word)[0], max_edits(word)
                return cur.execute(
                    "SELECT term, doc FROM search_words_vocab WHERE term >= ? AND term < ? "
                    "AND length(term) BETWEEN ? AND ?",
                    (first, first + "\U0010ffff", len(word) - edits, len(word) + edits),
                ).fetchall()

            return corrected_text(text, matches, vocabulary)

    def _search(self, query: SearchQuery) -> SearchResult:
        compiled = CompiledQuery(query)
        with self.engine.connect() as conn:
            cur = driver_cursor(conn)
            watermark = (
                Cursor.decode(query.cursor, query.effective_sort).watermark
                if query.cursor
                else cur.execute("SELECT value FROM search_meta WHERE key='seq'").fetchone()[0]
            )
            compiled.watermark = watermark
            compiled.params["watermark"] = watermark
            compiled.where += " AND d.first_indexed_seq <= :watermark"
            if compiled.text_match:
                compiled = self._match_once(
                    cur, compiled, scored=query.effective_sort == SortKey.RELEVANCE
                )
            summary = self._summaries.get(query, watermark)
            if summary is None:
                total = cur.execute(
                    f"SELECT count(*) FROM {compiled.from_} WHERE {compiled.where}", compiled.params
                ).fetchone()[0]
                summary = (total, self._facets(cur, compiled, query))
                self._summaries.put(query, watermark, summary)
            hits, rowids, next_cursor = self._hits(cur, compiled, query, watermark)
            if compiled.text_match and query.highlight:
                self._highlight(cur, compiled, hits, rowids)
        total, facets = summary
        return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)

    @staticmethod
    def _match_once(cur: sqlite3.Cursor, compiled: CompiledQuery, *, scored: bool) -> CompiledQuery:
        """Run the full-text match once, into a per-connection temp table of matching rows
        and scores that the count, the facets and the page all read. Scoring every match
        is the dearest part, so it is skipped when the page is not sorted by relevance."""
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        score = f"bm25(search_fts, {weights})" if scored else "NULL"
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_matches (rid INTEGER PRIMARY KEY, score REAL)"
        )
        cur.execute("DELETE FROM temp.search_matches")
        cur.execute(
            f"INSERT INTO temp.search_matches SELECT d.rowid, {score} "
            f"FROM {compiled.from_} WHERE {compiled.where}",
            compiled.params,
        )
        return compiled.over_matches()

    def _hits(
        self, cur: sqlite3.Cursor, compiled: CompiledQuery, query: SearchQuery, watermark: int
    ) -> tuple[list[Hit], list[int], str | None]:
        sort = query.effective_sort
        key_sql, descending = _sort_key_sql(sort)
        where = compiled.where
        params = dict(compiled.params, today=(query.today or date.today()).isoformat())
        if query.cursor:
            cursor = Cursor.decode(query.cursor, sort)
            is_null, value, last_id = cursor.key
            after = ">" if not descending else "<"
            if is_null:
                where += f" AND ({key_sql}) IS NULL AND d.offering_id > :c_id"
            else:
                where += (
                    f" AND (({key_sql}) IS NULL OR ({key_sql}) {after} :c_val OR "
                    f"(({key_sql}) = :c_val AND d.offering_id > :c_id))"
                )
            params.update(c_val=value, c_id=last_id)
        direction = "DESC" if descending else "ASC"
        sql = (
            f"SELECT d.offering_id, ({key_sql}) AS sort_key, d.rowid "
            f"FROM {compiled.from_} WHERE {where} "
            f"ORDER BY sort_key IS NULL, sort_key {direction}, d.offering_id LIMIT :limit"
        )
        page = cur.execute(sql, dict(params, limit=query.size + 1)).fetchall()
        cards = dict(
            cur.execute(
                f"SELECT rowid, summary FROM search_cards WHERE rowid IN "
                f"({','.join(str(int(r[2])) for r in page[: query.size]) or 'NULL'})"
            )
        )
        rows = [
            (offering_id, cards.get(rowid, "{}"), key, rowid) for offering_id, key, rowid in page
        ]
        hits, rowids = [], []
        for offering_id, summary, key, rowid in rows[: query.size]:
            score = -key if sort == SortKey.RELEVANCE and key is not None else None
            hits.append(Hit(id=offering_id, score=score, summary=orjson.loads(summary)))
            rowids.append(rowid)
        next_cursor = None
        if len(rows) > query.size:
            last = rows[query.size - 1][0], rows[query.size - 1][2]
            next_cursor = Cursor(
                sort=sort, key=[last[1] is None, last[1], last[0]], watermark=watermark
            ).encode()
        return hits, rowids, next_cursor

    @staticmethod
    def _highlight(
        cur: sqlite3.Cursor, compiled: CompiledQuery, hits: list[Hit], rowids: list[int]
    ) -> None:
        """Marked-up title and description snippet for the hits of one page only."""
        for hit, rowid in zip(hits, rowids, strict=True):
            row = cur.execute(
                f"SELECT highlight(search_fts, 0, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}'), "
                f"snippet(search_fts, 1, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}', '…', 24) "
                f"FROM search_fts WHERE search_fts MATCH :fts AND rowid = :rowid",
                {"fts": compiled.fts, "rowid": rowid},
            ).fetchone()
            if row is None:
                continue
            hit.highlights = {"title": render_highlight(row[0])}
            if row[1] and HIGHLIGHT_OPEN in row[1]:
                hit.highlights["description"] = render_highlight(row[1])

    def _facets(
        self, cur: sqlite3.Cursor, compiled: CompiledQuery, query: SearchQuery
    ) -> dict[str, list[FacetBucket]]:
        """Each facet counted under the filters query.facet_groups gives it: the result
        itself (`compiled`), or, for a facet whose own field is selected, the query without
        that field's selection (disjunctive counts)."""
        if not query.facets:
            return {}
        buckets: dict[str, list[FacetBucket]] = {str(f): [] for f in query.facets}
        for filters, facets in facet_groups(query):
            if filters is query.filters:
                group = compiled
            else:
                group = CompiledQuery(query.model_copy(update={"filters": filters}))
                group.params["watermark"] = compiled.watermark
                group.where += " AND d.first_indexed_seq <= :watermark"
            buckets.update(self._count_facets(cur, group, [str(f) for f in facets]))
        for items in buckets.values():
            items.sort(key=lambda b: (-b.count, b.value))
            del items[query.facet_size :]
        return buckets

    @staticmethod
    def _count_facets(
        cur: sqlite3.Cursor, compiled: CompiledQuery, fields: list[str]
    ) -> dict[str, list[FacetBucket]]:
        """Single-valued facets come from columns of search_docs, all in one grouped scan;
        multi-valued ones (a course can be online and in person) from search_values."""
        buckets: dict[str, list[FacetBucket]] = {f: [] for f in fields}
        single = [f for f in fields if f in SINGLE_VALUED_FACETS]
        if single:
            columns = [SINGLE_VALUED_FACETS[f] for f in single]
            counts: dict[str, Counter] = {f: Counter() for f in single}
            for row in cur.execute(
                f"SELECT {', '.join(columns)}, count(*) FROM {compiled.from_} "
                f"WHERE {compiled.where} GROUP BY {', '.join(columns)}",
                compiled.params,
            ):
                for name, value in zip(single, row[:-1], strict=True):
                    if value is not None:
                        counts[name][str(value)] += row[-1]
            for name in single:
                buckets[name] = [FacetBucket(value=v, count=c) for v, c in counts[name].items()]
        multi = [f for f in fields if f not in SINGLE_VALUED_FACETS]
        if multi:
            names = {f"facet_{i}": f for i, f in enumerate(multi)}
            sql = (
                f"SELECT v.field, v.value, count(*) FROM {compiled.facet_from} "
                f"WHERE {compiled.where} AND v.field IN ({','.join(':' + n for n in names)}) "
                f"GROUP BY v.field, v.value"
            )
            for field_name, value, count in cur.execute(sql, dict(compiled.params, **names)):
                buckets[field_name].append(FacetBucket(value=value, count=count))
        return buckets

    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Titles that contain a word starting with `prefix`, best match first."""
        expression = fts_match_expression(prefix)
        if not expression:
            return []
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT DISTINCT title FROM search_fts WHERE search_fts MATCH ? "
                "ORDER BY bm25(search_fts, 10.0, 0.0, 0.0, 0.0) LIMIT ?",
                (f"title : ({expression})", size),
            ).fetchall()
        return [r[0] for r in rows]


class _SummaryCache:
    """Totals and facet counts of recent queries, per index state. The index sequence moves
    on with every write, so an entry can never describe a state the index has left; pages
    two and on of a query, and the landing page, are answered from here."""

    def __init__(self, size: int = 512) -> None:
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def _key(query: SearchQuery, watermark: int) -> tuple:
        return (query.text, query.filters, query.facets, query.facet_size, watermark)

    def get(self, query: SearchQuery, watermark: int) -> tuple | None:
        key = self._key(query, watermark)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, query: SearchQuery, watermark: int, summary: tuple) -> None:
        with self._lock:
            self._entries[self._key(query, watermark)] = summary
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def _sort_key_sql(sort: SortKey) -> tuple[str, bool]:
    """SQL for the sort key and whether it sorts descending."""
    return {
        SortKey.RELEVANCE: ("m.score", False),  # from the temp table of matches
        SortKey.PRICE: ("d.price_ref", False),
        SortKey.PRICE_DESC: ("d.price_ref", True),
        SortKey.CREDITS: ("d.ects", False),
        SortKey.CREDITS_DESC: ("d.ects", True),
        SortKey.NEWEST: ("d.first_seen", True),
        SortKey.TITLE: ("d.title_sort", False),
        SortKey.MIXED: ("d.offering_id", False),
        SortKey.START_DATE: (
            "(SELECT min(si.start_date) FROM search_instances si "
            "WHERE si.doc = d.rowid AND si.start_date >= :today)",
            False,
        ),
    }[sort]


class CompiledQuery:
    """FROM and WHERE for one query, with every value bound, never interpolated."""

    def __init__(self, query: SearchQuery) -> None:
        self.params: dict[str, Any] = {}
        self.watermark = 0
        conditions = ["1=1"]
        self.fts = fts_match_expression(query.text or "", synonyms())
        self.text_match = bool(self.fts)
        if self.text_match:
            self.from_ = "search_fts CROSS JOIN search_docs d ON d.rowid = search_fts.rowid"
            conditions.append("search_fts MATCH :fts")
            self.params["fts"] = self.fts
        else:
            # bm25() needs a MATCH; without text the relevance sort falls back to newest.
            self.from_ = "search_docs d"
            if query.text and query.text.strip():
                conditions.append("0=1")  # text with no word in it (`"\`, `?!`) finds nothing
        conditions.extend(self._offering_conditions(query.filters))
        instance = self._instance_conditions(query.filters)
        if instance:
            conditions.append(
                "EXISTS (SELECT 1 FROM search_instances i WHERE i.doc = d.rowid AND "
                + " AND ".join(instance)
                + ")"
            )
        self.where = " AND ".join(conditions)
        self.facet_from = f"{self.from_} CROSS JOIN search_values v ON v.doc = d.rowid"

    def over_matches(self) -> CompiledQuery:
        """The same query read from temp.search_matches, where the match already ran."""
        compiled = object.__new__(CompiledQuery)
        compiled.fts, compiled.text_match, compiled.params = self.fts, True, {}
        compiled.watermark = self.watermark
        # CROSS JOIN fixes the join order (SQLite does not reorder it): walk the few matches,
        # never the whole index.
        compiled.from_ = "temp.search_matches m CROSS JOIN search_docs d ON d.rowid = m.rid"
        # The filters ran with the match, so facets need not visit the documents again.
        compiled.facet_from = "temp.search_matches m CROSS JOIN search_values v ON v.doc = m.rid"
        compiled.where = "1=1"
        return compiled

    def _bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def _values_in(self, field_name: str, values: Sequence[str]) -> str:
        options = ", ".join(self._bind(v) for v in values)
        return (
            f"EXISTS (SELECT 1 FROM search_values sv WHERE sv.doc = d.rowid AND "
            f"sv.field = {self._bind(field_name)} AND sv.value IN ({options}))"
        )

    def _offering_conditions(self, filters: Filters) -> list[str]:
        out = []
        for spec in search_fields.FIELDS:
            if spec.level is not Level.OFFERING:
                continue
            if spec.kind is Kind.TERMS:
                values = getattr(filters, spec.name)
                if not values:
                    continue
                if spec.by_length:
                    by_field: dict[str, list[str]] = {}
                    for code in values:
                        by_field.setdefault(spec.by_length[len(code)], []).append(code)
                    out.append(
                        "("
                        + " OR ".join(self._values_in(f, codes) for f, codes in by_field.items())
                        + ")"
                    )
                else:
                    out.append(self._values_in(spec.sqlite, values))
            else:
                out.extend(self._bounds(spec, filters))
        return out

    def _bounds(self, spec: search_fields.FilterField, filters: Filters) -> list[str]:
        """A range (column between its two parameters) or a flag (column equals it)."""
        if spec.kind is Kind.FLAG:
            value = getattr(filters, spec.name)
            return [] if value is None else [f"{spec.sqlite} = {self._bind(int(value))}"]
        out = []
        for parameter, operator in zip(spec.parameters, (">=", "<="), strict=True):
            value = getattr(filters, parameter)
            if value is not None:
                if isinstance(value, date):
                    value = value.isoformat()
                out.append(f"{spec.sqlite} {operator} {self._bind(value)}")
        return out

    def _instance_conditions(self, filters: Filters) -> list[str]:
        out = []
        for spec in search_fields.FIELDS:
            if spec.level is not Level.INSTANCE:
                continue
            if spec.kind is Kind.TERMS:
                values = getattr(filters, spec.name)
                if values:
                    out.append(f"{spec.sqlite} IN ({', '.join(self._bind(v) for v in values)})")
            else:
                out.extend(self._bounds(spec, filters))
        return out
