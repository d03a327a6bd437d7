"""An offering document read in SQL with the meaning catalogue.search.documents.build_document
gives it, so that questions asked of the catalogue get the same answers as the same questions
asked of a search index built from it.

What build_document derives, and so what is mirrored here:
- the runs: the offering's instances, or one implicit run when it has none; a run's mode,
  pace, place and price fall back to the offering's (the place to its first place);
- the price of a run in the reference currency is 0 when free, else its amount_ref; the
  offering's price is the lowest of its runs', and it is free when any run is;
- hours come from the credits, else from the duration;
- countries are those of the places and of the runs' own places.
The contract tests (tests/search/test_stats_contract.py) hold the two to the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from catalogue.search import fields as search_fields
from catalogue.search.documents import CREDIT_BANDS, PRICE_BANDS
from catalogue.search.fields import Kind, Level
from catalogue.search.query import Filters
from catalogue.stats.json_sql import JsonSql
from catalogue.stats.query import Dimension, Metric

OFFERINGS = "offerings"
DUPLICATES = "offering_duplicates"
_SUBJECT_PREFIX = {2: "substr({v}, 1, 2)", 3: "substr({v}, 1, 3)", 4: "{v}"}
_SUBJECT_LENGTH = {2: None, 3: "length({v}) >= 3", 4: "length({v}) = 4"}


class Params:
    """Bound parameters of one statement: every value goes here, never into the SQL text."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def many(self, values) -> str:
        return ", ".join(self.bind(v) for v in values)


def _stats(spec: search_fields.FilterField) -> Callable[..., str]:
    """The field's SQL stats expression; only a mistake in the registry leaves it out of a
    field read through it (subject and language are read another way)."""
    if spec.stats is None:
        raise ValueError(
            f"the search field {spec.name!r} has no `stats` expression in "
            "catalogue.search.fields; give it one"
        )
    return spec.stats


def _nonempty(expression: str) -> str:
    # build_document keeps keyword values only when truthy.
    return f"NULLIF({expression}, '')"


