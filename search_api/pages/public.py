"""The public marketplace: search, the offering page and compare. Server-rendered; every
state is in the URL, so links can be shared, the back button works and nothing needs
JavaScript (the script only adds suggestions and submits filters as they change)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from catalogue.errors import InvalidRequest, NotFound
from catalogue.schema_org import course_markup, script_json
from catalogue.search.results import SearchResult
from normaliser.schema import StoredOffering
from search_api.dependencies import Context
from search_api.pages.compare_view import compare_cards, compare_rows
from search_api.pages.dependencies import PageLabels, PageRenderer, page_rate_limit
from search_api.pages.offering_view import (
    card_view,
    offering_description,
    offering_sections,
)
from search_api.pages.search_state import MAX_COMPARE, SearchState, back_to_search
from search_api.pages.search_view import (
    SCALAR_LABELS,
    SORT_LABELS,
    applied_filters,
    compare_items,
    compare_url,
    eqf_counts,
    facet_groups,
    landing_blocks,
    offering_url,
    search_description,
)
from search_api.pages.site_index import canonical_href, site_url
from search_api.params import (
    ParameterErrors,
    check_facet_cost,
    search_query_from_params,
    split_values,
)

# The public pages count against the client's public rate limit, as the API does.
router = APIRouter(include_in_schema=False, dependencies=[Depends(page_rate_limit)])


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, context: Context, renderer: PageRenderer, labels: PageLabels
) -> HTMLResponse:
    render = renderer.page
    state = SearchState.from_params(request.query_params)
    problems: list[str] = []
    result: SearchResult | None = None
    size = 20
    # A value the search refuses is said next to the rest of the search, which still runs
    # without it: a mistyped level in a shared link must not empty the page.
    for _attempt in range(2):
        try:
            query = check_facet_cost(search_query_from_params(state.query_params()))
            size = query.size
            result = context.backend.search(query)
            break
        except ParameterErrors as exc:
            problems += [
                f"{SCALAR_LABELS.get(str(e['loc'][-1]), e['loc'][-1])}: {e['msg']}"
                for e in exc.errors
            ]
            state = state.dropping(str(e["loc"][-1]) for e in exc.errors)
        except InvalidRequest as exc:
            problems.append(str(exc))
            if not exc.parameter:
                break
            state = state.dropping([exc.parameter])
    labels.refresh_providers()
    facets = facet_groups(result, state, labels) if result else []
    pages = None
    if result is not None:
        last = max(1, -(-result.total // size))
        nxt = (
            state.url(
                cursor=result.next_cursor,
                trail=state.trail + ([state.cursor] if state.cursor else []),
            )
            if result.next_cursor
            else None
        )
        prev = None
        if state.page == 2:
            prev = state.url()
        elif state.page > 2:
            prev = state.url(cursor=state.trail[-1], trail=state.trail[:-1])
        pages = {
            "current": state.page,
            "last": last,
            "next": nxt,
            "previous": prev,
            "first": state.url() if state.page > 2 else None,
        }
    compared = compare_items(context, state.compare)
    return render(
        "search.html",
        state=state,
        meta_description=search_description(state, result),
        canonical=canonical_href(
            request, "/" + ("?" + urlencode(state.items) if state.items else "")
        ),
        result=result,
        problems=problems,
        facets=facets,
        landing=landing_blocks(facets, state),
        applied=applied_filters(state, labels, context.reference_currency),
        sort_labels=SORT_LABELS,
        labels=labels,
        pages=pages,
        eqf_counts=eqf_counts(result, state),
        free_counts={b.value: b.count for b in (result.facets.get("free", []) if result else [])},
        compare_items=compared,
        max_compare=MAX_COMPARE,
        # "Search instead for" the words as typed: the same search with correction off.
        as_typed_url=state.with_only(correct="false"),
        card_view=lambda summary: card_view(summary, labels, context.reference_currency),
        offering_href=lambda offering_id: offering_url(
            offering_id, state.search_query_string() or None, state.compare
        ),
        from_qs=state.search_query_string(),
        reference_currency=context.reference_currency,
        compare_url=(
            "/compare?"
            + urlencode(
                [("id", i) for i in state.compare] + [("from", state.search_query_string())]
            )
        ),
    )


@router.get("/offerings/{offering_id}", response_class=HTMLResponse)
def offering_page(
    offering_id: str, request: Request, context: Context, renderer: PageRenderer, labels: PageLabels
) -> HTMLResponse:
    render = renderer.page
    from_qs = request.query_params.get("from")
    compare = split_values(request.query_params.get("compare", ""))[:MAX_COMPARE]
    try:
        offering = context.catalogue.get_offering(offering_id)
    except NotFound:
        return render(
            "not_found.html", status=404, what="offering", back=back_to_search(from_qs, compare)
        )
    in_compare = offering.id in compare
    new_compare = (
        [c for c in compare if c != offering.id] if in_compare else compare + [offering.id]
    )
    path = f"/offerings/{offering.id}"
    markup, _missing = course_markup(offering, site_url(request) + path)
    return render(
        "offering.html",
        offering=offering,
        labels=labels,
        canonical=canonical_href(request, path),
        structured_data=script_json(markup) if markup else None,
        meta_description=offering_description(offering, labels),
        sections=offering_sections(offering, labels, context.reference_currency),
        back=back_to_search(from_qs, compare),
        provider_results="/?" + urlencode([("provider", offering.provider.id)]),
        in_compare=in_compare,
        compare_full=len(compare) >= MAX_COMPARE and not in_compare,
        toggle_compare=offering_url(offering.id, from_qs, new_compare),
        compare_url=compare_url(new_compare if not in_compare else compare, from_qs),
        compare_count=len(compare),
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, context: Context, renderer: PageRenderer, labels: PageLabels
) -> HTMLResponse:
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
    columns = [
        {
            "offering": o,
            "remove": compare_url([i for i in ids if i != o.id], from_qs),
            "href": offering_url(o.id, from_qs, ids),
        }
        for o in offerings
    ]
    rows = compare_rows(offerings, labels, context.reference_currency)
    return render(
        "compare.html",
        columns=columns,
        cards=compare_cards(columns, rows),
        differs=[r["label"] for r in rows if r["differs"]],
        missing=missing,
        too_many=too_many,
        rows=rows,
        back=back_to_search(from_qs, [o.id for o in offerings]),
        max_compare=MAX_COMPARE,
    )
