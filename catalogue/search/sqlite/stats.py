"""Agency statistics from the SQLite FTS5 index tables (search_docs, search_values,
search_cards): the offering values the index already holds flat, filtered exactly as a
search is (the backend's own query compiler), so the embedded default answers without
reading a single JSON document. The index holds no regions: grouping by region is for the
catalogue source."""

from __future__ import annotations

from catalogue.search.query import Filters, SearchQuery
from catalogue.search.sqlite.backend import (
    SINGLE_VALUED_FACETS,
    CompiledQuery,
    SqliteFtsBackend,
    driver_cursor,
)
from catalogue.stats.query import MULTI_VALUED, Dimension, Grouped, Metric
from catalogue.stats.source import StatsSource
from catalogue.stats.summary import grouped_from_rows

METRIC_COLUMNS = {
    Metric.PRICE: "d.price_ref",
    Metric.ECTS: "d.ects",
    Metric.HOURS: "d.hours",
    Metric.WEEKS: "d.weeks",
}
# The native level value lives only in the result card.
_LEVEL = (
    "(CASE WHEN d.framework IS NOT NULL AND lv.value IS NOT NULL "
    "THEN d.framework || ' ' || lv.value END)"
)
_LEVEL_JOIN = (
    "LEFT JOIN (SELECT rowid AS doc, json_extract(summary, '$.level.value') AS value "
    "FROM search_cards) lv ON lv.doc = d.rowid"
)


class SqliteIndexStats(StatsSource):
    name = "sqlite"
    dimensions = frozenset(Dimension) - {Dimension.REGION}

    def __init__(self, backend: SqliteFtsBackend) -> None:
        self.backend = backend

    def grouped(
        self, filters: Filters, group_by: tuple[Dimension, ...], metrics: tuple[Metric, ...]
    ) -> Grouped:
        # The search backend's compiler, so the filters mean here what they mean in a search.
        compiled = CompiledQuery(SearchQuery(filters=filters, facets=()))
        params = dict(compiled.params)
        group_columns, joins = [], []
        for position, dimension in enumerate(group_by):
            if dimension in MULTI_VALUED:
                params[f"field{position}"] = dimension.value
                joins.append(
                    f"LEFT JOIN search_values g{position} ON g{position}.doc = d.rowid "
                    f"AND g{position}.field = :field{position}"
                )
                group_columns.append(f"g{position}.value")
            elif dimension is Dimension.LEVEL:
                joins.append(_LEVEL_JOIN)
                group_columns.append(_LEVEL)
            else:
                group_columns.append(SINGLE_VALUED_FACETS[dimension.value])
        selected = group_columns + [METRIC_COLUMNS[m] for m in metrics]
        sql = (
            f"SELECT {', '.join(selected + ['count(*)'])} FROM {compiled.from_} "
            f"{' '.join(joins)} WHERE {compiled.where}"
            + (f" GROUP BY {', '.join(selected)}" if selected else "")
        )
        with self.backend.engine.connect() as conn:
            cur = driver_cursor(conn)
            rows = cur.execute(sql, params).fetchall()
            total = None
            if any(d in MULTI_VALUED for d in group_by):
                total = cur.execute(
                    f"SELECT count(*) FROM {compiled.from_} WHERE {compiled.where}", compiled.params
                ).fetchone()[0]
        return grouped_from_rows(rows, group_by, metrics, total)
