"""The search page in a real browser (issue 18, items 2 and 7): filters that act as they
change, with the address in step and back and forward working; Apply at the top and the
bottom of the panel without a script; the panel folded on a phone and never folded away on a
desktop; the landing page's paragraph on levels and credits, its subjects and providers with
counts, and a first page of many providers."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def total(page) -> int:
    text = page.locator("#results-heading").text_content() or ""
    return int(re.search(r"([\d,]+) course", text).group(1).replace(",", ""))


def test_a_filter_change_updates_the_results_and_the_address_and_back_undoes_it(tab):
    page = tab.page
    tab.goto("/?q=data")
    before, first_titles = total(page), page.locator(".card-title").all_text_contents()
    page.evaluate("window.notReloaded = true")  # gone if the page were loaded again
    # With a script the Apply buttons are not needed, so not shown.
    apply = page.locator("button", has_text="Apply filters")
    expect(apply).to_have_count(2)
    expect(apply.first).to_be_hidden()
    expect(apply.last).to_be_hidden()

    online = page.get_by_role("group", name="How it is taught").get_by_label(re.compile("^Online"))
    online.check()
    page.wait_for_url(re.compile(r"mode=online"))
    expect(page.get_by_role("link", name=re.compile("Remove filter: Online"))).to_be_visible()
    assert 0 < total(page) < before
    assert params(page)["q"] == ["data"]
    assert page.evaluate("window.notReloaded") is True
    # The result count is announced, and the focus stays on the box just ticked.
    expect(page.locator("#results-status")).to_contain_text("course")
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["mode", "online"]

    # A typed price: applied once typing stops, in the same address.
    page.get_by_label("To", exact=True).first.fill("2000")
    page.wait_for_url(re.compile(r"price_max=2000"))
    assert params(page)["mode"] == ["online"] and "price_min" not in params(page)
    narrowed = total(page)
    tab.check("search-filters-live")

    page.go_back()
    page.wait_for_url(lambda url: "price_max" not in url and "mode=online" in url)
    expect(page.get_by_label("To", exact=True).first).to_have_value("")
    page.go_back()
    page.wait_for_url(lambda url: "mode=online" not in url)
    expect(page.locator("#results-heading")).to_contain_text(f"{before:,} course")
    assert page.locator(".card-title").all_text_contents() == first_titles
    expect(
        page.get_by_role("group", name="How it is taught").get_by_label(re.compile("^Online"))
    ).not_to_be_checked()
    page.go_forward()
    page.go_forward()
    page.wait_for_url(re.compile(r"price_max=2000"))
    expect(page.locator("#results-heading")).to_contain_text(f"{narrowed:,} course")
    assert page.evaluate("window.notReloaded") is True

    # The sort, too, applies in place.
    page.get_by_label("Sort by").select_option("title")
    page.wait_for_url(re.compile(r"sort=title"))
    assert page.evaluate("window.notReloaded") is True
    tab.assert_clean()


def test_without_a_script_apply_sits_at_the_top_and_the_bottom_of_the_panel(tab_without_js):
    tab = tab_without_js
    page = tab.page
    tab.goto("/?q=data")
    apply = page.get_by_role("button", name="Apply filters")
    expect(apply).to_have_count(2)
    expect(apply.first).to_be_visible()
    expect(apply.last).to_be_visible()
    panel = page.locator(".filters-body").bounding_box()
    top = apply.first.bounding_box()
    assert top["y"] - panel["y"] < 80, "the first Apply button opens the panel"
    # From the search box, a handful of tab stops reach the top Apply button.
    page.locator("#q").focus()
    stops, focused = 0, ""
    while stops < 8 and focused != "Apply filters":
        page.keyboard.press("Tab")
        stops += 1
        focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Apply filters" and stops <= 4, (stops, focused)

    page.get_by_role("group", name="How it is taught").get_by_label(re.compile("^Online")).check()
    apply.first.click()
    page.wait_for_url(re.compile(r"mode=online"))
    page.get_by_role("group", name="Cost").get_by_label(re.compile("^Free")).check()
    page.get_by_role("button", name="Apply filters").last.click()
    page.wait_for_url(re.compile(r"free=true"))
    assert params(page)["mode"] == ["online"]
    tab.check("search-no-javascript-apply")


def test_the_panel_folds_on_a_phone_and_stays_open_on_a_desktop(tab):
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/?q=data")
    panel = page.locator("details.filters-panel")
    summary = panel.locator("summary")
    expect(summary).to_be_visible()
    assert panel.evaluate("d => d.open") is False
    # The results come before the folded filters' contents.
    expect(page.get_by_role("group", name="How it is taught")).to_be_hidden()
    summary.click()
    assert panel.evaluate("d => d.open") is True
    page.get_by_role("group", name="How it is taught").get_by_label(re.compile("^Online")).check()
    page.wait_for_url(re.compile(r"mode=online"))
    # The results were swapped in; the panel the learner opened stays open.
    expect(page.get_by_role("link", name=re.compile("Remove filter: Online"))).to_be_attached()
    assert page.locator("details.filters-panel").evaluate("d => d.open") is True
    tab.check("search-phone-filters-open")

    # On a desktop the panel is open and no key folds it: its summary is out of the tab order.
    page.set_viewport_size(DESKTOP)
    panel = page.locator("details.filters-panel")
    expect(panel).to_have_attribute("open", "")
    assert panel.locator("summary").get_attribute("tabindex") == "-1"
    page.locator("#q").focus()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") in ("checkbox", "radio")
    panel.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    panel.locator("summary").click(force=True)
    assert panel.evaluate("d => d.open") is True
    tab.assert_clean()


def test_the_landing_page_explains_levels_and_credits_and_counts_subjects_and_providers(tab):
    page = tab.page
    tab.goto("/")
    about = page.locator("#levels-and-credits")
    expect(about).to_contain_text("European Qualifications Framework")
    expect(about).to_contain_text("ECTS")
    expect(about.get_by_role("link")).to_have_count(2)

    subjects = page.get_by_role("list", name="Browse by field of study").get_by_role("link")
    assert re.search(r"/\?subject=\d\d$", subjects.first.get_attribute("href"))
    providers = page.get_by_role("list", name="Browse by provider").get_by_role("link")
    assert subjects.count() >= 5 and providers.count() >= 6
    counts = [
        int(re.search(r"\(([\d,]+)\)", t).group(1).replace(",", ""))
        for t in providers.all_text_contents()
    ]
    assert counts == sorted(counts, reverse=True) and sum(counts) == total(page)

    # The first page is many providers', not the last feed's.
    names = page.locator(".card-provider").all_text_contents()
    assert len(names) == 20 and len(set(names)) >= 4, names
    tab.check("home-landing")

    # Each count is a link to the search it stands for.
    name, count = re.match(r"(.+) \(([\d,]+)\)", providers.first.text_content().strip()).groups()
    providers.first.click()
    page.wait_for_url(re.compile(r"provider="))
    expect(page.locator("#results-heading")).to_contain_text(f"{count} course")
    assert set(page.locator(".card-provider").all_text_contents()) == {name}
    expect(page.locator("#levels-and-credits")).to_have_count(0)  # a search is not the landing
    tab.assert_clean()
