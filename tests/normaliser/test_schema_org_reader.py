"""schema.org Course JSON-LD reader: golden fixtures, already-parsed items, limits.

Each `tests/fixtures/schema_org/<name>.json` has a `<name>.expected.json` in the shape the
feed format v1 goldens use (see test_feed_v1_readers), with each record's `instances`
(its CourseInstances) as well. Issue messages are prose and are not compared.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, FeedLimitExceeded, ReadLimits
from normaliser.readers.ctdl import looks_like_ctdl
from normaliser.readers.jsonld import Terms
from normaliser.readers.schema_org import (
    SCHEMA_TERMS,
    looks_like_schema_org,
    read_schema_org,
    records_from_jsonld_items,
)
from normaliser.schema import CreditSystem, Mode, Pace
from tests.fuzz import damaged_copies, every_truncation, random_json_value, read_or_refuse
from tests.golden import issue_as_golden, mismatches, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "schema_org"
OTHER_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED_SUFFIX = ".expected.json"


def _fixture_inputs() -> list[Path]:
    return sorted(
        path for path in FIXTURES.glob("*.json") if not path.name.endswith(EXPECTED_SUFFIX)
    )


def _expected_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.stem + EXPECTED_SUFFIX)


def _result_as_golden(result) -> dict:
    return {
        "feed_issues": [issue_as_golden(i) for i in result.issues],
        "records": [
            {
                "locator": r.locator,
                "line": r.line,
                "fields": r.fields,
                "extra": r.extra,
                "instances": r.instances,
                "issues": [issue_as_golden(i) for i in r.issues],
            }
            for r in result.records
        ],
    }


def _read_as_golden(input_path: Path) -> dict:
    try:
        return _result_as_golden(read_schema_org(input_path.read_bytes()))
    except FeedFormatError as error:
        return {
            "error": {
                "line": error.line,
                "column": error.column,
                "offset": error.offset,
                "message": str(error),
            }
        }


FIXTURE_INPUTS = _fixture_inputs()
FIXTURE_IDS = [path.name for path in FIXTURE_INPUTS]
READABLE = [
    path
    for path in FIXTURE_INPUTS
    if "error" not in json.loads(_expected_path(path).read_text(encoding="utf-8"))
]


def test_fixture_folder_has_inputs() -> None:
    assert len(FIXTURE_INPUTS) >= 10, f"fixtures missing from {FIXTURES}"


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


@pytest.mark.parametrize(
    "input_path", [p for p in FIXTURE_INPUTS if p.stem != "malformed"], ids=lambda path: path.name
)
def test_every_fixture_is_sniffed_as_schema_org_and_not_ctdl(input_path: Path) -> None:
    data = input_path.read_bytes()
    assert looks_like_schema_org(data)
    assert not looks_like_ctdl(data)


@pytest.mark.parametrize(
    "input_path",
    sorted((OTHER_FIXTURES / "ctdl").glob("*.json"))
    + sorted((OTHER_FIXTURES / "feed_v1").glob("*.json"))
    + sorted((OTHER_FIXTURES / "feed_v1").glob("*.csv")),
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_other_formats_are_not_sniffed_as_schema_org(input_path: Path) -> None:
    assert not looks_like_schema_org(input_path.read_bytes())


@pytest.mark.parametrize(
    "written", ["Course", "schema:Course", "http://schema.org/Course", "https://schema.org/Course"]
)
def test_every_spelling_of_a_term_is_the_same_term(written: str) -> None:
    assert SCHEMA_TERMS.canonical(written) == "schema:Course"


def test_context_prefixes_and_vocab_are_honoured() -> None:
    terms = SCHEMA_TERMS.with_contexts([["https://schema.org", {"s": "http://schema.org"}]])
    assert terms.canonical("s:name") == "schema:name"
    assert terms.canonical("ex:name") is None
    other = Terms(
        namespaces={"ex": ("https://example.org/",), **SCHEMA_TERMS.namespaces}, default_prefix="ex"
    ).with_contexts([{"@vocab": "https://schema.org/"}])
    assert other.canonical("name") == "schema:name"


# --- what the records normalise to ---------------------------------------------------------


def test_course_instances_become_runs() -> None:
    record = read_schema_org((FIXTURES / "course-instances.json").read_bytes()).records[0]
    context = NormaliseContext(provider_id="x", default_country="AU", default_currency="AUD")
    offering, issues = normalise_record(record.fields, context, record.instances)
    assert offering is not None, issues
    online, onsite, mixed = offering.instances
    assert (online.mode, online.pace, online.place.online) == (Mode.ONLINE, Pace.SELF_PACED, True)
    assert (online.start_date, online.end_date) == (date(2027, 2, 1), date(2027, 3, 26))
    assert online.price.amount == 890.0  # the run's own offer
    assert (onsite.mode, onsite.place.city, onsite.place.country) == (
        Mode.IN_PERSON,
        "Brisbane",
        "AU",
    )
    assert onsite.start_date == date(2027, 4, 12)
    assert onsite.price.amount == 1150.0
    assert (mixed.mode, mixed.place.country) == (Mode.BLENDED, "AU")  # MixedEventAttendanceMode
    assert mixed.price.amount == 980.0  # no offer of its own: the course's
    assert offering.duration.hours == 40.0  # every run's courseWorkload is PT40H
    assert offering.languages == ["en"]


def test_single_course_normalises_to_the_values_written() -> None:
    record = read_schema_org((FIXTURES / "single-course.json").read_bytes()).records[0]
    context = NormaliseContext(provider_id="x", default_country="NZ", default_currency="NZD")
    offering, issues = normalise_record(record.fields, context, record.instances)
    assert offering is not None, issues
    assert (offering.credits.value, offering.credits.system) == (15.0, CreditSystem.NZ_CREDITS)
    assert (offering.level.framework, offering.level.value) == ("NZQF", "5")
    assert offering.credential_type == "micro-credential"
    assert (offering.price.amount, offering.price.currency) == (1250.0, "NZD")
    assert offering.duration.hours == 150.0
    assert offering.learning_outcomes == [
        "Choose a chart for a question",
        "Explain a finding to a manager",
    ]


# --- already-parsed items (what a crawler extracts from a page) -----------------------------


@pytest.mark.parametrize("input_path", READABLE, ids=lambda path: path.name)
def test_parsed_items_read_like_the_bytes(input_path: Path) -> None:
    from_bytes = _result_as_golden(read_schema_org(input_path.read_bytes()))
    parsed = json.loads(input_path.read_text(encoding="utf-8"))  # numbers as Python numbers
    items = parsed if isinstance(parsed, list) else [parsed]
    from_items = _result_as_golden(records_from_jsonld_items(items, "https://x.example/p "))
    for record in from_bytes["records"]:
        record["line"] = None  # parsed items have no text to count lines in
        record["locator"] = "https://x.example/p " + record["locator"]
    assert from_items == from_bytes


def test_a_page_without_a_course_gives_no_records_and_says_why() -> None:
    items = [
        {"@context": "https://schema.org", "@type": "WebPage", "name": "Contact us"},
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": 1, "item": "https://x.example/"}],
        },
    ]
    result = records_from_jsonld_items(items, "https://x.example/contact ")
    assert result.records == []
    assert [i.severity for i in result.issues] == ["info"]
    assert "1 WebPage node, 1 BreadcrumbList node" in result.issues[0].message
    with pytest.raises(FeedFormatError, match="no schema.org Course"):
        read_schema_org(json.dumps(items).encode())


def test_parsed_items_keep_the_depth_limit() -> None:
    deep: object = "x"
    for _ in range(10):
        deep = {"about": deep}
    items = [{"@type": "Course", "courseCode": "C", "name": "N", "about": deep}]
    with pytest.raises(FeedLimitExceeded, match="more than 8 levels"):
        records_from_jsonld_items(items, "", ReadLimits(max_depth=8))


# --- limits and damage ----------------------------------------------------------------------


def test_record_limit() -> None:
    with pytest.raises(FeedLimitExceeded, match="more than 2 records"):
        read_schema_org((FIXTURES / "item-list.json").read_bytes(), ReadLimits(max_records=2))


def test_time_limit() -> None:
    # A deadline already past: the check between records must stop the read.
    with pytest.raises(FeedLimitExceeded, match="longer than"):
        read_schema_org((FIXTURES / "array.json").read_bytes(), ReadLimits(max_seconds=-1))


@pytest.mark.parametrize(
    "data",
    [b"", b"42", b'"Course"', b"null", b"[]", b"{}", b"[1, 2]", b"\xff\xfe[\x00]\x00", b'["\xe9"]'],
)
def test_nothing_readable_is_refused_cleanly(data: bytes) -> None:
    with pytest.raises(FeedFormatError):
        read_schema_org(data)


@pytest.mark.parametrize("name", ["course-instances.json", "graph-with-references.json"])
def test_every_truncation_is_read_or_refused_cleanly(name: str) -> None:
    for data in every_truncation((FIXTURES / name).read_bytes()):
        read_or_refuse(read_schema_org, data)


def test_random_damage_is_read_or_refused_cleanly() -> None:
    sources = [
        (FIXTURES / name).read_bytes()
        for name in ("course-instances.json", "graph-with-references.json", "item-list.json")
    ]
    for data in damaged_copies(
        sources, seed=20261125, copies=300, alphabet=b'\x00\xff"\n,[]{}:\\ 0a'
    ):
        read_or_refuse(read_schema_org, data)


def test_any_value_shape_in_any_property_is_read_or_reported() -> None:
    """JSON-LD lets every property hold a string, number, list, language map or node."""
    shapes = [
        None,
        True,
        7,
        2.5,
        "text",
        [],
        {},
        [1, "two"],
        {"en": "x"},
        {"@value": 3},
        {"@id": "_:nowhere"},
        {"@type": "Thing"},
        [[["deep"]]],
        {"en": ["a", None]},
        {"@list": ["a", {"@value": "b"}]},
        {"@list": "x"},
        {"@set": [{"@id": "_:x"}]},
        {"@list": None},
    ]
    properties = [
        "name",
        "courseCode",
        "identifier",
        "url",
        "numberOfCredits",
        "offers",
        "hasCourseInstance",
        "inLanguage",
        "about",
        "keywords",
        "teaches",
        "coursePrerequisites",
        "educationalCredentialAwarded",
        "provider",
        "timeRequired",
        "isAccessibleForFree",
        "somethingNew",
    ]
    for prop in properties:
        for shape in shapes:
            course = {"@type": "Course", "courseCode": "C-1", "name": "N", prop: shape}
            run = {
                "@type": "Course",
                "courseCode": "C-2",
                "name": "N",
                "hasCourseInstance": {
                    "@type": "CourseInstance",
                    "location": shape,
                    "offers": shape,
                    "courseMode": shape,
                    "startDate": shape,
                },
            }
            result = records_from_jsonld_items([course, run], "")
            assert len(result.records) == 2, (prop, shape)


def test_random_documents_are_read_or_refused_cleanly() -> None:
    """Random nodes built from the properties the reader knows, nested a few levels."""
    rng = random.Random(20261127)  # fixed, so a failure can be reproduced
    keys = [
        "@id",
        "@type",
        "type",
        "name",
        "courseCode",
        "identifier",
        "offers",
        "price",
        "priceCurrency",
        "priceSpecification",
        "hasCourseInstance",
        "location",
        "address",
        "courseMode",
        "itemListElement",
        "item",
        "mainEntity",
        "@graph",
        "inLanguage",
        "numberOfCredits",
        "value",
        "educationalCredentialAwarded",
        "isPartOf",
    ]
    leaves = [
        None,
        False,
        0,
        1.5,
        "",
        "_:a",
        "Course",
        "ItemList",
        "ListItem",
        "Offer",
        "VirtualLocation",
        "Free",
        {"en": "x"},
        {"@value": "v"},
        {"@id": "_:a"},
        {"@list": ["x"]},
    ]
    value = random_json_value(rng, keys, leaves)
    for _ in range(400):
        items = [value(1) for _ in range(rng.randint(0, 4))]
        items.append(
            {"@type": "Course", "@id": "_:a", **{rng.choice(keys): value(1) for _ in range(4)}}
        )
        read_or_refuse(read_schema_org, json.dumps(items).encode())
        records_from_jsonld_items(items, "")
