"""All configuration, from MICROCRED_* environment variables (or a .env file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from search_api.public_limit import parse_networks

# The placeholder secrets of .env.example (tests/test_compose.py keeps the two in step). A
# value still equal to one, in any case, or starting with it ("change-me-later"), is refused
# at start: a deployment must not run on a password that is published in this repository.
PLACEHOLDER_SECRETS = ("change-me",)


def is_placeholder(secret: str) -> bool:
    return secret.strip().lower().startswith(PLACEHOLDER_SECRETS)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MICROCRED_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded catalogue lives.")
    profiles_dir: Path | None = Field(
        None,
        description="Mapping profiles of this deployment (<name>.toml, used as "
        "format=profile:<name>); default: profiles in data_dir.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file microcred.db in data_dir."
    )
    search_backend: Literal["sqlite", "elasticsearch", "opensearch"] = Field(
        "sqlite",
        description="sqlite: FTS5 in the catalogue file (search.db in data_dir "
        "beside a PostgreSQL catalogue); "
        "elasticsearch (8/9) or opensearch (2/3): the cluster at search_url.",
    )
    search_url: str = Field(
        "http://127.0.0.1:9200",
        description="Elasticsearch/OpenSearch URL, e.g. https://search:9200.",
    )
    search_api_key: SecretStr | None = Field(None, description="Elasticsearch API key (encoded).")
    search_username: str | None = Field(None, description="User for basic authentication.")
    search_password: SecretStr | None = None
    search_ca_cert: Path | None = Field(
        None, description="CA bundle (PEM) the cluster's certificate is checked against."
    )
    search_verify_certs: bool = True
    search_analysis: Literal["full", "core"] = Field(
        "full",
        description="full: the mappings' analysis (needs the analysis-common module on "
        "every node); core: lower-casing only, for a node without it "
        "(no folding, stemming or prefix suggestions; synonyms are "
        "expanded in the query instead).",
    )
    search_timeout: float = Field(
        10.0, gt=0, le=300, description="Seconds one request to the cluster may take."
    )
    search_index_prefix: str = Field(
        "",
        pattern=r"^([a-z0-9][a-z0-9_.+-]*)?$",
        description="Put before the index and alias names (`<prefix>offerings`), to share a "
        "cluster between deployments.",
    )
    reference_currency: str = Field(
        "EUR", pattern=r"^[A-Z]{3}$", description="Currency that prices are compared in (ISO 4217)."
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    demo_site_port: int = Field(
        8001,
        ge=0,
        le=65535,
        description="Loopback port of the crawl-only sample provider's website (`up`): fixed, "
        "so the links of its crawled courses still answer after a restart; 0 for a free port "
        "each start.",
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="The site's public address, for canonical links, sitemap.xml and "
        "robots.txt (behind a proxy); default: the address a request came to.",
    )
    # uvicorn has no timeout for slow request headers: the reverse proxy must have one
    # (README, Production). These are what uvicorn does have.
    http_timeout_keep_alive: float = Field(
        5.0, gt=0, le=300, description="Seconds an idle keep-alive connection is held open."
    )
    http_limit_concurrency: int | None = Field(
        None,
        ge=1,
        description="Connections and tasks at once before new requests are "
        "answered 503; none by default.",
    )
    http_max_incomplete_event_size: int = Field(
        16 * 1024,
        ge=1024,
        le=1024 * 1024,
        description="Bytes of request line and headers buffered before the request is "
        "refused (uvicorn's h11 limit; 431-like 400).",
    )
    feed_body_min_bytes_per_second: float = Field(
        10_000.0,
        gt=0,
        description="After the grace period, a pushed feed's body must "
        "arrive at least this fast on average, or 408.",
    )
    feed_body_grace_seconds: float = Field(
        10.0, ge=0, description="Seconds a pushed feed's body may take before its rate counts."
    )
    feed_body_timeout_seconds: float = Field(
        600.0, gt=0, description="Seconds a pushed feed's whole body may take to arrive."
    )
    index_batch_size: int = Field(1000, ge=1, le=10000)
    normalise_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=64,
        description="Processes that normalise large feeds in parallel; 1 = in-process.",
    )
    max_feed_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    max_feed_records: int = Field(100_000, ge=1, description="Records one feed may hold.")
    max_parse_seconds: float = Field(60.0, gt=0, description="Time one feed may take to read.")
    withdraw_guard_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A snapshot that would withdraw more than this share of a provider's "
        "active offerings is held for confirmation instead of applied.",
    )
    pull_timeout: float = Field(
        30.0, gt=0, le=600, description="Seconds a feed pull may wait for the server."
    )
    allow_private_feeds: bool = Field(
        False,
        description="Let pulls and crawls reach loopback and private addresses. "
        "For local development and tests only.",
    )
    agency_rate_per_minute: int = Field(
        60,
        ge=1,
        le=100_000,
        description="Requests one agency (or admin) key may make to the agency routes per "
        "minute: counted in the catalogue and shared by every API process on "
        "PostgreSQL, in memory (a token bucket) on the embedded SQLite default.",
    )
    quality_cache_seconds: float = Field(
        300.0,
        ge=0,
        le=86_400,
        description="How long /v1/quality answers from its cache while the catalogue does "
        "not change (a new offering version, ingest run or provider computes it "
        "again at once); 0: computed on every request.",
    )
    public_rate_per_minute: int = Field(
        0,
        ge=0,
        le=1_000_000,
        description="Requests one client may make to the public routes (search, suggest, "
        "offerings, providers, vocabularies, the public pages) per minute; 0: no "
        "limit (the embedded default). Counted like the agency limit: in the "
        "catalogue on PostgreSQL, shared by every API process; in memory on SQLite.",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or CIDR networks of the reverse proxies in "
        "front of the API. Only a request from one of them has its client "
        "taken from X-Forwarded-For; any other is counted by its socket peer.",
    )
    submission_lease_seconds: float = Field(
        60.0,
        ge=1,
        le=3600,
        description="How long a worker's claim on a submission holds unless renewed (every "
        "third of it while the worker processes the submission): how soon the "
        "submission of a worker that died is taken up by another.",
    )
    stats_source: Literal["search", "catalogue"] = Field(
        "search",
        description="Where agency statistics come from: the search index (the "
        "catalogue answers what the index lacks, such as regions), or "
        "always the catalogue.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # ValueError naming the bad entry
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("profiles_dir")
    @classmethod
    def _absolute_if_given(cls, value: Path | None) -> Path | None:
        return value.expanduser().resolve() if value is not None else None

    # Field validators, not a model validator: pydantic's error shows the input it checked,
    # and a model validator's input is every setting, real secrets included.
    @field_validator("search_password", "search_api_key")
    @classmethod
    def _not_a_placeholder(cls, value: SecretStr | None, info) -> SecretStr | None:
        if value is not None and is_placeholder(value.get_secret_value()):
            how = {
                "search_password": "for docker compose, SEARCH_PASSWORD in .env: the "
                "password of the app's own search user, `openssl rand "
                "-hex 24`"
            }.get(info.field_name, "the cluster's API key")
            raise ValueError(
                f"MICROCRED_{info.field_name.upper()} is still the placeholder "
                f"from .env.example; set the real secret ({how})"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _no_placeholder_password(cls, value: str | None) -> str | None:
        try:
            password = urlsplit(value).password if value else None
        except ValueError:
            password = None  # not a URL this can read; SQLAlchemy says what is wrong with it
        if password is not None and is_placeholder(password):
            raise ValueError(
                "MICROCRED_DATABASE_URL holds the placeholder password from .env.example; set "
                "POSTGRES_PASSWORD in .env (URL-safe: `openssl rand -hex 24`)"
            )
        return value

    @property
    def profile_folder(self) -> Path:
        """Where the deployment's own mapping profiles are (it need not exist)."""
        return self.profiles_dir or self.data_dir / "profiles"

    @property
    def catalogue_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'microcred.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
