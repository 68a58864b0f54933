"""Dependencies every router uses: the store, the settings, and who is calling.

They are ``async def`` although none of them waits for anything: FastAPI runs a plain ``def`` dependency
in its thread pool, and two thread hops per request cost more than the work itself (a SHA-256 of the
token at most).
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.errors import ApiError
from service.api.settings import ApiSettings
from service.auth import Denied, Principal, Tokens
from service.store import Store

__all__ = ["bearer", "caller", "denied", "settings_of", "store_of"]

bearer = HTTPBearer(auto_error=False, description="A token from `pactline token create`.")


async def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def settings_of(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def denied(exc: Denied) -> ApiError:
    if exc.code == "unauthenticated":
        return ApiError(401, exc.message, code="unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    return ApiError(403, exc.message, code="forbidden")


async def caller(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    """The caller's principal; 401 without a valid token (when tokens are configured)."""
    tokens: Tokens = request.app.state.tokens
    try:
        return tokens.authenticate(credentials.credentials if credentials else None)
    except Denied as exc:
        raise denied(exc) from None
