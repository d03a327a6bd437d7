"""Mapping profiles: validation, golden fixtures, each rule, bundled profiles, the edX export.

Each `tests/fixtures/profiles/<name>.toml` is a profile for `<name>.csv` or `<name>.json`,
and `<name>.expected.json` is exactly what reading gives: `{"feed_issues", "records"}`, or
`{"error": {"line", "column", "offset", "message_contains"}}` for a file that must be
refused. The whole output is compared, so nothing the reader emits goes unchecked; issue
messages are prose and are not compared, their field, code, severity and value are.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import tomllib
from pathlib import Path

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import (
    RECORD_FIELD,
    FeedFormatError,
    FeedLimitExceeded,
    FeedReadResult,
    ReadLimits,
)
from normaliser.readers.profiles import (
    HASH_ID_PREFIX,
    MappingProfile,
    MappingProfileError,
    UnknownProfileError,
    bundled_profile,
    bundled_profile_names,
    load_profile,
    read_with_profile,
    stable_hash_id,
)
from normaliser.schema import Mode, Pace
from tests.conftest import shared_data
from tests.golden import issue_as_golden

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "profiles"
REPO = Path(__file__).resolve().parents[2]


# --- golden fixtures ---------------------------------------------------------------------


def _as_golden(result: FeedReadResult) -> dict:
    return {
        "feed_issues": [issue_as_golden(i) for i in result.issues],
        "records": [
            {
                "locator": r.locator,
                "line": r.line,
                "fields": r.fields,
                "extra": r.extra,
                "issues": [issue_as_golden(i) for i in r.issues],
            }
            for r in result.records
        ],
    }


def _fixture_profiles() -> list[Path]:
    return sorted(FIXTURES.glob("*.toml"))


@pytest.mark.parametrize("profile_path", _fixture_profiles(), ids=lambda p: p.stem)
def test_golden_fixture(profile_path: Path) -> None:
    sources = [
        path
        for path in (profile_path.with_suffix(".csv"), profile_path.with_suffix(".json"))
        if path.exists()
    ]
    assert len(sources) == 1, f"{profile_path.name} needs exactly one .csv or .json source"
    expected = json.loads(profile_path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    profile = load_profile(profile_path.read_bytes())

    if "error" in expected:
        with pytest.raises(FeedFormatError) as caught:
            read_with_profile(sources[0].read_bytes(), profile)
        want = expected["error"]
        assert (caught.value.line, caught.value.column, caught.value.offset) == (
            want["line"],
            want["column"],
            want["offset"],
        )
        for part in want["message_contains"]:
            assert part in str(caught.value)
        return
    assert _as_golden(read_with_profile(sources[0].read_bytes(), profile)) == expected


def test_fixtures_are_complete() -> None:
    """Every fixture profile has its source and its expected output, and nothing is stray."""
    names = {p.name.split(".")[0] for p in FIXTURES.iterdir()}
    for name in names:
        assert (FIXTURES / f"{name}.toml").exists(), name
        assert (FIXTURES / f"{name}.expected.json").exists(), name


def test_national_register_normalises_with_the_profile_defaults() -> None:
    """The fixture's bare credits and 'Wellington' are read through the profile's defaults."""
    profile = load_profile((FIXTURES / "national-register.toml").read_bytes())
    result = read_with_profile((FIXTURES / "national-register.csv").read_bytes(), profile)
    context = profile.normalise_context(NormaliseContext(provider_id="register"))
    offerings = {}
    for record in result.records:
        if record.fields:
            offering, _ = normalise_record(record.fields, context, record.instances)
            offerings[record.record_id] = offering

    first = offerings["NZ-1001"]
    assert (first.level.framework, first.level.value) == ("NZQF", "5")
    assert (first.credits.system, first.credits.value) == ("NZ_CREDITS", 15)
    assert (first.price.amount, first.price.currency) == (1250, "NZD")
    assert (first.duration.weeks, first.duration.hours_per_week) == (6, 10)
    assert [str(i.start_date) for i in first.instances] == ["2027-02-15", "2027-07-12"]
    assert first.subject.isced == ["0613"]
    second = offerings["NZ-1002"]
    assert second.mode is Mode.IN_PERSON
    assert second.price.is_free
    assert second.places[0].country == "NZ"


# --- validation --------------------------------------------------------------------------

_MINIMAL = 'name = "t"\n[id]\ncolumn = "Code"\n[fields.title]\ncolumn = "Title"\n'


@pytest.mark.parametrize(
    ("text", "message_parts"),
    [
        pytest.param(
            _MINIMAL + '[fields.titel]\ncolumn = "T"\n',
            ["fields.titel", "not a feed-format-v1 field", "did you mean 'title'"],
            id="unknown-field",
        ),
        pytest.param(
            _MINIMAL + '[fields.price]\ncolumn = "Fee"\npattern = "(?P<value>[0-9"\n',
            ["fields.price.pattern", "not a valid regular expression"],
            id="bad-regex",
        ),
        pytest.param(
            _MINIMAL + '[fields.price]\ncolumn = "Fee"\npattern = "(?P<amount>[0-9]+)"\n',
            ["fields.price.pattern", "no group named 'value'"],
            id="pattern-without-group",
        ),
        pytest.param(
            'name = "t"\n[id]\ncolumn = "Code"\n[fields.title]\ncolum = "Title"\n',
            ["fields.title.colum", "not a profile key", "did you mean 'column'"],
            id="misspelt-key",
        ),
        pytest.param('name = "t"\n[fields.title]\ncolumn = "Title"\n', ["id: missing"], id="no-id"),
        pytest.param(
            'name = "t"\n[id]\ncolumn = "Code"\n[fields.url]\ncolumn = "Link"\n',
            ["fields.title: missing"],
            id="no-title",
        ),
        pytest.param(
            _MINIMAL + '[fields.id]\ncolumn = "Code"\n', ["fields.id", "[id]"], id="id-as-a-field"
        ),
        pytest.param(
            _MINIMAL + '[fields.mode]\ncolumn = "A"\ntemplate = "{B}"\n',
            ["fields.mode", "not column and template"],
            id="two-sources",
        ),
        pytest.param(
            _MINIMAL + '[fields.mode]\nvalue_map = { a = "b" }\n',
            ["fields.mode", "give column, columns or template"],
            id="no-source",
        ),
        pytest.param(
            _MINIMAL + '[fields.duration]\ntemplate = "{Weeks} weeks {"\n',
            ["fields.duration.template", "unmatched '{'"],
            id="broken-template",
        ),
        pytest.param(
            _MINIMAL + '[fields.mode]\ncolumn = "A"\nvalue_map = { OL = "x", ol = "y" }\n',
            ["fields.mode.value_map", "same key"],
            id="value-map-keys-differ-by-case",
        ),
        pytest.param(
            _MINIMAL + '[defaults]\ncurrency = "dollarz"\ncountry = "Narnia"\n',
            ["defaults.currency", "ISO 4217", "defaults.country"],
            id="unknown-defaults",
        ),
        pytest.param(
            'name = "Not A Slug"\n[id]\ncolumn = "Code"\n[fields.title]\ncolumn = "T"\n',
            ["name", "profile:<name>"],
            id="bad-name",
        ),
        pytest.param(
            'name = "t"\n[source]\nformat = "json"\nheader_row = 2\n[id]\ncolumn = "C"\n'
            '[fields.title]\ncolumn = "T"\n',
            ["source", "CSV sources"],
            id="csv-option-on-json",
        ),
        pytest.param(
            'name = "t"\n[source]\nheader_row = 0\n[id]\ncolumn = "C"\n'
            '[fields.title]\ncolumn = "T"\n',
            ["source", "column_names"],
            id="no-header-without-names",
        ),
        pytest.param('name = "t"\n[id\n', ["not valid TOML", "line 2"], id="toml-syntax"),
    ],
)
def test_invalid_profiles_are_refused_naming_the_key(text: str, message_parts: list[str]) -> None:
    with pytest.raises(MappingProfileError) as caught:
        load_profile(text)
    for part in message_parts:
        assert part in str(caught.value)


def test_every_error_in_a_profile_is_reported_at_once() -> None:
    text = (
        'name = "t"\n[id]\ncolumn = "Code"\npattern = "("\n[fields.title]\ncolumn = "T"\n'
        '[fields.price]\ncolumn = "P"\npattern = "x"\n'
    )
    with pytest.raises(MappingProfileError) as caught:
        load_profile(text)
    assert "id.pattern" in str(caught.value)
    assert "fields.price.pattern" in str(caught.value)


def test_a_column_the_file_lacks_is_a_feed_error_naming_key_and_column() -> None:
    profile = load_profile(_MINIMAL + '[fields.duration]\ntemplate = "{Weeks} weeks"\n')
    with pytest.raises(FeedFormatError) as caught:
        read_with_profile(b"Code,Title\nA1,Data\n", profile)
    message = str(caught.value)
    assert "fields.duration.template reads 'Weeks'" in message
    assert "'Code', 'Title'" in message
    assert caught.value.line == 1


# --- the rules ---------------------------------------------------------------------------


def _read(profile_body: str, source: str) -> FeedReadResult:
    return read_with_profile(source.encode("utf-8"), load_profile(_MINIMAL + profile_body))


def test_value_map_ignores_case_and_spacing_and_passes_unknown_words_on() -> None:
    result = _read(
        '[fields.mode]\ncolumn = "Delivery"\nvalue_map = { "On Line" = "Online" }\n',
        "Code,Title,Delivery\nA,x,on  LINE\nB,y,By post\n",
    )
    assert [r.fields["mode"] for r in result.records] == ["Online", "By post"]


def test_columns_are_matched_by_name_ignoring_case_and_punctuation() -> None:
    result = _read("", "CODE,  title \nA,x\n")
    assert result.records[0].fields == {"id": "A", "title": "x"}


def test_join_skips_empty_columns() -> None:
    result = _read(
        '[fields.description]\ncolumns = ["Short", "Long"]\njoin = " / "\n',
        "Code,Title,Short,Long\nA,x,s,l\nB,y,,l\nC,z,,\n",
    )
    assert [r.fields.get("description") for r in result.records] == ["s / l", "l", None]


def test_templates_are_tried_in_order_and_an_incomplete_row_is_reported() -> None:
    body = '[fields.duration]\ntemplate = ["{W} weeks, {H} hours per week", "{W} weeks"]\n'
    result = _read(body, "Code,Title,W,H\nA,x,6,5\nB,y,8,\nC,z,,4\nD,w,,\n")
    a, b, c, d = result.records
    assert a.fields["duration"] == "6 weeks, 5 hours per week"
    assert b.fields["duration"] == "8 weeks"
    assert "duration" not in c.fields
    assert [(i.field, i.code, i.value) for i in c.issues] == [("duration", IssueCode.MISSING, "4")]
    assert "duration" not in d.fields and not d.issues


def test_template_braces_can_be_literal() -> None:
    result = _read('[fields.description]\ntemplate = "{{code}} {Code}"\n', "Code,Title\nA,x\n")
    assert result.records[0].fields["description"] == "{code} A"


def test_pattern_keeps_its_group_and_an_unmatched_cell_is_reported_not_defaulted() -> None:
    body = (
        '[fields.subject]\ncolumn = "Field"\npattern = \'^(?P<value>\\d{4})\'\ndefault = "9999"\n'
    )
    result = _read(body, "Code,Title,Field\nA,x,0613 Software\nB,y,Business\nC,z,\n")
    a, b, c = result.records
    assert a.fields["subject"] == "0613"
    assert "subject" not in b.fields
    assert [(i.field, i.code, i.severity, i.value) for i in b.issues] == [
        ("subject", IssueCode.UNPARSED, Severity.WARNING, "Business")
    ]
    assert c.fields["subject"] == "9999"  # the source said nothing: the default applies


def test_split_gives_a_list_mapped_item_by_item() -> None:
    body = '[fields.language]\ncolumn = "Langs"\nsplit = ","\nvalue_map = { "中文" = "zh" }\n'
    result = _read(body, 'Code,Title,Langs\nA,x,"English, 中文,"\n')
    assert result.records[0].fields["language"] == ["English", "zh"]


def test_default_alone_fills_every_record() -> None:
    result = _read('[fields.credential_type]\ndefault = "digital badge"\n', "Code,Title\nA,x\n")
    assert result.records[0].fields["credential_type"] == "digital badge"


def test_unmapped_columns_go_to_extra_and_empty_unnamed_columns_are_quiet() -> None:
    result = _read("", "Code,Title,Enrolled,,,\nA,x,1200,,,\nB,y,,,stray,\n")
    a, b = result.records
    assert a.extra == {"Enrolled": "1200"} and not a.issues
    assert [(i.field, i.code, i.value) for i in b.issues] == [
        (RECORD_FIELD, IssueCode.INVALID, "stray")
    ]
    assert [(i.field, i.severity) for i in result.issues] == [("Enrolled", Severity.INFO)]


def test_a_duplicate_column_the_profile_reads_is_refused_others_are_reported() -> None:
    with pytest.raises(FeedFormatError, match="same name"):
        _read("", "Code,Title,title\nA,x,y\n")
    result = _read("", "Code,Title,Note,note\nA,x,first,second\n")
    assert result.records[0].extra == {"Note": "first"}
    assert [(i.field, i.code) for i in result.issues][0] == ("note", IssueCode.AMBIGUOUS)


def test_header_row_skips_title_lines_and_zero_means_named_by_the_profile() -> None:
    titled = _read("[source]\nheader_row = 2\n", "Export of 2027-01-05\nCode;Title\nA;x\n")
    assert titled.records[0].fields == {"id": "A", "title": "x"}
    assert titled.records[0].line == 3
    headerless = read_with_profile(
        b"A\tx\nB\ty\n",
        load_profile(
            'name = "t"\n[source]\nheader_row = 0\ncolumn_names = ["Code", "Title"]\n'
            'delimiter = "\\t"\n[id]\ncolumn = "Code"\n[fields.title]\ncolumn = "Title"\n'
        ),
    )
    assert [r.fields for r in headerless.records] == [
        {"id": "A", "title": "x"},
        {"id": "B", "title": "y"},
    ]
    with pytest.raises(FeedFormatError, match="header_row"):
        _read("[source]\nheader_row = 3\n", "Code,Title\nA,x\n")


def test_records_require_reports_other_rows_as_errors_with_their_line() -> None:
    body = "[records]\nrequire = { Code = '^[A-Z]\\d+$' }\nhint = \"a total row\"\n"
    result = _read(body, "Code,Title\nA1,x\nTotal,2\n,orphan\n")
    good, total, orphan = result.records
    assert good.fields["id"] == "A1" and not good.issues
    for record, line in ((total, 3), (orphan, 4)):
        assert record.fields == {} and record.line == line
        [issue] = record.issues
        assert (issue.field, issue.severity) == (RECORD_FIELD, Severity.ERROR)
        assert f"line {line}" in issue.message and "a total row" in issue.message


def test_id_from_a_pattern_falls_back_to_a_hash_and_says_so() -> None:
    profile = load_profile(
        'name = "t"\n[id]\ncolumn = "Link"\npattern = \'/c/(?P<value>[a-z0-9-]+)$\'\n'
        'hash_columns = ["Title", "Org"]\n[fields.title]\ncolumn = "Title"\n'
    )
    source = b"Link,Title,Org\nhttps://x.example/c/data-101,Data,U\n,Data,U\nhttps://x.example/about,Data,V\n"
    linked, unlinked, odd = read_with_profile(source, profile).records
    assert linked.fields["id"] == "data-101"
    assert unlinked.fields["id"] == stable_hash_id(["Data", "U"])
    assert [(i.field, i.code) for i in unlinked.issues] == [("id", IssueCode.DEFAULTED)]
    assert odd.fields["id"] == stable_hash_id(["Data", "V"])
    assert [(i.field, i.code) for i in odd.issues] == [
        ("id", IssueCode.UNPARSED),
        ("id", IssueCode.DEFAULTED),
    ]


def test_hash_ids_are_fixed_forever_and_ignore_case_and_spacing() -> None:
    # Ids are stored in the catalogue: if this value changes, every hashed id changes.
    assert stable_hash_id(["Climate Science", "Example University"]) == "hash-2d2fb4f45c6ebc4f"
    assert stable_hash_id(["climate  science ", "EXAMPLE University"]) == "hash-2d2fb4f45c6ebc4f"
    assert stable_hash_id(["Climate", "Science Example University"]) != "hash-2d2fb4f45c6ebc4f"
    assert stable_hash_id(["a"]).startswith(HASH_ID_PREFIX)


def test_json_arrays_stay_lists_and_non_objects_are_errors() -> None:
    profile = load_profile(
        'name = "t"\n[source]\nformat = "json"\n[id]\nhash_columns = ["name"]\n'
        '[fields.title]\ncolumn = "name"\n[fields.language]\ncolumn = "langs"\n'
    )
    result = read_with_profile(b'[{"name": "A", "langs": ["en", "fr"]}, 3]', profile)
    assert result.records[0].fields["language"] == ["en", "fr"]
    assert result.records[1].issues[0].severity is Severity.ERROR
    with pytest.raises(FeedFormatError, match="records_key"):
        read_with_profile(b'{"results": []}', profile)


def test_the_record_limit_holds() -> None:
    profile = load_profile(_MINIMAL)
    with pytest.raises(FeedLimitExceeded):
        read_with_profile(b"Code,Title\nA,x\nB,y\nC,z\n", profile, ReadLimits(max_records=2))


def test_profile_defaults_fill_only_what_the_provider_leaves_open() -> None:
    profile = load_profile(
        _MINIMAL + '[defaults]\ncurrency = "US dollar"\nlanguage = "English"\n'
        'country = "New Zealand"\n'
    )
    assert (profile.defaults.currency, profile.defaults.language, profile.defaults.country) == (
        "USD",
        "en",
        "NZ",
    )
    context = profile.normalise_context(NormaliseContext(provider_id="p", default_currency="EUR"))
    assert (context.default_currency, context.default_language, context.default_country) == (
        "EUR",
        "en",
        "NZ",
    )


# --- bundled profiles --------------------------------------------------------------------


def test_bundled_profiles_load_by_name() -> None:
    assert "edx" in bundled_profile_names()
    for name in bundled_profile_names():
        profile = bundled_profile(name)
        assert isinstance(profile, MappingProfile) and profile.name == name
    with pytest.raises(UnknownProfileError, match="edx"):
        bundled_profile("no-such-profile")
    with pytest.raises(UnknownProfileError):
        bundled_profile("../data/rates")


def test_bundled_profiles_are_package_data() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "profiles/*.toml" in pyproject["tool"]["setuptools"]["package-data"]["normaliser"]


# --- the edX catalogue export ------------------------------------------------------------


@pytest.fixture(scope="module")
def edx_source() -> bytes:
    return shared_data("catalogues/edx-courses.csv").read_bytes()


@pytest.fixture(scope="module")
def edx(edx_source: bytes) -> FeedReadResult:
    return read_with_profile(edx_source, bundled_profile("edx"))


def _data_lines(source: bytes) -> list[int]:
    """The lines a non-blank data row starts on, counted independently of the reader."""
    rows = csv.reader(io.StringIO(source.decode("utf-8-sig"), newline=""))
    starts, line = [], 1
    for cells in rows:
        if line > 1 and any(c.strip() for c in cells):
            starts.append(line)
        line = rows.line_num + 1
    return starts


def test_edx_every_row_is_a_record_or_an_error_with_its_line(edx_source, edx) -> None:
    assert [r.line for r in edx.records] == _data_lines(edx_source)
    assert len(edx.records) == 2706
    for record in edx.records:
        assert record.locator == f"line {record.line}"
        if not record.fields:
            [issue] = record.issues
            assert issue.severity is Severity.ERROR and f"line {record.line}" in issue.message
    courses = [r for r in edx.records if r.fields]
    # 975 courses in the original edX catalogue; two lost their course_type to a broken line
    # (lines 1913/1914 and 2702/2703 of the export) and are refused with the fragments.
    assert len(courses) == 973


def test_edx_ids_are_unique_but_for_a_course_listed_twice_and_stable(edx_source, edx) -> None:
    courses = [r for r in edx.records if r.fields]
    by_id = collections.defaultdict(list)
    for record in courses:
        by_id[record.record_id].append(record)
    assert all(by_id)
    repeated = {i: rs for i, rs in by_id.items() if len(rs) > 1}
    # The export lists "Introduction to Probability" twice (lines 202 and 317), identically.
    assert list(repeated) == ["introduction-to-probability"]
    first, second = repeated["introduction-to-probability"]
    assert (first.fields, first.extra) == (second.fields, second.extra)

    again = read_with_profile(edx_source, bundled_profile("edx"))
    assert [r.record_id for r in again.records] == [r.record_id for r in edx.records]
    hashed = [r for r in courses if r.record_id.startswith(HASH_ID_PREFIX)]
    assert 150 < len(hashed) < 250  # rows whose URL the broken lines carried away


def test_edx_every_course_normalises(edx) -> None:
    context = bundled_profile("edx").normalise_context(
        NormaliseContext(provider_id="edx", default_currency="USD")
    )
    warnings = collections.Counter()
    subjects = collections.Counter()
    courses = [r for r in edx.records if r.fields]
    for record in courses:
        assert record.fields.get("title")
        offering, issues = normalise_record(record.fields, context, record.instances)
        assert offering is not None, (record.locator, issues)
        assert offering.mode is Mode.ONLINE and offering.price.is_free
        assert offering.duration.weeks and offering.duration.hours_per_week
        warnings.update(i.field for i in issues if i.severity is Severity.WARNING)
        inferred = any(i.field == "subject" and i.code is IssueCode.APPROXIMATE for i in issues)
        subjects["none" if not offering.subject.isced else "title" if inferred else "subject"] += 1
    # Figures at the time of writing: 697 of 973 subjects map from edX's own subject, 210
    # more from the title; the only warnings are the 66 subjects that map from neither.
    assert subjects["subject"] / len(courses) > 0.7
    assert (subjects["subject"] + subjects["title"]) / len(courses) > 0.9
    assert set(warnings) <= {"subject"}


@pytest.mark.parametrize(
    ("line", "course_id", "pace", "weeks", "hours_per_week", "languages"),
    [
        (2, "how-to-learn-online", Pace.SELF_PACED, 2, 2.5, ["en"]),
        (3, "programming-for-everybody-getting-started-with-pyt", Pace.SELF_PACED, 7, 3, ["en"]),
        (8, None, Pace.SELF_PACED, 10, 9, ["en"]),  # its URL went to a broken line: hashed id
        (
            154,
            "fundamentos-de-ingles-basico-conversacional-y-networking",
            Pace.SELF_PACED,
            4,
            6.5,
            ["es"],
        ),
        (1051, "analytics-in-python", Pace.SCHEDULED, 12, 9, ["en"]),
        (1476, "introduction-to-psychology-2", Pace.SELF_PACED, None, None, ["zh"]),
    ],
)
def test_edx_rows_read_by_hand(
    edx, line, course_id, pace, weeks, hours_per_week, languages
) -> None:
    record = next(r for r in edx.records if r.line == line)
    if course_id is None:
        assert record.record_id == stable_hash_id(
            [record.fields["title"], record.extra["institution"]]
        )
    else:
        assert record.record_id == course_id
    offering, _ = normalise_record(
        record.fields, NormaliseContext(provider_id="edx", default_currency="USD"), record.instances
    )
    assert (offering.mode, offering.pace) == (Mode.ONLINE, pace)
    if weeks is not None:
        assert (offering.duration.weeks, offering.duration.hours_per_week) == (
            weeks,
            hours_per_week,
        )
    assert offering.price.is_free and offering.price.currency == "USD"
    assert "Verified Certificate" in offering.price.raw  # the certificate's price stays visible
    assert offering.languages == languages
    assert offering.credential_type == "certificate"
    assert offering.level is None  # edX's Introductory/Advanced is no framework level
    assert record.extra["institution"] and record.extra["Level"] in (
        "Introductory",
        "Intermediate",
        "Advanced",
    )


def test_edx_fragments_are_refused_saying_why(edx) -> None:
    fragment = next(r for r in edx.records if r.line == 9)
    [issue] = fragment.issues
    assert "course_type" in issue.message and "broke over several lines" in issue.message
    assert issue.value.startswith("Focuses on recognizing the distinction")
