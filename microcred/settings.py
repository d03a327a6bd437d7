"""All configuration, from MICROCRED_* environment variables (or a .env file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MICROCRED_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded catalogue lives.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file microcred.db in data_dir.")
    search_backend: Literal["sqlite"] = "sqlite"
    reference_currency: str = Field("EUR", pattern=r"^[A-Z]{3}$",
                                    description="Currency that prices are compared in (ISO 4217).")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    index_batch_size: int = Field(1000, ge=1, le=10000)
    normalise_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, le=64,
        description="Processes that normalise large feeds in parallel; 1 = in-process.")
    max_feed_bytes: int = Field(50 * 1024 * 1024, ge=1024)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def catalogue_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'microcred.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
