"""The public marketplace: search, the offering page and compare. Server-rendered; every
state is in the URL, so links can be shared, the back button works and nothing needs
JavaScript (the script only adds suggestions and submits filters as they change)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from catalogue.errors import InvalidRequest, NotFound
from catalogue.schema_org import course_markup, script_json
from catalogue.search import fields as search_fields
from catalogue.search.query import SortKey
from catalogue.search.results import SearchResult
from normaliser.schema import StoredOffering
from search_api.context import ApiContext
from search_api.dependencies import Context
from search_api.pages.dependencies import PageLabels, PageRenderer, page_rate_limit
from search_api.pages.offering_view import (
    card_view,
    compare_rows,
    offering_description,
    offering_sections,
)
from search_api.pages.render import Labels, money, number
from search_api.pages.search_state import MAX_COMPARE, SearchState, back_to_search
from search_api.pages.site_index import canonical_href, site_url
from search_api.params import (
    ParameterErrors,
    check_facet_cost,
    search_query_from_params,
    split_values,
)

SORT_LABELS = {SortKey.RELEVANCE: "Best match", SortKey.START_DATE: "Starting soonest",
               SortKey.PRICE: "Price: lowest first", SortKey.PRICE_DESC: "Price: highest first",
               SortKey.CREDITS: "Credits: fewest first", SortKey.CREDITS_DESC: "Credits: most first",
               SortKey.NEWEST: "Newest", SortKey.TITLE: "Title A to Z"}
# The facets shown as checkboxes, in this order: (facet, heading, filter parameter).
def checkbox_facets() -> tuple[tuple[str, str, str], ...]:
    """From the field registry: the fields with a page label, in the page's order."""
    labelled = {f.name: f for f in search_fields.FIELDS if f.facet and f.label}
    ordered = [name for name in search_fields.PAGE_FACET_ORDER if name in labelled]
    ordered += [name for name in labelled if name not in ordered]
    return tuple((labelled[n].facet or "", labelled[n].label or "", n) for n in ordered)


CHECKBOX_FACETS = checkbox_facets()
SCALAR_LABELS = {"price_min": "Price from", "price_max": "Price up to", "ects_min": "ECTS from",
                 "ects_max": "ECTS up to", "eqf_min": "EQF level from", "eqf_max": "EQF level up to",
                 "hours_min": "Hours from", "hours_max": "Hours up to", "weeks_min": "Weeks from",
                 "weeks_max": "Weeks up to", "starts_after": "Starts after",
                 "starts_before": "Starts before", "free": "Cost"}
FACETS_SHOWN = 8  # more than this sit behind "Show more"
# The public pages count against the client's public rate limit, as the API does.
router = APIRouter(include_in_schema=False, dependencies=[Depends(page_rate_limit)])


