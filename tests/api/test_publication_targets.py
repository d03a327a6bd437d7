"""Agency controls of the federation targets: which providers and fields go to Europass
(ELM LOQ), Credential Engine (CTDL) and XCRI-CAP aggregators, and what each export leaves
out and why, over HTTP on the sample catalogue."""

from __future__ import annotations

import orjson
from lxml import etree

from catalogue.ctdl_export import REPORT_KEY
from tests.api.test_elm_loq_export import LOQ, sample  # noqa: F401  (the fixture)


def _targets(client, headers) -> dict[str, dict]:
    response = client.get("/v1/export/targets", headers=headers)
    assert response.status_code == 200, response.text
    return {t["target"]: t for t in response.json()["targets"]}


def test_every_target_is_listed_with_its_counts(sample):  # noqa: F811
    services, client, headers = sample
    targets = _targets(client, headers)
    assert sorted(targets) == ["ctdl", "elm-loq", "xcri-cap"]
    active = len(services.catalogue.active_offering_stamps(offset=0, limit=100_000))
    for target in targets.values():
        assert target["rule"] == {
            "target": target["target"],
            "excluded_providers": [],
            "withheld_fields": [],
        }
        report = target["report"]
        assert report["matched"] == active
        assert report["exported"] + sum(report["left_out"].values()) == active
    assert targets["elm-loq"]["report"]["left_out"]["no ISCED-F code"] > 0
    assert targets["ctdl"]["report"]["exported"] == active
    assert (
        targets["xcri-cap"]["report"]["values_left_out"][
            "pace (no XCRI-CAP term for self-paced or scheduled)"
        ]
        > 0
    )


def test_a_rule_keeps_a_provider_and_a_field_from_one_target(sample):  # noqa: F811
    services, client, headers = sample
    teawa = sum(
        1 for p, n in services.catalogue.list_providers() if p.id == "teawa" for _ in range(n)
    )
    assert teawa > 0
    response = client.put(
        "/v1/export/targets/ctdl",
        headers=headers,
        json={"excluded_providers": ["teawa"], "withheld_fields": ["price"]},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "target": "ctdl",
        "excluded_providers": ["teawa"],
        "withheld_fields": ["price"],
    }
    document = orjson.loads(
        client.get("/v1/export", params={"format": "ctdl"}, headers=headers).content
    )
    courses = [n for n in document["@graph"] if "ceterms:offeredBy" in n]
    assert all(n["ceterms:offeredBy"] != [{"@id": "_:provider-teawa"}] for n in courses)
    assert not any("ceterms:estimatedCost" in n for n in courses)
    report = document[REPORT_KEY]
    assert report["left_out"] == {"provider not published to this target by the agency": teawa}
    assert report["values_left_out"]["price withheld by the agency"] > 0
    # The other targets are untouched.
    loq = etree.fromstring(
        client.get("/v1/export", params={"format": "elm-loq"}, headers=headers).content
    )
    assert loq.find(f".//{LOQ}priceDetail") is not None
    targets = _targets(client, headers)
    assert targets["ctdl"]["report"]["exported"] == report["exported"]
    assert targets["elm-loq"]["rule"]["excluded_providers"] == []


def test_bad_rules_are_refused_naming_the_field(sample):  # noqa: F811
    services, client, headers = sample
    cases = [
        ("/v1/export/targets/ctdl", {"withheld_fields": ["colour"]}, "withheld_fields"),
        ("/v1/export/targets/ctdl", {"excluded_providers": ["nobody"]}, "excluded_providers"),
        ("/v1/export/targets/csv", {}, "target"),
    ]
    for path, body, field in cases:
        response = client.put(path, headers=headers, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["field"] == field
    provider_key = services.keys.create("provider", provider_id="teawa").secret
    refused = client.get("/v1/export/targets", headers={"Authorization": f"Bearer {provider_key}"})
    assert refused.status_code == 403


def test_target_reports_are_kept_until_the_catalogue_or_the_rule_changes(sample):  # noqa: F811
    services, client, headers = sample
    exporter = client.app.state.context.agency.exports
    streamed: list[str] = []
    stream = exporter.stream

    def counting_stream(filters, export_format, **options):
        streamed.append(export_format.value)
        return stream(filters, export_format, **options)

    exporter.stream = counting_stream
    first = _targets(client, headers)
    assert sorted(streamed) == ["ctdl", "elm-loq", "xcri-cap"]
    assert _targets(client, headers) == first
    assert len(streamed) == 3, "a second view with nothing changed wrote the exports again"

    # A withdrawal takes a change number: every target's report is made again, one fewer.
    withdrawn = services.catalogue.active_offering_stamps(offset=0, limit=1)[0][0]
    provider = services.catalogue.get_offering(withdrawn).provider.id
    services.ingest.withdraw_offering(provider, withdrawn)
    after_withdrawal = _targets(client, headers)
    assert len(streamed) == 6
    assert after_withdrawal["ctdl"]["report"]["matched"] == first["ctdl"]["report"]["matched"] - 1

    # A rule changes one target's report only.
    response = client.put(
        "/v1/export/targets/ctdl", headers=headers, json={"excluded_providers": [provider]}
    )
    assert response.status_code == 200, response.text
    after_rule = _targets(client, headers)
    assert streamed[6:] == ["ctdl"]
    assert after_rule["ctdl"]["report"]["exported"] < after_withdrawal["ctdl"]["report"]["exported"]
    assert after_rule["elm-loq"] == after_withdrawal["elm-loq"]
