"""The `microcred-changes` reader: another microcred's /v1/changes page as records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError
from normaliser.readers.registry import detect_format, read_feed
from tests.golden import mismatches, read_as_golden

FIXTURES = Path(__file__).parent.parent / "fixtures" / "microcred_changes"


def read(data: bytes):
    return read_feed(data, "microcred-changes")


def test_golden_page():
    data = (FIXTURES / "page.json").read_bytes()
    expected = json.loads((FIXTURES / "page.expected.json").read_text(encoding="utf-8"))
    actual = read_as_golden(read, data) | {"withdrawn_ids": read(data).withdrawn_ids}
    assert mismatches(expected, actual) == []
    assert actual == expected  # nothing emitted that the expected file does not check


def test_detected_from_the_bytes():
    assert detect_format((FIXTURES / "page.json").read_bytes()) == "microcred-changes"
    assert (
        detect_format(b'{"changes": [], "next_cursor": "0", "has_more": false}')
        == "microcred-changes"
    )


def test_a_record_normalises_to_the_values_it_was_written_from():
    page = json.loads((FIXTURES / "page.json").read_bytes())
    given = page["changes"][0]["offering"]
    [record] = read((FIXTURES / "page.json").read_bytes()).records
    offering, issues = normalise_record(
        record.fields, NormaliseContext(provider_id="mirror"), record.instances
    )
    assert [i for i in issues if i.severity == "error"] == []
    got = offering.model_dump(mode="json")
    assert got["level"]["framework"] == "NZQF" and got["level"]["value"] == "5"
    assert got["level"]["eqf"] == given["level"]["eqf"]
    assert got["credits"]["value"] == 15 and got["credits"]["system"] == "NZ_CREDITS"
    assert (got["mode"], got["pace"]) == ("online", "self_paced")
    for name in ("amount", "currency", "includes_tax", "audience", "is_free"):
        assert got["price"][name] == given["price"][name], name
    for name in ("weeks", "hours_per_week", "part_time"):
        assert got["duration"][name] == given["duration"][name], name
    assert got["languages"] == ["en", "mi"] and got["subject"]["isced"] == ["0613"]
    assert got["instances"][0]["price"]["is_free"] is True
    assert got["instances"][0]["start_date"] == "2027-03-01"
    assert got["learning_outcomes"] == given["learning_outcomes"]


@pytest.mark.parametrize("data", [b'{"changes": {}}', b'[{"changes": []}]', b'{"changes": 1}'])
def test_not_a_changes_page_is_refused_whole(data):
    with pytest.raises(FeedFormatError, match="changes"):
        read(data)
