"""The agency dashboard's federation page: for Europass (ELM LOQ), Credential Engine (CTDL)
and XCRI-CAP aggregators, how many offerings an export publishes, leaves out and why, and
a form to choose which providers and fields go to each (the same rules as
`PUT /v1/export/targets/{target}`). Signed in and rate limited as the dashboard is."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from catalogue.errors import CatalogueError
from catalogue.publication import WITHHOLDABLE
from search_api.agency_answers import targets_answer
from search_api.dependencies import Context
from search_api.pages.dashboard import (
    agency_page,
    agency_rate_limited,
    sign_in_page,
    signed_in,
)
from search_api.pages.dashboard_view import NOT_AVAILABLE, failure
from search_api.pages.dependencies import PageRenderer

router = APIRouter(include_in_schema=False)


def _page_base(request: Request, context) -> str:
    return (context.public_url or str(request.base_url)).rstrip("/")


@router.get("/agency/targets")
def targets_page(request: Request, context: Context, renderer: PageRenderer) -> Response:
    key, refused = signed_in(request, context)
    if key is None:
        return sign_in_page(renderer, context, refused, 401 if refused else 200)
    if context.agency is None:
        return agency_page(
            renderer,
            "agency_error.html",
            status=404,
            message=f"The federation targets are not available: {NOT_AVAILABLE}",
        )
    if limited := agency_rate_limited(request, renderer, key):
        return limited
    answer = targets_answer(context.agency, _page_base(request, context))
    providers = [p for p, _count in context.catalogue.list_providers()]
    return agency_page(
        renderer,
        "agency_targets.html",
        who=key,
        targets=answer.targets,
        providers=providers,
        fields=WITHHOLDABLE,
        saved=request.query_params.get("saved"),
    )


@router.post("/agency/targets/{target}")
async def set_rule(
    target: str, request: Request, context: Context, renderer: PageRenderer
) -> Response:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlparse(origin).netloc != request.url.netloc:
        return agency_page(
            renderer,
            "agency_error.html",
            status=403,
            message="Change the publication rules from this site's own page",
        )
    key, refused = signed_in(request, context)
    if key is None:
        return sign_in_page(renderer, context, refused or "sign in to change the rules", 401)
    if context.agency is None:
        return agency_page(
            renderer,
            "agency_error.html",
            status=404,
            message=f"The federation targets are not available: {NOT_AVAILABLE}",
        )
    if limited := agency_rate_limited(request, renderer, key):
        return limited
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    rules = context.agency.exports.rules
    try:
        await run_in_threadpool(
            rules.put, target, form.get("exclude", []), form.get("withhold", [])
        )
    except CatalogueError as exc:
        status, message = failure(exc)
        return agency_page(
            renderer,
            "agency_error.html",
            status=status,
            message=f"The rule could not be saved: {message}",
        )
    return RedirectResponse(f"/agency/targets?saved={target}#target-{target}", status_code=303)
