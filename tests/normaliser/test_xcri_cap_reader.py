"""XCRI-CAP reader: golden fixture pairs and their completeness, hostile documents, encodings,
limits, normalising what the reader gives, and a real college feed.

Each `tests/fixtures/xcri_cap/<name>.xml` has a `<name>.expected.json`: either
`{"feed_issues": [...], "records": [...]}` for a feed that reads, or `{"error": {"kind", "line",
"column", "offset", "message_contains": [...]}}` for one that must be refused. The golden test
compares everything the expected file says; the completeness test fails when the reader emits
something the expected file does not mention, so no output goes unchecked. Issue messages
are prose and are not compared; their field, code, severity and value are.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from normaliser.issues import Severity
from normaliser.normalise import INSTANCE_FIELDS, NormaliseContext, normalise_record
from normaliser.readers import xcri_cap
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    FeedFormatError,
    FeedLimitExceeded,
    ReadLimits,
)
from normaliser.readers.feed_v1 import FEED_V1_FIELDS
from normaliser.readers.xcri_cap import looks_like_xcri_cap, read_xcri_cap
from normaliser.schema import Framework, Mode
from tests.conftest import shared_data
from tests.fuzz import damaged_copies, every_truncation, read_or_refuse
from tests.golden import issue_as_golden, mismatches, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "xcri_cap"
EXPECTED_SUFFIX = ".expected.json"
XCRI_12 = "http://xcri.org/profiles/1.2/catalog"


def _fixture_inputs() -> list[Path]:
    return sorted(FIXTURES.glob("*.xml"))


def _expected_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.stem + EXPECTED_SUFFIX)


def _expected(input_path: Path) -> dict:
    return json.loads(_expected_path(input_path).read_text(encoding="utf-8"))


def _read_as_golden(data: bytes) -> dict:
    """What the reader makes of a fixture, in the shape of the expected files."""
    try:
        result = read_xcri_cap(data)
    except FeedFormatError as error:
        return {
            "error": {
                "kind": type(error).__name__,
                "line": error.line,
                "column": error.column,
                "offset": error.offset,
                "message": str(error),
            }
        }
    return {
        "feed_issues": [issue_as_golden(i) for i in result.issues],
        "records": [
            {
                "locator": r.locator,
                "line": r.line,
                "fields": r.fields,
                "instances": r.instances,
                "extra": r.extra,
                "issues": [issue_as_golden(i) for i in r.issues],
            }
            for r in result.records
        ],
    }


FIXTURE_INPUTS = _fixture_inputs()
FIXTURE_IDS = [path.name for path in FIXTURE_INPUTS]
READABLE = [path for path in FIXTURE_INPUTS if "records" in _expected(path)]
REFUSED = [path for path in FIXTURE_INPUTS if "error" in _expected(path)]


# --- goldens ---------------------------------------------------------------------------


def test_fixture_folder_has_inputs() -> None:
    assert len(FIXTURE_INPUTS) >= 20, f"fixtures missing from {FIXTURES}"
    assert len(READABLE) >= 10 and len(REFUSED) >= 10


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_every_input_has_an_expected_file(input_path: Path) -> None:
    assert _expected_path(input_path).is_file(), f"write {_expected_path(input_path).name}"


def test_every_expected_file_has_one_input() -> None:
    stems = {path.stem for path in FIXTURE_INPUTS}
    orphans = [
        path.name
        for path in FIXTURES.glob("*" + EXPECTED_SUFFIX)
        if path.name.removesuffix(EXPECTED_SUFFIX) not in stems
    ]
    assert not orphans


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_reader_output_matches_golden(input_path: Path) -> None:
    problems = mismatches(_expected(input_path), _read_as_golden(input_path.read_bytes()))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_golden_checks_everything_the_reader_emits(input_path: Path) -> None:
    expected = _expected(input_path)
    unchecked = unchecked_paths(_read_as_golden(input_path.read_bytes()), expected)
    assert not unchecked, f"{_expected_path(input_path).name} does not check: " + ", ".join(
        unchecked
    )
    if "error" in expected:
        assert expected["error"].get("message_contains"), "say what the message must name"


@pytest.mark.parametrize("input_path", READABLE, ids=[p.name for p in READABLE])
def test_goldens_use_only_feed_format_and_instance_field_names(input_path: Path) -> None:
    for record in _expected(input_path)["records"]:
        assert set(record["fields"]) <= set(FEED_V1_FIELDS)
        for instance in record["instances"]:
            assert set(instance) <= set(INSTANCE_FIELDS)


def test_goldens_cover_the_fields_xcri_cap_can_fill() -> None:
    """Every field the reader maps appears in at least one golden, so none goes untested."""
    seen_fields: set[str] = set()
    seen_instance_fields: set[str] = set()
    for path in READABLE:
        for record in _expected(path)["records"]:
            seen_fields |= set(record["fields"])
            for instance in record["instances"]:
                seen_instance_fields |= set(instance)
    # XCRI-CAP has no element for these: level_framework and currency are never stated
    # apart from their values, start_dates and mode come per presentation, and nothing in
    # XCRI-CAP says what a course stacks into (isPartOf names a department in real feeds).
    not_in_xcri = {
        "level_framework",
        "currency",
        "start_dates",
        "mode",
        "price",
        "location",
        "stackable_into",
    }
    assert seen_fields == set(FEED_V1_FIELDS) - not_in_xcri
    assert seen_instance_fields == set(INSTANCE_FIELDS) - {"currency"}


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_sniffing_agrees_with_the_goldens(input_path: Path) -> None:
    not_xcri = {"not-xml.xml", "html-page.xml", "wrong-root.xml", "no-namespace.xml", "empty.xml"}
    assert looks_like_xcri_cap(input_path.read_bytes()) is (input_path.name not in not_xcri)


def test_sniffing_other_formats() -> None:
    assert not looks_like_xcri_cap(b'[{"id": "1", "title": "x"}]')
    assert not looks_like_xcri_cap(b"id,title\n1,x\n")
    assert not looks_like_xcri_cap(
        b'<catalog xmlns="http://xcri.org/profiles/catalog/terms"></catalog>'
    )
    assert looks_like_xcri_cap(
        b'<x:provider xmlns:x="http://xcri.org/profiles/catalog"></x:provider>'
    )


# --- hostile documents -------------------------------------------------------------------


DTD_FIXTURES = ["billion-laughs.xml", "xxe-file.xml", "xxe-http.xml"]


@pytest.mark.parametrize("name", DTD_FIXTURES)
def test_dtd_is_refused_before_any_parser_exists(name: str, monkeypatch) -> None:
    """No entity is expanded and no file or address is read: the parser is never built."""

    def no_parser():
        raise AssertionError("the XML parser was built for a document with a DTD")

    monkeypatch.setattr(xcri_cap, "locked_down_xml_parser", no_parser)
    with pytest.raises(FeedFormatError, match=r"may not contain a DTD \(DOCTYPE\)"):
        read_xcri_cap((FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    "prolog",
    [
        "\ufeff  \n<!-- generated by a course system -->\n<?xml-stylesheet href='x.xsl'?>\n",
        "<?xml version='1.0'?><!---->",
        "\n\n",
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be"])
def test_dtd_is_found_behind_comments_instructions_and_any_encoding(
    prolog: str, encoding: str, monkeypatch
) -> None:
    monkeypatch.setattr(xcri_cap, "locked_down_xml_parser", lambda: pytest.fail("parser built"))
    body = (
        '<!doctype catalog [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        f'<catalog xmlns="{XCRI_12}"><provider/></catalog>'
    )
    with pytest.raises(FeedFormatError, match="DTD"):
        read_xcri_cap((prolog + body).encode(encoding))


def test_a_scaled_up_billion_laughs_is_refused_just_as_fast() -> None:
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 40))
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE catalog [<!ENTITY l0 "lol">{levels}]>\n'
        f'<catalog xmlns="{XCRI_12}"><provider><course><title>&l39;</title></course>'
        "</provider></catalog>"
    ).encode()
    with pytest.raises(FeedFormatError) as caught:
        read_xcri_cap(data)
    assert (caught.value.line, caught.value.column) == (2, 1)


@pytest.mark.parametrize("name", DTD_FIXTURES)
def test_the_parser_alone_refuses_a_dtd_too(name: str) -> None:
    """Behind the prolog scan, the locked-down parser neither expands nor fetches anything:
    it stops at the root's DTD check, or earlier at libxml2's own entity amplification bound."""
    reader = xcri_cap._StreamReader(
        DEFAULT_LIMITS, DEFAULT_LIMITS.deadline(), xcri_cap._FeedNotes()
    )
    with pytest.raises(FeedFormatError, match="DTD|entity amplification"):
        reader.read((FIXTURES / name).read_bytes())


def test_doctype_text_inside_cdata_is_just_text() -> None:
    data = (
        f'<catalog xmlns="{XCRI_12}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<provider><course><dc:identifier>C1</dc:identifier><dc:title>T</dc:title>"
        "<dc:description><![CDATA[<!DOCTYPE html><p>Hi</p>]]></dc:description>"
        "</course></provider></catalog>"
    ).encode()
    assert read_xcri_cap(data).records[0].fields["description"] == "<!DOCTYPE html><p>Hi</p>"


def test_depth_limit_follows_the_limits() -> None:
    data = (FIXTURES / "clean-1.2.xml").read_bytes()
    with pytest.raises(FeedLimitExceeded, match="nested more than 4 deep"):
        read_xcri_cap(data, ReadLimits(max_depth=4))
    deeper = (f'<catalog xmlns="{XCRI_12}">' + "<x>" * 400 + "</x>" * 400 + "</catalog>").encode()
    with pytest.raises(FeedLimitExceeded, match="nested too deeply"):
        read_xcri_cap(deeper, ReadLimits(max_depth=1000))  # libxml2's own bound


def test_record_and_time_limits() -> None:
    data = (FIXTURES / "clean-1.2.xml").read_bytes()
    assert len(read_xcri_cap(data, ReadLimits(max_records=2)).records) == 2
    with pytest.raises(FeedLimitExceeded, match="more than 1 records"):
        read_xcri_cap(data, ReadLimits(max_records=1))
    with pytest.raises(FeedLimitExceeded, match="longer than"):
        read_xcri_cap(data, ReadLimits(max_seconds=-1))


def test_every_truncation_is_read_or_refused_cleanly() -> None:
    for data in every_truncation((FIXTURES / "clean-1.2.xml").read_bytes()):
        read_or_refuse(read_xcri_cap, data)


def test_random_byte_damage_is_read_or_refused_cleanly() -> None:
    sources = [
        (FIXTURES / name).read_bytes()
        for name in ("clean-1.2.xml", "presentations.xml", "utf-16.xml")
    ]
    for data in damaged_copies(
        sources, seed=20270301, copies=300, alphabet=b'\x00\xff\xc3"<>&;!?[]/= \n'
    ):
        read_or_refuse(read_xcri_cap, data)


# --- encodings ---------------------------------------------------------------------------


def _one_course(title: str, declaration: str = "") -> str:
    return (
        f'{declaration}<catalog xmlns="{XCRI_12}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<provider><course><dc:identifier>E1</dc:identifier><dc:title>{title}</dc:title>"
        "</course></provider></catalog>"
    )


@pytest.mark.parametrize(
    ("data", "title"),
    [
        (
            b"\xef\xbb\xbf \r\n\t" + _one_course("Caf\u00e9", '<?xml version="1.0"?>').encode(),
            "Caf\u00e9",
        ),
        (
            _one_course("Tēnā koutou", '<?xml version="1.0" encoding="UTF-16"?>').encode(
                "utf-16-be"
            ),
            "Tēnā koutou",
        ),
        (
            _one_course("Menu \u20ac5", '<?xml version="1.0" encoding="windows-1252"?>').encode(
                "cp1252"
            ),
            "Menu \u20ac5",
        ),
        (_one_course("Plain", '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-8"), "Plain"),
    ],
)
def test_encodings_are_read_as_the_bytes_say(data: bytes, title: str) -> None:
    assert read_xcri_cap(data).records[0].fields["title"] == title


def test_a_utf16_declaration_on_ascii_bytes_is_corrected_with_a_warning() -> None:
    data = _one_course("Café", '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-8")
    result = read_xcri_cap(data)
    assert result.records[0].fields["title"] == "Café"
    assert [(i.field, i.severity) for i in result.issues] == [("encoding", Severity.WARNING)]


def test_unknown_or_impossible_encodings_are_refused_clearly() -> None:
    with pytest.raises(FeedFormatError, match="encoding 'klingon-8', which we do not know"):
        read_xcri_cap(_one_course("x", '<?xml version="1.0" encoding="klingon-8"?>').encode())
    undefined_in_cp1252 = (
        _one_course("x", '<?xml version="1.0" encoding="windows-1252"?>')
        .encode()
        .replace(b">x<", b">\x81<")
    )
    with pytest.raises(FeedFormatError, match="not valid cp1252") as caught:
        read_xcri_cap(undefined_in_cp1252)
    assert caught.value.line == 1 and caught.value.offset == undefined_in_cp1252.index(b"\x81")


# --- what the normaliser makes of it -----------------------------------------------------


def _normalised(name: str, ctx: NormaliseContext):
    offerings = []
    for record in read_xcri_cap((FIXTURES / name).read_bytes()).records:
        offering, issues = normalise_record(record.fields, ctx, record.instances)
        offerings.append((offering, issues))
    return offerings


GB = NormaliseContext(provider_id="harbourside", default_currency="GBP", default_country="GB")


def test_clean_feed_normalises_to_sensible_offerings() -> None:
    (online, online_issues), (welding, _) = _normalised("clean-1.2.xml", GB)
    assert not [i for i in online_issues if i.severity is not Severity.INFO]
    assert online.provider_offering_id == "HIT-DA-04"
    assert (online.level.framework, online.level.value, online.level.eqf) == (Framework.RQF, "4", 5)
    assert (online.credits.value, online.credits.system, online.credits.ects) == (10, "ECTS", 10)
    assert online.credential_type == "certificate"
    assert online.learning_outcomes == [
        "Clean a spreadsheet of sales records",
        "Build a chart that answers a question",
    ]
    assert online.languages == ["en"] and online.duration.weeks == 10
    [run] = online.instances
    assert (run.start_date, run.end_date, run.mode) == (
        date(2027, 3, 1),
        date(2027, 5, 10),
        Mode.ONLINE,
    )
    assert (run.price.amount, run.price.currency, run.place) == (450, "GBP", None)

    assert welding.level.value == "3" and welding.level.framework is None  # the feed names none
    assert (welding.credits.system, welding.credits.ects) == ("CATS", 7.5)
    assert [
        (r.start_date, r.place.city, r.price and r.price.amount) for r in welding.instances
    ] == [(date(2027, 4, 12), "Cardiff", 300), (date(2027, 9, 1), "Bristol", None)]


def test_a_provider_level_framework_gives_bare_levels_their_framework() -> None:
    ctx = NormaliseContext(provider_id="harbourside", default_country="GB", level_framework="RQF")
    _, (welding, _) = _normalised("clean-1.2.xml", ctx)
    assert (welding.level.framework, welding.level.value, welding.level.eqf) == (
        Framework.RQF,
        "3",
        4,
    )


def test_descriptions_lose_their_markup_in_the_normaliser() -> None:
    [(photo, _)] = _normalised("cdata-html.xml", GB)
    assert photo.title == "Photography for Beginners"
    assert photo.description == (
        "Learn to use your camera\u2019s manual settings.\n\nBring a "
        "camera.\n\nEvening walks around town & the harbour."
    )
    assert photo.assessment == "A portfolio of ten photos"
    assert photo.learning_outcomes[1] == "Explain aperture, shutter speed & ISO"


def test_records_the_reader_reports_are_the_ones_the_normaliser_rejects() -> None:
    records = read_xcri_cap((FIXTURES / "missing-title.xml").read_bytes()).records
    for record in records:
        offering, issues = normalise_record(record.fields, GB, record.instances)
        reader_errors = {i.field for i in record.issues if i.severity is Severity.ERROR}
        normaliser_errors = {i.field for i in issues if i.severity is Severity.ERROR}
        assert reader_errors == normaliser_errors
        assert (offering is None) == bool(reader_errors)


# --- a real feed -------------------------------------------------------------------------


CORNWALL = "xcri-cap/cornwall-college-2017.xml"
CORNWALL_CTX = NormaliseContext(
    provider_id="cornwall-college", default_currency="GBP", default_country="GB"
)


def _count_courses(data: bytes) -> int:
    """Courses counted apart from the reader: its start tags, and the elements of a plain parse."""
    by_text = len(re.findall(rb"<course[\s>/]", data))
    tree = etree.fromstring(
        data,
        etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False),
    )
    by_tree = sum(1 for _ in tree.iter(f"{{{XCRI_12}}}course"))
    assert by_text == by_tree
    return by_tree


def test_real_feed_accounts_for_every_course() -> None:
    data = shared_data(CORNWALL).read_bytes()
    courses = _count_courses(data)
    result = read_xcri_cap(data)
    course_errors = [i for i in result.issues if i.severity is Severity.ERROR]
    assert courses == 407
    assert len(result.records) + len(course_errors) == courses
    assert len({r.line for r in result.records}) == len(result.records)
    for record in result.records:  # each one is importable or says which field and why
        for issue in record.issues:
            assert issue.field and issue.message
    rejected = [r for r in result.records if any(i.severity is Severity.ERROR for i in r.issues)]
    accepted = 0
    for record in result.records:
        offering, _ = normalise_record(record.fields, CORNWALL_CTX, record.instances)
        accepted += offering is not None
    assert accepted + len(rejected) == courses


def _cornwall_offering(course_number: str, ctx: NormaliseContext = CORNWALL_CTX):
    data = shared_data(CORNWALL).read_bytes()
    course_id = f"http://www.cornwall.ac.uk/online/course/{course_number}"
    [record] = [r for r in read_xcri_cap(data).records if r.fields.get("id") == course_id]
    offering, _ = normalise_record(record.fields, ctx, record.instances)
    return record, offering


def test_real_feed_degree_reads_as_the_feed_says() -> None:
    # Checked by hand against the feed: course 216342, qualification level 6, one part-time
    # presentation at the Eden Project from 12 September 2016 (its @dtf says the 11th),
    # fee 8000 in the costs extension, 360 credits under the ECTS scheme URI.
    ctx = NormaliseContext(
        provider_id="cornwall-college",
        default_currency="GBP",
        default_country="GB",
        level_framework="RQF",
    )
    record, degree = _cornwall_offering("216342", ctx)
    assert record.locator == "line 2680"
    assert degree.title == "BSc (Hons) Horticulture (Garden and Landscape Design)"
    assert (degree.level.framework, degree.level.value, degree.level.eqf) == (Framework.RQF, "6", 6)
    assert degree.credential_type == "degree"
    assert degree.quality_assurance == "Awarded by Plymouth University"
    [run] = degree.instances
    assert (run.start_date, run.end_date) == (date(2016, 9, 12), date(2022, 6, 10))
    assert (run.price.amount, run.price.currency, run.mode) == (8000, "GBP", Mode.IN_PERSON)
    assert run.place.country == "GB" and "Eden Project" in run.place.raw
    # The feed labels what are UK credits (360 for a bachelor's) with the ECTS scheme URI;
    # the reader passes that on as written.
    assert (degree.credits.value, degree.credits.system) == (360, "ECTS")


def test_real_feed_short_course_and_bare_level() -> None:
    record, short = _cornwall_offering("214945")
    assert short.title == "Creative Writing (JP)"
    assert short.level is None and short.credential_type == "short course"
    [run] = short.instances
    assert (run.start_date, run.price.amount, run.price.currency) == (date(2017, 4, 26), 50, "GBP")

    record, food = _cornwall_offering("102240")
    assert food.title == "Food Safety in Catering CIEH Award Level 2 (VC)"
    # A bare '2' with no framework in the feed: the level is kept, its framework is not guessed.
    assert (food.level.value, food.level.framework) == ("2", None)
    assert [r.start_date for r in food.instances][:2] == [date(2016, 11, 1), date(2017, 3, 20)]
    assert all(r.price is None for r in food.instances)  # the feed says 'TBC'
    assert {r.mode for r in food.instances} == {Mode.IN_PERSON}
