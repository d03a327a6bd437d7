"""The search engine the engine backends are tested on: osmem-server, an in-memory
OpenSearch-compatible engine from PyPI, one process for the whole session."""

from __future__ import annotations

import os

import pytest
from osmem_server import OsmemError, resolve_binary

from tests.search.engines import OsmemProcess


@pytest.fixture(scope="session")
def osmem_search_url() -> str:
    try:
        binary = resolve_binary()
    except OsmemError as exc:
        # CI installs the test extras, osmem-server included: missing there is a failure.
        if os.environ.get("CI"):
            pytest.fail(f"osmem-server is missing ({exc}); install the test extras: "
                        f"pip install -e '.[test]'")
        pytest.skip(f"osmem-server is not installed here ({exc})")
    server = OsmemProcess.start(binary)
    yield server.url
    server.stop()
