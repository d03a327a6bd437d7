"""`GET /v1/export?format=elm-loq`: the whole sample catalogue as ELM v3 LOQ XML, valid
against the Europass QDR's own schema (shared/reference/elm-v3-loq/loq/loq.xsd, read by
lxml), and read back by our LOQ reader into the same normalised values, or, where a value
has no EU counterpart, left out and counted in the document's closing comment."""

from __future__ import annotations

import re
from functools import cache

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from catalogue.elm_loq import OMITTED_COMMENT
from catalogue.export import Exporter, ExportFormat
from catalogue.search.query import Filters
from microcred.sample import load_sample_data
from microcred.web import create_web_app
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import ReadLimits
from normaliser.readers.elm_xml import read_elm_loq_xml
from normaliser.schema import Framework, StoredOffering
from tests.conftest import SHARED_DATA

LOQ_XSD = SHARED_DATA.parent / "reference" / "elm-v3-loq" / "loq" / "loq.xsd"
LOQ = "{http://data.europa.eu/snb/model/ap/loq-constraints/}"


@cache
def loq_schema() -> etree.XMLSchema:
    if not LOQ_XSD.is_file():
        pytest.skip(f"{LOQ_XSD} is not here: this checkout has no ../shared/reference beside it")
    return etree.XMLSchema(etree.parse(str(LOQ_XSD)))


@pytest.fixture
def sample(services):
    load_sample_data(services)
    agency_key = services.keys.create("agency", label="Ministry").secret
    client = TestClient(create_web_app(services, background=False))
    return services, client, {"Authorization": f"Bearer {agency_key}"}


