"""The provider page in a real browser: sign in with a provider key, check a feed with a bad
row (the dry run names its line and field), submit it, read the report, register a feed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import TEST_PROVIDER

FEED = (
    "id,title,level,credits,mode,price,duration,language\n"
    "KP-1,Te Reo Māori mō te Mahi,NZQF Level 4,15 credits,Online,NZ$450,8 weeks,Māori\n"
    "KP-2,Whakapapa and Whenua: Ōtaki Field School,NZQF Level 5,10 credits,Face to face,NZ$300,4 weeks,English\n"
    "KP-3,,NZQF Level 5,15 credits,Online,NZ$100,6 weeks,English\n"  # no title: line 4
)


def test_provider_checks_then_submits_a_feed_with_a_bad_row(tab, site, tmp_path):
    page = tab.page
    tab.goto("/provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish your courses")
    tab.check("provider-sign-in")

    # A wrong key is refused, saying so, next to the field.
    page.get_by_label("Provider API key").fill("mck_00000000_not-a-real-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#api-key-error")).to_contain_text("not accepted")
    tab.watch.console_errors.clear()  # the browser logs the 401 it was given

    page.get_by_label("Provider API key").fill(site.provider_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-provider")).to_have_text(TEST_PROVIDER.name)  # the name, not the id
    assert site.provider_key not in page.url
    assert page.evaluate("sessionStorage.getItem('microcred.providerKey')") == site.provider_key

    feed = tmp_path / "kapiti-courses.csv"
    feed.write_text(FEED, encoding="utf-8")
    active_before = site.services.catalogue.count_offerings()
    page.get_by_label("Feed file").set_input_files(str(feed))
    page.get_by_role("button", name="Check the feed").click()

    report = page.locator("#check-report")
    expect(report).to_contain_text("nothing has been stored yet")
    bad = report.locator("tr.issue-error")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("line 4")
    expect(bad).to_contain_text("KP-3")
    expect(bad).to_contain_text("title")
    expect(report.locator(".counts")).to_contain_text("Accepted2")
    assert site.services.catalogue.count_offerings() == active_before  # a dry run stores nothing
    tab.check("provider-dry-run")

    page.get_by_role("button", name="Submit this feed").click()
    expect(page.locator("#status")).to_contain_text("Published", timeout=20_000)
    body = page.locator("#report-body")
    expect(body).to_contain_text("Published")
    expect(body.locator("tr.issue-error")).to_contain_text("line 4")
    expect(body.locator("tr.issue-error")).to_contain_text("title")
    rows = page.locator("#submissions-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("push")
    expect(rows.first).to_contain_text("Published")

    # The accepted courses are searchable, macrons and all.
    hits = site.services.backend.search(_query(f"provider={TEST_PROVIDER.id}"))
    assert sorted(h.summary["title"] for h in hits.hits) == [
        "Te Reo Māori mō te Mahi",
        "Whakapapa and Whenua: Ōtaki Field School",
    ]

    # A feed address on a schedule.
    page.get_by_label("Feed address (URL)").fill(f"{site.url}/feeds/kapiti.csv")
    page.get_by_label("Fetch it").select_option(label="Every 6 hours")
    page.get_by_role("button", name="Save feed address").click()
    sources = page.locator("#sources-table tbody tr")
    expect(sources).to_have_count(1)
    expect(sources.first).to_contain_text("every 360 minutes")
    expect(sources.first).to_contain_text("/feeds/kapiti.csv")

    # The report of an older submission opens from the list.
    page.get_by_role("button", name=re.compile("View report")).first.click()
    expect(page.locator("#report-heading")).to_contain_text("Report of submission")
    tab.check("provider-submitted")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Provider API key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('microcred.providerKey')") is None


def test_an_agency_key_is_told_where_to_go(tab, site):
    page = tab.page
    tab.goto("/provider")
    page.get_by_label("Provider API key").fill(site.agency_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#api-key-error")).to_contain_text("agency dashboard")
    tab.assert_clean()


def _query(text: str):
    from starlette.datastructures import QueryParams

    from search_api.params import search_query_from_params

    return search_query_from_params(QueryParams(text))
