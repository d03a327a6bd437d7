"""What search engines' crawlers read first: robots.txt and the sitemaps.

`/sitemap.xml` is always a sitemap index, so its address never changes as the catalogue
grows; it lists `/sitemaps/offerings-<n>.xml`, each with at most 50,000 offering pages (the
limit of the sitemaps protocol, https://www.sitemaps.org/protocol.html) and each page's
`lastmod`, the time its offering last changed. Only active offerings are listed.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from search_api.dependencies import Context

SITEMAP_MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The areas behind keys: nothing in them is for a search engine.
DISALLOWED = ("/provider", "/agency")
router = APIRouter(include_in_schema=False)


def site_url(request: Request) -> str:
    """The site's public address without a trailing slash: the configured one, else the
    address this request came to."""
    configured = request.app.state.context.public_url
    return (configured or str(request.base_url)).rstrip("/")


def canonical_href(request: Request, path: str) -> str:
    """The href of a page's canonical link: absolute at the configured public address;
    without one, the path alone, which a browser or crawler resolves against the address it
    came to (the same URL an absolute link would name, and nothing the page loads)."""
    configured = request.app.state.context.public_url
    return configured.rstrip("/") + path if configured else path


def _page_size(request: Request) -> int:
    return getattr(request.app.state, "sitemap_max_urls", SITEMAP_MAX_URLS)


def _xml(body: str) -> Response:
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        media_type="application/xml; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(request: Request) -> PlainTextResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in DISALLOWED),
        "",
        f"Sitemap: {site_url(request)}/sitemap.xml",
        "",
    ]
    return PlainTextResponse("\n".join(lines))


@router.get("/sitemap.xml")
def sitemap_index(request: Request, context: Context) -> Response:
    size = _page_size(request)
    base = site_url(request)
    # An empty catalogue still has its one (empty) page, so the index is never empty.
    newest_per_page = context.catalogue.sitemap_page_stamps(size) or [None]
    entries = []
    for page, newest in enumerate(newest_per_page, start=1):
        lastmod = f"<lastmod>{_stamp(newest)}</lastmod>" if newest else ""
        entries.append(
            f"<sitemap><loc>{escape(base)}/sitemaps/offerings-{page}.xml</loc>{lastmod}</sitemap>"
        )
    return _xml(
        f'<sitemapindex xmlns="{SITEMAP_NS}">\n' + "\n".join(entries) + "\n</sitemapindex>\n"
    )


@router.get("/sitemaps/offerings-{page}.xml")
def sitemap_page(
    request: Request, context: Context, page: int = Path(ge=1, le=1_000_000)
) -> Response:
    return _sitemap_page(page, request, context)


def _sitemap_page(page: int, request: Request, context: Context) -> Response:
    size = _page_size(request)
    stamps = context.catalogue.active_offering_stamps(offset=(page - 1) * size, limit=size)
    if not stamps and page != 1:
        return PlainTextResponse("no such sitemap", status_code=404)
    base = escape(site_url(request))
    entries = [
        f"<url><loc>{base}/offerings/{offering_id}</loc>"
        + (f"<lastmod>{_stamp(changed)}</lastmod>" if changed else "")
        + "</url>"
        for offering_id, changed in stamps
    ]
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">\n' + "\n".join(entries) + "\n</urlset>\n")
