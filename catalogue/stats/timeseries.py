"""Offerings added, withdrawn and active per week, month or quarter, from the catalogue's
history (offering_versions).

An offering is *added* when it becomes active: its first version, or a version that brings
it back after a withdrawal. It is *withdrawn* when a version withdraws it. *Active* is the
number active at the end of the period. Versions that change an active offering are
neither. The filters apply to each offering's current document (its last version, for a
withdrawn one): an offering that moved from EQF 4 to 5 counts in an eqf_min=5 series over
its whole history. As everywhere in the agency statistics, the secondary listing of a
duplicate pair is left out. Periods are in UTC; weeks are ISO weeks (Monday first).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import text

from catalogue.errors import InvalidRequest
from catalogue.search.query import Filters
from catalogue.stats.json_sql import json_sql_for
from catalogue.stats.offering_sql import OFFERINGS, OfferingSql, Params, catalogue_conditions
from catalogue.store import Catalogue

MAX_PERIODS = 520


class Interval(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


class TimeseriesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    filters: Filters = Filters()
    interval: Interval = Interval.MONTH
    start: date | None = None  # default: the first change in the history
    end: date | None = None  # default: today (UTC)

    @model_validator(mode="after")
    def _order(self) -> TimeseriesQuery:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start ({self.start}) is after end ({self.end})")
        return self


@dataclass
class Period:
    start: date
    end: date  # the last day in the period
    label: str  # 2026-W48, 2026-11, 2026-Q4
    added: int
    withdrawn: int
    active: int


@dataclass
class Timeseries:
    interval: Interval
    periods: list[Period]
    active_before: int  # active at the start of the first period


def period_start(day: date, interval: Interval) -> date:
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_period(start: date, interval: Interval) -> date:
    if interval is Interval.WEEK:
        return start + timedelta(days=7)
    months = 1 if interval is Interval.MONTH else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_label(start: date, interval: Interval) -> str:
    if interval is Interval.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if interval is Interval.MONTH:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_count(start: date, end: date, interval: Interval) -> int:
    """How many periods of `interval` a series from `start` to `end` has, by arithmetic."""
    first, last = period_start(start, interval), period_start(end, interval)
    if interval is Interval.WEEK:
        return (last - first).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    return months // (1 if interval is Interval.MONTH else 3) + 1


def check_periods(start: date, end: date, interval: Interval) -> None:
    """Refuse (InvalidRequest, naming `interval`) a series of more than MAX_PERIODS."""
    if period_count(start, end, interval) > MAX_PERIODS:
        raise InvalidRequest(
            f"that is more than {MAX_PERIODS} {interval.value}s; choose a later "
            f"start, an earlier end or a longer interval",
            parameter="interval",
        )


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class TimeseriesService:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.json = json_sql_for(catalogue.engine.dialect.name)

    def daily_changes(self, filters: Filters) -> dict[date, tuple[int, int]]:
        """Per UTC day: (offerings added, offerings withdrawn)."""
        params = Params()
        where = " AND ".join(
            catalogue_conditions(OfferingSql(self.json), filters, params, active_only=False)
        )
        day = self.json.utc_day("v.recorded_at")
        sql = (
            "WITH v AS (SELECT ov.recorded_at, ov.status, LAG(ov.status) OVER ("
            "PARTITION BY ov.offering_id ORDER BY ov.version) AS previous "
            f"FROM offering_versions ov WHERE ov.offering_id IN (SELECT o.id FROM {OFFERINGS} o "
            f"WHERE {where})) "
            f"SELECT {day} AS day, "
            "sum(CASE WHEN v.status = 'active' AND (v.previous IS NULL OR v.previous = 'withdrawn') "
            "THEN 1 ELSE 0 END), "
            "sum(CASE WHEN v.status = 'withdrawn' AND v.previous = 'active' THEN 1 ELSE 0 END) "
            f"FROM v GROUP BY {day}"
        )
        with self.catalogue.engine.connect() as conn:
            rows = conn.execute(text(sql), params.values).all()
        return {_as_date(d): (int(added or 0), int(gone or 0)) for d, added, gone in rows}

    def series(self, query: TimeseriesQuery, today: date | None = None) -> Timeseries:
        end = query.end or today or datetime.now(UTC).date()
        if query.start is not None:  # refused before the history is read
            check_periods(query.start, end, query.interval)
        changes = self.daily_changes(query.filters)
        start = query.start or (min(changes) if changes else end)
        check_periods(start, end, query.interval)
        first = period_start(start, query.interval)
        starts = [first]
        while next_period(starts[-1], query.interval) <= end:
            starts.append(next_period(starts[-1], query.interval))
        before = sum(added - gone for day, (added, gone) in changes.items() if day < first)
        per_period: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for day, (added, gone) in changes.items():
            if first <= day <= end:
                bucket = per_period[period_start(day, query.interval)]
                bucket[0] += added
                bucket[1] += gone
        periods, active = [], before
        for period in starts:
            added, gone = per_period.get(period, (0, 0))
            active += added - gone
            last_day = min(next_period(period, query.interval) - timedelta(days=1), end)
            periods.append(
                Period(
                    start=period,
                    end=last_day,
                    label=period_label(period, query.interval),
                    added=added,
                    withdrawn=gone,
                    active=active,
                )
            )
        return Timeseries(interval=query.interval, periods=periods, active_before=before)
