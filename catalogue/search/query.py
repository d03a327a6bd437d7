"""The typed query model every search backend compiles: text, filters, facets, sort, cursor."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator
from pydantic.fields import FieldInfo

from catalogue.errors import InvalidRequest
from catalogue.search import fields as search_fields

MAX_PAGE_SIZE = 100
_WORD = re.compile(r"\w", re.UNICODE)


class SortKey(StrEnum):
    RELEVANCE = "relevance"
    PRICE = "price"  # lowest first
    PRICE_DESC = "-price"
    START_DATE = "start_date"  # soonest upcoming start first
    CREDITS = "credits"  # fewest ECTS first
    CREDITS_DESC = "-credits"
    NEWEST = "newest"
    TITLE = "title"
    # By offering id: ids are sha256 digests of (provider, provider's id) (catalogue.store.
    # offering_key), so this is a stable shuffle in which every provider's offerings are
    # spread through the pages, not one provider's newest feed on the first.
    MIXED = "mixed"


class Facet(StrEnum):
    MODE = "mode"
    PACE = "pace"
    FRAMEWORK = "framework"
    EQF = "eqf"
    SUBJECT = "subject"  # ISCED-F detailed field
    SUBJECT_NARROW = "subject_narrow"
    SUBJECT_BROAD = "subject_broad"
    PROVIDER = "provider"
    CREDENTIAL_TYPE = "credential_type"
    LANGUAGE = "language"
    COUNTRY = "country"
    FREE = "free"
    PRICE_BAND = "price_band"
    CREDITS_BAND = "credits_band"
    CREDIT_SYSTEM = "credit_system"


DEFAULT_FACETS = (
    Facet.MODE,
    Facet.FRAMEWORK,
    Facet.EQF,
    Facet.SUBJECT_BROAD,
    Facet.PROVIDER,
    Facet.CREDENTIAL_TYPE,
    Facet.LANGUAGE,
    Facet.COUNTRY,
    Facet.FREE,
    Facet.PRICE_BAND,
    Facet.CREDITS_BAND,
)


class _FilterRules(BaseModel):
    """All filters, in one grammar. Lists mean any-of; different fields combine with AND.

    Instance fields (mode, pace, country, price_*, free, starts_*) match when a single
    run of the offering satisfies all of them together. The fields themselves come from
    the registry (catalogue.search.fields).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("subject", check_fields=False)
    @classmethod
    def _isced_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not (code.isdigit() and 2 <= len(code) <= 4):
                raise ValueError(
                    f"subject {code!r} is not an ISCED-F code (2, 3 or 4 digits, e.g. 0613)"
                )
        return codes

    @model_validator(mode="after")
    def _ranges(self) -> _FilterRules:
        for spec in search_fields.FIELDS:
            if spec.kind is not search_fields.Kind.RANGE:
                continue
            low, high = spec.parameters
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} ({lo}) is greater than {high} ({hi})")
        return self


def _model_fields() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in search_fields.FIELDS:
        if spec.kind is search_fields.Kind.TERMS:
            out[spec.name] = (tuple[str, ...], Field((), description=spec.description))
        elif spec.kind is search_fields.Kind.FLAG:
            out[spec.name] = (bool | None, Field(None, description=spec.description))
        else:
            for parameter in spec.parameters:
                out[parameter] = (
                    spec.value_type | None,
                    Field(None, ge=spec.ge, le=spec.le, description=spec.description),
                )
    return out


def build_filters_model() -> type[_FilterRules]:
    """The Filters model of the registry as it is now."""
    return create_model("Filters", __base__=_FilterRules, __module__=__name__, **_model_fields())


if TYPE_CHECKING:
    # The fields come from the registry at run time, which the checker cannot see: it checks
    # Filters as the rules model taking any field, each typed Any.
    class Filters(_FilterRules):
        def __init__(self, **fields: Any) -> None: ...
        def __getattr__(self, name: str) -> Any: ...
else:
    Filters = build_filters_model()


