"""Dependencies: the pipeline objects built once in the lifespan, API-key checking, rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request

from assistant.auth import Principal, StaffDirectory, TokenSigner
from assistant.config import Settings
from assistant.engine import Assistant
from assistant.errors import Forbidden, RateLimited, ServiceUnavailable, Unauthorized
from knowledge.catalog import Catalog


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_assistant(request: Request) -> Assistant:
    bot = getattr(request.app.state, "assistant", None)
    if bot is None:
        raise ServiceUnavailable("the assistant is not ready: the guide index or the conversation database could not "
                                 "be opened (see the server log)")
    return bot


def get_catalog(request: Request) -> Catalog:
    """The one-thing catalogue: the pipeline's, or the one loaded from the guide files when the
    index (chroma) is down, so 导 (browsing the bundles) keeps working while answers are 503."""
    bot = getattr(request.app.state, "assistant", None)
    if bot is not None:
        return bot.catalog
    catalog = getattr(request.app.state, "catalog", None)
    if catalog is None:
        raise ServiceUnavailable("the catalogue is not ready: the guide files could not be loaded (see server log)")
    return catalog


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def client_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    key = request.headers.get("x-api-key") or (auth[7:] if auth.lower().startswith("bearer ") else "")
    return key.strip()


def require_api_key(request: Request, settings: Annotated[Settings, Depends(get_settings_dep)]) -> str | None:
    """App clients present a key (Authorization: Bearer or X-API-Key); keys are stored hashed."""
    if not settings.api_keys:
        return None
    key = client_key(request)
    if not key:
        raise Unauthorized("this endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key'")
    digest = hash_key(key)
    if not any(hmac.compare_digest(digest, h.lower()) for h in settings.api_keys):
        raise Unauthorized("the API key is not valid")
    return digest[:12]


class RateLimiter:
    """Sliding one-minute window per client, in process (per worker; put a gateway in front for more)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._hits[client]
            while q and now - q[0] > 60:
                q.popleft()
            if len(q) >= self.per_minute:
                raise RateLimited(f"more than {self.per_minute} requests a minute from this client; try again shortly")
            q.append(now)


def rate_limit(request: Request, key_id: Annotated[str | None, Depends(require_api_key)]) -> None:
    client = key_id or (request.client.host if request.client else "unknown")
    request.app.state.rate_limiter.check(client)


def login_rate_limit(request: Request) -> None:
    """Sign-in attempts per client address, on a budget of their own (YJS_LOGIN_ATTEMPTS_PER_MINUTE)."""
    limiter = getattr(request.app.state, "login_limiter", None) or request.app.state.rate_limiter
    limiter.check("login:" + (request.client.host if request.client else "unknown"))


def get_signer(request: Request) -> TokenSigner:
    return request.app.state.signer


def get_staff_directory(request: Request) -> StaffDirectory:
    return request.app.state.staff_directory


def bearer_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.cookies.get("yjs_session", "")
    if not token:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' from /v1/auth/...")
    return token


def current_principal(request: Request, signer: Annotated[TokenSigner, Depends(get_signer)]) -> Principal:
    return signer.verify(bearer_token(request))


def current_citizen(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """A citizen, or a clerk acting for one under the citizen's consent code (帮办代办)."""
    if principal.kind != "citizen":
        raise Forbidden("this needs a citizen sign-in (a clerk acts for a citizen with their consent code)")
    return principal


def current_staff(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.kind != "staff":
        raise Forbidden("this needs a staff sign-in")
    return principal


def user_rate_limit(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> None:
    request.app.state.rate_limiter.check(principal.actor)


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SignerDep = Annotated[TokenSigner, Depends(get_signer)]
StaffDirectoryDep = Annotated[StaffDirectory, Depends(get_staff_directory)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
CitizenDep = Annotated[Principal, Depends(current_citizen)]
StaffDep = Annotated[Principal, Depends(current_staff)]
Guarded = [Depends(rate_limit)]
UserGuarded = [Depends(user_rate_limit)]
LoginGuarded = [Depends(login_rate_limit)]
