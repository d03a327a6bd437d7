"""Every search filter declared once, as data; the query model, the API parameters and
their OpenAPI description, both query compilers, the SQL stats and the page read this.

Adding a filter is one `FilterField` in FIELDS (plus its property in mappings/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TERMS = "terms"  # any of several keyword values; `name` is the parameter
    RANGE = "range"  # `name_min` / `name_max` (or `range_names`) bound a number or date
    FLAG = "flag"  # true or false


class Level(StrEnum):
    OFFERING = "offering"
    # Instance fields match when one run of the offering satisfies all of them together.
    INSTANCE = "instance"


@dataclass(frozen=True)
class FilterField:
    name: str
    kind: Kind
    value_type: type = str
    level: Level = Level.OFFERING
    # SQLite: a search_values field (offering terms), a search_docs column (offering
    # ranges) or a search_instances column (instance fields).
    sqlite: str = ""
    # Elasticsearch/OpenSearch: the mapped path.
    engine: str = ""
    # The SQL stats: the value of an offering (offering fields) or of one run (instance
    # fields, called with the run alias, None for the implicit run), over its JSON document;
    # for a flag, the condition itself, called with the value asked for.
    stats: Callable[..., str] | None = None
    # For multi-valued offering terms: the JSON path of the array whose elements are the values.
    stats_array: tuple[str, ...] = ()
    # The document value of a terms field not built by documents.build_document itself:
    # the keyword values of an offering, from its JSON form.
    document: Callable[[dict[str, Any]], list[str]] | None = None
    # Users' values are folded to the stored case ("upper", "lower") or kept (None).
    case: str | None = "lower"
    ge: float | None = None
    le: float | None = None
    range_names: tuple[str, str] | None = None
    # Hierarchical codes (ISCED-F): code length -> the keyword field holding codes that long.
    by_length: dict[int, str] = field(default_factory=dict)
    # The facet counting this field's values, and its heading on the search page
    # (a checkbox group when both are set). A facet's counts ignore the selection of its
    # own field (disjunctive counts: see query.facet_groups).
    facet: str | None = None
    label: str | None = None
    description: str | None = None
    example: Any = None

    @property
    def parameters(self) -> tuple[str, ...]:
        """The HTTP parameters (and Filters attributes) this field takes."""
        if self.kind is Kind.RANGE:
            return self.range_names or (f"{self.name}_min", f"{self.name}_max")
        return (self.name,)

    @property
    def multi(self) -> bool:
        return self.kind is Kind.TERMS

    @property
    def facets(self) -> tuple[str, ...]:
        """Every facet counting this field's values (a hierarchy has one per code length)."""
        if self.by_length:
            return tuple(self.by_length.values())
        return (self.facet,) if self.facet else ()


def _json_text(*path: str) -> Callable[..., str]:
    return lambda sql: sql.json.text(sql.doc, *path)


