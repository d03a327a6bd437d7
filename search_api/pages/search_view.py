"""What the search and compare pages show, built from a search result and the search's state
in the URL: the facet checkboxes with their counts, the filters applied, the links between
results, offering pages and compare (search_api.pages.public renders them)."""

from __future__ import annotations

from urllib.parse import urlencode

from catalogue.errors import NotFound
from catalogue.search import fields as search_fields
from catalogue.search.query import SortKey
from catalogue.search.results import SearchResult
from search_api.context import ApiContext
from search_api.pages.render import Labels, money, number
from search_api.pages.search_state import SearchState
from search_api.params import split_values

SORT_LABELS = {
    SortKey.RELEVANCE: "Best match",
    SortKey.START_DATE: "Starting soonest",
    SortKey.PRICE: "Price: lowest first",
    SortKey.PRICE_DESC: "Price: highest first",
    SortKey.CREDITS: "Credits: fewest first",
    SortKey.CREDITS_DESC: "Credits: most first",
    SortKey.NEWEST: "Newest",
    SortKey.TITLE: "Title A to Z",
}


# The facets shown as checkboxes, in this order: (facet, heading, filter parameter).
def checkbox_facets() -> tuple[tuple[str, str, str], ...]:
    """From the field registry: the fields with a page label, in the page's order."""
    labelled = {f.name: f for f in search_fields.FIELDS if f.facet and f.label}
    ordered = [name for name in search_fields.PAGE_FACET_ORDER if name in labelled]
    ordered += [name for name in labelled if name not in ordered]
    return tuple((labelled[n].facet or "", labelled[n].label or "", n) for n in ordered)


CHECKBOX_FACETS = checkbox_facets()
SCALAR_LABELS = {
    "price_min": "Price from",
    "price_max": "Price up to",
    "ects_min": "ECTS from",
    "ects_max": "ECTS up to",
    "eqf_min": "EQF level from",
    "eqf_max": "EQF level up to",
    "hours_min": "Hours from",
    "hours_max": "Hours up to",
    "weeks_min": "Weeks from",
    "weeks_max": "Weeks up to",
    "starts_after": "Starts after",
    "starts_before": "Starts before",
    "free": "Cost",
}
FACETS_SHOWN = 8  # more than this sit behind "Show more"


def search_description(state: SearchState, result: SearchResult | None) -> str | None:
    """A filtered results page says what it holds; the home page keeps the site's own."""
    if result is None or not state.items:
        return None
    what = f" matching “{state.get('q')}”" if state.get("q") else ""
    return (
        f"{result.total:,} micro-credential{'s' if result.total != 1 else ''}{what}: short, "
        f"credit-bearing courses compared on level, credits, price and dates."
    )


def offering_url(offering_id: str, from_qs: str | None, compare: list[str]) -> str:
    parts = ([("from", from_qs)] if from_qs else []) + (
        [("compare", ",".join(compare))] if compare else []
    )
    return f"/offerings/{offering_id}" + ("?" + urlencode(parts) if parts else "")


def compare_url(ids: list[str], from_qs: str | None) -> str:
    parts = [("id", i) for i in ids] + ([("from", from_qs)] if from_qs else [])
    return "/compare?" + urlencode(parts) if parts else "/compare"


def facet_groups(result: SearchResult, state: SearchState, labels: Labels) -> list[dict]:
    groups = []
    for facet, title, param in checkbox_facets():
        buckets = result.facets.get(facet) or []
        selected = state.values(param)
        if not buckets and not selected:
            continue
        shown = [
            {
                "value": b.value,
                "count": b.count,
                "label": labels.value(facet, b.value),
                "checked": b.value in selected,
            }
            for b in buckets
        ]
        # A chosen value that matches nothing any more stays visible, so it can be unticked.
        present = {b["value"] for b in shown}
        shown += [
            {"value": v, "count": 0, "label": labels.value(facet, v), "checked": True}
            for v in sorted(selected - present)
            if facet != "subject_broad" or len(v) == 2
        ]
        if facet == "subject_broad":
            shown += [
                {"value": v, "count": None, "label": labels.value("subject", v), "checked": True}
                for v in sorted(selected - present)
                if len(v) != 2
            ]
        # Chosen values first, so they are never hidden behind "Show more".
        shown.sort(key=lambda b: not b["checked"])
        groups.append(
            {
                "name": facet,
                "title": title,
                "param": param,
                "buckets": shown[:FACETS_SHOWN],
                "more": shown[FACETS_SHOWN:],
                "chosen": sum(1 for b in shown if b["checked"]),
            }
        )
    return groups


def eqf_counts(result: SearchResult | None, state: SearchState) -> list[dict]:
    if result is None:
        return []
    low, high = state.get("eqf_min"), state.get("eqf_max")
    out = []
    for bucket in sorted(result.facets.get("eqf") or [], key=lambda b: int(b.value)):
        chosen = low == high == bucket.value
        out.append(
            {
                "level": bucket.value,
                "count": bucket.count,
                "chosen": chosen,
                "href": (
                    state.url([(k, v) for k, v in state.items if k not in ("eqf_min", "eqf_max")])
                    if chosen
                    else state.with_only(eqf_min=bucket.value, eqf_max=bucket.value)
                ),
            }
        )
    return out


def applied_filters(state: SearchState, labels: Labels, currency: str) -> list[dict]:
    applied = []
    facet_of = {param: facet for facet, _title, param in checkbox_facets()}
    for key, raw in state.items:
        if key in facet_of:
            for value in split_values(raw):
                facet = "subject" if key == "subject" else facet_of[key]
                applied.append(
                    {"label": labels.value(facet, value), "remove": state.without(key, value)}
                )
        elif key in SCALAR_LABELS:
            if key == "free":
                shown = "Free" if raw.lower() in ("true", "1", "yes") else "Paid"
            elif key.startswith("price"):
                shown = f"{SCALAR_LABELS[key]} {money(raw, currency) if _is_number(raw) else raw}"
            else:
                shown = f"{SCALAR_LABELS[key]} {number(raw) if _is_number(raw) else raw}"
            applied.append({"label": shown, "remove": state.without(key)})
    return applied


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def compare_items(context: ApiContext, ids: list[str]) -> list[dict]:
    items = []
    for offering_id in ids:
        try:
            offering = context.catalogue.get_offering(offering_id)
        except NotFound:
            continue
        items.append(
            {"id": offering.id, "title": offering.title, "provider": offering.provider.name}
        )
    return items


# The home page's ways in: (facet, heading). Each value links to the search it runs.
LANDING_FACETS = (("subject_broad", "Browse by field of study"), ("provider", "Browse by provider"))


def landing_blocks(facets: list[dict], state: SearchState) -> list[dict]:
    """With no search yet, subjects and providers with their counts, largest first."""
    if state.items:
        return []
    by_name = {group["name"]: group for group in facets}
    blocks = []
    for name, title in LANDING_FACETS:
        group = by_name.get(name)
        if not group:
            continue
        buckets = sorted(group["buckets"] + group["more"], key=lambda b: -(b["count"] or 0))
        blocks.append(
            {
                "name": name,
                "title": title,
                "links": [
                    {
                        "label": b["label"],
                        "count": b["count"],
                        "href": state.with_only(**{group["param"]: b["value"]}),
                    }
                    for b in buckets
                    if b["count"]
                ],
            }
        )
    return blocks
