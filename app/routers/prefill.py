"""办: the pre-fill HTTP API under /v1/prefill — thin routes over `PrefillService`.

Citizens send ``Authorization: Bearer <token>`` (demo sign-in below, development only); a clerk
acting for a citizen uses the citizen token obtained by redeeming the citizen's consent code.
Errors use the app's one JSON shape; a citizen asking for someone else's draft, submission or log
gets 404. If the pre-fill service could not start (or a data source is down) the answer is 503.

Routes (one per line; tests/app/test_route_docs.py checks this table against the real routes):
  GET   /v1/prefill/demo-people                                   synthetic identities (masked; development only)
  POST  /v1/prefill/demo-login                                    {"person_id"} → citizen token (development only)
  GET   /v1/prefill/forms                                         merged-form schemas
  GET   /v1/prefill/forms/{one_thing_id}                          one merged-form schema
  POST  /v1/prefill/drafts                                        start: returns the draft and its consent request
  GET   /v1/prefill/drafts                                        my drafts
  GET   /v1/prefill/drafts/{draft_id}                             one draft (values masked)
  GET   /v1/prefill/drafts/{draft_id}/consent                     the consent request
  POST  /v1/prefill/drafts/{draft_id}/consent                     grant or refuse one source
  POST  /v1/prefill/drafts/{draft_id}/consent/grant-all           grant every source you decide
  POST  /v1/prefill/drafts/{draft_id}/prefill                     fill from granted sources
  PUT   /v1/prefill/drafts/{draft_id}/fields/{key}                edit one field
  PATCH /v1/prefill/drafts/{draft_id}/fields                      edit several fields
  POST  /v1/prefill/drafts/{draft_id}/fields/{key}/report-error   纠错 for a read-only registry value
  POST  /v1/prefill/drafts/{draft_id}/fields/{key}/ocr            read a missing field from a certificate photo (OCR)
  POST  /v1/prefill/drafts/{draft_id}/fields/{key}/accept-ocr     confirm an OCR value
  GET   /v1/prefill/drafts/{draft_id}/history                     edits (old → new)
  GET   /v1/prefill/drafts/{draft_id}/review                      review grouped by section and department
  POST  /v1/prefill/drafts/{draft_id}/confirm                     the citizen confirms the content
  POST  /v1/prefill/drafts/{draft_id}/reopen                      withdraw the confirmation to edit again
  POST  /v1/prefill/drafts/{draft_id}/submit                      submit and fan out to each department
  GET   /v1/prefill/drafts/{draft_id}/document                    ?format=docx|pdf&copy=citizen|<department>
  GET   /v1/prefill/approvals                                     family members' pending approvals
  POST  /v1/prefill/approvals/{draft_id}/{source}                 a family member approves their own data
  GET   /v1/prefill/submissions                                   查: my submissions
  GET   /v1/prefill/submissions/{tracking_no}                     查: per-department status
  POST  /v1/prefill/submissions/{tracking_no}/status              staff: advance a department's status
  GET   /v1/prefill/submissions/{tracking_no}/payload             staff: a department's full payload (?department=)
  GET   /v1/prefill/me/access-log                                 who used my data, when, for what
  POST  /v1/prefill/consent-codes                                 帮办代办 code: the citizen issues one
  POST  /v1/prefill/consent-codes/redeem                          帮办代办 code: staff redeem it
  GET   /v1/prefill/audit/verify                                  staff: verify the audit hash chain
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.deps import (
    CitizenDep,
    Guarded,
    PrefillDep,
    PrincipalDep,
    SettingsDep,
    SignerDep,
    StaffDep,
    UserGuarded,
)
from app.models import ErrorOut
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity import demo_login_allowed
from core.status import DepartmentStatusName
from prefill.audit import ChainReport
from prefill.forms import MergedForm
from prefill.models import (
    AccessLogEntry,
    ConsentCode,
    ConsentRequest,
    CorrectionReport,
    DemoPeople,
    DepartmentPayload,
    DraftSummary,
    DraftView,
    EditRecord,
    FormSummary,
    PendingApproval,
    ReviewSummary,
    StatusChange,
    SubmissionView,
)

log = logging.getLogger(__name__)

SourceName = Literal["population", "e_licence", "social_insurance", "housing_fund", "enterprise", "real_estate"]
Scalar = str | int | float | bool | None
MAX_UPLOAD = 8 * 1024 * 1024

router = APIRouter(prefix="/v1/prefill", tags=["prefill"], responses={
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut},
    422: {"model": ErrorOut}, 429: {"model": ErrorOut}, 503: {"model": ErrorOut}})


DraftId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]
FieldKey = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
TrackingNo = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DemoLogin(_In):
    person_id: str = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")


class TokenOut(BaseModel):
    token: str
    kind: str
    subject: str
    via_staff: str | None = None


class DraftCreate(_In):
    one_thing_id: str = Field(..., min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    subjects: dict[str, str] | None = Field(None, description="Optional choice of whom a role names, e.g. {\"enterprise\": \"E00003\"}.")


class ConsentDecisionIn(_In):
    source: SourceName
    grant: bool


class ApprovalIn(_In):
    grant: bool


class FieldEdit(_In):
    value: Scalar = Field(..., description="The new value; null or empty clears an optional field.")


class FieldsEdit(_In):
    values: dict[str, Scalar] = Field(..., min_length=1, max_length=200)


class ErrorReportIn(_In):
    note: str = Field(..., min_length=1, max_length=500)


class CodeRedeemIn(_In):
    code: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$")


class StatusIn(_In):
    department: str = Field(..., min_length=1, max_length=120)
    status: DepartmentStatusName
    note: str = Field("", max_length=500)


# --- demo identity, forms -----------------------------------------------------------------------
def _demo_allowed(settings) -> None:
    if not demo_login_allowed(settings):
        raise Forbidden("demo sign-in is disabled here (YJS_DEMO_LOGIN=false or production)")


@router.get("/demo-people", response_model=DemoPeople, dependencies=Guarded, summary="Synthetic demo identities (masked)")
def demo_people(svc: PrefillDep, settings: SettingsDep) -> DemoPeople:
    _demo_allowed(settings)
    return svc.demo_people()


@router.post("/demo-login", response_model=TokenOut, dependencies=Guarded, summary="Sign in as a synthetic person (development)")
def demo_login(req: DemoLogin, svc: PrefillDep, settings: SettingsDep, signer: SignerDep) -> TokenOut:
    _demo_allowed(settings)
    if not svc.demo_person_exists(req.person_id):
        raise NotFound("no such demo person; pick one from GET /v1/prefill/demo-people")
    return TokenOut(token=signer.issue("citizen", req.person_id), kind="citizen", subject=req.person_id)


@router.get("/forms", response_model=list[FormSummary], dependencies=Guarded, summary="Merged forms, one per one-thing")
def forms(svc: PrefillDep) -> list[FormSummary]:
    return svc.forms()


@router.get("/forms/{one_thing_id}", response_model=MergedForm, dependencies=Guarded, summary="One merged-form schema")
def form(one_thing_id: Annotated[str, Path(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")], svc: PrefillDep) -> MergedForm:
    return svc.form(one_thing_id)


# --- drafts ---------------------------------------------------------------------------------------
@router.post("/drafts", response_model=DraftView, status_code=201, dependencies=UserGuarded,
             summary="Start an application; returns its consent request")
def start_draft(req: DraftCreate, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.start_draft(who, req.one_thing_id, req.subjects)


@router.get("/drafts", response_model=list[DraftSummary], dependencies=UserGuarded, summary="My applications")
def my_drafts(who: CitizenDep, svc: PrefillDep) -> list[DraftSummary]:
    return svc.my_drafts(who)


@router.get("/drafts/{draft_id}", response_model=DraftView, dependencies=UserGuarded, summary="One application (masked)")
def get_draft(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.draft(who, draft_id)


@router.get("/drafts/{draft_id}/consent", response_model=ConsentRequest, dependencies=UserGuarded,
            summary="Which sources, fields, purpose and receiving departments")
def get_consent(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> ConsentRequest:
    return svc.consent_request(who, draft_id)


@router.post("/drafts/{draft_id}/consent", response_model=ConsentRequest, dependencies=UserGuarded,
             summary="Grant or refuse one source")
def decide_consent(draft_id: DraftId, req: ConsentDecisionIn, who: CitizenDep, svc: PrefillDep) -> ConsentRequest:
    return svc.decide_consent(who, draft_id, req.source, req.grant)


@router.post("/drafts/{draft_id}/consent/grant-all", response_model=ConsentRequest, dependencies=UserGuarded,
             summary="Grant every source you decide")
def grant_all(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> ConsentRequest:
    return svc.grant_all(who, draft_id)


@router.post("/drafts/{draft_id}/prefill", response_model=DraftView, dependencies=UserGuarded,
             summary="Fill from granted sources, with provenance")
def prefill(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.prefill(who, draft_id)


@router.put("/drafts/{draft_id}/fields/{key}", response_model=DraftView, dependencies=UserGuarded, summary="Edit one field")
def edit_field(draft_id: DraftId, key: FieldKey, req: FieldEdit, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.edit(who, draft_id, key, req.value)


@router.patch("/drafts/{draft_id}/fields", response_model=DraftView, dependencies=UserGuarded,
              summary="Edit several fields (all or nothing)")
def edit_fields(draft_id: DraftId, req: FieldsEdit, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.edit_many(who, draft_id, req.values)


@router.post("/drafts/{draft_id}/fields/{key}/report-error", response_model=CorrectionReport, dependencies=UserGuarded,
             summary="纠错: report a wrong registry value")
def report_error(draft_id: DraftId, key: FieldKey, req: ErrorReportIn, who: CitizenDep, svc: PrefillDep) -> CorrectionReport:
    return svc.report_error(who, draft_id, key, req.note)


@router.post("/drafts/{draft_id}/fields/{key}/ocr", response_model=DraftView, dependencies=UserGuarded,
             summary="Read a missing field from a certificate photo (offline OCR; always needs confirmation)")
async def ocr_field(draft_id: DraftId, key: FieldKey, who: CitizenDep, svc: PrefillDep,
                    image: Annotated[UploadFile, File(description="PNG or JPEG, at most 8 MB")]) -> DraftView:
    from fastapi.concurrency import run_in_threadpool

    data = await image.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("image: larger than 8 MB", field="image")
    return await run_in_threadpool(svc.ocr_field, who, draft_id, key, data)


@router.post("/drafts/{draft_id}/fields/{key}/accept-ocr", response_model=DraftView, dependencies=UserGuarded,
             summary="Confirm a value read by OCR")
def accept_ocr(draft_id: DraftId, key: FieldKey, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.accept_ocr(who, draft_id, key)


@router.get("/drafts/{draft_id}/history", response_model=list[EditRecord], dependencies=UserGuarded,
            summary="Edits with old and new values (masked), who and when")
def history(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> list[EditRecord]:
    return svc.history(who, draft_id)


@router.get("/drafts/{draft_id}/review", response_model=ReviewSummary, dependencies=UserGuarded,
            summary="Review grouped by section and by department, with 修改 targets")
def review(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> ReviewSummary:
    return svc.review(who, draft_id)


@router.post("/drafts/{draft_id}/confirm", response_model=DraftView, dependencies=UserGuarded,
             summary="Confirm the reviewed values (locks them)")
def confirm(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.confirm(who, draft_id)


@router.post("/drafts/{draft_id}/reopen", response_model=DraftView, dependencies=UserGuarded,
             summary="Withdraw the confirmation before submitting")
def reopen(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> DraftView:
    return svc.reopen(who, draft_id)


@router.post("/drafts/{draft_id}/submit", response_model=SubmissionView, dependencies=UserGuarded,
             summary="Submit: fan out one payload per department; 409 before confirmation")
def submit(draft_id: DraftId, who: CitizenDep, svc: PrefillDep) -> SubmissionView:
    return svc.submit(who, draft_id)


@router.get("/drafts/{draft_id}/document", dependencies=UserGuarded, summary="Printable form (DOCX; PDF if a CJK font exists)",
            response_class=Response, responses={200: {"content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}, "application/pdf": {}}}})
def document(draft_id: DraftId, who: CitizenDep, svc: PrefillDep,
             format: Annotated[Literal["docx", "pdf"], Query()] = "docx",
             copy: Annotated[str, Query(max_length=120)] = "citizen") -> Response:
    doc = svc.document(who, draft_id, format, copy)
    return Response(doc.content, media_type=doc.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{doc.filename}"'})


# --- family approvals -----------------------------------------------------------------------------
@router.get("/approvals", response_model=list[PendingApproval], dependencies=UserGuarded,
            summary="Requests to use my own data in someone else's application")
def approvals(who: CitizenDep, svc: PrefillDep) -> list[PendingApproval]:
    return svc.pending_approvals(who)


@router.post("/approvals/{draft_id}/{source}", response_model=list[PendingApproval], dependencies=UserGuarded,
             summary="Grant or refuse use of my own data")
def approve(draft_id: DraftId, source: SourceName, req: ApprovalIn, who: CitizenDep, svc: PrefillDep) -> list[PendingApproval]:
    return svc.approve(who, draft_id, source, req.grant)


# --- submissions, tracking ---------------------------------------------------------------------------
@router.get("/submissions", response_model=list[SubmissionView], dependencies=UserGuarded, summary="My submissions")
def my_submissions(who: CitizenDep, svc: PrefillDep) -> list[SubmissionView]:
    return svc.my_submissions(who)


@router.get("/submissions/{tracking_no}", response_model=SubmissionView, dependencies=UserGuarded,
            summary="查: per-department status")
def track(tracking_no: TrackingNo, who: PrincipalDep, svc: PrefillDep) -> SubmissionView:
    return svc.track(who, tracking_no)


@router.post("/submissions/{tracking_no}/status", response_model=StatusChange, dependencies=UserGuarded,
             summary="Staff: advance one department's status")
def update_status(tracking_no: TrackingNo, req: StatusIn, who: StaffDep, svc: PrefillDep) -> StatusChange:
    return svc.update_status(who, tracking_no, req.department, req.status, req.note)


@router.get("/submissions/{tracking_no}/payload", response_model=DepartmentPayload, dependencies=UserGuarded,
            summary="Staff: one department's payload (only its fields, in full; audited)")
def payload(tracking_no: TrackingNo, who: StaffDep, svc: PrefillDep,
            department: Annotated[str, Query(min_length=1, max_length=120)]) -> DepartmentPayload:
    return svc.department_payload(who, tracking_no, department)


# --- access log, consent codes, audit -----------------------------------------------------------------
@router.get("/me/access-log", response_model=list[AccessLogEntry], dependencies=UserGuarded,
            summary="Who used my data, when, which fields, for what")
def access_log(who: CitizenDep, svc: PrefillDep,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AccessLogEntry]:
    return svc.my_access_log(who, limit)


@router.post("/consent-codes", response_model=ConsentCode, dependencies=UserGuarded,
             summary="Issue a 6-digit, 10-minute, single-use code for a clerk (帮办代办)")
def issue_code(who: CitizenDep, svc: PrefillDep) -> ConsentCode:
    return svc.issue_consent_code(who)


@router.post("/consent-codes/redeem", response_model=TokenOut, dependencies=UserGuarded,
             summary="Staff: redeem a citizen's code for a token acting for them")
def redeem_code(req: CodeRedeemIn, who: StaffDep, svc: PrefillDep, signer: SignerDep) -> TokenOut:
    person = svc.redeem_consent_code(who, req.code)
    return TokenOut(token=signer.issue("citizen", person, via_staff=who.subject), kind="citizen", subject=person,
                    via_staff=who.subject)


@router.get("/audit/verify", response_model=ChainReport, dependencies=UserGuarded, summary="Staff: verify the audit chain")
def verify_audit(who: StaffDep, svc: PrefillDep) -> ChainReport:
    return svc.verify_audit()
