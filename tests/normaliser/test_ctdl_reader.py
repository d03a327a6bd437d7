"""CTDL JSON-LD reader: golden fixtures, Credential Engine's own published examples, limits.

Each `tests/fixtures/ctdl/<name>.json` has a `<name>.expected.json` in the shape the feed
format v1 goldens use (see test_feed_v1_readers), with each record's `instances` as well.
Issue messages are prose and are not compared; their field, code, severity and value are.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, FeedLimitExceeded, ReadLimits
from normaliser.readers.ctdl import looks_like_ctdl, read_ctdl
from normaliser.schema import CreditSystem, Mode
from tests.conftest import shared_data
from tests.fuzz import damaged_copies, every_truncation, random_json_value, read_or_refuse
from tests.golden import mismatches, read_as_golden, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ctdl"
OTHER_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED_SUFFIX = ".expected.json"
US_PROVIDER = NormaliseContext(provider_id="x", default_country="US", default_currency="USD")


def _fixture_inputs() -> list[Path]:
    return sorted(
        path for path in FIXTURES.glob("*.json") if not path.name.endswith(EXPECTED_SUFFIX)
    )


def _expected_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.stem + EXPECTED_SUFFIX)


def _read_as_golden(input_path: Path) -> dict:
    return read_as_golden(read_ctdl, input_path.read_bytes())


FIXTURE_INPUTS = _fixture_inputs()
FIXTURE_IDS = [path.name for path in FIXTURE_INPUTS]


def test_fixture_folder_has_inputs() -> None:
    assert len(FIXTURE_INPUTS) >= 8, f"fixtures missing from {FIXTURES}"


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_every_input_has_an_expected_file(input_path: Path) -> None:
    assert _expected_path(input_path).is_file(), f"write {_expected_path(input_path).name}"


def test_every_expected_file_has_an_input() -> None:
    stems = {path.stem for path in FIXTURE_INPUTS}
    orphans = [
        path.name
        for path in FIXTURES.glob("*" + EXPECTED_SUFFIX)
        if path.name.removesuffix(EXPECTED_SUFFIX) not in stems
    ]
    assert not orphans


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


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_every_fixture_is_sniffed_as_ctdl(input_path: Path) -> None:
    assert looks_like_ctdl(input_path.read_bytes())


@pytest.mark.parametrize(
    "input_path",
    sorted((OTHER_FIXTURES / "schema_org").glob("*.json"))
    + sorted((OTHER_FIXTURES / "feed_v1").glob("*.json"))
    + sorted((OTHER_FIXTURES / "feed_v1").glob("*.csv")),
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_other_formats_are_not_sniffed_as_ctdl(input_path: Path) -> None:
    assert not looks_like_ctdl(input_path.read_bytes())


def test_golden_records_normalise_to_the_values_written() -> None:
    record = read_ctdl((FIXTURES / "single-course.json").read_bytes()).records[0]
    offering, issues = normalise_record(record.fields, US_PROVIDER, record.instances)
    assert offering is not None, issues
    assert (offering.credits.value, offering.credits.system) == (3.0, CreditSystem.US_SCH)
    assert offering.duration.weeks == 8.0
    assert (offering.price.amount, offering.price.currency) == (420.0, "USD")
    assert offering.mode is Mode.IN_PERSON
    assert (offering.places[0].city, offering.places[0].country) == ("Tacoma", "US")
    assert offering.languages == ["en"]


def test_references_in_a_graph_are_followed() -> None:
    result = read_ctdl((FIXTURES / "graph-with-references.json").read_bytes())
    pathway, basics, rooftop = (
        normalise_record(r.fields, US_PROVIDER, r.instances)[0] for r in result.records
    )
    assert (pathway.price.amount, pathway.duration.weeks) == (2400.0, 17.33)  # AggregateCost, P4M
    assert pathway.mode is Mode.BLENDED
    assert basics.price.amount == 900.0
    assert basics.mode is None  # InPerson or OnlineOnly: two ways to take it, not blended
    assert basics.credits.value == 2.0  # a 2-4 range keeps the lower value
    assert rooftop.duration.hours == 20.0  # PT16H to PT24H, midpoint
    assert rooftop.credential_type == "digital badge"
    assert rooftop.stackable_into == [
        "Certificate in Solar Installation",
        "Solar Installer Pathway",
    ]


# --- Credential Engine's published examples (shared/data/ctdl) ---------------------------


def _only_record(name: str):
    result = read_ctdl(shared_data(f"ctdl/{name}").read_bytes())
    assert len(result.records) == 1
    record = result.records[0]
    assert not record.issues
    offering, issues = normalise_record(record.fields, US_PROVIDER, record.instances)
    assert offering is not None, issues
    return record, offering, issues


@pytest.mark.parametrize(
    ("name", "ctid", "title", "price"),
    [
        (
            "Course-1a.json",
            "ce-7160aae4-5185-4564-95ab-428419974643",
            "Personal Growth Mastery",
            995.0,
        ),
        (
            "Course-1b.json",
            "ce-3c5e4bbc-40c3-44eb-90c2-3f27d98d88f1",
            "Digital Skills Revolution",
            1495.0,
        ),
        (
            "Course-1c.json",
            "ce-991d72b1-c0fd-4d98-8294-6c47bc3a2122",
            "Leadership and Innovation Excellence",
            1995.0,
        ),
    ],
)
def test_example_courses(name: str, ctid: str, title: str, price: float) -> None:
    record, offering, _ = _only_record(name)
    assert (record.record_id, offering.title) == (ctid, title)
    # "ceterms:price": 995.0 with "ceterms:currency": "US Dollar"
    assert (offering.price.amount, offering.price.currency) == (price, "USD")
    # None of the three courses states a credit value or an estimated duration.
    assert offering.credits is None and offering.duration is None
    assert offering.languages == ["en"]


def test_example_course_1a_is_online_and_the_others_say_no_delivery_type() -> None:
    assert _only_record("Course-1a.json")[1].mode is Mode.ONLINE  # deliveryType:OnlineOnly
    assert _only_record("Course-1b.json")[1].mode is None
    assert _only_record("Course-1c.json")[1].mode is None


def test_example_learning_program_1() -> None:
    record, offering, _ = _only_record("LearningProgram-1.json")
    assert offering.title == "Lifelong Learning Accelerator"
    assert (offering.credits.value, offering.credits.ects) == (0.0, 0.0)  # isNonCredit: true
    assert offering.duration.weeks == 39.0  # exactDuration P9M, 52/12 weeks a month
    assert (offering.price.amount, offering.price.currency) == (4485.0, "USD")  # AggregateCost
    assert offering.mode is Mode.BLENDED  # deliveryType:BlendedDelivery
    assert record.extra["audience_level"] == "Secondary School or Equivalent"


def test_example_learning_program_2() -> None:
    _, offering, issues = _only_record("LearningProgram-2.json")
    assert offering.title == "Cybersecurity Program"
    assert offering.credits is None  # isCreditBased: true, but no creditValue
    assert (offering.price.amount, offering.price.currency) == (25000.0, "USD")
    assert offering.mode is Mode.ONLINE  # deliveryType:OnlineDelivery
    # Only a DurationProfile description: "Four years, with ... 15 credits per semester."
    assert offering.duration.weeks == 208.0
    assert [i.field for i in issues if i.severity == "warning"] == ["duration"]  # 'semester'


@pytest.mark.parametrize(
    ("name", "holds"),
    [
        ("Credential-1.json", "1 ceterms:BachelorDegree node"),
        ("Organization-1.json", "1 ceterms:Organization node"),
    ],
)
def test_example_credential_and_organization_are_not_offerings(name: str, holds: str) -> None:
    data = shared_data(f"ctdl/{name}").read_bytes()
    assert looks_like_ctdl(data)
    with pytest.raises(FeedFormatError) as caught:
        read_ctdl(data)
    assert "no learning opportunity" in str(caught.value)
    assert holds in str(caught.value)
    assert "ceterms:Course" in str(caught.value)


def test_examples_in_one_graph_resolve_each_other() -> None:
    names = [
        "Course-1a.json",
        "Course-1b.json",
        "Course-1c.json",
        "LearningProgram-1.json",
        "LearningProgram-2.json",
        "Credential-1.json",
        "Organization-1.json",
    ]
    graph = [json.loads(shared_data(f"ctdl/{name}").read_text(encoding="utf-8")) for name in names]
    document = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": graph}
    result = read_ctdl(json.dumps(document).encode())
    by_title = {r.fields["title"]: r for r in result.records}
    assert len(by_title) == 5
    assert by_title["Personal Growth Mastery"].extra["provider"] == "Example University"
    # LearningProgram-1 hasPart the three courses.
    assert (
        by_title["Digital Skills Revolution"].fields["stackable_into"]
        == "Lifelong Learning Accelerator"
    )
    # Credential-1 (a BachelorDegree) requires LearningProgram-2 and nothing else.
    assert by_title["Cybersecurity Program"].fields["credential_type"] == "Bachelor Degree"
    assert [i.value for i in result.issues][
        0
    ] == "1 ceterms:BachelorDegree node, 1 ceterms:Organization node"


# --- limits and damage ----------------------------------------------------------------------


def test_record_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="more than 2 records"):
        read_ctdl((FIXTURES / "graph-with-references.json").read_bytes(), ReadLimits(max_records=2))


def test_depth_limit_says_where() -> None:
    with pytest.raises(FeedLimitExceeded, match="more than 4 levels") as caught:
        read_ctdl((FIXTURES / "single-course.json").read_bytes(), ReadLimits(max_depth=4))
    assert (caught.value.line, caught.value.column) == (22, 9)  # the 5th level: a creditUnitType


def test_time_limit() -> None:
    # A deadline already past: the check between records must stop the read.
    with pytest.raises(FeedLimitExceeded, match="longer than"):
        read_ctdl((FIXTURES / "single-course.json").read_bytes(), ReadLimits(max_seconds=-1))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"42",
        b'"ceterms:Course"',
        b"null",
        b"[]",
        b"{}",
        b"\xef\xbb\xbf{}",
        b"\xff\xfe{\x00}\x00",
        b'{"a": "\xe9"}',
    ],
)
def test_nothing_readable_is_refused_cleanly(data: bytes) -> None:
    with pytest.raises(FeedFormatError):
        read_ctdl(data)


@pytest.mark.parametrize("name", ["single-course.json", "graph-with-references.json"])
def test_every_truncation_is_read_or_refused_cleanly(name: str) -> None:
    for data in every_truncation((FIXTURES / name).read_bytes()):
        read_or_refuse(read_ctdl, data)


def test_random_damage_is_read_or_refused_cleanly() -> None:
    sources = [
        (FIXTURES / name).read_bytes()
        for name in ("single-course.json", "graph-with-references.json", "language-maps.json")
    ]
    for data in damaged_copies(
        sources, seed=20261124, copies=300, alphabet=b'\x00\xff"\n,[]{}:\\ 0a'
    ):
        read_or_refuse(read_ctdl, data)


def test_any_value_shape_in_any_property_is_read_or_reported() -> None:
    """JSON-LD lets every property hold a string, number, list, language map or node."""
    shapes = [
        None,
        True,
        7,
        "text",
        [],
        {},
        [1, "two"],
        {"en": "x"},
        {"@value": 3},
        {"@id": "_:nowhere"},
        {"@type": "ceterms:Thing"},
        [[["deep"]]],
        {"en": ["a", None]},
        {"@list": ["a", {"@value": "b"}]},
        {"@list": "x"},
        {"@set": [{"@id": "_:x"}]},
        {"@list": None},
    ]
    properties = [
        "ceterms:name",
        "ceterms:ctid",
        "ceterms:creditValue",
        "ceterms:estimatedCost",
        "ceterms:estimatedDuration",
        "ceterms:deliveryType",
        "ceterms:availableAt",
        "ceterms:inLanguage",
        "ceterms:subject",
        "ceterms:teaches",
        "ceterms:requires",
        "ceterms:offeredBy",
        "ceterms:hasPart",
        "ceterms:isPartOf",
        "ceterms:audienceLevelType",
        "ceterms:isNonCredit",
        "ceterms:somethingNew",
    ]
    for prop in properties:
        for shape in shapes:
            node = {
                "@type": "ceterms:Course",
                "ceterms:ctid": "ce-1",
                "ceterms:name": "N",
                prop: shape,
            }
            result = read_ctdl(json.dumps(node).encode())
            assert len(result.records) == 1, (prop, shape)


def test_random_documents_are_read_or_refused_cleanly() -> None:
    """Random nodes built from the properties the reader knows, nested a few levels."""
    rng = random.Random(20261126)  # fixed, so a failure can be reproduced
    keys = [
        "@id",
        "@type",
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:creditValue",
        "ceterms:estimatedCost",
        "ceterms:estimatedDuration",
        "ceterms:deliveryType",
        "ceterms:targetNode",
        "ceterms:price",
        "ceterms:currency",
        "schema:value",
        "ceterms:hasPart",
        "ceterms:requires",
        "ceterms:targetLearningOpportunity",
        "ceterms:offeredBy",
        "ceterms:availableAt",
        "ceterms:exactDuration",
        "@graph",
    ]
    leaves = [
        None,
        True,
        0,
        2.5,
        "",
        "_:a",
        "ce-1",
        "ceterms:Course",
        "ceterms:Certificate",
        "deliveryType:OnlineOnly",
        "P2W",
        {"en": "x"},
        {"@value": "v"},
        {"@id": "_:a"},
    ]
    value = random_json_value(rng, keys, leaves)
    for _ in range(400):
        graph = [value(1) for _ in range(rng.randint(0, 4))]
        graph.append(
            {
                "@type": "ceterms:Course",
                "@id": "_:a",
                **{rng.choice(keys): value(1) for _ in range(4)},
            }
        )
        read_or_refuse(read_ctdl, json.dumps({"@graph": graph}).encode())
