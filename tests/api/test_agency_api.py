"""The agency API over HTTP: keys and roles, the rate limit, statistics, history, exports,
data quality and duplicate links, on a real catalogue (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import dataclasses
import io

import orjson
import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app
from tests.agency_data import load_duplicate_pair, store_offerings
from tests.catalogue.test_export import HOSTILE, hostile_offering
from tests.search.corpus import corpus


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(services, provider) -> dict[str, str]:
    return {
        "agency": services.keys.create("agency", label="Ministry").secret,
        "admin": services.keys.create("admin").secret,
        "provider": services.keys.create("provider", provider_id=provider.id).secret,
    }


@pytest.fixture
def client(services, keys):
    store_offerings(services, [*corpus(), hostile_offering()])
    services.indexer.drain()
    with TestClient(create_web_app(services, background=False)) as test_client:
        yield test_client


def get(client, path, key, **params):
    return client.get(path, params=params, headers=auth(key))


# --- access ------------------------------------------------------------------------------------
AGENCY_ROUTES = [
    "/v1/stats/offerings",
    "/v1/stats/timeseries",
    "/v1/export",
    "/v1/export/columns",
    "/v1/quality",
    "/v1/quality/te-awa",
    "/v1/duplicates",
]


@pytest.mark.parametrize("path", AGENCY_ROUTES)
def test_every_agency_route_needs_an_agency_or_admin_key(client, keys, path):
    assert client.get(path).status_code == 401
    assert client.get(path).headers["WWW-Authenticate"].startswith("Bearer")
    refused = get(client, path, keys["provider"])
    assert refused.status_code == 403 and "agency" in refused.json()["error"]["message"]
    assert get(client, path, keys["agency"]).status_code == 200
    assert get(client, path, keys["admin"]).status_code == 200


def test_each_key_has_its_own_rate_limit(services, keys):
    limited = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"agency_rate_per_minute": 3})
    )
    with TestClient(create_web_app(limited, background=False)) as client:
        for _ in range(3):
            assert get(client, "/v1/export/columns", keys["agency"]).status_code == 200
        refused = get(client, "/v1/export/columns", keys["agency"])
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        assert get(client, "/v1/export/columns", keys["admin"]).status_code == 200
        assert client.get("/v1/search").status_code == 200  # public routes are not limited


# --- statistics --------------------------------------------------------------------------------
def test_stats_rows_carry_their_groups_and_count(client, keys):
    body = get(
        client,
        "/v1/stats/offerings",
        keys["agency"],
        group_by="eqf",
        metrics="price,ects",
        percentiles="10,90",
    ).json()
    assert body["total"] == 11 and body["multi_valued"] == []
    assert sum(row["count"] for row in body["rows"]) == body["total"]
    assert body["percentiles"] == ["p10", "p90"] and body["reference_currency"] == "EUR"
    unknown = next(row for row in body["rows"] if row["eqf"] is None)
    assert unknown["count"] == 4
    assert set(unknown["price"]) == {"n", "min", "max", "mean", "median", "p10", "p90"}
    seven = next(row for row in body["rows"] if row["eqf"] == 7)
    assert seven["price"]["median"] == 2450.0 and seven["ects"]["n"] == 1


def test_stats_take_the_search_filters_and_say_how_multi_valued_groups_count(client, keys):
    body = get(
        client, "/v1/stats/offerings", keys["agency"], group_by=["provider", "mode"], free="false"
    ).json()
    assert body["total"] == 7 and body["multi_valued"] == ["mode"]
    assert "more than `total`" in body["counting"]
    assert {(r["provider"], r["mode"]): r["count"] for r in body["rows"]}[
        ("te-awa", "in_person")
    ] == 2


def test_stats_region_is_answered_from_the_catalogue(client, keys):
    body = get(client, "/v1/stats/offerings", keys["agency"], group_by="region").json()
    assert body["source"] == "catalogue"
    assert body["rows"] == [{"region": None, "count": 11}]


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({"group_by": "colour"}, 422, "group_by"),
        ({"group_by": "eqf,mode,provider"}, 422, "group_by"),
        ({"metrics": "price", "percentiles": "100"}, 422, "percentiles"),
        ({"eqf_min": "9"}, 422, "eqf_min"),
        ({"q": "data"}, 400, "q"),
    ],
)
def test_bad_stats_parameters_are_named(client, keys, params, status, named):
    response = get(client, "/v1/stats/offerings", keys["agency"], **params)
    assert response.status_code == status
    assert named in response.text


def test_timeseries(client, keys):
    body = get(
        client,
        "/v1/stats/timeseries",
        keys["agency"],
        interval="month",
        end="2026-01-31",
        provider="te-awa",
    ).json()
    assert body["interval"] == "month" and body["filters_apply_to"]
    assert body["periods"][-1] == {
        "period": "2026-01",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "added": 4,
        "withdrawn": 0,
        "active": 4,
    }
    assert get(client, "/v1/stats/timeseries", keys["agency"], interval="day").status_code == 422


def test_a_century_of_weeks_is_refused_before_the_history_is_read(client, keys, monkeypatch):
    timeseries = client.app.state.context.agency.timeseries
    reads = []
    real = timeseries.daily_changes
    monkeypatch.setattr(timeseries, "daily_changes", lambda f: reads.append(f) or real(f))
    refused = get(
        client,
        "/v1/stats/timeseries",
        keys["agency"],
        interval="week",
        start="1926-01-01",
        end="2026-01-01",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "interval"
    assert "520" in refused.json()["error"]["message"]
    assert reads == []  # refused by arithmetic on the dates, not after the work
    # Nine years of weeks is within bounds, and is computed.
    assert (
        get(
            client,
            "/v1/stats/timeseries",
            keys["agency"],
            interval="week",
            start="2017-01-02",
            end="2025-12-28",
        ).status_code
        == 200
    )
    assert len(reads) == 1


# --- exports ------------------------------------------------------------------------------------
def test_csv_export_with_hostile_cells_opens_safely(client, keys):
    response = get(client, "/v1/export", keys["agency"], format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert len(rows) == 11
    [hostile] = [r for r in rows if r["id"] == "doc030"]
    for name, value in HOSTILE.items():
        assert hostile[name] == "'" + value
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        for row in rows
        for cell in row.values()
    )


def test_jsonl_export_with_filters(client, keys):
    response = get(client, "/v1/export", keys["agency"], format="jsonl", country="IE")
    assert response.headers["content-type"].startswith("application/jsonl")
    records = [orjson.loads(line) for line in response.text.splitlines()]
    assert sorted(r["id"] for r in records) == ["doc004", "doc005", "doc006"]
    columns = get(client, "/v1/export/columns", keys["agency"]).json()["columns"]
    assert [c["name"] for c in columns] == list(records[0])


# --- quality and duplicates ---------------------------------------------------------------------
def test_quality_of_every_provider_and_of_one(client, keys):
    body = get(client, "/v1/quality", keys["agency"], stale_days=7).json()
    by_id = {p["provider_id"]: p for p in body["providers"]}
    assert {"te-awa", "cliodhna", "openlearn"} <= set(by_id)
    te_awa = by_id["te-awa"]
    assert te_awa["active_offerings"] == 4
    assert te_awa["annex_i"]["mandatory"]["level"] == {"present": 4, "share": 1.0}
    assert te_awa["annex_i"]["mandatory"]["learning_outcomes"]["present"] == 1
    assert "grade achieved" in te_awa["annex_i"]["not_applicable"]
    assert te_awa["stale"]["offerings"] == 4  # last seen in January 2026, corpus time
    one = get(client, "/v1/quality/openlearn", keys["agency"]).json()
    assert (
        one["provider_id"] == "openlearn"
        and one["own_fields"]["recommended"]["level"]["present"] == 0
    )
    assert get(client, "/v1/quality/nobody", keys["agency"]).status_code == 404


def test_duplicate_links_are_listed_and_both_sources_shown(client, keys, services):
    load_duplicate_pair(services)
    body = get(client, "/v1/duplicates", keys["agency"]).json()
    [link] = body["links"]
    assert link["primary"]["provider"]["id"] == "harvard"
    assert link["secondary"]["provider"]["id"] == "edx"
    assert set(link["reasons"]) == {"title", "institution"}
    assert get(client, "/v1/duplicates", keys["agency"], provider="cliodhna").json()["links"] == []
    sources = client.get(f"/v1/offerings/{link['secondary']['id']}/sources").json()  # public
    assert sources["shown_as"] == link["primary"]["id"]
    assert [s["role"] for s in sources["sources"]] == ["primary", "secondary"]
    hits = client.get("/v1/search", params={"q": "introduction computer science"}).json()["hits"]
    assert [h["id"] for h in hits] == [link["primary"]["id"]]


def test_quality_is_cached_until_the_catalogue_changes(
    client, keys, services, provider, monkeypatch
):
    quality = client.app.state.context.agency.quality
    computed = []
    real = quality.compute
    monkeypatch.setattr(quality, "compute", lambda *a, **k: computed.append(a) or real(*a, **k))
    first = get(client, "/v1/quality", keys["agency"]).json()
    assert get(client, "/v1/quality", keys["agency"]).json() == first
    assert len(computed) == 1  # the second identical call is answered from the cache
    assert get(client, "/v1/quality", keys["agency"], stale_days=7).status_code == 200
    assert len(computed) == 2  # another question is computed
    services.import_feed(
        provider.id, b"id,title\nNEW1,A new course on cheese\n", format="csv", mode="delta"
    )
    after = get(client, "/v1/quality", keys["agency"]).json()
    assert len(computed) == 3  # the catalogue changed: computed again
    te_awa = next(p for p in after["providers"] if p["provider_id"] == provider.id)
    before = next(p for p in first["providers"] if p["provider_id"] == provider.id)
    assert te_awa["active_offerings"] == before["active_offerings"] + 1