FIELDS: list[FilterField] = [
    FilterField(
        "provider",
        Kind.TERMS,
        sqlite="provider",
        engine="keywords.provider",
        stats=lambda sql: sql.provider,
        case=None,
        facet="provider",
        label="Provider",
        example="example-university",
    ),
    FilterField(
        "framework",
        Kind.TERMS,
        sqlite="framework",
        engine="keywords.framework",
        stats=_json_text("level", "framework"),
        case="upper",
        facet="framework",
        label="Qualifications framework",
        description="EQF, NZQF, AQF, NFQ, SCQF, RQF",
        example="NZQF",
    ),
    FilterField(
        "eqf",
        Kind.RANGE,
        int,
        sqlite="d.eqf",
        engine="eqf",
        ge=1,
        le=8,
        facet="eqf",
        stats=lambda sql: sql.json.integer(sql.doc, "level", "eqf"),
        example=4,
    ),
    FilterField(
        "ects",
        Kind.RANGE,
        float,
        sqlite="d.ects",
        engine="ects",
        ge=0,
        stats=lambda sql: sql.json.number(sql.doc, "credits", "ects"),
        example=5,
    ),
    FilterField(
        "hours",
        Kind.RANGE,
        float,
        sqlite="d.hours",
        engine="hours",
        ge=0,
        stats=lambda sql: sql.hours(),
        description="Notional learning hours.",
        example=40,
    ),
    FilterField(
        "weeks",
        Kind.RANGE,
        float,
        sqlite="d.weeks",
        engine="weeks",
        ge=0,
        stats=lambda sql: sql.json.number(sql.doc, "duration", "weeks"),
        description="Duration in weeks.",
        example=6,
    ),
    FilterField(
        "credit_system",
        Kind.TERMS,
        sqlite="credit_system",
        engine="keywords.credit_system",
        stats=_json_text("credits", "system"),
        case="upper",
        facet="credit_system",
        example="ECTS",
    ),
    FilterField(
        "language",
        Kind.TERMS,
        sqlite="language",
        engine="keywords.language",
        stats_array=("languages",),
        facet="language",
        label="Language",
        description="BCP 47 language subtag: ISO 639-1, else ISO 639-3 (nzs, isg)",
        example="en",
    ),
    FilterField(
        "subject",
        Kind.TERMS,
        case=None,
        facet="subject_broad",
        label="Field of study",
        by_length={2: "subject_broad", 3: "subject_narrow", 4: "subject"},
        description="ISCED-F 2013 code, 2-4 digits",
        example="0613",
    ),
    FilterField(
        "credential_type",
        Kind.TERMS,
        sqlite="credential_type",
        engine="keywords.credential_type",
        stats=_json_text("credential_type"),
        facet="credential_type",
        label="Credential",
        example="micro_credential",
    ),
    # instance fields
    FilterField(
        "mode",
        Kind.TERMS,
        level=Level.INSTANCE,
        sqlite="i.mode",
        engine="instances.mode",
        stats=lambda sql, run: sql.run_value(run, "mode"),
        facet="mode",
        label="How it is taught",
        description="online, in_person, blended",
        example="online",
    ),
    FilterField(
        "pace",
        Kind.TERMS,
        level=Level.INSTANCE,
        sqlite="i.pace",
        engine="instances.pace",
        stats=lambda sql, run: sql.run_value(run, "pace"),
        facet="pace",
        description="self_paced, scheduled",
        example="self_paced",
    ),
    FilterField(
        "country",
        Kind.TERMS,
        level=Level.INSTANCE,
        sqlite="i.country",
        engine="instances.country",
        stats=lambda sql, run: sql.run_country(run),
        case="upper",
        facet="country",
        label="Country",
        description="ISO 3166-1 alpha-2",
        example="NZ",
    ),
    FilterField(
        "price",
        Kind.RANGE,
        float,
        level=Level.INSTANCE,
        sqlite="i.price_ref",
        engine="instances.price_ref",
        ge=0,
        stats=lambda sql, run: sql.run_price_ref(run),
        description="In the reference currency.",
        example=500,
    ),
    FilterField(
        "free",
        Kind.FLAG,
        bool,
        level=Level.INSTANCE,
        sqlite="i.is_free",
        engine="instances.is_free",
        facet="free",
        stats=lambda sql, run, free: sql.run_free_condition(run, free),
        example=True,
    ),
    FilterField(
        "starts",
        Kind.RANGE,
        date,
        level=Level.INSTANCE,
        sqlite="i.start_date",
        engine="instances.start_date",
        range_names=("starts_after", "starts_before"),
        stats=lambda sql, run: sql.run_start_date(run),
        example="2027-02-01",
    ),
]
# The order the search page shows its checkbox groups in.
PAGE_FACET_ORDER = (
    "subject",
    "mode",
    "provider",
    "framework",
    "credential_type",
    "language",
    "country",
)


def fields() -> list[FilterField]:
    """The registry as it is now (a test may extend FIELDS)."""
    return list(FIELDS)


def by_parameter() -> dict[str, FilterField]:
    return {p: f for f in FIELDS for p in f.parameters}


def field_of_facet(facet: str) -> FilterField | None:
    """The field whose values `facet` counts, or None (price and credit bands count
    values no filter selects)."""
    return next((f for f in FIELDS if facet in f.facets), None)
