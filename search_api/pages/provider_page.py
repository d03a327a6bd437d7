"""The provider page: a small script over the provider API.

The key is typed once and kept in the tab's sessionStorage, sent only as
`Authorization: Bearer` to this site's API, and gone when the tab closes. Because no cookie
carries it, no other site can make the browser act with it (no CSRF to guard against on
uploads), and it never appears in a URL, a log line or the server's HTML.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from normaliser.readers.registry import FORMATS
from search_api.pages.render import Renderer


def install_provider_page(app: FastAPI, renderer: Renderer) -> None:
    formats = [f.name for f in FORMATS]

    @app.get("/provider", response_class=HTMLResponse, include_in_schema=False)
    def provider_page() -> HTMLResponse:
        response = renderer.page("provider.html", section="provider", formats=formats)
        response.headers["Cache-Control"] = "no-store"
        return response
