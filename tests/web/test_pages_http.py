"""The pages over HTTP, without a browser: cache-busting asset names, security headers,
state in the URL, paging, the agency sign-in cookie and the CSV download, the SVG charts."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app
from search_api.pages import chart_series, charts
from search_api.pages.assets import Assets

FEED = """id,title,description,level,credits,mode,price,duration,start_dates,language,subject,location,url
DS1,Introduction to Data Science,"Python, statistics and <b>charts</b>.",NZQF Level 5,15 credits,Online (self-paced),"NZ$1,250",6 weeks,2027-03-01,English,0613,Online,javascript:alert(1)
MR1,Te Reo Māori for Beginners,Everyday te reo.,Level 3 NZQF,10 credits,Face to face,Free,10 weeks,1 March 2027; 1 July 2027,Te Reo Māori,language,"Wellington, New Zealand",https://teawa.example.nz/mr1
DF1,Sustainable Dairy Farming,Pasture and effluent.,NZQF Level 4,20 credits,Blended,NZ$900 incl. GST,12 weeks,2027-04-01,English,0811,"Hamilton, New Zealand",
GA1,Gaeilge don Ghnó,Cúrsa gearr.,NZQF Level 4,5 credits,Online,NZ$200,4 weeks,2027-02-01,Irish,0231,Online,
"""


@pytest.fixture
def client(services, provider) -> TestClient:
    services.import_feed(provider.id, FEED.encode(), format="csv")
    return TestClient(create_web_app(services, background=False))


def hits(client, **params) -> list[str]:
    return [h["id"] for h in client.get("/v1/search", params=params).json()["hits"]]


def test_assets_have_content_hashed_names_and_long_cache_lives(client):
    page = client.get("/")
    css = re.search(r'href="(/static/style\.[0-9a-f]{10}\.css)"', page.text).group(1)
    js = re.search(r'src="(/static/site\.[0-9a-f]{10}\.js)"', page.text).group(1)
    for url, kind in ((css, "text/css"), (js, "javascript")):
        response = client.get(url)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/style.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    assert client.get("/static/style.0000000000.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "a.css").write_text("body{}")
    first = Assets(tmp_path).url("a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    assert Assets(tmp_path).url("a.css") != first
    with pytest.raises(KeyError):
        Assets(tmp_path).url("missing.css")


@pytest.mark.parametrize("path", ["/", "/?q=data", "/compare", "/provider", "/agency"])
def test_pages_forbid_other_origins_and_inline_script(client, path):
    page = client.get(path)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # Nothing on the page is loaded from elsewhere (links to providers are only links).
    loaded = re.findall(
        r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="([^"]+)"', page.text
    )
    assert loaded and all(url.startswith("/") for url in loaded), loaded
    assert "<script>" not in page.text and " onclick=" not in page.text


def test_a_provider_url_that_is_not_http_is_never_a_link(client):
    [ds1] = hits(client, q="data science")
    page = client.get(f"/offerings/{ds1}").text
    assert 'href="javascript:' not in page  # shown as text in the record, never a link
    [mr1] = hits(client, q="reo")
    assert 'href="https://teawa.example.nz/mr1"' in client.get(f"/offerings/{mr1}").text


def test_macrons_and_fadas_are_shown_as_written(client):
    page = client.get("/", params={"q": "Māori"}).text
    assert "Te Reo <mark>Māori</mark> for Beginners" in page
    assert "“Māori”" in page
    [ga1] = hits(client, q="Gaeilge")
    assert "Gaeilge don Ghnó" in client.get(f"/offerings/{ga1}").text
    assert "Cúrsa gearr." in client.get(f"/offerings/{ga1}").text


def test_compare_state_lives_in_the_url(client):
    ids = hits(client, sort="title")
    page = client.get("/", params={"sort": "title", "compare": ",".join(ids[:2])}).text
    assert "Compare (2 of 4)" in page
    compare_link = re.search(r'href="(/compare\?[^"]+)"', page).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(compare_link).query)
    assert query["id"] == ids[:2] and "sort=title" in query["from"][0]
    table = client.get(compare_link).text
    assert table.count('<th scope="col">') == 2
    assert "Introduction to Data Science" in table or "Gaeilge don Ghnó" in table
    # A fifth is refused; the first four are shown.
    five = client.get("/compare", params=[("id", i) for i in ids] + [("id", "x")]).text
    assert "up to 4" in five


def test_paging_keeps_a_trail_back_to_the_first_page(client):
    first = client.get("/", params={"sort": "title", "size": 1}).text
    assert "Page 1 of 4" in first
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(nxt).text
    assert "Page 2 of 4" in second
    third_url = re.search(r'rel="next" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    third = client.get(third_url).text
    assert "Page 3 of 4" in third
    back = re.search(r'rel="prev" href="([^"]+)"', third).group(1).replace("&amp;", "&")
    again = client.get(back).text
    assert "Page 2 of 4" in again
    title = re.compile(r'class="card-title"><a [^>]+>([^<]+)<')
    assert title.findall(again) == title.findall(second)


def test_filters_that_cannot_be_used_are_named(client):
    page = client.get("/", params={"eqf_min": "12", "price_max": "lots"})
    assert page.status_code == 200
    assert "could not be used" in page.text and "EQF level from" in page.text


def test_the_agency_dashboard_needs_an_agency_key_in_an_httponly_cookie(client, services, provider):
    agency = services.keys.create("agency", label="Ministry").secret
    own = services.keys.create("provider", provider_id=provider.id).secret
    assert "Sign in with your agency key" in client.get("/agency").text
    refused = client.post("/agency/sign-in", data={"key": own}, follow_redirects=False)
    assert refused.status_code == 403 and "provider key" in refused.text
    foreign = client.post(
        "/agency/sign-in",
        data={"key": agency},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    signed = client.post("/agency/sign-in", data={"key": agency}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/agency"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Path=/agency" in cookie and "Max-Age" not in cookie and agency not in signed.text
    dashboard = client.get("/agency")
    assert dashboard.status_code == 200
    assert dashboard.headers["cache-control"] == "no-store"
    assert "4</strong> active courses" in dashboard.text
    assert dashboard.text.count('role="img"') >= 6
    download = client.get("/agency/export.csv", params={"mode": "online"})
    assert download.status_code == 200 and "text/csv" in download.headers["content-type"]
    assert "attachment" in download.headers["content-disposition"]
    rows = [line for line in download.text.splitlines() if line]
    assert len(rows) == 1 + 2  # header, the two online courses
    services.keys.revoke(agency.split("_")[1])
    assert client.get("/agency").status_code == 401  # a revoked key stops working at once
    client.post("/agency/sign-out")
    assert "Sign in with your agency key" in client.get("/agency").text


def test_charts_are_labelled_images_with_escaped_text():
    svg = charts.horizontal_bars(
        "By <region>", [charts.Bar("Ōtaki & Kāpiti", 3), charts.Bar("Galway", 5)]
    )
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert "<title id=" in svg and "<desc id=" in svg
    assert "By &lt;region&gt;" in svg and "Ōtaki &amp; Kāpiti" in svg
    assert "The largest is Galway with 5 offerings (62% of 8)" in svg
    empty = charts.columns("Nothing", [])
    assert "No data." in empty
    series = chart_series.time_series(
        "Over time",
        [chart_series.Point("2026-10", 5, 0, 5), chart_series.Point("2026-11", 2, 1, 6)],
    )
    assert "from 5 to 6" in series and "7 were added and 1 withdrawn" in series


def test_a_dashboard_page_is_one_request_of_the_agency_rate_limit(services, provider):
    """The dashboard reads the agency services directly, with the key checked and counted
    as the API counts it: one request per page, not one per chart."""
    import dataclasses

    services.import_feed(provider.id, FEED.encode(), format="csv")
    limited = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"agency_rate_per_minute": 2})
    )
    client = TestClient(create_web_app(limited, background=False))
    agency = services.keys.create("agency", label="Ministry").secret
    client.post("/agency/sign-in", data={"key": agency}, follow_redirects=False)
    first = client.get("/agency")
    assert first.status_code == 200 and first.text.count('role="img"') >= 6
    assert client.get("/agency/export.csv").status_code == 200
    refused = client.get("/agency")
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert "requests a minute" in refused.text and int(refused.headers["Retry-After"]) >= 1


def titles_on(page_html: str) -> list[str]:
    """The offerings a results page lists, by id, in order."""
    return re.findall(r'class="card-title"><a href="/offerings/([^"?]+)', page_html)


def test_a_shared_link_with_tracking_parameters_shows_the_search(client):
    """Issue 18: `fbclid` or `utm_*` emptied the page and listed the API's parameters."""
    plain = client.get("/", params={"q": "data"})
    shared = client.get("/", params={"q": "data", "fbclid": "IwAR0x", "utm_source": "news"})
    assert shared.status_code == 200
    assert "unknown parameter" not in shared.text
    assert titles_on(shared.text) == titles_on(plain.text) != []
    # The API still refuses what it does not know.
    assert client.get("/v1/search", params={"q": "data", "fbclid": "x"}).status_code == 400


def test_a_bad_value_is_said_and_the_rest_of_the_search_still_runs(client):
    page = client.get("/", params={"q": "data", "eqf_min": "abc"})
    assert page.status_code == 200
    assert "EQF level from" in page.text  # the message names the control at fault
    assert titles_on(page.text) == titles_on(client.get("/", params={"q": "data"}).text) != []


def test_a_page_size_over_the_largest_is_the_largest_page(client):
    page = client.get("/", params={"size": "1000"})
    assert page.status_code == 200
    assert len(titles_on(page.text)) == 4  # every offering of the catalogue, no error
    assert "could not be used" not in page.text


def test_an_unknown_address_answers_a_page_to_browsers_and_json_to_the_api(client):
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "We cannot find that page" in page.text
    api = client.get("/v1/no-such-route", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert client.get("/no/such/page").json()["error"]["code"] == "not_found"
