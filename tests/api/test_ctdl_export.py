"""`GET /v1/export?format=ctdl`: the whole sample catalogue as one CTDL JSON-LD @graph,
read back by our CTDL reader into the same normalised values; what CTDL has no term for
(a framework level, runs, notional hours as credits) is counted in the report after the
graph, and the comparison says so."""

from __future__ import annotations

import orjson
from pyld import jsonld

from catalogue.ctdl_export import REPORT_KEY, ctid
from normaliser.normalise import normalise_record
from normaliser.readers.base import ReadLimits
from normaliser.readers.ctdl import read_ctdl
from normaliser.schema import CreditSystem
from tests.api.test_elm_loq_export import _context, sample  # noqa: F401  (the fixture)

CETERMS = "https://purl.org/ctdl/terms/"


def _export(client, headers, **params) -> bytes:
    response = client.get("/v1/export", params={"format": "ctdl", **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.headers["content-disposition"].endswith('.ctdl.jsonld"')
    return response.content


def test_the_graph_has_the_shape_the_registry_takes(sample):  # noqa: F811
    services, client, headers = sample
    document = orjson.loads(_export(client, headers))
    graph = document["@graph"]
    offerings = [n for n in graph if n["@type"] in ("ceterms:Course", "ceterms:LearningProgram")]
    organizations = [n for n in graph if n["@type"] == "ceterms:CredentialOrganization"]
    active = services.catalogue.active_offering_stamps(offset=0, limit=100_000)
    assert len(offerings) == len(active) == document[REPORT_KEY]["exported"]
    assert len(organizations) == len(services.catalogue.list_providers())
    org_ids = {o["@id"] for o in organizations}
    for node in offerings + organizations:
        assert node["ceterms:ctid"].startswith("ce-") and len(node["ceterms:ctid"]) == 39
        assert node["ceterms:subjectWebpage"].startswith("http")
    for node in offerings:
        assert {ref["@id"] for ref in node["ceterms:offeredBy"]} <= org_ids
    kinds = {n["@type"] for n in offerings}
    assert kinds == {"ceterms:Course", "ceterms:LearningProgram"}
    assert {p["@type"] for n in offerings for p in n.get("ceterms:estimatedCost", [])} == {
        "ceterms:CostProfile"
    }
    assert {p["@type"] for n in offerings for p in n.get("ceterms:creditValue", [])} == {
        "ceterms:ValueProfile"
    }
    assert {p["@type"] for n in offerings for p in n.get("ceterms:estimatedDuration", [])} == {
        "ceterms:DurationProfile"
    }
    omitted = document[REPORT_KEY]["values_left_out"]
    assert omitted["level AQF (CTDL has no framework level)"] > 0
    assert omitted["run dates (no date on a CTDL scheduled offering)"] > 0


def test_a_json_ld_processor_expands_it_to_ctdl_terms(sample):  # noqa: F811
    """pyld, with the CTDL context given inline (nothing is fetched): the course's terms
    expand to purl.org/ctdl/terms IRIs."""
    _services, client, headers = sample
    document = orjson.loads(_export(client, headers, country="IE"))
    prefixes = {
        "ceterms": CETERMS,
        "schema": "https://schema.org/",
        "ceterms:ctid": {"@id": CETERMS + "ctid"},
    }
    document["@context"] = prefixes
    del document[REPORT_KEY]
    nodes = jsonld.expand(document)  # a top-level @graph alone expands to its nodes
    types = {t for node in nodes for t in node.get("@type", [])}
    assert CETERMS + "Course" in types or CETERMS + "LearningProgram" in types
    assert CETERMS + "CredentialOrganization" in types
    course = next(n for n in nodes if CETERMS + "offeredBy" in n)
    assert CETERMS + "name" in course and CETERMS + "subjectWebpage" in course


def test_round_trip_through_our_ctdl_reader(sample):  # noqa: F811
    services, client, headers = sample
    feed = read_ctdl(_export(client, headers), ReadLimits(max_records=100_000))
    ids = [i for i, _ in services.catalogue.active_offering_stamps(offset=0, limit=100_000)]
    originals = {ctid("offering", k): v for k, v in services.catalogue.get_offerings(ids).items()}
    assert len(feed.records) == len(originals)
    for record in feed.records:
        original = originals[str(record.fields["id"])]
        back, issues = normalise_record(
            record.fields, _context(services, str(record.extra["provider"])), record.instances
        )
        assert back is not None, issues
        assert back.title == original.title
        assert back.description == original.description
        assert back.learning_outcomes == original.learning_outcomes
        assert back.prerequisites == original.prerequisites
        # An offering whose feed named no language the parser read takes the provider's
        # default when read back, as any import without a language does.
        assert back.languages == original.languages or not original.languages
        assert (back.subject.isced if back.subject else []) == (
            original.subject.isced if original.subject else []
        )
        assert back.mode == original.mode
        price, back_price = original.price, back.price
        if price and price.currency and (price.amount is not None or price.is_free):
            assert back_price is not None
            assert (back_price.amount, back_price.currency, back_price.is_free) == (
                0.0 if price.is_free else price.amount,
                price.currency,
                price.is_free,
            )
        # Credits: every system with a CreditUnit concept or a DegreeCredit description;
        # notional hours have no CTDL unit and are left out.
        credits = original.credits
        if credits and credits.system and credits.system is not CreditSystem.HOURS:
            assert back.credits is not None
            assert (back.credits.value, back.credits.system, back.credits.ects) == (
                credits.value,
                credits.system,
                credits.ects,
            )
        else:
            assert back.credits is None
        # Duration: one exactDuration: the weeks where given, else the hours.
        duration = original.duration
        if duration and duration.weeks:
            assert back.duration and back.duration.weeks == duration.weeks
        elif duration and duration.hours:
            assert back.duration and back.duration.hours == duration.hours
        # Places: ceterms:availableAt (an online place is said by deliveryType instead).
        assert [(p.city, p.region, p.country) for p in back.places if not p.online] == [
            (p.city, p.region, p.country) for p in original.places if not p.online
        ]
        # Level: CTDL has no qualifications-framework level on a learning opportunity.
        assert back.level is None
        # Runs: CTDL describes none; the importer makes the one run every import without
        # runs gets from the offering's own mode and price, without dates.
        assert all(run.start_date is None for run in back.instances)
