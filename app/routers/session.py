"""Sign-in for help-desk staff: POST /v1/auth/staff-login → a bearer token.

Citizens sign in through the deployment's identity provider; the demo identity (a synthetic
person, development only) is issued by the pre-fill API, which owns the population registry.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.deps import LoginGuarded, SignerDep, StaffDirectoryDep
from app.models import ErrorOut

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
async def staff_login(req: StaffLogin, signer: SignerDep, staff: StaffDirectoryDep) -> TokenOut:
    user = staff.authenticate(req.user, req.password)
    return TokenOut(token=signer.issue("staff", user), kind="staff", subject=user)
