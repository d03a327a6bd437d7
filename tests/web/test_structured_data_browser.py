"""The schema.org block in a real browser: the page's Content-Security-Policy (no inline
script) is not violated by it, no script runs from it, and it reads as the JSON it is."""

from __future__ import annotations

import json


def test_the_course_block_is_data_the_csp_leaves_alone(tab):
    services = tab.site.services
    offering_id = None
    for candidate, _ in services.catalogue.active_offering_stamps(offset=0, limit=100_000):
        offering = services.catalogue.get_offering(candidate)
        if offering.learning_outcomes and offering.instances and offering.description:
            offering_id = candidate
            break
    assert offering_id
    page = tab.page
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tab.goto(f"/offerings/{offering_id}")
    blocks = page.evaluate("""() => [...document.querySelectorAll(
        'script[type="application/ld+json"]')].map(s => s.textContent)""")
    assert len(blocks) == 1
    course = json.loads(blocks[0])
    assert course["@type"] == "Course" and course["name"] == offering.title
    assert violations == []
    tab.assert_clean()
