"""The agency dashboard in a real browser: sign in with an agency key, charts drawn as SVG
from the agency API with their numbers beside them, filters in the address, CSV download."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_agency_sees_charts_filters_and_downloads_csv(tab, site):
    page = tab.page
    tab.goto("/agency")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agency dashboard")
    tab.check("agency-sign-in")

    page.get_by_label("Agency API key").fill(site.provider_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#agency-key-error")).to_contain_text("provider key")
    tab.watch.console_errors.clear()  # the browser logs the 403 it was given

    page.get_by_label("Agency API key").fill(site.agency_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/agency$"))
    assert site.agency_key not in page.url
    cookie = next(c for c in page.context.cookies() if c["name"] == "microcred_agency")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/agency"
    assert page.evaluate("document.cookie") == ""  # no script can read the key

    total = int(page.locator(".lead strong").text_content().replace(",", ""))
    assert total == site.services.catalogue.count_offerings()

    level = page.locator("#chart-level")
    chart = level.get_by_role("img")
    expect(chart).to_have_count(1)
    assert chart.get_attribute("aria-labelledby")
    expect(level.locator("svg title").first).to_have_text(re.compile("level", re.I))
    bars = level.locator("rect.chart-bar")
    assert bars.count() >= 3
    level.get_by_text("Show the numbers").click()
    numbers = level.get_by_role("table")
    expect(numbers).to_be_visible()
    counted = sum(
        int(c.replace(",", ""))
        for c in numbers.locator("tbody td:nth-of-type(1)").all_text_contents()
    )
    assert counted == total  # every offering has one EQF level or none
    for chart_id in ("subject", "mode", "price", "series"):
        expect(page.locator(f"#chart-{chart_id} svg")).to_have_count(1)
    tab.check("agency-dashboard")

    # Filters go into the address and narrow every chart.
    page.get_by_label("Mode", exact=True).select_option("online")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"mode=online"))
    narrowed = int(page.locator(".lead strong").text_content().replace(",", ""))
    assert 0 < narrowed < total

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download these courses")).click()
    download = download_info.value
    csv_text = open(download.path(), encoding="utf-8").read()
    lines = [line for line in csv_text.splitlines() if line]
    assert "title" in lines[0]
    assert len(lines) - 1 == narrowed
    tab.check("agency-dashboard-filtered", phone=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Agency API key")).to_be_visible()
