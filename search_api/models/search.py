"""Response bodies of the public API, for OpenAPI and for clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class FacetBucketOut(BaseModel):
    value: str
    count: int


class HitOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    provider_offering_id: str
    title: str
    provider: dict[str, str]
    url: str | None = None
    level: dict[str, Any] | None = None
    credits: dict[str, Any] | None = None
    mode: str | None = None
    pace: str | None = None
    price: dict[str, Any] | None = None
    duration: dict[str, Any] | None = None
    subject: list[str] = []
    languages: list[str] = []
    start_dates: list[str] = []
    approximate_starts: dict[str, dict[str, str | None]] = Field(
        default_factory=dict,
        description="Starts given as a month or a year alone, by the date in start_dates "
        "they sort as: {precision: month|year, written: the provider's words}.",
    )
    score: float | None = None
    highlights: dict[str, str] = Field(
        default_factory=dict, description="HTML with <mark> around matched words."
    )


class SearchResponse(BaseModel):
    total: int
    hits: list[HitOut]
    facets: dict[str, list[FacetBucketOut]]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")
    corrected_query: str | None = Field(
        None,
        description="Present only when misspelt words were corrected: the text these "
        "results are for. Search the words as typed with `correct=false`.",
    )
    original_query: str | None = Field(
        None, description="Present with `corrected_query`: the text as it was typed."
    )

    # No return annotation: with one, the OpenAPI schema of the response would be that type
    # instead of these fields.
    @model_serializer(mode="wrap")
    def _correction_only_when_made(self, handler: SerializerFunctionWrapHandler):
        data = handler(self)
        if data.get("corrected_query") is None:
            data.pop("corrected_query", None)
            data.pop("original_query", None)
        return data

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 1,
                    "hits": [
                        {
                            "id": "3f1c0a9d2b7e4c5a8f10",
                            "provider_offering_id": "MC-DS-101",
                            "title": "Introduction to Data Science",
                            "provider": {"id": "te-awa", "name": "Te Awa Institute of Technology"},
                            "level": {"framework": "NZQF", "value": "5", "eqf": 5},
                            "credits": {
                                "value": 15,
                                "system": "NZ_CREDITS",
                                "ects": 7.5,
                                "hours": 150,
                                "approximate": False,
                            },
                            "mode": "online",
                            "pace": "self_paced",
                            "price": {
                                "amount": 1250,
                                "currency": "NZD",
                                "is_free": False,
                                "amount_ref": 690.2,
                            },
                            "duration": {"weeks": 6, "hours": None},
                            "subject": ["0613"],
                            "languages": ["en"],
                            "start_dates": ["2027-03-01"],
                            "score": 7.1,
                            "highlights": {"title": "Introduction to <mark>Data</mark> Science"},
                        }
                    ],
                    "facets": {"mode": [{"value": "online", "count": 1}]},
                    "next_cursor": None,
                }
            ]
        }
    )


class ProviderOut(BaseModel):
    id: str
    name: str
    country: str | None = None
    url: str | None = None
    active_offerings: int


class HealthOut(BaseModel):
    status: str = Field(description="ok | degraded")
    catalogue: dict[str, Any]
    search: dict[str, Any]
    index_lag: dict[str, Any]


class SuggestOut(BaseModel):
    suggestions: list[str]


class VocabulariesOut(BaseModel):
    """Each vocabulary by name (levels, credit systems, ISCED-F, languages, countries, ...)."""

    model_config = ConfigDict(extra="allow")

    reference_currency: str
    facets: list[str]
    sorts: list[str]


class MeOut(BaseModel):
    role: str = Field(description="provider | agency | admin")
    provider_id: str | None
    provider_name: str | None = Field(None, description="The provider's name, for a provider key")
    key_prefix: str
    label: str | None
    expires_at: datetime | None


class OfferingSourcesOut(BaseModel):
    id: str
    shown_as: str = Field(description="The id of the listing search shows for this offering")
    sources: list[dict[str, Any]] = Field(
        description="Every listing, the one shown first, with role and reasons"
    )
