"""End to end: an ELM v3 LOQ document, its format detected from the bytes, lands in the catalogue."""

from __future__ import annotations

from pathlib import Path

from catalogue.search.query import SearchQuery

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "elm_loq"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "elm-v3-loq" / "loq"


def _active_documents(services) -> dict[str, dict]:
    return {
        document["provider_offering_id"]: document
        for document in services.catalogue.iter_active_offering_documents()
    }


def test_loq_document_without_a_format_is_detected_and_imported(services, provider):
    report = services.import_feed(provider.id, (FIXTURES / "micro-credential.xml").read_bytes())
    assert (report.status, report.accepted, report.rejected) == ("applied", 1, 0)
    assert not [i for i in report.issues if i.severity == "warning"], report.issues
    document = _active_documents(services)["https://courses.example.ie/lo/data-analytics-2026"]
    assert document["title"] == "Data Analytics for Business"
    assert (document["level"]["framework"], document["level"]["eqf"]) == ("NFQ", 6)
    assert (document["credits"]["value"], document["credits"]["system"]) == (5.0, "ECTS")
    assert document["mode"] == "online"
    assert document["languages"] == ["en", "ga"]
    assert document["subject"]["isced"] == ["0613", "0413"]
    assert services.backend.search(SearchQuery(text="analytics")).total == 1


def test_published_loq_sample_imports_both_opportunities(services, provider):
    report = services.import_feed(
        provider.id, (SAMPLES / "loq.xml").read_bytes(), format="elm-loq-xml"
    )
    assert (report.status, report.accepted, report.rejected) == ("applied", 2, 0)
    documents = _active_documents(services)
    assert sorted(documents) == ["http://LOP-01", "http://LOP-02"]
    assert documents["http://LOP-01"]["subject"]["isced"] == ["1022", "0810"]
    assert documents["http://LOP-01"]["level"]["value"] == "2"  # NQFLevel "IE NQF Level 2"
