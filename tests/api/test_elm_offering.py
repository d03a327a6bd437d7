"""One offering as ELM v3 JSON-LD (`format=elm`, or `Accept: application/ld+json`), checked
with pyshacl against the LOQ application profile's own SHACL shapes."""

from __future__ import annotations

import json
from functools import cache

import pytest
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, Literal, Namespace

from microcred.sample import load_sample_data
from microcred.web import create_web_app
from tests.conftest import SHARED_DATA

SHAPES_DIR = SHARED_DATA.parent / "reference" / "elm-v3-loq" / "ap" / "loq"
SH = Namespace("http://www.w3.org/ns/shacl#")
ELM = Namespace("http://data.europa.eu/snb/model/elm/")
DC = Namespace("http://purl.org/dc/terms/")
# pyshacl compiles the shapes' URL patterns, whose nested character sets Python only warns on.
pytestmark = pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")


@cache
def loq_shapes() -> Graph:
    """Both shape files of the profile. Their URL patterns are written for XPath/Java
    regular expressions (`\\p{L}` classes, a `(?i)` flag after `^`), which Python's `re`
    (and so pyshacl) cannot compile; they are translated to the nearest Python spelling
    (`\\w`, the flag first), the one change made to the published shapes."""
    shapes = Graph()
    for name in ("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl"):
        path = SHAPES_DIR / name
        if not path.is_file():
            pytest.skip(f"{path} is not here: this checkout has no ../shared/reference beside it")
        shapes.parse(path)
    for subject, pattern in list(shapes.subject_objects(SH.pattern)):
        python = str(pattern).replace("^(?i)", "(?i)^").replace(r"\p{L}\p{Nl}\p{Nd}", r"\w")
        shapes.set((subject, SH.pattern, Literal(python)))
    return shapes


def conforms(document: dict) -> tuple[bool, str]:
    data = Graph().parse(data=json.dumps(document), format="json-ld")
    ok, _graph, text = validate(data, shacl_graph=loq_shapes(), inference="none")
    return ok, text


@pytest.fixture
def sample(services):
    load_sample_data(services)
    return services, TestClient(create_web_app(services, background=False))


def _pick(services, want) -> str:
    for offering_id, _ in services.catalogue.active_offering_stamps(offset=0, limit=100_000):
        if want(services.catalogue.get_offering(offering_id)):
            return offering_id
    raise AssertionError("no sample offering fits")


def test_offerings_in_elm_conform_to_the_loq_shapes(sample):
    services, client = sample
    # One with an EQF level and ECTS; one at an AQF level (Australia's framework has no EQF
    # referencing, so no EU counterpart); one free.
    chosen = [
        _pick(
            services,
            lambda o: (
                o.level
                and o.level.eqf
                and o.credits
                and o.credits.ects
                and o.credits.system
                and o.credits.system.value == "ECTS"
                and o.subject
                and o.subject.isced
                and o.learning_outcomes
                and o.languages
            ),
        ),
        _pick(
            services,
            lambda o: (
                o.level
                and o.level.framework
                and o.level.framework.value == "AQF"
                and not o.level.eqf
                and o.subject
                and o.subject.isced
                and o.learning_outcomes
                and o.languages
            ),
        ),
        _pick(
            services,
            lambda o: (
                o.price
                and o.price.is_free
                and o.subject
                and o.subject.isced
                and o.learning_outcomes
                and o.languages
            ),
        ),
    ]
    for offering_id in chosen:
        response = client.get(f"/v1/offerings/{offering_id}", params={"format": "elm"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/ld+json"
        document = response.json()
        ok, report = conforms(document)
        assert ok, report
        offering = services.catalogue.get_offering(offering_id)
        graph = Graph().parse(data=json.dumps(document), format="json-ld")
        titles = {str(t) for t in graph.objects(None, DC.title)}
        assert offering.title in titles
        isced = {str(c) for c in graph.objects(None, ELM.ISCEDFCode)}
        assert isced == {f"http://data.europa.eu/snb/isced-f/{c}" for c in offering.subject.isced}
        if offering.level and offering.level.eqf:
            assert {str(c) for c in graph.objects(None, ELM.educationLevel)} == {
                f"http://data.europa.eu/snb/eqf/{offering.level.eqf}"
            }
    aqf = client.get(f"/v1/offerings/{chosen[1]}", params={"format": "elm"})
    assert "(no EQF referencing)" in aqf.headers["x-elm-omitted"]
    assert "educationLevel" not in aqf.text


def test_the_shapes_catch_a_broken_document(sample):
    """The check can fail: a learning opportunity without its title, or with a property the
    profile does not have, does not conform."""
    services, client = sample
    offering_id = _pick(
        services, lambda o: o.subject and o.subject.isced and o.learning_outcomes and o.languages
    )
    document = client.get(f"/v1/offerings/{offering_id}", params={"format": "elm"}).json()
    untitled = json.loads(json.dumps(document))
    del untitled["@graph"][0]["dc:title"]
    assert not conforms(untitled)[0]
    extra = json.loads(json.dumps(document))
    extra["@graph"][0]["elm:colour"] = "blue"
    assert not conforms(extra)[0]


def test_accept_chooses_the_form(sample):
    services, client = sample
    offering_id = _pick(
        services, lambda o: o.subject and o.subject.isced and o.learning_outcomes and o.languages
    )
    url = f"/v1/offerings/{offering_id}"
    assert (
        client.get(url, headers={"Accept": "application/ld+json"}).headers["content-type"]
        == "application/ld+json"
    )
    assert (
        client.get(url, headers={"Accept": "application/json, application/ld+json;q=0.5"}).headers[
            "content-type"
        ]
        == "application/json"
    )
    plain = client.get(url)
    assert plain.headers["content-type"] == "application/json" and plain.json()["id"] == offering_id
    assert plain.headers["vary"] == "Accept"
    assert (
        client.get(
            url, params={"format": "json"}, headers={"Accept": "application/ld+json"}
        ).json()["id"]
        == offering_id
    )
    assert client.get(url, params={"format": "xml"}).status_code == 422


def test_an_offering_without_what_the_profile_requires_has_no_elm_form(services, provider):
    services.import_feed(provider.id, b"id,title\nBARE,A bare course\n", format="csv")
    client = TestClient(create_web_app(services, background=False))
    offering_id = client.get("/v1/search").json()["hits"][0]["id"]
    response = client.get(f"/v1/offerings/{offering_id}", params={"format": "elm"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "format"
    assert "subject (ISCED-F)" in error["message"] and "learning outcomes" in error["message"]
