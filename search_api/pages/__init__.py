"""The web pages: the public marketplace (server-rendered, works without JavaScript), the
provider page (a small script over the provider API) and the agency dashboard (charts drawn
on the server as SVG).

Modules: `assets` (content-hashed static files), `render` (templates and labels),
`dependencies` (what page routes ask for), `public` and `offering_view` (search, offering,
compare), `site_index` (robots.txt, sitemaps), `provider_page`, `dashboard` (from the
agency services the API uses) and `charts` (SVG). Each page module has a `router`; `install_pages` puts what they share on
`app.state` and includes them.
"""

from __future__ import annotations

from fastapi import FastAPI

from search_api.context import ApiContext
from search_api.pages import assets, dashboard, federation, provider_page, public, site_index
from search_api.pages.dependencies import PageRateLimited, rate_limited_page
from search_api.pages.error_pages import install_error_pages
from search_api.pages.render import Labels, Renderer


def install_pages(app: FastAPI, context: ApiContext) -> None:
    app.state.assets = assets.Assets()
    app.state.renderer = Renderer(app.state.assets)
    app.state.labels = Labels(context)
    app.add_exception_handler(PageRateLimited, rate_limited_page)
    install_error_pages(app)
    for module in (assets, public, provider_page, dashboard, federation, site_index):
        # Every page answers HEAD as it answers GET, without the body (link checkers and
        # crawlers ask HEAD first); FastAPI's routes take only the methods they name.
        for route in module.router.routes:
            if "GET" in getattr(route, "methods", ()):
                route.methods.add("HEAD")
        app.include_router(module.router)
