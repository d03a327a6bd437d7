"""ELM v3 LOQ XML reader: golden fixtures, the two published QDR samples, limits, refusals.

Each `tests/fixtures/elm_loq/<name>.xml` has a `<name>.expected.json` in the shape the other
reader goldens use (tests/golden.py). Issue messages are prose and are not compared; their
field, code, severity and value are. The published samples (shared/reference/elm-v3-loq/loq,
EUPL 1.2, read in place) are generated test data: random strings and random vocabulary terms,
so the tests check what the reader makes of their structure and their vocabulary URIs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, FeedLimitExceeded, ReadLimits
from normaliser.readers.elm_xml import looks_like_elm_loq_xml, read_elm_loq_xml
from normaliser.schema import CreditSystem, Framework, Mode
from tests.golden import mismatches, read_as_golden, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "elm_loq"
OTHER_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "elm-v3-loq" / "loq"
EXPECTED_SUFFIX = ".expected.json"
IRISH_PROVIDER = NormaliseContext(provider_id="x", default_country="IE", default_currency="EUR")


def _read_as_golden(input_path: Path) -> dict:
    return read_as_golden(read_elm_loq_xml, input_path.read_bytes())


FIXTURE_INPUTS = sorted(FIXTURES.glob("*.xml"))
FIXTURE_IDS = [path.name for path in FIXTURE_INPUTS]


def _expected_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.stem + EXPECTED_SUFFIX)


def _offering(name: str, index: int = 0):
    record = read_elm_loq_xml((FIXTURES / name).read_bytes()).records[index]
    offering, issues = normalise_record(record.fields, IRISH_PROVIDER, record.instances)
    assert offering is not None, issues
    return offering


def test_fixture_folder_has_inputs() -> None:
    assert len(FIXTURE_INPUTS) >= 7, f"fixtures missing from {FIXTURES}"


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_reader_output_matches_golden(input_path: Path) -> None:
    expected = json.loads(_expected_path(input_path).read_text(encoding="utf-8"))
    problems = mismatches(expected, _read_as_golden(input_path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_golden_checks_everything_the_reader_emits(input_path: Path) -> None:
    expected = json.loads(_expected_path(input_path).read_text(encoding="utf-8"))
    unchecked = unchecked_paths(_read_as_golden(input_path), expected)
    assert not unchecked, f"{_expected_path(input_path).name} does not check: {unchecked}"
    if "error" in expected:
        assert expected["error"].get("message_contains"), "say what the message must name"


def test_every_expected_file_has_an_input() -> None:
    stems = {path.stem for path in FIXTURE_INPUTS}
    orphans = [
        path.name
        for path in FIXTURES.glob("*" + EXPECTED_SUFFIX)
        if path.name.removesuffix(EXPECTED_SUFFIX) not in stems
    ]
    assert not orphans


# --- values as the normaliser maps them -------------------------------------------------


def test_micro_credential_maps_level_credits_mode_duration_language_subject() -> None:
    offering = _offering("micro-credential.xml")
    assert offering.title == "Data Analytics for Business"  # defaultLanguage ENG
    # NQFLevel c_218a7e54 is "IE NQF Level 8" (nqf.xsd); NFQ 8 is EQF 6, as EQFLevel says.
    assert (offering.level.framework, offering.level.value, offering.level.eqf) == (
        Framework.NFQ,
        "8",
        6,
    )
    assert (offering.credits.value, offering.credits.system, offering.credits.ects) == (
        5.0,
        CreditSystem.ECTS,
        5.0,
    )
    assert offering.mode is Mode.ONLINE
    assert offering.duration.weeks == 13.0  # P3M
    assert offering.languages == ["en", "ga"]  # ENG, GLE
    assert offering.subject.isced == ["0613", "0413"]
    assert (offering.price.amount, offering.price.currency) == (450.0, "EUR")
    assert offering.learning_outcomes == [
        "Clean and join tabular data",
        "Present findings in dashboards",
    ]
    assert offering.prerequisites == "A Leaving Certificate or equivalent experience."
    assert offering.url == "https://courses.example.ie/data-analytics"
    run = offering.instances[0]
    assert (run.start_date.isoformat(), run.end_date.isoformat()) == ("2026-09-14", "2026-12-11")
    assert (offering.places[0].city, offering.places[0].country) == ("Dublin", "IE")


def test_texts_in_the_declared_language_else_english_else_the_first() -> None:
    records = read_elm_loq_xml((FIXTURES / "multilingual.xml").read_bytes()).records
    german, dutch, french = records
    assert (german.fields["title"], german.extra["title_language"]) == (
        "Grundlagen des Schweißens",
        "de",
    )
    assert german.fields["description"] == "Sicheres Arbeiten in der Werkstatt."
    assert german.fields["learning_outcomes"] == ["Sicher schweißen."]
    assert (dutch.fields["title"], dutch.extra["title_language"]) == (
        "Boekhouden voor starters",
        "nl",
    )
    assert (french.fields["title"], french.extra["title_language"]) == ("Mediation skills", "en")
    offering = _offering("multilingual.xml")
    assert (offering.level.framework, offering.level.eqf) == (Framework.EQF, 3)
    assert offering.mode is Mode.IN_PERSON  # Presential
    assert offering.languages == ["de"]
    assert offering.subject.isced == ["0715"]
    assert _offering("multilingual.xml", 1).mode is Mode.BLENDED


def test_unconvertible_credits_are_kept_and_the_workload_in_hours_is_used() -> None:
    record = read_elm_loq_xml((FIXTURES / "unknown-credit-system.xml").read_bytes()).records[0]
    assert record.extra["credit_points"] == [
        "3 ECVET",
        "12 http://credits.example.org/national-points",
    ]
    offering, _ = normalise_record(record.fields, IRISH_PROVIDER, record.instances)
    # volumeOfLearning PT40H: notional hours, since no creditPoint could be read
    assert (offering.credits.value, offering.credits.system) == (40.0, CreditSystem.HOURS)
    assert offering.duration.hours == 40.0
    assert offering.mode is None  # a learning-setting URI is not a mode


def test_a_record_without_title_does_not_sink_the_next() -> None:
    records = read_elm_loq_xml((FIXTURES / "missing-title.xml").read_bytes()).records
    assert [r.record_id for r in records] == ["urn:example:lo:untitled", "urn:example:lo:good"]
    assert [(i.field, str(i.severity)) for i in records[0].issues if i.field == "title"] == [
        ("title", "error")
    ]
    assert "urn:example:lo:untitled" in records[0].issues[-1].message
    offering, _ = normalise_record(records[1].fields, IRISH_PROVIDER, records[1].instances)
    assert offering.instances[0].start_date.isoformat() == "2026-03-02"


# --- the published samples --------------------------------------------------------------


def _sample(name: str):
    return read_elm_loq_xml((SAMPLES / name).read_bytes())


def test_published_sample_with_qualifications() -> None:
    result = _sample("loq.xml")
    assert [r.record_id for r in result.records] == ["http://LOP-01", "http://LOP-02"]
    first = result.records[0]
    # ISCEDFCode 1022 and 0810; NQFLevel c_060f2f91 ("IE NQF Level 2") with EQF 2
    assert first.fields["subject"] == "1022; 0810"
    assert first.fields["level"] == "NFQ Level 2"
    assert first.extra["eqf_level"] == "EQF 2"
    # c_01169e3f names the Irish framework itself, not a level: kept, and said once
    assert [(i.field, str(i.code), i.value) for i in result.issues] == [
        ("level", "no_crosswalk", "http://data.europa.eu/snb/qdr/c_01169e3f")
    ]
    assert first.extra["specification_type"] == "qualification"
    # modes 729f3bed4b (Workbased) and e92d221e4d (Blended): only Blended is a delivery mode
    assert first.instances[0]["mode"] == "blended"
    assert first.extra["mode_of_learning"] == "Workbased; Blended"
    assert first.extra["learning_schedule"] == "Part time intensive"
    assert first.extra["learning_setting"] == "formal learning"
    # the generator's credit points are random strings: reported, never read as numbers
    assert [i.value for i in first.issues if i.field == "credits"] == [
        "S91ZbAwnQrf",
        "b_CeZO_uhp4S9UzNmT55jC",
    ]
    offering, _ = normalise_record(first.fields, IRISH_PROVIDER, first.instances)
    assert (offering.level.framework, offering.level.value, offering.level.eqf) == (
        Framework.NFQ,
        "2",
        1,
    )
    assert offering.duration.raw == "P7Y3M8DT1H10M0S"
    second = result.records[1]
    assert second.fields["stackable_into"] == [first.fields["title"]]  # isPartOf LOP-01
    assert "price" not in second.instances[0] or not second.instances[0]["price"].startswith("-")


def test_published_sample_with_learning_achievement_specifications() -> None:
    result = _sample("loq_withLearningAchievementSpecification.xml")
    assert [r.record_id for r in result.records] == ["http://LOP-01", "http://LOP-02"]
    first = result.records[0]
    assert first.fields["subject"] == "1022; 0810"
    assert "level" not in first.fields  # a specification carries no EQF/NQF level here
    assert first.extra["specification_type"] == "learning achievement specification"
    assert first.fields["learning_outcomes"] == ["xDJUMG", "LBU7"]


@pytest.mark.parametrize("name", ["loq.xml", "loq_withLearningAchievementSpecification.xml"])
def test_published_samples_are_sniffed_as_loq(name: str) -> None:
    assert looks_like_elm_loq_xml((SAMPLES / name).read_bytes())


@pytest.mark.parametrize(
    "input_path",
    sorted((OTHER_FIXTURES / "xcri_cap").glob("*.xml")) + [FIXTURES / "lheo-root.xml"],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_other_xml_is_not_sniffed_as_loq(input_path: Path) -> None:
    assert not looks_like_elm_loq_xml(input_path.read_bytes())


# --- limits -----------------------------------------------------------------------------


def test_record_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="more than 1 records"):
        read_elm_loq_xml((SAMPLES / "loq.xml").read_bytes(), ReadLimits(max_records=1))


def test_depth_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="nested more than 5 deep"):
        read_elm_loq_xml((FIXTURES / "micro-credential.xml").read_bytes(), ReadLimits(max_depth=5))


def test_time_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="longer than 0 s"):
        read_elm_loq_xml((SAMPLES / "loq.xml").read_bytes(), ReadLimits(max_seconds=0))


def test_dtd_is_refused_before_any_parser_exists(monkeypatch) -> None:
    from normaliser.readers import elm_xml

    monkeypatch.setattr(elm_xml, "locked_down_xml_parser", lambda: pytest.fail("parser built"))
    with pytest.raises(FeedFormatError, match="DTD"):
        read_elm_loq_xml((FIXTURES / "doctype.xml").read_bytes())


def test_a_national_level_that_disagrees_with_the_eqf_level_given_is_flagged() -> None:
    document = b"""<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/">
      <learningOpportunityReferences><learningOpportunity id="urn:x">
        <title language="en">Level check</title>
        <learningAchievementSpecification idref="urn:q"/>
      </learningOpportunity></learningOpportunityReferences>
      <learningAchievementSpecificationReferences><qualification id="urn:q">
        <EQFLevel uri="http://data.europa.eu/snb/eqf/6"/>
        <NQFLevel uri="http://data.europa.eu/snb/qdr/c_4053e803"/>
      </qualification></learningAchievementSpecificationReferences></Courses>"""
    record = read_elm_loq_xml(document).records[0]
    # c_4053e803 is "IE NQF Level 5" (nqf.xsd), which Ireland references to EQF 4, not 6
    assert record.fields["level"] == "NFQ Level 5"
    assert [(i.field, str(i.code), i.value) for i in record.issues] == [
        ("level", "ambiguous", "EQF 6")
    ]


RUNS_OF_ONE_COURSE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/">
  <learningOpportunityReferences>
    <learningOpportunity id="urn:example:lo:spring">
      <title language="en">Welding inspection</title>
      <temporal><startDate>2027-03-01</startDate><endDate>2027-05-28</endDate></temporal>
      <priceDetail><amount><unit uri="http://publications.europa.eu/resource/authority/currency/EUR"/><value>900</value></amount></priceDetail>
      <providedBy idref="urn:example:org"/>
      <location idref="urn:example:loc:cork"/>
      <learningAchievementSpecification idref="urn:example:las:welding"/>
    </learningOpportunity>
    <learningOpportunity id="urn:example:lo:autumn">
      <title language="en">Welding inspection</title>
      <temporal><startDate>2027-09-06</startDate></temporal>
      <priceDetail><amount><unit uri="http://publications.europa.eu/resource/authority/currency/EUR"/><value>950</value></amount></priceDetail>
      <providedBy idref="urn:example:org"/>
      <location idref="urn:example:loc:galway"/>
      <learningAchievementSpecification idref="urn:example:las:welding"/>
    </learningOpportunity>
    <learningOpportunity id="urn:example:lo:refresher">
      <title language="en">Welding inspection refresher</title>
      <temporal><startDate>2027-04-12</startDate></temporal>
      <providedBy idref="urn:example:org"/>
      <learningAchievementSpecification idref="urn:example:las:welding"/>
    </learningOpportunity>
  </learningOpportunityReferences>
  <learningAchievementSpecificationReferences>
    <learningAchievementSpecification id="urn:example:las:welding">
      <title language="en">Welding inspection</title>
    </learningAchievementSpecification>
  </learningAchievementSpecificationReferences>
  <agentReferences>
    <organisation id="urn:example:org"><legalName language="en">Example ETB</legalName></organisation>
  </agentReferences>
  <locationReferences>
    <location id="urn:example:loc:cork"><geographicName language="en">Cork</geographicName>
      <address><countryCode uri="http://publications.europa.eu/resource/authority/country/IRL"/></address></location>
    <location id="urn:example:loc:galway"><geographicName language="en">Galway</geographicName>
      <address><countryCode uri="http://publications.europa.eu/resource/authority/country/IRL"/></address></location>
  </locationReferences>
</Courses>
"""


