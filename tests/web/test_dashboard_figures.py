"""The dashboard's charts drawn phone first (issue 18, items 4 and 5): whole ticks on count
axes, labels wrapped and never cut, one word for a missing value, rounded figures, and
the data quality and duplicates the agency API knows, over HTTP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microcred.agency import build_agency_context
from microcred.web import create_web_app
from normaliser.schema import Provider
from search_api.models.agency import StatsOut
from search_api.pages import charts
from tests.web.test_pages_http import FEED


@pytest.mark.parametrize("top", [0, 1, 3, 7, 10, 62.5, 99, 250, 448, 1001, 123456])
def test_count_axes_have_whole_ticks_up_to_the_largest_value(top):
    end, ticks = charts.axis(top)
    assert ticks[0] == 0 and ticks[-1] == end >= top and len(ticks) <= 6
    assert all(t == int(t) for t in ticks)
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced


def test_long_labels_are_wrapped_whole_never_cut():
    label = "Engineering, manufacturing and construction"
    svg = charts.horizontal_bars("By field", [charts.Bar(label, 77), charts.Bar("Services", 3)])
    lines = re.findall(r'class="chart-text">([^<]*)</text>', svg)
    assert " ".join(lines).startswith(label) and "…" not in svg
    narrow = charts.columns("By level", [charts.Bar("Not stated", 5), charts.Bar("4", 2)] * 6)
    assert re.search(r">Not</text>.*>stated</text>", narrow) and "…" not in narrow
    assert 'width="100%"' in svg and 'viewBox="0 0 400 ' in svg


def test_stats_figures_are_rounded_in_the_api_and_the_dashboard():
    from catalogue.stats.query import Dimension, MetricSummary, StatsResult, StatsRow

    summary = MetricSummary(
        n=3, min=1.1, max=5.3, mean=3.799999999999997, median=3.8, percentiles={"p90": 5.0000001}
    )
    result = StatsResult(
        total=3,
        group_by=(Dimension.EQF,),
        source="catalogue",
        rows=[StatsRow(groups={"eqf": 5}, count=3, metrics={"ects": summary})],
    )
    ects = StatsOut.of(result, "EUR").model_dump(mode="json")["rows"][0]["ects"]
    assert ects["mean"] == 3.8 and ects["p90"] == 5.0 and ects["min"] == 1.1


def test_the_dashboard_lists_quality_per_provider_and_duplicates(services, provider):
    services.import_feed(provider.id, FEED.encode(), format="csv")
    mooc = Provider(id="mooc", name="Open MOOC Platform", country="NZ", default_currency="NZD")
    services.catalogue.upsert_provider(mooc, default_language="en")
    again = (
        "id,title,level,mode,url\n"
        "X-MR1,Te Reo Māori for Beginners,NZQF Level 3,Online,https://teawa.example.nz/mr1\n"
    )
    services.import_feed(mooc.id, again.encode(), format="csv")
    build_agency_context(services).duplicates.detect_all()
    client = TestClient(create_web_app(services, background=False))
    key = services.keys.create("agency", label="Ministry").secret
    client.post("/agency/sign-in", data={"key": key}, follow_redirects=False)
    page = client.get("/agency").text
    duplicates = page[page.index('id="duplicates"') :]
    assert "<strong>1</strong> offering reached us twice" in duplicates
    assert duplicates.count("Te Reo Māori for Beginners") == 2
    assert "Open MOOC Platform" in duplicates and provider.name in duplicates
    quality = page[page.index('id="chart-quality"') : page.index('id="duplicates"')]
    assert provider.name in quality and "Open MOOC Platform" in quality
    assert re.search(r"<td>\d+%</td>", quality)
    only = client.get("/agency", params={"provider": "mooc"}).text
    only_quality = only[only.index('id="chart-quality"') : only.index('id="duplicates"')]
    assert provider.name not in only_quality and "Open MOOC Platform" in only_quality
