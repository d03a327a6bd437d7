"""Which reader a feed without `format=` goes to, and how a format we do not read is refused.

Every channel (CLI, push, pull) ends in `read_feed(data, None)` when no format is named, so
these are the detection rules for all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from normaliser.readers.base import FeedFormatError
from normaliser.readers.registry import detect_format, format_for_media_type, read_feed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "elm-v3-loq" / "loq"


@pytest.mark.parametrize(
    ("path", "format_name"),
    [
        (FIXTURES / "elm_loq" / "micro-credential.xml", "elm-loq-xml"),
        (SAMPLES / "loq.xml", "elm-loq-xml"),
        (SAMPLES / "loq_withLearningAchievementSpecification.xml", "elm-loq-xml"),
        (FIXTURES / "xcri_cap" / "clean-1.2.xml", "xcri-cap"),
        (FIXTURES / "xcri_cap" / "version-1.1.xml", "xcri-cap"),
        (FIXTURES / "xcri_cap" / "billion-laughs.xml", "xcri-cap"),  # its reader refuses the DTD
        (FIXTURES / "ctdl" / "single-course.json", "ctdl"),
        (FIXTURES / "loms" / "smallest.xml", "loms-xml"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_format_is_detected_from_the_bytes(path: Path, format_name: str) -> None:
    assert detect_format(path.read_bytes()) == format_name


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (FIXTURES / "elm_loq" / "lheo-root.xml", "this looks like LHEO"),
        (FIXTURES / "xcri_cap" / "wrong-root.xml", "this looks like an RSS news feed"),
        (FIXTURES / "xcri_cap" / "html-page.xml", "this is an HTML web page"),
        (b'<?xml version="1.0"?><catalogue xmlns="urn:x:courses"/>', "root element <catalogue>"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else str(value)[:30],
)
def test_xml_we_do_not_read_is_refused_naming_what_it_looks_like(body, named: str) -> None:
    data = body.read_bytes() if isinstance(body, Path) else body
    with pytest.raises(FeedFormatError, match=named) as refused:
        read_feed(data)
    if "HTML" not in named:  # a web page is no feed at all: the hint is to register the feed
        assert "xcri-cap" in str(refused.value) and "elm-loq-xml" in str(refused.value)


def test_lheo_without_a_namespace_is_named_too() -> None:
    with pytest.raises(FeedFormatError, match="LHEO"):
        read_feed(b"<lheo><offres/></lheo>")


def test_xcri_cap_reader_names_an_lheo_document_it_was_given() -> None:
    data = (FIXTURES / "elm_loq" / "lheo-root.xml").read_bytes()
    with pytest.raises(FeedFormatError, match="looks like LHEO"):
        read_feed(data, "xcri-cap")


@pytest.mark.parametrize(
    "media_type",
    [
        "application/json",
        "application/xml",
        "text/xml",
        "application/xml; charset=utf-8",
        "application/ld+json",
    ],
)
def test_generic_media_types_leave_the_choice_to_the_bytes(media_type: str) -> None:
    assert format_for_media_type(media_type) is None


def test_named_media_types_still_choose() -> None:
    assert format_for_media_type("text/csv") == "csv"
    assert format_for_media_type("application/xcri-cap+xml") == "xcri-cap"


def test_loq_read_without_a_format_gives_its_records() -> None:
    result = read_feed((FIXTURES / "elm_loq" / "micro-credential.xml").read_bytes())
    assert [r.record_id for r in result.records] == [
        "https://courses.example.ie/lo/data-analytics-2026"
    ]


def test_feed_v1_json_is_still_json() -> None:
    assert detect_format(b'[{"id": "A1", "title": "Dairy farming"}]') == "json"
    assert detect_format(b"id,title\nA1,Dairy farming\n") == "csv"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            b'{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "name": "Welding"}',
            "looks like an Open Badges 2.0 badge",
        ),
        (
            b'{"@context": ["https://example.org/vocab"], "type": "Thing", "name": "x"}',
            "JSON-LD with @context 'https://example.org/vocab', in no vocabulary microcred reads",
        ),
    ],
)
def test_json_ld_we_do_not_read_is_refused_naming_it_not_as_feed_v1(
    body: bytes, named: str
) -> None:
    with pytest.raises(FeedFormatError, match=named) as refused:
        read_feed(body)
    assert "wrap it in" not in str(refused.value)


def test_a_ctdl_assessment_profile_is_not_a_learning_opportunity() -> None:
    body = (
        b'{"@context": "https://credreg.net/ctdl/schema/context/json", '
        b'"@type": "ceterms:AssessmentProfile", "ceterms:name": {"en-US": "Welding test"}}'
    )
    with pytest.raises(FeedFormatError) as refused:
        read_feed(body)
    message = str(refused.value)
    assert "1 ceterms:AssessmentProfile node, which is not a learning opportunity" in message
    assert "no typed node" not in message


def test_elm_json_ld_is_detected() -> None:
    path = FIXTURES / "elm_jsonld" / "credential-claims.json"
    assert detect_format(path.read_bytes()) == "elm-jsonld"
