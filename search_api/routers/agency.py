"""Agency routes: aggregate statistics, history, bulk export, data quality and duplicate
links, for government agencies (qualifications authorities, ministries, funders).

Every route here needs an agency or admin key and is rate limited per key (`AgencyScope`,
on the router). Filters are the search filters, with the same names and grammar as
/v1/search (no `q`: statistics are about the catalogue, not about relevance to words).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from catalogue.export import EXPORT_COLUMNS, MEDIA_TYPES, ExportFormat
from catalogue.quality import DEFAULT_STALE_DAYS, quality_as_dict
from catalogue.stats.query import Dimension, Metric
from catalogue.stats.timeseries import Interval
from search_api.agency_answers import export_response, filters_of, stats_answer, timeseries_answer
from search_api.dependencies import MAX_ROW_ID, Agency, Context, agency_scope
from search_api.errors import error_responses
from search_api.models.agency import (
    DuplicateLinksOut,
    ExportColumnsOut,
    ProviderQualityOut,
    QualityOut,
    StatsOut,
    TimeseriesOut,
)
from search_api.params import filter_parameters, reject_unknown

TAG = "agency"
GROUP_BY_HELP = "One or two of: " + ", ".join(d.value for d in Dimension)
METRICS_HELP = (
    "Any of: "
    + ", ".join(m.value for m in Metric)
    + "; each gives n, min, max, mean, median and the percentiles asked for"
)

router = APIRouter(
    tags=[TAG],
    dependencies=[Depends(agency_scope)],
    responses=error_responses(400, 401, 403, 422, 429),
)


@router.get(
    "/v1/stats/offerings",
    response_model=StatsOut,
    dependencies=[Depends(filter_parameters)],
    summary="Offerings counted and measured per group, with the search filters",
)
def stats(
    request: Request,
    agency: Agency,
    context: Context,
    group_by: list[str] = Query([], description=GROUP_BY_HELP),
    metrics: list[str] = Query([], description=METRICS_HELP),
    percentiles: list[str] = Query(
        [],
        description="e.g. 10,90 (linear interpolation "
        "between closest ranks, as R's and NumPy's default)",
    ),
) -> StatsOut:
    filters = filters_of(request.query_params, frozenset({"group_by", "metrics", "percentiles"}))
    return stats_answer(
        agency,
        filters,
        context.reference_currency,
        group_by=group_by,
        metrics=metrics,
        percentiles=percentiles,
    )


@router.get(
    "/v1/stats/timeseries",
    response_model=TimeseriesOut,
    dependencies=[Depends(filter_parameters)],
    summary="Offerings added, withdrawn and active per week, month or quarter",
)
def timeseries(
    request: Request,
    agency: Agency,
    interval: Interval = Query(Interval.MONTH),
    start: date | None = Query(None, description="First day; default: the first change"),
    end: date | None = Query(None, description="Last day; default: today (UTC)"),
) -> TimeseriesOut:
    filters = filters_of(request.query_params, frozenset({"interval", "start", "end"}))
    return timeseries_answer(agency, filters, interval=interval, start=start, end=end)


@router.get(
    "/v1/export",
    dependencies=[Depends(filter_parameters)],
    summary="Every matching active offering as CSV, JSON Lines, ELM v3 LOQ XML, "
    "CTDL JSON-LD or XCRI-CAP 1.2, streamed",
    response_class=StreamingResponse,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def export(
    request: Request,
    agency: Agency,
    context: Context,
    format: ExportFormat = Query(
        ExportFormat.CSV,
        description=(
            "`csv`, `jsonl`; `elm-loq`: the ELM v3 LOQ XML that Europass's Qualifications "
            "Dataset Register accepts; `ctdl`: a CTDL JSON-LD @graph for Credential Engine's "
            "Registry; `xcri-cap`: an XCRI-CAP 1.2 feed. What a standard has no term for is "
            "left out and counted at the end of the document (an XML comment; in CTDL, "
            "`microcred:exportReport` after the graph)"
        ),
    ),
    include_duplicates: bool = Query(
        False,
        description="Also the second listings of "
        "offerings that reached us twice (see duplicate_of)",
    ),
) -> StreamingResponse:
    filters = filters_of(request.query_params, frozenset({"format", "include_duplicates"}))
    page_base = (context.public_url or str(request.base_url)).rstrip("/")
    return export_response(
        agency, filters, format, include_duplicates=include_duplicates, page_base=page_base
    )


@router.get(
    "/v1/export/columns",
    response_model=ExportColumnsOut,
    summary="The export's columns, in order, and their meaning",
)
def export_columns() -> dict:
    return {"columns": [{"name": n, "description": d} for n, d in EXPORT_COLUMNS]}


@router.get("/v1/quality", response_model=QualityOut, summary="Data quality of every provider")
def quality(
    request: Request, agency: Agency, stale_days: int = Query(DEFAULT_STALE_DAYS, ge=1, le=3650)
) -> dict:
    reject_unknown(request.query_params, frozenset({"stale_days"}))
    return {
        "stale_days": stale_days,
        "providers": [quality_as_dict(q) for q in agency.quality.report(stale_days=stale_days)],
    }


@router.get(
    "/v1/quality/{provider_id}",
    response_model=ProviderQualityOut,
    responses=error_responses(404),
    summary="Data quality of one provider",
)
def provider_quality(
    provider_id: str,
    request: Request,
    agency: Agency,
    stale_days: int = Query(DEFAULT_STALE_DAYS, ge=1, le=3650),
) -> dict:
    reject_unknown(request.query_params, frozenset({"stale_days"}))
    return quality_as_dict(agency.quality.report(provider_id, stale_days=stale_days)[0])


@router.get(
    "/v1/duplicates",
    response_model=DuplicateLinksOut,
    summary="Offerings that reached us twice, and why we think so",
)
def duplicates(
    request: Request,
    agency: Agency,
    provider: str | None = Query(None),
    limit: int = Query(100, ge=1, le=1000),
    after: int | None = Query(None, ge=0, le=MAX_ROW_ID, description="id of the last link seen"),
) -> dict:
    reject_unknown(request.query_params, frozenset({"provider", "limit", "after"}))
    links = agency.duplicates.links(provider_id=provider, limit=limit, after=after)
    return {"links": links, "next_after": links[-1]["id"] if len(links) == limit else None}
