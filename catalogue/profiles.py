"""Mapping profiles providers register: stored as the TOML they sent, validated first.

A registered profile is named `<provider>/<name>` in a feed's format
(`format=profile:nmit/courses`), so two providers can each have a `courses` profile and an
agency can point several providers at one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from catalogue.db import create_catalogue_engine
from catalogue.errors import InvalidRequest, NotFound
from catalogue.models import MappingProfileRow
from catalogue.store import Catalogue, utcnow
from normaliser.readers.profiles import (
    MappingProfile,
    MappingProfileError,
    is_profile_name,
    load_profile,
)

# A profile is a page of TOML; this is far beyond any real one and keeps the table sane.
MAX_PROFILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class StoredProfile:
    provider_id: str
    name: str
    text: str
    profile: MappingProfile
    created: bool = False

    @property
    def format(self) -> str:
        return f"profile:{self.provider_id}/{self.name}"


class ProfileStore:
    """Register, read and remove a provider's mapping profiles."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def put(self, provider_id: str, name: str, content: bytes) -> StoredProfile:
        """Validate and store; InvalidRequest with every key at fault (and its line)."""
        self.catalogue.provider_row(provider_id)  # NotFound for an unknown provider
        _check_name(name)
        if len(content) > MAX_PROFILE_BYTES:
            raise InvalidRequest(
                f"the profile is {len(content):,} bytes, over the limit of {MAX_PROFILE_BYTES:,}",
                parameter="body",
            )
        try:
            profile = load_profile(content, origin=f"profile {name!r}")
        except MappingProfileError as exc:
            raise InvalidRequest(str(exc), parameter="body") from None
        if profile.name != name:
            raise InvalidRequest(
                f"the profile says name = {profile.name!r} but is registered "
                f"as {name!r}; they must be the same",
                parameter="name",
            )
        text = content.decode("utf-8")
        now = utcnow()
        engine = self.catalogue.engine
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        with engine.begin() as conn:
            existed = (
                conn.execute(
                    select(MappingProfileRow.name).where(
                        MappingProfileRow.provider_id == provider_id, MappingProfileRow.name == name
                    )
                ).first()
                is not None
            )
            statement = insert(MappingProfileRow).values(
                provider_id=provider_id, name=name, text=text, created_at=now, updated_at=now
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["provider_id", "name"], set_={"text": text, "updated_at": now}
                )
            )
        return StoredProfile(provider_id, name, text, profile, created=not existed)

    def get(self, provider_id: str, name: str) -> StoredProfile:
        text = registered_text(self.catalogue.engine, provider_id, name)
        if text is None:
            raise NotFound(f"provider {provider_id!r} has no mapping profile called {name!r}")
        return StoredProfile(provider_id, name, text, load_profile(text, origin=name))

    def names(self, provider_id: str) -> list[str]:
        with self.catalogue.engine.connect() as conn:
            return list(
                conn.scalars(
                    select(MappingProfileRow.name)
                    .where(MappingProfileRow.provider_id == provider_id)
                    .order_by(MappingProfileRow.name)
                )
            )

    def delete(self, provider_id: str, name: str) -> None:
        with self.catalogue.engine.begin() as conn:
            gone = conn.execute(
                delete(MappingProfileRow).where(
                    MappingProfileRow.provider_id == provider_id, MappingProfileRow.name == name
                )
            ).rowcount
        if not gone:
            raise NotFound(f"provider {provider_id!r} has no mapping profile called {name!r}")


def _check_name(name: str) -> None:
    if not is_profile_name(name):
        raise InvalidRequest(
            f"{name!r} is not a profile name: use lower-case letters, digits, "
            "'-' and '_' (up to 64)",
            parameter="name",
        )


def registered_text(engine: Engine, provider_id: str, name: str) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(
            select(MappingProfileRow.text).where(
                MappingProfileRow.provider_id == provider_id, MappingProfileRow.name == name
            )
        )


@functools.lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return create_catalogue_engine(url)


@dataclass(frozen=True)
class RegisteredProfiles:
    """A registered profile's text by (provider, name), from the catalogue at `url`: a URL
    rather than an engine so that it pickles into a normaliser worker process."""

    url: str

    def __call__(self, provider_id: str, name: str) -> str | None:
        return registered_text(_engine_for(self.url), provider_id, name)
