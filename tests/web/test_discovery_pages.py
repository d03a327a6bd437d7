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
        r'name="mode" value="([^"]+)"( checked)?>.*?\((\d+)\)', group, re.S
    ):
        out[value] = (bool(checked), int(count))
    return out


def test_two_ticked_modes_widen_and_every_mode_keeps_its_count(client):
    online = client.get("/?mode=online").text
    assert total(online) == 2
    assert mode_boxes(online) == {
        "online": (True, 2),
        "in_person": (False, 1),
        "blended": (False, 1),
    }
    # The form sends a ticked box as one more `mode=`; both forms of the address agree.
    for address in ("/?mode=online&mode=blended", "/?mode=online%2Cblended"):
        both = client.get(address).text
        assert total(both) == 3
        assert mode_boxes(both) == {
            "online": (True, 2),
            "in_person": (False, 1),
            "blended": (True, 1),
        }


def test_the_page_shows_a_correction_and_offers_the_words_as_typed(services, provider):
    from tests.api.test_discovery_api import CYBER

    services.import_feed(provider.id, CYBER.encode(), format="csv")
    client = TestClient(create_web_app(services, background=False))
    page = client.get("/?q=cybersecurty").text
    assert total(page) == 2
    assert "Cybersecurity Essentials" in page
    shown = re.search(r'<p class="correction">(.*?)</p>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", shown) == (
        "Showing results for cybersecurity — search instead for cybersecurty"
    )
    href = re.search(r'href="([^"]+)"', shown).group(1).replace("&amp;", "&")
    assert "correct=false" in href and "q=cybersecurty" in href
    as_typed = client.get(href).text
    assert total(as_typed) == 0 and 'class="correction"' not in as_typed
