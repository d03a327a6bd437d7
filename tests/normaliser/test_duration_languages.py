"""Durations in the languages of the markets we serve and their neighbours (issue 12, item
5): German, French, Spanish, Swedish, Dutch, Māori and Irish unit words and 'per week'
phrases. The words are the dictionaries' (Duden, Larousse, RAE, SAOL, Van Dale; Te Aka
Māori Dictionary for haora, wiki, marama; foclóir.ie for seachtain, bliain)."""

from __future__ import annotations

import pytest

from normaliser.parsers.duration import parse_duration


@pytest.mark.parametrize(
    ("written", "hours", "weeks", "per_week", "part_time"),
    [
        ("6 Wochen", None, 6, None, None),
        ("6 Wochen, 5 Stunden pro Woche", 30, 6, 5, None),
        ("3 Monate, Teilzeit", None, 13, None, True),
        ("40 Stunden", 40, None, None, None),
        ("10 semaines, 4 heures par semaine", 40, 10, 4, None),
        ("2 mois", None, 8.67, None, None),
        ("3 ans", None, 156, None, None),
        ("12 semanas", None, 12, None, None),
        ("2 años", None, 104, None, None),
        ("8 veckor, deltid", None, 8, None, True),
        ("20 timmar", 20, None, None, None),
        ("10 weken, 6 uur per week", 60, 10, 6, None),
        ("1 jaar", None, 52, None, None),
        ("6 wiki", None, 6, None, None),
        ("10 haora", 10, None, None, None),
        ("6 seachtaine", None, 6, None, None),
        ("1 bhliain", None, None, None, None),  # lenited forms are not read: no guess
    ],
)
def test_durations_in_other_languages(written, hours, weeks, per_week, part_time):
    parsed = parse_duration(written)
    if hours is weeks is per_week is None:
        assert parsed.value is None
        return
    assert parsed.value is not None, parsed.issues
    value = parsed.value
    assert (value.hours, value.weeks, value.hours_per_week, value.part_time) == (
        hours,
        weeks,
        per_week,
        part_time,
    )
