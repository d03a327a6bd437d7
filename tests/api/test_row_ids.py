"""Ids too large for the catalogue (issue 16, finding 3): a submission id in the path or a
cursor in the query beyond what the id columns hold (INTEGER: 32-bit on PostgreSQL) is
refused with 422 naming it, on seven routes that answered 500 for 2**63; the largest id the
columns hold is an ordinary miss or an empty page, on both databases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app

TOO_BIG = [str(2**31), str(2**63)]  # past PostgreSQL's INTEGER; past any 64-bit integer
LARGEST = str(2**31 - 1)


@pytest.fixture
def client(services):
    with TestClient(create_web_app(services, background=False)) as test_client:
        yield test_client


@pytest.fixture
def admin(services) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.keys.create('admin').secret}"}


def routes(provider_id: str, value: str) -> list[tuple[str, str, str]]:
    """(method, url, the parameter at fault) for every route that takes a row id."""
    base = f"/v1/providers/{provider_id}"
    return [
        ("GET", f"{base}/submissions/{value}", "submission_id"),
        ("POST", f"{base}/submissions/{value}/confirm", "submission_id"),
        ("POST", f"{base}/submissions/{value}/discard", "submission_id"),
        ("GET", f"{base}/submissions?before={value}", "before"),
        ("GET", f"{base}/pulls?before={value}", "before"),
        ("GET", f"{base}/crawls?before={value}", "before"),
        ("GET", f"/v1/duplicates?after={value}", "after"),
    ]


def test_an_id_beyond_64_bits_is_a_422_naming_the_parameter(client, provider, admin):
    for value in TOO_BIG:
        for method, url, parameter in routes(provider.id, value):
            response = client.request(method, url, headers=admin)
            assert response.status_code == 422, (url, response.text)
            assert response.json()["error"]["field"] == parameter, url


def test_the_largest_id_reaches_the_catalogue_and_finds_nothing(client, provider, admin):
    for method, url, _ in routes(provider.id, LARGEST):
        response = client.request(method, url, headers=admin)
        assert response.status_code in (200, 404), (url, response.text)
