"""The agency dashboard: offerings by level, subject, mode and region, the price
distribution and the time series, with the search filters and a CSV download.

Charts are drawn here as SVG from the agency API's answers (`/v1/stats/offerings`,
`/v1/stats/timeseries`, `/v1/export`), called in-process with the agency's key.

Signing in: the agency types its key into a form (POST, never a URL); the key is kept in
an HttpOnly, SameSite=Strict cookie scoped to /agency, for the browser session only. The
server needs the key on plain page loads (to draw the charts, and to stream the CSV as an
ordinary download), and HttpOnly keeps it out of reach of any script. The key is checked
again on every request, so a revoked key stops working at once.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlencode, urlparse

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from catalogue.accounts import ApiKey, InvalidKey, Role
from catalogue.errors import CatalogueError
from catalogue.search.documents import CREDIT_BANDS, PRICE_BANDS
from search_api.context import ApiContext
from search_api.pages import charts
from search_api.pages.internal_api import InternalApi
from search_api.pages.render import Labels, Renderer, number
from search_api.params import ParameterErrors, search_query_from_params

COOKIE = "microcred_agency"
COOKIE_PATH = "/agency"
INTERVALS = ("week", "month", "quarter")
# The search filters the dashboard offers, passed to the agency API as they are.
FILTERS = ("provider", "mode", "subject", "country", "framework", "eqf_min", "eqf_max",
           "price_min", "price_max", "free", "starts_after", "starts_before", "language",
           "credential_type")
BAND_ORDER = {name: i for i, name in enumerate(
    ["free"] + [b[0] for b in PRICE_BANDS] + [b[0] for b in CREDIT_BANDS])}
TOP_GROUPS = 12
# Column charts have room for a few characters under each column; the table beside the
# chart gives the full names.
SHORT_LABELS = {("eqf", None): "None", ("price_band", None): "Unknown",
                ("price_band", "under_100"): "< 100", ("price_band", "100_500"): "100–500",
                ("price_band", "500_1000"): "500–1k", ("price_band", "1000_2500"): "1k–2.5k",
                ("price_band", "2500_plus"): "2.5k +"}
CHARTS = (
    # (id, facet grouped by, heading, kind)
    ("level", "eqf", "Offerings by level (EQF)", "columns"),
    ("subject", "subject_broad", "Offerings by field of study", "bars"),
    ("mode", "mode", "Offerings by mode of delivery", "bars"),
    ("region", "region", "Offerings by region", "bars"),
    ("price", "price_band", "Price distribution", "columns"),
)


def _filters(params: QueryParams) -> list[tuple[str, str]]:
    return [(k, v.strip()) for k, v in params.multi_items() if k in FILTERS and v.strip()]


def install_dashboard(app: FastAPI, context: ApiContext, renderer: Renderer,
                      labels: Labels) -> None:
    internal = InternalApi(app)

    def page(name: str, status: int = 200, **values) -> HTMLResponse:
        response = renderer.page(name, status=status, section="agency", **values)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def signed_in(request: Request) -> tuple[ApiKey | None, str | None, str | None]:
        """The agency key in the cookie, the key itself, and why it is refused if it is."""
        secret = request.cookies.get(COOKIE)
        if not secret or context.publishing is None:
            return None, None, None
        try:
            key = await run_in_threadpool(context.publishing.keys.authenticate, secret)
        except InvalidKey as exc:
            return None, None, str(exc)
        if key.role not in (Role.AGENCY, Role.ADMIN):
            return None, None, (f"a {key.role.value} key cannot open the agency dashboard; "
                                f"use an agency key")
        return key, secret, None

    def sign_in_page(error: str | None = None, status: int = 200) -> HTMLResponse:
        response = page("agency_signin.html", status=status, error=error,
                        enabled=context.publishing is not None)
        if error:
            response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    @app.get("/agency", response_class=HTMLResponse, include_in_schema=False)
    async def dashboard(request: Request) -> Response:
        key, secret, refused = await signed_in(request)
        if key is None:
            return sign_in_page(refused, 401 if refused else 200)
        params = request.query_params
        filters = _filters(params)
        interval = params.get("interval", "month")
        if interval not in INTERVALS:
            interval = "month"
        problems = _filter_problems(filters)
        labels.refresh_providers()
        results = await asyncio.gather(
            *[_stats(internal, secret, facet, filters, with_metrics=(chart_id == "level"))
              for chart_id, facet, _title, _kind in CHARTS],
            _call(internal, secret, "/v1/stats/timeseries", [("interval", interval)] + filters))
        stats = dict(zip([c[0] for c in CHARTS], results[:-1], strict=True))
        figures = [_figure(chart_id, facet, title, kind, stats[chart_id], labels,
                           context.reference_currency)
                   for chart_id, facet, title, kind in CHARTS]
        level = stats["level"]
        figures.insert(1, _price_by_level(level, labels, context.reference_currency))
        series = _series_figure(results[-1], interval)
        total = level["body"].get("total") if level["ok"] else None
        return page("agency.html", who=key, figures=figures, series=series, total=total,
                    problems=problems, form=_form_options(context, labels, params, interval),
                    export_url="/agency/export.csv" + ("?" + urlencode(filters) if filters else ""),
                    unavailable=all(not s["ok"] and s["status"] == 404 for s in stats.values()),
                    reference_currency=context.reference_currency)

    @app.post("/agency/sign-in", include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlparse(origin).netloc != request.url.netloc:
            return sign_in_page("sign in from this site's own page", 403)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        secret = (form.get("key") or [""])[0].strip()
        if not secret:
            return sign_in_page("enter your agency API key", 400)
        if context.publishing is None:
            return sign_in_page("accounts are not enabled in this deployment", 400)
        try:
            key = await run_in_threadpool(context.publishing.keys.authenticate, secret)
        except InvalidKey as exc:
            return sign_in_page(f"that key was not accepted: {exc}", 401)
        if key.role not in (Role.AGENCY, Role.ADMIN):
            return sign_in_page(f"this is a {key.role.value} key; the dashboard needs an agency "
                                f"key{' (providers sign in at /provider)' if key.role is Role.PROVIDER else ''}",
                                403)
        response = RedirectResponse("/agency", status_code=303)
        response.set_cookie(COOKIE, secret, path=COOKIE_PATH, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @app.post("/agency/sign-out", include_in_schema=False)
    async def sign_out() -> Response:
        response = RedirectResponse("/agency", status_code=303)
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    @app.get("/agency/export.csv", include_in_schema=False)
    async def export(request: Request) -> Response:
        key, secret, refused = await signed_in(request)
        if key is None:
            return sign_in_page(refused or "sign in to download the data", 401)
        answer = await internal.get("/v1/export", [("format", "csv")]
                                    + _filters(request.query_params), secret)
        if answer.status != 200:
            detail = _message(await answer.read(), answer.status)
            return page("agency_error.html", status=answer.status if answer.status >= 400 else 502,
                        message=f"The export could not be made: {detail}")
        headers = {"Content-Disposition": answer.headers.get(
            "content-disposition", 'attachment; filename="microcred-offerings.csv"'),
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        return StreamingResponse(answer.body, media_type=answer.headers.get(
            "content-type", "text/csv; charset=utf-8"), headers=headers)


def _message(raw: bytes, status: int) -> str:
    try:
        body = json.loads(raw)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return body["error"].get("message") or f"HTTP {status}"
        if isinstance(body, dict) and "detail" in body:
            detail = body["detail"]
            if isinstance(detail, list):
                return "; ".join(f"{d.get('loc', ['?'])[-1]}: {d.get('msg')}" for d in detail)
            return str(detail)
    except ValueError:
        pass
    if status == 404:
        return "the agency API is not available in this deployment"
    return f"HTTP {status}"


async def _call(internal: InternalApi, secret: str, path: str,
                params: list[tuple[str, str]]) -> dict:
    answer = await internal.get(path, params, secret)
    raw = await answer.read()
    if answer.status == 200:
        try:
            return {"ok": True, "status": 200, "body": json.loads(raw)}
        except ValueError:
            return {"ok": False, "status": 502, "message": "the API answered with something "
                                                          "that is not JSON", "body": {}}
    message = ("the agency statistics API is not available in this deployment yet"
               if answer.status == 404 and b"Not Found" in raw else _message(raw, answer.status))
    return {"ok": False, "status": answer.status, "message": message, "body": {}}


async def _stats(internal: InternalApi, secret: str, facet: str, filters: list[tuple[str, str]],
                 with_metrics: bool = False) -> dict:
    params = [("group_by", facet)]
    if with_metrics:
        params += [("metrics", "price,ects"), ("percentiles", "10,50,90")]
    return await _call(internal, secret, "/v1/stats/offerings", params + filters)


def _group_label(facet: str, value, labels: Labels) -> str:
    if value is None or value == "":
        return {"eqf": "No EQF level", "region": "Region not stated",
                "price_band": "Price not stated"}.get(facet, "Not stated")
    if facet == "eqf":
        return f"Level {value}"
    return labels.value(facet, str(value))


def _groups(facet: str, answer: dict, labels: Labels) -> list[dict]:
    groups = []
    body = answer["body"]
    # `rows` is what the agency API answers; `groups` was the name in its first draft.
    for group in body.get("rows", body.get("groups")) or []:
        value = group.get(facet)
        groups.append({"value": value, "label": _group_label(facet, value, labels),
                       "count": group.get("count") or 0, "price": group.get("price") or {},
                       "ects": group.get("ects") or {}})
    if facet == "eqf":
        groups.sort(key=lambda g: (g["value"] is None, int(g["value"]) if g["value"] else 0))
    elif facet in ("price_band", "credits_band"):
        groups.sort(key=lambda g: BAND_ORDER.get(g["value"], 99))
    else:
        groups.sort(key=lambda g: (g["value"] is None, -g["count"], g["label"]))
    return groups


def _figure(chart_id: str, facet: str, title: str, kind: str, answer: dict, labels: Labels,
            currency: str) -> dict:
    figure = {"id": chart_id, "title": title, "svg": None, "rows": [], "error": None,
              "note": None, "columns": ("Group", "Offerings", "Share")}
    if not answer["ok"]:
        figure["error"] = answer["message"]
        return figure
    groups = _groups(facet, answer, labels)
    total = answer["body"].get("total") or sum(g["count"] for g in groups) or 0
    if kind == "bars" and len(groups) > TOP_GROUPS:
        rest = groups[TOP_GROUPS - 1:]
        groups = groups[:TOP_GROUPS - 1] + [{"value": "other", "count": sum(g["count"] for g in rest),
                                             "label": f"{len(rest)} others", "price": {}}]
    bars = [charts.Bar(SHORT_LABELS.get((facet, g["value"]), g["label"]), g["count"])
            for g in groups]
    if facet == "price_band":
        figure["title"] = f"{title} ({currency})"
    draw = charts.columns if kind == "columns" else charts.horizontal_bars
    figure["svg"] = draw(figure["title"], bars) if bars else None
    figure["rows"] = [(g["label"], number(g["count"]),
                       f"{g['count'] / total:.1%}" if total else "") for g in groups]
    if answer["body"].get("multi_valued"):
        figure["note"] = ("A course can belong to more than one group here, so the groups "
                          f"can add up to more than the {number(total)} courses.")
    return figure


def _price_by_level(answer: dict, labels: Labels, currency: str) -> dict:
    figure = {"id": "price-level", "title": f"Price by level ({currency}, 10th–90th percentile)",
              "svg": None, "rows": [], "error": None, "note": None,
              "columns": ("Level", "Offerings", "10th percentile", "Median", "90th percentile")}
    if not answer["ok"]:
        figure["error"] = answer["message"]
        return figure
    spreads = []
    for g in _groups("eqf", answer, labels):
        price = g["price"] or {}
        middle = price.get("median", price.get("p50"))
        spreads.append(charts.Spread(g["label"], price.get("p10"), middle, price.get("p90"),
                                     g["count"]))
    figure["svg"] = charts.spreads(figure["title"], spreads, unit=currency)
    figure["rows"] = [(s.label, number(s.count),
                       *(number(round(v)) if v is not None else "—" for v in (s.low, s.middle, s.high)))
                      for s in spreads]
    return figure


def _series_figure(answer: dict, interval: str) -> dict:
    figure = {"id": "series", "title": f"Offerings added, withdrawn and active, by {interval}",
              "svg": None, "rows": [], "error": None, "note": None,
              "columns": ("Period", "Added", "Withdrawn", "Active")}
    if not answer["ok"]:
        figure["error"] = answer["message"]
        return figure
    body = answer["body"]
    # `periods` is what the agency API answers; `points` was the name in its first draft.
    points = [charts.Point(str(p.get("period")), int(p.get("added") or 0),
                           int(p.get("withdrawn") or 0), int(p.get("active") or 0))
              for p in body.get("periods", body.get("points")) or []]
    figure["svg"] = charts.time_series(figure["title"], points) if points else None
    figure["rows"] = [(p.period, number(p.added), number(p.withdrawn), number(p.active))
                      for p in points]
    return figure


def _filter_problems(filters: list[tuple[str, str]]) -> list[str]:
    try:
        search_query_from_params(QueryParams(filters + [("facets", "none")]))
    except ParameterErrors as exc:
        return [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors]
    except CatalogueError as exc:
        return [str(exc)]
    return []


def _form_options(context: ApiContext, labels: Labels, params: QueryParams,
                  interval: str) -> dict:
    """The choices of the filter form: only values the catalogue holds."""
    query = search_query_from_params(QueryParams([
        ("facets", "provider,subject_broad,country,mode"), ("size", "1"), ("facet_size", "200"),
        ("highlight", "false")]))
    facets = context.backend.search(query).facets

    def options(facet: str, param: str) -> list[dict]:
        chosen = set(params.getlist(param))
        values = sorted((b.value for b in facets.get(facet) or []),
                        key=lambda v: labels.value(facet, v).lower())
        return [{"value": v, "label": labels.value(facet, v), "selected": v in chosen}
                for v in values]

    return {"providers": options("provider", "provider"),
            "subjects": options("subject_broad", "subject"),
            "countries": options("country", "country"), "modes": options("mode", "mode"),
            "values": {name: params.get(name, "") for name in FILTERS},
            "interval": interval, "intervals": INTERVALS}
