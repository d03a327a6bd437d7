"""The interface every stats implementation offers, and the service that picks one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from catalogue.errors import UnsupportedByBackend
from catalogue.search.query import Filters
from catalogue.stats.query import Dimension, Grouped, Metric, StatsQuery, StatsResult
from catalogue.stats.summary import build_result


class StatsSource(ABC):
    """Answers grouped counts and exact value distributions for the offerings that match
    the filters. Each offering that reached us twice counts once: the secondary listing of
    a duplicate pair is left out (it is not in the search index either)."""

    name: str
    dimensions: frozenset[Dimension] = frozenset(Dimension)

    def supports(self, query: StatsQuery) -> bool:
        return set(query.group_by) <= self.dimensions

    @abstractmethod
    def grouped(
        self, filters: Filters, group_by: tuple[Dimension, ...], metrics: tuple[Metric, ...]
    ) -> Grouped: ...

    def answer(self, query: StatsQuery) -> StatsResult:
        if not self.supports(query):
            missing = ", ".join(sorted(d.value for d in set(query.group_by) - self.dimensions))
            raise UnsupportedByBackend(
                f"the {self.name} statistics cannot group by {missing}; set "
                f"MICROCRED_STATS_SOURCE=catalogue to answer from the catalogue"
            )
        return build_result(
            query, self.grouped(query.filters, query.group_by, query.metrics), self.name
        )


class StatsService:
    """Asks the first source that can answer a query: the composition root puts the search
    index first where it is the faster, and the catalogue after it for what the index
    does not hold (regions)."""

    def __init__(self, sources: Sequence[StatsSource]) -> None:
        if not sources:
            raise ValueError("a stats service needs at least one source")
        self.sources = list(sources)

    def answer(self, query: StatsQuery) -> StatsResult:
        for source in self.sources:
            if source.supports(query):
                return source.answer(query)
        return self.sources[0].answer(query)  # raises, naming what is unsupported
