"""What the pre-fill service returns: plain pydantic models shared by the API, the CLI and the UI.

Personal identifiers appear masked (``display``); full values leave the service only in the
department payloads (`DepartmentPayload`) and the department copies of the printable document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

FieldState = Literal["authoritative", "prefilled", "edited", "entered", "ocr", "to_be_entered"]
ConsentStatus = Literal["pending", "granted", "refused", "awaiting_other", "unresolved"]
DraftStatus = Literal["open", "confirmed", "submitted"]

STATE_LABELS: dict[str, str] = {
    "authoritative": "权威数据（只读，可纠错）", "prefilled": "已预填（可修改）", "edited": "已修改",
    "entered": "本人填写", "ocr": "识别结果（待确认）", "to_be_entered": "待填写",
}
PREFILLED_STATES = ("authoritative", "prefilled")


class Provenance(BaseModel):
    source: str
    source_label: str
    record_id: str
    fetched_at: str
    subject_role: str


class FieldView(BaseModel):
    key: str
    label: str
    label_en: str
    section: str
    type: str
    required: bool
    options: list[str] = []
    options_en: list[str] = Field([], description="The options in English, in the same order (what to show an English "
                                                  "reader; the value to send stays the option itself).")
    departments: list[str]
    state: FieldState
    state_label: str
    display: str | None = Field(None, description="The value as shown on screen (identifiers masked).")
    has_value: bool
    editable: bool
    provenance: Provenance | None = None
    correction_path: str | None = Field(None, description="Where to report a wrong registry value (纠错).")
    help: str | None = None
    asked: bool = Field(True, description="False when an earlier choice makes the field unneeded (e.g. the mother's "
                                          "household booklet after 随父落户): not shown, required or sent.")


class ConsentFieldRef(BaseModel):
    name: str
    label: str


class ConsentItem(BaseModel):
    """One source's data about one role, and who decides."""

    source: str
    source_label: str
    role: str
    role_label: str
    subject_display: str | None = None
    decided_by: Literal["you", "other"]
    decided_by_display: str
    role_is_you: bool | None = Field(False, description="Whether the role is the applicant (e.g. the newborn's father "
                                                         "applying): None while not known yet.")
    fields: list[ConsentFieldRef]
    departments: list[str]
    status: ConsentStatus


class ConsentChoice(BaseModel):
    """A choice of the form that decides whose data it needs (落户方式: whose household booklet is read).
    Made before consent (`PATCH` the draft's field), so consent asks only for what the choice needs."""

    key: str
    label: str
    label_en: str
    options: list[str]
    options_en: list[str] = Field([], description="The options in English, in the same order; the value stays the option.")
    value: str | None = None


class ConsentRequest(BaseModel):
    draft_id: str
    one_thing_id: str
    title: str
    purpose: str
    departments: list[str]
    items: list[ConsentItem]
    your_sources: list[str] = Field(..., description="Sources you decide (grant or refuse) for this application.")
    choices: list[ConsentChoice] = Field([], description="Choices to make first: until one is made, consent asks "
                                                         "for the data of every option.")
    note: str = ("同意后，系统仅为本事项调取所列字段，调取记录可在“我的数据使用记录”中查看；拒绝的来源需手工填写。"
                 "涉及家庭成员本人的数据，需其本人登录授权。")


class SubjectView(BaseModel):
    role: str
    label: str
    display: str | None
    resolved: bool
    decided_by: Literal["you", "other"] | None = None


class DraftView(BaseModel):
    draft_id: str
    one_thing_id: str
    form_id: str
    title: str
    status: DraftStatus
    created_at: str
    updated_at: str
    confirmed_at: str | None = None
    submitted_at: str | None = None
    tracking_no: str | None = None
    prefilled: bool
    prefill_rate: float = Field(..., description="Share of the form's fields filled from shared data.")
    counts: dict[str, int]
    subjects: list[SubjectView]
    consent: ConsentRequest
    fields: list[FieldView]


class DraftSummary(BaseModel):
    draft_id: str
    one_thing_id: str
    title: str
    status: DraftStatus
    updated_at: str
    tracking_no: str | None = None


class ReviewItem(BaseModel):
    key: str
    label: str
    display: str | None
    state: FieldState
    required: bool
    source: str | None = Field(None, description="The shared-data source a pre-filled value came from.")


class ReviewGroup(BaseModel):
    key: str
    title: str
    edit_target: str = Field(..., description="Where the 修改 (edit) link of this group goes, e.g. section:parents.")
    edit_label: str = "修改"
    items: list[ReviewItem]


class Problem(BaseModel):
    key: str
    message: str


class ReviewSummary(BaseModel):
    draft_id: str
    title: str
    status: DraftStatus
    by_section: list[ReviewGroup]
    by_department: list[ReviewGroup]
    problems: list[Problem]
    ready_to_confirm: bool
    prefill_rate: float


