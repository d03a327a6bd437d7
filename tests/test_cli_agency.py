"""`microcred quality` and `microcred duplicates`, in a child process as an operator runs
them, on a catalogue in a fresh data directory."""

from __future__ import annotations

import json

from microcred.services import build_services
from microcred.settings import Settings
from tests.agency_data import load_duplicate_pair, store_offerings
from tests.search.corpus import corpus
from tests.test_cli import run


def _catalogue(tmp_path) -> None:
    services = build_services(Settings(data_dir=tmp_path))
    try:
        store_offerings(services, corpus())
        load_duplicate_pair(services)
        services.indexer.drain()
    finally:
        services.close()


def test_quality_for_one_provider_and_as_json(tmp_path):
    _catalogue(tmp_path)
    text = run(tmp_path, "quality", "--provider", "te-awa", "--stale-days", "7")
    assert text.returncode == 0, text.stderr
    assert "te-awa (Te Awa Institute of Technology): 4 active offerings" in text.stdout
    assert "Annex I mandatory: title 100%" in text.stdout
    assert "not seen for 7 days: 4 (100%)" in text.stdout
    as_json = run(tmp_path, "quality", "--json")
    reports = {r["provider_id"]: r for r in json.loads(as_json.stdout)}
    assert reports["edx"]["active_offerings"] == 3  # a duplicate listing is still edX's data
    unknown = run(tmp_path, "quality", "--provider", "nobody")
    assert unknown.returncode == 1 and "No provider 'nobody'" in unknown.stderr


def test_duplicates_detect_and_list(tmp_path):
    _catalogue(tmp_path)
    detected = run(tmp_path, "duplicates", "detect")
    assert detected.returncode == 0, detected.stderr
    assert "1 duplicate links" in detected.stdout
    listed = run(tmp_path, "duplicates", "list")
    assert "harvard <-" in listed.stdout and "edx [title, institution" in listed.stdout
