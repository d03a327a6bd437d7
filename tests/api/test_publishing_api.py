"""Provider publishing over HTTP: keys, push, dry run, reports, held snapshots, withdrawals,
pull sources and history, on a real catalogue with the real background worker."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from catalogue.models import OfferingRow, SubmissionRow
from microcred.web import create_web_app
from normaliser.schema import Provider

HEADER = "id,title,level,credits,mode,price,duration\n"


def feed(*ids: str, bad: str | None = None) -> bytes:
    rows = [f"{i},Course {i},NZQF Level 5,15 credits,Online,NZ$100,6 weeks\n" for i in ids]
    if bad:
        rows.append(f"{bad},,NZQF Level 5,15 credits,Online,NZ$100,6 weeks\n")  # no title
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def other_provider(services) -> Provider:
    other = Provider(id="lir", name="Limerick Institute", country="IE", default_currency="EUR")
    services.catalogue.upsert_provider(other)
    return other


@pytest.fixture
def keys(services, provider, other_provider) -> dict[str, str]:
    return {
        "own": services.keys.create("provider", provider_id=provider.id).secret,
        "other": services.keys.create("provider", provider_id=other_provider.id).secret,
        "agency": services.keys.create("agency", label="Ministry").secret,
        "admin": services.keys.create("admin").secret,
    }


@pytest.fixture
def client(services):
    with TestClient(create_web_app(services)) as test_client:  # starts the worker
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def push(client, provider_id, key, body: bytes, *, wait=True, **params):
    headers = auth(key) | {"Content-Type": params.pop("content_type", "text/csv")}
    headers |= params.pop("headers", {})
    response = client.post(
        f"/v1/providers/{provider_id}/submissions", content=body, headers=headers, params=params
    )
    if wait and response.status_code == 202:
        assert client.app_state_worker.wait_until_idle(20)
    return response


@pytest.fixture(autouse=True)
def _worker_handle(client, services):
    client.app_state_worker = services.worker


def count(services, model, *where) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def report(client, provider_id, key, submission_id) -> dict:
    response = client.get(
        f"/v1/providers/{provider_id}/submissions/{submission_id}", headers=auth(key)
    )
    assert response.status_code == 200, response.text
    return response.json()


# --- push, report, search ------------------------------------------------------------


def test_push_is_stored_answered_202_and_becomes_searchable(client, services, provider, keys):
    response = push(client, provider.id, keys["own"], feed("A1", "A2", bad="A3"))
    assert response.status_code == 202, response.text
    body = response.json()
    assert response.headers["Location"] == body["links"]["self"]
    status = report(client, provider.id, keys["own"], body["id"])
    assert status["status"] == "applied"
    counts = {k: status["report"][k] for k in ("records", "accepted", "rejected", "created")}
    assert counts == {"records": 3, "accepted": 2, "rejected": 1, "created": 2}
    [error] = [i for i in status["report"]["issues"] if i["severity"] == "error"]
    assert (error["locator"], error["record_id"], error["field"]) == ("line 4", "A3", "title")
    hits = client.get("/v1/search", params={"provider": provider.id}).json()
    assert sorted(h["provider_offering_id"] for h in hits["hits"]) == ["A1", "A2"]


def test_format_comes_from_the_parameter_or_the_content_type(client, provider, keys):
    as_json = json.dumps([{"id": "J1", "title": "Json course"}]).encode()
    response = push(
        client, provider.id, keys["own"], as_json, content_type="application/json", mode="delta"
    )
    assert report(client, provider.id, keys["own"], response.json()["id"])["report"]["created"] == 1
    response = push(client, provider.id, keys["own"], as_json, format="nonsense")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "format"
    assert "xcri-cap" in response.json()["error"]["message"]


def test_a_malformed_feed_fails_with_its_position_and_changes_nothing(
    client, services, provider, keys
):
    push(client, provider.id, keys["own"], feed("A1", "A2"))
    before = count(services, OfferingRow, OfferingRow.status == "active")
    response = push(client, provider.id, keys["own"], b'id,title\nX1,"unterminated\n')
    status = report(client, provider.id, keys["own"], response.json()["id"])
    assert status["status"] == "failed"
    assert "line 2" in status["report"]["error"]
    assert count(services, OfferingRow, OfferingRow.status == "active") == before == 2


def test_idempotency_key_replays_the_same_submission_and_refuses_a_different_body(
    client, services, provider, keys
):
    first = push(client, provider.id, keys["own"], feed("A1"), headers={"Idempotency-Key": "k-1"})
    again = push(client, provider.id, keys["own"], feed("A1"), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    clash = push(client, provider.id, keys["own"], feed("A2"), headers={"Idempotency-Key": "k-1"})
    assert clash.status_code == 409 and "different body" in clash.json()["error"]["message"]
    assert count(services, SubmissionRow) == 1


def test_validate_is_a_dry_run_that_stores_nothing(client, services, provider, keys):
    push(client, provider.id, keys["own"], feed("A1", "A2"))
    submissions_before = count(services, SubmissionRow)
    response = client.post(
        f"/v1/providers/{provider.id}/validate",
        content=feed("A2", "A3", bad="A4"),
        headers=auth(keys["own"]) | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "dry_run"
    assert (body["created"], body["unchanged"], body["withdrawn"], body["rejected"]) == (1, 1, 1, 1)
    assert body["withdrawn_ids"] == ["A1"]
    assert count(services, SubmissionRow) == submissions_before
    assert count(services, OfferingRow, OfferingRow.status == "active") == 2


def test_a_body_over_the_limit_is_refused_with_413_and_not_stored(client, services, provider, keys):
    services.ingest.max_feed_bytes = 2048
    response = push(client, provider.id, keys["own"], feed(*[f"C{i}" for i in range(200)]))
    assert response.status_code == 413
    assert "2,048" in response.json()["error"]["message"]
    assert count(services, SubmissionRow) == 0


def test_an_empty_body_is_refused(client, provider, keys):
    response = push(client, provider.id, keys["own"], b"")
    assert response.status_code == 400 and response.json()["error"]["field"] == "body"


# --- the withdrawal guard ------------------------------------------------------------


def test_a_snapshot_withdrawing_most_offerings_is_held_until_confirmed(
    client, services, provider, keys
):
    ids = [f"H{i}" for i in range(10)]
    push(client, provider.id, keys["own"], feed(*ids))
    held = push(client, provider.id, keys["own"], feed(*ids[:3])).json()["id"]
    status = report(client, provider.id, keys["own"], held)
    assert status["status"] == "held"
    assert status["report"]["held_withdrawals"] == 7
    assert any("would withdraw 7 of your 10" in i["message"] for i in status["report"]["issues"])
    assert count(services, OfferingRow, OfferingRow.status == "active") == 10

    response = client.post(
        f"/v1/providers/{provider.id}/submissions/{held}/confirm", headers=auth(keys["own"])
    )
    assert response.status_code == 202
    assert services.worker.wait_until_idle(20)
    status = report(client, provider.id, keys["own"], held)
    assert status["status"] == "applied" and status["report"]["withdrawn"] == 7
    assert sorted(status["report"]["withdrawn_ids"]) == sorted(ids[3:])
    assert client.get("/v1/search", params={"provider": provider.id}).json()["total"] == 3


def test_a_held_snapshot_can_be_discarded_and_then_not_confirmed(client, services, provider, keys):
    push(client, provider.id, keys["own"], feed("D1", "D2", "D3"))
    held = push(client, provider.id, keys["own"], feed("D1")).json()["id"]
    base = f"/v1/providers/{provider.id}/submissions/{held}"
    assert client.post(f"{base}/discard", headers=auth(keys["own"])).json()["status"] == "discarded"
    again = client.post(f"{base}/confirm", headers=auth(keys["own"]))
    assert again.status_code == 409
    assert count(services, OfferingRow, OfferingRow.status == "active") == 3


def test_a_small_withdrawal_is_applied_without_confirmation(client, provider, keys):
    push(client, provider.id, keys["own"], feed("S1", "S2", "S3", "S4"))
    response = push(client, provider.id, keys["own"], feed("S1", "S2", "S3"))
    status = report(client, provider.id, keys["own"], response.json()["id"])
    assert (status["status"], status["report"]["withdrawn_ids"]) == ("applied", ["S4"])


# --- withdrawing one offering --------------------------------------------------------


def test_delete_withdraws_one_offering_by_either_id(
    client, services, provider, other_provider, keys
):
    push(client, provider.id, keys["own"], feed("W1", "W2"))
    push(client, other_provider.id, keys["other"], feed("W9"))
    response = client.delete(f"/v1/providers/{provider.id}/offerings/W1", headers=auth(keys["own"]))
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    public_id = response.json()["id"]
    assert client.get(f"/v1/offerings/{public_id}").json()["provenance"]["status"] == "withdrawn"
    assert [
        h["provider_offering_id"]
        for h in client.get("/v1/search", params={"provider": provider.id}).json()["hits"]
    ] == ["W2"]
    again = client.delete(
        f"/v1/providers/{provider.id}/offerings/{public_id}", headers=auth(keys["own"])
    )
    assert again.status_code == 200  # withdrawing twice changes nothing
    # The other provider's offering, asked for under this provider's path: not found.
    missing = client.delete(f"/v1/providers/{provider.id}/offerings/W9", headers=auth(keys["own"]))
    assert missing.status_code == 404
    assert (
        count(
            services,
            OfferingRow,
            OfferingRow.provider_id == other_provider.id,
            OfferingRow.status == "active",
        )
        == 1
    )


# --- keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, message",
    [
        ({}, "needs an API key"),
        ({"Authorization": "Basic abc"}, "Bearer"),
        ({"Authorization": "Bearer nonsense"}, "malformed"),
        ({"Authorization": "Bearer mck_00000000_notarealsecret"}, "not valid"),
    ],
)
def test_requests_without_a_good_key_get_401(client, provider, headers, message):
    response = client.get(f"/v1/providers/{provider.id}/submissions", headers=headers)
    assert response.status_code == 401
    assert message in response.json()["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_keys_stop_working(client, services, provider):
    revoked = services.keys.create("provider", provider_id=provider.id)
    path = f"/v1/providers/{provider.id}/submissions"
    assert client.get(path, headers=auth(revoked.secret)).status_code == 200
    services.keys.revoke(revoked.key.prefix)
    response = client.get(path, headers=auth(revoked.secret))
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]

    expiring = services.keys.create(
        "provider", provider_id=provider.id, expires_in=timedelta(seconds=1)
    )
    from catalogue.accounts import ApiKeyRow

    with services.catalogue.sessions.begin() as session:  # move its expiry into the past
        row = session.get(ApiKeyRow, expiring.key.id)
        row.expires_at = row.created_at - timedelta(seconds=1)
    response = client.get(path, headers=auth(expiring.secret))
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


def test_keys_are_stored_hashed_and_x_api_key_works(client, services, provider, keys):
    from catalogue.accounts import ApiKeyRow

    with services.catalogue.sessions() as session:
        stored = {(row.prefix, row.secret_hash) for row in session.scalars(select(ApiKeyRow))}
    for secret in keys.values():
        assert not any(secret.split("_", 2)[2] in h for _, h in stored)
    me = client.get("/v1/me", headers={"X-API-Key": keys["own"]}).json()
    assert (me["role"], me["provider_id"]) == ("provider", provider.id)


# --- the ownership matrix: every provider route, every kind of wrong key -----------------

ROUTE_CALLS = {
    # (method, path under /v1/providers/{provider_id}): request kwargs
    ("POST", "/submissions"): {
        "content": b"id,title\nX,Y\n",
        "headers": {"Content-Type": "text/csv"},
    },
    ("GET", "/submissions"): {},
    ("GET", "/submissions/{submission_id}"): {},
    ("POST", "/submissions/{submission_id}/confirm"): {},
    ("POST", "/submissions/{submission_id}/discard"): {},
    ("POST", "/validate"): {"content": b"id,title\nX,Y\n", "headers": {"Content-Type": "text/csv"}},
    ("DELETE", "/offerings/{offering_id}"): {},
    ("PUT", "/sources/{source_id}"): {
        "json": {"url": "https://feeds.example.org/a.csv", "schedule": {"interval_minutes": 60}}
    },
    ("GET", "/sources"): {},
    ("GET", "/sources/{source_id}"): {},
    ("DELETE", "/sources/{source_id}"): {},
    ("POST", "/sources/{source_id}/pull"): {},
    ("GET", "/pulls"): {},
    ("PUT", "/crawl-sources/{source_id}"): {
        "json": {"start_urls": ["https://courses.example.org/"]}
    },
    ("GET", "/crawl-sources"): {},
    ("GET", "/crawl-sources/{source_id}"): {},
    ("DELETE", "/crawl-sources/{source_id}"): {},
    ("POST", "/crawl-sources/{source_id}/crawl"): {},
    ("GET", "/crawls"): {},
    ("PUT", "/profiles/{name}"): {
        "content": b'name = "feed"\n[id]\ncolumn = "a"\n[fields.title]\ncolumn = "b"\n'
    },
    ("GET", "/profiles"): {},
    ("GET", "/profiles/{name}"): {},
    ("DELETE", "/profiles/{name}"): {},
}


def provider_routes(app) -> set[tuple[str, str]]:
    prefix = "/v1/providers/{provider_id}"
    return {
        (method.upper(), path[len(prefix) :])
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(prefix)
        for method in operations
    }


def test_the_matrix_covers_every_provider_route(client):
    assert provider_routes(client.app) == set(ROUTE_CALLS)


@pytest.mark.parametrize("who, expected", [("other", 403), ("agency", 403), (None, 401)])
@pytest.mark.parametrize("route", sorted(ROUTE_CALLS))
def test_no_key_but_the_providers_own_or_an_admin_reaches_its_routes(
    client, services, provider, keys, route, who, expected
):
    push(client, provider.id, keys["own"], feed("M1", "M2"))
    submission_id = services.sources.submissions(provider.id)[0]["id"]
    offering_count = count(services, OfferingRow, OfferingRow.status == "active")
    submissions = count(services, SubmissionRow)
    method, path = route
    url = f"/v1/providers/{provider.id}" + path.format(
        submission_id=submission_id, offering_id="M1", source_id="feed", name="feed"
    )
    kwargs = dict(ROUTE_CALLS[route])
    headers = dict(kwargs.pop("headers", {}))
    if who is not None:
        headers |= auth(keys[who])
    response = client.request(method, url, headers=headers, **kwargs)
    assert response.status_code == expected, response.text
    assert count(services, OfferingRow, OfferingRow.status == "active") == offering_count
    assert count(services, SubmissionRow) == submissions


def test_an_admin_key_acts_for_any_provider(client, provider, other_provider, keys):
    for provider_id in (provider.id, other_provider.id):
        response = push(client, provider_id, keys["admin"], feed("Z1"))
        assert response.status_code == 202, response.text
    assert client.get("/v1/search").json()["total"] == 2
    unknown = push(client, "nobody", keys["admin"], feed("Z1"))
    assert unknown.status_code == 404


# --- pull sources and history --------------------------------------------------------------


def test_registering_a_feed_url_refuses_internal_addresses(client, provider, keys):
    for url in (
        "http://127.0.0.1/feed.csv",
        "http://10.1.2.3/feed.csv",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed.csv",
    ):
        response = client.put(
            f"/v1/providers/{provider.id}/sources/main",
            headers=auth(keys["own"]),
            json={"url": url, "schedule": {"interval_minutes": 60}},
        )
        assert response.status_code == 400, url
        assert response.json()["error"]["field"] == "url"
    response = client.put(
        f"/v1/providers/{provider.id}/sources/main",
        headers=auth(keys["own"]),
        json={"url": "ftp://example.org/feed.csv", "schedule": {"interval_minutes": 60}},
    )
    assert response.status_code == 422


def test_schedules_are_validated(client, services, provider, keys):
    base = f"/v1/providers/{provider.id}/sources/main"
    for schedule, parameter in (
        ({"cron": "every day"}, "schedule.cron"),
        ({"interval_minutes": 1}, "schedule.interval_minutes"),
        ({}, "schedule"),
        ({"cron": "0 3 * * *", "interval_minutes": 60}, "schedule"),
    ):
        response = client.put(
            base,
            headers=auth(keys["own"]),
            json={"url": "http://93.184.215.14/feed.csv", "schedule": schedule},
        )
        assert response.status_code == 400, schedule
        assert response.json()["error"]["field"] == parameter


def test_sources_are_registered_listed_changed_and_disabled(client, provider, keys):
    base = f"/v1/providers/{provider.id}/sources"
    body = {
        "url": "http://93.184.215.14/feed.csv",
        "format": "csv",
        "schedule": {"cron": "0 3 * * *"},
    }
    created = client.put(f"{base}/main", headers=auth(keys["own"]), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["schedule"] == {"cron": "0 3 * * *", "interval_minutes": None}
    changed = client.put(
        f"{base}/main",
        headers=auth(keys["own"]),
        json=body | {"schedule": {"interval_minutes": 30}, "mode": "delta"},
    )
    assert changed.status_code == 200 and changed.json()["mode"] == "delta"
    listed = client.get(base, headers=auth(keys["own"])).json()["sources"]
    assert [(s["id"], s["schedule"]["interval_minutes"]) for s in listed] == [("main", 30)]
    assert client.delete(f"{base}/main", headers=auth(keys["own"])).json()["enabled"] is False
    assert client.get(f"{base}/main", headers=auth(keys["own"])).json()["enabled"] is False
    bad_name = client.put(f"{base}/Not Valid", headers=auth(keys["own"]), json=body)
    assert bad_name.status_code == 400 and bad_name.json()["error"]["field"] == "source_id"


def test_history_lists_submissions_newest_first_with_counts(client, provider, keys):
    push(client, provider.id, keys["own"], feed("A1"))
    push(client, provider.id, keys["own"], b"\x00\x01binary")
    items = client.get(
        f"/v1/providers/{provider.id}/submissions", headers=auth(keys["own"])
    ).json()["submissions"]
    assert [i["status"] for i in items] == ["failed", "applied"]
    assert items[1]["counts"]["created"] == 1 and items[1]["channel"] == "push"
    assert items[0]["error"]


# --- hostile bodies ----------------------------------------------------------------------


def test_a_200_mb_body_is_refused_without_being_read(services, provider, keys):
    """Over a real socket (the TestClient buffers whole bodies): the server answers 413 and
    stops reading at the limit, so the client never gets to send most of the 200 MB."""
    import select
    import socket
    import threading

    import uvicorn

    services.ingest.max_feed_bytes = 1024 * 1024
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_web_app(services, background=False),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        sent_mb, answer = 0, b""
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(
                (
                    f"POST /v1/providers/{provider.id}/submissions HTTP/1.1\r\n"
                    f"Host: 127.0.0.1\r\nAuthorization: Bearer {keys['own']}\r\n"
                    "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
                ).encode()
            )
            chunk = b"100000\r\n" + b"x" * 0x100000 + b"\r\n"  # 1 MiB, chunked encoding
            for _ in range(200):  # 200 MiB at most; stop as soon as the server has answered
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break
                try:
                    sock.sendall(chunk)
                except (TimeoutError, OSError):  # the server stopped reading: good
                    break
                sent_mb += 1
            sock.settimeout(10)
            while b"\r\n\r\n" not in answer:
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent_mb < 100, f"the client could send {sent_mb} MiB before the 413"
        # A declared Content-Length over the limit is refused before any of the body is read.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                (
                    f"POST /v1/providers/{provider.id}/submissions HTTP/1.1\r\n"
                    f"Host: 127.0.0.1\r\nAuthorization: Bearer {keys['own']}\r\n"
                    f"Content-Type: text/csv\r\nContent-Length: {200 * 1024 * 1024}\r\n"
                    "\r\nxxxxxxxxxx"
                ).encode()
            )
            assert sock.recv(65536).startswith(b"HTTP/1.1 413")
    finally:
        server.should_exit = True
        thread.join(10)
    assert count(services, SubmissionRow) == 0


def test_too_many_records_fail_the_submission_clearly(client, services, provider, keys):
    from normaliser.readers.base import ReadLimits

    services.ingest.limits = ReadLimits(max_records=5)
    response = push(client, provider.id, keys["own"], feed(*[f"R{i}" for i in range(10)]))
    status = report(client, provider.id, keys["own"], response.json()["id"])
    assert status["status"] == "failed" and "more than 5 records" in status["report"]["error"]
    assert count(services, OfferingRow) == 0


@pytest.mark.parametrize(
    "name, body",
    [
        (
            "billion laughs",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<catalog xmlns="http://xcri.org/profiles/1.2/catalog"><course>&lol2;</course></catalog>',
        ),
        (
            "external entity",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<catalog xmlns="http://xcri.org/profiles/1.2/catalog"><course>&xxe;</course></catalog>',
        ),
        (
            "truncated",
            b'<?xml version="1.0"?><catalog xmlns="http://xcri.org/profiles/1.2/catalog"><course><dc:title',
        ),
        ("utf-16 without bom", "id,title\nU1,Ūnicode\n".encode("utf-16-le")),
    ],
)
def test_hostile_feeds_are_refused_and_change_nothing(client, services, provider, keys, name, body):
    push(client, provider.id, keys["own"], feed("K1"))
    response = push(
        client,
        provider.id,
        keys["own"],
        body,
        content_type="application/xml" if body.startswith(b"<") else "text/csv",
    )
    status = report(client, provider.id, keys["own"], response.json()["id"])
    assert status["status"] == "failed", name
    assert status["report"]["error"]
    assert "/etc/passwd" not in json.dumps(status) or "root:" not in json.dumps(status)
    assert count(services, OfferingRow, OfferingRow.status == "active") == 1
