"""The crawl-only sample provider's website: generated deterministically, committed as
generated, and every course page readable."""

from __future__ import annotations

from crawlers.structured import extract_structured
from microcred.sample_data import generate_site


def test_committed_site_is_exactly_what_the_generator_writes():
    stale = [
        path
        for path, content in generate_site.generated_files().items()
        if not (generate_site.SITE_DIR / path).is_file()
        or (generate_site.SITE_DIR / path).read_bytes() != content
    ]
    assert not stale, f"run `python -m microcred.sample_data.generate_site`; stale: {stale}"


def test_every_course_page_gives_one_course_and_the_staff_area_is_disallowed():
    files = generate_site.generated_files()
    courses = generate_site.courses()
    assert 20 <= len(courses) <= 40
    kinds = {c.markup for c in courses}
    assert {"jsonld", "graph", "microdata", "rdfa", "broken"} <= kinds
    for course in courses:
        page = extract_structured(files[course.path.lstrip("/")], f"http://h{course.path}")
        assert [r.fields["id"] for r in page.records] == [course.code], course.path
    assert b"Disallow: /staff/" in files["robots.txt"]
    assert b"__ORIGIN__/sitemap.xml" in files["robots.txt"]
