"""The agency dashboard: offerings by level, subject, mode and region, the price
distribution and the time series, with the search filters and a CSV download.

Charts are drawn here as SVG from the same answers the agency API gives
(search_api.agency_answers: what `/v1/stats/offerings`, `/v1/stats/timeseries` and
`/v1/export` return), computed from the agency services directly with the signed-in key
checked as the API checks it: an agency or admin key, and one request of its rate limit
per page, however many charts it draws (the API would count the seven answers it shows,
`/v1/quality` and `/v1/duplicates` among them, as seven).

Signing in: the agency types its key into a form (POST, never a URL); the key is kept in
an HttpOnly, SameSite=Strict cookie scoped to /agency, for the browser session only. The
server needs the key on plain page loads (to draw the charts, and to stream the CSV as an
ordinary download), and HttpOnly keeps it out of reach of any script. The key is checked
again on every request, so a revoked key stops working at once.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from catalogue.accounts import ApiKey, InvalidKey, Role
from catalogue.errors import CatalogueError
from catalogue.export import ExportFormat
from search_api.agency_answers import export_response, filters_of, stats_answer, timeseries_answer
from search_api.context import ApiContext
from search_api.dependencies import Context
from search_api.pages.dashboard_figures import chart_figure, price_by_level, series_figure
from search_api.pages.dashboard_quality import duplicates_view, quality_figure
from search_api.pages.dashboard_view import (
    FILTERS,
    INTERVALS,
    NOT_AVAILABLE,
    answer,
    failure,
    filter_problems,
    form_options,
)
from search_api.pages.dependencies import PageLabels, PageRenderer
from search_api.pages.render import Renderer
from search_api.params import ParameterErrors, split_values
from search_api.rate_limit import RateLimited

COOKIE = "microcred_agency"
COOKIE_PATH = "/agency"
# The search filters the dashboard offers, passed to the agency API as they are.
CHARTS = (
    # (id, facet grouped by, heading, kind)
    ("level", "eqf", "Offerings by level (EQF)", "columns"),
    ("subject", "subject_broad", "Offerings by field of study", "bars"),
    ("mode", "mode", "Offerings by mode of delivery", "bars"),
    ("region", "region", "Offerings by region", "bars"),
    ("price", "price_band", "Price distribution", "columns"),
    ("provider", "provider", "Offerings by provider", "bars"),
)
# The level chart also gives the price spread per level.
LEVEL_METRICS = {"metrics": ["price", "ects"], "percentiles": ["10", "50", "90"]}


def _filters(params: QueryParams) -> list[tuple[str, str]]:
    return [(k, v.strip()) for k, v in params.multi_items() if k in FILTERS and v.strip()]


router = APIRouter(include_in_schema=False)


def agency_page(renderer: Renderer, name: str, status: int = 200, **values) -> HTMLResponse:
    response = renderer.page(name, status=status, section="agency", **values)
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_in(request: Request, context: ApiContext) -> tuple[ApiKey | None, str | None]:
    """The agency key in the cookie, and why it is refused if it is."""
    secret = request.cookies.get(COOKIE)
    if not secret or context.publishing is None:
        return None, None
    try:
        key = context.publishing.keys.authenticate(secret)
    except InvalidKey as exc:
        return None, str(exc)
    if key.role not in (Role.AGENCY, Role.ADMIN):
        return None, (f"a {key.role.value} key cannot open the agency dashboard; use an agency key")
    return key, None


def sign_in_page(
    renderer: Renderer, context: ApiContext, error: str | None = None, status: int = 200
) -> HTMLResponse:
    response = agency_page(
        renderer,
        "agency_signin.html",
        status=status,
        error=error,
        enabled=context.publishing is not None,
    )
    if error:
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def agency_rate_limited(request: Request, renderer: Renderer, key: ApiKey) -> HTMLResponse | None:
    """A page counts as one request of the key against the agency rate limit."""
    try:
        request.app.state.agency_limiter.take(key.id)
    except RateLimited as exc:
        response = agency_page(renderer, "agency_error.html", status=429, message=str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return None


@router.get("/agency", response_class=HTMLResponse)
def dashboard(
    request: Request, context: Context, renderer: PageRenderer, labels: PageLabels
) -> Response:
    key, refused = signed_in(request, context)
    if key is None:
        return sign_in_page(renderer, context, refused, 401 if refused else 200)
    if context.agency is not None and (limited := agency_rate_limited(request, renderer, key)):
        return limited
    params = request.query_params
    filters = _filters(params)
    interval = params.get("interval", "month")
    if interval not in INTERVALS:
        interval = "month"
    problems = filter_problems(filters)
    labels.refresh_providers()
    agency, currency = context.agency, context.reference_currency
    # mypy cannot infer a lambda whose defaults bind the loop's values: checked by the tests.
    stats = {
        chart_id: answer(
            agency,
            filters,
            lambda a, f, facet=facet, chart_id=chart_id: (  # type: ignore[misc]
                stats_answer(
                    a,
                    f,
                    currency,
                    group_by=[facet],
                    **(LEVEL_METRICS if chart_id == "level" else {}),
                )
            ),
        )
        for chart_id, facet, _title, _kind in CHARTS
    }
    series = answer(agency, filters, lambda a, f: timeseries_answer(a, f, interval=interval))
    figures = [
        chart_figure(chart_id, facet, title, kind, stats[chart_id], labels, currency)
        for chart_id, facet, title, kind in CHARTS
    ]
    level = stats["level"]
    figures.insert(1, price_by_level(level, labels, currency))
    chosen = [p for k, v in filters if k == "provider" for p in split_values(v)]
    figures.append(quality_figure(agency, chosen))
    total = level["body"].get("total") if level["ok"] else None
    return agency_page(
        renderer,
        "agency.html",
        who=key,
        figures=figures,
        series=series_figure(series, interval),
        duplicates=duplicates_view(agency, chosen),
        total=total,
        problems=problems,
        form=form_options(context, labels, params, interval),
        export_url="/agency/export.csv" + ("?" + urlencode(filters) if filters else ""),
        unavailable=all(not s["ok"] and s["status"] == 404 for s in stats.values()),
        reference_currency=currency,
    )


@router.post("/agency/sign-in")
async def sign_in(request: Request, context: Context, renderer: PageRenderer) -> Response:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlparse(origin).netloc != request.url.netloc:
        return sign_in_page(renderer, context, "sign in from this site's own page", 403)
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    secret = (form.get("key") or [""])[0].strip()
    if not secret:
        return sign_in_page(renderer, context, "enter your agency API key", 400)
    if context.publishing is None:
        return sign_in_page(renderer, context, "accounts are not enabled in this deployment", 400)
    try:
        key = await run_in_threadpool(context.publishing.keys.authenticate, secret)
    except InvalidKey as exc:
        return sign_in_page(renderer, context, f"that key was not accepted: {exc}", 401)
    if key.role not in (Role.AGENCY, Role.ADMIN):
        providers = " (providers sign in at /provider)" if key.role is Role.PROVIDER else ""
        return sign_in_page(
            renderer,
            context,
            f"this is a {key.role.value} key; the dashboard needs an agency key{providers}",
            403,
        )
    response = RedirectResponse("/agency", status_code=303)
    response.set_cookie(
        COOKIE,
        secret,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/agency/sign-out")
def sign_out() -> Response:
    response = RedirectResponse("/agency", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/agency/export.csv")
def export(request: Request, context: Context, renderer: PageRenderer) -> Response:
    key, refused = signed_in(request, context)
    if key is None:
        return sign_in_page(renderer, context, refused or "sign in to download the data", 401)
    if context.agency is None:
        return agency_page(
            renderer,
            "agency_error.html",
            status=404,
            message=f"The export could not be made: {NOT_AVAILABLE}",
        )
    if limited := agency_rate_limited(request, renderer, key):
        return limited
    try:
        filters = filters_of(QueryParams(_filters(request.query_params)))
    except (ParameterErrors, CatalogueError) as exc:
        status, message = failure(exc)
        return agency_page(
            renderer,
            "agency_error.html",
            status=status,
            message=f"The export could not be made: {message}",
        )
    response = export_response(context.agency, filters, ExportFormat.CSV)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
