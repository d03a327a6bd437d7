"""The statistics query model: which offerings (the search filters), grouped by what, and
which numbers to measure in each group."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalogue.search.query import Filters

MAX_GROUP_BY = 2
MAX_PERCENTILES = 9


class Dimension(StrEnum):
    """What offerings can be grouped by: the search facets, plus the native level and the
    region. Values are as the search facets give them; `level` is "<framework> <level>"
    (e.g. "NZQF 5"), `eqf` is an integer."""

    PROVIDER = "provider"
    FRAMEWORK = "framework"
    LEVEL = "level"
    EQF = "eqf"
    SUBJECT = "subject"  # ISCED-F detailed field (4 digits)
    SUBJECT_NARROW = "subject_narrow"
    SUBJECT_BROAD = "subject_broad"
    MODE = "mode"
    PACE = "pace"
    COUNTRY = "country"
    REGION = "region"
    CREDENTIAL_TYPE = "credential_type"
    LANGUAGE = "language"
    CREDIT_SYSTEM = "credit_system"
    FREE = "free"
    PRICE_BAND = "price_band"
    CREDITS_BAND = "credits_band"


# An offering can hold several values of these (two languages, runs online and in person):
# it counts once in the group of each of its values, so the groups of such a dimension can
# add up to more than the total.
MULTI_VALUED = frozenset(
    {
        Dimension.SUBJECT,
        Dimension.SUBJECT_NARROW,
        Dimension.SUBJECT_BROAD,
        Dimension.MODE,
        Dimension.PACE,
        Dimension.COUNTRY,
        Dimension.REGION,
        Dimension.LANGUAGE,
    }
)


class Metric(StrEnum):
    """Numbers measured per group, one per offering (offerings without one are left out of
    that metric, not counted as zero)."""

    PRICE = "price"  # the lowest price of any run, in the reference currency; free is 0
    ECTS = "ects"
    HOURS = "hours"  # notional learning hours (from the credits, else from the duration)
    WEEKS = "weeks"  # duration in weeks


class StatsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    filters: Filters = Filters()
    group_by: tuple[Dimension, ...] = Field((), max_length=MAX_GROUP_BY)
    metrics: tuple[Metric, ...] = ()
    percentiles: tuple[float, ...] = Field(
        (), max_length=MAX_PERCENTILES, description="Each greater than 0, less than 100."
    )

    @field_validator("group_by", "metrics")
    @classmethod
    def _distinct(cls, values: tuple) -> tuple:
        if len(set(values)) != len(values):
            raise ValueError("each name may appear once")
        return values

    @field_validator("percentiles")
    @classmethod
    def _percent(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        for value in values:
            if not 0 < value < 100:
                raise ValueError(f"percentile {value:g} is not between 0 and 100 (exclusive)")
        return tuple(sorted(set(values)))


# One group: the value of each group_by dimension, in order; None is "no value" (unknown).
GroupKey = tuple[str | int | None, ...]


@dataclass
class Grouped:
    """What a stats source returns: the raw material every source computes the same way.
    `distributions[metric][group]` maps each value of the metric to how many offerings of
    the group have it, so every summary number is exact and computed once, in Python."""

    total: int
    counts: dict[GroupKey, int]
    distributions: dict[Metric, dict[GroupKey, dict[float, int]]] = field(default_factory=dict)


@dataclass
class MetricSummary:
    n: int  # offerings in the group with a value
    min: float | None
    max: float | None
    mean: float | None
    median: float | None
    percentiles: dict[str, float | None] = field(default_factory=dict)  # "p10" -> value


@dataclass
class StatsRow:
    groups: dict[str, str | int | None]
    count: int
    metrics: dict[str, MetricSummary] = field(default_factory=dict)


@dataclass
class StatsResult:
    total: int
    group_by: tuple[Dimension, ...]
    rows: list[StatsRow]
    source: str  # which implementation answered: catalogue, sqlite, opensearch, elasticsearch
    metrics: tuple[Metric, ...] = ()
    percentiles: tuple[float, ...] = ()

    @property
    def multi_valued(self) -> list[str]:
        return [d.value for d in self.group_by if d in MULTI_VALUED]