class OfferingSql:
    """Expressions over one offering: its document in `doc`, its provider id in `provider`."""

    def __init__(
        self,
        json: JsonSql,
        doc: str = "o.document",
        provider: str = "o.provider_id",
        alias_prefix: str = "",
    ) -> None:
        self.json = json
        self.doc = doc
        self.provider = provider
        self._prefix = alias_prefix
        self._aliases = 0

    def _alias(self, stem: str) -> str:
        self._aliases += 1
        return f"{self._prefix}{stem}{self._aliases}"

    # --- runs ----------------------------------------------------------------------------
    def _has_runs(self) -> str:
        return f"{self.json.array_length(self.doc, 'instances')} > 0"

    def run_value(self, run: str | None, name: str) -> str:
        own = self.json.text(self.doc, name)
        return own if run is None else f"coalesce({self.json.text(f'{run}.value', name)}, {own})"

    def run_country(self, run: str | None) -> str:
        first_place = self.json.text(self.doc, "places", 0, "country")
        if run is None:
            return first_place
        value = f"{run}.value"
        return (
            f"(CASE WHEN {self.json.present(value, 'place')} "
            f"THEN {self.json.text(value, 'place', 'country')} ELSE {first_place} END)"
        )

    def _price_ref(self, json: str, *path) -> str:
        return (
            f"(CASE WHEN {self.json.is_true(json, *path, 'is_free')} THEN 0.0 "
            f"ELSE {self.json.number(json, *path, 'amount_ref')} END)"
        )

    def run_price_ref(self, run: str | None) -> str:
        own = self._price_ref(self.doc, "price")
        if run is None:
            return own
        value = f"{run}.value"
        return (
            f"(CASE WHEN {self.json.present(value, 'price')} "
            f"THEN {self._price_ref(value, 'price')} ELSE {own} END)"
        )

    def run_free(self, run: str | None) -> str:
        own = self.json.is_true(self.doc, "price", "is_free")
        if run is None:
            return own
        value = f"{run}.value"
        return (
            f"(CASE WHEN {self.json.present(value, 'price')} "
            f"THEN {self.json.is_true(value, 'price', 'is_free')} ELSE {own} END)"
        )

    def run_priced(self, run: str | None) -> str:
        own = self.json.present(self.doc, "price")
        if run is None:
            return own
        return f"({self.json.present(f'{run}.value', 'price')} OR {own})"

    def run_start_date(self, run: str | None) -> str:
        return "NULL" if run is None else self.json.text(f"{run}.value", "start_date")

    def _any_run(self, condition) -> str:
        """Some run (an instance, or the implicit one) satisfies `condition(run_alias)`."""
        run = self._alias("r")
        explicit = (
            f"EXISTS (SELECT 1 FROM {self.json.elements(self.doc, run, 'instances')} "
            f"WHERE {condition(run)})"
        )
        return f"({explicit} OR (NOT ({self._has_runs()}) AND {condition(None)}))"

    # --- offering-level values ---------------------------------------------------------------
    def hours(self) -> str:
        return self.metric(Metric.HOURS)

    def run_free_condition(self, run: str | None, free: bool) -> str:
        """The run is free, or (free=False) it has a price that is not free."""
        if free:
            return self.run_free(run)
        return f"({self.run_priced(run)} AND NOT {self.run_free(run)})"

    def price_ref(self) -> str:
        run = self._alias("r")
        lowest = (
            f"(SELECT min({self.run_price_ref(run)}) "
            f"FROM {self.json.elements(self.doc, run, 'instances')})"
        )
        return f"(CASE WHEN {self._has_runs()} THEN {lowest} ELSE {self.run_price_ref(None)} END)"

    def is_free(self) -> str:
        return self._any_run(self.run_free)

    def metric(self, metric: Metric) -> str:
        j, doc = self.json, self.doc
        return {
            Metric.PRICE: lambda: self.price_ref(),
            Metric.ECTS: lambda: j.number(doc, "credits", "ects"),
            Metric.HOURS: lambda: (
                f"coalesce({j.number(doc, 'credits', 'hours')}, "
                f"{j.number(doc, 'duration', 'hours')})"
            ),
            Metric.WEEKS: lambda: j.number(doc, "duration", "weeks"),
        }[metric]()

    @staticmethod
    def _band(value: str, bands) -> str:
        # The band limits are our own constants (documents.PRICE_BANDS, CREDIT_BANDS).
        whens = []
        for label, low, high in bands:
            upper = f" AND {value} < {float(high)!r}" if high is not None else ""
            whens.append(f"WHEN {value} >= {float(low)!r}{upper} THEN '{label}'")
        return f"(CASE {' '.join(whens)} END)"

    def single_dimension(self, dimension: Dimension) -> str:
        """The value of a dimension an offering has at most one of."""
        j, doc = self.json, self.doc
        if dimension is Dimension.PROVIDER:
            return self.provider
        if dimension is Dimension.FRAMEWORK:
            return _nonempty(j.text(doc, "level", "framework"))
        if dimension is Dimension.LEVEL:
            framework, value = j.text(doc, "level", "framework"), j.text(doc, "level", "value")
            return (
                f"(CASE WHEN {framework} IS NOT NULL AND {value} IS NOT NULL "
                f"THEN {framework} || ' ' || {value} END)"
            )
        if dimension is Dimension.EQF:
            return j.integer(doc, "level", "eqf")
        if dimension is Dimension.CREDENTIAL_TYPE:
            return _nonempty(j.text(doc, "credential_type"))
        if dimension is Dimension.CREDIT_SYSTEM:
            return _nonempty(j.text(doc, "credits", "system"))
        if dimension is Dimension.FREE:
            return (
                f"(CASE WHEN {self.is_free()} THEN 'true' "
                f"WHEN {self.price_ref()} IS NOT NULL THEN 'false' END)"
            )
        if dimension is Dimension.PRICE_BAND:
            return (
                f"(CASE WHEN {self.is_free()} THEN 'free' "
                f"ELSE {self._band(self.price_ref(), PRICE_BANDS)} END)"
            )
        if dimension is Dimension.CREDITS_BAND:
            return self._band(j.number(doc, "credits", "ects"), CREDIT_BANDS)
        raise ValueError(f"{dimension.value} can have several values per offering")

    def dimension_values(self, dimension: Dimension) -> list[tuple[str, str, str]]:
        """(FROM items, value, condition) parts whose union is the set of values an offering
        has for a multi-valued dimension; each FROM item is joined to the offering's row."""
        j, doc = self.json, self.doc
        if dimension in (Dimension.MODE, Dimension.PACE):
            run = self._alias("r")
            return [
                (
                    j.elements(doc, run, "instances"),
                    _nonempty(self.run_value(run, dimension.value)),
                    "1=1",
                ),
                ("", _nonempty(self.run_value(None, dimension.value)), f"NOT ({self._has_runs()})"),
            ]
        if dimension in (Dimension.COUNTRY, Dimension.REGION):
            place, run = self._alias("pl"), self._alias("r")
            name = dimension.value
            return [
                (
                    j.elements(doc, place, "places"),
                    _nonempty(j.text(f"{place}.value", name)),
                    "1=1",
                ),
                (
                    j.elements(doc, run, "instances"),
                    _nonempty(j.text(f"{run}.value", "place", name)),
                    "1=1",
                ),
            ]
        if dimension is Dimension.LANGUAGE:
            item = self._alias("l")
            return [(j.elements(doc, item, "languages"), j.element_text(item), "1=1")]
        lengths = {Dimension.SUBJECT: 4, Dimension.SUBJECT_NARROW: 3, Dimension.SUBJECT_BROAD: 2}
        if dimension in lengths:
            item = self._alias("s")
            code = j.element_text(item)
            length = lengths[dimension]
            condition = _SUBJECT_LENGTH[length]
            return [
                (
                    j.elements(doc, item, "subject", "isced"),
                    _SUBJECT_PREFIX[length].format(v=code),
                    condition.format(v=code) if condition else "1=1",
                )
            ]
        raise ValueError(f"{dimension.value} has one value per offering")

    # --- filters ------------------------------------------------------------------------------
    def filter_conditions(self, filters: Filters, params: Params) -> list[str]:
        """The search filters (catalogue.search.query.Filters) as SQL conditions, each
        field read as the registry (catalogue.search.fields) says."""
        out: list[str] = []
        run_conditions: list = []
        for spec in search_fields.FIELDS:
            if spec.level is Level.INSTANCE:
                run_conditions.extend(self._run_conditions(spec, filters, params))
            else:
                out.extend(self._offering_conditions(spec, filters, params))
        if run_conditions:
            out.append(
                self._any_run(
                    lambda run: " AND ".join(condition(run) for condition in run_conditions)
                )
            )
        return out

    def _offering_conditions(
        self, spec: search_fields.FilterField, filters: Filters, params: Params
    ) -> list[str]:
        if spec.kind is Kind.TERMS:
            values = getattr(filters, spec.name)
            if not values:
                return []
            if spec.by_length:
                return [self._subject_condition(values, params)]
            if spec.stats_array:
                item = self._alias("l")
                return [
                    f"EXISTS (SELECT 1 FROM {self.json.elements(self.doc, item, *spec.stats_array)} "
                    f"WHERE {self.json.element_text(item)} IN ({params.many(values)}))"
                ]
            return [f"{_stats(spec)(self)} IN ({params.many(values)})"]
        if spec.kind is Kind.FLAG:
            value = getattr(filters, spec.name)
            return [] if value is None else [_stats(spec)(self, value)]
        out = []
        for parameter, operator in zip(spec.parameters, (">=", "<="), strict=True):
            value = getattr(filters, parameter)
            if value is not None:
                out.append(f"{_stats(spec)(self)} {operator} {params.bind(value)}")
        return out

    def _subject_condition(self, codes: tuple[str, ...], params: Params) -> str:
        j = self.json
        by_length: dict[int, list[str]] = {}
        for code in codes:
            by_length.setdefault(len(code), []).append(code)
        alternatives = []
        for length, group in sorted(by_length.items()):
            item = self._alias("s")
            value = j.element_text(item)
            condition = _SUBJECT_LENGTH[length]
            where = f"{_SUBJECT_PREFIX[length].format(v=value)} IN ({params.many(group)})"
            if condition:
                where = f"{condition.format(v=value)} AND {where}"
            alternatives.append(
                f"EXISTS (SELECT 1 FROM "
                f"{j.elements(self.doc, item, 'subject', 'isced')} WHERE {where})"
            )
        return "(" + " OR ".join(alternatives) + ")"

    def _run_conditions(
        self, spec: search_fields.FilterField, filters: Filters, params: Params
    ) -> list:
        """Conditions on one run, each a function of the run's alias (None: implicit run)."""
        if spec.kind is Kind.TERMS:
            values = getattr(filters, spec.name)
            if not values:
                return []
            bound = params.many(values)
            return [lambda r: f"{_stats(spec)(self, r)} IN ({bound})"]
        if spec.kind is Kind.FLAG:
            value = getattr(filters, spec.name)
            return [] if value is None else [lambda r: _stats(spec)(self, r, value)]
        out = []
        for parameter, operator in zip(spec.parameters, (">=", "<="), strict=True):
            value = getattr(filters, parameter)
            if value is None:
                continue
            if isinstance(value, date):
                bound = params.bind(self.json.date_value(value))
                out.append(
                    lambda r, operator=operator, bound=bound: (
                        f"{self.json.as_date(_stats(spec)(self, r))} {operator} {bound}"
                    )
                )
            else:
                bound = params.bind(value)
                out.append(
                    lambda r, operator=operator, bound=bound: (
                        f"{_stats(spec)(self, r)} {operator} {bound}"
                    )
                )
        return out


def catalogue_conditions(
    offering: OfferingSql,
    filters: Filters,
    params: Params,
    *,
    include_duplicates: bool = False,
    active_only: bool = True,
) -> list[str]:
    """Which catalogue offerings a question is about: the active ones (by default), less the
    secondary listing of each duplicate pair (by default), that match the filters."""
    out = ["o.status = 'active'"] if active_only else []
    if not include_duplicates:
        out.append(f"NOT EXISTS (SELECT 1 FROM {DUPLICATES} dx WHERE dx.secondary_id = o.id)")
    out.extend(offering.filter_conditions(filters, params))
    return out
