"""The API's description (security schemes, typed bodies, documented errors) and its one
error shape, 422 included; and that feed work runs off the event loop."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from microcred.web import create_web_app

FEED = b"id,title\nE1,Error shapes\n"


@pytest.fixture
def client(services, provider):
    with TestClient(create_web_app(services, background=False)) as test_client:
        yield test_client


@pytest.fixture
def key(services, provider) -> str:
    return services.keys.create("provider", provider_id=provider.id).secret


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def operations(spec: dict, prefix: str):
    for path, methods in spec["paths"].items():
        if path.startswith(prefix):
            for method, operation in methods.items():
                yield method.upper(), path, operation


def test_bearer_and_api_key_header_are_declared_and_required_by_key_routes(client):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "API key",
        "description": schemes["bearer"]["description"],
    }
    assert (
        schemes["apiKeyHeader"]["in"] == "header" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    )
    keyed = [
        *operations(spec, "/v1/providers/{provider_id}"),
        *operations(spec, "/v1/stats"),
        *operations(spec, "/v1/export"),
        *operations(spec, "/v1/quality"),
        *operations(spec, "/v1/duplicates"),
        *operations(spec, "/v1/me"),
    ]
    assert len(keyed) >= 27
    for method, path, operation in keyed:
        assert {"bearer": []} in operation["security"], (method, path)
    public = spec["paths"]["/v1/search"]["get"]
    assert "security" not in public


def test_every_provider_and_agency_route_has_a_typed_body_and_documented_errors(client):
    spec = client.get("/openapi.json").json()
    routes = [
        *operations(spec, "/v1/providers/{provider_id}"),
        *operations(spec, "/v1/stats"),
        *operations(spec, "/v1/quality"),
        *operations(spec, "/v1/duplicates"),
        *operations(spec, "/v1/export/columns"),
    ]
    for method, path, operation in routes:
        success = next(
            operation["responses"][s] for s in ("200", "201", "202") if s in operation["responses"]
        )
        schema = success["content"]["application/json"]["schema"]
        assert "$ref" in schema or "$ref" in schema.get("items", {}), (method, path, schema)
        for status in ("401", "403", "422"):
            error = operation["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    assert "429" in spec["paths"]["/v1/stats/offerings"]["get"]["responses"]
    assert "413" in spec["paths"]["/v1/providers/{provider_id}/submissions"]["post"]["responses"]
    assert "409" in spec["paths"]["/v1/providers/{provider_id}/submissions"]["post"]["responses"]
    error = spec["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "field"}
    assert set(error["required"]) == {"code", "message"}


def test_a_body_field_that_fails_validation_is_named_in_the_error_shape(client, provider, key):
    response = client.put(
        f"/v1/providers/{provider.id}/sources/main",
        headers=auth(key),
        json={"url": "ftp://example.org/feed.csv", "schedule": {"interval_minutes": 60}},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", "url")
    assert error["message"].startswith("url: ")
    nested = client.put(
        f"/v1/providers/{provider.id}/sources/main",
        headers=auth(key),
        json={"url": "http://93.184.215.14/f.csv", "schedule": {"interval_minutes": 0}},
    )
    assert nested.json()["error"]["field"] == "schedule.interval_minutes"


def test_a_path_parameter_of_the_wrong_type_is_named(client, provider, key):
    response = client.get(f"/v1/providers/{provider.id}/submissions/first", headers=auth(key))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "submission_id"


def test_auth_errors_and_unknown_routes_have_the_same_shape(client, provider, key, services):
    missing = client.get(f"/v1/providers/{provider.id}/pulls")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    agency = services.keys.create("agency").secret
    refused = client.get(f"/v1/providers/{provider.id}/pulls", headers=auth(agency))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    nowhere = client.get("/v1/nothing-here")
    assert nowhere.status_code == 404
    assert set(nowhere.json()) == {"error"} and nowhere.json()["error"]["code"] == "not_found"


def test_pages_keep_their_html_errors(client):
    page = client.get("/offerings/no-such-offering")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "route, service_method", [("validate", "validate"), ("submissions", "receive")]
)
def test_feed_work_does_not_hold_up_other_requests(services, provider, key, route, service_method):
    """The feed work waits (in its thread) until a search has been answered: were it on the
    event loop, no search could be answered and the push or validate would time out."""
    searched = threading.Event()
    real = getattr(services.ingest, service_method)

    def waiting_for_a_search(*args, **kwargs):
        assert searched.wait(10), "no search was answered while the feed was worked on"
        return real(*args, **kwargs)

    setattr(services.ingest, service_method, waiting_for_a_search)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_web_app(services, background=False),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        answers: dict = {}

        def send_feed() -> None:
            answers["feed"] = httpx.post(
                f"http://127.0.0.1:{port}/v1/providers/{provider.id}/{route}",
                content=FEED,
                headers=auth(key) | {"Content-Type": "text/csv"},
                timeout=20,
            )

        sender = threading.Thread(target=send_feed)
        sender.start()
        time.sleep(0.3)  # the feed request is in, waiting in its thread
        search = httpx.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "x"}, timeout=5)
        assert search.status_code == 200
        searched.set()
        sender.join(20)
        assert answers["feed"].status_code in (200, 202), answers["feed"].text
    finally:
        searched.set()
        server.should_exit = True
        thread.join(10)
