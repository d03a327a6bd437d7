"""What the agency dashboard shows besides its charts: each chart's numbers as the API would
answer them (or why there are none), the filter form's choices and what is wrong with the
filters typed (search_api.pages.dashboard renders them)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from starlette.datastructures import QueryParams

from catalogue.errors import CatalogueError
from catalogue.search.query import Filters
from search_api.agency_answers import filters_of
from search_api.context import AgencyContext, ApiContext
from search_api.errors import DOMAIN_ERRORS
from search_api.pages.render import Labels
from search_api.params import ParameterErrors, search_query_from_params

INTERVALS = ("week", "month", "quarter")
NOT_AVAILABLE = "the agency statistics API is not available in this deployment yet"
FILTERS = (
    "provider",
    "mode",
    "subject",
    "country",
    "framework",
    "eqf_min",
    "eqf_max",
    "price_min",
    "price_max",
    "free",
    "starts_after",
    "starts_before",
    "language",
    "credential_type",
)


def failure(exc: Exception) -> tuple[int, str]:
    """The status and message the API would answer with for `exc`."""
    if isinstance(exc, ParameterErrors):
        return 422, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors)
    status = next((s for cls, s, _code in DOMAIN_ERRORS if isinstance(exc, cls)), 400)
    return status, str(exc)


def answer(
    agency: AgencyContext | None,
    filters: list[tuple[str, str]],
    compute: Callable[[AgencyContext, Filters], BaseModel],
) -> dict:
    """One chart's numbers, as the API's body, or why there are none."""
    if agency is None:
        return {"ok": False, "status": 404, "message": NOT_AVAILABLE, "body": {}}
    try:
        body = compute(agency, filters_of(QueryParams(filters)))
    except (ParameterErrors, CatalogueError) as exc:
        status, message = failure(exc)
        return {"ok": False, "status": status, "message": message, "body": {}}
    return {"ok": True, "status": 200, "body": body.model_dump(mode="json")}


def filter_problems(filters: list[tuple[str, str]]) -> list[str]:
    try:
        search_query_from_params(QueryParams(filters + [("facets", "none")]))
    except ParameterErrors as exc:
        return [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors]
    except CatalogueError as exc:
        return [str(exc)]
    return []


def form_options(context: ApiContext, labels: Labels, params: QueryParams, interval: str) -> dict:
    """The choices of the filter form: only values the catalogue holds."""
    query = search_query_from_params(
        QueryParams(
            [
                ("facets", "provider,subject_broad,country,mode"),
                ("size", "1"),
                ("facet_size", "200"),
                ("highlight", "false"),
            ]
        )
    )
    facets = context.backend.search(query).facets

    def options(facet: str, param: str) -> list[dict]:
        chosen = set(params.getlist(param))
        values = sorted(
            (b.value for b in facets.get(facet) or []), key=lambda v: labels.value(facet, v).lower()
        )
        return [
            {"value": v, "label": labels.value(facet, v), "selected": v in chosen} for v in values
        ]

    return {
        "providers": options("provider", "provider"),
        "subjects": options("subject_broad", "subject"),
        "countries": options("country", "country"),
        "modes": options("mode", "mode"),
        "values": {name: params.get(name, "") for name in FILTERS},
        "interval": interval,
        "intervals": INTERVALS,
    }
