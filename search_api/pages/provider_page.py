"""The provider page: a small script over the provider API.

The key is typed once and kept in the tab's sessionStorage, sent only as
`Authorization: Bearer` to this site's API, and gone when the tab closes. Because no cookie
carries it, no other site can make the browser act with it (no CSRF to guard against on
uploads), and it never appears in a URL, a log line or the server's HTML.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from normaliser.readers.registry import FORMATS
from search_api.pages.dependencies import PageRenderer

FORMAT_NAMES = [f.name for f in FORMATS]
router = APIRouter(include_in_schema=False)


@router.get("/provider", response_class=HTMLResponse)
def provider_page(renderer: PageRenderer) -> HTMLResponse:
    response = renderer.page("provider.html", section="provider", formats=FORMAT_NAMES)
    response.headers["Cache-Control"] = "no-store"
    return response