def test_opportunities_of_one_specification_provider_and_title_are_runs_of_one_course() -> None:
    """ELM has no run of its own: each intake is a learning opportunity of the course's
    specification. Two with the same specification, provider and title are one offering
    with two runs, each with its own dates, price and place; a differently named
    opportunity of the same specification stays an offering of its own."""
    records = read_elm_loq_xml(RUNS_OF_ONE_COURSE).records
    assert [r.record_id for r in records] == ["urn:example:lo:spring", "urn:example:lo:refresher"]
    offering, issues = normalise_record(records[0].fields, IRISH_PROVIDER, records[0].instances)
    assert offering is not None, issues
    runs = [
        (str(r.start_date), r.end_date and str(r.end_date), r.price.amount, r.place.city)
        for r in offering.instances
    ]
    assert runs == [
        ("2027-03-01", "2027-05-28", 900.0, "Cork"),
        ("2027-09-06", None, 950.0, "Galway"),
    ]
    refresher, _ = normalise_record(records[1].fields, IRISH_PROVIDER, records[1].instances)
    assert [str(r.start_date) for r in refresher.instances] == ["2027-04-12"]


def test_published_samples_parts_of_one_specification_stay_apart() -> None:
    """The QDR sample's two opportunities share a qualification but are a whole and its
    part (hasPart / isPartOf), with titles of their own: two offerings, not two runs."""
    records = _sample("loq.xml").records
    assert [r.record_id for r in records][:2] == ["http://LOP-01", "http://LOP-02"]
