"""Summary numbers of a distribution, and the rows of a stats answer. Pure; every stats
source hands in the same kind of exact distribution, so every source gives the same
numbers by construction.

Percentiles (and the median, the 50th) are by linear interpolation between the two
nearest ranks: with the n values sorted as x[0] <= ... <= x[n-1], the p-th percentile is
x[j] + g * (x[j+1] - x[j]) where h = (n - 1) * p / 100, j = floor(h), g = h - j. This is
definition 7 of Hyndman & Fan, "Sample quantiles in statistical packages", The American
Statistician 50(4), 1996; the default of R's quantile(), NumPy's percentile() and
spreadsheets' PERCENTILE.INC.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from catalogue.stats.query import (
    Dimension,
    Grouped,
    GroupKey,
    Metric,
    MetricSummary,
    StatsQuery,
    StatsResult,
    StatsRow,
)


def percentile_label(p: float) -> str:
    return f"p{p:g}"


class _Sorted:
    """A distribution (value -> count) as sorted values with cumulative counts, so the k-th
    smallest value is found without expanding the counts."""

    def __init__(self, distribution: Mapping[float, int]) -> None:
        self.values = sorted(float(v) for v, c in distribution.items() if c > 0)
        counts = {float(v): 0 for v in self.values}
        for value, count in distribution.items():
            counts[float(value)] += count
        self.cumulative = []
        running = 0
        for value in self.values:
            running += counts[value]
            self.cumulative.append(running)
        self.n = running
        self._counts = counts

    def kth(self, k: int) -> float:
        """The k-th smallest value, 0-based."""
        low, high = 0, len(self.cumulative) - 1
        while low < high:
            middle = (low + high) // 2
            if self.cumulative[middle] > k:
                high = middle
            else:
                low = middle + 1
        return self.values[low]

    def percentile(self, p: float) -> float:
        h = (self.n - 1) * p / 100
        j = math.floor(h)
        lower = self.kth(j)
        if j + 1 >= self.n:
            return lower
        return lower + (h - j) * (self.kth(j + 1) - lower)

    def mean(self) -> float:
        # fsum is exactly rounded whatever the order, so no source's row order can change it.
        return math.fsum(v * c for v, c in self._counts.items()) / self.n


def summarise(
    distribution: Mapping[float, int], percentiles: tuple[float, ...] = ()
) -> MetricSummary:
    ordered = _Sorted(distribution)
    if ordered.n == 0:
        return MetricSummary(
            n=0,
            min=None,
            max=None,
            mean=None,
            median=None,
            percentiles={percentile_label(p): None for p in percentiles},
        )
    return MetricSummary(
        n=ordered.n,
        min=ordered.values[0],
        max=ordered.values[-1],
        mean=ordered.mean(),
        median=ordered.percentile(50),
        percentiles={percentile_label(p): ordered.percentile(p) for p in percentiles},
    )


def _sort_key(key: GroupKey, count: int) -> tuple:
    # Biggest groups first; then by value, unknown last, so the order is the same everywhere.
    return (
        -count,
        tuple((value is None, str(value) if value is not None else "") for value in key),
    )


def build_result(query: StatsQuery, grouped: Grouped, source: str) -> StatsResult:
    rows = []
    for key, count in sorted(grouped.counts.items(), key=lambda item: _sort_key(*item)):
        row = StatsRow(
            groups={d.value: value for d, value in zip(query.group_by, key, strict=True)},
            count=count,
        )
        for metric in query.metrics:
            distribution = grouped.distributions.get(metric, {}).get(key, {})
            row.metrics[metric.value] = summarise(distribution, query.percentiles)
        rows.append(row)
    return StatsResult(
        total=grouped.total,
        group_by=query.group_by,
        rows=rows,
        source=source,
        metrics=query.metrics,
        percentiles=query.percentiles,
    )


def group_value(dimension: Dimension, value) -> str | int | None:
    """A group value as every source reports it: eqf as an integer, the rest as text."""
    if value is None:
        return None
    if dimension is Dimension.EQF:
        return int(value)
    return str(value)


def grouped_from_rows(
    rows, group_by: tuple[Dimension, ...], metrics: tuple[Metric, ...], total: int | None
) -> Grouped:
    """Adds up rows of (group values..., metric values..., count), as the SQL sources
    return them; `total` is given when the groups can overlap (multi-valued dimensions)."""
    counts: dict = defaultdict(int)
    distributions: dict = {m: defaultdict(lambda: defaultdict(int)) for m in metrics}
    width = len(group_by)
    for row in rows:
        key = tuple(group_value(d, v) for d, v in zip(group_by, row[:width], strict=True))
        count = row[-1]
        counts[key] += count
        for metric, value in zip(metrics, row[width:-1], strict=True):
            if value is not None:
                distributions[metric][key][float(value)] += count
    if not group_by and not counts:
        counts[()] = 0
    if total is None:
        total = sum(counts.values())
    return Grouped(
        total=total,
        counts=dict(counts),
        distributions={m: {k: dict(v) for k, v in d.items()} for m, d in distributions.items()},
    )
