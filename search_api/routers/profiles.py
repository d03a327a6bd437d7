"""Provider routes for mapping profiles: a provider registers the TOML profile its export
needs (validated on the way in; every key at fault is named, with its line), reads it back,
lists and deletes them. A feed then names it as format=profile:<provider>/<name>.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from catalogue.errors import FeedRejected, InvalidRequest
from catalogue.profiles import MAX_PROFILE_BYTES, ProfileStore, StoredProfile
from search_api.dependencies import ProviderScope, Publishing
from search_api.errors import error_responses
from search_api.feed_body import read_feed
from search_api.models.profiles import ProfileDeletedOut, ProfileListOut, ProfileOut

TAG = "publishing"
router = APIRouter(
    prefix="/v1/providers/{provider_id}/profiles",
    tags=[TAG],
    responses=error_responses(400, 401, 403, 404, 422),
)
NAME = Path(
    description="The profile's name: lower-case letters, digits, '-' and '_'",
    pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
)


def _store(pub: Publishing) -> ProfileStore:
    if pub.profiles is None:
        raise InvalidRequest("mapping profiles are not enabled in this deployment")
    return pub.profiles


def _out(stored: StoredProfile) -> ProfileOut:
    return ProfileOut(
        provider_id=stored.provider_id,
        name=stored.name,
        format=stored.format,
        description=stored.profile.description,
        fields=sorted(stored.profile.fields),
        toml=stored.text,
    )


@router.put(
    "/{name}",
    response_model=ProfileOut,
    responses=error_responses(413),
    summary="Register or replace a mapping profile (TOML in the body)",
)
async def put_profile(
    scope: ProviderScope, pub: Publishing, request: Request, response: Response, name: str = NAME
) -> ProfileOut:
    try:
        content = await read_feed(request, MAX_PROFILE_BYTES)
    except FeedRejected:
        raise FeedRejected(
            f"the profile is over the limit of {MAX_PROFILE_BYTES:,} bytes; a "
            "mapping profile is a page of TOML"
        ) from None
    stored = await run_in_threadpool(_store(pub).put, scope.provider_id, name, content)
    response.status_code = 201 if stored.created else 200
    return _out(stored)


@router.get("/{name}", response_model=ProfileOut, summary="A registered mapping profile")
def get_profile(scope: ProviderScope, pub: Publishing, name: str = NAME) -> ProfileOut:
    return _out(_store(pub).get(scope.provider_id, name))


@router.get("", response_model=ProfileListOut, summary="The provider's mapping profiles")
def list_profiles(scope: ProviderScope, pub: Publishing) -> ProfileListOut:
    return ProfileListOut(profiles=_store(pub).names(scope.provider_id))


@router.delete(
    "/{name}",
    response_model=ProfileDeletedOut,
    summary="Remove a mapping profile (feeds already read with it are kept)",
)
def delete_profile(scope: ProviderScope, pub: Publishing, name: str = NAME) -> ProfileDeletedOut:
    _store(pub).delete(scope.provider_id, name)
    return ProfileDeletedOut(provider_id=scope.provider_id, name=name, deleted=True)
