"""Who is calling: API keys from `Authorization: Bearer <key>` (or `X-API-Key`), and the
checks every non-public route makes with them."""

from __future__ import annotations

from fastapi import Request

from catalogue.accounts import ApiKey, InvalidKey, KeyStore, Role


class AuthError(Exception):
    """401 (no usable key) or 403 (a good key, not allowed here). The message says which
    and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise AuthError(401, "the Authorization header must be 'Bearer <API key>'")
    return request.headers.get("x-api-key") or None


def authenticate(request: Request, keys: KeyStore) -> ApiKey:
    secret = presented_key(request)
    if not secret:
        raise AuthError(401, "this route needs an API key: send 'Authorization: Bearer <key>'")
    try:
        return keys.authenticate(secret)
    except InvalidKey as exc:
        raise AuthError(401, str(exc)) from None


def require_provider_access(key: ApiKey, provider_id: str) -> None:
    """A provider key acts for its own provider only; an admin key for any."""
    if key.can_act_for(provider_id):
        return
    if key.role is Role.PROVIDER:
        raise AuthError(403, f"this key acts for provider {key.provider_id!r}, not {provider_id!r}")
    raise AuthError(
        403, f"a {key.role.value} key cannot publish for a provider; use the provider's own key"
    )


def require_role(key: ApiKey, *roles: Role) -> None:
    if key.role is Role.ADMIN or key.role in roles:
        return
    raise AuthError(
        403,
        f"a {key.role.value} key cannot use this route; it needs a "
        f"{' or '.join(r.value for r in roles)} key",
    )
