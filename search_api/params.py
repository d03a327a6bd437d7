"""Query-string parameters of the search endpoints, turned into the typed query model."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import Query
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from catalogue.errors import InvalidRequest
from catalogue.search import fields as search_fields
from catalogue.search import query as query_model
from catalogue.search.query import DEFAULT_FACETS, Facet, SearchQuery

LIST_FILTERS = tuple(f.name for f in search_fields.FIELDS if f.multi)
SCALAR_FILTERS = tuple(p for f in search_fields.FIELDS if not f.multi for p in f.parameters)
CONTROL_PARAMETERS = ("q", "size", "cursor", "sort", "facets", "facet_size", "highlight", "correct")
SEARCH_PARAMETERS = frozenset(CONTROL_PARAMETERS + LIST_FILTERS + SCALAR_FILTERS)
# What one public search may ask of the facets: number of facets x facet_size. Every facet
# costs a count over all the matches, and a larger facet_size more buckets to sort and send
# (benchmarks/bench_facets.py; README, Benchmarks). 300 lets every facet through at the
# default size of 20 and one or two at the largest (200); all 15 at 200 (3,000) is refused.
FACET_BUDGET = 300


def search_parameters() -> frozenset[str]:
    """SEARCH_PARAMETERS of the registry as it is now (a test may add a field)."""
    return frozenset(CONTROL_PARAMETERS + tuple(search_fields.by_parameter()))


class ParameterErrors(Exception):
    """Several parameters were invalid; each entry names one (HTTP 422)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors))
        self.errors = errors


def split_values(values: str | Iterable[str]) -> list[str]:
    """Repeated parameters and comma-separated lists are the same thing: `"a, b"`,
    `["a", "b"]` and `["a,b"]` are all `["a", "b"]`."""
    if isinstance(values, str):
        values = (values,)
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def reject_unknown(params: QueryParams, allowed: frozenset[str]) -> None:
    unknown = sorted(set(params.keys()) - allowed)
    if unknown:
        raise InvalidRequest(
            f"unknown parameter(s): {', '.join(unknown)}. Known: {', '.join(sorted(allowed))}",
            parameter=unknown[0],
        )


def filters_from_params(params: QueryParams) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for spec in search_fields.FIELDS:
        if not spec.multi:
            continue
        values = tuple(split_values(params.getlist(spec.name)))
        if values:
            # Values are compared case-insensitively by folding what the user typed to
            # the case the index stores.
            if spec.case == "upper":
                values = tuple(v.upper() for v in values)
            elif spec.case == "lower":
                values = tuple(v.lower() for v in values)
            raw[spec.name] = values
    for name in (p for f in search_fields.FIELDS if not f.multi for p in f.parameters):
        value = params.get(name)
        if value not in (None, ""):
            raw[name] = value
    return raw


def search_query_from_params(params: QueryParams) -> SearchQuery:
    """Build the typed query, or raise ParameterErrors naming every bad parameter."""
    reject_unknown(params, search_parameters())
    raw_filters = filters_from_params(params)
    errors: list[dict[str, Any]] = []
    filters = query_model.Filters()
    try:
        filters = query_model.Filters.model_validate(raw_filters)
    except ValidationError as exc:
        errors.extend(_errors(exc))
    body: dict[str, Any] = {"filters": filters}
    for name, target in (
        ("q", "text"),
        ("size", "size"),
        ("cursor", "cursor"),
        ("sort", "sort"),
        ("facet_size", "facet_size"),
        ("highlight", "highlight"),
        ("correct", "correct"),
    ):
        value = params.get(name)
        if value not in (None, ""):
            body[target] = value
    facets = tuple(split_values(params.getlist("facets")))
    if facets:
        body["facets"] = () if facets == ("none",) else facets
    else:
        body["facets"] = DEFAULT_FACETS
    try:
        query = SearchQuery.model_validate(body)
    except ValidationError as exc:
        errors.extend(_errors(exc, rename={"text": "q"}))
        query = None
    if errors or query is None:
        raise ParameterErrors(errors)
    return query


def check_facet_cost(query: SearchQuery, budget: int = FACET_BUDGET) -> SearchQuery:
    """Refuse (422, naming facet_size) a public search whose facets cost over `budget`."""
    cost = len(query.facets) * query.facet_size
    if cost > budget:
        raise ParameterErrors(
            [
                {
                    "loc": ["query", "facet_size"],
                    "type": "facet_budget",
                    "input": query.facet_size,
                    "msg": f"{len(query.facets)} facets x facet_size {query.facet_size} = {cost}, over "
                    f"the budget of {budget} (facets x facet_size); ask for fewer facets or a "
                    f"smaller facet_size (at most {max(1, budget // max(1, len(query.facets)))} "
                    f"for {len(query.facets)} facets)",
                }
            ]
        )
    return query


def validation_errors(
    exc: ValidationError,
    rename: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A model's validation errors as ParameterErrors entries, each named by the query
    parameter (the model's top-level field, or its name in `rename`)."""
    out = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
        name = loc[0] if loc else "query"
        name = (rename or {}).get(name, name)
        out.append(
            {
                "loc": ["query", name],
                "msg": error["msg"],
                "type": error["type"],
                "input": error.get("input") if not isinstance(error.get("input"), dict) else None,
            }
        )
    return out


def _errors(exc: ValidationError, rename: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    for error in validation_errors(exc, rename):
        name = error["loc"][-1]
        if name == "filters":
            continue  # reported already from Filters itself
        if name == "facets":
            error["msg"] += f" (known facets: {', '.join(f.value for f in Facet)})"
        out.append(error)
    return out


def _filter_parameter(name: str, spec: search_fields.FilterField) -> inspect.Parameter:
    examples = [spec.example] if spec.example is not None else None
    if spec.multi:
        default = Query([], description=spec.description, examples=examples)
        annotation: Any = list[str]
    else:
        default = Query(
            None, ge=spec.ge, le=spec.le, description=spec.description, examples=examples
        )
        annotation = spec.value_type | None
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def build_filter_parameters() -> Callable[..., None]:
    """A dependency declaring the registry's filters, for the OpenAPI description of every
    route that takes them; the values are read from the query string by this module's own
    parsing, so one list of fields serves both."""

    def filter_parameters(**_values: Any) -> None:
        """The search filters (catalogue.search.fields), declared for the OpenAPI description."""

    filter_parameters.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [_filter_parameter(name, spec) for spec in search_fields.FIELDS for name in spec.parameters]
    )
    return filter_parameters


filter_parameters = build_filter_parameters()
