"""The federation targets page in a real browser, at 1280 and 375 px with the axe check:
signed in from the dashboard, the counts per target, a rule saved from the form."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_agency_sets_what_goes_to_a_target(tab, site):
    page = tab.page
    tab.goto("/agency")
    page.get_by_label("Agency API key").fill(site.agency_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/agency$"))
    page.get_by_role("link", name=re.compile("Federation targets")).click()
    page.wait_for_url(re.compile(r"/agency/targets$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Federation targets")
    expect(page.locator("section.panel")).to_have_count(3)
    tab.check("agency-targets")

    ctdl = page.locator("#target-ctdl")
    first_provider = ctdl.locator("input[name=exclude]").first
    first_provider.check()
    ctdl.get_by_label("the price of the offering and of every run").check()
    ctdl.get_by_role("button", name="Save the rule for ctdl").click()
    page.wait_for_url(re.compile(r"saved=ctdl"))
    expect(page.get_by_role("status")).to_contain_text("ctdl")
    ctdl = page.locator("#target-ctdl")
    expect(ctdl).to_contain_text("provider not published to this target by the agency")
    expect(ctdl).to_contain_text("price withheld by the agency")
    tab.check("agency-targets-saved", phone=True)

    # Put the rule back, so the shared site is as the other tests expect it.
    ctdl.locator("input[name=exclude]").first.uncheck()
    ctdl.get_by_label("the price of the offering and of every run").uncheck()
    ctdl.get_by_role("button", name="Save the rule for ctdl").click()
    page.wait_for_url(re.compile(r"saved=ctdl"))
    expect(page.locator("#target-ctdl")).not_to_contain_text("withheld by the agency")
