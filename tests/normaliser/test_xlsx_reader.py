"""XLSX spreadsheets read like CSV: golden fixture pairs (tests/fixtures/xlsx, made by its
make_fixtures.py) and their completeness, detection from the bytes, the zip-bomb and sheet
size guards, truncated and damaged copies, and a mapping profile reading a named sheet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, FeedLimitExceeded, ReadLimits
from normaliser.readers.profiles import load_profile, read_with_profile
from normaliser.readers.registry import detect_format, read_feed
from normaliser.readers.xlsx import looks_like_xlsx, read_xlsx
from tests.fuzz import damaged_copies, read_or_refuse
from tests.golden import mismatches, read_as_golden, unchecked_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "xlsx"
INPUTS = sorted(p for p in FIXTURES.glob("*.xlsx") if p.stem != "profile-export")


def _expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))


def test_fixture_folder_has_inputs() -> None:
    assert len(INPUTS) >= 4
    assert any("records" in _expected(p) for p in INPUTS)
    assert any("error" in _expected(p) for p in INPUTS)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_reader_output_matches_golden(path: Path) -> None:
    problems = mismatches(_expected(path), read_as_golden(read_xlsx, path.read_bytes()))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_golden_checks_everything_the_reader_emits(path: Path) -> None:
    expected = _expected(path)
    assert not unchecked_paths(read_as_golden(read_xlsx, path.read_bytes()), expected)
    if "error" in expected:
        assert expected["error"].get("message_contains")


def test_detected_from_the_bytes_and_read_through_the_registry() -> None:
    data = (FIXTURES / "courses.xlsx").read_bytes()
    assert looks_like_xlsx(data) and detect_format(data) == "xlsx"
    assert [r.locator for r in read_feed(data).records] == ["row 2", "row 4", "row 5"]


def test_a_zip_that_is_no_spreadsheet_is_refused_naming_what_it_is() -> None:
    with pytest.raises(FeedFormatError, match="zip archive but not an XLSX"):
        read_feed((FIXTURES / "word-document.xlsx").read_bytes())


def test_values_normalise_like_a_csv_feed() -> None:
    record = read_xlsx((FIXTURES / "courses.xlsx").read_bytes()).records[0]
    offering, issues = normalise_record(
        record.fields,
        NormaliseContext(provider_id="p", default_currency="NZD", credit_system="NZ_CREDITS"),
    )
    assert offering is not None, issues
    assert offering.credits is not None and offering.credits.value == 15
    assert offering.price is not None and offering.price.amount == 450
    assert str(offering.instances[0].start_date) == "2027-03-01"


def test_rows_stop_at_the_record_limit() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title"])
    for n in range(30):
        sheet.append([f"C{n}", f"Course {n}"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FeedLimitExceeded):
        read_xlsx(buffer.getvalue(), ReadLimits(max_records=10))


def test_truncated_and_damaged_copies_are_read_or_refused() -> None:
    data = (FIXTURES / "courses.xlsx").read_bytes()
    for size in range(0, len(data), max(1, len(data) // 40)):
        read_or_refuse(read_xlsx, data[:size])
    for damaged in damaged_copies([data], seed=12, copies=40, alphabet=bytes(range(256))):
        read_or_refuse(read_xlsx, damaged)


PROFILE = """\
name = "acme-sheet"

[source]
format = "xlsx"
sheet = "Programmes"
header_row = 2

[id]
column = "Code"

[fields.title]
column = "Course name"

[fields.mode]
column = "Delivery"
value_map = { "Zoom" = "online", "Campus" = "in person" }

[fields.price]
template = "{Fee (NZD)} NZD"
"""


def test_a_profile_reads_a_named_sheet_below_a_title_row() -> None:
    result = read_with_profile(
        (FIXTURES / "profile-export.xlsx").read_bytes(), load_profile(PROFILE)
    )
    assert [(r.locator, r.fields) for r in result.records] == [
        (
            "row 3",
            {"id": "A1", "title": "Forklift licence", "mode": "in person", "price": "300 NZD"},
        ),
        ("row 4", {"id": "A2", "title": "First aid", "mode": "online", "price": "120.5 NZD"}),
    ]


def test_a_profile_naming_a_missing_sheet_lists_the_sheets() -> None:
    profile = load_profile(PROFILE.replace('"Programmes"', '"Courses"'))
    with pytest.raises(FeedFormatError, match="Readme, Programmes"):
        read_with_profile((FIXTURES / "profile-export.xlsx").read_bytes(), profile)


def test_sheet_and_delimiter_only_where_they_apply() -> None:
    with pytest.raises(ValueError, match="sheet is for XLSX"):
        load_profile(PROFILE.replace('format = "xlsx"', 'format = "csv"'))
    with pytest.raises(ValueError, match="delimiter is for CSV"):
        load_profile(PROFILE.replace('sheet = "Programmes"', 'delimiter = ";"'))


def test_a_sheet_whose_declared_size_is_wrong_is_read_whole() -> None:
    """openpyxl's own write-only mode declares the sheet as 'A1'; read-only mode trusted
    that and read one column until the reader reset the dimensions."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["id", "title", "credits"])
    sheet.append(["W1", "Written fast", "15 ECTS"])
    buffer = io.BytesIO()
    book.save(buffer)
    records = read_xlsx(buffer.getvalue()).records
    assert [(r.locator, r.fields) for r in records] == [
        ("row 2", {"id": "W1", "title": "Written fast", "credits": "15 ECTS"})
    ]
