"""The publishing commands end to end, in a child process as an operator runs them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from microcred.services import build_services
from microcred.settings import Settings
from microcred.web import create_web_app
from tests.test_cli import run


def test_providers_add_and_keys_create_give_a_working_key_on_the_last_line(tmp_path):
    added = run(
        tmp_path,
        "providers",
        "add",
        "wintec",
        "--name",
        "Wintec",
        "--country",
        "NZ",
        "--currency",
        "NZD",
    )
    assert added.returncode == 0, added.stderr
    assert "wintec" in added.stdout
    created = run(
        tmp_path,
        "keys",
        "create",
        "--role",
        "provider",
        "--provider",
        "wintec",
        "--label",
        "integration",
    )
    assert created.returncode == 0, created.stderr
    provider_key = created.stdout.strip().splitlines()[-1]
    assert provider_key.startswith("mck_")
    agency = run(tmp_path, "keys", "create", "--role", "agency", "--expires-days", "30")
    agency_key = agency.stdout.strip().splitlines()[-1]
    assert agency_key.startswith("mck_") and agency_key != provider_key

    listed = run(tmp_path, "keys", "list")
    assert provider_key.split("_")[1] in listed.stdout
    assert provider_key.split("_", 2)[2] not in listed.stdout  # never the secret

    services = build_services(Settings(data_dir=tmp_path))
    try:
        with TestClient(create_web_app(services)) as client:
            pushed = client.post(
                "/v1/providers/wintec/submissions",
                content=b"id,title\nW1,Welding basics\n",
                headers={"Authorization": f"Bearer {provider_key}", "Content-Type": "text/csv"},
            )
            assert pushed.status_code == 202, pushed.text
            assert services.worker.wait_until_idle(20)
            refused = client.get(
                "/v1/providers/wintec/submissions",
                headers={"Authorization": f"Bearer {agency_key}"},
            )
            assert refused.status_code == 403
    finally:
        services.close()

    history = run(tmp_path, "history", "--provider", "wintec")
    assert history.returncode == 0 and "push" in history.stdout and "applied" in history.stdout
    prefix = provider_key.split("_")[1]
    revoked = run(tmp_path, "keys", "revoke", prefix)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout


def test_a_provider_key_needs_its_provider(tmp_path):
    result = run(tmp_path, "keys", "create", "--role", "provider")
    assert result.returncode == 1 and "--provider" in result.stderr
    unknown = run(tmp_path, "keys", "create", "--role", "provider", "--provider", "nobody")
    assert unknown.returncode == 1 and "nobody" in unknown.stderr


def test_a_held_snapshot_from_the_cli_is_confirmed_by_id(tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title\n" + "".join(f"C{i},Course {i}\n" for i in range(6)))
    assert run(tmp_path, "import", "--provider", "p", "--name", "P", str(feed)).returncode == 0
    feed.write_text("id,title\nC0,Course 0\n")
    held = run(tmp_path, "import", "--provider", "p", str(feed))
    assert held.returncode == 0 and "HELD" in held.stdout
    submission_id = held.stdout.split()[1]
    confirmed = run(tmp_path, "submissions", "confirm", submission_id)
    assert confirmed.returncode == 0 and "withdrawn 5" in confirmed.stdout
