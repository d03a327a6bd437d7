"""The FastAPI application: the API's routers, the pages, one error shape, and the
services every route reads through its dependencies (`app.state.context`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from search_api.context import ApiContext
from search_api.errors import install_error_handlers
from search_api.pages import install_pages
from search_api.rate_limit import TokenBucketLimiter
from search_api.routers import (
    agency,
    changes,
    crawling,
    offerings,
    profiles,
    public,
    publication,
    publishing,
    pull_sources,
)

API_DESCRIPTION = """\
Search micro-credentials from every provider in one common schema.

Filters are named after the fields they filter. List filters take repeated parameters or
comma-separated values (`mode=online,blended`) and match any of them; different filters
combine with AND. Instance filters (`mode`, `pace`, `country`, `price_min`, `price_max`,
`free`, `starts_after`, `starts_before`) match when one run of the offering satisfies all of
them. Prices are compared in the deployment's reference currency.

Provider and agency routes need an API key, sent as `Authorization: Bearer <key>`. Every
error has one shape: `{"error": {"code": ..., "message": ..., "field": ...}}`, `field`
where one parameter or body field is at fault.
"""
TAGS = [
    {"name": "search", "description": "Public search"},
    {"name": "meta", "description": "Providers, vocabularies, health"},
    {
        "name": "publishing",
        "description": "Providers keep their offerings current (provider or admin key)",
    },
    {"name": "crawling", "description": "Providers' websites, crawled (provider or admin key)"},
    {
        "name": "agency",
        "description": "Aggregates, history, exports, data quality "
        "(agency or admin key, rate limited)",
    },
    {
        "name": "federation",
        "description": "The catalogue's changes, for other aggregators to mirror it",
    },
]


def create_app(context: ApiContext, *, lifespan: Any = None) -> FastAPI:
    # No /docs or /redoc: FastAPI's pages load their scripts from a CDN, and no page of ours
    # makes a request to another host. The description is at /openapi.json.
    app = FastAPI(
        title="microcred",
        version="1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
    )
    app.state.context = context
    app.state.public_limit = context.public_limit
    if context.agency is not None:
        app.state.agency_limiter = context.agency.limiter or TokenBucketLimiter(
            context.agency.rate_per_minute
        )
    install_error_handlers(app)
    for module in (
        public,
        offerings,
        changes,
        publishing,
        pull_sources,
        profiles,
        crawling,
        agency,
        publication,
    ):
        app.include_router(module.router)
    install_pages(app, context)
    return app
