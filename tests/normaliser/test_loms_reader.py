"""Europass LOMS XML reader: golden fixtures and values as the normaliser maps them.

The fixtures follow ONISEP's unofficial documentation of the schema (github.com/lheo/loms-schema);
`smallest.xml` is its own example. Goldens are compared as in tests/golden.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, FeedLimitExceeded, ReadLimits
from normaliser.readers.elm_xml import looks_like_elm_loq_xml
from normaliser.readers.loms_xml import looks_like_loms_xml, read_loms_xml
from normaliser.schema import CreditSystem, Framework, Mode
from tests.golden import mismatches, read_as_golden, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "loms"
OTHER_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FRENCH_PROVIDER = NormaliseContext(provider_id="x", default_country="FR", default_currency="EUR")
FIXTURE_INPUTS = sorted(FIXTURES.glob("*.xml"))


def _read_as_golden(input_path: Path) -> dict:
    return read_as_golden(read_loms_xml, input_path.read_bytes())


def _expected(input_path: Path) -> dict:
    return json.loads(input_path.with_name(input_path.stem + ".expected.json").read_text("utf-8"))


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=lambda path: path.name)
def test_reader_output_matches_golden(input_path: Path) -> None:
    problems = mismatches(_expected(input_path), _read_as_golden(input_path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=lambda path: path.name)
def test_golden_checks_everything_the_reader_emits(input_path: Path) -> None:
    unchecked = unchecked_paths(_read_as_golden(input_path), _expected(input_path))
    assert not unchecked, f"{input_path.name}: the expected file does not check {unchecked}"


def test_qualification_maps_level_credits_mode_duration_language_subject_price() -> None:
    record = read_loms_xml((FIXTURES / "qualification-with-price.xml").read_bytes()).records[0]
    offering, issues = normalise_record(record.fields, FRENCH_PROVIDER, record.instances)
    assert offering is not None, issues
    assert offering.title == "Installateur thermique"  # referenceLanguage FRA
    # eqfLevel http://data.europa.eu/esco/eqf/3 (eqflevelenum.rst)
    assert (offering.level.framework, offering.level.eqf) == (Framework.EQF, 3)
    assert (offering.credits.value, offering.credits.system) == (60.0, CreditSystem.ECTS)
    assert offering.mode is Mode.IN_PERSON  # modeOfLearningAndAssessment/presential
    assert offering.duration.raw == "P10M"
    assert offering.languages == ["fr"]
    assert offering.subject.isced == ["0732"]  # esco/isced-f/0732
    assert (offering.price.amount, offering.price.currency) == (3900.0, "EUR")
    assert (offering.places[0].city, offering.places[0].country) == ("Nantes", "FR")
    assert offering.learning_outcomes == ["Mettre en service une pompe à chaleur"]
    run = offering.instances[0]
    assert (run.start_date.isoformat(), run.end_date.isoformat()) == ("2026-09-07", "2027-06-25")


def test_the_documented_smallest_document() -> None:
    record = read_loms_xml((FIXTURES / "smallest.xml").read_bytes()).records[0]
    assert (record.record_id, record.fields["title"]) == ("urn:1", "Ma formation")
    assert record.fields["subject"] == "1013"
    assert record.extra["provider"] == "ONISEP"


def test_sniffing_tells_loms_from_loq() -> None:
    for path in FIXTURE_INPUTS:
        assert looks_like_loms_xml(path.read_bytes()) and not looks_like_elm_loq_xml(
            path.read_bytes()
        )
    for path in sorted((OTHER_FIXTURES / "elm_loq").glob("*.xml")):
        assert not looks_like_loms_xml(path.read_bytes()), path.name


def test_an_loq_document_given_as_loms_is_refused_naming_it() -> None:
    data = (OTHER_FIXTURES / "elm_loq" / "micro-credential.xml").read_bytes()
    with pytest.raises(FeedFormatError, match="looks like ELM LOQ XML"):
        read_loms_xml(data)


def test_depth_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="nested more than 4 deep"):
        read_loms_xml((FIXTURES / "smallest.xml").read_bytes(), ReadLimits(max_depth=4))
