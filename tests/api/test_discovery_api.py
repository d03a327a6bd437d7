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
    both = client.get(
        "/v1/search", params={"mode": "online", "language": "ga", "facets": "mode,language"}
    ).json()
    assert both["total"] == 1
    assert facet(both, "mode") == {"online": 1}
    assert facet(both, "language") == {"en": 1, "ga": 1}


CYBER = """id,title,description,level,credits,mode,price,duration,start_dates,language,subject,location
CS1,Cybersecurity Essentials,Threats and defences.,NZQF Level 5,15 credits,Online,"NZ$1,250",6 weeks,2027-03-01,English,0612,Online
CS2,Cybersecurity for Small Business,Protect the shop.,NZQF Level 4,10 credits,Online,NZ$400,4 weeks,2027-04-01,English,0612,Online
"""


@pytest.fixture
def cyber_client(services, provider) -> TestClient:
    services.import_feed(provider.id, (FEED + CYBER.split("\n", 1)[1]).encode(), format="csv")
    return TestClient(create_web_app(services, background=False))


def test_a_misspelt_word_is_corrected_and_the_response_says_so(cyber_client):
    body = cyber_client.get("/v1/search", params={"q": "cybersecurty"}).json()
    assert body["total"] == 2
    assert {h["provider_offering_id"] for h in body["hits"]} == {"CS1", "CS2"}
    assert body["corrected_query"] == "cybersecurity"
    assert body["original_query"] == "cybersecurty"
    as_typed = cyber_client.get("/v1/search", params={"q": "cybersecurty", "correct": "false"})
    assert as_typed.status_code == 200
    assert as_typed.json()["total"] == 0 and "corrected_query" not in as_typed.json()
    # Nothing to correct: the response has no correction fields.
    assert set(cyber_client.get("/v1/search", params={"q": "data"}).json()) == {
        "total",
        "hits",
        "facets",
        "next_cursor",
    }


def test_the_correction_fields_are_described_in_openapi(cyber_client):
    schema = cyber_client.get("/openapi.json").json()
    response = schema["components"]["schemas"]["SearchResponse"]["properties"]
    assert {"corrected_query", "original_query"} <= set(response)
    parameters = {p["name"] for p in schema["paths"]["/v1/search"]["get"]["parameters"]}
    assert "correct" in parameters