class EditRecord(BaseModel):
    key: str
    label: str
    old_display: str | None
    new_display: str | None
    old_state: str
    new_state: str
    actor: str
    at: str


class DepartmentStatus(BaseModel):
    department: str
    status: str
    updated_at: str
    note: str = ""


SupplyVia = Literal["upload", "e_licence"]
SUPPLY_VIA_LABELS: dict[str, str] = {"upload": "申请人上传", "e_licence": "电子证照"}


class MaterialSupply(BaseModel):
    """How a material was handed in: an upload, or the person's own licence read from the 电子证照库."""

    via: SupplyVia
    via_label: str = Field(..., description="申请人上传 | 电子证照")
    at: str
    licence_kind: str | None = Field(None, description="e_licence: the licence kind read (e.g. elderly_assessment).")
    licence_label: str | None = Field(None, description="e_licence: its name (e.g. 老年人能力评估结果).")
    licence_no_masked: str | None = Field(None, description="e_licence: the licence number, masked (MZ**********01).")
    licence_issue_date: str | None = None


class LicenceRoute(BaseModel):
    """Whether a material can come from the person's own e-licence instead of an upload (the guide says which)."""

    licence: str | None = Field(None, description="The 电子证照 kind that supplies it "
                                "(POST /v1/prefill/drafts/{draft_id}/materials/from-licence); null: upload only.")
    licence_label: str | None = Field(None, description="That licence's name, e.g. 老年人能力评估结果.")


class PendingMaterial(LicenceRoute):
    """容缺待补: a material that follows later under the applicant's commitment."""

    material: str
    due: str
    overdue: bool
    departments: list[str]
    label: str = Field("容缺待补", description="容缺待补, or 已补交 once handed in (a department's payload is kept current).")
    supplied: MaterialSupply | None = Field(None, description="How and when it was handed in (label 已补交).")

    def closed(self, supply: MaterialSupply) -> PendingMaterial:
        """The same item once handed in, as a department's payload shows it from then on."""
        return self.model_copy(update={"label": "已补交", "overdue": False, "supplied": supply})


class SubmissionView(BaseModel):
    tracking_no: str
    draft_id: str
    one_thing_id: str
    title: str
    submitted_at: str
    departments: list[DepartmentStatus]
    finished: bool
    pending_materials: list[PendingMaterial] = Field([], description="容缺待补: materials still to be supplied, by when.")


class DepartmentPayload(BaseModel):
    """What one department receives: only the fields its own form needs, in full."""

    tracking_no: str
    form_id: str
    one_thing_id: str
    department: str
    submitted_at: str
    applicant_id: str
    fields: dict[str, Any]
    labels: dict[str, str]
    provenance: dict[str, Provenance | None]
    pending_materials: list[PendingMaterial] = Field(
        [], description="容缺待补: materials this department's service needs that follow later under the applicant's "
                        "commitment, with their due dates; each is marked 已补交 (when, upload or 电子证照) once handed in.")


class AccessLogEntry(BaseModel):
    """One line of “my data use record” (like Estonia's Data Tracker)."""

    at: str
    who: str
    action: str
    action_label: str
    about_you: bool
    source_label: str | None = None
    fields: list[str] = []
    purpose: str = ""
    draft_id: str | None = None
    one_thing_id: str | None = Field(None, description="The one-thing the use was for (its id), when it names one.")
    source: str | None = Field(None, description="The data source's id (source_label is its name).")
    field_keys: list[str] = Field([], description="The fields as recorded: a source's field names for reads and "
                                                  "consents, the merged form's keys otherwise (fields holds their labels).")


class ConsentCode(BaseModel):
    code: str
    expires_at: str
    note: str = "请将此6位授权码当面告知窗口工作人员；10分钟内有效，仅可使用一次。"


class PendingApproval(BaseModel):
    draft_id: str
    applicant_display: str
    one_thing_id: str
    title: str
    purpose: str
    source: str
    source_label: str
    roles: list[str]
    fields: list[ConsentFieldRef]
    departments: list[str]
    asked_at: str


class DemoPerson(BaseModel):
    person_id: str
    name_masked: str
    id_number_masked: str | None
    sex: str
    age: int
    scenarios: list[dict[str, str]]


class PersonCheck(BaseModel):
    """Who a clerk acts for, masked: enough to check against the person and their ID card at the counter."""

    name_masked: str
    id_number_masked: str | None


class DemoPeople(BaseModel):
    synthetic: bool = True
    note: str = "以下均为系统生成的合成演示数据（非真实人员），仅用于体验预填流程。"
    people: list[DemoPerson]


class FormSummary(BaseModel):
    one_thing_id: str
    form_id: str
    title: str
    title_en: str
    audience: str
    departments: list[str]
    fields: int
    fields_from_shared_data: int


