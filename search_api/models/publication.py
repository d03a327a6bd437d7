"""Bodies of the publication routes: the agency's rule per federation target and what an
export to it leaves out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PublicationRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    excluded_providers: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="Ids of providers whose offerings are not published to this target",
    )
    withheld_fields: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Fields left out of every offering published to this target: any of "
        "description, url, price, credits, level, duration, learning_outcomes, "
        "prerequisites, assessment",
    )


class PublicationRuleOut(BaseModel):
    target: str
    excluded_providers: list[str]
    withheld_fields: list[str]


class TargetReportOut(BaseModel):
    matched: int = Field(description="Active offerings of the catalogue")
    exported: int = Field(description="Offerings an export to this target publishes")
    left_out: dict[str, int] = Field(
        description="Offerings left out whole, by reason: the "
        "agency's rule, or a value the standard requires"
    )
    values_left_out: dict[str, int] = Field(
        description="Offerings with a value left out, "
        "by value and reason: no counterpart in the "
        "standard, or withheld by the agency"
    )


class TargetOut(BaseModel):
    target: str = Field(description="The export format: `GET /v1/export?format=<target>`")
    title: str
    rule: PublicationRuleOut
    report: TargetReportOut


class TargetsOut(BaseModel):
    targets: list[TargetOut]
