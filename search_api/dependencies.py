"""What routes ask for, as `Annotated` dependencies: the services the composition root
handed in (kept on `app.state`), and who is calling.

    def route(backend: Backend, scope: ProviderScope) -> ...

`CurrentKey` is any valid key; `ProviderScope` a key that may act for the provider in the
path (that provider exists); `AgencyScope` an agency or admin key within its rate limit.
Plain `def` dependencies: FastAPI runs them in its thread pool, so a key lookup in the
catalogue never blocks the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from catalogue.accounts import ApiKey, KeyStore, Role
from catalogue.errors import InvalidRequest
from catalogue.search.base import SearchBackend
from catalogue.store import Catalogue
from search_api.auth import authenticate, require_provider_access, require_role
from search_api.context import AgencyContext, ApiContext, CrawlingContext, PublishingContext
from search_api.rate_limit import RateLimiter

# Declared for the OpenAPI description (securitySchemes); the key itself is read and
# checked by `authenticate`, whose messages say what is wrong with it.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="API key",
    description="An API key: `Authorization: Bearer mck_...`",
)
API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKeyHeader",
    description="The same API key, for clients that cannot send an Authorization header",
)


def api_context(request: Request) -> ApiContext:
    return request.app.state.context


Context = Annotated[ApiContext, Depends(api_context)]


def search_backend(context: Context) -> SearchBackend:
    return context.backend


Backend = Annotated[SearchBackend, Depends(search_backend)]


def catalogue_store(context: Context) -> Catalogue:
    return context.catalogue


CatalogueStore = Annotated[Catalogue, Depends(catalogue_store)]


def publishing_services(context: Context) -> PublishingContext:
    if context.publishing is None:  # the composition root always provides it
        raise InvalidRequest("publishing is not enabled in this deployment")
    return context.publishing


Publishing = Annotated[PublishingContext, Depends(publishing_services)]


def crawling_services(context: Context) -> CrawlingContext:
    if context.crawling is None or context.publishing is None:
        raise InvalidRequest("crawling is not enabled in this deployment")
    return context.crawling


Crawling = Annotated[CrawlingContext, Depends(crawling_services)]


def agency_services(context: Context) -> AgencyContext:
    if context.agency is None:  # the composition root always provides it
        raise InvalidRequest("agency routes are not enabled in this deployment")
    return context.agency


Agency = Annotated[AgencyContext, Depends(agency_services)]


def key_store(context: Context) -> KeyStore:
    if context.publishing is not None:
        return context.publishing.keys
    if context.agency is not None:
        return context.agency.keys
    raise InvalidRequest("accounts are not enabled in this deployment")


def current_key(
    request: Request,
    keys: Annotated[KeyStore, Depends(key_store)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
    _header: Annotated[str | None, Security(API_KEY_HEADER)],
) -> ApiKey:
    return authenticate(request, keys)


CurrentKey = Annotated[ApiKey, Depends(current_key)]


@dataclass(frozen=True)
class ProviderAccess:
    """The provider in the path, and the key acting for it."""

    provider_id: str
    key: ApiKey


def provider_scope(provider_id: str, key: CurrentKey, catalogue: CatalogueStore) -> ProviderAccess:
    require_provider_access(key, provider_id)
    catalogue.provider_row(provider_id)  # 404 for an admin on an unknown provider
    return ProviderAccess(provider_id, key)


ProviderScope = Annotated[ProviderAccess, Depends(provider_scope)]


def agency_limiter(request: Request) -> RateLimiter:
    return request.app.state.agency_limiter


def agency_scope(
    key: CurrentKey, _agency: Agency, limiter: Annotated[RateLimiter, Depends(agency_limiter)]
) -> ApiKey:
    require_role(key, Role.AGENCY)
    limiter.take(key.id)
    return key


AgencyScope = Annotated[ApiKey, Depends(agency_scope)]


# Row ids are the catalogue's INTEGER columns: 32-bit on PostgreSQL (SQLite's are wider, but
# both must answer the same). A larger number in a path or a cursor reached the database and
# failed there (500); it is refused here, as a 422 naming the parameter.
MAX_ROW_ID = 2**31 - 1
SubmissionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the submission's id")]
# The cursor of the newest-first lists (submissions, pulls, crawls).
BeforeId = Annotated[int | None, Query(ge=0, le=MAX_ROW_ID, description="id of the last one seen")]
