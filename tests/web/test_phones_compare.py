"""Compare on a phone (issue 18, item 4), in a real browser: three courses at 375 px are
three cards, one after the other, each reachable and linked to its own page, the learning
outcomes themselves shown, the rows where they differ marked; at 1280 px the table."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from starlette.datastructures import QueryParams

from search_api.params import search_query_from_params
from tests.web.conftest import DESKTOP, PHONE


def three_with_outcomes(site) -> list:
    """Three sample courses of different providers that list learning outcomes."""
    query = search_query_from_params(QueryParams("size=100&sort=title&facets=none"))
    chosen, providers = [], set()
    for hit in site.services.backend.search(query).hits:
        offering = site.services.catalogue.get_offering(hit.id)
        if offering.learning_outcomes and offering.provider.id not in providers:
            chosen.append(offering)
            providers.add(offering.provider.id)
        if len(chosen) == 3:
            return chosen
    raise AssertionError(f"the sample has {len(chosen)} providers with learning outcomes")


def test_three_courses_on_a_phone_are_cards_with_outcomes_and_links(tab, site):
    page = tab.page
    offerings = three_with_outcomes(site)
    page.set_viewport_size(PHONE)
    tab.goto("/compare?" + "&".join(f"id={o.id}" for o in offerings))
    cards = page.locator("article.compare-card")
    expect(cards).to_have_count(3)
    expect(page.locator(".compare-table")).to_be_hidden()
    for card, offering in zip(cards.all(), offerings, strict=True):
        card.scroll_into_view_if_needed()
        expect(card).to_be_visible()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        link = card.get_by_role("link", name=offering.title, exact=True)
        expect(link).to_have_attribute("href", re.compile(rf"^/offerings/{offering.id}(\?|$)"))
        outcomes = card.locator("ul.outcomes li")
        expect(outcomes).to_have_count(len(offering.learning_outcomes))
        expect(outcomes.first).to_have_text(offering.learning_outcomes[0])
        assert "listed" not in card.inner_text()
    # The providers differ, so that row is marked in every card, and named at the top.
    expect(page.locator(".compare-value.differs", has_text="Provider")).to_have_count(3)
    expect(page.locator(".lead")).to_contain_text("differ in: Provider")
    tab.check("compare-three")

    page.set_viewport_size(DESKTOP)
    expect(cards.first).to_be_hidden()
    table = page.locator(".compare-table")
    expect(table.locator("thead th > a")).to_have_count(3)
    expect(table.locator("tbody tr", has_text="Learning outcomes").locator("li")).to_have_count(
        sum(len(o.learning_outcomes) for o in offerings)
    )
    # A card's link opens its course.
    page.set_viewport_size(PHONE)
    cards.nth(2).get_by_role("link", name=offerings[2].title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(offerings[2].title)
    tab.assert_clean()
