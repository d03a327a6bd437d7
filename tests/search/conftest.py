"""The real search engines the engine backends are tested on: an OpenSearch 2.19 node, an
OpenSearch 3.3 node and an Elasticsearch 9 node from the distributions their projects publish on Maven Central, each
started once for the whole session on a free loopback port (microcred.local_engine, the code
behind scripts/engine) and stopped when it ends.

The nodes a session's tests need are launched as soon as collection ends, and each is waited
for when its first test runs: a JVM takes 20 to 40 s to start, time the tests before it spend
on other things instead of waiting."""

from __future__ import annotations

import os
import shutil

import pytest

from microcred.local_engine import (
    DEFAULT_CACHE,
    STARTUP_SECONDS,
    EngineError,
    LaunchedEngine,
    launch_engine,
)

ENGINE_FIXTURES = {
    "opensearch_url": "opensearch",
    "elasticsearch_url": "elasticsearch",
    "opensearch3_url": "opensearch3",
}
_launched: dict[str, LaunchedEngine | EngineError] = {}


def _data_dir(name: str):
    return DEFAULT_CACHE / "nodes" / f"test-{os.getpid()}-{name}"


def pytest_collection_finish(session):
    wanted = {
        ENGINE_FIXTURES[f]
        for item in session.items
        for f in getattr(item, "fixturenames", ())
        if f in ENGINE_FIXTURES
    }
    for name in sorted(wanted):
        try:
            _launched[name] = launch_engine(name, data_dir=_data_dir(name))
        except EngineError as exc:
            _launched[name] = exc  # said by the first test that needs the node


def pytest_sessionfinish(session):
    """Nodes launched for tests that did not run (a -x stop, a keyboard interrupt)."""
    for launched in _launched.values():
        if isinstance(launched, LaunchedEngine):
            launched.engine.stop()


def _engine_url(name: str):
    data_dir = _data_dir(name)
    try:
        launched = _launched.pop(name, None) or launch_engine(name, data_dir=data_dir)
        if isinstance(launched, EngineError):
            raise launched
        engine = launched.wait(STARTUP_SECONDS)
    except EngineError as exc:
        # CI fetches and starts both engines: failing to is a failure there.
        message = (
            f"the {name} node could not be started ({exc}); try "
            f"`scripts/engine start {name}` to see why"
        )
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
