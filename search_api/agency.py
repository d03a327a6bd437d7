"""Agency routes: aggregate statistics, history, bulk export, data quality and duplicate
links, for government agencies (qualifications authorities, ministries, funders).

Every route here needs an agency or admin key and is rate limited per key. Filters are the
search filters, with the same names and grammar as /v1/search (no `q`: statistics are
about the catalogue, not about relevance to words).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ValidationError

from catalogue.accounts import ApiKey, Role
from catalogue.errors import InvalidRequest
from catalogue.export import EXPORT_COLUMNS, MEDIA_TYPES, ExportFormat
from catalogue.quality import DEFAULT_STALE_DAYS, quality_as_dict
from catalogue.search.query import Filters
from catalogue.stats.query import Dimension, Metric, StatsQuery, StatsResult
from catalogue.stats.summary import percentile_label
from catalogue.stats.timeseries import Interval, TimeseriesQuery
from search_api.auth import authenticate, require_role
from search_api.context import AgencyContext, ApiContext
from search_api.params import (
    LIST_FILTERS,
    SCALAR_FILTERS,
    ParameterErrors,
    filter_parameters,
    filters_from_params,
    reject_unknown,
)
from search_api.rate_limit import RateLimited, TokenBucketLimiter

TAG = "agency"
FILTER_PARAMETERS = frozenset(LIST_FILTERS + SCALAR_FILTERS)
MULTI_VALUED_NOTE = ("an offering with several values of a multi-valued dimension counts once "
                     "in the group of each value, so these groups can add up to more than "
                     "`total`; every other dimension's groups add up to `total` exactly, "
                     "offerings without a value counted in the group whose value is null")
GROUP_BY_HELP = "One or two of: " + ", ".join(d.value for d in Dimension)
METRICS_HELP = ("Any of: " + ", ".join(m.value for m in Metric)
                + "; each gives n, min, max, mean, median and the percentiles asked for")


def _validation_errors(exc: ValidationError, rename: dict[str, str] | None = None) -> list[dict]:
    out = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
        name = (rename or {}).get(loc[0], loc[0]) if loc else "query"
        out.append({"loc": ["query", name], "msg": error["msg"], "type": error["type"]})
    return out


def _filters(request: Request, own: frozenset[str]) -> Filters:
    reject_unknown(request.query_params, FILTER_PARAMETERS | own)
    try:
        return Filters.model_validate(filters_from_params(request.query_params))
    except ValidationError as exc:
        raise ParameterErrors(_validation_errors(exc)) from None


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _validated(model: type[BaseModel], body: dict[str, Any], rename: dict[str, str] | None = None):
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ParameterErrors(_validation_errors(exc, rename)) from None


def stats_out(result: StatsResult, reference_currency: str) -> dict:
    rows = []
    for row in result.rows:
        out: dict[str, Any] = dict(row.groups)
        out["count"] = row.count
        for name, summary in row.metrics.items():
            out[name] = {"n": summary.n, "min": summary.min, "max": summary.max,
                         "mean": summary.mean, "median": summary.median, **summary.percentiles}
        rows.append(out)
    return {
        "total": result.total,
        "group_by": [d.value for d in result.group_by],
        "metrics": [m.value for m in result.metrics],
        "percentiles": [percentile_label(p) for p in result.percentiles],
        "multi_valued": result.multi_valued,
        "counting": MULTI_VALUED_NOTE if result.multi_valued else
        "each offering counts in exactly one group; the counts add up to `total`",
        "reference_currency": reference_currency,
        "source": result.source,
        "rows": rows,
    }


def build_agency_router(context: ApiContext) -> APIRouter:
    def agency() -> AgencyContext:
        if context.agency is None:  # the composition root always provides it
            raise InvalidRequest("agency routes are not enabled in this deployment")
        return context.agency

    limiter = (context.agency.limiter if context.agency and context.agency.limiter else
               TokenBucketLimiter(context.agency.rate_per_minute if context.agency else 60))

    def caller(request: Request) -> ApiKey:
        key = authenticate(request, agency().keys)
        require_role(key, Role.AGENCY)
        limiter.take(key.id)
        return key

    router = APIRouter(tags=[TAG], dependencies=[Depends(caller)])

    @router.get("/v1/stats/offerings", dependencies=[Depends(filter_parameters)],
                summary="Offerings counted and measured per group, with the search filters")
    def stats(
        request: Request,
        group_by: list[str] = Query([], description=GROUP_BY_HELP),
        metrics: list[str] = Query([], description=METRICS_HELP),
        percentiles: list[str] = Query([], description="e.g. 10,90 (linear interpolation "
                                       "between closest ranks, as R's and NumPy's default)"),
    ) -> dict:
        filters = _filters(request, frozenset({"group_by", "metrics", "percentiles"}))
        query = _validated(StatsQuery, {"filters": filters, "group_by": _split(group_by),
                                        "metrics": _split(metrics),
                                        "percentiles": _split(percentiles)})
        return stats_out(agency().stats.answer(query), context.reference_currency)

    @router.get("/v1/stats/timeseries", dependencies=[Depends(filter_parameters)],
                summary="Offerings added, withdrawn and active per week, month or quarter")
    def timeseries(
        request: Request,
        interval: Interval = Query(Interval.MONTH),
        start: date | None = Query(None, description="First day; default: the first change"),
        end: date | None = Query(None, description="Last day; default: today (UTC)"),
    ) -> dict:
        filters = _filters(request, frozenset({"interval", "start", "end"}))
        query = _validated(TimeseriesQuery, {"filters": filters, "interval": interval,
                                             "start": start, "end": end})
        series = agency().timeseries.series(query)
        return {"interval": series.interval.value, "active_before": series.active_before,
                "filters_apply_to": "each offering's current document",
                "periods": [{"period": p.label, "start": p.start, "end": p.end,
                             "added": p.added, "withdrawn": p.withdrawn, "active": p.active}
                            for p in series.periods]}

    @router.get("/v1/export", dependencies=[Depends(filter_parameters)],
                summary="Every matching active offering as CSV or JSON Lines, streamed",
                response_class=StreamingResponse,
                responses={200: {"content": {MEDIA_TYPES[ExportFormat.CSV]: {},
                                             MEDIA_TYPES[ExportFormat.JSONL]: {}}}})
    def export(
        request: Request,
        format: ExportFormat = Query(ExportFormat.CSV),
        include_duplicates: bool = Query(False, description="Also the second listings of "
                                         "offerings that reached us twice (see duplicate_of)"),
    ) -> StreamingResponse:
        filters = _filters(request, frozenset({"format", "include_duplicates"}))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return StreamingResponse(
            agency().exports.stream(filters, format, include_duplicates=include_duplicates),
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition":
                     f'attachment; filename="microcred-offerings-{stamp}.{format.value}"'})

    @router.get("/v1/export/columns", summary="The export's columns, in order, and their meaning")
    def export_columns() -> dict:
        return {"columns": [{"name": n, "description": d} for n, d in EXPORT_COLUMNS]}

    @router.get("/v1/quality", summary="Data quality of every provider")
    def quality(request: Request,
                stale_days: int = Query(DEFAULT_STALE_DAYS, ge=1, le=3650)) -> dict:
        reject_unknown(request.query_params, frozenset({"stale_days"}))
        return {"stale_days": stale_days,
                "providers": [quality_as_dict(q) for q in agency().quality.report(
                    stale_days=stale_days)]}

    @router.get("/v1/quality/{provider_id}", summary="Data quality of one provider")
    def provider_quality(provider_id: str, request: Request,
                         stale_days: int = Query(DEFAULT_STALE_DAYS, ge=1, le=3650)) -> dict:
        reject_unknown(request.query_params, frozenset({"stale_days"}))
        return quality_as_dict(agency().quality.report(provider_id, stale_days=stale_days)[0])

    @router.get("/v1/duplicates", summary="Offerings that reached us twice, and why we think so")
    def duplicates(request: Request, provider: str | None = Query(None),
                   limit: int = Query(100, ge=1, le=1000),
                   after: int | None = Query(None, description="id of the last link seen")) -> dict:
        reject_unknown(request.query_params, frozenset({"provider", "limit", "after"}))
        links = agency().duplicates.links(provider_id=provider, limit=limit, after=after)
        return {"links": links, "next_after": links[-1]["id"] if len(links) == limit else None}

    return router


def build_sources_router(context: ApiContext) -> APIRouter:
    """Public: every listing of an offering, for its page (no key needed)."""
    router = APIRouter(tags=["search"])

    @router.get("/v1/offerings/{offering_id}/sources",
                summary="Every listing of an offering that reached us more than once")
    def sources(offering_id: str) -> dict:
        if context.agency is None:
            return {"id": offering_id, "shown_as": offering_id, "sources": []}
        return context.agency.duplicates.sources_of(offering_id)

    return router


def install_agency(app: FastAPI, context: ApiContext) -> None:
    """The agency routes, the public sources route, and the 429 answer of the rate limit."""

    @app.exception_handler(RateLimited)
    async def _rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse({"error": {"type": "RateLimited", "message": str(exc)}},
                            status_code=429, headers={"Retry-After": str(exc.retry_after)})

    app.include_router(build_agency_router(context))
    app.include_router(build_sources_router(context))



