"""Real feeds nobody here wrote, through the whole ingest path: every course is imported or
reported with a reason, and what lands is searchable."""

from __future__ import annotations

import re

from catalogue.search.query import Filters, SearchQuery
from normaliser.schema import Provider
from tests.conftest import shared_data


def test_every_cornwall_college_course_is_imported_or_reported(services):
    path = shared_data("xcri-cap/cornwall-college-2017.xml")
    content = path.read_bytes()
    courses = len(re.findall(rb"<course[\s>]", content))
    services.catalogue.upsert_provider(
        Provider(id="cornwall", name="Cornwall College", country="GB", default_currency="GBP"),
        level_framework="RQF",
    )
    report = services.import_feed("cornwall", content, format=None, channel="cli")
    assert report.status == "applied", report.error
    assert report.records == courses == report.accepted + report.rejected
    rejected_ids = {i.record_id for i in report.errors}
    assert len(rejected_ids) == report.rejected  # each rejection carries its reason
    assert services.catalogue.count_offerings() == report.created == report.accepted
    degree = services.backend.search(SearchQuery(text="BSc Horticulture")).hits
    assert degree, "the horticulture degree should be searchable"
    stored = services.catalogue.get_offering(degree[0].id)
    assert stored.level is not None and stored.level.framework == "RQF"
    run_prices = [i.price.amount for i in stored.instances if i.price]
    assert 8000 in run_prices
    by_level = services.backend.search(SearchQuery(filters=Filters(framework=("RQF",))))
    assert by_level.total > 0


def test_the_edx_catalogue_imports_through_its_mapping_profile(services):
    path = shared_data("catalogues/edx-courses.csv")
    services.catalogue.upsert_provider(Provider(id="edx", name="edX", country="US"))
    report = services.import_feed("edx", path.read_bytes(), format="profile:edx", channel="cli")
    assert report.status == "applied", report.error
    # The export is broken (unquoted line breaks in cells): fragments are rejected by line.
    assert report.accepted > 900 and report.rejected > 0
    assert all(i.locator and i.locator.startswith("line ") for i in report.errors)
    online_free = services.backend.search(SearchQuery(filters=Filters(mode=("online",), free=True)))
    assert online_free.total == services.catalogue.count_offerings() == report.created
    [hit] = services.backend.search(SearchQuery(text="How to Learn Online")).hits[:1]
    stored = services.catalogue.get_offering(hit.id)
    assert stored.price.currency == "USD"  # the profile's default currency
    assert stored.duration.weeks == 2


def test_the_ctdl_examples_import_and_the_non_offerings_are_refused_with_a_reason(services):
    services.catalogue.upsert_provider(
        Provider(
            id="example-university", name="Example University", country="US", default_currency="USD"
        )
    )
    titles = []
    for name in ("Course-1a", "Course-1b", "Course-1c", "LearningProgram-1", "LearningProgram-2"):
        content = shared_data(f"ctdl/{name}.json").read_bytes()
        report = services.import_feed("example-university", content, mode="delta", channel="cli")
        assert (report.status, report.accepted, report.rejected) == ("applied", 1, 0), name
    for name in ("Credential-1", "Organization-1"):
        content = shared_data(f"ctdl/{name}.json").read_bytes()
        report = services.import_feed("example-university", content, mode="delta", channel="cli")
        assert report.status == "failed" and "no learning opportunity" in report.error, name
    titles = sorted(d["title"] for d in services.catalogue.iter_active_offering_documents())
    assert "Cybersecurity Program" in titles and len(titles) == 5
    [online] = services.backend.search(SearchQuery(text="Personal Growth Mastery")).hits
    stored = services.catalogue.get_offering(online.id)
    assert (stored.mode, stored.price.amount, stored.price.currency) == ("online", 995, "USD")
