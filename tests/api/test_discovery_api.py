"""Discovery over HTTP (issue 14): several values of one filter (`mode=online,blended` or
the parameter repeated) widen the result, and facets count disjunctively."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app
from tests.api.test_search_api import FEED

GAEILGE = "GA1,Gaeilge don Ghnó,Cúrsa gearr.,NZQF Level 4,5 credits,Online,NZ$200,4 weeks,2027-02-01,Irish,0231,Online\n"


@pytest.fixture
def client(services, provider) -> TestClient:
    services.import_feed(provider.id, (FEED + GAEILGE).encode(), format="csv")
    return TestClient(create_web_app(services, background=False))


def facet(body, name) -> dict[str, int]:
    return {b["value"]: b["count"] for b in body["facets"][name]}


def test_values_of_one_filter_combine_with_or(client):
    def total(*pairs):
        response = client.get("/v1/search", params=list(pairs))
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total(("mode", "online")) == 2
    assert total(("mode", "blended")) == 1
    assert total(("mode", "online,blended")) == 3
    assert total(("mode", "online"), ("mode", "blended")) == 3
    assert total(("mode", "online,blended"), ("language", "ga")) == 1


def test_facets_count_disjunctively(client):
    body = client.get("/v1/search", params={"mode": "online", "facets": "mode,language"}).json()
    assert body["total"] == 2
    # mode counts as if no mode were chosen; language counts the two online courses.
    assert facet(body, "mode") == {"online": 2, "in_person": 1, "blended": 1}
    assert facet(body, "language") == {"en": 1, "ga": 1}
    both = client.get("/v1/search", params={"mode": "online", "language": "ga",
                                            "facets": "mode,language"}).json()
    assert both["total"] == 1
    assert facet(both, "mode") == {"online": 1}
    assert facet(both, "language") == {"en": 1, "ga": 1}
