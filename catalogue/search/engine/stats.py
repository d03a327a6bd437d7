"""Agency statistics from Elasticsearch/OpenSearch aggregations, filtered by the same
clauses as a search (engine.query.filter_clauses).

Exact by construction: a composite aggregation pages through every combination of the group
values (and, per metric, of the measured value), so what comes back is the whole exact
distribution, summarised in Python as every stats source is (catalogue.stats.summary). The
engines' own `percentiles` aggregation is approximate (t-digest; OpenSearch docs, "Percentile
aggregations": "the percentile metric is approximate") and is not used.

Unknown values are the composite's missing buckets (`missing_bucket`); an offering with
several values of a keyword is counted in each of its buckets, as in the other sources.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from catalogue.search.engine.backend import EngineBackend
from catalogue.search.engine.query import FACET_FIELD_PREFIX, filter_clauses
from catalogue.search.query import Filters
from catalogue.stats.query import Dimension, Grouped, GroupKey, Metric
from catalogue.stats.source import StatsSource
from catalogue.stats.summary import group_value

# The index fields of each dimension: its facet keywords; the native level is the framework
# keyword and the level value, joined as the other sources join them.
DIMENSION_FIELDS: dict[Dimension, tuple[str, ...]] = {
    d: (f"{FACET_FIELD_PREFIX}{d.value}",)
    for d in Dimension
    if d not in (Dimension.LEVEL, Dimension.REGION)
}
DIMENSION_FIELDS[Dimension.LEVEL] = (f"{FACET_FIELD_PREFIX}framework", "level_value")
METRIC_FIELDS = {
    Metric.PRICE: "price_ref",
    Metric.ECTS: "ects",
    Metric.HOURS: "hours",
    Metric.WEEKS: "weeks",
}
PAGE_SIZE = 1000


class EngineStats(StatsSource):
    dimensions = frozenset(DIMENSION_FIELDS)

    def __init__(self, backend: EngineBackend, page_size: int = PAGE_SIZE) -> None:
        self.backend = backend
        self.name = backend.name
        self.page_size = page_size

    def grouped(
        self, filters: Filters, group_by: tuple[Dimension, ...], metrics: tuple[Metric, ...]
    ) -> Grouped:
        query = {"bool": {"filter": filter_clauses(filters)}}
        response = self.backend.client.search(
            self.backend.alias, {"size": 0, "track_total_hits": True, "query": query}
        )
        total = response["hits"]["total"]
        total = total["value"] if isinstance(total, dict) else int(total)
        sources = self._group_sources(group_by)
        counts: dict[GroupKey, int] = defaultdict(int)
        if sources:
            for values, count in self._composite(query, sources):
                counts[self._key(group_by, values)] += count
        else:
            counts[()] = total
        distributions: dict[Metric, dict[GroupKey, dict[float, int]]] = {}
        for metric in metrics:
            # No missing bucket for the value: offerings without one are not measured.
            metric_source = {"m": {"terms": {"field": METRIC_FIELDS[metric]}}}
            distribution: dict = defaultdict(lambda: defaultdict(int))
            for values, count in self._composite(query, [*sources, metric_source]):
                key = self._key(group_by, values)
                distribution[key][float(values["m"])] += count
            distributions[metric] = {k: dict(v) for k, v in distribution.items()}
        return Grouped(total=total, counts=dict(counts), distributions=distributions)

    @staticmethod
    def _group_sources(group_by: tuple[Dimension, ...]) -> list[dict[str, Any]]:
        sources = []
        for position, dimension in enumerate(group_by):
            for part, field in enumerate(DIMENSION_FIELDS[dimension]):
                sources.append(
                    {f"g{position}_{part}": {"terms": {"field": field, "missing_bucket": True}}}
                )
        return sources

    @staticmethod
    def _key(group_by: tuple[Dimension, ...], values: dict[str, Any]) -> GroupKey:
        key = []
        for position, dimension in enumerate(group_by):
            if dimension is Dimension.LEVEL:
                framework, level = values[f"g{position}_0"], values[f"g{position}_1"]
                value = (
                    f"{framework} {level}" if framework is not None and level is not None else None
                )
            else:
                value = values[f"g{position}_0"]
            key.append(group_value(dimension, value))
        return tuple(key)

    def _composite(self, query: dict[str, Any], sources: list[dict[str, Any]]):
        """Every bucket of a composite aggregation: (key values, doc count), page by page."""
        after = None
        while True:
            composite: dict[str, Any] = {"size": self.page_size, "sources": sources}
            if after is not None:
                composite["after"] = after
            response = self.backend.client.search(
                self.backend.alias,
                {"size": 0, "query": query, "aggs": {"groups": {"composite": composite}}},
            )
            aggregation = response["aggregations"]["groups"]
            buckets = aggregation.get("buckets", [])
            for bucket in buckets:
                yield bucket["key"], bucket["doc_count"]
            after = aggregation.get("after_key")
            if not buckets or after is None or len(buckets) < self.page_size:
                return
