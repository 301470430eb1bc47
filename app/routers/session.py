"""Sign-in: POST /v1/auth/staff-login (help-desk staff) and POST /v1/auth/citizen-assertion → a bearer token.

Citizens sign in through the deployment's 统一身份认证: an external app's backend exchanges the
platform's signed identity assertion for a citizen token (`core.identity.IdentityAssertions`,
configured by YJS_IDP_ASSERTION_KEY / YJS_IDP_ISSUER). The demo identity (a synthetic person,
development only) is issued by the pre-fill API, which owns the population registry.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.deps import Guarded, LoginGuarded, ServicesDep, SignerDep
from app.models import ErrorOut
from core.errors import Forbidden

router = APIRouter(prefix="/v1/auth", tags=["auth"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}})


class StaffLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=256)


class TokenOut(BaseModel):
    token: str
    kind: str
    subject: str


# Rate-limited per client address: every attempt costs a scrypt hash, so an unlimited sign-in would
# let anyone guess passwords (and burn CPU) as fast as they can send. No API key is needed to sign in.
@router.post("/staff-login", response_model=TokenOut, dependencies=LoginGuarded, summary="Staff sign-in (help-desk mode)",
             responses={429: {"model": ErrorOut}})
def staff_login(req: StaffLogin, services: ServicesDep, signer: SignerDep) -> TokenOut:
    """401 for a wrong user name or password; 429 (with Retry-After) when this address has used its
    sign-in budget, or when the account is locked after YJS_STAFF_LOCKOUT_AFTER wrong passwords in a
    row (the lock doubles with each further one, up to YJS_STAFF_LOCKOUT_MAX_S; a success resets it)."""
    user = services.sign_in_staff(req.user, req.password)
    return TokenOut(token=signer.issue("staff", user), kind="staff", subject=user)


class CitizenAssertion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assertion: str = Field(..., min_length=20, max_length=8192, description=(
        "The 统一身份认证 platform's signed assertion for the citizen: a compact JWS (JWT), RS256 or HS256 as "
        "the deployment configures, with iss, aud, sub (the citizen's person id), iat and exp (at most "
        "YJS_IDP_ASSERTION_MAX_AGE_S apart); single-use."))


# The app's backend calls this (with its API key when keys are configured), never the browser with a
# password: the citizen signed in at the identity platform, whose signature is what is trusted here.
@router.post("/citizen-assertion", response_model=TokenOut, dependencies=Guarded,
             summary="Citizen sign-in for an external app, by a signed 统一身份认证 assertion",
             responses={403: {"model": ErrorOut}, 429: {"model": ErrorOut}})
def citizen_assertion(req: CitizenAssertion, services: ServicesDep, signer: SignerDep) -> TokenOut:
    """Exchanges a signed identity assertion for a citizen bearer token (8 hours) for the pre-fill
    API. 401 names what is wrong with the assertion; 403 when this deployment has no identity
    platform configured."""
    if services.identity_assertions is None:
        raise Forbidden("citizen sign-in by assertion is not configured here (set YJS_IDP_ASSERTION_KEY and "
                        "YJS_IDP_ISSUER)")
    who = services.identity_assertions.verify(req.assertion)
    return TokenOut(token=signer.issue("citizen", who.subject), kind="citizen", subject=who.subject)