def refresh_filters() -> None:
    """Bring Filters (in place, so every importer sees it) and the models holding it up to
    the registry after a field was added or removed; for tests that extend the registry."""
    wanted = _model_fields()
    for name in set(Filters.model_fields) - set(wanted):
        del Filters.__pydantic_fields__[name]
        Filters.__annotations__.pop(name, None)
    for name, (annotation, info) in wanted.items():
        if name not in Filters.model_fields:
            Filters.__annotations__[name] = annotation
            Filters.__pydantic_fields__[name] = FieldInfo.from_annotated_attribute(annotation, info)
    Filters.model_rebuild(force=True)
    SearchQuery.model_rebuild(force=True)


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = Field(None, max_length=500)
    filters: Filters = Filters()
    facets: tuple[Facet, ...] = DEFAULT_FACETS
    facet_size: int = Field(20, ge=1, le=200)
    sort: SortKey = SortKey.RELEVANCE
    size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = None
    highlight: bool = True
    correct: bool = Field(
        True,
        description="Correct misspelt words from the index's own "
        "vocabulary where the backend can (SQLite); false "
        "searches the words as typed.",
    )
    today: datetime.date | None = Field(
        None, description="For the start-date sort; defaults to today."
    )

    @property
    def has_words(self) -> bool:
        return bool(self.text and _WORD.search(self.text))

    @property
    def effective_sort(self) -> SortKey:
        # Relevance means nothing without words to be relevant to; a browse with no words
        # shows the providers mixed (newest first would show the last feed loaded).
        if self.sort == SortKey.RELEVANCE and not self.has_words:
            return SortKey.MIXED
        return self.sort


class Cursor(BaseModel):
    """Where the next page starts: the last hit's sort key and id, and the index
    watermark of the first page, so offerings indexed later do not shift the pages."""

    sort: SortKey
    key: list  # [is_null, value, offering_id]
    watermark: int

    def encode(self) -> str:
        raw = json.dumps(self.model_dump(mode="json"), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: SortKey) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            cursor = cls.model_validate_json(base64.urlsafe_b64decode(padded.encode()))
        except (ValueError, binascii.Error):
            raise InvalidRequest(
                "cursor is not one this API issued; start again without it", parameter="cursor"
            ) from None
        if cursor.sort != sort or len(cursor.key) != 3:
            raise InvalidRequest(
                "cursor belongs to a different sort; start again without it", parameter="cursor"
            )
        return cursor


def is_selected(filters: _FilterRules, spec: search_fields.FilterField) -> bool:
    """Whether `filters` narrow by this field."""
    return any(getattr(filters, p) not in (None, ()) for p in spec.parameters)


def without(filters: Filters, *specs: search_fields.FilterField) -> Filters:
    """The same filters with these fields' selections removed."""
    cleared: dict[str, Any] = {}
    for spec in specs:
        for parameter in spec.parameters:
            cleared[parameter] = () if spec.kind is search_fields.Kind.TERMS else None
    return filters.model_copy(update=cleared) if cleared else filters


def facet_groups(query: SearchQuery) -> list[tuple[Filters, tuple[Facet, ...]]]:
    """The facets of `query`, grouped by the filters each is counted under (disjunctive
    counts): values of one field combine with OR, so a facet whose own field is selected
    counts with every other filter applied but that one, and its counts say what ticking one
    more value adds; every other facet counts the result itself. The group counted under the
    whole filters, if any, comes first."""
    groups: dict[str | None, list[Facet]] = {}
    specs: dict[str, search_fields.FilterField] = {}
    for facet in query.facets:
        spec = search_fields.field_of_facet(facet.value)
        key = None
        if spec is not None and is_selected(query.filters, spec):
            key, specs[spec.name] = spec.name, spec
        groups.setdefault(key, []).append(facet)
    ordered = sorted(groups.items(), key=lambda item: item[0] is not None)
    return [
        (query.filters if key is None else without(query.filters, specs[key]), tuple(facets))
        for key, facets in ordered
    ]


def disjunctive_fields(query: SearchQuery) -> list[search_fields.FilterField]:
    """The selected fields whose own facets are asked for: a backend counts those facets
    without them."""
    out: dict[str, search_fields.FilterField] = {}
    for facet in query.facets:
        spec = search_fields.field_of_facet(facet.value)
        if spec is not None and is_selected(query.filters, spec):
            out[spec.name] = spec
    return list(out.values())
