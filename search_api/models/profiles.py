"""Bodies of the mapping-profile routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProfileOut(BaseModel):
    provider_id: str
    name: str
    format: str = Field(
        description="What a feed gives as format= to be read with it, e.g. profile:nmit/courses"
    )
    description: str
    fields: list[str] = Field(description="The feed-format-v1 fields the profile fills")
    toml: str = Field(description="The profile as registered")


class ProfileListOut(BaseModel):
    profiles: list[str]


class ProfileDeletedOut(BaseModel):
    provider_id: str
    name: str
    deleted: bool
