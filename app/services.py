"""Everything the app builds once, in one typed object: `Services`.

The FastAPI lifespan fills it (the answer pipeline, the pre-fill service, the catalogue); routes
reach it through `Depends` (app/deps.py) and the web UI holds the object itself, so no caller digs
through ``app.state`` for loosely named attributes. A part that could not start is None, and
asking for it raises the 503 that names what is down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.ratelimit import RateLimiter
from assistant.desk import StaffDesk
from assistant.engine import Assistant
from assistant.signin import StaffLockout
from assistant.state import ConversationStore
from assistant.tickets import TicketModel
from core.errors import ServiceUnavailable
from core.identity import (
    IdentityAssertions,
    SessionIds,
    StaffDirectory,
    TokenSigner,
    demo_clerk_allowed,
    identity_assertions,
    signing_secret,
)
from core.settings import Settings
from knowledge.catalog import Catalog
from prefill.service import PrefillService


@dataclass
class Services:
    settings: Settings
    signer: TokenSigner
    staff_directory: StaffDirectory
    rate_limiter: RateLimiter
    login_limiter: RateLimiter
    session_ids: SessionIds
    identity_assertions: IdentityAssertions | None  # citizens signed in by the deployment's 统一身份认证
    staff_lockout: StaffLockout  # wrong staff passwords per account, in the state database
    assistant: Assistant | None = None
    prefill: PrefillService | None = None
    # The catalogue read from the guide files, kept when the index (chroma) is down so 导 still works.
    fallback_catalog: Catalog | None = None
    ticket_model: TicketModel = field(init=False)

    def __post_init__(self) -> None:
        self.ticket_model = TicketModel(self.settings.resolved_ticket_model_path)

    @classmethod
    def from_settings(cls, settings: Settings, *, assistant: Assistant | None = None,
                      prefill: PrefillService | None = None) -> Services:
        secret = signing_secret(settings)
        return cls(
            settings=settings,
            signer=TokenSigner(secret),
            session_ids=SessionIds(secret),
            identity_assertions=identity_assertions(settings),
            staff_directory=StaffDirectory(settings.staff_accounts, allow_demo=demo_clerk_allowed(settings)),
            rate_limiter=RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_storage_url, "api"),
            login_limiter=RateLimiter(settings.login_attempts_per_minute, settings.rate_limit_storage_url, "login"),
            staff_lockout=StaffLockout(ConversationStore(settings.resolved_database_url),
                                       after=settings.staff_lockout_after, base_s=settings.staff_lockout_base_s,
                                       max_s=max(settings.staff_lockout_max_s, settings.staff_lockout_base_s)),
            assistant=assistant,
            prefill=prefill,
        )

    def sign_in_staff(self, user: str, password: str) -> str:
        """A clerk's password sign-in, under the per-account lockout (both the API and the web UI)."""
        return self.staff_lockout.sign_in(self.staff_directory, user, password)

    def require_assistant(self) -> Assistant:
        if self.assistant is None:
            raise ServiceUnavailable("the assistant is not ready: the guide index or the conversation database could "
                                     "not be opened (see the server log)")
        return self.assistant

    def require_prefill(self) -> PrefillService:
        if self.prefill is None:
            raise ServiceUnavailable("pre-fill service unavailable: the state or shared-data database could not be "
                                     "opened (see the server log; check YJS_DATABASE_URL and YJS_SHARED_DATA_URL)")
        return self.prefill

    @property
    def catalog(self) -> Catalog:
        """The pipeline's catalogue, or the one read from the guide files when the index is down."""
        if self.assistant is not None:
            return self.assistant.catalog
        if self.fallback_catalog is None:
            raise ServiceUnavailable("the catalogue is not ready: the guide files could not be loaded (see server log)")
        return self.fallback_catalog

    def desk(self) -> StaffDesk:
        """The help-desk over the running pipeline; 503 when the pipeline is not up."""
        if self.assistant is None:
            raise ServiceUnavailable("the help-desk is not ready: the assistant pipeline is not loaded (see server log)")
        return StaffDesk(self.assistant, self.ticket_model, prefill=self.prefill)