@router.get("/", response_class=HTMLResponse)
def home(request: Request, context: Context, renderer: PageRenderer,
         labels: PageLabels) -> HTMLResponse:
    render = renderer.page
    state = SearchState.from_params(request.query_params)
    problems: list[str] = []
    result: SearchResult | None = None
    size = 20
    try:
        query = check_facet_cost(search_query_from_params(state.query_params()))
        size = query.size
        result = context.backend.search(query)
    except ParameterErrors as exc:
        problems = [f"{SCALAR_LABELS.get(str(e['loc'][-1]), e['loc'][-1])}: {e['msg']}"
                    for e in exc.errors]
    except InvalidRequest as exc:
        problems = [str(exc)]
    labels.refresh_providers()
    facets = _facet_groups(result, state, labels) if result else []
    pages = None
    if result is not None:
        last = max(1, -(-result.total // size))
        nxt = (state.url(cursor=result.next_cursor,
                         trail=state.trail + ([state.cursor] if state.cursor else []))
               if result.next_cursor else None)
        prev = None
        if state.page == 2:
            prev = state.url()
        elif state.page > 2:
            prev = state.url(cursor=state.trail[-1], trail=state.trail[:-1])
        pages = {"current": state.page, "last": last, "next": nxt, "previous": prev,
                 "first": state.url() if state.page > 2 else None}
    compare_items = _compare_items(context, state.compare)
    return render(
        "search.html", state=state, meta_description=_search_description(state, result),
        canonical=canonical_href(request, "/" + ("?" + urlencode(state.items)
                                                 if state.items else "")), result=result, problems=problems, facets=facets,
        applied=_applied_filters(state, labels, context.reference_currency),
        sort_labels=SORT_LABELS, labels=labels, pages=pages,
        eqf_counts=_eqf_counts(result, state),
        free_counts={b.value: b.count for b in (result.facets.get("free", []) if result else [])},
        compare_items=compare_items, max_compare=MAX_COMPARE,
        # "Search instead for" the words as typed: the same search with correction off.
        as_typed_url=state.with_only(correct="false"),
        card_view=lambda summary: card_view(summary, labels, context.reference_currency),
        offering_href=lambda offering_id: _offering_url(
            offering_id, state.search_query_string() or None, state.compare),
        from_qs=state.search_query_string(), reference_currency=context.reference_currency,
        compare_url=("/compare?" + urlencode([("id", i) for i in state.compare]
                                             + [("from", state.search_query_string())])))

@router.get("/offerings/{offering_id}", response_class=HTMLResponse)
def offering_page(offering_id: str, request: Request, context: Context, renderer: PageRenderer,
                  labels: PageLabels) -> HTMLResponse:
    render = renderer.page
    from_qs = request.query_params.get("from")
    compare = split_values(request.query_params.get("compare", ""))[:MAX_COMPARE]
    try:
        offering = context.catalogue.get_offering(offering_id)
    except NotFound:
        return render("not_found.html", status=404, what="offering",
                      back=back_to_search(from_qs, compare))
    in_compare = offering.id in compare
    new_compare = ([c for c in compare if c != offering.id] if in_compare
                   else compare + [offering.id])
    path = f"/offerings/{offering.id}"
    markup, _missing = course_markup(offering, site_url(request) + path)
    return render(
        "offering.html", offering=offering, labels=labels,
        canonical=canonical_href(request, path),
        structured_data=script_json(markup) if markup else None,
        meta_description=offering_description(offering, labels),
        sections=offering_sections(offering, labels, context.reference_currency),
        back=back_to_search(from_qs, compare),
        provider_results="/?" + urlencode([("provider", offering.provider.id)]),
        in_compare=in_compare, compare_full=len(compare) >= MAX_COMPARE and not in_compare,
        toggle_compare=_offering_url(offering.id, from_qs, new_compare),
        compare_url=_compare_url(new_compare if not in_compare else compare, from_qs),
        compare_count=len(compare))

@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, context: Context, renderer: PageRenderer,
                 labels: PageLabels) -> HTMLResponse:
    render = renderer.page
    from_qs = request.query_params.get("from")
    ids: list[str] = []
    for value in request.query_params.getlist("id"):
        ids += [v for v in split_values(value) if v not in ids]
    too_many = len(ids) > MAX_COMPARE
    ids = ids[:MAX_COMPARE]
    offerings: list[StoredOffering] = []
    missing: list[str] = []
    for offering_id in ids:
        try:
            offerings.append(context.catalogue.get_offering(offering_id))
        except NotFound:
            missing.append(offering_id)
    labels.refresh_providers()
    columns = [{"offering": o,
                "remove": _compare_url([i for i in ids if i != o.id], from_qs),
                "href": _offering_url(o.id, from_qs, ids)} for o in offerings]
    return render("compare.html", columns=columns, missing=missing, too_many=too_many,
                  rows=compare_rows(offerings, labels, context.reference_currency),
                  back=back_to_search(from_qs, [o.id for o in offerings]),
                  max_compare=MAX_COMPARE)



def _search_description(state: SearchState, result: SearchResult | None) -> str | None:
    """A filtered results page says what it holds; the home page keeps the site's own."""
    if result is None or not state.items:
        return None
    what = f" matching “{state.get('q')}”" if state.get("q") else ""
    return (f"{result.total:,} micro-credential{'s' if result.total != 1 else ''}{what}: short, "
            f"credit-bearing courses compared on level, credits, price and dates.")


def _offering_url(offering_id: str, from_qs: str | None, compare: list[str]) -> str:
    parts = ([("from", from_qs)] if from_qs else []) + (
        [("compare", ",".join(compare))] if compare else [])
    return f"/offerings/{offering_id}" + ("?" + urlencode(parts) if parts else "")


def _compare_url(ids: list[str], from_qs: str | None) -> str:
    parts = [("id", i) for i in ids] + ([("from", from_qs)] if from_qs else [])
    return "/compare?" + urlencode(parts) if parts else "/compare"


def _facet_groups(result: SearchResult, state: SearchState, labels: Labels) -> list[dict]:
    groups = []
    for facet, title, param in checkbox_facets():
        buckets = result.facets.get(facet) or []
        selected = state.values(param)
        if not buckets and not selected:
            continue
        shown = [{"value": b.value, "count": b.count, "label": labels.value(facet, b.value),
                  "checked": b.value in selected} for b in buckets]
        # A chosen value that matches nothing any more stays visible, so it can be unticked.
        present = {b["value"] for b in shown}
        shown += [{"value": v, "count": 0, "label": labels.value(facet, v), "checked": True}
                  for v in sorted(selected - present)
                  if facet != "subject_broad" or len(v) == 2]
        if facet == "subject_broad":
            shown += [{"value": v, "count": None, "label": labels.value("subject", v),
                       "checked": True} for v in sorted(selected - present) if len(v) != 2]
        # Chosen values first, so they are never hidden behind "Show more".
        shown.sort(key=lambda b: not b["checked"])
        groups.append({"name": facet, "title": title, "param": param,
                       "buckets": shown[:FACETS_SHOWN], "more": shown[FACETS_SHOWN:],
                       "chosen": sum(1 for b in shown if b["checked"])})
    return groups


def _eqf_counts(result: SearchResult | None, state: SearchState) -> list[dict]:
    if result is None:
        return []
    low, high = state.get("eqf_min"), state.get("eqf_max")
    out = []
    for bucket in sorted(result.facets.get("eqf") or [], key=lambda b: int(b.value)):
        chosen = low == high == bucket.value
        out.append({"level": bucket.value, "count": bucket.count, "chosen": chosen,
                    "href": (state.url([(k, v) for k, v in state.items
                                        if k not in ("eqf_min", "eqf_max")])
                             if chosen else state.with_only(eqf_min=bucket.value,
                                                            eqf_max=bucket.value))})
    return out


def _applied_filters(state: SearchState, labels: Labels, currency: str) -> list[dict]:
    applied = []
    facet_of = {param: facet for facet, _title, param in checkbox_facets()}
    for key, raw in state.items:
        if key in facet_of:
            for value in split_values(raw):
                facet = "subject" if key == "subject" else facet_of[key]
                applied.append({"label": labels.value(facet, value),
                                "remove": state.without(key, value)})
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


def _compare_items(context: ApiContext, ids: list[str]) -> list[dict]:
    items = []
    for offering_id in ids:
        try:
            offering = context.catalogue.get_offering(offering_id)
        except NotFound:
            continue
        items.append({"id": offering.id, "title": offering.title,
                      "provider": offering.provider.name})
    return items
