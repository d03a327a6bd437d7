"""Honest values for learners, in a real browser (issue 18, item 3): a start given as a month
or a season is shown as written, not as the day it sorts as; what the provider left unsaid
is said plainly beside the value, and the advice meant for the provider (how to write a
price, field names such as start_dates) is not on the public page."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from normaliser.schema import Provider

PROVIDER = Provider(
    id="wattle-approx", name="Wattle Creek Learning", country="AU", default_currency="AUD"
)
FEED = (
    "id,title,description,start_dates,price,credits,mode\n"
    'W1,Wattle Beekeeping Basics,Hives and honey.,September 2027,"$2,460",12 credits,Online\n'
    'W2,Wattle Orchard Pruning,Trees.,"Semester 2, 2028",Contact us,6 CPD hours,Evening class\n'
)
# The provider-facing wording the normaliser records for these rows (kept in the API and
# the provider's reports): none of it may reach the public page.
PROVIDER_ADVICE = ("to be explicit", "credit_system", "start_dates", "YYYY-MM-DD", "Give the exact")


@pytest.fixture(scope="module")
def offerings(site) -> dict[str, str]:
    services = site.services
    services.catalogue.upsert_provider(PROVIDER, default_language="en", level_framework="AQF")
    services.import_feed(PROVIDER.id, FEED.encode(), format="csv")
    found = {}
    for document in services.catalogue.iter_active_offering_documents():
        if document["provider"]["id"] == PROVIDER.id:
            found[document["provider_offering_id"]] = document["id"]
    assert set(found) == {"W1", "W2"}
    return found


def visible_text_outside_the_original_record(page) -> str:
    return page.evaluate("""() => {
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('.raw-record').forEach(e => e.remove());
        return main.innerText; }""")


def test_an_approximate_start_is_shown_as_written(tab, site, offerings):
    hits = httpx.get(f"{site.url}/v1/search", params={"q": "Wattle Beekeeping"}).json()["hits"]
    assert hits[0]["start_dates"] == ["2027-09-01"]
    assert hits[0]["approximate_starts"] == {
        "2027-09-01": {"precision": "month", "written": "September 2027"}
    }
    page = tab.page
    tab.goto("/?q=Wattle")
    card = page.locator(".card", has_text="Wattle Beekeeping Basics")
    expect(card.locator(".facts")).to_contain_text("September 2027")
    expect(page.locator(".card", has_text="Wattle Orchard Pruning")).to_contain_text(
        "Semester 2, 2028"
    )
    assert "2027-09-01" not in page.locator(".cards").inner_text()
    tab.check("search-approximate-starts")

    tab.goto(f"/offerings/{offerings['W1']}")
    facts = page.locator(".key-facts")
    expect(facts).to_contain_text("September 2027")
    expect(page.get_by_role("region", name="Table of dates and places")).to_contain_text(
        "September 2027"
    )
    assert "2027-09-01" not in visible_text_outside_the_original_record(page)
    tab.check("offering-approximate-start")


def test_learners_see_what_was_not_said_and_no_advice_for_the_provider(tab, site, offerings):
    stored = site.services.catalogue.get_offering(offerings["W1"])
    messages = " ".join(i.message for i in stored.issues)
    assert "to be explicit" in messages and "credit_system" in messages  # the API keeps them
    page = tab.page
    tab.goto(f"/offerings/{offerings['W1']}")
    values = page.get_by_role("region", name="Table of every detail")
    expect(values.locator("tr", has_text="Price")).to_contain_text(
        "The provider did not name the currency; it is taken to be AUD"
    )
    expect(values.locator("tr", has_text="Credits")).to_contain_text(
        "The provider did not say which credit system"
    )
    text = visible_text_outside_the_original_record(page)
    for advice in PROVIDER_ADVICE:
        assert advice not in text, advice
    expect(page.get_by_role("heading", name="What we could not map")).to_have_count(0)

    tab.goto(f"/offerings/{offerings['W2']}")
    values = page.get_by_role("region", name="Table of every detail")
    expect(values.locator("tr", has_text="Price")).to_contain_text(
        "The provider did not say the price"
    )
    expect(values.locator("tr", has_text="How it is taught")).to_contain_text(
        "The provider did not say whether it is taught online"
    )
    text = visible_text_outside_the_original_record(page)
    for advice in PROVIDER_ADVICE:
        assert advice not in text, advice
    tab.check("offering-provider-did-not-say")
