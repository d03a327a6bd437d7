"""The public marketplace in a real browser: search, suggestions, filters, the offering
page, compare, paging and the back button; the same basics with JavaScript off."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_search_filter_offering_compare(tab):
    page = tab.page
    tab.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a micro-credential")
    tab.check("home")

    # Suggestions as you type: a listbox, announced, chosen with the keyboard.
    box = page.get_by_role("combobox", name="Search courses")
    box.press_sequentially("māori", delay=40)
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.locator("#q-status")).to_contain_text("suggestion")
    expect(box).to_have_attribute("aria-expanded", "true")
    tab.check("home-suggestions", phone=False)
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "q-option-0")
    chosen = options.first.text_content()
    box.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert params(page)["q"] == [chosen]

    # A plain search, then a facet and a range filter.
    box = page.get_by_role("combobox", name="Search courses")
    box.fill("data")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=data"))
    total_text = page.locator("#results-heading").text_content()
    total = int(re.search(r"([\d,]+) course", total_text).group(1).replace(",", ""))
    assert total > 1
    online = page.get_by_role("group", name="How it is taught").get_by_label(re.compile("^Online"))
    online.check()  # applied as it changes (tests/web/test_filters_browser.py)
    page.wait_for_url(re.compile(r"mode=online"))
    page.get_by_label("To", exact=True).first.fill("2000")  # price up to 2,000 EUR
    page.wait_for_url(re.compile(r"price_max=2000"))
    assert params(page)["mode"] == ["online"]
    assert "price_min" not in params(page)  # empty boxes are left out of the address
    filtered = int(
        re.search(r"([\d,]+) course", page.locator("#results-heading").text_content())
        .group(1)
        .replace(",", "")
    )
    assert 0 < filtered < total
    expect(page.get_by_role("link", name=re.compile("Remove filter: Online"))).to_be_visible()
    filtered_url = page.url

    # Sorting submits at once.
    page.get_by_label("Sort by").select_option("price")
    page.wait_for_url(re.compile(r"sort=price"))
    tab.check("search-results")

    # Two offerings into compare: the state is in the address.
    add = page.get_by_role("link", name=re.compile("^Add to compare"))
    add.first.click()
    page.wait_for_url(re.compile(r"compare="))
    page.get_by_role("link", name=re.compile("^Add to compare")).first.click()
    page.wait_for_url(re.compile(r"compare=[^&]+%2C"))
    tray = page.get_by_role("region", name=re.compile("Compare"))
    expect(tray).to_contain_text("2 of 4")
    tab.check("search-compare-tray", phone=False)

    # The offering page: every value, what the provider wrote, the provider.
    first_card = page.locator(".card").first
    title = first_card.locator(".card-title").text_content().strip()
    first_card.locator(".card-title a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    table = page.get_by_role("table").filter(has_text="As the provider wrote it")
    expect(table).to_contain_text("Level")
    expect(table).to_contain_text("Price")
    assert table.locator("q.raw").count() >= 3
    expect(page.get_by_role("link", name=re.compile("^All courses from"))).to_be_visible()
    page.get_by_text("Show all").click()
    expect(page.get_by_role("region", name="Original record", exact=True)).to_be_visible()
    tab.check("offering")

    # Back to the same filtered, sorted results, compare list intact.
    page.go_back()
    assert "sort=price" in page.url and "mode=online" in page.url and "compare=" in page.url
    expect(page.get_by_role("region", name=re.compile("Compare"))).to_contain_text("2 of 4")

    page.get_by_role("link", name="Compare 2 courses").click()
    page.wait_for_url(re.compile(r"/compare\?id="))
    assert len(params(page)["id"]) == 2
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare courses")
    headers = page.locator(".compare-table thead th")
    expect(headers).to_have_count(2)
    expect(page.locator(".compare-table")).to_contain_text("Price")
    tab.check("compare")

    # Remove one; the breadcrumb leads back to the search it came from.
    page.get_by_role("link", name=re.compile("^Remove")).first.click()
    expect(page.locator(".compare-table thead th")).to_have_count(1)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Search results"
    ).click()
    assert "mode=online" in page.url and "q=data" in page.url
    assert filtered_url.split("?")[0] == page.url.split("?")[0]


def test_paging_forwards_and_back(tab):
    page = tab.page
    tab.goto("/?sort=title")
    first_titles = page.locator(".card-title").all_text_contents()
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator(".page-of")).to_have_text(re.compile(r"^Page 2 of"))
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator(".page-of")).to_have_text(re.compile(r"^Page 3 of"))
    third = page.locator(".card-title").all_text_contents()
    assert set(third).isdisjoint(first_titles)
    page.get_by_role("link", name=re.compile("^Previous")).click()
    expect(page.locator(".page-of")).to_have_text(re.compile(r"^Page 2 of"))
    page.get_by_role("link", name=re.compile("^Previous")).click()
    expect(page.locator(".page-of")).to_have_text(re.compile(r"^Page 1 of"))
    assert page.locator(".card-title").all_text_contents() == first_titles
    tab.assert_clean()


def test_keyboard_skip_link_and_focus(tab):
    page = tab.page
    tab.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The focus is drawn: a visible outline or background on the next control.
    page.keyboard.press("Tab")
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth, s.backgroundColor, s.boxShadow]; }""")
    assert style[0] != "none" or style[3] != "none", style
    tab.assert_clean()


def test_macrons_and_fadas_round_trip(tab):
    page = tab.page
    tab.goto("/?q=Māori")
    expect(page.get_by_role("combobox", name="Search courses")).to_have_value("Māori")
    expect(page.locator("#results-heading")).to_contain_text("“Māori”")
    expect(page.locator(".card-title mark").first).to_have_text(re.compile("M[āa]ori", re.I))
    tab.assert_clean()


def test_the_basics_work_without_javascript(tab_without_js):
    tab = tab_without_js
    page = tab.page
    tab.goto("/")
    page.get_by_role("searchbox").fill("data") if page.get_by_role(
        "searchbox"
    ).count() else page.locator("#q").fill("data")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q=data"))
    page.get_by_role("group", name="How it is taught").get_by_label(re.compile("^Online")).check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url(re.compile(r"mode=online"))
    expect(page.locator("#results-heading")).to_contain_text("course")
    # Sorting has its own button when no script submits the select.
    page.get_by_label("Sort by").select_option("title")
    page.get_by_role("button", name="Sort").click()
    page.wait_for_url(re.compile(r"sort=title"))
    page.get_by_role("link", name=re.compile("^Add to compare")).first.click()
    page.wait_for_url(re.compile(r"compare="))
    page.locator(".card-title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name="Search results").click()
    assert "compare=" in page.url and "sort=title" in page.url
    tab.check("search-no-javascript", phone=False)
