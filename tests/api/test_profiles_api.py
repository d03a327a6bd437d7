"""Mapping profiles over HTTP: a provider registers its profile (validated, errors naming
key and line, in the standard error shape), reads, lists and deletes it, and pushes a feed
read with it; another provider's key may not touch it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app

PROFILE = """\
name = "courses"
description = "Te Awa's course export"

[id]
column = "Code"

[fields.title]
column = "Course name"

[fields.price]
column = "Fee"
"""
EXPORT = b"Code,Course name,Fee\nTA1,Carpentry basics,NZ$300\nTA2,Te reo for work,Free\n"


@pytest.fixture
def client(services):
    with TestClient(create_web_app(services)) as test_client:  # starts the worker
        yield test_client


@pytest.fixture
def own(services, provider) -> dict[str, str]:
    key = services.keys.create("provider", provider_id=provider.id).secret
    return {"Authorization": f"Bearer {key}"}


def test_register_read_list_delete(client, provider, own):
    url = f"/v1/providers/{provider.id}/profiles/courses"
    created = client.put(url, content=PROFILE, headers=own | {"Content-Type": "application/toml"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["format"] == f"profile:{provider.id}/courses"
    assert body["fields"] == ["price", "title"] and body["toml"] == PROFILE
    assert client.put(url, content=PROFILE, headers=own).status_code == 200  # replaced
    assert client.get(url, headers=own).json()["name"] == "courses"
    assert client.get(f"/v1/providers/{provider.id}/profiles", headers=own).json() == {
        "profiles": ["courses"]
    }
    assert client.delete(url, headers=own).json()["deleted"] is True
    missing = client.get(url, headers=own)
    assert missing.status_code == 404 and missing.json()["error"]["code"]


def test_an_invalid_profile_names_key_and_line(client, provider, own):
    bad = PROFILE.replace('column = "Course name"', 'colum = "Course name"')
    response = client.put(f"/v1/providers/{provider.id}/profiles/courses", content=bad, headers=own)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == "body"
    assert (
        "fields.title.colum (line 8): not a profile key; did you mean 'column'?" in error["message"]
    )


def test_the_name_in_the_path_is_the_profiles_name(client, provider, own):
    response = client.put(
        f"/v1/providers/{provider.id}/profiles/other", content=PROFILE, headers=own
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "name"


def test_a_feed_is_read_with_a_registered_profile(client, services, provider, own):
    client.put(f"/v1/providers/{provider.id}/profiles/courses", content=PROFILE, headers=own)
    pushed = client.post(
        f"/v1/providers/{provider.id}/submissions",
        content=EXPORT,
        params={"format": f"profile:{provider.id}/courses"},
        headers=own | {"Content-Type": "text/csv"},
    )
    assert pushed.status_code == 202, pushed.text
    assert services.worker.wait_until_idle(20)
    ids = sorted(
        d["provider_offering_id"] for d in services.catalogue.iter_active_offering_documents()
    )
    assert ids == ["TA1", "TA2"]


def test_unknown_profiles_and_paths_are_refused_at_the_door(client, provider, own):
    for fmt, says in (
        (f"profile:{provider.id}/nope", "has registered no mapping profile"),
        ("profile:/etc/passwd.toml", "for the command line"),
    ):
        response = client.post(
            f"/v1/providers/{provider.id}/submissions",
            content=EXPORT,
            params={"format": fmt},
            headers=own,
        )
        assert response.status_code == 400, response.text
        assert says in response.json()["error"]["message"]


def test_another_providers_key_may_not_register(client, services, provider):
    from normaliser.schema import Provider

    services.catalogue.upsert_provider(Provider(id="lir", name="Limerick", country="IE"))
    other = services.keys.create("provider", provider_id="lir").secret
    response = client.put(
        f"/v1/providers/{provider.id}/profiles/courses",
        content=PROFILE,
        headers={"Authorization": f"Bearer {other}"},
    )
    assert response.status_code == 403
