"""The compare page's rows: one per field, one cell per offering, in words (the offering
page's value texts), with the rows where the courses differ marked.

A cell is a text, or a list of texts for a field that holds several (learning outcomes),
shown as a list: the outcomes themselves, not how many there are.
"""

from __future__ import annotations

from collections.abc import Callable

from normaliser.schema import StoredOffering
from search_api.pages.render import Labels
from search_api.pages.value_text import (
    NOT_STATED,
    credits_text,
    duration_text,
    level_text,
    mode_text,
    next_start,
    place_text,
    price_text,
)

Cell = str | list[str]


def _fields(labels: Labels, currency: str) -> list[tuple[str, Callable[[StoredOffering], Cell]]]:
    return [
        ("Provider", lambda o: o.provider.name),
        ("Level", lambda o: level_text(o.level)),
        ("EQF level", lambda o: str(o.level.eqf) if o.level and o.level.eqf else ""),
        ("Credits", lambda o: credits_text(o.credits)),
        ("How it is taught", lambda o: mode_text(o, labels)),
        ("Price", lambda o: price_text(o.price, currency)),
        ("Duration", lambda o: duration_text(o.duration)),
        ("Next start", lambda o: next_start(o)),
        ("Where", lambda o: "; ".join(t for t in (place_text(p, labels) for p in o.places) if t)),
        (
            "Field of study",
            lambda o: "; ".join(
                labels.value("subject", c) for c in (o.subject.isced if o.subject else [])
            ),
        ),
        ("Language", lambda o: ", ".join(labels.value("language", c) for c in o.languages)),
        ("Credential", lambda o: o.credential_type or ""),
        ("Assessment", lambda o: o.assessment or ""),
        ("Entry requirements", lambda o: o.prerequisites or ""),
        ("Counts towards", lambda o: "; ".join(o.stackable_into)),
        ("Learning outcomes", lambda o: list(o.learning_outcomes)),
    ]


def compare_rows(offerings: list[StoredOffering], labels: Labels, currency: str) -> list[dict]:
    """One row per field, one cell per offering; a row is marked where the courses differ.
    A missing value is "Not stated"."""
    rows = []
    for label, get in _fields(labels, currency):
        cells: list[Cell] = [get(o) or NOT_STATED for o in offerings]
        distinct = {tuple(c) if isinstance(c, list) else c for c in cells}
        rows.append(
            {
                "label": label,
                "cells": cells,
                "differs": len(offerings) > 1 and len(distinct) > 1,
            }
        )
    return rows


def compare_cards(columns: list[dict], rows: list[dict]) -> list[dict]:
    """The same rows per course, for a narrow screen: one card per course, each value with
    its row's label and whether the courses differ there."""
    return [
        {
            **column,
            "values": [
                {"label": r["label"], "value": r["cells"][i], "differs": r["differs"]} for r in rows
            ],
        }
        for i, column in enumerate(columns)
    ]
