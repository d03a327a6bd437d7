"""Duplicates with a search engine as the index: the secondary listing leaves the engine's
index when it is linked and comes back when the link goes (real nodes of both engines)."""

from __future__ import annotations

import dataclasses

import pytest

from catalogue.duplicates import DuplicateService
from catalogue.indexer import Indexer
from catalogue.search.query import SearchQuery
from tests.agency_data import load_duplicate_pair, provider_feed
from tests.search.engines import ENGINE_FACTORIES, ENGINES_FOR_DERIVED_SUITES


@pytest.fixture(params=ENGINES_FOR_DERIVED_SUITES)
def engine_services(request, services, tmp_path):
    """The test's services with an engine of each flavour as the index."""
    backend = ENGINE_FACTORIES[request.param](request, tmp_path)
    indexer = Indexer(services.catalogue, backend)
    indexer.rebuild()
    return dataclasses.replace(
        services,
        backend=backend,
        indexer=indexer,
        duplicates=DuplicateService(services.catalogue, drain_index=indexer.drain),
    )


def test_the_engine_index_shows_a_duplicate_once_and_again_when_unlinked(engine_services):
    services = engine_services
    load_duplicate_pair(services)
    query = SearchQuery(text="introduction computer science")
    [shown] = services.backend.search(query).hits
    assert services.catalogue.get_offering(shown.id).provider.id == "harvard"
    # Harvard stops listing CS50: edX's listing is the offering's only source, and shows.
    services.import_feed(
        "harvard",
        provider_feed(("STAT110", "Introduction to Probability", "https://harvard.edu/stat110")),
        format="csv",
    )
    [back] = services.backend.search(query).hits
    assert services.catalogue.get_offering(back.id).provider.id == "edx"
