"""The changes feed under concurrent writers: a harvester that pages through it while several
providers' feeds are applied at once, and resumes from its cursor each time, ends with every
offering at its current version, and never sees a change number below its cursor."""

from __future__ import annotations

import ast
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from catalogue.changes import ChangesFeed
from microcred.sample import load_sample_data
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.registry import read_feed
from normaliser.schema import Provider

WRITERS = 4
ROUNDS = 6
COMPARED = (
    "title",
    "description",
    "url",
    "level",
    "credits",
    "mode",
    "pace",
    "price",
    "duration",
    "subject",
    "languages",
    "places",
    "instances",
    "learning_outcomes",
    "assessment",
    "prerequisites",
    "credential_type",
    "quality_assurance",
    "stackable_into",
)


def feed(provider: int, round_: int) -> bytes:
    # Each round changes every title and drops one offering (withdrawn by the snapshot).
    rows = [
        f"P{provider}-{n},Course {n} round {round_},About it.,Online,NZ$100,10 hours\n"
        for n in range(5)
        if n != round_ % 5
    ]
    return ("id,title,description,mode,price,duration\n" + "".join(rows)).encode()


@pytest.mark.timeout(240)  # a few hundred small ingests on two cores shared with others
def test_a_harvester_paging_during_concurrent_writes_misses_nothing(services):
    for number in range(WRITERS):
        services.catalogue.upsert_provider(Provider(id=f"p{number}", name=f"Provider {number}"))
    changes = ChangesFeed(services.catalogue)
    mirror: dict[str, tuple[int, str]] = {}
    seen: list[int] = []
    cursor = "0"
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            for round_ in range(ROUNDS):
                report = services.ingest.submit(
                    f"p{number}", feed(number, round_), format="csv", confirm_withdrawals=True
                )
                assert report.status == "applied", report.error
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    def harvest_once() -> None:
        nonlocal cursor
        while True:
            page = changes.page(cursor, limit=3)
            for change in page.changes:
                assert change.seq > int(cursor)
                seen.append(change.seq)
                mirror[change.offering_id] = (change.version, change.offering.provenance.status)
            cursor = page.next_cursor
            if not page.has_more:
                return

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in writers:
        thread.start()
    while any(t.is_alive() for t in writers):
        harvest_once()
    for thread in writers:
        thread.join()
    assert errors == []
    harvest_once()

    with services.catalogue.engine.connect() as conn:
        current = {
            row.id: (row.version, row.status)
            for row in conn.execute(text("SELECT id, version, status FROM offerings"))
        }
    assert mirror == current
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(current) == WRITERS * 5


def _compared(value):
    """What a harvest must carry over: every normalised value. `raw` (the words the record
    was written in) and the reference-currency amount (the harvester's own rate table and
    currency) are the harvester's, by design."""
    if isinstance(value, dict):
        return {
            k: _compared(v)
            for k, v in value.items()
            if k not in ("raw", "amount_ref", "ref_currency", "rate_date")
        }
    if isinstance(value, list):
        return [_compared(v) for v in value]
    return value


def test_every_sample_offering_reads_back_from_the_feed_with_the_same_values(services):
    """The changes feed of the whole sample catalogue, read by the microcred-changes reader
    and normalised with no provider defaults at all, gives back every offering's values."""
    load_sample_data(services)
    page = ChangesFeed(services.catalogue).page("0", limit=10_000)
    document = json.dumps(
        {
            "changes": [
                {
                    "seq": c.seq,
                    "change": c.change,
                    "id": c.offering_id,
                    "offering": c.offering.model_dump(mode="json"),
                }
                for c in page.changes
            ]
        }
    ).encode()
    records = read_feed(document, "microcred-changes").records
    assert len(records) == len(page.changes) > 400
    originals = {c.offering_id: c.offering.model_dump(mode="json") for c in page.changes}
    for record in records:
        offering, _issues = normalise_record(
            record.fields, NormaliseContext(provider_id="m"), record.instances
        )
        assert offering is not None, record.fields
        got, given = offering.model_dump(mode="json"), originals[record.record_id]
        for name in COMPARED:
            assert _compared(got[name]) == _compared(given[name]), (record.record_id, name)


def test_a_delta_applies_the_withdrawals_a_changes_feed_names(services):
    """Withdrawals named by the feed are applied even when they are most of the provider's
    offerings (the snapshot guard is for feeds that leave offerings out by accident), and
    only those named are withdrawn."""
    services.catalogue.upsert_provider(Provider(id="mirror", name="Mirror"))
    item = {"id": "X", "change": "created", "offering": {"title": "Course X"}}
    page = {
        "changes": [
            item,
            {**item, "id": "Y", "offering": {"title": "Course Y"}},
            {**item, "id": "Z", "offering": {"title": "Course Z"}},
        ]
    }
    report = services.ingest.submit("mirror", json.dumps(page).encode(), mode="delta")
    assert report.status == "applied" and report.created == 3
    withdrawals = {
        "changes": [
            {**item, "id": "X", "change": "withdrawn"},
            {**item, "id": "Y", "change": "withdrawn"},
        ]
    }
    report = services.ingest.submit("mirror", json.dumps(withdrawals).encode(), mode="delta")
    assert report.status == "applied", report.error
    assert sorted(report.withdrawn_ids) == ["X", "Y"] and report.created == 0
    with services.catalogue.engine.connect() as conn:
        status = dict(
            conn.execute(
                text(
                    "SELECT provider_offering_id, status FROM offerings "
                    "WHERE provider_id = 'mirror'"
                )
            ).all()
        )
    assert status == {"X": "withdrawn", "Y": "withdrawn", "Z": "active"}


def test_every_writer_of_versions_numbers_its_changes():
    """A version inserted without a change number would never reach a harvester: every
    function of ours that inserts versions also numbers them (catalogue.changes)."""
    root = Path(__file__).resolve().parents[2]
    writers, unnumbered = [], []
    for path in sorted((root / "catalogue").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            source = ast.unparse(node)
            if "insert(OfferingVersionRow)" in source:
                writers.append(f"{path.name}:{node.name}")
                if "number_changes(" not in source:
                    unnumbered.append(f"{path.name}:{node.name}")
    assert len(writers) >= 3
    assert unnumbered == []
