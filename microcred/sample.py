"""The bundled sample providers, loaded on the first start of `microcred up`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from microcred.services import Services
from normaliser.schema import Provider

SAMPLE_DIR = Path(__file__).parent / "sample_data"


@dataclass
class SampleLoad:
    provider_id: str
    accepted: int
    rejected: int
    warned: int


def sample_providers() -> list[dict]:
    return json.loads((SAMPLE_DIR / "providers.json").read_text(encoding="utf-8"))


def load_sample_data(services: Services) -> list[SampleLoad]:
    """Register each sample provider and import its feed as a snapshot."""
    loads = []
    for entry in sample_providers():
        provider = Provider(
            id=entry["id"],
            name=entry["name"],
            country=entry.get("country"),
            url=entry.get("url"),
            default_currency=entry.get("default_currency"),
        )
        services.catalogue.upsert_provider(
            provider,
            default_language=entry.get("default_language"),
            level_framework=entry.get("level_framework"),
            credit_system=entry.get("credit_system"),
        )
        feed = SAMPLE_DIR / entry["feed"]
        report = services.ingest.submit(
            provider.id,
            feed.read_bytes(),
            format=entry.get("format"),
            mode="snapshot",
            channel="cli",
            filename=feed.name,
        )
        loads.append(SampleLoad(provider.id, report.accepted, report.rejected, report.warned))
    services.indexer.drain()
    return loads
