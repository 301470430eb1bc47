"""Dependencies: the pipeline objects built once in the lifespan, API-key checking, rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.services import Services
from assistant.engine import Assistant
from core.errors import Forbidden, NotFound, Unauthorized
from core.identity import Principal, SessionIds, TokenSigner
from core.settings import Settings
from knowledge.catalog import Catalog
from prefill.service import PrefillService

log = logging.getLogger(__name__)


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings_dep(request: Request) -> Settings:
    return get_services(request).settings


def get_assistant(request: Request) -> Assistant:
    return get_services(request).require_assistant()


def get_catalog(request: Request) -> Catalog:
    """The one-thing catalogue: the pipeline's, or the one loaded from the guide files when the
    index (chroma) is down, so 导 (browsing the bundles) keeps working while answers are 503."""
    return get_services(request).catalog


def get_prefill(request: Request) -> PrefillService:
    return get_services(request).require_prefill()


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


# --- request budgets -----------------------------------------------------------------------------
# Three budgets, each keyed its own way. The `RateLimitGate` middleware (app/rate_gate.py) charges
# the budget a route declares (by depending on `rate_limit`, `user_rate_limit` or `login_rate_limit`)
# before anything reads the request body; the dependencies charge it themselves only where no gate
# ran (an app built without it), so a request is counted once either way.
GATE_CHARGED = "yjs.rate_charged"  # set in the ASGI scope by the gate


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _api_client(request: Request, services: Services) -> str:
    """An app client: its API key's id when it sent a valid one, else its address (a missing or wrong
    key is refused with 401 by `require_api_key`, after its address has paid for the try)."""
    key = client_key(request)
    if services.settings.api_keys and key:
        digest = hash_key(key)
        if any(hmac.compare_digest(digest, h.lower()) for h in services.settings.api_keys):
            return digest[:12]
    return _peer(request)


def _user(request: Request, services: Services) -> str:
    """A signed-in user, wherever they come from; an unsigned caller (answered 401) by address."""
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    try:
        return services.signer.verify(token).actor if token else _peer(request)
    except Unauthorized:
        return _peer(request)


def charge(request: Request, budget: str) -> None:
    """Count the request against its `budget` ("api", "user" or "login"); `RateLimited` when spent."""
    services = get_services(request)
    if budget == "login":
        services.login_limiter.check("login:" + _peer(request))
    elif budget == "user":
        services.rate_limiter.check(_user(request, services))
    else:
        services.rate_limiter.check(_api_client(request, services))
    request.scope[GATE_CHARGED] = True


def rate_limit(request: Request, key_id: Annotated[str | None, Depends(require_api_key)]) -> None:
    """Per app client (API key, else address): YJS_RATE_LIMIT_PER_MINUTE."""
    if not request.scope.get(GATE_CHARGED):
        charge(request, "api")


def login_rate_limit(request: Request) -> None:
    """Sign-in attempts per client address, on a budget of their own (YJS_LOGIN_ATTEMPTS_PER_MINUTE)."""
    if not request.scope.get(GATE_CHARGED):
        charge(request, "login")


@dataclass(frozen=True)
class SessionRef:
    """One conversation as the API sees it: the signed id the citizen's client holds, and the id the
    conversation is stored under (what the engine, the store and staff use)."""

    session_id: str
    conversation_id: str


@dataclass(frozen=True)
class ClientSessions:
    """The conversation ids of the calling client (see `core.identity.SessionIds`): an id continues a
    conversation only when this server issued it to this client."""

    ids: SessionIds
    client: str | None

    def _ref(self, session_id: str) -> SessionRef:
        return SessionRef(session_id, self.ids.conversation_id(session_id))

    def resume_or_new(self, session_id: str | None) -> SessionRef:
        """The conversation to answer in: the caller's own, or a fresh one (a caller-chosen, forged or
        another client's id starts a new conversation; it never opens the one it names)."""
        if session_id is not None and self.ids.check(session_id, self.client):
            return self._ref(session_id)
        if session_id is not None:
            log.info("a session_id this server did not issue to the caller: starting a new conversation")
        return self._ref(self.ids.issue(self.client))

    def require(self, session_id: str | None) -> SessionRef:
        """The caller's own conversation, else 404 (the same answer as for one that does not exist)."""
        if not self.ids.check(session_id, self.client):
            raise NotFound("no such session: use the session_id that POST /v1/answer returned to you")
        return self._ref(session_id)


def client_sessions(request: Request, key_id: Annotated[str | None, Depends(require_api_key)]) -> ClientSessions:
    return ClientSessions(get_services(request).session_ids, key_id)


def get_signer(request: Request) -> TokenSigner:
    return get_services(request).signer


def bearer_token(request: Request) -> str:
    """The token from the Authorization header, and only from there. Never from a cookie: a browser
    sends cookies with requests other sites make it send, so a cookie-authenticated POST would be
    open to cross-site request forgery (the web UI calls the services in-process and needs none)."""
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
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
    """Per signed-in user, from any address: YJS_RATE_LIMIT_PER_MINUTE."""
    if not request.scope.get(GATE_CHARGED):
        charge(request, "user")


BUDGETS = {rate_limit: "api", user_rate_limit: "user", login_rate_limit: "login"}


ServicesDep = Annotated[Services, Depends(get_services)]
PrefillDep = Annotated[PrefillService, Depends(get_prefill)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SignerDep = Annotated[TokenSigner, Depends(get_signer)]
SessionsDep = Annotated[ClientSessions, Depends(client_sessions)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
CitizenDep = Annotated[Principal, Depends(current_citizen)]
StaffDep = Annotated[Principal, Depends(current_staff)]
Guarded = [Depends(rate_limit)]
UserGuarded = [Depends(user_rate_limit)]
LoginGuarded = [Depends(login_rate_limit)]
