"""Discovery on the search page in a real browser, on the sample data (issue 14): the
correction of a misspelt word, its way back to the words as typed, and two ticked values of
one facet widening the results; axe-checked at desktop and phone width."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect


def shown_total(page) -> int:
    text = page.locator("#results-heading").text_content()
    return int(re.search(r"([\d,]+) course", text).group(1).replace(",", ""))


def test_a_misspelt_word_is_corrected_and_the_words_as_typed_are_one_link_away(tab):
    page = tab.page
    tab.goto("/?q=cybersecurty")
    correction = page.locator("p.correction")
    expect(correction).to_have_text(
        "Showing results for cybersecurity — search instead for cybersecurty"
    )
    assert shown_total(page) > 0
    expect(page.locator("#results-heading")).to_contain_text("“cybersecurity”")
    tab.check("search-correction")
    correction.get_by_role("link", name="cybersecurty").click()
    page.wait_for_url(re.compile(r"correct=false"))
    assert parse_qs(urlparse(page.url).query)["q"] == ["cybersecurty"]
    expect(page.locator("p.correction")).to_have_count(0)
    expect(page.locator("#results-heading")).to_contain_text("“cybersecurty”")


def test_two_ticked_values_of_one_facet_widen_the_results(tab):
    page = tab.page
    tab.goto("/?mode=online")
    online = shown_total(page)
    group = page.get_by_role("group", name="How it is taught")
    blended = group.get_by_label(re.compile("^Blended"))
    count = int(
        re.search(r"\(([\d,]+)\)", blended.locator("xpath=..").text_content())
        .group(1)
        .replace(",", "")
    )
    assert count > 0  # counted as if no mode were ticked
    blended.check()  # applied as it changes
    page.wait_for_url(re.compile(r"mode=blended"))
    both = shown_total(page)
    assert online < both <= online + count
    tab.check("search-two-modes", phone=False)
