"""API keys for providers, agencies and admins: made, checked, listed and revoked.

A key looks like `mck_<prefix>_<secret>`. The prefix finds the row; only a sha256 of the
secret is stored, so a leaked database gives no working key. The secret is 256 random bits,
which is why a plain hash (not a slow password hash) is the right tool: there is nothing
to guess. The whole key is returned once, by `create`, and never again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from catalogue.errors import InvalidRequest, NotFound
from catalogue.models import ApiKeyRow
from catalogue.store import Catalogue, as_utc, utcnow

KEY_SCHEME = "mck"
_PREFIX_BYTES = 4  # 8 hex characters: never an "_", which separates the parts
_SECRET_BYTES = 32


class Role(StrEnum):
    PROVIDER = "provider"  # publishes one provider's offerings
    AGENCY = "agency"  # reads aggregates and exports across the catalogue
    ADMIN = "admin"  # everything, on every provider


class InvalidKey(Exception):
    """The presented key is unknown, malformed, revoked or expired. The message says which,
    without saying anything about keys the caller does not hold."""


@dataclass(frozen=True)
class ApiKey:
    id: int
    prefix: str
    role: Role
    provider_id: str | None
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def can_act_for(self, provider_id: str) -> bool:
        return self.role is Role.ADMIN or (
            self.role is Role.PROVIDER and self.provider_id == provider_id
        )


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str  # the whole key: shown once


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _key_from_row(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        prefix=row.prefix,
        role=Role(row.role),
        provider_id=row.provider_id,
        label=row.label,
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        revoked_at=as_utc(row.revoked_at),
        last_used_at=as_utc(row.last_used_at),
    )


class KeyStore:
    # Writing last_used_at on every request would make every read a write; once a minute
    # is enough to tell an operator which keys are in use.
    LAST_USED_RESOLUTION = timedelta(minutes=1)

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def create(
        self,
        role: Role | str,
        *,
        provider_id: str | None = None,
        label: str | None = None,
        expires_in: timedelta | None = None,
    ) -> CreatedKey:
        try:
            role = Role(role)
        except ValueError:
            raise InvalidRequest(
                f"role must be one of {', '.join(r.value for r in Role)}, not {role!r}",
                parameter="role",
            ) from None
        if role is Role.PROVIDER:
            if not provider_id:
                raise InvalidRequest(
                    "a provider key needs the provider it acts for (--provider ID)",
                    parameter="provider",
                )
            self.catalogue.provider_row(provider_id)  # NotFound, with a hint
        elif provider_id:
            raise InvalidRequest(
                f"a {role.value} key acts for no single provider; leave out the provider",
                parameter="provider",
            )
        if label is not None and len(label) > 200:
            raise InvalidRequest("a key's label is at most 200 characters", parameter="label")
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidRequest("a key's lifetime must be positive", parameter="expires")
        prefix = secrets.token_hex(_PREFIX_BYTES)
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        now = utcnow()
        with self.catalogue.sessions.begin() as session:
            row = ApiKeyRow(
                prefix=prefix,
                secret_hash=_hash(secret),
                role=role.value,
                provider_id=provider_id,
                label=label,
                created_at=now,
                expires_at=now + expires_in if expires_in else None,
            )
            session.add(row)
            session.flush()
            key = _key_from_row(row)
        return CreatedKey(key=key, secret=f"{KEY_SCHEME}_{prefix}_{secret}")

    def authenticate(self, presented: str) -> ApiKey:
        """The key `presented` stands for, or InvalidKey."""
        scheme, _, rest = presented.strip().partition("_")
        prefix, _, secret = rest.partition("_")
        # The secret may itself hold "_": only the first two separate parts.
        if scheme != KEY_SCHEME or len(prefix) != 8 or not secret:
            raise InvalidKey("the API key is malformed; keys look like mck_XXXXXXXX_...")
        with self.catalogue.sessions() as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)).first()
        # Compare even when the row is missing, so timing does not tell which prefixes exist.
        expected = row.secret_hash if row else _hash("")
        if not hmac.compare_digest(expected, _hash(secret)) or row is None:
            raise InvalidKey("the API key is not valid")
        key = _key_from_row(row)
        now = utcnow()
        if key.revoked_at is not None:
            raise InvalidKey("the API key has been revoked; ask for a new one")
        if key.expires_at is not None and key.expires_at <= now:
            raise InvalidKey(
                f"the API key expired at {key.expires_at.isoformat()}; ask for a new one"
            )
        if key.last_used_at is None or now - key.last_used_at > self.LAST_USED_RESOLUTION:
            with self.catalogue.engine.begin() as conn:
                conn.execute(
                    update(ApiKeyRow).where(ApiKeyRow.id == key.id).values(last_used_at=now)
                )
        return key

    def revoke(self, prefix: str) -> ApiKey:
        now = utcnow()
        with self.catalogue.sessions.begin() as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)).first()
            if row is None:
                raise NotFound(
                    f"no API key with prefix {prefix!r}; `microcred keys list` shows the prefixes"
                )
            if row.revoked_at is None:
                row.revoked_at = now
            session.flush()
            return _key_from_row(row)

    def list(self, *, provider_id: str | None = None) -> list[ApiKey]:
        query = select(ApiKeyRow).order_by(ApiKeyRow.id)
        if provider_id:
            query = query.where(ApiKeyRow.provider_id == provider_id)
        with self.catalogue.sessions() as session:
            return [_key_from_row(row) for row in session.scalars(query)]
