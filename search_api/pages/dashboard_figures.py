"""The agency dashboard's figures: an SVG chart and the table of its numbers, drawn from
the agency answers (the bodies of `/v1/stats/offerings` and `/v1/stats/timeseries`)."""

from __future__ import annotations

from typing import Any

from catalogue.search.documents import CREDIT_BANDS, PRICE_BANDS
from search_api.pages import chart_series, charts
from search_api.pages.render import Labels, number
from search_api.pages.value_text import NOT_STATED

BAND_ORDER = {
    name: i
    for i, name in enumerate(["free"] + [b[0] for b in PRICE_BANDS] + [b[0] for b in CREDIT_BANDS])
}
TOP_GROUPS = 12
# NOT_STATED: the one word for a missing value, in every chart and table as on every page.
# Column charts have a column's width for each label (wrapped, never cut); these say the
# same in fewer words. The table beside the chart gives the full names.
SHORT_LABELS = {
    ("eqf", None): NOT_STATED,
    ("price_band", None): NOT_STATED,
    ("price_band", "under_100"): "< 100",
    ("price_band", "100_500"): "100–500",
    ("price_band", "500_1000"): "500–1k",
    ("price_band", "1000_2500"): "1k–2.5k",
    ("price_band", "2500_plus"): "2.5k +",
}


def _group_label(facet: str, value, labels: Labels) -> str:
    if value is None or value == "":
        return NOT_STATED
    if facet == "eqf":
        return f"Level {value}"
    return labels.value(facet, str(value))


AXIS_LABELS = {"eqf": "EQF level", "price_band": "Price band"}


def _short(facet: str, group: dict) -> str:
    """A column's label: the level's number alone under an axis that says "EQF level"."""
    if facet == "eqf" and group["value"] not in (None, ""):
        return str(group["value"])
    return SHORT_LABELS.get((facet, group["value"]), group["label"])


def _groups(facet: str, answer: dict, labels: Labels) -> list[dict]:
    groups = []
    body = answer["body"]
    # `rows` is what the agency API answers; `groups` was the name in its first draft.
    for group in body.get("rows", body.get("groups")) or []:
        value = group.get(facet)
        groups.append(
            {
                "value": value,
                "label": _group_label(facet, value, labels),
                "count": group.get("count") or 0,
                "price": group.get("price") or {},
                "ects": group.get("ects") or {},
            }
        )
    if facet == "eqf":
        groups.sort(key=lambda g: (g["value"] is None, int(g["value"]) if g["value"] else 0))
    elif facet in ("price_band", "credits_band"):
        groups.sort(key=lambda g: BAND_ORDER.get(g["value"], 99))
    else:
        groups.sort(key=lambda g: (g["value"] is None, -g["count"], g["label"]))
    return groups


def chart_figure(
    chart_id: str, facet: str, title: str, kind: str, answer: dict, labels: Labels, currency: str
) -> dict:
    figure: dict[str, Any] = {
        "id": chart_id,
        "title": title,
        "svg": None,
        "rows": [],
        "error": None,
        "note": None,
        "columns": ("Group", "Offerings", "Share"),
    }
    if not answer["ok"]:
        figure["error"] = answer["message"]
        return figure
    groups = _groups(facet, answer, labels)
    total = answer["body"].get("total") or sum(g["count"] for g in groups) or 0
    if kind == "bars" and len(groups) > TOP_GROUPS:
        rest = groups[TOP_GROUPS - 1 :]
        groups = groups[: TOP_GROUPS - 1] + [
            {
                "value": "other",
                "count": sum(g["count"] for g in rest),
                "label": f"{len(rest)} others",
                "price": {},
            }
        ]
    bars = [charts.Bar(_short(facet, g), g["count"]) for g in groups]
    if facet == "price_band":
        figure["title"] = f"{title} ({currency})"
    if not bars:
        figure["svg"] = None
    elif kind == "columns":
        figure["svg"] = charts.columns(figure["title"], bars, axis_label=AXIS_LABELS.get(facet, ""))
    else:
        figure["svg"] = charts.horizontal_bars(figure["title"], bars)
    figure["rows"] = [
        (g["label"], number(g["count"]), f"{g['count'] / total:.1%}" if total else "")
        for g in groups
    ]
    if answer["body"].get("multi_valued"):
        figure["note"] = (
            "A course can belong to more than one group here, so the groups "
            f"can add up to more than the {number(total)} courses."
        )
    return figure


def price_by_level(answer: dict, labels: Labels, currency: str) -> dict:
    figure: dict[str, Any] = {
        "id": "price-level",
        "title": f"Price by level ({currency}, 10th–90th percentile)",
        "svg": None,
        "rows": [],
        "error": None,
        "note": None,
        "columns": ("Level", "Offerings", "10th percentile", "Median", "90th percentile"),
    }
    if not answer["ok"]:
        figure["error"] = answer["message"]
        return figure
    spreads = []
    for g in _groups("eqf", answer, labels):
        price = g["price"] or {}
        middle = price.get("median", price.get("p50"))
        spreads.append(
            charts.Spread(g["label"], price.get("p10"), middle, price.get("p90"), g["count"])
        )
    figure["svg"] = charts.spreads(figure["title"], spreads, unit=currency)
    figure["rows"] = [
        (
            s.label,
            number(s.count),
            *(number(round(v)) if v is not None else NOT_STATED for v in (s.low, s.middle, s.high)),
        )
        for s in spreads
    ]
    return figure


def series_figure(answer: dict, interval: str) -> dict:
    figure: dict[str, Any] = {
        "id": "series",
        "title": f"Offerings added, withdrawn and active, by {interval}",
        "svg": None,
        "rows": [],
        "error": None,
        "note": None,
        "columns": ("Period", "Added", "Withdrawn", "Active"),
    }
    if not answer["ok"]:
        figure["error"] = answer["message"]
        return figure
    body = answer["body"]
    # `periods` is what the agency API answers; `points` was the name in its first draft.
    points = [
        chart_series.Point(
            str(p.get("period")),
            int(p.get("added") or 0),
            int(p.get("withdrawn") or 0),
            int(p.get("active") or 0),
        )
        for p in body.get("periods", body.get("points")) or []
    ]
    figure["svg"] = chart_series.time_series(figure["title"], points) if points else None
    figure["rows"] = [
        (p.period, number(p.added), number(p.withdrawn), number(p.active)) for p in points
    ]
    return figure
