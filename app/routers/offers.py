"""免申办: the proactive-offers HTTP API under /v1/offers — thin routes over `PrefillService`.

A citizen turns on the standing opt-in (主动服务授权), sees the offers the matcher found ("why you
are eligible" and the legal basis with each), opens, accepts (→ a pre-filled draft at the review
step; the citizen still confirms and submits through /v1/prefill) or declines with a reason. Staff
see the counts per bundle and may run the matcher. A citizen asking for someone else's offer gets 404.

Routes (one per line; tests/prefill/test_offers_api.py checks this table against the real routes):
  GET   /v1/offers                       my offers
  GET   /v1/offers/opt-in                my standing opt-in (主动服务授权) and what it lets matching read
  POST  /v1/offers/opt-in                grant the standing opt-in (the citizen themself)
  POST  /v1/offers/opt-in/withdraw       withdraw it: matching stops using my data
  GET   /v1/offers/stats                 staff: offers sent, opened, accepted, declined (and granted) per bundle
  POST  /v1/offers/run                   staff: run the matcher over the life-events feed
  GET   /v1/offers/{offer_id}            one offer (the first look marks it opened)
  POST  /v1/offers/{offer_id}/accept     accept: a pre-filled draft, opened at the review step
  POST  /v1/offers/{offer_id}/decline    decline, with a reason (also declines a 免申即享 grant)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from app.deps import CitizenDep, PrefillDep, StaffDep, UserGuarded
from app.models import ErrorOut
from core.errors import InvalidInput
from prefill.models import MatchReport, OfferAccepted, OfferStats, OfferView, OptInStatus

router = APIRouter(prefix="/v1/offers", tags=["offers"], responses={
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut},
    422: {"model": ErrorOut}, 429: {"model": ErrorOut}, 503: {"model": ErrorOut}})

OfferId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]
MAX_RUN_DAYS = 366 * 20


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeclineIn(_In):
    reason: str = Field("", max_length=500, description="Why (optional); kept with the offer and audited.")


class RunIn(_In):
    since: dt.date | None = Field(None, description="First day of events to match; default 30 days ago.")
    until: dt.date | None = Field(None, description="Last day; default 90 days ahead (retirement is announced early).")


@router.get("", response_model=list[OfferView], dependencies=UserGuarded, summary="My proactive offers")
def my_offers(who: CitizenDep, svc: PrefillDep) -> list[OfferView]:
    return svc.my_offers(who)


@router.get("/opt-in", response_model=OptInStatus, dependencies=UserGuarded, summary="My standing opt-in")
def opt_in_status(who: CitizenDep, svc: PrefillDep) -> OptInStatus:
    return svc.proactive_status(who)


@router.post("/opt-in", response_model=OptInStatus, dependencies=UserGuarded,
             summary="Grant the standing opt-in to proactive matching (主动服务授权)")
def grant_opt_in(who: CitizenDep, svc: PrefillDep) -> OptInStatus:
    return svc.set_proactive(who, True)


@router.post("/opt-in/withdraw", response_model=OptInStatus, dependencies=UserGuarded,
             summary="Withdraw the standing opt-in")
def withdraw_opt_in(who: CitizenDep, svc: PrefillDep) -> OptInStatus:
    return svc.set_proactive(who, False)


@router.get("/stats", response_model=OfferStats, dependencies=UserGuarded, summary="Staff: offer counts per bundle")
def stats(who: StaffDep, svc: PrefillDep) -> OfferStats:
    return svc.offer_stats(who)


@router.post("/run", response_model=MatchReport, dependencies=UserGuarded,
             summary="Staff: match the life events of a period against the eligibility rules")
def run(req: RunIn, who: StaffDep, svc: PrefillDep) -> MatchReport:
    today = dt.date.today()
    since = req.since or today - dt.timedelta(days=30)
    until = req.until or today + dt.timedelta(days=90)
    if since > until or (until - since).days > MAX_RUN_DAYS:
        raise InvalidInput("since/until: give a period of at most 20 years with since before until", field="since")
    return svc.run_offers(since, until, actor=who.actor)


@router.get("/{offer_id}", response_model=OfferView, dependencies=UserGuarded, summary="One offer (marks it opened)")
def open_offer(offer_id: OfferId, who: CitizenDep, svc: PrefillDep) -> OfferView:
    return svc.open_offer(who, offer_id)


@router.post("/{offer_id}/accept", response_model=OfferAccepted, dependencies=UserGuarded,
             summary="Accept: start the application pre-filled from the consented sources, at the review step")
def accept(offer_id: OfferId, who: CitizenDep, svc: PrefillDep) -> OfferAccepted:
    return svc.accept_offer(who, offer_id)


@router.post("/{offer_id}/decline", response_model=OfferView, dependencies=UserGuarded, summary="Decline, with a reason")
def decline(offer_id: OfferId, req: DeclineIn, who: CitizenDep, svc: PrefillDep) -> OfferView:
    return svc.decline_offer(who, offer_id, req.reason)
