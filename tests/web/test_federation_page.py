"""The agency dashboard's federation page over HTTP: per target, courses published and left
out with the reasons, and the form that sets which providers and fields go to a target."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microcred.sample import load_sample_data
from microcred.web import create_web_app


@pytest.fixture
def signed_in(services):
    load_sample_data(services)
    client = TestClient(create_web_app(services, background=False))
    agency = services.keys.create("agency", label="Ministry").secret
    assert (
        client.post("/agency/sign-in", data={"key": agency}, follow_redirects=False).status_code
        == 303
    )
    return services, client


def test_the_page_needs_an_agency_key(services):
    client = TestClient(create_web_app(services, background=False))
    assert "Sign in with your agency key" in client.get("/agency/targets").text
    assert (
        client.post(
            "/agency/targets/ctdl", data={"exclude": "teawa"}, follow_redirects=False
        ).status_code
        == 401
    )


def test_counts_per_target_and_a_rule_set_from_the_form(signed_in):
    services, client = signed_in
    assert 'href="/agency/targets"' in client.get("/agency").text
    page = client.get("/agency/targets")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for title in (
        "Europass Qualifications Dataset Register",
        "Credential Engine Registry",
        "XCRI-CAP 1.2",
    ):
        assert title in page.text
    assert "no ISCED-F code" in page.text  # why the ELM export leaves courses out
    assert "level AQF (no EQF referencing)" in page.text
    foreign = client.post(
        "/agency/targets/ctdl",
        data={"exclude": "teawa"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    saved = client.post(
        "/agency/targets/ctdl",
        data={"exclude": "teawa", "withhold": "price"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith(
        "/agency/targets?saved=ctdl"
    )
    rule = client.get("/agency/targets").text
    assert "provider not published to this target by the agency" in rule
    assert "price withheld by the agency" in rule
    refused = client.post(
        "/agency/targets/ctdl", data={"withhold": "colour"}, follow_redirects=False
    )
    assert refused.status_code == 400 and "cannot be withheld" in refused.text
