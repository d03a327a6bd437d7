"""Bodies of the agency routes, built from the services' results. The dashboard draws its
charts from the same bodies, so what it shows is what the API answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catalogue.stats.query import StatsResult
from catalogue.stats.summary import percentile_label
from catalogue.stats.timeseries import Timeseries

MULTI_VALUED_NOTE = (
    "an offering with several values of a multi-valued dimension counts once "
    "in the group of each value, so these groups can add up to more than "
    "`total`; every other dimension's groups add up to `total` exactly, "
    "offerings without a value counted in the group whose value is null"
)
SINGLE_VALUED_NOTE = "each offering counts in exactly one group; the counts add up to `total`"


# Prices and credits are given to the cent and the hundredth of a credit: a mean of
# 3.799999999999997 ECTS is 3.8, the float sum's error gone.
DECIMALS = 2


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


class MetricSummaryOut(BaseModel):
    """One metric over a group; the percentiles asked for follow as p10, p90, ..."""

    model_config = ConfigDict(extra="allow")

    n: int = Field(description="Offerings in the group with a value")
    min: float | None
    max: float | None
    mean: float | None
    median: float | None


class StatsOut(BaseModel):
    total: int
    group_by: list[str]
    metrics: list[str]
    percentiles: list[str]
    multi_valued: list[str]
    counting: str = Field(description="How the groups' counts add up")
    reference_currency: str
    source: str = Field(description="What answered: catalogue, sqlite, opensearch, elasticsearch")
    rows: list[dict[str, MetricSummaryOut | int | str | None]] = Field(
        description="Per group: the value of each `group_by` dimension, `count`, and one "
        "summary per metric"
    )

    @classmethod
    def of(cls, result: StatsResult, reference_currency: str) -> StatsOut:
        rows = []
        for row in result.rows:
            out: dict[str, Any] = dict(row.groups)
            out["count"] = row.count
            for name, summary in row.metrics.items():
                out[name] = {
                    "n": summary.n,
                    "min": _rounded(summary.min),
                    "max": _rounded(summary.max),
                    "mean": _rounded(summary.mean),
                    "median": _rounded(summary.median),
                    **{p: _rounded(v) for p, v in summary.percentiles.items()},
                }
            rows.append(out)
        return cls(
            total=result.total,
            group_by=[d.value for d in result.group_by],
            metrics=[m.value for m in result.metrics],
            percentiles=[percentile_label(p) for p in result.percentiles],
            multi_valued=result.multi_valued,
            counting=MULTI_VALUED_NOTE if result.multi_valued else SINGLE_VALUED_NOTE,
            reference_currency=reference_currency,
            source=result.source,
            rows=rows,
        )


class PeriodOut(BaseModel):
    period: str = Field(description="2026-W48, 2026-11, 2026-Q4")
    start: date
    end: date
    added: int
    withdrawn: int
    active: int


class TimeseriesOut(BaseModel):
    interval: str
    active_before: int
    filters_apply_to: str
    periods: list[PeriodOut]

    @classmethod
    def of(cls, series: Timeseries) -> TimeseriesOut:
        return cls(
            interval=series.interval.value,
            active_before=series.active_before,
            filters_apply_to="each offering's current document",
            periods=[
                PeriodOut(
                    period=p.label,
                    start=p.start,
                    end=p.end,
                    added=p.added,
                    withdrawn=p.withdrawn,
                    active=p.active,
                )
                for p in series.periods
            ],
        )


class ExportColumnOut(BaseModel):
    name: str
    description: str


class ExportColumnsOut(BaseModel):
    columns: list[ExportColumnOut]


class ProviderQualityOut(BaseModel):
    provider_id: str
    provider_name: str | None
    active_offerings: int
    annex_i: dict[str, Any] = Field(
        description="EU Council Recommendation Annex I elements: "
        "score, mandatory, optional, not_applicable, "
        "not_captured"
    )
    own_fields: dict[str, Any] = Field(description="required and recommended fields present")
    unmapped: dict[str, Any] = Field(description="Per field: values given, left unmapped")
    stale: dict[str, Any] = Field(description="Offerings not seen for `days`")
    course_markup: dict[str, Any] = Field(
        description="Offerings whose page carries no schema.org Course markup (`omitted`), "
        "and per required course-info field the offerings lacking it and what "
        "would supply it (`missing`)"
    )


class QualityOut(BaseModel):
    stale_days: int
    providers: list[ProviderQualityOut]


class DuplicateLinkOut(BaseModel):
    id: int
    primary: dict[str, Any] | None = Field(description="The listing shown in search")
    secondary: dict[str, Any] | None = Field(description="The listing hidden behind it")
    reasons: list[str]
    title_similarity: float | None
    evidence: Any
    detected_at: datetime | None


class DuplicateLinksOut(BaseModel):
    links: list[DuplicateLinkOut]
    next_after: int | None = Field(description="Pass as `after` for the next page")
