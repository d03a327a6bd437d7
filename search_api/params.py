"""Query-string parameters of the search endpoints, turned into the typed query model."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import Query
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from catalogue.errors import InvalidRequest
from catalogue.search.query import DEFAULT_FACETS, Facet, Filters, SearchQuery

LIST_FILTERS = ("provider", "framework", "credit_system", "language", "subject",
                "credential_type", "mode", "pace", "country")
SCALAR_FILTERS = ("eqf_min", "eqf_max", "ects_min", "ects_max", "hours_min", "hours_max",
                  "weeks_min", "weeks_max", "price_min", "price_max", "free", "starts_after",
                  "starts_before")
CONTROL_PARAMETERS = ("q", "size", "cursor", "sort", "facets", "facet_size", "highlight")
SEARCH_PARAMETERS = frozenset(CONTROL_PARAMETERS + LIST_FILTERS + SCALAR_FILTERS)
# Values are compared case-insensitively by upper- or lower-casing what the user typed.
_UPPER_CASE_FILTERS = {"framework", "credit_system", "country"}


class ParameterErrors(Exception):
    """Several parameters were invalid; each entry names one (HTTP 422)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors))
        self.errors = errors


def _split(values: list[str]) -> tuple[str, ...]:
    """Repeated parameters and comma-separated lists are the same thing."""
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def reject_unknown(params: QueryParams, allowed: frozenset[str]) -> None:
    unknown = sorted(set(params.keys()) - allowed)
    if unknown:
        raise InvalidRequest(
            f"unknown parameter(s): {', '.join(unknown)}. Known: {', '.join(sorted(allowed))}",
            parameter=unknown[0])


def filters_from_params(params: QueryParams) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in LIST_FILTERS:
        values = _split(params.getlist(name))
        if values:
            if name in _UPPER_CASE_FILTERS:
                values = tuple(v.upper() for v in values)
            elif name != "subject":
                values = tuple(v.lower() if name != "provider" else v for v in values)
            raw[name] = values
    for name in SCALAR_FILTERS:
        value = params.get(name)
        if value not in (None, ""):
            raw[name] = value
    return raw


def search_query_from_params(params: QueryParams) -> SearchQuery:
    """Build the typed query, or raise ParameterErrors naming every bad parameter."""
    reject_unknown(params, SEARCH_PARAMETERS)
    raw_filters = filters_from_params(params)
    errors: list[dict[str, Any]] = []
    filters = Filters()
    try:
        filters = Filters.model_validate(raw_filters)
    except ValidationError as exc:
        errors.extend(_errors(exc))
    body: dict[str, Any] = {"filters": filters}
    for name, target in (("q", "text"), ("size", "size"), ("cursor", "cursor"), ("sort", "sort"),
                         ("facet_size", "facet_size"), ("highlight", "highlight")):
        value = params.get(name)
        if value not in (None, ""):
            body[target] = value
    facets = _split(params.getlist("facets"))
    if facets:
        body["facets"] = () if facets == ("none",) else facets
    else:
        body["facets"] = DEFAULT_FACETS
    try:
        query = SearchQuery.model_validate(body)
    except ValidationError as exc:
        errors.extend(_errors(exc, rename={"text": "q"}))
        query = None
    if errors:
        raise ParameterErrors(errors)
    return query


def _errors(exc: ValidationError, rename: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
        name = loc[0] if loc else "query"
        if name == "filters":
            continue  # reported already from Filters itself
        name = (rename or {}).get(name, name)
        message = error["msg"]
        if name == "facets":
            message += f" (known facets: {', '.join(f.value for f in Facet)})"
        out.append({"loc": ["query", name], "msg": message, "type": error["type"],
                    "input": error.get("input") if not isinstance(error.get("input"), dict) else None})
    return out


def filter_parameters(
    provider: list[str] = Query([]),
    mode: list[str] = Query([], description="online, in_person, blended"),
    pace: list[str] = Query([], description="self_paced, scheduled"),
    framework: list[str] = Query([], description="EQF, NZQF, AQF, NFQ, SCQF, RQF"),
    eqf_min: int | None = Query(None, ge=1, le=8),
    eqf_max: int | None = Query(None, ge=1, le=8),
    ects_min: float | None = Query(None, ge=0),
    ects_max: float | None = Query(None, ge=0),
    hours_min: float | None = Query(None, ge=0),
    hours_max: float | None = Query(None, ge=0),
    weeks_min: float | None = Query(None, ge=0),
    weeks_max: float | None = Query(None, ge=0),
    price_min: float | None = Query(None, ge=0),
    price_max: float | None = Query(None, ge=0),
    free: bool | None = Query(None),
    credit_system: list[str] = Query([]),
    language: list[str] = Query([], description="ISO 639-1"),
    subject: list[str] = Query([], description="ISCED-F 2013 code, 2-4 digits"),
    credential_type: list[str] = Query([]),
    country: list[str] = Query([], description="ISO 3166-1 alpha-2"),
    starts_after: date | None = Query(None),
    starts_before: date | None = Query(None),
) -> None:
    """The search filters, declared once for the OpenAPI description of every route that
    takes them; the values are read from the query string by this module's own parsing."""
