"""Builds the web application from the composed services."""

from __future__ import annotations

from fastapi import FastAPI

from microcred.services import Services, build_services
from microcred.settings import get_settings
from normaliser.vocab import vocabularies
from search_api.app import create_app
from search_api.context import ApiContext


def create_web_app(services: Services) -> FastAPI:
    return create_app(ApiContext(catalogue=services.catalogue, backend=services.backend,
                                 indexer=services.indexer,
                                 reference_currency=services.settings.reference_currency,
                                 vocabularies=vocabularies))


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory microcred.web:app_from_environment` behind a process manager."""
    return create_web_app(build_services(get_settings()))
