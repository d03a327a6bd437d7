"""ELM v3 JSON-LD reader: golden fixtures, values as the normaliser maps them, detection.

No ELM JSON-LD sample is published in shared/reference, so the fixtures in
`tests/fixtures/elm_jsonld/` were built from the ELM ontology and the LOQ shapes (each says
so in its `_comment`). Goldens are compared as in tests/golden.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedLimitExceeded, ReadLimits
from normaliser.readers.ctdl import looks_like_ctdl
from normaliser.readers.elm_jsonld import looks_like_elm_jsonld, read_elm_jsonld
from normaliser.readers.registry import detect_format
from normaliser.readers.schema_org import looks_like_schema_org
from normaliser.schema import CreditSystem, Framework, Mode
from tests.golden import mismatches, read_as_golden, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "elm_jsonld"
OTHER_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED_SUFFIX = ".expected.json"
FRENCH_PROVIDER = NormaliseContext(provider_id="x", default_country="FR", default_currency="EUR")


def _read_as_golden(input_path: Path) -> dict:
    return read_as_golden(read_elm_jsonld, input_path.read_bytes())


FIXTURE_INPUTS = sorted(
    path for path in FIXTURES.glob("*.json") if not path.name.endswith(EXPECTED_SUFFIX)
)
FIXTURE_IDS = [path.name for path in FIXTURE_INPUTS]


def _expected(input_path: Path) -> dict:
    path = input_path.with_name(input_path.stem + EXPECTED_SUFFIX)
    return json.loads(path.read_text(encoding="utf-8"))


def _offering(name: str):
    record = read_elm_jsonld((FIXTURES / name).read_bytes()).records[0]
    offering, issues = normalise_record(record.fields, FRENCH_PROVIDER, record.instances)
    assert offering is not None, issues
    return offering


def test_fixture_folder_has_inputs() -> None:
    assert len(FIXTURE_INPUTS) >= 4


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_reader_output_matches_golden(input_path: Path) -> None:
    problems = mismatches(_expected(input_path), _read_as_golden(input_path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_golden_checks_everything_the_reader_emits(input_path: Path) -> None:
    expected = _expected(input_path)
    unchecked = unchecked_paths(_read_as_golden(input_path), expected)
    assert not unchecked, f"{input_path.name}: the expected file does not check {unchecked}"
    if "error" in expected:
        assert expected["error"].get("message_contains"), "say what the message must name"


def test_opportunity_graph_maps_level_credits_mode_duration_language_subject() -> None:
    offering = _offering("opportunity-graph.json")
    assert offering.title == "Installation photovoltaïque"  # defaultLanguage FRA
    assert (offering.level.framework, offering.level.eqf) == (Framework.EQF, 4)
    assert (offering.credits.value, offering.credits.system) == (4.0, CreditSystem.ECTS)
    assert offering.mode is Mode.BLENDED
    assert offering.duration.weeks == 3.0
    assert offering.languages == ["fr"]
    assert offering.subject.isced == ["0713"]
    assert (offering.price.amount, offering.price.currency) == (1200.0, "EUR")
    assert (offering.places[0].city, offering.places[0].country) == ("Lyon", "FR")
    assert offering.prerequisites == "Habilitation électrique B1V."
    assert offering.instances[0].start_date.isoformat() == "2026-04-06"


def test_the_specification_a_credential_claim_is_specified_by_is_read() -> None:
    offering = _offering("credential-claims.json")
    assert offering.provider_offering_id == "urn:spec:cyber-essentials"
    # NQFLevel c_4053e803 is "IE NQF Level 5" (nqf.xsd): EQF 4 by Ireland's referencing
    assert (offering.level.framework, offering.level.value, offering.level.eqf) == (
        Framework.NFQ,
        "5",
        4,
    )
    assert (offering.credits.value, offering.credits.ects) == (2.5, 2.5)
    assert offering.mode is Mode.ONLINE
    assert offering.languages == ["en"]
    assert offering.subject.isced == ["0612"]
    assert offering.learning_outcomes == ["Secure a small office network."]


def test_every_fixture_is_sniffed_as_elm_and_detected() -> None:
    for path in FIXTURE_INPUTS:
        data = path.read_bytes()
        assert looks_like_elm_jsonld(data), path.name
        assert not looks_like_ctdl(data) and not looks_like_schema_org(data), path.name
    assert detect_format((FIXTURES / "opportunity-graph.json").read_bytes()) == "elm-jsonld"


@pytest.mark.parametrize(
    "input_path",
    sorted((OTHER_FIXTURES / "ctdl").glob("*.json"))
    + sorted((OTHER_FIXTURES / "schema_org").glob("*.json"))
    + sorted((OTHER_FIXTURES / "feed_v1").glob("*.json")),
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_other_json_is_not_sniffed_as_elm(input_path: Path) -> None:
    assert not looks_like_elm_jsonld(input_path.read_bytes())


def test_depth_limit() -> None:
    with pytest.raises(FeedLimitExceeded):
        read_elm_jsonld((FIXTURES / "opportunity-graph.json").read_bytes(), ReadLimits(max_depth=4))


def test_record_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="more than 0 records"):
        read_elm_jsonld(
            (FIXTURES / "opportunity-graph.json").read_bytes(), ReadLimits(max_records=0)
        )
