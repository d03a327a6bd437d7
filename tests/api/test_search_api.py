"""The public API over HTTP (FastAPI's TestClient), on a real SQLite catalogue."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microcred.sample import load_sample_data
from microcred.web import create_web_app

FEED = """id,title,description,level,credits,mode,price,duration,start_dates,language,subject,location
DS1,Introduction to Data Science,"Python, statistics and <b>charts</b>.",NZQF Level 5,15 credits,Online (self-paced),"NZ$1,250",6 weeks,2027-03-01,English,0613,Online
MR1,Te Reo Māori for Beginners,Everyday te reo.,Level 3 NZQF,10 credits,Face to face,Free,10 weeks,1 March 2027; 1 July 2027,Te Reo Māori,language,"Wellington, New Zealand"
DF1,Sustainable Dairy Farming,Pasture and effluent.,NZQF Level 4,20 credits,Blended,NZ$900 incl. GST,12 weeks,2027-04-01,English,0811,"Hamilton, New Zealand"
"""


@pytest.fixture
def client(services, provider) -> TestClient:
    services.import_feed(provider.id, FEED.encode(), format="csv")
    return TestClient(create_web_app(services))


def test_search_returns_hits_facets_and_cursor(client):
    body = client.get("/v1/search", params={"q": "data", "size": 1}).json()
    assert set(body) == {"total", "hits", "facets", "next_cursor"}
    assert body["total"] == 1
    hit = body["hits"][0]
    for key in (
        "id",
        "provider_offering_id",
        "title",
        "provider",
        "level",
        "credits",
        "mode",
        "price",
        "duration",
        "highlights",
    ):
        assert key in hit
    assert hit["provider_offering_id"] == "DS1"
    assert hit["provider"]["id"] == "te-awa"
    assert "<mark>Data</mark>" in hit["highlights"]["title"]
    assert "mode" in body["facets"] and "provider" in body["facets"]


def test_filters_by_query_parameters(client):
    def total(**params):
        response = client.get("/v1/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total() == 3
    assert total(provider="te-awa") == 3
    assert total(mode="online") == 1
    assert total(mode="online,blended") == 2
    assert total(framework="nzqf", eqf_min=5) == 1
    assert total(ects_min=7, ects_max=9) == 1
    assert total(free="true") == 1
    assert total(price_max=100) == 1
    assert total(language="mi") == 1
    assert total(subject="08") == 1
    assert total(country="NZ") == 2
    assert total(starts_after="2027-05-01") == 1
    assert total(starts_before="2027-03-31") == 2
    assert total(q="maori") == 1


def test_paging_with_the_cursor(client):
    first = client.get("/v1/search", params={"size": 2, "sort": "title"}).json()
    second = client.get(
        "/v1/search", params={"size": 2, "sort": "title", "cursor": first["next_cursor"]}
    ).json()
    titles = [h["title"] for h in first["hits"] + second["hits"]]
    assert titles == sorted(titles) and len(titles) == 3
    assert second["next_cursor"] is None


def test_unknown_parameter_is_400_naming_it(client):
    response = client.get("/v1/search", params={"q": "data", "colour": "blue"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "colour"
    assert "colour" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"size": "1000"}, "size"),
        ({"size": "lots"}, "size"),
        ({"eqf_min": "9"}, "eqf_min"),
        ({"price_max": "-5"}, "price_max"),
        ({"starts_after": "next tuesday"}, "starts_after"),
        ({"sort": "cheapest"}, "sort"),
        ({"facets": "colour"}, "facets"),
        ({"subject": "computing"}, "subject"),
        ({"free": "maybe"}, "free"),
    ],
)
def test_invalid_parameter_is_422_naming_it(client, params, named):
    response = client.get("/v1/search", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", named)
    assert error["message"].startswith(f"{named}: ")


def test_bad_cursor_is_400(client):
    response = client.get("/v1/search", params={"cursor": "garbage"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


def test_offering_has_every_normalised_value(client):
    hit = client.get("/v1/search", params={"q": "data science"}).json()["hits"][0]
    offering = client.get(f"/v1/offerings/{hit['id']}").json()
    assert offering["level"] == {"framework": "NZQF", "value": "5", "eqf": 5, "raw": "NZQF Level 5"}
    credits = offering["credits"]
    assert (credits["value"], credits["system"], credits["ects"], credits["hours"]) == (
        15,
        "NZ_CREDITS",
        7.5,
        150,
    )
    assert (offering["mode"], offering["pace"]) == ("online", "self_paced")
    price = offering["price"]
    assert (price["amount"], price["currency"], price["is_free"]) == (1250, "NZD", False)
    assert offering["duration"]["weeks"] == 6
    assert offering["provenance"]["provider_id"] == "te-awa"
    assert offering["provenance"]["content_hash"]
    assert offering["raw"]["price"] == "NZ$1,250"
    assert "issues" in offering


def test_missing_offering_is_404(client):
    response = client.get("/v1/offerings/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_providers_vocabularies_health(client):
    providers = client.get("/v1/providers").json()
    assert providers == [
        {
            "id": "te-awa",
            "name": "Te Awa Institute of Technology",
            "country": "NZ",
            "url": None,
            "active_offerings": 3,
        }
    ]
    vocab = client.get("/v1/vocabularies").json()
    assert "facets" in vocab and "sorts" in vocab and vocab["reference_currency"] == "EUR"
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["search"]["documents"] == 3 and health["index_lag"]["pending"] == 0


def test_suggestions(client):
    assert client.get("/v1/suggest", params={"q": "sustain"}).json() == {
        "suggestions": ["Sustainable Dairy Farming"]
    }


def test_openapi_documents_the_filters(client):
    spec = client.get("/openapi.json").json()
    names = {p["name"] for p in spec["paths"]["/v1/search"]["get"]["parameters"]}
    for name in (
        "q",
        "size",
        "cursor",
        "sort",
        "facets",
        "provider",
        "mode",
        "framework",
        "eqf_min",
        "eqf_max",
        "ects_min",
        "ects_max",
        "price_max",
        "free",
        "language",
        "subject",
        "country",
        "starts_after",
        "starts_before",
    ):
        assert name in names


def test_home_page_renders_results_without_javascript(client):
    page = client.get("/", params={"q": "maori", "mode": "in_person"})
    assert page.status_code == 200
    assert "Te Reo <mark>Māori</mark> for Beginners" in page.text
    assert "1 course for" in page.text
    hit = client.get("/v1/search", params={"q": "maori"}).json()["hits"][0]
    detail = client.get(f"/offerings/{hit['id']}")
    assert detail.status_code == 200 and "Level 3 NZQF" in detail.text


def test_page_survives_bad_filters(client):
    page = client.get("/", params={"eqf_min": "12"})
    assert page.status_code == 200 and "could not be used" in page.text


def test_every_sample_offering_and_search_page_renders(services):
    """The bundled sample data, written the messy ways providers write, renders everywhere."""
    load_sample_data(services)
    client = TestClient(create_web_app(services))
    for params in (
        {},
        {"q": "data"},
        {"sort": "price"},
        {"sort": "start_date", "free": "true"},
        {"q": "maori", "mode": "online"},
        {"subject": "06", "sort": "credits"},
    ):
        page = client.get("/", params=dict(params, size=100))
        assert page.status_code == 200, (params, page.text[:500])
        assert "offering" in page.text
    ids, cursor = [], None
    while True:
        body = client.get(
            "/v1/search", params={"size": 100, **({"cursor": cursor} if cursor else {})}
        ).json()
        ids += [h["id"] for h in body["hits"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(ids) == services.catalogue.count_offerings() >= 400
    for offering_id in ids:
        assert client.get(f"/offerings/{offering_id}").status_code == 200, offering_id


def test_facets_times_facet_size_over_the_budget_is_422_naming_facet_size(client):
    from catalogue.search.query import Facet
    from search_api.params import FACET_BUDGET

    every = ",".join(f.value for f in Facet)
    refused = client.get("/v1/search", params={"facets": every, "facet_size": "200"})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", "facet_size")
    assert str(FACET_BUDGET) in error["message"]
    # Within the budget: every facet at the default size, one facet at the largest.
    assert client.get("/v1/search", params={"facets": every}).status_code == 200
    assert (
        client.get("/v1/search", params={"facets": "provider", "facet_size": "200"}).status_code
        == 200
    )
    assert len(Facet) * 20 <= FACET_BUDGET < len(Facet) * 200
