"""Crawl sources and crawl runs over HTTP: registration checked the way a crawl will read
it (the SSRF guard on start URLs, limits, the site config), and every crawl's stats
visible to its provider."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalogue.crawls import CrawlRunFinish, CrawlStore
from microcred.web import create_web_app
from normaliser.schema import Provider

SITES = Path(__file__).resolve().parents[2] / "crawlers" / "sites"


@pytest.fixture
def client(services):
    with TestClient(create_web_app(services, background=False)) as test_client:
        yield test_client


@pytest.fixture
def keys(services, provider) -> dict[str, str]:
    services.catalogue.upsert_provider(Provider(id="lir", name="Lir", country="IE"))
    return {
        "own": services.keys.create("provider", provider_id=provider.id).secret,
        "other": services.keys.create("provider", provider_id="lir").secret,
    }


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_crawl_source_is_registered_listed_changed_and_disabled(client, provider, keys):
    base = f"/v1/providers/{provider.id}/crawl-sources"
    body = {
        "start_urls": ["http://93.184.215.14/study/"],
        "limits": {"max_pages": 500, "max_depth": 4},
        "schedule": {"cron": "0 4 * * *"},
    }
    created = client.put(f"{base}/website", headers=auth(keys["own"]), json=body)
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["start_urls"] == body["start_urls"] and source["limits"]["max_pages"] == 500
    assert source["limits"]["concurrency_per_host"] == 2  # the politeness default, filled in
    assert source["schedule"] == {"cron": "0 4 * * *", "interval_minutes": None}
    changed = client.put(
        f"{base}/website", headers=auth(keys["own"]), json=body | {"schedule": None}
    )
    assert changed.status_code == 200 and changed.json()["schedule"] is None
    listed = client.get(base, headers=auth(keys["own"])).json()["crawl_sources"]
    assert [s["id"] for s in listed] == ["website"]
    assert client.delete(f"{base}/website", headers=auth(keys["own"])).json()["enabled"] is False
    assert client.get(f"{base}/website", headers=auth(keys["own"])).json()["enabled"] is False
    refused = client.put(f"{base}/website", headers=auth(keys["other"]), json=body)
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "body, parameter",
    [
        ({"start_urls": ["http://127.0.0.1/courses/"]}, "start_urls"),
        ({"start_urls": ["http://169.254.169.254/latest/"]}, "start_urls"),
        ({"start_urls": []}, "start_urls"),
        (
            {"start_urls": ["http://93.184.215.14/"], "limits": {"concurrency_per_host": 9}},
            "limits",
        ),
        ({"start_urls": ["http://93.184.215.14/"], "limits": {"speed": "max"}}, "limits"),
        (
            {
                "start_urls": ["http://93.184.215.14/"],
                "site": {"course_pages": ["/c/"], "fields": {"title": {"css": "h1[["}}},
            },
            "site",
        ),
        (
            {"start_urls": ["http://93.184.215.14/"], "schedule": {"interval_minutes": 1}},
            "schedule.interval_minutes",
        ),
    ],
)
def test_registration_refuses_what_a_crawl_could_not_do(client, provider, keys, body, parameter):
    response = client.put(
        f"/v1/providers/{provider.id}/crawl-sources/website", headers=auth(keys["own"]), json=body
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == parameter


def test_a_declarative_site_config_is_accepted_as_json(client, provider, keys):
    import tomllib

    site = tomllib.loads((SITES / "harbourview-polytechnic.toml").read_text())
    site["start_urls"] = ["http://93.184.215.14/study/"]
    response = client.put(
        f"/v1/providers/{provider.id}/crawl-sources/site",
        headers=auth(keys["own"]),
        json={"site": site},
    )
    assert response.status_code == 201, response.text
    assert response.json()["site"]["fields"]["title"] == {"css": "h1.course-title::text"}
    assert response.json()["start_urls"] == []


def test_crawl_runs_and_their_stats_are_visible_to_the_provider_only(
    client, services, provider, keys
):
    crawls = CrawlStore(services.catalogue)
    source, _ = crawls.put_crawl_source(
        provider.id,
        "website",
        start_urls=["https://courses.example.org/"],
        limits={},
        site=None,
        schedule=None,
    )
    run_id = crawls.start_run(provider.id, source.id, source.start_urls)
    crawls.finish_run(
        run_id,
        CrawlRunFinish(
            status="partial",
            finish_reason="finished",
            mode="delta",
            outcome="submitted",
            pages=40,
            items=12,
            dropped=2,
            dropped_reasons={"duplicate": 2},
            errors=1,
            error_samples=[{"url": "https://courses.example.org/x", "error": "HTTP 500"}],
            not_modified=30,
            duration_seconds=12.5,
        ),
    )
    body = client.get(f"/v1/providers/{provider.id}/crawls", headers=auth(keys["own"])).json()
    [run] = body["crawls"]
    assert (run["source_id"], run["status"], run["pages"], run["items"], run["errors"]) == (
        "website",
        "partial",
        40,
        12,
        1,
    )
    assert run["dropped_reasons"] == {"duplicate": 2} and run["duration_seconds"] == 12.5
    detail = client.get(
        f"/v1/providers/{provider.id}/crawl-sources/website", headers=auth(keys["own"])
    ).json()
    assert [c["id"] for c in detail["crawls"]] == [run_id]
    assert (
        client.get(f"/v1/providers/{provider.id}/crawls", headers=auth(keys["other"])).status_code
        == 403
    )
    no_scheduler = client.post(
        f"/v1/providers/{provider.id}/crawl-sources/website/crawl", headers=auth(keys["own"])
    )
    assert no_scheduler.status_code == 400 and "scheduler" in no_scheduler.text
