"""`PrefillService`: the one facade the API, the staff CLI and the Gradio UI call, in process.

Flow for a citizen (every method takes the caller's `Principal` first):
``start_draft`` → consent request → ``decide_consent`` per source (family members approve their own
data with ``approve``) → ``prefill`` → ``edit`` / ``report_error`` → ``review`` → ``confirm`` →
``submit`` (fan-out to one payload per department, tracking number) → ``track``; ``document`` prints
it; ``my_access_log`` shows every use of the person's data. Staff: ``redeem_consent_code``,
``update_status``, ``department_payload``, ``verify_audit``.

A citizen only ever reaches their own drafts and submissions: anything else is "not found", so
existence is not revealed. Every action lands in the audit log in the same transaction as its effect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.errors import AssistantError, Conflict, Forbidden, InvalidInput, NotFound
from core.identity import Principal, demo_login_allowed
from core.masking import mask_for_type, mask_id_number, mask_name
from core.status import DEPARTMENT_FINAL as FINAL
from core.status import DEPARTMENT_STATUSES as STATUSES
from core.status import DEPARTMENT_TRANSITIONS as TRANSITIONS
from prefill.audit import AuditLog, ChainReport
from prefill.consent import ConsentCodes, ConsentGate, ConsentStore
from prefill.documents import CITIZEN_COPY, DocumentContext, render_docx, render_pdf
from prefill.engine import (
    DraftState,
    PrefillEngine,
    field_value,
    fields_for_grantor,
    form_sources,
    lookup_fields,
    owner_binding,
    owner_decides,
    owner_roles,
    prefill_rate,
)
from prefill.forms import FORMS_DIR, SOURCE_FIELDS, FormLibrary, MergedForm
from prefill.models import (
    STATE_LABELS,
    AccessLogEntry,
    ConsentCode,
    ConsentFieldRef,
    ConsentItem,
    ConsentRequest,
    CorrectionReport,
    DemoPeople,
    DemoPerson,
    DepartmentPayload,
    DepartmentStatus,
    Document,
    DraftSummary,
    DraftView,
    EditRecord,
    FieldView,
    FormSummary,
    PendingApproval,
    Problem,
    Provenance,
    ReviewGroup,
    ReviewItem,
    ReviewSummary,
    StatusChange,
    SubjectView,
    SubmissionView,
)
from prefill.ocr import OcrReader, RapidOcrReader, extract
from prefill.seed import scenarios_from_meta, seed_database
from prefill.sources import PersonRow, SharedDataDB, build_sources
from prefill.store import (
    CorrectionRow,
    DraftRow,
    EditRow,
    StateDB,
    StatusRow,
    SubmissionRow,
    iso,
)
from prefill.validators import validate_field

log = logging.getLogger(__name__)

_TRACKING_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ACTION_LABELS = {
    "read": "调取了数据", "identity_lookup": "按身份证号识别您以请您授权", "draft_start": "创建申请",
    "consent_grant": "授权调取", "consent_refuse": "拒绝调取", "edit": "修改字段", "confirm": "确认申请内容",
    "reopen": "撤回确认", "submit": "提交并分送各部门", "status_change": "部门更新办理状态", "document": "生成打印文书",
    "payload_read": "部门调阅申请数据", "correction_report": "提交纠错申请", "consent_code_issue": "生成帮办授权码",
    "consent_code_redeem": "工作人员凭授权码代办", "ocr": "识别上传的证照",
}
SOURCE_LABELS = {"population": "人口库（公安户籍）", "e_licence": "电子证照库", "social_insurance": "社会保险和医疗保障信息库",
                 "housing_fund": "住房公积金信息库", "enterprise": "法人库（市场主体登记）", "real_estate": "不动产登记信息库",
                 "ocr": "证照照片识别（OCR，需本人确认）"}


def _require_citizen(who: Principal) -> None:
    if who.kind != "citizen":
        raise Forbidden("this needs a citizen sign-in (a clerk acts for a citizen with their consent code)")


def _require_staff(who: Principal) -> None:
    if who.kind != "staff":
        raise Forbidden("this needs a staff sign-in")


def _check_id(value: str, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 64 or not value.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"{name}: not a valid identifier", field=name)
    return value


class PrefillService:
    """Shared data, consent, merged forms, drafts, submissions, documents and the audit log."""

    def __init__(self, *, shared_data_url: str, state_url: str, secret: str, forms_dir: Path = FORMS_DIR,
                 seed_people: int = 300, seed_enterprises: int = 60, seed: int = 20240116,
                 code_ttl_s: int = 600, demo: bool = True, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.shared = SharedDataDB(shared_data_url)
        self.state = StateDB(state_url)
        self.forms_dir = forms_dir
        self.seed_people = seed_people
        self.seed_enterprises = seed_enterprises
        self.seed = seed
        self.demo = demo
        self.sources = build_sources(self.shared)
        self.audit = AuditLog(self.state)
        self.consents = ConsentStore(self.state)
        self.gate = ConsentGate(self.state, self.consents, self.sources, self.audit)
        self.codes = ConsentCodes(self.state, self.audit, secret, ttl_s=code_ttl_s, clock=clock or utcnow)
        self.engine = PrefillEngine(self.state, self.gate, self.consents, self.audit, self.sources["population"])
        self.ocr: OcrReader = RapidOcrReader()  # loaded on first upload, never at start-up
        self._forms: FormLibrary | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Create the state tables, load the forms and seed an empty shared-data DB. Safe to call twice."""
        self.state.warm_up()
        if self._forms is None:
            self._forms = FormLibrary.from_dir(self.forms_dir)
        try:
            self.shared.warm_up()
            seed_database(self.shared, people=self.seed_people, enterprises=self.seed_enterprises, seed=self.seed)
        except AssistantError as exc:  # data sources down: manual entry keeps working, reads retry later
            log.error("shared data unavailable at start-up: %s", exc.message)

    @property
    def forms_library(self) -> FormLibrary:
        if self._forms is None:
            self._forms = FormLibrary.from_dir(self.forms_dir)
        return self._forms

    # -- catalogue -----------------------------------------------------------------------------
    def forms(self) -> list[FormSummary]:
        return [FormSummary(one_thing_id=f.one_thing_id, form_id=f.form_id, title=f.title, title_en=f.title_en,
                            audience=f.audience, departments=f.departments, fields=len(f.by_key),
                            fields_from_shared_data=sum(1 for x in f.fields() if x.source))
                for f in self.forms_library]

    def form(self, one_thing_id: str) -> MergedForm:
        return self.forms_library.get(_check_id(one_thing_id, "one_thing_id"))

    def demo_people(self, limit: int = 200) -> DemoPeople:
        """Synthetic identities to try the flow with (masked; development only)."""
        if not self.demo:
            raise Forbidden("demo identities are disabled (YJS_DEMO_LOGIN=false or production)")
        meta = self.shared.meta()
        by_person: dict[str, list[dict[str, str]]] = {}
        for sc in scenarios_from_meta(meta):
            by_person.setdefault(sc.applicant_id, []).append({"one_thing_id": sc.one_thing_id, "label": sc.label})
        ids = list(by_person)[:limit]
        today = dt.date.today()
        with self.shared.session() as s:
            rows = {p.id: p for p in s.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))}
        people = []
        for pid in ids:
            p = rows.get(pid)
            if p is None:
                continue
            age = int((today - dt.date.fromisoformat(p.birth_date)).days / 365.25)
            people.append(DemoPerson(person_id=pid, name_masked=mask_name(p.name), sex=p.sex, age=age,
                                     id_number_masked=mask_id_number(p.id_number) if p.id_number else None,
                                     scenarios=by_person[pid]))
        return DemoPeople(people=people)

    def demo_person_exists(self, person_id: str) -> bool:
        if not self.demo:
            raise Forbidden("demo identities are disabled (YJS_DEMO_LOGIN=false or production)")
        _check_id(person_id, "person_id")
        with self.shared.session() as s:
            p = s.get(PersonRow, person_id)
            return p is not None and p.death_date is None and p.id_number is not None

    # -- drafts --------------------------------------------------------------------------------
    def start_draft(self, who: Principal, one_thing_id: str, subjects: dict[str, str] | None = None) -> DraftView:
        """A new application for a one-thing; returns it with the consent request to decide first."""
        _require_citizen(who)
        form = self.form(one_thing_id)
        requested = {}
        for role, subject in (subjects or {}).items():
            if role not in form.subjects:
                raise InvalidInput(f"subjects: form {form.form_id} has no role {role!r}", field="subjects")
            requested[role] = _check_id(subject, f"subjects.{role}")
        now = iso(utcnow())
        draft_id = uuid.uuid4().hex
        values = {f.key: field_value(None, "to_be_entered") for f in form.fields()}
        with self.state.session() as s:
            s.add(DraftRow(id=draft_id, owner_id=who.subject, one_thing_id=form.one_thing_id, form_id=form.form_id,
                           status="open", bindings={"self": owner_binding(who.subject)}, values=values,
                           requested=requested, version=1, created_at=now, updated_at=now))
            self.audit.append(s, actor=who.actor, action="draft_start", subject_id=who.subject, owner_id=who.subject,
                              draft_id=draft_id, purpose=f"{form.one_thing_id}: {form.purpose}")
        return self.draft(who, draft_id)

    def draft(self, who: Principal, draft_id: str) -> DraftView:
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            return self._view(s, row)

    def my_drafts(self, who: Principal) -> list[DraftSummary]:
        _require_citizen(who)
        with self.state.session() as s:
            rows = s.scalars(select(DraftRow).where(DraftRow.owner_id == who.subject)
                             .order_by(DraftRow.updated_at.desc()).limit(200)).all()
            return [DraftSummary(draft_id=r.id, one_thing_id=r.one_thing_id, title=self.form(r.one_thing_id).title,
                                 status=r.status, updated_at=r.updated_at, tracking_no=r.tracking_no) for r in rows]

    def _owned(self, s, who: Principal, draft_id: str) -> DraftRow:
        _require_citizen(who)
        _check_id(draft_id, "draft_id")
        row = s.get(DraftRow, draft_id)
        if row is None or row.owner_id != who.subject:
            raise NotFound(f"no draft {draft_id!r} for this user")
        return row

    @staticmethod
    def _state(row: DraftRow) -> DraftState:
        return DraftState(row.id, row.owner_id, json.loads(json.dumps(row.bindings or {})),
                          json.loads(json.dumps(row.values or {})), dict(row.requested or {}))

    def _save(self, s, row: DraftRow, st: DraftState, version: int) -> None:
        if row.version != version:
            raise Conflict("the draft changed in the meantime (another window or worker); reload and try again")
        row.bindings, row.values = st.bindings, st.values
        row.version = version + 1
        row.updated_at = iso(utcnow())

    # -- consent ---------------------------------------------------------------------------------
    def consent_request(self, who: Principal, draft_id: str) -> ConsentRequest:
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            return self._consent_request(s, row, self.form(row.one_thing_id))

    def decide_consent(self, who: Principal, draft_id: str, source: str, grant: bool) -> ConsentRequest:
        """The applicant grants or refuses one source (for themselves and whom they act for)."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            if row.status != "open":
                raise Conflict("consent cannot change after the form is confirmed")
            fields = fields_for_grantor(form, source, row.bindings, row.owner_id)
            if source not in SOURCE_FIELDS or not fields:
                raise InvalidInput(f"source: this application does not ask you about {source!r}", field="source")
            self.consents.decide(s, draft_id=row.id, source=source, grantor_id=who.subject, granted=grant,
                                 fields=fields, actor=who.actor)
            self.audit.append(s, actor=who.actor, action="consent_grant" if grant else "consent_refuse",
                              subject_id=who.subject, owner_id=row.owner_id, draft_id=row.id, source=source,
                              fields=fields, purpose=f"{form.one_thing_id}: {form.purpose}",
                              detail={"departments": form.departments})
            st, version = self._state(row), row.version
        if grant:
            self.engine.resolve(st, form, who.actor)  # family members found now get their asks
            with self.state.session() as s:
                row = self._owned(s, who, draft_id)
                self._save(s, row, st, version)
        return self.consent_request(who, draft_id)

    def grant_all(self, who: Principal, draft_id: str) -> ConsentRequest:
        """Grant every source the applicant decides (the "同意全部" button)."""
        for source in self.consent_request(who, draft_id).your_sources:
            self.decide_consent(who, draft_id, source, True)
        return self.consent_request(who, draft_id)

    def pending_approvals(self, who: Principal) -> list[PendingApproval]:
        """Requests from other applicants to use this person's own data, not yet decided."""
        _require_citizen(who)
        out = []
        with self.state.session() as s:
            for ask in self.consents.asks_for_grantor(s, who.subject):
                decided = self.consents.decisions(s, ask.draft_id).get((ask.source, who.subject))
                if decided is not None:
                    continue
                row = s.get(DraftRow, ask.draft_id)
                if row is None or row.status != "open":
                    continue
                form = self.form(row.one_thing_id)
                out.append(PendingApproval(
                    draft_id=row.id, applicant_display=self._applicant_display(row, form), one_thing_id=form.one_thing_id,
                    title=form.title, purpose=form.purpose, source=ask.source, source_label=SOURCE_LABELS[ask.source],
                    roles=[form.role_label(r) for r in ask.roles], fields=self._field_refs(ask.source, ask.fields),
                    departments=self._departments_for(form, ask.source, ask.roles), asked_at=ask.at))
        return out

    def approve(self, who: Principal, draft_id: str, source: str, grant: bool) -> list[PendingApproval]:
        """A family member (or buyer, employee …) grants or refuses use of their own data for a draft."""
        _require_citizen(who)
        _check_id(draft_id, "draft_id")
        with self.state.session() as s:
            ask = next((a for a in self.consents.asks_for_grantor(s, who.subject)
                        if a.draft_id == draft_id and a.source == source), None)
            row = s.get(DraftRow, draft_id)
            if ask is None or row is None:
                raise NotFound("no such approval request for this user")
            if row.status != "open":
                raise Conflict("the application is already confirmed; the decision can no longer change it")
            form = self.form(row.one_thing_id)
            self.consents.decide(s, draft_id=draft_id, source=source, grantor_id=who.subject, granted=grant,
                                 fields=ask.fields, actor=who.actor)
            self.audit.append(s, actor=who.actor, action="consent_grant" if grant else "consent_refuse",
                              subject_id=who.subject, owner_id=row.owner_id, draft_id=draft_id, source=source,
                              fields=ask.fields, purpose=f"{form.one_thing_id}: {form.purpose}",
                              detail={"departments": self._departments_for(form, source, ask.roles)})
        return self.pending_approvals(who)

    def _consent_request(self, s, row: DraftRow, form: MergedForm) -> ConsentRequest:
        owner = row.owner_id
        bindings = row.bindings or {"self": owner_binding(owner)}
        decisions = self.consents.decisions(s, row.id)
        mine = owner_roles(form, bindings)
        items, yours = [], []
        for source in form_sources(form):
            if fields_for_grantor(form, source, bindings, owner):
                yours.append(source)
            for role in form.roles():
                names = form.source_fields(source, role)
                if role in mine:
                    names = sorted(set(names) | set(lookup_fields(form, source, [role])))
                if not names:
                    continue
                b = bindings.get(role)
                by_you = (b["grantor_id"] == owner) if b else (role == "self" or owner_decides(form.subjects[role]))
                if by_you:
                    d = decisions.get((source, owner))
                    status = "pending" if d is None else "granted" if d.granted else "refused"
                    who = "您本人" if role == "self" else f"您（为{form.role_label(role)}）"
                elif b is None:
                    status, who = "unresolved", f"{form.role_label(role)}本人（确定其身份后请其授权）"
                else:
                    d = decisions.get((source, b["grantor_id"]))
                    status = "awaiting_other" if d is None else "granted" if d.granted else "refused"
                    who = f"{form.role_label(role)}本人（需其登录授权）"
                items.append(ConsentItem(
                    source=source, source_label=SOURCE_LABELS[source], role=role, role_label=form.role_label(role),
                    subject_display=(b or {}).get("display"), decided_by="you" if by_you else "other",
                    decided_by_display=who, fields=self._field_refs(source, names),
                    departments=self._departments_for(form, source, [role]), status=status))
        return ConsentRequest(draft_id=row.id, one_thing_id=form.one_thing_id, title=form.title, purpose=form.purpose,
                              departments=form.departments, items=items, your_sources=yours)

    @staticmethod
    def _field_refs(source: str, names: list[str]) -> list[ConsentFieldRef]:
        return [ConsentFieldRef(name=n, label=SOURCE_FIELDS[source].get(n, n)) for n in names]

    @staticmethod
    def _departments_for(form: MergedForm, source: str, roles: list[str]) -> list[str]:
        """Departments receiving data of `source` about `roles` (or about the roles resolved from them)."""
        reached = set(roles) | {r for r, spec in form.subjects.items() if spec.of in roles}
        depts = {d for f in form.fields() if f.source and f.source.subject in reached
                 and (f.source.source == source or f.source.subject not in roles) for d in f.departments}
        return [d for d in form.departments if d in depts]

    def _applicant_display(self, row: DraftRow, form: MergedForm) -> str:
        for f in form.fields():
            v = (row.values or {}).get(f.key) or {}
            prov = v.get("provenance") or {}
            if (f.source and f.source.source == "population" and f.source.field == "name" and v.get("value")
                    and (row.bindings.get(prov.get("subject_role")) or {}).get("subject_id") == row.owner_id):
                return mask_name(v["value"])
        return "申请人"

    # -- pre-fill, edits, review -------------------------------------------------------------------
    def prefill(self, who: Principal, draft_id: str) -> DraftView:
        """Fill the draft from every granted source; refused or missing grants leave fields to be entered."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            if row.status != "open":
                raise Conflict("the form is confirmed; reopen it before pre-filling again")
            form = self.form(row.one_thing_id)
            st, version = self._state(row), row.version
        self.engine.prefill(st, form, who.actor)
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            self._save(s, row, st, version)
            row.prefilled_at = iso(utcnow())
            return self._view(s, row)

    def edit(self, who: Principal, draft_id: str, key: str, value: Any) -> DraftView:
        return self.edit_many(who, draft_id, {key: value})

    def edit_many(self, who: Principal, draft_id: str, values: dict[str, Any]) -> DraftView:
        """Validate and save typed values; old and new values are kept with who and when. All or nothing."""
        if not isinstance(values, dict) or not values:
            raise InvalidInput("values: give at least one field to change", field="values")
        if len(values) > 200:
            raise InvalidInput("values: too many fields in one request", field="values")
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            if row.status != "open":
                raise Conflict("confirmed values are locked; reopen the form to change them (撤回确认后再修改)")
            st, version = self._state(row), row.version
            now = iso(utcnow())
            changed_inputs = []
            for key, raw in values.items():
                f = form.field(_check_id(key, "key"))
                old = st.values.get(key) or field_value(None, "to_be_entered")
                if old["state"] == "authoritative" and old.get("value") is not None:
                    raise Conflict(f"{key}: comes from {SOURCE_LABELS[f.source.source]} and is read-only; "
                                   "report an error (纠错) if it is wrong", field=key)
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    if f.required:
                        raise InvalidInput(f"{key}: is required (必填项不能为空)", field=key)
                    new = field_value(None, "to_be_entered")
                else:
                    norm = validate_field(f, raw)
                    state = "edited" if old["state"] in ("prefilled", "edited") else "entered"
                    new = field_value(norm, state)
                if new == old:
                    continue
                st.values[key] = new
                s.add(EditRow(draft_id=row.id, key=key, old=old, new=new, actor=who.actor, at=now))
                self.audit.append(s, actor=who.actor, action="edit", subject_id=who.subject, owner_id=row.owner_id,
                                  draft_id=row.id, fields=[key], purpose=f"{form.one_thing_id}: {form.purpose}",
                                  detail={"old_state": old["state"], "new_state": new["state"]})
                if any(sp.input_field == key for sp in form.subjects.values()):
                    changed_inputs.append(key)
            for key in changed_inputs:
                self.engine.unbind(st, form, key)
            self._save(s, row, st, version)
            version += 1
        if changed_inputs:  # a new person named by ID number: identify them and send their ask
            self.engine.resolve(st, form, who.actor)
            with self.state.session() as s:
                row = self._owned(s, who, draft_id)
                self._save(s, row, st, version)
        return self.draft(who, draft_id)

    def accept_ocr(self, who: Principal, draft_id: str, key: str) -> DraftView:
        """The person confirms a value read by OCR from their upload; it becomes their own entry."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            v = (row.values or {}).get(key) or {}
            if v.get("state") != "ocr":
                raise Conflict(f"{key}: has no OCR value waiting for confirmation", field=key)
            value = v["value"]
        return self.edit(who, draft_id, key, value)

    def ocr_field(self, who: Principal, draft_id: str, key: str, image: bytes) -> DraftView:
        """Read a field still to be entered from a certificate photo; the value waits for the person's confirmation."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            f = form.field(key)
            if row.status != "open":
                raise Conflict("confirmed values are locked; reopen the form first")
            if ((row.values or {}).get(key) or {}).get("state", "to_be_entered") not in ("to_be_entered", "ocr"):
                raise Conflict(f"{key}: already has a value; OCR only fills fields still to be entered", field=key)
        value = extract(f, self.ocr.run(image).lines)
        if value is None:
            raise InvalidInput(f"image: no valid {f.label} could be read from the photo; please type it", field="image")
        digest = hashlib.sha256(image).hexdigest()
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            st, version = self._state(row), row.version
            old = st.values.get(key) or field_value(None, "to_be_entered")
            new = field_value(value, "ocr", {"source": "ocr", "record_id": digest[:16], "fetched_at": iso(utcnow()),
                                             "subject_role": "upload"})
            st.values[key] = new
            s.add(EditRow(draft_id=row.id, key=key, old=old, new=new, actor=who.actor, at=iso(utcnow())))
            self.audit.append(s, actor=who.actor, action="ocr", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, source="ocr", fields=[key], purpose=f"{form.one_thing_id}: 识别上传的证照",
                              detail={"image_sha256": digest})
            self._save(s, row, st, version)
            return self._view(s, row)

    def history(self, who: Principal, draft_id: str) -> list[EditRecord]:
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            edits = s.scalars(select(EditRow).where(EditRow.draft_id == row.id).order_by(EditRow.id)).all()
            out = []
            for e in edits:
                f = form.field(e.key)
                out.append(EditRecord(key=e.key, label=f.label, actor=e.actor, at=e.at, old_state=e.old["state"],
                                      new_state=e.new["state"],
                                      old_display=mask_for_type(f.type, _s(e.old.get("value")), sensitive=f.sensitive),
                                      new_display=mask_for_type(f.type, _s(e.new.get("value")), sensitive=f.sensitive)))
            return out

    def report_error(self, who: Principal, draft_id: str, key: str, note: str) -> CorrectionReport:
        """纠错: the person reports that a registry value is wrong; the source's owner checks it."""
        note = (note or "").strip()
        if not note or len(note) > 500:
            raise InvalidInput("note: describe what is wrong in 1-500 characters", field="note")
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            f = form.field(key)
            prov = ((row.values or {}).get(key) or {}).get("provenance")
            if not prov or prov["source"] == "ocr":
                raise Conflict(f"{key}: was not filled from shared data; just edit it", field=key)
            now = iso(utcnow())
            rep = CorrectionRow(draft_id=row.id, owner_id=row.owner_id, key=key, source=prov["source"],
                                record_id=prov["record_id"], note=note, actor=who.actor, at=now)
            s.add(rep)
            s.flush()
            self.audit.append(s, actor=who.actor, action="correction_report", subject_id=who.subject,
                              owner_id=row.owner_id, draft_id=row.id, source=prov["source"], fields=[key],
                              purpose="纠错：申请人报告共享数据有误", detail={"record_id": prov["record_id"], "report": rep.id})
            return CorrectionReport(id=rep.id, draft_id=row.id, key=key, label=f.label, status=rep.status, at=now,
                                    source_label=SOURCE_LABELS[prov["source"]])

    def review(self, who: Principal, draft_id: str) -> ReviewSummary:
        """Everything grouped by section and by department, each group with its 修改 target, and what blocks confirming."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            values = row.values or {}

            def item(f) -> ReviewItem:
                v = values.get(f.key) or {}
                return ReviewItem(key=f.key, label=f.label, required=f.required, state=v.get("state", "to_be_entered"),
                                  display=mask_for_type(f.type, _s(v.get("value")), sensitive=f.sensitive))

            by_section = [ReviewGroup(key=sec.key, title=sec.title, edit_target=f"section:{sec.key}",
                                      items=[item(f) for f in sec.fields]) for sec in form.sections]
            by_department = []
            for dept in form.departments:
                flds = form.fields_for(dept)
                first = form.section_of(flds[0].key).key
                by_department.append(ReviewGroup(key=dept, title=dept, edit_target=f"section:{first}",
                                                 items=[item(f) for f in flds]))
            problems = self._problems(form, values)
            return ReviewSummary(draft_id=row.id, title=form.title, status=row.status, by_section=by_section,
                                 by_department=by_department, problems=problems,
                                 ready_to_confirm=row.status == "open" and not problems,
                                 prefill_rate=prefill_rate(form, values))

    @staticmethod
    def _problems(form: MergedForm, values: dict[str, dict]) -> list[Problem]:
        out = []
        for f in form.fields():
            v = values.get(f.key) or {}
            if v.get("value") is None:
                if f.required:
                    out.append(Problem(key=f.key, message=f"{f.key}: is required (必填项不能为空)"))
                continue
            if v.get("state") == "ocr":
                out.append(Problem(key=f.key, message=f"{f.key}: value read by OCR must be confirmed (识别结果需确认)"))
                continue
            try:
                validate_field(f, v["value"])
            except InvalidInput as exc:
                out.append(Problem(key=f.key, message=exc.message))
        return out

    def confirm(self, who: Principal, draft_id: str) -> DraftView:
        """The explicit confirmation: locks the values; nothing can be submitted before it."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            if row.status != "open":
                raise Conflict(f"the form is already {row.status}")
            problems = self._problems(form, row.values or {})
            if problems:
                raise InvalidInput(problems[0].message + (f" (and {len(problems) - 1} more; see the review)"
                                                          if len(problems) > 1 else ""), field=problems[0].key)
            now = iso(utcnow())
            row.status, row.confirmed_at, row.confirmed_by, row.updated_at = "confirmed", now, who.actor, now
            row.version += 1
            self.audit.append(s, actor=who.actor, action="confirm", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, fields=list(form.by_key), purpose=f"{form.one_thing_id}: {form.purpose}",
                              detail={"values_sha256": _digest(row.values)})
            return self._view(s, row)

    def reopen(self, who: Principal, draft_id: str) -> DraftView:
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            if row.status != "confirmed":
                raise Conflict("only a confirmed, not yet submitted form can be reopened")
            row.status, row.confirmed_at, row.confirmed_by = "open", None, None
            row.version += 1
            self.audit.append(s, actor=who.actor, action="reopen", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id)
            return self._view(s, row)

    # -- submission, tracking ---------------------------------------------------------------------
    def submit(self, who: Principal, draft_id: str) -> SubmissionView:
        """Fan the confirmed form out: one payload per department with only its fields; a tracking number."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            if row.status == "submitted":
                raise Conflict(f"already submitted as {row.tracking_no}")
            if row.status != "confirmed":
                raise Conflict("confirm the reviewed form before submitting (请先核对并确认后再提交)")
            now = utcnow()
            tracking = self._tracking_no(s, now)
            payloads = {d: self._payload(form, row, d, tracking, iso(now)).model_dump() for d in form.departments}
            s.add(SubmissionRow(tracking_no=tracking, draft_id=row.id, owner_id=row.owner_id,
                                one_thing_id=form.one_thing_id, submitted_at=iso(now), payloads=payloads))
            for d in form.departments:
                s.add(StatusRow(tracking_no=tracking, department=d, status="待受理", note="", actor=who.actor, at=iso(now)))
            row.status, row.submitted_at, row.tracking_no = "submitted", iso(now), tracking
            row.version += 1
            self.audit.append(s, actor=who.actor, action="submit", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, fields=list(form.by_key), purpose=f"{form.one_thing_id}: {form.purpose}",
                              detail={"tracking_no": tracking,
                                      "departments": {d: sorted(payloads[d]["fields"]) for d in form.departments}})
            s.flush()
            return self._submission(s, tracking)

    def _payload(self, form: MergedForm, row: DraftRow, dept: str, tracking: str, at: str) -> DepartmentPayload:
        flds = form.fields_for(dept)
        values = row.values or {}
        prov = {}
        for f in flds:
            p = (values.get(f.key) or {}).get("provenance")
            prov[f.key] = Provenance(**p, source_label=SOURCE_LABELS[p["source"]]) if p else None
        return DepartmentPayload(tracking_no=tracking, form_id=form.form_id, one_thing_id=form.one_thing_id,
                                 department=dept, submitted_at=at, applicant_id=row.owner_id,
                                 fields={f.key: (values.get(f.key) or {}).get("value") for f in flds},
                                 labels={f.key: f.label for f in flds}, provenance=prov)

    @staticmethod
    def _tracking_no(s, now: dt.datetime) -> str:
        while True:
            no = f"YJS-{now:%Y%m%d}-" + "".join(secrets.choice(_TRACKING_CHARS) for _ in range(6))
            if s.get(SubmissionRow, no) is None:
                return no

    def _submission(self, s, tracking_no: str) -> SubmissionView:
        sub = s.get(SubmissionRow, tracking_no)
        rows = s.scalars(select(StatusRow).where(StatusRow.tracking_no == tracking_no).order_by(StatusRow.id)).all()
        latest: dict[str, StatusRow] = {}
        for r in rows:
            latest[r.department] = r
        form = self.form(sub.one_thing_id)
        depts = [DepartmentStatus(department=d, status=latest[d].status, updated_at=latest[d].at, note=latest[d].note)
                 for d in form.departments if d in latest]
        return SubmissionView(tracking_no=sub.tracking_no, draft_id=sub.draft_id, one_thing_id=sub.one_thing_id,
                              title=form.title, submitted_at=sub.submitted_at, departments=depts,
                              finished=all(d.status in FINAL for d in depts))

    def _submission_for(self, s, who: Principal, tracking_no: str) -> SubmissionRow:
        if not isinstance(tracking_no, str) or not tracking_no or len(tracking_no) > 32:
            raise InvalidInput("tracking_no: not a valid tracking number (e.g. YJS-20261123-ABC234)", field="tracking_no")
        sub = s.get(SubmissionRow, tracking_no.strip().upper())
        if sub is None or (who.kind == "citizen" and sub.owner_id != who.subject):
            raise NotFound(f"no submission {tracking_no!r} for this user")
        return sub

    def track(self, who: Principal, tracking_no: str) -> SubmissionView:
        """查: per-department status. Citizens see only their own; staff see any."""
        with self.state.session() as s:
            sub = self._submission_for(s, who, tracking_no)
            return self._submission(s, sub.tracking_no)

    def my_submissions(self, who: Principal) -> list[SubmissionView]:
        _require_citizen(who)
        with self.state.session() as s:
            nos = s.scalars(select(SubmissionRow.tracking_no).where(SubmissionRow.owner_id == who.subject)
                            .order_by(SubmissionRow.submitted_at.desc()).limit(100)).all()
            return [self._submission(s, n) for n in nos]

    def update_status(self, who: Principal, tracking_no: str, department: str, status: str, note: str = "") -> StatusChange:
        """A department (staff) moves its part of a submission along: 待受理 → 已受理 → 办理中 → 已办结 …"""
        _require_staff(who)
        if status not in STATUSES:
            raise InvalidInput(f"status: must be one of {', '.join(STATUSES)}", field="status")
        if len(note or "") > 500:
            raise InvalidInput("note: at most 500 characters", field="note")
        with self.state.session() as s:
            sub = self._submission_for(s, who, tracking_no)
            current = {r.department: r.status for r in s.scalars(
                select(StatusRow).where(StatusRow.tracking_no == sub.tracking_no).order_by(StatusRow.id)).all()}
            if department not in current:
                raise NotFound(f"department {department!r} is not part of {sub.tracking_no}")
            old = current[department]
            if status not in TRANSITIONS[old]:
                allowed = "、".join(TRANSITIONS[old]) or "none (final)"
                raise Conflict(f"status: {department} is {old}; next can be {allowed}", field="status")
            now = iso(utcnow())
            s.add(StatusRow(tracking_no=sub.tracking_no, department=department, status=status, note=note or "",
                            actor=who.actor, at=now))
            self.audit.append(s, actor=who.actor, action="status_change", subject_id=sub.owner_id, owner_id=sub.owner_id,
                              draft_id=sub.draft_id, purpose=f"{sub.one_thing_id}: 办理进度更新",
                              detail={"tracking_no": sub.tracking_no, "department": department, "from": old, "to": status})
            return StatusChange(tracking_no=sub.tracking_no, department=department, old_status=old, new_status=status, at=now)

    def department_payload(self, who: Principal, tracking_no: str, department: str) -> DepartmentPayload:
        """A department's full-value payload (staff only; the read is audited against the applicant)."""
        _require_staff(who)
        with self.state.session() as s:
            sub = self._submission_for(s, who, tracking_no)
            payload = (sub.payloads or {}).get(department)
            if payload is None:
                raise NotFound(f"department {department!r} is not part of {sub.tracking_no}")
            self.audit.append(s, actor=who.actor, action="payload_read", subject_id=sub.owner_id, owner_id=sub.owner_id,
                              draft_id=sub.draft_id, fields=sorted(payload["fields"]),
                              purpose=f"{sub.one_thing_id}: {department}办理", detail={"department": department})
            return DepartmentPayload.model_validate(payload)

    # -- documents ---------------------------------------------------------------------------------
    def document(self, who: Principal, draft_id: str, fmt: str = "docx", copy: str = CITIZEN_COPY) -> Document:
        """The printable form: the citizen copy masks identifiers; a department copy (printed by a clerk acting
        for the citizen) has that department's fields in full."""
        if fmt not in ("docx", "pdf"):
            raise InvalidInput("format: must be docx or pdf", field="format")
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            form = self.form(row.one_thing_id)
            if copy != CITIZEN_COPY and copy not in form.departments:
                raise InvalidInput(f"copy: must be {CITIZEN_COPY} or one of {', '.join(form.departments)}", field="copy")
            if copy != CITIZEN_COPY and not who.via_staff:
                # Full values include family members' identifiers, shared with departments, not with the applicant.
                raise Forbidden("department copies are printed at the window by staff acting for you (帮办代办); "
                                "your copy masks identifiers")
            ctx = DocumentContext(form=form, draft_id=row.id, status=row.status, values=dict(row.values or {}),
                                  tracking_no=row.tracking_no, submitted_at=row.submitted_at, generated_at=iso(utcnow()))
            self.audit.append(s, actor=who.actor, action="document", subject_id=who.subject, owner_id=row.owner_id,
                              draft_id=row.id, purpose=f"{form.one_thing_id}: 打印申请表", detail={"copy": copy, "format": fmt})
        content = render_docx(ctx, copy) if fmt == "docx" else render_pdf(ctx, copy)
        suffix = "" if copy == CITIZEN_COPY else "-dept"
        media = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document" if fmt == "docx"
                 else "application/pdf")
        return Document(filename=f"{form.form_id}-{row.id[:8]}{suffix}.{fmt}", media_type=media, content=content)

    # -- audit, access log, consent codes -----------------------------------------------------------
    def my_access_log(self, who: Principal, limit: int = 200) -> list[AccessLogEntry]:
        """Who used my data, when, which fields and for what (Data Tracker); plus events on my applications."""
        _require_citizen(who)
        limit = max(1, min(int(limit), 1000))
        out = []
        for e in self.audit.entries(subject_or_owner=who.subject, limit=limit):
            out.append(AccessLogEntry(
                at=e.at, who=_who(e.actor, who.subject), action=e.action, action_label=ACTION_LABELS.get(e.action, e.action),
                about_you=e.subject_id == who.subject, source_label=SOURCE_LABELS.get(e.source) if e.source else None,
                fields=[SOURCE_FIELDS.get(e.source, {}).get(f, f) for f in e.fields] if e.action in ("read", "consent_grant", "consent_refuse", "identity_lookup") else list(e.fields),
                purpose=e.purpose, draft_id=e.draft_id if e.owner_id == who.subject else None))
        return out

    def verify_audit(self) -> ChainReport:
        return self.audit.verify_chain()

    def issue_consent_code(self, who: Principal) -> ConsentCode:
        return self.codes.issue(who)

    def redeem_consent_code(self, who: Principal, code: str) -> str:
        """The citizen's person id; the API then issues a citizen token with via_staff set."""
        return self.codes.redeem(who, code)

    # -- views -------------------------------------------------------------------------------------
    def _view(self, s, row: DraftRow) -> DraftView:
        form = self.form(row.one_thing_id)
        values = row.values or {}
        bindings = row.bindings or {}
        fields = []
        counts: dict[str, int] = {}
        for sec in form.sections:
            for f in sec.fields:
                v = values.get(f.key) or field_value(None, "to_be_entered")
                state = v["state"]
                counts[state] = counts.get(state, 0) + 1
                prov = v.get("provenance")
                fields.append(FieldView(
                    key=f.key, label=f.label, label_en=f.label_en, section=sec.key, type=f.type, required=f.required,
                    options=f.options, departments=f.departments, state=state, state_label=STATE_LABELS[state],
                    display=mask_for_type(f.type, _s(v.get("value")), sensitive=f.sensitive),
                    has_value=v.get("value") is not None,
                    editable=row.status == "open" and not (state == "authoritative" and v.get("value") is not None),
                    provenance=Provenance(**prov, source_label=SOURCE_LABELS[prov["source"]]) if prov else None,
                    correction_path=(f"/v1/prefill/drafts/{row.id}/fields/{f.key}/report-error"
                                     if state == "authoritative" and prov else None), help=f.help))
        subjects = [SubjectView(role=r, label=form.role_label(r), display=(bindings.get(r) or {}).get("display"),
                                resolved=r in bindings,
                                decided_by=None if r not in bindings else
                                ("you" if bindings[r]["grantor_id"] == row.owner_id else "other"))
                    for r in form.roles()]
        return DraftView(draft_id=row.id, one_thing_id=row.one_thing_id, form_id=row.form_id, title=form.title,
                         status=row.status, created_at=row.created_at, updated_at=row.updated_at,
                         confirmed_at=row.confirmed_at, submitted_at=row.submitted_at, tracking_no=row.tracking_no,
                         prefilled=row.prefilled_at is not None, prefill_rate=prefill_rate(form, values), counts=counts,
                         subjects=subjects, consent=self._consent_request(s, row, form), fields=fields)

    def raw_values(self, who: Principal, draft_id: str) -> dict[str, Any]:
        """Unmasked values for the caller's edit boxes: what they typed and data about themselves or those
        they act for. Another adult's data (a spouse's ID number) stays out: it was shared with departments."""
        with self.state.session() as s:
            row = self._owned(s, who, draft_id)
            bindings = row.bindings or {}
            out = {}
            for key, v in (row.values or {}).items():
                prov = (v or {}).get("provenance") or {}
                role = prov.get("subject_role")
                if not prov or prov.get("source") == "ocr" or (bindings.get(role) or {}).get("grantor_id") == row.owner_id:
                    out[key] = (v or {}).get("value")
            return out

    def all_values(self, draft_id: str) -> dict[str, Any]:
        """Every stored value of a draft, unmasked — for trusted in-process checks (the eval, tests), never an edge."""
        with self.state.session() as s:
            row = s.get(DraftRow, _check_id(draft_id, "draft_id"))
            if row is None:
                raise NotFound(f"no draft {draft_id!r}")
            return {k: (v or {}).get("value") for k, v in (row.values or {}).items()}


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _who(actor: str, me: str) -> str:
    if actor == f"citizen:{me}":
        return "您本人"
    if actor.startswith("staff:") and actor.endswith(f" for citizen:{me}"):
        return f"窗口工作人员 {actor.split(' ', 1)[0].removeprefix('staff:')}（凭您的授权码代办）"
    if actor.startswith("staff:"):
        return f"工作人员 {actor.split(' ', 1)[0].removeprefix('staff:')}"
    if actor.startswith("citizen:"):
        return f"申请人（编号 {actor.split(' ')[0].removeprefix('citizen:')}）"
    return actor


def build_prefill_service(settings) -> PrefillService:
    """Create the pre-fill service from settings: state tables, forms, and a seeded shared-data DB if empty."""
    service = PrefillService(
        shared_data_url=settings.resolved_shared_data_url, state_url=settings.resolved_database_url,
        secret=settings.secret_key.get_secret_value(), seed_people=settings.seed_people,
        seed_enterprises=settings.seed_enterprises, seed=settings.seed_random,
        code_ttl_s=settings.consent_code_ttl_s,
        demo=demo_login_allowed(settings))
    service.warm_up()
    return service
