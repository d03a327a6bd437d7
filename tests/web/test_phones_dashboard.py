"""The agency dashboard on a phone (issue 18, items 4 and 5), in a real browser at 375 and
1280 px: every chart fits its card, no label is cut or runs out of its chart, count axes
have whole ticks, a missing value is "Not stated" everywhere, data quality per provider and
the duplicates are shown, and eleven views in a minute stay within the key's limit."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, PHONE

# For each chart: its width against its card's, and every text's box against the viewBox
# (the browser's own measure of the text as drawn, so a label longer than its room shows).
GEOMETRY = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
    const card = svg.closest('.chart-card').getBoundingClientRect();
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox.baseVal;
    const out = [...svg.querySelectorAll('text')].filter(t => {
        const b = t.getBBox();
        return b.x < -0.5 || b.y < -0.5 || b.x + b.width > view.width + 0.5
            || b.y + b.height > view.height + 0.5;
    }).map(t => t.textContent);
    return {id: svg.closest('.chart-card').id, width: box.width, card: card.width,
            left: box.left, right: box.right, out: out,
            axis: [...svg.querySelectorAll('text.chart-axis')].map(t => t.textContent),
            text: [...svg.querySelectorAll('text')].map(t => t.textContent)};
})"""


# The narrowest phone the charts are drawn for.
NARROWEST = {"width": 320, "height": 640}


def sign_in(page, key: str) -> None:
    page.get_by_label("Agency API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/agency$"))


def test_the_dashboard_fits_a_phone_with_whole_labels_and_whole_ticks(tab, site):
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/agency")
    sign_in(page, site.agency_key)
    for size in (NARROWEST, PHONE, DESKTOP):
        page.set_viewport_size(size)
        charts = page.evaluate(GEOMETRY)
        ids = {c["id"] for c in charts}
        assert {"chart-level", "chart-subject", "chart-provider", "chart-quality"} <= ids, ids
        for chart in charts:
            assert chart["width"] <= chart["card"] and chart["right"] <= size["width"], chart
            assert chart["width"] >= min(0.7 * size["width"], 480), chart  # not shrunk
            assert not chart["out"], f"{chart['id']}: text outside the chart: {chart['out']}"
            assert not any("…" in t for t in chart["text"]), chart["id"]
            assert not {"None", "Unknown"} & set(chart["text"]), chart["id"]
            for tick in chart["axis"]:
                if re.fullmatch(r"[\d,.]+", tick):
                    assert "." not in tick, f"{chart['id']}: a fractional tick {tick}"
    page.set_viewport_size(PHONE)
    subject = next(c for c in charts if c["id"] == "chart-subject")
    assert "Engineering, manufacturing and construction" in " ".join(subject["text"])

    # Data quality per provider: a bar per provider, by name, and the table of its numbers.
    quality = page.locator("#chart-quality")
    titles = quality.locator("rect.chart-bar title").all_text_contents()
    assert len(titles) >= 6 and all(re.search(r": \d+ %", t) for t in titles), titles
    assert any("Te Awa Institute of Technology" in t for t in titles), titles
    quality.get_by_text("Show the numbers").click()
    expect(quality.get_by_role("table")).to_contain_text("Values not mapped")
    expect(page.get_by_role("heading", name="Offerings that reached us twice")).to_be_visible()
    # Figures rounded: no float noise anywhere on the page.
    assert not re.search(r"\d\.\d{3,}", page.locator("main").inner_text())
    assert "Not stated" in page.locator("#chart-level table").text_content()
    tab.check("agency-dashboard-phone")


def test_eleven_dashboard_views_in_a_minute_stay_within_the_limit(tab, site):
    """Each view is one request of the key's 60 a minute: the eleventh view draws every
    chart (at six a view, as before, it showed "over its limit" in each)."""
    page = tab.page
    created = site.services.keys.create("agency", label="eleven views")
    tab.goto("/agency")
    sign_in(page, created.secret)  # the first view
    for _ in range(10):
        response = page.reload()
        assert response is not None and response.status == 200
    assert "over its limit" not in page.content()
    assert page.locator("figure.chart-card").count() == 9
    for chart in page.locator("figure.chart-card").all():
        expect(chart.locator("svg.chart")).to_have_count(1)
