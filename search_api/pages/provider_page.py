"""The provider page: a small script over the provider API.

The key is typed once and kept in the tab's sessionStorage, sent only as
`Authorization: Bearer` to this site's API, and gone when the tab closes. Because no cookie
carries it, no other site can make the browser act with it (no CSRF to guard against on
uploads), and it never appears in a URL, a log line or the server's HTML.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from normaliser.feed_template import (
    CSV_NAME,
    EXAMPLES,
    XLSX_NAME,
    field_guides,
    template_csv,
    template_xlsx,
)
from normaliser.readers.registry import FORMATS
from normaliser.readers.xlsx import XLSX_MEDIA_TYPE
from search_api.pages.dependencies import PageRenderer

FORMAT_NAMES = [f.name for f in FORMATS]
router = APIRouter(include_in_schema=False)


@router.get("/provider", response_class=HTMLResponse)
def provider_page(renderer: PageRenderer) -> HTMLResponse:
    guides = [
        {
            "field": g,
            "example": next((e[g.name] for e in EXAMPLES if e.get(g.name)), ""),
        }
        for g in field_guides()
    ]
    response = renderer.page(
        "provider.html", section="provider", formats=FORMAT_NAMES, guides=guides
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/provider/feed-template.csv")
def feed_template_csv() -> Response:
    """The feed template: the header row and example courses (normaliser.feed_template)."""
    return _download(template_csv(), "text/csv; charset=utf-8", CSV_NAME)


@router.get("/provider/feed-template.xlsx")
def feed_template_xlsx() -> Response:
    """The same as a workbook, with a second sheet of each field's accepted values."""
    return _download(template_xlsx(), XLSX_MEDIA_TYPE, XLSX_NAME)
