"""A large feed is validated in a worker process (issue 13, part 3: a 60 s parse must not
hold the web process's interpreter lock), and the report is the same as the in-process one."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.synthetic import synthetic_csv
from catalogue.ingest import OFF_PROCESS_BYTES
from microcred.services import build_services


def large_feed_with_faults() -> bytes:
    rows = synthetic_csv(10_500).decode().splitlines()
    # Two records the normaliser rejects, so the issues travel back from the worker too.
    rows[5] = rows[5].replace("SYN-", "", 1)
    rows.append(",no id here" + "," * (rows[0].count(",") - 1))
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.sqlite_only("where the feed is checked does not depend on the database")
@pytest.mark.timeout(240)
def test_a_large_feed_is_checked_in_a_worker_with_the_same_report(settings, provider):
    feed = large_feed_with_faults()
    assert len(feed) >= OFF_PROCESS_BYTES
    in_process = build_services(settings.model_copy(update={"normalise_workers": 1}))
    off_process = build_services(settings.model_copy(update={"normalise_workers": 2}))
    try:
        # Something to compare with: the first 500 records are already in the catalogue.
        in_process.import_feed(
            provider.id, b"\n".join(feed.split(b"\n")[:501]) + b"\n", format="csv"
        )
        here = in_process.ingest.validate(provider.id, feed, format="csv")
        assert in_process.ingest._pool is None
        there = off_process.ingest.validate(provider.id, feed, format="csv")
        assert off_process.ingest._pool is not None, "the large feed was checked in-process"
    finally:
        in_process.close()
        off_process.close()
    assert here.status == "dry_run" and here.unchanged == 500 and here.rejected >= 1
    assert here.created == here.accepted - 500
    assert dataclasses.asdict(there) == dataclasses.asdict(here)
