"""Pieces the provider and agency bodies share."""

from __future__ import annotations

from pydantic import BaseModel


class ScheduleOut(BaseModel):
    cron: str | None
    interval_minutes: int | None


class DisabledOut(BaseModel):
    id: str
    enabled: bool


class RunRequestedOut(BaseModel):
    id: str
    requested: bool
