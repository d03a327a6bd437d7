"""Dates and delivery modes as the catalogues of the other languages we serve write them:
French, German, Spanish, Dutch, Swedish, Irish and te reo Māori (issue 12, item 5). Month
names are CLDR's (and, for te reo Māori, Te Taura Whiri i te Reo Māori's); each date is read
exactly or not at all."""

from __future__ import annotations

from datetime import date

import pytest

from normaliser.parsers.dates import parse_dates
from normaliser.parsers.mode import parse_mode
from normaliser.schema import Mode


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("3 mars 2027", date(2027, 3, 3)),  # French
        ("1er septembre 2027", date(2027, 9, 1)),
        ("15 août 2027", date(2027, 8, 15)),
        ("15. März 2027", date(2027, 3, 15)),  # German
        ("1. Dezember 2027", date(2027, 12, 1)),
        ("1 de septiembre de 2027", date(2027, 9, 1)),  # Spanish
        ("20 de enero de 2028", date(2028, 1, 20)),
        ("3 maart 2027", date(2027, 3, 3)),  # Dutch
        ("5 maj 2027", date(2027, 5, 5)),  # Swedish
        ("12 Meán Fómhair 2027", date(2027, 9, 12)),  # Irish
        ("3 Eanáir 2028", date(2028, 1, 3)),
        ("1 Hōngongoi 2027", date(2027, 7, 1)),  # te reo Māori
        ("2 Whiringa-ā-nuku 2027", date(2027, 10, 2)),
        ("2 Whiringa ā nuku 2027", date(2027, 10, 2)),
    ],
)
def test_a_date_in_another_language_is_read_exactly(written, day):
    parsed = parse_dates([written])
    assert parsed.value == [day]
    assert parsed.issues == []


@pytest.mark.parametrize("written", ["32 mars 2027", "mars", "3 blorp 2027"])
def test_a_date_that_is_not_one_is_never_guessed(written):
    parsed = parse_dates([written])
    assert parsed.value == [] and parsed.issues


@pytest.mark.parametrize(
    ("written", "mode"),
    [
        ("En ligne", Mode.ONLINE),
        ("À distance", Mode.ONLINE),
        ("En présentiel", Mode.IN_PERSON),
        ("Hybride", Mode.BLENDED),
        ("Fernstudium", Mode.ONLINE),
        ("Präsenz", Mode.IN_PERSON),
        ("Presencial", Mode.IN_PERSON),
        ("Semipresencial", Mode.BLENDED),
        ("A distancia", Mode.ONLINE),
        ("Op afstand", Mode.ONLINE),
        ("Klassikaal", Mode.IN_PERSON),
        ("Distans", Mode.ONLINE),
        ("På plats", Mode.IN_PERSON),
        ("Ar líne", Mode.ONLINE),
        ("Ar an láthair", Mode.IN_PERSON),
        ("Ipurangi", Mode.ONLINE),
        ("Kanohi ki te kanohi", Mode.IN_PERSON),
    ],
)
def test_a_mode_in_another_language(written, mode):
    parsed = parse_mode(written)
    assert parsed.value is not None and parsed.value.mode is mode
