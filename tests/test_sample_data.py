"""The bundled sample data: generated deterministically, committed as generated, and readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred.sample_data import generate
from normaliser.readers.feed_v1 import read_feed_v1
from normaliser.schema import Provider

SAMPLE_DIR = Path(generate.__file__).resolve().parent
PROVIDERS = json.loads((SAMPLE_DIR / "providers.json").read_text(encoding="utf-8"))
PROVIDER_IDS = [entry["id"] for entry in PROVIDERS]


def test_committed_files_are_exactly_what_the_generator_writes() -> None:
    stale = [
        name
        for name, content in generate.generated_files().items()
        if not (SAMPLE_DIR / name).is_file() or (SAMPLE_DIR / name).read_bytes() != content
    ]
    assert not stale, f"run `python -m microcred.sample_data.generate`; stale: {stale}"


def test_generator_is_deterministic() -> None:
    assert generate.generated_files() == generate.generated_files()


@pytest.mark.parametrize("entry", PROVIDERS, ids=PROVIDER_IDS)
def test_provider_entry_is_complete(entry: dict) -> None:
    Provider(
        id=entry["id"],
        name=entry["name"],
        country=entry["country"],
        url=entry["url"],
        default_currency=entry["default_currency"],
    )
    assert entry["url"].startswith("https://") and ".example." in entry["url"]
    assert len(entry["default_language"]) == 2
    assert entry["format"] in ("csv", "json")
    assert (SAMPLE_DIR / entry["feed"]).is_file()


@pytest.mark.parametrize("entry", PROVIDERS, ids=PROVIDER_IDS)
def test_feed_reads_with_unique_ids_and_titles(entry: dict) -> None:
    result = read_feed_v1((SAMPLE_DIR / entry["feed"]).read_bytes(), entry["format"])
    assert 60 <= len(result.records) <= 90
    ids = [record.record_id for record in result.records]
    assert all(ids) and len(set(ids)) == len(ids)
    titles = [record.fields["title"] for record in result.records if record.fields.get("title")]
    assert len(set(titles)) == len(titles)
    assert not any(record.issues for record in result.records)


def test_sample_is_big_and_has_exactly_two_untitled_rows() -> None:
    records = [
        record
        for entry in PROVIDERS
        for record in read_feed_v1(
            (SAMPLE_DIR / entry["feed"]).read_bytes(), entry["format"]
        ).records
    ]
    assert len(records) >= 400
    assert len(PROVIDERS) >= 6
    assert len([record for record in records if not record.fields.get("title")]) == 2


def test_countries_and_formats_are_mixed() -> None:
    assert {entry["country"] for entry in PROVIDERS} >= {"NZ", "AU", "IE", "GB", "US"}
    assert {entry["format"] for entry in PROVIDERS} == {"csv", "json"}
