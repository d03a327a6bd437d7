"""The real search engines the engine backends are tested on: an OpenSearch 2.19 node, an
OpenSearch 3.3 node and an Elasticsearch 9 node from the distributions their projects publish on Maven Central, each
started once for the whole session on a free loopback port (microcred.local_engine, the code
behind scripts/engine) and stopped when it ends."""

from __future__ import annotations

import os
import shutil

import pytest

from microcred.local_engine import DEFAULT_CACHE, EngineError, start_engine


def _engine_url(name: str):
    data_dir = DEFAULT_CACHE / "nodes" / f"test-{os.getpid()}-{name}"
    try:
        engine = start_engine(name, data_dir=data_dir)
    except EngineError as exc:
        # CI fetches and starts both engines: failing to is a failure there.
        message = (f"the {name} node could not be started ({exc}); try "
                   f"`scripts/engine start {name}` to see why")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield engine.url
    finally:
        engine.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def opensearch_url():
    yield from _engine_url("opensearch")


@pytest.fixture(scope="session")
def elasticsearch_url():
    yield from _engine_url("elasticsearch")


@pytest.fixture(scope="session")
def opensearch3_url():
    """OpenSearch 3 on the Temurin 25 JDK."""
    yield from _engine_url("opensearch3")
