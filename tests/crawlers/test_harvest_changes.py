"""One microcred harvests another: two real instances (uvicorn on loopback ports), the second
registering the first's /v1/changes as a pull source of format `microcred-changes`, through
its own provider API. After creates, updates and withdrawals on the first, the second holds
the same active offerings with the same normalised values."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from catalogue.sources import SourceStore
from crawlers.harvest import harvest_changes
from crawlers.pull import pull_source
from microcred.scheduler import build_fetcher
from microcred.services import Services, build_services
from microcred.settings import Settings
from microcred.web import create_web_app
from normaliser.schema import Provider

HEADER = (
    "id,title,description,level,credits,mode,price,duration,start_dates,language,"
    "subject,location,learning_outcomes\n"
)
ROWS = {
    "DS1": 'DS1,Introduction to Data Science,"Python, statistics, charts.",NZQF Level 5,'
    '15 credits,Online (self-paced),"NZ$1,250",6 weeks,2027-03-01,English,0613,Online,'
    "Clean data; Draw charts\n",
    "MR1": "MR1,Te Reo Māori for Beginners,Everyday te reo.,Level 3 NZQF,10 credits,"
    "Face to face,Free,10 weeks,1 March 2027; 1 July 2027,Te Reo Māori,0231,"
    '"Wellington, New Zealand",Greet people\n',
    "DF1": "DF1,Sustainable Dairy Farming,Pasture and effluent.,NZQF Level 4,20 credits,"
    'Blended,NZ$900 incl. GST,12 weeks,2027-04-01,English,0811,"Hamilton, New Zealand",\n',
}
COMPARED = (
    "title",
    "description",
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
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(services: Services) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(
            create_web_app(services), host="127.0.0.1", port=_free_port(), log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture
def instances(tmp_path, make_catalogue_url) -> Iterator[tuple[Services, Services]]:
    first = build_services(
        Settings(
            data_dir=tmp_path / "first", reference_currency="EUR", database_url=make_catalogue_url()
        )
    )
    second = build_services(
        Settings(
            data_dir=tmp_path / "second",
            reference_currency="EUR",
            database_url=make_catalogue_url(),
            allow_private_feeds=True,
        )
    )  # the first is on loopback
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _without_derived(value):
    """A value as compared across instances: what the provider wrote (`raw`) differs by
    design, the harvested record being written in canonical words."""
    if isinstance(value, dict):
        return {k: _without_derived(v) for k, v in value.items() if k != "raw"}
    if isinstance(value, list):
        return [_without_derived(v) for v in value]
    return value


def active(services: Services, *, key: str) -> dict[str, dict]:
    with services.catalogue.engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM offerings WHERE status = 'active'")).scalars()
        found = services.catalogue.get_offerings(list(ids))
    out = {}
    for offering in found.values():
        dumped = offering.model_dump(mode="json")
        out[offering.id if key == "id" else offering.provider_offering_id] = {
            name: _without_derived(dumped[name]) for name in COMPARED
        }
    return out


def harvest(second: Services, source, **options) -> str:
    sources = SourceStore(second.catalogue)
    if options:
        outcome = harvest_changes(
            source, fetcher=build_fetcher(second), sources=sources, ingest=second.ingest, **options
        )
    else:
        outcome = pull_source(
            source, fetcher=build_fetcher(second), sources=sources, ingest=second.ingest
        )
    if outcome.submission_id is not None:
        report = second.ingest.process(outcome.submission_id)
        assert report.status == "applied", (report.error, report.issues)
        second.indexer.drain()  # what the second's submission worker does after applying
    return outcome.outcome


@pytest.mark.timeout(120)  # two servers and four harvests; a few seconds when well
def test_a_second_instance_mirrors_the_first_through_its_changes_feed(instances):
    first, second = instances
    teawa = Provider(
        id="te-awa", name="Te Awa Institute of Technology", country="NZ", default_currency="NZD"
    )
    first.catalogue.upsert_provider(
        teawa, default_language="en", level_framework="NZQF", credit_system="NZ_CREDITS"
    )
    first.import_feed(teawa.id, (HEADER + ROWS["DS1"] + ROWS["MR1"]).encode(), format="csv")

    mirror = Provider(
        id="nz-marketplace", name="New Zealand micro-credentials marketplace", country="NZ"
    )
    second.catalogue.upsert_provider(mirror)
    key = second.keys.create("provider", provider_id=mirror.id).secret
    with serving(first) as first_url, serving(second) as second_url:
        registered = httpx.put(
            f"{second_url}/v1/providers/{mirror.id}/sources/nz",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "url": f"{first_url}/v1/changes",
                "format": "microcred-changes",
                "mode": "delta",
                "schedule": {"interval_minutes": 60},
            },
            timeout=30,
        )
        assert registered.status_code == 201, registered.text
        source = SourceStore(second.catalogue).get_pull_source(mirror.id, "nz")

        assert harvest(second, source) == "fetched"
        assert active(second, key="poid") == active(first, key="id")
        assert len(active(second, key="poid")) == 2

        # Nothing new: the next pull stores nothing.
        assert harvest(second, source) == "unchanged"

        # On the first: an update (DS1's price), a create (DF1), then a withdrawal by a
        # snapshot that leaves MR1 out, and one through the provider API (DF1 again, later).
        first.import_feed(
            teawa.id,
            (
                HEADER + ROWS["DS1"].replace("NZ$1,250", "NZ$1,400") + ROWS["MR1"] + ROWS["DF1"]
            ).encode(),
            format="csv",
        )
        first.import_feed(
            teawa.id,
            (HEADER + ROWS["DS1"].replace("NZ$1,250", "NZ$1,400") + ROWS["DF1"]).encode(),
            format="csv",
        )
        # Paged one change at a time, to follow `has_more` across pages.
        assert harvest(second, source, page_size=1) == "fetched"
        assert active(second, key="poid") == active(first, key="id")
        [ds1] = [
            o
            for o in active(second, key="poid").values()
            if o["title"] == "Introduction to Data Science"
        ]
        assert ds1["price"]["amount"] == 1400 and ds1["price"]["currency"] == "NZD"

        df1 = first.ingest.withdraw_offering(teawa.id, "DF1")
        assert harvest(second, source) == "fetched"
        mirrored = active(second, key="poid")
        assert mirrored == active(first, key="id")
        assert set(mirrored) == {i for i in active(first, key="id")} and df1 not in mirrored
        assert len(mirrored) == 1

        # The harvested offering's page and search on the second show it.
        hits = httpx.get(f"{second_url}/v1/search", params={"q": "data science"}).json()
        assert hits["total"] == 1
        runs = httpx.get(
            f"{second_url}/v1/providers/{mirror.id}/pulls",
            headers={"Authorization": f"Bearer {key}"},
        ).json()
        assert [r["outcome"] for r in runs["pulls"]][:2] == ["fetched", "fetched"]
