"""The feed template (issue 18, item 6): downloaded from the provider page as CSV and XLSX,
every field of feed format v1 in it with an example, the accepted values on the workbook's
second sheet, and both files imported through our own readers and normaliser as they are:
every example course accepted, with no issue at all."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app
from normaliser.feed_template import EXAMPLES, field_guides
from normaliser.readers.feed_v1 import FEED_V1_FIELDS


@pytest.fixture
def client(services) -> TestClient:
    return TestClient(create_web_app(services, background=False))


# Reading the template is the readers' and the normaliser's work; the catalogue plays no part.
@pytest.mark.sqlite_only("the template is read by the normaliser, the same on every catalogue")
@pytest.mark.parametrize(
    ("path", "media", "detected"),
    [
        ("/provider/feed-template.csv", "text/csv", "csv"),
        ("/provider/feed-template.xlsx", "spreadsheetml", "xlsx"),
    ],
)
def test_the_template_downloads_and_imports_cleanly(
    client, services, provider, path, media, detected
):
    response = client.get(path)
    assert response.status_code == 200 and media in response.headers["content-type"]
    assert "attachment" in response.headers["content-disposition"]
    report = services.ingest.validate(provider.id, response.content)  # the format detected
    assert (report.records, report.accepted, report.rejected) == (len(EXAMPLES), len(EXAMPLES), 0)
    assert report.issues == [], [i.describe() for i in report.issues]
    assert report.status == "dry_run" and report.created == len(EXAMPLES)
    from normaliser.readers.registry import detect_format

    assert detect_format(response.content) == detected


@pytest.mark.sqlite_only("the template and the page are the same on every catalogue")
def test_every_field_has_an_example_and_its_accepted_values(client):
    from openpyxl import load_workbook

    filled = {f for e in EXAMPLES for f, v in e.items() if v}
    assert filled == set(FEED_V1_FIELDS)  # the examples between them fill every field
    book = load_workbook(io.BytesIO(client.get("/provider/feed-template.xlsx").content))
    assert book.sheetnames == ["Courses", "Fields"]
    header = [c.value for c in book["Courses"][1]]
    assert header == list(FEED_V1_FIELDS)
    guide = {row[0]: row for row in book["Fields"].iter_rows(min_row=2, values_only=True)}
    assert list(guide) == list(FEED_V1_FIELDS)
    assert all(row[3] and row[4] for row in guide.values())  # an example and accepted values
    assert guide["id"][1] == "yes" and guide["title"][1] == "yes" and not guide["url"][1]
    assert "NZ_CREDITS" in guide["credit_system"][4] and "NZQF" in guide["level_framework"][4]
    assert "micro-credential" in guide["credential_type"][4]
    page = client.get("/provider").text
    assert (
        'href="/provider/feed-template.xlsx"' in page
        and 'href="/provider/feed-template.csv"' in page
    )
    for g in field_guides():
        assert f"<code>{g.name}</code>" in page


@pytest.mark.sqlite_only("the preview is built from the check, the same on every catalogue")
def test_a_dry_run_previews_each_value_as_written_and_as_read(client, services, provider):
    key = services.keys.create("provider", provider_id=provider.id).secret
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/me", headers=auth).json()["provider_name"] == provider.name
    feed = client.get("/provider/feed-template.csv").content + b"MC-NO-TITLE,,5\r\n"
    body = client.post(
        f"/v1/providers/{provider.id}/validate",
        content=feed,
        headers=auth | {"Content-Type": "text/csv"},
    ).json()
    assert [(r["locator"], r["record_id"], r["accepted"]) for r in body["preview"]] == [
        ("line 2", "MC-DS-101", True),
        ("line 3", "MC-MR-201", True),
        ("line 4", "MC-NO-TITLE", False),
    ]
    first = {v["field"]: v for v in body["preview"][0]["values"]}
    assert set(first) == set(FEED_V1_FIELDS)  # the first example fills every field
    assert first["price"]["written"] == "1250" and first["price"]["made"].startswith("NZD 1,250")
    assert first["level"]["made"] == "NZQF level 5 (EQF level 5)"
    second = {v["field"]: v for v in body["preview"][1]["values"]}
    assert (second["start_dates"]["written"], second["start_dates"]["made"]) == (
        "1 March 2027",
        "2027-03-01",
    )
    rejected = {v["field"]: v for v in body["preview"][2]["values"]}
    assert rejected["title"]["problems"] and rejected["title"]["problems"][0].startswith("Error:")
    assert rejected["id"]["made"] == ""  # nothing made of a rejected row
