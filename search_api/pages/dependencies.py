"""What page routes ask for: the renderer and the labels, kept on `app.state` by
`install_pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from search_api.pages.render import Labels, Renderer
from search_api.public_limit import public_rate_limit
from search_api.rate_limit import RateLimited


def page_renderer(request: Request) -> Renderer:
    return request.app.state.renderer


def page_labels(request: Request) -> Labels:
    return request.app.state.labels


PageRenderer = Annotated[Renderer, Depends(page_renderer)]
PageLabels = Annotated[Labels, Depends(page_labels)]


class PageRateLimited(Exception):
    """A page's client is over the public rate limit: answered as an HTML page (429)."""

    def __init__(self, limited: RateLimited) -> None:
        super().__init__(str(limited))
        self.retry_after = limited.retry_after


def page_rate_limit(request: Request) -> None:
    """The public rate limit, for pages: the same count as the API's, an HTML answer."""
    try:
        public_rate_limit(request)
    except RateLimited as exc:
        raise PageRateLimited(exc) from None


def rate_limited_page(request: Request, exc: Exception) -> HTMLResponse:
    """The handler of PageRateLimited (install_pages)."""
    response = page_renderer(request).page("slow_down.html", status=429, message=str(exc))
    response.headers["Retry-After"] = str(getattr(exc, "retry_after", 1))
    return response
