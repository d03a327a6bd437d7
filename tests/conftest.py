"""Shared fixtures: a fresh catalogue in a temporary SQLite file per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microcred.services import Services, build_services
from microcred.settings import Settings
from normaliser.schema import Provider

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", reference_currency="EUR")


@pytest.fixture
def services(settings: Settings) -> Services:
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def provider(services: Services) -> Provider:
    provider = Provider(id="te-awa", name="Te Awa Institute of Technology", country="NZ",
                        default_currency="NZD")
    services.catalogue.upsert_provider(provider, default_language="en")
    return provider


def shared_data(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must run with ../shared beside the checkout")
        pytest.skip(f"{path} is not here: this checkout has no ../shared/data beside it")
    return path
