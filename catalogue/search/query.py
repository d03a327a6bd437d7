"""The typed query model every search backend compiles: text, filters, facets, sort, cursor."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from catalogue.errors import InvalidRequest

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


DEFAULT_FACETS = (Facet.MODE, Facet.FRAMEWORK, Facet.EQF, Facet.SUBJECT_BROAD, Facet.PROVIDER,
                  Facet.CREDENTIAL_TYPE, Facet.LANGUAGE, Facet.COUNTRY, Facet.FREE,
                  Facet.PRICE_BAND, Facet.CREDITS_BAND)


class Filters(BaseModel):
    """All filters, in one grammar. Lists mean any-of; different fields combine with AND.

    Instance fields (mode, pace, country, price_*, free, starts_*) match when a single
    run of the offering satisfies all of them together.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: tuple[str, ...] = ()
    framework: tuple[str, ...] = ()
    eqf_min: int | None = Field(None, ge=1, le=8)
    eqf_max: int | None = Field(None, ge=1, le=8)
    ects_min: float | None = Field(None, ge=0)
    ects_max: float | None = Field(None, ge=0)
    hours_min: float | None = Field(None, ge=0, description="Notional learning hours.")
    hours_max: float | None = Field(None, ge=0)
    weeks_min: float | None = Field(None, ge=0, description="Duration in weeks.")
    weeks_max: float | None = Field(None, ge=0)
    credit_system: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    subject: tuple[str, ...] = Field((), description="ISCED-F codes: 2 digits broad, 3 narrow, 4 detailed.")
    credential_type: tuple[str, ...] = ()
    # instance fields
    mode: tuple[str, ...] = ()
    pace: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    price_min: float | None = Field(None, ge=0, description="In the reference currency.")
    price_max: float | None = Field(None, ge=0)
    free: bool | None = None
    starts_after: date | None = None
    starts_before: date | None = None

    @field_validator("subject")
    @classmethod
    def _isced_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not (code.isdigit() and 2 <= len(code) <= 4):
                raise ValueError(f"subject {code!r} is not an ISCED-F code (2, 3 or 4 digits, e.g. 0613)")
        return codes

    @model_validator(mode="after")
    def _ranges(self) -> Filters:
        for low, high in (("eqf_min", "eqf_max"), ("ects_min", "ects_max"),
                          ("hours_min", "hours_max"), ("weeks_min", "weeks_max"),
                          ("price_min", "price_max"), ("starts_after", "starts_before")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} ({lo}) is greater than {high} ({hi})")
        return self


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
    today: date | None = Field(None, description="For the start-date sort; defaults to today.")

    @property
    def has_words(self) -> bool:
        return bool(self.text and _WORD.search(self.text))

    @property
    def effective_sort(self) -> SortKey:
        # Relevance means nothing without words to be relevant to.
        if self.sort == SortKey.RELEVANCE and not self.has_words:
            return SortKey.NEWEST
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
            raise InvalidRequest("cursor is not one this API issued; start again without it",
                                 parameter="cursor") from None
        if cursor.sort != sort or len(cursor.key) != 3:
            raise InvalidRequest("cursor belongs to a different sort; start again without it",
                                 parameter="cursor")
        return cursor
