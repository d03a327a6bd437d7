"""The agency's questions answered from the services: what `/v1/stats/...` returns and the
dashboard draws, computed once, here, for both."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams

from catalogue.export import FEDERATION_FORMATS, FILE_SUFFIXES, MEDIA_TYPES, ExportFormat
from catalogue.search.query import Filters
from catalogue.stats.query import StatsQuery
from catalogue.stats.timeseries import Interval, TimeseriesQuery
from search_api.context import AgencyContext
from search_api.models.agency import StatsOut, TimeseriesOut
from search_api.models.publication import (
    PublicationRuleOut,
    TargetOut,
    TargetReportOut,
    TargetsOut,
)
from search_api.params import (
    LIST_FILTERS,
    SCALAR_FILTERS,
    ParameterErrors,
    filters_from_params,
    reject_unknown,
    split_values,
    validation_errors,
)

FILTER_PARAMETERS = frozenset(LIST_FILTERS + SCALAR_FILTERS)


def _validated(model: type[BaseModel], body: Mapping[str, Any]):
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ParameterErrors(validation_errors(exc)) from None


def filters_of(params: QueryParams, own: frozenset[str] = frozenset()) -> Filters:
    """The search filters in `params`; any other parameter but `own` is refused (400)."""
    reject_unknown(params, FILTER_PARAMETERS | own)
    return _validated(Filters, filters_from_params(params))


def stats_answer(
    agency: AgencyContext,
    filters: Filters,
    reference_currency: str,
    *,
    group_by: Sequence[str],
    metrics: Sequence[str] = (),
    percentiles: Sequence[str] = (),
) -> StatsOut:
    query = _validated(
        StatsQuery,
        {
            "filters": filters,
            "group_by": split_values(group_by),
            "metrics": split_values(metrics),
            "percentiles": split_values(percentiles),
        },
    )
    return StatsOut.of(agency.stats.answer(query), reference_currency)


def timeseries_answer(
    agency: AgencyContext,
    filters: Filters,
    *,
    interval: Interval | str = Interval.MONTH,
    start: date | None = None,
    end: date | None = None,
) -> TimeseriesOut:
    query = _validated(
        TimeseriesQuery, {"filters": filters, "interval": interval, "start": start, "end": end}
    )
    return TimeseriesOut.of(agency.timeseries.series(query))


def export_response(
    agency: AgencyContext,
    filters: Filters,
    format: ExportFormat,
    *,
    include_duplicates: bool = False,
    page_base: str = "",
) -> StreamingResponse:
    """The export as a download (the API route and the dashboard's CSV link). `page_base`
    is the public address offering pages are under, for exports that link to them."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        agency.exports.stream(
            filters, format, include_duplicates=include_duplicates, page_base=page_base
        ),
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="microcred-offerings-{stamp}.{FILE_SUFFIXES[format]}"'
        },
    )


TARGET_TITLES = {
    ExportFormat.ELM_LOQ: "Europass Qualifications Dataset Register (ELM v3 LOQ XML)",
    ExportFormat.CTDL: "Credential Engine Registry (CTDL JSON-LD)",
    ExportFormat.XCRI_CAP: "UK course aggregators (XCRI-CAP 1.2)",
}


def targets_answer(agency: AgencyContext, page_base: str = "") -> TargetsOut:
    """Every federation target with the agency's rule for it and what an export of the
    whole catalogue to it leaves out (each export is written and thrown away)."""
    return TargetsOut(
        targets=[
            TargetOut(
                target=target.value,
                title=TARGET_TITLES[target],
                rule=PublicationRuleOut(**agency.exports.rules.get(target.value).as_dict()),
                report=TargetReportOut(**agency.exports.target_report(target, page_base).as_dict()),
            )
            for target in FEDERATION_FORMATS
        ]
    )
