"""The web pages: the public marketplace (server-rendered, works without JavaScript), the
provider page (a small script over the provider API) and the agency dashboard (charts drawn
on the server as SVG).

Modules: `assets` (content-hashed static files), `render` (templates and labels),
`public` and `offering_view` (search, offering, compare), `provider_page`, `dashboard`,
`charts` (SVG) and `internal_api` (the dashboard's calls to the agency API).
"""

from __future__ import annotations

from fastapi import FastAPI

from search_api.context import ApiContext
from search_api.pages.assets import Assets
from search_api.pages.dashboard import install_dashboard
from search_api.pages.provider_page import install_provider_page
from search_api.pages.public import install_public_pages
from search_api.pages.render import Labels, Renderer


def install_pages(app: FastAPI, context: ApiContext) -> None:
    assets = Assets()
    assets.install(app)
    renderer = Renderer(assets)
    labels = Labels(context)
    install_public_pages(app, context, renderer, labels)
    install_provider_page(app, renderer)
    install_dashboard(app, context, renderer, labels)
