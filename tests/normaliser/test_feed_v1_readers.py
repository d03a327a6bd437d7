"""Feed format v1 readers: golden fixture pairs, completeness of the goldens, and edge cases.

Each `tests/fixtures/feed_v1/<name>.csv` or `<name>.json` has a `<name>.expected.json`:
either `{"feed_issues": [...], "records": [...]}` for a feed that reads, or
`{"error": {"line", "column", "offset", "message_contains": [...]}}` for one that must be
refused. The golden test compares what the expected file says; the completeness test fails
when the reader emits something the expected file does not mention, so no output goes
unchecked. Issue messages are prose and are not compared; their field, code, severity and
value are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from normaliser.readers.base import RECORD_FIELD, FeedFormatError, FeedReadResult, RawRecord
from normaliser.readers.feed_v1 import (
    FEED_V1_FIELDS,
    REQUIRED_FIELDS,
    feed_v1_field_name,
    read_feed_v1,
    read_feed_v1_csv,
    read_feed_v1_json,
    sniff_feed_v1_format,
)
from tests.fuzz import damaged_copies, every_truncation, read_or_refuse
from tests.golden import issue_as_golden, mismatches, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feed_v1"
READERS = {".csv": read_feed_v1_csv, ".json": read_feed_v1_json}
EXPECTED_SUFFIX = ".expected.json"
SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "feed-format-v1.md"


def _fixture_inputs() -> list[Path]:
    return sorted(
        path
        for path in FIXTURES.iterdir()
        if path.suffix in READERS and not path.name.endswith(EXPECTED_SUFFIX)
    )


def _expected_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.stem + EXPECTED_SUFFIX)


def _record_as_golden(record: RawRecord) -> dict:
    return {
        "locator": record.locator,
        "line": record.line,
        "fields": record.fields,
        "extra": record.extra,
        "issues": [issue_as_golden(i) for i in record.issues],
    }


def _read_as_golden(input_path: Path) -> dict:
    """What the reader makes of a fixture, in the shape of the expected files."""
    reader = READERS[input_path.suffix]
    try:
        result = reader(input_path.read_bytes())
    except FeedFormatError as error:
        return {
            "error": {
                "line": error.line,
                "column": error.column,
                "offset": error.offset,
                "message": str(error),
            }
        }
    return {
        "feed_issues": [issue_as_golden(i) for i in result.issues],
        "records": [_record_as_golden(r) for r in result.records],
    }


FIXTURE_INPUTS = _fixture_inputs()
FIXTURE_IDS = [path.name for path in FIXTURE_INPUTS]


def test_fixture_folder_has_inputs() -> None:
    assert len(FIXTURE_INPUTS) >= 20, f"fixtures missing from {FIXTURES}"


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_every_input_has_an_expected_file(input_path: Path) -> None:
    assert _expected_path(input_path).is_file(), f"write {_expected_path(input_path).name}"


def test_every_expected_file_has_one_input() -> None:
    stems = [path.stem for path in FIXTURE_INPUTS]
    assert len(stems) == len(set(stems)), "a .csv and a .json fixture share a name"
    orphans = [
        path.name
        for path in FIXTURES.glob("*" + EXPECTED_SUFFIX)
        if path.name.removesuffix(EXPECTED_SUFFIX) not in stems
    ]
    assert not orphans


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_reader_output_matches_golden(input_path: Path) -> None:
    expected = json.loads(_expected_path(input_path).read_text(encoding="utf-8"))
    actual = _read_as_golden(input_path)
    problems = mismatches(expected, actual)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_golden_checks_everything_the_reader_emits(input_path: Path) -> None:
    expected = json.loads(_expected_path(input_path).read_text(encoding="utf-8"))
    actual = _read_as_golden(input_path)
    unchecked = unchecked_paths(actual, expected)
    assert not unchecked, f"{_expected_path(input_path).name} does not check: " + ", ".join(
        unchecked
    )
    if "error" in expected:
        assert expected["error"].get("message_contains"), "say what the message must name"


@pytest.mark.parametrize("input_path", FIXTURE_INPUTS, ids=FIXTURE_IDS)
def test_sniffing_picks_the_reader_the_extension_names(input_path: Path) -> None:
    expected = json.loads(_expected_path(input_path).read_text(encoding="utf-8"))
    data = input_path.read_bytes()
    if "error" in expected:
        with pytest.raises(FeedFormatError):
            read_feed_v1(data, None)
        return
    assert sniff_feed_v1_format(data) == input_path.suffix.lstrip(".")
    assert read_feed_v1(data, None) == READERS[input_path.suffix](data)


def test_field_list_matches_the_published_format() -> None:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not in this checkout (shared/ sits beside the repo in CI)")
    table_fields = re.findall(r"^\| `([a-z_]+)` \|", SPEC.read_text(encoding="utf-8"), re.M)
    assert tuple(table_fields) == FEED_V1_FIELDS
    required = re.findall(r"^\| `([a-z_]+)` \| yes \|", SPEC.read_text(encoding="utf-8"), re.M)
    assert tuple(required) == REQUIRED_FIELDS


@pytest.mark.parametrize(
    ("written", "field"),
    [
        ("ID", "id"),
        (" id ", "id"),
        ("Title*", "title"),
        ("Start Dates", "start_dates"),
        ("start date", "start_dates"),
        ("START_DATES", "start_dates"),
        ("Start-Date", "start_dates"),
        ("Learning Outcomes", "learning_outcomes"),
        ("Level Framework", "level_framework"),
        ("Delivery Mode", "mode"),
        ("Fees", "price"),
        ("Language of Instruction", "language"),
        ("Stackable Into", "stackable_into"),
        ("Course Code", None),  # could be an id or a catalogue code: not guessed
        ("NFQ Level", None),  # names a framework an alias would silently drop
        ("", None),
    ],
)
def test_column_names_are_matched_loosely(written: str, field: str | None) -> None:
    assert feed_v1_field_name(written) == field


def test_every_field_name_maps_to_itself() -> None:
    assert all(feed_v1_field_name(name) == name for name in FEED_V1_FIELDS)


@pytest.mark.parametrize(
    ("data", "format_name"),
    [
        (b"id,title\n", "csv"),
        (b'[{"id": "1", "title": "x"}]', "json"),
        (b'\xef\xbb\xbf \r\n {"offerings": []}', "json"),
        (b"", "csv"),
        (b"\x00\x01", "csv"),
    ],
)
def test_sniffing(data: bytes, format_name: str) -> None:
    assert sniff_feed_v1_format(data) == format_name


def test_format_argument_is_case_insensitive_and_checked() -> None:
    assert read_feed_v1(b"[]", " JSON ") == FeedReadResult(records=[])
    with pytest.raises(ValueError, match="use one of csv, json"):
        read_feed_v1(b"id,title\n", "xlsx")


def test_old_mac_line_endings_count_as_lines() -> None:
    result = read_feed_v1_csv(b"id,title\rA,One\r\rB,Two\r")
    assert [(r.locator, r.line, r.fields) for r in result.records] == [
        ("line 2", 2, {"id": "A", "title": "One"}),
        ("line 4", 4, {"id": "B", "title": "Two"}),
    ]


def test_bad_utf8_error_says_where_and_how_to_fix() -> None:
    data = "id,title\nA,Tēnā koutou\nB,Caf".encode() + b"\xe9 society\n"
    with pytest.raises(FeedFormatError) as caught:
        read_feed_v1_csv(data)
    error = caught.value
    assert (error.line, error.column, error.offset) == (3, 6, data.index(b"\xe9"))
    assert "at line 3, column 6, byte" in str(error)
    assert "UTF-8" in str(error)


def test_json_bom_is_tolerated_and_offsets_count_it() -> None:
    assert read_feed_v1_json(b'\xef\xbb\xbf[{"id": "1", "title": "x"}]').records[0].line == 1
    with pytest.raises(FeedFormatError) as caught:
        read_feed_v1_json(b'\xef\xbb\xbf[{"id": 1,}]')
    assert (caught.value.line, caught.value.column, caught.value.offset) == (1, 11, 13)


def test_json_record_keeps_item_position_for_non_objects() -> None:
    result = read_feed_v1_json(b"[\n  null,\n  [1, 2]\n]")
    assert [(r.locator, r.line, r.fields) for r in result.records] == [
        ("item 1", 2, {}),
        ("item 2", 3, {}),
    ]
    assert all(r.issues[0].field == RECORD_FIELD for r in result.records)
    assert [r.issues[0].value for r in result.records] == ["null", "[1, 2]"]


def test_empty_json_array_is_a_feed_with_no_records() -> None:
    assert read_feed_v1_json(b" [ ] ") == FeedReadResult(records=[])
    assert read_feed_v1_json(b'{"offerings": []}') == FeedReadResult(records=[])


@pytest.mark.parametrize(
    "name", ["clean.csv", "multiline-quoted.csv", "clean-array.json", "wrapped-offerings.json"]
)
def test_every_truncation_is_read_or_refused_cleanly(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    for reader in (read_feed_v1_csv, read_feed_v1_json):
        for cut in every_truncation(data):
            read_or_refuse(reader, cut)


def test_random_byte_damage_is_read_or_refused_cleanly() -> None:
    sources = [(FIXTURES / name).read_bytes() for name in ("clean.csv", "wrapped-offerings.json")]
    for data in damaged_copies(
        sources, seed=20261123, copies=400, alphabet=b'\x00\xff\xc3"\n\r,;[]{}:\\ '
    ):
        for reader in (read_feed_v1_csv, read_feed_v1_json):
            read_or_refuse(reader, data)
