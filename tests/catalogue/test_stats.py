"""Agency statistics over the catalogue (SQL, on SQLite and PostgreSQL) and the shared
summary numbers; the history series. The same numbers from the search indexes are the
contract's business (tests/search/test_stats_contract.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import insert, update

from catalogue.errors import InvalidRequest
from catalogue.models import OfferingRow, OfferingVersionRow
from catalogue.search.query import Filters
from catalogue.stats.query import MULTI_VALUED, Dimension, Metric, StatsQuery
from catalogue.stats.sql import CatalogueStats
from catalogue.stats.summary import summarise
from catalogue.stats.timeseries import Interval, TimeseriesQuery, TimeseriesService
from normaliser.schema import Place
from tests.agency_data import store_offerings, withdraw
from tests.search.corpus import TE_AWA, corpus, offering


@pytest.fixture
def stats(services):
    store_offerings(services, corpus())
    return CatalogueStats(services.catalogue)


def counts(result) -> dict:
    return {tuple(row.groups.values()): row.count for row in result.rows}


# --- the percentile method ------------------------------------------------------------------
def test_percentiles_interpolate_linearly_between_closest_ranks():
    # Hyndman & Fan definition 7, as numpy.percentile(..., method="linear").
    summary = summarise({1.0: 1, 2.0: 1, 3.0: 1, 4.0: 1}, (25, 75))
    assert summary.median == 2.5
    assert summary.percentiles == {"p25": 1.75, "p75": 3.25}
    repeated = summarise({10.0: 3, 20.0: 1}, (90,))
    assert repeated.median == 10.0 and repeated.percentiles["p90"] == pytest.approx(17.0)
    assert summarise({5.0: 1}, (10,)).percentiles == {"p10": 5.0}
    assert summarise({}, (10,)).n == 0 and summarise({}).mean is None


def test_the_query_model_refuses_what_it_cannot_answer():
    with pytest.raises(ValidationError):
        StatsQuery(group_by=(Dimension.EQF, Dimension.MODE, Dimension.PROVIDER))
    with pytest.raises(ValidationError, match="once"):
        StatsQuery(group_by=(Dimension.EQF, Dimension.EQF))
    for bad in (0, 100, -5, 150):
        with pytest.raises(ValidationError, match="between 0 and 100"):
            StatsQuery(percentiles=(bad,))
    assert StatsQuery(percentiles=(90, 10, 90)).percentiles == (10, 90)


# --- grouped counts ---------------------------------------------------------------------------
def test_grouped_counts_add_up_to_the_total_for_every_single_valued_dimension(stats):
    total = stats.answer(StatsQuery()).total
    assert total == len(corpus())
    for dimension in Dimension:
        if dimension in MULTI_VALUED:
            continue
        result = stats.answer(StatsQuery(group_by=(dimension,)))
        assert result.total == total
        assert sum(row.count for row in result.rows) == total, dimension


def test_offerings_without_a_value_are_an_explicit_group(stats):
    result = stats.answer(StatsQuery(group_by=(Dimension.EQF,)))
    assert counts(result) == {(4,): 2, (5,): 3, (6,): 1, (7,): 1, (None,): 3}
    assert [(r.groups["eqf"], r.count) for r in result.rows] == [
        (5, 3),
        (None, 3),
        (4, 2),
        (6, 1),
        (7, 1),
    ]  # by count, then value, unknown last
    level = counts(stats.answer(StatsQuery(group_by=(Dimension.LEVEL,))))
    assert level == {
        ("NZQF 5",): 1,
        ("NZQF 3",): 1,
        ("NZQF 4",): 1,
        ("NZQF 6",): 1,
        ("NFQ 6",): 1,
        ("NFQ 9",): 1,
        ("NFQ 8",): 1,
        (None,): 3,
    }


def test_multi_valued_groups_count_an_offering_once_per_value(stats):
    result = stats.answer(StatsQuery(group_by=(Dimension.MODE,)))
    assert result.multi_valued == ["mode"]
    assert counts(result) == {("online",): 7, ("in_person",): 3, ("blended",): 2}
    assert result.total == 10 < sum(row.count for row in result.rows)
    languages = counts(stats.answer(StatsQuery(group_by=(Dimension.LANGUAGE,))))
    assert languages == {("en",): 10, ("mi",): 1, ("ga",): 1}


def test_two_dimensions_give_every_combination(stats):
    result = stats.answer(StatsQuery(group_by=(Dimension.PROVIDER, Dimension.FREE)))
    assert counts(result) == {
        ("te-awa", "false"): 3,
        ("te-awa", "true"): 1,
        ("cliodhna", "false"): 3,
        ("openlearn", "true"): 1,
        ("openlearn", "false"): 1,
        ("openlearn", None): 1,
    }
    assert sum(r.count for r in result.rows) == result.total


def test_rows_are_ordered_by_count_then_value_unknown_last(stats):
    rows = stats.answer(StatsQuery(group_by=(Dimension.CREDITS_BAND,))).rows
    assert [(r.groups["credits_band"], r.count) for r in rows] == [
        ("5_10", 5),
        (None, 3),
        ("10_20", 2),
    ]


def test_filters_are_the_search_filters(stats):
    assert stats.answer(StatsQuery(filters=Filters(mode=("online",)))).total == 7
    assert stats.answer(StatsQuery(filters=Filters(free=False))).total == 7
    assert stats.answer(StatsQuery(filters=Filters(subject=("061",)))).total == 4
    within_one_run = Filters(mode=("online",), starts_after=date(2027, 6, 1))
    result = stats.answer(StatsQuery(filters=within_one_run, group_by=(Dimension.PROVIDER,)))
    assert counts(result) == {
        ("cliodhna",): 1
    }  # doc005's September run; doc001 runs online in March


# --- metrics ----------------------------------------------------------------------------------
def test_metrics_are_exact(stats):
    result = stats.answer(
        StatsQuery(
            group_by=(Dimension.PROVIDER,),
            metrics=(Metric.PRICE, Metric.ECTS, Metric.HOURS),
            percentiles=(10, 90),
        )
    )
    rows = {r.groups["provider"]: r for r in result.rows}
    price = rows["te-awa"].metrics["price"]  # 0 (free), 690 (the cheaper run), 1200, 1500
    assert (price.n, price.min, price.max, price.mean) == (4, 0.0, 1500.0, 847.5)
    assert price.median == 945.0
    assert price.percentiles == {"p10": pytest.approx(207.0), "p90": pytest.approx(1410.0)}
    assert rows["openlearn"].metrics["price"].n == 2  # doc009 gives no price: not a zero
    assert (
        rows["openlearn"].metrics["ects"].n == 0 and rows["openlearn"].metrics["ects"].mean is None
    )
    hours = rows["openlearn"].metrics["hours"]  # from the durations: 30, 20, 12
    assert (hours.min, hours.median, hours.max) == (12.0, 20.0, 30.0)


def test_region_comes_from_places_and_runs(services):
    placed = offering(40, TE_AWA, "Regional Course", ects=5).model_copy(
        update={
            "places": [
                Place(country="NZ", region="Greater Wellington"),
                Place(country="NZ", region="Auckland"),
            ]
        }
    )
    store_offerings(services, [*corpus(), placed])
    result = CatalogueStats(services.catalogue).answer(
        StatsQuery(group_by=(Dimension.COUNTRY, Dimension.REGION))
    )
    assert counts(result)[("NZ", "Auckland")] == 1
    assert counts(result)[("NZ", "Greater Wellington")] == 1
    assert counts(result)[("IE", None)] == 3


# --- history ------------------------------------------------------------------------------------
def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_timeseries_counts_added_withdrawn_and_active(services):
    offerings = corpus()
    for o, day in zip(
        offerings, ["2026-01-05"] * 4 + ["2026-02-10"] * 3 + ["2026-04-01"] * 3, strict=True
    ):
        store_offerings(services, [o], recorded_at=at(day))
    withdraw(services, "doc002", at("2026-02-20"))
    withdraw(services, "doc008", at("2026-04-15"))
    series = TimeseriesService(services.catalogue)
    months = series.series(TimeseriesQuery(interval=Interval.MONTH, end=date(2026, 4, 30)))
    assert [(p.label, p.added, p.withdrawn, p.active) for p in months.periods] == [
        ("2026-01", 4, 0, 4),
        ("2026-02", 3, 1, 6),
        ("2026-03", 0, 0, 6),
        ("2026-04", 3, 1, 8),
    ]
    assert (
        months.periods[-1].active == CatalogueStats(services.catalogue).answer(StatsQuery()).total
    )
    quarters = series.series(TimeseriesQuery(interval=Interval.QUARTER, end=date(2026, 6, 30)))
    assert [(p.label, p.added, p.withdrawn, p.active) for p in quarters.periods] == [
        ("2026-Q1", 7, 1, 6),
        ("2026-Q2", 3, 1, 8),
    ]
    weeks = series.series(
        TimeseriesQuery(interval=Interval.WEEK, start=date(2026, 2, 9), end=date(2026, 2, 22))
    )
    assert weeks.active_before == 4
    assert [(p.label, p.start, p.added, p.withdrawn, p.active) for p in weeks.periods] == [
        ("2026-W07", date(2026, 2, 9), 3, 0, 7),
        ("2026-W08", date(2026, 2, 16), 0, 1, 6),
    ]


def test_timeseries_filters_apply_to_the_current_document(services):
    for o in corpus():
        store_offerings(services, [o], recorded_at=at("2026-03-03"))
    withdraw(services, "doc005", at("2026-03-20"))  # cliodhna, EQF 7
    series = TimeseriesService(services.catalogue).series(
        TimeseriesQuery(filters=Filters(provider=("cliodhna",)), end=date(2026, 3, 31))
    )
    assert [(p.added, p.withdrawn, p.active) for p in series.periods] == [(3, 1, 2)]


def test_a_returning_offering_is_added_again(services):
    store_offerings(services, [corpus()[0]], recorded_at=at("2026-01-10"))
    withdraw(services, "doc001", at("2026-02-10"))
    back = corpus()[0].model_copy(update={"version": 3})
    with services.engine.begin() as conn:
        conn.execute(
            update(OfferingRow)
            .where(OfferingRow.id == "doc001")
            .values(status="active", version=3, withdrawn_at=None)
        )
        conn.execute(
            insert(OfferingVersionRow).values(
                offering_id="doc001",
                version=3,
                status="active",
                content_hash="x",
                document=back.model_dump(mode="json"),
                submission_id=None,
                recorded_at=at("2026-03-10"),
            )
        )
    periods = (
        TimeseriesService(services.catalogue).series(TimeseriesQuery(end=date(2026, 3, 31))).periods
    )
    assert [(p.added, p.withdrawn, p.active) for p in periods] == [(1, 0, 1), (0, 1, 0), (1, 0, 1)]


def test_a_long_series_is_refused_with_a_hint(services):
    with pytest.raises(InvalidRequest, match="interval"):
        TimeseriesService(services.catalogue).series(
            TimeseriesQuery(interval=Interval.WEEK, start=date(2000, 1, 1), end=date(2026, 1, 1))
        )
