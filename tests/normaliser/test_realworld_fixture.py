"""The real-world provider feed fixture stays consistent with its expectations and the format.

tests/fixtures/realworld/provider-feed.csv is read end to end elsewhere; these checks keep the
fixture itself honest: it is valid feed format v1, every row is either expected or a known
bad row, every expected path exists in the schema, and it uses every example value the
published format lists.
"""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from normaliser.readers.feed_v1 import FEED_V1_FIELDS, read_feed_v1_csv
from normaliser.schema import Offering

REALWORLD = Path(__file__).resolve().parent.parent / "fixtures" / "realworld"
FEED = REALWORLD / "provider-feed.csv"
EXPECTED = json.loads((REALWORLD / "provider-feed.expected.json").read_text(encoding="utf-8"))
SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "feed-format-v1.md"


def _records():
    return read_feed_v1_csv(FEED.read_bytes()).records


def test_feed_reads_cleanly() -> None:
    result = read_feed_v1_csv(FEED.read_bytes())
    assert len(result.records) == 25
    assert not result.issues
    assert not any(record.issues for record in result.records)


def test_every_row_is_expected_or_a_known_bad_row() -> None:
    ids = [record.record_id for record in _records()]
    bad_ids = [row["id"] for row in EXPECTED["bad_rows"]]
    assert len(set(ids)) == len(ids)
    assert set(EXPECTED["offerings"]).isdisjoint(bad_ids)
    assert sorted(ids) == sorted([*EXPECTED["offerings"], *bad_ids])
    assert all(row["field"] in FEED_V1_FIELDS for row in EXPECTED["bad_rows"])


def _unwrap_optional(annotation: object) -> object:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _schema_has_path(path: str) -> bool:
    current: object = Offering
    for segment in path.split("."):
        current = _unwrap_optional(current)
        if segment.isdigit():
            if get_origin(current) is not list:
                return False
            current = get_args(current)[0]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        if segment not in current.model_fields:
            return False
        current = current.model_fields[segment].annotation
    return True


@pytest.mark.parametrize("offering_id", sorted(EXPECTED["offerings"]))
def test_expected_paths_exist_in_the_schema(offering_id: str) -> None:
    unknown = [path for path in EXPECTED["offerings"][offering_id] if not _schema_has_path(path)]
    assert not unknown


def test_feed_uses_every_example_of_the_published_format() -> None:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not in this checkout (shared/ sits beside the repo in CI)")
    examples: set[str] = set()
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            examples.update(re.findall(r"`([^`]+)`", cells[2]))
    # Field names mentioned in the examples ("`5` with `level_framework`") and the list
    # separator ("separated by `;`") are not values.
    examples -= set(FEED_V1_FIELDS) | {"...", ";"}
    values = {value for record in _records() for value in record.fields.values()}
    assert examples, "no examples found: has the table layout of the format changed?"
    assert not sorted(examples - values)
