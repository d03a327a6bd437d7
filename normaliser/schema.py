"""The common schema every provider's offerings are mapped to (pydantic v2).

Each normalised value object keeps `raw`, what the provider wrote, beside what
we made of it, so a reader can always see both.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from normaliser.issues import Issue

SCHEMA_VERSION = "1.0"


class Framework(StrEnum):
    EQF = "EQF"
    NZQF = "NZQF"  # New Zealand; renamed NZQCF in 2022, same ten levels
    AQF = "AQF"
    NFQ = "NFQ"  # Ireland
    SCQF = "SCQF"
    RQF = "RQF"  # England and Northern Ireland (FHEQ levels 4-8 align with RQF)


class CreditSystem(StrEnum):
    ECTS = "ECTS"
    NZ_CREDITS = "NZ_CREDITS"
    CATS = "CATS"
    SCQF = "SCQF"
    US_SCH = "US_SCH"  # US semester credit hours
    HOURS = "HOURS"  # plain notional hours, no credit system


class Mode(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    BLENDED = "blended"


class Pace(StrEnum):
    SELF_PACED = "self_paced"
    SCHEDULED = "scheduled"


class Audience(StrEnum):
    ANY = "any"
    DOMESTIC = "domestic"
    INTERNATIONAL = "international"


class Channel(StrEnum):
    PUSH = "push"
    PULL = "pull"
    CRAWL = "crawl"
    CLI = "cli"  # `microcred import` and the bundled sample data


class Status(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Level(_Value):
    framework: Framework | None = None
    value: str | None = Field(None, description="Native level as the framework names it, e.g. '5'.")
    eqf: int | None = Field(
        None, ge=1, le=8, description="EQF level, only from official referencing."
    )
    raw: str | None = None


class Credits(_Value):
    value: float | None = Field(None, ge=0)
    system: CreditSystem | None = None
    ects: float | None = Field(None, ge=0)
    hours: float | None = Field(None, ge=0, description="Notional learning hours.")
    approximate: bool = False
    raw: str | None = None


class Price(_Value):
    amount: float | None = Field(None, ge=0, description="Lowest amount when a range was given.")
    amount_max: float | None = Field(None, ge=0, description="Upper end of a range.")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217.")
    is_free: bool = False
    includes_tax: bool | None = None
    audience: Audience = Audience.ANY
    amount_ref: float | None = Field(None, ge=0, description="Amount in the reference currency.")
    ref_currency: str | None = None
    rate_date: date | None = Field(None, description="Date of the exchange-rate table used.")
    raw: str | None = None


class Duration(_Value):
    hours: float | None = Field(None, ge=0, description="Total notional hours.")
    weeks: float | None = Field(None, ge=0)
    hours_per_week: float | None = Field(None, ge=0, description="Workload per week.")
    part_time: bool | None = None
    raw: str | None = None


class Place(_Value):
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    region: str | None = None
    city: str | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    online: bool = False
    raw: str | None = None


class Subject(_Value):
    isced: list[str] = Field(default_factory=list, description="ISCED-F 2013 codes.")
    raw: str | None = None


class DatePrecision(StrEnum):
    """How much of a start date the provider gave, when it is less than a day."""

    MONTH = "month"  # "September 2027": start_date is the month's first day
    YEAR = "year"  # "2027", "Semester 2, 2027": start_date is the year's first day


class Instance(_Value):
    """One run of an offering. Search filters on instance fields match within one instance."""

    start_date: date | None = None
    start_precision: DatePrecision | None = Field(
        None, description="Set when only a month or a year was given; empty for a full date."
    )
    start_written: str | None = Field(
        None, description="The start as the provider wrote it, kept when it was approximate."
    )
    end_date: date | None = None
    mode: Mode | None = None
    pace: Pace | None = None
    place: Place | None = None
    price: Price | None = None


class Provenance(_Value):
    provider_id: str
    channel: Channel
    source_url: str | None = None
    fetched_at: datetime | None = None
    content_hash: str | None = Field(None, description="sha256 of the normalised content.")
    submission_id: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    status: Status = Status.ACTIVE


class Offering(_Value):
    """One learning opportunity of one provider, normalised."""

    provider_offering_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str | None = None
    url: str | None = None
    level: Level | None = None
    credits: Credits | None = None
    mode: Mode | None = None
    pace: Pace | None = None
    price: Price | None = None
    duration: Duration | None = None
    subject: Subject | None = None
    languages: list[str] = Field(
        default_factory=list, description="BCP 47 language subtags: ISO 639-1, else ISO 639-3."
    )
    places: list[Place] = Field(default_factory=list)
    instances: list[Instance] = Field(default_factory=list)
    learning_outcomes: list[str] = Field(default_factory=list)
    assessment: str | None = None
    prerequisites: str | None = None
    credential_type: str | None = None
    quality_assurance: str | None = None
    stackable_into: list[str] = Field(default_factory=list)
    raw: dict[str, str] = Field(
        default_factory=dict, description="The record as the provider wrote it."
    )
    issues: list[Issue] = Field(default_factory=list)


class Provider(_Value):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    name: str
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    url: str | None = None
    default_currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")


class StoredOffering(Offering):
    """An offering as the catalogue holds it: with its id, provider and provenance."""

    id: str
    provider: Provider
    version: int
    provenance: Provenance


def json_schema() -> dict:
    """The JSON Schema of a stored offering, as published in docs/offering.schema.json."""
    return StoredOffering.model_json_schema()
