"""承诺办: a draft's materials, 暂缺 with a generated commitment (容缺待补), later supply (an upload, or the
person's own e-licence where the guide names one); staff see open commitments. Thin routes over
`PrefillService`; another citizen's draft is 404.

Routes (one per line; tests/prefill/test_commitments.py checks this table against the real routes):
  GET   /v1/prefill/drafts/{draft_id}/materials            the materials checklist with each one's status
  POST  /v1/prefill/drafts/{draft_id}/materials/missing    暂缺: a commitment if tolerable, else it blocks submission
  POST  /v1/prefill/drafts/{draft_id}/materials/supply     hand in a material (upload), also after submission
  POST  /v1/prefill/drafts/{draft_id}/materials/from-licence  hand it in from the person's own e-licence (consent)
  GET   /v1/prefill/commitments                            staff: open commitments (容缺待补), ?overdue=true
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from app.deps import CitizenDep, PrefillDep, StaffDep, UserGuarded
from app.models import ErrorOut
from core.errors import InvalidInput
from prefill.commitments import MAX_UPLOAD
from prefill.models import MaterialsView, PendingCommitment

router = APIRouter(prefix="/v1/prefill", tags=["prefill"], responses={
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut},
    422: {"model": ErrorOut}, 429: {"model": ErrorOut}, 503: {"model": ErrorOut}})

DraftId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


class MissingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    material: str = Field(..., min_length=1, max_length=120, description="The material's name as the checklist gives it.")


@router.get("/drafts/{draft_id}/materials", response_model=MaterialsView, dependencies=UserGuarded,
            summary="Materials checklist: shared data, to provide, 容缺待补, supplied")
def materials(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> MaterialsView:
    return svc.materials(who, draft_id)


@router.post("/drafts/{draft_id}/materials/missing", response_model=MaterialsView, dependencies=UserGuarded,
             summary="暂缺: sign the commitment for a tolerable material; any other blocks submission")
def missing(draft_id: DraftId, req: MissingIn, who: CitizenDep, svc: PrefillDep) -> MaterialsView:
    return svc.mark_material_missing(who, draft_id, req.material)


@router.post("/drafts/{draft_id}/materials/supply", response_model=MaterialsView, dependencies=UserGuarded,
             summary="Hand in a material (closes 容缺待补)")
async def supply(draft_id: DraftId, who: CitizenDep, svc: PrefillDep,
                 material: Annotated[str, Form(min_length=1, max_length=120)],
                 file: Annotated[UploadFile, File(description="The material, at most 8 MB")]) -> MaterialsView:
    from fastapi.concurrency import run_in_threadpool

    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("file: larger than 8 MB", field="file")
    return await run_in_threadpool(svc.supply_material, who, draft_id, material, data)


class FromLicenceIn(MissingIn):
    consent: bool = Field(..., description="true: the person agrees that their own licence of the kind the "
                          "checklist names (`licence`) is read from the 电子证照库 (number, issue date, issuer), "
                          "for supplying this material only. false: nothing is read (403 consent_required).")


@router.post("/drafts/{draft_id}/materials/from-licence", response_model=MaterialsView, dependencies=UserGuarded,
             summary="Hand in a material from the person's own e-licence (closes 容缺待补)",
             description="For a material whose checklist item names a `licence` kind. 409 `licence_not_found`: the "
                         "电子证照库 holds no such licence for the person yet (upload it instead; nothing else "
                         "changes); 422: the material cannot come from a licence.")
def from_licence(draft_id: DraftId, req: FromLicenceIn, who: CitizenDep, svc: PrefillDep) -> MaterialsView:
    return svc.supply_material_from_licence(who, draft_id, req.material, consent=req.consent)


@router.get("/commitments", response_model=list[PendingCommitment], dependencies=UserGuarded,
            summary="Staff: open commitments (容缺待补), oldest due first")
def commitments(who: StaffDep, svc: PrefillDep,
                overdue: Annotated[bool, Query(description="only the overdue ones")] = False) -> list[PendingCommitment]:
    return svc.pending_commitments(who, overdue_only=overdue)
