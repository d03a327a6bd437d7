"""Catalogue tables: the system of record. Changes to them go through Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# On PostgreSQL (migration 0003_postgres):
# - the current offering document is JSONB, so agency questions can be asked inside it with
#   indexes (`document->'level'->>'eqf'`, GIN); history stays JSON, the text as written,
#   since nothing reads into it and JSONB costs a parse on every write;
# - the ids of the tables that grow with every run and every change are BIGINT: issues are
#   recorded on every run, unchanged records included, so a national catalogue re-pulled
#   daily would run through a 32-bit id in a few years. SQLite keeps INTEGER, its rowid.
CURRENT_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")
GROWING_ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class ProviderRow(Base):
    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    url: Mapped[str | None] = mapped_column(String(2000))
    default_currency: Mapped[str | None] = mapped_column(String(3))
    default_language: Mapped[str | None] = mapped_column(String(2))
    # Hints for bare numbers in this provider's feeds ("5" with no framework named).
    level_framework: Mapped[str | None] = mapped_column(String(16))
    credit_system: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SourceRow(Base):
    """Where a provider's records come from: a push endpoint, a pulled URL, a crawl, the CLI."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000))
    format: Mapped[str | None] = mapped_column(String(32))
    schedule: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Scheduled pulls: how the pulled feed is applied, and what the last fetch saw, so the
    # next one can be a conditional GET.
    mode: Mapped[str] = mapped_column(String(16), default="snapshot", server_default="snapshot")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SubmissionRow(Base):
    """The raw bytes of every feed we received, stored before anything is parsed."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint(
            "provider_id", "idempotency_key", name="uq_submissions_provider_idempotency_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    channel: Mapped[str] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(500))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # received | processing | applied | failed | held (awaiting confirmation) | discarded
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", name="fk_submissions_api_key_id")
    )
    # A held snapshot is applied only when someone confirms the withdrawals it makes.
    confirmed_withdrawals: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The worker processing it (migration 0007): who, a token of this claim, and until when
    # the claim holds unless renewed. A `processing` submission whose lease ran out is taken
    # by the next worker; only the holder of the token may record the outcome.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How many times it was claimed: one that keeps taking its worker down is failed after
    # a few, not handed from worker to worker for ever.
    claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class IngestRunRow(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # applied | failed | held
    records: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    warned: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class IngestIssueRow(Base):
    __tablename__ = "ingest_issues"

    id: Mapped[int] = mapped_column(GROWING_ID, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    locator: Mapped[str | None] = mapped_column(
        String(50)
    )  # "line 12", "item 3", None = feed-level
    record_id: Mapped[str | None] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)


class OfferingRow(Base):
    """The current state of one offering; its key is (provider, provider's own id)."""

    __tablename__ = "offerings"
    __table_args__ = (
        UniqueConstraint("provider_id", "provider_offering_id"),
        Index("ix_offerings_provider_status", "provider_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    provider_offering_id: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active | withdrawn
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(CURRENT_DOCUMENT)  # normalised schema.Offering
    channel: Mapped[str] = mapped_column(String(16))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OfferingVersionRow(Base):
    """Every distinct state an offering has had, withdrawals included."""

    __tablename__ = "offering_versions"
    __table_args__ = (UniqueConstraint("offering_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    offering_id: Mapped[str] = mapped_column(ForeignKey("offerings.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSON)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Where the change stands in commit order (migration 0008, catalogue.changes): numbered
    # from `change_counter` under its row lock, held to commit, so a higher number never
    # commits before a lower one. The changes feed pages by it.
    change_seq: Mapped[int | None] = mapped_column(GROWING_ID, unique=True, index=True)


class ChangeCounterRow(Base):
    """One row: the last change number handed out (catalogue.changes)."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(GROWING_ID)


class OutboxRow(Base):
    """Index work, written in the same transaction as the catalogue change it reflects."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(GROWING_ID, primary_key=True, autoincrement=True)
    offering_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class ApiKeyRow(Base):
    """An API key. Only a hash of the secret is kept: the key is shown once, when made."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The public part of the key, used to find its row; the rest is the secret.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # provider | agency | admin
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PullRunRow(Base):
    """One scheduled or requested fetch of a source's feed URL, and what came of it."""

    __tablename__ = "pull_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # fetched (a new submission) | not_modified | unchanged (same bytes) | failed | refused
    outcome: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int | None] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    error: Mapped[str | None] = mapped_column(Text)


class IndexDeadLetterRow(Base):
    """An index update the search engine refused for good (a document its mapping cannot
    take), set aside so the updates behind it are not held up. One open row per offering:
    a later failure of the same offering updates it. Resolved when the offering reaches the
    index (a later update, `microcred index retry-dead-letters`, or a reindex)."""

    __tablename__ = "index_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    offering_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    reason: Mapped[str] = mapped_column(Text)
    # The engine's HTTP status for the item; None when no request was made (the index
    # document could not be built from the stored offering).
    status_code: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class CrawlSettingsRow(Base):
    """What a crawl source (a `sources` row of channel crawl) crawls: its start URLs, its
    limits, and for a site without markup the declarative site config."""

    __tablename__ = "crawl_settings"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    start_urls: Mapped[list] = mapped_column(JSON)
    limits: Mapped[dict] = mapped_column(JSON)
    site: Mapped[dict | None] = mapped_column(JSON)


class CrawlRunRow(Base):
    """One crawl of a provider's website and what came of it."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    # None for a crawl of start URLs given on the command line.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # running | finished (a clean crawl) | partial (stopped early or pages failed) | failed
    status: Mapped[str] = mapped_column(String(16))
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    # How its records were submitted: snapshot | delta; None when nothing was submitted.
    mode: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))  # submitted | unchanged | empty
    start_urls: Mapped[list] = mapped_column(JSON)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
    dropped_reasons: Mapped[dict] = mapped_column(JSON)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_samples: Mapped[list] = mapped_column(JSON)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    stats: Mapped[dict] = mapped_column(JSON)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    error: Mapped[str | None] = mapped_column(Text)


class OfferingDuplicateRow(Base):
    """One offering that reached us twice: the secondary listing is kept in the catalogue
    (both sources stay, with their provenance) but left out of the search index and of
    agency statistics, so public search shows it once. See catalogue.duplicates."""

    __tablename__ = "offering_duplicates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    primary_id: Mapped[str] = mapped_column(ForeignKey("offerings.id"), index=True)
    # An offering is the secondary listing of at most one primary, which is no one's secondary.
    secondary_id: Mapped[str] = mapped_column(ForeignKey("offerings.id"), unique=True)
    reasons: Mapped[str] = mapped_column(String(100))  # url,course_code,title,institution
    title_similarity: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict] = mapped_column(JSON)  # the values that matched
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfferingMatchKeyRow(Base):
    """Blocking keys of active offerings for duplicate detection (a hash of the normalised
    URL, of each course code, of the title's words), so a changed offering finds its
    candidates with an index lookup instead of a scan of the catalogue."""

    __tablename__ = "offering_match_keys"
    __table_args__ = (Index("ix_offering_match_keys_offering", "offering_id"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    offering_id: Mapped[str] = mapped_column(ForeignKey("offerings.id"), primary_key=True)
    # Where the offering came from and whether its record names an institution: enough to
    # rule out most candidate pairs without reading their documents.
    provider_id: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(40))  # channel:source id
    names_institution: Mapped[bool] = mapped_column(Boolean)


class ScheduledRunRow(Base):
    """A scheduled pull or crawl taken by one scheduler for one due time: the row is
    inserted before fetching, and the unique key makes a second scheduler's insert fail,
    so a due run happens once however many schedulers run (catalogue.coordination)."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", "due_at", name="uq_scheduled_runs_kind_source_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # pull | crawl
    source_id: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RateLimitWindowRow(Base):
    """Requests of one key in one fixed window (epoch seconds of its start), counted in the
    catalogue so every API process shares one limit (catalogue.coordination)."""

    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)


class IndexerHeartbeatRow(Base):
    """What one process's indexer is doing, renewed while it does it: /healthz of any API
    process reports the cluster's indexing state from these rows. A row whose expiry has
    passed (its process died or went quiet) counts for nothing."""

    __tablename__ = "indexer_heartbeats"

    process_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # idle | draining | rebuilding | stalled
    detail: Mapped[str | None] = mapped_column(Text)
    # When its last drain (or attempt to prepare the index) ended.
    drained_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class MappingProfileRow(Base):
    """A mapping profile a provider registered (PUT /v1/providers/{id}/profiles/{name}),
    as the TOML it sent: validated when stored, loaded again on every use (a feed names it
    as format=profile:<provider>/<name>)."""

    __tablename__ = "mapping_profiles"

    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PublicationRuleRow(Base):
    """What the agency publishes to one federation target (an export format such as
    `elm-loq`): the providers left out of it and the fields withheld from it
    (catalogue.publication)."""

    __tablename__ = "publication_rules"

    target: Mapped[str] = mapped_column(String(32), primary_key=True)
    excluded_providers: Mapped[list] = mapped_column(JSON)
    withheld_fields: Mapped[list] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
