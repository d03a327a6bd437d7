"""The search page's discovery features over HTTP, without a browser (issue 14): ticking
values of one facet widens the results, and the unticked values keep counts that say what
ticking them adds."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microcred.web import create_web_app
from tests.web.test_pages_http import FEED


@pytest.fixture
def client(services, provider) -> TestClient:
    services.import_feed(provider.id, FEED.encode(), format="csv")
    return TestClient(create_web_app(services, background=False))


def total(page: str) -> int:
    return int(re.search(r'id="results-heading"[^>]*>\s*([\d,]+) course', page).group(1))


def mode_boxes(page: str) -> dict[str, tuple[bool, int]]:
    """The "How it is taught" checkboxes: value -> (ticked, count shown)."""
    group = re.search(r"<legend>How it is taught</legend>(.*?)</fieldset>", page, re.S).group(1)
    out = {}
    for value, checked, count in re.findall(
            r'name="mode" value="([^"]+)"( checked)?>.*?\((\d+)\)', group, re.S):
        out[value] = (bool(checked), int(count))
    return out


def test_two_ticked_modes_widen_and_every_mode_keeps_its_count(client):
    online = client.get("/?mode=online").text
    assert total(online) == 2
    assert mode_boxes(online) == {"online": (True, 2), "in_person": (False, 1),
                                  "blended": (False, 1)}
    # The form sends a ticked box as one more `mode=`; both forms of the address agree.
    for address in ("/?mode=online&mode=blended", "/?mode=online%2Cblended"):
        both = client.get(address).text
        assert total(both) == 3
        assert mode_boxes(both) == {"online": (True, 2), "in_person": (False, 1),
                                    "blended": (True, 1)}
