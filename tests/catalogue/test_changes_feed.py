"""The changes feed under concurrent writers: a harvester that pages through it while several
providers' feeds are applied at once, and resumes from its cursor each time, ends with every
offering at its current version, and never sees a change number below its cursor."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from catalogue.changes import ChangesFeed
from normaliser.schema import Provider

WRITERS = 4
ROUNDS = 6


def feed(provider: int, round_: int) -> bytes:
    # Each round changes every title and drops one offering (withdrawn by the snapshot).
    rows = [f"P{provider}-{n},Course {n} round {round_},About it.,Online,NZ$100,10 hours\n"
            for n in range(5) if n != round_ % 5]
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
                report = services.ingest.submit(f"p{number}", feed(number, round_),
                                                format="csv", confirm_withdrawals=True)
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
        current = {row.id: (row.version, row.status) for row in conn.execute(
            text("SELECT id, version, status FROM offerings"))}
    assert mirror == current
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(current) == WRITERS * 5
