"""Offerings stored straight into a real catalogue for the agency tests: hand-built ones
(tests/search/corpus.py, so every value is known) written as the ingest path writes them
(offering, first version, outbox entry), and synthetic feeds through the real ingest."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select, update

from benchmarks.synthetic import synthetic_csv
from catalogue.ingest import content_hash
from catalogue.models import OfferingRow, OfferingVersionRow, OutboxRow
from normaliser.schema import Provider, StoredOffering

_DOCUMENT_EXCLUDE = {"id", "provider", "version", "provenance"}

SYNTHETIC_PROVIDERS = (
    Provider(id="syn-nz", name="Synthetic Polytechnic", country="NZ", default_currency="NZD"),
    Provider(id="syn-ie", name="Synthetic University", country="IE", default_currency="EUR"),
    Provider(id="syn-gb", name="Synthetic College", country="GB", default_currency="GBP"),
)


def store_offerings(
    services, offerings: Iterable[StoredOffering], *, recorded_at: datetime | None = None
) -> list[str]:
    """Write offerings (active, version as given) with one version row each, at their
    first_seen unless `recorded_at` is given, and queue them for the index."""
    offerings = list(offerings)
    for provider in {o.provider.id: o.provider for o in offerings}.values():
        services.catalogue.upsert_provider(provider)
    rows, versions, outbox = [], [], []
    for o in offerings:
        document = o.model_dump(mode="json", exclude_none=True, exclude=_DOCUMENT_EXCLUDE)
        seen = o.provenance.first_seen
        when = recorded_at or seen
        rows.append(
            dict(
                id=o.id,
                provider_id=o.provider.id,
                provider_offering_id=o.provider_offering_id,
                version=o.version,
                status="active",
                content_hash=content_hash(document),
                document=document,
                channel=o.provenance.channel.value,
                source_url=o.provenance.source_url,
                submission_id=None,
                first_seen=seen,
                last_seen=o.provenance.last_seen or seen,
                updated_at=when,
                withdrawn_at=None,
            )
        )
        versions.append(
            dict(
                offering_id=o.id,
                version=o.version,
                status="active",
                content_hash=content_hash(document),
                document=document,
                submission_id=None,
                recorded_at=when,
            )
        )
        outbox.append(dict(offering_id=o.id, version=o.version, op="upsert", created_at=when))
    with services.engine.begin() as conn:
        conn.execute(insert(OfferingRow), rows)
        conn.execute(insert(OfferingVersionRow), versions)
        conn.execute(insert(OutboxRow), outbox)
    return [o.id for o in offerings]


def withdraw(services, offering_id: str, when: datetime) -> None:
    """A withdrawal as ingest records it: the offering, a new version, a delete for the index."""
    with services.engine.begin() as conn:
        row = conn.execute(
            select(OfferingRow.version, OfferingRow.content_hash, OfferingRow.document).where(
                OfferingRow.id == offering_id
            )
        ).one()
        version = row.version + 1
        conn.execute(
            update(OfferingRow)
            .where(OfferingRow.id == offering_id)
            .values(status="withdrawn", version=version, withdrawn_at=when, updated_at=when)
        )
        conn.execute(
            insert(OfferingVersionRow).values(
                offering_id=offering_id,
                version=version,
                status="withdrawn",
                content_hash=row.content_hash,
                document=row.document,
                submission_id=None,
                recorded_at=when,
            )
        )
        conn.execute(
            insert(OutboxRow).values(
                offering_id=offering_id, version=version, op="delete", created_at=when
            )
        )


def import_synthetic(services, per_provider: int = 150) -> None:
    """Synthetic feeds (benchmarks.synthetic) through the real ingest: values written the
    messy ways providers write them, so the normaliser's real output is what gets counted."""
    for seed, provider in enumerate(SYNTHETIC_PROVIDERS):
        services.catalogue.upsert_provider(provider, default_language="en")
        report = services.import_feed(
            provider.id, synthetic_csv(per_provider, seed=seed, id_prefix=provider.id), format="csv"
        )
        assert report.status == "applied", report.error


EDX_HEADER = [
    "title",
    "summary",
    "n_enrolled",
    "course_type",
    "institution",
    "instructors",
    "Level",
    "subject",
    "language",
    "subtitles",
    "course_effort",
    "course_length",
    "price",
    "course_description",
    "course_syllabus",
    "course_url",
]


def edx_export(*courses: tuple[str, str, str]) -> bytes:
    """(title, institution, slug) rows in the shape of the edX catalogue export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EDX_HEADER)
    for title, institution, slug in courses:
        writer.writerow(
            [
                title,
                "A summary.",
                "1,000",
                "Self-paced on your time",
                institution,
                "A. Teacher",
                "Introductory",
                "Computer Science",
                "English",
                "English",
                "6–8 hours per week",
                "12 Weeks",
                "FREE-Add a Verified Certificate for $199 USD",
                "A description.",
                "A syllabus.",
                f"https://www.edx.org/course/{slug}",
            ]
        )
    return buffer.getvalue().encode()


def provider_feed(*rows: tuple[str, str, str]) -> bytes:
    """(id, title, url) rows of a feed-format-v1 CSV."""
    lines = ["id,title,url,mode,credits"]
    lines += [f"{i},{t},{u},Online,10 ECTS" for i, t, u in rows]
    return ("\n".join(lines) + "\n").encode()


def load_duplicate_pair(services) -> None:
    """Harvard's own feed and edX's listing (in the shape of the edX export, through the edX
    mapping profile): CS50 reaches us twice; "Introduction to Probability" is a Harvard
    course and an MITx course of the same name, which are two offerings."""
    services.catalogue.upsert_provider(
        Provider(id="harvard", name="Harvard University", country="US", default_currency="USD")
    )
    services.catalogue.upsert_provider(Provider(id="edx", name="edX", country="US"))
    own = services.import_feed(
        "harvard",
        provider_feed(
            ("CS50", "CS50: Introduction to Computer Science", "https://cs50.harvard.edu/x"),
            ("STAT110", "Introduction to Probability", "https://harvard.edu/stat110"),
        ),
        format="csv",
    )
    listed = services.import_feed(
        "edx",
        edx_export(
            (
                "CS50's Introduction to Computer Science",
                "HarvardX",
                "cs50s-introduction-to-computer-science",
            ),
            ("Introduction to Probability", "MITx", "introduction-to-probability"),
            ("Data Science for Executives", "ColumbiaX", "data-science-for-executives"),
        ),
        format="profile:edx",
    )
    assert own.status == listed.status == "applied", (own.error, listed.error)
