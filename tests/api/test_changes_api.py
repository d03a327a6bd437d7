"""GET /v1/changes: offerings created, updated and withdrawn since a cursor, in commit order,
resumable, and numbered so that concurrent writers cannot commit out of order."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from catalogue.changes import number_changes
from microcred.web import create_web_app

HEADER = "id,title,description,mode,price,duration\n"


def feed(*rows: str) -> bytes:
    return (
        HEADER + "".join(f"{r},Course {r},About {r}.,Online,NZ$100,10 hours\n" for r in rows)
    ).encode()


@pytest.fixture
def client(services, provider) -> TestClient:
    return TestClient(create_web_app(services, background=False))


def everything(client: TestClient, since: str = "0", limit: int = 2) -> tuple[list[dict], str]:
    """Every change after `since`, page by page; the cursor at the end."""
    out = []
    while True:
        body = client.get("/v1/changes", params={"since": since, "limit": limit}).json()
        out += body["changes"]
        since = body["next_cursor"]
        if not body["has_more"]:
            return out, since


def test_creates_updates_and_withdrawals_come_in_order_and_resume(client, services, provider):
    services.import_feed(provider.id, feed("A", "B", "C"), format="csv")
    first, cursor = everything(client)
    assert [c["change"] for c in first] == ["created"] * 3
    assert sorted(c["offering"]["provider_offering_id"] for c in first) == ["A", "B", "C"]
    seqs = [c["seq"] for c in first]
    assert seqs == sorted(seqs) and cursor == str(seqs[-1])
    for change in first:
        assert change["offering"]["id"] == change["id"]
        assert change["links"] == {
            "json": f"/v1/offerings/{change['id']}",
            "elm": f"/v1/offerings/{change['id']}?format=elm",
            "page": f"/offerings/{change['id']}",
        }

    nothing = client.get("/v1/changes", params={"since": cursor}).json()
    assert nothing == {"changes": [], "next_cursor": cursor, "has_more": False}

    # B changes, C is left out of a snapshot (withdrawn), D is new.
    services.import_feed(
        provider.id,
        HEADER.encode()
        + feed("A", "D")[len(HEADER) :]
        + b"B,Course B renamed,About B.,Online,NZ$100,10 hours\n",
        format="csv",
    )
    second, cursor2 = everything(client, cursor)
    by_poid = {c["offering"]["provider_offering_id"]: c for c in second}
    assert {k: v["change"] for k, v in by_poid.items()} == {
        "B": "updated",
        "C": "withdrawn",
        "D": "created",
    }
    assert by_poid["B"]["offering"]["title"] == "Course B renamed"
    assert by_poid["C"]["offering"]["provenance"]["status"] == "withdrawn"
    assert int(cursor2) > int(cursor)

    # From the start, each offering comes once, at its newest change.
    all_changes, _ = everything(client, "0", limit=100)
    assert len(all_changes) == 4
    assert [c["seq"] for c in all_changes] == sorted(c["seq"] for c in all_changes)
    assert all_changes[-1]["seq"] == int(cursor2)


def test_a_withdrawal_by_the_provider_api_is_a_change(client, services, provider):
    services.import_feed(provider.id, feed("A"), format="csv")
    _, cursor = everything(client)
    offering_id = services.ingest.withdraw_offering(provider.id, "A")
    changes, _ = everything(client, cursor)
    assert [(c["id"], c["change"]) for c in changes] == [(offering_id, "withdrawn")]


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "9" * 20])
def test_a_cursor_this_feed_did_not_give_is_refused_naming_it(client, since):
    response = client.get("/v1/changes", params={"since": since})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "since"


def test_the_feed_is_in_the_openapi_description(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/changes"]["get"]
    assert operation["tags"] == ["federation"]
    assert "commit order" in operation["description"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ChangesOut")
    change = schema["components"]["schemas"]["ChangeOut"]
    assert change["properties"]["change"]["enum"] == ["created", "updated", "withdrawn"]


@pytest.mark.postgresql_only("row locks held to commit are what order the numbers")
def test_change_numbers_are_handed_out_in_commit_order(services):
    """A writer that numbers its changes while another transaction holds numbers it has not
    committed waits for that commit, and gets the next numbers after it: no harvester can
    read a higher number while a lower one is still to come."""
    engine = services.catalogue.engine
    first = engine.connect()
    transaction = first.begin()
    mine = [{}]
    number_changes(first, mine)
    theirs: list[dict] = [{}, {}]
    done = threading.Event()

    def second_writer() -> None:
        with engine.begin() as conn:
            number_changes(conn, theirs)
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    try:
        time.sleep(0.5)
        assert not done.is_set(), (
            "the second writer numbered its changes before the first committed"
        )
        transaction.commit()
        thread.join(10)
        assert done.is_set()
        assert [c["change_seq"] for c in theirs] == [
            mine[0]["change_seq"] + 1,
            mine[0]["change_seq"] + 2,
        ]
    finally:
        first.close()
        thread.join(10)


def test_a_rolled_back_change_leaves_no_gap(services):
    engine = services.catalogue.engine
    with engine.connect() as conn:
        transaction = conn.begin()
        lost = [{}]
        number_changes(conn, lost)
        transaction.rollback()
    kept = [{}]
    with engine.begin() as conn:
        number_changes(conn, kept)
    assert kept[0]["change_seq"] == lost[0]["change_seq"]
