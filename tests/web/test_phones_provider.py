"""The provider page (issue 18, items 4 and 6) in a real browser at 1280 and 375 px: the
provider's name once signed in; the feed template downloaded and checked as it is; a
check's report with its key fact first, the rejected row's line, id, field and fix in a
full-width table, and the preview of each value as written beside what we made of it; a
held snapshot's summary first, its discard and confirm buttons doing what they say."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from normaliser.schema import Provider

PROVIDER = Provider(
    id="held-test", name="Ōhau Held Snapshots Ltd", country="NZ", default_currency="NZD"
)
FULL = (
    "id,title,level,credits,mode,price,duration,language\n"
    "HT-1,Kaitiakitanga in Practice,NZQF Level 4,15 NZ credits,Online,NZ$450,8 weeks,English\n"
    "HT-2,Wetland Restoration Basics,NZQF Level 3,10 NZ credits,Blended,NZ$300,4 weeks,English\n"
    "HT-3,Native Plant Nursery Skills,NZQF Level 3,10 NZ credits,Online,NZ$250,6 weeks,English\n"
)
# The same provider's snapshot with one course of three, and a row without a title.
PART = (
    "id,title,level,credits,mode,price,duration,language\n"
    "HT-1,Kaitiakitanga in Practice,NZQF Level 4,15 NZ credits,Online,NZ$450,8 weeks,English\n"
    "HT-9,,NZQF Level 5,15 NZ credits,Online,NZ$100,6 weeks,English\n"
)


def sign_in(page, key: str) -> None:
    page.get_by_label("Provider API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#workspace")).to_be_visible()


def check_file(page, path) -> None:
    page.get_by_label("Feed file").set_input_files(str(path))
    page.get_by_role("button", name="Check the feed").click()
    expect(page.locator("#check-report .report-key")).to_be_visible()


def active(site) -> int:
    """The provider's active offerings, as the catalogue counts them."""
    return next(n for p, n in site.services.catalogue.list_providers() if p.id == PROVIDER.id)


def test_the_template_downloads_and_checks_cleanly_with_a_preview(tab, site, tmp_path):
    page = tab.page
    site.services.catalogue.upsert_provider(PROVIDER, default_language="en")
    key = site.services.keys.create("provider", provider_id=PROVIDER.id).secret
    tab.goto("/provider")
    sign_in(page, key)
    expect(page.locator("#who-provider")).to_have_text(PROVIDER.name)
    expect(page.locator(".signed-in-bar")).to_contain_text(f"id {PROVIDER.id}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the template (Excel, XLSX)").click()
    template = tmp_path / info.value.suggested_filename
    info.value.save_as(template)
    assert template.suffix == ".xlsx"
    check_file(page, template)
    report = page.locator("#check-report")
    expect(report.locator(".report-key")).to_have_text(
        re.compile(r"^Checked: 2 of 2 courses would be published\. Nothing has been stored yet")
    )
    expect(report).to_contain_text("No problems found.")
    preview = report.locator("details.preview-row")
    expect(preview).to_have_count(2)
    first = preview.first.locator("tr", has=page.locator("code", has_text=re.compile("^price$")))
    expect(first).to_contain_text("1250")
    expect(first).to_contain_text("NZD 1,250")
    preview.nth(1).locator("summary").click()
    start = preview.nth(1).locator("tr", has=page.locator("code", has_text="start_dates"))
    expect(start).to_contain_text("1 March 2027")
    expect(start).to_contain_text("2027-03-01")
    tab.check("provider-template-checked")


def test_a_held_snapshot_shows_its_summary_first_and_is_discarded_or_applied(tab, site, tmp_path):
    page = tab.page
    site.services.catalogue.upsert_provider(PROVIDER, default_language="en")
    site.services.import_feed(PROVIDER.id, FULL.encode(), format="csv")
    assert active(site) == 3
    key = site.services.keys.create("provider", provider_id=PROVIDER.id).secret
    part = tmp_path / "part.csv"
    part.write_text(PART, encoding="utf-8")
    tab.goto("/provider")
    sign_in(page, key)

    # The check: its key fact first, then the rejected row in a table as wide as the report.
    check_file(page, part)
    report = page.locator("#check-report .report")
    expect(report.locator("> :first-child")).to_have_class(re.compile("report-summary"))
    expect(report.locator(".report-key")).to_contain_text(
        "Checked: 1 of 2 courses would be published; 1 rejected"
    )
    expect(report.locator(".report-key")).to_contain_text("would withdraw 2 of your 3 active")
    rejected = report.locator("table.issues-table tr.issue-error")
    expect(rejected).to_have_count(1)
    for cell, text in zip(
        rejected.locator("td").all(), ["line 3", "HT-9", "title", "title"], strict=False
    ):
        expect(cell).to_contain_text(text)
    assert "_record" not in report.inner_text()
    table = report.locator("table.issues-table").first.bounding_box()
    panel = report.bounding_box()
    assert table["width"] >= panel["width"] - 2  # the whole width of the report
    assert panel["width"] > 900  # and the report the page's width, not a column beside the form

    # Submitted, it is held: the summary says so first, with its two buttons.
    page.get_by_role("button", name="Submit this feed").click()
    body = page.locator("#report-body")
    key_fact = body.locator(".report-summary .report-key")
    expect(key_fact).to_have_text(re.compile(r"^Held: would withdraw 2 of your 3 active courses"))
    discard = body.locator(".report-summary").get_by_role("button", name="Discard it")
    expect(discard).to_be_visible()
    tab.check("provider-held")  # the held report, its rejected row and warnings below it
    discard.click()
    expect(page.locator("#status")).to_contain_text("Discarded", timeout=20_000)
    expect(body.locator(".report-key")).to_contain_text("nothing from this snapshot was applied")
    assert active(site) == 3

    # Again, and this time applied, withdrawals and all.
    check_file(page, part)
    page.get_by_role("button", name="Submit this feed").click()
    apply = body.locator(".report-summary").get_by_role(
        "button", name="Apply it, withdrawals and all"
    )
    expect(apply).to_be_visible(timeout=20_000)
    apply.click()
    expect(page.locator("#status")).to_contain_text("Published", timeout=20_000)
    expect(body.locator(".report-key")).to_contain_text(
        "2 courses of yours not in it were withdrawn"
    )
    assert active(site) == 1