def _export(client, headers, **params) -> bytes:
    response = client.get("/v1/export", params={"format": "elm-loq", **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.headers["content-disposition"].endswith('.loq.xml"')
    return response.content


def _closing_comment(document: etree._Element) -> str:
    comments = [node.text for node in document.iter(etree.Comment)]
    assert comments and comments[-1].strip().startswith(OMITTED_COMMENT)
    return comments[-1]


def test_the_whole_sample_catalogue_is_valid_loq(sample):
    services, client, headers = sample
    data = _export(client, headers)
    document = etree.fromstring(data)
    schema = loq_schema()
    assert schema.validate(document.getroottree()), schema.error_log
    opportunities = document.findall(f"{LOQ}learningOpportunityReferences/{LOQ}learningOpportunity")
    specifications = document.findall(
        f"{LOQ}learningAchievementSpecificationReferences/{LOQ}learningAchievementSpecification"
    )
    active = len(services.catalogue.active_offering_stamps(offset=0, limit=100_000))
    comment = _closing_comment(document)
    # Every offering is either in the document (one specification, an opportunity per run)
    # or counted as left out, with the reason.
    exported = len(specifications)
    left_out = active - exported
    assert f"{active} offerings matched, {exported} exported, {left_out} left out" in comment
    assert {
        o.find(f"{LOQ}learningAchievementSpecification").get("idref") for o in opportunities
    } == {s.get("id") for s in specifications}
    assert len(opportunities) > exported  # the later runs are opportunities too
    assert left_out and "offering left out, no ISCED-F code" in comment
    assert "value left out, level AQF (no EQF referencing)" in comment


def test_the_schema_check_can_fail(sample):
    _services, client, headers = sample
    document = etree.fromstring(_export(client, headers, country="IE"))
    opportunity = document.find(f"{LOQ}learningOpportunityReferences/{LOQ}learningOpportunity")
    opportunity.remove(opportunity.find(f"{LOQ}title"))
    assert not loq_schema().validate(document.getroottree())


def test_filters_apply(sample):
    services, client, headers = sample
    document = etree.fromstring(_export(client, headers, country="IE"))
    assert loq_schema().validate(document.getroottree())
    ids = [
        e.get("id").removeprefix("urn:microcred:offering:").split(":", 1)[0]
        for e in document.iter(f"{LOQ}learningOpportunity")
        if e.get("id")
    ]
    assert ids
    for offering_id in ids:
        offering = services.catalogue.get_offering(offering_id)
        countries = (
            {p.country for p in offering.places}
            | {r.place.country for r in offering.instances if r.place}
            | {offering.provider.country}
        )
        assert "IE" in countries


def _context(services, provider_name: str) -> NormaliseContext:
    [row] = [
        services.catalogue.provider_row(p.id)
        for p, _ in services.catalogue.list_providers()
        if p.name == provider_name
    ]
    return NormaliseContext(
        provider_id=row.id,
        default_currency=row.default_currency,
        default_country=row.country,
        default_language=row.default_language,
        level_framework=row.level_framework,
        credit_system=row.credit_system,
        ref_currency="EUR",
        rates=services.ingest.rates,
    )


def _level(offering) -> tuple | None:
    level = offering.level
    return (level.framework, level.value, level.eqf) if level else None


def test_round_trip_through_our_loq_reader(sample):
    """Exported, read back by normaliser.readers.elm_xml and normalised as an import would
    be: the same values. Where one cannot survive, the comparison says which and why."""
    services, client, headers = sample
    feed = read_elm_loq_xml(_export(client, headers), ReadLimits(max_records=100_000))
    originals: dict[str, StoredOffering] = {}
    compared = several_runs = 0
    for record in feed.records:
        original_id = str(record.fields["id"]).removeprefix("urn:microcred:offering:")
        original = originals.get(original_id) or services.catalogue.get_offering(original_id)
        back, issues = normalise_record(
            record.fields, _context(services, str(record.extra["provider"])), record.instances
        )
        assert back is not None, issues
        compared += 1
        assert back.title == original.title
        assert back.languages == original.languages
        assert back.subject and original.subject
        assert back.subject.isced == original.subject.isced
        # Level: the EQF level always; the framework and its level where the LOQ
        # vocabulary names them (NFQ, SCQF, RQF: loq/cv/nqf.xsd). NZQF comes back as its EQF
        # referencing; an AQF level (no EQF referencing) is left out.
        level = original.level
        if level and level.framework in (Framework.NFQ, Framework.SCQF, Framework.RQF):
            assert _level(back) == _level(original)
        elif level and level.eqf:
            assert _level(back) == (Framework.EQF, str(level.eqf), level.eqf)
        else:
            assert back.level is None
        # Credits: ECTS only, and only exact ones (an hours-based or approximate figure has
        # no EU counterpart); other systems come back as their ECTS value.
        credits = original.credits
        if credits and credits.ects is not None and not credits.approximate:
            assert back.credits and back.credits.ects == credits.ects
        else:
            assert back.credits is None
        # Duration: one xs:duration, weeks as whole days (so within half a day of a
        # week), else hours; hours beside weeks are left out.
        duration = original.duration
        if duration and duration.weeks:
            assert back.duration and abs(back.duration.weeks - duration.weeks) <= 0.5 / 7
        elif duration and duration.hours:
            assert back.duration and back.duration.hours == duration.hours
        # Runs: each run is a learning opportunity of the offering's one specification (a
        # LOQ opportunity has one temporal, one mode and its prices), read back as the runs
        # of one course, in order.
        runs = original.instances
        if any(run.start_date or run.mode or run.price for run in runs):
            assert len(back.instances) == len(runs)
            for run, back_run in zip(runs, back.instances, strict=True):
                assert (back_run.start_date, back_run.end_date) == (run.start_date, run.end_date)
                assert back_run.mode == (run.mode or original.mode)
                price = run.price or original.price
                if price and price.currency and (price.amount is not None or price.is_free):
                    assert back_run.price is not None
                    assert (back_run.price.amount or 0.0, back_run.price.currency) == (
                        0.0 if price.is_free else price.amount,
                        price.currency,
                    )
                # The run's place, as a LOQ location (an online run has none: its mode says
                # online).
                place = run.place if run.place and not run.place.online else None
                if len(runs) > 1 or place:
                    back_place = back_run.place
                    assert (
                        (back_place.city, back_place.region, back_place.country)
                        if back_place and not back_place.online
                        else None
                    ) == ((place.city, place.region, place.country) if place else None)
            several_runs += len(runs) > 1
        first = runs[0] if runs else None
        assert back.mode == ((first.mode if first else None) or original.mode)
    assert compared > 300
    assert several_runs > 100  # the sample's offerings with more than one run keep them all


def test_every_idref_resolves_while_offerings_are_withdrawn_mid_export(services):
    """The sections are read in several passes; all of them from one read snapshot, so an
    offering withdrawn after its learningOpportunity was written still has its
    specification and outcomes later in the document."""
    load_sample_data(services)
    exporter = Exporter(services.catalogue, "EUR", batch_rows=20)
    chunks = exporter.stream(Filters(), ExportFormat.ELM_LOQ, page_base="https://example.org")
    head = [next(chunks), next(chunks), next(chunks)]  # the first opportunities are written
    first_ids = [
        m.decode()
        for m in re.findall(
            rb'<learningOpportunity [^>]*?id="(urn:microcred:offering:\w+)"', b"".join(head)
        )
    ]
    assert first_ids
    for opportunity_id in first_ids:
        offering = services.catalogue.get_offering(opportunity_id.rsplit(":", 1)[-1])
        services.ingest.withdraw_offering(offering.provider.id, offering.id)
    document = etree.fromstring(b"".join(head + list(chunks)))
    schema = loq_schema()
    assert schema.validate(document.getroottree()), schema.error_log  # keyrefs included
    specifications = {
        e.get("id") for e in document.iter(f"{LOQ}learningAchievementSpecification") if e.get("id")
    }
    assert {i + ":specification" for i in first_ids} <= specifications