class CorrectionReport(BaseModel):
    id: int
    draft_id: str
    key: str
    label: str
    source_label: str | None
    status: str
    at: str
    note: str = "纠错申请已转数据提供部门核实，核实更正后可重新预填。"


class StatusChange(BaseModel):
    tracking_no: str
    department: str
    old_status: str
    new_status: str
    at: str


@dataclass(frozen=True)
class Document:
    """A printable document (DOCX or PDF)."""

    filename: str
    media_type: str
    content: bytes


# --- 免申办: proactive offers ---------------------------------------------------------------------
class BasisView(BaseModel):
    """A rule's legal basis: the law the guide names and the guide's wording of the condition."""

    one_thing_id: str
    service_id: str | None = None
    law: str | None = None
    quote: str
    law_en: str | None = None
    quote_en: str = Field("", description="The condition in English (the Chinese quote is the guide's own words).")


class FactView(BaseModel):
    """One fact the rule used ("why you are eligible"), with where it came from."""

    key: str
    label: str
    value: str
    source: str
    source_label: str
    record_id: str
    label_en: str = ""
    value_en: str = ""


class OfferView(BaseModel):
    offer_id: str
    one_thing_id: str
    title: str
    rule_id: str
    status: str
    status_label: str
    message: str
    event: str = Field(..., description="The life event that triggered the offer, in words.")
    title_en: str = ""
    status_label_en: str = ""
    message_en: str = ""
    event_en: str = ""
    event_date: str
    why: list[FactView] = Field(..., description="The facts the rule used: why you are eligible.")
    legal_basis: list[BasisView]
    sources_on_accept: list[str] = Field(..., description="Sources read for the pre-fill when you accept.")
    source_ids_on_accept: list[str] = Field([], description="The same sources by id (population, e_licence …).")
    created_at: str
    opened_at: str | None = None
    decided_at: str | None = None
    draft_id: str | None = None
    decline_reason: str | None = None
    no_application: bool = Field(False, description="Granted without an application (免申即享); you may decline.")


class OptInStatus(BaseModel):
    """The standing opt-in to proactive matching (主动服务授权)."""

    granted: bool
    since: str | None = None
    sources: dict[str, list[str]] = Field(..., description="What matching may read about you, by source.")
    note: str = ("开启主动服务后，系统定期比对您的户籍、社保、证照和企业登记数据，发现您可能符合条件的事项时主动告知，"
                 "每次比对都记入“我的数据使用记录”；未经您确认不会提交任何申请。可随时关闭。")


class OfferAccepted(BaseModel):
    """What the normal pre-fill flow needs to open the accepted offer at the review step."""

    offer: OfferView
    draft: DraftView
    review: ReviewSummary
    next_step: Literal["review"] = "review"


class OfferStatsRow(BaseModel):
    one_thing_id: str
    title: str
    sent: int = 0
    opened: int = 0
    accepted: int = 0
    declined: int = 0
    granted: int = 0


class OfferStats(BaseModel):
    by_bundle: list[OfferStatsRow]
    total: OfferStatsRow


class MatchReport(BaseModel):
    """What one matcher run did."""

    since: str
    until: str
    events: int
    people_checked: int
    offers_created: int
    granted: int
    by_rule: dict[str, int]


# --- 承诺办: materials, 暂缺 and commitments ---------------------------------------------------------
MaterialStatus = Literal["shared", "optional", "to_provide", "missing", "committed", "supplied"]
MATERIAL_STATUS_LABELS: dict[str, str] = {
    "shared": "共享数据核验，免交", "optional": "视情况提供", "to_provide": "需提供", "missing": "暂缺（不可容缺，需补齐后提交）",
    "committed": "容缺待补", "supplied": "已提交",
}


class MaterialItemView(LicenceRoute):
    name: str
    note: str | None = None
    required: bool
    e_licence: bool
    tolerable: bool = Field(..., description="可容缺后补: may follow later under a commitment.")
    status: MaterialStatus
    due: str | None = Field(None, description="容缺待补: the date the material must be supplied by.")
    commitment: str | None = Field(None, description="The signed 承诺书 text.")
    overdue: bool = False
    supplied_at: str | None = None
    supplied: MaterialSupply | None = Field(None, description="How it was handed in (upload or 电子证照).")


class MaterialsView(BaseModel):
    draft_id: str
    one_thing_id: str
    items: list[MaterialItemView]
    blocking: list[str] = Field(..., description="Plain reasons submission is blocked (non-tolerable materials missing).")
    pending: list[str] = Field(..., description="Materials under commitment (容缺待补).")


class PendingCommitment(BaseModel):
    draft_id: str
    tracking_no: str | None
    one_thing_id: str
    title: str = ""
    material: str
    due: str
    overdue: bool
    applicant_id: str
    applicant_name_masked: str | None = Field(None, description="The applicant's name, masked (张*).")
    applicant_id_number_masked: str | None = Field(None, description="Their ID number, masked (110105********1234).")
    departments: list[str] = []
